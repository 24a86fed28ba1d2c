"""The command line as a user meets it."""

from __future__ import annotations

from pathlib import Path

from conftest import SITES, run_cli


def test_help_for_every_command() -> None:
    for args in ([], ["build"], ["check"], ["init"], ["new"], ["serve"], ["suggest"]):
        result = run_cli(*args, "--help")
        assert result.code == 0
        assert "usage: briefings" in result.out
    assert "--strict" in run_cli("build", "--help").out
    assert "--out" in run_cli("build", "--help").out


def test_check_reports_but_writes_nothing(copy_site) -> None:
    site = copy_site(SITES / "good")
    result = run_cli("check", "--site", site)
    assert result.code == 0, result.err
    assert result.out.startswith("checked 2 briefings, 3 speakers, ")
    assert not (site / "public").exists()


def test_build_writes_output_dir_from_site_yaml_by_default(copy_site) -> None:
    site = copy_site(SITES / "good")
    result = run_cli("build", cwd=site)
    assert result.code == 0, result.err
    assert result.out.startswith("built 2 briefings, 3 speakers, 5 dates, ")
    assert (site / "public" / "index.html").is_file()


def test_a_folder_without_site_yaml_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", "--site", tmp_path)
    assert result.code == 2
    assert "no site.yaml" in result.err


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("build", "--frobnicate")
    assert result.code == 2
    assert "unrecognized arguments" in result.err


def test_strict_turns_warnings_into_errors(copy_site) -> None:
    site = copy_site(SITES / "good")
    speakers = site / "content" / "speakers.yaml"
    speakers.write_text(speakers.read_text() + "nobody:\n  name: Nobody Atall\n")
    relaxed = run_cli("build", "--site", site)
    assert relaxed.code == 0
    assert "warning: speaker 'nobody' is never quoted" in relaxed.err
    assert "(1 warning)" in relaxed.out
    strict = run_cli("build", "--strict", "--site", site, "--out", site / "strict-out")
    assert strict.code == 1
    assert "error: speaker 'nobody' is never quoted" in strict.err
    assert not (site / "strict-out").exists()


def test_a_rebuild_replaces_the_previous_output_whole(copy_site) -> None:
    site = copy_site(SITES / "good")
    assert run_cli("build", "--site", site).code == 0
    stale = site / "public" / "briefings" / "gone" / "index.html"
    stale.parent.mkdir()
    stale.write_text("old page")
    assert run_cli("build", "--site", site).code == 0
    assert not stale.exists()
    assert [p.name for p in site.iterdir() if p.name.startswith(".public")] == [".public.lock"]


def test_never_wipes_a_folder_it_did_not_write(copy_site, tmp_path: Path) -> None:
    site = copy_site(SITES / "good")
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.txt").write_text("years of work")
    result = run_cli("build", "--site", site, "--out", precious)
    assert result.code == 1
    assert "not empty and was not written by this builder" in result.err
    assert (precious / "chapter1.txt").read_text() == "years of work"


def test_output_dir_cannot_be_the_content(copy_site) -> None:
    site = copy_site(SITES / "good")
    result = run_cli("build", "--site", site, "--out", site / "content")
    assert result.code == 1
    assert "would replace the site's own 'content'" in result.err
    assert (site / "content" / "speakers.yaml").is_file()


def test_site_templates_override_single_templates(copy_site) -> None:
    site = copy_site(SITES / "good")
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Custom {{ view.name }}</h1>'
        "{% endblock %}\n")
    result = run_cli("build", "--site", site)
    assert result.code == 0, result.err
    assert "<h1>Custom CSTO</h1>" in (site / "public/tags/csto/index.html").read_text()
    assert 'class="article-body"' in (
        site / "public/briefings/2022-01-10-csto/index.html").read_text()


def test_a_broken_template_override_is_reported_with_its_line(copy_site) -> None:
    site = copy_site(SITES / "good")
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text("line one\n{% if %}\n")
    result = run_cli("build", "--site", site)
    assert result.code == 1
    assert result.err.startswith("templates/tag.html:2: error: template syntax error")
    assert "Traceback" not in result.err


def test_static_files_are_copied_to_the_root(copy_site) -> None:
    site = copy_site(SITES / "good")
    assert run_cli("build", "--site", site).code == 0
    assert (site / "public" / "robots.txt").read_text() == "User-agent: *\n"
