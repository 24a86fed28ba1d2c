"""One briefing's article -> annotated HTML, its transcript turns and problems.

The article is rendered from Markdown once; quotes, notes and events are found
in the reader's text of that HTML (see :mod:`builder.textmatch`) and
highlighted in place. Highlights are cut at every text node of the HTML and
re-opened after it, so however anchors span markup, paragraphs, nest or
overlap, the result stays well formed. Transcript turns wrap whole top-level
blocks. This module reads no files and knows nothing of other briefings.
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import ahocorasick

from . import markdown, urls
from .model import Anchor, Briefing, Held, Speaker
from .problems import Position, Problem, error, warning
from .textmatch import TAG, ReaderText, fold, tag_name

_PHRASING_PARENTS = frozenset(
    "p h1 h2 h3 h4 h5 h6 td th em strong a code del s span mark sup sub".split())
_VOID = frozenset("br hr img input wbr".split())
_KIND_ORDER = {"quote": 0, "event": 1, "note": 2, "mention": 3}
# A label, then a stage remark in parentheses that may stand before the colon;
# stray emphasis marks around it come from malformed sources. The colon must be
# followed by a space, so a clock time ("END 6:45 P.M.") is no label.
_LABEL = re.compile(
    r"^(?P<label>[^:()\n]{1,300}?)\s*(?:\((?P<stage>[^)\n]*)\)[*_\s]*)?:(?=\s|$)")
_Q_LABEL = re.compile(r"^Q(?=[\s:])")
_CONNECTORS = frozenset("of the de da del di du la le bin bint al el von van der den y and".split())


@dataclass(frozen=True)
class Turn:
    number: int
    speaker: str
    opening: str  # the first words, label removed
    line: int

    @property
    def id(self) -> str:
        return f"turn-{self.number}"


@dataclass(frozen=True)
class Article:
    html: str
    turns: tuple[Turn, ...]
    # (Sorted tuples, not sets: a tuple of a few ids is a fifth of the memory,
    # and ten thousand articles hold two each.)
    mentioned: tuple[str, ...]  # speaker ids named in the text
    found: tuple[str, ...]  # ids of the annotations located in the text
    note_numbers: tuple[tuple[str, int], ...]  # note id -> its number in the text
    words: int
    tints: tuple[tuple[str, int], ...] = ()  # speaker id -> colour slot, as they speak
    quote_order: tuple[str, ...] = ()  # the ids of the quotes, in the order of the text


@dataclass
class _Mark:
    kind: str
    id: str
    start: int  # in the reader's text
    end: int
    open_tag: str  # without the id attribute
    insert_after: str = ""
    speaker: str = ""  # a quote's, or a mention's
    emitted: bool = False

    def order(self) -> tuple[int, int, int, str]:
        return (self.start, -self.end, _KIND_ORDER[self.kind], self.id)


@dataclass(frozen=True)
class _Span:
    """The part of one text part that a mark covers."""

    start: int
    end: int
    mark: _Mark
    is_last: bool  # the mark ends in this text part


@dataclass
class _Block:
    html: str
    line: int  # 1-based line of the Markdown source
    is_paragraph: bool
    first_part: int = 0
    last_part: int = 0
    turn: Turn | None = None
    ends_turns: bool = False
    outside: bool = False  # in no turn: the turn around it goes on after it


@dataclass
class _Context:
    briefing: Briefing
    speakers: dict[str, Speaker]
    problems: list[Problem] = field(default_factory=list)
    block_starts: list[tuple[int, int]] = field(default_factory=list)  # (first part, line)

    def line_at(self, reader: ReaderText, position: int) -> int:
        """The Markdown source line of a position in the reader's text."""
        part = next((p for p in itertools.islice(reader.part_of, position, None) if p >= 0), 0)
        index = bisect.bisect_right(self.block_starts, (part, math.inf)) - 1
        return self.block_starts[max(index, 0)][1] if self.block_starts else 1


TINTS = 8  # the theme's colour slots for speakers (templates/assets/style.css)
_TINT = "\0tint\0"  # where a quote's colour slot goes, once the slots are given out


def _tints(blocks: list[_Block], marks: list[_Mark], reader: ReaderText,
           briefing: Briefing) -> dict[str, int]:
    """A colour slot for each speaker of the article, given out in the order
    they first speak in it (a turn or a quote), so that up to :data:`TINTS`
    speakers of a page all get different colours."""
    first: dict[str, int] = {}  # speaker -> the part where they first speak
    for block in blocks:
        if block.turn and block.turn.speaker not in first:
            first[block.turn.speaker] = block.first_part
    speaker_of = {q.id: q.speaker for q in briefing.quotes}
    for mark in marks:
        if mark.kind == "quote":
            speaker, part = speaker_of[mark.id], reader.part_of[mark.start]
            if part < first.get(speaker, part + 1):
                first[speaker] = part
    order = sorted(first, key=lambda s: (first[s], s))
    return {speaker: number % TINTS for number, speaker in enumerate(order)}


def render_article(
    briefing: Briefing, speakers: dict[str, Speaker], link_mentions: bool,
    raw_html: str = "text",
) -> tuple[Article, list[Problem]]:
    context = _Context(briefing, speakers)
    blocks = _split_blocks(briefing.article, raw_html, context)
    reader = _reader_of(blocks)
    context.block_starts.extend((block.first_part, block.line) for block in blocks)
    turns = _find_turns(blocks, reader, context)
    _keep_outside(blocks, reader, context)
    marks, note_numbers = _annotation_marks(reader, context)
    tints = _tints(blocks, marks, reader, briefing)
    for mark in marks:
        if mark.kind == "quote":
            mark.open_tag = mark.open_tag.replace(_TINT, str(tints[mark.speaker]))
    # Mentions are looked for even when not linked: they make a speaker "used".
    mentions = _mention_marks(reader, marks, context)
    names = {s: speakers[s].name for s in tints if s in speakers}
    body = _emit(blocks, reader, marks + mentions if link_mentions else marks, tints, names)
    article = Article(
        html=body,
        turns=tuple(turns),
        mentioned=tuple(sorted(m.speaker for m in mentions)),
        found=tuple(sorted(m.id for m in marks)),
        note_numbers=tuple(note_numbers),
        words=len(reader.text.split()),
        tints=tuple(tints.items()),
        quote_order=tuple(m.id for m in sorted(marks, key=_Mark.order) if m.kind == "quote"),
    )
    return article, context.problems


@dataclass(frozen=True)
class Reading:
    """An article as a reader reads it, for suggesting its annotations: each
    paragraph's text with its source line and the speaker of the turn it is
    in (None outside turns), the labels that look like a transcript's but are
    not mapped (each with its first line), and the folded text of it all."""

    paragraphs: tuple[tuple[int, str, str | None], ...]
    unlisted: tuple[tuple[str, int], ...]
    text: str


def reading(briefing: Briefing, speakers: dict[str, Speaker], raw_html: str = "text"
            ) -> Reading:
    context = _Context(briefing, speakers)
    blocks = _split_blocks(briefing.article, raw_html, context)
    reader = _reader_of(blocks)
    _find_turns(blocks, reader, context)
    _keep_outside(blocks, reader, context)
    transcript = briefing.transcript
    labels = {label: speaker for label, speaker, _ in transcript.labels} if transcript else {}
    paragraphs, unlisted = [], {}
    speaker: str | None = None
    for block in blocks:
        if block.turn is not None:
            speaker = block.turn.speaker
        elif block.ends_turns:
            speaker = None
        text = " ".join(_block_text(block, reader).split())
        if block.outside:
            if text:
                paragraphs.append((block.line, text, None))
            continue
        if block.is_paragraph and block.turn is None and _label_of(text, labels) is None:
            guess = _looks_like_label(text, block)
            if guess:
                unlisted.setdefault(guess, block.line)
            elif _Q_LABEL.match(text) and text[1:2] == ":":  # a reporter's question
                unlisted.setdefault("Q", block.line)
        if text:
            paragraphs.append((block.line, text, speaker))
    return Reading(tuple(paragraphs), tuple(unlisted.items()), reader.text)


def reader_text(article: str, raw_html: str = "text") -> ReaderText:
    """The reader's text of an article's Markdown: what its anchors are found in."""
    return _reader_of(_split_blocks(article, raw_html, None))


def _reader_of(blocks: list[_Block]) -> ReaderText:
    """The reader's text of the blocks, each told which of its parts are its own."""
    parts: list[str] = []
    for block in blocks:
        block.first_part = len(parts)
        if len(parts) % 2:  # keep text at even indexes
            parts.append("")
        parts.extend(TAG.split(block.html))
        block.last_part = len(parts)
    return ReaderText.of(parts)


def _split_blocks(text: str, raw_html: str, context: _Context | None) -> list[_Block]:
    """Render the article one top-level block at a time, keeping source lines.
    Links and images that are not published are reported here (in ``context``)."""
    md = markdown.parser(raw_html)
    env: dict = {}
    tokens = md.parse(text, env)
    blocks = []
    start = 0
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting <= 0:
            group = tokens[start:index + 1]
            line = (group[0].map[0] + 1) if group[0].map else 1
            rendered = md.renderer.render(group, md.options, env)
            if raw_html == "sanitise":
                rendered = markdown.sanitise(rendered) + "\n"
            blocks.append(_Block(rendered, line, group[0].type == "paragraph_open"))
            start = index + 1
    lines = text.split("\n")
    for offset, url in env.get("unsafe", ()) if context else ():
        source = lines[offset] if offset < len(lines) else ""
        column = source.find(url[:12]) + 1 or 1
        context.problems.append(warning(
            Position(context.briefing.article_path, offset + 1, column),
            f"the link '{_short(url, 60)}' is not published: only {markdown.SAFE_LIST} and "
            "relative links are. Remove it, or link to a web page."))
    return blocks


def _block_text(block: _Block, reader: ReaderText) -> str:
    return " ".join(
        reader.decoded.get(i, "") for i in range(block.first_part, block.last_part, 1)
        if i % 2 == 0).strip()


def _find_turns(blocks: list[_Block], reader: ReaderText, context: _Context) -> list[Turn]:
    transcript = context.briefing.transcript
    labels = {label: speaker for label, speaker, _ in transcript.labels} if transcript else {}
    turns: list[Turn] = []
    unlisted: dict[str, list[int]] = {}  # label -> the lines it starts
    q_labels = "Q" in labels
    for block in blocks:
        if not block.is_paragraph:
            continue
        if ":" not in block.html and "&" not in block.html and not (
                q_labels and "Q" in block.html):
            continue  # no label without a colon, written or as an entity (but Q's)
        text = " ".join(_block_text(block, reader).split())
        label = _label_of(text, labels)
        if label is None:
            guess = _looks_like_label(text, block)
            if guess:
                unlisted.setdefault(guess, []).append(block.line)
                # Whoever speaks here, it is not the previous speaker: this
                # paragraph and those after it, up to the next listed label,
                # belong to no turn until the label is mapped.
                block.ends_turns = True
            continue
        speaker = labels[label]
        if speaker is None:
            block.ends_turns = True
            continue
        opening = _LABEL.sub("", text, count=1) if label != "Q" else text[1:]
        opening = re.sub(r"^\s*\([^)]*\)\s*", "", opening).strip()
        block.turn = Turn(len(turns) + 1, speaker, _first_words(opening, 30), block.line)
        turns.append(block.turn)
    for guess, lines in unlisted.items():  # one warning a label, at its first paragraph
        others = len(lines) - 1
        more = f" (and {others} more paragraph{'s' if others > 1 else ''})" if others else ""
        context.problems.append(warning(
            Position(context.briefing.article_path, lines[0], 1),
            f"unlisted transcript label '{guess}'{more}: map it under 'transcript: labels:' in "
            f"{context.briefing.yaml_path} to a speaker id, or to null for anonymous speakers."))
    return turns


def _keep_outside(blocks: list[_Block], reader: ReaderText, context: _Context) -> None:
    """Mark the blocks of the transcript's ``outside`` passages."""
    transcript = context.briefing.transcript
    for anchor in transcript.outside if transcript else ():
        span = _locate(anchor, "passage kept outside turns", reader, context)
        if span is None:
            continue
        part = next((p for p in itertools.islice(reader.part_of, span[0], None) if p >= 0), 0)
        for block in blocks:
            if block.first_part <= part < block.last_part:
                block.outside = True
                break


def _label_of(text: str, labels: dict[str, str | None]) -> str | None:
    if "Q" in labels and _Q_LABEL.match(text):
        return "Q"
    match = _LABEL.match(text)
    if match and match.group("label").strip() in labels:
        return match.group("label").strip()
    return None


def _looks_like_label(text: str, block: _Block) -> str | None:
    match = _LABEL.match(text)
    if not match:
        return "Q" if text.startswith("Q:") else None
    label = match.group("label").strip()
    if not label:
        return None
    bold = block.html.startswith("<p><strong>") and label in html.unescape(
        block.html[len("<p><strong>"):block.html.find("</strong>")])
    words = label.split()
    letters = [c for c in label if c.isalpha()]
    all_caps = len(letters) >= 2 and all(c.isupper() for c in letters)
    titled = 2 <= len(words) <= 6 and all(
        w[0].isupper() or w.lower() in _CONNECTORS for w in words) and words[0][0].isupper()
    # A bold or capitalised label may be as long as a title and a name can be
    # ("Chairperson of the Legislative Duma of the Tomsk Region Oksana
    # Kozlovskaya"); a label of Capitalised Words is two to six of them.
    return label if bold or all_caps or titled else None


def _first_words(text: str, count: int) -> str:
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _locate(anchor: Anchor, what: str, reader: ReaderText, context: _Context
            ) -> tuple[int, int] | None:
    """The span of an anchor in the reader's text, or a problem."""
    needle = fold(anchor.text)
    if not needle:  # only invisible characters: zero-width spaces, soft hyphens...
        context.problems.append(error(anchor.where, f"the {what} has no visible text: copy "
                                      "the words from the article."))
        return None
    starts = reader.find_all(needle)
    briefing = context.briefing
    if not starts:
        context.problems.append(error(anchor.where, f"{what} not found in the article: "
                                      f"'{_short(needle)}'.{_closest(needle, reader, briefing)}"))
        return None
    if anchor.occurrence is None and len(starts) > 1:
        places = "; ".join(f"{n} (line {context.line_at(reader, s)}): "
                           f"'{reader.excerpt(s, s + len(needle), 20)}'"
                           for n, s in enumerate(starts[:5], 1))
        more = f"; and {len(starts) - 5} more" if len(starts) > 5 else ""
        context.problems.append(error(anchor.where, f"{what} occurs {len(starts)} times in the "
                                      f"article: add 'occurrence: N' to choose one. "
                                      f"{places}{more}."))
        return None
    if anchor.occurrence is not None and anchor.occurrence > len(starts):
        context.problems.append(error(anchor.where, f"occurrence {anchor.occurrence} asked, but "
                                      f"the {what} occurs only {len(starts)} time"
                                      f"{'s' if len(starts) > 1 else ''} in the article."))
        return None
    start = starts[(anchor.occurrence or 1) - 1]
    return start, start + len(needle)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _closest(needle: str, reader: ReaderText, briefing: Briefing) -> str:
    if not reader.text:
        return " The article is empty."
    from rapidfuzz import fuzz  # here: only a passage not found pays for its import

    found = fuzz.partial_ratio_alignment(needle, reader.text)
    if found is None or found.score < 50:
        return " Nothing in the article is close: check that the text was copied from this article."
    text = reader.text
    start = text.rfind(" ", 0, found.dest_start + 1) + 1  # whole words
    end = text.find(" ", max(found.dest_end - 1, start))
    end = len(text) if end == -1 else end
    return (f" Closest passage ({found.score:.0f}% alike): "
            f"'{_short(text[start:end], 120)}'. Copy the words exactly as they stand.")


# The opening tags of a note's number and of its text in the margin, as
# they stand in the article (see :func:`unindexed_notes`).
NOTE_REF = '<sup class="note-ref">'
SIDENOTE = '<span class="sidenote" aria-hidden="true">'


def unindexed_notes(html: str) -> str:
    """An article's HTML with its notes' numbers and margin texts marked to be
    left out of the search index (``data-pagefind-ignore``), for a site with
    search on: within a quote they would be read as words of the quote, and
    the index has each note in the footnotes. (Their opening tags are the
    builder's own: text in an article cannot make one, its '<' escaped.)"""
    return html.replace(NOTE_REF, '<sup class="note-ref" data-pagefind-ignore>').replace(
        SIDENOTE, '<span class="sidenote" aria-hidden="true" data-pagefind-ignore>')


def _annotation_marks(reader: ReaderText, context: _Context
                      ) -> tuple[list[_Mark], list[tuple[str, int]]]:
    briefing = context.briefing
    marks = []
    for quote in briefing.quotes:
        span = _locate(quote.anchor, "quote", reader, context)
        speaker = context.speakers.get(quote.speaker)
        if span and speaker:
            name, relayed = speaker.name, ""
            relay = context.speakers.get(quote.reported_by)
            if relay:
                name += f", as reported by {relay.name}"
                relayed = f' data-reported-by="{relay.id}"'
            marks.append(_Mark(
                "quote", quote.id, *span,
                f'<mark class="quote tint-{_TINT}" data-quote="{quote.id}" '
                f'data-speaker="{speaker.id}" data-speaker-name="{html.escape(name)}"'
                + relayed, speaker=speaker.id))
    for event in briefing.events:
        if event.anchor:
            span = _locate(event.anchor, "event anchor", reader, context)
            if span:
                marks.append(_Mark("event", event.id, *span,
                                   f'<span class="event-anchor" data-event="{event.id}"'))
    note_spans = []
    for note in briefing.notes:
        span = _locate(note.anchor, "note anchor", reader, context)
        if span:
            note_spans.append((span, note))
    numbers = []
    for number, (span, note) in enumerate(sorted(note_spans, key=lambda s: s[0]), 1):
        numbers.append((note.id, number))
        sidenote = markdown.render_inline(note.note)
        marks.append(_Mark(
            "note", note.id, *span, f'<span class="note-anchor" data-note="{note.id}"',
            insert_after=(
                f'{NOTE_REF}<a href="#fn-{note.id}" aria-label="Note {number}">{number}</a>'
                f'</sup>{SIDENOTE}<span class="sidenote-number">{number}</span> {sidenote}'
                f'</span>')))
    return marks, numbers


def _mention_marks(reader: ReaderText, marks: list[_Mark], context: _Context) -> list[_Mark]:
    """The first mention of each speaker's name or alias, as a link."""
    taken: list[tuple[int, int]] = []
    inside_link = _parts_inside(reader.parts, {"a", "code"})
    boundaries = {m.start for m in marks} | {m.end for m in marks}
    result = []
    text = reader.text
    candidates = []
    names = _names_of(context.speakers)
    transcript = context.briefing.transcript
    day = (transcript.said_on if transcript else context.briefing.source.published).toordinal()
    if names is not None:  # every occurrence of every name, in one pass over the text
        for last, (length, owners) in names.iter(text):
            start = last + 1 - length
            candidates += ((start, -length, owner, last + 1) for owner, first, final in owners
                           if first <= day <= final)
    seen: set[str] = set()
    for start, _, speaker_id, end in sorted(candidates):
        if speaker_id in seen:
            continue
        if (start > 0 and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue
        if any(start < b and a < end for a, b in taken):
            continue
        first, last = reader.part_of[start], reader.part_of[end - 1]
        if first != last or first in inside_link:
            continue
        if any(start < b < end for b in boundaries):
            continue
        seen.add(speaker_id)
        taken.append((start, end))
        href = urls.relative(urls.briefing(context.briefing.slug), urls.speaker(speaker_id))
        result.append(_Mark("mention", f"mention-{speaker_id}", start, end,
                            f'<a class="mention" href="{href}"', speaker=speaker_id))
    return result


# The speakers of the last article and their automaton: the articles of a
# build are anchored one after another on the same speakers (one dict).
_last_names: tuple[dict[str, Speaker], ahocorasick.Automaton | None] | None = None


def _names_of(speakers: dict[str, Speaker]) -> ahocorasick.Automaton | None:
    global _last_names
    if _last_names is None or _last_names[0] is not speakers:
        _last_names = (speakers, _names(tuple((s.id, s.name, s.aliases, s.dated_aliases)
                                               for s in speakers.values())))
    return _last_names[1]


_ALWAYS = (1, date.max.toordinal())


@functools.lru_cache(maxsize=4)
def _names(speakers: tuple[tuple[str, str, tuple[str, ...], tuple[Held, ...]], ...]
           ) -> ahocorasick.Automaton | None:
    """An Aho-Corasick automaton of every speaker's folded name and aliases:
    all of them are found in one pass over an article, however many there are.
    Each name leads to its length and the speakers who bear it, each with the
    first and last day (as ordinals) it names them. Made once per process for
    a set of speakers."""
    owners: dict[str, list[tuple[str, int, int]]] = {}
    for speaker_id, name, aliases, dated in speakers:
        for needle in dict.fromkeys(fold(n) for n in (name, *aliases)):
            if needle:
                owners.setdefault(needle, []).append((speaker_id, *_ALWAYS))
        for held in dated:
            needle = fold(held.text)
            if needle:
                owners.setdefault(needle, []).append((
                    speaker_id, held.start.toordinal() if held.start else _ALWAYS[0],
                    held.end.toordinal() if held.end else _ALWAYS[1]))
    if not owners:
        return None
    automaton = ahocorasick.Automaton()
    for needle, ids in owners.items():
        automaton.add_word(needle, (len(needle), tuple(ids)))
    automaton.make_automaton()
    return automaton


def _parts_inside(parts: Sequence[str], names: set[str]) -> set[int]:
    inside = set()
    depth = 0
    for index, part in enumerate(parts):
        if index % 2:
            name = tag_name(part)
            if name in names:
                depth += -1 if part.startswith("</") else 1
        elif depth:
            inside.add(index)
    return inside


def _emit(blocks: list[_Block], reader: ReaderText, marks: list[_Mark],
          tints: dict[str, int], names: dict[str, str]) -> str:
    """Write the HTML back, wrapping each text part in the marks that cover it."""
    covering: dict[int, list[_Span]] = {}
    for mark in sorted(marks, key=_Mark.order):
        first, last = reader.part_of[mark.start], reader.part_of[mark.end - 1]
        start_offset, end_offset = reader.offset_of[mark.start], reader.offset_of[mark.end - 1] + 1
        for index in range(first, last + 1, 2) if first % 2 == 0 else ():
            text = reader.decoded.get(index)
            if text is None:
                continue
            a = start_offset if index == first else 0
            b = end_offset if index == last else len(text)
            covering.setdefault(index, []).append(_Span(a, b, mark, index == last))
    out: list[str] = []
    stack: list[str] = []
    deferred: list[str] = []  # notes ending inside a link wait until the link closes
    turn_open = False
    current: Turn | None = None  # the turn the blocks are in, if any
    for block in blocks:
        if block.turn or block.ends_turns or block.outside:
            if turn_open:
                out.append("</div>\n")
                turn_open = False
            if not block.outside:
                current = None
        if block.turn:
            current = turn = block.turn
            named = html.escape(names.get(turn.speaker, ""))
            out.append(f'<div class="turn tint-{tints[turn.speaker]}" id="{turn.id}" '
                       f'data-speaker="{turn.speaker}" data-speaker-name="{named}">\n')
            turn_open = True
        elif current is not None and not turn_open and not block.outside:
            # The turn goes on after a passage kept outside it.
            out.append(f'<div class="turn tint-{tints[current.speaker]}" '
                       f'data-speaker="{current.speaker}">\n')
            turn_open = True
        for index in range(block.first_part, block.last_part):
            part = reader.parts[index]
            if index % 2:
                _track(stack, part)
                out.append(part)
                if deferred and "a" not in stack:
                    out.extend(deferred)
                    deferred.clear()
            elif index in covering and (
                    part.strip() or (stack and stack[-1] in _PHRASING_PARENTS)):
                inserts = deferred if "a" in stack else None
                out.append(_wrap(reader.decoded[index], covering[index], inserts))
            else:
                out.append(part)
    if turn_open:
        out.append("</div>\n")
    return "".join(out)


def _track(stack: list[str], tag: str) -> None:
    name = tag_name(tag)
    if not name or name in _VOID or tag.endswith("/>"):
        return
    if tag.startswith("</"):
        if name in stack:
            del stack[len(stack) - 1 - stack[::-1].index(name):]
    else:
        stack.append(name)


def _wrap(text: str, spans: list[_Span], deferred: list[str] | None = None) -> str:
    """One text part with its marks: a stack of open elements, cut where needed.

    What a mark inserts after its end goes to ``deferred`` when given (the part
    is inside a link, and links cannot nest)."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    stack: list[_Mark] = []
    for x, y in zip(cuts, cuts[1:], strict=False):
        active = [s.mark for s in spans if s.start <= x and y <= s.end]
        keep = 0
        while keep < len(stack) and keep < len(active) and stack[keep] is active[keep]:
            keep += 1
        _close(out, stack, keep, spans, x, deferred)
        for mark in active[keep:]:
            out.append(_open(mark))
            stack.append(mark)
        out.append(html.escape(text[x:y], quote=False))
    _close(out, stack, 0, spans, len(text), deferred)
    return "".join(out)


def _close(out: list[str], stack: list[_Mark], keep: int, spans: list[_Span], at: int,
           deferred: list[str] | None) -> None:
    """Close the open marks above ``keep``; a mark that ends here for good is
    followed by what it inserts (a note's reference and side note)."""
    ending = {id(s.mark) for s in spans if s.end == at and s.is_last}
    while len(stack) > keep:
        mark = stack.pop()
        out.append("</a>" if mark.kind == "mention" else
                   "</mark>" if mark.kind == "quote" else "</span>")
        if id(mark) in ending and mark.insert_after:
            (out if deferred is None else deferred).append(mark.insert_after)


def _open(mark: _Mark) -> str:
    if mark.emitted or mark.kind == "mention":
        return mark.open_tag + ">"
    mark.emitted = True
    extra = ' tabindex="0"' if mark.kind == "quote" else ""
    return f'{mark.open_tag} id="{mark.id}"{extra}>'
