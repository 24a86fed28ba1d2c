"""The site model: frozen dataclasses, built once by the loading stages and
then only read. Relations are ids (speaker id, briefing slug), never object
pointers, so the model can be printed, compared in tests and cached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple

from .problems import NOWHERE, Position


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    output_dir: str = "public"
    output_dir_at: Position = Position("site.yaml")  # where output_dir is set, for messages
    link_mentions: bool = True
    raw_html: str = "text"  # or "sanitise": see builder/markdown.py
    page_size: int = 200  # items a page of a long list shows: see builder/paging.py
    search: bool = True  # a search page, a box in each header, the index (builder/search.py)
    search_at: Position = Position("site.yaml")  # where search is set, for messages


class Held(NamedTuple):
    """A role or an alias held from one day to another (format 1.1): either
    end may be open (None)."""

    text: str
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    role: str = ""
    affiliation: str = ""
    aliases: tuple[str, ...] = ()
    description: str = ""  # Markdown
    links: tuple[tuple[str, str], ...] = ()  # (label, url)
    where: Position = NOWHERE
    # Format 1.1: roles and aliases held for a time, in the order written.
    roles: tuple[Held, ...] = ()
    dated_aliases: tuple[Held, ...] = ()

    def role_on(self, day: date) -> str:
        """The role held on ``day``: the first of ``roles`` that covers it, else
        the plain ``role``."""
        return next((held.text for held in self.roles if held.covers(day)), self.role)

    def role_then(self, day: date) -> str:
        """The role to show beside words said on ``day``: for a speaker with a
        history of ``roles``, the one held that day; for one with a single
        role, "" (it is named on their page)."""
        return self.role_on(day) if self.roles else ""

    @property
    def title(self) -> str:
        """The role to name the speaker by, whatever the day: the plain ``role``,
        else the last of ``roles`` to begin."""
        if self.role or not self.roles:
            return self.role
        return max(self.roles, key=lambda h: h.start or date.min).text

    def aliases_on(self, day: date) -> tuple[str, ...]:
        """The aliases that name the speaker on ``day``."""
        return self.aliases + tuple(h.text for h in self.dated_aliases if h.covers(day))


@dataclass(frozen=True)
class Source:
    outlet: str
    published: date  # the day in the site's time zone
    published_at: datetime | None = None  # when a datetime was given
    url: str = ""
    author: str = ""
    dateline: str = ""
    license: str = ""


# How much of a date is known (format 1.1): a day, only its month, or only its year.
Precision = Literal["year", "month", "day"]
# Where each stands among periods that start on the same day (see Period.order).
RANK = {"year": 0, "month": 1, "day": 2}


class Period(NamedTuple):
    """A day, a month or a year, by its first day: what a date in the
    annotations names. A month or a year never stands for its first day: it
    has its own page, not that day's (see builder/link.py)."""

    start: date
    precision: Precision = "day"

    @property
    def vague(self) -> bool:
        """Whether it is a month or a year rather than a day."""
        return self.precision != "day"

    @property
    def iso(self) -> str:
        """As written, and as ISO 8601 writes it: ``2021-09-14``, ``2021-09``, ``2021``."""
        return self.start.isoformat()[:{"day": 10, "month": 7, "year": 4}[self.precision]]

    @property
    def order(self) -> tuple[date, int]:
        """Where it stands in lists by date: at its first day, a year before
        its first month, a month before its first day."""
        return self.start, RANK[self.precision]


class Anchor(NamedTuple):
    """A passage of the article: the text as written, and which occurrence.
    (A tuple, as :class:`~builder.problems.Position` is: there are many.)"""

    text: str
    occurrence: int | None
    where: Position

    def __reduce__(self) -> tuple[type[Anchor], tuple[str, int | None, Position]]:
        return Anchor, (self.text, self.occurrence, self.where)  # (pickled faster so)


@dataclass(frozen=True)
class Quote:
    id: str
    speaker: str
    anchor: Anchor
    said_on: date  # the first day of said_on_precision's period
    said_on_precision: Precision = "day"
    occasion: str = ""
    note: str = ""  # Markdown
    speaker_at: Position = NOWHERE
    # Reported speech (format 1.1): the speaker who relayed the words, and
    # where that is written.
    reported_by: str = ""
    reported_by_at: Position = NOWHERE

    @property
    def said_in(self) -> Period:
        return Period(self.said_on, self.said_on_precision)


@dataclass(frozen=True)
class Event:
    id: str
    start: date  # the first day of its period (a day, a month or a year: ``precision``)
    end: date  # == start for a single period; else the first day of the last
    summary: str  # inline Markdown
    anchor: Anchor | None = None
    precision: Precision = "day"  # of both ends

    @property
    def is_range(self) -> bool:
        return self.end != self.start

    @property
    def starts(self) -> Period:
        return Period(self.start, self.precision)

    @property
    def ends(self) -> Period:
        return Period(self.end, self.precision)


@dataclass(frozen=True)
class Note:
    id: str
    anchor: Anchor
    note: str  # Markdown


@dataclass(frozen=True)
class Transcript:
    # (label with white space folded, speaker id or None, where the mapping stands)
    labels: tuple[tuple[str, str | None, Position], ...]
    said_on: date
    occasion: str = ""
    # Passages whose top-level blocks belong to no turn (pull quotes, captions)
    outside: tuple[Anchor, ...] = ()
    said_on_precision: Precision = "day"

    @property
    def said_in(self) -> Period:
        return Period(self.said_on, self.said_on_precision)


@dataclass(frozen=True)
class Briefing:
    slug: str
    title: str
    source: Source
    article: str  # the Markdown text, verbatim
    article_path: str
    yaml_path: str
    subtitle: str = ""
    summary: str = ""
    tags: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    events: tuple[Event, ...] = ()
    notes: tuple[Note, ...] = ()
    related: tuple[tuple[str, Position], ...] = ()
    transcript: Transcript | None = None
    tags_at: tuple[Position, ...] = ()  # where each tag is written
    # Editorial metadata (format 1.1): who annotated it, when, and its updates.
    annotated_by: tuple[str, ...] = ()
    annotated_on: date | None = None
    updates: tuple[tuple[date, str], ...] = ()  # (day, note in Markdown), as written
    draft: bool = False  # published only by a build with drafts (format 1.1)

    @property
    def latest(self) -> date:
        """The latest of the days it was published, annotated and updated: the
        home page and the feed list the most recent first."""
        return max((self.source.published, *(day for day, _ in self.updates),
                    *((self.annotated_on,) if self.annotated_on else ())))

    def quote(self, quote_id: str) -> Quote:
        """The quote of this id (the indexes name quotes by id)."""
        return next(q for q in self.quotes if q.id == quote_id)

    def event(self, event_id: str) -> Event:
        """The event of this id."""
        return next(e for e in self.events if e.id == event_id)


@dataclass(frozen=True)
class Site:
    """Everything read from a site folder, validated."""

    root: str
    config: SiteConfig
    speakers: dict[str, Speaker] = field(default_factory=dict)
    briefings: Mapping[str, Briefing] = field(default_factory=dict)
    static_files: tuple[str, ...] = ()  # paths relative to content/static
