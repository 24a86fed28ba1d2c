"""The White House Briefing Room corpus -> a briefings site (and the same pages for Hugo, Pelican).

    python benchmarks/whitehouse.py --tarball ../shared/corpus/whitehouse-briefing-room.tar.xz \\
        --out benchmarks/.work/whitehouse-all [--limit 1000]

The tarball (14,396 pages, 2021-2025; a scrape by the public repository
brian14708/wh-briefings, CC0 1.0, of texts that are US Government works in the
public domain) holds one Markdown file per page with YAML front matter: title,
date, published_time, source_url, tags (the Briefing Room category). It is read
as it is, never unpacked to disk. Each page becomes a briefing:

- the body, verbatim but for lines holding only white space (non-breaking
  spaces, mostly), which become empty lines, so paragraphs are paragraphs, and
  for characters no page can hold (one U+FDDF in the whole corpus), dropped;
- ``published`` from ``published_time``, with its offset; the site's zone is
  America/New_York;
- the category as the tag;
- transcript labels (``MS. PSAKI:``, ``THE PRESIDENT:``) mapped to speakers,
  registered in content/speakers.yaml; reporters (``Q``), moderators,
  audiences and headings in capitals (``NOMINATIONS SENT TO THE SENATE``) are
  mapped to null;
- passages in quotation marks as quotes of the speaker whose turn holds them, or,
  outside any turn, of the person the title names (``Statement from President
  Joe Biden on ...``); passages with Markdown syntax in them are left out, and
  ``occurrence`` is set where the words occur more than once.

``--limit N`` keeps the first N pages in order of publication. Output order and
bytes are the same on every run.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import FORMATS, Article, Quote, Speaker, write_sites  # noqa: E402

SITE = {"title": "The White House Briefing Room, 2021-2025",
        "base_url": "https://example.org/whitehouse/",
        "description": "Every page of the Briefing Room, as a benchmark corpus.",
        "timezone": "America/New_York"}
LICENSE = ("Public domain (work of the U.S. Government, 17 U.S.C. § 105); "
           "repository compilation CC0 1.0 (brian14708/wh-briefings)")
INAUGURATION_2025 = date(2025, 1, 20)

# The people the corpus names most, under one id whatever the label; labels that
# depend on the date ("THE PRESIDENT") are resolved by the page's date.
PEOPLE = {
    "joe-biden": ("Joe Biden", "President of the United States (2021-2025)"),
    "donald-trump": ("Donald Trump", "President of the United States (from 2025)"),
    "kamala-harris": ("Kamala Harris", "Vice President of the United States (2021-2025)"),
    "jd-vance": ("JD Vance", "Vice President of the United States (from 2025)"),
    "jill-biden": ("Jill Biden", "First Lady of the United States (2021-2025)"),
    "melania-trump": ("Melania Trump", "First Lady of the United States (from 2025)"),
    "jen-psaki": ("Jen Psaki", "White House Press Secretary (2021-2022)"),
    "karine-jean-pierre": ("Karine Jean-Pierre", "White House Press Secretary (2022-2025)"),
    "karoline-leavitt": ("Karoline Leavitt", "White House Press Secretary (from 2025)"),
    "john-kirby": ("John Kirby", "National Security Council Coordinator for Strategic "
                                 "Communications"),
    "jake-sullivan": ("Jake Sullivan", "National Security Advisor (2021-2025)"),
    "anthony-fauci": ("Anthony Fauci", "Chief Medical Advisor to the President (2021-2022)"),
}
LABELS = {
    "PRESIDENT BIDEN": "joe-biden", "PRESIDENT TRUMP": "donald-trump",
    "VICE PRESIDENT HARRIS": "kamala-harris", "VICE PRESIDENT VANCE": "jd-vance",
    "DR. BIDEN": "jill-biden", "FIRST LADY JILL BIDEN": "jill-biden",
    "MRS. TRUMP": "melania-trump", "MS. PSAKI": "jen-psaki",
    "MS. JEAN-PIERRE": "karine-jean-pierre",
    "MS. LEAVITT": "karoline-leavitt", "MR. KIRBY": "john-kirby", "ADMIRAL KIRBY": "john-kirby",
    "MR. SULLIVAN": "jake-sullivan", "DR. FAUCI": "anthony-fauci",
}
BY_ERA = {  # label -> (before the 2025 inauguration, from it)
    "THE PRESIDENT": ("joe-biden", "donald-trump"),
    "THE VICE PRESIDENT": ("kamala-harris", "jd-vance"),
    "THE FIRST LADY": ("jill-biden", "melania-trump"),
}
# In titles, longest first: "Vice President Harris" before "President".
TITLE_NAMES = [
    ("Vice President Kamala Harris", "kamala-harris"), ("Vice President Harris", "kamala-harris"),
    ("Vice President JD Vance", "jd-vance"), ("Vice President Vance", "jd-vance"),
    ("First Lady Jill Biden", "jill-biden"), ("Dr. Jill Biden", "jill-biden"),
    ("First Lady Melania Trump", "melania-trump"),
    ("President Joseph R. Biden", "joe-biden"), ("President Joe Biden", "joe-biden"),
    ("President Biden", "joe-biden"), ("President Donald J. Trump", "donald-trump"),
    ("President Trump", "donald-trump"), ("Jen Psaki", "jen-psaki"),
    ("Karine Jean-Pierre", "karine-jean-pierre"), ("Karoline Leavitt", "karoline-leavitt"),
    ("John Kirby", "john-kirby"), ("Jake Sullivan", "jake-sullivan"),
]
# Capitalised labels that name no one: recognised, attributed to nobody.
ANONYMOUS = re.compile(
    r"\b(AUDIENCE|MODERATOR|PARTICIPANTS?|OPERATOR|SUBJECT|AIDE|CHILD|CHILDREN|CROWD|REPORTERS?|"
    r"STAFF|STUDENTS?|ATTENDEES?|SENT TO THE SENATE|CONGRESS|QUESTION|ANSWER|NOTE|UPDATE|END|"
    r"OFFICIALS?|VOICE|MEMBER|MEMBERS|INTERPRETER|TRANSLATOR|NARRATOR|ANNOUNCER|"
    r"TEXT|VIDEO|PHOTO|BACKGROUND|EMBARGOED|WASHINGTON|ATTACHMENT|ATTACHMENTS|SUMMARY|"
    r"MINUTES?|WHEREAS|SECTION|SEC)\b|\d")
# What the builder takes for a label: words, a stage remark in parentheses that
# may stand before the colon, then the colon and a space.
LABEL = re.compile(r"^(?P<label>[^:()\n]{1,100}?)\s*(?:\((?P<stage>[^)\n]*)\)[*_\s]*)?:(?=\s|$)")
Q_LABEL = re.compile(r"^Q(?=[\s:])")
QUOTED = re.compile(r"“([^“”]{20,600}?)”")
MARKDOWN_SYNTAX = re.compile(r"[*_\[\]`<>\\#|&~]|https?:|\n\s*[-+>]|\n\s*\d+[.)]\s")
# What no page can hold (control characters but tab and line ends, Unicode
# noncharacters): the builder refuses a file with one, so they are dropped here.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
                      + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(17))
                      + "]")
_FOLD = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def fold(text: str) -> str:
    """White space as one space, typographic quotes and dashes as plain ones."""
    return " ".join(text.translate(_FOLD).split())


def plain(markdown: str) -> str:
    """Roughly what a reader sees of a paragraph: emphasis marks and escapes dropped."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"\*\*|__|(?<!\w)[*_]|[*_](?!\w)", "", markdown))


def slugify(stem: str) -> str:
    stem = re.sub(r"%[0-9a-fA-F]{2}", "-", stem.lower())
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "page"


def speaker_of(label: str, day: date) -> str | None:
    """The speaker id of a capitalised label, or None for one that names no one."""
    if label in BY_ERA:
        return BY_ERA[label][day >= INAUGURATION_2025]
    if label in LABELS:
        return LABELS[label]
    if ANONYMOUS.search(label) or len(label.split()) > 5:
        return None
    return slugify(label)


def name_of(label: str) -> str:
    """``MS. JEAN-PIERRE`` -> ``Ms. Jean-Pierre``."""
    return " ".join(word.capitalize() if "-" not in word else
                    "-".join(p.capitalize() for p in word.split("-")) for word in label.split())


def is_capitals(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def read_pages(tarball: Path) -> list[tuple[str, dict[str, str], str]]:
    """(member stem, front matter as text, body) of every page, by publication."""
    pages = []
    with tarfile.open(tarball, "r:xz") as archive:
        for member in archive:
            if not member.isfile() or not member.name.endswith(".md"):
                continue
            file = archive.extractfile(member)
            assert file is not None
            text = file.read().decode("utf-8")
            _, front, body = text.split("---\n", 2)
            meta = yaml.load(front, Loader=yaml.BaseLoader)  # every value as text
            pages.append((member.name, meta, body))
    pages.sort(key=lambda p: (_published(p[1]), p[0]))
    return pages


def _published(meta: dict[str, str]) -> datetime:
    return datetime.fromisoformat(meta["published_time"].replace(" ", "T"))


def convert_page(stem: str, meta: dict[str, str], body: str, registry: dict[str, Speaker]
                 ) -> tuple[Article, Counter[str]]:
    published = _published(meta)
    day = published.date()
    lines = ["" if not line.strip() else line for line in body.split("\n")]
    body, dropped = NOT_TEXT.subn("", "\n".join(lines).strip("\n") + "\n")
    paragraphs = [p for p in re.split(r"\n{2,}", body) if p.strip()]
    title = " ".join(meta.get("title", "").split()) or stem
    principal = next((sid for name, sid in TITLE_NAMES if name in title), None)

    labels: dict[str, str | None] = {}
    quotes: list[Quote] = []
    stats: Counter[str] = Counter({"characters dropped": dropped})
    current: str | None = principal
    in_transcript = False
    folded_body = fold(plain(body))
    consumed = ""  # the paragraphs before the current one, folded, for occurrence numbers
    for paragraph in paragraphs:
        text = " ".join(plain(paragraph).split())
        match = LABEL.match(text)
        if Q_LABEL.match(text):
            labels["Q"] = None
            current, in_transcript = None, True
        elif match and is_capitals(match.group("label").strip()):
            label = match.group("label").strip()
            speaker = speaker_of(label, day)
            labels[label] = speaker
            current, in_transcript = speaker, True
            if speaker and speaker not in registry:
                name, role = PEOPLE.get(speaker, (name_of(label), ""))
                registry[speaker] = Speaker(speaker, name, role=role)
        for found in QUOTED.finditer(paragraph):
            words = found.group(1).strip()
            if (current is None or MARKDOWN_SYNTAX.search(words)
                    or not 4 <= len(words.split()) <= 60):
                stats["quotations skipped"] += 1
                continue
            needle = fold(words)
            before = consumed + " " + fold(plain(paragraph[:found.end(1)]))
            occurrence = _count(before, needle)
            if occurrence == 0:  # the passage reads differently once rendered
                stats["quotations skipped"] += 1
                continue
            total = _count(folded_body, needle)
            quotes.append(Quote(current, words, occurrence if total > 1 else None))
        consumed += " " + fold(plain(paragraph))
        if not in_transcript:
            current = principal
    speakers = tuple(dict.fromkeys([*(s for s in labels.values() if s),
                                    *(q.speaker for q in quotes)]))
    if principal in speakers and principal not in registry:
        name, role = PEOPLE[principal]
        registry[principal] = Speaker(principal, name, role=role)
    stats["quotes"] += len(quotes)
    stats["transcripts"] += bool(labels)
    category = meta.get("tags", "briefing-room")
    article = Article(
        slug=slugify(Path(stem).stem), title=title, published=published, summary="", body=body,
        speakers=speakers, tags=(category.replace("-", " ").capitalize(),), quotes=tuple(quotes),
        labels=tuple(sorted(labels.items())), outlet="The White House",
        url=meta.get("source_url", ""), license=LICENSE)
    return article, stats


def _count(text: str, needle: str) -> int:
    """Occurrences of ``needle`` in ``text``, overlapping ones included."""
    count, position = 0, text.find(needle)
    while position != -1:
        count += 1
        position = text.find(needle, position + 1)
    return count


def convert(tarball: Path, out: Path, limit: int | None, formats: list[str]) -> Counter[str]:
    pages = read_pages(tarball)[:limit]
    registry: dict[str, Speaker] = {}
    articles: list[Article] = []
    stats: Counter[str] = Counter()
    taken: set[str] = set()
    for stem, meta, body in pages:
        article, found = convert_page(stem, meta, body, registry)
        slug, n = article.slug, 1
        while slug in taken:  # the same page name in two categories
            n += 1
            slug = f"{article.slug}-{n}"
        taken.add(slug)
        article = replace(article, slug=slug)
        articles.append(article)
        stats.update(found)
    stats["pages"] = len(articles)
    stats["speakers"] = len(registry)
    speakers = sorted(registry.values(), key=lambda s: s.id)
    write_sites(out, speakers, articles, formats, SITE)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tarball", type=Path, required=True,
                        help="whitehouse-briefing-room.tar.xz")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write")
    parser.add_argument("--limit", type=int, help="the first N pages by date (default: all)")
    parser.add_argument("--formats", default=",".join(FORMATS),
                        help="comma-separated: briefings,hugo,pelican (default: all)")
    args = parser.parse_args(argv)
    formats = [f for f in args.formats.split(",") if f]
    stats = convert(args.tarball, args.out, args.limit, formats)
    print(f"wrote {stats['pages']} pages as {', '.join(formats)} under {args.out}: "
          f"{stats['speakers']} speakers, {stats['transcripts']} transcripts, "
          f"{stats['quotes']} quotes ({stats['quotations skipped']} quotations left out); "
          f"{stats['characters dropped']} characters that are not text dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
