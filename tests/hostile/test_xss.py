"""Script injection: the vectors of the OWASP XSS Filter Evasion Cheat Sheet
(and a few for our own outputs: JSON-LD, the Atom feed, Jinja) placed in every
field content can set. Each must come out as the same text, inert, on every
page, in the feed and in the JSON export; links with unsafe schemes are not
published, with a warning naming the place."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from builder.markdown import SANITISED_TAGS

from hostile import (
    ELEMENTS,
    MARKDOWN_LINKS,
    PAYLOADS,
    build_site,
    json_ld,
    make_site,
    text_of,
    unsafe_parts,
)


def _everywhere(payload: str) -> dict:
    """A site with ``payload`` in every text field content can set."""
    text = json.dumps(payload)  # JSON strings are YAML strings
    site = (f"title: {text}\nbase_url: https://example.org/h/\ndescription: {text}\n")
    speakers = (f"jane-roe:\n  name: {text}\n  role: {text}\n  affiliation: {text}\n"
                f"  aliases: [{text}]\n  description: {text}\n  links:\n    {text}: "
                "https://example.org/jane\n")
    article = f"Jane Roe said the talks were over.\n\n{payload}\n\n**Q:** {payload}\n"
    annotations = f"""title: {text}
subtitle: {text}
source:
  outlet: {text}
  published: 2022-01-10
  author: {text}
  dateline: {text}
  license: {text}
summary: {text}
tags: [{text}]
transcript:
  labels:
    Q: null
  occasion: {text}
quotes:
  - speaker: jane-roe
    quote: the talks were over
    occasion: {text}
    note: {text}
events:
  - date: 2022-01-09
    summary: {text}
notes:
  - anchor: talks
    note: {text}
"""
    return {"site": site, "speakers": speakers,
            "briefings": {"2022-01-10-talks": (article, annotations)}}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_in_every_field_is_shown_as_text_and_runs_nowhere(
        payload: str, tmp_path: Path) -> None:
    built = build_site(make_site(tmp_path / "site", **_everywhere(payload)))
    assert built.errors == []
    assert unsafe_parts(built.out) == []
    page = built.page("briefings/2022-01-10-talks/index.html")
    shown = " ".join(payload.split())
    assert text_of(page, "h1") == [shown]
    assert shown in text_of(page, "title")[0]
    assert json_ld(page)["headline"] == shown
    assert json_ld(page)["isBasedOn"]["publisher"]["name"] == shown
    speaker = built.page("speakers/jane-roe/index.html")
    assert text_of(speaker, "h1") == [shown]
    feed = ET.parse(built.out / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.findtext(f"{atom}title") == shown
    assert feed.find(f"{atom}entry").findtext(f"{atom}title") == shown
    briefings = json.loads((built.out / "data" / "briefings.json").read_text("utf-8"))
    assert briefings["briefings"][0]["title"] == shown
    assert "49" not in text_of(page, "h1")[0] or "49" in payload  # no template evaluated


@pytest.mark.parametrize(("markdown", "url"), MARKDOWN_LINKS)
def test_an_unsafe_link_in_an_article_is_not_published_and_named(
        markdown: str, url: str, tmp_path: Path) -> None:
    article = (f"Jane Roe said the talks were over.\n\nSee {markdown} now.\n\n"
               f"[ref]: {url}\n")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, ANNOTATIONS_OK)}))
    assert built.errors == []
    assert unsafe_parts(built.out) == []
    warning = next(line for line in built.lines if "is not published" in line)
    assert warning.startswith("content/briefings/2022-01-10-talks.md:3:")
    assert f"the link '{url[:59]}" in warning
    page = built.page("briefings/2022-01-10-talks/index.html")
    assert "<p>See click now.</p>" in page  # the words stay, the link goes
    assert url.lower() not in page.lower()


def test_an_autolink_with_an_unsafe_scheme_stays_as_plain_text(tmp_path: Path) -> None:
    article = "Jane Roe said the talks were over.\n\nSee <javascript:alert(1)> now.\n"
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, ANNOTATIONS_OK)}))
    assert [line for line in built.lines if "not published" in line] == [
        "content/briefings/2022-01-10-talks.md:3:6: warning: the link 'javascript:alert(1)' "
        "is not published: only http:, https:, mailto:, tel: and relative links are. "
        "Remove it, or link to a web page."]
    assert "<p>See javascript:alert(1) now.</p>" in built.page(
        "briefings/2022-01-10-talks/index.html")
    assert unsafe_parts(built.out) == []


@pytest.mark.parametrize(("markdown", "url"), MARKDOWN_LINKS[:4])
def test_an_unsafe_link_in_a_summary_or_note_is_named_at_its_line(
        markdown: str, url: str, tmp_path: Path) -> None:
    annotations = ANNOTATIONS_OK + f"summary: {json.dumps(markdown)}\n"
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": ("Jane Roe said the talks were over.\n", annotations)}))
    assert built.errors == []
    assert unsafe_parts(built.out) == []
    assert [line for line in built.lines if "not published" in line] == [
        f"content/briefings/2022-01-10-talks.yaml:8:10: warning: the link '{url[:59]}"
        f"{'…' if len(url) > 60 else ''}' in 'summary' is not published: only http:, https:, "
        "mailto:, tel: and relative links are. Remove it, or link to a web page."]


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JAVASCRIPT:alert(1)",
                                 "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>",
                                 "java\tscript:alert(1)"])
def test_unsafe_source_and_speaker_urls_are_left_out_with_a_warning(
        url: str, tmp_path: Path) -> None:
    annotations = ANNOTATIONS_OK.replace("  published: 2022-01-10\n",
                                         f"  published: 2022-01-10\n  url: {json.dumps(url)}\n")
    speakers = f"jane-roe:\n  name: Jane Roe\n  links:\n    Home: {json.dumps(url)}\n"
    built = build_site(make_site(tmp_path / "site", speakers=speakers, briefings={
        "2022-01-10-talks": ("Jane Roe said the talks were over.\n", annotations)}))
    assert built.errors == []
    assert unsafe_parts(built.out) == []
    located = sorted(line.split(": warning: ")[0] for line in built.lines
                     if "is not published" in line)
    assert located == ["content/briefings/2022-01-10-talks.yaml:5:8",
                       "content/speakers.yaml:4:11"]
    for page in built.out.rglob("*.html"):
        assert "script:" not in page.read_text("utf-8").lower().replace("\\u003c", "")


ANNOTATIONS_OK = """title: Talks
source:
  outlet: Wire
  published: 2022-01-10
quotes:
  - speaker: jane-roe
    quote: the talks were over
"""


def test_raw_html_is_text_unless_the_site_opts_in_to_the_sanitised_subset(
        tmp_path: Path) -> None:
    article = ("Jane Roe said the talks were over.\n\n"
               "<b onclick=\"alert(1)\">bold</b> <script>alert(2)</script>"
               "<a href=\"javascript:alert(3)\">link</a> <abbr title=\"x\">CSTO</abbr>\n")
    plain = build_site(make_site(tmp_path / "plain", briefings={
        "2022-01-10-talks": (article, ANNOTATIONS_OK)}))
    page = plain.page("briefings/2022-01-10-talks/index.html")
    assert "&lt;b onclick=&quot;alert(1)&quot;&gt;bold&lt;/b&gt;" in page
    assert unsafe_parts(plain.out) == []

    sanitised = build_site(make_site(tmp_path / "clean", site=SITE_SANITISE, briefings={
        "2022-01-10-talks": (article, ANNOTATIONS_OK)}))
    assert sanitised.errors == []
    page = sanitised.page("briefings/2022-01-10-talks/index.html")
    assert "<b>bold</b>" in page and '<abbr title="x">CSTO</abbr>' in page
    assert "alert(2)" not in page and "alert(3)" not in page and "onclick" not in page
    assert unsafe_parts(sanitised.out, ELEMENTS | SANITISED_TAGS) == []
    assert any(line.startswith("content/briefings/2022-01-10-talks.md:3:")
               and "javascript:alert(3)" in line for line in sanitised.lines)


SITE_SANITISE = "title: Hostile\nbase_url: https://example.org/h/\nraw_html: sanitise\n"


def test_raw_html_mode_must_be_one_of_the_two(tmp_path: Path) -> None:
    site = "title: Hostile\nbase_url: https://example.org/h/\nraw_html: sanitize\n"
    built = build_site(make_site(tmp_path / "site", site=site))
    assert built.errors == [
        "site.yaml:3:11: error: raw_html must be 'text' (raw HTML in articles is shown as "
        "text) or 'sanitise' (a safe subset of it is kept), not 'sanitize'. "
        "Did you mean 'sanitise'?"]
