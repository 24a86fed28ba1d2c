"""Encoding traps and huge inputs: a clear error naming the place, or a
correct site. Sizes are far beyond real briefings (the longest White House
transcript is under 200 KB); the time and memory they take are printed by
benchmarks, not asserted here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hostile import ANNOTATIONS, ARTICLE, build_site, make_site, text_of, unsafe_parts

MD = "content/briefings/2022-01-10-talks.md"
YAML = "content/briefings/2022-01-10-talks.yaml"


@pytest.mark.parametrize(("article", "expected"), [
    (ARTICLE.encode("utf-16"),
     f"{MD}:1:1: error: the file is not UTF-8: byte 0xff at offset 0. Save the file as UTF-8."),
    ("Jane Roe said the talks were over in Bogotá.\n".encode("latin-1"),
     f"{MD}:1:43: error: the file is not UTF-8: byte 0xe1 at offset 42. Save the file as UTF-8."),
    ("Jane Roe said the talks were over.\r\n\r\nIn Bogotá.\r\n".encode("cp1252"),
     f"{MD}:3:9: error: the file is not UTF-8: byte 0xe1 at offset 46. Save the file as UTF-8."),
    (b"Jane Roe said the talks were over.\n\xed\xa0\x80\n",  # an encoded lone surrogate
     f"{MD}:2:1: error: the file is not UTF-8: byte 0xed at offset 35. Save the file as UTF-8."),
])
def test_text_that_is_not_utf8_is_an_error_naming_the_byte(
        article: bytes, expected: str, tmp_path: Path) -> None:
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, ANNOTATIONS)}))
    assert built.errors == [expected]


@pytest.mark.parametrize(("char", "line", "column"), [("\x00", 1, 14), ("\x1b", 1, 14),
                                                      ("\x0b", 1, 14), ("\x7f", 1, 14),
                                                      ("\ufffe", 1, 14)])
def test_a_control_character_in_an_article_is_an_error_naming_it(
        char: str, line: int, column: int, tmp_path: Path) -> None:
    article = f"Jane Roe said{char} the talks were over.\n"
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, ANNOTATIONS)}))
    assert len(built.errors) == 1
    assert built.errors[0].startswith(f"{MD}:{line}:{column}: error: the character "
                                      f"U+{ord(char):04X} is not text")


@pytest.mark.parametrize("escape", ["\\x1b", "\\0", "\\x7f", "\\uFFFE"])
def test_a_control_character_escaped_in_yaml_is_an_error(escape: str, tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace("title: Talks", f'title: "Talks{escape}"')
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    assert len(built.errors) == 1
    assert built.errors[0].startswith(f"{YAML}:1:8: error: the character U+")


@pytest.mark.parametrize("text", ["\u202eevil\u202c", "e\u0301\u0301\u0301", "\u200b\u200d",
                                  "👩‍👩‍👧 family", "Ǆ ǅ ǆ", "\U0001d54f"])
def test_unusual_but_valid_unicode_is_kept_exactly(text: str, tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace("title: Talks", f'title: "Talks {text}"')
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    assert built.errors == []
    assert text_of(built.page("briefings/2022-01-10-talks/index.html"), "h1") == [
        f"Talks {text}"]


def test_a_20_mb_article_builds_with_its_quote_highlighted(tmp_path: Path) -> None:
    paragraph = "Jane Roe said the talks were over, and the minister left. " * 20 + "\n\n"
    article = paragraph * (20_000_000 // len(paragraph) + 1) + "The end, she said.\n"
    annotations = ANNOTATIONS.replace("the talks were over", "The end, she said.")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, annotations)}))
    assert len(article.encode()) >= 20_000_000
    assert built.errors == []
    page = built.page("briefings/2022-01-10-talks/index.html")
    assert page.count('data-speaker="jane-roe"') >= 1
    assert '>The end, she said.</mark>' in page


def test_5000_quotes_in_one_briefing_are_each_highlighted_and_listed(tmp_path: Path) -> None:
    article = "".join(f"Sentence number {n} was said by Jane Roe.\n\n" for n in range(5000))
    quotes = "".join(f"  - speaker: jane-roe\n    quote: Sentence number {n} was\n"
                     for n in range(5000))
    annotations = "title: Talks\nsource:\n  outlet: Wire\n  published: 2022-01-10\nquotes:\n"
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, annotations + quotes)}))
    assert built.errors == []
    page = built.page("briefings/2022-01-10-talks/index.html")
    assert page.count('<mark class="quote') == 5000
    # The speaker's page lists them all, 200 items a page (the default
    # page_size), each page a few hundred kilobytes, not one of megabytes:
    # 25 pages of quotes, then one with the briefing that quotes her.
    pages = ["speakers/jane-roe/index.html"] + [
        f"speakers/jane-roe/page/{n}/index.html" for n in range(2, 27)]
    listed = [re.findall(r'#(jane-roe-sentence-number-\d+)-was"', built.page(p)) for p in pages]
    assert [len(set(found)) for found in listed] == [200] * 25 + [0]
    assert len({q for found in listed for q in found}) == 5000
    assert '<h3><a href="../../../../briefings/2022-01-10-talks/">' in built.page(pages[-1])
    assert not (built.out / "speakers/jane-roe/page/27").exists()


@pytest.mark.parametrize(("what", "annotations", "article"), [
    ("a 100,000-character title", ANNOTATIONS.replace("title: Talks", "title: " + "T" * 100_000),
     ARTICLE),
    ("a 1 MB paragraph without a line break", ANNOTATIONS, ARTICLE + "word " * 200_000 + "\n"),
    ("500 levels of nested lists", ANNOTATIONS,
     ARTICLE + "\n" + "".join("  " * n + "- item\n" for n in range(500))),
    ("500 nested block quotes", ANNOTATIONS, ARTICLE + "\n" + ">" * 500 + " deep\n"),
    ("10,000 links", ANNOTATIONS, ARTICLE + "[a](https://example.org/) " * 10_000 + "\n"),
    ("10,000 emphasis markers", ANNOTATIONS, ARTICLE + "*_" * 10_000 + "\n"),
])
def test_pathological_markup_builds_a_safe_site(
        what: str, annotations: str, article: str, tmp_path: Path) -> None:
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (article, annotations)}))
    assert built.errors == [], what
    assert unsafe_parts(built.out) == []
