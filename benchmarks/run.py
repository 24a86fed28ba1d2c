"""The benchmark: our builder against Hugo and Pelican, on the same articles.

    ./scripts/benchmark                                  # what docs/benchmarks.md reports
    ./scripts/benchmark --sizes 1000 --whitehouse none --repeat 3   # a quick run

For each corpus (synthetic articles at each of ``--sizes``, and the White House
Briefing Room unless ``--whitehouse none``) and each tool, three builds:

- cold: no output folder and no cache;
- no change: the same build again over the output of the cold one;
- one edit: one article changed (a paragraph added at its end), built again.

Our builds run with ``--no-search``, like for like with Hugo and Pelican, which
make no search index. The search index is measured on its own, once the other
builds of a repetition are done: a build with it over the same output, which
has nothing else to do, and the indexing time that build reports ("search
index", Pagefind run over every part of the index, the whole site). A build
that changed a page adds less when search is on: it makes again only the
parts (one a year, or its halves, quarters or months) of the pages it changed.

Tools take turns: each repetition runs the three builds of every tool, and the
order of the tools rotates from one repetition to the next, so a slow moment of
the machine does not fall on one tool only. The table gives the median wall
time, the median CPU time (user + system, all threads and processes), the peak
resident memory (the largest process of the build's process tree, from
``wait4``) and the ratio of each tool's median wall time to Hugo's.

Corpora and outputs live in ``benchmarks/.work/`` and are made again only when
the generator, the converter or their input changes. The figures go to the
terminal and to ``benchmarks/.work/results.md`` (and ``results.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
DEFAULT_TARBALL = REPO.parent / "shared" / "corpus" / "whitehouse-briefing-room.tar.xz"
SCENARIOS = ("cold", "no change", "one edit", "one annotation")
EDIT = "\nA paragraph added for the one-edit build.\n"


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the whole tree
    peak_mib: float  # largest resident set in the tree
    ok: bool
    note: str = ""
    total_mib: float = 0.0  # largest memory of the whole tree (proportional sets), sampled


@dataclass
class Result:
    corpus: str
    tool: str
    runs: dict[str, list[Run]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    pages: int = 0
    summary: str = ""  # the tool's own last line (ours: counts and warnings)
    index: list[float] = field(default_factory=list)  # seconds of our search index (Pagefind)
    indexed: list[Run] = field(default_factory=list)  # the builds that made it


# -- the tools -----------------------------------------------------------------

@dataclass
class Tool:
    name: str
    site: str  # the folder of a corpus it builds: briefings, hugo, pelican

    def command(self, site: Path, out: Path) -> list[str]:
        raise NotImplementedError

    def clean(self, site: Path, out: Path) -> None:
        """Remove the output and every cache, for a cold build."""
        shutil.rmtree(out, ignore_errors=True)

    def article(self, site: Path, slug: str) -> Path:
        return site / "content" / "briefings" / f"{slug}.md"

    def annotate(self, site: Path, slug: str) -> tuple[Path, bytes] | None:
        """Add one quote to a briefing's annotations: (the file, its text before),
        or None where the tool has no annotations."""
        return None

    def version(self) -> str:
        return ""


@dataclass
class Briefings(Tool):
    python: str = sys.executable

    def command(self, site: Path, out: Path, search: bool = False) -> list[str]:
        return [self.python, "-m", "builder", "build", "--site", str(site), "--out", str(out),
                *(() if search else ("--no-search",))]

    def clean(self, site: Path, out: Path) -> None:
        super().clean(site, out)
        shutil.rmtree(site / ".cache", ignore_errors=True)
        for leftover in out.parent.glob(f".{out.name}.*"):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)

    def annotate(self, site: Path, slug: str) -> tuple[Path, bytes] | None:
        """A quote of a speaker the briefing already quotes: the first eight
        words of its last paragraph, which occur once in the article."""
        folder = site / "content" / "briefings"
        path, article = folder / f"{slug}.yaml", (folder / f"{slug}.md").read_text()
        original = path.read_bytes()
        text = original.decode()
        speaker = text.split("quotes:\n  - speaker: ", 1)[1].split("\n", 1)[0]
        last = [p for p in article.split("\n\n") if p.strip()][-1]
        words = " ".join(last.split()[:8]).strip('"“”')
        path.write_text(text.replace("quotes:\n", f"quotes:\n  - speaker: {speaker}\n"
                                     f"    quote: \"{words}\"\n", 1))
        return path, original

    def version(self) -> str:
        def git(*args: str) -> str:
            found = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
            return found.stdout.strip()
        dirty = " with uncommitted changes" if git("status", "--porcelain", "builder") else ""
        return f"briefings at {git('rev-parse', '--short', 'HEAD')}{dirty}"


@dataclass
class Hugo(Tool):
    binary: str = ""

    def command(self, site: Path, out: Path) -> list[str]:
        return [self.binary, "--source", str(site), "--destination", str(out),
                "--cacheDir", str(out.parent / "hugo-cache"), "--quiet"]

    def clean(self, site: Path, out: Path) -> None:
        super().clean(site, out)
        shutil.rmtree(out.parent / "hugo-cache", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)

    def version(self) -> str:
        found = subprocess.run([self.binary, "version"], capture_output=True, text=True)
        return " ".join(found.stdout.split()[:2])


@dataclass
class Pelican(Tool):
    binary: str = ""

    def command(self, site: Path, out: Path) -> list[str]:
        # Pelican reads pelicanconf.py and its content folder relative to the site.
        return [self.binary, str(site / "content"), "-s", str(site / "pelicanconf.py"),
                "-o", str(out), "-q"]

    def clean(self, site: Path, out: Path) -> None:
        super().clean(site, out)
        shutil.rmtree(site / "cache", ignore_errors=True)

    def article(self, site: Path, slug: str) -> Path:
        return site / "content" / f"{slug}.md"

    def version(self) -> str:
        found = subprocess.run([self.binary, "--version"], capture_output=True, text=True)
        return f"Pelican {found.stdout.strip()} (its content cache on)"


def find_tools(names: list[str], peers: Path) -> list[Tool]:
    tools: list[Tool] = []
    for name in names:
        if name == "briefings":
            tools.append(Briefings("briefings", "briefings"))
        elif name == "hugo":
            found = sorted(peers.glob("lib/python*/site-packages/hugo/binaries/hugo"))
            if not found:
                raise SystemExit(f"no Hugo in {peers}: run ./scripts/benchmark, which installs it")
            tools.append(Hugo("hugo", "hugo", binary=str(found[0])))
        elif name == "pelican":
            binary = peers / "bin" / "pelican"
            if not binary.exists():
                raise SystemExit(f"no Pelican in {peers}: run ./scripts/benchmark")
            tools.append(Pelican("pelican", "pelican", binary=str(binary)))
        else:
            raise SystemExit(f"unknown tool '{name}': briefings, hugo or pelican")
    return tools


# -- corpora -------------------------------------------------------------------

def _stamp(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.read_bytes() if isinstance(part, Path) else str(part).encode())
    return digest.hexdigest()


def prepare(folder: Path, stamp: str, command: list[str], formats: list[str]) -> None:
    """Make a corpus with ``command`` unless ``folder`` already holds this one."""
    mark = folder / ".stamp"
    if mark.is_file() and mark.read_text() == stamp and all((folder / f).is_dir()
                                                            for f in formats):
        return
    shutil.rmtree(folder, ignore_errors=True)
    print(f"  making {folder.name} ...", flush=True)
    subprocess.run(command + ["--out", str(folder), "--formats", ",".join(formats)], check=True)
    mark.write_text(stamp)


def corpora(sizes: list[int], whitehouse: str, tarball: Path, formats: list[str]
            ) -> list[tuple[str, Path]]:
    found = []
    python = sys.executable
    for size in sizes:
        folder = WORK / f"synthetic-{size}"
        prepare(folder, _stamp(HERE / "generate.py", size, formats),
                [python, str(HERE / "generate.py"), "--count", str(size)], formats)
        found.append((f"synthetic, {size:,} articles", folder))
    if whitehouse != "none":
        if not tarball.is_file():
            print(f"  no White House corpus at {tarball}: skipped (--tarball PATH)")
            return found
        limit = [] if whitehouse == "all" else ["--limit", whitehouse]
        folder = WORK / f"whitehouse-{whitehouse}"
        info = tarball.stat()
        prepare(folder, _stamp(HERE / "whitehouse.py", HERE / "generate.py", info.st_size,
                               info.st_mtime_ns, whitehouse, formats),
                [python, str(HERE / "whitehouse.py"), "--tarball", str(tarball), *limit],
                formats)
        pages = len(list((folder / "briefings" / "content" / "briefings").glob("*.md")))
        found.append((f"White House, {pages:,} pages", folder))
    return found


def middle_article(folder: Path) -> str:
    names = sorted(p.stem for p in (folder / "briefings" / "content" / "briefings").glob("*.md"))
    return names[len(names) // 2]


# -- measuring -----------------------------------------------------------------

def _group_members(group: int) -> list[str]:
    """The processes of a process group, by their /proc names."""
    members = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
            if int(stat[stat.rindex(")") + 2:].split()[2]) == group:  # the process group
                members.append(name)
        except (OSError, ValueError, IndexError):
            continue
    return members


def _pss(members: list[str]) -> float:
    """The memory of these processes together (MiB): the proportional set
    sizes, so that pages forked workers share with their parent count once,
    not once a process."""
    total = 0.0
    for name in members:
        try:
            for line in Path(f"/proc/{name}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) / 1024
                    break
        except (OSError, ValueError, IndexError):
            continue
    return total


# How often the memory of all a build's processes is sampled: often while a
# build is young (a rebuild takes a fraction of a second), then seldom, since
# each sample costs CPU time on the machine the build runs on (a look through
# /proc for the build's processes, and the kernel's walk of their pages), and
# a long build's memory changes slowly.
_YOUNG = 1.0  # seconds: sampled every 20 ms, the processes looked for each time
_EVERY = 0.25  # seconds between samples after that
_MEMBERS_EVERY = 1.0  # seconds between looks for new processes after that


def measure(command: list[str], log: Path, timeout: float) -> Run:
    """Run a command; its wall time, CPU time and peak memory from wait4, and
    the largest memory of all its processes together (proportional set sizes),
    sampled every 20 ms for a second, then every quarter of a second."""
    with log.open("wb") as output:
        started = time.perf_counter()
        # As on a user's machine, Python keeps the bytecode of what it imports
        # (an environment that says not to would compile the builder each run).
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT,
                                   cwd=REPO, start_new_session=True, env=environment)
        killed = threading.Event()
        done = threading.Event()
        total = [0.0]

        def sample() -> None:
            members, looked = [], 0.0
            while not done.wait(0.02 if time.perf_counter() - started < _YOUNG else _EVERY):
                now = time.perf_counter()
                if now - started < _YOUNG or now - looked > _MEMBERS_EVERY:
                    members, looked = _group_members(process.pid), now
                total[0] = max(total[0], _pss(members))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        def kill() -> None:
            killed.set()
            os.killpg(process.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
            done.set()
            sampler.join()
        wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    if killed.is_set():
        return Run(wall, cpu, usage.ru_maxrss / 1024, False, f"stopped after {timeout:.0f} s")
    ok = process.returncode == 0
    return Run(wall, cpu, usage.ru_maxrss / 1024, ok,
               "" if ok else f"exit status {process.returncode}: see {log}",
               max(total[0], usage.ru_maxrss / 1024))


def last_line(log: Path) -> str:
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def bench(corpus: str, folder: Path, tools: list[Tool], repeat: int, timeout: float
          ) -> list[Result]:
    results = {t.name: Result(corpus, t.name) for t in tools}
    slug = middle_article(folder)
    logs = folder / "logs"
    logs.mkdir(exist_ok=True)
    for rep in range(repeat):
        order = tools[rep % len(tools):] + tools[:rep % len(tools)]
        for tool in order:
            site, out = folder / tool.site, folder / f"{tool.site}-out"
            result = results[tool.name]
            article = tool.article(site, slug)
            original = article.read_bytes()
            annotated: tuple[Path, bytes] | None = None
            try:
                for scenario in SCENARIOS:
                    if scenario == "cold":
                        tool.clean(site, out)
                    if scenario == "one edit":
                        article.write_bytes(original + EDIT.encode())
                    if scenario == "one annotation":
                        annotated = tool.annotate(site, slug)
                        if annotated is None:
                            continue
                    log = logs / f"{tool.name}-{scenario.replace(' ', '-')}-{rep + 1}.log"
                    run = measure(tool.command(site, out), log, timeout)
                    result.runs[scenario].append(run)
                    print(f"  {rep + 1}/{repeat} {tool.name:<9} {scenario:<14} {run.wall:8.2f} s "
                          f"{run.peak_mib:7.0f} MiB {run.total_mib:7.0f} MiB in all {run.note}",
                          flush=True)
                    if scenario == "cold" and run.ok and not result.pages:
                        result.pages = sum(1 for _ in out.rglob("*.html"))
                        result.summary = last_line(log) if tool.name == "briefings" else ""
                    if not run.ok:
                        print("\n".join(log.read_text(errors="replace").splitlines()[-5:]))
                        break
            finally:
                article.write_bytes(original)
                if annotated:
                    annotated[0].write_bytes(annotated[1])
            if isinstance(tool, Briefings) and result.runs["cold"][-1:] \
                    and result.runs["cold"][-1].ok:
                index_search(tool, site, out, logs / f"search-index-{rep + 1}.log", result,
                             timeout, f"  {rep + 1}/{repeat} {tool.name:<9} {'search index':<14}")
    return list(results.values())


def index_search(tool: Briefings, site: Path, out: Path, log: Path, result: Result,
                 timeout: float, prefix: str) -> None:
    """A build with the search index over an output without one: the build
    has nothing else to do; the seconds Pagefind took are in its last line."""
    run = measure(tool.command(site, out, search=True), log, timeout)
    found = re.search(r"; search index ([\d.]+) s", last_line(log)) if run.ok else None
    result.indexed.append(run)
    if found:
        result.index.append(float(found.group(1)))
    print(f"{prefix} {run.wall:8.2f} s {run.peak_mib:7.0f} MiB "
          f"(Pagefind {found.group(1) if found else '?'} s) {run.note}", flush=True)


# -- reporting -----------------------------------------------------------------

def machine() -> str:
    info: dict[str, str] = {}
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    cpu = (f"{info.get('model name', 'unknown CPU')} (family {info.get('cpu family', '?')}, "
           f"model {info.get('model', '?')}, {float(info.get('cpu MHz', 0)):.0f} MHz"
           + (", virtual machine)" if "hypervisor" in info.get("flags", "").split() else ")"))
    memory = 0.0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) / 1024 / 1024
    return (f"{os.cpu_count()} cores, {cpu}, {memory:.1f} GiB memory; "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(results: list[Result]) -> str:
    rows = ["| corpus | build | tool | wall (median) | min-max | CPU (median) | peak memory "
            "| all processes | vs Hugo |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    corpora_seen = list(dict.fromkeys(r.corpus for r in results))
    for corpus in corpora_seen:
        here = [r for r in results if r.corpus == corpus]
        hugo = next((r for r in here if r.tool == "hugo"), None)
        for scenario in SCENARIOS:
            base = _median(hugo.runs[scenario]) if hugo else None
            for result in here:
                runs = [r for r in result.runs[scenario] if r.ok]
                if not runs:
                    failed = result.runs[scenario]
                    note = failed[0].note if failed else "not run"
                    if failed:
                        rows.append(f"| {corpus} | {scenario} | {result.tool} | {note} "
                                    "| | | | | |")
                    continue
                wall = _median(runs)
                ratio = f"{wall / base:.1f}×" if base and result.tool != "hugo" else ""
                rows.append(
                    f"| {corpus} | {scenario} | {result.tool} | {_seconds(wall)} | "
                    f"{_seconds(min(r.wall for r in runs))}-{_seconds(max(r.wall for r in runs))}"
                    f" | {_seconds(statistics.median(r.cpu for r in runs))} | "
                    f"{max(r.peak_mib for r in runs):,.0f} MiB | "
                    f"{max(max(r.total_mib, r.peak_mib) for r in runs):,.0f} MiB | {ratio} |")
    rows += ["", "| corpus | search index (Pagefind, whole site) | min-max "
             "| the build that made it | peak memory |", "| --- | ---: | ---: | ---: | ---: |"]
    for result in results:
        if result.index:
            rows.append(f"| {result.corpus} | {_seconds(statistics.median(result.index))} | "
                        f"{_seconds(min(result.index))}-{_seconds(max(result.index))} | "
                        f"{_seconds(_median(result.indexed) or 0)} | "
                        f"{max(r.peak_mib for r in result.indexed):,.0f} MiB |")
    return "\n".join(rows)


def _median(runs: list[Run]) -> float | None:
    good = [r.wall for r in runs if r.ok]
    return statistics.median(good) if good else None


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000",
                        help="synthetic corpus sizes, comma-separated (default 10000)")
    parser.add_argument("--whitehouse", default="all",
                        help="the White House corpus: all, the first N pages, or none")
    parser.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL,
                        help="whitehouse-briefing-room.tar.xz (default: the shared corpus "
                             "beside the repository)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions (default 3)")
    parser.add_argument("--tools", default="briefings,hugo,pelican",
                        help="comma-separated (default: briefings,hugo,pelican)")
    parser.add_argument("--peers", type=Path, default=HERE / ".venv",
                        help="the virtualenv holding Hugo and Pelican")
    parser.add_argument("--timeout", type=float, default=1800,
                        help="seconds before a build is stopped (default 1800)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    tools = find_tools([t for t in args.tools.split(",") if t], args.peers)
    WORK.mkdir(exist_ok=True)

    header = [f"machine: {machine()}",
              "tools: " + "; ".join(filter(None, (t.version() for t in tools))),
              "command: " + shlex.join(["./scripts/benchmark",
                                         *(sys.argv[1:] if argv is None else argv)])]
    print("\n".join(header), flush=True)
    print("preparing the corpora", flush=True)
    found = corpora(sizes, args.whitehouse, args.tarball, sorted({t.site for t in tools}))
    results: list[Result] = []
    loads = []
    for corpus, folder in found:
        before = load_average()
        print(f"{corpus} (load average {before})", flush=True)
        results += bench(corpus, folder, tools, args.repeat, args.timeout)
        loads.append(f"{corpus}: {before} before, {load_average()} after")

    pages = [f"{r.corpus}, {r.tool}: {r.pages:,} HTML pages" + (f" ({r.summary})"
                                                                 if r.summary else "")
             for r in results]
    report = "\n".join([*header, f"repetitions: {args.repeat}",
                        "load average (1, 5, 15 min): " + "; ".join(loads), "",
                        table(results), "", *pages]) + "\n"
    print()
    print(report)
    (WORK / "results.md").write_text(report)
    (WORK / "results.json").write_text(json.dumps(
        {"header": header, "repeat": args.repeat, "loads": loads,
         "results": [asdict(r) for r in results]}, indent=1) + "\n")
    return 0 if all(run.ok for r in results for runs in r.runs.values() for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
