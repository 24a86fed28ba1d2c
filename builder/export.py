"""The JSON export's three files made of each briefing's entries
(data/briefings.json, data/quotes.json and data/events.json: docs/data.md),
assembled so that a rebuild pays for what changed.

Ten thousand briefings make some sixty megabytes of these files. Each file is
one run of entries per briefing, in chronological order, and the build keeps
its layout: for each briefing, the key its run was made under (that of its
page, which covers all the run shows), the digest of the run and its size. A
rebuild makes the runs of the briefings whose key changed and learns from the
runs' digests, before joining anything, whether the file comes out the same:
then it is neither made nor written. Otherwise the new file is those runs
between stretches of the file as last written, which the writer copies from
file to file without reading them (:class:`~builder.write.Spliced`).

A file most of whose runs are made anew, as on a first build, is written as
it is made to a spool (an unnamed temporary file beside the output), which
the writer then copies: the build never holds sixty megabytes of it at once.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from itertools import accumulate, compress
from operator import ne
from pathlib import Path
from typing import BinaryIO, NamedTuple

from .cache import digest
from .render import ENTRIES_SEPARATOR as SEPARATOR
from .write import Spliced

TAIL = b"\n  ]\n}\n"


class Layout(NamedTuple):
    """A data file as written: its digest (:func:`assemble`), its size, where
    its first run starts, and each briefing's run, in the file's order: its
    slug, the key it was made under, its digest and its size (0 for none)."""

    digest: bytes
    size: int
    start: int
    slugs: tuple[str, ...]
    keys: tuple[bytes, ...]
    digests: tuple[bytes, ...]
    sizes: tuple[int, ...]


def stored(layout: Layout) -> tuple[bytes, int, int, bytes, bytes | tuple[bytes, ...], bytes,
                                    bytes]:
    """A layout as the cache keeps it: its columns as strings of bytes and
    its order by digest (:func:`restored` takes the order itself, which the
    three data files share, from the build), so that a rebuild writes a few
    hundred kilobytes for it, not over a megabyte. (Keys of one width, as a
    site's are, are joined; the digests are all 16 bytes long.)"""
    keys: bytes | tuple[bytes, ...] = layout.keys
    if len({len(key) for key in layout.keys}) == 1:
        keys = b"".join(layout.keys)
    return (layout.digest, layout.size, layout.start, order_digest(layout.slugs), keys,
            b"".join(layout.digests), array("q", layout.sizes).tobytes())


def restored(kept: object, orders: Iterable[tuple[str, ...]]) -> Layout | None:
    """The layout the cache keeps as :func:`stored` made it, with the first of
    ``orders`` that is its order; None if it is not such a layout."""
    if not isinstance(kept, tuple) or len(kept) != 7:
        return None
    file_digest, size, start, order, keys, digests, sizes = kept
    slugs = next((o for o in orders if order_digest(o) == order), None)
    if slugs is None:
        return None
    count = len(slugs)
    if not isinstance(digests, bytes) or not isinstance(sizes, bytes) \
            or not len(digests) == 16 * count == 2 * len(sizes):
        return None
    if isinstance(keys, bytes):
        width = len(keys) // count if count else 0
        if width * count != len(keys):
            return None
        keys = tuple(keys[i:i + width] for i in range(0, len(keys), width or 1))
    if not isinstance(keys, tuple) or len(keys) != count:
        return None
    return Layout(file_digest, size, start, slugs, keys,
                  tuple(digests[i:i + 16] for i in range(0, len(digests), 16)),
                  tuple(array("q", sizes)))


def order_digest(slugs: tuple[str, ...]) -> bytes:
    return digest("\n".join(slugs))


class Assembled(NamedTuple):
    layout: Layout
    data: Callable[[], bytes | Spliced]  # the file, made when asked for


def assemble(envelope: bytes, slugs: Iterable[str], key_of: Callable[[str], bytes],
             make: Callable[[str], bytes], before: Layout | None, written: Path,
             spool: Callable[[], BinaryIO] | None = None) -> Assembled:
    """The data file of ``envelope`` (the document with an empty list of
    items, ending ``[]\\n}``) holding each briefing's run in ``slugs`` order.

    ``key_of(slug)``: the key its run is made under; ``make(slug)``: the run
    (its entries joined by :data:`SEPARATOR`; empty for none). ``before``: the
    layout of the file as last written at ``written``. A run whose key is
    unchanged is taken from that file, and made again if it is not the file
    the layout describes. ``spool()``: a new temporary file, to which the
    file is written as it is made where most of its runs are made anew.

    The file's digest is that of the envelope and of its runs' digests: equal
    files have equal digests, and a changed run changes it."""
    assert envelope.endswith(b"[]\n}"), "the items' list closes the document"
    head = envelope[:-4] + b"[\n    "
    order = tuple(slugs)
    keys = tuple(map(key_of, order))
    made: dict[str, bytes] = {}
    if before is not None and before.slugs == order:  # the same briefings, in the same order
        again = list(compress(range(len(order)), map(ne, keys, before.keys)))
        digests, sizes = list(before.digests), list(before.sizes)
    else:
        was = {slug: i for i, slug in enumerate(before.slugs)} if before else {}
        again, digests, sizes = [], [], []
        for at, (slug, key) in enumerate(zip(order, keys, strict=True)):
            i = was.get(slug)
            if before is not None and i is not None and before.keys[i] == key:
                digests.append(before.digests[i])
                sizes.append(before.sizes[i])
            else:
                again.append(at)
                digests.append(b"")
                sizes.append(0)
    if spool is not None and 2 * len(again) > len(order):
        return _spooled(envelope, head, order, keys, make, spool())
    for at in again:
        made[order[at]] = data = make(order[at])
        digests[at], sizes[at] = digest(data), len(data)
    filled = len(sizes) - sizes.count(0)
    size = len(head) + sum(sizes) + len(SEPARATOR) * (filled - 1) + len(TAIL) \
        if filled else len(envelope) + 1
    file_digest = digest(envelope, b"".join(compress(digests, sizes)))
    layout = Layout(file_digest, size, len(head), order, keys, tuple(digests), tuple(sizes))

    def data() -> bytes | Spliced:
        if not filled:
            return envelope + b"\n"
        stretches = _stretches(before, written) if len(made) < filled else None
        pieces: list[bytes | tuple[int, int]] = [head]

        def add(piece: bytes | tuple[int, int]) -> None:
            if len(pieces) > 1:
                pieces.append(SEPARATOR)
            pieces.append(piece)

        if stretches is not None and before is not None and before.slugs == order:
            # Between two runs made again, the runs kept stand together in
            # that file, with their separators: one stretch.
            starts, ends = stretches
            after = 0
            for at in [*again, len(order)]:
                first = next((i for i in range(after, at) if sizes[i]), None)
                if first is not None:
                    last = next(i for i in range(at - 1, after - 1, -1) if sizes[i])
                    add((starts[first], ends[last] - starts[first]))
                if at < len(order) and sizes[at]:
                    add(made[order[at]])
                after = at + 1
        else:
            where = dict(zip(before.slugs, zip(*stretches, strict=True), strict=True)) \
                if stretches is not None and before is not None else {}
            for slug, n in zip(order, sizes, strict=True):
                if n:
                    stretch = where.get(slug) if slug not in made else None
                    add((stretch[0], stretch[1] - stretch[0]) if stretch is not None
                        else made.get(slug) or make(slug))
        pieces.append(TAIL)
        if not any(isinstance(piece, tuple) for piece in pieces):
            return b"".join(piece for piece in pieces if isinstance(piece, bytes))
        return Spliced(written, tuple(pieces))

    return Assembled(layout, data)


def _spooled(envelope: bytes, head: bytes, order: tuple[str, ...], keys: tuple[bytes, ...],
             make: Callable[[str], bytes], file: BinaryIO) -> Assembled:
    """The data file made whole, each run written to ``file`` as it is made."""
    digests, sizes = [], []
    file.write(head)
    for slug in order:
        data = make(slug)
        if data:
            if file.tell() > len(head):
                file.write(SEPARATOR)
            file.write(data)
        digests.append(digest(data))
        sizes.append(len(data))
    file.write(TAIL)
    size = file.tell()
    file.flush()
    layout = Layout(digest(envelope, b"".join(compress(digests, sizes))),
                    size if any(sizes) else len(envelope) + 1, len(head), order, keys,
                    tuple(digests), tuple(sizes))
    if not any(sizes):
        return Assembled(layout, lambda: envelope + b"\n")
    return Assembled(layout, lambda: Spliced(file, ((0, size),)))


def _stretches(before: Layout | None, written: Path
               ) -> tuple[list[int], list[int]] | None:
    """Where each run of the file as last written starts and ends in it
    (an empty run where the next one starts); None if that file is not the
    one ``before`` describes."""
    try:
        if before is None or written.stat().st_size != before.size:
            return None
    except OSError:
        return None
    steps = [size + len(SEPARATOR) if size else 0 for size in before.sizes]
    starts = list(accumulate(steps, initial=before.start))[:-1]
    return starts, [start + size for start, size in zip(starts, before.sizes, strict=True)]
