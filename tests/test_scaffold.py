"""Starting a site and a briefing as a new user does: ``init``, ``new``, then a build."""

from __future__ import annotations

import html
import re
from pathlib import Path

import yaml

from conftest import ROOT, run_cli

TASS = ROOT / "content" / "briefings" / "2022-01-10-putin-csto-kazakhstan.md"


def test_init_makes_a_site_that_builds_strictly_at_once(tmp_path: Path) -> None:
    site = tmp_path / "newsroom-briefings"
    made = run_cli("init", site)
    assert made.code == 0, made.err
    for name in ("site.yaml", "content/speakers.yaml", ".gitignore",
                 ".github/workflows/pages.yml"):
        assert (site / name).is_file(), name
    assert len(list((site / "content" / "briefings").glob("*.yaml"))) == 1
    built = run_cli("build", "--strict", "--site", site)
    assert built.code == 0, built.err
    assert built.err == ""  # not one warning
    assert built.out.startswith("built 1 briefing, 1 speaker, ")
    page = next((site / "public" / "briefings").glob("*/index.html")).read_text("utf-8")
    # The sample shows each kind of annotation.
    assert '<mark class="quote' in page and 'class="event-anchor"' in page
    assert 'class="note-anchor"' in page
    assert "briefings build" in made.out  # it says what to do next


def test_init_comments_every_setting_and_ignores_what_builds_write(tmp_path: Path) -> None:
    assert run_cli("init", "--site", tmp_path).code == 0
    lines = (tmp_path / "site.yaml").read_text("utf-8").splitlines()
    keys = [i for i, line in enumerate(lines) if re.match(r"^[a-z_]+:", line)]
    assert len(keys) >= 8
    for i in keys:
        assert lines[i - 1].startswith("#"), f"no comment above {lines[i]!r}"
    ignored = (tmp_path / ".gitignore").read_text("utf-8").splitlines()
    for pattern in ("/public/", ".cache/", "/.public.lock", "/.public.recycled/"):
        assert pattern in ignored
    workflow = yaml.safe_load((tmp_path / ".github/workflows/pages.yml").read_text("utf-8"))
    steps = [step.get("run", "") for step in workflow["jobs"]["build"]["steps"]]
    assert "briefings build --strict --out public" in steps


def test_init_refuses_a_folder_that_holds_a_site_and_overwrites_nothing(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Mine\n")
    refused = run_cli("init", tmp_path)
    assert refused.code == 1
    assert "already holds a site" in refused.err
    assert (tmp_path / "site.yaml").read_text() == "title: Mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site.yaml"]

    other = tmp_path / "other"
    other.mkdir()
    (other / ".gitignore").write_text("mine\n")
    refused = run_cli("init", other)
    assert refused.code == 1
    assert ".gitignore' exists already; nothing was written" in refused.err
    assert sorted(p.name for p in other.iterdir()) == [".gitignore"]
    assert (other / ".gitignore").read_text() == "mine\n"


def test_new_makes_a_briefing_pair_that_builds(tmp_path: Path) -> None:
    assert run_cli("init", tmp_path).code == 0
    made = run_cli("new", "2026-01-05-council-vote", "--title", "Council votes: yes",
                   "--site", tmp_path)
    assert made.code == 0, made.err
    folder = tmp_path / "content" / "briefings"
    data = yaml.safe_load((folder / "2026-01-05-council-vote.yaml").read_text("utf-8"))
    assert data["title"] == "Council votes: yes"
    assert set(data["source"]) == {"outlet", "published"}
    assert str(data["source"]["published"]) == "2026-01-05"  # from the slug
    annotations = (folder / "2026-01-05-council-vote.yaml").read_text("utf-8")
    for commented in ("# quotes:", "# events:", "# notes:", "# tags:", "# url:"):
        assert commented in annotations
    built = run_cli("build", "--site", tmp_path)
    assert built.code == 0, built.err
    assert built.out.startswith("built 2 briefings, ")


def test_new_refuses_a_bad_slug_and_an_existing_briefing(tmp_path: Path) -> None:
    assert run_cli("init", tmp_path).code == 0
    bad = run_cli("new", "Council Vote!", "--site", tmp_path)
    assert bad.code == 1
    assert "'Council Vote!' is not a valid slug" in bad.err
    assert "'council-vote'" in bad.err
    sample = next((tmp_path / "content" / "briefings").glob("*.md"))
    before = sample.read_bytes()
    again = run_cli("new", sample.stem, "--site", tmp_path)
    assert again.code == 1
    assert "exists already; nothing was written" in again.err
    assert sample.read_bytes() == before
    outside = run_cli("new", "x", "--site", tmp_path / "nowhere")
    assert outside.code == 2
    assert "no site.yaml" in outside.err


def _news_page(markdown: str) -> str:
    """The TASS story as a news site serves it: navigation, share buttons, a
    related-stories box and a footer around the article, metadata in the head."""
    paragraphs = [p.strip() for p in markdown.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Destructive forces posed danger to Kazakhstan, Putin says -
Russian Politics &amp; Diplomacy - TASS</title>
<meta property="og:title" content="Destructive forces, not popular protests posed danger
to Kazakhstan, Putin emphasizes">
<meta property="og:site_name" content="TASS">
<meta property="og:url" content="https://tass.com/politics/1386841">
<meta property="article:published_time" content="2022-01-10T12:41:00+03:00">
<meta name="author" content="TASS">
<link rel="canonical" href="https://tass.com/politics/1386841">
</head><body>
<header><nav><a href="/">Home</a> <a href="/politics">Politics</a> <a href="/world">World</a>
<a href="/economy">Business &amp; Economy</a> <a href="/society">Society</a></nav></header>
<div class="share">Share on Facebook · Share on Twitter · Copy link</div>
<main><article>
<h1>Destructive forces, not popular protests posed danger to Kazakhstan, Putin emphasizes</h1>
<div class="byline"><time datetime="2022-01-10T12:41:00+03:00">10 JAN, 12:41</time></div>
{body}
</article>
<aside class="related"><h2>Read also</h2><ul><li><a href="/a">CSTO peacekeepers begin
withdrawal</a></li><li><a href="/b">Tokayev names new cabinet</a></li></ul></aside></main>
<footer><p>© 2022 TASS. All rights reserved. Subscribe to our newsletter.</p>
<p>Terms of use · Privacy policy · Contacts</p></footer>
</body></html>"""


def test_new_from_a_news_page_takes_its_text_and_metadata(tmp_path: Path) -> None:
    assert run_cli("init", tmp_path).code == 0
    page = tmp_path / "saved-page.html"
    page.write_text(_news_page(TASS.read_text("utf-8")), "utf-8")
    made = run_cli("new", "2022-01-10-putin-csto", "--from", page, "--site", tmp_path)
    assert made.code == 0, made.err
    folder = tmp_path / "content" / "briefings"
    article = (folder / "2022-01-10-putin-csto.md").read_text("utf-8")
    paragraphs = [p for p in article.split("\n\n") if p.strip()]
    assert not article.startswith("#")  # the headline is the title, not the text
    assert len(paragraphs) >= 10  # paragraphs kept, not run together
    assert "Russia comprehends that the danger to Kazakhstan" in article
    for chrome in ("Share on Facebook", "Read also", "Privacy policy", "Business & Economy"):
        assert chrome not in article
    data = yaml.safe_load((folder / "2022-01-10-putin-csto.yaml").read_text("utf-8"))
    assert data["title"].startswith("Destructive forces, not popular protests")
    assert data["source"]["outlet"] == "TASS"
    assert str(data["source"]["published"]) == "2022-01-10"
    assert data["source"]["url"] == "https://tass.com/politics/1386841"
    built = run_cli("build", "--site", tmp_path)
    assert built.code == 0, built.err


def test_new_from_a_text_file_keeps_it_verbatim(tmp_path: Path) -> None:
    assert run_cli("init", tmp_path).code == 0
    text = TASS.read_text("utf-8")
    made = run_cli("new", "tass", "--from", TASS, "--site", tmp_path)
    assert made.code == 0, made.err
    assert (tmp_path / "content/briefings/tass.md").read_text("utf-8") == text
