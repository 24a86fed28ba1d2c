"""An output folder that would replace or hold the sources, or that is someone
else's folder, is refused before anything is written: exit status 1, one
problem naming where the folder was chosen (site.yaml's line, or --out) and
the folder itself, and every file left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SITES, run_cli


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(folder.rglob("*"))}


# output_dir in site.yaml, the folder it names (relative to the site), the message.
FROM_SITE_YAML = [
    (".", ".", "is the site folder itself"),
    ("../good", ".", "is the site folder itself"),
    ("..", "..", "holds the site folder"),
    ("content", "content", "would replace the site's own 'content'"),
    ("templates", "templates", "would replace the site's own 'templates'"),
    ("site.yaml", "site.yaml", "would replace the site's own 'site.yaml'"),
    ("content/public", "content/public", "is inside 'content/'"),
    ("content/static/out", "content/static/out", "is inside 'content/'"),
    ("templates/public", "templates/public", "is inside 'templates/'"),
    ("notes", "notes", "is not empty and was not written by this builder"),
]


@pytest.mark.parametrize(("output_dir", "folder", "message"), FROM_SITE_YAML,
                         ids=[case[0] for case in FROM_SITE_YAML])
def test_output_dir_in_site_yaml_is_refused(output_dir: str, folder: str, message: str,
                                            copy_site, tmp_path: Path) -> None:
    site = copy_site(SITES / "good")
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text('{% extends "base.html" %}\n')
    (site / "notes").mkdir()
    (site / "notes" / "draft.txt").write_text("not a build")
    config = site / "site.yaml"
    line = len(config.read_text().splitlines()) + 1
    config.write_text(config.read_text() + f"output_dir: {output_dir}\n")
    before = _snapshot(tmp_path)

    result = run_cli("build", "--site", site)

    assert result.code == 1
    first, summary = result.err.splitlines()
    assert first.startswith(f"site.yaml:{line}:13: error: the output folder "
                            f"'{(site / folder).resolve()}' {message}")
    assert summary == "failed: 1 error; nothing was written."
    assert _snapshot(tmp_path) == before


def test_an_ancestor_of_the_site_given_as_out_is_refused(copy_site, tmp_path: Path) -> None:
    site = copy_site(SITES / "good")
    before = _snapshot(tmp_path)
    for out, cwd in ((Path(".."), site), (Path("../.."), site), (tmp_path, None)):
        result = run_cli("build", "--site", site.resolve(), "--out", out, cwd=cwd)
        assert result.code == 1
        resolved = (site / out).resolve() if cwd else out.resolve()
        assert result.err.splitlines()[0].startswith(
            f"--out: error: the output folder '{resolved}' holds the site folder "
            f"'{site.resolve()}'")
    assert _snapshot(tmp_path) == before


def test_a_link_to_the_site_given_as_out_is_refused(copy_site, tmp_path: Path) -> None:
    site = copy_site(SITES / "good")
    (tmp_path / "link").symlink_to(site, target_is_directory=True)
    (tmp_path / "content-link").symlink_to(site / "content", target_is_directory=True)
    before = _snapshot(tmp_path)

    itself = run_cli("build", "--site", site, "--out", tmp_path / "link")
    content = run_cli("build", "--site", site, "--out", tmp_path / "content-link")

    assert itself.code == content.code == 1
    assert itself.err.splitlines()[0].startswith(
        f"--out: error: the output folder '{site.resolve()}' is the site folder itself")
    assert content.err.splitlines()[0].startswith(
        f"--out: error: the output folder '{(site / 'content').resolve()}' would replace "
        "the site's own 'content'")
    assert _snapshot(tmp_path) == before


def test_a_file_in_the_way_of_the_output_is_refused(copy_site, tmp_path: Path) -> None:
    site = copy_site(SITES / "good")
    (tmp_path / "public").write_text("a file where the site would go")
    before = _snapshot(tmp_path)
    result = run_cli("build", "--site", site, "--out", tmp_path / "public")
    assert result.code == 1
    assert result.err.splitlines()[0].startswith(
        f"--out: error: the output path '{(tmp_path / 'public').resolve()}' is a file")
    assert _snapshot(tmp_path) == before
