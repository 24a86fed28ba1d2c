"""The search index (Pagefind, run by the build): made in parts, one a year
(or its halves, quarters or months, where the year has many briefings), after
the site is written, only for the parts where a page changed, each part put
in place whole, and absent where ``search: false``. The browser side is in
test_browser.py."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pagefind.service import get_executable

from builder import search
from builder.pipeline import build

from conftest import ROOT, SITES, run_cli

SEED = "2022-01-10-putin-csto-kazakhstan"


def _months(part: str) -> range:
    """The months of its year that a part of the index holds, by its name."""
    _, _, split = part.partition("-")
    if not split:
        return range(1, 13)
    if split[0] in "hq":
        size = 6 if split[0] == "h" else 3
        return range(size * int(split[1:]) - size + 1, size * int(split[1:]) + 1)
    return range(int(split), int(split) + 1)


_NAME = re.compile(r"[0-9]{4}(-(h[12]|q[1-4]|0[1-9]|1[0-2]))?")


@given(st.lists(st.dates(date(2019, 1, 1), date(2021, 12, 31)), max_size=120),
       st.integers(1, 30))
def test_the_parts_hold_at_most_the_limit_and_are_named_by_their_dates(
        days: list[date], limit: int) -> None:
    published = {f"briefing-{n}": day for n, day in enumerate(days)}
    parts = search.partition(published, limit)
    assert parts.keys() == published.keys()
    for slug, part in parts.items():
        assert _NAME.fullmatch(part), part
        assert part[:4] == f"{published[slug].year:04d}"
        assert published[slug].month in _months(part)
    sizes = Counter(parts.values())
    for year, count in Counter(day.year for day in days).items():
        own = sorted(part for part in sizes if part[:4] == f"{year:04d}")
        if count <= limit:  # a year under the limit is one part
            assert own == [f"{year:04d}"]
            continue
        # The coarsest split whose every part holds at most the limit, or months.
        kinds = {len(_months(part)) for part in own}
        assert len(kinds) == 1
        months = kinds.pop()
        assert months < 12
        assert months == 1 or all(sizes[part] <= limit for part in own)
        coarser = [size for size in (6, 3) if size > months]
        for size in coarser:
            counts = Counter((day.month - 1) // size for day in days if day.year == year)
            assert max(counts.values()) > limit, (year, size)
    # Newest first: every briefing of a part was published after those of the next.
    ordered = search.parts_of(parts)
    assert sorted(ordered) == sorted(sizes)
    for newer, older in itertools.pairwise(ordered):
        assert min(published[s] for s, p in parts.items() if p == newer) \
            > max(published[s] for s, p in parts.items() if p == older)


def _days(counts: dict[str, int]) -> dict[str, date]:
    """So many briefings published in each month (``YYYY-MM``), by slug."""
    return {f"{month}-{n}": date.fromisoformat(f"{month}-01") + timedelta(days=n % 28)
            for month, count in counts.items() for n in range(count)}


@pytest.mark.parametrize(("counts", "parts"), [
    ({"2022-01": 4, "2021-12": 1}, ["2022", "2021"]),
    ({"2022-01": 3, "2022-07": 2}, ["2022-h2", "2022-h1"]),
    ({"2022-01": 3, "2022-04": 2, "2022-08": 1}, ["2022-q3", "2022-q2", "2022-q1"]),
    ({"2022-01": 3, "2022-02": 2, "2022-11": 1}, ["2022-11", "2022-02", "2022-01"]),
    ({"2022-03": 6}, ["2022-03"]),  # a month over the limit: months anyway
    ({"2021-05": 4, "2022-12": 5, "2023-01": 1}, ["2023", "2022-12", "2021"]),
])
def test_a_year_over_the_limit_is_split_by_halves_quarters_or_months(
        counts: dict[str, int], parts: list[str]) -> None:
    assert search.parts_of(search.partition(_days(counts), limit=4)) == parts


def test_the_limit_is_2000_briefings() -> None:
    assert search.LIMIT == 2000
    year = {f"b{n}": date(2022, 1, 1) + timedelta(days=n % 365) for n in range(2000)}
    assert search.parts_of(search.partition(year)) == ["2022"]
    year["one more"] = date(2022, 12, 31)
    assert search.parts_of(search.partition(year)) == ["2022-h2", "2022-h1"]


def _site(target: Path, source: Path = SITES / "good") -> Path:
    shutil.copytree(source, target)
    return target


def _example_site(target: Path) -> Path:
    """A copy of the example site, whose briefings were published in seven years."""
    target.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", target / "site.yaml")
    shutil.copytree(ROOT / "content", target / "content")
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


def _part_files(out: Path) -> dict[str, dict[str, tuple[int, bytes]]]:
    """Each part of the output's index with its files, each by its inode and bytes."""
    return {part.name: {p.relative_to(part).as_posix(): (p.stat().st_ino, p.read_bytes())
                        for p in sorted(part.rglob("*")) if p.is_file()}
            for part in sorted((out / "pagefind").iterdir())}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new), "utf-8")


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
    # One part a year (none has 2,000 briefings), each with that year's briefings
    # (by their year filter).
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


def test_a_note_within_a_quote_is_not_read_as_words_of_the_quote(tmp_path: Path) -> None:
    """A note's number and its text in the margin sit inside the passage they
    annotate; the index leaves them out of the page (the quote's words stay the
    quote's) and finds the note in the page's footnotes instead."""
    out = tmp_path / "public"
    assert run_cli("build", "--site", ROOT, "--out", out).code == 0
    pages = _fragments(out)
    within = 0
    for url, page in pages.items():
        html = (out / url.strip("/") / "index.html").read_text("utf-8")
        notes = [unescape(re.sub(r"<[^>]+>", "", text)) for text in re.findall(
            r'<span class="sidenote-number">\d+</span> (.*?)</span>', html)]
        quotes = " ".join(a["text"] for a in page["anchors"] if a["element"] == "mark")
        for note in notes:
            opening = " ".join(note.split()[:6])
            assert opening not in quotes, (url, opening)
            assert page["content"].count(opening) == 1, (url, opening)
        within += len(re.findall(r'<mark class="quote[^>]*>(?:(?!</mark>).)*class="sidenote"',
                                 html, re.S))
    assert within  # the example site has notes within quotes


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
    # The index was put in place whole; no spare folder is left beside the output
    # (the data files the rebuild replaced are kept to be written over: see builder.write).
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".public.")
            and p.name != ".public.recycled"] \
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


def _build_with_a_failing_pagefind(site: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """A build of ``site`` whose Pagefind fails as a full disk would make it;
    the build fails and says why."""
    failing = _fake_pagefind(tmp_path, "echo 'out of disk space' >&2; exit 3")
    done = subprocess.run([sys.executable, "-m", "builder", "build", "--site", str(site)],
                          env={**os.environ, "PAGEFIND_BINARY_PATH": str(failing)},
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "error: Pagefind could not index the site: out of disk space" in done.stderr
    return done


def test_a_failed_index_leaves_the_previous_output_and_index(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    out = site / "public"
    assert run_cli("build", "--site", site).code == 0
    pages, index = _tree(out), _index_files(out)
    article = sorted((site / "content" / "briefings").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\nA new paragraph.\n", "utf-8")
    shutil.rmtree(site / ".cache")  # the whole site is written again: in a staging folder
    done = _build_with_a_failing_pagefind(site, tmp_path)
    assert "nothing was written" in done.stderr
    assert _tree(out) == pages and _index_files(out) == index
    assert run_cli("build", "--site", site).code == 0
    assert any("A new paragraph" in p["content"] for p in _fragments(out).values())


def test_an_index_that_fails_after_a_rebuild_says_the_pages_were_written(
        tmp_path: Path) -> None:
    """A rebuild puts the pages that changed in place, then indexes them: if
    Pagefind fails then, the build fails and says so, and says truly that the
    pages were written and the index is the one before; the next build makes it."""
    site = _site(tmp_path / "site")
    out = site / "public"
    assert run_cli("build", "--site", site).code == 0
    index = _index_files(out)
    article = sorted((site / "content" / "briefings").glob("*.md"))[0]
    article.write_text(article.read_text("utf-8") + "\nA paragraph indexed later.\n", "utf-8")
    done = _build_with_a_failing_pagefind(site, tmp_path)
    assert "the pages that changed were written" in done.stderr
    assert "nothing was written" not in done.stderr
    page = out / "briefings" / article.stem / "index.html"
    assert "A paragraph indexed later" in page.read_text("utf-8")
    assert _index_files(out) == index
    again = run_cli("build", "--site", site)
    assert again.code == 0, again.err
    assert any("A paragraph indexed later" in p["content"] for p in _fragments(out).values())


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


def test_an_edited_article_makes_again_the_part_of_its_year_alone(tmp_path: Path) -> None:
    site = _example_site(tmp_path / "site")
    out = site / "public"
    assert build(site).indexed is not None
    before = _part_files(out)
    assert len(before) == 7
    article = site / "content" / "briefings" / "2023-10-08-biden-netanyahu-call.md"
    article.write_text(article.read_text("utf-8") + "\nA zebrafish swam by.\n", "utf-8")
    edited = build(site)
    assert edited.ok and edited.indexed is not None
    after = _part_files(out)
    assert sorted(after) == sorted(before)
    # The other years' parts are the same files, untouched: same inodes, same bytes.
    for part in sorted(before.keys() - {"2023"}):
        assert after[part] == before[part], part
    assert after["2023"] != before["2023"]
    assert {ino for ino, _ in after["2023"].values()}.isdisjoint(
        ino for ino, _ in before["2023"].values())
    found = [url for url, page in _fragments(out).items() if "zebrafish" in page["content"]]
    assert found == ["/briefings/2023-10-08-biden-netanyahu-call/"]
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".public.")
            and p.name != ".public.recycled"] \
        == [".public.lock"]


def _pages(out: Path) -> dict[str, bytes]:
    """The bytes of each briefing's page, by its URL (as the index knows it)."""
    return {f"/{p.parent.relative_to(out).as_posix()}/": p.read_bytes()
            for p in (out / "briefings").glob("*/index.html")}


def _written(pages: tuple[dict[str, bytes], dict[str, bytes]],
             indexed: tuple[dict[str, dict], dict[str, dict]]) -> set[str]:
    """The parts, before or after, of the briefing pages a build wrote or removed."""
    before, after = pages
    changed = {url for url in before.keys() | after.keys() if before.get(url) != after.get(url)}
    return {part for index in indexed for part, urls in index.items() if changed & urls.keys()}


def test_a_briefing_moved_to_another_year_makes_both_years_again(tmp_path: Path) -> None:
    """Both years are made again, and those of the pages that changed with it
    (its neighbours before and after, and those that list it as related, whose
    links to it changed); the others are untouched."""
    site = _example_site(tmp_path / "site")
    out = site / "public"
    assert build(site).indexed is not None
    before, pages, indexed = _part_files(out), _pages(out), _indexed(out)
    slug = "2022-04-14-jean-pierre-gaggle-greensboro"
    _edit(site / "content" / "briefings" / f"{slug}.yaml", "published: 2022-04-14",
          "published: 2020-04-14")
    assert build(site).indexed is not None
    after = _part_files(out)
    written = _written((pages, _pages(out)), (indexed, _indexed(out)))
    assert {"2020", "2022"} <= written and before.keys() - written
    for part in sorted(before.keys() - written):
        assert after[part] == before[part], part
    assert after["2020"] != before["2020"] and after["2022"] != before["2022"]
    indexed = _indexed(out)
    assert f"/briefings/{slug}/" in indexed["2020"]
    assert f"/briefings/{slug}/" not in indexed["2022"] and indexed["2022"]
    assert indexed["2020"][f"/briefings/{slug}/"]["filters"]["year"] == ["2020"]


def test_a_year_gone_loses_its_part_and_a_new_year_gets_one(tmp_path: Path) -> None:
    """The search page names the parts: it changes with them."""
    site = _example_site(tmp_path / "site")
    out = site / "public"
    assert build(site).indexed is not None
    before, pages, indexed = _part_files(out), _pages(out), _indexed(out)
    briefings = site / "content" / "briefings"
    for path in briefings.glob("2011-04-13-nasa-shuttle-anniversary.*"):
        path.unlink()
    assert build(site).ok
    after = _part_files(out)
    assert sorted(after) == sorted(before.keys() - {"2011"})
    written = _written((pages, _pages(out)), (indexed, _indexed(out)))
    assert after.keys() - written
    for part in sorted(after.keys() - written):
        assert after[part] == before[part], part
    page = (out / "search" / "index.html").read_text("utf-8")
    assert 'data-parts="2025 2023 2022 2020 2016 2015"' in page

    slug = "2025-02-13-trump-modi-press-conference"
    _edit(briefings / f"{slug}.yaml", "published: 2025-02-13", "published: 2026-02-13")
    assert build(site).indexed is not None
    assert sorted(_part_files(out)) == ["2015", "2016", "2020", "2022", "2023", "2026"]
    assert list(_indexed(out)["2026"]) == [f"/briefings/{slug}/"]
    page = (out / "search" / "index.html").read_text("utf-8")
    assert 'src="../pagefind/2026/pagefind-ui.js"' in page
    assert 'data-parts="2026 2023 2022 2020 2016 2015"' in page


def test_a_year_that_crosses_the_limit_is_split_and_the_other_parts_are_left_alone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With at most two briefings a part, the example site's 2022 (January,
    April twice) is in quarters and its 2023 (February, June, October) in
    halves. A year that falls to the limit becomes one part again and one
    that crosses it is split: that year's old parts are taken away and its
    new ones made; the other parts are left as they are, but those of pages
    the move changed (its neighbours and related briefings)."""
    monkeypatch.setattr(search, "LIMIT", 2)
    site = _example_site(tmp_path / "site")
    out = site / "public"
    briefings = site / "content" / "briefings"
    assert build(site).indexed is not None
    indexed = _indexed(out)
    assert sorted(indexed) == ["2011", "2015", "2016", "2020", "2022-q1", "2022-q2",
                               "2023-h1", "2023-h2", "2025"]
    for part, pages in indexed.items():
        days = [date.fromisoformat(url.split("/")[2][:10]) for url in pages]
        assert all(f"{day.year:04d}" == part[:4] and day.month in _months(part)
                   for day in days), part
        assert all(page["filters"]["year"] == [part[:4]] for page in pages.values())
    page = (out / "search" / "index.html").read_text("utf-8")
    assert 'src="../pagefind/2025/pagefind-ui.js"' in page
    assert 'data-parts="2025 2023-h2 2023-h1 2022-q2 2022-q1 2020 2016 2015 2011"' in page

    # 2022 falls to two briefings, one part; 2025 rises to two, still one.
    before, pages, indexed = _part_files(out), _pages(out), _indexed(out)
    _edit(briefings / "2022-04-14-jean-pierre-gaggle-greensboro.yaml",
          "published: 2022-04-14", "published: 2025-09-14")
    assert build(site).indexed is not None
    after = _part_files(out)
    assert sorted(after) == ["2011", "2015", "2016", "2020", "2022", "2023-h1", "2023-h2",
                             "2025"]
    written = _written((pages, _pages(out)), (indexed, _indexed(out)))
    assert {"2022-q1", "2022-q2", "2025"} <= written and after.keys() - written
    for part in sorted(after.keys() - written - {"2022"}):
        assert after[part] == before[part], part
    # 2025 crosses the limit (February, September, November): halves.
    before, pages, indexed = after, _pages(out), _indexed(out)
    _edit(briefings / "2020-01-23-putin-netanyahu-jerusalem.yaml",
          "published: 2020-01-23", "published: 2025-11-23")
    assert build(site).indexed is not None
    after = _part_files(out)
    assert sorted(after) == ["2011", "2015", "2016", "2022", "2023-h1", "2023-h2",
                             "2025-h1", "2025-h2"]
    written = _written((pages, _pages(out)), (indexed, _indexed(out)))
    assert {"2020", "2025"} <= written and after.keys() - written
    for part in sorted(after.keys() - written - {"2025-h1", "2025-h2"}):
        assert after[part] == before[part], part
    indexed = _indexed(out)
    assert sorted(indexed["2025-h2"]) == [
        "/briefings/2020-01-23-putin-netanyahu-jerusalem/",
        "/briefings/2022-04-14-jean-pierre-gaggle-greensboro/"]
    page = (out / "search" / "index.html").read_text("utf-8")
    assert 'data-parts="2025-h2 2025-h1 2023-h2 2023-h1 2022 2016 2015 2011"' in page
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".public.")
            and p.name != ".public.recycled"] \
        == [".public.lock"]


def test_the_single_index_of_an_older_build_is_replaced_by_parts(tmp_path: Path) -> None:
    """An output indexed whole (``pagefind/pagefind-entry.json`` and the rest,
    as builds made before the index was in parts) gets its parts from the next
    build, though no page changed, and keeps nothing of the single index."""
    site = _site(tmp_path / "site")
    out = site / "public"
    assert build(site).indexed is not None
    shutil.rmtree(out / "pagefind")
    subprocess.run([str(get_executable()), "--site", str(out), "--glob", "briefings/*/index.html",
                    "--silent"], check=True, capture_output=True)
    assert (out / "pagefind" / "pagefind-entry.json").is_file()
    again = build(site)
    assert again.ok and again.written == 0 and again.indexed is not None
    assert sorted(p.name for p in (out / "pagefind").iterdir()) == ["2022"]
    assert sorted(_fragments(out)) == ["/briefings/2022-01-10-csto/",
                                       "/briefings/2022-11-22-press-briefing/"]
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".public.")
            and p.name != ".public.recycled"] \
        == [".public.lock"]


def test_a_site_with_no_briefing_has_no_index_and_says_so(tmp_path: Path) -> None:
    site = _site(tmp_path / "site")
    out = site / "public"
    assert build(site).indexed is not None
    for path in (site / "content" / "briefings").iterdir():
        path.unlink()
    built = build(site)
    assert built.ok and built.indexed is None
    assert not (out / "pagefind").exists()
    page = (out / "search" / "index.html").read_text("utf-8")
    assert "nothing to search yet" in page and "pagefind-ui.js" not in page
