"""The example site in a real browser (headless Chromium driven by Playwright),
served by a real HTTP server from a sub-path, as a static host would (the
fixtures site_url, browser and page are in conftest.py)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page

SEED = "2022-01-10-putin-csto-kazakhstan"


def test_from_home_to_a_quote_and_back_through_the_speaker(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.get_by_role("link", name="Destructive forces, not popular protests").first.click()
    assert page.url.endswith(f"/deep/briefings/briefings/{SEED}/")
    page.locator(".speakers-box").get_by_role("link", name="Vladimir Putin").click()
    assert page.url.endswith("/speakers/vladimir-putin/")
    page.locator(f'a.passage[href*="{SEED}/#"]').first.click()
    target = page.locator(":target")
    assert target.get_attribute("data-speaker") == "vladimir-putin"
    assert target.get_attribute("class").startswith("quote")


def test_hovering_or_focusing_a_quote_names_its_speaker(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}briefings/{SEED}/")
    quote = page.locator("mark.quote[id]").first
    after = "el => getComputedStyle(el, '::after').content"
    assert quote.evaluate(after) in ("none", "normal", "")
    quote.hover()
    assert quote.evaluate(after) == '"Vladimir Putin"'
    page.mouse.move(0, 0)
    quote.focus()
    assert quote.evaluate(after) == '"Vladimir Putin"'


def test_keyboard_reaches_the_skip_link_first(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")


def test_side_notes_on_wide_screens_footnotes_on_phones(browser: Browser, site_url: str) -> None:
    for width, sidenote, footnotes in ((1400, True, False), (375, False, True)):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.goto(f"{site_url}briefings/{SEED}/")
        assert page.locator(".sidenote").first.is_visible() is sidenote
        box = page.locator(".footnotes").bounding_box()
        assert (box is not None and box["width"] > 100) is footnotes
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{width}px wide page scrolls sideways by {overflow}px"
        context.close()


def test_every_page_type_fits_a_phone(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ("", "speakers/", "speakers/vladimir-putin/", "dates/", "dates/2022-01-10/",
                 "tags/", "tags/united-states/", f"briefings/{SEED}/",
                 "briefings/2022-04-14-jean-pierre-gaggle-greensboro/"):
        page.goto(site_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path or 'home'} scrolls sideways by {overflow}px"
    context.close()


def test_dark_mode_changes_the_colours(browser: Browser, site_url: str) -> None:
    colours = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(site_url)
        colours.append(page.evaluate("getComputedStyle(document.body).backgroundColor"))
        context.close()
    assert colours[0] != colours[1]


def test_screenshot_of_a_briefing_page(page: Page, site_url: str, tmp_path: Path) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{site_url}briefings/{SEED}/#vladimir-putin-we-understand-that-the-threat")
    shot = tmp_path / "briefing.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000


def test_the_speakers_of_each_briefing_page_get_different_colours(
        browser: Browser, site_url: str, example_site: Path) -> None:
    """In light and dark modes: each speaker's quotes and turns in one colour,
    and no two speakers of a page in the same one."""
    slugs = sorted(p.name for p in (example_site / "briefings").iterdir() if p.is_dir())
    assert len(slugs) >= 10
    colours_of = """() => {
        const seen = {};
        for (const el of document.querySelectorAll('.article-body [data-speaker]')) {
            const style = getComputedStyle(el);
            const colour = el.matches('mark') ? style.backgroundColor : style.borderLeftColor;
            const kind = el.matches('mark') ? 'quote' : 'turn';
            (seen[el.dataset.speaker] ||= {quote: new Set(), turn: new Set()})[kind].add(colour);
        }
        return Object.fromEntries(Object.entries(seen).map(
            ([s, c]) => [s, {quote: [...c.quote], turn: [...c.turn]}]));
    }"""
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        several = 0
        for slug in slugs:
            page.goto(f"{site_url}briefings/{slug}/")
            found = page.evaluate(colours_of)
            for kind in ("quote", "turn"):
                by_speaker = {s: c[kind] for s, c in found.items() if c[kind]}
                assert all(len(c) == 1 for c in by_speaker.values()), (slug, kind, by_speaker)
                colours = [c[0] for c in by_speaker.values()]
                assert len(set(colours)) == len(colours), (slug, scheme, kind, by_speaker)
            several += len(found) > 1
        assert several >= 3  # pages where several speakers meet
        context.close()


def test_the_404_page_is_styled_wherever_it_is_served_from(
        page: Page, example_site: Path, tmp_path: Path) -> None:
    """A host serves it at the address that was not found, at any depth, and
    before the site is deployed at base_url: alone in a folder, it is styled."""
    alone = tmp_path / "some" / "deep" / "missing"
    alone.mkdir(parents=True)
    (alone / "index.html").write_bytes((example_site / "404.html").read_bytes())
    page.goto(alone.as_uri() + "/index.html")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == \
        "rgb(253, 252, 250)"  # the theme's --bg
    heading = page.locator("h1")
    assert heading.inner_text() == "Page not found"
    assert page.evaluate("document.styleSheets.length") == 1
    assert page.evaluate("getComputedStyle(document.querySelector('.skip-link')).position") \
        == "absolute"
