"""The command line: parse arguments, run the pipeline, print problems, exit.

Exit status: 0 built (or checked) without errors, 1 the content has errors or
another build is writing the same output folder, 2 the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from . import __version__, cache

# The pipeline (and the libraries it renders with) is imported only when there
# is work to do: a build in which nothing changed answers before that.


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="briefings",
        description="Build a static website from annotated briefings: source texts with "
                    "quotes, speakers, events and notes.",
    )
    parser.add_argument("--version", action="version", version=f"briefings {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_cmd = commands.add_parser(
        "build", help="check the site and write it to the output folder",
        description="Check the whole site and, if it has no errors, write it to the output "
                    "folder (site.yaml's output_dir, default 'public'), replacing the "
                    "previous output in one step.")
    check_cmd = commands.add_parser(
        "check", help="check the site; write nothing",
        description="Report every problem of the site, exactly as 'build' would, "
                    "and write nothing.")
    for command in (build_cmd, check_cmd):
        _site_option(command)
        command.add_argument("--strict", action="store_true",
                             help="treat warnings as errors")
    build_cmd.add_argument("--out", type=Path, metavar="DIR",
                           help="the output folder (default: output_dir from site.yaml)")
    build_cmd.add_argument("--drafts", action="store_true",
                           help="publish the briefings marked 'draft: true' too (a build "
                                "without it checks them and leaves them out)")
    build_cmd.add_argument("--no-search", action="store_true",
                           help="make no search index (where site.yaml has search on, the pages "
                                "keep their search box; the search page says the index is "
                                "missing)")
    build_cmd.add_argument("--no-cache", action="store_true",
                           help=f"ignore the build cache ({cache.FOLDER}/ in the site folder) "
                                "and leave it as it is: read, anchor and render everything")
    build_cmd.add_argument("--jobs", type=_positive, metavar="N",
                           help="worker processes (default: one per core; 1: none)")
    build_cmd.add_argument("--dask", metavar="ADDRESS",
                           help="read and render on a Dask cluster: its scheduler's address "
                                "(tcp://host:8786), or 'local' for one on this machine with "
                                "--jobs workers; needs " + "pip install 'briefings[dask]'")
    init_cmd = commands.add_parser(
        "init", help="start a new site in a folder",
        description="Write a new site that builds at once: site.yaml with a comment on "
                    "each setting, content/speakers.yaml, a sample briefing with a quote, "
                    "an event and a note, a .gitignore and a GitHub Pages workflow. "
                    "Never overwrites a file.")
    init_cmd.add_argument("dir", nargs="?", type=Path, metavar="DIR",
                          help="the new site's folder (default: --site, or .)")
    init_cmd.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                          help="the same as DIR")
    new_cmd = commands.add_parser(
        "new", help="start a new briefing: its article and its annotations",
        description="Write content/briefings/SLUG.md and SLUG.yaml: the article from "
                    "--from (a text, Markdown or HTML file; a page's main text and "
                    "metadata are taken from HTML), and the annotations with every "
                    "field to fill in. Never overwrites a file.")
    new_cmd.add_argument("slug", metavar="SLUG",
                         help="the briefing's name and URL: lowercase letters, digits and "
                              "single hyphens, such as 2022-01-10-putin-csto")
    new_cmd.add_argument("--from", dest="source", type=Path, metavar="FILE",
                         help="the source text: .txt, .md, or a saved .html page")
    new_cmd.add_argument("--title", metavar="TEXT", help="the headline")
    _site_option(new_cmd)
    serve_cmd = commands.add_parser(
        "serve", help="build, serve and rebuild on every save, reloading the browser",
        description="Build the site and serve it over HTTP. On every save under site.yaml, "
                    "content/ or templates/ the site is built again and every open page "
                    "reloads; while the site has errors they are shown over the pages, with "
                    "the last good site underneath. Ctrl-C stops it.")
    _site_option(serve_cmd)
    serve_cmd.add_argument("--port", type=_port, default=8000,
                           help="the port to listen on (default: 8000; 0: any free one)")
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="the address to listen on (default: 127.0.0.1, this machine "
                                "only; 0.0.0.0 opens it to the network)")
    serve_cmd.add_argument("--open", action="store_true",
                           help="open the site in the web browser")
    suggest_cmd = commands.add_parser(
        "suggest", help="propose annotations for a briefing, as YAML",
        description="Print proposed annotations for one briefing as YAML, ready to paste: "
                    "the quotations in its article with the speaker each is attributed to, "
                    "the days it names as events, and the transcript labels not yet mapped. "
                    "Passages already annotated are left out; every proposed passage "
                    "anchors as it is.")
    suggest_cmd.add_argument("slug", metavar="SLUG", help="the briefing")
    suggest_cmd.add_argument("--write", action="store_true",
                             help="add the suggestions to the briefing's .yaml, keeping "
                                  "its comments and layout")
    _site_option(suggest_cmd)
    reanchor_cmd = commands.add_parser(
        "reanchor", help="find annotations' passages again after their article changed",
        description="Find the passage of each quote, event, note and transcript 'outside' "
                    "anchor again in its article, starting from the article as the last "
                    "build that found all its anchors read it (kept in the build cache), "
                    "or from --old. Each anchor is reported kept, moved, changed, ambiguous "
                    "or orphaned; exit status 1 if any is ambiguous or orphaned.")
    reanchor_cmd.add_argument("slugs", nargs="*", metavar="SLUG",
                              help="the briefings (default: every briefing of the site)")
    reanchor_cmd.add_argument("--old", type=Path, metavar="FILE",
                              help="the article as it was (Markdown); with one SLUG only")
    reanchor_cmd.add_argument("--write", action="store_true",
                              help="rewrite the moved and changed anchors in the .yaml, "
                                   "keeping every other byte of it")
    _site_option(reanchor_cmd)
    return parser


def _site_option(command: argparse.ArgumentParser) -> None:
    command.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                         help="the site folder, holding site.yaml (default: .)")


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


def run() -> None:
    """The ``briefings`` command: :func:`main`, then out of the process at
    once, its output flushed. Everything a command opens it has closed by
    then (its files, the cache, its workers); tearing down the interpreter,
    module by module and object by object, only cost time (a few hundredths
    of a second, more after a cold build), and would wait on the pipeline's
    import where a build that had nothing to do left it running (see
    :func:`_import_aside`)."""
    code = main(exiting=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a reader gone: as the interpreter's own exit says it
        code = code or 120
    os._exit(code)


def _import_aside() -> Callable[[], None]:
    """Import the pipeline in a thread while the forked child of
    :func:`cache.walk_aside` walks the site, and return what waits for the
    thread to end. This process only waits for the child's answer then (a
    read of its pipe, which holds no lock of the interpreter's), so a build
    with work to do has its imports (0.2 s at 10,000 briefings) done in that
    time; one that had nothing to do does not wait for them.

    The thread is handed the interpreter's lock every half millisecond, not
    every five, while it runs: the check that nothing changed, in this
    thread, waits for it after each of its reads."""
    import _thread

    running = _thread.allocate_lock()
    running.acquire()
    switch = sys.getswitchinterval()

    def imports() -> None:
        try:
            from . import pipeline, progress  # noqa: F401
        except BaseException:  # imported again where needed, to fail there
            pass
        finally:
            running.release()

    def done() -> None:
        with running:
            sys.setswitchinterval(switch)

    sys.setswitchinterval(min(switch, 0.0005))
    _thread.start_new_thread(imports, ())
    return done


def main(argv: list[str] | None = None, *, exiting: bool = False) -> int:
    """Run a command; its exit status. ``exiting``: the process ends as this
    returns (:func:`run`), so it need not wait for what it no longer needs."""
    args = _parser().parse_args(argv)
    if args.command in ("init", "new"):
        return _scaffold(args)
    if args.command == "suggest":
        return _suggest(args)
    if args.command == "reanchor":
        return _reanchor(args)
    site = args.site
    if not (site / "site.yaml").is_file():
        print(f"briefings: error: no site.yaml in '{site}'. Run this in a site folder, "
              "or pass --site DIR.", file=sys.stderr)
        return 2
    if args.command == "serve":
        from .serve import serve

        def say(line: str) -> None:
            print(line, file=sys.stderr, flush=True)

        return serve(site, None, args.host, args.port, args.open, say)
    started = time.perf_counter()
    writing = args.command == "build"
    imported = None
    if writing and not args.no_cache:
        if cache.walk_aside(site, args.out, args.strict, args.drafts, not args.no_search):
            imported = _import_aside()
        kept = cache.unchanged_build(site, args.out, args.strict, args.drafts,
                                     not args.no_search)
        if kept:
            cache.end_aside()
            if imported is not None and not exiting:
                imported()
            for line in kept["lines"]:
                print(line, file=sys.stderr)
            print(f"built {_counts(kept)} in {time.perf_counter() - started:.1f} s "
                  f"(nothing had changed{', ' + kept['warnings'] if kept['warnings'] else ''})"
                  + _drafts_left_out(kept))
            return 0
    from .pipeline import build, summary_of
    from .progress import for_terminal
    from .write import OutputBusy

    if imported is not None:
        imported()  # no other thread is left when the build forks its workers

    options = {"strict": args.strict, "write": writing, "cache": writing and not args.no_cache,
               "drafts": getattr(args, "drafts", False),
               "index": not getattr(args, "no_search", False),
               "jobs": getattr(args, "jobs", None), "progress": for_terminal(),
               "exiting": exiting}
    try:
        if getattr(args, "dask", None):
            from .cluster import MissingDask, dask_executor
            from .parallel import default_jobs

            try:
                with dask_executor(args.dask, args.jobs or default_jobs()) as executor:
                    report = build(site, args.out, executor=executor, **options)
            except MissingDask as missing:
                print(f"briefings: error: {missing}", file=sys.stderr)
                return 2
        else:
            report = build(site, getattr(args, "out", None), **options)
    except OutputBusy as busy:
        print(f"briefings: error: {busy}; nothing was written. Run the build again when "
              "it has finished.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    summary = summary_of(report)
    for line in summary["lines"]:
        print(line, file=sys.stderr)
    if not report.ok:
        print(f"failed: {summary['warnings']}; " + (
            "the pages that changed were written, and the search index is the last build's "
            "until a build makes it again." if report.pages_written else "nothing was written."),
            file=sys.stderr)
        return 1
    warnings = f" ({summary['warnings']})" if summary["warnings"] else ""
    if writing:
        indexed = f"; search index {report.indexed:.1f} s" if report.indexed is not None else ""
        print(f"built {_counts(summary)} in {elapsed:.1f} s{indexed}{warnings}"
              + _drafts_left_out(summary))
    else:
        print(f"checked {_counts(summary)} in {elapsed:.1f} s{warnings}")
    return 0


def _scaffold(args: argparse.Namespace) -> int:
    from .scaffold import ScaffoldError, init_site, new_briefing, read_source

    try:
        if args.command == "init":
            site = args.dir or args.site
            written = init_site(site)
            print(f"started a site in {site}: " + ", ".join(map(str, written)))
            print(f"Build it with 'briefings build --site {site}', or preview it as you "
                  f"write with 'briefings serve --site {site}'.")
            return 0
        if not (args.site / "site.yaml").is_file():
            print(f"briefings: error: no site.yaml in '{args.site}'. Run this in a site "
                  "folder, pass --site DIR, or start a site with 'briefings init'.",
                  file=sys.stderr)
            return 2
        source = read_source(args.source) if args.source else None
        written = new_briefing(args.site, args.slug, source, args.title)
    except ScaffoldError as problem:
        print(f"briefings: error: {problem}", file=sys.stderr)
        return 1
    print("wrote " + " and ".join(str(args.site / path) for path in written) +
          ": fill in the annotations, then build.")
    return 0


def _suggest(args: argparse.Namespace) -> int:
    from .suggest import suggest, write_into

    if not (args.site / "site.yaml").is_file():
        print(f"briefings: error: no site.yaml in '{args.site}'. Run this in a site folder, "
              "or pass --site DIR.", file=sys.stderr)
        return 2
    try:
        found = suggest(args.site, args.slug)
    except LookupError as problem:
        print(f"briefings: error: {problem}", file=sys.stderr)
        return 1
    print(found.as_yaml(args.site), end="")
    if args.write:
        try:
            added = write_into(found.path, found.quotes, found.events, found.labels)
        except ValueError as problem:
            print(f"briefings: error: {problem}; nothing was written.", file=sys.stderr)
            return 1
        print(f"added {added} suggestion{'s' if added != 1 else ''} to {found.path}; "
              "check them, then build.", file=sys.stderr)
    return 0


def _reanchor(args: argparse.Namespace) -> int:
    from .reanchor import reanchor_all

    if not (args.site / "site.yaml").is_file():
        print(f"briefings: error: no site.yaml in '{args.site}'. Run this in a site folder, "
              "or pass --site DIR.", file=sys.stderr)
        return 2
    if args.old is not None and len(args.slugs) != 1:
        print("briefings: error: --old FILE is the previous article of one briefing: "
              "name exactly one SLUG with it.", file=sys.stderr)
        return 2
    unknown = [slug for slug in args.slugs
               if not (args.site / "content" / "briefings" / f"{slug}.yaml").is_file()]
    if unknown:
        print(f"briefings: error: no briefing '{unknown[0]}' in {args.site}: "
              f"content/briefings/{unknown[0]}.yaml is not there.", file=sys.stderr)
        return 2
    try:
        old = args.old.read_text("utf-8-sig").replace("\r\n", "\n") if args.old else None
    except (OSError, UnicodeDecodeError) as exc:
        print(f"briefings: error: cannot read --old {args.old}: {exc}", file=sys.stderr)
        return 2
    return reanchor_all(args.site, args.slugs, old, args.write, print,
                        lambda line: print(f"briefings: error: {line}", file=sys.stderr))


def _drafts_left_out(summary: dict[str, int]) -> str:
    count = summary.get("drafts", 0)
    if not count:
        return ""
    return (f"; {count} draft{'s' if count != 1 else ''} left out "
            "(build --drafts to publish, or preview with serve)")


def _counts(summary: dict[str, int]) -> str:
    return ", ".join(f"{summary[kind]} {kind[:-1] if summary[kind] == 1 else kind}"
                     for kind in ("briefings", "speakers", "dates", "pages"))


if __name__ == "__main__":
    sys.exit(main())
