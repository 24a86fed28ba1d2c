"""Where a build's time goes: the pipeline's stages, timed in one real build.

    python benchmarks/stages.py --site benchmarks/.work/synthetic-10000/briefings
    python benchmarks/stages.py --site DIR --cprofile 25   # and the 25 costliest functions

Runs ``builder.pipeline.build`` unchanged, cold (the site's build cache
removed first, as the benchmark's cold build does) and with its own process
pool, with each stage function it calls wrapped in a timer (the wrappers are
put in the pipeline module's namespace, nothing in the builder is edited), so
the figures are those of a normal cold build: load, config,
validate + anchor (in parallel), link, render + write (rendering in parallel,
streamed into the writing), and what the pipeline does between them. After
each stage it notes the process's peak resident memory so far. With
``--cprofile N`` the build runs under cProfile instead (about twice as slow,
so its seconds are not comparable with a plain build) and the N functions with
the most time of their own are listed; under cProfile only the main process
is seen, so run it with the workers' share in mind.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import pstats
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from builder import pipeline

# Stage -> the names pipeline.build calls for it, in pipeline order.
STAGES = {
    "load": ("load_site",),
    "config": ("read_config",),
    "validate + anchor": ("read_speakers", "_read_briefings"),
    "link": ("found_in", "found_again", "checked", "build_indexes", "update_indexes", "plan_site"),
    "keys": ("page_keys",),
    "render + write": ("write_output",),
}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_build(site: Path, out: Path) -> tuple[dict[str, float], dict[str, float], float, Any]:
    """(seconds by stage, peak MiB after each stage, total seconds, the report)."""
    seconds = dict.fromkeys(STAGES, 0.0)
    peak: dict[str, float] = {}
    originals: dict[str, Callable[..., Any]] = {}

    def wrap(stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                seconds[stage] += time.perf_counter() - started
                peak[stage] = _peak_mib()
        return timed

    for stage, names in STAGES.items():
        for name in names:
            if not hasattr(pipeline, name):
                raise SystemExit(f"builder.pipeline no longer calls '{name}': update STAGES "
                                 "in benchmarks/stages.py")
            originals[name] = getattr(pipeline, name)
            setattr(pipeline, name, wrap(stage, originals[name]))
    try:
        shutil.rmtree(site / ".cache", ignore_errors=True)
        started = time.perf_counter()
        report = pipeline.build(site, out)
        total = time.perf_counter() - started
    finally:
        for name, function in originals.items():
            setattr(pipeline, name, function)
    return seconds, peak, total, report


def profiled_build(site: Path, out: Path, top: int) -> str:
    profile = cProfile.Profile()
    shutil.rmtree(site / ".cache", ignore_errors=True)
    profile.enable()
    pipeline.build(site, out)
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(top)
    return text.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="the site folder")
    parser.add_argument("--out", type=Path,
                        help="output folder (default: a temporary one, removed after)")
    parser.add_argument("--cprofile", type=int, metavar="N",
                        help="run under cProfile and list the N costliest functions")
    args = parser.parse_args(argv)
    scratch = None
    out = args.out
    if out is None:
        scratch = Path(tempfile.mkdtemp(prefix="briefings-stages-"))
        out = scratch / "public"
    try:
        if args.cprofile:
            print(profiled_build(args.site, out, args.cprofile))
            return 0
        seconds, peak, total, report = timed_build(args.site, out)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    errors = sum(p.is_error for p in report.problems)
    print(f"{report.briefings} briefings, {report.pages} pages, "
          f"{errors} errors, {len(report.problems) - errors} warnings")
    print("| stage | seconds | share | peak memory after it (MiB) |")
    print("| --- | ---: | ---: | ---: |")
    for stage, spent in seconds.items():
        print(f"| {stage} | {spent:.1f} | {spent / total:.0%} | {peak.get(stage, 0):.0f} |")
    rest = total - sum(seconds.values())
    print(f"| between stages | {rest:.1f} | {rest / total:.0%} | |")
    print(f"| **total** | **{total:.1f}** | | **{_peak_mib():.0f}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
