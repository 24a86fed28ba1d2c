"""Long lists split over pages: which items each page of a list shows.

A speaker's, a day's, a month's or year's and a tag's page, and the home page's list of
briefings, show at most ``page_size`` items (site.yaml) a page. The first page
keeps its address (``speakers/<id>/``); the next ones are ``page/2/``,
``page/3/``... below it (:func:`builder.urls.paged`). A page with several
lists (a speaker's quotes, turns, briefings and mentions) counts their items
one after the other, in the order the page shows them, so a page may end one
list and begin the next. The plan, the views and the pages' keys all take
their slices from here, so that what a page shows and what its key covers
are the same items.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import urls
from .link import Indexes

# The lists each kind of paged page shows, in the order it shows them.
LISTS = {
    "speaker": ("quotes", "relayed", "turns", "briefings", "mentioned_in"),
    "day": ("events", "ending", "quotes", "published"),
    "period": ("events", "ending", "quotes"),  # a month's or a year's (format 1.1)
    "tag": ("briefings",),
    "home": ("briefings",),  # newest first
}

# The address of each kind's first page.
_FIRST = {"home": lambda _: urls.HOME, "speaker": urls.speaker, "day": urls.day,
          "period": urls.period, "tag": urls.tag}

# The latest briefings the home page shows in full, above the list of older
# ones, on its first page.
HOME_LATEST = 20


def lengths(indexes: Indexes, kind: str, arg: Any) -> tuple[int, ...]:
    """How many items each list of a page shows in all (see :data:`LISTS`)."""
    if kind == "speaker":
        return (len(indexes.quotes_by_speaker.get(arg, ())),
                len(indexes.relayed_by_speaker.get(arg, ())),
                len(indexes.turns_by_speaker.get(arg, ())),
                len(indexes.briefings_by_speaker.get(arg, ())),
                len(indexes.mentioned_in.get(arg, ())))
    if kind == "day":
        entry = indexes.days[arg]
        return len(entry.events), len(entry.ending), len(entry.quotes), len(entry.published)
    if kind == "period":
        entry = indexes.periods[arg]
        return len(entry.events), len(entry.ending), len(entry.quotes)
    if kind == "tag":
        return (len(indexes.tags[arg].briefings),)
    assert kind == "home", f"no paged page of kind {kind}"
    return (len(indexes.newest_first),)


def count(sizes: tuple[int, ...], size: int) -> int:
    """The number of pages lists of these lengths take: at least one."""
    return max(1, -(-sum(sizes) // size))


def slices(sizes: tuple[int, ...], size: int, number: int) -> tuple[slice, ...]:
    """The part of each list that page ``number`` (from 1) shows."""
    start, end = (number - 1) * size, number * size
    parts, offset = [], 0
    for length in sizes:
        parts.append(slice(min(length, max(0, start - offset)),
                           min(length, max(0, end - offset))))
        offset += length
    return tuple(parts)


def first(kind: str, arg: Any) -> str:
    """The path of the first page of a page's lists: the page's own."""
    return _FIRST[kind](arg)


def paths(indexes: Indexes, kind: str, arg: Any, size: int) -> list[tuple[int, str]]:
    """Each page of a page's lists, by number (from 1) with its path."""
    return [(n, urls.paged(first(kind, arg), n))
            for n in range(1, count(lengths(indexes, kind, arg), size) + 1)]


def page(indexes: Indexes, kind: str, arg: Any, size: int, number: int
         ) -> tuple[tuple[slice, ...], tuple[int, ...], int]:
    """What page ``number`` shows: the part of each list, the lists' lengths
    and how many pages there are."""
    sizes = lengths(indexes, kind, arg)
    return slices(sizes, size, number), sizes, count(sizes, size)


def counts(indexes: Indexes, speakers: Iterable[str], size: int) -> dict[tuple[str, Any], int]:
    """How many pages the home page's, each speaker's, day's, period's and tag's lists
    take, for those that take more than one: what a plan made again would
    change."""
    listed: list[tuple[str, Any]] = [("home", None)]
    listed += [("speaker", s) for s in sorted(speakers)]
    listed += [("day", d) for d in indexes.days] + [("period", p) for p in indexes.periods]
    listed += [("tag", t) for t in indexes.tags]
    pages = ((kind, arg, count(lengths(indexes, kind, arg), size)) for kind, arg in listed)
    return {(kind, arg): number for kind, arg, number in pages if number > 1}
