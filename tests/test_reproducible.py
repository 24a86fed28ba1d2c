"""Two builds of the same content are byte-identical wherever and whenever they
run: the builder embeds no build date, no file time, no path and nothing of the
machine. Every date in the output comes from the content."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _example_site(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def _build(site: Path, out: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "builder", "build", "--strict", "--site",
                           os.path.relpath(site, cwd), "--out", out],
                          cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_example_site_builds_byte_identical_anywhere_at_any_time(tmp_path: Path) -> None:
    first = _example_site(tmp_path / "one" / "site")
    second = _example_site(tmp_path / "two" / "elsewhere" / "a-copy")
    for path in second.rglob("*"):  # sources last touched long ago
        os.utime(path, (978307200, 978307200))
    quiet = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "TZ")}

    _build(first, "public", first, {**quiet, "TZ": "UTC"})
    time.sleep(1.1)  # another second on the clock
    _build(second, os.path.join("..", "..", "output"), second / "content",
           {**quiet, "TZ": "Pacific/Kiritimati", "SOURCE_DATE_EPOCH": "1700000000"})

    built, again = _tree(first / "public"), _tree(second.parent / "output")
    assert sorted(built) == sorted(again)
    for path, data in built.items():
        assert data == again[path], f"{path} differs between the two builds"
    for text in (str(tmp_path), "one/site", "a-copy", "Kiritimati"):
        assert not [p for p, data in built.items() if text.encode() in data]
