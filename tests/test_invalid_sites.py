"""Every folder under tests/sites/invalid/ is a broken site. Building it must
print exactly the problems in its ``expected.txt`` (with the arguments in its
optional ``args.txt``, such as ``--strict``), exit with status 1 and leave
the previous output folder exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SITES, run_cli

CASES = sorted(p for p in (SITES / "invalid").iterdir() if p.is_dir())


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_there_are_enough_invalid_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_site_reports_exact_problems(case: Path, copy_site) -> None:
    site = copy_site(case)
    expected = (site / "expected.txt").read_text(encoding="utf-8").splitlines()
    (site / "expected.txt").unlink()
    extra = []
    if (site / "args.txt").exists():  # e.g. --strict, for cases that are warnings
        extra = (site / "args.txt").read_text().split()
        (site / "args.txt").unlink()
    previous = site.parent / "previous-output"
    previous.mkdir()
    (previous / ".briefings-output").write_text("from an earlier build\n")
    (previous / "index.html").write_text("<!DOCTYPE html><title>old</title>\n")
    before = _snapshot(previous)

    result = run_cli("build", "--site", site, "--out", previous, *extra)

    assert result.code == 1, result.out + result.err
    *problems, summary = result.err.splitlines()
    assert problems == expected
    assert summary.startswith("failed: ") and summary.endswith("nothing was written.")
    assert "Traceback" not in result.err
    assert _snapshot(previous) == before
