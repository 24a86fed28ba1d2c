"""One page of every page type of the example site, checked with axe-core in
headless Chromium, in the light and in the dark colour scheme: no violation
of impact "serious" or "critical" (missing names, contrast, nested controls...).

axe-core comes bundled in the axe-playwright-python package: nothing is
downloaded while the tests run. The site is served from a sub-path, as in
test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Route

from conftest import EXAMPLE_BASE_URL, SITES, run_cli, serve

SEED = "2022-01-10-putin-csto-kazakhstan"
PAGES = {
    "home": "",
    "briefing": f"briefings/{SEED}/",
    "transcript": "briefings/2022-04-14-jean-pierre-gaggle-greensboro/",
    "speakers": "speakers/",
    "speaker": "speakers/vladimir-putin/",
    "dates": "dates/",
    "day": "dates/2022-01-10/",
    "tags": "tags/",
    "tag": "tags/csto/",
    "404": "404.html",
    "search": "search/?q=protesting",  # with its results, sub-results and filters
}
BLOCKING = ("serious", "critical")
THEME_BACKGROUND = "getComputedStyle(document.documentElement).getPropertyValue('--bg')"
AXE = Axe()


def _serve_base_url_from(page: Page, site_url: str) -> None:
    """The 404 page links to its stylesheet and pages by absolute URL under
    base_url, since a host may serve it at any depth: answer those requests
    from the local server, as the real host would."""

    def answer(route: Route) -> None:
        path = route.request.url.removeprefix(EXAMPLE_BASE_URL)
        route.fulfill(response=page.request.get(site_url + path))

    page.route(EXAMPLE_BASE_URL + "**", answer)


def blocking_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the open page, one line
    per element: rule id, impact, target and the rule's help text."""
    results = AXE.run(page).response
    return [f"{v['id']} ({v['impact']}) at {' '.join(node['target'])}: {v['help']}"
            for v in results["violations"] if v["impact"] in BLOCKING
            for node in v["nodes"]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", PAGES)
def test_every_page_type_has_no_serious_accessibility_violation(
        page: Page, site_url: str, kind: str, scheme: str) -> None:
    _serve_base_url_from(page, site_url)
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + PAGES[kind])
    # The theme's stylesheet is applied: otherwise the contrast checks would
    # test the browser's default colours, not the theme's.
    assert page.evaluate(THEME_BACKGROUND) != ""
    if kind == "search":  # Pagefind's interface, drawn once the index has answered
        page.locator(".pagefind-ui__result-link").first.wait_for()
    violations = blocking_violations(page)
    assert violations == [], f"{kind} page, {scheme} scheme:\n" + "\n".join(violations)


# The pages of the fixture site of dates given as a month or a year (format 1.1).
VAGUE_PAGES = {
    "month": "dates/2021-09/",
    "year": "dates/2014/",
    "dates with months and years": "dates/",
    "briefing with months and years": "briefings/2021-11-20-gas-prices/",
}


@pytest.fixture(scope="module")
def vague_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("vague") / "public"
    result = run_cli("build", "--no-cache", "--site", SITES / "vague-dates", "--out", out)
    assert result.code == 0, result.err
    with serve(Path(out)) as root:
        yield root


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", VAGUE_PAGES)
def test_the_pages_of_months_and_years_have_no_serious_accessibility_violation(
        page: Page, vague_site_url: str, kind: str, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(vague_site_url + VAGUE_PAGES[kind])
    assert page.evaluate(THEME_BACKGROUND) != ""
    violations = blocking_violations(page)
    assert violations == [], f"{kind} page, {scheme} scheme:\n" + "\n".join(violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_footnotes_on_a_phone_have_no_serious_accessibility_violation(
        page: Page, site_url: str, scheme: str) -> None:
    # On narrow screens the notes are footnotes, hidden on wide ones.
    page.set_viewport_size({"width": 375, "height": 800})
    page.emulate_media(color_scheme=scheme)
    page.goto(site_url + PAGES["briefing"])
    assert page.locator(".footnotes").is_visible()
    violations = blocking_violations(page)
    assert violations == [], f"briefing page on a phone, {scheme} scheme:\n" + "\n".join(violations)
