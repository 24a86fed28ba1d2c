"""Annotations found again after their article changed: ``briefings reanchor``.

It takes a briefing's previous article (the text its annotations were last
valid against: kept by the build cache, or given) and its article now, both as
the reader's text the build anchors in (:func:`builder.anchor.reader_text`),
and finds each anchor's passage (a quote's ``quote``, an event's or a note's
``anchor``, a transcript's ``outside`` passages) again:

1. **where it was**: the old passage, at its occurrence, is carried over to
   the new text through an alignment of the two texts' words;
2. **exact**: the anchor's words, as the build matches them;
3. **normalised**: the same letters and digits, whatever the case,
   punctuation, white space, dashes and hyphenation;
4. **fuzzy**: the aligned passage, when its words changed, scored with
   rapidfuzz against the old ones.

Where the same words stand in several places, the words around the old
passage (its prefix and suffix, as in a W3C TextQuoteSelector) choose among
them; a place that the alignment gives to another occurrence of the same
words is never taken. Each anchor comes out ``kept``, ``moved``, ``changed``,
``ambiguous`` or ``orphaned``: when in doubt, ambiguous or orphaned, since an
annotation moved to the wrong passage is worse than one left for a person.

The matching reads no files; :func:`reanchor_site` reads a site's briefings
and their previous texts, and :mod:`builder.yamledit` writes the results.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .model import Anchor, Briefing
from .textmatch import ReaderText, fold

KEPT, MOVED, CHANGED, AMBIGUOUS, ORPHANED = "kept", "moved", "changed", "ambiguous", "orphaned"
STATUSES = (KEPT, MOVED, CHANGED, AMBIGUOUS, ORPHANED)
CONTEXT = 48  # characters of context on each side of a passage
_CONTEXT_AGREES = 60  # a context score (0-100) that places a passage
_MARGIN = 15  # how far the best place must lead the next to be chosen
_CHANGED_AT_LEAST = 60  # the least score of a passage whose words changed


@dataclass(frozen=True)
class Outcome:
    """What became of one anchor."""

    what: str  # "quote", "event anchor", "note anchor", "passage kept outside turns"
    anchor: Anchor
    status: str
    new_text: str = ""  # changed: the passage now, as the article writes it
    occurrence: int | None = None  # moved, changed: the occurrence it needs now
    score: int = 100  # changed: how alike the old and new passages are (0-100)
    candidates: tuple[str, ...] = ()  # ambiguous: excerpts of the places that fit
    reason: str = ""  # orphaned: why

    @property
    def needs_writing(self) -> bool:
        """Whether ``--write`` changes the anchor in the YAML."""
        return self.status == CHANGED or (
            self.status == MOVED and self.occurrence != self.anchor.occurrence)


def anchors_of(briefing: Briefing) -> Iterator[tuple[str, Anchor]]:
    """Every anchor of a briefing, with what it anchors, in the file's order."""
    found = [("quote", q.anchor) for q in briefing.quotes]
    found += [("event anchor", e.anchor) for e in briefing.events if e.anchor]
    found += [("note anchor", n.anchor) for n in briefing.notes]
    if briefing.transcript:
        found += [("passage kept outside turns", a) for a in briefing.transcript.outside]
    yield from sorted(found, key=lambda item: (item[1].where.line, item[1].where.column))


def reanchor(previous: ReaderText, new: ReaderText, anchors: list[tuple[str, Anchor]]
             ) -> list[Outcome]:
    """Each anchor found again in ``new``; ``previous`` is the reader's text
    it was valid against."""
    old = previous.text
    if old == new.text:  # nothing to do: an anchor found then is found now
        return [_as_before(what, anchor, old) for what, anchor in anchors]
    alignment = Alignment(old, new.text, block_starts(previous), block_starts(new))
    skeleton = Skeleton(new.text)
    return [_one(what, anchor, old, new, alignment, skeleton) for what, anchor in anchors]


def block_starts(reader: ReaderText) -> set[int]:
    """Where the reader's text starts a paragraph (or another block): after
    a space that stands for the break between two blocks."""
    part_of, decoded = reader.part_of, reader.decoded
    return {0} | {at + 1 for at in _spaces(reader.text)
                  if part_of[at] < 0 or not decoded[part_of[at]].strip()}


def _spaces(text: str) -> Iterator[int]:
    at = text.find(" ")
    while at != -1:
        yield at
        at = text.find(" ", at + 1)


def _as_before(what: str, anchor: Anchor, old: str) -> Outcome:
    return Outcome(what, anchor, KEPT) if resolve(anchor, old) is not None else \
        Outcome(what, anchor, ORPHANED, reason=_NOT_BEFORE)


_NOT_BEFORE = ("it is not in the previous text either (it was written or changed after "
               "that text was kept): find its passage by hand")


def resolve(anchor: Anchor, text: str) -> int | None:
    """Where the build finds the anchor in ``text``, or None where it would not."""
    starts = find_all(text, fold(anchor.text))
    if not starts or (anchor.occurrence is None and len(starts) > 1) or \
            (anchor.occurrence or 1) > len(starts):
        return None
    return starts[(anchor.occurrence or 1) - 1]


def find_all(text: str, needle: str) -> list[int]:
    """Every start of ``needle`` in ``text``, overlapping ones included (as the build counts)."""
    starts: list[int] = []
    at = text.find(needle) if needle else -1
    while at != -1:
        starts.append(at)
        at = text.find(needle, at + 1)
    return starts


def _one(what: str, anchor: Anchor, old: str, new: ReaderText, alignment: Alignment,
         skeleton: Skeleton) -> Outcome:
    needle = fold(anchor.text)
    olds = find_all(old, needle)
    start = resolve(anchor, old)
    if start is None:
        if resolve(anchor, new.text) is not None:
            return Outcome(what, anchor, KEPT)  # written for the new text already
        return Outcome(what, anchor, ORPHANED, reason=_NOT_BEFORE)
    end = start + len(needle)
    mapped = alignment.span(start, end)
    # Places the alignment gives to another occurrence of the same words are theirs.
    taken = {alignment.span(s, s + len(needle)) for s in olds if s != start} - {None}
    context = _Context.around(old, start, end)
    exact = [(s, s + len(needle)) for s in find_all(new.text, needle)]
    exact = [span for span in exact if span not in taken]
    chosen = _choose(exact, mapped, context, new.text, unique=len(olds) == 1)
    if chosen is None:  # (the same letters alone are not enough to take a lone place)
        close = [span for span in skeleton.find(needle) if span not in taken]
        chosen = _choose(close, mapped, context, new.text, unique=False)
    if chosen is None and mapped is not None and alignment.sure(start, end):
        score = _similarity(needle, new.text[mapped[0]:mapped[1]])
        if score >= _CHANGED_AT_LEAST:
            chosen = mapped
    if isinstance(chosen, list):
        return Outcome(what, anchor, AMBIGUOUS, candidates=tuple(
            new.excerpt(a, b, 20) for a, b in chosen[:5]))
    if chosen is None:
        return Outcome(what, anchor, ORPHANED, reason=_orphan_reason(exact, mapped, new))
    return _placed(what, anchor, chosen, needle, new, mapped)


def _choose(spans: list[tuple[int, int]], mapped: tuple[int, int] | None, context: _Context,
            text: str, unique: bool) -> tuple[int, int] | list[tuple[int, int]] | None:
    """The place among ``spans`` where the old passage is now; a list of the
    places that fit equally well; or None where none is placed."""
    if not spans:
        return None
    if mapped in spans:
        return mapped
    if unique and len(spans) == 1:
        return spans[0]  # its very words, once then and once now
    scored = sorted(((context.score(text, a, b), (a, b)) for a, b in spans), reverse=True)
    best, place = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0
    if best >= _CONTEXT_AGREES and best - runner_up >= _MARGIN:
        return place
    fitting = [span for score, span in scored if score >= best - _MARGIN]
    return fitting if len(fitting) > 1 else None


def _placed(what: str, anchor: Anchor, span: tuple[int, int], needle: str, new: ReaderText,
            mapped: tuple[int, int] | None) -> Outcome:
    start, end = span
    while start < end and new.text[start] == " ":
        start += 1
    while end > start and new.text[end - 1] == " ":
        end -= 1
    found = new.text[start:end]
    places = find_all(new.text, found)
    occurrence = places.index(start) + 1 if len(places) > 1 else None
    if found == needle:
        same_place = span == mapped  # where the aligned words carry it
        written = anchor.occurrence if len(places) > 1 or anchor.occurrence != 1 else None
        status = KEPT if same_place and written == occurrence else MOVED
        return Outcome(what, anchor, status, occurrence=occurrence)
    return Outcome(what, anchor, CHANGED, new_text=unfolded(new, start, end),
                   occurrence=occurrence, score=_similarity(needle, found))


def _orphan_reason(exact: list[tuple[int, int]], mapped: tuple[int, int] | None,
                   new: ReaderText) -> str:
    if exact:
        a, b = exact[0]
        return (f"its words still stand in {len(exact)} place{'s' if len(exact) > 1 else ''} "
                f"('{new.excerpt(a, b, 20)}'), but not where the passage was: check by hand")
    if mapped is None:
        return "its passage was deleted"
    return (f"its passage was rewritten beyond recognition: now "
            f"'{_short(new.excerpt(*mapped, 0), 100)}'")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _similarity(a: str, b: str) -> int:
    """How alike two texts are, 0 to 100; 100 only for the same text."""
    from rapidfuzz import fuzz

    return 100 if a == b else min(99, int(fuzz.ratio(a, b)))


def unfolded(reader: ReaderText, start: int, end: int) -> str:
    """The reader's text from ``start`` to ``end`` as the article writes it:
    its quotes and dashes unfolded, its white space one space."""
    out = []
    for position in range(start, end):
        part = reader.part_of[position]
        character = reader.decoded[part][reader.offset_of[position]] if part >= 0 else " "
        out.append(" " if character.isspace() else character)
    return "".join(out)


@dataclass(frozen=True)
class _Context:
    """The words before and after a passage in the old text."""

    prefix: str
    suffix: str

    @classmethod
    def around(cls, text: str, start: int, end: int) -> _Context:
        return cls(text[max(0, start - CONTEXT):start], text[end:end + CONTEXT])

    def score(self, text: str, start: int, end: int) -> int:
        """How alike the words around [start, end) of ``text`` are (0-100)."""
        from rapidfuzz import fuzz

        # (As long as the old context could be: one cut short by the start or
        # end of the old text agrees only with a new one cut short there too.)
        before, after = text[max(0, start - CONTEXT):start], text[end:end + CONTEXT]
        scores = [fuzz.ratio(self.prefix, before) if self.prefix or before else 100,
                  fuzz.ratio(self.suffix, after) if self.suffix or after else 100]
        return round(sum(scores) / 2)


class Alignment:
    """The words of two texts aligned (rapidfuzz's Indel opcodes), to carry a
    span of the old text over to the new one.

    Where words deleted or inserted could stand as well a few words earlier or
    later (a paragraph deleted whose first words the next one repeats), they
    are taken to start a paragraph where they can (``old_blocks``,
    ``new_blocks``: where paragraphs start in each text), as a reader would
    say the paragraph went, not its end and the next one's start."""

    def __init__(self, old: str, new: str, old_blocks: set[int] | None = None,
                 new_blocks: set[int] | None = None):
        from rapidfuzz.distance import Indel

        self.old_starts, self.old_words = _words(old)
        self.new_starts, self.new_words = _words(new)
        self.new_length = len(new)
        old_words, new_words = self.old_words, self.new_words
        # The words before and after the edits, aligned at once: the alignment
        # of the rest costs the product of their lengths.
        head = 0
        while head < min(len(old_words), len(new_words)) and \
                old_words[head] == new_words[head]:
            head += 1
        tail = 0
        while tail < min(len(old_words), len(new_words)) - head and \
                old_words[-1 - tail] == new_words[-1 - tail]:
            tail += 1
        middle = Indel.opcodes(old_words[head:len(old_words) - tail],
                               new_words[head:len(new_words) - tail])
        blocks: list[list[object]] = [["equal", 0, head, 0, head]]
        for tag, i1, i2, j1, j2 in middle:
            if tag != "equal" and blocks[-1][0] != "equal":
                blocks[-1][2], blocks[-1][4] = head + i2, head + j2  # insert + delete: a change
            else:
                blocks.append([tag if tag == "equal" else "change",
                               head + i1, head + i2, head + j1, head + j2])
        blocks.append(["equal", len(old_words) - tail, len(old_words),
                       len(new_words) - tail, len(new_words)])
        old_firsts = {i for i, at in enumerate(self.old_starts) if at in (old_blocks or ())}
        new_firsts = {j for j, at in enumerate(self.new_starts) if at in (new_blocks or ())}
        _slide(blocks, old_words, old_firsts, new_words, new_firsts)
        self.blocks = [tuple(b) for b in blocks if b[1] != b[2]]  # those holding old words
        self.firsts = [b[1] for b in self.blocks]

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where [start, end) of the old text is in the new one; None where
        nothing of it is left."""
        first, _ = self._carried(start, at_end=False)
        last, _ = self._carried(end - 1, at_end=True)
        return (first, last) if first < last else None

    def sure(self, start: int, end: int) -> bool:
        """Whether both ends of [start, end) are carried over by words kept,
        changed one for one, or cut: not by a rewritten stretch, which is
        carried whole, and may hold anything."""
        return self._carried(start, at_end=False)[1] and self._carried(end - 1, at_end=True)[1]

    def _carried(self, position: int, at_end: bool) -> tuple[int, bool]:
        word = max(bisect.bisect_right(self.old_starts, position) - 1, 0)
        offset = position - self.old_starts[word]
        tag, i1, i2, j1, j2 = self.blocks[bisect.bisect_right(self.firsts, word) - 1]
        old_word = self.old_words[word]
        rest = len(old_word) - offset - 1  # (of the word, after the position)
        if tag == "equal" or i2 - i1 == j2 - j1:  # the same words, or changed one for one
            target = j1 + word - i1
            start, new_word = self.new_starts[target], self.new_words[target]
            # Inside a changed word, only as far as it kept its letters there.
            if at_end and (not rest or new_word.endswith(old_word[-rest:])):
                return start + len(new_word) - rest, True
            if not at_end and new_word.startswith(old_word[:offset]):
                return start + offset, True
        cut = j1 == j2  # deleted, not rewritten
        if at_end:  # the change, whole
            return (self._end_of(j2 - 1) if j2 > j1 else self._end_of(j1 - 1)), cut
        return (self.new_starts[j1] if j1 < len(self.new_starts) else self.new_length), cut

    def _end_of(self, word: int) -> int:
        return self.new_starts[word] + len(self.new_words[word]) if word >= 0 else 0


def _slide(blocks: list[list[Any]], old_words: list[str], old_firsts: set[int],
           new_words: list[str], new_firsts: set[int]) -> None:
    """Move each run of words only deleted or only inserted, between two runs
    kept, to where it starts a paragraph, if it may stand there: the same
    words, moved by as many as both neighbours allow."""
    for at in range(1, len(blocks) - 1):
        before, block, after = blocks[at - 1], blocks[at], blocks[at + 1]
        if before[0] != "equal" or after[0] != "equal" or block[0] == "equal":
            continue
        if block[3] == block[4]:  # deleted
            words, first, last, firsts = old_words, block[1], block[2], old_firsts
        elif block[1] == block[2]:  # inserted
            words, first, last, firsts = new_words, block[3], block[4], new_firsts
        else:
            continue
        if first in firsts:
            continue
        earlier = 0
        while earlier < before[2] - before[1] and words[first - earlier - 1] == \
                words[last - earlier - 1]:
            earlier += 1
        later = 0
        while later < after[2] - after[1] and words[first + later] == words[last + later]:
            later += 1
        shifts = sorted(range(-earlier, later + 1), key=abs)
        shift = next((d for d in shifts if first + d in firsts), 0)
        if shift:
            before[2] += shift
            before[4] += shift
            block[1:] = [block[1] + shift, block[2] + shift, block[3] + shift, block[4] + shift]
            after[1] += shift
            after[3] += shift


def _words(text: str) -> tuple[list[int], list[str]]:
    """The words of a folded text (single spaces) and where each starts."""
    words = text.split(" ")
    starts, at = [], 0
    for word in words:
        starts.append(at)
        at += len(word) + 1
    return starts, words


class Skeleton:
    """A text's letters and digits in lower case, each mapped back to its
    place: what is left of a passage whatever its case, punctuation, spaces,
    dashes or hyphenation. Where words break is kept too (``gaps``), so that
    "the rapist" is not "therapist"; only a break beside a hyphen or a dash
    may come or go ("well-known", "well- known"; "war -- and", "war—and")."""

    def __init__(self, text: str):
        self.text = text
        kept: list[str] = []
        self.at: list[int] = []  # where each letter stands in the text
        self.gaps: list[int] = []  # what stands before it: _JOINED, _SPACE or _DASH
        last = -1
        for index, character in enumerate(text):
            if character.isalnum():
                lower = character.lower()
                kept.append(lower)
                self.at.extend([index] * len(lower))
                self.gaps.append(_gap(text[last + 1:index]))
                self.gaps.extend([_JOINED] * (len(lower) - 1))
                last = index
        self.letters = "".join(kept)

    def find(self, needle: str) -> list[tuple[int, int]]:
        """The spans of the text whose skeleton is the needle's, with the
        punctuation the needle has at its ends where the text has it too."""
        wanted = Skeleton(needle)
        inner = wanted.letters
        if len(inner) < 4:  # too little to recognise
            return []
        alnum = [c.isalnum() for c in needle]
        lead, trail = alnum.index(True), alnum[::-1].index(True)
        spans = []
        for at in find_all(self.letters, inner):
            start, end = self.at[at], self.at[at + len(inner) - 1] + 1
            if (start and self.text[start - 1].isalnum()) or \
                    (end < len(self.text) and self.text[end].isalnum()) or any(
                    _DASH not in (a, b) and a != b
                    for a, b in zip(wanted.gaps[1:], self.gaps[at + 1:at + len(inner)],
                                    strict=True)):
                continue  # other words, with the same letters
            for _ in range(lead):
                if start == 0 or not _mark(self.text[start - 1]):
                    break
                start -= 1
            for _ in range(trail):
                if end == len(self.text) or not _mark(self.text[end]):
                    break
                end += 1
            spans.append((start, end))
        return spans


_JOINED, _SPACE, _DASH = 0, 1, 2


def _gap(between: str) -> int:
    """What stands between two letters, for telling words apart."""
    if "-" in between:  # (dashes are folded to hyphens in the reader's text)
        return _DASH
    return _SPACE if " " in between else _JOINED


def _mark(character: str) -> bool:
    return not character.isalnum() and not character.isspace()


def status_counts(outcomes: list[Outcome]) -> dict[str, int]:
    return {status: sum(o.status == status for o in outcomes) for status in STATUSES}



@dataclass(frozen=True)
class Report:
    """One briefing reanchored: its annotations file and each anchor's outcome."""

    slug: str
    path: Path  # the briefing's annotations
    outcomes: list[Outcome]


class NoPreviousText(LookupError):
    """No previous text is known for a briefing."""


def reanchor_site(site: Path, slug: str, old_article: str | None = None) -> Report:
    """The anchors of briefing ``slug`` of the site at ``site`` found again in
    its article, from ``old_article`` (Markdown) or, where not given, the
    article the build cache keeps. Raises LookupError (NoPreviousText where
    no previous text is known), with the reason and the fix."""
    from .anchor import reader_text
    from .cache import BuildCache
    from .validate import read_one_briefing

    briefing, raw_html = read_one_briefing(site, slug)
    if old_article is None:
        store = BuildCache.of_site(site)
        try:
            old_article = store.article(slug)
        finally:
            store.close()
    if old_article is None:
        raise NoPreviousText(
            f"{briefing.article_path}: no previous text is known for '{slug}': no build "
            "with the cache on found all its anchors (never built, built with --no-cache, "
            "or the cache was deleted). Give the article as it was with --old FILE, or "
            "build once before editing an article.")
    new = reader_text(briefing.article, raw_html)
    old = new if old_article == briefing.article else reader_text(old_article, raw_html)
    return Report(slug, site / briefing.yaml_path, reanchor(old, new, list(anchors_of(briefing))))



def reanchor_all(site: Path, slugs: list[str], old_article: str | None, write: bool,
                 say: Callable[[str], object], complain: Callable[[str], object]) -> int:
    """``briefings reanchor``: report (and with ``write``, rewrite) the
    anchors of the briefings named (default: all), one line each, then a
    summary; a briefing that cannot be reanchored is complained of. Returns
    the exit status: 0, or 1 where any anchor is ambiguous or orphaned, or a
    briefing could not be reanchored."""
    from .yamledit import EditError

    folder = site / "content" / "briefings"
    slugs = slugs or sorted(p.stem for p in folder.glob("*.yaml"))
    outcomes: list[Outcome] = []
    failed = written = 0
    for slug in slugs:
        try:
            report = reanchor_site(site, slug, old_article)
        except LookupError as problem:
            complain(f"{problem}")
            failed += 1
            continue
        outcomes += report.outcomes
        for outcome in report.outcomes:
            say(describe(outcome, write))
        if write and any(o.needs_writing for o in report.outcomes):
            try:
                written += write_outcomes(report)
            except EditError as problem:
                complain(f"{problem}")
                failed += 1
    counts = status_counts(outcomes)
    line = ", ".join(f"{n} {status}" for status, n in counts.items())
    line += f" ({len(slugs) - failed} briefing{'s' if len(slugs) - failed != 1 else ''}"
    line += f"; {failed} not reanchored)" if failed else ")"
    if write:
        line += f"; {written} anchor{'s' if written != 1 else ''} rewritten"
    say(f"reanchor: {line}")
    return 1 if failed or counts[AMBIGUOUS] or counts[ORPHANED] else 0


def describe(outcome: Outcome, written: bool = False) -> str:
    """One report line: where the anchor stands in its YAML, and what became of it."""
    anchor = outcome.anchor
    head = f"{anchor.where}: {outcome.status}"
    text = f"{outcome.what} '{_short(fold(anchor.text))}'"
    fix = "rewritten" if written else "--write rewrites it"
    if outcome.status == KEPT:
        return f"{head}: {text}"
    if outcome.status == MOVED:
        if outcome.occurrence == anchor.occurrence:
            return f"{head}: {text} stands elsewhere now; the YAML needs no change"
        if outcome.occurrence is None:
            return (f"{head}: {text} stands once now: 'occurrence: {anchor.occurrence}' is to "
                    f"go ({'removed' if written else '--write removes it'})")
        return (f"{head}: {text} is occurrence {outcome.occurrence} now "
                f"({'set' if written else '--write sets it'})")
    if outcome.status == CHANGED:  # the two texts whole, for the difference may be anywhere
        more = f", occurrence {outcome.occurrence}" if outcome.occurrence else ""
        return (f"{head} ({outcome.score}% alike): {outcome.what} '{fold(anchor.text)}' -> "
                f"'{outcome.new_text}'{more} ({fix})")
    if outcome.status == AMBIGUOUS:
        places = "; ".join(f"{n}: '{c}'" for n, c in enumerate(outcome.candidates, 1))
        return (f"{head}: {text} fits {len(outcome.candidates)} places equally: {places}. "
                "Choose one by hand (with 'occurrence: N'); it is left as it is")
    return f"{head}: {text}: {outcome.reason}. It is left as it is"


def write_outcomes(report: Report) -> int:
    """Rewrite the report's moved and changed anchors in its annotations file,
    every other byte kept. Returns how many; raises EditError, writing nothing."""
    from .yamledit import ScalarEdit, apply

    edits = [ScalarEdit(o.anchor.where.line, o.anchor.where.column,
                        o.new_text if o.status == CHANGED else None, o.occurrence,
                        o.occurrence != o.anchor.occurrence)
             for o in report.outcomes if o.needs_writing]
    with report.path.open(encoding="utf-8", newline="") as file:  # line ends as they are
        text = file.read()
    text = apply(text, str(report.outcomes[0].anchor.where.path), edits)
    with report.path.open("w", encoding="utf-8", newline="") as file:
        file.write(text)
    return len(edits)
