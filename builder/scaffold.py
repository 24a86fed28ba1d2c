"""Starting a site and a briefing: ``briefings init`` and ``briefings new``.

Both write only new files: a file that is there already is never touched, and
the command says which one stopped it before writing anything. The starter
files live in ``starter/`` beside this module, as a user will read them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import __version__
from .load import SLUG, suggest_slug

STARTER = Path(__file__).parent / "starter"
SAMPLE = "sample-briefing"


class ScaffoldError(Exception):
    """What stops ``init`` or ``new``, worded for the command line; nothing was written."""


# -- init --------------------------------------------------------------------------

def init_site(site: Path, today: dt.date | None = None) -> list[Path]:
    """Write a new site into ``site`` (made if missing): its settings, one
    speaker, one sample briefing, a .gitignore and a GitHub Pages workflow.
    Returns the files written, relative to ``site``."""
    if (site / "site.yaml").exists():
        raise ScaffoldError(f"'{site}' already holds a site (it has a site.yaml); "
                            "nothing was written. Start the new site in another folder.")
    today = today or dt.date.today()
    slug = f"{today.isoformat()}-{SAMPLE}"
    fill = {
        "title": _title_of(site),
        "date": today.isoformat(),
        "last_year": today.year - 1,
        "long_date": f"{today:%B} {today.day}",
        "weekday": f"{today:%A}",
        "slug": slug,
        "output": "public",
        "version": __version__,
    }
    files = {
        "site.yaml": "site.yaml",
        "content/speakers.yaml": "speakers.yaml",
        f"content/briefings/{slug}.md": "sample.md",
        f"content/briefings/{slug}.yaml": "sample.yaml",
        ".gitignore": "gitignore",
        ".github/workflows/pages.yml": "pages.yml",
    }
    texts = {target: (STARTER / source).read_text(encoding="utf-8").format(**fill)
             for target, source in files.items()}
    _write_new(site, texts)
    return [Path(target) for target in texts]


def _title_of(site: Path) -> str:
    """A title from the folder's name: ``my-briefings`` -> ``My briefings``."""
    name = re.sub(r"[-_\s]+", " ", site.resolve().name).strip()
    title = name[:1].upper() + name[1:] if name else "Briefings"
    # Plain YAML text: quoted where the name would read as something else.
    return title if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 .]*", title) else _quoted(title)


# -- new ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """An article's text and what is known of where it comes from."""

    text: str
    title: str = ""
    outlet: str = ""
    published: str = ""
    url: str = ""
    author: str = ""


def new_briefing(site: Path, slug: str, source: Source | None = None, title: str | None = None,
                 today: dt.date | None = None) -> list[Path]:
    """Write ``content/briefings/<slug>.md`` and ``.yaml`` under ``site``:
    the article from ``source`` (or a line to replace), the annotations with
    what ``source`` tells filled in and every other field listed in
    comments. Returns the files written, relative to ``site``."""
    if not (site / "site.yaml").is_file():
        raise ScaffoldError(f"no site.yaml in '{site}'. Run this in a site folder, pass "
                            "--site DIR, or start a site with 'briefings init'.")
    if not SLUG.match(slug):
        raise ScaffoldError(f"'{slug}' is not a valid slug: use lowercase letters, digits and "
                            f"single hyphens, such as '{suggest_slug(slug)}'.")
    today = today or dt.date.today()
    source = source or Source("Paste the source text here, verbatim, in place of this line.\n")
    fields = {
        "outlet": source.outlet or "the outlet that published it",
        # The page's date, else the one a slug starts with, else today.
        "published": source.published or _day(slug) or today.isoformat(),
    }
    lines = [f"  outlet: {_plain(fields['outlet'])}",
             f"  published: {fields['published']}   "
             "# YYYY-MM-DD, or a datetime with its offset"]
    lines.append(f"  url: {_plain(source.url)}" if source.url
                 else "  # url: where the source was published")
    lines.append(f"  author: {_plain(source.author)}" if source.author
                 else "  # author: who wrote it")
    lines += ["  # dateline: PLACE, Month Day",
              "  # license: the source's licence and attribution, printed on the page"]
    headline = title or source.title or slug.replace("-", " ").capitalize()
    annotations = (STARTER / "briefing.yaml").read_text(encoding="utf-8").format(
        slug=slug, title=_plain(" ".join(headline.split())), source="\n".join(lines))
    folder = Path("content") / "briefings"
    texts = {f"{folder}/{slug}.md": _article(source.text),
             f"{folder}/{slug}.yaml": annotations}
    _write_new(site, texts)
    return [Path(target) for target in texts]


def read_source(path: Path) -> Source:
    """The article in a text, Markdown or HTML file. HTML is reduced to its
    main text, paragraphs kept, with the page's own metadata."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScaffoldError(f"cannot read '{path}': {exc.strerror}.") from None
    text = raw.decode("utf-8", errors="replace")
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or re.match(
            r"\s*(<!doctype html|<html)", text[:1000], re.IGNORECASE):
        return _from_html(raw, path)
    return Source(text)


def _from_html(raw: bytes, path: Path) -> Source:
    import trafilatura  # only ``new --from`` an HTML page pays for its import

    body = trafilatura.extract(raw, output_format="markdown", include_comments=False,
                               include_tables=True, include_images=False,
                               include_links=False, include_formatting=True)
    if not body or not body.strip():
        raise ScaffoldError(f"found no article text in '{path}'. Save the article's text "
                            "as a .md or .txt file and pass that instead.")
    meta = trafilatura.extract_metadata(raw)
    url = (meta.url or "") if meta else ""
    outlet = ((meta.sitename or "") if meta else "") or urlsplit(url).hostname or ""
    title = (meta.title or "") if meta else ""
    # The headline goes into the annotations' title, not into the article again.
    first, _, rest = body.lstrip().partition("\n")
    if first.startswith("#") and _words(first.lstrip("#")) == _words(title):
        body = rest
    return Source(body, title=title, outlet=outlet,
                  published=_day((meta.date or "") if meta else ""), url=url,
                  author=(meta.author or "") if meta else "")


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _day(text: str) -> str:
    """A ``YYYY-MM-DD`` day from an extractor's date, or nothing."""
    match = re.match(r"\d{4}-\d{2}-\d{2}", text)
    if not match:
        return ""
    try:
        return dt.date.fromisoformat(match.group()).isoformat()
    except ValueError:
        return ""


def _article(text: str) -> str:
    """The article as the builder reads it best: Unix line ends, one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return text + "\n"


# -- shared --------------------------------------------------------------------------

def _write_new(site: Path, texts: dict[str, str]) -> None:
    """Write every file, or none if any is there already."""
    there = [name for name in texts if (site / name).exists() or (site / name).is_symlink()]
    if there:
        raise ScaffoldError(f"'{site / there[0]}' exists already; nothing was written. "
                            "Move it away, or choose another name.")
    for name, text in texts.items():
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)


def _plain(value: str) -> str:
    """``value`` as a YAML scalar that reads back as the same text."""
    import yaml

    dumped = yaml.safe_dump(value, default_style=None, allow_unicode=True, width=10_000)
    dumped = dumped.removesuffix("\n...\n").rstrip("\n")
    loaded = yaml.safe_load(dumped)
    if loaded == value and "\n" not in dumped and not re.fullmatch(
            r"(?i)(y|yes|n|no|on|off|true|false|null|~|[-+.\d:_eE]+)", value):
        return dumped
    return _quoted(value)


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
