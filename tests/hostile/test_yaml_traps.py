"""YAML that would trick a loader: lost data, alias bombs, code execution,
runaway nesting. Each gives the exact error, or reads exactly as written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostile import ANNOTATIONS, ARTICLE, build_site, make_site

PATH = "content/briefings/2022-01-10-talks.yaml"

BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}' if prev else 'lol'] * 9)}]\n"
    for prev, name in zip([None, *"abcdefgh"], "abcdefghi", strict=True))


def _errors(tmp_path: Path, annotations: str) -> list[str]:
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    return built.errors


@pytest.mark.parametrize(("extra", "expected"), [
    ("title: Again\n", f"{PATH}:8:1: error: duplicate key 'title' (first at line 1). Remove one "
                       "of them: YAML would silently keep only the last."),
    ("x: !!python/object/apply:os.system ['echo owned']\n",
     f"{PATH}:8:4: error: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'"
     ". Only plain text, numbers, true/false, lists and mappings are allowed."),
    ("x: !!python/name:os.system\n",
     f"{PATH}:8:4: error: unsupported YAML tag 'tag:yaml.org,2002:python/name:os.system'. Only "
     "plain text, numbers, true/false, lists and mappings are allowed."),
    ("x: !!binary aGVsbG8=\n",
     f"{PATH}:8:4: error: unsupported YAML tag 'tag:yaml.org,2002:binary'. Only plain text, "
     "numbers, true/false, lists and mappings are allowed."),
    ("x: !!set {a, b}\n",
     f"{PATH}:8:4: error: unsupported YAML tag 'tag:yaml.org,2002:set'. Only plain text, "
     "numbers, true/false, lists and mappings are allowed."),
    ("x: &a [1, *a]\n", f"{PATH}:8:4: error: an alias refers to the list or mapping that "
                        "contains it: write the data out instead."),
    ("? [a, b]\n: 1\n", f"{PATH}:8:3: error: a key must be a plain word, not a list or mapping."),
    ("tags: " + "[" * 70 + "]" * 70 + "\n",
     f"{PATH}:8:71: error: the YAML is nested more than 64 levels deep: flatten it."),
    ("tags: " + "[" * 3000 + "]" * 3000 + "\n",
     f"{PATH}:1:1: error: the YAML is nested too deeply to be annotations: flatten it."),
])
def test_yaml_trap_is_a_clear_error(extra: str, expected: str, tmp_path: Path) -> None:
    assert _errors(tmp_path, ANNOTATIONS + extra) == [expected]


def test_an_alias_bomb_fails_at_once_in_bounded_memory(tmp_path: Path) -> None:
    """A billion laughs: nine levels of nine aliases. Built in a child process
    whose address space is capped at 1 GiB: expanding it would need far more."""
    nested = "".join(f"  {line}\n" for line in BOMB.splitlines())
    site = make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, ANNOTATIONS + "laughs:\n" + nested)})
    limit = ("import resource, sys, runpy; resource.setrlimit(resource.RLIMIT_AS, "
             "(1 << 30, 1 << 30)); sys.argv = ['briefings', 'check', '--site', sys.argv[1]]; "
             "runpy.run_module('builder', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", limit, str(site)], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"{PATH}:13:6: error: YAML expands to too many values (an alias bomb?). Write the data "
        "out instead of using aliases.")
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr


@pytest.mark.parametrize("written", ["NO", "no", "off", "yes", "on", "1.10", "12:30", "0x1F",
                                     "010", "1e3", ".inf", "2022-01-10", "~x", "null-ish"])
def test_plain_scalars_are_read_exactly_as_written(written: str, tmp_path: Path) -> None:
    """YAML 1.1 would turn these into booleans, other numbers or dates."""
    annotations = ANNOTATIONS.replace("outlet: Wire", f"outlet: {written}").replace(
        "title: Talks", f"title: {written}")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    assert built.errors == []
    data = json.loads((built.out / "data" / "briefings.json").read_text("utf-8"))
    assert data["briefings"][0]["title"] == written
    assert data["briefings"][0]["source"]["outlet"] == written


def test_merge_keys_and_small_aliases_still_work(tmp_path: Path) -> None:
    annotations = ANNOTATIONS.replace(
        "quotes:\n", "defaults: &jane\n  speaker: jane-roe\nquotes:\n").replace(
        "  - speaker: jane-roe\n", "  - <<: *jane\n")
    built = build_site(make_site(tmp_path / "site", briefings={
        "2022-01-10-talks": (ARTICLE, annotations)}))
    assert built.errors == [f"{PATH}:5:1: error: unknown key 'defaults' in the annotations. "
                            "Known keys: title, subtitle, source, summary, tags, quotes, events,"
                            " notes, related, transcript, annotated_by, annotated_on, updates,"
                            " draft."]


@pytest.mark.parametrize(("prefix", "ends"), [("\ufeff", "\n"), ("", "\r\n"), ("\ufeff", "\r\n"),
                                              ("", "\r")])
def test_byte_order_marks_and_crlf_are_accepted(prefix: str, ends: str, tmp_path: Path) -> None:
    built = build_site(make_site(tmp_path / "site", briefings={"2022-01-10-talks": (
        prefix + ARTICLE.replace("\n", ends), prefix + ANNOTATIONS.replace("\n", ends))}))
    assert built.errors == []
    assert "talks were over" in built.page("briefings/2022-01-10-talks/index.html")
