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

The index is made in parts, named by the dates of their briefings
(:func:`partition`): a year is one part, ``pagefind/2023/``, unless it has
more than :data:`LIMIT` briefings; then it is split into halves
(``2023-h1``), quarters (``2023-q1``) or months (``2023-01``), the coarsest
of these whose every part holds at most :data:`LIMIT`. Each part holds the
index of its briefing pages, with Pagefind's interface. Pagefind has no
incremental mode, and its time and memory grow with the pages it reads, so a
build that changed one briefing's page makes again that briefing's part
alone, which holds at most :data:`LIMIT` pages (unless one month has more).
A year's split changes only where a count of its briefings crosses the
limit; then its old parts give way to its new ones. The search page
opens the newest part and merges the others into it in the browser
(Pagefind's ``mergeIndex``), so a search, its filters and its results cover
every part as one index.

Never reads the site's sources and never writes into the output itself.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date
from pathlib import Path

INDEX_DIR = "pagefind"  # the index's folder in the output
# The pages Pagefind reads: the briefings'. (It would read every page to find
# those marked data-pagefind-body; at 1,000 briefings the others, speakers'
# pages above all, were a quarter of its time.)
INDEXED = "briefings/*/index.html"


# The most briefings a part of the index holds, unless a month alone holds
# more. Pagefind takes some 0.3 MiB and 3 ms for each page it indexes, so a
# part of 2,000 is made in at most about 600 MiB and 6 s; and each part costs
# the reader's first search two round trips more (Pagefind's interface opens
# the parts one after another). At 10,000 briefings in three years, parts of
# at most 800 were 36 months, a rebuild of one in 1.8 s and 87 MiB but a first
# search of 7.4 s where each request waits 50 ms; parts of at most 2,000 are 6
# halves, a rebuild in 8.5 s and 500 MiB and a first search of 2.5 s
# (docs/benchmarks.md, "The search index"). The reader's wait weighs more.
LIMIT = 2000
# How a year of more than LIMIT briefings is split, coarsest first: into how
# many parts, and the name of each (from 1) after the year and a hyphen.
_SPLITS = ((2, "h{}"), (4, "q{}"), (12, "{:02d}"))


def partition(published: Mapping[str, date], limit: int | None = None) -> dict[str, str]:
    """The part of the index of each briefing, by its slug, given the day on
    which each briefing of the site was published (by its slug): its year,
    or, where the year has more than ``limit`` briefings (default
    :data:`LIMIT`), its half, quarter or month, whichever is the coarsest
    split of the year whose every part holds at most ``limit`` (months, where
    none does). A part's name is also the name of its folder."""
    most = LIMIT if limit is None else limit
    months: dict[int, Counter[int]] = defaultdict(Counter)
    for day in published.values():
        months[day.year][day.month] += 1
    names = {year: _split(year, counted, most) for year, counted in months.items()}
    return {slug: names[day.year][day.month - 1] for slug, day in published.items()}


def _split(year: int, months: Counter[int], most: int) -> list[str]:
    """The names of the parts of the twelve months of ``year``, given how many
    briefings each month has (see :func:`partition`)."""
    if sum(months.values()) <= most:
        return [f"{year:04d}"] * 12
    fitting = (split for split in _SPLITS
               if all(sum(months[first + m] for m in range(12 // split[0])) <= most
                      for first in range(1, 13, 12 // split[0])))
    count, name = next(fitting, _SPLITS[-1])  # months, where not even they fit
    size = 12 // count  # months in a part
    return [f"{year:04d}-" + name.format(m // size + 1) for m in range(12)]


def parts_of(parts: Mapping[str, str]) -> list[str]:
    """The parts of a :func:`partition`, newest first: the search page opens
    the first and merges the others into it. (The names sort as their dates
    do: each starts with its year, and the parts of one year are all of one
    split, whose names sort as its months.)"""
    return sorted(set(parts.values()), reverse=True)


class IndexFailed(Exception):
    """Pagefind could not index the site: its own words. ``pages_written``:
    whether the pages that changed were put in place before (a rebuild writes
    them in place, then indexes them; a whole new site is indexed first)."""

    pages_written = False


def index_site(pages: Path, target: Path) -> None:
    """Index the pages under ``pages`` (the files of one part) into the folder ``target``."""
    import subprocess

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
