"""The output folder is never lost: a build killed at any moment leaves either
the previous site or the new one, whole; the next build clears what a killed
one left behind; two builds never write the same folder at once."""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import write
from builder.render import DATA_FILES

from conftest import ROOT, output_tree, run_cli

MARKER = ".briefings-output"


def _tree(folder: Path) -> dict[str, bytes]:
    return output_tree(folder)


def _example_site(target: Path) -> Path:
    """The example site (site.yaml, content/, templates/) copied to ``target``."""
    target.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    for folder in ("content", "templates"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


def _revised(site: Path) -> Path:
    """The same site with one briefing retitled and one more static file."""
    briefing = sorted((site / "content" / "briefings").glob("*.yaml"))[0]
    lines = briefing.read_text(encoding="utf-8").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[first] = "title: A revised title, written while the old site is live\n"
    briefing.write_text("".join(lines), encoding="utf-8")
    static = site / "content" / "static"
    static.mkdir(exist_ok=True)
    (static / "revised.txt").write_text("only in the new site\n")
    return site


def _start_build(site: Path, out: Path, cached: bool = True) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "builder", "build", "--site", str(site),
                             "--out", str(out), *(() if cached else ("--no-cache",))],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _kill_when(build: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    """SIGKILL the build as soon as ``ready()`` holds, unless it finishes first."""
    while build.poll() is None:
        if ready():
            build.kill()
            break
        time.sleep(0.0003)
    build.wait()


def _moment(kind: str, when: float, out: Path, staging: Path) -> Callable[[], bool]:
    """When to kill a build just started: ``when`` seconds from now ("after"),
    once its staging folder holds that many files ("staged"), once it has
    committed its journal ("committed"), or as soon as the output folder is
    another one ("swapped", a whole site written anew)."""
    began, output = time.monotonic(), _inode(out)
    if kind == "after":
        return lambda: time.monotonic() - began >= when
    if kind == "staged":
        return lambda: staging.is_dir() and _files_in(staging) >= when
    if kind == "committed":
        return lambda: (staging / write.JOURNAL).exists()
    return lambda: _inode(out) != output


def _inode(folder: Path) -> int | None:
    try:
        return folder.stat().st_ino
    except FileNotFoundError:
        return None


def _files_in(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def _beside(out: Path) -> list[str]:
    """What is beside the output folder, but the versions of the data files a
    rebuild replaced, kept to be written over by the next one: checked to be
    only those, each a file of its own."""
    names = sorted(p.name for p in out.parent.iterdir())
    recycled = write._recycled(out)
    if recycled.name in names:
        for spare in recycled.iterdir():
            assert spare.name in _DATA_SPARES and not spare.is_symlink(), spare.name
            assert spare.stat().st_nlink == 1, f"{spare.name} is linked elsewhere"
        names.remove(recycled.name)
    return names


_DATA_SPARES = {f"data%{kind}.json" for kind in DATA_FILES}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The example site and a revised copy, each with a reference build."""
    base = tmp_path_factory.mktemp("sites")
    old = _example_site(base / "old")
    new = _revised(_example_site(base / "new"))
    for site in (old, new):
        result = run_cli("build", "--site", site, "--out", site / "reference")
        assert result.code == 0, result.err
    return {"old": old, "new": new}


def test_a_build_killed_at_any_moment_loses_nothing(sites, tmp_path: Path) -> None:
    """Killed at any moment, a build leaves every file of the output whole (the
    old version or the new one, never part of one), and the next build leaves
    exactly the site a clean build makes."""
    old, new = _tree(sites["old"] / "reference"), _tree(sites["new"] / "reference")
    assert old != new and set(old) != set(new)
    out = tmp_path / "live" / "public"
    assert run_cli("build", "--site", sites["old"], "--out", out).code == 0

    # One build left to finish, watched: how long it takes, when its staging folder appears.
    started = time.monotonic()
    build = _start_build(sites["new"], out)
    staging = out.parent / f".public.staging-{build.pid}"
    staged_at = None
    while build.poll() is None:
        if staged_at is None and staging.exists():
            staged_at = time.monotonic()
        time.sleep(0.0003)
    finished_at = time.monotonic()
    assert build.returncode == 0 and _tree(out) == new
    full = finished_at - started

    # Kills at moments spread over the whole build, then at moments of the write
    # itself, told by what the build has done rather than by the clock: its staging
    # folder holding some files, its journal just committed, and (for a build
    # without the cache, which writes the whole site anew) the output just swapped.
    moments: list[tuple[str, float, bool]] = [("after", full * i / 6 * 1.1, True)
                                              for i in range(7)]
    moments += [("staged", count, True) for count in (1, 2, 4, 8, 16)]
    moments += [("committed", 0.0, True)] * 4
    moments += [("swapped", 0.0, False)] * 3
    outcomes: Counter[str] = Counter()
    for kind, when, cached in moments:
        previous = _tree(out)
        site = sites["old"] if previous == new else sites["new"]
        build = _start_build(site, out, cached)
        staging = out.parent / f".public.staging-{build.pid}"
        _kill_when(build, _moment(kind, when, out, staging))
        now = _tree(out)
        for file, data in now.items():
            assert data in (old.get(file), new.get(file)) or file == MARKER, \
                f"a build killed at {kind} {when:.3f} left {file} neither old nor new"
        assert (out / MARKER).is_file()
        committed = (staging / write.JOURNAL).exists()
        if build.returncode == 0:
            outcomes["finished before the kill"] += 1
        elif committed:
            outcomes["killed after its commit"] += 1
        elif now == previous:
            outcomes["killed while writing" if staging.exists() else "killed before writing"] += 1
        else:
            outcomes["killed after writing"] += 1
        if now not in (old, new) or committed:
            # What the next build finds: it finishes the killed one first.
            reference = _tree(site / "reference")
            result = run_cli("build", "--site", site, "--out", out)
            assert result.code == 0, result.err
            assert _tree(out) == reference
            assert _beside(out) == [".public.lock", "public"]

    print(f"\nbuild {full:.2f} s, write {finished_at - (staged_at or finished_at):.3f} s; "
          f"{len(moments)} kills: {dict(outcomes)}")
    assert outcomes["killed while writing"] + outcomes["killed after its commit"], \
        "no kill landed inside the write"

    result = run_cli("build", "--site", sites["new"], "--out", out)
    assert result.code == 0, result.err
    assert _tree(out) == new
    assert _beside(out) == [".public.lock", "public"]


def test_a_committed_journal_is_carried_out_by_the_next_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build stopped after its commit, having moved only some files, is
    finished by the next one before anything else, even if that one fails."""
    out = tmp_path / "public"
    write.write_output(out, {"index.html": b"old", "a/index.html": b"a", "b/index.html": b"b"})
    present = ["index.html", "a/index.html", "b/index.html"]
    carry_out = write._carry_out

    def stop_after_one_move(staging: Path, target: Path, journal: dict) -> None:
        temporary, relative = journal["moves"][0]
        os.replace(staging / temporary, target / relative)
        raise KeyboardInterrupt  # as if killed there

    monkeypatch.setattr(write, "_carry_out", stop_after_one_move)
    with pytest.raises(KeyboardInterrupt):
        write.write_output(out, [("index.html", b"new"), ("a/index.html", None),
                                 ("c/index.html", b"c")], stamp=lambda: "second",
                           present=present)
    monkeypatch.setattr(write, "_carry_out", carry_out)
    assert _tree(out)["index.html"] == b"new" and not (out / "c").exists()  # half done

    with pytest.raises(FileNotFoundError):  # the next build fails, after finishing that one
        write.write_output(out, [("index.html", tmp_path / "missing.txt")],
                           present=["index.html", "a/index.html", "c/index.html"])
    assert _tree(out) == {MARKER: write.MARKER_TEXT + b"second\n", "index.html": b"new",
                          "a/index.html": b"a", "c/index.html": b"c"}
    assert _beside(out) == [".public.lock", "public"]


def test_another_build_cannot_write_while_one_holds_the_lock(sites, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert run_cli("build", "--site", sites["old"], "--out", out).code == 0
    before = _tree(out)
    with open(out.parent / ".public.lock", "rb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = run_cli("build", "--site", sites["new"], "--out", out)
        assert result.code == 1
        assert result.err.splitlines() == [
            f"briefings: error: another build is writing the output folder '{out}'; nothing "
            "was written. Run the build again when it has finished."]
        assert result.out == ""
        assert _tree(out) == before
        assert _beside(out) == [".public.lock", "public"]
    result = run_cli("build", "--site", sites["new"], "--out", out)
    assert result.code == 0, result.err
    assert _tree(out) == _tree(sites["new"] / "reference")


def test_the_lock_dies_with_the_build_that_held_it(sites, tmp_path: Path) -> None:
    out = tmp_path / "public"
    with subprocess.Popen([sys.executable, "-c", (
            "import fcntl, sys, time\n"
            "lock = open(sys.argv[1], 'wb')\n"
            "fcntl.flock(lock, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "time.sleep(600)\n"), str(tmp_path / ".public.lock")],
            stdout=subprocess.PIPE) as holder:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        assert run_cli("build", "--site", sites["old"], "--out", out).code == 1
        holder.kill()
    result = run_cli("build", "--site", sites["old"], "--out", out)
    assert result.code == 0, result.err
    assert _tree(out) == _tree(sites["old"] / "reference")


def test_leftovers_of_killed_builds_are_cleared_and_nothing_else(sites, tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert run_cli("build", "--site", sites["old"], "--out", out).code == 0
    ours = {".public.staging-77": {MARKER: "", "index.html": "half"},
            ".public.old-78": {MARKER: "", "index.html": "an older site"},
            ".public.staging-79": {}}  # made, then killed before the marker
    theirs = {".public.staging-notes": {MARKER: "", "a.txt": "not a build's name"},
              ".public.old-80": {"thesis.txt": "no marker"},
              ".other.old-81": {MARKER: ""},
              ".public.old-": {MARKER: ""}}
    for name, files in {**ours, **theirs}.items():
        (tmp_path / name).mkdir()
        for file, text in files.items():
            (tmp_path / name / file).write_text(text)
    (tmp_path / ".public.staging-82").write_text("a file, not a folder")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / MARKER).write_text("")
    (tmp_path / ".public.old-83").symlink_to(tmp_path / "elsewhere")

    result = run_cli("build", "--site", sites["new"], "--out", out)

    assert result.code == 0, result.err
    assert _tree(out) == _tree(sites["new"] / "reference")
    assert _beside(out) == sorted([".public.lock", "public", "elsewhere", ".public.staging-82",
                                   ".public.old-83", *theirs])
    assert (tmp_path / ".public.old-80" / "thesis.txt").read_text() == "no marker"
    assert (tmp_path / "elsewhere" / MARKER).exists()


def test_an_output_lost_between_two_renames_is_restored_first(sites, tmp_path: Path) -> None:
    """Where the system cannot exchange two folders in one step, the swap is two
    renames; a build killed between them leaves the output only as a retired copy.
    The next build puts it back before it writes anything, so even a build that
    then fails leaves the site in place."""
    out = tmp_path / "public"
    assert run_cli("build", "--site", sites["old"], "--out", out).code == 0
    before = _tree(out)
    out.rename(tmp_path / ".public.old-4242")
    (tmp_path / ".public.staging-4243").mkdir()
    (tmp_path / ".public.staging-4243" / MARKER).write_text("")

    with pytest.raises(FileNotFoundError):
        write.write_output(out, {"index.html": b"new"}, {"gone.css": tmp_path / "deleted.css"})

    assert _tree(out) == before
    assert _beside(out) == [".public.lock", "public"]


def _failing_renameat2(code: int) -> Callable[[], Callable[..., int]]:
    """A renameat2 that fails as a kernel or filesystem would, with ``code``."""
    def renameat2(*args: object) -> int:
        ctypes.set_errno(code)
        return -1
    return lambda: renameat2


@pytest.mark.parametrize("code", [errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP],
                         ids=["EINVAL", "ENOSYS", "EOPNOTSUPP"])
def test_where_folders_cannot_be_exchanged_two_renames_replace_the_output(
        code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "public"
    write.write_output(out, {"index.html": b"old", "gone.html": b"stale"}, {})
    monkeypatch.setattr(write, "_renameat2", _failing_renameat2(code))
    write.write_output(out, {"index.html": b"new"}, {"robots.txt": ROOT / "site.yaml"})
    assert _tree(out) == {MARKER: write.MARKER_TEXT, "index.html": b"new",
                          "robots.txt": (ROOT / "site.yaml").read_bytes()}
    assert _beside(out) == [".public.lock", "public"]


def test_an_exchange_that_fails_otherwise_is_an_error_and_keeps_the_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "public"
    write.write_output(out, {"index.html": b"old"}, {})
    monkeypatch.setattr(write, "_renameat2", _failing_renameat2(errno.EACCES))
    with pytest.raises(PermissionError):
        write.write_output(out, {"index.html": b"new"}, {})
    assert _tree(out) == {MARKER: write.MARKER_TEXT, "index.html": b"old"}
    assert _beside(out) == [".public.lock", "public"]


def test_an_interrupted_swap_without_exchange_puts_the_old_output_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(write, "_exchange", lambda first, second: False)
    out = tmp_path / "public"
    write.write_output(out, {"index.html": b"old"}, {})
    renames: list[str] = []

    def rename(source: os.PathLike[str], target: os.PathLike[str]) -> None:
        renames.append(Path(target).name)
        if renames == [f".public.old-{os.getpid()}", "public"]:  # Ctrl-C between the two
            raise KeyboardInterrupt
        os.replace(source, target)

    monkeypatch.setattr(write.os, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        write.write_output(out, {"index.html": b"new"}, {})
    assert renames == [f".public.old-{os.getpid()}", "public", "public"]
    assert (out / "index.html").read_bytes() == b"old"
    assert _beside(out) == [".public.lock", "public"]


def _data(out: Path) -> dict[str, tuple[bytes, int]]:
    """Each data file of the output: its bytes and its inode."""
    return {file.name: (file.read_bytes(), file.stat().st_ino)
            for file in sorted((out / "data").iterdir())}


def _edited_in_turn(sites: dict[str, Path], tmp_path: Path) -> tuple[Path, Callable[[], None]]:
    """A copy of the old site, and a function that edits it in place into the
    new one, then back, in turn (the rebuilds of one site, with its cache)."""
    site = _example_site(tmp_path / "site")
    briefing = sorted((site / "content" / "briefings").glob("*.yaml"))[0]
    original = briefing.read_bytes()

    def edit() -> None:
        if briefing.read_bytes() == original:
            _revised(site)
        else:
            briefing.write_bytes(original)
            (site / "content" / "static" / "revised.txt").unlink()
    return site, edit


def test_a_rebuild_writes_the_data_files_over_the_versions_it_replaced(
        sites, tmp_path: Path) -> None:
    """The data files a rebuild replaces are kept beside the output, and the
    next rebuild writes its data files over them, not into new files: the
    output is a clean build's each time."""
    site, edit = _edited_in_turn(sites, tmp_path)
    out = tmp_path / "public"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    first = _data(out)
    edit()
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _tree(out) == _tree(sites["new"] / "reference")
    second = _data(out)
    changed = sorted(name for name in second if second[name][0] != first[name][0])
    assert "briefings.json" in changed  # the retitled briefing
    recycled = write._recycled(out)
    assert sorted(p.name for p in recycled.iterdir()) == [f"data%{n}" for n in changed]
    for name in changed:  # the first build's files, under a second name
        kept = recycled / f"data%{name}"
        assert kept.read_bytes() == first[name][0] and kept.stat().st_ino == first[name][1]

    edit()
    assert run_cli("build", "--site", site, "--out", out).code == 0
    assert _tree(out) == _tree(sites["old"] / "reference")
    third = _data(out)
    for name in changed:  # written over the first build's files, and the second's kept
        assert third[name][1] == first[name][1]
        assert (recycled / f"data%{name}").stat().st_ino == second[name][1]
    assert _beside(out) == [".public.lock", "public", "site"]


def test_a_reader_of_a_replaced_data_file_reads_it_whole_however_long_it_reads(
        sites, tmp_path: Path) -> None:
    """A data file a process holds open (a server sending it, slowly) is not
    written over by the rebuild after the one that replaced it: a new file
    is written instead, and the reader gets every byte of the version it
    opened."""
    site, edit = _edited_in_turn(sites, tmp_path)
    out = tmp_path / "public"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    first = _data(out)
    with open(out / "data" / "briefings.json", "rb", buffering=0) as reader:
        head = reader.read(10)  # (a header: the file's briefings are read after the builds)
        edit()
        assert run_cli("build", "--site", site, "--out", out).code == 0
        assert _tree(out) == _tree(sites["new"] / "reference")
        # A third version, unlike the first: the file written over is told by its bytes.
        briefing = sorted((site / "content" / "briefings").glob("*.yaml"))[0]
        briefing.write_text(briefing.read_text("utf-8").replace(
            "A revised title", "A title revised twice"), "utf-8")
        assert run_cli("build", "--site", site, "--out", out).code == 0
        assert run_cli("build", "--site", site, "--out", tmp_path / "clean", "--no-cache").code == 0
        assert _tree(out) == _tree(tmp_path / "clean")
        assert head + reader.read() == first["briefings.json"][0]
    assert _data(out)["briefings.json"][1] != first["briefings.json"][1]
    assert _beside(out) == [".clean.lock", ".public.lock", "clean", "public", "site"]


def test_a_kept_version_with_another_name_is_not_written_over(tmp_path: Path) -> None:
    """A kept version that is still the output's file under another name (a
    build killed between keeping it and replacing it, carried out by hand)
    is dropped, and a new file written: the output's file stays as it is."""
    out = tmp_path / "public"
    files = {"data/quotes.json": b"[1]", "index.html": b"home"}
    write.write_output(out, files)
    live = out / "data" / "quotes.json"
    recycled = write._recycled(out)
    recycled.mkdir()
    os.link(live, recycled / "data%quotes.json")
    write.write_output(out, [("data/quotes.json", b"[1, 2]"), ("index.html", None)],
                       present=list(files), recycle={"data/quotes.json"})
    assert _tree(out) == {MARKER: write.MARKER_TEXT, "data/quotes.json": b"[1, 2]",
                          "index.html": b"home"}
    # The replaced file is kept, alone this time, for the next build.
    kept = recycled / "data%quotes.json"
    assert kept.read_bytes() == b"[1]" and kept.stat().st_nlink == 1
