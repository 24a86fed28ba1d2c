"""Random text, Markdown and YAML through the whole build.

Each example writes a small site (one to three briefings) into a temporary
folder and builds it in process, as ``briefings build`` does. Whatever the
content, the build ends either in a site or in problems that each name their
file (and line, where the file has lines); no exception escapes. The pages it
writes are well formed and carry no element, attribute or script the content
brought in; the feed and the sitemap parse as XML and the data as JSON; and a
passage copied from a page's article is found again as a quote.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import html5lib
import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st

from builder import cache, load, render
from builder.load import NOT_TEXT
from builder.pipeline import Report, build
from builder.render import environment as make_environment
from builder.textmatch import fold
from builder.urls import tag_slug

from helpers import text_of, well_formed, without_search_markup
from linkcheck import broken_links

SLUGS = ("2022-01-10-first", "second", "third-3")
SPEAKER_IDS = ("vladimir-putin", "joe-biden")
# (No search index: Pagefind run for each of hundreds of random sites would be
# most of the time of these tests; test_search.py tests it.)
SITE = {"title": "Random briefings", "base_url": "https://example.org/r/", "search": False}
SPEAKERS = {"vladimir-putin": {"name": "Vladimir Putin", "aliases": ["Putin"]},
            "joe-biden": {"name": "Joe Biden"}}


def examples(count: int) -> settings:
    return settings(max_examples=count, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# -- writing and building a site --------------------------------------------

@pytest.fixture(autouse=True, scope="module")
def _compile_the_theme_once() -> Iterator[None]:
    """Every example builds with the default theme: compile its templates once
    for the module instead of once for each of hundreds of builds."""
    environments: dict[tuple[Path, ...], jinja2.Environment] = {}

    def environment(dirs: list[Path]) -> jinja2.Environment:
        key = tuple(dirs)
        if key not in environments:
            environments[key] = make_environment(dirs)
        return environments[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "environment", environment)
        yield


def dump(data: Any) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode("utf-8")


def write_site(root: Path, files: dict[str, bytes]) -> Path:
    """A site folder holding ``files`` (path -> bytes), with defaults for
    site.yaml and content/speakers.yaml."""
    site = root / "site"
    files = {"site.yaml": dump(SITE), "content/speakers.yaml": dump(SPEAKERS), **files}
    (site / "content" / "briefings").mkdir(parents=True)
    for relative, data in files.items():
        (site / relative).write_bytes(data)
    return site


def briefing_files(slug: str, article: bytes, annotations: bytes) -> dict[str, bytes]:
    return {f"content/briefings/{slug}.md": article,
            f"content/briefings/{slug}.yaml": annotations}


def build_and_check(site: Path) -> Report:
    """Build ``site`` into the folder ``out`` beside it and check every outcome
    property; a failed build must leave that folder as it was."""
    out = site.parent / "out"
    before = _snapshot(out)
    report = build(site, out, strict=False, write=True)
    if currently_in_test_context():  # for --hypothesis-show-statistics
        event("built" if report.ok else "problems")
    check_problems(site, report)
    if report.ok:
        sources = "\n".join(p.read_text("utf-8") for p in sorted(site.rglob("*"))
                             if p.is_file() and ".cache" not in p.relative_to(site).parts)
        check_output(out, _settings(site), sources)
    else:
        assert _snapshot(out) == before, "a failed build changed the output folder"
    return report


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# Problems with a file's name or place, not with a line of it.
_ABOUT_THE_FILE = ("bad slug", "no annotations for", "no article for", "unexpected file",
                   "annotations must end in", "missing file")


def _settings(site: Path) -> dict[str, Any]:
    """site.yaml of a site that built, so valid, read as the builder reads it
    (with libyaml, which takes a tab before a key's colon, as YAML allows)."""
    settings = yaml.load((site / "site.yaml").read_bytes(), Loader=yaml.CSafeLoader)
    return {**settings, "base_url": settings["base_url"].rstrip("/") + "/"}


def check_problems(site: Path, report: Report) -> None:
    for problem in report.problems:
        assert problem.message.strip(), f"empty message: {problem!r}"
        path = problem.where.path
        assert path and not path.startswith("/") and ".." not in path.split("/"), problem
        file = site / path
        if (file.is_file() and file.read_bytes().strip()
                and not problem.message.startswith(_ABOUT_THE_FILE)):
            assert problem.where.line >= 1, f"no line number: {problem}"


def check_output(out: Path, settings: dict[str, Any], sources: str) -> None:
    pages = sorted(out.rglob("*.html"))
    assert pages
    for page in pages:
        problems = page_problems(page.read_text(encoding="utf-8"),
                                 sanitised=settings.get("raw_html") == "sanitise")
        assert problems == [], page.relative_to(out)
    # Links the builder made lead somewhere; those written in the content are its own.
    base = settings["base_url"]
    broken, _ = broken_links(out, base)
    hrefs = [b.split(" -> ", 1)[1].rsplit(": ", 1)[0] for b in broken]
    assert [href for href in hrefs if href.startswith(("../", "./", "#", base))
            and href not in sources] == []
    for name in ("feed.xml", "sitemap.xml"):
        ElementTree.fromstring((out / name).read_bytes())
    data = sorted((out / "data").glob("*.json"))
    assert data
    for file in data:
        json.loads(file.read_text(encoding="utf-8"))


# -- what a page may hold ---------------------------------------------------

# Every element and attribute the default theme and the Markdown renderer emit.
ELEMENTS = frozenset("""
    html head meta title link script body header nav main footer article section div span a
    p ul ol li dl dt dd h1 h2 h3 h4 h5 h6 em strong code pre blockquote q hr br img table
    caption thead tbody tr th td mark sup time details summary s del figure figcaption style
""".split())
ATTRIBUTES = frozenset("""
    lang charset name content rel href type title class id aria-label aria-labelledby
    aria-current aria-hidden tabindex datetime cite value scope open start src alt style property
    hidden
""".split())
# With ``raw_html: sanitise`` an article may keep harmless markup of its own too.
SANITISED_ELEMENTS = frozenset("""
    abbr acronym b bdi bdo big cite col colgroup dfn figcaption figure font i ins kbd rp rt
    rtc ruby samp small strike sub tfoot tt u var wbr address center hgroup
""".split())
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")
_SCRIPT_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript):", re.IGNORECASE)


def page_problems(page: str, sanitised: bool = False) -> list[str]:
    """What is wrong with one written HTML page: nesting, parse errors, and any
    element, attribute, script or URL that did not come from the theme."""
    page = without_search_markup(page)
    problems = well_formed(page)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        tree = parser.parse(page)
    except html5lib.html5parser.ParseError as exc:
        return [*problems, f"HTML parse error: {exc} {parser.errors[:1]}"]
    # The theme's only script is the briefing's JSON-LD, in the head.
    scripts = list(tree.iter("script"))
    if page.lower().count("<script") != len(tree.findall("head/script")) or len(scripts) > 1:
        problems.append("a <script> outside the head")
    # The only style in a page is the 404 page's stylesheet, in its head.
    if page.lower().count("<style") != len(tree.findall("head/style")):
        problems.append("a <style> outside the head")
    for script in scripts:
        if script.get("type") != "application/ld+json":
            problems.append(f"a <script type={script.get('type')!r}>")
        try:
            json.loads(script.text or "")
        except ValueError as exc:
            problems.append(f"JSON-LD that does not parse: {exc}")
    ids = [element.get("id") for element in tree.iter() if "id" in element.attrib]
    problems += [f"bad id {i!r}" for i in ids if not i or re.search(r"\s", i)]
    problems += [f"id {i!r} twice" for i in sorted(set(ids)) if ids.count(i) > 1]
    allowed = ELEMENTS | SANITISED_ELEMENTS if sanitised else ELEMENTS
    for element in tree.iter():
        if element.tag not in allowed:
            problems.append(f"<{element.tag}> element")
        for name, value in element.attrib.items():
            if name.startswith("on") or not (sanitised or name in ATTRIBUTES
                                             or name.startswith("data-")):
                problems.append(f"{name}= attribute on <{element.tag}>")
            # (A chart's bar carries its height, a number the builder works out.)
            if name == "style" and element.tag not in ("th", "td") and not re.fullmatch(
                    r"--level: \d\.\d\d", value):
                problems.append(f"style= attribute on <{element.tag}>")
            # Browsers drop control characters and spaces around a URL and tabs
            # and line breaks inside it before they read its scheme.
            url = _IGNORED_IN_URLS.sub("", value)
            if _SCRIPT_SCHEME.match(url) or (name == "href" and url.lower().startswith("data:")):
                problems.append(f"script URL {value!r} in {name}= of <{element.tag}>")
    return problems


_VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _ArticleText(HTMLParser):
    """The text inside the element with ``class="article-body"``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.html: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            self.html.append(self.get_starttag_text() or "")
            if tag not in _VOID_ELEMENTS:
                self.depth += 1
        elif ("class", "article-body") in attrs:
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1
            if self.depth:
                self.html.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.html.append(data.replace("&", "&amp;").replace("<", "&lt;"))


def article_text(page: str) -> str:
    """What a reader sees of the article on a briefing page."""
    parser = _ArticleText()
    parser.feed(page)
    parser.close()
    return text_of("".join(parser.html))


# -- strategies: text ---------------------------------------------------------

# Any character a UTF-8 file can hold, now and then a control character, NUL or
# noncharacter (which are errors), mostly anything else.
text_characters = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]) | st.sampled_from(
    "\t\n")
any_text = st.one_of(st.text(text_characters, max_size=12), st.text(text_characters, max_size=12),
                     st.text(st.characters(codec="utf-8"), max_size=12))
words = st.sampled_from(["Putin", "said", "the", "threat", "Joe Biden", "“quoted”", "it’s", "—",
                         "CSTO", "Казахстан", "café", "a", "a", "1.", "x", "\u200b", "\u00ad"])
plain = st.lists(words, min_size=1, max_size=8).map(" ".join)
odd_urls = st.sampled_from([
    "https://example.org/a?b=1&c=<d>", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    " javascript:alert(1)", "java\tscript:alert(1)", "jav&#x61;script:alert(1)",
    "&#106;avascript:alert(1)", "javascript&colon;alert(1)", "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>", "data:image/png;base64,AAAA",
    "file:///etc/passwd", "//evil.example/", "#main", "mailto:a@example.org", "<>",
    "a b", "\"onmouseover=\"alert(1)", "x' onerror='alert(1)", "%00", "\x00", "",
    "https://example.org/\u202e", "(x)", "<javascript:alert(1)>",
])
fragments = st.sampled_from([
    "*em*", "**strong**", "_a_", "__b__", "`code`", "``a ` b``", "~~del~~", "\\", "\\*",
    "<script>alert(1)</script>", "</script>", "<script", "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>', "<div onclick=\"x()\">", "</div>", "<span>",
    "<iframe src=x></iframe>", "<svg onload=alert(1)>", "<style>*{}</style>", "<!-- c -->",
    "<![CDATA[ x ]]>", "<?php x ?>", "<!DOCTYPE html>", "<b", "a<b", "a > b", "&lt;", "&amp;",
    "&#0;", "&#x110000;", "&#xD800;", "&nbsp;", "&bogus;", "&#x1F600;", "&#65;", "&",
    "{{ 7*7 }}", "{{ site.title }}", "{% raw %}", "{% include 'base.html' %}", "{#", "#}",
    "[ref]", "[ref]: https://example.org", "[^1]", "  ", "\t", "\x00", "\x0b", "\x1b[31m",
    "\u2028", "\u2029", "\ufeff", "\ufffe", "\U0010ffff", "\u0085", "\r", "|", "***", "Q ",
    # raw HTML a sanitised article keeps, in part
    "<b>", "</b>", "<i>x</i>", '<abbr title="t">A</abbr>', "<sub>2</sub>", "<br>", "<wbr>",
    "<table><colgroup><col></colgroup><tr><td>c</td></tr></table>", "<ruby>漢<rt>kan</rt></ruby>",
    '<a href="https://example.org">raw link</a>', "<a href=x><a href=y>nested</a></a>",
    "<p>para", "</p>", "<ul><li>item", "<h2>head</h2>", "<mark>m</mark>", "<q>q</q>",
    '<img src="https://example.org/x.png" alt="pic">', "<details><summary>s</summary>d",
])
inline = st.one_of(
    fragments, words, any_text,
    st.builds("[{}]({})".format, plain, odd_urls),
    st.builds('[{}]({} "{}")'.format, plain, odd_urls, any_text),
    st.builds("![{}]({})".format, any_text, odd_urls),
    st.builds("<{}>".format, odd_urls),
)
line = st.lists(inline, min_size=1, max_size=6).map(" ".join)
block = st.one_of(
    line,
    st.builds("{}{}".format, st.sampled_from([
        "# ", "###### ", "####### ", "> ", "> > ", "- ", "* ", "+ ", "1. ", "2) ", "    ",
        "**Vladimir Putin:** ", "Vladimir Putin: ", "MS. PSAKI: ", "Q ", "- [ ] ", ": "]), line),
    st.builds("{}\n{}".format, line, st.sampled_from(["===", "---", "-", "=", "| --- |"])),
    st.builds("| {} | {} |\n|---|:-:|\n| {} | {} |".format, line, line, line, line),
    st.builds("```{}\n{}\n```".format, any_text, line),
    st.builds("~~~\n{}".format, line),  # never closed
    st.just("---"),
)
separators = st.sampled_from(["\n\n", "\n", "\r\n\r\n", "\r", "\n\n\n", "  \n", "\\\n", "\n    "])
article = st.lists(st.tuples(block, separators), max_size=6).map(
    lambda items: "".join(b + s for b, s in items))


# -- strategies: annotations, any value of any type -------------------------

scalar = st.one_of(any_text, words, st.integers(-10, 10**20), st.floats(), st.booleans(),
                   st.none())
anything = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                        | st.dictionaries(any_text, inner, max_size=3), max_leaves=5)
markdown = st.one_of(line, article, any_text)
days = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["2022-02-29", "2022-02-30", "2022-13-01", "2022-00-10", "0000-01-01",
                     "9999-12-31", "0001-01-01", "2022-1-1", "22-01-10", "2022-01-10 ",
                     "2022/01/10", "2022-01-10/2022-01-12", "2022-01-12/2022-01-10",
                     "2022-01-10/2022-01-10", "2022-01-10T25:00:00Z",
                     "2022-01-10T14:30:00+03:00", "2022-01-10T14:30:00", "2022-01-10T14:30Z",
                     "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "", "today"]),
    st.builds(lambda d, h: datetime.combine(d, datetime.min.time(),
                                            timezone(timedelta(hours=h))).isoformat(),
              st.dates(), st.integers(-23, 23)),
    scalar,
)
speaker_ids = st.one_of(st.sampled_from([*SPEAKER_IDS, "nobody", "Vladimir Putin",
                                         " joe-biden", "joe-biden\n"]), any_text)
occurrences = st.one_of(st.integers(-2, 4), st.sampled_from(["1", "two", 1.0]), st.booleans())
html_ids = st.one_of(st.sampled_from(["q1", "turn-1", "1x", "a b", 'a"b', "x<y>"]), any_text)
urls = st.one_of(odd_urls, any_text)


def annotation(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy:
    """A mapping with its required keys (sometimes missing one), some optional
    keys, now and then an unknown key, and now and then a value of a wrong type."""
    keys = {k: st.one_of(v, anything) if k != "speaker" else v for k, v in required.items()}
    return st.fixed_dictionaries(keys, optional={**{k: st.one_of(v, anything)
                                                    for k, v in optional.items()},
                                                 "colour": scalar})


def annotations(passages: st.SearchStrategy[str]) -> st.SearchStrategy:
    quote = annotation({"speaker": speaker_ids, "quote": passages},
                       {"said_on": days, "occasion": any_text, "note": markdown,
                        "occurrence": occurrences, "id": html_ids})
    event = annotation({"date": days, "summary": st.one_of(line, any_text)},
                       {"anchor": passages, "occurrence": occurrences, "id": html_ids})
    note = annotation({"anchor": passages, "note": markdown},
                      {"occurrence": occurrences, "id": html_ids})
    source = annotation({"outlet": any_text, "published": days},
                        {"url": urls, "author": any_text, "dateline": any_text,
                         "license": any_text})
    transcript = annotation({"labels": st.dictionaries(
        st.sampled_from(["Vladimir Putin", "MS. PSAKI", "Q", ""]) | any_text,
        st.one_of(speaker_ids, st.none()), max_size=3)},
        {"said_on": days, "occasion": any_text})
    return annotation(
        {"title": st.one_of(any_text, line), "source": source},
        {"subtitle": any_text, "summary": markdown,
         "tags": st.lists(st.one_of(any_text, words), max_size=3),
         "quotes": st.lists(quote, max_size=3), "events": st.lists(event, max_size=2),
         "notes": st.lists(note, max_size=2),
         "related": st.lists(st.sampled_from([*SLUGS, "missing", "Bad Slug"]), max_size=2),
         "transcript": transcript})


speakers = st.dictionaries(
    st.one_of(st.sampled_from(SPEAKER_IDS), any_text),
    annotation({"name": st.one_of(any_text, words)},
               {"role": any_text, "affiliation": any_text,
                "aliases": st.lists(st.one_of(any_text, words), max_size=2),
                "description": markdown,
                "links": st.dictionaries(any_text, urls, max_size=2)}),
    min_size=1, max_size=3)
site_settings = annotation(
    {"title": any_text, "base_url": st.one_of(st.sampled_from([
        "https://example.org/r/", "http://example.org", "https://example.org/a b/",
        "https://example.org/\"><script>alert(1)</script>", "https://x/?a=1&b=<c>",
        "javascript:alert(1)", "ftp://example.org/"]), any_text)},
    {"description": any_text, "language": st.sampled_from(["en", "pt-BR", "x", "en_US"]),
     "timezone": st.sampled_from(["UTC", "Europe/Moscow", "Mars/Olympus", "../etc", ""]),
     "link_mentions": st.booleans(), "raw_html": st.sampled_from(["text", "sanitise"])})


# -- strategies: valid annotations with random text --------------------------

# Every valid briefing's article opens with this sentence, so anchors cut from it
# are found whatever random Markdown follows.
KNOWN = "Vladimir Putin said the threat was real and Joe Biden agreed."


def as_text(text: str) -> str:
    """Random text made a valid value: what is not text removed, never blank."""
    return NOT_TEXT.sub("", text).strip() or "x"


texts = st.one_of(any_text, words, line).map(as_text)
markdown_texts = markdown.map(as_text)
valid_days = st.dates(date(1800, 1, 1), date(2200, 12, 31))
known_passages = st.tuples(st.integers(0, 10), st.integers(1, 11)).map(
    lambda span: " ".join(KNOWN.split()[min(span):max(span[0] + 1, span[1])]))


def optional(**values: st.SearchStrategy) -> dict[str, st.SearchStrategy]:
    return values


def valid_annotations(slugs: list[str]) -> st.SearchStrategy:
    quote = st.fixed_dictionaries(
        {"speaker": st.sampled_from(SPEAKER_IDS), "quote": known_passages,
         "occurrence": st.just(1)},
        optional=optional(said_on=valid_days.map(date.isoformat), occasion=texts,
                          note=markdown_texts))
    event = st.fixed_dictionaries(
        {"date": st.one_of(valid_days.map(date.isoformat), st.builds(
            lambda d, n: f"{d}/{d + timedelta(days=n)}", valid_days, st.integers(1, 400))),
         "summary": texts},
        optional=optional(anchor=known_passages, occurrence=st.just(1)))
    note = st.fixed_dictionaries({"anchor": known_passages, "note": markdown_texts,
                                  "occurrence": st.just(1)})
    published = st.one_of(valid_days.map(date.isoformat), st.builds(
        lambda d, h: datetime.combine(d, datetime.min.time(),
                                      timezone(timedelta(hours=h))).isoformat(),
        valid_days, st.integers(-23, 23)))
    source = st.fixed_dictionaries(
        {"outlet": texts, "published": published},
        optional=optional(url=st.one_of(odd_urls, texts), author=texts, dateline=texts,
                          license=texts))
    transcript = st.fixed_dictionaries(
        {"labels": st.dictionaries(st.sampled_from(["Vladimir Putin", "MS. PSAKI", "Q"]),
                                   st.sampled_from([*SPEAKER_IDS, None]), max_size=3)},
        optional=optional(said_on=valid_days.map(date.isoformat), occasion=texts))
    return st.fixed_dictionaries(
        {"title": texts, "source": source},
        optional=optional(
            subtitle=texts, summary=markdown_texts,
            tags=st.lists(st.one_of(texts, words), max_size=3, unique_by=tag_slug),
            quotes=st.lists(quote, max_size=3), events=st.lists(event, max_size=2),
            notes=st.lists(note, max_size=2), transcript=transcript,
            related=st.lists(st.sampled_from(slugs), max_size=2, unique=True)))


valid_speakers = st.fixed_dictionaries({
    speaker_id: st.fixed_dictionaries(
        {"name": texts},
        optional=optional(role=texts, affiliation=texts, description=markdown_texts,
                          aliases=st.lists(st.one_of(texts, words), max_size=2),
                          links=st.dictionaries(texts, st.one_of(odd_urls, texts),
                                                max_size=2)))
    for speaker_id in SPEAKER_IDS})
valid_settings = st.fixed_dictionaries(
    {"title": texts, "base_url": st.sampled_from(["https://example.org/r/",
                                                   "http://example.org",
                                                   "https://example.org/a?b=1&c=2"])},
    optional=optional(description=texts, language=st.sampled_from(["en", "pt-BR", "ru"]),
                      timezone=st.sampled_from(["UTC", "Europe/Moscow", "Pacific/Kiritimati"]),
                      link_mentions=st.booleans(),
                      raw_html=st.sampled_from(["text", "sanitise"])))


@st.composite
def sites(draw: st.DrawFn) -> dict[str, bytes]:
    """One to three briefings. Mostly valid annotations with random text, so the
    pages are built; now and then any value of any type, anchors cut from the
    article's source, bad slugs and broken settings."""
    chaos = draw(st.integers(0, 2)) == 0
    files: dict[str, bytes] = {}
    slugs = draw(st.lists(st.sampled_from([*SLUGS, "Bad_Slug", "a--b"] if chaos else SLUGS),
                          min_size=1, max_size=3, unique=True))
    for slug in slugs:
        if chaos:
            text = draw(article)
            copied = text.split()
            passages = st.one_of(any_text, words, st.lists(st.sampled_from(copied), min_size=1,
                                                            max_size=4).map(" ".join)
                                 ) if copied else st.one_of(any_text, words)
            data = draw(annotations(passages))
        else:
            text = KNOWN + "\n\n" + NOT_TEXT.sub("", draw(article))
            data = draw(valid_annotations([s for s in slugs if s != slug] or [slug]))
            if data.get("related") == [slug]:
                del data["related"]
        files.update(briefing_files(slug, text.encode(), dump(data)))
    if draw(st.booleans()):
        files["content/speakers.yaml"] = dump(draw(speakers if chaos else valid_speakers))
    if draw(st.booleans()):
        files["site.yaml"] = dump(draw(site_settings if chaos else valid_settings))
    return files


# -- strategies: YAML-ish text ------------------------------------------------

yaml_tokens = st.sampled_from([
    "title", "source", "outlet", "published", "quotes", "speaker", "quote", "notes", "note",
    "anchor", "events", "date", "summary", "tags", "related", "transcript", "labels", "Q",
    "occurrence", "id", "name", "aliases", "links", "base_url", "vladimir-putin",
    ":", ": ", "- ", "-", "&a ", "*a", "*b", "<<: *a", "<<: [*a]", "&b [x]",
    "!!python/object:os.system ",
    "!!python/object/apply:os.system ['true'] ", "!!python/name:os.system ", "!!binary ",
    "!!timestamp ", "!!set ", "!!omap ", "!!float ", "!!int ", "!!str ", "!!null ", "!custom ",
    "!<tag:yaml.org,2002:str> ", "[", "]", "{", "}", ", ", "? ", "|", ">", "|-", "|+2", '"',
    "'", "# ", "---", "...", "%YAML 1.1", "%TAG ! tag:example.org,2000:", "\t", "@", "`",
    "2022-01-10", "2022-02-30", "2022-01-10T14:30:00Z", "null", "~", "true", "yes", "0x1F",
    "0o17", "1e999", ".nan", "-.inf", "1_000", "\\", '"\\x00"', '"\\ud800"', '"\\U0010FFFF"',
    '"\\u0085"', "'a''b'", " ", "\u00a0", "\ufeff", "\x85", "\u2028",
])
yaml_line = st.tuples(
    st.sampled_from(["", "", "  ", "    ", "- ", "  - ", "      ", "\t", " "]),
    st.lists(st.one_of(yaml_tokens, yaml_tokens, any_text), max_size=6).map("".join),
).map("".join)
yaml_text = st.lists(yaml_line, max_size=12).map("\n".join)


@st.composite
def mutated_yaml(draw: st.DrawFn, valid: Any) -> str:
    """Valid YAML text with random tokens spliced in at random places."""
    text = dump(valid).decode()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.one_of(yaml_tokens, yaml_line)) + text[at:]
    return text


VALID_ANNOTATIONS = {"title": "T", "source": {"outlet": "O", "published": "2022-01-10"},
                     "quotes": [{"speaker": "vladimir-putin", "quote": "Putin said"}],
                     "notes": [{"anchor": "the threat", "note": "A *note*."}],
                     "events": [{"date": "2022-01-09/2022-01-11", "summary": "Talks"}],
                     "tags": ["CSTO"]}
VALID_ARTICLE = "Putin said the threat was real.\n\nJoe Biden agreed.\n"


# -- properties ---------------------------------------------------------------

@examples(100)
@example(files=briefing_files(SLUGS[0], b"", b"title: '0'\nsource:\n  outlet: '0'\n"
                                            b"  published: '9999-12-31T23:59:59-12:00'\n"))
@example(files=briefing_files(SLUGS[0], b"", b'title: "\\b"\nsource:\n  outlet: O\n'
                                            b"  published: '2000-01-01'\n"))
@given(files=sites())
def test_random_content_builds_or_reports_located_problems(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as root:
        build_and_check(write_site(Path(root), files))


@st.composite
def yaml_files(draw: st.DrawFn) -> tuple[str, str]:
    """One YAML file of the site, as random or mutated text."""
    path, valid = draw(st.sampled_from([(f"content/briefings/{SLUGS[0]}.yaml", VALID_ANNOTATIONS),
                                        ("content/speakers.yaml", SPEAKERS),
                                        ("site.yaml", SITE)]))
    return path, draw(st.one_of(yaml_text, mutated_yaml(valid)))


@examples(150)
@example(file=("site.yaml", 'title: Random briefings\nbase_url: https://"\\x00"example.org/r/\n'))
@example(file=(f"content/briefings/{SLUGS[0]}.yaml", "\x1ftitle: T\n"))
@example(file=(f"content/briefings/{SLUGS[0]}.yaml", "!!int "))  # a tag on nothing
@example(file=("site.yaml", "title\t: Random briefings\nbase_url: https://example.org/r/\n"))
@given(file=yaml_files())
def test_random_yaml_text_builds_or_reports_located_problems(file: tuple[str, str]) -> None:
    path, text = file
    files = {**briefing_files(SLUGS[0], VALID_ARTICLE.encode(), dump(VALID_ANNOTATIONS)),
             path: text.encode()}
    with tempfile.TemporaryDirectory() as root:
        build_and_check(write_site(Path(root), files))


def _lines_before(data: bytes, offset: int) -> int:
    """The 1-based line of a byte offset, counting every kind of line end."""
    return len(re.split(rb"\r\n|\r|\n", data[:offset]))


@examples(60)
@given(target=st.sampled_from(["article", "annotations", "speakers", "site"]),
       bad=st.sampled_from([b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80",
                            b"\xf4\x90\x80\x80", b"\xe2\x82", b"\xf0\x9f\x98"]),
       data=st.data())
def test_a_file_that_is_not_utf8_is_one_clear_error(target: str, bad: bytes, data: Any) -> None:
    path = {"article": f"content/briefings/{SLUGS[0]}.md",
            "annotations": f"content/briefings/{SLUGS[0]}.yaml",
            "speakers": "content/speakers.yaml", "site": "site.yaml"}[target]
    files = briefing_files(SLUGS[0], VALID_ARTICLE.encode(), dump(VALID_ANNOTATIONS))
    files = {"site.yaml": dump(SITE), "content/speakers.yaml": dump(SPEAKERS), **files}
    original = files[path].replace(b"\n", data.draw(st.sampled_from([b"\n", b"\r\n", b"\r"])))
    at = data.draw(st.integers(0, len(original)))
    files[path] = original[:at] + bad + original[at:]
    try:
        files[path].decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    with tempfile.TemporaryDirectory() as root:
        report = build_and_check(write_site(Path(root), files))
    written = files[path]
    line_start = max(written.rfind(b"\n", 0, first_bad), written.rfind(b"\r", 0, first_bad)) + 1
    where = f"{path}:{_lines_before(written, first_bad)}:{first_bad - line_start + 1}"
    assert [str(p).split(": error: ")[0] for p in report.problems if p.is_error] == [where]
    assert "not UTF-8" in report.problems[0].message


_SIDE_NOTE = re.compile(r'<sup class="note-ref"[^>]*>.*?</sup><span class="sidenote"[^>]*>'
                        r'<span class="sidenote-number">\d+</span>.*?</span>', re.S)


@examples(40)
@given(text=st.tuples(st.lists(st.sampled_from(["Putin", "said", "the", "threat", "“quoted”",
                                                 "it’s", "—", "Казахстан", "a"]), min_size=1,
                                max_size=6).map(" ".join),
                       article.map(lambda text: NOT_TEXT.sub("", text))).map("\n\n".join),
       data=st.data())
def test_a_passage_copied_from_the_page_is_found(text: str, data: Any) -> None:
    """Words copied from the article as a page shows it, as a quote, are found
    and highlighted; notes and events on other copied passages may overlap it."""
    slug = SLUGS[0]
    annotations: dict[str, Any] = {"title": "T",
                                   "source": {"outlet": "O", "published": "2022-01-10"}}
    if data.draw(st.booleans()):
        annotations["transcript"] = {"labels": {"Vladimir Putin": "vladimir-putin",
                                                "MS. PSAKI": "joe-biden", "Q": None}}
    files = briefing_files(slug, text.encode(), dump(annotations))
    files["site.yaml"] = dump({**SITE, "raw_html": data.draw(st.sampled_from(["text",
                                                                             "sanitise"]))})
    with tempfile.TemporaryDirectory() as root:
        site = write_site(Path(root), files)
        assert build_and_check(site).ok
        page = (site.parent / "out" / "briefings" / slug / "index.html").read_text("utf-8")
        # A reader copies what they see: a word of invisible characters alone is left out.
        seen = [word for word in article_text(page).split() if fold(word)]

        def copy() -> str:
            start = data.draw(st.integers(0, len(seen) - 1))
            end = data.draw(st.integers(start + 1, min(len(seen), start + 12)))
            return " ".join(seen[start:end])

        passage = copy()
        # The first occurrence of each: found, whether or not it is the copied one.
        annotations["notes"] = [{"anchor": copy(), "note": data.draw(markdown_texts),
                                 "occurrence": 1, "id": f"n{n}"}
                                for n in range(data.draw(st.integers(0, 2)))]
        annotations["events"] = [{"date": "2022-01-09", "summary": "Talks", "anchor": copy(),
                                  "occurrence": 1, "id": f"e{n}"}
                                 for n in range(data.draw(st.integers(0, 1)))]

        def with_quote(**extra: Any) -> Report:
            quote = {"speaker": "vladimir-putin", "quote": passage, "id": "copied", **extra}
            (site / f"content/briefings/{slug}.yaml").write_bytes(
                dump({**annotations, "quotes": [quote]}))
            return build_and_check(site)

        report = with_quote()
        if not report.ok:
            errors = [p for p in report.problems if p.is_error]
            assert len(errors) == 1, "\n".join(map(str, errors))
            problem = errors[0]
            written = (site / f"content/briefings/{slug}.yaml").read_text("utf-8").split("\n")
            line = next(n for n, text in enumerate(written, 1) if text.startswith("  quote:"))
            assert str(problem).startswith(f"content/briefings/{slug}.yaml:{line}:"), problem
            count = re.search(r"quote occurs (\d+) times in the article: add 'occurrence: N'",
                              problem.message)
            assert count and int(count.group(1)) >= 2, problem.message
            report = with_quote(occurrence=data.draw(st.integers(1, int(count.group(1)))))
        assert report.ok, report.problems
        page = (site.parent / "out" / "briefings" / slug / "index.html").read_text("utf-8")
        parts = re.findall(r'<mark [^>]*data-quote="copied"[^>]*>(.*?)</mark>', page, re.S)
        assert parts and page.count('id="copied"') == 1
        marked = fold(text_of(_SIDE_NOTE.sub("", "".join(parts))))
        assert marked.replace(" ", "") == fold(passage).replace(" ", "")
        for annotation in annotations["notes"] + annotations["events"]:
            assert page.count(f'id="{annotation["id"]}"') == 1
        for note in annotations["notes"]:
            assert page.count(f'href="#fn-{note["id"]}"') == 1


# -- what these properties found, pinned --------------------------------------

YAML = f"content/briefings/{SLUGS[0]}.yaml"


def errors_of(files: dict[str, bytes]) -> list[str]:
    with tempfile.TemporaryDirectory() as root:
        report = build_and_check(write_site(Path(root), files))
    return [str(p) for p in report.problems if p.is_error]


@pytest.mark.parametrize("published", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_datetime_at_the_ends_of_the_calendar_is_an_error(published: str) -> None:
    annotations = dump({"title": "T", "source": {"outlet": "O", "published": published}})
    assert errors_of(briefing_files(SLUGS[0], b"Text.\n", annotations)) == [
        f"{YAML}:4:14: error: the datetime '{published}' is out of range: write one between "
        "0001-01-02 and 9999-12-30."]


def test_a_base_url_with_a_quote_is_an_error() -> None:
    files = briefing_files(SLUGS[0], VALID_ARTICLE.encode(), dump(VALID_ANNOTATIONS))
    files["site.yaml"] = b'title: R\nbase_url: https://"x"example.org/r/\n'
    assert errors_of(files) == [
        "site.yaml:2:11: error: base_url must be an absolute http(s) URL such as "
        "'https://example.org/briefings/', not 'https://\"x\"example.org/r/'."]


def test_a_bad_byte_after_old_mac_line_ends_is_placed_on_its_line() -> None:
    files = briefing_files(SLUGS[0], b"One.\r\rTwo \xff.\r", dump(VALID_ANNOTATIONS))
    assert errors_of(files) == [
        f"content/briefings/{SLUGS[0]}.md:3:5: error: the file is not UTF-8: byte 0xff at "
        "offset 10. Save the file as UTF-8."]


@pytest.mark.parametrize("text", ["\x1ftitle: T\n", 'title: "T\\x1f"\n'])
def test_a_control_character_in_yaml_is_an_error_at_its_place(text: str) -> None:
    files = briefing_files(SLUGS[0], VALID_ARTICLE.encode(), text.encode())
    [problem] = errors_of(files)
    assert problem.startswith((f"{YAML}:1:1: error: the character U+001F is not text",
                               f"{YAML}:1:8: error: the character U+001F is not text"))


def test_an_anchor_of_invisible_characters_alone_is_a_clear_error() -> None:
    annotations = {"title": "T", "source": {"outlet": "O", "published": "2022-01-10"},
                   "quotes": [{"speaker": "vladimir-putin", "quote": "\u200b\u00ad"}]}
    assert errors_of(briefing_files(SLUGS[0], VALID_ARTICLE.encode(), dump(annotations))) == [
        f"{YAML}:7:10: error: the quote has no visible text: copy the words from the article."]


@pytest.mark.parametrize(("body", "found"), [
    ('<p><img src="x" alt="" onerror="alert(1)"></p>', "onerror= attribute"),
    ('<p><a href=" jav&#x61;script:alert(1)">x</a></p>', "script URL"),
    ('<p><a href="java\tscript:alert(1)">x</a></p>', "script URL"),
    ("<p><script>alert(1)</script></p>", "<script>"),
    ("<p><iframe></iframe></p>", "<iframe> element"),
    ("<p><b>bold</p></b>", "</p> closes <b>"),
    ("<p>a\x01b</p>", "HTML parse error"),
    ("<p><em>x</p>", "</p> closes <em>"),
])
def test_the_page_check_sees_what_content_could_inject(body: str, found: str) -> None:
    assert any(found in problem for problem in page_problems(_document(body)))
    assert page_problems(_document("<p>Fine.</p>")) == []


def test_the_page_check_knows_every_void_element() -> None:
    body = ('<table><colgroup><col><col></colgroup><tbody><tr><td>a<br>b<wbr>c</td></tr>'
            '</tbody></table><p><img src="x.png" alt="x"></p>')
    assert page_problems(_document(body), sanitised=True) == []


def _document(body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><title>t</title></head>'
            f"<body>{body}</body></html>")


def test_a_speaker_id_with_spaces_around_it_gives_a_quote_a_valid_id() -> None:
    annotations = {"title": "T", "source": {"outlet": "O", "published": "2022-01-10"},
                   "quotes": [{"speaker": " vladimir-putin ", "quote": "the threat"}]}
    with tempfile.TemporaryDirectory() as root:
        site = write_site(Path(root), briefing_files(SLUGS[0], VALID_ARTICLE.encode(),
                                                     dump(annotations)))
        assert build_and_check(site).ok
        page = (site.parent / "out" / "briefings" / SLUGS[0] / "index.html").read_text("utf-8")
    assert 'id="vladimir-putin-the-threat"' in page


def test_a_transcript_said_on_a_day_off_the_timeline_links_to_no_missing_page() -> None:
    article = b"Vladimir Putin said the threat was real.\n\n**Vladimir Putin:** Hello.\n"
    annotations = {"title": "T", "source": {"outlet": "O", "published": "2000-01-01"},
                   "transcript": {"labels": {"Vladimir Putin": "vladimir-putin"},
                                  "said_on": "2000-01-02"}}
    with tempfile.TemporaryDirectory() as root:
        site = write_site(Path(root), briefing_files(SLUGS[0], article, dump(annotations)))
        assert build_and_check(site).ok  # which walks every link
        page = (site.parent / "out" / "speakers" / "vladimir-putin" / "index.html").read_text()
    assert '<time datetime="2000-01-02">2 January 2000</time>' in page


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_line_separator_in_yaml_text_does_not_shift_line_numbers(separator: str) -> None:
    annotations = (f'title: "Talks{separator}ended"\ncolour: red\n'
                   'source: {outlet: O, published: "2022-01-10"}\n')
    [problem] = errors_of(briefing_files(SLUGS[0], b"Text.\n", annotations.encode()))
    assert problem.startswith(f"{YAML}:2:1: error: unknown key 'colour'")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "a-b", "a-b-c", "b", "ab", "a0", "z-9", "A",
                                           "a--b", "a-", "-a", "é", "a.b", "a b"]),
                          st.sampled_from(["md", "yaml", "yml", "txt"])),
                unique=True, max_size=12))
@example([("a", "md"), ("a-b", "yaml"), ("a", "yaml"), ("a-b", "md"), ("b", "yaml"),
          ("b", "md")])
def test_a_folder_of_pairs_is_read_the_same_in_one_look_as_one_file_at_a_time(
        files: list[tuple[str, str]]) -> None:
    """The briefings' folder is paired in one look where it holds plain pairs
    and nothing else, from its entries or from the walk's packed listing;
    the pairs, their order and their signatures are those the one-by-one
    reading gives, and any other folder is left to it."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        folder = root / "content" / "briefings"
        folder.mkdir(parents=True)
        for stem, ext in files:
            (folder / f"{stem}.{ext}").write_text(f"{stem} {ext}\n", "utf-8")
        listed = {str(folder): list(os.scandir(folder))}
        fast: list[Any] = []
        found = load._load_pairs(root, fast, listed)
        slow: list[Any] = []
        walked = cache.input_manifest(root, [], "")
        paired = load.pair_listed(root, walked.listings, walked.packed)
        plain = load._plain_pairs
        load._plain_pairs = lambda *given: None  # type: ignore[assignment]
        try:
            expected = load._load_pairs(root, slow, {})
        finally:
            load._plain_pairs = plain  # type: ignore[assignment]
        assert found == expected and fast == slow
        if isinstance(paired, load.PlainPairs):  # as the walking child sends them
            assert paired.unpacked() == expected and not slow
        else:
            assert paired == (*expected, slow)
        stems = {stem for stem, _ in files}
        if {(s, e) for s in stems for e in ("md", "yaml")} == set(files) and \
                all(load.SLUG.match(s) for s in stems):
            # The one look, taken.
            assert load._listed_plain_pairs(listed[str(folder)]) is not None
            assert isinstance(paired, load.PlainPairs)
