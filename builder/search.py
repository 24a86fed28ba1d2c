"""The site's search index: Pagefind, run over the written output.

Takes a folder of HTML pages (the output as written, or the staging folder
of a whole new output) and writes Pagefind's index and interface, the folder
``pagefind/``, to a folder that does not exist yet. Only the briefings' pages
are indexed: each marks its article, annotations and notes with
``data-pagefind-body`` and its speakers, tags, year and outlet with
``data-pagefind-filter`` (``templates/briefing.html``); the other pages are
lists of what the briefings say and are left out, and not even read. The search page runs
Pagefind's interface in the reader's browser (``templates/search.html``,
``assets/search.js``).

Pagefind has no incremental mode: an index is made whole, from every page,
and only when a page's bytes changed (see :func:`builder.write.write_output`,
which puts it in place in one rename). Never reads the site's sources and
never writes into the output itself.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

INDEX_DIR = "pagefind"  # the index's folder in the output
# The pages Pagefind reads: the briefings'. (It would read every page to find
# those marked data-pagefind-body; at 1,000 briefings the others, speakers'
# pages above all, were a quarter of its time.)
INDEXED = "briefings/*/index.html"


class IndexFailed(Exception):
    """Pagefind could not index the site: its own words."""


def index_site(pages: Path, target: Path) -> None:
    """Index the pages under ``pages`` into the folder ``target``."""
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
