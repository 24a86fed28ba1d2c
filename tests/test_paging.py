"""Long lists run over several pages: ``speakers/<id>/page/2/`` and so on.

A speaker's, a day's and a tag's page, and the home page's list of older
briefings, show at most ``page_size`` items (site.yaml, 200 by default) a
page. The example site is built here with two items a page, so that every
kind of page runs over several.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder import paging
from builder.pipeline import build

from conftest import ROOT, run_cli
from linkcheck import broken_links


@given(st.lists(st.integers(0, 30), min_size=1, max_size=5), st.integers(1, 12))
def test_the_pages_show_every_item_of_every_list_once_in_order(sizes: list[int],
                                                                size: int) -> None:
    lists = [[(n, i) for i in range(length)] for n, length in enumerate(sizes)]
    pages = paging.count(tuple(sizes), size)
    shown = [[items[part] for items, part in zip(lists, paging.slices(tuple(sizes), size, number),
                                                  strict=True)]
             for number in range(1, pages + 1)]
    for n, items in enumerate(lists):
        assert [item for page in shown for item in page[n]] == items
    counts = [sum(len(part) for part in page) for page in shown]
    assert all(c == size for c in counts[:-1]) and 0 <= counts[-1] <= size
    assert counts[-1] > 0 or sum(sizes) == 0  # no empty page, but the one of an empty list


def _site(tmp_path: Path, page_size: int | None) -> Path:
    site = tmp_path / f"site-{page_size}"
    site.mkdir()
    shutil.copytree(ROOT / "content", site / "content")
    text = (ROOT / "site.yaml").read_text("utf-8")
    if page_size is not None:
        text += f"page_size: {page_size}\n"
    (site / "site.yaml").write_text(text, "utf-8")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example site, on one page a list (the default) and two items a page."""
    tmp = tmp_path_factory.mktemp("paging")
    outs = []
    for size in (None, 2):
        out = tmp / f"public-{size}"
        report = build(_site(tmp, size), out)
        assert report.ok, report.problems
        outs.append(out)
    return outs[0], outs[1]


QUOTES = r'<li class="quote-item[^"]*">\s*<blockquote cite="([^"]+)"'


def _targets(html: str, pattern: str = QUOTES) -> list[str]:
    """The links ``pattern`` finds, as site paths (pages at any depth alike)."""
    return [re.sub(r"^(\.\./)+", "", link) for link in re.findall(pattern, html)]


def _pages(out: Path, first: str) -> list[str]:
    """Every page of a list, in order, by following its "next page" links."""
    pages, path = [], out / first / "index.html"
    while True:
        html = path.read_text("utf-8")
        pages.append(html)
        found = re.search(r'<a rel="next" href="([^"]+)">Next →', html)
        if not found:
            return pages
        path = (path.parent / found.group(1) / "index.html").resolve()


def test_a_speakers_quotes_run_over_pages_at_their_documented_addresses(
        built: tuple[Path, Path]) -> None:
    whole, paged = built
    first = "speakers/vladimir-putin"
    one_page = (whole / first / "index.html").read_text("utf-8")
    pages = _pages(paged, first)
    assert len(pages) > 3
    assert (paged / first / "page" / "2" / "index.html").is_file()
    assert (paged / first / "page" / str(len(pages)) / "index.html").is_file()
    assert not (paged / first / "page" / str(len(pages) + 1)).exists()
    assert not (paged / first / "page" / "1").exists()  # page 1 keeps the speaker's address
    # The quotes of the one long page, in the same order, two items a page.
    assert [q for page in pages for q in _targets(page)] == _targets(one_page)
    assert _targets(pages[0]) == _targets(one_page)[:2]
    # Each page says which it is, in its title and its links to the others.
    assert f"<title>Vladimir Putin, page 2 of {len(pages)} · " in pages[1]
    assert '<a href="./" aria-current="page">2</a>' in pages[1]
    assert "Page 2 of" in pages[1] and '<a rel="prev" href="../../">' in pages[1]
    # The profile is on the first page only; the name heads every page.
    assert all('<h1 id="speaker-name">Vladimir Putin</h1>' in page for page in pages)
    assert 'class="profile"' in pages[0] and not any('class="profile"' in p for p in pages[1:])


@pytest.mark.parametrize(("first", "pattern"), [
    ("dates/2022-01-10", r'<a class="passage" href="([^"]+)"'),
    ("tags/russia", r'<h3><a href="([^"]+)"'),
    ("", r'(?:<h3>|<li>)<a href="([^"]*briefings/[^"]+)">'),  # in full, then in short
])
def test_a_day_a_tag_and_the_home_page_run_over_pages_too(
        built: tuple[Path, Path], first: str, pattern: str) -> None:
    whole, paged = built
    pages = _pages(paged, first)
    assert len(pages) > 1
    assert [t for page in pages for t in _targets(page, pattern)] == _targets(
        (whole / first / "index.html").read_text("utf-8"), pattern)
    title = re.search(r"<title>([^<]*) · ", pages[1])
    assert title and title.group(1).endswith(f", page 2 of {len(pages)}")
    assert title.group(1) != f"Briefings, page 2 of {len(pages)}" or first == ""


def test_every_page_links_to_pages_that_exist_and_the_sitemap_lists_them(
        built: tuple[Path, Path]) -> None:
    _, paged = built
    broken, checked = broken_links(paged, "https://example.org/briefings/")
    assert broken == [] and checked > 1000
    sitemap = (paged / "sitemap.xml").read_text("utf-8")
    files = {p.relative_to(paged).parent.as_posix() + "/" for p in paged.rglob("index.html")
             if p.parent.name != "search"}  # (nothing of its own to find)
    listed = re.findall(r"<loc>https://example\.org/briefings/([^<]*)</loc>", sitemap)
    assert sorted(listed) == sorted(f.removeprefix("./") for f in files)
    assert "speakers/vladimir-putin/page/2/" in listed


def test_the_default_keeps_every_list_on_one_page(built: tuple[Path, Path]) -> None:
    whole, _ = built
    assert not [p for p in whole.rglob("page") if p.is_dir()]
    assert 'class="pager"' not in "".join(p.read_text("utf-8") for p in whole.rglob("*.html"))


def test_a_page_size_that_is_not_a_whole_number_is_an_error_naming_the_line(
        tmp_path: Path) -> None:
    site = _site(tmp_path, None)
    (site / "site.yaml").write_text((site / "site.yaml").read_text("utf-8")
                                    + "page_size: two hundred\n", "utf-8")
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1
    line = len((site / "site.yaml").read_text("utf-8").splitlines())
    assert f"site.yaml:{line}:" in result.err
    assert "'page_size' must be a whole number from 1, not" in result.err
    assert not (tmp_path / "out").exists()
