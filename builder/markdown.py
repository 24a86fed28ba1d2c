"""The one configured Markdown renderer.

CommonMark plus tables and strikethrough. Raw HTML in content is shown as text,
never passed through: articles come from outside and must not inject markup.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


def parser() -> MarkdownIt:
    return _md


def render_block(text: str) -> str:
    """Markdown with blocks (summaries, notes, descriptions) -> HTML."""
    return _md.render(text)


def render_inline(text: str) -> str:
    """One line of inline Markdown (event summaries, side notes) -> HTML."""
    return _md.renderInline(" ".join(text.split()))
