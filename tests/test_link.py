"""Cross-document indexes: related briefings, neighbours, days, speakers."""

from __future__ import annotations

import math
import pickle
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.anchor import render_article
from builder.cache import digest_of
from builder.depends import card_digests, page_keys, touched_pages
from builder.link import (
    RELATED_LIMIT,
    Indexes,
    Uses,
    build_indexes,
    check_references,
    checked,
    found_again,
    found_in,
    pack,
    unpack,
    update_indexes,
)
from builder.link import _related as related_of
from builder.model import Briefing, Event, Site, SiteConfig, Source
from builder.render import plan_site

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
    assert article.mentioned == ("vladimir-putin",)


# -- the indexes made again for the briefings that changed ----------------------

_DAYS = [date(2022, 1, d) for d in (3, 5, 7, 9)]
_spec = st.fixed_dictionaries({
    "published": st.sampled_from(_DAYS),
    "speakers": st.lists(st.sampled_from(sorted(SPEAKERS)), max_size=2, unique=True),
    "said": st.sampled_from(_DAYS),
    "tags": st.lists(st.sampled_from(["CSTO", "Russia", "Kazakhstan"]), max_size=2, unique=True),
    "events": st.lists(st.sampled_from(_DAYS), max_size=2),
    "range": st.booleans(),
    "precision": st.sampled_from(["day", "day", "month", "year"]),  # format 1.1
    "related": st.lists(st.sampled_from(["b0", "b1", "b2", "b3", "b4"]), max_size=1),
    "transcript": st.booleans(),
})


def _first_day(day: date, precision: str) -> date:
    """The first day of the month or year of ``day`` (``precision``), or the day."""
    return {"day": day, "month": day.replace(day=1),
            "year": day.replace(month=1, day=1)}[precision]


def _next(day: date, precision: str) -> date:
    """The first day of the next day, month or year."""
    return {"day": day + timedelta(days=2), "month": day.replace(month=day.month + 1),
            "year": day.replace(year=day.year + 1)}[precision]


def _modelled(slug: str, spec: dict) -> Briefing:
    vague = spec["precision"]
    made = briefing("Putin and Joe Biden spoke. President Biden answered.",
                    quotes=tuple(replace(quote("spoke", speaker=s, id=f"q-{s}"),
                                         said_on=_first_day(spec["said"], vague),
                                         said_on_precision=vague)
                                 for s in spec["speakers"]),
                    labels={"PUTIN": "vladimir-putin"} if spec["transcript"] else None)
    if made.transcript and vague != "day":
        made = replace(made, transcript=replace(made.transcript, said_on_precision=vague,
                                                said_on=_first_day(spec["said"], vague)))
    events = []
    for i, day in enumerate(spec["events"]):
        start = _first_day(day, vague)
        end = _next(start, vague) if spec["range"] else start
        events.append(Event(f"e{i}", start, end, "x", precision=vague))
    return replace(made, slug=slug, title=f"Title {slug}", tags=tuple(spec["tags"]),
                   source=Source("Outlet", spec["published"]), events=tuple(events),
                   related=tuple((r, HERE) for r in spec["related"] if r != slug))


def _in_order(indexes: Indexes) -> dict[str, Any]:
    """Every part, dictionaries as lists of their items: their order shows on pages."""
    return {name: list(part.items()) if isinstance(part, dict) else part
            for name, part in indexes.parts().items()}


@settings(max_examples=150, deadline=None)
@given(st.lists(_spec, min_size=2, max_size=5), st.data())
def test_indexes_made_again_for_the_changed_briefings_equal_indexes_made_anew(
        specs: list[dict], data: st.DataObject) -> None:
    before = {f"b{i}": _modelled(f"b{i}", spec) for i, spec in enumerate(specs)}
    changes = data.draw(st.dictionaries(st.sampled_from(sorted(before)), _spec, min_size=1,
                                        max_size=2))
    after = {**before, **{slug: _modelled(slug, spec) for slug, spec in changes.items()}}
    articles = {s: render_article(b, SPEAKERS, True)[0] for s, b in after.items()}
    old = build_indexes(before, SPEAKERS,
                        {s: render_article(b, SPEAKERS, True)[0] for s, b in before.items()})
    updated = update_indexes(old, {s: after[s] for s in changes}, articles, after, SPEAKERS)
    anew = build_indexes(after, SPEAKERS, articles)
    # Only a briefing moved in time makes them all again.
    assert (updated is None) == (anew.chronological != old.chronological)
    if updated is not None:
        assert _in_order(updated) == _in_order(anew)
    # As the cache keeps them, and reads them back.
    kept = {name: pickle.loads(pickle.dumps(pack(name, part)))
            for name, part in anew.parts().items()}
    assert _in_order(Indexes(**{name: unpack(name, part) for name, part in kept.items()})) \
        == _in_order(anew)


@settings(max_examples=150, deadline=None)
@given(st.lists(_spec, min_size=2, max_size=5), st.data())
def test_page_keys_worked_out_again_for_the_touched_pages_equal_keys_worked_out_anew(
        specs: list[dict], data: st.DataObject) -> None:
    """A page whose key is not worked out again keeps the last build's, so the
    touched pages must include every page whose key changed."""
    before = {f"b{i}": _modelled(f"b{i}", spec) for i, spec in enumerate(specs)}
    changes = data.draw(st.dictionaries(st.sampled_from(sorted(before)), _spec, min_size=1,
                                        max_size=2))
    after = {**before, **{slug: _modelled(slug, spec) for slug, spec in changes.items()}}

    def made(briefings: dict[str, Briefing]) -> tuple[Site, Indexes, dict[str, bytes]]:
        articles = {s: render_article(b, SPEAKERS, True)[0] for s, b in briefings.items()}
        shown = {s: digest_of((b, articles[s].turns, sorted(articles[s].mentioned)))
                 for s, b in briefings.items()}
        site = Site("", SiteConfig("T", "https://example.org/"), SPEAKERS, briefings)
        return site, build_indexes(briefings, SPEAKERS, articles), shown

    old_site, old, old_shown = made(before)
    site, anew, shown = made(after)
    if anew.chronological != old.chronological:
        return  # a briefing moved in time: every key is worked out anew
    whole = dict.fromkeys(after, b"")
    _, kept, cards = page_keys(plan_site(old_site, old), old_site, old, whole, old_shown, b"")
    plan = plan_site(site, anew)
    changed = [s for s in after if shown[s] != old_shown[s]]
    made_cards = card_digests(anew, changed)
    touched = touched_pages(old, anew, changed,
                            [s for s, card in made_cards.items() if card != cards[s]])
    again, _, _ = page_keys(plan, site, anew, whole, shown, b"", kept, {**cards, **made_cards},
                            touched)
    assert again == page_keys(plan, site, anew, whole, shown, b"")[0]


def _where(slug: str, line: int) -> tuple[str, int, int]:
    return f"content/briefings/{slug}.yaml", line, 3


_uses = st.builds(
    lambda speakers, related, tags, used: (speakers, related, tags, used),
    st.lists(st.sampled_from(["vladimir-putin", "joe-biden", "nobody", "vladimir-putn"]),
             max_size=3),
    st.lists(st.sampled_from(["a", "b", "c", "gone"]), max_size=2),
    st.lists(st.sampled_from(["CSTO", "Csto", "Russia", "russia", "Токаев"]), max_size=3),
    st.sets(st.sampled_from(["vladimir-putin", "joe-biden"])))


def _as_uses(slug: str, spec: tuple) -> Uses:
    speakers, related, tags, used = spec
    return Uses(tuple((s, _where(slug, i + 1), "") for i, s in enumerate(speakers)),
                tuple((r, _where(slug, 10 + i)) for i, r in enumerate(related)),
                tuple((t, _where(slug, 20 + i)) for i, t in enumerate(tags)),
                tuple(sorted(used)))


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("abcdef"), _uses, max_size=5),
       st.dictionaries(st.sampled_from("abcdefg"), st.none() | _uses, max_size=3))
def test_checks_found_again_for_the_briefings_that_changed_equal_the_checks_of_all(
        first: dict[str, tuple], changes: dict[str, tuple | None]) -> None:
    """A rebuild checks the uses of the briefings that changed (or came or
    went) against what the last build found, not every briefing's again."""
    before = {slug: _as_uses(slug, spec) for slug, spec in first.items()}
    after = {**before, **{slug: _as_uses(slug, spec) for slug, spec in changes.items() if spec}}
    for slug in [s for s, spec in changes.items() if spec is None]:
        after.pop(slug, None)
    known, declared = set(after) | {"a"}, {"vladimir-putin", "joe-biden"}
    changed = {slug for slug in changes if slug in before or slug in after}
    found, spellings = found_in(before, known, declared)
    again, respelled = found_again(found, lambda url: spellings.get(url, ()),
                                   {slug: before[slug] for slug in changed if slug in before},
                                   {slug: after[slug] for slug in changed if slug in after},
                                   known, declared)
    anew, spellings_anew = found_in(after, known, declared)
    assert again == anew
    assert checked(again, SPEAKERS, declared, True) == checked(anew, SPEAKERS, declared, True)
    assert {url: e for url, e in {**spellings, **respelled}.items() if e} == spellings_anew


def _related_by_hand(features: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
                     chronological: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The rule the related briefings follow, pair by pair: explicit links both
    ways first (in the briefings' order), then the others by the summed weight
    (log(n / holders)) of the features they share, rounded to 9 places, ties
    by slug."""
    slugs = sorted(features)
    held = Counter(f for own, _ in features.values() for f in own)
    weight = {f: math.log(len(slugs) / n) for f, n in held.items()}
    explicit: dict[str, list[str]] = defaultdict(list)
    for slug in chronological:
        for other in features[slug][1]:
            if other in features:
                explicit[slug].append(other)
                explicit[other].append(slug)
    found = {}
    for slug in slugs:
        chosen = list(dict.fromkeys(explicit[slug]))
        ranked = []
        for other in slugs:
            score = 0.0
            for feature in features[slug][0]:  # added in this order, as the build adds them
                if weight[feature] > 0 and feature in features[other][0]:
                    score += weight[feature]
            if other != slug and score > 0:
                ranked.append((-round(score, 9), other))
        picked = [other for _, other in sorted(ranked) if other not in chosen]
        found[slug] = tuple(chosen + picked[:max(RELATED_LIMIT, len(chosen)) - len(chosen)])
    return found


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(
    st.sampled_from([f"b{i:02d}" for i in range(40)]),
    st.tuples(st.lists(st.sampled_from(["s:putin", "s:lavrov", "s:biden", "t:russia",
                                        "t:nato", "t:energy", "d:2022-01-10", "d:2022-01-11",
                                        "d:2023-05-01"]), unique=True).map(tuple),
              st.lists(st.sampled_from([f"b{i:02d}" for i in range(45)]), max_size=2)
              .map(tuple)),
    min_size=1))
def test_related_briefings_are_those_the_rule_gives_pair_by_pair(
        features: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    """The build scores each briefing only against those that share a
    feature with it, and narrows the field before ranking: the same lists as
    scoring every pair (many tie: few features, forty briefings)."""
    chronological = tuple(sorted(features, key=lambda s: (hash(s) % 7, s)))
    assert related_of(features, chronological) == _related_by_hand(features, chronological)
