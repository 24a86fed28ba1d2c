"""Format 1.1's reported speech: ``reported_by`` on a quote marks it as its
speaker's words relayed by another speaker. The example site's TASS story has
Putin relaying Tokayev."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import SITES, output_tree, run_cli

SEED = "2022-01-10-putin-csto-kazakhstan"
RELAYED = "kassym-jomart-tokayev-their-attack-on-kazakhstan-and-it-was-in-fact-an"


def _page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text("utf-8")


def test_the_quote_reads_as_reported_on_the_briefing_page(example_site: Path) -> None:
    page = _page(example_site, f"briefings/{SEED}")
    mark = re.search(rf'<mark class="quote[^"]*" data-quote="{RELAYED}"[^>]*>', page).group(0)
    assert 'data-speaker="kassym-jomart-tokayev"' in mark
    assert 'data-speaker-name="Kassym-Jomart Tokayev, as reported by Vladimir Putin"' in mark
    assert 'data-reported-by="vladimir-putin"' in mark
    # In the list of the briefing's quotes, both are named and linked.
    assert re.search(r'>Kassym-Jomart Tokayev</a>, as reported by <a class="speaker-link[^"]*" '
                     r'href="../../speakers/vladimir-putin/">Vladimir Putin</a>', page)


def test_it_is_on_both_speaker_pages_in_its_own_section_for_the_relay(example_site) -> None:
    tokayev = _page(example_site, "speakers/kassym-jomart-tokayev")
    quotes = re.search(r'<section aria-labelledby="quotes-heading">.*?</section>', tokayev,
                       re.S).group(0)
    assert f"#{RELAYED}" in quotes
    assert re.search(r'As reported by <a class="speaker-link[^"]*" href="../vladimir-putin/">'
                     r"Vladimir Putin</a>", quotes)
    putin = _page(example_site, "speakers/vladimir-putin")
    own = re.search(r'<section aria-labelledby="quotes-heading">.*?</section>', putin,
                    re.S).group(0)
    assert RELAYED not in own  # not among his own words
    relayed = re.search(r'<section aria-labelledby="relayed-heading">.*?</section>', putin,
                        re.S).group(0)
    assert "Words of others, as reported by Vladimir Putin" in relayed
    assert f"#{RELAYED}" in relayed and ">Kassym-Jomart Tokayev</a>" in relayed


def test_it_is_exported_and_described_as_structured_data(example_site: Path) -> None:
    data = json.loads((example_site / "data" / "quotes.json").read_text("utf-8"))
    entry = next(q for q in data["quotes"] if q["id"] == RELAYED)
    assert entry["speaker"] == "kassym-jomart-tokayev"
    assert entry["reported_by"] == "vladimir-putin"
    assert all("reported_by" not in q for q in data["quotes"] if q["id"] != RELAYED)
    page = _page(example_site, f"briefings/{SEED}")
    structured = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                      page, re.S).group(1))
    [quotation] = [q for q in structured["hasPart"] if "contributor" in q]
    assert quotation["@type"] == "Quotation"
    assert quotation["text"].startswith("their attack on Kazakhstan")
    assert quotation["spokenByCharacter"]["name"] == "Kassym-Jomart Tokayev"
    assert quotation["contributor"]["name"] == "Vladimir Putin"
    assert quotation["url"].endswith(f"/briefings/{SEED}/#{RELAYED}")


def test_a_relay_added_to_a_built_site_reaches_both_speakers_pages(copy_site) -> None:
    site = copy_site(SITES / "good")
    assert run_cli("build", "--strict", "--site", site).code == 0
    path = site / "content" / "briefings" / "2022-01-10-csto.yaml"
    text = path.read_text("utf-8")
    assert "quotes:\n" in text
    article = (site / "content" / "briefings" / "2022-01-10-csto.md").read_text("utf-8")
    assert "Order was restored by January 7" in article
    path.write_text(text.replace("quotes:\n", "quotes:\n  - speaker: kassym-jomart-tokayev\n"
                                 "    reported_by: vladimir-putin\n"
                                 "    quote: Order was restored by January 7\n", 1), "utf-8")
    assert run_cli("build", "--strict", "--site", site).code == 0
    out = site / "public"
    incremental = output_tree(out)
    assert "relayed-heading" in _page(out, "speakers/vladimir-putin")
    assert "As reported by" in _page(out, "speakers/kassym-jomart-tokayev")
    assert run_cli("build", "--strict", "--no-cache", "--site", site).code == 0
    assert output_tree(out) == incremental
