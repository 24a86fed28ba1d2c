"""Format 1.1's editorial metadata: who annotated a briefing, when, and its updates."""

from __future__ import annotations

import json
import re

from conftest import SITES, run_cli

BRIEFING = "2022-01-10-csto"


def _annotate(site, extra: str) -> None:
    path = site / "content" / "briefings" / f"{BRIEFING}.yaml"
    path.write_text(path.read_text("utf-8") + extra, "utf-8")


def test_byline_date_and_updates_are_shown_exported_and_described(copy_site) -> None:
    site = copy_site(SITES / "good")
    _annotate(site, "annotated_by: [Ana Analyst, Ben Checker]\nannotated_on: 2024-03-01\n"
                    "updates:\n  - date: 2024-03-05\n    note: Added the *second* quote.\n")
    built = run_cli("build", "--strict", "--site", site)
    assert built.code == 0, built.err
    page = (site / "public" / "briefings" / BRIEFING / "index.html").read_text("utf-8")
    assert re.search(r"<dt>Annotated by</dt><dd>Ana Analyst, Ben Checker, "
                     r'<time datetime="2024-03-01">1 March 2024</time></dd>', page)
    assert re.search(r'<li><time datetime="2024-03-05">5 March 2024</time>: '
                     r"Added the <em>second</em> quote.</li>", page)
    structured = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                      page, re.S).group(1))
    assert structured["author"] == [{"@type": "Person", "name": "Ana Analyst"},
                                    {"@type": "Person", "name": "Ben Checker"}]
    assert structured["dateCreated"] == "2024-03-01"
    assert structured["dateModified"] == "2024-03-05"
    data = json.loads((site / "public" / "data" / "briefings.json").read_text("utf-8"))
    entry = next(b for b in data["briefings"] if b["slug"] == BRIEFING)
    assert entry["annotated_by"] == ["Ana Analyst", "Ben Checker"]
    assert entry["annotated_on"] == "2024-03-01"
    assert entry["updates"] == [{"date": "2024-03-05", "note": "Added the *second* quote."}]
    other = next(b for b in data["briefings"] if b["slug"] != BRIEFING)
    assert "annotated_by" not in other  # a format-1 briefing's entry is as it was


def test_one_name_is_enough_and_a_broken_update_names_its_line(copy_site) -> None:
    site = copy_site(SITES / "good")
    _annotate(site, "annotated_by: Ana Analyst\nupdates:\n  - date: 2024-03-05\n")
    broken = run_cli("build", "--site", site)
    assert broken.code == 1
    lines = (site / "content" / "briefings" / f"{BRIEFING}.yaml").read_text().splitlines()
    at = lines.index("  - date: 2024-03-05") + 1
    assert f"content/briefings/{BRIEFING}.yaml:{at}:5: error:" in broken.err
    assert "'note:' is missing from an update: add it." in broken.err
    fixed = (site / "content" / "briefings" / f"{BRIEFING}.yaml")
    fixed.write_text(fixed.read_text("utf-8") + "    note: Fixed a date.\n", "utf-8")
    built = run_cli("build", "--site", site)
    assert built.code == 0, built.err
    page = (site / "public" / "briefings" / BRIEFING / "index.html").read_text("utf-8")
    assert "<dt>Annotated by</dt><dd>Ana Analyst</dd>" in page
