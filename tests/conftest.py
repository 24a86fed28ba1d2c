"""Shared helpers: running the command line on a copy of a fixture site."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run ``python -m builder`` as a user would, in a separate process."""
    done = subprocess.run([sys.executable, "-m", "builder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def copy_site(tmp_path: Path):
    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target, symlinks=True)
        return target
    return copy
