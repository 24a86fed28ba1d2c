"""The instructions a cold build executes: a measure of our own work that the
machine's noise does not move.

    python benchmarks/instructions.py --site benchmarks/.work/synthetic-300/briefings
    python benchmarks/instructions.py --site DIR --repo ../other-worktree   # another commit

On a shared virtual machine a build's wall and CPU times move by 15-30% from
one minute to the next, more than most single changes to the builder save.
This runs one cold build (``--no-cache``, ``--jobs 1``: one process, every
briefing read and every page rendered) under Valgrind's cachegrind with its
cache simulation off, and prints the number of instructions it executed,
which is the same from one run to the next within about half a percent.
It is some forty times slower than a build, so give it a small site: the
300-briefing synthetic corpus (``benchmarks/generate.py --count 300``) takes
about half a minute. The first run after a checkout or a change also
compiles the builder's bytecode (about 5% more): count the second. Fewer
instructions is not the same as less time (a cache miss costs more than an
addition), so a change is judged by both this and the benchmark. Needs
``valgrind`` (Debian's package of that name).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def instructions(site: Path, repo: Path) -> int:
    """The instructions of one single-process cold build of ``site`` by the
    builder in ``repo``, with its imports and the interpreter's start."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    out = Path(tempfile.mkdtemp(prefix="briefings-instructions-"))
    try:
        # Python keeps the bytecode of what it imports, as on a user's machine,
        # and hashes strings the same way every run.
        environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        environment["PYTHONHASHSEED"] = "0"
        run = subprocess.run(
            [valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
             sys.executable, "-m", "builder", "build", "--site", str(site.resolve()),
             "--out", str(out / "public"), "--no-cache", "--jobs", "1"],
            cwd=repo, env=environment, capture_output=True, text=True, check=False)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", run.stderr)
    if run.returncode != 0 or not found:
        raise SystemExit(f"the build failed (exit status {run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="the site folder")
    parser.add_argument("--repo", type=Path, default=HERE,
                        help="the checkout whose builder runs (default: this one)")
    args = parser.parse_args(argv)
    count = instructions(args.site, args.repo)
    print(f"{count:,} instructions: a cold build of {args.site} in one process")
    return 0


if __name__ == "__main__":
    sys.exit(main())
