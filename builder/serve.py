"""The preview server: ``briefings serve``.

It builds the site, serves the output folder over HTTP and builds again on
every save under ``site.yaml``, ``content/`` and ``templates/`` (watched with
watchfiles). The builds run in this process, one at a time, each taking what
the last one left in the build cache and the modules already imported. Where
every save is of a briefing the last build listed, the build is told which
(:func:`builder.load.with_changed_pairs`) instead of walking the site again.

Every HTML page it serves gets one small script, added on the way out and
never written to the output: it listens on an event stream and reloads the
page when a build has replaced the site, and while the site has errors it
shows them over the page, ``path:line:col: message``, above the last good
site (which a failed build leaves as it was).

It makes no search index: Pagefind indexes the whole site every time (a few
seconds at a thousand briefings), and a save must show at once. Its builds
leave the output without an index, and the search page says so; ``briefings
build`` makes it again.

Only files inside the output folder are served: a path with ``..``, a
backslash or a NUL byte (after percent-decoding) is refused, and so is any
path through a symbolic link.
"""

from __future__ import annotations

import json
import mimetypes
import os
import queue
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from .load import RawSite
    from .progress import Progress

# The server's own URLs, beside the site's (whose paths are slugs and asset names).
OWN = "/_briefings/"
SCRIPT_URL = OWN + "live.js"
EVENTS_URL = OWN + "events"
# An idle event stream sends a comment this often, to learn the tab has gone.
KEEPALIVE = 15.0

LIVE_SCRIPT = (Path(__file__).parent / "live.js").read_bytes()


@dataclass
class State:
    """What the pages are told: the number of the last build that replaced
    the site, and the errors of the last build (none once it succeeds)."""

    built: int = 0
    errors: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    stopping: bool = False

    def publish(self, ok: bool, errors: list[str]) -> None:
        with self.changed:
            if ok:
                self.built += 1
            self.errors = errors
            self.changed.notify_all()

    def stop(self) -> None:
        with self.changed:
            self.stopping = True
            self.changed.notify_all()

    def snapshot(self) -> tuple[int, list[str]]:
        with self.changed:
            return self.built, list(self.errors)

    def wait(self, seen: tuple[int, list[str]], timeout: float) -> tuple[int, list[str]] | None:
        """The state once it differs from ``seen`` (None on timeout or stop)."""
        with self.changed:
            self.changed.wait_for(lambda: self.stopping or (self.built, self.errors) != seen,
                                  timeout)
            if self.stopping or (self.built, self.errors) == seen:
                return None
            return self.built, list(self.errors)


def resolve(root: Path, raw_path: str) -> Path | None:
    """The file or folder under ``root`` that a request path names, or None
    where it names nothing there: ``..`` anywhere, a backslash or a NUL
    (percent-encoded or not), or a symbolic link on the way."""
    path = unquote(urlsplit(raw_path).path, errors="strict")
    if "\0" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    here = root
    for part in parts:
        here = here / part
        try:
            if stat.S_ISLNK(os.lstat(here).st_mode):
                return None
        except (OSError, ValueError):
            return None
    real_root = os.path.realpath(root)
    real = os.path.realpath(here)
    if real != real_root and not real.startswith(real_root + os.sep):
        return None
    return here


def with_script(page: bytes, built: int) -> bytes:
    """The page with the live-reload script added before its end."""
    tag = f'<script src="{SCRIPT_URL}" data-built="{built}"></script>'.encode()
    end = page.rfind(b"</body>")
    return page + tag if end < 0 else page[:end] + tag + page[end:]


def handler_for(out: Path, state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "briefings-serve"
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
            self._answer(body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(body=False)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal is for the builds' news

        def _answer(self, body: bool) -> None:
            path = urlsplit(self.path).path
            if path == SCRIPT_URL:
                self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT, body)
            elif path == EVENTS_URL:
                self._events()
            else:
                self._file(body)

        def _file(self, body: bool) -> None:
            try:
                target = resolve(out, self.path)
            except UnicodeDecodeError:
                target = None
            if target is not None and target.is_dir():
                if not urlsplit(self.path).path.endswith("/"):
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", urlsplit(self.path).path + "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                target = target / "index.html"
                if target.is_symlink():
                    target = None
            status = HTTPStatus.OK
            content = _read(target) if target is not None else None
            if content is None:
                status, target = HTTPStatus.NOT_FOUND, out / "404.html"
                content = _read(target) or b"<!DOCTYPE html><title>Not found</title>" \
                    b"<body><h1>Not found</h1></body>"
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind == "text/html":
                content = with_script(content, state.snapshot()[0])
            if kind.startswith("text/") or kind in ("application/json", "application/xml",
                                                    "image/svg+xml", "text/javascript"):
                kind += "; charset=utf-8"
            self._send(status, kind, content, body)

        def _send(self, status: HTTPStatus, kind: str, content: bytes, body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(content)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(content)

        def _events(self) -> None:
            """A stream of the state, sent at once and again on each change."""
            self.close_connection = True
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = state.snapshot()
            try:
                self._event(seen)
                while not state.stopping:
                    news = state.wait(seen, KEEPALIVE)
                    if news is None:
                        self.wfile.write(b": still here\n\n")
                    else:
                        seen = news
                        self._event(seen)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the tab was closed or reloaded

        def _event(self, news: tuple[int, list[str]]) -> None:
            data = json.dumps({"built": news[0], "errors": news[1]})
            self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

    return Handler


def _read(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        if not path.is_file() or path.is_symlink():
            return None
        return path.read_bytes()
    except OSError:
        return None


@dataclass
class Server:
    """The HTTP server on its own thread; :meth:`close` ends it and its streams."""

    httpd: ThreadingHTTPServer
    state: State
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{'[' + host + ']' if ':' in str(host) else host}:{port}/"

    def close(self) -> None:
        self.state.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def start_server(out: Path, state: State, host: str, port: int) -> Server:
    """Serve ``out`` on ``host:port`` (port 0: any free one) from a thread."""
    server_class = ThreadingHTTPServer
    if ":" in host:
        import socket

        class Server6(ThreadingHTTPServer):
            address_family = socket.AF_INET6

        server_class = Server6
    httpd = server_class((host, port), handler_for(out, state))
    thread = threading.Thread(target=httpd.serve_forever, name="briefings-serve", daemon=True)
    thread.start()
    return Server(httpd, state, thread)


class Watcher:
    """The site's inputs watched from two threads: site.yaml (its folder, not
    recursively), and content/ and templates/ with all they hold. Each batch
    of saves is collected by watchfiles (a burst of saves is one batch)."""

    def __init__(self, site: Path):
        self._batches: queue.Queue[set[str] | BaseException] = queue.Queue()
        self._stop = threading.Event()
        site_yaml = os.path.abspath(site / "site.yaml")
        folders = [str(site / name) for name in ("content", "templates")
                   if (site / name).is_dir()]
        jobs = [([str(site)], False, lambda path: os.path.abspath(path) == site_yaml)]
        if folders:
            jobs.append((folders, True, _worth_a_build))
        self._ready = [threading.Event() for _ in jobs]
        self._threads = [threading.Thread(target=self._follow, daemon=True, args=(*job, ready))
                         for job, ready in zip(jobs, self._ready, strict=True)]
        for thread in self._threads:
            thread.start()

    def _follow(self, paths: list[str], recursive: bool, keep: Callable[[str], bool],
                ready: threading.Event) -> None:
        import watchfiles

        try:
            # An empty batch comes after each quiet rust_timeout: the first
            # says the watch is in place.
            for changes in watchfiles.watch(*paths, recursive=recursive, stop_event=self._stop,
                                            raise_interrupt=False, debounce=100, step=10,
                                            rust_timeout=200, yield_on_timeout=True):
                ready.set()
                found = {path for _, path in changes if keep(path)}
                if found:
                    self._batches.put(found)
        except BaseException as exc:  # noqa: BLE001 (handed to the caller)
            self._batches.put(exc)
        finally:
            ready.set()

    def wait_ready(self, timeout: float = 10.0) -> None:
        for ready in self._ready:
            ready.wait(timeout)

    def batches(self) -> Iterator[set[str]]:
        """Each batch of changed paths, those that came during the last build
        put together."""
        while True:
            batch = self._take()
            while not self._batches.empty():
                batch |= self._take()
            yield batch

    def _take(self) -> set[str]:
        # A wait with a timeout, again and again: the system may hand Ctrl-C
        # (SIGINT) to any thread of the process that does not block it, one
        # of the watchers' or the server's, and the interpreter then raises
        # KeyboardInterrupt in this one only once it runs again: an untimed
        # wait would not wake for it.
        while True:
            try:
                batch = self._batches.get(timeout=0.25)
            except queue.Empty:
                continue
            if isinstance(batch, BaseException):
                raise batch
            return batch

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)


def _worth_a_build(path: str) -> bool:
    """Not an editor's swap, backup or lock file."""
    name = os.path.basename(path)
    return not (name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))
                or re.fullmatch(r"\.?4913", name) is not None)


def serve(site: Path, out: Path | None, host: str, port: int, open_browser: bool,
          say: Callable[[str], None]) -> int:
    """Build, serve and build again on every change, until Ctrl-C."""
    from .pipeline import build, summary_of
    from .progress import for_terminal
    from .write import OutputBusy

    state = State()
    last: list[RawSite | None] = [None]  # the site's files as the last build listed them

    def rebuild(reason: str, changed: set[str] | None = None,
                progress: Progress | None = None) -> None:
        started = time.perf_counter()
        listed = _listed_after(site, last[0], changed) if changed else None
        try:
            report = build(site, out, progress=progress, listed=listed, drafts=True,
                           index=False)
        except OutputBusy as busy:
            say(f"{busy}: another build is writing the site; waiting for the next save.")
            return
        last[0] = report.listed
        summary = summary_of(report)
        for line in summary["lines"]:
            say(line)
        errors = [line for line in summary["lines"] if ": error: " in line]
        elapsed = time.perf_counter() - started
        if report.ok:
            say(f"{reason}: built {summary['briefings']} briefings, {summary['pages']} pages "
                f"in {elapsed:.2f} s")
        else:
            shown = "the last good site, with the errors over it" if (
                target / "index.html").is_file() else "the errors on every page (no site yet)"
            say(f"{reason}: {len(errors)} error{'s' if len(errors) != 1 else ''}; "
                f"showing {shown}")
        state.publish(report.ok, errors)

    target = _output_of(site, out)
    # Watching from before the first build: a save made while it runs is not missed.
    watcher = Watcher(site)
    try:
        rebuild("started", progress=for_terminal())
        watcher.wait_ready()
        server = start_server(target, state, host, port)
    except KeyboardInterrupt:
        watcher.close()
        say("stopped")
        return 130
    except OSError as exc:
        watcher.close()
        say(f"briefings: error: cannot listen on {host}:{port}: {exc.strerror}. "
            "Pass another --port, or stop what is using it.")
        return 2
    try:
        say(f"serving {server.url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        for changed in watcher.batches():
            rebuild(_named(site, changed), changed)
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        watcher.close()
    say("stopped")
    return 0


def _listed_after(site: Path, listed: RawSite | None, changed: set[str]) -> RawSite | None:
    """The site's files after these saves, from the last build's listing,
    where the saves are all of briefings it listed (an article or its
    annotations edited, as nearly every save is); else None, and the build
    lists the site again."""
    from .load import with_changed_pairs

    if listed is None:
        return None
    folder = os.path.join(os.path.abspath(site), "content", "briefings")
    slugs = set()
    for path in changed:
        where, name = os.path.split(os.path.abspath(path))
        slug, dot, kind = name.rpartition(".")
        if where != folder or not dot or kind not in ("md", "yaml") or slug not in listed.slugs:
            return None
        slugs.add(slug)
    return with_changed_pairs(listed, slugs)


def _named(site: Path, changed: set[str]) -> str:
    """The files a rebuild is for, as the terminal shows them: those still
    there (an editor's temporary files come and go), at most three."""
    there = [path for path in changed if os.path.exists(path)] or list(changed)
    names = sorted(os.path.relpath(path, site) for path in there)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _output_of(site: Path, out: Path | None) -> Path:
    """The output folder a build of ``site`` writes (site.yaml's output_dir, or ``out``)."""
    if out is not None:
        return out.resolve()
    from .config import read_config
    from .load import read_text

    config_file, _ = read_text(site, "site.yaml")
    config, _ = read_config(config_file)
    return (site / (config.output_dir if config else "public")).resolve()
