"""Walks a built site and lists every internal link or #fragment that does not resolve."""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _is_file(path: Path) -> bool:
    """Whether a link's target is a file; a name no file can have (longer than
    the system allows: a relative link written in the content) is none."""
    try:
        return path.is_file()
    except OSError:
        return False


def broken_links(out: Path, base_url: str) -> tuple[list[str], int]:
    """(every broken link as 'page -> href: why', how many internal links were checked)."""
    pages = {p.relative_to(out).as_posix(): _parse(p) for p in sorted(out.rglob("*.html"))}
    broken = []
    checked = 0
    for name, page in pages.items():
        for href in page.links:
            if href.startswith(base_url):  # only the 404 page links absolutely
                href = "/" + href[len(base_url):]
                base = ""
            else:
                base = posixpath.dirname(name)
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue
            checked += 1
            if parts.path.startswith("/"):
                target = parts.path.lstrip("/")
            elif parts.path:
                target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
                if target.startswith(".."):
                    broken.append(f"{name} -> {href}: leaves the site")
                    continue
                if target == ".":
                    target = ""
            else:
                target = name
            if target == "" or href.endswith("/") or parts.path.endswith("/"):
                target = posixpath.join(target, "index.html") if target else "index.html"
            if not _is_file(out / target):
                broken.append(f"{name} -> {href}: no file {target}")
                continue
            if parts.fragment:
                ids = pages[target].ids if target in pages else set()
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{name} -> {href}: no id '{parts.fragment}' in {target}")
    return broken, checked
