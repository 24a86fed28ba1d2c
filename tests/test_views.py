"""What the views give the templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder import pipeline, render
from builder.views import DateLink

from conftest import ROOT, SITES


def test_no_view_field_is_named_like_a_dict_method(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Templates read a view's keys before a dict's attributes (builder/render.py):
    a field named like a dict's method would read differently there than in Jinja2."""
    views: list[Any] = []
    original = render._view

    def recorded(builder: Any, planned: Any) -> Any:
        views.append(original(builder, planned))
        return views[-1]

    monkeypatch.setattr(render, "_view", recorded)
    assert pipeline.build(ROOT, tmp_path / "public", cache=False, jobs=1).ok
    # (And the pages of months and years: format 1.1.)
    assert pipeline.build(SITES / "vague-dates", tmp_path / "vague", cache=False, jobs=1).ok
    assert {page.template for page in views} >= {
        "home.html", "briefing.html", "speaker.html", "day.html", "tag.html", "dates.html",
        "period.html"}
    methods = set(dir(dict))
    clashes: set[str] = set()
    stack: list[Any] = [page.view for page in views]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            clashes |= methods & set(value)
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
    assert not clashes


@pytest.mark.parametrize("href", ["../../dates/2022-01-10/", ""])
def test_cards_show_dates_and_speakers_as_their_macros_do(href: str) -> None:
    """The cards of the default theme write out the markup of ``date`` and
    ``speaker`` (templates/macros.html): it must stay the macros' own."""
    macros = render.environment([ROOT / "templates"]).get_template("macros.html").module
    day = DateLink(href, "2022-01-10", "10 January 2022")
    speaker = {"href": "../../speakers/a-b/", "name": "A <B> & C", "id": "a-b", "tint": 3,
               "role": "", "extra": ""}
    item = {"href": "../../briefings/x/", "title": "T", "subtitle": "", "outlet": "O",
            "published": day, "speakers": [speaker, speaker]}
    quote = {"id": "q", "text": "Words.", "href": "#q", "speaker": speaker, "said_on": day,
             "occasion": "", "note": "", "briefing": item, "role": "", "reported_by": None}
    for card in (str(macros.briefing_item(item)), str(macros.quote_item(quote))):
        assert str(macros.date(day)) in card
        assert str(macros.speaker(speaker)) in card
