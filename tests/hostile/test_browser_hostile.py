"""A site built from hostile content, opened page by page in headless
Chromium: no dialog opens, no injected script runs, nothing is fetched from
anywhere but the site itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Request

from conftest import serve
from hostile import MARKDOWN_LINKS, PAYLOADS, build_site, make_site

# Payloads that leave a trace if they run, besides the alert() of the others.
TRACE = "window.__pwned = (window.__pwned || 0) + 1"
TRACERS = [
    f"<script>{TRACE}</script>",
    f"<img src=x onerror=\"{TRACE}\">",
    f"<svg onload=\"{TRACE}\"></svg>",
    f"</script><script>{TRACE}</script>",
    f"<details open ontoggle=\"{TRACE}\">",
    f"[click](javascript:{TRACE})",
    f"<a href=\"javascript:{TRACE}\" id=\"clickme\">clickme</a>",
]


BASE_URL = "https://example.org/h/"


def _site(root: Path, raw_html: str) -> Path:
    """One briefing and one speaker per payload, the payload in every field."""
    speakers, briefings = [], {}
    for n, payload in enumerate(PAYLOADS + TRACERS + [m for m, _ in MARKDOWN_LINKS]):
        text = json.dumps(payload)
        speakers.append(f"s{n}:\n  name: {text}\n  role: {text}\n  aliases: [{text}]\n"
                        f"  description: {text}\n  links:\n    {text}: https://example.org/\n")
        article = f"S{n} said the talks were over.\n\n{payload}\n\n**Q:** {payload}\n"
        briefings[f"2022-01-{n % 28 + 1:02d}-payload-{n}"] = (article, f"""title: {text}
subtitle: {text}
source:
  outlet: {text}
  published: 2022-01-{n % 28 + 1:02d}
  author: {text}
  license: {text}
summary: {text}
tags: [{json.dumps(f"{n} {payload}")}]
transcript:
  labels:
    Q: null
  occasion: {text}
quotes:
  - speaker: s{n}
    quote: the talks were over
    occasion: {text}
    note: {text}
events:
  - date: 2022-02-{n % 28 + 1:02d}
    summary: {text}
notes:
  - anchor: talks
    note: {text}
""")
    site = (f"title: {json.dumps(PAYLOADS[0])}\nbase_url: {BASE_URL}\n"
            f"description: {json.dumps(TRACERS[1])}\nraw_html: {raw_html}\n")
    return make_site(root, site=site, speakers="".join(speakers), briefings=briefings)


@pytest.fixture(scope="module", params=["text", "sanitise"])
def hostile_site(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[str]]]:
    built = build_site(_site(tmp_path_factory.mktemp("hostile") / "site", request.param))
    assert built.errors == []
    pages = sorted(p.relative_to(built.out).as_posix() for p in built.out.rglob("*.html"))
    if request.param == "sanitise":  # only articles differ: their pages are enough
        pages = [p for p in pages if p.startswith("briefings/")]
    with serve(built.out) as url:
        yield url, pages


def test_no_payload_runs_on_any_page(hostile_site: tuple[str, list[str]],
                                     browser: Browser) -> None:
    url, pages = hostile_site
    assert len([p for p in pages if p.startswith("briefings/")]) == len(
        PAYLOADS + TRACERS + MARKDOWN_LINKS)
    context = browser.new_context(java_script_enabled=True)
    dialogs: list[str] = []
    foreign: list[str] = []

    def outside(request: Request) -> None:
        # The 404 page links its style by base_url, to work at any depth: that is
        # the site itself, as deployed, and is not fetched here.
        if not request.url.startswith((url, "data:", BASE_URL)):
            foreign.append(request.url)

    context.on("request", outside)
    context.route(BASE_URL + "**", lambda route: route.abort())
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    ran: dict[str, object] = {}
    for path in pages:
        page.goto(url + path, wait_until="load")
        clickable = page.locator("#clickme")
        if clickable.count():  # a link a reader might click: it must lead nowhere
            clickable.first.click()
        if page.evaluate("window.__pwned") is not None:
            ran[path] = page.evaluate("window.__pwned")
    context.close()
    assert dialogs == []
    assert ran == {}
    assert foreign == []
