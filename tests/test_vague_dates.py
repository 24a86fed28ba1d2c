"""Quotes and events dated to a month or a year (format 1.1): what a reader
sees of tests/sites/vague-dates, built strictly. Such a date is shown in
words ("September 2021", "2014–2016"), listed on its month's or year's page
and at the head of its section of the timeline, and never on an invented
day; the data carries it as written."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from builder import fields
from builder.model import Period
from builder.problems import Position
from builder.views import format_period

from conftest import SITES, run_cli

SLUG = "2021-11-20-gas-prices"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("vague") / "site"
    shutil.copytree(SITES / "vague-dates", site)  # its build cache is kept there, not here
    out = site.parent / "public"
    result = run_cli("build", "--strict", "--site", site, "--out", out)
    assert result.code == 0, result.err
    assert "built 2 briefings, 2 speakers, 8 dates," in result.out
    return out


def _text(html: str) -> str:
    """What a reader reads: the text without its tags, white space folded."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _page(built: Path, path: str) -> str:
    return (built / path / "index.html").read_text("utf-8")


def test_the_briefing_shows_months_years_and_their_ranges_in_words(built: Path) -> None:
    page = _page(built, f"briefings/{SLUG}")
    events = _text(page.split('id="events-heading"')[1].split("</section>")[0])
    # A year's range, a month, a range of months in one year, then a day: in date order,
    # each period where it begins, before the days in it.
    assert events.startswith(">Events 2014–2016: Storage sites filled under the first plan")
    assert events.index("September 2021: Storage reaches") \
        < events.index("September–November 2021: Gas prices climb") \
        < events.index("1 September 2021: The new pipeline")
    # Each date links to its month's or year's page, never to a day of it.
    assert '<a class="date" href="../../dates/2014/"><time datetime="2014">2014</time></a>–' \
        '<a class="date" href="../../dates/2016/"><time datetime="2016">2016</time></a>' in page
    assert '<a class="date" href="../../dates/2021-09/"><time datetime="2021-09">September' \
        '</time></a>–<a class="date" href="../../dates/2021-11/"><time datetime="2021-11">' \
        'November 2021</time></a>' in page
    quotes = _text(page.split('id="quotes-heading"')[1].split("</section>")[0])
    assert "Elena Marsh · October 2021" in quotes and "Tomas Berg · 2014" in quotes
    assert '<a class="date" href="../../dates/2021-10/"><time datetime="2021-10">October 2021' \
        in page
    assert "range-badge" not in page  # as for a range of days


def test_a_month_and_a_year_have_pages_listing_what_is_dated_to_them(built: Path) -> None:
    september = _text(_page(built, "dates/2021-09"))
    assert "September 2021 What is dated to September 2021 as a whole" in september
    assert "from September 2021 to November 2021 Gas prices climb for three months" in september
    assert "Storage reaches its autumn level" in september
    assert "The new pipeline" not in september  # that has a day: its own page
    november = _text(_page(built, "dates/2021-11"))
    assert "Ending this month from September to November 2021 Gas prices climb" in november
    year = _text(_page(built, "dates/2014"))
    assert "from 2014 to 2016 Storage sites filled under the first plan" in year
    assert "storage is the weak point of the union" in year
    assert "Ending this year from 2014 to 2016 Storage sites" in _text(_page(built, "dates/2016"))


def test_no_day_is_invented_for_a_month_or_a_year(built: Path) -> None:
    days = sorted(p.name for p in (built / "dates").iterdir() if p.is_dir())
    assert days == ["2014", "2016", "2021-09", "2021-09-01", "2021-10", "2021-11",
                    "2021-11-20", "2021-11-22"]
    first = _text(_page(built, "dates/2021-09-01"))
    assert "The new pipeline is declared ready" in first
    assert "Storage reaches" not in first and "Gas prices climb" not in first


def test_the_timeline_lists_them_at_the_head_of_their_month_or_year(built: Path) -> None:
    page = _page(built, "dates")
    assert "8 dates (days, months and years) on which a briefing was published" in page
    year = page.split('<section id="y2014"')[1].split("</section>")[0]
    assert '<a class="date" href="2014/"><time datetime="2014">2014</time></a>' in year
    assert "no day given · 1 quote · 1 event" in year
    september = page.split('<section id="m2021-09"')[1].split("</section>")[0]
    assert september.index('href="2021-09/"') < september.index('href="2021-09-01/"')
    assert "Gas prices climb for three months · Storage reaches its autumn level" in september
    october = page.split('<section id="m2021-10"')[1].split("</section>")[0]
    assert 'href="2021-10/"' in october and "no day given · 1 quote" in october


def test_speakers_are_heard_in_a_month_or_a_year(built: Path) -> None:
    marsh = _page(built, "speakers/elena-marsh")
    # The transcript's turns were said in September 2021; then October; then a day.
    assert '<a class="date" href="../../dates/2021-09/"><time datetime="2021-09">September ' \
        '2021</time></a> · a recorded interview' in marsh
    text = _text(marsh)
    assert text.index("Prices began to climb") < text.index("We will not ration gas")
    speakers = _text(_page(built, "speakers"))
    assert "Tomas Berg" in speakers and "2014" in speakers


def test_the_data_carries_the_dates_as_written(built: Path) -> None:
    quotes = json.loads((built / "data" / "quotes.json").read_text("utf-8"))["quotes"]
    assert [q["said_on"] for q in quotes] == ["2021-10", "2014", "2021-11-20"]
    events = json.loads((built / "data" / "events.json").read_text("utf-8"))["events"]
    assert [(e["start"], e["end"], e.get("date")) for e in events] == [
        ("2021-09", "2021-11", "2021-09/2021-11"), ("2014", "2016", "2014/2016"),
        ("2021-09", "2021-09", "2021-09"), ("2021-09-01", "2021-09-01", None)]
    speakers = json.loads((built / "data" / "speakers.json").read_text("utf-8"))["speakers"]
    assert [(s["id"], s["first"], s["last"]) for s in speakers] == [
        ("elena-marsh", "2021-09", "2021-11-20"), ("tomas-berg", "2014", "2021-09")]
    sitemap = (built / "sitemap.xml").read_text("utf-8")
    assert "https://example.org/vague-dates/dates/2021-09/</loc>" in sitemap
    assert "dates/2021-09-01/</loc>" in sitemap and "dates/2021-10-01/" not in sitemap


@pytest.mark.parametrize(("value", "shown"), [
    (Period(date(2022, 1, 10)), "10 January 2022"),
    (Period(date(2021, 9, 1), "month"), "September 2021"),
    (Period(date(2014, 1, 1), "year"), "2014"),
])
def test_a_period_in_words_and_as_written(value: Period, shown: str) -> None:
    assert format_period(value) == shown
    assert value.iso in ("2022-01-10", "2021-09", "2014")


@pytest.mark.parametrize(("value", "expected"), [
    ("2021-09", ("2021-09", "2021-09")),
    ("2014", ("2014", "2014")),
    ("2021-09/2021-11", ("2021-09", "2021-11")),
    ("2014/2016", ("2014", "2016")),
    ("2022-01-02/2022-01-07", ("2022-01-02", "2022-01-07")),
    ("2021-13", "impossible month '2021-13': month must be in 1..12. Check the month."),
    ("2021-9", "'date' must be a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY), "
               "not '2021-9'. Did you mean '2021-09'?"),
    ("2021-11/2021-09", "the range '2021-11/2021-09' ends before it starts: "
                        "write it as 2021-09/2021-11."),
    ("2021-09/2021-09", "the range '2021-09/2021-09' starts and ends in the same month: "
                        "write just 2021-09."),
    ("2021-09-15/2021-11", "the ends of the range '2021-09-15/2021-11' are a day and a month: "
                           "write both alike, e.g. 2021-09/2021-11."),
    ("2014/2014-05", "the ends of the range '2014/2014-05' are a year and a month: "
                     "write both alike, e.g. 2014."),
])
def test_an_events_date_is_read_or_its_fix_named(value: str, expected: tuple[str, str] | str
                                                 ) -> None:
    problems: list = []
    found = fields.parse_period_or_range(value, Position("x.yaml", 3, 11), problems)
    if isinstance(expected, tuple):
        assert found is not None and (found[0].iso, found[1].iso) == expected
        assert problems == []
    else:
        assert found is None
        assert [p.message for p in problems] == [expected]
