"""``briefings suggest``: proposals an analyst can paste, or have written in."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from conftest import ROOT, run_cli

TASS = "2022-01-10-putin-csto-kazakhstan"


def _example_without(tmp_path: Path, *keys: str) -> Path:
    """A copy of the example site whose briefings lost these keys."""
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    for path in (site / "content" / "briefings").glob("*.yaml"):
        data = yaml.safe_load(path.read_text("utf-8"))
        for key in keys:
            data.pop(key, None)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return site


def test_the_quotes_of_a_wire_story_come_back_with_their_speakers(tmp_path: Path) -> None:
    site = _example_without(tmp_path, "quotes")
    result = run_cli("suggest", TASS, "--site", site)
    assert result.code == 0, result.err
    proposed = yaml.safe_load(result.out)
    truth = yaml.safe_load((ROOT / "content/briefings" / f"{TASS}.yaml").read_text("utf-8"))
    assert [(q["speaker"], " ".join(q["quote"].split()), q.get("occurrence"))
            for q in proposed["quotes"]] == [
        (q["speaker"], " ".join(q["quote"].split()), q.get("occurrence"))
        for q in truth["quotes"] if "reported_by" not in q]  # (words in quotation marks only)


def test_every_suggestion_written_in_builds(tmp_path: Path) -> None:
    """Quotes and events taken out of every example briefing, suggested and
    written back: the site builds, every passage anchored."""
    site = _example_without(tmp_path, "quotes", "events")
    written = 0
    for path in sorted((site / "content" / "briefings").glob("*.yaml")):
        result = run_cli("suggest", path.stem, "--write", "--site", site)
        assert result.code == 0, result.err
        written += int(result.err.split()[1]) if result.err.startswith("added ") else 0
    assert written >= 30
    built = run_cli("build", "--site", site)
    assert built.code == 0, built.err
    assert ": error:" not in built.err


def test_already_annotated_passages_are_not_suggested_again() -> None:
    result = run_cli("suggest", TASS, "--site", ROOT)
    assert result.code == 0, result.err
    proposed = yaml.safe_load(result.out)
    assert proposed["quotes"] == []
    assert proposed["events"] == []  # every day it names is among its events


def _site_with(tmp_path: Path, article: str, annotations: str = "") -> Path:
    site = tmp_path / "site"
    assert run_cli("init", site).code == 0
    folder = site / "content" / "briefings"
    (folder / "2024-05-06-bridge.md").write_text(article, "utf-8")
    (folder / "2024-05-06-bridge.yaml").write_text(
        "# The desk's annotations.\ntitle: Bridge  # the headline\nsource:\n  outlet: Gazette\n"
        "  published: 2024-05-06\n" + annotations, "utf-8")
    return site


def _proposed(site: Path) -> dict:
    result = run_cli("suggest", "2024-05-06-bridge", "--site", site)
    assert result.code == 0, result.err
    return yaml.safe_load(result.out)


def test_a_pronoun_a_role_phrase_and_a_relative_day(tmp_path: Path) -> None:
    site = _site_with(tmp_path, (
        "Mayor Maria Ortega opened the bridge on Saturday.\n\n"
        '"We will keep every lane open through the winter," she said.\n\n'
        '"Nobody will wait at this river again, not for one more day," the mayor told '
        "reporters.\n"))
    proposed = _proposed(site)
    assert [(q["speaker"], q["quote"]) for q in proposed["quotes"]] == [
        ("maria-ortega", "We will keep every lane open through the winter"),
        ("maria-ortega", "Nobody will wait at this river again, not for one more day")]
    # Saturday before Monday, 6 May 2024.
    assert [str(e["date"]) for e in proposed["events"]] == ["2024-05-04"]


def test_transcript_labels_get_the_speaker_they_name(tmp_path: Path) -> None:
    site = _site_with(tmp_path, (
        "MAYOR ORTEGA: Good morning. The bridge is open.\n\n"
        "Q: When will the trams run again?\n\n"
        "MAYOR ORTEGA: In June, if the tests go well. People keep asking, “Will the trams "
        "be back before the summer holidays?” They will. As I said, “we will not make "
        "anyone wait longer than June.”\n"))
    proposed = _proposed(site)
    assert proposed["labels"] == {"MAYOR ORTEGA": "maria-ortega", "Q": None}
    # Her turn's quotations as if the label were mapped; not the one she relays.
    assert proposed["quotes"] == [{"speaker": "maria-ortega",
                                   "quote": "we will not make anyone wait longer than June"}]


def test_write_adds_to_the_file_and_keeps_every_line_of_it(tmp_path: Path) -> None:
    site = _site_with(tmp_path, (
        "MAYOR ORTEGA: Good morning. The bridge is open.\n\n"
        'MAYOR ORTEGA: As I said, "we kept our promise to every family in the north," '
        "and we did.\n"),
        "tags:\n  - Bridges  # the first tag\n")
    path = site / "content" / "briefings" / "2024-05-06-bridge.yaml"
    before = path.read_text("utf-8").splitlines()
    result = run_cli("suggest", "2024-05-06-bridge", "--write", "--site", site)
    assert result.code == 0, result.err
    assert result.err.startswith("added 2 suggestions to ")
    after = path.read_text("utf-8").splitlines()
    kept = iter(after)
    assert all(line in kept for line in before), "a line of the file was changed or moved"
    data = yaml.safe_load(path.read_text("utf-8"))
    assert data["quotes"] == [{"speaker": "maria-ortega",
                               "quote": "we kept our promise to every family in the north"}]
    assert data["transcript"] == {"labels": {"MAYOR ORTEGA": "maria-ortega"}}
    built = run_cli("build", "--strict", "--site", site)
    assert built.code == 0, built.err


def test_an_unknown_briefing_and_an_inline_list_are_clear_errors(tmp_path: Path) -> None:
    site = _site_with(tmp_path, ('"We kept our promise to every family," Ortega said. '
                                 '"The trams will be back in June, on time," she added.\n'),
                      "quotes: [{speaker: maria-ortega, quote: We kept our promise}]\n")
    missing = run_cli("suggest", "no-such-briefing", "--site", site)
    assert missing.code == 1 and "no briefing 'no-such-briefing'" in missing.err
    path = site / "content" / "briefings" / "2024-05-06-bridge.yaml"
    before = path.read_bytes()
    inline = run_cli("suggest", "2024-05-06-bridge", "--write", "--site", site)
    assert inline.code == 1
    assert "2024-05-06-bridge.yaml:6: 'quotes' is written inline" in inline.err
    assert "nothing was written" in inline.err
    assert path.read_bytes() == before
    # Printed all the same: the one not yet annotated.
    assert [q["quote"] for q in yaml.safe_load(inline.out)["quotes"]] == [
        "The trams will be back in June, on time"]


def test_an_event_dated_to_a_month_hides_none_of_its_days(tmp_path: Path) -> None:
    """Format 1.1: 'the bridge works, May 2024' holds no day, not even its first."""
    site = _site_with(tmp_path, (
        "Work on the bridge went on through May.\n\n"
        "The council approved the works on May 1 after a long debate.\n"),
        "events:\n  - date: 2024-05\n    summary: Work on the bridge\n")
    assert [str(e["date"]) for e in _proposed(site)["events"]] == ["2024-05-01"]
