"""The site's search index: Pagefind, run over the written pages, in parts.

Takes a folder of HTML pages (the files of one part of the index, linked
into a folder of their own by :func:`builder.write.write_output`) and writes
Pagefind's index and interface for them to a folder that does not exist yet.
Only the briefings' pages are indexed: each marks its article, annotations
and notes with ``data-pagefind-body`` and its speakers, tags, year and outlet
with ``data-pagefind-filter`` (``templates/briefing.html``); the other pages
are lists of what the briefings say and are left out, and not even read. The
search page runs Pagefind's interface in the reader's browser
(``templates/search.html``, ``assets/search.js``).

The index is made in parts, one for each year in which briefings were
published (:func:`part_of`): ``pagefind/<year>/`` holds the index of that
year's briefing pages, with Pagefind's interface. Pagefind has no incremental
mode, and its time and memory grow with the pages it reads, so a build that
changed one briefing's page makes again the part of that briefing's year
alone. The search page opens the newest part and merges the others into it
in the browser (Pagefind's ``mergeIndex``), so a search, its filters and its
results cover every part as one index.

Never reads the site's sources and never writes into the output itself.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from datetime import date
from pathlib import Path

INDEX_DIR = "pagefind"  # the index's folder in the output
# The pages Pagefind reads: the briefings'. (It would read every page to find
# those marked data-pagefind-body; at 1,000 briefings the others, speakers'
# pages above all, were a quarter of its time.)
INDEXED = "briefings/*/index.html"


def part_of(published: date) -> str:
    """The part of the index that holds the page of a briefing published on
    ``published``: its year, which is also the name of the part's folder."""
    return f"{published.year:04d}"


def parts_of(published: Iterable[date]) -> list[str]:
    """The parts of the index of a site whose briefings were published on
    these days, newest first: the search page opens the first and merges the
    others into it."""
    return sorted({part_of(day) for day in published}, reverse=True)


class IndexFailed(Exception):
    """Pagefind could not index the site: its own words. ``pages_written``:
    whether the pages that changed were put in place before (a rebuild writes
    them in place, then indexes them; a whole new site is indexed first)."""

    pages_written = False


def index_site(pages: Path, target: Path) -> None:
    """Index the pages under ``pages`` (the files of one part) into the folder ``target``."""
    from pagefind.service import get_executable

    executable = get_executable()
    if executable is None:
        raise IndexFailed("the Pagefind program is missing: install the builder again "
                          "(pip install -e . in its folder), which brings it "
                          "(the package pagefind[bin]), or set 'search: false' in site.yaml")
    done = subprocess.run([str(executable), "--site", str(pages), "--output-path", str(target),
                           "--glob", INDEXED, "--silent"], capture_output=True, text=True,
                          check=False, stdin=subprocess.DEVNULL)
    if done.returncode != 0 or not (target / "pagefind-entry.json").is_file():
        said = " ".join((done.stderr or done.stdout).split())[:500].rstrip(".") \
            or f"exit status {done.returncode}"
        raise IndexFailed(f"Pagefind could not index the site: {said}. The last index is "
                          "kept: build again once that is mended, or set 'search: false' "
                          "in site.yaml")
