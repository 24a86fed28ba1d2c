"""``briefings serve`` as a user meets it: a real process on a real port, asked
by a real HTTP client and by Chromium, its site edited on disk."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import SITES, run_cli

BRIEFING = "2022-01-10-csto"


class Served:
    """A ``briefings serve`` process, its URL and what it printed."""

    def __init__(self, process: subprocess.Popen[str], url: str, lines: list[str]):
        self.process, self.url, self.lines = process, url, lines

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """A GET of ``path`` exactly as given (no client-side clean-up of ``..``)."""
        host, port = self.url.removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            connection.putrequest("GET", path, skip_accept_encoding=True)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()


@contextmanager
def serving(site: Path) -> Iterator[Served]:
    # faulthandler on: a server that does not stop is sent SIGABRT, and says
    # where each of its threads was before it ends.
    process = subprocess.Popen(
        [sys.executable, "-m", "builder", "serve", "--site", str(site), "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"})
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if line.startswith("serving "):
                ready.set()
        ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), lines
        found = [re.match(r"serving (http://\S+/)", line) for line in lines]
        url = next((m.group(1) for m in found if m), None)
        assert url, lines
        yield Served(process, url, lines)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGABRT)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                reader.join(10)
                raise AssertionError("the server did not stop on Ctrl-C:\n"
                                     + "\n".join(lines)) from None
        reader.join(10)
        assert process.stderr is not None
        process.stderr.close()


SECRET = "base_url: https://example.org/test/"


def test_serves_the_site_with_folder_urls_a_404_page_and_the_script(copy_site) -> None:
    site = copy_site(SITES / "good")
    with serving(site) as served:
        status, headers, body = served.get("/")
        assert status == 200
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"/_briefings/live.js" in body
        status, headers, _ = served.get(f"/briefings/{BRIEFING}")
        assert status == 301
        assert headers["Location"] == f"/briefings/{BRIEFING}/"
        status, _, body = served.get(f"/briefings/{BRIEFING}/")
        assert status == 200 and b"Putin on Kazakhstan" in body
        status, _, body = served.get("/no/such/page/")
        assert status == 404
        assert body.startswith((site / "public" / "404.html").read_bytes()[:200])
        assert b"/_briefings/live.js" in body
        status, headers, _ = served.get("/assets/style.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css")
    # The script is the server's: the built site never holds it.
    for page in (site / "public").rglob("*.html"):
        assert "_briefings" not in page.read_text("utf-8"), page


TRAVERSALS = [
    "/../site.yaml",
    "/../../site.yaml",
    "/%2e%2e/site.yaml",
    "/%2E%2E/site.yaml",
    "/..%2fsite.yaml",
    "/%2e%2e%2fsite.yaml",
    "/briefings/..%2f..%2fsite.yaml",
    "/briefings/%2e%2e/%2e%2e/site.yaml",
    "/..\\site.yaml",
    "/%5c..%5csite.yaml",
    "/..%5csite.yaml",
    "/%00../site.yaml",
    "/index.html%00.css",
    "//site.yaml",
    "/./../site.yaml",
    "/%c0%ae%c0%ae/site.yaml",  # overlong UTF-8 dots
    "/linked-file",
    "/linked-folder/site.yaml",
    "/assets/linked/site.yaml",
]


def test_nothing_outside_the_output_folder_is_served(copy_site) -> None:
    site = copy_site(SITES / "good")
    with serving(site) as served:
        out = site / "public"
        # Links a careless static file or a hostile site could put in the output.
        os.symlink(site / "site.yaml", out / "linked-file")
        os.symlink(site, out / "linked-folder")
        os.symlink(site, out / "assets" / "linked")
        for path in TRAVERSALS:
            status, _, body = served.get(path)
            assert status in (400, 404), (path, status)
            assert SECRET.encode() not in body, path
        assert served.process.poll() is None  # still up after all of them


def test_ctrl_c_stops_it_and_leaves_nothing_behind(copy_site) -> None:
    site = copy_site(SITES / "good")
    before = None
    with serving(site) as served:
        before = sorted(p.name for p in site.iterdir())
        (site / "content" / "briefings" / f"{BRIEFING}.yaml").write_text(
            (site / "content" / "briefings" / f"{BRIEFING}.yaml").read_text("utf-8")
            .replace("Putin on Kazakhstan", "Putin on Kazakhstan, again"), "utf-8")
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(20) == 0
        port = int(served.url.rstrip("/").rsplit(":", 1)[1])
    assert sorted(p.name for p in site.iterdir()) == before
    assert not [p for p in site.iterdir() if ".staging-" in p.name or ".old-" in p.name]
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/")


def test_listens_on_this_machine_only_by_default(copy_site) -> None:
    site = copy_site(SITES / "good")
    with serving(site) as served:
        assert served.url.startswith("http://127.0.0.1:")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_the_authoring_loop_in_chromium(copy_site, page: Page) -> None:
    """Serve, open a briefing, edit it: the page reloads and shows the change;
    break it: the overlay shows the error at its line; fix it: the overlay goes."""
    site = copy_site(SITES / "good")
    annotations = site / "content" / "briefings" / f"{BRIEFING}.yaml"
    with serving(site) as served:
        page.goto(served.url + f"briefings/{BRIEFING}/")
        expect(page.locator("h1")).to_have_text("Putin on Kazakhstan")
        page.evaluate("window.notReloaded = true")

        _edit(annotations, "title: Putin on Kazakhstan", "title: Putin on the Kazakh unrest")
        expect(page.locator("h1")).to_have_text("Putin on the Kazakh unrest", timeout=20_000)
        assert page.evaluate("window.notReloaded") is None  # the page itself reloaded

        page.evaluate("window.notReloaded = true")
        _edit(annotations, "  - speaker: vladimir-putin\n    quote: \"We understand",
              "  - speaker: vladimir-putn\n    quote: \"We understand")
        line = annotations.read_text("utf-8").splitlines().index(
            "  - speaker: vladimir-putn") + 1
        overlay = page.locator("briefings-errors section[role=alert]")
        expect(overlay).to_be_visible(timeout=20_000)
        expect(overlay).to_contain_text(
            f"content/briefings/{BRIEFING}.yaml:{line}:")
        expect(overlay).to_contain_text("unknown speaker 'vladimir-putn'")
        # The last good site is still there underneath.
        expect(page.locator("h1")).to_have_text("Putin on the Kazakh unrest")
        assert page.evaluate("window.notReloaded") is True

        _edit(annotations, "speaker: vladimir-putn", "speaker: vladimir-putin")
        expect(page.locator("briefings-errors")).to_have_count(0, timeout=20_000)
        expect(page.locator("h1")).to_have_text("Putin on the Kazakh unrest")
        # Left before the server stops: its event stream, cut, would log an error.
        page.goto("about:blank")
    assert any("unknown speaker 'vladimir-putn'" in line for line in served.lines)


def test_a_briefing_added_while_serving_is_served(copy_site) -> None:
    """A new pair is not among the briefings the last build listed: the
    server's build lists the site again and publishes it."""
    site = copy_site(SITES / "good")
    folder = site / "content" / "briefings"
    with serving(site) as served:
        assert served.get("/briefings/a-new-one/")[0] == 404
        (folder / "a-new-one.md").write_text("Fresh text.\n", "utf-8")
        (folder / "a-new-one.yaml").write_text(
            "title: A new one\nsource:\n  outlet: Desk\n  published: 2022-01-11\n", "utf-8")
        deadline = time.monotonic() + 20
        while served.get("/briefings/a-new-one/")[0] != 200:
            assert time.monotonic() < deadline, served.lines
            time.sleep(0.1)
        assert b"A new one" in served.get("/briefings/a-new-one/")[2]


def test_a_site_that_never_built_shows_its_errors_on_every_page(tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_cli("init", site).code == 0
    annotations = next((site / "content" / "briefings").glob("*.yaml"))
    _edit(annotations, "speaker: maria-ortega", "speaker: maria-orteg")
    with serving(site) as served:
        status, _, body = served.get("/")
        assert status == 404 and b"/_briefings/live.js" in body
        host, port = served.url.removeprefix("http://").rstrip("/").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("GET", "/_briefings/events")
        stream = connection.getresponse()
        assert stream.getheader("Content-Type") == "text/event-stream"
        event = stream.readline().decode()
        connection.close()
        assert event.startswith("data: ")
        state = json.loads(event.removeprefix("data: "))
        assert state["built"] == 0
        assert state["errors"][0].startswith(f"content/briefings/{annotations.name}:")
        assert "unknown speaker 'maria-orteg'" in state["errors"][0]
    assert any("(no site yet)" in line for line in served.lines)
