"""A synthetic news corpus, the same articles as three sites: ours, Hugo's and Pelican's.

    python benchmarks/generate.py --count 10000 --out benchmarks/.work/synthetic-10000

writes, under the output folder:

    briefings/   site.yaml, content/speakers.yaml, content/briefings/<slug>.md + .yaml
    hugo/        hugo.toml, content/briefings/<slug>.md, layouts/ (a minimal theme)
    pelican/     pelicanconf.py, content/<slug>.md, theme/ (a minimal theme)

Each article is about 600 words (3.6 KiB) of Markdown, has one to three speakers
and two or three tags, and is dated; every site builds one page per article
plus its taxonomy pages (speakers, tags, months or days). Our articles also
carry four or five quotes (exact passages of the article, so every anchor
resolves), an event and a note.

The text comes from one seeded generator that uses only ``random()``, whose
sequence Python keeps the same across versions and machines: the same count
and seed give byte-identical files on every run.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

SEED = 20240601
SPEAKERS = 300
TAGS = 120
WORDS_PER_ARTICLE = 600
HOURS_BETWEEN_ARTICLES = 2.6  # ~9 a day: 10,000 articles span about three years
START = datetime(2021, 1, 4, 7, 0, tzinfo=UTC)

# Common English words; their mean length gives ~6 bytes a word with spaces and
# punctuation, so 600 words make the 3.6 KiB of the peers' measurements.
WORDS = """
the of and to in a is that for it as was with be by on not he this are or his from
at which but have an they you were her she there been one all we their has would
when if so no will can more about said its also who up time out new after than
first other into two over such some could these many only years year then them
those most people may state well three government minister country week month
officials plan policy public report talks council meeting budget security region
economy election border trade energy market support press agency statement
program agreement national local party leaders court health service workers city
province capital official forces army ministry foreign office house senate member
members group groups union company companies bank prices rates growth inflation
costs funding project projects water food power network system systems schools
hospital hospitals doctors patients teachers students families children voters
citizens residents farmers drivers nurses police protest protests strike strikes
talks peace ceasefire aid relief crisis storm flood fire drought harvest season
summit visit trip delegation treaty accord proposal measure measures reform law
laws bill bills vote votes debate committee hearing inquiry review decision
decisions response response increase decrease rise fall change changes record
level levels target targets percent million billion dozen several dozens number
early late recent current former next last final major minor senior junior key
critical central northern southern eastern western coastal rural urban regional
national international global domestic economic political military financial legal
social digital public private joint formal informal official initial annual daily
weekly quarterly long short strong weak clear broad narrow deep high low
announced confirmed reported declined rejected approved agreed signed expected
planned warned argued insisted stressed noted added described called urged asked
said told wrote suggested proposed promised pledged vowed launched opened closed
raised lowered cut extended delayed postponed resumed suspended continued started
ended reached met visited travelled returned arrived left joined supported opposed
backed criticised praised welcomed condemned denied admitted accepted refused
while during before after since until because although though however despite
according between against among across around within without toward towards
under above below behind beyond near along through throughout upon whether
again already still even just also often never always sometimes later soon
""".split()

# Short function words, drawn often, as in prose.
SHORT_WORDS = "the of and to in a is that for it as was on be by at an or he we has".split()

FIRST_NAMES = """
Amara Anton Beatriz Bilal Camille Chen Dalia Dmitri Elena Emeka Farah Felix Giulia
Goran Hana Hugo Ines Ivan Jonas Julia Kamal Kenji Lara Lucas Maya Mehmet Nadia
Nikolai Olga Omar Paula Pedro Rania Rafael Sara Sergei Tamar Tomas Ursula Viktor
Wen Yara Yusuf Zainab Zoran Alma Bruno Clara Diego
""".split()
SYLLABLES_START = "Ba Bel Cor Dan Del Fer Gal Har Kel Kor Lan Mar Mor Nor Pal Ren Sal Tor Val Vor"
SYLLABLES_END = "ano ard berg ek enko ez ford ić ini ov ski sen son tas ura ven wick yan zadeh"
ROLES = """
Minister of Finance|Minister of Foreign Affairs|Minister of Defence|Minister of Health|
Minister of Energy|Minister of Trade|Prime Minister|President|Vice President|Speaker of
Parliament|Governor|Mayor|Central Bank Governor|Spokesperson|Ambassador|Senator|
Opposition Leader|Union Leader|Chief Executive|Professor of Economics|Analyst|Army Chief
""".replace("\n", " ").split("|")
ROLES = [role.strip() for role in ROLES]
AFFILIATIONS = """
Republic of Arland|Kingdom of Belmora|Federation of Corvia|Dalmar Union|Republic of
Estova|Ferland|Galicor|Harven Islands|Istra|Jorvia|Kelmar|Lunaria
""".replace("\n", " ").split("|")
AFFILIATIONS = [name.strip() for name in AFFILIATIONS]
TAG_WORDS = """
Arland Belmora Corvia Dalmar Estova Ferland Galicor Harven Istra Jorvia Kelmar Lunaria
Economy Elections Energy Trade Health Security Climate Migration Diplomacy Budget
Education Transport Agriculture Housing Labour Technology Justice Defence Water Tourism
""".split()
TAG_QUALIFIERS = "Policy|Crisis|Reform|Talks|Summit|Outlook|Protests|Review".split("|")
MONTHS = ("January February March April May June July August September October November "
          "December").split()


class Rng:
    """Only ``random()``: its sequence is fixed for a seed across Python versions,
    while helpers such as ``choice`` and ``sample`` may change between them."""

    def __init__(self, seed: int):
        self._random = random.Random(seed)

    def below(self, n: int) -> int:
        return int(self._random.random() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high]."""
        return low + self.below(high - low + 1)

    def pick(self, items: list[str] | tuple[str, ...]) -> str:
        return items[self.below(len(items))]

    def chance(self, p: float) -> bool:
        return self._random.random() < p

    def distinct(self, items: list[str], count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < count:
            item = self.pick(items)
            if item not in chosen:
                chosen.append(item)
        return chosen


@dataclass(frozen=True)
class Speaker:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    role: str = ""
    affiliation: str = ""


@dataclass(frozen=True)
class Quote:
    speaker: str  # a speaker id
    words: str  # exactly as they stand in the article
    occurrence: int | None = None  # needed when the words occur more than once


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    published: datetime
    summary: str
    body: str  # Markdown
    speakers: tuple[str, ...]  # speaker ids, the article's order
    tags: tuple[str, ...]
    quotes: tuple[Quote, ...] = ()
    events: tuple[tuple[date, str, str], ...] = ()  # (date, summary, anchor)
    notes: tuple[tuple[str, str], ...] = ()  # (anchor, note)
    labels: tuple[tuple[str, str | None], ...] = ()  # transcript label -> speaker id
    outlet: str = "Synthetic Wire"
    url: str = ""
    license: str = "CC0 1.0 (synthetic text)"


def make_speakers(rng: Rng, count: int) -> list[Speaker]:
    surnames: list[str] = []
    for start in SYLLABLES_START.split():
        for end in SYLLABLES_END.split():
            surnames.append(start + end)
    order = list(range(len(surnames)))
    for i in range(len(order) - 1, 0, -1):  # Fisher-Yates with our own rng
        j = rng.below(i + 1)
        order[i], order[j] = order[j], order[i]
    speakers = []
    for n in range(count):
        surname = surnames[order[n % len(order)]]
        first = FIRST_NAMES[(n * 7 + n // len(order)) % len(FIRST_NAMES)]
        name = f"{first} {surname}"
        speakers.append(Speaker(_slug(name) + (f"-{n}" if n >= len(order) else ""), name,
                                (surname,), rng.pick(ROLES), rng.pick(AFFILIATIONS)))
    return speakers


def make_tags(count: int) -> list[str]:
    tags = []
    for qualifier in TAG_QUALIFIERS:
        for word in TAG_WORDS:
            tags.append(f"{word} {qualifier}")
    return tags[:count]


def _slug(text: str) -> str:
    ascii_text = text.replace("ć", "c").lower()
    out = "".join(c if c.isalnum() else "-" for c in ascii_text)
    return "-".join(part for part in out.split("-") if part)


def _word(rng: Rng) -> str:
    return rng.pick(SHORT_WORDS) if rng.chance(0.3) else rng.pick(WORDS)


def _sentence(rng: Rng, low: int = 8, high: int = 22) -> str:
    words = [_word(rng) for _ in range(rng.between(low, high))]
    if len(words) > 9 and rng.chance(0.5):
        words[rng.between(3, len(words) - 4)] += ","
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _paragraph(rng: Rng) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.between(2, 4)))


def make_article(rng: Rng, index: int, speakers: list[Speaker], tags: list[str]) -> Article:
    published = START + timedelta(hours=index * HOURS_BETWEEN_ARTICLES + rng.below(60) / 60)
    # The first speaker walks through the registry, so every speaker is used.
    cast = [speakers[index % len(speakers)]]
    for extra in rng.distinct([s.id for s in speakers], rng.between(0, 2)):
        speaker = next(s for s in speakers if s.id == extra)
        if speaker not in cast:
            cast.append(speaker)
    chosen_tags = rng.distinct(tags, rng.between(2, 3))
    headline_words = [rng.pick(WORDS) for _ in range(rng.between(4, 8))]
    title = f"{cast[0].aliases[0]} {' '.join(headline_words)}"
    slug = f"{published:%Y-%m-%d}-{_slug(title)[:60].strip('-')}-{index:05d}"

    paragraphs: list[str] = []
    quotes: list[Quote] = []
    lead = cast[0]
    opening = _paragraph(rng)
    paragraphs.append(f"{lead.name}, the {lead.role} of {lead.affiliation}, "
                      f"{opening[0].lower()}{opening[1:]}")
    quote_count = rng.between(4, 5)
    for n in range(quote_count):
        speaker = cast[n % len(cast)]
        words = _sentence(rng, 10, 20)
        if rng.chance(0.4):
            words += " " + _sentence(rng, 6, 14)
        # Full name at a speaker's first quote, surname after.
        attribution = f"{speaker.name} said" if n < len(cast) else f"said {speaker.aliases[0]}"
        paragraphs.append(f"“{words}” {attribution}. {_sentence(rng)}")
        quotes.append(Quote(speaker.id, words))
        paragraphs.append(_paragraph(rng))
    event_day = (published - timedelta(days=rng.between(1, 30))).date()
    event_words = " ".join(_word(rng) for _ in range(rng.between(6, 12)))
    event_anchor = f"On {event_day.day} {MONTHS[event_day.month - 1]}, {event_words}"
    paragraphs.insert(2, f"{event_anchor}. {_paragraph(rng)}")
    words_so_far = sum(len(p.split()) for p in paragraphs)
    while words_so_far < WORDS_PER_ARTICLE:
        paragraph = _paragraph(rng)
        paragraphs.append(paragraph)
        words_so_far += len(paragraph.split())
    note_paragraph = paragraphs[-1]
    note_words = note_paragraph.split()
    start = rng.between(0, max(0, len(note_words) - 7))
    note_anchor = " ".join(note_words[start:start + rng.between(4, 7)]).rstrip(",.")
    body = "\n\n".join(paragraphs) + "\n"
    # Anchors are unique passages, so no annotation needs an occurrence number.
    if body.count(note_anchor) != 1 or len(note_anchor) < 12:
        note_anchor = note_paragraph[:-1]
    for anchor in [q.words for q in quotes] + [event_anchor, note_anchor]:
        assert body.count(anchor) == 1, anchor
    return Article(
        slug=slug,
        title=title[0].upper() + title[1:],
        published=published,
        summary=f"{lead.name} on {chosen_tags[0].lower()}: {_sentence(rng, 8, 14)}",
        body=body,
        speakers=tuple(s.id for s in cast),
        tags=tuple(chosen_tags),
        quotes=tuple(quotes),
        events=((event_day, f"{event_words.capitalize()}.", event_anchor),),
        notes=((note_anchor, _sentence(rng, 10, 18)),),
    )


def make_corpus(count: int, seed: int = SEED) -> tuple[list[Speaker], list[str], list[Article]]:
    rng = Rng(seed)
    speakers = make_speakers(rng, min(SPEAKERS, max(1, count)))
    tags = make_tags(TAGS)
    return speakers, tags, [make_article(rng, i, speakers, tags) for i in range(count)]


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as file:
        file.write(text)


# -- our format ------------------------------------------------------------------

def write_briefings(root: Path, speakers: list[Speaker], articles: list[Article],
                    site: dict[str, str]) -> None:
    _write(root / "site.yaml", "".join(f"{key}: {_q(value)}\n" for key, value in site.items()))
    lines = []
    for s in speakers:
        lines += [f"{s.id}:", f"  name: {_q(s.name)}"]
        lines += [f"  {key}: {_q(value)}" for key, value in (("role", s.role),
                                                             ("affiliation", s.affiliation))
                  if value]
        if s.aliases:
            lines.append("  aliases: [" + ", ".join(_q(a) for a in s.aliases) + "]")
    _write(root / "content" / "speakers.yaml", "\n".join(lines) + "\n")
    for a in articles:
        base = root / "content" / "briefings" / a.slug
        _write(base.with_suffix(".md"), a.body)
        _write(base.with_suffix(".yaml"), briefing_yaml(a))


def briefing_yaml(a: Article) -> str:
    lines = [f"title: {_q(a.title)}", "source:", f"  outlet: {_q(a.outlet)}",
             f"  published: {_iso(a.published)}"]
    lines += [f"  url: {_q(a.url)}"] if a.url else []
    lines += [f"  license: {_q(a.license)}"]
    lines += [f"summary: {_q(a.summary)}"] if a.summary else []
    lines += ["tags: [" + ", ".join(_q(t) for t in a.tags) + "]"]
    if a.labels:
        lines += ["transcript:", "  labels:"]
        lines += [f"    {_q(label)}: {speaker or 'null'}" for label, speaker in a.labels]
    if a.quotes:
        lines.append("quotes:")
    for q in a.quotes:
        lines += [f"  - speaker: {q.speaker}", f"    quote: {_q(q.words)}"]
        lines += [f"    occurrence: {q.occurrence}"] if q.occurrence else []
    if a.events:
        lines.append("events:")
    for day, summary, anchor in a.events:
        lines += [f"  - date: {day.isoformat()}", f"    summary: {_q(summary)}",
                  f"    anchor: {_q(anchor)}"]
    if a.notes:
        lines.append("notes:")
    for anchor, note in a.notes:
        lines += [f"  - anchor: {_q(anchor)}", f"    note: {_q(note)}"]
    return "\n".join(lines) + "\n"


def _fill(template: str, site: dict[str, str]) -> str:
    """The site's title and zone as quoted strings (JSON's are valid TOML and Python)."""
    return template.replace("@TITLE@", _q(site["title"])).replace("@TIMEZONE@",
                                                                   _q(site["timezone"]))


def _iso(moment: datetime) -> str:
    """ISO 8601 with the offset, ``Z`` for UTC."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# -- Hugo ------------------------------------------------------------------------

HUGO_CONFIG = """\
baseURL = "https://example.org/"
languageCode = "en"
title = @TITLE@
timeZone = @TIMEZONE@
# Pages and taxonomy lists as HTML, one feed of the 20 latest on the home page,
# and the sitemap: what our builder writes, less its JSON export.
[outputs]
  home = ["html", "rss"]
  section = ["html"]
  taxonomy = ["html"]
  term = ["html"]
[services.rss]
  limit = 20
[taxonomies]
  tag = "tags"
  speaker = "speakers"
  month = "months"
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{{ .Title }} | {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head>
<body><nav><a href="{{ "/" | relURL }}">Home</a>
<a href="{{ "speakers/" | relURL }}">Speakers</a>
<a href="{{ "months/" | relURL }}">Months</a> <a href="{{ "tags/" | relURL }}">Tags</a></nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p class="meta">{{ .Date.Format "2 January 2006" }} ·
{{ range .GetTerms "speakers" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ with .Summary }}<p class="summary">{{ . }}</p>{{ end }}
{{ .Content }}
<p>{{ range .GetTerms "tags" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a> {{ end }}</p>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</article>{{ end }}
""",
    "list.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ end }}
""",
    "home.html": """\
{{ define "main" }}<h1>{{ site.Title }}</h1>
<ul>{{ range (where site.RegularPages "Section" "briefings") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>
{{ end }}</ul>{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> ({{ .Count }})</li>
{{ end }}</ul>{{ end }}
""",
    "term.html": """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
{{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul>{{ end }}
""",
}


def write_hugo(root: Path, speakers: list[Speaker], articles: list[Article],
               site: dict[str, str]) -> None:
    names = {s.id: s.name for s in speakers}
    _write(root / "hugo.toml", _fill(HUGO_CONFIG, site))
    for name, text in HUGO_LAYOUTS.items():
        _write(root / "layouts" / name, text)
    _write(root / "static" / "style.css", "body { font-family: serif; max-width: 40em; }\n")
    for a in articles:
        front = ["---", f"title: {_q(a.title)}",
                 f"date: {_iso(a.published)}"]
        front += [f"summary: {_q(a.summary)}"] if a.summary else []
        front += ["tags: [" + ", ".join(_q(t) for t in a.tags) + "]",
                  "speakers: [" + ", ".join(_q(names[s]) for s in a.speakers) + "]",
                  f"months: [\"{a.published:%Y-%m}\"]", "---", ""]
        _write(root / "content" / "briefings" / f"{a.slug}.md", "\n".join(front) + a.body)


# -- Pelican ---------------------------------------------------------------------

PELICAN_CONFIG = """\
# Articles, a page per speaker (as authors), per tag and per month, one feed of
# the 20 latest and no pagination: what our builder writes, less its JSON export.
AUTHOR = "Newsroom"
SITENAME = @TITLE@
SITEURL = ""
PATH = "content"
TIMEZONE = @TIMEZONE@
DEFAULT_LANG = "en"
THEME = "theme"
DEFAULT_PAGINATION = False
DEFAULT_CATEGORY = "News"
FEED_DOMAIN = "https://example.org"
FEED_ALL_ATOM = "feed.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
ARTICLE_URL = ARTICLE_SAVE_AS = "briefings/{slug}/index.html"
AUTHOR_URL = AUTHOR_SAVE_AS = "speakers/{slug}/index.html"
TAG_URL = TAG_SAVE_AS = "tags/{slug}/index.html"
CATEGORY_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = "months/{date:%Y}/{date:%m}/index.html"
YEAR_ARCHIVE_SAVE_AS = ""
ARCHIVES_SAVE_AS = "months/index.html"
AUTHORS_SAVE_AS = "speakers/index.html"
TAGS_SAVE_AS = "tags/index.html"
CATEGORIES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "tags", "authors", "archives"]
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
"""

PELICAN_TEMPLATES = {
    "base.html": """\
<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{% block title %}{{ SITENAME }}{% endblock %}</title></head>
<body><nav><a href="/">Home</a> <a href="/speakers/">Speakers</a> <a href="/months/">Months</a>
<a href="/tags/">Tags</a></nav><main>{% block content %}{% endblock %}</main></body></html>
""",
    "article.html": """\
{% extends "base.html" %}{% block title %}{{ article.title }}{% endblock %}
{% block content %}<article><h1>{{ article.title }}</h1>
<p>{{ article.locale_date }} ·
{% for a in article.authors %}<a href="/{{ a.url }}">{{ a }}</a> {% endfor %}</p>
<p class="summary">{{ article.summary }}</p>
{{ article.content }}
<p>{% for t in article.tags %}<a href="/{{ t.url }}">{{ t }}</a> {% endfor %}</p>
</article>{% endblock %}
""",
    "index.html": """\
{% extends "base.html" %}{% block content %}<h1>{{ SITENAME }}</h1>
<ul>{% for a in articles %}<li><a href="/{{ a.url }}">{{ a.title }}</a>
{{ a.date.strftime("%Y-%m-%d") }}</li>{% endfor %}</ul>{% endblock %}
""",
    "list.html": """\
{% extends "base.html" %}{% block content %}
<ul>{% for a in articles %}<li><a href="/{{ a.url }}">{{ a.title }}</a>
{{ a.date.strftime("%Y-%m-%d") }}</li>{% endfor %}</ul>{% endblock %}
""",
    "tags.html": """\
{% extends "base.html" %}{% block content %}<h1>Tags</h1>
<ul>{% for tag, articles in tags|sort %}
<li><a href="/{{ tag.url }}">{{ tag }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>{% endblock %}
""",
    "authors.html": """\
{% extends "base.html" %}{% block content %}<h1>Speakers</h1>
<ul>{% for author, articles in authors|sort %}
<li><a href="/{{ author.url }}">{{ author }}</a> ({{ articles|count }})</li>
{% endfor %}</ul>{% endblock %}
""",
    "archives.html": """\
{% extends "base.html" %}{% block content %}<h1>Months</h1>
<ul>{% for year, months in dates|groupby("date.year") %}
{% for month, items in months|groupby("date.month") %}
<li><a href="/months/{{ year }}/{{ "%02d"|format(month) }}/">{{ year }}-{{ "%02d"|format(month) }}
</a> ({{ items|count }})</li>{% endfor %}{% endfor %}</ul>{% endblock %}
""",
    "period_archives.html": '{% extends "list.html" %}\n',
    "tag.html": '{% extends "list.html" %}\n',
    "author.html": '{% extends "list.html" %}\n',
    "category.html": '{% extends "list.html" %}\n',
    "categories.html": '{% extends "base.html" %}\n',
    "page.html": '{% extends "base.html" %}{% block content %}{{ page.content }}{% endblock %}\n',
}


def write_pelican(root: Path, speakers: list[Speaker], articles: list[Article],
                  site: dict[str, str]) -> None:
    names = {s.id: s.name for s in speakers}
    _write(root / "pelicanconf.py", _fill(PELICAN_CONFIG, site))
    for name, text in PELICAN_TEMPLATES.items():
        _write(root / "theme" / "templates" / name, text)
    for a in articles:
        head = [f"Title: {' '.join(a.title.split())}", f"Date: {a.published.isoformat()}",
                f"Slug: {a.slug}", f"Tags: {', '.join(a.tags)}"]
        head += [f"Authors: {', '.join(names[s] for s in a.speakers)}"] if a.speakers else []
        head += [f"Summary: {a.summary}"] if a.summary else []
        _write(root / "content" / f"{a.slug}.md", "\n".join(head) + "\n\n" + a.body)


FORMATS = {"briefings": write_briefings, "hugo": write_hugo, "pelican": write_pelican}
SITE = {"title": "Synthetic briefings", "base_url": "https://example.org/briefings/",
        "description": "A synthetic corpus for benchmarks.", "timezone": "UTC"}


def write_sites(out: Path, speakers: list[Speaker], articles: list[Article],
                formats: list[str], site: dict[str, str]) -> None:
    """The same articles as each format's site, in ``out/<format>/``."""
    for name in formats:
        folder = out / name
        if folder.exists():
            shutil.rmtree(folder)
        FORMATS[name](folder, speakers, articles, site)


def generate(out: Path, count: int, formats: list[str], seed: int = SEED) -> None:
    speakers, _, articles = make_corpus(count, seed)
    write_sites(out, speakers, articles, formats, SITE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="articles (default 10000)")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="comma-separated: briefings,hugo,pelican (default: all)")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown format: {', '.join(sorted(unknown))}")
    generate(args.out, args.count, formats, args.seed)
    print(f"wrote {args.count} articles as {', '.join(formats)} under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
