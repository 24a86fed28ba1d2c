"""Format 1.1's roles and aliases by date (tests/sites/roles-by-date): the role
beside each quote and turn is the one held the day the words were said, and
an alias names whoever held it on the article's day."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import SITES, run_cli


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("roles") / "public"
    built = run_cli("build", "--strict", "--site", SITES / "roles-by-date", "--out", target)
    assert built.code == 0, built.err
    return target


def _page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text("utf-8")


def test_the_role_beside_a_quote_is_the_one_held_that_day(out: Path) -> None:
    grain = _page(out, "briefings/2010-06-11-grain")
    assert re.search(r'>Vladimir Putin</a>, <span class="role-then">Prime Minister of Russia'
                     r'</span> · ', grain)
    assert re.search(r'>Vladimir Putin</a> <span class="role">Prime Minister of Russia</span>',
                     grain)  # among the briefing's speakers
    budget = _page(out, "briefings/2014-03-20-budget")
    assert re.search(r'>Vladimir Putin</a>, <span class="role-then">President of Russia</span>, '
                     r"as reported by", budget)
    putin = _page(out, "speakers/vladimir-putin")
    assert [role for role in re.findall(r'<span class="role-then">([^<]+)</span>', putin)] == [
        "Prime Minister of Russia", "President of Russia"]  # in the order said
    # A speaker with a single plain role is named by it on their page, not beside each quote.
    medvedev = _page(out, "speakers/dmitry-medvedev")
    own = re.search(r'<section aria-labelledby="quotes-heading">.*?</section>', medvedev,
                    re.S).group(0)
    assert "role-then" not in own


def test_the_speaker_page_shows_the_history(out: Path) -> None:
    putin = _page(out, "speakers/vladimir-putin")
    roles = re.search(r'<section aria-labelledby="roles-heading">.*?</section>', putin,
                      re.S).group(0)
    items = [re.sub(r"<[^>]+>", "", item).split() for item in re.findall(r"<li>(.*?)</li>",
                                                                          roles, re.S)]
    assert [" ".join(words) for words in items] == [
        "President of Russia 7 May 2000 – 7 May 2008",
        "Prime Minister of Russia 8 May 2008 – 7 May 2012",
        "President of Russia from 7 May 2012"]
    # The deck names the role begun last; the speakers' index too.
    assert '<p class="deck">President of Russia</p>' in putin
    assert re.search(r'>Vladimir Putin</a><span class="role">President of Russia</span>',
                     _page(out, "speakers"))
    assert "<q>the Russian Prime Minister</q> (" in putin


def test_a_dated_alias_names_whoever_held_it_that_day(out: Path) -> None:
    grain = _page(out, "briefings/2010-06-11-grain")
    assert '<a class="mention" href="../../speakers/vladimir-putin/">the Russian Prime Minister' \
        in grain
    budget = _page(out, "briefings/2014-03-20-budget")
    assert '<a class="mention" href="../../speakers/dmitry-medvedev/">the Russian Prime Minister' \
        in budget


def test_the_data_files_carry_the_role_of_the_day_and_the_history(out: Path) -> None:
    quotes = json.loads((out / "data" / "quotes.json").read_text("utf-8"))["quotes"]
    roles = {q["text"]: q.get("role") for q in quotes}
    assert roles == {"We will keep the grain reserves we need and sell the rest":
                     "Prime Minister of Russia",
                     "The budget will stay balanced": None,  # a single plain role: on the speaker
                     "asked for a balanced budget again this year": "President of Russia"}
    speakers = {s["id"]: s for s in
                json.loads((out / "data" / "speakers.json").read_text("utf-8"))["speakers"]}
    putin = speakers["vladimir-putin"]
    assert putin["role"] == "President of Russia"
    assert putin["roles"][1] == {"role": "Prime Minister of Russia", "from": "2008-05-08",
                                 "to": "2012-05-07"}
    assert putin["roles"][2]["to"] is None
    assert putin["dated_aliases"] == [{"name": "the Russian Prime Minister",
                                       "from": "2008-05-08", "to": "2012-05-07"}]
    assert "roles" not in speakers["dmitry-medvedev"]
