"""Making small sites from hostile input, building them in process, and
checking that what was written is safe to open in a browser."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from builder.markdown import is_safe_url
from builder.pipeline import Report, build

from helpers import without_search_markup

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

# The vectors of the OWASP XSS Filter Evasion Cheat Sheet, and a few aimed at
# our own outputs (JSON-LD, the Atom feed, Jinja).
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert(&quot;XSS&quot;)>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114"
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"https://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<iframe src=https://xss.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<svg/onload=alert('XSS')>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://xss.example/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\">",
    "\"><script>alert(1)</script>",
    "' onmouseover='alert(1)' x='",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)</script>-->",
    "]]><script>alert(1)</script><![CDATA[",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "{{ 7*7 }}",
    "{% for x in range(3) %}{{ x }}{% endfor %}",
    "{{ self.__init__.__globals__ }}",
    "\u202e<script>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<x onclick=alert(1) tabindex=0>click</x>",
]

MARKDOWN_LINKS = [  # (Markdown, the URL that must not be published)
    ("[click](javascript:alert(1))", "javascript:alert(1)"),
    ("[click](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)"),
    ("[click](vbscript:msgbox(1))", "vbscript:msgbox(1)"),
    ("[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
     "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("![click](javascript:alert(1))", "javascript:alert(1)"),
    ("![click](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
     "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="),
    ("[click][ref]", "javascript:alert(1)"),  # with the reference below the paragraph
    ("[click](file:///etc/passwd)", "file:///etc/passwd"),
]


# Every element and attribute the default theme and the Markdown renderer emit;
# anything else in a page came from content.
ELEMENTS = frozenset(
    "html head meta title link script body a p div span time section h1 h2 h3 h4 h5 h6 "
    "article blockquote nav ul ol li header main footer table thead tbody tr th td dl dt "
    "dd mark q sup sub strong em hr caption summary details code pre br del s img "
    "figure figcaption style".split())
ATTRIBUTES = frozenset(
    "aria-current aria-hidden aria-label aria-labelledby charset cite class content "
    "data-event data-note data-quote data-speaker-name data-speaker datetime href id lang "
    "name rel scope tabindex title type value src alt start style property "
    "data-reported-by hidden "
    "data-pagefind-body data-pagefind-ignore data-pagefind-filter data-index data-parts "
    "data-root".split())
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
            # (A chart's bar carries its height, a number the builder works out.)
            if name == "style" and tag not in ("th", "td") and not re.fullmatch(
                    r"--level: \d\.\d\d", value or ""):
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
        scan.feed(without_search_markup(page.read_text(encoding="utf-8")))
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
