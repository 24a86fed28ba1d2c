"""Format 1.1's drafts and the order of the home page and the feed: a briefing
marked ``draft: true`` is checked and left out until it is published; a newly
annotated or updated old text comes up first."""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_serve import serving

from conftest import SITES, output_tree, run_cli

OLDER = "2022-01-10-csto"  # published before the other briefing of the site
NEWER = "2022-11-22-press-briefing"


def _append(site: Path, slug: str, extra: str) -> None:
    path = site / "content" / "briefings" / f"{slug}.yaml"
    path.write_text(path.read_text("utf-8") + extra, "utf-8")


def _published(site: Path) -> dict[str, str]:
    """Each file of the output folder, by path, as text (the search index's
    files are compared in its fragments: see conftest.output_tree)."""
    out = site / "public"
    return {path: data.decode("utf-8") for path, data in output_tree(out).items()
            if path.endswith((".html", ".xml", ".json"))}


def _home_order(site: Path) -> list[str]:
    home = (site / "public" / "index.html").read_text("utf-8")
    return list(dict.fromkeys(re.findall(r'href="briefings/([^/"]+)/"', home)))


def _feed_entries(site: Path) -> list[tuple[str, str]]:
    feed = (site / "public" / "feed.xml").read_text("utf-8")
    return re.findall(r"<id>[^<]*/briefings/([^/<]+)/</id>\s*<published>[^<]*</published>\s*"
                      r"<updated>([^<]*)</updated>", feed)


def test_a_draft_is_left_out_of_every_page_until_published(copy_site) -> None:
    site = copy_site(SITES / "good")
    _append(site, NEWER, "draft: true\n")
    built = run_cli("build", "--strict", "--site", site)
    assert built.code == 0, built.err
    assert "1 briefing," in built.out and "1 draft left out" in built.out
    files = _published(site)
    assert not (site / "public" / "briefings" / NEWER).exists()
    assert not any(NEWER in text for text in files.values())  # home, feed, sitemap, data...
    assert [b["slug"] for b in json.loads(files["data/briefings.json"])["briefings"]] == [OLDER]

    with_drafts = run_cli("build", "--strict", "--drafts", "--site", site)
    assert with_drafts.code == 0, with_drafts.err
    page = (site / "public" / "briefings" / NEWER / "index.html").read_text("utf-8")
    assert '<p class="draft-banner" role="note"><strong>Draft.</strong>' in page
    assert NEWER in (site / "public" / "index.html").read_text("utf-8")
    older = (site / "public" / "briefings" / OLDER / "index.html").read_text("utf-8")
    assert "draft-banner" not in older

    # Built again without drafts, from the cache: the same as the first build.
    again = run_cli("build", "--strict", "--site", site)
    assert again.code == 0, again.err
    assert _published(site) == files

    # Published: the line removed, it is everywhere.
    path = site / "content" / "briefings" / f"{NEWER}.yaml"
    path.write_text(path.read_text("utf-8").replace("draft: true\n", ""), "utf-8")
    published = run_cli("build", "--strict", "--site", site)
    assert published.code == 0 and "draft" not in published.out
    assert "draft-banner" not in (site / "public" / "briefings" / NEWER / "index.html").read_text()


def test_a_draft_is_checked_like_any_briefing(copy_site) -> None:
    site = copy_site(SITES / "good")
    _append(site, NEWER, "draft: yes please\n")
    bad = run_cli("build", "--site", site)
    assert bad.code == 1
    lines = (site / "content" / "briefings" / f"{NEWER}.yaml").read_text().splitlines()
    line = lines.index("draft: yes please") + 1
    assert (f"content/briefings/{NEWER}.yaml:{line}:8: error: 'draft' must be true or false, "
            "not 'yes please'.") in bad.err
    path = site / "content" / "briefings" / f"{NEWER}.yaml"
    path.write_text(path.read_text().replace("draft: yes please", "draft: true")
                    .replace("quote: ", "quote: Words nowhere in the article ", 1), "utf-8")
    broken = run_cli("build", "--site", site)
    assert broken.code == 1 and "not found in the article" in broken.err, broken.err


def test_a_related_link_to_a_draft_waits_for_it(copy_site) -> None:
    site = copy_site(SITES / "good")
    _append(site, NEWER, "draft: true\n")  # the other names it in 'related'
    built = run_cli("build", "--strict", "--site", site)
    assert built.code == 0, built.err
    older = (site / "public" / "briefings" / OLDER / "index.html").read_text("utf-8")
    assert NEWER not in older
    assert run_cli("build", "--strict", "--drafts", "--site", site).code == 0
    older = (site / "public" / "briefings" / OLDER / "index.html").read_text("utf-8")
    assert f"../{NEWER}/" in older


def test_serve_shows_drafts_with_their_banner(copy_site) -> None:
    site = copy_site(SITES / "good")
    _append(site, NEWER, "draft: true\n")
    with serving(site) as served:
        status, _, body = served.get(f"/briefings/{NEWER}/")
        assert status == 200
        assert b'class="draft-banner"' in body


def test_a_newly_annotated_old_text_comes_up_first(copy_site) -> None:
    site = copy_site(SITES / "good")
    assert run_cli("build", "--strict", "--site", site).code == 0
    assert _home_order(site) == [NEWER, OLDER]  # by publication
    assert [slug for slug, _ in _feed_entries(site)] == [NEWER, OLDER]

    _append(site, OLDER, "annotated_on: 2024-03-01\n")
    assert run_cli("build", "--strict", "--site", site).code == 0
    assert _home_order(site) == [OLDER, NEWER]
    assert _feed_entries(site)[0] == (OLDER, "2024-03-01T00:00:00Z")
    feed = (site / "public" / "feed.xml").read_text("utf-8")
    assert re.search(r"<id>[^<]*</id>\s*<updated>2024-03-01T00:00:00Z</updated>", feed)

    # An update of the other, later still, brings it back up: built from the
    # cache, the pages are those of a clean build.
    _append(site, NEWER, "updates:\n  - date: 2024-06-01\n    note: A quote added.\n")
    assert run_cli("build", "--strict", "--site", site).code == 0
    assert _home_order(site) == [NEWER, OLDER]
    incremental = _published(site)
    assert run_cli("build", "--strict", "--no-cache", "--site", site).code == 0
    assert _published(site) == incremental
