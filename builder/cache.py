"""The build cache: what earlier builds worked out, kept so that a rebuild only
redoes what changed. Safe to delete at any time; ``--no-cache`` ignores it.

It lives in ``<site>/.cache/build.sqlite`` (one SQLite file: a build killed
while saving it leaves the previous state, never half of one) and holds:

- each briefing read and anchored, under a key that hashes everything the
  result depends on: the article, its annotations, site.yaml, speakers.yaml and
  the builder itself (its code and the versions of the libraries it renders with),
  with the signature of its two files (sizes, times, inodes) and the digest of
  their texts when they were read: files whose signature is unchanged are not
  read again. What every build needs of it (its digests and problems) is kept
  apart from its model, which is read only for the pages that show it;
- the layout of each data file made of the briefings' entries (where each
  briefing's stand in it, under the key of its page: :mod:`builder.export`);
- for each file of the last output, the key it was made under and the digest
  of its bytes, with the identity of that output (a digest of all of them,
  also written in the output's marker file), so a file is taken over from the
  previous output only when that output is the one the cache describes;
- the last build's input manifest (every input file's size, times and inode)
  and what it printed, so a build in which nothing changed stops at once;
- the article of each briefing as last read by a build in which all its
  anchors were found: the text its annotations were last
  valid against, from which ``briefings reanchor`` finds them again after the
  article changed (:mod:`builder.reanchor`). A build in which they break
  leaves it as it was.

Cached values are pickles, and reading a pickle can run code, so every value
is sealed with an HMAC under a secret kept outside the site (in the user's
cache folder, ``$XDG_CACHE_HOME/briefings/secret``): a cache that came with a
site from elsewhere is never read, only made again.

Any doubt means work, never a stale page: a key that does not match, a
missing or unreadable cache, or an output that is not the one recorded.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import hmac
import operator
import os
import pickle
import shutil
import signal
import sqlite3
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import chain, compress
from pathlib import Path
from typing import Any, NamedTuple

from . import __version__

FOLDER = ".cache"
FILE = "build.sqlite"
SCHEMA = 8
# The libraries whose output ends up in pages: a new version may render differently.
_LIBRARIES = ("jinja2", "markdown_it", "markupsafe", "nh3", "yaml", "slugify", "rapidfuzz",
              "ahocorasick", "orjson", "numpy", "text_unidecode")


class KeptMap(dict):  # type: ignore[type-arg]
    """A map read back from its parts (:meth:`BuildCache.state_map`), which it
    keeps in ``parts``, in order, to write again only those that change."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[dict[Any, Any]] = []


class Kept(NamedTuple):
    """What the cache holds of a briefing besides its model."""

    signature: bytes  # of its two files when they were read
    texts: bytes  # the digest of their texts
    key: bytes  # everything its result depends on
    shown: bytes  # the digest of what other pages show of it
    whole: bytes  # the digest of all of it
    problems: bytes  # its problems, sealed


_FIRST = operator.itemgetter(0)
_REST = operator.itemgetter(slice(1, None))
_KEPT = functools.partial(tuple.__new__, Kept)


_DIGEST_SIZE = 16


def digest(*parts: bytes | str) -> bytes:
    """A 16-byte BLAKE2b digest of the parts, each length-prefixed (no two
    different lists of parts give the same bytes to hash)."""
    hasher = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.digest()


def digest_of(value: Any) -> bytes:
    """The digest of a picklable value. Equal digests mean equal values: a pickle
    can be read back into its value. (Equal values may pickle differently, which
    only costs a page rendered again.)"""
    return digest(pickle.dumps(value, protocol=5))


def fingerprint() -> bytes:
    """The builder itself: its version, its source files, its Python, and the
    libraries it renders with (each by the size and time of its installed
    module, which a new version replaces: cheaper to learn than its version).
    Worked out once a process, or told by the child that walked the site
    (:func:`walk_aside`), a fork of this process that worked it out."""
    if not _fingerprinted:
        _fingerprinted.append(_fingerprint())
    return _fingerprinted[0]


_fingerprinted: list[bytes] = []


def _fingerprint() -> bytes:
    from importlib.util import find_spec

    here = Path(__file__).resolve().parent
    parts: list[bytes | str] = [__version__, sys.version]
    for source in sorted(here.glob("*.py")):
        parts += [source.name, source.read_bytes()]
    for name in _LIBRARIES:
        spec = find_spec(name)
        origin = spec.origin if spec else None
        try:
            info = os.stat(origin) if origin else None
        except OSError:
            info = None
        parts.append(f"{name} {origin} {info.st_size if info else 0} "
                     f"{info.st_mtime_ns if info else 0}")
    return digest(*parts)


class Listed(NamedTuple):
    """A folder as the walk found it, packed: its entries' names in the order
    listed, their stats (size, modification and change times, inode: four
    integers of 8 bytes each, in the machine's order) in the same order, and
    whether every entry is a plain file (no link, folder or other kind)."""

    names: list[str]
    stats: bytes
    plain: bool


class Manifest(NamedTuple):
    digest: bytes  # of every input file's name, size, times and inode
    # Each folder's entries as walked (their stats taken, and kept by them).
    listings: dict[str, list[os.DirEntry[str]]]
    # Where the walk was taken aside (:func:`walk_aside`): the briefings' files
    # paired from its listing, when first asked for (see load.load_site).
    paired: Callable[[], Any] | None = None
    # The same folders packed, where their stats could be (see Listed).
    packed: dict[str, Listed] = {}


def input_manifest(site_dir: Path, theme: Iterable[Path], options: str) -> Manifest:
    """Every input file's name, size, times and inode, with the build's options:
    what decides whether anything may have changed, without reading a file.
    Entries are taken in the order the file system lists them: a different
    order only means a build that was not needed, never a page left stale.
    The folders' listings are given along: the build that follows need not
    list them and take their stats again."""
    entries: list[Any] = [options, fingerprint()]
    listings: dict[str, list[os.DirEntry[str]]] = {}
    packed: dict[str, Listed] = {}
    roots = [site_dir / "site.yaml", site_dir / "content", *theme]
    for root in roots:
        entries.append(str(root))
        _walk(str(root), entries, listings, packed)
    return Manifest(digest_of(entries), listings, packed=packed)


def _walk(root: str, entries: list[Any], listings: dict[str, list[os.DirEntry[str]]],
          packed: dict[str, Listed]) -> None:
    """Add every entry below ``root`` to ``entries``; linked folders are followed
    (the builder publishes what they hold), each real folder once, so a loop ends.

    A folder goes in as one record: its path, its entries' names and their
    stats, each list made in one pass the interpreter runs in C (twenty
    thousand files at 10,000 briefings: a Python loop over them cost 0.07 s
    of a build with nothing to do). Where not all are plain files (as the
    folder's listing tells, without a look at each), the links and folders,
    a few, are then looked at one by one. ``packed`` gets each folder as
    :class:`Listed`, from which the briefings are paired without another
    pass over its entries (``load.pair_listed``)."""
    try:
        info = os.stat(root)
    except OSError:
        entries.append(None)
        return
    entries.append((info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    stack = [root]
    seen = {(info.st_dev, info.st_ino)}
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                listings[folder] = found = list(listing)
        except OSError:  # not a folder, or not readable: its own entry says enough
            continue
        names = list(map(_NAME, found))
        # (By the kind the listing gives: no system call where it gives one.)
        plain = all(map(_IS_PLAIN, found))
        # Packed: twenty thousand files' stats are pickled (to be digested)
        # in 5 ms, where their tuples took 20-28 ms.
        stats: Any = _packed(found) if plain else None
        if stats is None:
            try:
                infos: list[os.stat_result | None] = list(map(_LSTAT, found))
            except OSError:  # an entry gone since the folder was listed
                infos = [_lstat(entry) for entry in found]
                stats = [_STATS(info) if info is not None else "unreadable" for info in infos]
            else:
                try:
                    stats = array("q", chain.from_iterable(map(_STATS, infos))).tobytes()
                except OverflowError:  # an inode number past 2**63 (a hashed one)
                    stats = list(map(_STATS, infos))
        if isinstance(stats, bytes):
            packed[folder] = Listed(names, stats, plain)
        entries.append((folder, "\0".join(names), stats))
        if plain:
            continue
        for at in compress(range(len(found)), map(operator.or_, map(_IS_LINK, found),
                                                  map(_IS_FOLDER, found))):
            entry, info = found[at], infos[at]
            try:
                if info is None:
                    continue
                if entry.is_symlink():
                    info = os.stat(entry.path)
                    entries.append((entry.path, info.st_size, info.st_mtime_ns, info.st_ino))
                if entry.is_dir(follow_symlinks=True) and \
                        (info.st_dev, info.st_ino) not in seen:
                    seen.add((info.st_dev, info.st_ino))
                    stack.append(entry.path)
            except OSError:  # a broken or looping link: its own entry says enough
                entries.append((entry.path, "unreadable"))


def _packed(found: list[os.DirEntry[str]]) -> bytes | None:
    """The entries' stats, packed; None where one could not be taken or
    packed (then they are taken one by one)."""
    try:
        return array("q", chain.from_iterable(map(_STATS, map(_LSTAT, found)))).tobytes()
    except (OSError, OverflowError):  # an entry gone; an inode number past 2**63
        return None


_LSTAT = operator.methodcaller("stat", follow_symlinks=False)
_NAME = operator.attrgetter("name")
_STATS = operator.attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")
_IS_LINK = operator.methodcaller("is_symlink")
_IS_FOLDER = operator.methodcaller("is_dir", follow_symlinks=False)
_IS_PLAIN = operator.methodcaller("is_file", follow_symlinks=False)


def _lstat(entry: os.DirEntry[str]) -> os.stat_result | None:
    try:
        return entry.stat(follow_symlinks=False)
    except OSError:
        return None


def output_manifest(out: Path) -> bytes:
    """The output folder and the folders in it, by their times: a page added or
    removed by hand means the next build does its work. (A file edited in place
    by hand is not noticed, here or by a build, which takes over unchanged
    pages from the previous output: the output is the builder's.)"""
    entries: list[Any] = []
    for folder in [out, *(out / name for name in ("briefings", "speakers", "dates", "tags",
                                                  "data", "assets"))]:
        try:
            info = os.stat(folder)
        except OSError:
            entries.append(None)
            continue
        entries += (info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
    return digest_of(entries)


# The manifest the nothing-changed check just took, for the build that follows
# it in the same process to use instead of walking the site again. Taken once.
_just_taken: tuple[tuple[str, str, bool, bool, bool], Manifest] | None = None


def _options(site_dir: Path, out_dir: Path | None, strict: bool, drafts: bool, index: bool
             ) -> tuple[str, str, bool, bool, bool]:
    return str(site_dir.resolve()), str(out_dir.resolve() if out_dir else ""), strict, drafts, \
        index


def site_manifest(site_dir: Path, out_dir: Path | None, strict: bool,
                  drafts: bool = False, index: bool = True) -> Manifest:
    """The input manifest of a build of ``site_dir`` with these options."""
    global _just_taken
    options = _options(site_dir, out_dir, strict, drafts, index)
    taken, _just_taken = _just_taken, None
    if taken is not None and taken[0] == options:
        return taken[1]
    return _taken_aside(options) or _site_walk(site_dir, options)


def _site_walk(site_dir: Path, options: tuple[str, str, bool, bool, bool]) -> Manifest:
    from .theme import theme_dirs

    _, out, strict, drafts, index = options
    templates = site_dir / "templates"
    return input_manifest(site_dir, theme_dirs(str(templates) if templates.is_dir() else None),
                          f"out={out}; strict={strict}" + ("; drafts" if drafts else "")
                          + ("" if index else "; no search index"))


# The manifest a child process is taking (:func:`walk_aside`): the options it
# is for, the child's process id, and the end of the pipe it answers on.
_aside: tuple[tuple[str, str, bool, bool, bool], int, int] | None = None


def walk_aside(site_dir: Path, out_dir: Path | None, strict: bool, drafts: bool = False,
               index: bool = True) -> bool:
    """Start taking the input manifest of a build with these options in a
    forked child, which then pairs the briefings' files from the same
    listing: a build with work to do imports what it needs (0.2 s) while the
    child pairs (0.05 s at 10,000 briefings), where it used to pair after.
    :func:`site_manifest` takes what the child found; where it cannot (the
    child failed, or was asked for other options), it walks the site itself.
    Done only where the system forks and this process runs no other thread
    (a forked child has only the thread that forked it). Whether it was done.

    (The command line imports the pipeline meanwhile, in a thread of its
    own, while this process waits for the child: see ``cli._import_aside``.
    Imported in this thread before the walk's answer, the imports made a
    build where nothing changed, which needs none of them, wait for them.)"""
    global _aside
    threads = sys.modules.get("threading")
    if _aside is not None or not hasattr(os, "fork") or \
            (threads is not None and threads.active_count() > 1):
        return False
    options = _options(site_dir, out_dir, strict, drafts, index)
    reading, writing = os.pipe()
    try:
        child = os.fork()
    except OSError:
        os.close(reading)
        os.close(writing)
        return False
    if child == 0:  # the child: answer, and end without running this process's exit
        failed = 1
        try:
            # Its objects live as long as it does, a few tenths of a second:
            # the cyclic collector's passes over its twenty thousand entries
            # would only cost time.
            gc.disable()
            os.close(reading)
            # It says nothing, and keeps no terminal or caller's pipe open.
            quiet = os.open(os.devnull, os.O_RDWR)
            for standard in (0, 1, 2):
                os.dup2(quiet, standard)
            with os.fdopen(writing, "wb") as pipe:
                manifest = _site_walk(site_dir, options)
                _send(pipe, manifest.digest + fingerprint())
                from .load import pair_listed

                _send(pipe, pickle.dumps(pair_listed(site_dir, manifest.listings,
                                                     manifest.packed),
                                         protocol=pickle.HIGHEST_PROTOCOL))
            failed = 0
        finally:
            os._exit(failed)
    os.close(writing)
    _aside = (options, child, reading)
    return True


def _send(pipe: Any, data: bytes) -> None:
    pipe.write(len(data).to_bytes(8, "little") + data)
    pipe.flush()


def _receive(reading: int) -> bytes | None:
    """One message of the child, or None where it ended before it."""
    with contextlib.suppress(OSError):
        size = _read_exactly(reading, 8)
        if size is not None:
            return _read_exactly(reading, int.from_bytes(size, "little"))
    return None


def _read_exactly(reading: int, size: int) -> bytes | None:
    parts, left = [], size
    while left:
        part = os.read(reading, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _taken_aside(options: tuple[str, str, bool, bool, bool]) -> Manifest | None:
    """The manifest the child took for these options, if it took one. Its
    pairs are read from the pipe when first asked for; a build that stops
    at the manifest (nothing changed) stops the child (:func:`end_aside`).
    (What comes down the pipe is this process's own work, done in a fork of
    it: it is trusted as the walk done here would be.)"""
    global _aside
    aside, _aside = _aside, None
    if aside is None:
        return None
    taken, child, reading = aside
    told = _receive(reading) if taken == options else None
    if told is None or len(told) <= _DIGEST_SIZE:
        _finish(child, reading, stop=True)
        return None
    digest, given = told[:_DIGEST_SIZE], told[_DIGEST_SIZE:]
    if not _fingerprinted:
        _fingerprinted.append(given)
    _pairing.append((child, reading))

    @functools.cache
    def paired() -> Any:
        if (child, reading) not in _pairing:  # stopped (end_aside)
            return None
        _pairing.remove((child, reading))
        data = _receive(reading)
        _finish(child, reading, stop=data is None)
        return pickle.loads(data) if data is not None else None

    return Manifest(digest, {}, paired)


# The children still pairing for a manifest taken from them.
_pairing: list[tuple[int, int]] = []


def end_aside() -> None:
    """Stop the child of :func:`walk_aside`, whose pairs will not be asked
    for (nothing changed): it ends now, not when it finds its pipe closed."""
    global _aside
    ended = [*_pairing, *([_aside[1:]] if _aside is not None else [])]
    _pairing.clear()
    _aside = None
    for child, reading in ended:
        _finish(child, reading, stop=True)


def _finish(child: int, reading: int, stop: bool) -> None:
    """Close the child's pipe and collect the child, ended first (``stop``)
    where it may have more to do, else as it ends, having said all it had to."""
    os.close(reading)
    if stop:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)


def unchanged_build(site_dir: Path, out_dir: Path | None, strict: bool, drafts: bool = False,
                    index: bool = True) -> dict[str, Any] | None:
    """What the last build printed, if nothing it was made from has changed and
    its output is still in place; else None (then the build runs)."""
    global _just_taken
    from .write import has_leftovers, output_stamp

    path = site_dir / FOLDER / FILE
    if not path.is_file():
        return None
    store = BuildCache(path)
    try:
        recorded = store.state("manifest")
        if not recorded:
            return None
        manifest = site_manifest(site_dir, out_dir, strict, drafts, index)
        _just_taken = (_options(site_dir, out_dir, strict, drafts, index), manifest)
        output = store.state("output")
        if manifest.digest != recorded or not output or has_leftovers(Path(output)) or \
                output_stamp(Path(output)) != store.state("output_id") or \
                output_manifest(Path(output)) != store.state("output_manifest"):
            return None
        report = store.state("report")
        return report if isinstance(report, dict) else None
    finally:
        store.close()


class BuildCache:
    """The cache of one site; a disabled one (``path=None``) remembers nothing."""

    def __init__(self, path: Path | None):
        self.path = path
        self._pending: dict[str, Any] = {}
        self._db: sqlite3.Connection | None = (
            _connect(path) if path is not None and path.is_file() else None)
        # Made when first needed; a build that stops before it saves anything
        # removes a cache folder it made (see :meth:`close`).
        self._made = path is not None and not path.parent.exists()
        self._saved = False

    @classmethod
    def of_site(cls, site_dir: Path, enabled: bool = True) -> BuildCache:
        return cls(site_dir / FOLDER / FILE if enabled else None)

    @property
    def enabled(self) -> bool:
        return self.path is not None

    # -- the last build --------------------------------------------------------

    def state(self, name: str) -> Any:
        if self._db is None:
            return None
        rows = self._rows("SELECT value FROM state WHERE name = ?", (name,))
        return unseal(rows[0][0]) if rows else None

    def _rows(self, sql: str, parameters: Iterable[Any] = ()) -> list[Any]:
        """The rows of a query; none where the cache turns out damaged (a disk
        that filled, a machine that stopped mid-write): then it is deleted,
        and this build works without it and leaves a new one."""
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, tuple(parameters)).fetchall()
        except sqlite3.DatabaseError as exc:
            if not _damaged(exc):
                raise
            self._db.close()
            self._db = None
            if self.path is not None:
                _delete(self.path)
            return []

    def keep(self, name: str, value: Any) -> None:
        """Keep a value with the next save."""
        self._pending[name] = value

    # A map of one entry per briefing or page is kept in parts, by its keys,
    # so that a rebuild that changes a few entries writes a few parts, not
    # ten thousand entries.
    PARTS = 64

    def state_map(self, name: str) -> KeptMap | None:
        """A map kept with :meth:`keep_map` (its entries in no particular
        order), or None if any part of it is missing or not vouched for."""
        if self._db is None:
            return None
        rows = self._rows("SELECT name, value FROM state WHERE name >= ? AND name < ? "
                          "ORDER BY name", (f"{name} part ", f"{name} part~"))
        if [n for n, _ in rows] != [f"{name} part {i:02d}" for i in range(self.PARTS)]:
            return None
        found = KeptMap()
        for _, sealed in rows:
            part = unseal(sealed)
            if not isinstance(part, dict):
                return None
            found.update(part)
            found.parts.append(part)
        return found

    def state_part(self, name: str, part: int) -> dict[Any, Any] | None:
        """One part of a map kept with :meth:`keep_map` (see :func:`part_of`),
        or None if it is missing or not vouched for."""
        found = self.state(f"{name} part {part:02d}")
        return found if isinstance(found, dict) else None

    def keep_map(self, name: str, value: dict[Any, Any], before: KeptMap | None = None) -> None:
        """Keep a map with the next save: the parts that hold an entry that
        differs from ``before`` (the map as :meth:`state_map` gave it), or all
        of them."""
        if before is None:
            parts: dict[int, dict[Any, Any]] = {i: {} for i in range(self.PARTS)}
            for key, entry in value.items():
                parts[part_of(key)][key] = entry
        else:
            parts = {}
            for key in before.keys() - value.keys():
                part = part_of(key)
                parts.setdefault(part, dict(before.parts[part])).pop(key)
            for key, entry in value.items():
                if key not in before or before[key] != entry:
                    part = part_of(key)
                    parts.setdefault(part, dict(before.parts[part]))[key] = entry
        for i, part in parts.items():
            self._pending[f"{name} part {i:02d}"] = part

    def keep_entries(self, name: str, entries: dict[Any, Any], gone: Iterable[Any] = ()
                     ) -> bool:
        """Keep entries of a map kept with :meth:`keep_map` made again (each
        in place of one it holds, or new) and those ``gone``, with the next
        save: the parts that hold them, read back and changed. False, keeping
        nothing, where one of those parts cannot be read back: then keep the
        whole map."""
        parts: dict[int, dict[Any, Any]] = {}
        for key in [*entries, *gone]:
            number = part_of(key)
            if number not in parts:
                part = self._pending.get(f"{name} part {number:02d}")
                part = part if part is not None else self.state_part(name, number)
                if part is None:
                    return False
                parts[number] = dict(part)
        for key in gone:
            parts[part_of(key)].pop(key, None)
        for key, entry in entries.items():
            parts[part_of(key)][key] = entry
        for number, part in parts.items():
            self._pending[f"{name} part {number:02d}"] = part
        return True

    # -- briefings -------------------------------------------------------------

    def briefings(self, slugs: Iterable[str] | None = None) -> dict[str, Kept]:
        """What the last build made of each briefing (or of those of
        ``slugs`` it made), but its model."""
        if self._db is None:
            return {}
        query = "SELECT slug, signature, texts, key, shown, whole, problems FROM briefings"
        if slugs is None:
            rows = self._rows(query)
        else:
            wanted, rows = list(slugs), []
            for start in range(0, len(wanted), 500):
                batch = wanted[start:start + 500]
                rows += self._rows(f"{query} WHERE slug IN ({','.join('?' * len(batch))})",
                                   batch)
        # (Made in C, a row at a time: ten thousand calls of Kept cost 10 ms.)
        return dict(zip(map(_FIRST, rows), map(_KEPT, map(_REST, rows)), strict=True))

    def signatures(self) -> dict[str, bytes]:
        """slug -> the signature of its files when they were last read."""
        if self._db is None:
            return {}
        return dict(self._rows("SELECT slug, signature FROM briefings"))

    def models(self, slugs: Iterable[str]) -> Iterator[tuple[str, bytes]]:
        """(slug, sealed model) of the briefings asked for that the cache holds,
        read in batches."""
        if self._db is None:
            return
        wanted = list(slugs)
        for start in range(0, len(wanted), 500):
            batch = wanted[start:start + 500]
            yield from self._rows(
                f"SELECT slug, value FROM briefings WHERE slug IN ({','.join('?' * len(batch))})",
                batch)

    def touched(self, signatures: dict[str, bytes]) -> None:
        """Keep new signatures for briefings whose files were touched, not
        changed (copied, checked out again): the next build need not read them."""
        self._put("UPDATE briefings SET signature = ? WHERE slug = ?",
                  ((signature, slug) for slug, signature in signatures.items()))

    def put_briefings(self, entries: dict[str, tuple[Kept, bytes]]) -> None:
        """Keep briefings' results as soon as they are made, each as what every
        build needs of it and its sealed model, so that a large build does not
        hold them all until it ends. An entry is a pure function of its key:
        kept early, it is never wrong, only unused if the build fails."""
        self._put("INSERT OR REPLACE INTO briefings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  ((slug, *kept, model) for slug, (kept, model) in entries.items()))

    def put_articles(self, articles: dict[str, bytes]) -> None:
        """Keep the articles (UTF-8) of briefings whose anchors were all found,
        each in place of the one kept before (see :meth:`article`). Each is
        tagged with this user's secret, as sealed values are: an article kept
        by a cache made elsewhere is never taken for the last. (The tag is of
        the slug: a text is no pickle, and hashing every text again cost a
        third of keeping them.)"""
        self._put("INSERT OR REPLACE INTO articles VALUES (?, ?)",
                  ((slug, _article_tag(slug) + data) for slug, data in articles.items()))

    def article(self, slug: str) -> str | None:
        """The article of ``slug`` as the last build that found all its
        anchors read it, or None if no build did (or it cannot be read back)."""
        rows = self._rows("SELECT article FROM articles WHERE slug = ?", (slug,))
        if not rows or not isinstance(rows[0][0], bytes):
            return None
        tag, data = rows[0][0][:16], rows[0][0][16:]
        if not hmac.compare_digest(tag, _article_tag(slug)):
            return None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    # -- the data files ----------------------------------------------------------

    def _put(self, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
        rows = list(rows)
        if self.path is None or not rows:
            return
        if self._db is None:
            self._db = _connect(self.path)
            if self._db is None:
                return
        try:
            with self._db:
                self._db.executemany(sql, rows)
        except (sqlite3.Error, OSError):
            self.forget()

    # -- the last output -------------------------------------------------------

    def outputs(self) -> dict[str, tuple[bytes, bytes]]:
        """file -> (key, digest of its bytes) in the last output."""
        if self._db is None:
            return {}
        return {path: (key, value) for path, key, value
                in self._rows("SELECT path, key, digest FROM outputs")}

    # -- saving ----------------------------------------------------------------

    def save(self, outputs: dict[str, tuple[bytes, bytes]] | None, state: dict[str, Any],
             outputs_before: dict[str, tuple[bytes, bytes]] | None = None) -> None:
        """Keep what describes this build, in one transaction: the state, and
        ``outputs`` (None: the output is unchanged), written as the changes
        from ``outputs_before`` where that is what the cache holds. The entries
        of briefings that are gone (not in ``state["slugs"]``) are removed; the
        others were kept as they were made (:meth:`put_briefings`)."""
        if self.path is None:
            return
        state = {**self._pending, **state}
        self._saved = True
        if self._db is None:
            self._db = _connect(self.path)
            if self._db is None:
                return
        db = self._db
        try:
            with db:
                known = state.get("slugs")
                if known is not None and known != self._slugs_before():
                    gone = {s for (s,) in db.execute("SELECT slug FROM briefings")} - set(known)
                    db.executemany("DELETE FROM briefings WHERE slug = ?", ((s,) for s in gone))
                    db.executemany("DELETE FROM articles WHERE slug = ?", ((s,) for s in gone))
                elif known is not None:  # kept already: ten thousand slugs not written again
                    del state["slugs"]
                if outputs is not None and outputs_before:  # what the table holds now
                    db.executemany("DELETE FROM outputs WHERE path = ?",
                                   ((p,) for p in outputs_before.keys() - outputs.keys()))
                    db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?)",
                                   ((p, k, d) for p, (k, d) in outputs.items()
                                    if outputs_before.get(p) != (k, d)))
                elif outputs is not None:
                    db.execute("DELETE FROM outputs")
                    db.executemany("INSERT INTO outputs VALUES (?, ?, ?)",
                                   ((p, k, d) for p, (k, d) in outputs.items()))
                db.executemany("INSERT OR REPLACE INTO state VALUES (?, ?)",
                               ((n, seal(v)) for n, v in state.items()))
        except (sqlite3.Error, OSError):
            # A cache that cannot be written is no reason to fail a good build;
            # the next build finds its keys unmatched and does the work again.
            self.forget()

    def _slugs_before(self) -> Any:
        """The briefings of the last build that saved. Where this build has the
        same, the entries of briefings gone were removed then. (A build stopped
        before saving may leave the entry of a briefing it read, unused: it is
        removed when the briefings next change.)"""
        return self.state("slugs")

    def forget(self) -> None:
        """Drop what describes the last output, when saving failed: the cache
        then describes no output, and the next build trusts none."""
        if self._db is None:
            return
        with contextlib.suppress(sqlite3.Error), self._db:
            self._db.execute("DELETE FROM state")
            self._db.execute("DELETE FROM outputs")

    def close(self) -> None:
        """Close the cache; if this build made its folder and saved nothing
        (it stopped at an error), the folder goes too: nothing was written."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if self._made and not self._saved and self.path is not None:
            shutil.rmtree(self.path.parent, ignore_errors=True)
            self._made = False


def _connect(path: Path, again: bool = True) -> sqlite3.Connection | None:
    """Open (or make) the cache; None if it cannot be used: then the build runs
    without one, as with --no-cache. A file that is not a database (damaged)
    is deleted and made anew.

    Written without waiting for the disk (``synchronous = OFF``): the cache is
    never the only copy of anything, and the waits were a tenth of a rebuild.
    A build stopped in any way leaves it whole (SQLite's journal); a machine
    that stops mid-write may leave it damaged, which the next build finds,
    deletes and makes again (:meth:`BuildCache._rows`), or rolled back to an
    earlier build, whose output then no longer matches the stamp in the
    output folder: everything is rendered again."""
    try:
        _secret()
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# The briefings build cache: safe to delete.\n*\n")
        db = sqlite3.connect(path, isolation_level="DEFERRED")
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = OFF")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA:
            with db:
                for table in ("briefings", "entries", "outputs", "state", "articles"):
                    db.execute(f"DROP TABLE IF EXISTS {table}")  # (entries: up to schema 4)
                db.execute("CREATE TABLE briefings (slug TEXT PRIMARY KEY, signature BLOB, "
                           "texts BLOB, key BLOB, shown BLOB, whole BLOB, problems BLOB, "
                           "value BLOB)")
                db.execute("CREATE TABLE outputs (path TEXT PRIMARY KEY, key BLOB, digest BLOB)")
                db.execute("CREATE TABLE articles (slug TEXT PRIMARY KEY, article BLOB)")
                db.execute("CREATE TABLE state (name TEXT PRIMARY KEY, value BLOB)")
                db.execute(f"PRAGMA user_version = {SCHEMA}")
        return db
    except sqlite3.DatabaseError as exc:
        if not again or not _damaged(exc):
            return None
        _delete(path)
        return _connect(path, again=False)
    except (OSError, sqlite3.Error):
        return None


def _damaged(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite found the cache's file damaged, or not a database (not
    merely busy: another build may be writing it)."""
    return getattr(exc, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_CORRUPT,
                                                          sqlite3.SQLITE_NOTADB)


def _delete(path: Path) -> None:
    for file in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
        file.unlink(missing_ok=True)


def _article_tag(slug: str) -> bytes:
    return digest(secret_tag(), "article", slug)


def part_of(key: Any) -> int:
    """The part of a kept map that holds ``key``."""
    return zlib.crc32(str(key).encode("utf-8", "surrogatepass")) % BuildCache.PARTS


def seal(value: Any) -> bytes:
    """A value as it is kept: its pickle, behind the HMAC that vouches for it."""
    data = pickle.dumps(value, protocol=5)
    return hmac.digest(_secret(), data, "sha256") + data


@contextlib.contextmanager
def many_objects() -> Any:
    """Unsealing many entries: the cyclic garbage collector paused meanwhile
    (pickles make no garbage, and its passes over each new batch of objects
    are a third of the time). What was read lives as long as the build, so
    it is then moved out of the collector's sight (``gc.freeze``): otherwise
    each of its later full passes walks every object of the model again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def unseal(sealed: bytes) -> Any:
    """A kept value, or None if it is not vouched for or cannot be read back
    (then it is made again)."""
    tag, data = sealed[:32], sealed[32:]
    if not hmac.compare_digest(tag, hmac.digest(_secret(), data, "sha256")):
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a damaged entry is a miss, never a failure
        return None



@functools.cache
def secret_tag() -> bytes:
    """A digest of this user's secret: put in every key, it makes the keys of
    a cache made elsewhere (with another secret) match nothing here, so that
    what the cache keeps without a seal (the digests of briefings, the
    entries of the data files) is never taken from such a cache either."""
    return hmac.digest(_secret(), b"briefings cache keys", "sha256")[:16]


@functools.cache
def _secret() -> bytes:
    """This user's secret for sealing cache entries, made on first use."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "briefings" / "secret"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        import secrets  # (once per user: its import is a tenth of a build with nothing to do)

        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = secrets.token_bytes(32)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another build made it first
            return path.read_bytes()
        with os.fdopen(fd, "wb") as file:
            file.write(fresh)
        return fresh
