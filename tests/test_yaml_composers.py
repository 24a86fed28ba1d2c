"""libyaml composes the annotation files; the pure-Python composer stays the
reference. Every file the pure-Python composer reads gives the same data at
the same positions through libyaml, every file it refuses gives the same
message, and the few files only libyaml reads are ones the YAML specification
allows (docs/format.md, "YAML")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder import yamlfile
from builder.yamlfile import Mapping, Sequence, parse_yaml

pytestmark = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML without libyaml")


@contextmanager
def pure_python() -> Iterator[None]:
    kept = yamlfile._CLoader
    yamlfile._CLoader = None
    try:
        yield
    finally:
        yamlfile._CLoader = kept


def plain(value: Any) -> Any:
    """Located data -> comparable values, positions included."""
    if isinstance(value, Mapping):
        return ("map", value.where, [(k, value.key_at[k], value.value_at[k], plain(v))
                                     for k, v in value.items.items()])
    if isinstance(value, Sequence):
        return ("seq", value.where, list(zip(value.item_at, map(plain, value.items),
                                             strict=True)))
    return value


def both(text: str) -> tuple[Any, Any]:
    fast = parse_yaml(text, "x.yaml")
    with pure_python():
        reference = parse_yaml(text, "x.yaml")
    return (plain(fast[0]), fast[1]), (plain(reference[0]), reference[1])


# Pieces of annotation files and of YAML's syntax, so that random texts hit
# the scanner's corners: keys, flow collections, quotes, anchors, tags,
# comments, block scalars, tabs, odd line ends and non-ASCII text.
PIECES = st.sampled_from([
    "title", "quotes", "- ", "  ", "\t", ": ", ":", "\n", "\r\n", "\u2028", "\x85",
    "[", "]", "{", "}", ",", "'", '"', "\\", "#", "&a ", "*a", "!!str ", "!x ", "|", ">",
    "? ", "---", "...", "<<: ", "é", "Путин", "null", "~", "2022-01-10", "1.10", "NO",
    "%YAML 1.1\n", "\\u2028", "a b", "x",
])


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=40).map("".join))
@example("title: a\nquotes:\n  - speaker: x\n    quote: 'it''s'\n")
@example("a: [1, 2\n")
@example("a: b: c\n")
@example("a:\n\t- b\n")
@example("a: *missing\n")
@example("? title? #<<: ")  # a colon in a comment after an explicit key
@example("a: 1\na: 2\n")
@example("a: \u2028b\nc: [d\n")
def test_libyaml_reads_what_the_pure_python_composer_reads(text: str) -> None:
    fast, reference = both(text)
    if reference[0] is not None or not reference[1]:
        assert fast == reference  # read: the same data, at the same positions
    elif fast[1] and fast[1] != reference[1]:
        # Refused by both, for another reason: libyaml read on past a place
        # where the specification allows what PyYAML refuses (a tab before a
        # colon, an explicit key), then met another problem.
        assert "\t" in text or "?" in text


@pytest.mark.parametrize("text, expected", [
    # A tab may separate a key from its colon (YAML 1.2, s-separate-in-line).
    ("title\t: x\n", {"title": "x"}),
    # An explicit key may be empty: the key is null, which is not a plain word.
    ("? \n", None),
])
def test_what_only_libyaml_reads_is_what_the_specification_allows(text: str,
                                                                   expected: Any) -> None:
    data, problems = parse_yaml(text, "x.yaml")
    with pure_python():
        assert parse_yaml(text, "x.yaml")[1], "the pure-Python composer refuses it"
    if expected is None:
        assert [p.message for p in problems] == ["a key must be a plain word. Write it as text."]
    else:
        assert not problems and data.items == expected
