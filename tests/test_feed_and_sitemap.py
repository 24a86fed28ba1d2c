"""feed.xml and sitemap.xml of the example site, as feed readers and search
engines get them: valid against the schemas of their standards (kept in
tests/schemas/), and right where those schemas cannot tell.

The Atom schema is kept as RFC 4287 prints it, in RELAX NG's compact syntax,
so it can be read against the RFC line by line; rnc2rng converts it to the
XML syntax lxml reads when the tests run, which takes a fraction of a second.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import rnc2rng
from lxml import etree

from conftest import EXAMPLE_BASE_URL

SCHEMAS = Path(__file__).resolve().parent / "schemas"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# RFC 3339's date-time, with the upper-case "T" and "Z" that RFC 4287 (3.3) requires.
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@pytest.fixture(scope="module")
def atom_schema() -> etree.RelaxNG:
    grammar = rnc2rng.dumps(rnc2rng.loads((SCHEMAS / "atom.rnc").read_text("utf-8")))
    # rnc2rng declares the schema's prefix for no namespace as xmlns:local="",
    # which XML 1.0 namespaces forbid; the prefix is used nowhere, so drop it.
    grammar = grammar.replace(' xmlns:local=""', "", 1)
    return etree.RelaxNG(etree.fromstring(grammar.encode("utf-8")))


@pytest.fixture(scope="module")
def sitemap_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap.xsd")))


def _validate(schema: etree.RelaxNG | etree.XMLSchema, document: bytes) -> list[str]:
    """The schema's errors on the document, one line each; [] when valid."""
    if schema.validate(etree.fromstring(document)):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def test_feed_is_valid_atom(example_site: Path, atom_schema: etree.RelaxNG) -> None:
    assert _validate(atom_schema, (example_site / "feed.xml").read_bytes()) == []


def test_sitemap_is_valid(example_site: Path, sitemap_schema: etree.XMLSchema) -> None:
    assert _validate(sitemap_schema, (example_site / "sitemap.xml").read_bytes()) == []


@pytest.mark.parametrize("schema, file, edits", [
    ("atom", "feed.xml", [("<id>", "<guid>"), ("</id>", "</guid>")]),
    ("atom", "feed.xml", [("T00:00:00Z</updated>", "</updated>")]),
    ("sitemap", "sitemap.xml", [("<loc>", "<lastmod>2022-01-10</lastmod><loc>")]),
    ("sitemap", "sitemap.xml", [("</loc>", "</loc><lastmod>10 January 2022</lastmod>")]),
], ids=["feed-without-id", "date-without-time", "lastmod-before-loc", "lastmod-in-words"])
def test_the_schemas_reject_a_broken_file(example_site: Path, request: pytest.FixtureRequest,
                                          schema: str, file: str,
                                          edits: list[tuple[str, str]]) -> None:
    # Without this, a schema that accepted anything would pass the tests above.
    text = (example_site / file).read_text("utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    assert _validate(request.getfixturevalue(f"{schema}_schema"), text.encode("utf-8")) != []


def _feed(example_site: Path) -> etree._Element:
    return etree.fromstring((example_site / "feed.xml").read_bytes())


def test_feed_entry_ids_are_unique(example_site: Path) -> None:
    feed = _feed(example_site)
    ids = [entry.findtext(f"{ATOM}id") for entry in feed.iter(f"{ATOM}entry")]
    assert len(ids) == 12
    assert sorted({i for i in ids if ids.count(i) > 1}) == []
    assert feed.findtext(f"{ATOM}id") not in ids


def test_feed_dates_are_rfc_3339(example_site: Path) -> None:
    stamps = [e.text or "" for e in _feed(example_site).iter(f"{ATOM}updated", f"{ATOM}published")]
    assert len(stamps) == 1 + 2 * 12
    assert [s for s in stamps if not RFC3339.fullmatch(s)] == []
    for stamp in stamps:
        datetime.fromisoformat(stamp)  # a real day and time, not just the right shape


def test_feed_links_are_absolute_under_base_url_and_lead_to_pages(example_site: Path) -> None:
    feed = _feed(example_site)
    links = [(link.get("rel"), link.get("href") or "") for link in feed.iter(f"{ATOM}link")]
    ids = [i.text or "" for i in feed.iter(f"{ATOM}id")]
    assert [u for _, u in links if not u.startswith(EXAMPLE_BASE_URL)] == []
    assert [u for u in ids if not u.startswith(EXAMPLE_BASE_URL)] == []
    assert [u for rel, u in links if rel == "self"] == [EXAMPLE_BASE_URL + "feed.xml"]
    pages = [u for rel, u in links if rel == "alternate"]
    assert len(pages) == 1 + 12
    assert [u for u in pages if _output_file(example_site, u) is None] == []


def test_feed_keeps_the_rules_the_schema_only_annotates(example_site: Path) -> None:
    # RFC 4287's schema states these as Schematron rules, which RELAX NG skips.
    feed = _feed(example_site)
    entries = feed.findall(f"{ATOM}entry")
    assert feed.find(f"{ATOM}author") is not None or all(
        e.find(f"{ATOM}author") is not None for e in entries)
    for entry in entries:
        links = entry.findall(f"{ATOM}link")
        assert (any(link.get("rel", "alternate") == "alternate" for link in links)
                or entry.find(f"{ATOM}content") is not None), entry.findtext(f"{ATOM}id")


def test_every_sitemap_url_is_a_page_of_the_site(example_site: Path) -> None:
    sitemap = etree.fromstring((example_site / "sitemap.xml").read_bytes())
    locs = [loc.text or "" for loc in sitemap.iter(f"{SITEMAP}loc")]
    assert len(locs) > 80
    assert sorted({u for u in locs if locs.count(u) > 1}) == []
    assert [u for u in locs if not u.startswith(EXAMPLE_BASE_URL)] == []
    assert [u for u in locs if _output_file(example_site, u) is None] == []


def _output_file(out: Path, url: str) -> Path | None:
    """The page of the output folder a URL under base_url leads to, if any."""
    if not url.startswith(EXAMPLE_BASE_URL):
        return None
    path = unquote(urlsplit(url).path).removeprefix(urlsplit(EXAMPLE_BASE_URL).path)
    file = (out / path / "index.html") if path == "" or path.endswith("/") else out / path
    inside = file.resolve().is_relative_to(out.resolve())
    return file if inside and file.is_file() and file.name != "404.html" else None


def _page_feeds(example_site: Path) -> list[Path]:
    return sorted([*example_site.glob("speakers/*/feed.xml"),
                   *example_site.glob("tags/*/feed.xml")])


def test_every_speaker_and_tag_has_a_valid_feed_linked_from_its_page(
        example_site: Path, atom_schema: etree.RelaxNG) -> None:
    feeds = _page_feeds(example_site)
    speakers = [p for p in (example_site / "speakers").iterdir() if p.is_dir()]
    tags = [p for p in (example_site / "tags").iterdir() if p.is_dir()]
    assert len(feeds) == len(speakers) + len(tags) >= 20
    for feed in feeds:
        assert _validate(atom_schema, feed.read_bytes()) == [], feed
        page = (feed.parent / "index.html").read_text("utf-8")
        assert re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" '
                         r'href="feed.xml">', page), feed
        document = etree.fromstring(feed.read_bytes())
        folder = feed.parent.relative_to(example_site).as_posix()
        [own] = [link.get("href") for link in document.iter(f"{ATOM}link")
                 if link.get("rel") == "self"]
        assert own == f"{EXAMPLE_BASE_URL}{folder}/feed.xml"
        assert document.findtext(f"{ATOM}id") == own
        assert len(list(document.iter(f"{ATOM}entry"))) <= 20


def test_a_speaker_feed_holds_the_briefings_they_speak_in_with_their_words(
        example_site: Path) -> None:
    feed = etree.fromstring((example_site / "speakers" / "vladimir-putin" / "feed.xml")
                            .read_bytes())
    assert feed.findtext(f"{ATOM}title").startswith("Vladimir Putin · ")
    entries = list(feed.iter(f"{ATOM}entry"))
    page = (example_site / "speakers" / "vladimir-putin" / "index.html").read_text("utf-8")
    briefings = re.search(r'<section aria-labelledby="briefings-heading">.*?</section>', page,
                          re.S).group(0)
    listed = re.findall(r'<h3><a href="../../briefings/([^/]+)/">', briefings)
    assert [e.findtext(f"{ATOM}id").rsplit("/", 2)[-2] for e in entries] == listed[:20]
    seed = next(e for e in entries if "putin-csto-kazakhstan" in e.findtext(f"{ATOM}id"))
    assert seed.findtext(f"{ATOM}summary").startswith("“Those who were protesting")
    tag = etree.fromstring((example_site / "tags" / "csto" / "feed.xml").read_bytes())
    assert all(any(c.get("term") == "csto" for c in e.iter(f"{ATOM}category"))
               for e in tag.iter(f"{ATOM}entry"))
