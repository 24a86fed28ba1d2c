"""Making small sites from hostile input, building them in process, and
checking that what was written is safe to open in a browser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from builder.markdown import is_safe_url
from builder.pipeline import Report, build

SITE = "title: Hostile\nbase_url: https://example.org/h/\n"
SPEAKERS = "jane-roe:\n  name: Jane Roe\n  role: Minister\n"
ARTICLE = "Jane Roe said the talks were over.\n"
ANNOTATIONS = """title: Talks
source:
  outlet: Wire
  published: 2022-01-10
quotes:
  - speaker: jane-roe
    quote: the talks were over
"""

# Every element and attribute the default theme and the Markdown renderer emit;
# anything else in a page came from content.
ELEMENTS = frozenset(
    "html head meta title link script body a p div span time section h1 h2 h3 h4 h5 h6 "
    "article blockquote nav ul ol li header main footer table thead tbody tr th td dl dt "
    "dd mark q sup sub strong em hr caption summary details code pre br del s img".split())
ATTRIBUTES = frozenset(
    "aria-current aria-hidden aria-label aria-labelledby charset cite class content "
    "data-event data-note data-quote data-speaker-name data-speaker datetime href id lang "
    "name rel scope tabindex title type value src alt start style".split())
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "poster"})


def make_site(root: Path, *, site: str = SITE, speakers: str = SPEAKERS,
              briefings: dict[str, tuple[str | bytes, str | bytes]] | None = None,
              files: dict[str, str | bytes] | None = None) -> Path:
    """Write a site: ``briefings`` maps a slug to (article, annotations)."""
    contents: dict[str, str | bytes] = {"site.yaml": site, "content/speakers.yaml": speakers}
    for slug, (article, yaml_text) in (briefings or {"2022-01-10-talks": (
            ARTICLE, ANNOTATIONS)}).items():
        contents[f"content/briefings/{slug}.md"] = article
        contents[f"content/briefings/{slug}.yaml"] = yaml_text
    contents.update(files or {})
    for relative, data in contents.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@dataclass
class Built:
    report: Report
    out: Path

    @property
    def lines(self) -> list[str]:
        return [str(p) for p in self.report.problems]

    @property
    def errors(self) -> list[str]:
        return [str(p) for p in self.report.problems if p.is_error]

    def page(self, path: str) -> str:
        return (self.out / path).read_text(encoding="utf-8")


def build_site(root: Path) -> Built:
    out = root.parent / f"{root.name}-public"
    return Built(build(root, out), out)


class _Scan(HTMLParser):
    def __init__(self, elements: frozenset[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.elements = elements
        self.problems: list[str] = []
        self.in_script = False
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.elements:
            self.problems.append(f"element <{tag}>")
        for name, value in attrs:
            if name not in ATTRIBUTES:
                self.problems.append(f"attribute {name}= on <{tag}>")
            if name in URL_ATTRIBUTES and value and not is_safe_url(value):
                self.problems.append(f"{name}='{value}' on <{tag}>")
            if name == "style" and tag not in ("th", "td"):
                self.problems.append(f"style= on <{tag}>")
        if tag == "script":
            kind = dict(attrs).get("type")
            if kind != "application/ld+json" or len(attrs) != 1:
                self.problems.append(f"script {attrs}")
            self.in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_script = False

    def handle_data(self, data: str) -> None:
        if self.in_script:
            self.scripts[-1] += data


def unsafe_parts(out: Path, elements: frozenset[str] = ELEMENTS) -> list[str]:
    """Everything in the output that content could have used to run script:
    foreign elements and attributes, unsafe URLs, scripts other than JSON-LD
    (whose JSON must parse), and XML or JSON files that do not parse."""
    found = []
    for page in sorted(out.rglob("*.html")):
        scan = _Scan(elements)
        scan.feed(page.read_text(encoding="utf-8"))
        scan.close()
        for script in scan.scripts:
            try:
                json.loads(script)
            except ValueError:
                scan.problems.append("JSON-LD that does not parse")
        found += [f"{page.relative_to(out)}: {p}" for p in scan.problems]
    for xml in ("feed.xml", "sitemap.xml"):
        ET.parse(out / xml)  # raises on malformed XML
    for data in sorted((out / "data").glob("*.json")):
        json.loads(data.read_text(encoding="utf-8"))
    return found


def text_of(html: str, tag: str) -> list[str]:
    """The text of every ``tag`` element, entities decoded."""
    class Texts(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.depth, self.texts = 0, []

        def handle_starttag(self, name: str, attrs: list) -> None:
            if name == tag:
                self.depth += 1
                if self.depth == 1:
                    self.texts.append("")

        def handle_endtag(self, name: str) -> None:
            if name == tag:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.texts[-1] += data

    parser = Texts()
    parser.feed(html)
    parser.close()
    return parser.texts


def json_ld(html: str) -> dict:
    start = html.index('<script type="application/ld+json">') + len(
        '<script type="application/ld+json">')
    return json.loads(html[start:html.index("</script>", start)])
