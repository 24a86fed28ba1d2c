"""What the search index costs a reader: the search page's first result.

    python benchmarks/search_page.py --out DIR --words WORDS [--delay 0.05] [--repeat 3]

Serves a built output (``DIR``, built with search on) over HTTP with Python's
own server, each answer held back ``--delay`` seconds (a stand-in for a
network's round trip; 0 for a server on the same machine), opens
``search/?q=WORDS`` in headless Chromium with an empty cache, and times it
from the request of the page until the first result shows. Counts the
requests made until then and the bytes they brought. The index is in parts
(:mod:`builder.search`) and Pagefind's interface opens the parts one after
another, so the first search costs more the more parts a site has: this is
the figure to weigh against a smaller part's cheaper rebuild.
Needs what the tests need (Playwright and Debian's ``chromium``).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import sync_playwright


class _Slow(http.server.SimpleHTTPRequestHandler):
    delay = 0.0

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        time.sleep(self.delay)
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        pass


def first_result(out: Path, words: str, delay: float, chromium: str) -> tuple[float, int, int]:
    """Seconds until the first result shows, requests made and bytes brought."""
    handler = type("Handler", (_Slow,), {"delay": delay})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    requests: list[str] = []
    sizes: list[int] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium)
            context = browser.new_context()
            context.on("request", lambda request: requests.append(request.url))
            context.on("response", lambda response: sizes.append(
                int(response.headers.get("content-length", "0") or 0)))
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q={quote(words)}")
            page.wait_for_selector(".pagefind-ui__result", timeout=120_000)
            seconds = time.perf_counter() - started
            count, size = len(requests), sum(sizes)
            browser.close()
    finally:
        server.shutdown()
    return seconds, count, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="a built output, with search")
    parser.add_argument("--words", required=True, help="what to search for")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each answer waits")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is shown")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args(argv)
    parts = sorted(p.name for p in (args.out / "pagefind").iterdir() if p.is_dir())
    runs = [first_result(args.out, args.words, args.delay, args.chromium)
            for _ in range(max(1, args.repeat))]
    seconds = [run[0] for run in runs]
    print(f"{args.out}: {len(parts)} parts; '{args.words}', {args.delay * 1000:.0f} ms a "
          f"request: first result in {statistics.median(seconds):.2f} s "
          f"({min(seconds):.2f}-{max(seconds):.2f}), {runs[0][1]} requests, "
          f"{runs[0][2] / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
