"""Files stay where they belong: links out of the site are refused and never
published; names from content can never make a path outside the output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli
from hostile import ANNOTATIONS, ARTICLE, SPEAKERS, build_site, make_site, unsafe_parts

OUTSIDE = "refused: a link to a file outside the site: it is not read or published. Copy the " \
          "file into the site."


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("the password is swordfish\n")
    return path


def _published(out: Path) -> str:
    return "".join(p.read_text("utf-8", errors="replace") for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("link", ["content/static/leak.txt", "content/static/deep/er/leak.txt"])
def test_a_static_file_linking_outside_the_site_is_refused(
        link: str, secret: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / link).parent.mkdir(parents=True, exist_ok=True)
    (site / link).symlink_to(secret)
    built = build_site(site)
    assert built.errors == [f"{link}: error: {OUTSIDE.removeprefix('refused: ')}"]
    assert not built.out.exists()


def test_a_static_folder_linking_outside_the_site_is_refused(secret: Path,
                                                            tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={"content/static/robots.txt": "User-agent: *\n"})
    (site / "content/static/etc").symlink_to(secret.parent)
    built = build_site(site)
    assert built.errors == [f"content/static/etc: error: {OUTSIDE.removeprefix('refused: ')}"]


def test_links_within_the_site_are_followed_and_published(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", files={"content/static/files/report.txt": "report\n"})
    (site / "content/static/latest.txt").symlink_to("files/report.txt")
    (site / "content/static/also").symlink_to("files", target_is_directory=True)
    built = build_site(site)
    assert built.errors == []
    assert (built.out / "latest.txt").read_text() == "report\n"
    assert (built.out / "also/report.txt").read_text() == "report\n"


@pytest.mark.parametrize("name", ["2022-01-10-talks.md", "2022-01-10-talks.yaml"])
def test_a_briefing_file_linking_outside_the_site_is_refused(
        name: str, secret: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    target = site / "content/briefings" / name
    secret.write_text(target.read_text())
    target.unlink()
    target.symlink_to(secret)
    built = build_site(site)
    assert f"content/briefings/{name}: error: {OUTSIDE.removeprefix('refused: ')}" in built.errors
    assert not built.out.exists()


def test_speakers_file_linking_outside_the_site_is_refused(secret: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    secret.write_text(SPEAKERS)
    (site / "content/speakers.yaml").unlink()
    (site / "content/speakers.yaml").symlink_to(secret)
    built = build_site(site)
    assert built.errors == [f"content/speakers.yaml: error: {OUTSIDE.removeprefix('refused: ')}"]


def test_a_link_to_nothing_is_an_error(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (site / "content/briefings/2022-01-11-gone.md").symlink_to(tmp_path / "nowhere.md")
    built = build_site(site)
    assert built.errors == ["content/briefings/2022-01-11-gone.md: error: a link to nothing: "
                            "remove it, or copy the file it meant into the site."]


@pytest.mark.parametrize(("tag", "slug"), [
    ("../../etc/passwd", "etc-passwd"), ("..", "tag"), ("/", "tag"), ("C:\\Windows", "c-windows"),
    ("Казахстан", "kazakhstan"), ("Токаев", "tokaev"), ("東京", "dong-jing"),
    ("Ελλάδα", "ellada"), ("%2e%2e%2f", "2e-2e-2f"), ("index.html", "index-html"),
])
def test_a_tag_becomes_a_readable_slug_inside_tags(tag: str, slug: str, tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace("title: Talks", f"title: Talks\ntags: [{json.dumps(tag)}]")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    assert built.errors == []
    assert (built.out / "tags" / slug / "index.html").is_file()
    assert sorted(os.listdir(built.out / "tags")) == sorted(["index.html", slug])
    assert unsafe_parts(built.out) == []
    assert not (tmp_path / "etc").exists()


def test_tags_whose_slugs_collide_are_reported_not_merged(tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace("title: Talks", "title: Talks\ntags: [C++, C#, C]")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    assert built.errors == [
        "content/briefings/2022-01-10-talks.yaml:2:13: error: the tag 'C#' repeats 'C++' "
        "(both are 'c'): keep one.",
        "content/briefings/2022-01-10-talks.yaml:2:17: error: the tag 'C' repeats 'C++' "
        "(both are 'c'): keep one."]


def test_tags_colliding_across_briefings_are_reported(tmp_path: Path) -> None:
    other = ANNOTATIONS.replace("title: Talks", "title: Other\ntags: [Токаев]")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, ANNOTATIONS.replace("title: Talks",
                                                          "title: Talks\ntags: [Tokaev]")),
        "2022-01-11-other": (ARTICLE, other)}))
    assert built.errors == [
        "content/briefings/2022-01-11-other.yaml:2:8: error: the tag 'Токаев' is written "
        "'Tokaev' elsewhere (content/briefings/2022-01-10-talks.yaml:2:8), and both would be "
        "tags/tokaev/: write them the same way, or make them differ."]


@pytest.mark.parametrize("speaker_id", ["../x", "a/b", "..", "A", "x y"])
def test_a_speaker_id_that_is_not_a_slug_is_refused(speaker_id: str, tmp_path: Path) -> None:
    speakers = f"{json.dumps(speaker_id)}:\n  name: X\n" + SPEAKERS
    built = build_site(make_site(tmp_path / "site", speakers=speakers))
    assert len(built.errors) == 1
    assert built.errors[0].startswith(f"content/speakers.yaml:1:1: error: bad speaker id "
                                      f"'{speaker_id}'")


def test_a_file_reached_through_links_is_watched_by_the_nothing_changed_check(
        tmp_path: Path) -> None:
    """A static file and a folder linked from elsewhere in the site: editing
    the target, or a file in the linked folder, is a change; the next build
    publishes it instead of reporting that nothing changed."""
    site = make_site(tmp_path / "site", files={"shared/report.txt": "report\n",
                                               "shared/notes/a.txt": "a\n"})
    (site / "content/static").mkdir(exist_ok=True)
    (site / "content/static/latest.txt").symlink_to("../../shared/report.txt")
    (site / "content/static/notes").symlink_to("../../shared/notes", target_is_directory=True)
    out = tmp_path / "public"
    for _ in range(2):
        done = run_cli("build", "--site", site, "--out", out)
        assert done.code == 0, done.err
    assert "nothing had changed" in done.out
    (site / "shared/report.txt").write_text("report, revised at greater length\n")
    done = run_cli("build", "--site", site, "--out", out)
    assert "nothing had changed" not in done.out
    assert (out / "latest.txt").read_text() == "report, revised at greater length\n"
    (site / "shared/notes/a.txt").write_text("a, revised\n")
    done = run_cli("build", "--site", site, "--out", out)
    assert "nothing had changed" not in done.out
    assert (out / "notes/a.txt").read_text() == "a, revised\n"
