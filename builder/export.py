"""The JSON export's three files made of each briefing's entries
(data/briefings.json, data/quotes.json and data/events.json: docs/data.md),
assembled so that a rebuild pays for what changed.

Ten thousand briefings make some sixty megabytes of these files. Each file is
one run of entries per briefing, in chronological order, and the build keeps
its layout: for each briefing, the key its run was made under (that of its
page, which covers all the run shows), the digest of the run and where it
stands in the file. A rebuild makes the runs of the briefings whose key
changed, takes every other run's bytes from the file as last written, and
learns from the runs' digests, before joining anything, whether the file comes
out the same: then it is neither made nor written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple

from .cache import digest
from .render import ENTRIES_SEPARATOR as SEPARATOR


class Layout(NamedTuple):
    """A data file as written: its digest (:func:`assemble`), its size, and
    each briefing's run: slug -> (key, digest of its bytes, start, end)."""

    digest: bytes
    size: int
    runs: dict[str, tuple[bytes, bytes, int, int]]


class Assembled(NamedTuple):
    layout: Layout
    data: Callable[[], bytes]  # the file's bytes, made when asked for


def assemble(envelope: bytes, slugs: Iterable[str], key_of: Callable[[str], bytes],
             make: Callable[[str], bytes], before: Layout | None,
             written: Callable[[], bytes | None]) -> Assembled:
    """The data file of ``envelope`` (the document with an empty list of
    items, ending ``[]\\n}``) holding each briefing's run in ``slugs`` order.

    ``key_of(slug)``: the key its run is made under; ``make(slug)``: the run
    (its entries joined by :data:`SEPARATOR`; empty for none). ``before``: the
    layout of the file as last written, whose bytes ``written()`` reads (None
    where the file is not there). A run whose key is unchanged is taken from
    those bytes, and made again if they are not the file the layout describes.

    The file's digest is that of the envelope and of its runs' digests: equal
    files have equal digests, and a changed run changes it."""
    assert envelope.endswith(b"[]\n}"), "the items' list closes the document"
    kept = before.runs if before else {}
    head = envelope[:-4] + b"[\n    "
    runs: dict[str, tuple[bytes, bytes, int, int]] = {}
    made: dict[str, bytes] = {}
    at = len(head)
    for slug in slugs:
        key = key_of(slug)
        run = kept.get(slug)
        if run is not None and run[0] == key:
            run_digest, size = run[1], run[3] - run[2]
        else:
            made[slug] = data = make(slug)
            run_digest, size = digest(data), len(data)
        if size:
            runs[slug] = (key, run_digest, at, at + size)
            at += size + len(SEPARATOR)
        else:  # none: kept all the same, so that it is not made again
            runs[slug] = (key, run_digest, 0, 0)
    filled = any(end for _, _, _, end in runs.values())
    size = at - len(SEPARATOR) + len(b"\n  ]\n}\n") if filled else len(envelope) + 1
    file_digest = digest(envelope, b"".join(run[1] for run in runs.values() if run[3]))
    layout = Layout(file_digest, size, runs)

    def data() -> bytes:
        if not filled:
            return envelope + b"\n"
        old: memoryview | None = None
        if any(end and slug not in made for slug, (_, _, _, end) in runs.items()):
            file = written()
            # Not the file the layout describes: every run is made again.
            old = memoryview(file) if file is not None and before is not None \
                and len(file) == before.size else None
        pieces = [head]
        for slug, run in runs.items():
            if not run[3]:
                continue
            if slug in made:
                pieces.append(made[slug])
            elif old is not None:
                _, _, was, until = kept[slug]
                pieces.append(old[was:until])
            else:
                pieces.append(make(slug))
            pieces.append(SEPARATOR)
        pieces[-1] = b"\n  ]\n}\n"
        return b"".join(pieces)

    return Assembled(layout, data)
