"""``briefings reanchor``: annotations found again after their article changed,
on the example site's real articles."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.anchor import reader_text
from builder.cache import BuildCache
from builder.model import Anchor
from builder.problems import Position
from builder.reanchor import anchors_of, reanchor
from builder.yamledit import EditError, ScalarEdit, apply

from conftest import ROOT, run_cli
from helpers import briefing

MECCA = "2015-09-12-mecca-crane-collapse"
TASS = "2022-01-10-putin-csto-kazakhstan"
HERE = Position("content/briefings/x.yaml", 7, 12)


def _outcome(old_article: str, new_article: str, text: str, occurrence: int | None = None):
    [found] = reanchor(reader_text(old_article), reader_text(new_article),
                       [("quote", Anchor(text, occurrence, HERE))])
    return found


def _article(slug: str = MECCA) -> str:
    return (ROOT / "content" / "briefings" / f"{slug}.md").read_text("utf-8")


def _paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


QUOTE = "Had it happened an hour later it would have been much worse"


def test_a_paragraph_inserted_before_a_quote_leaves_it_kept() -> None:
    old = _article()
    paragraphs = _paragraphs(old)
    paragraphs.insert(1, "An editor's note: this story was updated with new figures.")
    assert _outcome(old, "\n\n".join(paragraphs), QUOTE).status == "kept"


def test_a_word_corrected_inside_a_quote_is_changed_with_its_new_words() -> None:
    old = _article()
    new = old.replace("much worse", "far worse")
    found = _outcome(old, new, QUOTE)
    assert found.status == "changed"
    assert found.new_text == "Had it happened an hour later it would have been far worse"
    assert 80 <= found.score < 100


def test_the_same_words_repeated_earlier_make_the_quote_move_to_occurrence_2() -> None:
    old = _article()
    paragraphs = _paragraphs(old)
    paragraphs.insert(1, f"Summary: “{QUOTE},” an editor said.")
    found = _outcome(old, "\n\n".join(paragraphs), QUOTE)
    assert (found.status, found.occurrence) == ("moved", 2)


def test_a_paragraph_moved_to_the_top_is_moved_and_needs_no_change() -> None:
    old = _article()
    paragraphs = _paragraphs(old)
    at = next(i for i, p in enumerate(paragraphs) if QUOTE in p)
    moved = [paragraphs[0], paragraphs[at]] + paragraphs[1:at] + paragraphs[at + 1:]
    found = _outcome(old, "\n\n".join(moved), QUOTE)
    assert (found.status, found.needs_writing) == ("moved", False)


def test_typographic_dashes_and_a_rewrapped_hyphen_are_found_normalised() -> None:
    old = "The toll -- more than a thousand -- was feared by well-known editors.\n"
    new = "The toll — more than a\nthousand — was feared by well-\nknown editors.\n"
    found = _outcome(old, new, "more than a thousand -- was feared by well-known editors")
    assert found.status == "changed"
    assert found.new_text == "more than a thousand — was feared by well- known editors"


def test_a_deleted_paragraph_orphans_its_quote_even_where_its_words_stand_elsewhere() -> None:
    old = _article()
    paragraphs = _paragraphs(old)
    gone = next(i for i, p in enumerate(paragraphs) if QUOTE in p)
    # The same words earlier, then the paragraph the quote was in deleted.
    paragraphs.insert(1, f"Summary: “{QUOTE},” an editor said.")
    twice = "\n\n".join(paragraphs)
    del paragraphs[gone + 1]
    found = _outcome(twice, "\n\n".join(paragraphs), QUOTE, occurrence=2)
    assert found.status == "orphaned"
    assert found.reason == "its passage was deleted"
    deleted = "\n\n".join(p for p in _paragraphs(old) if QUOTE not in p)
    assert _outcome(old, deleted, QUOTE).status == "orphaned"


def test_a_deleted_paragraph_whose_next_one_opens_alike_takes_only_its_own_passages() -> None:
    old = ("In his message to the President of the United States, he wished success.\n\n"
           "In his message to the Prime Minister of India, he praised the talks.\n")
    new = "In his message to the Prime Minister of India, he praised the talks.\n"
    assert _outcome(old, new, "In his message to the President").status == "orphaned"
    kept = _outcome(old, new, "In his message to the Prime Minister")
    assert kept.status == "kept"


def test_the_same_letters_inside_other_words_are_not_the_passage() -> None:
    old = "The court heard the case. He named the rapist yesterday. It ended.\n"
    new = "The court heard the case. The therapist spoke. It ended.\n"
    assert _outcome(old, new, "the rapist").status == "orphaned"


def test_a_passage_split_into_two_new_places_is_ambiguous() -> None:
    old = _article()
    paragraphs = [p for p in _paragraphs(old) if QUOTE not in p]
    paragraphs.insert(2, f"Editors: “{QUOTE}.”")
    paragraphs.insert(4, f"Officials: “{QUOTE}.”")
    found = _outcome(old, "\n\n".join(paragraphs), QUOTE)
    assert found.status == "ambiguous"
    assert len(found.candidates) == 2


# -- the command line -------------------------------------------------------------

def _site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    return site


def test_a_build_keeps_the_text_and_reanchor_starts_from_it(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0
    md = site / "content" / "briefings" / f"{MECCA}.md"
    paragraphs = _paragraphs(md.read_text("utf-8").replace("much worse", "far worse"))
    paragraphs.insert(1, "An editor's note: this story was updated.")
    md.write_text("\n\n".join(paragraphs), "utf-8")

    done = run_cli("reanchor", MECCA, "--site", site)
    assert done.code == 0, done.out + done.err
    lines = done.out.splitlines()
    changed = [line for line in lines if ": changed (" in line]
    assert changed == [f"content/briefings/{MECCA}.yaml:23:12: changed (94% alike): quote "
                       f"'{QUOTE}' -> 'Had it happened an hour later it would have been far "
                       "worse' (--write rewrites it)"]
    assert lines[-1] == "reanchor: 5 kept, 0 moved, 1 changed, 0 ambiguous, 0 orphaned (1 briefing)"


def test_a_build_whose_anchors_broke_does_not_replace_the_kept_text(tmp_path: Path) -> None:
    site = _site(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    md = site / "content" / "briefings" / f"{MECCA}.md"
    first = md.read_text("utf-8")
    md.write_text(first.replace("much worse", "far worse"), "utf-8")
    assert run_cli("build", "--site", site, "--out", out).code == 1  # the quote is not found
    store = BuildCache.of_site(site)
    try:
        assert store.article(MECCA) == first
        assert store.article(TASS) == _article(TASS)
    finally:
        store.close()
    done = run_cli("reanchor", "--site", site)  # every briefing
    assert done.code == 0
    assert done.out.splitlines()[-1].endswith("1 changed, 0 ambiguous, 0 orphaned (12 briefings)")


def test_an_article_kept_by_a_cache_made_elsewhere_is_not_taken(
        tmp_path: Path, secret_of: Callable[[str], None]) -> None:
    """A cache that came with a site from elsewhere (another user's secret)
    gives no previous text: it could hold any text."""
    path = tmp_path / "site" / ".cache" / "build.sqlite"
    secret_of("theirs")
    store = BuildCache(path)
    store.put_articles({MECCA: b"Their text."})
    assert store.article(MECCA) == "Their text."
    store.save(None, {})
    store.close()
    secret_of("ours")
    store = BuildCache(path)
    assert store.article(MECCA) is None
    store.close()


def test_write_rewrites_each_style_and_keeps_every_other_byte(tmp_path: Path) -> None:
    site = _site(tmp_path)
    folder = site / "content" / "briefings"
    for path in folder.iterdir():
        if not path.name.startswith(MECCA):
            path.unlink()
    yaml_file = folder / f"{MECCA}.yaml"
    old_md = (folder / f"{MECCA}.md").read_text("utf-8")
    yaml_file.write_text(yaml_file.read_text("utf-8").split("quotes:")[0] + _STYLES, "utf-8")
    assert run_cli("check", "--site", site).code == 0
    (tmp_path / "old.md").write_text(old_md, "utf-8")
    (folder / f"{MECCA}.md").write_text(
        old_md.replace("much worse", "far worse").replace("taken to hospital", "taken to a "
                       "hospital").replace("mandatory", "compulsory")
        .replace("numerous bloodied", "many bloodied").replace("107 or more", "at least 107")
        + f"\n\nOne editor later said “{QUOTE2}” again.\n", "utf-8")
    before = yaml_file.read_text("utf-8").splitlines(keepends=True)
    assert before[-len(_STYLES.splitlines()):] == _STYLES.splitlines(keepends=True)

    done = run_cli("reanchor", MECCA, "--site", site, "--old", tmp_path / "old.md", "--write")
    assert done.code == 0, done.out + done.err
    assert done.out.splitlines()[-1].endswith("(1 briefing); 6 anchors rewritten")
    after = yaml_file.read_text("utf-8").splitlines(keepends=True)
    head = len(before) - len(_STYLES.splitlines())
    assert after[:head] == before[:head]  # title, source, summary, tags: byte for byte
    assert "".join(after[head:]) == _WRITTEN
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0


QUOTE2 = "Had it happened five hours earlier or four hours earlier"

_STYLES = f"""\
# Quotes in every style YAML has, each with a comment to keep.
quotes:
  # plain
  - speaker: khaled-al-maeena
    quote: {QUOTE}
  - speaker: suleiman-al-amr  # single
    quote: 'All those who were wounded and the dead have been taken to hospital'  # single
  - speaker: suleiman-al-amr
    # double, over two lines
    quote: "killing 107 or more and
      wounding"
events:
  - date: 2015-09-11
    summary: A crane falls
    anchor: |-
      Photos released of the scene showed numerous bloodied bodies
  - date: 2015-09-11
    summary: Pilgrims
    anchor: >-
      As undergoing a pilgrimage to Mecca is a mandatory religious duty for all
      Muslims
notes:
  - anchor: "{QUOTE2}"
    note: The editor's second remark.  # stays
"""

# Each value rewritten in its own style; the comments, the other keys and the
# layout as they were; 'occurrence' added where the words now stand twice.
_WRITTEN = f"""\
# Quotes in every style YAML has, each with a comment to keep.
quotes:
  # plain
  - speaker: khaled-al-maeena
    quote: Had it happened an hour later it would have been far worse
  - speaker: suleiman-al-amr  # single
    quote: 'All those who were wounded and the dead have been taken to a hospital'  # single
  - speaker: suleiman-al-amr
    # double, over two lines
    quote: "killing at least 107 and wounding"
events:
  - date: 2015-09-11
    summary: A crane falls
    anchor: |-
      Photos released of the scene showed many bloodied bodies
  - date: 2015-09-11
    summary: Pilgrims
    anchor: >-
      As undergoing a pilgrimage to Mecca is a compulsory religious duty for
      all Muslims
notes:
  - anchor: "{QUOTE2}"
    occurrence: 1
    note: The editor's second remark.  # stays
"""


def test_exit_codes_and_messages_name_the_file_line_and_fix(tmp_path: Path) -> None:
    site = _site(tmp_path)
    never = run_cli("reanchor", MECCA, "--site", site)  # never built: no previous text
    assert never.code == 1
    assert f"briefings: error: content/briefings/{MECCA}.md: no previous text is known" \
        in never.err
    assert "--old FILE" in never.err and "build once before editing" in never.err
    assert never.out.splitlines()[-1] == ("reanchor: 0 kept, 0 moved, 0 changed, 0 ambiguous, "
                                          "0 orphaned (0 briefings; 1 not reanchored)")
    assert run_cli("reanchor", MECCA, TASS, "--site", site, "--old", "x.md").code == 2
    unknown = run_cli("reanchor", "no-such-briefing", "--site", site)
    assert unknown.code == 2 and "no briefing 'no-such-briefing'" in unknown.err

    old = tmp_path / "old.md"
    old.write_text(_article(), "utf-8")
    md = site / "content" / "briefings" / f"{MECCA}.md"
    md.write_text("\n\n".join(p for p in _paragraphs(_article()) if QUOTE not in p), "utf-8")
    yaml_before = (site / "content" / "briefings" / f"{MECCA}.yaml").read_bytes()
    done = run_cli("reanchor", MECCA, "--site", site, "--old", old, "--write")
    assert done.code == 1
    orphans = [line for line in done.out.splitlines() if ": orphaned:" in line]
    assert orphans == [
        f"content/briefings/{MECCA}.yaml:23:12: orphaned: quote '{QUOTE}': its passage was "
        "deleted. It is left as it is",
        f"content/briefings/{MECCA}.yaml:26:12: orphaned: quote 'Had it happened five hours "
        "earlier or four hours earlier, I think the death tol…': its passage was deleted. "
        "It is left as it is"]
    assert (site / "content" / "briefings" / f"{MECCA}.yaml").read_bytes() == yaml_before


def test_a_passage_kept_outside_turns_is_reanchored_and_rewritten_in_its_list() -> None:
    old = "MR. A: Hello there.\n\n*Photo: the crowd at the gate.*\n\nMR. A: Goodbye."
    new = old.replace("the crowd", "the large crowd")
    made = briefing(new, labels={"MR. A": "vladimir-putin"},
                    outside=("Photo: the crowd at the gate.",))
    [(what, anchor)] = anchors_of(made)
    [found] = reanchor(reader_text(old), reader_text(new), [(what, anchor)])
    assert (what, found.status, found.new_text) == (
        "passage kept outside turns", "changed", "Photo: the large crowd at the gate.")

    text = "transcript:\n  outside:\n    - the crowd at the gate  # a caption\n"
    assert apply(text, "x.yaml", [ScalarEdit(3, 7, found.new_text)]) == (
        "transcript:\n  outside:\n    - 'Photo: the large crowd at the gate.'  # a caption\n")
    with pytest.raises(EditError, match="x.yaml:3:7: 'occurrence' cannot be written"):
        apply(text, "x.yaml", [ScalarEdit(3, 7, None, 2, True)])
