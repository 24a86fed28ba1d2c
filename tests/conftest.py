"""Shared helpers: running the command line on a copy of a fixture site; the
example site served over HTTP from a sub-path, and headless Chromium to open it."""

from __future__ import annotations

import contextlib
import functools
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
EXAMPLE_BASE_URL: str = yaml.safe_load((ROOT / "site.yaml").read_text("utf-8"))["base_url"]

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach the network at start.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run ``python -m builder`` as a user would, in a separate process."""
    done = subprocess.run([sys.executable, "-m", "builder", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


def output_tree(folder: Path) -> dict[str, bytes]:
    """Every file of an output by its path, but those of the search index that
    Pagefind does not make byte-stable: in each part of the index, its filter
    files hold the same values in an order that changes from run to run, and
    so do their names and the two files that list them (see
    test_reproducible.py). Its fragments (each page as indexed) and word
    index are compared with the rest."""
    return {relative: p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not unstable(relative := p.relative_to(folder).as_posix())}


def unstable(relative: str) -> bool:
    """Whether a file of an output (by its path) is one of those of the search
    index that Pagefind does not make byte-stable (see :func:`output_tree`)."""
    match = re.fullmatch(r"pagefind/[^/]+/(.+)", relative)
    return match is not None and (match[1].startswith("filter/") or match[1].endswith(".pf_meta")
                                  or match[1] == "pagefind-entry.json")


@pytest.fixture
def copy_site(tmp_path: Path):
    def copy(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copytree(source, target, symlinks=True)
        return target
    return copy


@pytest.fixture
def secret_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Switch the cache's secret to that of a user whose cache folder is
    ``tmp_path / name``; afterwards, tests read their own again."""
    from builder import cache

    def switch(name: str) -> None:
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / name))
        cache._secret.cache_clear()
        cache.secret_tag.cache_clear()

    yield switch
    monkeypatch.undo()
    cache._secret.cache_clear()
    cache.secret_tag.cache_clear()


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site built into the sub-folder deep/briefings/ of a host's root."""
    out = tmp_path_factory.mktemp("host") / "deep" / "briefings"
    result = run_cli("build", "--site", ROOT, "--out", out)
    assert result.code == 0, result.err
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(root: Path) -> Iterator[str]:
    """``root`` served by a real HTTP server, as a static host would; yields its URL."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(example_site: Path) -> Iterator[str]:
    """The example site, served from the sub-path /deep/briefings/."""
    with serve(example_site.parent.parent) as root:
        yield root + "deep/briefings/"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; the test fails if the page logs an error or throws."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == []
