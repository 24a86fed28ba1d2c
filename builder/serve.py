"""The preview server: ``briefings serve``.

It builds the site, serves the output folder over HTTP and builds again on
every save under ``site.yaml``, ``content/`` and ``templates/`` (watched with
watchfiles). The builds run in this process, one at a time, each taking what
the last one left in the build cache and the modules already imported.

Every HTML page it serves gets one small script, added on the way out and
never written to the output: it listens on an event stream and reloads the
page when a build has replaced the site, and while the site has errors it
shows them over the page, ``path:line:col: message``, above the last good
site (which a failed build leaves as it was).

Only files inside the output folder are served: a path with ``..``, a
backslash or a NUL byte (after percent-decoding) is refused, and so is any
path through a symbolic link.
"""

from __future__ import annotations

import json
import mimetypes
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

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


def watched(site: Path) -> Iterator[set[str]]:
    """Each batch of changed paths under site.yaml, content/ and templates/
    (watchfiles collects a burst of saves into one batch)."""
    import queue

    import watchfiles

    batches: queue.Queue[set[str] | BaseException] = queue.Queue()
    stop = threading.Event()
    folders = [str(site / name) for name in ("content", "templates") if (site / name).is_dir()]

    def follow(paths: list[str], recursive: bool, keep: Callable[[str], bool]) -> None:
        try:
            for changes in watchfiles.watch(*paths, recursive=recursive, stop_event=stop,
                                            raise_interrupt=False, debounce=100, step=20):
                found = {path for _, path in changes if keep(path)}
                if found:
                    batches.put(found)
        except BaseException as exc:  # noqa: BLE001 (handed to the caller)
            batches.put(exc)

    site_yaml = os.path.abspath(site / "site.yaml")
    watchers = [threading.Thread(target=follow, daemon=True, args=(
        [str(site)], False, lambda path: os.path.abspath(path) == site_yaml))]
    if folders:
        watchers.append(threading.Thread(target=follow, daemon=True,
                                         args=(folders, True, _worth_a_build)))
    for watcher in watchers:
        watcher.start()
    try:
        while True:
            batch = batches.get()
            if isinstance(batch, BaseException):
                raise batch
            while not batches.empty():  # saves that came while a build ran
                more = batches.get()
                if isinstance(more, BaseException):
                    raise more
                batch |= more
            yield batch
    finally:
        stop.set()
        for watcher in watchers:
            watcher.join(timeout=2)


def _worth_a_build(path: str) -> bool:
    """Not an editor's swap, backup or lock file."""
    name = os.path.basename(path)
    return not (name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp"))
                or re.fullmatch(r"\.?4913", name) is not None)


def serve(site: Path, out: Path | None, host: str, port: int, open_browser: bool,
          say: Callable[[str], None]) -> int:
    """Build, serve and build again on every change, until Ctrl-C."""
    from .pipeline import build, summary_of
    from .progress import Progress, for_terminal
    from .write import OutputBusy

    state = State()

    def rebuild(reason: str, progress: Progress | None = None) -> None:
        started = time.perf_counter()
        try:
            report = build(site, out, progress=progress)
        except OutputBusy as busy:
            say(f"{busy}: another build is writing the site; waiting for the next save.")
            return
        summary = summary_of(report)
        for line in summary["lines"]:
            say(line)
        errors = [line for line in summary["lines"] if ": error: " in line]
        elapsed = time.perf_counter() - started
        if report.ok:
            say(f"{reason}: built {summary['briefings']} briefings, {summary['pages']} pages "
                f"in {elapsed:.2f} s")
        else:
            say(f"{reason}: {len(errors)} error{'s' if len(errors) != 1 else ''}; "
                "showing the last good site with the errors over it")
        state.publish(report.ok, errors)

    target = _output_of(site, out)
    try:
        rebuild("started", for_terminal())
    except KeyboardInterrupt:
        say("stopped")
        return 130
    try:
        server = start_server(target, state, host, port)
    except OSError as exc:
        say(f"briefings: error: cannot listen on {host}:{port}: {exc.strerror}. "
            "Pass another --port, or stop what is using it.")
        return 2
    try:
        say(f"serving {server.url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            webbrowser.open(server.url)
        for changed in watched(site):
            rebuild(_named(site, changed))
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    say("stopped")
    return 0


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
