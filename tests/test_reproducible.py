"""Two builds of the same content are byte-identical wherever and whenever they
run: the builder embeds no build date, no file time, no path and nothing of the
machine. Every date in the output comes from the content.

The search index (``pagefind/``, in parts named by dates) is Pagefind's
output, and Pagefind 1.5 is not byte-stable there: in each part, its filter
files hold the same values in an order that changes from run to run (the
order of a hash map), so their names, and the names in
``pagefind-entry.json`` and the ``.pf_meta`` file that list them, change too.
The pages it indexes (the fragments), its word index and its interface are
compared like every other file; those files are compared by what they hold."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, unstable


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file but those of the search index that Pagefind does not make
    byte-stable (see above)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not unstable(p.relative_to(folder).as_posix())}


def _filter_sizes(folder: Path) -> list[tuple[str, int]]:
    """The sizes of the filter files of each part of the index, unpacked: the
    same values in another order are the same size. (Each page's filters are
    in its fragment, which is compared byte for byte.)"""
    return sorted((path.parent.parent.name, len(gzip.decompress(path.read_bytes())))
                  for path in (folder / "pagefind").glob("*/filter/*"))


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
    assert any(path.startswith("pagefind/2022/fragment/") for path in built)
    assert _filter_sizes(first / "public") == _filter_sizes(second.parent / "output")
    assert sorted(built) == sorted(again)
    for path, data in built.items():
        assert data == again[path], f"{path} differs between the two builds"
    for text in (str(tmp_path), "one/site", "a-copy", "Kiritimati"):
        assert not [p for p, data in built.items() if text.encode() in data]
