"""The one configured Markdown renderer, and what it lets through.

CommonMark plus tables and strikethrough. Content comes from outside and must
not inject markup or script:

- raw HTML is shown as text; a site may opt in (``raw_html: sanitise``) to a
  sanitised subset of it in articles, cleaned by an allow-list sanitiser
  (nh3, the Python binding of Ammonia), never by patterns;
- a link or image whose URL has a scheme outside :data:`SAFE_SCHEMES`
  (``javascript:``, ``vbscript:``, ``data:``, ``file:``, ...) is not published:
  a link keeps its text, an image becomes its description, and
  :func:`unsafe_urls` tells the validator where they were, for a warning.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
SAFE_LIST = ", ".join(sorted(f"{s}:" for s in SAFE_SCHEMES))  # for messages
RAW_HTML_MODES = ("text", "sanitise")

# What a browser ignores in a URL before deciding its scheme: leading C0
# controls and spaces, and tabs and line breaks anywhere.
_IGNORED = re.compile(r"^[\x00-\x20]+|[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Tags a sanitised article may keep: prose, lists, tables, media; no
# containers, forms, frames, styles or scripts, and no <mark>, which is ours.
SANITISED_TAGS = nh3.ALLOWED_TAGS - {
    "mark", "div", "article", "aside", "footer", "header", "nav", "center", "map", "area",
    "details", "summary", "hgroup"}
_SANITISED_ATTRIBUTES = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()
                         if tag in SANITISED_TAGS}
_SANITISED_ATTRIBUTES.setdefault("abbr", set()).add("title")
_SANITISED_ATTRIBUTES["img"] |= {"title"}
_SANITISED_ATTRIBUTES["a"] |= {"title"}
for _cell in ("th", "td"):  # markdown tables align their cells with a style
    _SANITISED_ATTRIBUTES[_cell] |= {"style"}


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url``, lower case; None if relative."""
    match = _SCHEME.match(_IGNORED.sub("", html.unescape(url)))
    return match.group(1).lower() if match else None


def is_safe_url(url: str) -> bool:
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def _refuse_unsafe_urls(state: StateCore) -> None:
    """Core rule: unpublish links and images with an unsafe scheme, noting
    each in ``env["unsafe"]`` as (line offset in the source, url)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = block.map[0] if block.map else 0
        depth_of_refused: list[int] = []
        depth = 0
        for token in block.children:
            if token.type in ("softbreak", "hardbreak"):
                line += 1
            elif token.type == "link_open":
                depth += 1
                href = str(token.attrGet("href") or "")
                if not is_safe_url(href):
                    state.env.setdefault("unsafe", []).append((line, href))
                    _unpublish(token, "")
                    depth_of_refused.append(depth)
            elif token.type == "link_close":
                if depth_of_refused and depth_of_refused[-1] == depth:
                    depth_of_refused.pop()
                    _unpublish(token, "")
                depth -= 1
            elif token.type == "image":
                src = str(token.attrGet("src") or "")
                if not is_safe_url(src):
                    state.env.setdefault("unsafe", []).append((line, src))
                    _unpublish(token, "".join(c.content for c in token.children or ()
                                              if c.type in ("text", "code_inline")))
            elif token.type == "html_inline":
                state.env.setdefault("unsafe", []).extend(
                    (line, url) for url in _raw_urls(token.content) if not is_safe_url(url))
    for block in state.tokens:
        if block.type == "html_block":
            line = block.map[0] if block.map else 0
            state.env.setdefault("unsafe", []).extend(
                (line, url) for url in _raw_urls(block.content) if not is_safe_url(url))


def _unpublish(token: Token, text: str) -> None:
    token.type, token.tag, token.nesting, token.attrs = "text", "", 0, {}
    token.content, token.children = text, None


class _Urls(HTMLParser):
    """The URLs of raw HTML, only to warn about them: the sanitiser removes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(value for name, value in attrs if value and name in (
            "href", "src", "action", "formaction", "xlink:href", "poster", "background",
            "data", "srcset", "cite"))


def _raw_urls(fragment: str) -> Iterator[str]:
    parser = _Urls()
    parser.feed(fragment)
    parser.close()
    yield from parser.urls


def _make(raw_html: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": raw_html, "typographer": False}).enable(
        ["table", "strikethrough"])
    md.validateLink = lambda url: True  # judged by the rule below, which also warns
    md.core.ruler.push("refuse_unsafe_urls", _refuse_unsafe_urls)
    if not raw_html:  # the two rules refuse everything then, after being asked at every line
        md.disable(["html_block", "html_inline"])
    return md


_md = _make(raw_html=False)
_md_raw = _make(raw_html=True)


def parser(raw_html: str = "text") -> MarkdownIt:
    """The article parser: raw HTML as text, or (``sanitise``) passed on to
    :func:`sanitise`, which every rendered block must then go through."""
    return _md_raw if raw_html == "sanitise" else _md


def sanitise(fragment: str) -> str:
    """Keep the allowed subset of an HTML fragment; well formed on return."""
    return nh3.clean(fragment, tags=SANITISED_TAGS, attributes=_SANITISED_ATTRIBUTES,
                     url_schemes=set(SAFE_SCHEMES), filter_style_properties={"text-align"},
                     strip_comments=True, link_rel="noopener noreferrer nofollow")


def unsafe_urls(text: str) -> list[tuple[int, str]]:
    """(line offset, URL) of each link or image in Markdown ``text`` that
    would not be published."""
    # A URL with a scheme needs a colon, written or as an entity, and a link
    # or tag needs a bracket: most summaries and notes have neither pair.
    if not (("[" in text or "<" in text) and (":" in text or "&" in text)):
        return []
    env: dict = {}
    _md.parse(text, env)
    return env.get("unsafe", [])


# Summaries, notes and event summaries are shown on several pages each.
@functools.lru_cache(maxsize=16384)
def render_block(text: str) -> str:
    """Markdown with blocks (summaries, notes, descriptions) -> HTML."""
    return _md.render(text)


@functools.lru_cache(maxsize=16384)
def render_inline(text: str) -> str:
    """One line of inline Markdown (event summaries, side notes) -> HTML."""
    return _md.renderInline(" ".join(text.split()))
