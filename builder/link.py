"""The whole site -> cross-document checks and every index, computed once.

Takes the validated briefings, the speakers and each briefing's rendered
article; checks what only the whole site can tell (unknown speakers, related
briefings that do not exist, speakers used nowhere) and builds the indexes the
pages present: quotes and turns by speaker, items by day, briefings by tag,
related and neighbouring briefings. Everything is sorted here, so the output
is byte-stable. Reads no files, renders nothing.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, fields
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import numpy


from . import urls
from .anchor import Article, Turn
from .cache import digest_of
from .model import RANK, Briefing, Period, Precision, Speaker
from .problems import Position, Problem, did_you_mean, error, warning

RELATED_LIMIT = 5


class QuoteRef(NamedTuple):
    """A quote, by its briefing and id (the quote itself is in the briefing's
    model: the indexes hold ids, so they are small to keep and to read back),
    with the date it was said, by which the indexes sort it."""

    slug: str
    id: str
    said_on: date
    precision: Precision = "day"  # of said_on (format 1.1: a month or a year)

    @property
    def said_in(self) -> Period:
        return Period(self.said_on, self.precision)


@dataclass(frozen=True)
class TurnRef:
    slug: str
    turn: Turn
    said_on: date
    occasion: str
    precision: Precision = "day"  # of said_on

    @property
    def said_in(self) -> Period:
        return Period(self.said_on, self.precision)


class EventRef(NamedTuple):
    """An event, by its briefing and id, with its summary, which the dates'
    page shows for every day."""

    slug: str
    id: str
    summary: str


class Card(NamedTuple):
    """What a list of briefings shows of one (with its speakers, from
    ``speakers_by_briefing``): lists show thousands, without their models."""

    title: str
    subtitle: str
    outlet: str
    published: date


@dataclass(frozen=True)
class Day:
    published: tuple[str, ...]  # briefing slugs
    quotes: tuple[QuoteRef, ...]
    events: tuple[EventRef, ...]  # events starting that day
    ending: tuple[EventRef, ...] = ()  # ranges ending that day (shown, linked back)


@dataclass(frozen=True)
class Tag:
    slug: str
    name: str
    briefings: tuple[str, ...]  # newest first


@dataclass(frozen=True)
class Indexes:
    chronological: tuple[str, ...]  # oldest first
    newest_first: tuple[str, ...]
    # The home page's and the feed's order: the latest of the days each was
    # published, annotated and updated first (then as ``newest_first``).
    latest_first: tuple[str, ...]
    bumped: dict[str, date]  # that latest day, where it is not the day of publication
    cards: dict[str, Card]  # in chronological order
    previous: dict[str, str | None]
    next: dict[str, str | None]
    quotes_by_speaker: dict[str, tuple[QuoteRef, ...]]
    # The quotes of others each speaker relayed (``reported_by``), in the same order.
    relayed_by_speaker: dict[str, tuple[QuoteRef, ...]]
    turns_by_speaker: dict[str, tuple[TurnRef, ...]]
    briefings_by_speaker: dict[str, tuple[str, ...]]  # newest first
    speakers_by_briefing: dict[str, tuple[str, ...]]  # quoted or speaking, by name
    mentioned_by_briefing: dict[str, tuple[str, ...]]
    mentioned_in: dict[str, tuple[str, ...]]  # speaker -> briefings naming them, newest first
    co_speakers: dict[str, tuple[tuple[str, int], ...]]  # speaker -> (other, shared briefings)
    speaker_dates: dict[str, tuple[Period, Period]]  # first and last date
    days: dict[date, Day]  # sorted by date
    dated: frozenset[date]  # the days that have a page (those of ``days``)
    # What is dated to a month or a year (format 1.1), by that period, sorted by
    # date (Period.order): never listed on a day. Each has a page.
    periods: dict[Period, Day]
    tags: dict[str, Tag]  # sorted by slug
    tags_by_briefing: dict[str, tuple[tuple[str, str], ...]]  # (slug, name)
    related: dict[str, tuple[str, ...]]
    # What ``related`` is made of: each briefing's features (its speakers, tags
    # and event days, sorted) and the briefings it names as related.
    features: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    # What each speaker's and each day's page shows of a briefing (its quotes
    # and turns, its quotes and events: see :func:`shown_to`), by page.
    shown_to: dict[str, tuple[tuple[str, bytes], ...]]

    def parts(self) -> dict[str, Any]:
        """Each index by its name, to be kept apart (see :meth:`unpacked`)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def unpacked(cls, read: Callable[[str], Any]) -> Indexes:
        """Indexes whose parts are read (``read(name)``) when first used: a
        build that renders one briefing's page reads the few indexes it shows."""
        indexes = object.__new__(cls)
        object.__setattr__(indexes, "_read", read)
        return indexes

    def __getattr__(self, name: str) -> Any:  # only for a part not read yet
        read = self.__dict__.get("_read")
        if read is None or name not in _PARTS:
            raise AttributeError(name)
        value = read(name)
        object.__setattr__(self, name, value)
        return value

    def whole(self) -> Indexes:
        """Every part read: indexes that can go to another process."""
        parts = self.parts()
        if "_read" not in self.__dict__ and not any(isinstance(part, ByBriefing | Updated)
                                                    for part in parts.values()):
            return self
        return Indexes(**{name: dict(part) if isinstance(part, ByBriefing | Updated) else part
                          for name, part in parts.items()})


# The indexes of one entry per briefing that a briefing's page shows: kept in
# parts by briefing, so that the page of one briefing reads a few parts.
BY_BRIEFING = frozenset({"previous", "next", "related", "speakers_by_briefing",
                         "mentioned_by_briefing", "tags_by_briefing", "cards", "shown_to",
                         "features"})


class ByBriefing(Mapping[str, Any]):
    """An index of :data:`BY_BRIEFING` read back in parts: ``read_part(n)``
    gives the part that holds the briefings ``part_of`` puts in part ``n``
    (None where the cache cannot), ``read_whole()`` all of it (in no
    particular order) and ``value`` makes an entry of what is kept. Looking a
    briefing up reads its part; going through all of them reads the whole.
    ``whole`` is what to use where the cache cannot give a part back."""

    # Parts read one at a time before the rest are read at once.
    _ONE_BY_ONE = 8

    def __init__(self, part_of: Callable[[str], int],
                 read_part: Callable[[int], dict[str, Any] | None],
                 read_whole: Callable[[], dict[str, Any] | None],
                 whole: Callable[[], Mapping[str, Any]],
                 value: Callable[[Any], Any] | None = None):
        self._part_of = part_of
        self._read_part = read_part
        self._read_whole = read_whole
        self._whole = whole
        self._value = value
        self._read: set[int] = set()  # the parts read
        self._found: dict[str, Any] = {}  # the entries of those parts
        self._all: Mapping[str, Any] | None = None
        self.kept: dict[str, Any] | None = None  # the whole as kept, once read
        self._whole_read = False

    def __getitem__(self, slug: str) -> Any:
        found = self._found.get(slug, _MISSING)
        if found is not _MISSING:
            return found
        if self._all is not None:
            return self._all[slug]
        number = self._part_of(slug)
        if number not in self._read:
            if len(self._read) >= self._ONE_BY_ONE:  # a page that lists many
                return self._from_whole(slug)
            kept = self._read_part(number)
            if kept is None:
                return self._from_whole(slug)
            self._read.add(number)
            self._found.update({k: self._value(v) for k, v in kept.items()}
                               if self._value else kept)
            if slug in self._found:
                return self._found[slug]
        raise KeyError(slug)

    def _from_whole(self, slug: str) -> Any:
        """An entry, from the whole as kept, read once: made alone, where a
        page that lists a few hundred briefings would otherwise make ten
        thousand entries."""
        kept = self._whole_kept() if self._all is None and self._value is not None else None
        if kept is not None and self._value is not None:
            found = self._found[slug] = self._value(kept[slug])
            return found
        return self._everything()[slug]

    def _whole_kept(self) -> dict[str, Any] | None:
        """The whole as kept, read the first time it is asked for (None where
        the cache cannot give it)."""
        if self.kept is None and not self._whole_read:
            self._whole_read = True
            self.kept = self._read_whole()
        return self.kept

    def _everything(self) -> Mapping[str, Any]:
        if self._all is None:
            kept = self._whole_kept()
            if kept is None:
                self._all = self._whole()
            else:
                self._all = {k: self._value(v) for k, v in kept.items()} \
                    if self._value else kept
        return self._all

    def column(self, number: int) -> dict[str, Any]:
        """Field ``number`` of every entry, by briefing, taken from what is
        kept, where the kept form has that field at the same place (a card's
        title: see :func:`pack_card`): for a page that shows one field of
        every briefing (the dates' page), without making ten thousand
        entries."""
        kept = self._whole_kept() if self._all is None and self._value is not None else None
        if kept is not None:
            return {slug: entry[number] for slug, entry in kept.items()}
        return {slug: entry[number] for slug, entry in self._everything().items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


class Updated(Mapping[str, Any]):
    """An index by briefing with the entries of a few briefings made again
    (``changes``, each replacing the entry ``base`` has): an update reads
    the parts of the ones it changes, and keeps those."""

    def __init__(self, base: Mapping[str, Any], changes: dict[str, Any]):
        self.base = base
        self.changes = changes

    def __getitem__(self, slug: str) -> Any:
        changes = self.changes
        return changes[slug] if slug in changes else self.base[slug]

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def _updated(base: Mapping[str, Any], changes: dict[str, Any]) -> Mapping[str, Any]:
    """``base`` with ``changes``: a new map where ``base`` is a plain one."""
    return Updated(base, changes) if isinstance(base, ByBriefing | Updated) \
        else {**base, **changes}


_PARTS = frozenset(f.name for f in fields(Indexes))
_MISSING = object()


# -- the indexes as the cache keeps them ------------------------------------------
#
# Pickle writes a named tuple or a date through a Python call each, and the
# largest indexes hold tens of thousands: those are kept as columns of plain
# strings and numbers (a date by its ordinal), ten times faster both ways.

def pack(name: str, part: Any) -> Any:
    """An index as the cache keeps it (:func:`unpack` gives it back)."""
    packer = _PACKERS.get(name)
    return packer[0](part) if packer else part


def unpack(name: str, kept: Any) -> Any:
    packer = _PACKERS.get(name)
    return packer[1](kept) if packer else kept


class Refs(Sequence[Any]):
    """A tuple of references (:class:`QuoteRef` or :class:`EventRef`) read
    back from the cache: kept as its columns (slugs, ids, then days as
    ordinals, and their precisions where a quote is dated to a month or a
    year; or summaries), made into references only when read. A rebuild
    counts every speaker's and every day's entries and looks for a few
    briefings in them (:attr:`slugs`); it reads the references of a few."""

    __slots__ = ("columns", "_kind", "_made")

    def __init__(self, kind: type[QuoteRef] | type[EventRef], columns: tuple[tuple[Any, ...], ...]):
        self._kind = kind
        self.columns = columns
        self._made: tuple[Any, ...] | None = None

    @property
    def slugs(self) -> tuple[str, ...]:
        return self.columns[0] if self.columns else ()

    def _refs(self) -> tuple[Any, ...]:
        if self._made is None:
            if not self.columns:
                self._made = ()
            elif self._kind is QuoteRef:
                slugs, ids, days, *precisions = self.columns
                self._made = tuple(map(QuoteRef, slugs, ids, map(date.fromordinal, days),
                                       *precisions))
            else:
                self._made = tuple(map(EventRef, *self.columns))
        return self._made

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0

    def __getitem__(self, index: Any) -> Any:
        return self._refs()[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._refs())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Refs):
            return self.columns == other.columns if self._kind is other._kind \
                else self._refs() == other._refs()
        if isinstance(other, tuple):
            return self._refs() == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return Refs, (self._kind, self.columns)

    def __repr__(self) -> str:
        return f"Refs({self._refs()!r})"


def slugs_of(refs: Sequence[QuoteRef] | Sequence[EventRef]) -> tuple[str, ...]:
    """The briefing of each reference, without making the references."""
    return refs.slugs if isinstance(refs, Refs) else tuple(r.slug for r in refs)


def columns(refs: Sequence[QuoteRef] | Sequence[EventRef]) -> tuple[tuple[Any, ...], ...]:
    """References as columns of plain values, however they were made: what
    the cache keeps, and what a digest of them is made of."""
    if isinstance(refs, Refs):
        return refs.columns
    if not refs:
        return ()
    if isinstance(refs[0], QuoteRef):
        slugs, ids, days, precisions = zip(*refs, strict=True)
        # Quotes dated to a day (all, before format 1.1) keep no column of precisions.
        vague = (precisions,) if any(p != "day" for p in precisions) else ()
        return slugs, ids, tuple(map(date.toordinal, days)), *vague
    return tuple(zip(*refs, strict=True))


def _pack_days(days: dict[date, Day]) -> dict[int, tuple[Any, ...]]:
    return {day.toordinal(): (entry.published, columns(entry.quotes),
                              columns(entry.events), columns(entry.ending))
            for day, entry in days.items()}


def _unpack_days(kept: dict[int, tuple[Any, ...]]) -> dict[date, Day]:
    return {date.fromordinal(day): Day(published, Refs(QuoteRef, quotes), Refs(EventRef, events),
                                       Refs(EventRef, ending))
            for day, (published, quotes, events, ending) in kept.items()}


# The indexes kept in parts by their keys (days by ordinal, speakers by id),
# read back whole: a quote added changes a few entries, and writes those parts.
IN_PARTS = frozenset({"days", "quotes_by_speaker"})


_PACKERS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "quotes_by_speaker": (lambda part: {k: columns(v) for k, v in part.items()},
                          lambda kept: {k: Refs(QuoteRef, v) for k, v in kept.items()}),
    "days": (_pack_days, _unpack_days),
}


def titles(cards: Mapping[str, Card]) -> Mapping[str, str]:
    """Every briefing's title, by slug (see :meth:`ByBriefing.column`)."""
    if isinstance(cards, ByBriefing):
        return cards.column(0)
    if isinstance(cards, Updated):
        return {**titles(cards.base), **{slug: card.title for slug, card in cards.changes.items()}}
    return {slug: card.title for slug, card in cards.items()}


def pack_card(card: Card) -> tuple[str, str, str, int]:
    """A card as the cache keeps it (:data:`BY_BRIEFING`, by briefing)."""
    return card.title, card.subtitle, card.outlet, card.published.toordinal()


def unpack_card(kept: tuple[str, str, str, int]) -> Card:
    return Card(kept[0], kept[1], kept[2], date.fromordinal(kept[3]))


class Uses(NamedTuple):
    """What the checks across briefings look at in one (its places as
    ``(path, line, column)``): small, so that a rebuild keeps every
    briefing's and checks the site without reading the briefings again."""

    speakers: tuple[tuple[str, tuple[str, int, int], str], ...]  # (id, where, what for)
    related: tuple[tuple[str, tuple[str, int, int]], ...]
    tags: tuple[tuple[str, tuple[str, int, int]], ...]
    used: tuple[str, ...]  # every speaker it quotes, gives a turn, labels or mentions


def uses_of(briefing: Briefing, article: Article | None) -> Uses:
    def at(where: Position) -> tuple[str, int, int]:
        return where.path, where.line, where.column

    speakers = [(q.speaker, at(q.speaker_at), "") for q in briefing.quotes]
    speakers += [(q.reported_by, at(q.reported_by_at), " in 'reported_by'")
                 for q in briefing.quotes if q.reported_by]
    used = {q.speaker for q in briefing.quotes} | {q.reported_by for q in briefing.quotes}
    used.discard("")
    if briefing.transcript:
        labelled = [(label, speaker, where)
                    for label, speaker, where in briefing.transcript.labels if speaker]
        speakers += [(speaker, at(where), f" for the label '{label}'")
                     for label, speaker, where in labelled]
        used.update(speaker for _, speaker, _ in labelled)
    if article:
        used.update(t.speaker for t in article.turns)
        used.update(article.mentioned)
    return Uses(tuple(speakers), tuple((slug, at(where)) for slug, where in briefing.related),
                tuple((tag, at(where))
                      for tag, where in zip(briefing.tags, briefing.tags_at, strict=False)),
                tuple(sorted(used)))


def check_references(
    briefings: Mapping[str, Briefing], speakers: dict[str, Speaker],
    articles: Mapping[str, Article],
    known: set[str], declared: set[str] | None, complete: bool = True,
) -> list[Problem]:
    """Unknown speakers and related slugs; speakers used nowhere (see
    :func:`check_uses`, which this calls with each briefing's :class:`Uses`)."""
    return check_uses({slug: uses_of(briefing, articles.get(slug))
                       for slug, briefing in briefings.items()},
                      speakers, known, declared, complete)


def check_uses(uses: Mapping[str, Uses], speakers: dict[str, Speaker], known: set[str],
               declared: set[str] | None, complete: bool = True) -> list[Problem]:
    """Unknown speakers and related slugs; speakers used nowhere.

    ``known`` holds every briefing slug of the site and ``declared`` every speaker
    id of content/speakers.yaml, including those with errors of their own, which
    are reported once, where they stand, not again at each use. With
    ``declared`` None (the file unreadable) speakers are not checked at all, and
    unused speakers are only looked for when every briefing was read whole
    (``complete``)."""
    return checked(found_in(uses, known, declared)[0], speakers, declared, complete)


class Found(NamedTuple):
    """What :func:`check_uses` finds, kept by where it finds it, so that it
    can be found again for a few briefings changed (:func:`found_again`)."""

    local: dict[str, tuple[Problem, ...]]  # slug -> its unknown speakers and related
    used: dict[str, int]  # speaker -> the briefings using it
    spelled: dict[str, tuple[Problem, ...]]  # tag URL -> its spellings that differ


# Each tag URL's uses, by briefing: (slug, the tag as written there, where).
Spellings = dict[str, tuple[tuple[str, str, tuple[str, int, int]], ...]]


def found_in(uses: Mapping[str, Uses], known: set[str], declared: set[str] | None
             ) -> tuple[Found, Spellings]:
    """What the checks find in these uses, and each tag URL's spellings."""
    found = Found({}, {}, {})
    by_url: dict[str, list[tuple[str, str, tuple[str, int, int]]]] = defaultdict(list)
    for slug in sorted(uses):
        _add(found, slug, uses[slug], known, declared)
        for tag, at in uses[slug].tags:
            by_url[urls.tag_slug(tag)].append((slug, tag, at))
    spellings = {url: tuple(entries) for url, entries in by_url.items()}
    for url, entries in spellings.items():
        _spell(found, url, entries)
    return found, spellings


def found_again(found: Found, spellings: Callable[[str], tuple[Any, ...]],
                before: Mapping[str, Uses], now: Mapping[str, Uses], known: set[str],
                declared: set[str] | None) -> tuple[Found, Spellings]:
    """``found`` for the briefings of ``before`` (their uses as they were
    found) now using ``now`` (a briefing gone or new missing from one), on
    the same ``known`` and ``declared``: what :func:`found_in` finds of all
    the briefings, at the cost of these. ``spellings(url)`` gives a tag
    URL's spellings as they were found; the ones that changed come back
    (empty for a URL no longer used)."""
    again = Found(dict(found.local), dict(found.used), dict(found.spelled))
    touched: dict[str, list[tuple[str, str, tuple[str, int, int]]]] = {}
    for slug, uses in before.items():
        again.local.pop(slug, None)
        for speaker in uses.used:
            again.used[speaker] -= 1
            if not again.used[speaker]:
                del again.used[speaker]
    for uses in (*before.values(), *now.values()):
        for tag, _ in uses.tags:
            url = urls.tag_slug(tag)
            if url not in touched:
                touched[url] = [e for e in spellings(url) if e[0] not in before]
    for slug, uses in now.items():
        _add(again, slug, uses, known, declared)
        for tag, at in uses.tags:
            touched[urls.tag_slug(tag)].append((slug, tag, at))
    changed = {}
    for url, entries in touched.items():
        # By briefing (sorted stably: a briefing's own tags stay in its order).
        changed[url] = tuple(sorted(entries, key=lambda e: e[0]))
        _spell(again, url, changed[url])
    return again, changed


def _add(found: Found, slug: str, uses: Uses, known: set[str], declared: set[str] | None
         ) -> None:
    problems = []
    for speaker, where, what in uses.speakers:
        if declared is not None and speaker not in declared:
            problems.append(error(Position(*where), f"unknown speaker '{speaker}'{what}."
                                  f"{did_you_mean(speaker, declared)}"
                                  + _add_hint(speaker, declared)))
    for related, where in uses.related:
        if related not in known:
            problems.append(error(Position(*where), f"related briefing '{related}' does not "
                                  f"exist.{did_you_mean(related, known)}"))
    if problems:
        found.local[slug] = tuple(problems)
    for speaker in uses.used:
        found.used[speaker] = found.used.get(speaker, 0) + 1


def _spell(found: Found, url: str, entries: tuple[tuple[str, str, tuple[str, int, int]], ...]
           ) -> None:
    """Two spellings of one tag URL (``Tokaev``, ``Токаев``; ``CSTO``, ``Csto``)
    are reported, never merged into one page silently: each use spelled
    otherwise than the first (by briefing)."""
    found.spelled.pop(url, None)
    if not entries:
        return
    first, first_at = entries[0][1], Position(*entries[0][2])
    problems = tuple(error(Position(*at), f"the tag '{tag}' is written '{first}' elsewhere "
                           f"({first_at}), and both would be tags/{url}/: write them the same "
                           "way, or make them differ.")
                     for _, tag, at in entries if tag != first)
    if problems:
        found.spelled[url] = problems


def checked(found: Found, speakers: dict[str, Speaker], declared: set[str] | None,
            complete: bool) -> list[Problem]:
    """The problems of what was found: its own, and the speakers used nowhere."""
    problems = [p for slug in sorted(found.local) for p in found.local[slug]]
    problems += [p for url in sorted(found.spelled) for p in found.spelled[url]]
    if not complete or declared is None:
        return problems
    for speaker in speakers.values():
        if speaker.id not in found.used:
            problems.append(warning(speaker.where, f"speaker '{speaker.id}' is never quoted, "
                                    "speaks in no transcript and is mentioned in no article: "
                                    "remove it or annotate a quote."))
    return problems


def _add_hint(speaker: str, speakers: set[str]) -> str:
    if did_you_mean(speaker, speakers):
        return ""
    return " Add it to content/speakers.yaml."


def build_indexes(
    briefings: Mapping[str, Briefing], speakers: dict[str, Speaker],
    articles: Mapping[str, Article],
) -> Indexes:
    chronological = tuple(sorted(briefings, key=lambda s: (_moment(briefings[s]), s)))
    previous = {s: (chronological[i - 1] if i else None) for i, s in enumerate(chronological)}
    following = {s: (chronological[i + 1] if i + 1 < len(chronological) else None)
                 for i, s in enumerate(chronological)}
    newest_first = tuple(reversed(chronological))
    position = {slug: i for i, slug in enumerate(chronological)}

    quotes: dict[str, list[QuoteRef]] = defaultdict(list)
    relayed: dict[str, list[QuoteRef]] = defaultdict(list)
    turns: dict[str, list[TurnRef]] = defaultdict(list)
    speaking: dict[str, set[str]] = defaultdict(set)
    for slug in chronological:
        briefing = briefings[slug]
        for quote in briefing.quotes:
            quotes[quote.speaker].append(_quote_ref(slug, quote))
            speaking[slug].add(quote.speaker)
            if quote.reported_by:
                relayed[quote.reported_by].append(_quote_ref(slug, quote))
                speaking[slug].add(quote.reported_by)
        transcript = briefing.transcript
        for turn in articles[slug].turns if transcript else ():
            turns[turn.speaker].append(TurnRef(slug, turn, transcript.said_on,
                                               transcript.occasion,
                                               transcript.said_on_precision))
            speaking[slug].add(turn.speaker)
    for refs in (*quotes.values(), *relayed.values()):
        refs.sort(key=lambda r: (r.said_on, RANK[r.precision], position[r.slug]))
    for turn_refs in turns.values():
        turn_refs.sort(key=lambda r: (r.said_on, RANK[r.precision], position[r.slug],
                                      r.turn.number))

    by_speaker: dict[str, list[str]] = defaultdict(list)
    for slug in newest_first:
        for speaker in sorted(speaking[slug]):
            by_speaker[speaker].append(slug)
    co_speakers = {speaker: _co_speakers(speaker, slugs, speaking)
                   for speaker, slugs in sorted(by_speaker.items())}

    speaker_dates = {}
    for speaker in speakers:
        dates = _first_and_last(quotes.get(speaker, ()), turns.get(speaker, ()))
        if dates:
            speaker_dates[speaker] = dates

    def by_name(ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda i: (speakers[i].name, i) if i in speakers else ("", i)))

    mentioned_in: dict[str, list[str]] = defaultdict(list)
    for slug in newest_first:
        for speaker in _unspoken(articles[slug], speaking[slug]):
            mentioned_in[speaker].append(slug)

    tags, tags_by_briefing = _tag_index(briefings, newest_first)
    said = _spoken(articles, chronological)
    days = _day_index(briefings, chronological, quotes, said)
    periods = _day_index(briefings, chronological, quotes, said, vague=True)
    cards = {slug: _card(briefings[slug]) for slug in chronological}
    bumped = _bumped(briefings[slug] for slug in chronological)
    features = {slug: _features(briefings[slug], speaking[slug]) for slug in chronological}
    shown = {slug: shown_to(briefings[slug], articles[slug]) for slug in chronological}
    return Indexes(
        chronological=chronological,
        newest_first=newest_first,
        latest_first=_latest_first(chronological, bumped, cards),
        bumped=bumped,
        cards=cards,
        previous=previous,
        next=following,
        quotes_by_speaker={k: tuple(v) for k, v in sorted(quotes.items())},
        relayed_by_speaker={k: tuple(v) for k, v in sorted(relayed.items())},
        turns_by_speaker={k: tuple(v) for k, v in sorted(turns.items())},
        briefings_by_speaker={k: tuple(v) for k, v in sorted(by_speaker.items())},
        speakers_by_briefing={s: by_name(speaking[s]) for s in chronological},
        mentioned_by_briefing={s: by_name(_unspoken(articles[s], speaking[s]))
                               for s in chronological},
        mentioned_in={k: tuple(v) for k, v in sorted(mentioned_in.items())},
        co_speakers=co_speakers,
        speaker_dates=speaker_dates,
        days=days,
        dated=frozenset(days),
        periods=periods,
        tags=tags,
        tags_by_briefing=tags_by_briefing,
        related=_related(features, chronological),
        features=features,
        shown_to=shown,
    )


def counts(indexes: Indexes, speakers: Mapping[str, Speaker]) -> dict[str, int]:
    """What the site counts, wherever a count is shown (the build's last line,
    the home page, the indexes): its published briefings; its speakers, every
    one of speakers.yaml (each has a page); its dates, the days, months and
    years with a page of the timeline; and its tags."""
    return {"briefings": len(indexes.chronological), "speakers": len(speakers),
            "dates": len(indexes.days) + len(indexes.periods), "tags": len(indexes.tags)}


def publications(indexes: Indexes) -> dict[str, date]:
    """The day on which each published briefing was published, by its slug:
    what the parts of the search index are made of."""
    return {slug: day for day, entry in indexes.days.items() for slug in entry.published}


def shown_to(briefing: Briefing, article: Article) -> tuple[tuple[str, bytes], ...]:
    """What a briefing shows on each speaker's page (``s:<id>``: their quotes
    and turns in it) and on each day's page (``d:<day>``: the quotes said and
    the events starting or ending that day), each as a digest: a speaker's
    page changes with that speaker's quotes, not with every annotation of
    the briefings they are quoted in."""
    shown: dict[str, list[Any]] = defaultdict(list)
    for quote in briefing.quotes:
        view = ("quote", quote.id, quote.speaker, quote.anchor.text, quote.said_on,
                quote.occasion, quote.note, quote.said_on_precision, quote.reported_by)
        shown[f"s:{quote.speaker}"].append(view)
        shown[shown_on(quote.said_in)].append(view)
        if quote.reported_by:
            shown[f"s:{quote.reported_by}"].append(view)
    if briefing.transcript:
        transcript = briefing.transcript
        for turn in article.turns:
            shown[f"s:{turn.speaker}"].append(("turn", turn.id, turn.opening, turn.number,
                                               transcript.said_on, transcript.occasion,
                                               transcript.said_on_precision))
    for event in briefing.events:
        view = ("event", event.id, event.start, event.end, event.summary,
                event.anchor is not None, event.precision)
        shown[shown_on(event.starts)].append(view)
        if event.is_range:
            shown[shown_on(event.ends)].append(view)
    return tuple(sorted((page, digest_of(tuple(views))) for page, views in shown.items()))


def update_indexes(old: Indexes, changed: Mapping[str, Briefing],
                   articles: Mapping[str, Article], briefings: Mapping[str, Briefing],
                   speakers: dict[str, Speaker]) -> Indexes | None:
    """The indexes ``old`` with the briefings of ``changed`` (by slug, their
    models now; ``articles``, their articles) made again, every other briefing
    as it was: what :func:`build_indexes` makes of the whole site, at the cost
    of what changed. ``briefings`` gives the others' models, of which only the
    neighbours of a changed briefing are read. None where the change reaches
    beyond the entries it touches (a briefing moved in time, added or gone):
    then the indexes are built anew."""
    chronological = old.chronological
    position = {slug: i for i, slug in enumerate(chronological)}
    if not changed.keys() <= position.keys():
        return None

    def moment(slug: str) -> tuple[tuple[date, str], str]:
        return _moment(changed[slug] if slug in changed else briefings[slug]), slug

    for slug in changed:  # each still between its neighbours: the order holds
        at = position[slug]
        if at and moment(chronological[at - 1]) >= moment(slug) or \
                at + 1 < len(chronological) and moment(slug) >= moment(chronological[at + 1]):
            return None
    gone = set(changed)
    speaking = {slug: {q.speaker for q in briefing.quotes}
                | {q.reported_by for q in briefing.quotes if q.reported_by}
                | ({t.speaker for t in articles[slug].turns} if briefing.transcript else set())
                for slug, briefing in changed.items()}
    were = {s for slug in changed for s in old.speakers_by_briefing[slug]}  # speaking before

    def by_name(ids: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(ids, key=lambda i: (speakers[i].name, i) if i in speakers else ("", i)))

    def renewed(table: Mapping[str, tuple[Any, ...]], keys: Iterable[str],
                added: Mapping[str, list[Any]], order: Callable[[Any], Any]
                ) -> dict[str, tuple[Any, ...]]:
        """``table`` with the entries of ``keys`` made of their old items but
        the changed briefings' and of the ``added`` ones, sorted by ``order``."""
        result = dict(table)
        for key in keys:
            items = [i for i in table.get(key, ()) if _slug_of(i) not in gone]
            items += added.get(key, ())
            items.sort(key=order)
            if items:
                result[key] = tuple(items)
            else:
                result.pop(key, None)
        return dict(sorted(result.items()))

    quotes: dict[str, list[QuoteRef]] = defaultdict(list)
    relayed: dict[str, list[QuoteRef]] = defaultdict(list)
    turns: dict[str, list[TurnRef]] = defaultdict(list)
    for slug, briefing in changed.items():
        for quote in briefing.quotes:
            quotes[quote.speaker].append(_quote_ref(slug, quote))
            if quote.reported_by:
                relayed[quote.reported_by].append(_quote_ref(slug, quote))
        if briefing.transcript:
            for turn in articles[slug].turns:
                turns[turn.speaker].append(TurnRef(slug, turn, briefing.transcript.said_on,
                                                   briefing.transcript.occasion,
                                                   briefing.transcript.said_on_precision))
    touched = were | {s for found in speaking.values() for s in found}
    quotes_by_speaker = renewed(old.quotes_by_speaker, touched, quotes,
                                lambda r: (r.said_on, RANK[r.precision], position[r.slug]))
    relayed_by_speaker = renewed(old.relayed_by_speaker, touched, relayed,
                                 lambda r: (r.said_on, RANK[r.precision], position[r.slug]))
    turns_by_speaker = renewed(old.turns_by_speaker, touched, turns,
                               lambda r: (r.said_on, RANK[r.precision], position[r.slug],
                                          r.turn.number))
    newest = lambda slug: -position[slug]  # noqa: E731
    briefings_by_speaker = renewed(
        old.briefings_by_speaker, touched,
        {s: [slug for slug in changed if s in speaking[slug]] for s in touched}, newest)
    speakers_by_briefing = _updated(old.speakers_by_briefing,
                                    {slug: by_name(speaking[slug]) for slug in changed})
    if all(speaking[slug] == set(old.speakers_by_briefing[slug]) for slug in changed):
        # No briefing has other speakers: nor has any speaker other company
        # (and the briefings of a speaker with hundreds are not read again).
        co_speakers = old.co_speakers
    else:
        co_speakers = dict(old.co_speakers)
        for speaker in touched:
            co_speakers.pop(speaker, None)
            if speaker in briefings_by_speaker:
                co_speakers[speaker] = _co_speakers(speaker, briefings_by_speaker[speaker],
                                                    speakers_by_briefing)
        co_speakers = dict(sorted(co_speakers.items()))
    speaker_dates = {}
    for speaker in speakers:
        if speaker not in touched:
            if speaker in old.speaker_dates:
                speaker_dates[speaker] = old.speaker_dates[speaker]
            continue
        dates = _first_and_last(quotes_by_speaker.get(speaker, ()),
                                turns_by_speaker.get(speaker, ()))
        if dates:
            speaker_dates[speaker] = dates

    mentioned = {slug: _unspoken(articles[slug], speaking[slug]) for slug in changed}
    named = {s for slug in changed for s in old.mentioned_by_briefing[slug]} | {
        s for found in mentioned.values() for s in found}
    mentioned_in = renewed(old.mentioned_in, named,
                           {s: [slug for slug in changed if s in mentioned[slug]]
                            for s in named}, newest)

    tags, tags_by_briefing = _renewed_tags(old, changed, newest)
    said = _spoken(articles, changed)
    days = _renewed_days(old.days, changed, quotes, position, said)
    periods = _renewed_days(old.periods, changed, quotes, position, said, vague=True)
    features = _updated(old.features,
                        {slug: _features(changed[slug], speaking[slug]) for slug in changed})
    related = old.related if all(features[slug] == old.features[slug] for slug in changed) \
        else _related(features, chronological)
    cards = _updated(old.cards, {slug: _card(briefing) for slug, briefing in changed.items()})
    bumped = {slug: day for slug, day in old.bumped.items() if slug not in changed}
    bumped.update(_bumped(changed.values()))
    bumped = dict(sorted(bumped.items()))
    return _unless_same(old, Indexes(
        chronological=chronological, newest_first=old.newest_first,
        latest_first=old.latest_first if bumped == old.bumped
        else _latest_first(chronological, bumped, cards),
        bumped=old.bumped if bumped == old.bumped else bumped,
        cards=cards,
        previous=old.previous,
        next=old.next, quotes_by_speaker=quotes_by_speaker,
        relayed_by_speaker=relayed_by_speaker, turns_by_speaker=turns_by_speaker,
        briefings_by_speaker=briefings_by_speaker,
        speakers_by_briefing=speakers_by_briefing,
        mentioned_by_briefing=_updated(old.mentioned_by_briefing,
                                       {slug: by_name(mentioned[slug]) for slug in changed}),
        mentioned_in=mentioned_in, co_speakers=co_speakers,
        speaker_dates=speaker_dates, days=days,
        dated=old.dated if days.keys() == old.days.keys() else frozenset(days),
        periods=periods,
        tags=tags, tags_by_briefing=tags_by_briefing, related=related, features=features,
        shown_to=_updated(old.shown_to, {slug: shown_to(briefing, articles[slug])
                                         for slug, briefing in changed.items()}),
    ))


def _unless_same(old: Indexes, new: Indexes) -> Indexes:
    """``new``, with each index equal to the old one being the old one: a caller
    tells what changed by identity (and keeps only that)."""
    return Indexes(**{name: old_part if _same(new_part, old_part) else new_part
                      for (name, new_part), old_part in zip(new.parts().items(),
                                                             old.parts().values(), strict=True)})


def _same(new: Any, old: Any) -> bool:
    if new is old:
        return True
    if isinstance(new, Updated) and new.base is old:
        return all(old[slug] == entry for slug, entry in new.changes.items())
    return bool(new == old)


def _slug_of(item: Any) -> str:
    return item if isinstance(item, str) else item.slug


def _renewed_tags(old: Indexes, changed: Mapping[str, Briefing],
                  newest: Callable[[str], int]
                  ) -> tuple[dict[str, Tag], Mapping[str, tuple[tuple[str, str], ...]]]:
    """The tags of the changed briefings, before and now, made again. A tag
    is spelled one way across the site (two spellings are an error that
    stops the build before the indexes), so its name is that spelling."""
    spelled = {urls.tag_slug(name): name for b in changed.values() for name in b.tags}
    touched = {tag for slug in changed for tag, _ in old.tags_by_briefing[slug]} | set(spelled)
    tags = dict(old.tags)
    for tag in touched:
        members = [slug for slug in old.tags[tag].briefings if slug not in changed] \
            if tag in old.tags else []
        members += [slug for slug, briefing in changed.items() for name in briefing.tags
                    if urls.tag_slug(name) == tag]
        members.sort(key=newest)
        if members:
            tags[tag] = Tag(tag, spelled.get(tag) or old.tags[tag].name, tuple(members))
        else:
            tags.pop(tag, None)
    by_briefing = _updated(old.tags_by_briefing, {
        slug: tuple((urls.tag_slug(n), tags[urls.tag_slug(n)].name) for n in briefing.tags)
        for slug, briefing in changed.items()})
    return dict(sorted(tags.items())), by_briefing


def _unspoken(article: Article, speaking: set[str]) -> list[str]:
    """The speakers an article mentions who do not speak in its briefing."""
    return [speaker for speaker in article.mentioned if speaker not in speaking]


def _spoken(articles: Mapping[str, Article], slugs: Iterable[str]) -> dict[tuple[str, str], int]:
    """(slug, quote id) -> where the quote stands in its article: a day lists
    what was said in the order it was said, briefing after briefing."""
    return {(slug, quote): n for slug in slugs
            for n, quote in enumerate(articles[slug].quote_order)}


def _renewed_days(old: dict[Any, Day], changed: Mapping[str, Briefing],
                  quotes: Mapping[str, list[QuoteRef]], position: dict[str, int],
                  spoken: dict[tuple[str, str], int], vague: bool = False) -> dict[Any, Day]:
    """The days that list a changed briefing, before or now, made again (with
    ``vague``, the months and years: see :func:`_by_day`)."""
    published, said, happened, ended = _by_day(changed.items(), quotes, vague)
    touched = {day for day, entry in old.items() if lists_any(entry, changed.keys())}
    touched |= set(published) | set(said) | set(happened) | set(ended)
    days = dict(old)
    empty = Day((), (), ())

    def kept(items: tuple[Any, ...]) -> list[Any]:
        return [i for i in items if _slug_of(i) not in changed]

    for day in touched:
        entry = old.get(day, empty)
        made = Day(
            published=tuple(sorted(kept(entry.published) + published.get(day, []),
                                   key=position.__getitem__)),
            # (The quotes of the briefings that did not change are in order.)
            quotes=tuple(sorted(kept(entry.quotes) + sorted(
                said.get(day, []), key=lambda r: spoken.get((r.slug, r.id), 0)),
                key=lambda r: position[r.slug])),
            events=tuple(sorted(kept(entry.events) + happened.get(day, []),
                                key=lambda r: position[r.slug])),
            ending=tuple(sorted(kept(entry.ending) + ended.get(day, []),
                                key=lambda r: position[r.slug])),
        )
        if made.published or made.quotes or made.events or made.ending:
            days[day] = made
        else:
            days.pop(day, None)
    if vague:
        return dict(sorted(days.items(), key=lambda item: item[0].order))
    return dict(sorted(days.items()))


def lists_any(entry: Day, slugs: Set[str]) -> bool:
    """Whether a day lists anything of these briefings."""
    return not (slugs.isdisjoint(entry.published) and slugs.isdisjoint(slugs_of(entry.quotes))
                and slugs.isdisjoint(slugs_of(entry.events))
                and slugs.isdisjoint(slugs_of(entry.ending)))


def _co_speakers(speaker: str, slugs: Iterable[str], speaking: Mapping[str, Iterable[str]]
                 ) -> tuple[tuple[str, int], ...]:
    """The others speaking in ``slugs``, the briefings of ``speaker``: most shared first."""
    counts = Counter(other for slug in slugs for other in speaking[slug] if other != speaker)
    return tuple(sorted(counts.items(), key=lambda c: (-c[1], c[0])))


def _features(briefing: Briefing, speaking: Iterable[str]
              ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (tuple(sorted({f"s:{s}" for s in speaking}
                         | {f"t:{urls.tag_slug(t)}" for t in briefing.tags}
                         | {f"d:{e.starts.iso}" for e in briefing.events})),
            tuple(other for other, _ in briefing.related))


def _card(briefing: Briefing) -> Card:
    return Card(briefing.title, briefing.subtitle, briefing.source.outlet,
                briefing.source.published)


def _bumped(briefings: Iterable[Briefing]) -> dict[str, date]:
    """Each briefing's latest day (:attr:`Briefing.latest`) where it is later
    than its publication: a format-1 site has none."""
    return {b.slug: b.latest for b in briefings if b.latest > b.source.published}


def _latest_first(chronological: tuple[str, ...], bumped: Mapping[str, date],
                  cards: Mapping[str, Card]) -> tuple[str, ...]:
    """The briefings by their latest day, the most recent first; on the same
    day, newest published first (without ``bumped``, just that)."""
    if not bumped:
        return tuple(reversed(chronological))
    place = {slug: i for i, slug in enumerate(chronological)}
    return tuple(sorted(chronological, reverse=True,
                        key=lambda s: (bumped.get(s) or cards[s].published, place[s])))


def _moment(briefing: Briefing) -> tuple[date, str]:
    at = briefing.source.published_at
    return briefing.source.published, at.isoformat() if at else ""


def _day_index(briefings: dict[str, Briefing], chronological: tuple[str, ...],
               quotes: dict[str, list[QuoteRef]], spoken: dict[tuple[str, str], int],
               vague: bool = False) -> dict[Any, Day]:
    """What each day lists (with ``vague``, each month and year: see :func:`_by_day`)."""
    published, said, happened, ended = _by_day(((slug, briefings[slug])
                                                for slug in chronological), quotes, vague)
    order = {slug: i for i, slug in enumerate(chronological)}
    days = {}
    for day in sorted(set(published) | set(said) | set(happened) | set(ended),
                      key=(lambda p: p.order) if vague else None):
        days[day] = Day(
            published=tuple(published.get(day, ())),
            quotes=tuple(sorted(said.get(day, ()),
                                key=lambda r: (order[r.slug], spoken.get((r.slug, r.id), 0)))),
            events=tuple(happened.get(day, ())),
            ending=tuple(ended.get(day, ())),
        )
    return days


def _by_day(briefings: Iterable[tuple[str, Briefing]], quotes: Mapping[str, list[QuoteRef]],
            vague: bool = False
            ) -> tuple[dict[Any, list[str]], dict[Any, list[QuoteRef]],
                       dict[Any, list[EventRef]], dict[Any, list[EventRef]]]:
    """What each day lists of these briefings, in their order: those published
    that day, the quotes said that day, the events starting and those ending.
    A quote or event dated to a month or a year is on no day: with ``vague``,
    these alone, by their month or year (a :class:`~builder.model.Period`)."""
    published: dict[Any, list[str]] = defaultdict(list)
    said: dict[Any, list[QuoteRef]] = defaultdict(list)
    happened: dict[Any, list[EventRef]] = defaultdict(list)
    ended: dict[Any, list[EventRef]] = defaultdict(list)
    for slug, briefing in briefings:
        if not vague:
            published[briefing.source.published].append(slug)
        for event in briefing.events:
            if (event.precision != "day") is not vague:
                continue
            start, end = (event.starts, event.ends) if vague else (event.start, event.end)
            happened[start].append(EventRef(slug, event.id, event.summary))
            if event.is_range:
                ended[end].append(EventRef(slug, event.id, event.summary))
    for refs in quotes.values():
        for ref in refs:
            if (ref.precision != "day") is vague:
                said[ref.said_in if vague else ref.said_on].append(ref)
    return published, said, happened, ended


def _quote_ref(slug: str, quote: Any) -> QuoteRef:
    if quote.said_on_precision == "day":
        return QuoteRef(slug, quote.id, quote.said_on)
    return QuoteRef(slug, quote.id, quote.said_on, quote.said_on_precision)


def _first_and_last(quotes: Iterable[QuoteRef], turns: Iterable[TurnRef]
                    ) -> tuple[Period, Period] | None:
    """The first and last date a speaker was heard on, each a day, a month or a year."""
    heard = [r.said_in for r in quotes] + [r.said_in for r in turns]
    if not heard:
        return None
    return min(heard, key=lambda p: p.order), max(heard, key=lambda p: p.order)


def shown_on(period: Period) -> str:
    """The page a quote or event dated so is shown on, as :func:`shown_to` names it:
    ``d:<day>``, or ``p:<month or year>``."""
    return f"p:{period.iso}" if period.vague else f"d:{period.start}"


def _tag_index(briefings: dict[str, Briefing], newest_first: tuple[str, ...]
               ) -> tuple[dict[str, Tag], dict[str, tuple[tuple[str, str], ...]]]:
    names: dict[str, Counter[str]] = defaultdict(Counter)
    members: dict[str, list[str]] = defaultdict(list)
    for slug in newest_first:
        for name in briefings[slug].tags:
            tag = urls.tag_slug(name)
            names[tag][name] += 1
            members[tag].append(slug)
    # The most used spelling names the tag; ties go to the first in sort order.
    tags = {tag: Tag(tag, sorted(names[tag].items(), key=lambda n: (-n[1], n[0]))[0][0],
                     tuple(members[tag])) for tag in sorted(members)}
    by_briefing = {slug: tuple((urls.tag_slug(n), tags[urls.tag_slug(n)].name)
                               for n in briefings[slug].tags) for slug in briefings}
    return tags, by_briefing


def _related(features: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]],
             chronological: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """Explicit links (both ways) first, then the briefings sharing the most
    distinctive speakers, tags and event days (``features``; weighted by
    inverse document frequency, so what appears everywhere links nothing)."""
    import numpy  # here: only a build that makes the indexes anew pays for its import

    frequency = Counter(f for fs, _ in features.values() for f in fs)
    total = len(chronological)
    weight = {f: math.log(total / n) for f, n in frequency.items()}
    number = {slug: i for i, slug in enumerate(chronological)}
    holders: dict[str, list[int]] = defaultdict(list)
    for slug in chronological:
        for feature in features[slug][0]:
            if weight[feature] > 0:
                holders[feature].append(number[slug])
    held = {feature: numpy.array(found, dtype=numpy.intp) for feature, found in holders.items()}
    explicit: dict[str, list[str]] = defaultdict(list)
    for slug in chronological:
        for other in features[slug][1]:
            if other in number:
                explicit[slug].append(other)
                explicit[other].append(slug)
    related = {}
    scores = numpy.zeros(len(chronological))
    by_slug = {slug: place for place, slug in enumerate(sorted(chronological))}
    slug_order = numpy.array([by_slug[slug] for slug in chronological], dtype=numpy.intp)
    none = numpy.zeros(0, dtype=numpy.intp)
    for slug in chronological:
        chosen = list(dict.fromkeys(explicit[slug]))
        wanted = max(RELATED_LIMIT, len(chosen))
        count = wanted + len(chosen)
        # Each briefing's score against those that share a feature with it: the
        # weights of the features they share (a tag held by thousands adds to
        # each). Only the places scored are read and cleared again, so the work
        # grows with what the briefing shares, not with the site.
        own = [feature for feature in features[slug][0] if feature in held]
        candidates, found = none, scores[:0]
        if own:
            for feature in own:
                scores[held[feature]] += weight[feature]
            places = numpy.concatenate([held[feature] for feature in own])
            values = scores[places]
            scores[places] = 0.0
            others = places != number[slug]
            places, values = places[others], values[others]
            # A briefing is there once for each feature it shares: the field is
            # narrowed to what can be among the best ``count`` (each at most
            # len(own) times), then each is taken once.
            limit = count * len(own)
            if len(values) > limit:
                floor = numpy.partition(values, len(values) - limit)[len(values) - limit]
                near = values >= floor - 1e-6
                places, values = places[near], values[near]
            candidates, first = numpy.unique(places, return_index=True)
            found = values[first]
        related[slug] = tuple(chosen + _best(candidates, found, count, chronological,
                                             slug_order, chosen, wanted - len(chosen)))
    return related


def _best(candidates: numpy.ndarray, scores: numpy.ndarray, count: int, slugs: tuple[str, ...],
          slug_order: numpy.ndarray, chosen: list[str], wanted: int) -> list[str]:
    """The ``wanted`` best-scored briefings not already ``chosen``, of the
    ``candidates`` (places in ``slugs``, in order, each with its score, all
    above zero): by score rounded to 9 places, then by slug (``slug_order``:
    each one's place in slug order), among the ``count`` first. The array
    first narrows the field to the scores near the first ``count``; each
    distinct score is then rounded by Python's ``round``, so sums added up in
    another order rank the same, and the field is sorted by NumPy (thousands
    of briefings tie where a tag is all they share)."""
    import numpy

    if wanted <= 0:
        return []
    if len(candidates) > count:
        floor = numpy.partition(scores, len(scores) - count)[len(scores) - count]
        near = scores >= floor - 1e-6
        candidates, scores = candidates[near], scores[near]
    distinct, which = numpy.unique(scores, return_inverse=True)
    rounded = numpy.array([round(value, 9) for value in distinct.tolist()])[which]
    ranked = candidates[numpy.lexsort((slug_order[candidates], -rounded))[:count]]
    picked: list[str] = []
    for place in ranked.tolist():
        if len(picked) >= wanted:
            break
        if slugs[place] not in chosen:
            picked.append(slugs[place])
    return picked

