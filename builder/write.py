"""Rendered files -> the output folder, all at once or not at all.

The new site is written to a staging folder beside the output and swapped in
only when it is complete; an error before the swap leaves the previous output
exactly as it was. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)``
call, so a build killed at any moment leaves either the old site or the new
one in place; elsewhere it is two renames, and a build killed between them is
repaired by the next one, which puts the retired copy back before anything
else. The builder only ever replaces a folder it made itself: it leaves a
marker file in its output, refuses to wipe a non-empty folder without one,
and clears away only the staging and retired folders named and marked as its own.

That is how a site is written whole: the first time, or when the previous
output is not known. A rebuild over an output the builder knows (it has the
list of its files) costs only what changed. The changed files are written to a
staging folder beside the output, and a journal names where each one goes and
which old files go away. Writing the journal (a rename) commits the build. Each
file then replaces its old version with one rename, so a reader gets either
the old file or the new one, never a part of one. A build killed before the
commit leaves the output untouched; one killed after it leaves the journal,
and the next build carries it out before anything else (it can be carried out
any number of times), so the site it leaves equals a clean build. Files that
did not change are not touched: their modification time, and a static host's
upload of them, stay as they were. (On the first path, unchanged files are
hard-linked into the staging folder, with the same effect.)

The files a caller names to recycle (the data files, tens of megabytes each,
written again by nearly every rebuild) are not made anew each time. A
rebuild keeps the version it replaces in ``.<name>.recycled/`` beside the
output, and the next one writes that file over, in its staging folder, in
place of a new one: a new file is allocated and the old one's blocks freed
(and, on a disk mounted with ``discard``, trimmed), which cost more than
writing the bytes: 80 ms of a rebuild that changed two data files at ten
thousand briefings, measured in turns with and without.
Databases recycle their logs' segments for the same reason. A kept version
is written over only if no process holds it open (a reader of the output it
once was: the kernel grants a write lease only then) and nothing else links
to it; else it is dropped and a new file written. So the promises above
hold: a reader gets the old file or the new one, whole, however long it
reads.

The search index (``pagefind/``, see :mod:`builder.search`) keeps the same
promises. It is made in parts, one folder ``pagefind/<part>/`` for each part
the caller names (each file to index has its part), and each part is made
from its own files alone: they are linked (or copied, where links fail) into
a spare folder beside the output, keeping their paths, and indexed there
into another folder beside the output. A whole new site has every part made
so, and put in its staging folder before the swap. A rebuild makes again the
parts of the files it wrote or removed (before and after: a file that moves
to another part changes both) and those missing, once the journal is carried
out; each is put in the place of the old one with one exchange (or two
renames where the system cannot exchange), so a reader gets the old part or
the new one, never a piece of one. The parts no file belongs to any more,
and whatever else is in ``pagefind/`` (the single index of older builds),
are taken away after. A build killed while it indexes leaves the pages new
and the index old, and its spare folder, which the next build clears away
before it writes the whole site again (its cache was not saved). A rebuild
that changed nothing does not index.

One build at a time writes an output folder: the write holds an exclusive
``flock`` on ``.<name>.lock`` beside it. The kernel drops the lock when the
process ends, however it ends, so a killed build never leaves it stuck.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import itertools
import os
import re
import shutil
import stat
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

from .search import INDEX_DIR, IndexFailed

if TYPE_CHECKING:
    from .problems import Position, Problem

# (The problems, the thread pool, json and ctypes are imported where they are
# used: a build where nothing changed reads the output's marker from here, and
# stops, and their imports were a tenth of its time, then 7 ms.)

try:
    import fcntl
except ImportError:  # not POSIX: builds are not locked against each other
    fcntl = None  # type: ignore[assignment]

MARKER = ".briefings-output"
MARKER_TEXT = b"This folder is written by the briefings builder; it is replaced on every build.\n"

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# What renameat2 answers where the kernel or the filesystem cannot exchange.
_NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


class OutputBusy(Exception):
    """Another build is writing the same output folder."""

    def __init__(self, folder: Path):
        super().__init__(f"another build is writing the output folder '{folder}'")
        self.folder = folder


def check_output_dir(out: Path, site_root: Path, where: Position) -> list[Problem]:
    """The output folder must not hold or be the sources, nor be someone else's folder.

    ``where`` is the place that named the folder (output_dir in site.yaml, or --out).
    Paths are compared resolved, so a symbolic link to the site is the site.
    """
    from .problems import error

    out = out.resolve()
    root = site_root.resolve()
    if out == root:
        return [error(where, f"the output folder '{out}' is the site folder itself: "
                             "choose another output folder, such as 'public'.")]
    if out in root.parents:
        return [error(where, f"the output folder '{out}' holds the site folder '{root}': "
                             "choose a folder that holds no sources, such as 'public'.")]
    for name in ("content", "templates", "site.yaml"):
        source = (root / name).resolve()
        if out == source:
            return [error(where, f"the output folder '{out}' would replace the site's own "
                                 f"'{name}': choose another output folder, such as 'public'.")]
        if out in source.parents:
            return [error(where, f"the output folder '{out}' holds the site's '{name}' "
                                 f"('{source}'): choose a folder that holds no sources.")]
        if source in out.parents:
            return [error(where, f"the output folder '{out}' is inside '{name}/': "
                                 "choose a folder outside content/ and templates/.")]
    if out.exists() and not out.is_dir():
        return [error(where, f"the output path '{out}' is a file: remove it or choose another "
                             "output folder.")]
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        return [error(where, f"the output folder '{out}' is not empty and was not written by "
                             "this builder: empty it, or choose another output folder.")]
    return []


class Spliced(NamedTuple):
    """A file made of pieces: bytes, and stretches (offset, length) of a file
    already there (``source``), which the kernel copies from file to file
    without this process reading them: one entry changed in a data file of
    thirty megabytes is that entry written and the rest copied."""

    source: Path | BinaryIO  # a file by its path, or one open
    pieces: tuple[bytes | tuple[int, int], ...]

    def write(self, target: Path) -> None:
        with open(target, "wb", buffering=0) as file:
            self.write_into(file.fileno())

    def write_into(self, fd: int) -> None:
        """The pieces, written to the open file ``fd`` where it stands."""
        with self._open() as source:
            for piece in self.pieces:
                if isinstance(piece, bytes):
                    _write_all(fd, piece)
                else:
                    _copy_range(source.fileno(), fd, *piece)

    def read(self) -> bytes:
        """The file's bytes, made in memory."""
        with self._open() as source:
            return b"".join(piece if isinstance(piece, bytes)
                            else os.pread(source.fileno(), piece[1], piece[0])
                            for piece in self.pieces)

    def _open(self) -> contextlib.AbstractContextManager[BinaryIO]:
        if isinstance(self.source, Path):
            return open(self.source, "rb")
        return contextlib.nullcontext(self.source)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


# What copy_file_range answers where it cannot copy between these two files.
_NO_COPY_RANGE = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP,
                  errno.EBADF}


def _copy_range(source: int, target: int, offset: int, length: int) -> None:
    """``length`` bytes of ``source`` from ``offset``, appended to ``target``."""
    copy = getattr(os, "copy_file_range", None)
    while length:
        try:
            if copy is None:
                raise OSError(errno.ENOSYS, "no copy_file_range")
            done = copy(source, target, length, offset)
        except OSError as exc:
            if exc.errno not in _NO_COPY_RANGE:
                raise
            copy = None
            data = os.pread(source, min(length, 1 << 20), offset)
            _write_all(target, data)
            done = len(data)
        if not done:
            raise OSError(errno.EIO, "the file to copy from ended early")
        offset += done
        length -= done


# What goes at a path of the output: its bytes, a file to copy, a file made
# of pieces, or None: the same file as in the previous output, taken over.
Content = bytes | Path | Spliced | None


class SearchIndex(NamedTuple):
    """How the output's search index is made, part by part.

    ``make(pages, target)`` indexes the folder ``pages`` (the files of one
    part, at their paths in the output) into the new folder ``target``.
    ``parts``: the part of each file of the output that is indexed (the
    others are not). ``before``: the same of the output as it is, where it is
    known; where it is not (empty), every part is made again. ``jobs``: how
    many parts are made at once."""

    make: Callable[[Path, Path], None]
    parts: Mapping[str, str]
    before: Mapping[str, str]
    jobs: int = 1


def write_output(out: Path, files: dict[str, Content] | Iterable[tuple[str, Content]],
                 copies: dict[str, Path] | None = None,
                 stamp: Callable[[], str] | None = None,
                 present: Iterable[str] | None = None,
                 index: SearchIndex | None = None,
                 recycle: Collection[str] = ()) -> None:
    """Write ``files`` (path -> content, produced as they are written) and
    ``copies`` (path -> source file) as ``out``; ``stamp()``, called when all
    are written, gives a line for the marker file (the identity of this output).
    ``present``: every file the output holds now, where that is known; then
    only what changed is written, in place, and the files not written again
    that are no longer wanted are removed. ``index``: how to make the search
    index, in parts (see :class:`SearchIndex`); without it, the output keeps no
    index (unless it writes one as a file of its own). ``recycle``: the files
    whose replaced versions a rebuild keeps to write the next ones over
    (see above).

    Raises :class:`OutputBusy`, having touched nothing, if another build holds the lock.
    """
    out = out.resolve()
    if isinstance(files, dict):
        files = sorted(files.items())
    out.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out):
        # Under the lock, every staging or retired folder is a dead build's.
        _recover(out)
        staging = out.parent / f".{out.name}.staging-{os.getpid()}"
        retired = out.parent / f".{out.name}.old-{os.getpid()}"
        if present is not None and (out / MARKER).is_file() and not out.is_symlink():
            changed, wanted = _update(out, staging, itertools.chain(
                files, sorted((copies or {}).items())), set(present), stamp, recycle)
            if index is not None:
                try:
                    _reindex(out, index, changed)
                except IndexFailed as failed:
                    failed.pages_written = changed
                    raise
            elif not any(f.startswith(_INDEXED) for f in wanted):
                _drop_index(out)
            return
        try:
            staging.mkdir()
            _fill(staging, out, files, copies or {})
            if index is not None:
                _index_whole(staging, out, index)
            if stamp is not None:
                (staging / MARKER).write_bytes(MARKER_TEXT + stamp().encode() + b"\n")
            previous = _swap(staging, out, retired)
        except BaseException:
            # Whatever staging holds now is not the output: the new site before
            # the swap (or after one undone), the previous site after it.
            with contextlib.suppress(OSError):
                _remove(staging)
            raise
        if previous is not None:
            with contextlib.suppress(OSError):
                _remove(previous)


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    if fcntl is None:
        yield
        return
    # The lock file is never removed: a build that unlinked it could let the
    # next one lock a fresh file while a third still holds the old one.
    fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputBusy(out) from None
        yield
    finally:
        os.close(fd)


def _recover(out: Path) -> None:
    """Finish or undo what a killed build left: the output first, then its
    spare folders. A committed journal is carried out; anything else is undone."""
    pattern = _spare(out)
    leftovers = [p for p in out.parent.iterdir() if pattern.fullmatch(p.name) and _ours(p)]
    for staging in sorted((p for p in leftovers if (p / JOURNAL).is_file()),
                          key=lambda p: p.lstat().st_ctime_ns):
        if os.path.isdir(out):
            import json

            _carry_out(staging, out, json.loads((staging / JOURNAL).read_text("utf-8")))
            leftovers.remove(staging)
    retired = [p for p in leftovers if p.name.startswith(f".{out.name}.old-")
               and (p / MARKER).is_file()]
    if retired and not os.path.lexists(out):
        newest = max(retired, key=lambda p: p.lstat().st_ctime)
        os.rename(newest, out)
        leftovers.remove(newest)
    for leftover in leftovers:
        _remove(leftover)


def _spare(out: Path) -> re.Pattern[str]:
    """The names of the builder's spare folders beside ``out``: a new site or
    its changed files (staging), a site swapped out (old), a new index (index)."""
    return re.compile(rf"\.{re.escape(out.name)}\.(staging|old|index)-[0-9]+")


_INDEXED = INDEX_DIR + "/"


def _reindex(out: Path, index: SearchIndex, changed: Iterable[str]) -> None:
    """The parts of the search index of ``out`` that ``changed`` files (written
    or removed) belong to, or belonged to, and those missing, made anew beside
    it and put in place one by one; then the parts no file belongs to any
    more, and anything else in the index's folder, taken away."""
    wanted = set(index.parts.values())
    if not wanted:
        _drop_index(out)
        return
    folder = out / INDEX_DIR
    is_folder = os.path.lexists(folder) and stat.S_ISDIR(os.lstat(folder).st_mode)
    present = set(os.listdir(folder)) if is_folder else set()
    touched = {part for file in changed
               for part in (index.parts.get(file), index.before.get(file)) if part is not None}
    # A file whose part changed (or whose part before is not known) changes both.
    touched.update(part for file, part in index.parts.items() if index.before.get(file) != part)
    touched.update(part for file, part in index.before.items() if index.parts.get(file) != part)
    made = sorted(wanted & touched | wanted - present)
    stale = sorted(present - wanted)
    if not made and not stale:
        return
    with _index_spare(out) as spare:
        _make_parts(out, spare, made, index)
        gone = spare / "gone"
        gone.mkdir()
        if not is_folder:  # nothing there, or a file or a link in the index's place
            if os.path.lexists(folder):
                os.rename(folder, gone / INDEX_DIR)
            folder.mkdir()
        for part in made:
            new, target = spare / "made" / part, folder / part
            if not os.path.lexists(target):
                os.rename(new, target)
            elif not _exchange(new, target):
                os.rename(target, gone / part)
                os.rename(new, target)
        for name in stale:
            os.rename(folder / name, gone / name)


def _index_whole(staging: Path, out: Path, index: SearchIndex) -> None:
    """Every part of the search index of the new site in ``staging``, made
    beside the output and put in the staging folder."""
    parts = sorted(set(index.parts.values()))
    if not parts:
        return
    with _index_spare(out) as spare:
        _make_parts(staging, spare, parts, index)
        (staging / INDEX_DIR).mkdir(exist_ok=True)
        for part in parts:
            os.rename(spare / "made" / part, staging / INDEX_DIR / part)


@contextlib.contextmanager
def _index_spare(out: Path) -> Iterator[Path]:
    """The folder beside the output in which parts of the index are made and
    the parts they replace are put, marked as ours (so that a killed build's
    is cleared by the next: see :func:`_recover`), and removed when done."""
    spare = out.parent / f".{out.name}.index-{os.getpid()}"
    try:
        spare.mkdir()
        (spare / MARKER).write_bytes(MARKER_TEXT)
        yield spare
    finally:
        with contextlib.suppress(OSError):
            _remove(spare)


def _make_parts(pages: Path, spare: Path, parts: list[str], index: SearchIndex) -> None:
    """Each of ``parts`` indexed into ``spare/made/<part>``, from its files of
    the folder ``pages``, linked into ``spare/pages/<part>`` at the same paths.
    Up to ``index.jobs`` parts are made at once, the largest first, so that
    the last to start are the quickest; each Pagefind's memory grows with its
    part alone."""
    if not parts:
        return
    files: dict[str, list[str]] = defaultdict(list)
    for file, part in index.parts.items():
        files[part].append(file)
    (spare / "pages").mkdir()
    (spare / "made").mkdir()

    def make(part: str) -> None:
        folder = spare / "pages" / part
        made: set[Path] = set()
        for file in sorted(files[part]):
            target = folder / file
            _mkdirs(target.parent, made)
            _take_over(pages / file, target)
        index.make(folder, spare / "made" / part)

    from concurrent.futures import ThreadPoolExecutor

    order = sorted(parts, key=lambda part: (-len(files[part]), part))
    with ThreadPoolExecutor(max(1, min(index.jobs, len(order)))) as pool:
        futures = [pool.submit(make, part) for part in order]
        try:
            for future in futures:
                future.result()
        except BaseException:
            # The parts not started are not made; those running are waited for.
            pool.shutdown(cancel_futures=True)
            raise


def _drop_index(out: Path) -> None:
    """The index of an output that keeps none (search turned off, or no page
    to index) taken away."""
    target = out / INDEX_DIR
    if not target.is_dir() or target.is_symlink():
        return
    spare = out.parent / f".{out.name}.index-{os.getpid()}"
    spare.mkdir()
    (spare / MARKER).write_bytes(MARKER_TEXT)
    os.rename(target, spare / INDEX_DIR)
    _remove(spare)


def _ours(folder: Path) -> bool:
    """A real folder (not a link) holding the marker, or empty (made, then killed)."""
    if not stat.S_ISDIR(folder.lstat().st_mode):
        return False
    marker = folder / MARKER
    return (marker.is_file() and not marker.is_symlink()) or not any(folder.iterdir())


def _remove(folder: Path) -> None:
    """Delete one of the builder's folders, its marker last: a build killed
    halfway leaves a folder the next one still knows as its own."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name != MARKER:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / MARKER)
    folder.rmdir()


def _fill(staging: Path, out: Path, files: Iterable[tuple[str, Content]],
          copies: dict[str, Path]) -> None:
    # The marker goes in first, so a build killed while writing leaves a folder
    # the next build can tell is its own.
    (staging / MARKER).write_bytes(MARKER_TEXT)
    made: set[Path] = {staging}
    # One file at a time, as they are produced: the site is never all in memory.
    for relative, content in itertools.chain(files, sorted(copies.items())):
        target = staging / relative
        _mkdirs(target.parent, made)
        if content is None:
            _take_over(out / relative, target)
        else:
            _put(content, target)


def _put(content: bytes | Path | Spliced, target: Path, spare: Path | None = None) -> None:
    """A file's bytes, a copy of a file, or a file made of pieces, at ``target``:
    written over ``spare`` (a recycled file, moved there) where it can be."""
    if spare is not None and not isinstance(content, Path):
        fd = _take_spare(spare, target)
        if fd is not None:
            with open(fd, "wb", buffering=0) as file:  # (an open file: not truncated)
                if isinstance(content, Spliced):
                    content.write_into(fd)
                else:
                    _write_all(fd, content)
                file.truncate()  # where the new bytes end
            return
    if isinstance(content, bytes):
        target.write_bytes(content)
    elif isinstance(content, Spliced):
        content.write(target)
    else:
        shutil.copyfile(content, target)


JOURNAL = ".journal"


def _update(out: Path, staging: Path, files: Iterable[tuple[str, Content]], present: set[str],
            stamp: Callable[[], str] | None, recycle: Collection[str] = ()
            ) -> tuple[list[str], set[str]]:
    """Write what changed to ``staging``, commit the journal, carry it out.
    Return the files written or removed, and the files wanted."""
    moves: list[tuple[str, str]] = []
    wanted: set[str] = set()
    recycled = _recycled(out) if recycle and _LEASES else None
    try:
        staging.mkdir()
        (staging / MARKER).write_bytes(MARKER_TEXT)  # ours, should the build be killed
        for relative, content in files:
            wanted.add(relative)
            if content is None:
                continue
            temporary = f"{len(moves)}"
            _put(content, staging / temporary,
                 recycled / _spare_name(relative) if recycled and relative in recycle else None)
            moves.append((temporary, relative))
        marker = MARKER_TEXT + (stamp().encode() + b"\n" if stamp is not None else b"")
        (staging / "marker").write_bytes(marker)
        # (The search index is not among the files: it is made after them.)
        gone = sorted(f for f in present - wanted - {MARKER} if not f.startswith(_INDEXED))
        journal = {"moves": moves, "gone": gone,
                   "marker": "marker",
                   "recycle": sorted(r for _, r in moves if r in recycle) if recycled else []}
        import json

        (staging / f"{JOURNAL}.new").write_text(json.dumps(journal), "utf-8")
        # The commit: from here on, the next build finishes this one.
        os.rename(staging / f"{JOURNAL}.new", staging / JOURNAL)
    except BaseException:
        with contextlib.suppress(OSError):
            _remove(staging)
        raise
    _carry_out(staging, out, journal)
    return [relative for _, relative in moves] + gone, wanted


def _carry_out(staging: Path, out: Path, journal: dict[str, Any]) -> None:
    """Move each staged file into place, remove what is gone, then the
    marker; done again after a kill, it does what is left and no harm."""
    made: set[Path] = {out}
    recycle = set(journal.get("recycle", ()))  # (a journal of an older build has none)
    for temporary, relative in journal["moves"]:
        source = staging / temporary
        if source.exists():
            target = out / relative
            _mkdirs(target.parent, made)
            if relative in recycle:
                _keep_spare(target, _recycled(out) / _spare_name(relative))
            os.replace(source, target)
    for relative in journal["gone"]:
        target = out / relative
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)
        for folder in target.parents:  # the folders it leaves empty
            if folder == out or not folder.is_relative_to(out):
                break
            try:
                folder.rmdir()
            except OSError:
                break
    marker = staging / journal["marker"]
    if marker.exists():
        os.replace(marker, out / MARKER)
    _remove(staging)


def _recycled(out: Path) -> Path:
    """The folder of the files a rebuild of ``out`` replaced, to write over."""
    return out.parent / f".{out.name}.recycled"


def _spare_name(relative: str) -> str:
    """The name of the kept version of the output's file ``relative``."""
    return relative.replace("/", "%")


# Whether the system tells whether a file is open elsewhere: Linux's leases.
_LEASES = fcntl is not None and hasattr(fcntl, "F_SETLEASE")


def _take_spare(spare: Path, target: Path) -> int | None:
    """The recycled file ``spare`` moved to ``target`` and opened to be
    written over; None, leaving nothing at ``target``, where there is none,
    or where a process holds it open (a reader of the output it was part
    of) or another name links to it (a build killed between keeping it and
    replacing it): then a new file is written."""
    try:
        if not stat.S_ISDIR(os.lstat(spare.parent).st_mode) or \
                not stat.S_ISREG(os.lstat(spare).st_mode):
            return None
        os.rename(spare, target)
    except OSError:
        return None
    fd = None
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        if os.fstat(fd).st_nlink != 1:
            raise OSError(errno.EMLINK, "linked elsewhere")
        # The kernel grants a write lease only on a file no other open file
        # refers to (nor a mapping): taken and given back at once, it tells.
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
        return fd
    except OSError:
        if fd is not None:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(target)
        return None


def _keep_spare(target: Path, spare: Path) -> None:
    """The output's file ``target``, about to be replaced, kept as ``spare``
    to be written over by the next build: a second name, so that replacing
    it frees nothing. Not where one is kept already (a journal carried out
    again), or where the file has other names."""
    with contextlib.suppress(OSError):
        folder = spare.parent
        if not os.path.lexists(folder):
            folder.mkdir()
        info = os.lstat(target)
        if stat.S_ISDIR(os.lstat(folder).st_mode) and stat.S_ISREG(info.st_mode) \
                and info.st_nlink == 1:
            os.link(target, spare, follow_symlinks=False)


def _take_over(previous: Path, target: Path) -> None:
    """The previous output's file, unchanged: a hard link where the file system
    has them, else a copy with its times."""
    try:
        os.link(previous, target, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP,
                             errno.EOPNOTSUPP}:
            raise
        shutil.copy2(previous, target, follow_symlinks=False)


def _swap(staging: Path, out: Path, retired: Path) -> Path | None:
    """Put ``staging`` in the place of ``out``; return where the previous output now is."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return None
    if _exchange(staging, out):
        return staging
    os.rename(out, retired)
    try:
        os.rename(staging, out)
    except BaseException:
        os.rename(retired, out)
        raise
    return retired


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                 _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """libc's renameat2 (glibc 2.28 and later), or None."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _mkdirs(folder: Path, made: set[Path]) -> None:
    if folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        made.add(folder)


def list_files(out: Path) -> list[str]:
    """Every file below ``out``, relative to it, with forward slashes."""
    found = []
    stack = [""]
    while stack:
        folder = stack.pop()
        with os.scandir(out / folder) as entries:
            for entry in entries:
                relative = f"{folder}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    stack.append(relative + "/")
                else:
                    found.append(relative)
    return found


def output_stamp(out: Path) -> str:
    """The identity line a build left in the marker of ``out``, or ''."""
    try:
        data = (out / MARKER).read_bytes()
    except OSError:
        return ""
    return data[len(MARKER_TEXT):].decode("ascii", "replace").strip() \
        if data.startswith(MARKER_TEXT) else ""


def has_leftovers(out: Path) -> bool:
    """Whether a killed build left a staging or retired folder beside ``out``
    (the next build that writes clears them away)."""
    pattern = _spare(out)
    try:
        return any(pattern.fullmatch(name) for name in os.listdir(out.parent))
    except OSError:
        return True
