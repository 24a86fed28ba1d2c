"""How well ``briefings reanchor`` finds annotations again after realistic edits.

    python benchmarks/reanchor.py                       # ../shared/corpus/curated
    python benchmarks/reanchor.py CORPUS --count 60 --seed 1

Takes real articles (``docs/<source>/<id>.md`` of the curated corpus, up to
``--max-words`` words each), gives each annotations derived from its text
(seeded): the passages in quotation marks, clauses of sentences, and short
phrases of two or three words, which often stand more than once and need an
occurrence. Then applies each kind of edit on its own to the Markdown:

- ``word``: a word corrected inside a quoted passage;
- ``insert``: a paragraph inserted, quoting one of the passages again;
- ``delete``: a paragraph deleted;
- ``typography``: straight quotes and dashes made typographic;
- ``sentence``: a sentence removed;
- ``rewrap``: the paragraphs' lines wrapped again (breaking after hyphens too).

Each edit is also written as what it does to the reader's text (spans
replaced), checked against the reader's text of the edited article; an
article whose edit does not check out is left out of that row. So the true
place of every passage after the edit is known, or that it is gone. An
anchor reanchored anywhere else, or a deleted one reanchored at all, is
**wrong**. Prints one table, in Markdown, with the command that made it.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from builder.anchor import reader_text
from builder.model import Anchor
from builder.problems import Position
from builder.reanchor import CHANGED, STATUSES, find_all, reanchor, resolve
from builder.textmatch import fold

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("word", "insert", "delete", "typography", "sentence", "rewrap")
Op = tuple[int, int, str]  # a span of the reader's text replaced by a text


@dataclass(frozen=True)
class Edit:
    markdown: str  # the article after the edit
    ops: list[Op]  # what it does to the reader's text, in order, not overlapping


def annotations(text: str, rng: random.Random) -> list[tuple[int, int]]:
    """Spans of the reader's text to annotate: quotations, clauses, short phrases."""
    spans = []
    for match in re.finditer(r'"([^"]{15,400})"', text):
        inner = match.group(1).rstrip(",.;:- ")
        spans.append((match.start(1), match.start(1) + len(inner)))
    spans = spans[::max(1, len(spans) // 6)][:6]
    sentences = [m for m in re.finditer(r"[A-Z][^.!?\"]{30,300}[.!?]", text)]
    for match in rng.sample(sentences, min(6, len(sentences))):
        words = list(re.finditer(r"\S+", match.group()))
        size = rng.randint(4, 12)
        first = rng.randrange(max(1, len(words) - size))
        chosen = words[first:first + size]
        spans.append((match.start() + chosen[0].start(), match.start() + chosen[-1].end()))
    phrases = list(re.finditer(r"\b[a-z]+ [a-z]+(?: [a-z]+)?\b", text))
    for match in rng.sample(phrases, min(3, len(phrases))):
        spans.append(match.span())
    return sorted(set(spans))


def as_anchor(text: str, span: tuple[int, int]) -> Anchor:
    needle = text[span[0]:span[1]]
    starts = find_all(text, needle)
    occurrence = starts.index(span[0]) + 1 if len(starts) > 1 else None
    return Anchor(needle, occurrence, Position("x.yaml", 1, 1))


# -- the edits -----------------------------------------------------------------------

def _paragraphs(markdown: str) -> list[str]:
    return markdown.split("\n\n")


def _prose(paragraph: str) -> bool:
    return bool(paragraph.strip()) and not re.match(r"\s*(?:[#>*+|-]|\d+[.)]|```)", paragraph) \
        and "  \n" not in paragraph and len(paragraph.split()) > 8


def _reader_length(paragraphs: list[str]) -> int:
    """Where the reader's text of the paragraphs ends, its last space left out."""
    return len(reader_text("\n\n".join(paragraphs)).text.rstrip(" "))


def edit_word(markdown: str, text: str, spans: list[tuple[int, int]],
              rng: random.Random) -> Edit | None:
    quoted = [s for s in spans if s[0] > 0 and text[s[0] - 1] == '"'] or spans
    for start, end in rng.sample(quoted, len(quoted)):
        words = [m for m in re.finditer(r"\b[a-z]{4,}\b", text[start:end])
                 if m.start() > 0 and start + m.end() < end]
        for match in words:
            word = match.group()
            if len(find_all(text, word)) == 1 and len(re.findall(rf"\b{word}\b", markdown)) == 1:
                fixed = word[:-1] + ("s" if word[-1] != "s" else "d")
                at = start + match.start()
                return Edit(re.sub(rf"\b{word}\b", fixed, markdown),
                            [(at, at + len(word), fixed)])
    return None


def edit_insert(markdown: str, text: str, spans: list[tuple[int, int]],
                rng: random.Random) -> Edit | None:
    paragraphs = _paragraphs(markdown)
    at = rng.randrange(1, len(paragraphs)) if len(paragraphs) > 1 else 1
    # An editor's update that quotes one of the passages again: now its words
    # stand twice, and the passage may have to move to another occurrence.
    start, end = rng.choice(spans)
    new = f"Update: this story now leads with “{text[start:end]}” and was corrected."
    position = _reader_length(paragraphs[:at])
    return Edit("\n\n".join([*paragraphs[:at], new, *paragraphs[at:]]),
                [(position, position, " " + fold(new))])


def edit_delete(markdown: str, text: str, spans: list[tuple[int, int]],
                rng: random.Random) -> Edit | None:
    paragraphs = _paragraphs(markdown)
    choices = [i for i in range(1, len(paragraphs)) if _prose(paragraphs[i])]
    if not choices:
        return None
    at = rng.choice(choices)
    before, through = _reader_length(paragraphs[:at]), _reader_length(paragraphs[:at + 1])
    return Edit("\n\n".join(paragraphs[:at] + paragraphs[at + 1:]), [(before, through, "")])


def edit_sentence(markdown: str, text: str, spans: list[tuple[int, int]],
                  rng: random.Random) -> Edit | None:
    sentences = list(re.finditer(r"(?<=[.!?] )[A-Z][^.!?\"\n*_\[]{20,300}[.!?] (?=[A-Z])",
                                 markdown))
    for match in rng.sample(sentences, len(sentences)):
        sentence = match.group()
        folded = fold(sentence)
        if markdown.count(sentence) == 1 and len(find_all(text, folded)) == 1:
            at = text.find(folded)
            # (with the space after it)
            return Edit(markdown.replace(sentence, "", 1), [(at, at + len(folded) + 1, "")])
    return None


_DASHES = re.compile(r"(?<=[\w ])--(?=[\w ])")
_ELLIPSIS = re.compile(r"(?<=\w)\.\.\.")


def edit_typography(markdown: str, text: str, spans: list[tuple[int, int]],
                    rng: random.Random) -> Edit | None:
    typographic = _ELLIPSIS.sub("…", _DASHES.sub("—", markdown))
    typographic = re.sub(r'"(?=\w)', "“", typographic)
    typographic = re.sub(r'(?<=[\w.,!?])"', "”", typographic)
    typographic = re.sub(r"(?<=\w)'(?=\w)", "’", typographic)
    ops = sorted([(m.start(), m.end(), "-") for m in _DASHES.finditer(text)] +
                 [(m.start(), m.end(), "…") for m in _ELLIPSIS.finditer(text)])
    return Edit(typographic, ops)


def edit_rewrap(markdown: str, text: str, spans: list[tuple[int, int]],
                rng: random.Random) -> Edit | None:
    width = rng.randint(50, 90)
    paragraphs = [textwrap.fill(" ".join(p.split()), width) if _prose(p) else p
                  for p in _paragraphs(markdown)]
    wrapped = "\n\n".join(paragraphs)
    new, ops, i = reader_text(wrapped).text, [], 0
    for j, character in enumerate(new):  # the spaces a line break after a hyphen made
        if i < len(text) and text[i] == character:
            i += 1
        elif character == " " and new[j - 1] == "-":
            ops.append((i, i, " "))
        else:
            return None
    return Edit(wrapped, ops)


EDITS: dict[str, Callable[..., Edit | None]] = {
    "word": edit_word, "insert": edit_insert, "delete": edit_delete,
    "typography": edit_typography, "sentence": edit_sentence, "rewrap": edit_rewrap}


def applied(text: str, ops: list[Op]) -> str:
    out, at = [], 0
    for start, end, new in ops:
        out += [text[at:start], new]
        at = end
    return "".join(out) + text[at:]


def truth(span: tuple[int, int], ops: list[Op], new: str) -> tuple[int, int] | None:
    """Where the passage at ``span`` truly is after the edit; None if it is gone."""
    start, end = span
    shift_start = shift_end = 0
    for a, b, replacement in ops:
        delta = len(replacement) - (b - a)
        if b <= start:
            shift_start += delta
        elif a < start < b:  # its start deleted or rewritten: the passage begins there
            shift_start += a - start
        if b <= end - 1 or (a == b and a < end):
            shift_end += delta
        elif a < end <= b:  # its end deleted or rewritten: the passage ends there
            shift_end += a + len(replacement) - end
    found = (start + shift_start, end + shift_end)
    words = new[found[0]:found[1]].strip()
    if not words or len(words) < (end - start) / 3:
        return None
    lead = len(new[found[0]:found[1]]) - len(new[found[0]:found[1]].lstrip())
    return found[0] + lead, found[0] + lead + len(words)


# -- the measurement -------------------------------------------------------------------

def measure(corpus: Path, count: int, seed: int, max_words: int) -> dict[str, dict[str, int]]:
    files = sorted(p for p in (corpus / "docs").glob("*/*.md")
                   if len(p.read_text("utf-8").split()) <= max_words)
    files = files[::max(1, len(files) // count)][:count]
    table = {kind: dict.fromkeys(("articles", "anchors", *STATUSES, "wrong", "seconds"), 0)
             for kind in KINDS}
    for path in files:
        markdown = path.read_text("utf-8")
        previous = reader_text(markdown)
        old = previous.text
        rng = random.Random(f"{seed} {path.stem}")
        spans = annotations(old, rng)
        anchors = [("quote", as_anchor(old, span)) for span in spans]
        for kind in KINDS:
            edit = EDITS[kind](markdown, old, spans, random.Random(f"{seed} {path.stem} {kind}"))
            if edit is None:
                continue
            new = reader_text(edit.markdown)
            if new.text != applied(old, edit.ops) or new.text == old and edit.ops:
                continue  # the edit is not what it says it is: left out
            row = table[kind]
            started = time.perf_counter()
            outcomes = reanchor(previous, new, anchors)
            row["seconds"] += time.perf_counter() - started  # type: ignore[assignment]
            row["articles"] += 1
            for span, outcome in zip(spans, outcomes, strict=True):
                row["anchors"] += 1
                row[outcome.status] += 1
                row["wrong"] += is_wrong(outcome, truth(span, edit.ops, new.text), new.text)
    return table


def is_wrong(outcome, expected: tuple[int, int] | None, new: str) -> bool:
    """Whether an outcome places its passage anywhere but where it truly is."""
    if outcome.status not in ("kept", "moved", CHANGED):
        return False
    text = fold(outcome.new_text) if outcome.status == CHANGED else fold(outcome.anchor.text)
    start = resolve(Anchor(text, outcome.occurrence if outcome.status != "kept"
                           else outcome.anchor.occurrence, outcome.anchor.where), new)
    return expected is None or start is None or (start, start + len(text)) != expected


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path,
                        default=ROOT.parent / "shared" / "corpus" / "curated",
                        help="the curated corpus (default: ../shared/corpus/curated)")
    parser.add_argument("--count", type=int, default=60, help="articles (default: 60)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-words", type=int, default=6000)
    args = parser.parse_args()
    if not (args.corpus / "docs").is_dir():
        print(f"no docs/ folder in {args.corpus}: give the curated corpus's folder",
              file=sys.stderr)
        return 2
    table = measure(args.corpus, args.count, args.seed, args.max_words)
    given = " ".join(sys.argv[1:2] and ["CORPUS"] + sys.argv[2:])
    print(f"`python benchmarks/reanchor.py {given}`".replace(" `", "`"))
    print()
    columns = ("articles", "anchors", *STATUSES, "wrong")
    print("| edit | " + " | ".join(columns) + " | ms/article |")
    print("| --- |" + " ---: |" * (len(columns) + 1))
    for kind, row in table.items():
        each = 1000 * row["seconds"] / row["articles"] if row["articles"] else 0
        print(f"| {kind} | " + " | ".join(str(row[c]) for c in columns) + f" | {each:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
