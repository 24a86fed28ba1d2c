"""Rendered files -> the output folder, all at once or not at all.

The new site is written to a staging folder beside the output and swapped in
only when it is complete; an error before the swap leaves the previous output
exactly as it was. The builder only ever replaces a folder it made itself:
it leaves a marker file in its output, and refuses to wipe a non-empty folder
without one.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .problems import Position, Problem, error

MARKER = ".briefings-output"
MARKER_TEXT = b"This folder is written by the briefings builder; it is replaced on every build.\n"


def check_output_dir(out: Path, site_root: Path) -> list[Problem]:
    """The output folder must not hold or be the sources, nor be someone else's folder."""
    out = out.resolve()
    root = site_root.resolve()
    protected = [root, root / "content", root / "templates", root / "site.yaml"]
    where = Position("site.yaml")
    for path in protected:
        if out == path or out in path.parents:
            return [error(where, f"the output folder '{out}' would replace the site's own "
                                 f"'{path.name}': choose another output_dir, such as 'public'.")]
        if path != root and path in out.parents:
            return [error(where, f"the output folder '{out}' is inside '{path.name}/': "
                                 "choose a folder outside content/ and templates/.")]
    if out.exists() and not out.is_dir():
        return [error(where, f"the output path '{out}' is a file: remove it or choose another "
                             "output_dir.")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        return [error(where, f"the output folder '{out}' is not empty and was not written by "
                             "this builder: empty it, or choose another output_dir.")]
    return []


def write_output(out: Path, files: dict[str, bytes], copies: dict[str, Path]) -> None:
    """Write ``files`` (path -> bytes) and ``copies`` (path -> source file) as ``out``."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        staging.mkdir()
        made: set[Path] = {staging}
        for relative, data in sorted(files.items()):
            target = staging / relative
            _mkdirs(target.parent, made)
            target.write_bytes(data)
        for relative, source in sorted(copies.items()):
            target = staging / relative
            _mkdirs(target.parent, made)
            shutil.copyfile(source, target)
        (staging / MARKER).write_bytes(MARKER_TEXT)
        if out.exists():
            os.rename(out, retired)
        os.rename(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if retired.exists() and not out.exists():
            os.rename(retired, out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _mkdirs(folder: Path, made: set[Path]) -> None:
    if folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        made.add(folder)
