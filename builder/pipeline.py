"""The build, start to finish. Each step is one call; read this file as the
table of contents of the program:

    load -> config -> validate -> anchor -> link -> render -> write

Every step returns its value and its problems; nothing is written unless the
whole site is free of errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .anchor import Article, render_article
from .config import read_config
from .link import build_indexes, check_references
from .load import load_site
from .model import Briefing, Site
from .problems import Position, Problem, Severity, error, strictly
from .render import render_site, theme_dirs
from .validate import read_briefing, read_speakers
from .write import check_output_dir, write_output


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    briefings: int = 0
    speakers: int = 0
    dates: int = 0
    pages: int = 0
    output: Path | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def build(site_dir: Path, out_dir: Path | None = None, *, strict: bool = False,
          write: bool = True) -> Report:
    report = Report()
    problems = report.problems

    # 1. Read the files of the site.
    raw = load_site(site_dir)
    problems.extend(raw.problems)

    # 2. Site settings; with broken settings the rest is still checked, in UTC.
    config, found = read_config(raw.config)
    problems.extend(found)
    timezone = config.timezone if config else "UTC"

    # 3. Each document on its own.
    speakers, declared, found = read_speakers(raw.speakers)
    problems.extend(found)
    briefings: dict[str, Briefing] = {}
    partial: set[str] = set()  # briefings read with errors, their broken parts left out
    for pair in raw.pairs:
        briefing, found = read_briefing(pair, timezone)
        problems.extend(found)
        if briefing:
            briefings[briefing.slug] = briefing
        if not briefing or any(p.is_error for p in found):
            partial.add(pair.slug)

    # 4. Anchors: each article rendered and annotated in place. A briefing with
    # errors of its own only reports errors here: its warnings could be echoes.
    link_mentions = config.link_mentions if config else True
    articles: dict[str, Article] = {}
    for slug, briefing in briefings.items():
        articles[slug], found = render_article(briefing, speakers, link_mentions,
                                               config.raw_html if config else "text")
        problems.extend(p for p in found if p.is_error or slug not in partial)

    # 5. What only the whole site can tell.
    problems.extend(check_references(briefings, speakers, articles,
                                     known=set(raw.slugs), declared=declared,
                                     complete=not partial and set(briefings) == raw.slugs))
    if strict:
        report.problems = problems = sorted(strictly(problems))
    report.problems.sort()
    if not report.ok or config is None:
        return report

    # 6. Indexes and pages.
    site = Site(str(site_dir), config, speakers, briefings, raw.static_files)
    indexes = build_indexes(briefings, speakers, articles)
    templates = theme_dirs(raw.templates_dir)
    try:
        files = render_site(site, indexes, articles, templates)
    except jinja2.TemplateError as exc:
        problems.append(_template_problem(exc, site_dir))
        return report
    copies = _copies(site_dir, raw.static_files, templates)
    problems.extend(_collisions(files, copies))
    report.briefings, report.speakers = len(briefings), len(speakers)
    report.dates, report.pages = len(indexes.days), sum(p.endswith(".html") for p in files)

    # 7. The output folder, swapped in whole (OutputBusy if another build is writing it).
    out = out_dir or site_dir / config.output_dir
    named_at = Position("--out") if out_dir else config.output_dir_at
    problems.extend(check_output_dir(out, site_dir, named_at))
    if report.ok and write:
        write_output(out, files, copies)
        report.output = out
    return report


def _copies(site_dir: Path, static_files: tuple[str, ...], templates: list[Path]
            ) -> dict[str, Path]:
    """Theme assets (the site's own override the default's), then content/static/."""
    copies: dict[str, Path] = {}
    for folder in reversed(templates):
        assets = folder / "assets"
        if assets.is_dir():
            for path in sorted(assets.rglob("*")):
                if path.is_file():
                    copies["assets/" + path.relative_to(assets).as_posix()] = path
    for relative in static_files:
        copies[relative] = site_dir / "content" / "static" / relative
    return copies


def _collisions(files: dict[str, bytes], copies: dict[str, Path]) -> list[Problem]:
    return [error(Position(f"content/static/{path}"),
                  f"the static file '{path}' would replace a page the builder writes: "
                  "rename or move it.")
            for path in sorted(set(files) & set(copies))]


def _template_problem(exc: jinja2.TemplateError, site_dir: Path) -> Problem:
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "template"
        try:
            name = Path(name).resolve().relative_to(site_dir.resolve()).as_posix()
        except ValueError:
            pass
        return Problem(Position(name, exc.lineno or 0), Severity.ERROR,
                       f"template syntax error: {exc.message}. Fix it, or delete the file "
                       "to use the default theme's.")
    return Problem(Position("templates"), Severity.ERROR,
                   f"a template failed: {exc.message or exc}. Check the names it uses against "
                   "the default theme.")
