"""The search index (Pagefind, run by the build): made in parts, one a year,
after the site is written, only for the years where a page changed, each part
put in place whole, and absent where ``search: false``. The browser side is
in test_browser.py."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

from pagefind.service import get_executable

from builder.pipeline import build

from conftest import ROOT, SITES, run_cli

SEED = "2022-01-10-putin-csto-kazakhstan"


def _site(target: Path, source: Path = SITES / "good") -> Path:
    shutil.copytree(source, target)
    return target


def _fragments(out: Path) -> dict[str, dict]:
    """Each indexed page of the output's index (all its parts), by its URL."""
    return {url: fragment for part in _indexed(out).values() for url, fragment in part.items()}


def _indexed(out: Path) -> dict[str, dict[str, dict]]:
    """Each part of the output's index, by its name, with the pages it
    indexes, by their URLs."""
    parts: dict[str, dict[str, dict]] = {}
    for part in sorted((out / "pagefind").iterdir()):
        pages = parts[part.name] = {}
        for path in (part / "fragment").iterdir():
            data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
            fragment = json.loads(data)
            pages[fragment["url"]] = fragment
    return parts


def _index_files(out: Path) -> dict[str, bytes]:
    folder = out / "pagefind"
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_example_site_indexes_its_briefings_with_their_filters(tmp_path: Path) -> None:
    out = tmp_path / "public"
    assert run_cli("build", "--site", ROOT, "--out", out).code == 0
    pages = _fragments(out)
    briefings = sorted(p.name for p in (out / "briefings").iterdir() if p.is_dir())
    # Only the briefings' pages: the other pages list what they say.
    assert sorted(pages) == [f"/briefings/{slug}/" for slug in briefings]
    seed = pages[f"/briefings/{SEED}/"]
    assert seed["filters"] == {"outlet": ["TASS"], "year": ["2022"],
                               "speaker": ["Kassym-Jomart Tokayev", "Vladimir Putin"],
                               "tag": ["Kazakhstan", "CSTO", "Russia"]}
    assert seed["meta"]["title"].startswith("Destructive forces")
    # Its quotes are anchors with their words (for the quotes' sub-results),
    # and the navigation and the list of quotes are not indexed again.
    quotes = [a for a in seed["anchors"] if a["element"] == "mark"]
    assert quotes and all(a["text"] for a in quotes)
    assert "Previous" not in seed["content"] and "see the passage" not in seed["content"]
    # One part a year, each with that year's briefings (by their year filter).
    parts = _indexed(out)
    assert sorted(parts) == ["2011", "2015", "2016", "2020", "2022", "2023", "2025"]
    for part, indexed in parts.items():
        assert indexed and all(page["filters"]["year"] == [part] for page in indexed.values())
    # The search page opens the newest part and names the others, newest first.
    html = (out / "search" / "index.html").read_text("utf-8")
    assert 'src="../pagefind/2025/pagefind-ui.js"' in html and "assets/search.js" in html
    assert 'data-index="../pagefind/" data-parts="2025 2023 2022 2020 2016 2015 2011"' in html
    for page in out.rglob("*.html"):
        text = page.read_text("utf-8")
        assert 'role="search"' in text and 'name="q"' in text, page


def test_search_false_builds_no_index_no_page_and_no_box(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    out = site / "public"
    assert run_cli("build", "--site", site).code == 0
    assert (out / "pagefind" / "2022" / "pagefind-ui.js").is_file()
    config = site / "site.yaml"
    config.write_text(config.read_text("utf-8") + "search: false\n", "utf-8")
    built = run_cli("build", "--site", site)
    assert built.code == 0, built.err
    assert "search index" not in built.out
    assert not (out / "pagefind").exists()
    assert not (out / "search").exists()
    for page in out.rglob("*.html"):
        text = page.read_text("utf-8")
        assert 'role="search"' not in text and "data-pagefind" not in text, page


def test_a_bad_search_value_names_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    config = site / "site.yaml"
    lines = config.read_text("utf-8").splitlines()
    config.write_text("\n".join([*lines, "search: sometimes"]) + "\n", "utf-8")
    built = run_cli("build", "--site", site)
    assert built.code == 1
    assert (f"site.yaml:{len(lines) + 1}:9: error: 'search' must be true or false, "
            "not 'sometimes'") in built.err


def test_a_rebuild_indexes_only_when_a_page_changed(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    out = site / "public"
    first = build(site)
    assert first.ok and first.indexed is not None
    before = _index_files(out)
    again = build(site)  # nothing changed: Pagefind is not run
    assert again.ok and again.indexed is None and again.written == 0
    assert _index_files(out) == before
    article = sorted((site / "content" / "briefings").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\nA zebrafish swam by.\n", "utf-8")
    edited = build(site)
    assert edited.ok and edited.written > 0 and edited.indexed is not None
    assert any("zebrafish" in page["content"] for page in _fragments(out).values())
    # The index was put in place whole; no spare folder is left beside the output.
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".public.")] \
        == [".public.lock"]
    # Removed by hand, it is made again, though no page changed.
    shutil.rmtree(out / "pagefind")
    assert build(site).indexed is not None
    assert (out / "pagefind" / "2022" / "pagefind-entry.json").is_file()


def _fake_pagefind(folder: Path, body: str) -> Path:
    """A program in the place of Pagefind, for the build to run instead."""
    program = folder / "pagefind"
    program.write_text(f"#!/bin/sh\n{body}\n", "utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program


def test_a_failed_index_leaves_the_previous_output_and_index(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    out = site / "public"
    assert run_cli("build", "--site", site).code == 0
    pages, index = _tree(out), _index_files(out)
    article = sorted((site / "content" / "briefings").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")
    shutil.rmtree(site / ".cache")  # the whole site is written again: in a staging folder
    failing = _fake_pagefind(tmp_path, "echo 'out of disk space' >&2; exit 3")
    done = subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(site)],
                          env={**os.environ, "PAGEFIND_BINARY_PATH": str(failing)},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "error: Pagefind could not index the site: out of disk space" in done.stderr
    assert _tree(out) == pages and _index_files(out) == index
    assert run_cli("build", "--site", site).code == 0
    assert any("A new paragraph" in p["content"] for p in _fragments(out).values())


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_killed_while_indexing_leaves_no_half_index(tmp_path: Path) -> None:
    """Killed while Pagefind writes (here, a Pagefind that stops halfway
    through and waits), the published index is the old one, whole; the next
    build clears the spare folder and indexes the new pages."""
    site = _site(tmp_path / "site")
    out = site / "public"
    assert run_cli("build", "--site", site).code == 0
    index = _index_files(out)
    started = tmp_path / "started"
    slow = _fake_pagefind(tmp_path, f'"{get_executable()}" "$@" >/dev/null 2>&1\n'
                                    f'for f in "$4"/*; do rm -rf "$f"; break; done\n'
                                    f'touch "{started}"\nsleep 60')
    article = sorted((site / "content" / "briefings").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\nKilled while indexed.\n", "utf-8")
    process = subprocess.Popen([sys.executable, "-m", "builder", "build", "--site", str(site)],
                               env={**os.environ, "PAGEFIND_BINARY_PATH": str(slow)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), "the build never reached the index"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert _index_files(out) == index  # the old index, whole
    assert [p for p in out.parent.iterdir() if ".index-" in p.name]  # its spare folder
    built = run_cli("build", "--site", site)
    assert built.code == 0, built.err
    assert not [p for p in out.parent.iterdir() if ".index-" in p.name]
    assert any("Killed while indexed" in p["content"] for p in _fragments(out).values())


def test_a_build_without_the_index_drops_it_and_the_next_build_makes_it(tmp_path: Path) -> None:
    """As the preview server builds (``index=False``, as ``--no-search``): the
    output keeps no index, rather than an old one; a build makes it again."""
    site = _site(tmp_path / "site")
    out = site / "public"
    assert build(site).indexed is not None
    served = build(site, index=False, drafts=True)
    assert served.ok and served.indexed is None
    assert not (out / "pagefind").exists() and (out / "search" / "index.html").is_file()
    again = build(site)
    assert again.ok and again.indexed is not None
    assert (out / "pagefind" / "2022" / "pagefind-ui.js").is_file()

