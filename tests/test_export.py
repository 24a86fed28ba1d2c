"""The data files made of each briefing's entries, assembled from the runs of
the briefings that changed and the bytes of the file as last written
(builder/export.py). Each case compares with the file assembled from nothing."""

from __future__ import annotations

import json

import pytest

from builder.export import SEPARATOR, Assembled, Layout, assemble

ENVELOPE = b'{\n  "format": "briefings/quotes",\n  "quotes": []\n}'


def _runs(texts: dict[str, list[str]]) -> dict[str, bytes]:
    return {slug: SEPARATOR.join(json.dumps({"slug": slug, "text": t}).encode() for t in items)
            for slug, items in texts.items()}


def _assemble(runs: dict[str, bytes], keys: dict[str, bytes], before: Layout | None = None,
              written: bytes | None = None, made: list[str] | None = None) -> Assembled:
    def make(slug: str) -> bytes:
        if made is not None:
            made.append(slug)
        return runs[slug]

    return assemble(ENVELOPE, list(runs), keys.__getitem__, make, before, lambda: written)


FIRST = {"a": ["one", "two"], "b": [], "c": ["three"], "d": ["four"]}


def test_a_file_assembled_from_nothing_is_the_json_document_of_every_entry() -> None:
    assembled = _assemble(_runs(FIRST), dict.fromkeys(FIRST, b"k"))
    data = assembled.data()
    assert json.loads(data)["quotes"] == [
        {"slug": "a", "text": "one"}, {"slug": "a", "text": "two"},
        {"slug": "c", "text": "three"}, {"slug": "d", "text": "four"}]
    assert assembled.layout.size == len(data)
    assert json.loads(_assemble(_runs({"a": [], "b": []}), dict.fromkeys("ab", b"k"))
                      .data()) == json.loads(ENVELOPE)


@pytest.mark.parametrize("change", [
    {"c": ["three, changed and longer"]},  # a run grows
    {"a": ["one"]},  # a run shrinks
    {"b": ["five"]},  # a briefing with no entries gets one
    {"d": []},  # the last entry goes
    {"a": [], "c": [], "d": []},  # every entry goes
])
def test_a_rebuild_makes_only_the_changed_runs_and_equals_a_file_made_anew(
        change: dict[str, list[str]]) -> None:
    keys = dict.fromkeys(FIRST, b"k")
    first = _assemble(_runs(FIRST), keys)
    written = first.data()
    after = _runs({**FIRST, **change})
    made: list[str] = []
    rebuilt = _assemble(after, {**keys, **dict.fromkeys(change, b"changed")}, first.layout,
                        written, made)
    fresh = _assemble(after, keys)
    assert rebuilt.data() == fresh.data()
    assert made == list(change)
    assert rebuilt.layout.digest == fresh.layout.digest != first.layout.digest
    assert rebuilt.layout.size == len(fresh.data())


def test_a_run_made_again_the_same_gives_the_file_its_digest_before_it_is_made() -> None:
    """The build compares digests, and makes a file only when its digest changed."""
    first = _assemble(_runs(FIRST), dict.fromkeys(FIRST, b"k"))
    again = _assemble(_runs(FIRST), {**dict.fromkeys(FIRST, b"k"), "c": b"new"}, first.layout,
                      first.data())
    assert again.layout.digest == first.layout.digest
    other = _assemble(_runs({**FIRST, "c": ["three!"]}), {**dict.fromkeys(FIRST, b"k"),
                                                          "c": b"new"}, first.layout)
    assert other.layout.digest != first.layout.digest


@pytest.mark.parametrize("written", [None, b"{}", "truncated"])
def test_a_file_that_is_not_the_one_laid_out_is_made_again_whole(written: bytes | str | None
                                                                  ) -> None:
    keys = dict.fromkeys(FIRST, b"k")
    first = _assemble(_runs(FIRST), keys)
    if written == "truncated":
        written = first.data()[:-3]
    after = _runs({**FIRST, "c": ["three, changed"]})
    rebuilt = _assemble(after, {**keys, "c": b"changed"}, first.layout, written)
    assert rebuilt.data() == _assemble(after, keys).data()
