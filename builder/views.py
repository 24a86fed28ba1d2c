"""Site model + indexes -> one view per page, with every link already resolved.

A view is what a template presents and nothing more: titles, formatted
dates, relative hrefs, rendered Markdown. Templates never query the site.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from typing import Any

from . import markdown, paging, urls
from .anchor import TINTS, Article, unindexed_notes
from .link import EventRef, Indexes, columns, counts, publications, titles
from .model import Held, Period, Site, Speaker
from .paging import HOME_LATEST
from .search import INDEX_DIR, partition, parts_of
from .textmatch import TAG


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    extra: str = ""  # a short qualifier shown beside the link (a date, a count)


@dataclass(frozen=True)
class DateLink:
    href: str
    iso: str
    label: str


@dataclass
class Page:
    """What every page has: where it is, its title and the way back to the root."""

    path: str  # site path: "" for home, "speakers/x/" ...
    template: str
    title: str
    description: str
    root: str  # relative link to the site root, e.g. "../../"
    view: Any
    nav: list[Link] = field(default_factory=list)
    current: str = ""  # which nav entry is the current section


@functools.lru_cache(maxsize=4096)  # a site's pages show a few thousand days, many times each
def format_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


@functools.lru_cache(maxsize=4096)
def format_period(period: Period, short: bool = False) -> str:
    """A day, a month or a year in words: '10 January 2022', 'September 2021',
    '2014'; ``short``, a month without its year ('September', as a range
    within one year begins: 'September–November 2021')."""
    if period.precision == "day":
        return format_date(period.start)
    if period.precision == "month":
        month = period.start.strftime("%B")
        return month if short else f"{month} {period.start.year}"
    return str(period.start.year)


@functools.lru_cache(maxsize=4096)
def plain_text(inline_markdown: str) -> str:
    """The text a reader sees of one line of inline Markdown, without markup."""
    return html.unescape(TAG.sub("", markdown.render_inline(inline_markdown)))


def _labels(day: date) -> tuple[str, str]:
    """A day's ISO form and its words."""
    return day.isoformat(), format_date(day)


class ViewBuilder:
    def __init__(self, site: Site, indexes: Indexes, articles: dict[str, Article]):
        self.site = site
        self.indexes = indexes
        self.articles = articles
        # The links and items of the page being made: a speaker's page shows
        # the same briefing for each of its quotes, its speakers and its day
        # on each.
        self._page = ""
        self._made: dict[Any, Any] = {}
        self._day_order: tuple[list[date], dict[date, int]] | None = None

    # -- helpers ---------------------------------------------------------------

    def _made_on(self, page: str) -> dict[Any, Any]:
        if page != self._page:
            self._page, self._made = page, {}
        return self._made

    def tint(self, page: str, speaker_id: str) -> int:
        """A speaker's colour slot on ``page``: given out on each page in the
        order its speakers first appear, so that the speakers of a page get
        different colours (see :meth:`given_tints`)."""
        slots = self._made_on(page).setdefault("tints", {})
        if speaker_id not in slots:
            slots[speaker_id] = len(slots) % TINTS
        return slots[speaker_id]

    def given_tints(self, page: str, given: Iterable[tuple[str, int]]) -> None:
        """The colour slots the article of ``page`` gave out already."""
        self._made_on(page).setdefault("tints", {}).update(given)

    def date(self, page: str, day: date) -> DateLink:
        """A day, linked to its page if it has one: a transcript's day may not."""
        made = self._made_on(page)
        link = made.get(day)
        if link is None:
            href = urls.relative(page, urls.day(day)) if day in self.indexes.dated else ""
            link = made[day] = DateLink(href, *_labels(day))
        return link

    def when(self, page: str, period: Period, short: bool = False) -> DateLink:
        """A day, a month or a year, linked to its page if it has one: a month's
        or a year's, where something is dated to it (never its first day's)."""
        if not period.vague:
            return self.date(page, period.start)
        made = self._made_on(page)
        link = made.get((period, short))
        if link is None:
            href = urls.relative(page, urls.period(period)) \
                if period in self.indexes.periods else ""
            link = made[period, short] = DateLink(href, period.iso, format_period(period, short))
        return link

    def speaker_link(self, page: str, speaker_id: str, extra: str = "") -> dict[str, Any]:
        """A speaker, linked from ``page``. (Made once a page: read it, never change it.)"""
        made = self._made_on(page)
        link = made.get(("speaker", speaker_id, extra))
        if link is None:
            speaker = self.site.speakers[speaker_id]
            link = made["speaker", speaker_id, extra] = {
                "href": urls.relative(page, urls.speaker(speaker_id)), "name": speaker.name,
                "id": speaker_id, "tint": self.tint(page, speaker_id), "role": speaker.title,
                "extra": extra}
        return link

    def briefing_item(self, page: str, slug: str) -> dict[str, Any]:
        """A briefing, listed on ``page``. (Made once a page: read it, never change it.)"""
        made = self._made_on(page)
        item = made.get(("briefing", slug))
        if item is None:
            card = self.indexes.cards[slug]
            item = made["briefing", slug] = {
                "href": urls.relative(page, urls.briefing(slug)),
                "title": card.title,
                "subtitle": card.subtitle,
                "outlet": card.outlet,
                "published": self.date(page, card.published),
                "speakers": [self.speaker_link(page, s)
                             for s in self.indexes.speakers_by_briefing[slug]],
            }
        return item

    def _paged(self, kind: str, arg: Any, number: int
               ) -> tuple[str, tuple[slice, ...], dict[str, Any] | None]:
        """Page ``number`` of a page that lists many items (:mod:`builder.paging`):
        its path, the part of each of its lists it shows, and the links to the
        other pages (None where all fits on one). The links name the first
        page, the last, and the two on each side of this one."""
        shown, _, count = paging.page(self.indexes, kind, arg, self.site.config.page_size,
                                      number)
        first = paging.first(kind, arg)
        path = urls.paged(first, number)
        if count == 1:
            return path, shown, None

        def link(n: int) -> str:
            return urls.relative(path, urls.paged(first, n))

        near = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
        pages: list[Link | None] = []
        last = 0
        for n in near:
            if n > last + 1:
                pages.append(None)  # a gap, shown as an ellipsis
            pages.append(Link(link(n), str(n)))
            last = n
        return path, shown, {"number": number, "count": count, "pages": pages,
                             "previous": link(number - 1) if number > 1 else "",
                             "next": link(number + 1) if number < count else ""}

    @staticmethod
    def _numbered(title: str, pager: dict[str, Any] | None) -> str:
        if pager is None or pager["number"] == 1:
            return title
        return f"{title}, page {pager['number']} of {pager['count']}"

    def page(self, path: str, template: str, title: str, view: Any, description: str = "",
             current: str = "") -> Page:
        nav = [Link(urls.relative(path, target), text) for target, text in (
            (urls.HOME, "Briefings"), (urls.SPEAKERS, "Speakers"), (urls.DATES, "Dates"),
            (urls.TAGS, "Tags"))]
        return Page(path, template, title, description or self.site.config.description,
                    urls.relative(path, urls.HOME), view, nav, current)

    # -- pages -----------------------------------------------------------------

    def home(self, number: int = 1) -> Page:
        path, (listed,), pager = self._paged("home", None, number)
        shown = self.indexes.latest_first[listed]
        latest, older = (shown[:HOME_LATEST], shown[HOME_LATEST:]) if number == 1 else ((), shown)
        view = {
            "briefings": [self.briefing_item(path, s) | {
                "summary": markdown.render_block(self.site.briefings[s].summary)}
                for s in latest],
            "counts": counts(self.indexes, self.site.speakers),
            "older": [self.briefing_item(path, s) for s in older],
            "pager": pager,
        }
        # (The first page's title is the site's own; the next are "Briefings, page 2 of 9".)
        title = self._numbered("Briefings", pager) if number > 1 else self.site.config.title
        return self.page(path, "home.html", title, view, current="Briefings")

    def briefing(self, slug: str) -> Page:
        path = urls.briefing(slug)
        briefing = self.site.briefings[slug]
        article = self.articles[slug]
        numbers = dict(article.note_numbers)
        source = briefing.source
        self.given_tints(path, article.tints)
        view = {
            "slug": slug,
            "title": briefing.title,
            "subtitle": briefing.subtitle,
            "source": {"outlet": source.outlet, "url": source.url, "author": source.author,
                       "dateline": source.dateline, "license": source.license,
                       "published": self.date(path, source.published),
                       "published_at": source.published_at.isoformat()
                       if source.published_at else source.published.isoformat()},
            "summary": markdown.render_block(briefing.summary) if briefing.summary else "",
            "article": unindexed_notes(article.html) if self.site.config.search
            else article.html,
            "words": article.words,
            "quotes": [self._quote(path, slug, q) for q in briefing.quotes],
            "events": [self._event(path, e, found=e.id in article.found)
                       for e in sorted(briefing.events,
                                       key=lambda e: (e.starts.order, e.end, e.id))],
            "notes": [{"id": n.id, "number": numbers[n.id], "html": markdown.render_block(n.note)}
                      for n in sorted(briefing.notes, key=lambda n: numbers.get(n.id, 0))
                      if n.id in numbers],
            "speakers": [self._speaking(path, s, self._speaker_extra(slug, s, article),
                                        briefing.transcript.said_on if briefing.transcript
                                        else source.published)
                         for s in self.indexes.speakers_by_briefing[slug]],
            "mentioned": [self.speaker_link(path, s)
                          for s in self.indexes.mentioned_by_briefing[slug]],
            "tags": [Link(urls.relative(path, urls.tag(t)), name)
                     for t, name in self.indexes.tags_by_briefing[slug]],
            "related": [self.briefing_item(path, s) for s in self.indexes.related[slug]],
            "previous": self._neighbour(path, self.indexes.previous[slug]),
            "next": self._neighbour(path, self.indexes.next[slug]),
            "turns": len(article.turns),
            "occasion": briefing.transcript.occasion if briefing.transcript else "",
            "annotated_by": list(briefing.annotated_by),
            "annotated_on": self.date(path, briefing.annotated_on)
            if briefing.annotated_on else None,
            "updates": [{"date": self.date(path, day), "html": markdown.render_inline(note)}
                        for day, note in briefing.updates],
            "structured": self._structured(path, slug),
            "draft": briefing.draft,
        }
        description = briefing.subtitle or f"{source.outlet}, {format_date(source.published)}"
        return self.page(path, "briefing.html", briefing.title, view, description)

    def _structured(self, path: str, slug: str) -> dict[str, Any]:
        """schema.org data (JSON-LD) for search engines: this page is an
        annotated briefing based on the source article."""
        briefing, base = self.site.briefings[slug], self.site.config.base_url
        source = briefing.source
        original: dict[str, Any] = {
            "@type": "NewsArticle",
            "publisher": {"@type": "Organization", "name": source.outlet},
            "datePublished": (source.published_at or source.published).isoformat()}
        if source.url:
            original["url"] = source.url
        if source.author:
            original["author"] = {"@type": "Person", "name": source.author}
        data: dict[str, Any] = {
            "@context": "https://schema.org", "@type": "Article", "@id": base + path,
            "headline": briefing.title, "url": base + path, "isBasedOn": original,
            "isPartOf": {"@type": "WebSite", "name": self.site.config.title, "url": base},
            "inLanguage": self.site.config.language}
        if briefing.subtitle:
            data["alternativeHeadline"] = briefing.subtitle
        if briefing.annotated_by:
            data["author"] = [{"@type": "Person", "name": name} for name in briefing.annotated_by]
        if briefing.annotated_on:
            data["dateCreated"] = briefing.annotated_on.isoformat()
        if briefing.updates:
            data["dateModified"] = max(day for day, _ in briefing.updates).isoformat()
        if briefing.tags:
            data["keywords"] = list(briefing.tags)
        # Who speaks, and the events the article reports.
        mentions = [self._person(s) for s in self.indexes.speakers_by_briefing[slug]]
        for event in sorted(briefing.events, key=lambda e: (e.starts.order, e.ends.order, e.id)):
            mentions.append({"@type": "Event", "name": plain_text(event.summary),
                             "url": base + path + "#" + event.id,
                             "startDate": event.starts.iso, "endDate": event.ends.iso})
        if mentions:
            data["mentions"] = mentions
        if briefing.quotes:  # each quote, as said, by whom (and, reported, relayed by whom)
            data["hasPart"] = [self._quotation(path, q) for q in briefing.quotes]
        return data

    def _quotation(self, path: str, quote: Any) -> dict[str, Any]:
        base = self.site.config.base_url
        quotation: dict[str, Any] = {
            "@type": "Quotation", "text": " ".join(quote.anchor.text.split()),
            "url": base + path + "#" + quote.id, "dateCreated": quote.said_in.iso,
            "spokenByCharacter": self._person(quote.speaker),
            "isPartOf": {"@id": base + path}}
        if quote.reported_by:  # reported speech (format 1.1): relayed by whom
            quotation["contributor"] = self._person(quote.reported_by)
            quotation["creditText"] = (f"{self.site.speakers[quote.speaker].name}, as reported "
                                       f"by {self.site.speakers[quote.reported_by].name}")
        return quotation

    def _profile(self, path: str, speaker: Speaker) -> dict[str, Any]:
        """schema.org data (JSON-LD) for a speaker's page: a profile of a person."""
        person = self._person(speaker.id)
        if speaker.title:
            person["jobTitle"] = speaker.title
        if speaker.affiliation:
            person["affiliation"] = {"@type": "Organization", "name": speaker.affiliation}
        if speaker.aliases:
            person["alternateName"] = list(speaker.aliases)
        base = self.site.config.base_url
        return {"@context": "https://schema.org", "@type": "ProfilePage", "url": base + path,
                "mainEntity": person,
                "isPartOf": {"@type": "WebSite", "name": self.site.config.title, "url": base}}

    def _person(self, speaker_id: str) -> dict[str, Any]:
        """A speaker as schema.org's Person: their page, and their links as sameAs."""
        speaker = self.site.speakers[speaker_id]
        person: dict[str, Any] = {"@type": "Person", "name": speaker.name,
                                  "url": self.site.config.base_url + urls.speaker(speaker_id)}
        if speaker.links:
            person["sameAs"] = [url for _, url in speaker.links]
        return person

    def _speaking(self, path: str, speaker_id: str, extra: str, day: date) -> dict[str, Any]:
        """A speaker linked with the role they held on ``day``."""
        link = self.speaker_link(path, speaker_id, extra)
        speaker = self.site.speakers[speaker_id]
        return link | {"role": speaker.role_then(day)} if speaker.roles else link

    def _speaker_extra(self, slug: str, speaker_id: str, article: Article) -> str:
        quotes = sum(q.speaker == speaker_id for q in self.site.briefings[slug].quotes)
        turns = sum(t.speaker == speaker_id for t in article.turns)
        parts = []
        if quotes:
            parts.append(f"{quotes} quote{'s' if quotes != 1 else ''}")
        if turns:
            parts.append(f"{turns} turn{'s' if turns != 1 else ''}")
        return ", ".join(parts)

    def _quote(self, path: str, slug: str, quote: Any) -> dict[str, Any]:
        return {"id": quote.id, "text": " ".join(quote.anchor.text.split()),
                "href": urls.relative(path, urls.briefing(slug) + "#" + quote.id),
                "speaker": self.speaker_link(path, quote.speaker),
                "role": self._role_then(quote.speaker, quote.said_on),
                "reported_by": self.speaker_link(path, quote.reported_by)
                if quote.reported_by else None,
                "said_on": self.when(path, quote.said_in), "occasion": quote.occasion,
                "note": markdown.render_block(quote.note) if quote.note else ""}

    def _held(self, path: str, held: Held) -> dict[str, Any]:
        """A role or alias with the days it was held ("from" or "to" None: open)."""
        # (Not linked: a term of office is no day of the timeline.)
        return {"text": held.text,
                "from": DateLink("", *_labels(held.start)) if held.start else None,
                "to": DateLink("", *_labels(held.end)) if held.end else None}

    def _role_then(self, speaker_id: str, day: date) -> str:
        """The role a speaker with a history of roles held on ``day`` (format 1.1);
        "" for one with a single role, named on their page."""
        return self.site.speakers[speaker_id].role_then(day)

    def _event(self, path: str, event: Any, found: bool, slug: str | None = None
               ) -> dict[str, Any]:
        target = urls.briefing(slug) if slug else path
        start, end = event.starts, event.ends
        # A range of months within one year names the year once: September–November 2021.
        short = event.is_range and start.precision == "month" \
            and start.start.year == end.start.year
        return {"id": event.id, "start": self.when(path, start, short),
                "end": self.when(path, end) if event.is_range else None,
                "dash": "–" if start.vague else " – ",
                "summary": markdown.render_inline(event.summary),
                "href": urls.relative(path, target + "#" + event.id) if found else ""}

    def _neighbour(self, path: str, slug: str | None) -> dict[str, Any] | None:
        return self.briefing_item(path, slug) if slug else None

    def speakers(self) -> Page:
        path = urls.SPEAKERS
        rows = []
        for speaker in sorted(self.site.speakers.values(), key=lambda s: (s.name, s.id)):
            dates = self.indexes.speaker_dates.get(speaker.id)
            rows.append(self.speaker_link(path, speaker.id) | {
                "affiliation": speaker.affiliation,
                "quotes": len(self.indexes.quotes_by_speaker.get(speaker.id, ())),
                "turns": len(self.indexes.turns_by_speaker.get(speaker.id, ())),
                "briefings": len(self.indexes.briefings_by_speaker.get(speaker.id, ())),
                "first": self.when(path, dates[0]) if dates else None,
                "last": self.when(path, dates[1]) if dates else None,
            })
        return self.page(path, "speakers.html", "Speakers", {"speakers": rows},
                         current="Speakers")

    def speaker(self, speaker: Speaker, number: int = 1) -> Page:
        path, (quoted, passed, spoken, listed, named), pager = self._paged(
            "speaker", speaker.id, number)
        own_tint = self.tint(path, speaker.id)  # the page's own speaker first
        all_quotes = self.indexes.quotes_by_speaker.get(speaker.id, ())
        quotes = [{
            **self._quote(path, ref.slug, self.site.briefings[ref.slug].quote(ref.id)),
            "briefing": self.briefing_item(path, ref.slug),
        } for ref in all_quotes[quoted]]
        all_relayed = self.indexes.relayed_by_speaker.get(speaker.id, ())
        relayed = [{
            **self._quote(path, ref.slug, self.site.briefings[ref.slug].quote(ref.id)),
            "briefing": self.briefing_item(path, ref.slug),
        } for ref in all_relayed[passed]]
        turn_groups = []
        turns = self.indexes.turns_by_speaker.get(speaker.id, ())
        for slug, refs in groupby(turns[spoken], key=lambda r: r.slug):
            items = list(refs)
            turn_groups.append({
                "briefing": self.briefing_item(path, slug),
                "said_on": self.when(path, items[0].said_in),
                "occasion": items[0].occasion,
                "role": self._role_then(speaker.id, items[0].said_on),
                "turns": [{"href": urls.relative(path, urls.briefing(slug) + "#" + r.turn.id),
                           "opening": r.turn.opening, "number": r.turn.number} for r in items],
            })
        view = {
            "id": speaker.id, "name": speaker.name, "role": speaker.title,
            "affiliation": speaker.affiliation, "aliases": list(speaker.aliases),
            "roles": [self._held(path, held) for held in speaker.roles] if number == 1 else [],
            "dated_aliases": [self._held(path, held) for held in speaker.dated_aliases],
            "tint": own_tint,
            "feed": urls.relative(path, urls.speaker(speaker.id) + urls.FEED),
            "structured": self._profile(path, speaker),
            "first": number == 1,  # the profile is shown on the first page only
            "description": markdown.render_block(speaker.description)
            if speaker.description and number == 1 else "",
            "links": [Link(url, label) for label, url in speaker.links] if number == 1 else [],
            "quotes": quotes,
            "relayed": relayed, "relayed_count": len(all_relayed),
            "chart": _bars(quote_chart(r.said_on for r in all_quotes)) if number == 1 else [],
            "quote_count": len(all_quotes),
            "turn_groups": turn_groups,
            "turn_count": len(turns),
            "briefings": [self.briefing_item(path, s) for s in
                          self.indexes.briefings_by_speaker.get(speaker.id, ())[listed]],
            "mentioned_in": [self.briefing_item(path, s)
                             for s in self.indexes.mentioned_in.get(speaker.id, ())[named]],
            "co_speakers": [self.speaker_link(path, other, f"{n} briefing{'s' if n != 1 else ''}")
                            for other, n in self.indexes.co_speakers.get(speaker.id, ())]
            if number == 1 else [],
            "pager": pager,
        }
        description = ", ".join(p for p in (speaker.title, speaker.affiliation) if p)
        return self.page(path, "speaker.html", self._numbered(speaker.name, pager), view,
                         description, "Speakers")

    def dates(self) -> Page:
        """Every day, with what it lists counted and the titles and events
        of the first: a row each, made here rather than in the template
        (the page lists every day of the site). A month or a year that has
        things dated to it as a whole (format 1.1) has a row of its own, at
        the head of its section."""
        path = urls.DATES
        titled = titles(self.indexes.cards)
        vague = {(p.start.year, p.start.month if p.precision == "month" else 0):
                 self._timeline_row(self.when(path, p), entry, titled)
                 for p, entry in self.indexes.periods.items()}
        years = []
        for year, in_year in groupby(self.indexes.days.items(), key=lambda d: d[0].year):
            months = []
            for month, in_month in groupby(in_year, key=lambda d: d[0].month):
                days = [self._timeline_row(self.date(path, day), entry, titled)
                        for day, entry in in_month]
                months.append(self._timeline_month(year, month, days, vague))
            years.append({"year": year, "months": months, "period": vague.get((year, 0))})
        if vague:  # the months and years with nothing but what is dated to them
            dated = {(y["year"], m["id"]) for y in years for m in y["months"]}
            for year, month in vague:
                if month and (year, f"{year}-{month:02d}") not in dated:
                    years.append({"year": year, "months": [
                        self._timeline_month(year, month, [], vague)], "period": None})
                elif not month:
                    years.append({"year": year, "months": [], "period": vague[year, 0]})
            years = _merged(years)
        return self.page(path, "dates.html", "Dates", {"years": years,
                                                        "total": counts(self.indexes, {})["dates"],
                                                        "periods": len(self.indexes.periods),
                                                        "chart": _activity_chart(years)},
                         current="Dates")

    @staticmethod
    def _timeline_row(link: DateLink, entry: Any, titled: Any) -> dict[str, Any]:
        counts = (len(entry.published), len(entry.quotes),
                  len(entry.events) + len(entry.ending))
        named = [titled[s] for s in entry.published] + list(
            columns(entry.events)[2] if entry.events else ())
        return {"date": link, "published": counts[0], "quotes": counts[1],
                "events": counts[2],
                "counts": " · ".join(
                    f"{n} {noun}{'' if n == 1 or noun == 'published' else 's'}"
                    for n, noun in zip(counts, ("published", "quote", "event"), strict=True)
                    if n),
                "titles": " · ".join(named)}

    @staticmethod
    def _timeline_month(year: int, month: int, days: list[dict[str, Any]],
                        vague: dict[tuple[int, int], dict[str, Any]]) -> dict[str, Any]:
        return {"name": date(year, month, 1).strftime("%B"), "id": f"{year}-{month:02d}",
                "days": days, "period": vague.get((year, month))}

    def period(self, period: Period, number: int = 1) -> Page:
        """A month's or a year's page (format 1.1): what is dated to it as a
        whole, never to one of its days."""
        path, (happened, ended, said), pager = self._paged("period", period, number)
        entry = self.indexes.periods[period]
        section = f"#m{period.iso}" if period.precision == "month" else f"#y{period.iso}"
        view = {
            "date": self.when(path, period),
            "unit": period.precision,
            "quotes": [{**self._quote(path, r.slug, self.site.briefings[r.slug].quote(r.id)),
                        "briefing": self.briefing_item(path, r.slug)}
                       for r in entry.quotes[said]],
            "events": [self._day_event(path, r) for r in entry.events[happened]],
            "ending": [self._day_event(path, r) for r in entry.ending[ended]],
            "timeline": urls.relative(path, urls.DATES + section),
            "pager": pager,
        }
        return self.page(path, "period.html", self._numbered(format_period(period), pager),
                         view, current="Dates")

    def day(self, day: date, number: int = 1) -> Page:
        path, (happened, ended, said, published), pager = self._paged(
            "day", day, number)
        entry = self.indexes.days[day]
        days, places = self._days()
        index = places[day]
        view = {
            "date": self.date(path, day),
            "published": [self.briefing_item(path, s) for s in entry.published[published]],
            "quotes": [{**self._quote(path, r.slug, self.site.briefings[r.slug].quote(r.id)),
                        "briefing": self.briefing_item(path, r.slug)}
                       for r in entry.quotes[said]],
            "events": [self._day_event(path, r) for r in entry.events[happened]],
            "ending": [self._day_event(path, r) for r in entry.ending[ended]],
            "previous": self.date(path, days[index - 1]) if index else None,
            "next": self.date(path, days[index + 1]) if index + 1 < len(days) else None,
            "pager": pager,
        }
        return self.page(path, "day.html", self._numbered(format_date(day), pager), view,
                         current="Dates")

    def _days(self) -> tuple[list[date], dict[date, int]]:
        """The days that have a page, in order, and each one's place: made
        once, not for each of ten thousand day pages."""
        if self._day_order is None:
            days = list(self.indexes.days)
            self._day_order = days, {day: n for n, day in enumerate(days)}
        return self._day_order

    def _day_event(self, path: str, ref: EventRef) -> dict[str, Any]:
        event = self.site.briefings[ref.slug].event(ref.id)
        return {**self._event(path, event, event.anchor is not None, ref.slug),
                "briefing": self.briefing_item(path, ref.slug)}

    def tags(self) -> Page:
        path = urls.TAGS
        rows = [Link(urls.relative(path, urls.tag(t.slug)), t.name, str(len(t.briefings)))
                for t in sorted(self.indexes.tags.values(), key=lambda t: (t.name.lower(), t.slug))]
        return self.page(path, "tags.html", "Tags", {"tags": rows}, current="Tags")

    def tag(self, tag_slug: str, number: int = 1) -> Page:
        path, (listed,), pager = self._paged("tag", tag_slug, number)
        tag = self.indexes.tags[tag_slug]
        view = {"name": tag.name, "total": len(tag.briefings),
                "feed": urls.relative(path, urls.tag(tag_slug) + urls.FEED),
                "briefings": [self.briefing_item(path, s) for s in tag.briefings[listed]],
                "pager": pager}
        return self.page(path, "tag.html", self._numbered(f"Tagged {tag.name}", pager), view,
                         current="Tags")

    def search(self) -> Page:
        """The search page: Pagefind's interface, made in the reader's browser
        from the index the build leaves in ``pagefind/``, in parts named by
        their dates (builder/search.py): the newest part is opened, the others
        merged in."""
        path = urls.SEARCH
        parts = search_parts(self.indexes)
        view = {"index": urls.relative(path, f"{INDEX_DIR}/"), "parts": parts,
                "bundle": urls.relative(path, f"{INDEX_DIR}/{parts[0]}/") if parts else ""}
        return self.page(path, "search.html", "Search", view)

    def not_found(self) -> Page:
        # A 404 page is served at any depth, so its links are absolute.
        base = self.site.config.base_url
        page = self.page("404.html", "404.html", "Page not found", {"home": base})
        page.root = base
        page.nav = [Link(base + target, link.text) for target, link in zip(
            (urls.HOME, urls.SPEAKERS, urls.DATES, urls.TAGS), page.nav, strict=True)]
        return page


def search_parts(indexes: Indexes) -> list[str]:
    """The parts of the site's search index, newest first (what the search
    page names, and so what its key covers)."""
    return parts_of(partition(publications(indexes)))


_MONTHS = tuple(date(2000, m, 1).strftime("%B") for m in range(1, 13))


def _activity_chart(years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline drawn as bars: a row a year, a bar a month, as high as what
    the month lists (briefings published, quotes said, events), against the
    busiest month of the site; each bar links to its month's section."""
    def activity(row: dict[str, Any] | None) -> int:
        return row["published"] + row["quotes"] + row["events"] if row else 0

    totals = {(y["year"], int(m["id"][5:])): sum(activity(d) for d in m["days"])
              + activity(m["period"]) for y in years for m in y["months"]}
    busiest = max(totals.values(), default=0) or 1
    chart = []
    for year in years:
        months = []
        for number, name in enumerate(_MONTHS, start=1):
            total = totals.get((year["year"], number))
            months.append({"href": f"#m{year['year']}-{number:02d}" if total is not None else "",
                           "level": f"{(total or 0) / busiest:.2f}",
                           "label": f"{name} {year['year']}: {total or 0}"})
        chart.append({"year": year["year"], "months": months,
                      "total": sum(totals.get((year["year"], n), 0) for n in range(1, 13))
                      + activity(year["period"])})
    return chart


def _bars(counts: list[tuple[str, int]]) -> list[dict[str, Any]]:
    busiest = max((n for _, n in counts), default=0) or 1
    return [{"label": label, "count": n, "level": f"{n / busiest:.2f}"} for label, n in counts]


def quote_chart(said: Iterable[date]) -> list[tuple[str, int]]:
    """A speaker's quotes over time, as (year, count) from the first year to
    the last, or, all in one year, as (month, count) over that year."""
    days = sorted(said)
    if not days:
        return []
    if days[0].year == days[-1].year:
        by_month = [0] * 12
        for day in days:
            by_month[day.month - 1] += 1
        return [(f"{name[:3]} {days[0].year}", n) for name, n in zip(_MONTHS, by_month,
                                                                        strict=True)]
    by_year = {year: 0 for year in range(days[0].year, days[-1].year + 1)}
    for day in days:
        by_year[day.year] += 1
    return [(str(year), n) for year, n in by_year.items()]


def _merged(years: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline's years, each once, in order, with their months in order."""
    by_year: dict[int, dict[str, Any]] = {}
    for year in years:
        found = by_year.setdefault(year["year"], {"year": year["year"], "months": [],
                                                  "period": None})
        found["months"] += year["months"]
        found["period"] = found["period"] or year["period"]
    for year in by_year.values():
        year["months"].sort(key=lambda m: m["id"])
    return [by_year[y] for y in sorted(by_year)]
