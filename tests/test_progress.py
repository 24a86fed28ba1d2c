"""A long build shows its progress on a terminal, and nothing extra elsewhere."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def large_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 synthetic briefings: a build of several seconds in one process, each
    stage (reading, writing) longer than the second before a bar shows."""
    folder = tmp_path_factory.mktemp("large")
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--count", "1500",
                    "--out", str(folder), "--formats", "briefings"], check=True,
                   capture_output=True)
    return folder / "briefings"


def _on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """Run the command line with a pseudo-terminal as its output; what it showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "builder", *map(str, args)],
                               stdout=follower, stderr=follower, stdin=subprocess.DEVNULL)
    os.close(follower)
    shown = b""
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not data:
            break
        shown += data
    os.close(leader)
    return process.wait(), shown.decode("utf-8", "replace")


def test_a_long_build_shows_stage_count_rate_and_time_left(large_site: Path,
                                                           tmp_path: Path) -> None:
    code, shown = _on_a_terminal("build", "--site", large_site, "--out", tmp_path / "out",
                                 "--jobs", "1")
    assert code == 0, shown
    bars = [line for line in re.split(r"[\r\n]", shown) if line.startswith(("reading", "writing"))]
    assert any(line.startswith("reading") for line in bars), shown
    # The stage, the count done of the total, the rate and the time left.
    assert any(re.match(r"reading: +\d+%.*\| *\d+/1500 \[\d+:\d+<\d+:\d+, +[\d.]+ briefings/s\]",
                        line) for line in bars), bars
    assert shown.rstrip().splitlines()[-1].startswith("built 1500 briefings")


def test_without_a_terminal_a_long_build_prints_only_its_summary(large_site: Path,
                                                                  tmp_path: Path) -> None:
    result = run_cli("build", "--site", large_site, "--out", tmp_path / "out", "--jobs", "1")
    assert result.code == 0, result.err
    assert result.err == ""
    assert result.out.splitlines() == [result.out.strip()]
    assert result.out.startswith("built 1500 briefings")
