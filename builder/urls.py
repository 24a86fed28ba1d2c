"""Every URL and slug rule of the output, in one place.

Pages live in folders (``briefings/<slug>/index.html``) and are addressed by
their folder path with a trailing slash (``briefings/<slug>/``); the home page
is the empty path ``""``. Links between pages are always relative, so the site
works from any sub-path of any host.
"""

from __future__ import annotations

import functools
from datetime import date

from .model import Period

HOME = ""


def briefing(slug: str) -> str:
    return f"briefings/{slug}/"


def briefing_file(slug: str) -> str:
    """The file of a briefing's page: ``file_of(briefing(slug))``."""
    return f"briefings/{slug}/index.html"


def speaker(speaker_id: str) -> str:
    return f"speakers/{speaker_id}/"


def day(when: date) -> str:
    return f"dates/{when.isoformat()}/"


def period(when: Period) -> str:
    """The page of a month or a year (format 1.1): ``dates/2021-09/``, ``dates/2014/``."""
    return f"dates/{when.iso}/"


def tag(tag_slug: str) -> str:
    return f"tags/{tag_slug}/"


FEED = "feed.xml"  # a feed's file in its page's folder (the site's: at the root)


def paged(path: str, number: int) -> str:
    """Page ``number`` of a list that runs over several pages: the first keeps
    the list's own path, the next are ``page/2/``, ``page/3/``... below it."""
    return path if number == 1 else f"{path}page/{number}/"


SPEAKERS = "speakers/"
DATES = "dates/"
TAGS = "tags/"
SEARCH = "search/"  # the search page (where search is on: see builder/search.py)


@functools.lru_cache(maxsize=65536)  # the same few tags, on every page that lists them
def tag_slug(name: str) -> str:
    """The URL form of a tag: ``CSTO`` -> ``csto``, ``Казахстан`` -> ``kazakhstan``."""
    from slugify import slugify  # here: a build that shows no tag anew never needs it

    return slugify(name) or "tag"


def text_slug(text: str, words: int = 6) -> str:
    """A short id from the first words of a text, for default HTML ids."""
    from slugify import slugify

    return slugify(text, max_length=48, word_boundary=True, save_order=True) or "x"


def file_of(page: str) -> str:
    """The file a page path is written to: ``speakers/`` -> ``speakers/index.html``."""
    if page.endswith("/") or page == HOME:
        return page + "index.html"
    return page


def relative(from_page: str, to: str) -> str:
    """The relative link from the page ``from_page`` to the site path ``to``.

    Folder pages end with ``/``; ``to`` may carry a ``#fragment``. A link to a
    fragment of the same page is just ``#fragment``.
    """
    target, hashmark, fragment = to.partition("#")
    suffix = "#" + fragment if hashmark else ""
    if hashmark and target == from_page:
        return suffix
    depth = from_page.count("/")
    if depth and from_page.partition("/")[0] != target.partition("/")[0]:
        return "../" * depth + to  # no folder in common: most links, e.g. a page to a speaker
    # Site paths are already normal (no '.', '..' or doubled '/'), so the link is
    # found from their segments alone; posixpath.relpath would ask the file system
    # for the working directory twice per link, and pages hold thousands of links.
    here = from_page.split("/")[:-1]  # the folder of the page, as segments
    there = target.split("/")
    folder = target == HOME or target.endswith("/")
    if folder:
        there.pop()
    common = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        common += 1
    steps = [".."] * (len(here) - common) + there[common:]
    if not steps:
        return "./" + suffix
    return "/".join(steps) + ("/" if folder else "") + suffix
