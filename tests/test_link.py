"""Cross-document indexes: related briefings, neighbours, days, speakers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from builder.anchor import render_article
from builder.link import build_indexes, check_references
from builder.model import Event, Source

from helpers import HERE, SPEAKERS, briefing, quote


def _site(specs: dict[str, dict]):
    briefings = {}
    for slug, spec in specs.items():
        made = briefing(spec.get("article", "Putin and Joe Biden spoke."),
                        quotes=tuple(quote("spoke", speaker=s, id=f"q-{s}")
                                     for s in spec.get("speakers", ())))
        briefings[slug] = replace(made, slug=slug, tags=tuple(spec.get("tags", ())),
                                  source=Source("Outlet", spec["published"]),
                                  events=tuple(Event(f"e{i}", d, d, "x")
                                               for i, d in enumerate(spec.get("events", ()))),
                                  related=tuple((r, HERE)
                                                for r in spec.get("related", ())))
    articles = {s: render_article(b, SPEAKERS, True)[0] for s, b in briefings.items()}
    return briefings, articles


def test_what_appears_everywhere_relates_nothing() -> None:
    briefings, articles = _site({
        "a": {"published": date(2022, 1, 1), "speakers": ["vladimir-putin"], "tags": ["Russia"]},
        "b": {"published": date(2022, 1, 2), "speakers": ["vladimir-putin"], "tags": ["Russia"]},
        "c": {"published": date(2022, 1, 3), "speakers": ["vladimir-putin"],
              "tags": ["Russia", "CSTO"], "events": [date(2022, 1, 7)]},
        "d": {"published": date(2022, 1, 4), "speakers": ["vladimir-putin"],
              "tags": ["Russia", "CSTO"], "events": [date(2022, 1, 7)]},
    })
    related = build_indexes(briefings, SPEAKERS, articles).related
    assert related["a"] == ()  # Putin and "Russia" are in every briefing
    assert related["c"] == ("d",)
    assert related["d"] == ("c",)


def test_explicit_related_links_show_on_both_sides_and_come_first() -> None:
    briefings, articles = _site({
        "a": {"published": date(2022, 1, 1), "related": ["c"]},
        "b": {"published": date(2022, 1, 2), "tags": ["CSTO"]},
        "c": {"published": date(2022, 1, 3), "tags": ["CSTO"]},
        "d": {"published": date(2022, 1, 4)},
    })
    related = build_indexes(briefings, SPEAKERS, articles).related
    assert related["a"] == ("c",)
    assert related["c"] == ("a", "b")


def test_briefings_tied_on_score_are_related_in_slug_order() -> None:
    """Forty briefings share a tag and nothing else (thousands do in a real
    archive): the related ones are the first five by slug, whatever the order
    of publication."""
    specs = {f"t{n:02d}": {"published": date(2022, 1, 1 + (n * 7) % 28), "tags": ["CSTO"]}
             for n in range(40)}
    specs |= {f"u{n:02d}": {"published": date(2022, 2, 1 + n)} for n in range(20)}
    briefings, articles = _site(specs)
    related = build_indexes(briefings, SPEAKERS, articles).related
    assert related["t00"] == ("t01", "t02", "t03", "t04", "t05")
    assert related["t03"] == ("t00", "t01", "t02", "t04", "t05")
    assert related["u00"] == ()


def test_neighbours_follow_publication_order() -> None:
    briefings, articles = _site({
        "late": {"published": date(2023, 1, 1)},
        "early": {"published": date(2021, 1, 1)},
        "middle": {"published": date(2022, 1, 1)},
    })
    indexes = build_indexes(briefings, SPEAKERS, articles)
    assert indexes.chronological == ("early", "middle", "late")
    assert (indexes.previous["middle"], indexes.next["middle"]) == ("early", "late")
    assert indexes.previous["early"] is None and indexes.next["late"] is None


def test_day_index_holds_publications_quotes_and_events() -> None:
    briefings, articles = _site({
        "a": {"published": date(2022, 1, 10), "speakers": ["vladimir-putin"],
              "events": [date(2022, 1, 2)]},
    })
    days = build_indexes(briefings, SPEAKERS, articles).days
    assert list(days) == [date(2022, 1, 2), date(2022, 1, 10)]
    assert days[date(2022, 1, 10)].published == ("a",)
    assert [r.id for r in days[date(2022, 1, 10)].quotes] == ["q-vladimir-putin"]
    assert [r.id for r in days[date(2022, 1, 2)].events] == ["e0"]


def test_unknown_speaker_suggests_the_nearest_id() -> None:
    briefings, articles = _site({"a": {"published": date(2022, 1, 1),
                                       "speakers": ["vladimir-putn"]}})
    problems = check_references(briefings, SPEAKERS, articles, known={"a"},
                                declared=set(SPEAKERS))
    assert [p.message for p in problems if p.is_error] == [
        "unknown speaker 'vladimir-putn'. Did you mean 'vladimir-putin'?"]


def test_a_speaker_with_errors_of_its_own_is_not_reported_again_at_each_quote() -> None:
    briefings, articles = _site({"a": {"published": date(2022, 1, 1),
                                       "speakers": ["vladimir-putin"]}})
    without_putin = {k: v for k, v in SPEAKERS.items() if k != "vladimir-putin"}
    problems = check_references(briefings, without_putin, articles, known={"a"},
                                declared=set(SPEAKERS))
    assert [p for p in problems if p.is_error] == []
    unreadable = check_references(briefings, {}, articles, known={"a"}, declared=None)
    assert unreadable == []


def test_unused_speakers_are_only_reported_when_every_briefing_was_read_whole() -> None:
    briefings, articles = _site({"a": {"published": date(2022, 1, 1), "article": "It spoke.",
                                       "speakers": ["vladimir-putin"]}})
    complete = check_references(briefings, SPEAKERS, articles, known={"a"},
                                declared=set(SPEAKERS))
    assert any("never quoted" in p.message for p in complete)
    partial = check_references(briefings, SPEAKERS, articles, known={"a", "broken"},
                               declared=set(SPEAKERS), complete=False)
    assert not any("never quoted" in p.message for p in partial)


def test_mentions_are_found_even_when_not_linked() -> None:
    made = briefing("Putin spoke.")
    article, _ = render_article(made, SPEAKERS, link_mentions=False)
    assert "mention" not in article.html
    assert article.mentioned == {"vladimir-putin"}
