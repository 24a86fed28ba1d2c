"""The small fixture site tests/sites/good/ builds to exactly the files in
tests/sites/good.expected/. After a deliberate change of the output, refresh
them with ``UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and review
the diff like any other change."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import SITES, run_cli

GOLDEN = SITES / "good.expected"


def _files(folder: Path, theme_assets: bool = True) -> dict[str, bytes]:
    """The files of an output but its search index (Pagefind's output, not the
    builder's, and not byte-stable: see test_reproducible.py and test_search.py)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()
            and not p.relative_to(folder).as_posix().startswith("pagefind/")
            and (theme_assets or not p.relative_to(folder).as_posix().startswith("assets/"))}


def test_fixture_site_matches_golden_output(copy_site) -> None:
    site = copy_site(SITES / "good")
    result = run_cli("build", "--strict", "--site", site)
    assert result.code == 0, result.err
    # The stylesheet is the theme's, not the builder's output: it is not pinned here.
    assert (site / "public" / "assets" / "style.css").is_file()
    built = _files(site / "public", theme_assets=False)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(site / "public", GOLDEN,
                        ignore=shutil.ignore_patterns("assets", "pagefind"))
    expected = _files(GOLDEN)
    assert sorted(built) == sorted(expected)
    for path, data in built.items():
        assert data == expected[path], f"{path} differs from the golden copy"


def test_two_builds_in_different_folders_are_byte_identical(copy_site, tmp_path: Path) -> None:
    site = copy_site(SITES / "good")
    first, second = tmp_path / "one" / "out", tmp_path / "two" / "elsewhere"
    assert run_cli("build", "--site", site, "--out", first).code == 0
    assert run_cli("build", "--site", site, "--out", second).code == 0
    assert _files(first) == _files(second)
