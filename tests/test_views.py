"""What the views give the templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from builder import pipeline, render

from conftest import ROOT


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
    assert {page.template for page in views} >= {
        "home.html", "briefing.html", "speaker.html", "day.html", "tag.html", "dates.html"}
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
