"""The command line: parse arguments, run the pipeline, print problems, exit.

Exit status: 0 built (or checked) without errors, 1 the content has errors or
another build is writing the same output folder, 2 the command line itself is wrong.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import __version__
from .pipeline import build
from .problems import summarise
from .write import OutputBusy


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
        command.add_argument("--site", type=Path, default=Path("."), metavar="DIR",
                             help="the site folder, holding site.yaml (default: .)")
        command.add_argument("--strict", action="store_true",
                             help="treat warnings as errors")
    build_cmd.add_argument("--out", type=Path, metavar="DIR",
                           help="the output folder (default: output_dir from site.yaml)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    site = args.site
    if not (site / "site.yaml").is_file():
        print(f"briefings: error: no site.yaml in '{site}'. Run this in a site folder, "
              "or pass --site DIR.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        report = build(site, getattr(args, "out", None), strict=args.strict,
                       write=args.command == "build")
    except OutputBusy as busy:
        print(f"briefings: error: {busy}; nothing was written. Run the build again when "
              "it has finished.", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if not report.ok:
        print(f"failed: {summarise(report.problems)}; nothing was written.", file=sys.stderr)
        return 1
    warnings = f" ({summarise(report.problems)})" if report.problems else ""
    counts = (f"{report.briefings} briefing{'s' if report.briefings != 1 else ''}, "
              f"{report.speakers} speaker{'s' if report.speakers != 1 else ''}, "
              f"{report.dates} date{'s' if report.dates != 1 else ''}, "
              f"{report.pages} page{'s' if report.pages != 1 else ''}")
    if args.command == "build":
        print(f"built {counts} in {elapsed:.1f} s{warnings}")
    else:
        print(f"checked {counts} in {elapsed:.1f} s{warnings}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
