"""What each page shows, as a key: a digest of exactly the inputs it is made from.

A file whose key is the same as in the previous output is not rendered again.
So a key must cover everything its page shows, and should cover nothing more:
then a quote added to one briefing re-renders that briefing's page, the
pages of the speaker and the day of that quote, and the pages that list
every briefing (the home page, the indexes, the feed, the sitemap and the
data files) where what they show changed, and no other.

Every key starts from the ``base``: the builder, the settings, the speakers
and the theme, which every page may show. Then, by kind of page:

- a briefing's page: the whole briefing (article and annotations) and the
  index entries it shows (related briefings, neighbours, tags, speakers), with
  the card of each other briefing it lists;
- a speaker's, a day's, a month's or a year's page: its index entries (which quotes, turns and
  events, by id) with what each briefing they come from shows there (its
  quotes, turns and events on that page: ``shown_to`` in the indexes), and
  the cards of the briefings they list;
- a tag's page: its briefings and their cards;
- the home page and the indexes: what each of their rows shows;
- the search page: the parts of the search index it opens (named by the
  dates on which briefings were published);
- the data files: every briefing's annotations (of which the indexes are made).

A briefing's *card* is what a list shows of it: title, subtitle, outlet,
publication date and speakers. Annotations that change none of these (a quote
by a speaker already quoted there, a note, an event) leave its card as it is.
Reads no files, renders nothing.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Collection, Iterable
from typing import Any

from . import paging, urls
from .cache import digest
from .link import Indexes, columns, counts, lists_any, shown_on
from .model import Period, Site
from .problems import Position
from .render import Planned, feed_entries
from .views import quote_chart, search_parts


class _ValuePickler(pickle.Pickler):
    """Pickles a value as pages see it: without the places in the source files
    where its parts were written (no page shows them, and a line added above
    moves them all)."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Position:
            return _nowhere, ()
        return NotImplemented


def _nowhere() -> None:
    return None


def _value_digest(value: Any) -> bytes:
    """The digest of a value, by its value alone. A plain pickle refers back to
    an object it has written already, so the same values shared differently
    (a date that is one object in a fresh model and two in a cached one) would
    pickle, and digest, differently; without that memory they cannot."""
    buffer = io.BytesIO()
    pickler = _ValuePickler(buffer, protocol=5)
    pickler.fast = True  # no memo: the model holds no cycles
    pickler.dump(value)
    return digest(buffer.getvalue())


# The pages that show something of every briefing: their keys are always worked out.
_OF_EVERYTHING = frozenset({"home", "speakers", "dates", "tags", "not_found", "search", "feed",
                            "sitemap", "data"})


def page_keys(plan: list[Planned], site: Site, indexes: Indexes, whole: dict[str, bytes],
              shown: dict[str, bytes], base: bytes, kept: dict[str, bytes] | None = None,
              cards: dict[str, bytes] | None = None, touched: set[str] | None = None,
              steady: Collection[str] = ()
              ) -> tuple[dict[str, bytes], dict[str, bytes], dict[str, bytes]]:
    """The key of every planned file, its part made from what other pages
    see of the briefings (``shown``: the digest of all but each one's
    article), and the digest of each briefing's card (``cards``, made here
    where not given: it reads every briefing).

    The article of a briefing (in ``whole``, the digest of all of it) is shown
    only by its own page and counted in the briefings' data file; so while no
    briefing changes but in its article, those parts are the same, and a
    caller may give the last build's (``kept``) instead of working them out.
    Where some briefings changed, a caller that gives the last build's parts
    with the files whose part may have changed (``touched``, see
    :func:`touched_pages`) has only those worked out again, with the pages of
    everything but those it knows the change leaves as they were (``steady``)."""
    files = {planned.file for planned in plan}
    if kept is not None and touched is not None:
        assert cards is not None, "the cards of the briefings that did not change are kept"
        keys = _Keys(site, indexes, shown, base, cards)
        again = [planned for planned in plan if planned.file not in kept or (
                 planned.kind in _OF_EVERYTHING and planned.file not in steady
                 or planned.file in touched
                 or planned.page > 1 and _first_file(planned) in touched)]
        kept = {file: part for file, part in kept.items() if file in files} \
            if kept.keys() - files else dict(kept)
        kept.update((planned.file, keys.of(planned)) for planned in again)
    elif kept is None or kept.keys() != files:
        cards = cards if cards is not None else card_digests(indexes, indexes.chronological)
        keys = _Keys(site, indexes, shown, base, cards)
        kept = {planned.file: keys.of(planned) for planned in plan}
    # A key is only compared with the last build's: two digests side by side
    # are one, without hashing them again.
    # (One part: each digest is 16 bytes long.)
    articles = digest(b"".join([whole[s] for s in indexes.chronological]))
    return {planned.file: (kept[planned.file] + whole[planned.arg]
                           if planned.kind == "briefing"
                           else kept[planned.file] + articles
                           if planned.kind == "data" and planned.arg == "briefings"
                           else kept[planned.file])
            for planned in plan}, kept, cards or {}


def card_digests(indexes: Indexes, slugs: Iterable[str]) -> dict[str, bytes]:
    """The digest of each briefing's card: what a list shows of it."""
    return {slug: _value_digest((slug, indexes.cards[slug], indexes.speakers_by_briefing[slug]))
            for slug in slugs}


def touched_pages(before: Indexes, after: Indexes, changed: Iterable[str],
                  recarded: Iterable[str] | None = None) -> set[str]:
    """The files whose key may differ between two sites whose briefings differ
    only in ``changed`` (the same briefings, in the same order, on the same
    speakers, settings and theme), given both sites' indexes: the pages that
    list or show anything of a changed briefing, before or after, and those
    whose entries in the indexes differ (of a list over several pages, its
    first page stands for them all). ``recarded``: those of ``changed``
    whose card changed (by default, all), the only ones a page showing no
    more of them than their card can see. More is harmless (a key worked out
    again comes out the same); less would leave a page stale."""
    changed = set(changed)
    recarded = changed if recarded is None else set(recarded)
    files = set()
    listing = set(changed)
    for slug in changed:
        listing.update(s for s in (after.previous[slug], after.next[slug]) if s)
    if after.related is not before.related:
        listing.update(slug for slug, related in after.related.items()
                       if related != before.related[slug])
    if recarded:  # the pages listing a changed briefing among their related ones
        listing.update(slug for slug, related in after.related.items()
                       if not recarded.isdisjoint(related))
    files.update(urls.briefing_file(slug) for slug in listing)

    people = {s for indexes in (before, after) for slug in changed
              for s in (*indexes.speakers_by_briefing[slug], *indexes.mentioned_by_briefing[slug])}
    for name in ("quotes_by_speaker", "relayed_by_speaker", "turns_by_speaker",
                 "briefings_by_speaker",
                 "mentioned_in", "co_speakers", "speaker_dates"):
        old, new = getattr(before, name), getattr(after, name)
        if old is not new:
            people.update(s for s in old.keys() | new.keys() if _differ(old.get(s), new.get(s)))
    if before.dated != after.dated:  # a date links to its page only if it has one
        moved = before.dated ^ after.dated
        people.update(s for s, refs in after.turns_by_speaker.items()
                      if any(r.said_on in moved for r in refs if r.precision == "day"))
    if before.periods.keys() != after.periods.keys():  # and so does a month or a year
        gone_or_new = before.periods.keys() ^ after.periods.keys()
        people.update(s for s, refs in after.turns_by_speaker.items()
                      if any(r.said_in in gone_or_new for r in refs if r.precision != "day"))
    files.update(urls.file_of(urls.speaker(s)) for s in people)
    files.update(urls.speaker(s) + urls.FEED for s in people)  # (its feed lists no more)

    days = {day for indexes in (before, after) for day, entry in indexes.days.items()
            if lists_any(entry, changed)}
    days.update(day for day in before.days.keys() | after.days.keys()
                if _differ(before.days.get(day), after.days.get(day)))
    if before.days.keys() != after.days.keys():  # a day's neighbours
        days.update(day for day, around in _neighbours(after.days).items()
                    if around != _neighbours(before.days).get(day))
    files.update(urls.file_of(urls.day(day)) for day in days)

    periods = {period for indexes in (before, after) for period, entry in indexes.periods.items()
               if lists_any(entry, changed)}
    periods.update(period for period in before.periods.keys() | after.periods.keys()
                   if _differ(before.periods.get(period), after.periods.get(period)))
    files.update(urls.file_of(urls.period(period)) for period in periods)

    tags = {tag for indexes in (before, after) for slug in changed
            for tag, _ in indexes.tags_by_briefing[slug]}
    tags.update(tag for tag in before.tags.keys() | after.tags.keys()
                if _differ(before.tags.get(tag), after.tags.get(tag)))
    files.update(urls.file_of(urls.tag(tag)) for tag in tags)
    files.update(urls.tag(tag) + urls.FEED for tag in tags)
    return files


def _first_file(planned: Planned) -> str:
    """The file of the first page of the list ``planned`` is a page of: the
    one :func:`touched_pages` names for all of them."""
    return urls.file_of(paging.first(planned.kind, planned.arg))


def _differ(old: Any, new: Any) -> bool:
    return old is not new and old != new


def _neighbours(days: dict[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    order = list(days)
    return {day: (order[i - 1] if i else None, order[i + 1] if i + 1 < len(order) else None)
            for i, day in enumerate(order)}


class _Keys:
    def __init__(self, site: Site, indexes: Indexes, shown: dict[str, bytes], base: bytes,
                 cards: dict[str, bytes]):
        self.site = site
        self.indexes = indexes
        self.shown = shown
        self.base = base
        self.cards = cards
        self.days = list(indexes.days)
        self.day_number = {day: n for n, day in enumerate(self.days)}
        self._indexed: bytes | None = None

    def key(self, *parts: Any) -> bytes:
        return digest(self.base, _value_digest(parts))

    def listed(self, slugs: Iterable[str]) -> tuple[bytes, ...]:
        return tuple(self.cards[s] for s in slugs)

    def has_page(self, days: Iterable[Any]) -> tuple[bool, ...]:
        """Whether each day (a date, or a Period: a day, a month or a year) has
        a page: a date links to it only if it does."""
        return tuple(day in self.indexes.periods if isinstance(day, Period) and day.vague
                     else (day.start if isinstance(day, Period) else day) in self.day_number
                     for day in days)

    def of(self, planned: Planned) -> bytes:
        if planned.kind in paging.LISTS:
            return getattr(self, "_" + planned.kind)(planned.arg, planned.page)
        return getattr(self, "_" + planned.kind)(planned.arg)

    def paged(self, kind: str, arg: Any, number: int) -> tuple[tuple[slice, ...], tuple[Any, ...]]:
        """The part of each list page ``number`` shows, and what else the
        page shows of its lists: their lengths, its number and how many
        pages there are (its links to the others)."""
        shown, sizes, count = paging.page(self.indexes, kind, arg, self.site.config.page_size,
                                          number)
        return shown, (sizes, number, count)

    # -- pages of one thing ----------------------------------------------------

    def _briefing(self, slug: str) -> bytes:
        indexes = self.indexes
        neighbours = (indexes.previous[slug], indexes.next[slug])
        return self.key("briefing", slug, self.shown[slug], indexes.related[slug],
                        self.listed(indexes.related[slug]), neighbours,
                        self.listed(s for s in neighbours if s),
                        indexes.tags_by_briefing[slug], indexes.speakers_by_briefing[slug],
                        indexes.mentioned_by_briefing[slug])

    def shown_to(self, page: str, slugs: Iterable[str]) -> tuple[bytes, ...]:
        """What each briefing shows on ``page`` (``s:<speaker>`` or
        ``d:<day>``: its quotes, turns or events there), once each."""
        shown_to = self.indexes.shown_to
        return tuple(dict(shown_to[s]).get(page, b"") for s in dict.fromkeys(slugs))

    def _speaker(self, speaker_id: str, page: int) -> bytes:
        indexes = self.indexes
        (quoted, passed, spoken, listed, named), paged = self.paged("speaker", speaker_id, page)
        quotes = indexes.quotes_by_speaker.get(speaker_id, ())[quoted]
        relayed = indexes.relayed_by_speaker.get(speaker_id, ())[passed]
        turns = indexes.turns_by_speaker.get(speaker_id, ())[spoken]
        briefings = indexes.briefings_by_speaker.get(speaker_id, ())[listed]
        mentioned = indexes.mentioned_in.get(speaker_id, ())[named]
        slugs = [*(r.slug for r in quotes), *(r.slug for r in relayed), *(r.slug for r in turns)]
        return self.key("speaker", speaker_id, paged, tuple((r.slug, r.id) for r in quotes),
                        tuple((r.slug, r.id) for r in relayed),
                        tuple((r.slug, r.turn.number) for r in turns),
                        self.shown_to(f"s:{speaker_id}", slugs),
                        self.listed(dict.fromkeys(slugs)),
                        self.has_page(r.said_in for r in turns), briefings,
                        self.listed(briefings), mentioned, self.listed(mentioned),
                        quote_chart(r.said_on for r in indexes.quotes_by_speaker.get(
                            speaker_id, ())) if page == 1 else (),
                        indexes.co_speakers.get(speaker_id, ()) if page == 1 else ())

    def _day(self, day: Any, page: int) -> bytes:
        entry = self.indexes.days[day]
        number = self.day_number[day]
        (happened, ended, said, published), paged = self.paged("day", day, page)
        quotes = tuple((r.slug, r.id) for r in entry.quotes[said])
        events = tuple((r.slug, r.id) for r in (*entry.events[happened], *entry.ending[ended]))
        sources = [slug for slug, _ in (*quotes, *events)]
        return self.key("day", day, paged, entry.published[published], quotes, events,
                        len(entry.events[happened]),
                        self.shown_to(f"d:{day}", sources),
                        self.listed(dict.fromkeys([*entry.published[published], *sources])),
                        self.days[number - 1] if number else None,
                        self.days[number + 1] if number + 1 < len(self.days) else None)

    def _period(self, period: Any, page: int) -> bytes:
        """A month's or a year's page: as a day's, with nothing published and
        no neighbours."""
        entry = self.indexes.periods[period]
        (happened, ended, said), paged = self.paged("period", period, page)
        quotes = tuple((r.slug, r.id) for r in entry.quotes[said])
        events = tuple((r.slug, r.id) for r in (*entry.events[happened], *entry.ending[ended]))
        sources = [slug for slug, _ in (*quotes, *events)]
        return self.key("period", period, paged, quotes, events, len(entry.events[happened]),
                        self.shown_to(shown_on(period), sources),
                        self.listed(dict.fromkeys(sources)))

    def _tag(self, tag_slug: str, page: int) -> bytes:
        tag = self.indexes.tags[tag_slug]
        (listed,), paged = self.paged("tag", tag_slug, page)
        return self.key("tag", tag.slug, tag.name, paged, tag.briefings[listed],
                        self.listed(tag.briefings[listed]))

    # -- pages of everything ---------------------------------------------------

    def _home(self, _: None, page: int) -> bytes:
        indexes = self.indexes
        (listed,), paged = self.paged("home", None, page)
        shown = indexes.latest_first[listed]
        latest = shown[:paging.HOME_LATEST] if page == 1 else ()
        return self.key("home", paged, shown, self.listed(shown),
                        tuple(self.site.briefings[s].summary for s in latest),
                        counts(indexes, self.site.speakers))

    def _speakers(self, _: None) -> bytes:
        indexes = self.indexes
        rows = tuple((s, len(indexes.quotes_by_speaker.get(s, ())),
                      len(indexes.turns_by_speaker.get(s, ())),
                      len(indexes.briefings_by_speaker.get(s, ())),
                      indexes.speaker_dates.get(s),
                      self.has_page(indexes.speaker_dates.get(s, ())))
                     for s in sorted(self.site.speakers))
        return self.key("speakers", rows)

    def _dates(self, _: None) -> bytes:
        """Each day's counts, the titles of what was published (in their cards)
        and its events (with their summaries)."""
        rows = tuple((day, len(e.published), len(e.quotes), len(e.events) + len(e.ending),
                      self.listed(e.published), columns(e.events))
                     for day, e in self.indexes.days.items())
        periods = tuple((period, len(e.quotes), len(e.events) + len(e.ending),
                         columns(e.events)) for period, e in self.indexes.periods.items())
        return self.key("dates", rows, periods)

    def _tags(self, _: None) -> bytes:
        return self.key("tags", tuple((t.slug, t.name, len(t.briefings))
                                      for t in self.indexes.tags.values()))

    def _not_found(self, _: None) -> bytes:
        return self.key("404")

    def _search(self, _: None) -> bytes:
        """The parts of the search index, which the page names."""
        return self.key("search", search_parts(self.indexes))

    def _feed(self, _: None) -> bytes:
        latest = feed_entries(self.indexes, "feed", None)
        return self.key("feed", latest, tuple(self.shown[s] for s in latest))

    def _speaker_feed(self, speaker_id: str) -> bytes:
        latest = feed_entries(self.indexes, "speaker_feed", speaker_id)
        return self.key("speaker_feed", speaker_id, self.site.speakers[speaker_id].name, latest,
                        tuple(self.shown[s] for s in latest))

    def _tag_feed(self, tag_slug: str) -> bytes:
        latest = feed_entries(self.indexes, "tag_feed", tag_slug)
        return self.key("tag_feed", tag_slug, self.indexes.tags[tag_slug].name, latest,
                        tuple(self.shown[s] for s in latest))

    def _sitemap(self, _: None) -> bytes:
        """The pages, and the day each briefing was published (in its card)."""
        return self.key("sitemap", self.indexes.chronological, sorted(self.site.speakers),
                        self.days, tuple(self.indexes.periods), tuple(self.indexes.tags),
                        self.listed(self.indexes.chronological),
                        tuple(paging.counts(self.indexes, self.site.speakers,
                                            self.site.config.page_size).items()))

    def _data(self, name: str) -> bytes:
        """Every data file shows every briefing's annotations and the indexes'
        view of them, which are made of those annotations and the speakers
        alone (in the base); the briefings' file also counts the words of
        each article."""
        if self._indexed is None:
            # One part: each digest is 16 bytes long.
            self._indexed = digest(b"".join([self.shown[s] for s in self.indexes.chronological]))
        return self.key("data", name, self._indexed)
