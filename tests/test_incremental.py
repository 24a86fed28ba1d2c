"""The build cache and the parallel stages never change what is built.

For every kind of change a user makes (an article, its annotations, a speaker,
a template, site.yaml, a static file, a briefing deleted, renamed or added),
a rebuild over the previous output with the cache equals a clean build of the
changed site, byte for byte; files whose bytes did not change keep their
inode and modification time. A build in one process equals a build spread over
the builder's own pool, over another process pool and over threads.
"""

from __future__ import annotations

import html
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from builder import cache, load, parallel, pipeline
from builder.pipeline import build

from conftest import ROOT, output_tree, run_cli

Tree = dict[str, bytes]


def _tree(folder: Path) -> Tree:
    """Every file of an output but its search index, whose parts are made
    anew, whole, when one of their pages changed: compared on its own (see
    output_tree)."""
    return {path: data for path, data in output_tree(folder).items()
            if not path.startswith("pagefind/")}


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and time, but the search index's: its parts are made
    anew, whole, when one of their pages changed (see test_search.py)."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith("pagefind/")}


def _example_site(target: Path, page_size: int | None = None) -> Path:
    """The example site; with ``page_size``, its long lists run over pages."""
    target.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    if page_size is not None:
        with (target / "site.yaml").open("a", encoding="utf-8") as settings:
            settings.write(f"page_size: {page_size}\n")
    shutil.copytree(ROOT / "content", target / "content")
    return target


def _briefing(site: Path, index: int = 0) -> str:
    return sorted(p.stem for p in (site / "content" / "briefings").glob("*.md"))[index]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def _article(site: Path) -> None:
    path = site / "content" / "briefings" / f"{_briefing(site, 3)}.md"
    path.write_text(path.read_text("utf-8") + "\nA paragraph added at the end.\n", "utf-8")


def _annotation(site: Path) -> None:
    path = site / "content" / "briefings" / f"{_briefing(site, 0)}.yaml"
    _edit(path, "title: ", "title: Revised, ")


def _speaker(site: Path) -> None:
    _edit(site / "content" / "speakers.yaml", "name: Vladimir Putin", "name: Vladimir V. Putin")


def _template(site: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    text = (ROOT / "templates" / "base.html").read_text("utf-8")
    (site / "templates" / "base.html").write_text(
        text.replace("</footer>", "<p>A line of the site's own.</p></footer>", 1), "utf-8")


def _settings(site: Path) -> None:
    path = site / "site.yaml"
    path.write_text(path.read_text("utf-8").replace("title: ", "title: Revised ", 1), "utf-8")


def _static(site: Path) -> None:
    folder = site / "content" / "static"
    folder.mkdir(exist_ok=True)
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n")


def _static_changed(site: Path) -> None:
    _static(site)
    (site / "content" / "static" / "robots.txt").write_text("User-agent: *\nDisallow: /x/\n")


def _deleted(site: Path) -> None:
    slug = _briefing(site, 5)
    for ext in ("md", "yaml"):
        (site / "content" / "briefings" / f"{slug}.{ext}").unlink()
    _drop_links_to(site, slug)


def _renamed(site: Path) -> None:
    slug = _briefing(site, 5)
    for ext in ("md", "yaml"):
        folder = site / "content" / "briefings"
        (folder / f"{slug}.{ext}").rename(folder / f"{slug}-renamed.{ext}")
    _drop_links_to(site, slug)


def _added(site: Path) -> None:
    folder = site / "content" / "briefings"
    slug = _briefing(site, 2)
    for ext in ("md", "yaml"):
        shutil.copy(folder / f"{slug}.{ext}", folder / f"{slug}-again.{ext}")


def _drop_links_to(site: Path, slug: str) -> None:
    """Explicit related links to a briefing that is gone would be errors."""
    for path in (site / "content" / "briefings").glob("*.yaml"):
        lines = path.read_text("utf-8").splitlines(keepends=True)
        kept = [line for line in lines if line.strip() not in (f"- {slug}", f"- slug: {slug}")]
        if kept != lines:
            path.write_text("".join(kept), "utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "article": _article, "annotation": _annotation, "speaker": _speaker,
    "template": _template, "site.yaml": _settings, "static file added": _static,
    "static file changed": _static_changed, "briefing deleted": _deleted,
    "briefing renamed": _renamed, "briefing added": _added,
}


# Two items a page: every speaker's, day's and tag's list, and the home
# page's, runs over several pages, and a change moves items between them.
PAGED = pytest.mark.parametrize("page_size", [None, 2], ids=["one page", "paged"])


@PAGED
@pytest.mark.parametrize("change", CHANGES)
def test_a_rebuild_after_a_change_equals_a_clean_build(tmp_path: Path, change: str,
                                                       page_size: int | None) -> None:
    site = _example_site(tmp_path / "site", page_size)
    if change == "static file changed":
        _static(site)
    out = tmp_path / "public"
    assert build(site, out).ok
    before, stamps = _tree(out), _stamps(out)

    CHANGES[change](site)
    report = build(site, out)
    assert report.ok, report.problems
    clean = tmp_path / "clean"
    assert build(site, clean, cache=False).ok
    after = _tree(out)
    assert after == _tree(clean), f"after a change of {change}, the rebuild differs"
    assert output_tree(out) == output_tree(clean), f"after {change}, the index differs"
    assert after != before
    # What did not change was not written again.
    now = _stamps(out)
    same = [f for f in after if f in before and before[f] == after[f] and f != ".briefings-output"]
    assert same or change in ("site.yaml", "template", "speaker")
    for file in same:
        assert now[file] == stamps[file], f"{file} was written again, unchanged"


def test_an_edited_article_renders_only_its_page_and_what_counts_its_words(
        tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    before = _tree(out)
    _article(site)
    report = build(site, out)
    changed = {f for f, data in _tree(out).items() if before.get(f) != data}
    slug = _briefing(site, 3)
    assert changed == {f"briefings/{slug}/index.html", "data/briefings.json",
                       ".briefings-output"}
    assert report.rendered == 2 and report.written == 2


def test_nothing_changed_is_answered_at_once_and_touches_nothing(tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    first = run_cli("build", "--strict", "--site", site, "--out", out)
    assert first.code == 0, first.err
    stamps = _stamps(out)
    again = run_cli("build", "--strict", "--site", site, "--out", out)
    assert again.code == 0 and "(nothing had changed)" in again.out
    assert again.out.split(" in ")[0] == first.out.split(" in ")[0]
    assert _stamps(out) == stamps
    # Without --strict it is another build: the options are part of what it is made from.
    other = run_cli("build", "--site", site, "--out", out)
    assert other.code == 0 and "nothing had changed" not in other.out


_WALK_ASIDE = """
import os, sys
from pathlib import Path
from builder import cache, load

site = Path(sys.argv[1])
options = cache._options(site, None, False, False, True)
cache.walk_aside(site, None, False)
child = cache._aside[1]
taken = cache.site_manifest(site, None, False)
assert cache._fingerprinted == [cache._fingerprint()]  # told by the child
here = cache._site_walk(site, options)
assert taken.digest == here.digest and taken.listings == {}
plain = sys.argv[2] == "plain"  # sent packed (load.PlainPairs), or as pairs
assert isinstance(load.pair_listed(site, here.listings), load.PlainPairs) == plain
assert load.load_site(site, {}, taken.paired) == load.load_site(site, here.listings)
try:
    os.waitpid(child, os.WNOHANG)
    raise AssertionError("the child was left running or unreaped")
except ChildProcessError:
    pass
# Asked for other options, the child is stopped and the site walked here.
cache.walk_aside(site, None, False)
child = cache._aside[1]
strict = cache.site_manifest(site, None, True)
assert strict.paired is None and strict.digest != here.digest
assert strict.digest == cache._site_walk(site, cache._options(site, None, True, False, True)).digest
# A build that stops at the manifest stops the child: its pairs are not had.
cache.walk_aside(site, None, False)
child = cache._aside[1]
stopped = cache.site_manifest(site, None, False)
cache.end_aside()
assert stopped.paired() is None
for pid in (child,):
    try:
        os.waitpid(pid, os.WNOHANG)
        raise AssertionError("a stopped child was left")
    except ChildProcessError:
        pass
print("ok")
"""


def test_the_walk_taken_aside_equals_the_walk_taken_here(tmp_path: Path) -> None:
    """A build's input manifest taken by a forked child (as the command line
    takes it) has the digest of a walk in the build's own process, and its
    briefings paired as they are paired there, problems of pairing included;
    asked for other options, or not needed, the child is stopped and
    collected. (In a fresh interpreter: a process with other threads does
    not fork.) A folder of plain pairs only, as nearly every site's, comes
    packed; any other comes pair by pair, with its problems."""
    site = _example_site(tmp_path / "site")
    folder = site / "content" / "briefings"
    done = subprocess.run([sys.executable, "-c", _WALK_ASIDE, str(site), "plain"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr
    (folder / "notes.txt").write_text("not a briefing\n", "utf-8")
    (folder / "Bad_Slug.md").write_text("An article.\n", "utf-8")
    (folder / "Bad_Slug.yaml").write_text("title: T\n", "utf-8")
    done = subprocess.run([sys.executable, "-c", _WALK_ASIDE, str(site), "other"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout == "ok\n", done.stderr
    raw = load.load_site(site)
    assert {p.where.path for p in raw.problems} >= {
        "content/briefings/notes.txt", "content/briefings/Bad_Slug.md"}


def test_a_walk_over_inode_numbers_past_two_to_the_63_still_sees_every_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk packs the stats it digests into 64-bit integers; a file
    system that hashes its inode numbers into all 64 bits gets them kept as
    they are, and an edited article still changes the manifest."""
    site = _example_site(tmp_path / "site")
    stats = cache._STATS
    monkeypatch.setattr(cache, "_STATS", lambda info: (*stats(info)[:3], 2**64 - 1))
    before = cache.input_manifest(site, [], "options").digest
    article = sorted((site / "content" / "briefings").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\nA line more.\n", "utf-8")
    assert cache.input_manifest(site, [], "options").digest != before
    monkeypatch.setattr(cache, "_STATS", stats)
    assert cache.input_manifest(site, [], "options").digest not in (before, None)


def test_the_cache_can_be_deleted_or_ignored_at_any_time(tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    reference = _tree(out)
    database = site / ".cache" / "build.sqlite"
    assert database.is_file()
    kept = database.read_bytes()
    assert run_cli("build", "--no-cache", "--site", site, "--out", out).code == 0
    assert database.read_bytes() == kept, "--no-cache must leave the cache as it is"
    shutil.rmtree(site / ".cache")
    _article(site)
    assert build(site, out).ok
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean") != reference


def test_a_cache_that_was_not_made_here_is_never_read(tmp_path: Path) -> None:
    """Entries are pickles: one whose seal does not match (forged, or brought
    with the site from another machine) is a miss, made again, never loaded."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    reference = _tree(out)
    database = sqlite3.connect(site / ".cache" / "build.sqlite")
    with database:
        rows = database.execute("SELECT slug, value FROM briefings").fetchall()
        forged = b"\0" * 32 + b"cos\nsystem\n(S'touch pwned'\ntR."  # a pickle that runs a command
        database.executemany("UPDATE briefings SET value = ? WHERE slug = ?",
                             [(forged if i % 2 else value[:-1], slug)
                              for i, (slug, value) in enumerate(rows)])
        database.execute("DELETE FROM state")
    database.close()
    os.chdir(tmp_path)
    report = build(site, out)
    assert report.ok and _tree(out) == reference
    assert not (tmp_path / "pwned").exists()


def test_a_cache_made_with_another_secret_publishes_nothing_of_its_own(
        tmp_path: Path, secret_of: Callable[[str], None]) -> None:
    """A rebuild takes the entries of unchanged briefings from the data files
    as last written, where the cache says they stand: a cache made by another
    user (another secret) must match nothing, so that what such files say is
    never published again, even for a site that is the same."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    secret_of("theirs")
    assert build(site, out).ok
    quotes = out / "data" / "quotes.json"
    data = quotes.read_bytes()
    first = data.index(b'"text": "') + len(b'"text": "')
    quotes.write_bytes(data[:first] + b"planted" + data[first + len(b"planted"):])
    secret_of("ours")
    _article(site)
    assert build(site, out).ok
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean")
    assert b"planted" not in (out / "data" / "quotes.json").read_bytes()


@pytest.fixture()
def wide_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """The builder's own pool even for the example site's few briefings."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)


def test_a_parallel_build_equals_a_single_process_build(tmp_path: Path, wide_pools) -> None:
    site = _example_site(tmp_path / "site")
    assert build(site, tmp_path / "serial", cache=False, jobs=1).ok
    serial = _tree(tmp_path / "serial")
    assert build(site, tmp_path / "pool", cache=False, jobs=2).ok
    assert _tree(tmp_path / "pool") == serial
    # With the cache, the workers read the files, and the pages read their
    # articles back from the cache.
    assert build(site, tmp_path / "cached", jobs=2).ok
    assert _tree(tmp_path / "cached") == serial
    with ProcessPoolExecutor(2) as executor:
        assert build(site, tmp_path / "processes", cache=False, executor=executor).ok
    assert _tree(tmp_path / "processes") == serial
    with ThreadPoolExecutor(3) as executor:
        assert build(site, tmp_path / "threads", cache=False, executor=executor).ok
    assert _tree(tmp_path / "threads") == serial


@pytest.mark.parametrize("change", ["article", "annotation"])
def test_a_rebuild_on_other_processes_equals_a_clean_build(tmp_path: Path, wide_pools,
                                                           change: str) -> None:
    """The models and indexes a rebuild takes from the cache, read as pages
    ask for them, go whole to workers that do not share this process."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    CHANGES[change](site)
    with ProcessPoolExecutor(2) as executor:
        report = build(site, out, executor=executor)
    assert report.ok and report.rendered >= 2
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean")


def test_a_file_a_worker_cannot_read_is_one_clear_error_on_every_build(tmp_path: Path,
                                                                       wide_pools) -> None:
    site = _example_site(tmp_path / "site")
    slug = _briefing(site, 1)
    article = site / "content" / "briefings" / f"{slug}.md"
    text = article.read_bytes()
    article.write_bytes(b"Line one.\n\nLine \xff two.\n" + text)
    out = tmp_path / "public"
    expected = [f"content/briefings/{slug}.md:3:6: error: the file is not UTF-8: byte 0xff at "
                "offset 16. Save the file as UTF-8."]
    for _ in range(2):  # (a file that cannot be read is not kept as read)
        report = build(site, out, jobs=2)
        assert [str(p) for p in report.problems if p.is_error] == expected
        assert not out.exists()
    article.write_bytes(text)
    assert build(site, out, jobs=2).ok
    assert build(site, tmp_path / "clean", cache=False, jobs=1).ok
    assert _tree(out) == _tree(tmp_path / "clean")


def test_a_briefing_whose_files_were_touched_not_changed_is_not_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    slug = _briefing(site, 2)
    for ext in ("md", "yaml"):
        os.utime(site / "content" / "briefings" / f"{slug}.{ext}", (978307200, 978307200))
    anchored: list[str] = []
    read_one = pipeline._read_one
    monkeypatch.setattr(pipeline, "_read_one", lambda pair, *rest: (
        anchored.append(pair.slug), read_one(pair, *rest))[1])
    report = build(site, out)
    assert report.ok and anchored == [] and report.written == 0


def test_a_template_error_in_a_worker_is_reported_like_any_other(tmp_path: Path,
                                                                 wide_pools) -> None:
    site = _example_site(tmp_path / "site")
    (site / "templates").mkdir()
    (site / "templates" / "speaker.html").write_text(
        '{% extends "base.html" %}{% block main %}{{ view.no_such_name }}{% endblock %}\n')
    out = tmp_path / "public"
    report = build(site, out, jobs=2)
    assert not report.ok and not out.exists()
    assert [str(p) for p in report.problems] == [
        "templates: error: a template failed: 'dict object' has no attribute 'no_such_name'. "
        "Check the names it uses against the default theme."]


# -- annotation-level changes: exactly the pages that show them --------------

TASS = "2022-01-10-putin-csto-kazakhstan"


def _quote_added(site: Path) -> None:
    _edit(site / "content" / "briefings" / f"{TASS}.yaml", "quotes:\n",
          "quotes:\n  - speaker: vladimir-putin\n"
          "    quote: Law and order, Kazakh authorities affirm\n")


def _speaker_renamed(site: Path) -> None:
    _edit(site / "content" / "speakers.yaml", "name: Vladimir Putin", "name: Vladimir V. Putin")


def _tag_added(site: Path) -> None:
    _edit(site / "content" / "briefings" / f"{TASS}.yaml", "  - Russia\n",
          "  - Russia\n  - Fuel prices\n")


def _event_moved(site: Path) -> None:
    _edit(site / "content" / "briefings" / f"{TASS}.yaml", "  - date: 2022-01-02\n",
          "  - date: 2022-01-03\n")


def _vague_quote_added(site: Path) -> None:
    """A quote dated to a month (format 1.1): a page of its own for that month."""
    _edit(site / "content" / "briefings" / f"{TASS}.yaml", "quotes:\n",
          "quotes:\n  - speaker: vladimir-putin\n"
          "    quote: Law and order, Kazakh authorities affirm\n    said_on: 2021-12\n")


def _event_made_vague(site: Path) -> None:
    """An event's day made a range of years (format 1.1): its day page goes."""
    _edit(site / "content" / "briefings" / f"{TASS}.yaml", "  - date: 2022-01-02\n",
          "  - date: 2021/2022\n")


def _title_changed(site: Path) -> None:
    """A briefing's card changed: every list that shows it, the home pages
    after the first among them (with two to a page)."""
    _edit(site / "content" / "briefings" / f"{TASS}.yaml", "title: Destructive forces",
          "title: Destructive, foreign-backed forces")


ANNOTATION_CHANGES: dict[str, Callable[[Path], None]] = {
    "a quote added": _quote_added, "a speaker's name changed": _speaker_renamed,
    "a briefing's title changed": _title_changed,
    "a tag added to one briefing": _tag_added, "an event's date moved": _event_moved,
    "a quote dated to a month added": _vague_quote_added,
    "an event dated to years": _event_made_vague,
}

# What a quote by a speaker already quoted in the briefing shows up on: the
# briefing's page, the speaker's page, the day it was said, the indexes that
# count quotes, and the data. The pages of the briefing's other days (those of
# its events) show none of its quotes and are not rendered again; its card
# (title, date, speakers) is unchanged, so no other page that lists the
# briefing is even rendered again.
# The feeds that list the briefing (its speakers' and its tags') are rendered
# again too; of those, only the speaker's feed, which quotes them, changes.
QUOTE_ADDED_RENDERS = {
    f"briefings/{TASS}/index.html", "speakers/vladimir-putin/index.html",
    "dates/2022-01-10/index.html", "speakers/index.html", "dates/index.html",
    "feed.xml", "data/briefings.json",
    "data/speakers.json", "data/quotes.json", "data/events.json",
    "speakers/vladimir-putin/feed.xml", "speakers/kassym-jomart-tokayev/feed.xml",
    "tags/kazakhstan/feed.xml", "tags/csto/feed.xml", "tags/russia/feed.xml"}
QUOTE_ADDED_WRITES = {
    f"briefings/{TASS}/index.html", "speakers/vladimir-putin/index.html",
    "dates/2022-01-10/index.html", "speakers/index.html", "dates/index.html",
    "data/briefings.json", "data/speakers.json", "data/quotes.json",
    "speakers/vladimir-putin/feed.xml"}


@PAGED
@pytest.mark.parametrize("change", ANNOTATION_CHANGES)
def test_an_annotation_change_rewrites_exactly_the_files_that_show_it(
        tmp_path: Path, change: str, page_size: int | None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    site = _example_site(tmp_path / "site", page_size)
    out = tmp_path / "public"
    assert build(site, out).ok
    assert build(site, tmp_path / "clean-before", cache=False).ok
    before, stamps = _tree(out), _stamps(out)

    ANNOTATION_CHANGES[change](site)
    rendered: list[str] = []
    render_all = pipeline._render_all

    def spy(todo, *args, **kwargs):  # type: ignore[no-untyped-def]
        rendered.extend(p.file for p in todo)
        return render_all(todo, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_render_all", spy)
    planned: list[int] = []
    plan_site = pipeline.plan_site
    monkeypatch.setattr(pipeline, "plan_site",
                        lambda *args: planned.append(1) or plan_site(*args))
    report = build(site, out)
    assert report.ok, report.problems
    monkeypatch.undo()
    assert build(site, tmp_path / "clean-after", cache=False).ok
    after, now = _tree(out), _stamps(out)
    clean_before, clean_after = _tree(tmp_path / "clean-before"), _tree(tmp_path / "clean-after")
    assert after == clean_after, f"after {change}, the rebuild differs from a clean build"

    # Rewritten: written again (new inode or time) or new. Exactly the files
    # whose bytes a clean build changes, and no other.
    rewritten = {f for f in after if f not in stamps or now[f] != stamps[f]} - {".briefings-output"}
    differ = {f for f in clean_after if clean_before.get(f) != clean_after[f]}
    differ -= {".briefings-output"}
    assert rewritten == differ
    assert set(before) - set(after) == set(clean_before) - set(clean_after)
    assert report.written == len(differ)
    if change == "a quote added" and set(clean_before) == set(clean_after):
        assert not planned  # the same pages, every list on as many: the plan kept
    if page_size is not None:
        if change == "a quote added":  # of the speakers' pages, only the quoted one's
            assert {f for f in rendered if f.startswith("speakers/") and f.endswith(".html")} \
                - {"speakers/index.html"} <= {f for f in after if "/vladimir-putin/" in f}
    elif change == "a quote added":
        assert set(rendered) == QUOTE_ADDED_RENDERS
        assert rewritten == QUOTE_ADDED_WRITES
    elif change == "a tag added to one briefing":
        assert "tags/fuel-prices/index.html" in rewritten
        # Of the speakers' pages, only those that list the briefing's annotations.
        # (Their feeds, which list the briefing, are rendered again to no change.)
        assert {f for f in rendered if f.startswith("speakers/") and f.endswith(".html")} <= {
            "speakers/index.html", "speakers/vladimir-putin/index.html"}
    elif change == "an event's date moved":
        assert {"dates/2022-01-03/index.html", f"briefings/{TASS}/index.html"} <= rewritten
        assert "dates/2022-01-02/index.html" not in after
    if change == "a briefing's title changed":
        assert f"briefings/{TASS}/index.html" in rewritten
        if page_size is not None:  # the oldest briefing: on the last of the home pages
            assert any(f.startswith("page/") for f in rewritten), sorted(rewritten)
    if change == "a quote dated to a month added":  # on its month's page, on no day's
        assert {"dates/2021-12/index.html", "speakers/vladimir-putin/index.html"} <= rewritten
        assert "dates/2021-12-01/index.html" not in after
    elif change == "an event dated to years":
        assert {"dates/2021/index.html", "dates/2022/index.html"} <= rewritten
        assert "dates/2022-01-02/index.html" not in after
        assert {f for f in rendered if f.startswith(("speakers/", "tags/"))
                and f.endswith(".html")} <= {
            "speakers/index.html", "speakers/vladimir-putin/index.html", "tags/index.html"}


QUOTES_OF_PUTIN = ("understand that the threat against Kazakhstan", "Law and order, Kazakh",
                   "very serious and alarming")


def test_quotes_added_and_removed_add_and_remove_the_pages_of_a_list(tmp_path: Path) -> None:
    """A list that grows by a page, then shrinks by one again: the rebuild
    plans the new page, then removes it, as a clean build would."""
    site = _example_site(tmp_path / "site", page_size=2)
    out, yaml = tmp_path / "public", site / "content" / "briefings" / f"{TASS}.yaml"
    original = yaml.read_text("utf-8")
    assert build(site, out).ok

    def pages() -> int:
        return len(list((out / "speakers" / "vladimir-putin").rglob("index.html")))

    first, added = pages(), 0
    while pages() == first:
        assert added < 2, "two more items always make another page of two"
        _edit(yaml, "quotes:\n", f"quotes:\n  - speaker: vladimir-putin\n"
                                 f"    quote: {QUOTES_OF_PUTIN[added]}\n")
        added += 1
        assert build(site, out).ok
    assert pages() == first + 1
    for step in ("grown", "shrunk"):
        clean = tmp_path / f"clean-{step}"
        assert build(site, clean, cache=False).ok
        assert _tree(out) == _tree(clean), f"the {step} list differs from a clean build"
        yaml.write_text(original, "utf-8")
        assert build(site, out).ok
    assert pages() == first
    assert not (out / "speakers" / "vladimir-putin" / "page" / str(first + 1)).exists()


def test_a_rebuild_reads_only_the_briefings_whose_files_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    _article(site)
    read: list[str] = []
    read_text = load.read_text

    def spy(root: Path, relative: str):  # type: ignore[no-untyped-def]
        read.append(relative)
        return read_text(root, relative)

    monkeypatch.setattr(load, "read_text", spy)
    assert build(site, out).ok
    slug = _briefing(site, 3)
    assert sorted(read) == sorted(["site.yaml", "content/speakers.yaml",
                                   f"content/briefings/{slug}.md",
                                   f"content/briefings/{slug}.yaml"])
    monkeypatch.undo()
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean")


def test_an_edited_article_reads_no_other_briefing_from_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The model of a briefing taken from the cache is read only when a page
    to render shows its annotations: after one article is edited, its page
    lists the others (related, previous and next) by their cards, which the
    indexes hold, and no other briefing is read; nor any index by briefing
    whole."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    _article(site)
    read: list[str] = []
    models = cache.BuildCache.models

    def spy(self: cache.BuildCache, slugs):  # type: ignore[no-untyped-def]
        slugs = list(slugs)
        read.extend(slugs)
        return models(self, slugs)

    monkeypatch.setattr(cache.BuildCache, "models", spy)
    whole: list[str] = []  # maps read back whole
    state_map = cache.BuildCache.state_map

    def whole_spy(self: cache.BuildCache, name: str):  # type: ignore[no-untyped-def]
        whole.append(name)
        return state_map(self, name)

    monkeypatch.setattr(cache.BuildCache, "state_map", whole_spy)
    report = build(site, out)
    assert report.ok and report.written
    slug = _briefing(site, 3)
    # Only its own model: its article's HTML, which the cache holds.
    assert set(read) <= {slug}
    # The indexes by briefing that its page shows are read in the parts that hold it.
    assert not [name for name in whole if name.startswith("index ")]
    page = (out / "briefings" / slug / "index.html").read_text("utf-8")
    shown = json.loads((out / "data" / "briefings.json").read_text("utf-8"))["briefings"]
    entry = next(b for b in shown if b["slug"] == slug)
    titles = {b["slug"]: b["title"] for b in shown}
    listed = {*entry["related"], entry["previous"], entry["next"]} - {None}
    assert listed and all(html.escape(titles[s], quote=False) in page for s in listed)
    monkeypatch.undo()
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean")


def test_a_damaged_index_in_the_cache_is_made_again(tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    database = sqlite3.connect(site / ".cache" / "build.sqlite")
    with database:
        database.execute("UPDATE state SET value = ? WHERE name = 'index related'",
                         (b"\0" * 40,))
    database.close()
    _article(site)
    assert build(site, out).ok
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean")


def test_a_briefing_gone_between_listing_and_reading_is_an_error_not_a_silent_gap(
        tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    slug = _briefing(site, 0)
    pair = load.RawPair(slug, load.TextFile(f"content/briefings/{slug}.md", ""),
                        load.TextFile(f"content/briefings/{slug}.yaml", ""), b"x", unread=True)
    (site / "content" / "briefings" / f"{slug}.md").unlink()
    read, problems = load.read_pair(site, pair)
    assert read is None
    assert [str(p) for p in problems] == [
        f"content/briefings/{slug}.yaml: error: the briefing's files changed while it was "
        "read (No such file or directory): build again."]


def test_a_map_is_kept_in_parts_and_only_the_changed_parts_are_written_again(
        tmp_path: Path) -> None:
    path = tmp_path / ".cache" / "build.sqlite"
    store = cache.BuildCache(path)
    first = {f"briefing-{i}": i for i in range(1000)}
    store.keep_map("numbers", first)
    store.save(None, {})
    store.close()

    store = cache.BuildCache(path)
    kept = store.state_map("numbers")
    assert kept == first
    second = {**first, "briefing-7": -7, "briefing-1000": 1000}
    del second["briefing-8"]
    store.keep_map("numbers", second, kept)
    written = {name for name in store._pending if name.startswith("numbers part ")}
    assert 1 <= len(written) <= 3  # the parts of the three entries that changed
    store.save(None, {})
    store.close()

    store = cache.BuildCache(path)
    assert store.state_map("numbers") == second
    database = sqlite3.connect(path)
    with database:
        database.execute("DELETE FROM state WHERE name = 'numbers part 05'")
    database.close()
    assert store.state_map("numbers") is None  # a part missing: made again, never half
    store.close()


def _respelled_tag(site: Path) -> None:
    """"Middle East" is a tag of several briefings: written otherwise in one."""
    _edit(site / "content" / "briefings" / "2016-04-21-putin-netanyahu-moscow.yaml",
          "  - Middle East", "  - Middle east")


def _unknown_speaker(site: Path) -> None:
    path = site / "content" / "briefings" / "2016-04-21-putin-netanyahu-moscow.yaml"
    text = path.read_text("utf-8")
    speaker = text.split("  - speaker: ", 1)[1].split("\n", 1)[0]
    _edit(path, f"  - speaker: {speaker}\n", f"  - speaker: {speaker}-nobody\n")


@pytest.mark.parametrize("change", [_respelled_tag, _unknown_speaker])
def test_a_rebuild_reports_the_problems_a_clean_build_reports(tmp_path: Path,
                                                              change: Callable) -> None:
    """The checks across briefings are made again for the briefing that
    changed, on what the last build found of the others: the errors it finds
    must be those of a clean build, and go when the change is undone."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    first = build(site, out)
    assert first.ok
    path = next(p for p in (site / "content" / "briefings").glob("*.yaml")
                if p.name.startswith("2016-04-21"))
    original = path.read_text("utf-8")
    change(site)
    broken = build(site, out)
    clean = build(site, tmp_path / "clean", cache=False)
    assert not broken.ok and [str(p) for p in broken.problems] == [str(p) for p in clean.problems]
    path.write_text(original, "utf-8")
    again = build(site, out)
    assert again.ok and [str(p) for p in again.problems] == [str(p) for p in first.problems]


@pytest.mark.parametrize("where", ["header", "pages"])
def test_a_damaged_cache_file_is_made_anew_and_the_build_is_right(tmp_path: Path,
                                                                  where: str) -> None:
    """A machine that stops while the cache is written may leave its file
    damaged: the next build deletes it, builds right, and leaves a new one."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out).ok
    path = site / ".cache" / "build.sqlite"
    data = bytearray(path.read_bytes())
    start = 0 if where == "header" else 4096
    data[start:start + 65536] = random.Random(7).randbytes(min(65536, len(data) - start))
    path.write_bytes(bytes(data))
    _article(site)
    report = build(site, out)
    assert report.ok and report.output == out
    assert build(site, tmp_path / "clean", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean")
    database = sqlite3.connect(path)
    assert database.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    database.close()
    _article(site)
    assert build(site, out).rendered < 10  # the new cache at work


def test_a_build_told_what_was_saved_equals_a_clean_build_and_the_next_checks_all(
        tmp_path: Path) -> None:
    """The preview server tells the build which briefings were saved (the
    file system told it): the build then lists nothing, and its output is
    still a clean build's. The next build not told anything checks every
    file again, so a save the server never heard of is not missed."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    first = build(site, out)
    assert first.ok and first.listed is not None
    edited = _briefing(site, 0)
    _annotation(site)
    _article(site)
    told = load.with_changed_pairs(first.listed, {edited, _briefing(site, 3)})
    assert told is not None
    report = build(site, out, listed=told)
    assert report.ok, report.problems
    clean = tmp_path / "clean"
    assert build(site, clean, cache=False).ok
    assert _tree(out) == _tree(clean)

    # A save nobody was told of, made before a build that was told of
    # another: the next plain build finds it.
    _edit(site / "content" / "briefings" / f"{_briefing(site, 1)}.yaml", "title: ",
          "title: Unheard, ")
    _edit(site / "content" / "briefings" / f"{edited}.yaml", "title: ", "title: Heard, ")
    assert build(site, out, listed=load.with_changed_pairs(report.listed, {edited})).ok
    again = run_cli("build", "--site", site, "--out", out)
    assert again.code == 0 and "nothing had changed" not in again.out, again.out
    assert build(site, tmp_path / "clean2", cache=False).ok
    assert _tree(out) == _tree(tmp_path / "clean2")


def test_what_a_build_cannot_be_told_makes_it_list_the_site_again(tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    listed = build(site, tmp_path / "public").listed
    assert listed is not None
    folder = site / "content" / "briefings"
    slug = _briefing(site, 0)
    assert load.with_changed_pairs(listed, {"a-briefing-not-listed"}) is None
    (folder / f"{slug}.md").rename(tmp_path / "away.md")
    assert load.with_changed_pairs(listed, {slug}) is None  # a file gone
    os.symlink(tmp_path / "away.md", folder / f"{slug}.md")
    assert load.with_changed_pairs(listed, {slug}) is None  # now a link
    (folder / f"{slug}.md").unlink()
    (tmp_path / "away.md").rename(folder / f"{slug}.md")
    same = load.with_changed_pairs(listed, {slug})
    assert same is not None and same.pairs != listed.pairs  # its stats taken again


def test_files_touched_but_not_changed_are_read_once_not_on_every_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout or a copy touches every file and changes none: the build
    after it reads them all to find that out, and keeps their new signatures,
    so that the next one reads only what changed since."""
    site = _example_site(tmp_path / "site")
    out = tmp_path / "public"
    assert build(site, out, jobs=1).ok
    for path in (site / "content" / "briefings").iterdir():
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    read: list[str] = []
    read_pair = pipeline.read_pair

    def counted(site_dir, pair):  # type: ignore[no-untyped-def]
        read.append(pair.slug)
        return read_pair(site_dir, pair)

    monkeypatch.setattr(pipeline, "read_pair", counted)
    assert build(site, out, jobs=1).ok
    assert len(read) == 12  # every briefing, found unchanged
    read.clear()
    _edit(site / "content" / "briefings" / f"{TASS}.md", "Monday.", "Monday (10 January).")
    assert build(site, out, jobs=1).ok
    assert read == [TASS]


def test_the_last_builds_outlines_are_taken_from_a_snapshot_where_the_files_are_as_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild takes what the last build found of each briefing whose files
    are as it read them from a snapshot in a few pieces, not from ten
    thousand rows: the same outlines the rows give, a draft's mark and
    problems included; a briefing whose files changed, and every briefing
    under other settings, is left to the rows and to reading. (Here in
    pieces of three briefings.)"""
    monkeypatch.setattr(pipeline, "_RUN", 3)
    site = _example_site(tmp_path / "site")
    folder = site / "content" / "briefings"
    draft = sorted(folder.glob("*.yaml"))[1]
    draft.write_text("draft: true\n" + draft.read_text("utf-8"), "utf-8")
    assert build(site, tmp_path / "public").ok
    store = cache.BuildCache.of_site(site)
    snapshot = pipeline._snapshot_of(store)
    assert len(snapshot) == -(-len(list(folder.glob("*.md"))) // 3) > 2
    common = snapshot[0][0]
    pairs = load.load_site(site).pairs
    found, rest = pipeline._taken_from(snapshot, pairs, common)
    kept = store.briefings()
    assert not rest and found == {pair.slug: pipeline._unseal_problems(pair.slug, kept[pair.slug])
                                  for pair in pairs}
    assert found[draft.stem].draft and sum(outline.draft for outline in found.values()) == 1
    assert pipeline._snapshot(pairs, found, common) == snapshot
    # An article saved again (its stats changed): that briefing only is left to the rows.
    article = folder / f"{pairs[3].slug}.md"
    article.write_bytes(article.read_bytes())
    os.utime(article, ns=(1, 1))
    again = load.load_site(site).pairs
    found, rest = pipeline._taken_from(snapshot, again, common)
    assert rest == [again[3]] and set(found) == {pair.slug for pair in pairs} - {pairs[3].slug}
    assert store.briefings([pairs[3].slug]) == {pairs[3].slug: kept[pairs[3].slug]}
    # Other settings (site.yaml, speakers.yaml, the builder), or other briefings: none.
    assert pipeline._taken_from(snapshot, pairs, common + b"-") == ({}, list(pairs))
    assert pipeline._taken_from(snapshot, pairs[1:], common) == ({}, list(pairs[1:]))
    # A piece not read back: its briefings only are left to the rows.
    found, rest = pipeline._taken_from([snapshot[0], None, *snapshot[2:]], pairs, common)
    assert rest == list(pairs[3:6]) and set(found) == {p.slug for p in pairs[:3] + pairs[6:]}
    # The next build keeps the pieces that changed, and those only.
    store.close()
    before = {name: value for name, value in _states(site).items()
              if name.startswith(pipeline._SNAPSHOT)}
    _edit(folder / f"{pairs[4].slug}.yaml", "\n", "\n# a comment\n")
    assert build(site, tmp_path / "public").ok
    after = {name: value for name, value in _states(site).items()
             if name.startswith(pipeline._SNAPSHOT)}
    assert after.keys() == before.keys() and \
        [name for name in after if after[name] != before[name]] == [f"{pipeline._SNAPSHOT} 1"]


def _states(site: Path) -> dict[str, bytes]:
    database = sqlite3.connect(site / ".cache" / "build.sqlite")
    try:
        return dict(database.execute("SELECT name, value FROM state"))
    finally:
        database.close()
