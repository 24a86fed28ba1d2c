"""The floor under a cold build with the theme: the library work of the site as it is.

    python benchmarks/theme_floor.py --site benchmarks/.work/synthetic-1000/briefings
    python benchmarks/theme_floor.py --site benchmarks/.work/synthetic-10000/briefings \
        --beside-hugo 3

``benchmarks/floor.py`` measures the library calls any build must make, with
one small page per briefing. The real site has more pages (a speaker's, a
day's, a tag's, the lists) and each is rendered by the default theme's
templates, which are Jinja2's work, not the builder's. This measures that
floor with the theme in it:

1. start-up: a fresh interpreter importing the libraries, and the pool forking
   (as ``floor.py`` measures them);
2. parse: for each briefing, its two files read, the annotations composed by
   libyaml and the article rendered by markdown-it-py (``floor.py``'s fused
   pass without its page);
3. theme: every HTML page of the real site rendered by the default theme from
   its view, and written to ``<path>/index.html`` in a fresh folder (byte for
   byte the pages a build writes).

The views (the dicts the templates read) are made by each worker before its
clock starts: they are the builder's own work, as are the model, the
anchoring and the indexes, none of which is counted here. The theme's wall
time is the time the workers spent rendering and writing, shared among them.
Neither are the feeds, the sitemap and the JSON data files. So the floor is
lower than any build of this site with this theme can be. Each part runs over
the whole corpus on ``--jobs`` forked workers, in chunks of about a hundred
items.

With ``--beside-hugo ROUNDS`` a cold Hugo build of the same corpus (its
``hugo`` folder beside the site, as ``benchmarks/run.py`` makes it) and the
floor are measured in turns, the order swapped every round: the machine's
speed drifts from hour to hour, so the ratio, round by round, is the figure
that stands. Its median decides: above 0.8, a cold build at 0.8x Hugo's time
is out of reach for this site with this theme. Without it, the parts are
timed ``--repeat`` times and the fastest kept.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import floor  # benchmarks/floor.py: start-up and the library calls
from floor import Timing
from run import Hugo, find_tools  # benchmarks/run.py: how the benchmark runs Hugo

from builder import parallel, pipeline, render

CHUNK = 100
# Files the builder makes itself, not from the theme's templates.
NOT_THEMED = {"data", "sitemap", *render.FEEDS}

# What forked workers inherit: set in the parent before each pool forks.
_model: tuple[Any, ...] = ()  # (site, indexes, articles with their HTML, theme folders)
_plan: list[Any] = []  # the themed pages, as planned
_out = ""


def prepare(site: Path) -> tuple[int, int]:
    """Build ``site`` cold (untimed) and keep what its pages are made from
    (the model, each article with its HTML) and the plan of its themed
    pages, for the workers to inherit. (pages, briefings)"""
    global _model, _plan
    captured: dict[str, Any] = {}
    own_pool, own_plan = parallel.pool, pipeline.plan_site

    @contextmanager
    def pool(jobs: int, work: int, inherit: Any = None) -> Any:
        if inherit is not None:  # the render stage's model: read every article now
            site_model, indexes, whole, templates, _ = inherit
            captured["model"] = (site_model, indexes, {slug: whole[slug] for slug in whole},
                                 templates)
        with own_pool(jobs, work, inherit) as executor:
            yield executor

    def plan_site(*args: Any) -> Any:
        captured["plan"] = own_plan(*args)
        return captured["plan"]

    parallel.pool, pipeline.plan_site = pool, plan_site  # type: ignore[assignment]
    scratch = Path(tempfile.mkdtemp(prefix="briefings-theme-"))
    try:
        shutil.rmtree(site / ".cache", ignore_errors=True)
        pipeline.build(site, scratch / "public", index=False)
    finally:
        parallel.pool, pipeline.plan_site = own_pool, own_plan  # type: ignore[assignment]
        shutil.rmtree(scratch, ignore_errors=True)
    _model = captured["model"]
    _plan = [planned for planned in captured["plan"] if planned.kind not in NOT_THEMED]
    return len(_plan), len(_model[0].briefings)


def pages(start: int, stop: int) -> list[tuple[str, str, Any]]:
    """(file, template, view) of the themed pages ``start:stop``: the
    builder's own work, which the worker does before its clock starts."""
    site, indexes, articles, _ = _model
    views = render.ViewBuilder(site, indexes, articles)
    return [(planned.file, page.template, page)
            for planned in _plan[start:stop] for page in [render._view(views, planned)]]


def themed(env: Any, template: str, page: Any) -> bytes:
    """A page's bytes, rendered by the theme from its view as a build renders it."""
    return env.get_template(template).render(page=page, view=page.view,
                                             site=_model[0].config).encode("utf-8")


def _theme_task(start: int, stop: int) -> tuple[float, float]:
    """Render and write pages ``start:stop`` from their views, made first and
    not timed; (wall, CPU) seconds of the rendering and writing."""
    env = render._environment(_model[3])
    made = pages(start, stop)
    wall, cpu = time.perf_counter(), time.process_time()
    for file, template, page in made:
        data = themed(env, template, page)
        target = os.path.join(_out, file)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as output:
            output.write(data)
    return time.perf_counter() - wall, time.process_time() - cpu


def _warm(_: int) -> None:
    """Compile the theme in each worker before the clock starts, as a build's
    workers find it compiled by the build before."""
    render._environment(_model[3])


def run_theme(jobs: int) -> Timing:
    """The theme's part: the wall time is the rendering and writing the
    workers timed, summed and shared among them (each had a core of its
    own), without the time they spent making the views."""
    global _out
    _out = tempfile.mkdtemp(prefix="briefings-theme-floor-")
    starts = list(range(0, len(_plan), CHUNK))
    stops = [min(start + CHUNK, len(_plan)) for start in starts]
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_warm, range(jobs)))
            timed = list(pool.map(_theme_task, starts, stops))
    finally:
        shutil.rmtree(_out)
    return Timing(sum(wall for wall, _ in timed) / jobs, sum(cpu for _, cpu in timed))


def run_floor(root: Path, jobs: int) -> dict[str, Timing]:
    return {"interpreter": floor.run_interpreter(), "pool": floor.run_pool(jobs),
            "parse": floor.run_fused(root, jobs, page=False), "theme": run_theme(jobs)}


def _total(parts: dict[str, Timing]) -> Timing:
    return Timing(sum(t.wall for t in parts.values()), sum(t.cpu for t in parts.values()))


ROWS = {"interpreter": "start-up: interpreter + imports", "pool": "start-up: pool",
        "parse": "parse: read, yaml (compose), markdown, per briefing",
        "theme": "theme: every HTML page rendered and written"}


def report(parts: dict[str, Timing], pages: int, briefings: int) -> list[str]:
    lines = ["| part | wall s | CPU s (workers) | ms per item |", "| --- | ---: | ---: | ---: |"]
    for name, row in ROWS.items():
        timing = parts[name]
        count = {"parse": briefings, "theme": pages}.get(name)
        per = f"{timing.wall / count * 1000:.3f}" if count else ""
        lines.append(f"| {row} | {timing.wall:.2f} | {timing.cpu:.2f} | {per} |")
    total = _total(parts)
    lines.append(f"| **floor with the theme** | **{total.wall:.2f}** | {total.cpu:.2f} | |")
    return lines


def beside_hugo(root: Path, jobs: int, rounds: int, binary: str) -> list[str]:
    hugo_cold = floor.hugo_beside(root, binary)
    lines = ["| round | Hugo cold s | parse s | theme s | floor with the theme s | floor / Hugo |",
             "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    print("\n".join(lines), flush=True)
    ratios = []
    for number in range(1, rounds + 1):
        parts: dict[str, Timing] = {}
        hugo_wall = 0.0
        for turn in (("hugo", "floor") if number % 2 else ("floor", "hugo")):
            if turn == "hugo":
                hugo_wall = hugo_cold()
            else:
                parts = run_floor(root, jobs)
        total = _total(parts).wall
        ratios.append(total / hugo_wall)
        lines.append(f"| {number} | {hugo_wall:.2f} | {parts['parse'].wall:.2f} | "
                     f"{parts['theme'].wall:.2f} | {total:.2f} | {ratios[-1]:.2f} |")
        print(lines[-1], flush=True)
    median = statistics.median(ratios)
    lines += ["", f"floor with the theme / Hugo: median {median:.2f} (from {min(ratios):.2f} "
                  f"to {max(ratios):.2f}) over {rounds} rounds; the target is 0.8."]
    lines.append("ABOVE the target: a cold build of this site with this theme at 0.8x Hugo is "
                 "out of reach on this machine, whatever the builder's own code costs."
                 if median > 0.8 else
                 f"BELOW the target: the libraries' work with this theme leaves "
                 f"{0.8 - median:.2f}x Hugo's time for the builder's own.")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="the site folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each part")
    parser.add_argument("--beside-hugo", type=int, metavar="ROUNDS",
                        help="build with Hugo and measure the floor in turns, ROUNDS times")
    parser.add_argument("--peers", type=Path, default=Path(__file__).parent / ".venv",
                        help="the environment Hugo is installed in (./scripts/benchmark)")
    args = parser.parse_args(argv)
    if not (args.site / "content" / "briefings").is_dir():
        raise SystemExit(f"{args.site}: no content/briefings folder")
    pages, briefings = prepare(args.site)
    print(f"{args.site}: {briefings:,} briefings, {pages:,} pages made by the theme; "
          f"{args.jobs} processes; load average (1 min) {os.getloadavg()[0]:.2f}\n", flush=True)
    if args.beside_hugo:
        tool = find_tools(["hugo"], args.peers)[0]
        assert isinstance(tool, Hugo)
        lines = beside_hugo(args.site, args.jobs, args.beside_hugo, tool.binary)
        print("\n".join(lines[-3:]))
        return 0
    runs = [run_floor(args.site, args.jobs) for _ in range(max(1, args.repeat))]
    best = {name: min((run[name] for run in runs), key=lambda t: t.wall) for name in ROWS}
    print("\n".join(report(best, pages, briefings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
