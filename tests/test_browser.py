"""The example site in a real browser (headless Chromium driven by Playwright),
served by a real HTTP server from a sub-path, as a static host would (the
fixtures site_url, browser and page are in conftest.py)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from builder import search
from builder.pipeline import build

from conftest import ROOT, serve

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
    # (The jump to the fragment is a navigation: the address changes when it is done.)
    expect(page).to_have_url(re.compile(r"#main$"))


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


def test_lists_use_a_wide_screen_and_their_prose_keeps_its_measure(
        browser: Browser, site_url: str) -> None:
    """On a wide screen the cards of the home, speaker and day pages stand in
    two columns across the page's width, the header's; on a phone in one. The
    lines of prose above them stay short enough to read."""
    for width, columns in ((1400, 2), (390, 1)):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        for path, card in (("", ".briefing-item"), ("speakers/vladimir-putin/", ".quote-item"),
                           ("dates/2022-01-10/", ".quote-item")):
            page.goto(site_url + path)
            boxes = [page.locator(card).nth(n).bounding_box() for n in range(2)]
            assert all(boxes), path
            side_by_side = abs(boxes[0]["y"] - boxes[1]["y"]) < 1
            assert side_by_side is (columns == 2), (width, path)
            header = page.locator(".site-header").bounding_box()
            right = boxes[1]["x"] + boxes[1]["width"]
            if columns == 2:
                assert right > header["x"] + header["width"] * 0.8, (path, right)
            prose = page.locator("main p").first.bounding_box()
            assert prose["width"] <= 41 * 16, (path, prose["width"])  # the measure, 40rem
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


def test_turns_name_their_speaker_and_events_do_not_look_like_links(
        page: Page, site_url: str) -> None:
    page.goto(f"{site_url}briefings/2022-04-11-biden-modi-virtual-meeting/")
    turn = page.locator(".turn[id]").first
    name = turn.evaluate("el => getComputedStyle(el, '::before').content")
    assert name == f'"{turn.get_attribute("data-speaker-name")}"' and len(name) > 4
    event = page.locator(".event-anchor").first
    link = page.locator(".article-body a[href]").first
    looks = ("el => [getComputedStyle(el).textDecorationLine, "
             "getComputedStyle(el).borderBottomStyle]")
    assert event.evaluate(looks) == ["none", "dashed"]
    assert link.evaluate(looks)[0] == "underline"


def test_small_links_are_targets_of_24_pixels_on_a_phone(browser: Browser, site_url: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{site_url}briefings/{SEED}/")
    targets = page.locator(".note-ref a, .footnotes .backref")
    assert targets.count() >= 4
    for index in range(targets.count()):
        box = targets.nth(index).bounding_box()
        assert box and box["width"] >= 24 and box["height"] >= 24, box
    # The way back from a footnote stays on the line of its note.
    first = page.locator(".footnotes li").first
    assert first.evaluate("li => li.getClientRects().length") == 1
    back = first.locator(".backref").bounding_box()
    text = first.locator("p").last.bounding_box()
    assert back and text and back["y"] < text["y"] + text["height"]
    context.close()


# -- search (Pagefind, over the index the build made) ---------------------------

QUOTE = "vladimir-putin-those-who-were-protesting-the-gas-market"
QUOTE_2025 = "narendra-modi-when-america-and-india-work-together-that-is"


def _results(page: Page) -> list[str]:
    """The links of the results the search page shows, once it shows them."""
    page.locator(".pagefind-ui__result").first.wait_for()
    # (Each result is drawn first, then filled in when its page's data comes.)
    page.wait_for_function("""() => [...document.querySelectorAll('.pagefind-ui__result')]
        .every(r => r.querySelector('.pagefind-ui__result-link'))""")
    return page.eval_on_selector_all(".pagefind-ui__result-link", "els => els.map(e => e.href)")


def test_a_word_of_a_quote_found_from_the_header_opens_its_passage(
        page: Page, site_url: str) -> None:
    page.goto(f"{site_url}speakers/")
    page.get_by_role("search").get_by_role("searchbox").fill("protesting")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=protesting")
    assert page.url == f"{site_url}search/?q=protesting"
    links = _results(page)
    assert f"{site_url}briefings/{SEED}/#{QUOTE}" in links
    page.locator(f'.pagefind-ui__result-link[href$="#{QUOTE}"]').click()
    page.wait_for_url(f"**/briefings/{SEED}/#{QUOTE}")
    target = page.locator(":target")
    assert target.evaluate("el => el.localName") == "mark"
    assert target.get_attribute("id") == QUOTE
    assert "protesting" in target.inner_text()


def test_the_search_page_shows_the_results_of_its_address_on_load(
        page: Page, site_url: str) -> None:
    page.goto(f"{site_url}search/?q=peacekeepers")
    assert page.locator(".pagefind-ui__search-input").input_value() == "peacekeepers"
    links = _results(page)
    assert links and all(link.startswith(f"{site_url}briefings/") for link in links)
    assert page.locator(".pagefind-ui__message").inner_text().endswith("for peacekeepers")
    # In the theme's type, like the rest of the site, not Pagefind's own.
    for element in (".pagefind-ui__result-title", ".pagefind-ui__result-excerpt"):
        font = page.locator(element).first.evaluate("e => getComputedStyle(e).fontFamily")
        assert font.startswith('"Source Sans 3"'), (element, font)


def _count(page: Page) -> int:
    """The number of results the search page says it found."""
    message = page.locator(".pagefind-ui__message")
    message.filter(has_text=re.compile(r"^\d+ results? for ")).wait_for()
    return int(message.inner_text().split()[0])


def test_the_speaker_filter_narrows_the_results(page: Page, site_url: str) -> None:
    page.goto(f"{site_url}search/?q=president")
    every = _count(page)
    page.locator("summary", has_text="speaker").click()
    page.locator('input[name="speaker"][value="Vladimir Putin"]').check()
    page.wait_for_function(
        "n => !document.querySelector('.pagefind-ui__message').innerText.startsWith(n + ' ')",
        arg=every)
    narrowed = _count(page)
    assert 0 < narrowed < every
    links = {link.split("#")[0] for link in _results(page)}
    assert len(links) == narrowed
    for link in links:
        page.goto(link)
        assert page.locator(".speakers-box").get_by_role("link", name="Vladimir Putin").count()


def test_one_search_finds_quotes_of_several_years_in_one_list(page: Page, site_url: str) -> None:
    """The index is in parts, one a year (2025, the newest, is the one the page
    opens; 2023 and 2016 are merged into it): one search lists the briefings
    of all of them, each with its quotes, and one filter holds every year."""
    page.goto(f"{site_url}search/?q=partnership")
    links = _results(page)
    briefings = {link.split("#")[0].removeprefix(f"{site_url}briefings/").rstrip("/")
                 for link in links}
    assert {"2025-02-13-trump-modi-press-conference", "2023-06-22-biden-modi-press-conference",
            "2016-04-21-putin-netanyahu-moscow"} <= briefings
    assert _count(page) == len(briefings)
    # The quotes' sub-results (search.js), from the part opened and from those merged.
    quotes = [link for link in links if "#" in link]
    for year in ("2025", "2023", "2016"):
        assert any(link.startswith(f"{site_url}briefings/{year}-") for link in quotes), year
    page.locator(f'.pagefind-ui__result-link[href$="#{QUOTE_2025}"]').click()
    page.wait_for_url(f"**/#{QUOTE_2025}")
    assert page.locator(":target").evaluate("el => el.localName") == "mark"
    page.go_back()
    page.locator("summary", has_text="year").click()
    years = page.eval_on_selector_all('input[name="year"]', "els => els.map(e => e.value)")
    assert years == ["2011", "2015", "2016", "2020", "2022", "2023", "2025"]


def test_the_speaker_filter_narrows_a_search_across_years(page: Page, site_url: str) -> None:
    """Israel is named in briefings of 2016, 2020, 2023 and 2025; Benjamin
    Netanyahu is quoted in those of 2016 and 2020: two parts of the index,
    neither of them the one the page opens."""
    page.goto(f"{site_url}search/?q=israel")
    every = _count(page)
    page.locator("summary", has_text="speaker").click()
    page.locator('input[name="speaker"][value="Benjamin Netanyahu"]').check()
    page.wait_for_function(
        "n => !document.querySelector('.pagefind-ui__message').innerText.startsWith(n + ' ')",
        arg=every)
    narrowed = _count(page)
    assert 0 < narrowed < every
    briefings = {link.split("#")[0] for link in _results(page)}
    assert len(briefings) == narrowed
    assert {link.removeprefix(f"{site_url}briefings/")[:4] for link in briefings} \
        == {"2016", "2020"}
    for link in briefings:
        page.goto(link)
        assert page.locator(".speakers-box").get_by_role("link", name="Benjamin Netanyahu").count()


@pytest.fixture(scope="module")
def split_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example site built with at most one briefing a part of the search
    index, served: its years of more than one briefing are split, 2015 and
    2022 into months, 2023 into quarters."""
    site = tmp_path_factory.mktemp("split")
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "LIMIT", 1)
        assert build(site).ok
    with serve(site / "public") as url:
        yield url


def _narrow(page: Page, name: str, value: str) -> set[str]:
    """The briefings listed once the filter ``name`` is set to ``value`` too
    (its list opened, if it is not): as many as the page says it found, up to
    the five that Pagefind's interface shows at first."""
    said = f"{_count(page)} "
    if not page.locator(f'input[name="{name}"]').first.is_visible():
        page.locator("summary", has_text=name).click()
    page.locator(f'input[name="{name}"][value="{value}"]').check()
    page.wait_for_function("""said => {
        const message = document.querySelector('.pagefind-ui__message').innerText;
        return /^\\d+ results? for /.test(message) && !message.startsWith(said);
    }""", arg=said)
    count = _count(page)
    briefings = {link.split("#")[0] for link in _results(page)}
    assert len(briefings) == min(count, 5)
    return briefings


def test_one_search_covers_parts_of_months_and_quarters_with_every_filter(
        page: Page, split_url: str) -> None:
    """Eleven parts, newest first: one search lists the briefings of several,
    each with its quotes, and each filter holds the values of them all and
    narrows the results across them."""
    page.goto(f"{split_url}search/?q=president")
    assert page.locator("#search").get_attribute("data-parts") == (
        "2025 2023-q4 2023-q2 2023-q1 2022-04 2022-01 2020 2016 2015-09 2015-08 2011")
    every = _count(page)
    quotes = [link.removeprefix(f"{split_url}briefings/") for link in _results(page)
              if "#" in link and "-heading" not in link and "#briefing-title" not in link]
    # Quotes from the parts of April 2022, and of the first two quarters of 2023.
    assert {link[:7] for link in quotes} >= {"2022-04", "2023-02", "2023-06"}
    page.locator("summary", has_text="year").click()
    years = page.eval_on_selector_all('input[name="year"]', "els => els.map(e => e.value)")
    assert years == ["2011", "2015", "2016", "2020", "2022", "2023", "2025"]
    # Three quarters of 2023, three parts.
    found = _narrow(page, "year", "2023")
    assert {link.removeprefix(f"{split_url}briefings/")[:7] for link in found} \
        == {"2023-02", "2023-06", "2023-10"}
    page.reload()
    found = _narrow(page, "tag", "India")
    assert {link.removeprefix(f"{split_url}briefings/") for link in found} == {
        "2022-04-11-biden-modi-virtual-meeting/", "2023-06-22-biden-modi-press-conference/",
        "2025-02-13-trump-modi-press-conference/"}
    page.reload()
    found = _narrow(page, "speaker", "Karine Jean-Pierre")
    assert {link.removeprefix(f"{split_url}briefings/")[:7] for link in found} \
        == {"2022-04", "2023-02"}
    page.reload()
    found = _narrow(page, "outlet", "The White House")
    assert 5 <= _count(page) < every
    assert {link.removeprefix(f"{split_url}briefings/")[:7] for link in found} \
        <= {"2022-04", "2023-02", "2023-06", "2023-10", "2025-02"}


def test_without_javascript_the_header_search_opens_the_search_page(
        browser: Browser, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site_url}briefings/{SEED}/")
    form = page.get_by_role("search")
    form.get_by_role("searchbox").fill("gas market")
    form.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=gas+market")
    assert page.url == f"{site_url}search/?q=gas+market"
    assert page.get_by_role("heading", name="Search").is_visible()
    assert page.get_by_text("Searching needs JavaScript").is_visible()
    context.close()


def test_the_search_page_fits_a_phone_in_both_colour_schemes(
        browser: Browser, site_url: str, tmp_path: Path) -> None:
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 390, "height": 844},
                                      color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{site_url}search/?q=protesting")
        _results(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the search page scrolls sideways by {overflow}px ({scheme})"
        page.screenshot(path=str(tmp_path / f"search-{scheme}.png"))
        context.close()
