"""The data files made of each briefing's entries, assembled from the runs of
the briefings that changed and the bytes of the file as last written
(builder/export.py). Each case compares with the file assembled from nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.export import SEPARATOR, Assembled, Layout, assemble, restored, stored
from builder.write import Spliced

ENVELOPE = b'{\n  "format": "briefings/quotes",\n  "quotes": []\n}'


def _runs(texts: dict[str, list[str]]) -> dict[str, bytes]:
    return {slug: SEPARATOR.join(json.dumps({"slug": slug, "text": t}).encode() for t in items)
            for slug, items in texts.items()}


@pytest.fixture(autouse=True)
def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _assemble(runs: dict[str, bytes], keys: dict[str, bytes], before: Layout | None = None,
              written: bytes | None = None, made: list[str] | None = None) -> Assembled:
    """Assembled with ``written`` as the file last written (none if None)."""
    def make(slug: str) -> bytes:
        if made is not None:
            made.append(slug)
        return runs[slug]

    file = Path(f"written-{len(list(Path().iterdir()))}.json")
    if written is not None:
        file.write_bytes(written)
    return assemble(ENVELOPE, list(runs), keys.__getitem__, make, before, file)


def _bytes(assembled: Assembled) -> bytes:
    """The file as the writer writes it."""
    data = assembled.data()
    if isinstance(data, bytes):
        return data
    target = Path("target.json")
    data.write(target)
    assert data.read() == target.read_bytes()
    return target.read_bytes()


FIRST = {"a": ["one", "two"], "b": [], "c": ["three"], "d": ["four"]}


def test_a_file_assembled_from_nothing_is_the_json_document_of_every_entry() -> None:
    assembled = _assemble(_runs(FIRST), dict.fromkeys(FIRST, b"k"))
    data = _bytes(assembled)
    assert json.loads(data)["quotes"] == [
        {"slug": "a", "text": "one"}, {"slug": "a", "text": "two"},
        {"slug": "c", "text": "three"}, {"slug": "d", "text": "four"}]
    assert assembled.layout.size == len(data)
    assert json.loads(_bytes(_assemble(_runs({"a": [], "b": []}), dict.fromkeys("ab", b"k")))
                      ) == json.loads(ENVELOPE)


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
    written = _bytes(first)
    after = _runs({**FIRST, **change})
    made: list[str] = []
    rebuilt = _assemble(after, {**keys, **dict.fromkeys(change, b"changed")}, first.layout,
                        written, made)
    fresh = _assemble(after, keys)
    assert _bytes(rebuilt) == _bytes(fresh)
    assert made == list(change)
    if any(runs for slug, runs in FIRST.items() if slug not in change):
        # The runs that did not change are copied from the file as written.
        copied = rebuilt.data()
        assert isinstance(copied, Spliced)
        assert sum(len(p) for p in copied.pieces if isinstance(p, bytes)) \
            <= len(_bytes(fresh)) - sum(len(after[s]) for s in FIRST if s not in change)
    assert rebuilt.layout.digest == fresh.layout.digest != first.layout.digest
    assert rebuilt.layout.size == len(_bytes(fresh))


def test_a_run_made_again_the_same_gives_the_file_its_digest_before_it_is_made() -> None:
    """The build compares digests, and makes a file only when its digest changed."""
    first = _assemble(_runs(FIRST), dict.fromkeys(FIRST, b"k"))
    again = _assemble(_runs(FIRST), {**dict.fromkeys(FIRST, b"k"), "c": b"new"}, first.layout,
                      _bytes(first))
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
        written = _bytes(first)[:-3]
    after = _runs({**FIRST, "c": ["three, changed"]})
    rebuilt = _assemble(after, {**keys, "c": b"changed"}, first.layout, written)
    assert _bytes(rebuilt) == _bytes(_assemble(after, keys))


@pytest.mark.parametrize("after", [
    {"a": ["one", "two"], "b": [], "new": ["five"], "c": ["three"], "d": ["four"]},  # added
    {"a": ["one", "two"], "c": ["three"], "d": ["four"]},  # gone
    {"c": ["three"], "a": ["one", "two"], "b": [], "d": ["four"]},  # moved
])
def test_briefings_added_gone_or_moved_keep_the_runs_of_the_others(after: dict[str, list[str]]
                                                                   ) -> None:
    keys = dict.fromkeys(after, b"k")
    first = _assemble(_runs(FIRST), dict.fromkeys(FIRST, b"k"))
    made: list[str] = []
    rebuilt = _assemble(_runs(after), keys, first.layout, _bytes(first), made)
    assert _bytes(rebuilt) == _bytes(_assemble(_runs(after), keys))
    assert made == [slug for slug in after if slug not in FIRST]
    assert isinstance(rebuilt.data(), Spliced)


@pytest.mark.parametrize("runs, changed", [
    (FIRST, None),  # a first build
    ({"a": [], "b": []}, None),  # no entries at all
    ({"a": ["one", "two"], "b": ["new"], "c": ["three, changed"], "d": []}, "bcd"),
])
def test_a_file_made_mostly_anew_is_written_to_a_spool_as_made_and_is_the_same_file(
        runs: dict[str, list[str]], changed: str | None, tmp_path: Path) -> None:
    """On a first build, or where most runs changed, the file is written to
    a temporary file run by run, never held whole: the same bytes, digest
    and layout as a file assembled in memory."""
    first = _assemble(_runs(FIRST), dict.fromkeys(FIRST, b"k"))
    before = first.layout if changed else None
    keys = {slug: b"changed" if slug in (changed or "") else b"k" for slug in runs}
    in_memory = _assemble(_runs(runs), keys, before, _bytes(first))
    made: list[str] = []

    def make(slug: str) -> bytes:
        made.append(slug)
        return _runs(runs)[slug]

    with (tmp_path / "spool").open("w+b") as spool:
        spooled = assemble(ENVELOPE, list(runs), keys.__getitem__, make, before,
                           Path("written.json"), lambda: spool)
        assert spooled.layout == in_memory.layout
        assert _bytes(spooled) == _bytes(in_memory)
        assert made == list(runs)
        if any(_runs(runs).values()):  # the spool, copied
            assert spooled.data() == Spliced(spool, ((0, spooled.layout.size),))
            assert spool.tell() == spooled.layout.size


@pytest.mark.parametrize("kernel", ["copies", "copies a byte at a time", "cannot copy"])
def test_a_spliced_file_is_the_same_however_the_kernel_copies(
        kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """copy_file_range may copy less than asked, or not at all between two
    file systems (then the writer reads and writes the stretches itself)."""
    import errno
    import os

    source = Path("source.json")
    source.write_bytes(b"0123456789" * 1000)
    spliced = Spliced(source, (b"[", (5, 2000), b"-new-", (9000, 1000), b"]"))
    copy = os.copy_file_range
    if kernel == "copies a byte at a time":
        monkeypatch.setattr(os, "copy_file_range",
                            lambda src, dst, count, offset: copy(src, dst, 1, offset))
    elif kernel == "cannot copy":
        def refuse(*args: object) -> int:
            raise OSError(errno.EXDEV, "cross-device")
        monkeypatch.setattr(os, "copy_file_range", refuse)
    spliced.write(Path("target.json"))
    data = source.read_bytes()
    assert Path("target.json").read_bytes() == b"[" + data[5:2005] + b"-new-" + data[9000:] + b"]"
    assert spliced.read() == Path("target.json").read_bytes()


@pytest.mark.parametrize("width", [16, 32, None])
def test_a_layout_kept_by_the_cache_comes_back_with_its_order_and_only_with_it(
        width: int | None) -> None:
    keys = {slug: (bytes([i]) * (width or 16 + 16 * (i % 2))) for i, slug in enumerate(FIRST)}
    layout = _assemble(_runs(FIRST), keys).layout
    kept = stored(layout)
    order, other = tuple(FIRST), ("a", "c", "b", "d")
    assert restored(kept, [order]) == layout
    assert restored(kept, iter([other, order])) == layout  # the order before a change
    assert restored(kept, [other]) is None
    assert restored(kept[:-1], [order]) is None
    assert restored((*kept[:-1], kept[-1][:-8]), [order]) is None  # a size missing
