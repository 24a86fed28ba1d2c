"""Raw documents -> model objects and problems, one document at a time.

``read_speakers`` checks ``content/speakers.yaml``; ``read_briefing`` checks one
briefing's annotations. Neither looks at other files: whether a speaker id or
a related slug exists, and whether anchors occur in the article, is decided by
the later stages (``link`` and ``anchor``), which see the whole site.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from . import fields, urls
from .load import SLUG, RawPair, TextFile
from .model import (
    Anchor,
    Briefing,
    Event,
    Held,
    Note,
    Period,
    Quote,
    Source,
    Speaker,
    Transcript,
)
from .problems import NOWHERE, Position, Problem, error
from .yamlfile import Mapping, Sequence, parse_yaml

SPEAKER_KEYS = ("name", "role", "affiliation", "aliases", "description", "links", "roles")
ROLE_KEYS = ("role", "from", "to")
ALIAS_KEYS = ("name", "from", "to")
BRIEFING_KEYS = ("title", "subtitle", "source", "summary", "tags", "quotes", "events", "notes",
                 "related", "transcript",
                 "annotated_by", "annotated_on", "updates", "draft")
SOURCE_KEYS = ("outlet", "published", "url", "author", "dateline", "license")
QUOTE_KEYS = ("speaker", "quote", "said_on", "occasion", "note", "occurrence", "id",
              "reported_by")
EVENT_KEYS = ("date", "summary", "anchor", "occurrence", "id")
NOTE_KEYS = ("anchor", "note", "occurrence", "id")
TRANSCRIPT_KEYS = ("labels", "said_on", "occasion", "outside")
_HTML_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
_TURN_ID = re.compile(r"^turn-\d+$")


def fold_space(text: str) -> str:
    return " ".join(text.split())


def read_speakers(file: TextFile | None
                  ) -> tuple[dict[str, Speaker], set[str] | None, list[Problem]]:
    """The valid speakers, every id the file declares (valid or not, so that a
    broken entry does not make each of its quotes an error too; ``None`` when the
    file could not be read at all) and the problems."""
    if file is None:
        return {}, None, []
    data, problems = parse_yaml(file.text, file.path)
    if data is None:
        if not problems:
            problems.append(error(Position(file.path, 1, 1),
                                  "speakers.yaml is empty: list at least one speaker."))
        return {}, None, problems
    mapping = fields.expect_mapping(data, Position(file.path, 1, 1), "speakers.yaml", problems)
    if mapping is None:
        return {}, None, problems
    speakers = {}
    for speaker_id, value in mapping.items.items():
        key_at = mapping.key_at[speaker_id]
        if not SLUG.match(speaker_id):
            problems.append(error(key_at, f"bad speaker id '{speaker_id}': use lowercase "
                                          "letters, digits and single hyphens, e.g. "
                                          f"'{urls.tag_slug(speaker_id)}'."))
            continue
        entry = fields.expect_mapping(value, mapping.at(speaker_id), f"speaker '{speaker_id}'",
                                      problems)
        if entry is None:
            continue
        found = len(problems)
        fields.check_keys(entry, SPEAKER_KEYS, ("name",), f"speaker '{speaker_id}'", problems)
        name = fields.text(entry, "name", problems)
        aliases, dated_aliases = _aliases(entry, problems)
        roles = _held(entry, "roles", "role", ROLE_KEYS, problems)
        links = _links(entry, problems)
        if name is None or fields.failed_since(problems, found):
            continue
        speaker_id = sys.intern(speaker_id)  # as the quotes' (see _Annotations.quotes)
        speakers[speaker_id] = Speaker(
            id=speaker_id,
            name=fold_space(name),
            role=fields.text(entry, "role", problems) or "",
            affiliation=fields.text(entry, "affiliation", problems) or "",
            aliases=aliases,
            description=fields.markdown_text(entry, "description", problems) or "",
            links=links,
            where=key_at,
            roles=roles,
            dated_aliases=dated_aliases,
        )
    return speakers, set(mapping.items), problems


def _aliases(entry: Mapping, problems: list[Problem]) -> tuple[tuple[str, ...], tuple[Held, ...]]:
    """The plain aliases, and those held for a time (``{name, from, to}``)."""
    value = entry.get("aliases")
    if not isinstance(value, Sequence):
        return tuple(fold_space(a) for a, _ in fields.text_list(entry, "aliases", problems)), ()
    plain, dated = [], []
    for item, where in zip(value.items, value.item_at, strict=True):
        if isinstance(item, Mapping):
            held = _one_held(item, where, "name", ALIAS_KEYS, "an alias", problems)
            if held:
                dated.append(held)
        elif isinstance(item, str) and item.strip():
            plain.append(fold_space(item))
        else:
            problems.append(error(where, "each alias must be a name, or a mapping "
                                         "{name: ..., from: YYYY-MM-DD, to: YYYY-MM-DD}, not "
                                         f"{fields.describe(item)}."))
    return tuple(plain), tuple(dated)


def _held(entry: Mapping, key: str, text_key: str, keys: tuple[str, ...],
          problems: list[Problem]) -> tuple[Held, ...]:
    """A list of ``{<text_key>, from, to}``: what was held, and when."""
    if key not in entry:
        return ()
    value = entry.get(key)
    if not isinstance(value, Sequence):
        problems.append(error(entry.at(key), f"'{key}' must be a list of entries "
                                             f"('- {text_key}: ...' lines with 'from' and 'to' "
                                             f"days), not {fields.describe(value)}."))
        return ()
    result = []
    for item, where in zip(value.items, value.item_at, strict=True):
        mapping = fields.expect_mapping(item, where, f"each entry of '{key}'", problems)
        held = _one_held(mapping, where, text_key, keys, f"an entry of '{key}'", problems) \
            if mapping is not None else None
        if held:
            result.append(held)
    return tuple(result)


def _one_held(item: Mapping, where: Position, text_key: str, keys: tuple[str, ...],
              what: str, problems: list[Problem]) -> Held | None:
    found = len(problems)
    fields.check_keys(item, keys, (text_key,), what, problems)
    text = fields.text(item, text_key, problems)
    start = fields.day(item, "from", problems)
    end = fields.day(item, "to", problems)
    if text is None or fields.failed_since(problems, found):
        return None
    if start and end and end < start:
        problems.append(error(item.at("to"), f"'to' ({end}) is before 'from' ({start}): "
                                             "swap them."))
        return None
    return Held(fold_space(text), start, end)


def _links(entry: Mapping, problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    if "links" not in entry:
        return ()
    value = fields.expect_mapping(entry.get("links"), entry.at("links"),
                                  "'links' (label: URL lines)", problems)
    if value is None:
        return ()
    result = []
    for label in value.items:
        url = fields.url(value, label, problems)
        if url is not None:
            result.append((label, url))
    return tuple(result)


def read_briefing(pair: RawPair, timezone: str) -> tuple[Briefing | None, list[Problem]]:
    """The briefing (``None`` if its file is not a YAML mapping) and its problems."""
    path = pair.annotations.path
    data, problems = parse_yaml(pair.annotations.text, path)
    if data is None:
        if not problems:
            problems.append(error(Position(path, 1, 1),
                                  "the annotations are empty: add at least 'title:' and "
                                  "'source:'."))
        return None, problems
    mapping = fields.expect_mapping(data, Position(path, 1, 1), "the annotations", problems)
    if mapping is None:
        return None, problems
    fields.check_keys(mapping, BRIEFING_KEYS, ("title", "source"), "the annotations", problems)
    title = fields.text(mapping, "title", problems)
    source = _source(mapping, timezone, problems)
    published = source.published if source else None
    reader = _Annotations(pair.slug, published or date(1970, 1, 1), problems)
    quotes = reader.quotes(mapping)
    events = reader.events(mapping)
    notes = reader.notes(mapping)
    transcript = reader.transcript(mapping)
    tags, tags_at = _tags(mapping, problems)
    related = []
    for slug, where in fields.text_list(mapping, "related", problems):
        if not SLUG.match(slug):
            problems.append(error(where, f"'{slug}' is not a briefing slug: use the file name "
                                         "of the other briefing without '.md'."))
        elif slug == pair.slug:
            problems.append(error(where, "a briefing cannot be related to itself: remove it."))
        else:
            related.append((slug, where))
    # With errors the briefing is still returned, without the parts in error, so
    # that its anchors and references are checked in the same run; the build
    # stops before any page is written.
    return Briefing(
        slug=pair.slug,
        title=fold_space(title or pair.slug),
        source=source or Source(outlet="", published=published or date(1970, 1, 1)),
        article=pair.article.text,
        article_path=pair.article.path,
        yaml_path=path,
        subtitle=fold_space(fields.text(mapping, "subtitle", problems) or ""),
        summary=fields.markdown_text(mapping, "summary", problems) or "",
        tags=tags,
        tags_at=tags_at,
        quotes=tuple(quotes),
        events=tuple(events),
        notes=tuple(notes),
        related=tuple(related),
        transcript=transcript,
        annotated_by=tuple(_names(mapping, "annotated_by", problems)),
        annotated_on=fields.day(mapping, "annotated_on", problems),
        updates=tuple(reader.updates(mapping)),
        draft=bool(fields.boolean(mapping, "draft", problems)),
    ), problems


def _names(mapping: Mapping, key: str, problems: list[Problem]) -> list[str]:
    """One name, or a list of them."""
    if isinstance(mapping.get(key), str):
        name = fold_space(mapping.get(key))
        return [name] if name else []
    return [fold_space(name) for name, _ in fields.text_list(mapping, key, problems)]


def _source(mapping: Mapping, timezone: str, problems: list[Problem]) -> Source | None:
    if "source" not in mapping:
        return None
    source = fields.expect_mapping(mapping.get("source"), mapping.at("source"), "'source'",
                                   problems)
    if source is None:
        return None
    found = len(problems)
    fields.check_keys(source, SOURCE_KEYS, ("outlet", "published"), "'source'", problems)
    outlet = fields.text(source, "outlet", problems)
    published = fields.day_or_datetime(source, "published", problems)
    values = {key: sys.intern(fields.text(source, key, problems) or "")
              for key in ("author", "dateline", "license")}
    values["url"] = fields.url(source, "url", problems) or ""
    if outlet is None or published is None or fields.failed_since(problems, found):
        return None
    if isinstance(published, datetime):
        return Source(outlet=sys.intern(fold_space(outlet)),
                      published=published.astimezone(ZoneInfo(timezone)).date(),
                      published_at=published, **values)
    return Source(outlet=sys.intern(fold_space(outlet)), published=published, **values)


def _tags(mapping: Mapping, problems: list[Problem]
          ) -> tuple[tuple[str, ...], tuple[Position, ...]]:
    tags: dict[str, tuple[str, Position]] = {}
    for tag, where in fields.text_list(mapping, "tags", problems):
        tag = sys.intern(fold_space(tag))
        slug = urls.tag_slug(tag)
        if slug in tags:
            problems.append(error(where, f"the tag '{tag}' repeats '{tags[slug][0]}' "
                                         f"(both are '{slug}'): keep one."))
            continue
        tags[slug] = tag, where
    return tuple(t for t, _ in tags.values()), tuple(w for _, w in tags.values())


class _Annotations:
    """Reads quotes, events, notes and the transcript block of one briefing,
    and hands out HTML ids that are unique within the briefing."""

    def __init__(self, slug: str, published: date, problems: list[Problem]):
        self.slug = slug
        self.published = published
        self.problems = problems
        self.ids: dict[str, Position] = {}

    def _items(self, mapping: Mapping, key: str) -> list[tuple[Mapping, Position]]:
        if key not in mapping:
            return []
        value = mapping.get(key)
        if not isinstance(value, Sequence):
            self.problems.append(error(mapping.at(key), f"'{key}' must be a list of entries "
                                                        f"('- ...' lines), not "
                                                        f"{fields.describe(value)}."))
            return []
        result = []
        for item, where in zip(value.items, value.item_at, strict=True):
            entry = fields.expect_mapping(item, where, f"each entry of '{key}'", self.problems)
            if entry is not None:
                result.append((entry, where))
        return result

    def _id(self, entry: Mapping, default: str) -> str:
        explicit = fields.text(entry, "id", self.problems)
        if explicit is not None:
            where = entry.at("id")
            if not _HTML_ID.match(explicit) or _TURN_ID.match(explicit):
                self.problems.append(error(where, f"bad id '{explicit}': start with a letter, "
                                                  "then letters, digits, '-' or '_' "
                                                  "('turn-<n>' is reserved for transcripts)."))
            elif explicit in self.ids:
                first = self.ids[explicit]
                self.problems.append(error(where, f"the id '{explicit}' is already used at "
                                                  f"line {first.line}: choose another."))
            self.ids.setdefault(explicit, where)
            return explicit
        candidate, n = default, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{default}-{n}"
        self.ids[candidate] = entry.where
        return candidate

    def _anchor(self, entry: Mapping, key: str) -> Anchor | None:
        value = fields.text(entry, key, self.problems)
        if value is None:
            return None
        return Anchor(value, fields.positive_int(entry, "occurrence", self.problems),
                      entry.at(key))

    def quotes(self, mapping: Mapping) -> list[Quote]:
        result = []
        for entry, _ in self._items(mapping, "quotes"):
            found = len(self.problems)
            fields.check_keys(entry, QUOTE_KEYS, ("speaker", "quote"), "a quote", self.problems)
            speaker = fields.text(entry, "speaker", self.problems)
            anchor = self._anchor(entry, "quote")
            said_on = fields.period(entry, "said_on", self.problems)
            if speaker is None or anchor is None or fields.failed_since(self.problems, found):
                continue
            # (Ids of speakers, tags and outlets are interned, here and below: a
            # site names a few hundred, tens of thousands of times, and a model
            # sent or kept in one piece then holds each once.)
            speaker = sys.intern(speaker.strip())
            reported_by = sys.intern((fields.text(entry, "reported_by", self.problems)
                                      or "").strip())
            if reported_by == speaker:
                self.problems.append(error(entry.at("reported_by"), (
                    f"'reported_by' names the speaker of the quote, '{speaker}': name the "
                    "speaker who relayed the words, or remove 'reported_by'.")))
                continue
            default = f"{speaker}-{urls.text_slug(anchor.text)}"
            result.append(Quote(
                id=self._id(entry, default),
                speaker=speaker,
                anchor=anchor,
                said_on=said_on.start if said_on else self.published,
                said_on_precision=said_on.precision if said_on else "day",
                occasion=fold_space(fields.text(entry, "occasion", self.problems) or ""),
                note=fields.markdown_text(entry, "note", self.problems) or "",
                speaker_at=entry.at("speaker"),
                reported_by=reported_by,
                reported_by_at=entry.at("reported_by") if reported_by else NOWHERE,
            ))
        return result

    def events(self, mapping: Mapping) -> list[Event]:
        result = []
        for entry, _ in self._items(mapping, "events"):
            found = len(self.problems)
            fields.check_keys(entry, EVENT_KEYS, ("date", "summary"), "an event", self.problems)
            span = self._date_range(entry)
            summary = fields.markdown_text(entry, "summary", self.problems)
            anchor = self._anchor(entry, "anchor") if "anchor" in entry else None
            if span is None or summary is None or fields.failed_since(self.problems, found):
                continue
            start, end = span
            default = f"event-{start.iso}-{urls.text_slug(summary)}"
            result.append(Event(id=self._id(entry, default), start=start.start, end=end.start,
                                summary=fold_space(summary), anchor=anchor,
                                precision=start.precision))
        return result

    def _date_range(self, entry: Mapping) -> tuple[Period, Period] | None:
        value = fields.text(entry, "date", self.problems)
        if value is None:
            return None
        return fields.parse_period_or_range(value, entry.at("date"), self.problems)

    def notes(self, mapping: Mapping) -> list[Note]:
        result = []
        for entry, _ in self._items(mapping, "notes"):
            found = len(self.problems)
            fields.check_keys(entry, NOTE_KEYS, ("anchor", "note"), "a note", self.problems)
            anchor = self._anchor(entry, "anchor")
            note = fields.markdown_text(entry, "note", self.problems)
            if anchor is None or note is None or fields.failed_since(self.problems, found):
                continue
            result.append(Note(id=self._id(entry, f"note-{urls.text_slug(anchor.text)}"),
                               anchor=anchor, note=note))
        return result

    def updates(self, mapping: Mapping) -> list[tuple[date, str]]:
        result = []
        for entry, _ in self._items(mapping, "updates"):
            fields.check_keys(entry, ("date", "note"), ("date", "note"), "an update",
                              self.problems)
            day = fields.day(entry, "date", self.problems)
            note = fields.markdown_text(entry, "note", self.problems)
            if day is not None and note is not None:
                result.append((day, note))
        return result

    def transcript(self, mapping: Mapping) -> Transcript | None:
        if "transcript" not in mapping:
            return None
        block = fields.expect_mapping(mapping.get("transcript"), mapping.at("transcript"),
                                      "'transcript'", self.problems)
        if block is None:
            return None
        fields.check_keys(block, TRANSCRIPT_KEYS, ("labels",), "'transcript'", self.problems)
        said_on = fields.period(block, "said_on", self.problems)
        occasion = fields.text(block, "occasion", self.problems) or ""
        labels: dict[str, tuple[str | None, Position]] = {}
        if "labels" in block:
            table = fields.expect_mapping(block.get("labels"), block.at("labels"),
                                          "'labels' (label: speaker id lines)", self.problems)
            for label, speaker in (table.items.items() if table else ()):
                if speaker is not None and not isinstance(speaker, str):
                    self.problems.append(error(table.at(label),  # type: ignore[union-attr]
                                               f"the label '{label}' must map to a speaker id "
                                               f"or null, not {fields.describe(speaker)}."))
                    continue
                labels[fold_space(label)] = (sys.intern(speaker.strip()) if speaker else None,
                                             table.at(label))  # type: ignore[union-attr]
        return Transcript(labels=tuple((k, s, w) for k, (s, w) in labels.items()),
                          said_on=said_on.start if said_on else self.published,
                          occasion=fold_space(occasion), outside=tuple(self._outside(block)),
                          said_on_precision=said_on.precision if said_on else "day")

    def _outside(self, block: Mapping) -> list[Anchor]:
        """``outside:``: passages, each as text or as ``{passage, occurrence}``."""
        if "outside" not in block:
            return []
        value = block.get("outside")
        if not isinstance(value, Sequence):
            self.problems.append(error(block.at("outside"), "'outside' must be a list of "
                                       "passages ('- ...' lines), not "
                                       f"{fields.describe(value)}."))
            return []
        found = []
        for item, where in zip(value.items, value.item_at, strict=True):
            if isinstance(item, str):
                if item.strip():
                    found.append(Anchor(item, None, where))
                    continue
            elif isinstance(item, Mapping):
                fields.check_keys(item, ("passage", "occurrence"), ("passage",),
                                  "a passage of 'outside'", self.problems)
                anchor = self._anchor(item, "passage")
                if anchor is not None:
                    found.append(anchor)
                continue
            self.problems.append(error(where, "each passage of 'outside' is the text of the "
                                       "paragraph to keep out of every turn (or "
                                       "'passage:' and 'occurrence:'), not "
                                       f"{fields.describe(item)}."))
        return found


def read_one_briefing(site: Path, slug: str) -> tuple[Briefing, str]:
    """A briefing of a site as the build reads it, and the site's raw_html
    setting. Raises LookupError for one that cannot be read."""
    from .config import read_config
    from .load import UNREAD, read_pair, read_text

    config_file, _ = read_text(site, "site.yaml")
    config, _ = read_config(config_file)
    folder = site / "content" / "briefings"
    if not (folder / f"{slug}.md").is_file() or not (folder / f"{slug}.yaml").is_file():
        raise LookupError(f"no briefing '{slug}': content/briefings/{slug}.md and .yaml "
                          "must both be there")
    pair, problems = read_pair(site, RawPair(slug, UNREAD, UNREAD, b"", True))
    if pair is None:
        raise LookupError("; ".join(map(str, problems)))
    briefing, _ = read_briefing(pair, config.timezone if config else "UTC")
    if briefing is None:
        raise LookupError(f"{pair.annotations.path} is not a YAML mapping: fix it first "
                          "('briefings check' says where)")
    return briefing, config.raw_html if config else "text"
