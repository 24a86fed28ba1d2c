"""Helpers for tests that build model objects directly."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from builder.anchor import Article, render_article
from builder.model import Anchor, Briefing, Event, Note, Quote, Source, Speaker, Transcript
from builder.problems import Position, Problem

HERE = Position("content/briefings/t.yaml", 3, 5)
DAY = date(2022, 1, 10)
SPEAKERS = {
    "vladimir-putin": Speaker("vladimir-putin", "Vladimir Putin", aliases=("Putin",)),
    "joe-biden": Speaker("joe-biden", "Joe Biden", aliases=("President Biden",)),
}


def quote(text: str, occurrence: int | None = None, speaker: str = "vladimir-putin",
          id: str = "q") -> Quote:
    return Quote(id, speaker, Anchor(text, occurrence, HERE), DAY)


def note(text: str, id: str = "n", body: str = "A note.") -> Note:
    return Note(id, Anchor(text, None, HERE), body)


def event(text: str, id: str = "e") -> Event:
    return Event(id, DAY, DAY, "Something happened", Anchor(text, None, HERE))


def briefing(article: str, *, quotes: tuple[Quote, ...] = (), notes: tuple[Note, ...] = (),
             events: tuple[Event, ...] = (), labels: dict[str, str | None] | None = None,
             outside: tuple[str, ...] = ()) -> Briefing:
    transcript = None
    if labels is not None:
        transcript = Transcript(tuple((k, v, HERE) for k, v in labels.items()), DAY,
                                outside=tuple(Anchor(text, None, HERE) for text in outside))
    return Briefing(slug="t", title="T", source=Source("Outlet", DAY), article=article,
                    article_path="content/briefings/t.md", yaml_path="content/briefings/t.yaml",
                    quotes=quotes, notes=notes, events=events, transcript=transcript)


def annotate(article: str, link_mentions: bool = False, **kwargs) -> tuple[Article, list[Problem]]:
    return render_article(briefing(article, **kwargs), SPEAKERS, link_mentions)


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a" and "a" in self.stack:
            self.errors.append("a link inside a link")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def well_formed(fragment: str) -> list[str]:
    """Problems with the nesting of an HTML fragment: empty when every element
    closes in order and no link holds another."""
    parser = _Balance()
    parser.feed(fragment)
    parser.close()
    return parser.errors + [f"<{tag}> never closed" for tag in parser.stack]


def text_of(fragment: str) -> str:
    parser = _Balance()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.text)


# The search box of every page and the two scripts of the search page, as the
# theme writes them (templates/base.html, search.html): markup that content,
# escaped, cannot make.
_SEARCH_MARKUP = re.compile(
    r'<form class="site-search" action="[^"<>]*" method="get" role="search">\s*'
    r'<label for="site-search-words" class="visually-hidden">Search the briefings</label>\s*'
    r'<input id="site-search-words" type="search" name="q" placeholder="Search" '
    r'autocomplete="off">\s*<button type="submit">Search</button>\s*</form>'
    r'|<script src="\.\./(?:pagefind/[0-9]{4}/pagefind-ui|assets/search)\.js"></script>')


def without_search_markup(page: str) -> str:
    """A page without the theme's search box and search scripts, for the
    checks that allow only what the theme writes for content."""
    return _SEARCH_MARKUP.sub("", page)
