"""The floor under a cold build: only the library work it cannot avoid, on every core.

    python benchmarks/floor.py --site benchmarks/.work/synthetic-10000/briefings --hugo 8.54
    python benchmarks/floor.py --site DIR --results benchmarks/.work/results.json --repeat 3
    python benchmarks/floor.py --site DIR --hugo SECONDS --jobs 2
    python benchmarks/floor.py --site benchmarks/.work/synthetic-10000/briefings --beside-hugo 5

The project's target for a cold build of 10,000 briefings is 0.8x Hugo's wall
time, and a target may be declared out of reach only if measurement shows it
below what Python and the libraries the builder uses can do on this machine.
This measures that floor: the calls into the libraries that any cold build of
the site has to make, with none of the builder's own logic (no model, no
validation, no anchoring, no indexes, no cache), spread over one process per
core, forked as the builder's own pool is, in chunks of about a hundred items.

Each stage runs over the whole corpus in a fresh pool, and is timed on its own:

1. read: the text of every ``.md`` and ``.yaml`` file (bytes, decoded as UTF-8);
2. yaml: ``yaml.compose`` of every YAML file with libyaml's ``CSafeLoader``,
   the composer with marks that the builder uses (no construction);
3. markdown: every article through markdown-it-py with the builder's preset and
   options (CommonMark, tables, strikethrough, no raw HTML, no typographer);
4. jinja: one page per briefing from a small autoescaped Jinja2 template (the
   article inserted, a list of ten links), compiled once per process;
5. write: each page as ``<slug>/index.html`` in a fresh temporary folder.

A stage's input is read into the parent before its pool forks, so the workers
inherit it and a task is only a range of indices: each stage measures its own
work, not the reading or the transfers around it. The jinja and write stages
take the article's Markdown for its HTML (they copy it, they do not read it;
the HTML is about 2% longer). The fused pass is then the realistic floor: the
parent lists the folder and sends the pool only file names, and for each
briefing a worker reads both files, composes the annotations, renders the
article and its page and writes it (``site.yaml`` and ``content/speakers.yaml``
are read and composed too).
The floor is that pass plus start-up: a fresh interpreter importing the
libraries, and the pool forking and making its renderer and template.

Only one page per briefing is made, while the real build also makes speaker,
day, tag and index pages (11,537 pages at 10,000 briefings), so the floor is
lower than the real work: if even it exceeds the target, the target is out of
reach. Each measurement is repeated (``--repeat``) and the fastest kept; CPU
time is the workers' own, summed. Other work on the machine inflates every
figure, so the load average is shown, and a warning when the workers of the
fused pass spent much of it waiting instead of running. The Hugo figure comes from ``--hugo`` or,
with ``--results``, from the median cold Hugo wall time for a corpus of the
same size in the latest ``benchmarks/.work/results.json``.

With ``--beside-hugo ROUNDS`` the two are measured in turns instead: each
round a cold Hugo build of the same corpus (its ``hugo`` folder beside the
site, as ``benchmarks/run.py`` makes it; Hugo from ``benchmarks/.venv``), then
the floor (start-up and the fused pass), the order swapped every round. The
machine's speed drifts by a fifth from hour to hour and Hugo's build and ours
drift together: the ratio of the floor to Hugo's build, round by round, is
the figure that stands. Its median decides: above 0.8, the target is out of
reach.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markdown_it import MarkdownIt
from markupsafe import Markup
from run import Hugo, find_tools  # benchmarks/run.py: how the benchmark runs Hugo

CHUNK = 100
SHARED_YAML = ("site.yaml", "content/speakers.yaml")
TEMPLATE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ title }} | Briefings</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<nav><a href="/">Home</a> <a href="/speakers/">Speakers</a> <a href="/tags/">Tags</a></nav>
<main><article><h1>{{ title }}</h1>
{{ html }}
<ul>
{% for item in items %}
<li><a href="{{ item.url }}">{{ item.name }}</a></li>
{% endfor %}
</ul></article></main>
</body>
</html>
"""
ITEMS = [{"url": f"/tags/topic-{n}/", "name": f"Topic {n} & more"} for n in range(10)]


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


# What forked workers inherit: set in the parent just before each pool forks.
_root = ""
_out = ""
_inputs: list[Any] = []
_barrier: Any = None
# Made once in each process by _start.
_md: MarkdownIt | None = None
_template: jinja2.Template | None = None


def _start() -> None:
    global _md, _template
    _md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"])
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    _template = env.from_string(TEMPLATE)


# -- the library calls -------------------------------------------------------------

def _read(path: str) -> str:
    with open(path, "rb") as file:
        return file.read().decode("utf-8")


def _compose(text: str) -> int:
    yaml.compose(text, Loader=yaml.CSafeLoader)
    return len(text)


def _load(text: str) -> int:
    yaml.load(text, Loader=yaml.CSafeLoader)
    return len(text)


def _markdown(text: str) -> str:
    assert _md is not None
    return _md.render(text)


def _page(title: str, html: str) -> bytes:
    assert _template is not None
    return _template.render(title=title, html=Markup(html), items=ITEMS).encode("utf-8")


def _write(slug: str, page: bytes) -> int:
    folder = os.path.join(_out, slug)
    os.mkdir(folder)
    with open(os.path.join(folder, "index.html"), "wb") as file:
        return file.write(page)


def _fused(slug: str) -> int:
    base = os.path.join(_root, "content", "briefings", slug)
    _compose(_read(base + ".yaml"))
    return _write(slug, _page(slug, _markdown(_read(base + ".md"))))


def _parsed(slug: str) -> int:
    """The fused pass without its page: for a floor whose pages are made apart
    (``benchmarks/theme_floor.py``)."""
    base = os.path.join(_root, "content", "briefings", slug)
    return _compose(_read(base + ".yaml")) + len(_markdown(_read(base + ".md")))


# -- stages: (inputs made in the parent, work on one input in a worker) -------------

STAGES: dict[str, Callable[[Any], int]] = {
    "read": lambda path: len(_read(path)),
    "yaml": _compose,
    "yaml.load": _load,
    "markdown": lambda text: len(_markdown(text)),
    "jinja": lambda item: len(_page(*item)),
    "write": lambda item: _write(*item),
}
ROWS = {"read": "1 read", "yaml": "2 yaml (compose)", "markdown": "3 markdown",
        "jinja": "4 jinja", "write": "5 write"}


def _task(stage: str, start: int, stop: int) -> tuple[int, float]:
    """(bytes, CPU seconds) of ``stage`` over inputs ``start:stop``."""
    cpu = time.process_time()
    work = STAGES[stage]
    done = sum(work(item) for item in _inputs[start:stop])
    return done, time.process_time() - cpu


def _fused_task(slugs: list[str], shared: list[str], page: bool = True) -> tuple[int, float]:
    cpu = time.process_time()
    done = sum(map(_fused if page else _parsed, slugs))
    done += sum(_compose(_read(path)) for path in shared)
    return done, time.process_time() - cpu


def _ready(_: int) -> float:
    """Wait until every worker is up (so each answers once); its CPU so far."""
    _barrier.wait(timeout=120)
    return time.process_time()


# -- pools and timing ---------------------------------------------------------------

@contextmanager
def pool(jobs: int) -> Iterator[tuple[ProcessPoolExecutor, Timing]]:
    """A forked pool with every worker started, and what starting it took."""
    global _barrier
    context = multiprocessing.get_context("fork")
    _barrier = context.Barrier(jobs)
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start) as executor:
        cpu = sum(executor.map(_ready, range(jobs)))
        yield executor, Timing(time.perf_counter() - started, cpu)


@contextmanager
def scratch() -> Iterator[None]:
    """A fresh output folder for the workers to inherit, removed after."""
    global _out
    _out = tempfile.mkdtemp(prefix="briefings-floor-")
    try:
        yield
    finally:
        shutil.rmtree(_out)


def run_stage(stage: str, inputs: list[Any], jobs: int) -> Timing:
    global _inputs
    _inputs = inputs
    starts = range(0, len(inputs), CHUNK)
    stops = [min(start + CHUNK, len(inputs)) for start in starts]
    with scratch(), pool(jobs) as (executor, _):
        started = time.perf_counter()
        done = list(executor.map(_task, itertools.repeat(stage), starts, stops))
        wall = time.perf_counter() - started
    _inputs = []
    return Timing(wall, sum(cpu for _, cpu in done))


def run_fused(root: Path, jobs: int, page: bool = True) -> Timing:
    """The fused pass; without ``page``, only reading and parsing each briefing."""
    global _root
    _root = str(root)
    with scratch(), pool(jobs) as (executor, _):
        started = time.perf_counter()
        folder = root / "content" / "briefings"
        slugs = sorted(name[:-3] for name in os.listdir(folder) if name.endswith(".md"))
        chunks = [slugs[i:i + CHUNK] for i in range(0, len(slugs), CHUNK)] + [[]]
        shared = [[]] * (len(chunks) - 1) + [[str(root / name) for name in SHARED_YAML]]
        done = list(executor.map(_fused_task, chunks, shared, itertools.repeat(page)))
        wall = time.perf_counter() - started
    return Timing(wall, sum(cpu for _, cpu in done))


def run_pool(jobs: int) -> Timing:
    with pool(jobs) as (_, timing):
        return timing


def run_interpreter() -> Timing:
    """A fresh interpreter importing the libraries, as a build's process starts."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import yaml, markdown_it, jinja2"], check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Timing(wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


# -- the corpus and the stages' inputs ----------------------------------------------

def stage_inputs(root: Path) -> dict[str, list[Any]]:
    """What each stage works on, read here once so that workers inherit it."""
    folder = root / "content" / "briefings"
    slugs = sorted(path.stem for path in folder.glob("*.md"))
    yaml_paths = [str(folder / f"{slug}.yaml") for slug in slugs]
    yaml_paths += [str(root / name) for name in SHARED_YAML]
    md_paths = [str(folder / f"{slug}.md") for slug in slugs]
    articles = [_read(path) for path in md_paths]
    yaml_texts = [_read(path) for path in yaml_paths]
    _start()  # this process's template, for the pages the write stage writes
    titled = list(zip(slugs, articles, strict=True))
    pages = [(slug, _page(slug, text)) for slug, text in titled]
    return {"read": md_paths + yaml_paths, "yaml": yaml_texts, "yaml.load": yaml_texts,
            "markdown": articles, "jinja": titled, "write": pages}


def hugo_from_results(results: Path, briefings: int) -> float:
    """The median cold Hugo wall time for this corpus size, from the latest results."""
    corpus = f"synthetic, {briefings:,} articles"
    for result in reversed(json.loads(results.read_text("utf-8"))["results"]):
        if result["tool"] == "hugo" and result["corpus"] == corpus:
            walls = [run["wall"] for run in result["runs"].get("cold", []) if run["ok"]]
            if walls:
                return statistics.median(walls)
    raise SystemExit(f"{results}: no cold Hugo build of '{corpus}': pass --hugo SECONDS")


def measure(root: Path, jobs: int, repeat: int) -> tuple[dict[str, Timing], int, int]:
    """The fastest of ``repeat`` timings of each measurement; briefings; bytes read."""
    inputs = stage_inputs(root)
    briefings = len(inputs["markdown"])
    size = sum(os.path.getsize(path) for path in inputs["read"])
    runs: dict[str, list[Timing]] = {}
    for _ in range(repeat):  # interleaved, so a slow spell of the machine hits all
        for stage, items in inputs.items():
            runs.setdefault(stage, []).append(run_stage(stage, items, jobs))
        runs.setdefault("interpreter", []).append(run_interpreter())
        runs.setdefault("pool", []).append(run_pool(jobs))
        runs.setdefault("fused", []).append(run_fused(root, jobs))
    best = {name: min(timings, key=lambda t: t.wall) for name, timings in runs.items()}
    return best, briefings, size


# -- report -------------------------------------------------------------------------

def _row(name: str, timing: Timing, briefings: int | None) -> str:
    per = f"{timing.wall / briefings * 1000:.3f}" if briefings else ""
    return f"| {name} | {timing.wall:.2f} | {timing.cpu:.2f} | {per} |"


def report(best: dict[str, Timing], briefings: int, hugo: float, jobs: int) -> list[str]:
    stages = [best[stage] for stage in ROWS]
    startup = Timing(best["interpreter"].wall + best["pool"].wall,
                     best["interpreter"].cpu + best["pool"].cpu)
    floor = Timing(startup.wall + best["fused"].wall, startup.cpu + best["fused"].cpu)
    lines = ["| stage | wall s | CPU s (workers) | ms per briefing |",
             "| --- | ---: | ---: | ---: |"]
    lines += [_row(ROWS[stage], best[stage], briefings) for stage in ROWS]
    lines += [_row("stages 1-5", Timing(sum(t.wall for t in stages), sum(t.cpu for t in stages)),
                   briefings),
              _row("start-up: interpreter + imports", best["interpreter"], None),
              _row("start-up: pool", best["pool"], None),
              _row("fused 1-5", best["fused"], briefings),
              _row("**floor: start-up + fused**", floor, briefings), ""]
    lines.append(f"note: yaml.load instead of compose: {best['yaml.load'].wall:.2f} s wall, "
                 f"{best['yaml.load'].cpu:.2f} s CPU")
    lines.append(f"pages: {briefings:,}, one per briefing (the real build also makes speaker, "
                 "day, tag and index pages, which the floor leaves out)")
    busy = best["fused"].cpu / (best["fused"].wall * jobs)
    if busy < 0.8:
        lines.append(f"warning: in the fused pass the workers ran for only {busy:.0%} of the "
                     "cores' time and waited the rest (for cores held by other work, or for "
                     "the disk): the figures are too high. Measure again on a quiet machine "
                     "before drawing a conclusion.")
    target = 0.8 * hugo
    lines.append(f"floor (fused): {floor.wall:.2f} s; 0.8 x Hugo: {target:.2f} s "
                 f"(Hugo {hugo:.2f} s)")
    if floor.wall > target:
        lines.append(f"The floor is ABOVE the target by {floor.wall - target:.2f} s: by this "
                     "measurement the target is out of reach on this machine.")
    else:
        lines.append(f"The floor is BELOW the target, at {floor.wall / target:.0%} of it: "
                     "this measurement does not show the target out of reach; the libraries' "
                     f"work leaves {target - floor.wall:.2f} s for the builder's own.")
    return lines


def hugo_beside(root: Path, binary: str) -> Callable[[], float]:
    """What times a cold Hugo build of the corpus of ``root`` (its ``hugo``
    folder beside the site, as ``benchmarks/run.py`` makes it): each call
    builds once and gives the wall seconds."""
    site, out = root.resolve().parent / "hugo", root.resolve().parent / "hugo-out"
    if not (site / "content").is_dir():
        raise SystemExit(f"{site}: no Hugo site beside {root}: run ./scripts/benchmark first")
    hugo = Hugo("hugo", "hugo", binary=binary)

    def cold() -> float:
        hugo.clean(site, out)
        started = time.perf_counter()
        done = subprocess.run(hugo.command(site, out), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"Hugo failed: {done.stderr.strip()[-500:]}")
        return time.perf_counter() - started

    return cold


def beside_hugo(root: Path, jobs: int, rounds: int, binary: str) -> list[str]:
    """The floor and Hugo's cold build in turns: a line a round, then the verdict."""
    hugo_cold = hugo_beside(root, binary)
    lines = ["| round | Hugo cold s | floor s (start-up + fused) | floor / Hugo |",
             "| ---: | ---: | ---: | ---: |"]
    ratios = []
    for number in range(1, rounds + 1):
        timings: dict[str, float] = {}
        for turn in (("hugo", "floor") if number % 2 else ("floor", "hugo")):
            if turn == "hugo":
                timings["hugo"] = hugo_cold()
            else:
                timings["floor"] = run_interpreter().wall + run_pool(jobs).wall \
                    + run_fused(root, jobs).wall
        ratios.append(timings["floor"] / timings["hugo"])
        lines.append(f"| {number} | {timings['hugo']:.2f} | {timings['floor']:.2f} | "
                     f"{ratios[-1]:.2f} |")
        print(lines[-1], flush=True)
    median = statistics.median(ratios)
    lines.append("")
    lines.append(f"floor / Hugo: median {median:.2f} (from {min(ratios):.2f} to "
                 f"{max(ratios):.2f}) over {rounds} rounds; the target is 0.8.")
    lines.append("The floor is ABOVE the target: by this measurement a cold build at 0.8x "
                 "Hugo is out of reach on this machine." if median > 0.8 else
                 "The floor is BELOW the target: this measurement does not show it out of "
                 f"reach; the libraries' work leaves {0.8 - median:.2f}x Hugo's time for the "
                 "builder's own.")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="the site folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes")
    hugo = parser.add_mutually_exclusive_group(required=True)
    hugo.add_argument("--hugo", type=float, metavar="SECONDS", help="Hugo's cold wall time")
    hugo.add_argument("--results", type=Path, metavar="FILE",
                      help="take it from benchmarks/.work/results.json")
    hugo.add_argument("--beside-hugo", type=int, metavar="ROUNDS",
                      help="build with Hugo and measure the floor in turns, ROUNDS times")
    parser.add_argument("--peers", type=Path, default=Path(__file__).parent / ".venv",
                        help="the environment Hugo is installed in (./scripts/benchmark)")
    args = parser.parse_args(argv)
    if not (args.site / "content" / "briefings").is_dir():
        raise SystemExit(f"{args.site}: no content/briefings folder")
    if args.beside_hugo:
        tool = find_tools(["hugo"], args.peers)[0]
        assert isinstance(tool, Hugo)
        load = os.getloadavg()[0]
        print(f"{args.site}: {args.jobs} processes; load average (1 min) {load:.2f} before\n")
        lines = beside_hugo(args.site, args.jobs, args.beside_hugo, tool.binary)
        print("\n".join(lines[-3:]))
        print(f"load average (1 min) {os.getloadavg()[0]:.2f} after")
        return 0
    count = sum(1 for _ in (args.site / "content" / "briefings").glob("*.md"))
    seconds = args.hugo if args.hugo is not None else hugo_from_results(args.results, count)
    repeat = max(1, args.repeat)
    load = os.getloadavg()[0]
    best, briefings, size = measure(args.site, args.jobs, repeat)
    print(f"{args.site}: {briefings:,} briefings, {size / 2**20:.1f} MiB of text; "
          f"{args.jobs} processes, chunks of {CHUNK}, fastest of {repeat}; load average "
          f"(1 min) {load:.2f} before, {os.getloadavg()[0]:.2f} after\n")
    print("\n".join(report(best, briefings, seconds, args.jobs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
