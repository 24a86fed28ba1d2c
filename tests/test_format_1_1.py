"""tests/sites/format-1.1 uses what format 1.1 adds, and builds strictly."""

from __future__ import annotations

import re

from conftest import SITES, run_cli

SLUG = "2012-12-13-council-of-legislators"


def test_the_format_1_1_fixture_builds_with_what_it_adds(copy_site) -> None:
    site = copy_site(SITES / "format-1.1")
    built = run_cli("build", "--strict", "--site", site)
    assert built.code == 0, built.err
    page = (site / "public" / "briefings" / SLUG / "index.html").read_text("utf-8")
    turns = re.findall(r'<div class="turn[^"]*"( id="turn-\d")? data-speaker="([^"]+)"[^>]*>'
                       r"(.*?)</div>", page, re.S)
    # A 75-character label mapped; a pull quote out of Putin's turn, which goes on after it.
    assert [(bool(t[0]), t[1]) for t in turns] == [
        (True, "vladimir-putin"), (False, "vladimir-putin"), (True, "oksana-kozlovskaya")]
    assert all("Great many issues" not in t[2] for t in turns)
    assert "The region has done a great deal" in turns[2][2]
    assert "<dt>Annotated by</dt><dd>Ana Analyst, " in page
    speaker = (site / "public" / "speakers" / "oksana-kozlovskaya" / "index.html").read_text()
    assert f"../../briefings/{SLUG}/#turn-2" in speaker
