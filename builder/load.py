"""Files -> raw documents. Reads the site folder and nothing else.

Returns the text of ``site.yaml`` and ``content/speakers.yaml``, decoded
(UTF-8, byte-order mark dropped, CRLF folded to LF), the briefing pairs, listed
and read later (:func:`read_pair`, where they are needed: a site's texts are
never all in memory at once), and the list of static files. It knows the
layout of a site, not the meaning of any file: pairing, slugs and encodings
are checked here; everything else is the validator's job.
"""

from __future__ import annotations

import dataclasses
import operator
import os
import re
import stat
import struct
import sys
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .problems import Position, Problem, error

if TYPE_CHECKING:
    from .cache import Listed

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# What HTML and XML do not allow in text: control characters other than tab and
# line ends, and Unicode noncharacters.
NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
                      + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(17))
                      + "]")
# The same, by planes: a class of BMP ranges is searched fast, and the
# noncharacters of the other planes only where a text has such characters.
_NOT_TEXT_BMP = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")
_NOT_TEXT_ASCII = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def find_not_text(text: str) -> re.Match[str] | None:
    """The first character that is not text (the first match of NOT_TEXT)."""
    if text.isascii():
        return _NOT_TEXT_ASCII.search(text)
    if max(text) <= "\uffff":
        return _NOT_TEXT_BMP.search(text)
    return NOT_TEXT.search(text)


class TextFile(NamedTuple):  # named tuples: a site lists ten thousand in a blink
    path: str  # relative to the site, with forward slashes
    text: str


class RawPair(NamedTuple):
    """A briefing's two files. ``signature`` is what their stats say of them
    (sizes, times, inodes). A pair is listed unread (``unread``, its files
    :data:`UNREAD`) until :func:`read_pair` reads it."""

    slug: str
    article: TextFile
    annotations: TextFile
    signature: bytes = b""
    unread: bool = False


# The files of a pair not read yet: content/briefings/<slug>.md and .yaml.
UNREAD = TextFile("", "")


@dataclass(frozen=True)
class RawSite:
    root: str
    config: TextFile | None
    speakers: TextFile | None
    pairs: tuple[RawPair, ...]  # the pairs, unread
    slugs: frozenset[str]  # every briefing the folder holds, broken ones included
    static_files: tuple[str, ...]
    templates_dir: str | None
    problems: tuple[Problem, ...] = field(default=())


def read_text(root: Path, relative: str) -> tuple[TextFile | None, list[Problem]]:
    """Decode one file; a non-UTF-8 byte is an error naming its line and offset, and so
    is a character that is not text."""
    data = (root / relative).read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [
            error(
                Position(relative, line, column),
                f"the file is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}. "
                "Save the file as UTF-8.",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    bad = find_not_text(text)
    if bad:
        line_start = text.rfind("\n", 0, bad.start()) + 1
        more = len(NOT_TEXT.findall(text)) - 1
        return None, [error(
            Position(relative, text.count("\n", 0, bad.start()) + 1,
                     bad.start() - line_start + 1),
            f"the character U+{ord(bad.group()):04X} is not text (a control character or a "
            f"noncharacter){f', and {more} more like it' if more else ''}: delete it. "
            "Pages and the feed cannot hold it.")]
    return TextFile(relative, text), []


def refuse_link(root: Path, relative: str) -> Problem | None:
    """A symbolic link that leads outside the site, or nowhere, is refused:
    a site publishes only what it holds."""
    path = root / relative
    if not path.is_symlink() and not any(p.is_symlink() for p in path.parents
                                          if p != root and root in p.parents):
        return None
    if not path.exists():
        return error(Position(relative), "a link to nothing: remove it, or copy the file it "
                                         "meant into the site.")
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return error(Position(relative), "a link to a file outside the site: it is not "
                                         "read or published. Copy the file into the site.")
    return None


def load_site(root: Path, listings: dict[str, list[os.DirEntry[str]]] | None = None,
              paired: Callable[[], Paired | PlainPairs | None] | None = None) -> RawSite:
    """The site's files. ``listings``: folders just listed, by path (as under
    ``root``), whose entries keep the stats they were asked. ``paired``: the
    briefings' files already paired from such a listing, in another process
    (:func:`pair_listed`), or None where that failed."""
    problems: list[Problem] = []

    def read(relative: str, required: bool) -> TextFile | None:
        refused = refuse_link(root, relative)
        if refused:
            problems.append(refused)
            return None
        if not (root / relative).is_file():
            if required:
                problems.append(error(Position(relative), f"missing file: create {relative}."))
            return None
        text, found = read_text(root, relative)
        problems.extend(found)
        return text

    config = read("site.yaml", required=True)
    speakers = read("content/speakers.yaml", required=True)
    found = paired() if paired is not None else None
    if isinstance(found, PlainPairs):
        pairs, slugs = found.unpacked()
    elif found is not None:
        pairs, slugs, pairing_problems = found
        problems.extend(pairing_problems)
    else:
        pairs, slugs = _load_pairs(root, problems, listings or {})
    static_files = _list_static(root, problems)
    templates = root / "templates"
    return RawSite(
        root=str(root),
        config=config,
        speakers=speakers,
        pairs=tuple(pairs),
        slugs=frozenset(slugs),
        static_files=static_files,
        templates_dir=str(templates) if templates.is_dir() else None,
        problems=tuple(problems),
    )


def with_changed_pairs(raw: RawSite, slugs: set[str]) -> RawSite | None:
    """``raw`` as it is once these briefings' files were saved again: their
    stats taken anew, the rest as listed. None where that is not all that
    can have changed (a briefing not listed before, a file gone, no longer
    a plain file, or one reached through a link): then the site is listed
    again."""
    folder = Path(raw.root) / "content" / "briefings"
    place = {pair.slug: at for at, pair in enumerate(raw.pairs)}
    pairs = list(raw.pairs)
    for slug in slugs:
        at = place.get(slug)
        if at is None or not pairs[at].signature:
            return None
        try:
            article, annotations = os.lstat(folder / f"{slug}.md"), \
                os.lstat(folder / f"{slug}.yaml")
        except OSError:
            return None
        if not (stat.S_ISREG(article.st_mode) and stat.S_ISREG(annotations.st_mode)):
            return None
        pairs[at] = RawPair(slug, UNREAD, UNREAD, _signature(article, annotations), True)
    return dataclasses.replace(raw, pairs=tuple(pairs))


# The briefings' pairs, the slugs of the folder, and the problems of pairing.
Paired = tuple[list[RawPair], set[str], list[Problem]]


def pair_listed(root: Path, listings: dict[str, list[os.DirEntry[str]]],
                packed: Mapping[str, Listed] | None = None) -> Paired | PlainPairs:
    """The briefings' files paired from the folder's listing, as
    :func:`load_site` pairs them: packed where the folder is plain (to be
    sent to another process), else the pairs, the slugs and the problems.
    ``packed``: the folders as the walk packed them, where it did."""
    problems: list[Problem] = []
    found = _listed_pairs(root, problems, listings, packed or {})
    return found if isinstance(found, PlainPairs) else (*found, problems)


def read_pair(root: Path, pair: RawPair) -> tuple[RawPair | None, list[Problem]]:
    """An unread pair, read; or None and the problems of a file that cannot be."""
    if not pair.unread:
        return pair, []
    base = f"content/briefings/{pair.slug}"
    try:
        article, problems = read_text(root, f"{base}.md")
        annotations, found = read_text(root, f"{base}.yaml")
    except OSError as exc:  # gone since the folder was listed
        return None, [error(Position(f"{base}.yaml"), f"the briefing's files changed "
                                                             f"while it was read ({exc.strerror})"
                                                             ": build again.")]
    if article is None or annotations is None:
        return None, problems + found
    return RawPair(pair.slug, article, annotations, pair.signature), []


_SIGNATURE = struct.Struct("<8q")
SIGNATURE_SIZE = _SIGNATURE.size  # of a pair's signature, in bytes


def _signature(article: os.stat_result, annotations: os.stat_result) -> bytes:
    """The two files' sizes, times and inodes, packed: ten thousand are made
    on every build."""
    return _SIGNATURE.pack(
        article.st_size, article.st_mtime_ns, article.st_ctime_ns, article.st_ino,
        annotations.st_size, annotations.st_mtime_ns, annotations.st_ctime_ns,
        annotations.st_ino)


def _load_pairs(root: Path, problems: list[Problem],
                listings: dict[str, list[os.DirEntry[str]]]) -> tuple[list[RawPair], set[str]]:
    found = _listed_pairs(root, problems, listings)
    return found.unpacked() if isinstance(found, PlainPairs) else found


def _listed_pairs(root: Path, problems: list[Problem],
                  listings: dict[str, list[os.DirEntry[str]]],
                  packed: Mapping[str, Listed] | None = None
                  ) -> PlainPairs | tuple[list[RawPair], set[str]]:
    folder = root / "content" / "briefings"
    if not folder.is_dir():
        problems.append(
            error(Position("content/briefings"), "missing folder: create content/briefings/.")
        )
        return [], set()
    stems: dict[str, set[str]] = {}
    article_stats: dict[str, os.stat_result] = {}  # by stem, of plain files
    annotations_stats: dict[str, os.stat_result] = {}
    # One look at the folder: a link among its entries is checked on its own,
    # and whether the folders above are links is the same for every entry.
    folder_linked = folder.is_symlink() or folder.parent.is_symlink()
    walked = (packed or {}).get(str(folder))
    if walked is not None and not folder_linked:
        plain = _plain_pairs(*walked)
        if plain is not None:
            return plain
    listed = listings.get(str(folder))
    if listed is None:
        with os.scandir(folder) as found:
            listed = list(found)
    plain = None if folder_linked or walked is not None else _listed_plain_pairs(listed)
    if plain is not None:
        return plain
    entries = sorted((e.name, e) for e in listed)
    for entry, dirent in entries:
        if entry.startswith("."):
            continue
        linked = folder_linked or dirent.is_symlink()
        if linked:
            refused = refuse_link(root, f"content/briefings/{entry}")
            if refused:
                problems.append(refused)
                continue
        if not dirent.is_file():
            continue
        stem, dot, ext = entry.rpartition(".")
        if not dot or (ext != "md" and ext != "yaml"):
            if not dot or ext != "yml":
                problems.append(
                    error(
                        Position(f"content/briefings/{entry}"),
                        "unexpected file in content/briefings/: a briefing is a pair "
                        "<slug>.md + <slug>.yaml. Move other files to content/static/.",
                    )
                )
                continue
            problems.append(
                error(Position(f"content/briefings/{entry}"),
                      f"annotations must end in .yaml: rename it to {stem}.yaml.")
            )
        if stem in stems:
            stems[stem].add(ext)
        else:
            stems[stem] = {ext}
        if not linked:
            (article_stats if ext == "md" else annotations_stats)[stem] = \
                dirent.stat(follow_symlinks=False)

    pairs = []
    for stem, exts in sorted(stems.items()):
        base = f"content/briefings/{stem}"
        if not SLUG.match(stem):
            problems.append(
                error(
                    Position(f"{base}.{sorted(exts)[0]}"),
                    f"bad slug '{stem}': use lowercase letters, digits and single hyphens, "
                    f"e.g. '{suggest_slug(stem)}'.",
                )
            )
            continue
        if len(exts) != 2 or "yml" in exts:
            if "yml" in exts:
                continue  # reported above; the rename is the fix
            have, missing = (("md", "yaml") if "md" in exts else ("yaml", "md"))
            what = ("no annotations for this article" if missing == "yaml"
                    else "no article for these annotations")
            problems.append(
                error(Position(f"{base}.{have}"), f"{what}: create {base}.{missing} beside it.")
            )
            continue
        article_stat, annotations_stat = article_stats.get(stem), annotations_stats.get(stem)
        # (A pair with a link has no signature: it is read on every build.)
        signature = _signature(article_stat, annotations_stat) \
            if article_stat and annotations_stat else b""
        pairs.append(RawPair(stem, UNREAD, UNREAD, signature, unread=True))
    return pairs, set(stems)


def _listed_plain_pairs(entries: list[os.DirEntry[str]]) -> PlainPairs | None:
    """:func:`_plain_pairs` of a folder's entries as listed."""
    try:
        stats = array("q", chain.from_iterable(map(_SIGNED, map(_LSTAT, entries))))
    except (OSError, OverflowError):  # left to the one-by-one reading
        return None
    return _plain_pairs(list(map(_NAME, entries)), stats.tobytes(),
                        all(map(_IS_PLAIN, entries)))


def _plain_pairs(names: list[str], stats: bytes, plain: bool) -> PlainPairs | None:
    """The pairs of a folder that holds plain files ``<slug>.md`` and
    ``<slug>.yaml`` and nothing else, as nearly every site's does, packed,
    by slug in order; None for any other, whose entries are then looked at
    one by one. The folder comes as the walk packed it (``cache.Listed``):
    its names as listed, their stats in the same order (four integers of 8
    bytes each: the two of a pair make its signature), and whether all its
    entries are plain files.

    Every step is one pass the interpreter runs in C, and what comes out is
    two strings: the walking child (``cache.walk_aside``) pickles ten
    thousand pairs so in half a millisecond, where their tuples took 40-46
    ms, and this process unpacks them in 15-17 ms, where it unpickled the
    tuples in 45 ms. Taken from the walk's own packing, the stats are not
    asked of each entry and packed again: the child pairs ten thousand in
    44-56 ms, where it took 88-120 ms from the entries.

    Sorted by name, such a folder's files come two by two, ``<slug>.md``
    then ``<slug>.yaml``: a slug has no dot, so nothing else sorts between
    the two names of one slug. That, and that each stem is a slug, is
    checked on the names joined, with searches of the whole string: one
    match of a slug at a time took 13 ms at 10,000 briefings."""
    if not plain or len(names) % 2:
        return None
    if not names:
        return PlainPairs("", b"")
    by_name = sorted(range(len(names)), key=names.__getitem__)
    ordered = list(map(names.__getitem__, by_name))
    articles, annotations = "\0".join(ordered[0::2]) + "\0", "\0".join(ordered[1::2]) + "\0"
    count = len(ordered) // 2
    # (NUL ends each name: ".md\0" is found only at the end of one.)
    if articles.count(".md\0") != count or annotations.count(".yaml\0") != count:
        return None
    joined = articles.replace(".md\0", "\0")
    if joined != annotations.replace(".yaml\0", "\0") or not _all_slugs(joined):
        return None
    stems = joined[:-1].split("\0")
    if sys.byteorder != "little":  # as _SIGNATURE packs them
        swapped = array("q", stats)
        swapped.byteswap()
        stats = swapped.tobytes()
    records = pieces(stats, _SIGNATURE.size // 2)  # one file's, in the order listed
    # In order of slugs, which is not always that of names ("a-b.md" < "a.md"):
    # the records of a pair's two files, side by side, one pair after another.
    by_slug = sorted(range(len(stems)), key=stems.__getitem__)
    # Each stem's two files, as listed:
    pairs = list(zip(by_name[0::2], by_name[1::2], strict=True))
    files = chain.from_iterable(map(pairs.__getitem__, by_slug))
    return PlainPairs("\0".join(map(stems.__getitem__, by_slug)),
                      b"".join(map(records.__getitem__, files)))


def _all_slugs(joined: str) -> bool:
    """Whether each of the names in ``joined``, each followed by NUL, is a
    slug (see :data:`SLUG`): lowercase letters and digits, in runs joined by
    single hyphens."""
    try:
        names = joined.encode("ascii")
    except UnicodeEncodeError:
        return False
    return not names.translate(None, _SLUG_BYTES) and not any(
        piece in names for piece in (b"--", b"-\0", b"\0-", b"\0\0")) and \
        not names.startswith((b"-", b"\0"))


_SLUG_BYTES = b"abcdefghijklmnopqrstuvwxyz0123456789-\0"


def pieces(data: bytes, size: int) -> list[bytes]:
    """``data`` cut into pieces of ``size`` bytes."""
    return list(map(data.__getitem__, map(slice, range(0, len(data), size),
                                          range(size, len(data) + size, size))))


_NAME = operator.attrgetter("name")
_LSTAT = operator.methodcaller("stat", follow_symlinks=False)
_IS_PLAIN = operator.methodcaller("is_file", follow_symlinks=False)
_SIGNED = operator.attrgetter("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino")


class PlainPairs(NamedTuple):
    """The pairs of a plain folder (:func:`_plain_pairs`), packed: their slugs
    in order, and their signatures, one after another. Sent from the process
    that walked the folder in two pieces, not ten thousand tuples."""

    slugs: str  # joined by NUL, which no slug has
    signatures: bytes  # _SIGNATURE.size bytes each, in the same order

    def unpacked(self) -> tuple[list[RawPair], set[str]]:
        """The pairs, unread, and the folder's slugs."""
        if not self.slugs:
            return [], set()
        slugs = self.slugs.split("\0")
        signatures = pieces(self.signatures, _SIGNATURE.size)
        return list(map(RawPair._make, zip(slugs, repeat(UNREAD), repeat(UNREAD), signatures,
                                           repeat(True)))), set(slugs)


def suggest_slug(stem: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", stem.lower())).strip("-") or "my-briefing"


def _list_static(root: Path, problems: list[Problem]) -> tuple[str, ...]:
    """Every file under content/static/, following links only within the site."""
    folder = root / "content" / "static"
    if not folder.is_dir():
        return ()
    found = []
    seen: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        here = Path(dirpath)
        if here.resolve() in seen:  # a link back up: walked already
            dirnames.clear()
            continue
        seen.add(here.resolve())
        for name in sorted(dirnames):
            refused = refuse_link(root, (here / name).relative_to(root).as_posix())
            if refused:
                problems.append(refused)
                dirnames.remove(name)
        dirnames.sort()
        for name in sorted(filenames):
            relative = (here / name).relative_to(root).as_posix()
            refused = refuse_link(root, relative)
            if refused:
                problems.append(refused)
                continue
            found.append((here / name).relative_to(folder).as_posix())
    return tuple(sorted(found))
