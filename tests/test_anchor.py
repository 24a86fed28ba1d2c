"""Anchors: found in the text a reader sees, highlighted in place, HTML kept well formed."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder import markdown
from builder.textmatch import TAG, ReaderText, fold

from helpers import annotate, event, note, quote, text_of, well_formed

# (article Markdown, anchor as the analyst typed it, the highlighted text)
FOUND = [
    ("He said it was fine.", "it was fine", "it was fine"),
    ("He said it   was\nfine.", "it was fine", "it   was\nfine"),
    ("It is the country’s turn.", "country's turn", "country’s turn"),
    ("It is the country's turn.", "country’s turn", "country's turn"),
    ("“We agree,” he said.", '"We agree,"', "“We agree,”"),
    ('"We agree," he said.', "“We agree,”", '"We agree,"'),
    ("an attack – and it was", "attack - and", "attack – and"),
    ("an attack — and it was", "attack – and", "attack — and"),
    ("an attack - and it was", "attack — and", "attack - and"),
    ("the ‘Maidan’ technologies", "'Maidan' technologies", "‘Maidan’ technologies"),
    ("COVID-\u206019 response", "COVID-19 response", "COVID-\u206019 response"),
    ("some *emphasised words* here", "some emphasised words here",
     "some emphasised words here"),
    ("see [the report](https://example.org) now", "see the report now",
     "see the report now"),
    ("a **bold** and `code` mix", "bold and code mix", "bold and code mix"),
    ("Tom &amp; Jerry &lt;3", "Tom & Jerry <3", "Tom & Jerry <3"),
    ("line one\\\nline two", "one line two", "one\nline two"),
]


@pytest.mark.parametrize(("article", "anchor", "highlighted"), FOUND)
def test_anchor_is_found_and_highlighted(article: str, anchor: str, highlighted: str) -> None:
    result, problems = annotate(article, quotes=(quote(anchor),))
    assert problems == []
    assert well_formed(result.html) == []
    parts = re.findall(r'<mark class="quote[^"]*" data-quote="q"[^>]*>(.*?)</mark>', result.html,
                       re.S)
    assert " ".join(text_of("".join(parts)).split()) == " ".join(highlighted.split())
    assert result.html.count('id="q"') == 1


NOT_FOUND = [
    ("He said it was fine.", "it was Fine"),  # case-sensitive
    ("He said it was fine.", "it wasfine"),  # a space is not optional
    ("the «Maidan» technologies", '"Maidan" technologies'),  # guillemets are not quotes
    ("Tom & Jerry", "Tom &amp; Jerry"),  # matched against what the reader sees
]


@pytest.mark.parametrize(("article", "anchor"), NOT_FOUND)
def test_anchor_that_is_not_in_the_text_is_an_error(article: str, anchor: str) -> None:
    _, problems = annotate(article, quotes=(quote(anchor),))
    assert len(problems) == 1
    assert str(problems[0]).startswith("content/briefings/t.yaml:3:5: error: quote not found")


def test_not_found_shows_the_closest_passage() -> None:
    article = "First paragraph.\n\nPutin said the strife was an unprecedented challenge."
    _, problems = annotate(article, quotes=(quote("the strife was a unprecedented challenge"),))
    assert "Closest passage" in problems[0].message
    assert "the strife was an unprecedented challenge" in problems[0].message


def test_ambiguous_anchor_lists_every_occurrence() -> None:
    article = "We agree. They agree.\n\n> A quotation.\n\n- We agree again."
    _, problems = annotate(article, quotes=(quote("agree"),))
    assert len(problems) == 1
    message = problems[0].message
    assert "occurs 3 times" in message and "occurrence: N" in message
    assert "1 (line 1): 'We agree. They" in message
    assert "2 (line 1): '" in message
    assert "3 (line 5): '…agree. A quotation. We agree again.'" in message


@pytest.mark.parametrize("occurrence", [1, 2, 3])
def test_occurrence_picks_the_nth(occurrence: int) -> None:
    article = "one agree, two agree, three agree"
    result, problems = annotate(article, quotes=(quote("agree", occurrence),))
    assert problems == []
    before = text_of(result.html.split('<mark')[0])
    assert before.count("agree") == occurrence - 1


def test_occurrence_beyond_the_count_is_an_error() -> None:
    _, problems = annotate("agree and agree", quotes=(quote("agree", 3),))
    assert "occurrence 3 asked, but the quote occurs only 2 times" in problems[0].message


def test_anchor_across_paragraphs_is_highlighted_in_each() -> None:
    article = "First paragraph ends here.\n\nSecond paragraph starts here."
    result, problems = annotate(article, quotes=(quote("ends here. Second paragraph"),))
    assert problems == []
    assert well_formed(result.html) == []
    paragraphs = re.findall(r"<p>.*?</p>", result.html, re.S)
    assert all('data-quote="q"' in p for p in paragraphs)
    assert result.html.count('id="q"') == 1
    assert result.html.count('data-quote="q"') == 2


def test_anchor_across_list_items_and_headings() -> None:
    article = "# Title words\n\n- item one\n- item two\n\n> quoted line"
    result, problems = annotate(article, quotes=(quote("words item one item two quoted"),))
    assert problems == []
    assert well_formed(result.html) == []
    assert "<ul>\n<li>" in result.html  # nothing wedged between list tags


def test_nested_and_overlapping_annotations_stay_well_formed() -> None:
    article = "Alpha beta gamma delta epsilon zeta eta theta."
    result, problems = annotate(
        article,
        quotes=(quote("beta gamma delta epsilon", id="outer"),
                quote("gamma delta", id="inner"),
                quote("epsilon zeta eta", id="cross")),
        notes=(note("delta epsilon zeta", id="n1"),),
        events=(event("Alpha beta", id="e1"),),
    )
    assert problems == []
    assert well_formed(result.html) == []
    for id_ in ("outer", "inner", "cross", "n1", "e1"):
        assert result.html.count(f'id="{id_}"') == 1
    inner = re.search(r'<mark[^>]*data-quote="inner"[^>]*>', result.html)
    outer = re.search(r'<mark[^>]*data-quote="outer"[^>]*>', result.html)
    assert inner and outer and outer.start() < inner.start()


def test_note_adds_a_numbered_reference_after_its_passage() -> None:
    result, problems = annotate("The CSTO met. The CSTO agreed.",
                                notes=(note("CSTO agreed", id="csto", body="A *bloc*."),))
    assert problems == []
    assert 'class="note-anchor" data-note="csto" id="csto"' in result.html
    assert re.search(r'CSTO agreed</span><sup class="note-ref"><a href="#fn-csto"', result.html)
    assert "A <em>bloc</em>." in result.html  # the side note
    assert dict(result.note_numbers) == {"csto": 1}


def test_note_inside_a_link_puts_its_reference_after_the_link() -> None:
    result, problems = annotate("See [the CSTO site](https://example.org) now.",
                                notes=(note("CSTO", id="c"),))
    assert problems == []
    assert well_formed(result.html) == []
    assert re.search(r'CSTO</span> site</a><sup class="note-ref">', result.html)


def test_transcript_turns_are_attributed_and_numbered() -> None:
    article = ("**Vladimir Putin:** Good afternoon.\n\nWe begin.\n\n"
               "**Joe Biden** (*retranslated*)**:** Thank you.\n\n"
               "Q Thanks. A question.\n\nPRESIDENT BIDEN: (As interpreted.) An answer.")
    result, problems = annotate(article, labels={
        "Vladimir Putin": "vladimir-putin", "Joe Biden": "joe-biden",
        "PRESIDENT BIDEN": "joe-biden", "Q": None})
    assert problems == []
    assert [(t.id, t.speaker, t.opening) for t in result.turns] == [
        ("turn-1", "vladimir-putin", "Good afternoon."),
        ("turn-2", "joe-biden", "Thank you."),
        ("turn-3", "joe-biden", "An answer."),
    ]
    first = re.search(r'<div class="turn[^"]*" id="turn-1" data-speaker="vladimir-putin" '
                      r'data-speaker-name="Vladimir Putin">(.*?)</div>', result.html, re.S)
    assert first and "We begin." in first.group(1)  # a turn runs to the next label
    assert "Q Thanks" not in first.group(1)
    assert "Q Thanks" not in re.search(r'id="turn-2".*?</div>', result.html, re.S).group(0)
    assert well_formed(result.html) == []


def test_unlisted_label_is_a_warning_naming_it() -> None:
    _, problems = annotate("**Dmitry Peskov:** No comment.\n\nMS. PSAKI: Hi.",
                           labels={"Q": None})
    assert [p.message.split(":")[0] for p in problems] == [
        "unlisted transcript label 'Dmitry Peskov'", "unlisted transcript label 'MS. PSAKI'"]
    assert [p.where.line for p in problems] == [1, 3]
    assert all(p.severity.value == "warning" for p in problems)


def test_a_turn_never_runs_on_into_an_unlisted_speaker() -> None:
    """A label not yet mapped is not the previous speaker: its paragraph and
    those after it, up to the next listed label, belong to no turn."""
    long_label = ("Chairperson of the Legislative Duma of the Tomsk Region and of its "
                  "Committee, Mrs Oksana Kozlovskaya")
    assert len(long_label) == 100
    article = (f"**Vladimir Putin:** Good afternoon.\n\nWe begin.\n\n"
               f"**{long_label}:** Thank you, Mr President.\n\nThe region has grown.\n\n"
               "**Vladimir Putin:** Thank you.")
    result, problems = annotate(article, labels={"Vladimir Putin": "vladimir-putin"})
    assert [(p.message.split(":")[0], p.where.line) for p in problems] == [
        (f"unlisted transcript label '{long_label}'", 5)]
    assert [(t.id, t.speaker, t.opening) for t in result.turns] == [
        ("turn-1", "vladimir-putin", "Good afternoon."),
        ("turn-2", "vladimir-putin", "Thank you."),
    ]
    turns = re.findall(r'<div class="turn[^"]*" id="(turn-\d)"[^>]*>(.*?)</div>', result.html,
                       re.S)
    assert "We begin." in turns[0][1]
    for _, inside in turns:
        assert "Thank you, Mr President." not in inside
        assert "The region has grown." not in inside
    assert well_formed(result.html) == []


def test_a_passage_kept_outside_turns_belongs_to_none_and_the_turn_goes_on() -> None:
    article = ("**Vladimir Putin:** Good afternoon, colleagues.\n\n"
               "“Great many issues are most severe at the regional level.”\n\n"
               "I think that our meeting is very timely.\n\n"
               "**Joe Biden:** Thank you.")
    labels = {"Vladimir Putin": "vladimir-putin", "Joe Biden": "joe-biden"}
    result, problems = annotate(article, labels=labels,
                                outside=("Great many issues are most severe",))
    assert problems == []
    assert [(t.id, t.speaker) for t in result.turns] == [
        ("turn-1", "vladimir-putin"), ("turn-2", "joe-biden")]
    divs = re.findall(r'<div class="turn[^"]*"( id="turn-\d")? data-speaker="([^"]+)"[^>]*>'
                      r"(.*?)</div>", result.html, re.S)
    assert [(bool(d[0]), d[1]) for d in divs] == [
        (True, "vladimir-putin"), (False, "vladimir-putin"), (True, "joe-biden")]
    assert "Good afternoon" in divs[0][2] and "meeting is very timely" in divs[1][2]
    assert all("Great many issues" not in d[2] for d in divs)
    assert "Great many issues" in result.html
    assert well_formed(result.html) == []

    _, problems = annotate(article, labels=labels, outside=("Not in the article",))
    assert [p.message.split(":")[0] for p in problems] == [
        "passage kept outside turns not found in the article"]


def test_an_unlisted_label_is_reported_once_at_its_first_paragraph() -> None:
    _, problems = annotate("MS. PSAKI: Hi.\n\nMS. PSAKI: Again.\n\nMS. PSAKI: And again.")
    assert len(problems) == 1
    assert problems[0].where.line == 1
    assert "'MS. PSAKI' (and 2 more paragraphs)" in problems[0].message


def test_a_label_is_found_with_its_colon_written_as_an_entity() -> None:
    result, problems = annotate("MS. PSAKI&#58; Hi.\n\nQ&#x3A; A question.",
                                labels={"MS. PSAKI": "joe-biden", "Q": None})
    assert problems == []
    assert [(t.speaker, t.opening) for t in result.turns] == [("joe-biden", "Hi.")]
    _, problems = annotate("MS. PSAKI&colon; Hi.")
    assert [p.message.split(":")[0] for p in problems] == [
        "unlisted transcript label 'MS. PSAKI'"]


def test_ordinary_paragraphs_are_not_taken_for_labels() -> None:
    _, problems = annotate("MOSCOW, January 10. /TASS/.\n\nHe said: this is fine.\n\n"
                           "The result: a draw.")
    assert problems == []


def test_first_mention_of_a_speaker_links_to_the_speaker() -> None:
    article = "Putin spoke. Later Vladimir Putin spoke again, and President Biden answered."
    result, problems = annotate(article, link_mentions=True)
    assert problems == []
    assert result.html.count('href="../../speakers/vladimir-putin/"') == 1
    putin = '<a class="mention" href="../../speakers/vladimir-putin/">Putin</a> spoke.'
    assert putin in result.html
    assert '<a class="mention" href="../../speakers/joe-biden/">President Biden</a>' in result.html
    assert result.mentioned == ("joe-biden", "vladimir-putin")


def test_mentions_are_not_linked_inside_links_or_words() -> None:
    article = "[Putin](https://example.org) and Putinism, then Putin."
    result, _ = annotate(article, link_mentions=True)
    assert well_formed(result.html) == []
    assert "Putinism" in result.html and "then <a class=\"mention\"" in result.html


# -- property-based ---------------------------------------------------------

_words = st.sampled_from(
    ["Putin", "said", "the", "threat", "“quoted”", "‘Maidan’", "it’s", "–", "—", "a-b",
     "CSTO", "&", "<b>", "x*y", "1.", "Q", "[link](https://e.org)", "`code`", "*em*",
     "**strong**", "café", "Казахстан", "\\*", "a_b_", "#", ">"])
_paragraph = st.lists(_words, min_size=1, max_size=12).map(" ".join)
_article = st.lists(_paragraph, min_size=1, max_size=6).map(
    lambda ps: "\n\n".join(ps))


def _reader_text(article: str) -> str:
    return ReaderText.of(TAG.split(markdown.render_block(article))).text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=_article, data=st.data())
def test_any_passage_cut_from_the_rendered_text_is_found(article: str, data) -> None:
    text = _reader_text(article)
    words = text.split(" ")
    if not text.strip():
        return
    start = data.draw(st.integers(0, len(words) - 1))
    end = data.draw(st.integers(start + 1, len(words)))
    passage = " ".join(words[start:end]).strip()
    if not passage:
        return
    occurrences = len(ReaderText.of(TAG.split(markdown.render_block(article))).find_all(
        fold(passage)))
    occurrence = data.draw(st.integers(1, occurrences))
    result, problems = annotate(article, quotes=(quote(passage, occurrence),))
    assert problems == []
    assert well_formed(result.html) == []
    assert result.html.count('id="q"') == 1
    parts = re.findall(r'<mark[^>]*data-quote="q"[^>]*>(.*?)</mark>', result.html, re.S)
    marked = fold(" ".join(text_of(p) for p in parts))
    # Parts split inside a word join without a space: compare without spaces too.
    assert marked.replace(" ", "") == fold(passage).replace(" ", "")
    # Highlighting adds markup, never text.
    assert _reader_text(article) == ReaderText.of(TAG.split(result.html)).text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(article=_article, data=st.data())
def test_many_overlapping_annotations_keep_html_well_formed(article: str, data) -> None:
    words = _reader_text(article).split(" ")
    spans = []
    for n in range(data.draw(st.integers(1, 5))):
        start = data.draw(st.integers(0, len(words) - 1))
        end = data.draw(st.integers(start + 1, len(words)))
        passage = " ".join(words[start:end]).strip()
        if passage:
            spans.append((n, passage))
    quotes = tuple(quote(p, 1, id=f"q{n}") for n, p in spans if n % 2 == 0)
    notes = tuple(note(p, id=f"n{n}") for n, p in spans if n % 2 == 1)
    notes = tuple(n for n in notes if n.anchor.text)
    result, problems = annotate(article, link_mentions=True, quotes=quotes, notes=notes)
    assert [p for p in problems if "occurs" not in p.message] == []
    assert well_formed(result.html) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    list("ab \"'-é\u00a0\u200b") + ["\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014",
                                   "\u2212", "\u2032", "\uff02", "\ufe63"])))
def test_the_reader_folds_quotes_and_dashes_one_character_for_one(text: str) -> None:
    """Curly quotes, primes and dashes read as their plain forms, so that an
    anchor typed either way finds its passage; each folds to one character,
    so positions map back exactly."""
    plain = {"\u2018": "'", "\u2019": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
             "\uff02": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\ufe63": "-"}
    reader = ReaderText.of(["", "<p>", text, "</p>", ""])
    expected = " ".join("".join(plain.get(c, c) for c in text if c != "\u200b").split())
    assert reader.text.strip() == expected
    assert fold(text) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab \t\n\r\u00a0\u2009\u3000\x85"))),
                min_size=1, max_size=4))
def test_the_reader_sees_each_run_of_white_space_as_one_space(texts: list[str]) -> None:
    """However white space is written (tabs, line breaks, no-break and thin
    spaces, across inline tags), a reader sees one space, and each other
    character maps back to where it stands."""
    parts = ["", "<p>"]
    for text in texts:
        parts += [text, "<b>"]
    parts += ["", "</p>", ""]
    reader = ReaderText.of(parts)
    assert reader.text.strip() == " ".join("".join(texts).split())
    for position, character in enumerate(reader.text):
        if character != " ":
            part = reader.part_of[position]
            assert reader.decoded[part][reader.offset_of[position]] == character
