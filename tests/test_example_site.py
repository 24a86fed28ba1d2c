"""The project's own example site, built as a reader would get it."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from linkcheck import broken_links

SEED = "2022-01-10-putin-csto-kazakhstan"
BASE_URL = "https://example.org/briefings/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("example") / "public"
    result = run_cli("build", "--strict", "--site", ROOT, "--out", out)
    assert result.code == 0, result.err
    return out, result.out + result.err


def test_strict_build_has_no_warnings_and_a_summary_line(built) -> None:
    _, output = built
    assert re.fullmatch(r"built 12 briefings, 15 speakers, \d+ dates, \d+ pages in [\d.]+ s"
                        r"; search index [\d.]+ s\n", output), output


def test_every_page_of_the_contract_is_written(built) -> None:
    out, _ = built
    for path in ["index.html", "404.html", "speakers/index.html", "dates/index.html",
                 "tags/index.html", f"briefings/{SEED}/index.html",
                 "speakers/vladimir-putin/index.html", "dates/2022-01-02/index.html",
                 "dates/2022-01-07/index.html", "dates/2022-01-10/index.html",
                 "tags/csto/index.html", "feed.xml", "sitemap.xml", "data/briefings.json",
                 "data/speakers.json", "data/quotes.json", "data/events.json",
                 "assets/style.css"]:
        assert (out / path).is_file(), path
    briefings = sorted(p.stem for p in (ROOT / "content" / "briefings").glob("*.md"))
    assert sorted(p.name for p in (out / "briefings").iterdir()) == briefings


def test_every_internal_link_and_fragment_resolves(built) -> None:
    out, _ = built
    broken, checked = broken_links(out, BASE_URL)
    assert broken == []
    assert checked > 1000


def test_all_internal_links_are_relative(built) -> None:
    out, _ = built
    for page in out.rglob("*.html"):
        if page.name == "404.html":
            continue
        html = page.read_text(encoding="utf-8")
        # The canonical link is absolute by contract; every other link is relative.
        html = re.sub(r'<link rel="canonical"[^>]*>', "", html)
        hrefs = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert not [h for h in hrefs if h.startswith("/") or h.startswith(BASE_URL)], page


def _seed_page(out: Path) -> str:
    return (out / "briefings" / SEED / "index.html").read_text(encoding="utf-8")


def test_seed_quotes_carry_their_speaker_and_the_speaker_page_links_back(built) -> None:
    out, _ = built
    html = _seed_page(out)
    quote_ids = re.findall(r'<mark class="quote[^"]*" data-quote="([^"]+)" '
                           r'data-speaker="vladimir-putin"[^>]* id="\1"', html)
    assert len(quote_ids) == 5
    speaker_page = (out / "speakers" / "vladimir-putin" / "index.html").read_text("utf-8")
    for quote_id in quote_ids:
        assert f'href="../../briefings/{SEED}/#{quote_id}"' in speaker_page


def test_seed_dates_link_to_the_timeline(built) -> None:
    out, _ = built
    html = _seed_page(out)
    for day in ("2022-01-02", "2022-01-07", "2022-01-10"):
        assert f'href="../../dates/{day}/"' in html
        day_page = (out / "dates" / day / "index.html").read_text("utf-8")
        assert f"../../briefings/{SEED}/" in day_page


def test_seed_notes_and_mentions(built) -> None:
    out, _ = built
    html = _seed_page(out)
    assert html.count('class="note-anchor"') >= 2
    assert 'class="sidenote"' in html and 'class="footnotes"' in html
    assert '<a class="mention" href="../../speakers/kassym-jomart-tokayev/">' in html


def test_a_speaker_across_briefings_has_one_page_in_date_order(built) -> None:
    data = json.loads((built[0] / "data" / "quotes.json").read_text("utf-8"))
    putin = [q["said_on"] for q in data["quotes"] if q["speaker"] == "vladimir-putin"]
    assert len({q["briefing"] for q in data["quotes"] if q["speaker"] == "vladimir-putin"}) >= 3
    page = (built[0] / "speakers" / "vladimir-putin" / "index.html").read_text("utf-8")
    own = re.search(r'<section aria-labelledby="quotes-heading">.*?</section>', page,
                    re.S).group(0)  # (his own words: the words he relayed follow them)
    shown = re.findall(r'<li class="quote-item.*?<time datetime="([\d-]+)"', own, re.S)
    assert shown == sorted(putin)


def test_data_files_are_versioned_json(built) -> None:
    out, _ = built
    for kind in ("briefings", "speakers", "quotes", "events"):
        document = json.loads((out / "data" / f"{kind}.json").read_text("utf-8"))
        assert document["format"] == f"briefings/{kind}"
        assert document["version"] == 1
        assert document[kind]


def test_feed_is_atom_and_sitemap_lists_every_page(built) -> None:
    out, _ = built
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    assert len(entries) == 12
    for entry in entries:
        for child in ("title", "id", "updated", "link"):
            assert entry.find(f"{atom}{child}") is not None
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = {e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    # (Every page but the search page, which has nothing of its own to find.)
    pages = {BASE_URL + p.relative_to(out).parent.as_posix().removeprefix(".") + "/"
             for p in out.rglob("index.html") if p.parent.name != "search"}
    pages = {p.replace(BASE_URL + "/", BASE_URL) for p in pages}
    assert locs == pages


def test_every_count_agrees_wherever_it_is_shown(built) -> None:
    """One definition (builder/link.py: counts): the build's last line, the
    home page and the indexes count the same briefings, speakers, dates and tags."""
    out, output = built
    said = dict((kind, int(n)) for n, kind in re.findall(r"(\d+) (briefings|speakers|dates)",
                                                         output))
    home = (out / "index.html").read_text("utf-8")
    shown = re.search(r'<p class="counts">(\d+) briefings ·\s*<a[^>]*>(\d+) speakers</a> ·\s*'
                      r'<a[^>]*>(\d+) dates</a> ·\s*<a[^>]*>(\d+) tags</a>', home).groups()
    on_home = dict(zip(("briefings", "speakers", "dates", "tags"), map(int, shown), strict=True))
    assert {k: on_home[k] for k in said} == said
    assert on_home["briefings"] == len(list((out / "briefings").glob("*/index.html")))
    speakers = (out / "speakers" / "index.html").read_text("utf-8")
    assert on_home["speakers"] == len(re.findall(r'<th scope="row">', speakers)) \
        == len(list((out / "speakers").glob("*/index.html")))
    dates = (out / "dates" / "index.html").read_text("utf-8")
    assert re.search(rf'<p class="lede">{on_home["dates"]} dates\b', dates)
    assert on_home["dates"] == len(list((out / "dates").glob("*/index.html")))
    assert on_home["tags"] == len(list((out / "tags").glob("*/index.html")))


def test_a_day_lists_what_was_said_in_the_order_it_was_said(built) -> None:
    out, _ = built
    checked = 0
    for day in sorted((out / "dates").glob("*/index.html")):
        html = day.read_text("utf-8")
        said = re.search(r'<section aria-labelledby="quotes-heading">.*?</section>', html, re.S)
        if not said:
            continue
        linked = list(dict.fromkeys(re.findall(r'class="passage" href="../../briefings/([^/]+)/#'
                                               r'([^"]+)"', said.group(0))))
        for slug in dict.fromkeys(s for s, _ in linked):
            page = (out / "briefings" / slug / "index.html").read_text("utf-8")
            in_text = list(dict.fromkeys(
                re.findall(r'<mark class="quote[^"]*" data-quote="([^"]+)"', page)))
            listed = [quote for s, quote in linked if s == slug]
            assert listed == [q for q in in_text if q in listed], (day, slug)
            checked += len(listed) > 1
    assert checked >= 2


def test_every_quote_has_a_permalink_to_its_passage(built) -> None:
    """On a briefing's page, each quote of the list links to its highlighted
    passage with a plain link (no script): the address a reader shares. Every
    quote of the text is listed, so every quote has one."""
    out, _ = built
    checked = 0
    for page in sorted((out / "briefings").glob("*/index.html")):
        html = page.read_text("utf-8")
        marked = set(re.findall(r'<mark class="quote[^"]*" data-quote="([^"]+)"', html))
        ids = set(re.findall(r' id="([^"]+)"', html))
        linked = re.findall(r'<a class="passage" href="#([^"]+)">link to this quote<', html)
        assert set(linked) == marked, page
        assert set(linked) <= ids, page
        checked += len(linked)
    assert checked > 40


def test_every_page_has_open_graph_and_twitter_card_metadata(built) -> None:
    out, _ = built
    types = {"briefings": "article", "speakers": "profile"}
    pages = sorted(out.rglob("index.html"))
    assert len(pages) > 80
    for page in pages:
        html = page.read_text("utf-8")
        meta = dict(re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" '
                               r'content="([^"]*)">', html))
        canonical = re.search(r'<link rel="canonical" href="([^"]+)">', html).group(1)
        folder = page.parent.relative_to(out).parts
        kind = types.get(folder[0], "website") if len(folder) == 2 else "website"
        assert meta["og:url"] == canonical, page
        assert meta["og:type"] == kind, page
        assert meta["og:title"] and meta["og:site_name"] == "Briefings", page
        assert meta["twitter:card"] == "summary", page
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert unescape(title).startswith(unescape(meta["og:title"])), page


def test_the_timeline_and_each_speaker_draw_their_activity_without_script(built) -> None:
    out, _ = built
    dates = (out / "dates" / "index.html").read_text("utf-8")
    chart = re.search(r'<figure class="timeline-chart">.*?</figure>', dates, re.S).group(0)
    years = re.findall(r'<a class="chart-year" href="#y(\d{4})">', chart)
    assert years == sorted(set(years)) and len(years) >= 5
    bars = re.findall(r'<a href="#m(\d{4}-\d\d)" style="--level: ([\d.]+)"', chart)
    assert len(re.findall(r"<li>(?:<a href|<span class=\"no-bar\")", chart)) == 12 * len(years)
    assert max(float(level) for _, level in bars) == 1.0
    for month, _ in bars:  # each bar leads to its month's section of the timeline
        assert f'<section id="m{month}"' in dates
    assert "<script" not in chart
    putin = (out / "speakers" / "vladimir-putin" / "index.html").read_text("utf-8")
    drawn = re.search(r'<figure class="quote-chart">.*?</figure>', putin, re.S).group(0)
    counted = [int(n) for n in re.findall(r'<span class="visually-hidden">: (\d+)</span>', drawn)]
    quote_count = int(re.search(r'<h2 id="quotes-heading">Quotes <span class="count">(\d+)', putin)
                      .group(1))
    assert sum(counted) == quote_count and len(counted) >= 3
