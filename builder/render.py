"""Views -> the bytes of every output file. Never reads content, never writes.

HTML pages come from the theme's Jinja2 templates (autoescaped, strict about
undefined names); the feed, the sitemap and the JSON export are generated here
from the model so their structure is the builder's promise, not the theme's.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, NamedTuple

import jinja2
import orjson
from markupsafe import Markup

from . import paging, urls
from .anchor import Article
from .link import Indexes
from .model import Event, Site, Speaker
from .views import ViewBuilder

FEED_ENTRIES = 20
DATA_VERSION = 1


@functools.cache
def _compiled() -> jinja2.BytecodeCache | None:
    """Templates compiled by earlier builds, so that a rebuild of one page does
    not compile the theme again. Jinja2 keeps them in a folder of this user's,
    made private to them, outside any site: a site cannot bring code along.
    Each is found by its name and a checksum of its source. Where no such
    folder can be had safely, templates are compiled every time."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (RuntimeError, OSError):  # the folder is another user's, or cannot be made
        return None


class _Environment(jinja2.Environment):
    """Jinja2's environment, reading a view's fields first where a view is a dict.

    ``view.title`` in a template asks Jinja2 for the attribute ``title``, and only
    when a dict has none (raising, which is slow), for its key: views are dicts
    and a page reads hundreds of their fields. A key is read first here. No view
    has a key named like a dict's method, so templates see the same values."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}\s*")
_CSS_COMMENT = re.compile(r"/\*.*?\*/\s*", re.S)


def environment(dirs: list[Path]) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        bytecode_cache=_compiled(),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # a build renders from the templates as they were when it began
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["json_script"] = json_script

    def inline(name: str) -> Markup:
        """A file of the theme (such as its stylesheet) as text, to write into a
        page that must not depend on where it is served from: the 404 page."""
        source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        # Web fonts are left out: their addresses are relative to the stylesheet,
        # not to the page; the system fonts named after them stand in. So are
        # the comments, which a page has no use for.
        source = _CSS_COMMENT.sub("", _FONT_FACE.sub("", source))
        return Markup(source.replace("</", "<\\/"))

    env.globals["inline"] = inline
    return env


_environments: dict[tuple[Any, ...], jinja2.Environment] = {}


def _environment(dirs: list[Path]) -> jinja2.Environment:
    """The theme's environment, compiled once per process: a render task of a
    hundred pages does not compile the templates again. Made anew when a
    template file changes (a process may outlive one build)."""
    key = tuple((folder, tuple((str(p), p.stat().st_mtime_ns) for p in sorted(folder.rglob("*"))
                              if p.suffix in (".html", ".xml", ".jinja", ".txt")))
                for folder in dirs)
    if key not in _environments:
        _environments.clear()
        _environments[key] = environment(dirs)
    return _environments[key]


def json_script(data: Any) -> Markup:
    """JSON to place inside a <script> element: '<', '>' and '&' escaped as
    \\u003c..., so no text in it can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return Markup(text)


class Planned(NamedTuple):
    """One file the site will have, before it is rendered: where it goes, and
    which page of the site (``kind``, and the slug, id, day or tag it is for).
    (A tuple: every build reads the plan's ten thousand back.)"""

    file: str
    kind: str
    arg: Any = None
    page: int = 1  # of a list that runs over several pages (see builder/paging.py)


DATA_FILES = ("briefings", "speakers", "quotes", "events")


def plan_site(site: Site, indexes: Indexes) -> list[Planned]:
    """Every generated file, in the order of the site: cheap, renders nothing."""
    size = site.config.page_size

    def pages(kind: str, arg: Any) -> list[Planned]:
        return [Planned(urls.file_of(path), kind, arg, n)
                for n, path in paging.paths(indexes, kind, arg, size)]

    plan = [*pages("home", None), Planned(urls.file_of(urls.SPEAKERS), "speakers"),
            Planned(urls.file_of(urls.DATES), "dates"), Planned(urls.file_of(urls.TAGS), "tags"),
            Planned("404.html", "not_found")]
    if site.config.search:
        plan.append(Planned(urls.file_of(urls.SEARCH), "search"))
    plan += [Planned(urls.briefing_file(s), "briefing", s) for s in indexes.chronological]
    for s in sorted(site.speakers):
        plan += pages("speaker", s)
    for d in indexes.days:
        plan += pages("day", d)
    for p in indexes.periods:
        plan += pages("period", p)
    for t in indexes.tags:
        plan += pages("tag", t)
    plan += [Planned(urls.FEED, "feed"), Planned("sitemap.xml", "sitemap")]
    plan += [Planned(urls.speaker(s) + urls.FEED, "speaker_feed", s) for s in sorted(site.speakers)]
    plan += [Planned(urls.tag(t) + urls.FEED, "tag_feed", t) for t in indexes.tags]
    plan += [Planned(f"data/{name}.json", "data", name) for name in DATA_FILES]
    return plan


def render_files(site: Site, indexes: Indexes, articles: dict[str, Article],
                 templates: list[Path], plan: Iterable[Planned]
                 ) -> Iterator[tuple[str, bytes]]:
    """The bytes of each planned file, in the order given."""
    env = _environment(templates)
    views = ViewBuilder(site, indexes, articles)
    for planned in plan:
        if planned.kind == "data":
            assert planned.arg == "speakers", "the build assembles the others from entries"
            yield planned.file, render_speakers_data(site, indexes)
            continue
        if planned.kind in FEEDS:
            text = render_feed(site, indexes, planned.kind, planned.arg)
        elif planned.kind == "sitemap":
            text = render_sitemap(site, indexes)
        else:
            page = _view(views, planned)
            text = env.get_template(page.template).render(page=page, view=page.view,
                                                          site=site.config)
        yield planned.file, text.encode("utf-8")


def _view(views: ViewBuilder, planned: Planned) -> Any:
    if planned.kind == "speaker":
        return views.speaker(views.site.speakers[planned.arg], planned.page)
    if planned.kind == "home":
        return views.home(planned.page)
    if planned.kind in paging.LISTS:
        return getattr(views, planned.kind)(planned.arg, planned.page)
    method = getattr(views, planned.kind)
    return method(planned.arg) if planned.arg is not None else method()


def _absolute(site: Site, path: str) -> str:
    return site.config.base_url + path


def _timestamp(site: Site, slug: str) -> str:
    source = site.briefings[slug].source
    if source.published_at:
        return source.published_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return datetime.combine(source.published, time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated(site: Site, indexes: Indexes, slug: str) -> str:
    """When a briefing last changed: its publication, or the later day it was
    annotated or updated (at midnight UTC)."""
    later = indexes.bumped.get(slug)
    if later is None:
        return _timestamp(site, slug)
    return datetime.combine(later, time(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The kinds of feed: the site's, a speaker's and a tag's.
FEEDS = frozenset({"feed", "speaker_feed", "tag_feed"})


def feed_entries(indexes: Indexes, kind: str, arg: Any) -> tuple[str, ...]:
    """The briefings a feed holds, the latest first: the site's by the latest of
    publication, annotation and update; a speaker's (those they speak in) and
    a tag's by publication."""
    if kind == "speaker_feed":
        return indexes.briefings_by_speaker.get(arg, ())[:FEED_ENTRIES]
    if kind == "tag_feed":
        return indexes.tags[arg].briefings[:FEED_ENTRIES]
    return indexes.latest_first[:FEED_ENTRIES]


def render_feed(site: Site, indexes: Indexes, kind: str = "feed", arg: Any = None) -> str:
    """An Atom feed of the latest briefings (RFC 4287): the site's, or those of
    one speaker or one tag (``kind`` and ``arg`` as planned)."""
    config = site.config
    latest = feed_entries(indexes, kind, arg)
    page, title = urls.HOME, config.title
    if kind == "speaker_feed":
        page, title = urls.speaker(arg), f"{site.speakers[arg].name} · {config.title}"
    elif kind == "tag_feed":
        page, title = urls.tag(arg), f"Tagged {indexes.tags[arg].name} · {config.title}"
    updated = max((_updated(site, indexes, s) for s in latest), default="1970-01-01T00:00:00Z")
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{xml_escape(config.language)}">',
        f"  <title>{xml_escape(title)}</title>",
    ]
    if config.description and kind == "feed":
        lines.append(f"  <subtitle>{xml_escape(config.description)}</subtitle>")
    lines += [
        f'  <link rel="alternate" type="text/html" href="{_attribute(_absolute(site, page))}"/>',
        f'  <link rel="self" type="application/atom+xml" '
        f'href="{_attribute(_absolute(site, page + urls.FEED))}"/>',
        # (The site's feed is named by the site's address, as it always was.)
        f"  <id>{xml_escape(_absolute(site, page + urls.FEED) if page else config.base_url)}</id>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{xml_escape(config.title)}</name></author>",
    ]
    for slug in latest:
        briefing = site.briefings[slug]
        url = _attribute(_absolute(site, urls.briefing(slug)))
        summary = briefing.subtitle or " ".join(briefing.summary.split()) or briefing.title
        if kind == "speaker_feed":  # what they said there, where it is annotated
            said = [q.anchor.text for q in briefing.quotes if q.speaker == arg]
            if said:
                summary = f"“{' '.join(said[0].split())}”" + (
                    f" and {len(said) - 1} more quote{'s' if len(said) > 2 else ''}"
                    if len(said) > 1 else "")
        lines += [
            "  <entry>",
            f"    <title>{xml_escape(briefing.title)}</title>",
            f'    <link rel="alternate" type="text/html" href="{url}"/>',
            f"    <id>{url}</id>",
            f"    <published>{_timestamp(site, slug)}</published>",
            f"    <updated>{_updated(site, indexes, slug)}</updated>",
            f"    <summary>{xml_escape(summary)}</summary>",
        ]
        for tag in briefing.tags:
            lines.append(f'    <category term="{_attribute(urls.tag_slug(tag))}" '
                         f'label="{_attribute(tag)}"/>')
        lines.append("  </entry>")
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def xml_escape(text: str) -> str:
    """Text as XML content: '&', '<' and '>' written as entities."""
    return html.escape(text, quote=False)


def _attribute(value: str) -> str:
    return xml_escape(value).replace('"', "&quot;")


def page_paths(site: Site, indexes: Indexes) -> list[str]:
    """Every HTML page a reader can reach, as site paths (404 excluded)."""
    size = site.config.page_size

    def pages(kind: str, arg: Any) -> list[str]:
        return [path for _, path in paging.paths(indexes, kind, arg, size)]

    return (pages("home", None) + [urls.SPEAKERS, urls.DATES, urls.TAGS]
            + [urls.briefing(s) for s in indexes.chronological]
            + [p for s in sorted(site.speakers) for p in pages("speaker", s)]
            + [p for d in indexes.days for p in pages("day", d)]
            + [p for d in indexes.periods for p in pages("period", d)]
            + [p for t in indexes.tags for p in pages("tag", t)])


def render_sitemap(site: Site, indexes: Indexes) -> str:
    lastmod = {urls.briefing(s): card.published for s, card in indexes.cards.items()}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path in page_paths(site, indexes):
        lines.append(f"  <url><loc>{xml_escape(_absolute(site, path))}</loc>"
                     + (f"<lastmod>{lastmod[path].isoformat()}</lastmod>" if path in lastmod
                        else "") + "</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def render_speakers_data(site: Site, indexes: Indexes) -> bytes:
    """data/speakers.json (docs/data.md). The other three data files are made
    of each briefing's entries (:func:`data_entries`), which the build keeps
    from one build to the next and assembles with :func:`data_file`."""
    entries = []
    for speaker in sorted(site.speakers.values(), key=lambda s: s.id):
        dates = indexes.speaker_dates.get(speaker.id)
        entries.append(_entry({
            "id": speaker.id, **_link(site, urls.speaker(speaker.id)), "name": speaker.name,
            "role": speaker.title, "affiliation": speaker.affiliation,
            "aliases": list(speaker.aliases), "description": speaker.description,
            "links": dict(speaker.links),
            "quotes": len(indexes.quotes_by_speaker.get(speaker.id, ())),
            "turns": len(indexes.turns_by_speaker.get(speaker.id, ())),
            "briefings": list(indexes.briefings_by_speaker.get(speaker.id, ())),
            "first": dates[0].iso if dates else None, "last": dates[1].iso if dates else None,
            # (format 1.1: only where they are given)
            **({"roles": [{"role": h.text, "from": h.start, "to": h.end} for h in speaker.roles]}
               if speaker.roles else {}),
            **({"dated_aliases": [{"name": h.text, "from": h.start, "to": h.end}
                                  for h in speaker.dated_aliases]}
               if speaker.dated_aliases else {}),
        }))
    return data_file(site, "speakers", entries)


def data_entries(kind: str, site: Site, indexes: Indexes, articles: Mapping[str, Article],
                 slug: str) -> list[bytes]:
    """What one briefing puts in the data file ``kind`` (briefings, quotes or
    events): its entries, as they are written there."""
    if kind == "briefings":
        return [briefing_entry(site, indexes, articles, slug)]
    briefing = site.briefings[slug]
    if kind == "quotes":
        return [_entry({"id": quote.id, "briefing": slug,
                        **_link(site, urls.briefing(slug) + "#" + quote.id),
                        "speaker": quote.speaker, "text": quote.anchor.text,
                        "said_on": quote.said_in.iso, "occasion": quote.occasion,
                        "note": quote.note,
                        # (format 1.1: only where it is given)
                        **({"reported_by": quote.reported_by} if quote.reported_by else {}),
                        **_role_then(site.speakers.get(quote.speaker), quote.said_on)})
                for quote in briefing.quotes]
    return [_entry({"id": event.id, "briefing": slug,
                    **_link(site, urls.briefing(slug) + "#" + event.id),
                    "start": event.starts.iso, "end": event.ends.iso,
                    # (Format 1.1: a month or a year, with the date as written.)
                    **({"date": _written(event)} if event.precision != "day" else {}),
                    "summary": event.summary,
                    "anchor": event.anchor.text if event.anchor else None})
            for event in briefing.events]


def _role_then(speaker: Speaker | None, day: date) -> dict[str, str]:
    """``role``: the role held on ``day``, for a speaker with a history of roles."""
    role = speaker.role_then(day) if speaker else ""
    return {"role": role} if role else {}


def _written(event: Event) -> str:
    """An event's date as the annotations write it: ``2021-09``, ``2014/2016``."""
    return f"{event.starts.iso}/{event.ends.iso}" if event.is_range else event.starts.iso


def briefing_entry(site: Site, indexes: Indexes, articles: Mapping[str, Article],
                   slug: str) -> bytes:
    """One briefing's entry in the briefings' data file, as it is written there."""
    briefing = site.briefings[slug]
    source = briefing.source
    article = articles[slug]
    return _entry({
        "slug": slug, **_link(site, urls.briefing(slug)),
        "title": briefing.title, "subtitle": briefing.subtitle,
        "source": {"outlet": source.outlet, "published": source.published,
                   "published_at": source.published_at, "url": source.url,
                   "author": source.author, "dateline": source.dateline,
                   "license": source.license},
        "summary": briefing.summary, "tags": list(briefing.tags),
        "speakers": list(indexes.speakers_by_briefing[slug]),
        "mentioned": list(indexes.mentioned_by_briefing[slug]),
        "quotes": [q.id for q in briefing.quotes],
        "events": [e.id for e in briefing.events],
        "notes": [{"id": n.id, "anchor": n.anchor.text, "note": n.note}
                  for n in briefing.notes],
        "turns": [{"id": t.id, "speaker": t.speaker, "opening": t.opening}
                  for t in article.turns],
        "related": list(indexes.related[slug]),
        "previous": indexes.previous[slug], "next": indexes.next[slug],
        "words": article.words,
        # Editorial metadata (format 1.1), where the annotations have it.
        **({"annotated_by": list(briefing.annotated_by)} if briefing.annotated_by else {}),
        **({"annotated_on": briefing.annotated_on} if briefing.annotated_on else {}),
        **({"updates": [{"date": day, "note": note} for day, note in briefing.updates]}
           if briefing.updates else {}),
    })


_JSON = orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_DATETIME


def _entry(item: dict[str, Any]) -> bytes:
    """An item of a data file, indented as the file's list holds it (a JSON
    string holds no line break, so every line break is the layout's)."""
    return orjson.dumps(item, default=_json_default, option=_JSON).replace(b"\n", b"\n    ")


ENTRIES_SEPARATOR = b",\n    "


def data_envelope(site: Site, kind: str) -> bytes:
    """A data file with no items: the document whose list ``[]`` closes it."""
    return orjson.dumps({"format": f"briefings/{kind}", "version": DATA_VERSION,
                         "site": {"title": site.config.title, "base_url": site.config.base_url},
                         kind: []}, option=_JSON)


def data_file(site: Site, kind: str, entries: list[bytes]) -> bytes:
    """A data file: its envelope, and its items (made by :func:`_entry`) in
    order, as one document written with an indent of two."""
    envelope = data_envelope(site, kind)
    assert envelope.endswith(b"[]\n}"), "the items' list closes the document"
    if not entries:
        return envelope + b"\n"
    return b"".join((envelope[:-4], b"[\n    ", ENTRIES_SEPARATOR.join(entries), b"\n  ]\n}\n"))


def _link(site: Site, path: str) -> dict[str, str]:
    return {"path": path, "url": _absolute(site, path)}


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
