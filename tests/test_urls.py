"""Every URL rule, from tables of input and expected output."""

from __future__ import annotations

from datetime import date
from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder import urls

RELATIVE = [
    ("", "speakers/vladimir-putin/", "speakers/vladimir-putin/"),
    ("briefings/a/", "speakers/vladimir-putin/", "../../speakers/vladimir-putin/"),
    ("briefings/a/", "", "../../"),
    ("", "", "./"),
    ("speakers/", "speakers/x/", "x/"),
    ("speakers/x/", "speakers/", "../"),
    ("briefings/a/", "briefings/a/#q1", "#q1"),
    ("briefings/a/", "briefings/b/#q1", "../b/#q1"),
    ("dates/2022-01-10/", "dates/2022-01-07/", "../2022-01-07/"),
    ("dates/", "dates/2022-01-07/", "2022-01-07/"),
    ("feed.xml", "", "./"),
    ("404.html", "assets/style.css", "assets/style.css"),
    ("tags/csto/", "assets/style.css", "../../assets/style.css"),
]


@pytest.mark.parametrize(("page", "target", "expected"), RELATIVE)
def test_relative_links(page: str, target: str, expected: str) -> None:
    assert urls.relative(page, target) == expected


PATHS = [
    (urls.briefing("2022-01-10-putin"), "briefings/2022-01-10-putin/"),
    (urls.speaker("vladimir-putin"), "speakers/vladimir-putin/"),
    (urls.day(date(2022, 1, 7)), "dates/2022-01-07/"),
    (urls.tag("csto"), "tags/csto/"),
    (urls.file_of(""), "index.html"),
    (urls.file_of("speakers/x/"), "speakers/x/index.html"),
    (urls.file_of("feed.xml"), "feed.xml"),
    (urls.briefing_file("2022-01-10-putin"), urls.file_of(urls.briefing("2022-01-10-putin"))),
]


@pytest.mark.parametrize(("got", "expected"), PATHS)
def test_page_paths(got: str, expected: str) -> None:
    assert got == expected


TAGS = [
    ("CSTO", "csto"),
    ("Press briefing", "press-briefing"),
    ("United States", "united-states"),
    ("Казахстан", "kazakhstan"),
    ("Côte d’Ivoire", "cote-divoire"),
    ("  spaced   out ", "spaced-out"),
]


@pytest.mark.parametrize(("tag", "slug"), TAGS)
def test_tag_slugs(tag: str, slug: str) -> None:
    assert urls.tag_slug(tag) == slug


_SEGMENT = st.text(alphabet="abc-.1", min_size=1, max_size=3).filter(lambda s: s not in (".", ".."))
_PAGE = st.one_of(
    st.just(""), st.sampled_from(["404.html", "feed.xml"]),
    st.lists(_SEGMENT, min_size=1, max_size=3).map(lambda parts: "/".join(parts) + "/"))
_TARGET = st.tuples(
    st.one_of(_PAGE, st.lists(_SEGMENT, min_size=1, max_size=3).map(
        lambda parts: "/".join(parts) + ".css")),  # a file, never a folder's name
    st.one_of(st.just(""), _SEGMENT.map(lambda s: "#" + s)))


@given(_PAGE, _TARGET)
def test_a_relative_link_leads_where_it_should(page: str, target: tuple[str, str]) -> None:
    """Followed from its page as a browser follows it, every link reaches its target."""
    to = "".join(target)
    link = urls.relative(page, to)
    assert not link.startswith("/")
    assert urljoin("https://example.org/site/" + page, link) == "https://example.org/site/" + to
