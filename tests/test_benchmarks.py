"""The benchmarks' own measurements measure what they say they do."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from builder import pipeline, render

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import theme_floor  # noqa: E402 - benchmarks/ is not a package


def test_the_theme_floor_renders_the_pages_a_build_writes(tmp_path: Path) -> None:
    """The floor with the theme times the rendering of the real pages: each
    page it makes is the one the build writes, byte for byte, and every
    page the theme makes is among them."""
    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    pages, briefings = theme_floor.prepare(site)
    report = pipeline.build(site, tmp_path / "out", index=False)
    assert report.ok and briefings == report.briefings
    env = render._environment(theme_floor._model[3])
    made = theme_floor.pages(0, pages)
    assert len(made) == pages and {file for file, _, _ in made} >= {
        "index.html", "speakers/index.html", "dates/index.html", "tags/index.html"}
    for file, template, page in made:
        assert theme_floor.themed(env, template, page) == (tmp_path / "out" / file).read_bytes(), \
            file
    built = {p.relative_to(tmp_path / "out").as_posix()
             for p in (tmp_path / "out").rglob("*.html")}
    assert built == {file for file, _, _ in made}
