"""Suggested annotations for one briefing: ``briefings suggest SLUG``.

It reads the article as the builder does (:func:`builder.anchor.reading`) and
proposes, as YAML ready to paste:

- **quotes:** each passage in quotation marks of five words or more, with the
  speaker its attribution names: a name, alias or role phrase of
  speakers.yaml next to a verb of saying after the quotation ("...," Putin
  said; "...," said the Russian leader) or before it (Putin said: "..."),
  "according to X", a pronoun ("...," he added) for the speaker last named,
  and otherwise the speaker of the transcript turn it is in. Passages already
  annotated are left out; a passage that occurs more than once gets its
  ``occurrence``. A quotation whose speaker it cannot tell is not proposed.
- **events:** each sentence naming a day ("January 2", "on Monday"), the day
  resolved against the day the source was published, the sentence as both
  summary (to rewrite) and anchor; days the events list already holds are
  left out, and so is the dateline.
- **labels:** transcript labels not yet mapped, each with the speaker whose
  name it holds (or null where none does: reporters, moderators).

Every proposed quote is a passage of the reader's text, so it anchors as it is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from .anchor import reading
from .model import Briefing, Speaker, Transcript
from .problems import Position
from .textmatch import fold

SAYING = (r"said|says|told|tells|added|adds|continued|noted|notes|stressed|stresses|"
          r"emphasi[sz]ed|underlined|explained|stated|states|warned|warns|insisted|declared|"
          r"asked|replied|answered|responded|wrote|argued|argues|pointed out|remarked|"
          r"recalled|announced|observed|concluded|urged|acknowledged|admitted|claimed|"
          r"assured|vowed|promised|confirmed|commented|reiterated|affirmed|believes|"
          r"thinks|went on|put it")
# A quotation, or one left open at the paragraph's end (a quotation running on
# into the next paragraph has no closing mark in this one).
QUOTED = re.compile(r"“([^“”]+)(?:”|$)|\"([^\"]+)(?:\"|$)")
_PRONOUN = re.compile(rf"^[\s,]*(?:he|she)\s+(?:{SAYING})\b", re.IGNORECASE)
_MIN_WORDS = 5


@dataclass(frozen=True)
class Suggested:
    speaker: str
    quote: str
    occurrence: int | None
    line: int


class _Names:
    """Every speaker's name and aliases, as a reader meets them in running text."""

    def __init__(self, speakers: dict[str, Speaker], day: dt.date):
        phrases: list[tuple[str, str]] = []
        for speaker in speakers.values():
            for phrase in (speaker.name, *speaker.aliases_on(day)):
                if phrase.strip():
                    phrases.append((phrase, speaker.id))
        # Longest first, so "Russian President Vladimir Putin" wins over "Putin".
        phrases.sort(key=lambda p: -len(p[0]))
        self.by_phrase = {}
        alternatives = []
        for phrase, speaker_id in phrases:
            key = phrase.casefold() if phrase[:1].islower() else phrase
            self.by_phrase.setdefault(key, speaker_id)
            pattern = re.escape(phrase)
            if phrase[:1].islower():  # a role phrase may open a sentence
                pattern = f"(?i:{pattern[0]}){pattern[1:]}"
            alternatives.append(pattern)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)") \
            if alternatives else None

    def found(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, speaker id) of each name in ``text``."""
        if self.pattern is None:
            return []
        out = []
        for match in self.pattern.finditer(text):
            phrase = match.group()
            speaker = self.by_phrase.get(phrase) or self.by_phrase.get(phrase.casefold())
            if speaker:
                out.append((match.start(), match.end(), speaker))
        return out


def suggest_quotes(briefing: Briefing, speakers: dict[str, Speaker],
                   raw_html: str = "text") -> list[Suggested]:
    read = reading(briefing, speakers, raw_html)
    names = _Names(speakers, briefing.source.published)
    annotated = [fold(q.anchor.text) for q in briefing.quotes]
    last_named: str | None = None
    found: list[Suggested] = []
    cursor = 0  # where in the folded text the paragraph starts
    for line, text, turn_speaker in read.paragraphs:
        folded_text = fold(text)
        at = read.text.find(folded_text[:60], cursor)
        cursor = at if at >= 0 else cursor
        mentions = names.found(text)
        quoted: str | None = None  # the speaker of this paragraph's last quotation
        for match in QUOTED.finditer(text):
            inner = match.group(1) or match.group(2) or ""
            quote = inner.strip().rstrip(",.;:—–- ").strip()
            before_named = [m for m in mentions if m[1] <= match.start()]
            if before_named:
                last_named = before_named[-1][2]
            if len(quote.split()) < _MIN_WORDS:
                continue
            speaker = (
                _attribution(text, match.start(), match.end(), mentions)
                or (last_named if _PRONOUN.match(text[match.end():]) else None)
                # "...," said Bolden. "This was ..." : the same speaker goes on
                or quoted
                # Cornyn issued a statement. "Like many Texans, ..."
                or (before_named[-1][2] if before_named else None)
                # In a turn, the speaker's words, unless relayed from someone
                # else ("People are asking, '...'"; "As I said, '...'" is theirs).
                or (turn_speaker if not _relayed(text[:match.start()]) else None))
            quoted = speaker or quoted
            folded = fold(quote)
            if speaker is None or not folded or any(
                    folded in known or known in folded for known in annotated):
                continue
            places = _starts(read.text, folded)
            here = cursor + len(fold(text[:match.start() + 1]))
            occurrence = None
            if len(places) > 1:
                occurrence = sum(1 for s in places if s <= here + 2) or 1
            found.append(Suggested(speaker, quote, occurrence, line))
        if mentions:
            last_named = mentions[-1][2]
    return found


_RELAYED = re.compile(rf"(\w+)\s+(?:(?:is|are|was|were|keep|kept)\s+)?"
                      rf"(?:{SAYING}|asking|saying|telling)\s*[,:]?\s*$", re.IGNORECASE)


def _relayed(before: str) -> bool:
    """Whether a quotation after ``before`` relays another's words: a verb of
    saying just before it whose subject is not the speaker (I, we)."""
    match = _RELAYED.search(before)
    return bool(match) and match.group(1).lower() not in ("i", "we")


def _starts(text: str, needle: str) -> list[int]:
    out, at = [], text.find(needle)
    while at != -1:
        out.append(at)
        at = text.find(needle, at + 1)
    return out


def _attribution(text: str, start: int, end: int, mentions: list[tuple[int, int, str]]
                 ) -> str | None:
    """The speaker a quotation at [start, end) of ``text`` is attributed to."""
    # "...," Putin said / "...," the Russian leader stressed / "...," said Putin
    for begin, stop, speaker in mentions:
        if begin < end or begin - end > 60:
            continue
        lead = text[end:begin]
        tail = text[stop:stop + 100]
        if re.fullmatch(rf"[\s,.;:—–-]*(?:(?:{SAYING})\s+)?", lead, re.IGNORECASE) and (
                # (an apposition may stand between: "Al-Maeena, editor at large, said")
                re.match(rf"\s*(?:,[^,“\"]{{0,60}},)?\s*,?\s*(?:also\s+|then\s+)?(?:{SAYING})\b",
                         tail, re.IGNORECASE)
                or re.search(rf"(?:{SAYING})\s*$", lead, re.IGNORECASE)):
            return speaker
    # "according to Putin, ..." around it
    for begin, _, speaker in mentions:
        window = text[max(0, begin - 14):begin]
        if window.lower().endswith("according to ") and (
                abs(begin - start) < 200 or abs(begin - end) < 200):
            return speaker
    # Putin said: "..." / Putin told reporters that "..."
    lead = text[max(0, start - 150):start]
    sentence = re.split(r"[.!?]\s", lead)[-1]
    offset = start - len(sentence)
    for begin, stop, speaker in reversed(mentions):
        # (a remark in commas may stand between: "al-Amr, in remarks to TV, said")
        if offset <= begin and stop <= start and re.match(
                rf"\s*(?:,[^,“\"]{{0,80}},)?\s*(?:also\s+|then\s+)?(?:{SAYING})\b",
                text[stop:start], re.IGNORECASE):
            return speaker
    return None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH = "|".join(MONTHS)
_DATE = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\.? (?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<year>\d{{4}}))?"
    rf"|(?P<day2>\d{{1,2}}) (?P<month2>{_MONTH})(?: (?P<year2>\d{{4}}))?"
    rf"|(?:on|last|this) (?P<weekday>{'|'.join(WEEKDAYS)}))\b(?P<last_year> last year)?")


@dataclass(frozen=True)
class SuggestedEvent:
    date: dt.date
    summary: str
    anchor: str
    line: int


def suggest_events(briefing: Briefing, speakers: dict[str, Speaker],
                   raw_html: str = "text") -> list[SuggestedEvent]:
    """Each sentence that names a day, the day resolved against the day the
    source was published: "January 2" in its year (the year before, where
    that day would come after it), "on Monday" the last Monday up to it."""
    published = briefing.source.published
    # (An event dated to a month or a year holds none of its days: format 1.1.)
    days = [e for e in briefing.events if e.precision == "day"]
    known = {(e.start, fold(e.anchor.text)) for e in days if e.anchor}
    known_days = {e.start for e in days}
    read = reading(briefing, speakers, raw_html)
    out: list[SuggestedEvent] = []
    seen: set[tuple[dt.date, str]] = set()
    for index, (line, text, _) in enumerate(read.paragraphs):
        for match in _DATE.finditer(text):
            day = _resolved(match, published)
            # "Putin said on Monday": when it was said, which the quotes tell.
            if day is None or re.search(rf"\b(?:{SAYING})\s*$", text[:match.start()]):
                continue
            # The dateline ("MOSCOW, January 10.") says when it was written, not what happened.
            if index == 0 and match.start() < 40 and day == published:
                continue
            sentence = _sentence_at(text, match.start(), match.end())
            folded = fold(sentence)
            if len(sentence.split()) < 4 or (day, folded) in seen or day in known_days or any(
                    day == d and (a in folded or folded in a) for d, a in known):
                continue
            seen.add((day, folded))
            out.append(SuggestedEvent(day, sentence, sentence, line))
    return out


def _resolved(match: re.Match[str], published: dt.date) -> dt.date | None:
    if match.group("weekday"):
        back = (published.weekday() - WEEKDAYS.index(match.group("weekday"))) % 7
        return published - dt.timedelta(days=back)
    month = MONTHS.index(match.group("month") or match.group("month2")) + 1
    day = int(match.group("day") or match.group("day2"))
    year_text = match.group("year") or match.group("year2")
    year = int(year_text) if year_text else published.year - bool(match.group("last_year"))
    try:
        found = dt.date(year, month, day)
    except ValueError:
        return None
    if not year_text and found > published:
        try:
            found = dt.date(year - 1, month, day)
        except ValueError:
            return None
    return found


def _sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` holding [start, end), at most 40 words around it."""
    left = max(text.rfind(". ", 0, start), text.rfind("? ", 0, start),
               text.rfind("! ", 0, start))
    left = 0 if left < 0 else left + 2
    stops = [i for i in (text.find(". ", end), text.find("? ", end), text.find("! ", end))
             if i >= 0]
    right = min(stops) if stops else len(text)
    sentence = text[left:right].strip().rstrip(".")
    words = sentence.split()
    if len(words) > 40:
        before = len(text[left:start].split())
        words = words[max(0, before - 15):before + 20]
        sentence = " ".join(words)
    return sentence.strip(" ,;:“”\"'")


def suggest_labels(briefing: Briefing, speakers: dict[str, Speaker],
                   raw_html: str = "text") -> list[tuple[str, str | None, int]]:
    """(label, likely speaker id or None, first line) of each unmapped label."""
    out = []
    for label, line in reading(briefing, speakers, raw_html).unlisted:
        out.append((label, _speaker_of_label(label, speakers), line))
    return out


def _speaker_of_label(label: str, speakers: dict[str, Speaker]) -> str | None:
    """The speaker whose name a label holds: whole, or its last word
    ("MS. JEAN-PIERRE", "President of Russia Vladimir Putin")."""
    words = set(re.findall(r"[\w'-]+", label.casefold()))
    best, score = None, 0
    for speaker in speakers.values():
        for name in (speaker.name, *speaker.aliases):
            parts = re.findall(r"[\w'-]+", name.casefold())
            if not parts:
                continue
            if all(p in words for p in parts):
                points = 2 + len(parts)
            elif parts[-1] in words and len(parts[-1]) > 2:
                points = 1
            else:
                continue
            if points > score:
                best, score = speaker.id, points
    return best


def as_yaml(quotes: list[Suggested], events: list[SuggestedEvent],
            labels: list[tuple[str, str | None, int]], path: str) -> str:
    """One YAML mapping with ``quotes:`` and ``labels:``, commented with where
    each was found, ready to paste into the briefing's annotations."""
    from .yamledit import scalar as plain

    lines = [f"# Suggested for {path}: check each against the article before you keep it."]
    lines.append("quotes:" if quotes else "quotes: []")
    for item in quotes:
        lines.append(f"  - speaker: {item.speaker}   # line {item.line}")
        lines.append(f"    quote: {plain(item.quote)}")
        if item.occurrence is not None:
            lines.append(f"    occurrence: {item.occurrence}")
    lines.append("events:" if events else "events: []")
    for event in events:
        lines.append(f"  - date: {event.date.isoformat()}   # line {event.line}")
        lines.append(f"    summary: {plain(event.summary)}")
        lines.append(f"    anchor: {plain(event.anchor)}")
    lines.append("labels:" if labels else "labels: {}")
    for label, speaker, line in labels:
        lines.append(f"  {plain(label)}: {speaker}   # line {line}" if speaker else
                     f"  {plain(label)}: null   # line {line}: no such speaker in "
                     "speakers.yaml; add one, or keep null for a reporter")
    return "\n".join(lines) + "\n"


def write_into(path: Path, quotes: list[Suggested], events: list[SuggestedEvent],
               labels: list[tuple[str, str | None, int]]) -> int:
    """Add the suggestions to the annotations file at ``path``, every other
    byte of it kept (comments, order, layout): each list grows at its end,
    or is added at the end of the file. Labels without a speaker are left
    out. Returns how many entries were added; raises ValueError, writing
    nothing, where a list is written inline (``quotes: [...]``)."""
    import yaml

    from .yamledit import scalar as plain

    text = path.read_text("utf-8")
    source_lines = text.splitlines()

    def after(node: yaml.Node) -> int:
        """The index of the line a block node's new entries go before: just
        after its last line of content (comments and blank lines after it
        stay after the new entries)."""
        mark = node.end_mark
        at = mark.line if mark.line >= len(source_lines) or \
            not source_lines[mark.line][:mark.column].strip() else mark.line + 1
        while at - 1 > node.start_mark.line and (
                not source_lines[at - 1].strip() or source_lines[at - 1].lstrip().startswith("#")):
            at -= 1
        return at

    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise ValueError(f"{path} is not a mapping of annotations")
    top = {key.value: value for key, value in (root.value if root else [])}
    key_line = {key.value: key.start_mark.line for key, _ in (root.value if root else [])}
    replaced: dict[int, str] = {}  # line index -> its new text
    inserts: list[tuple[int, list[str]]] = []  # (line index to insert before, lines)
    tail: list[str] = []  # what goes at the end of the file
    added = 0

    def items(kind: str, entries: list[list[tuple[str, str]]]) -> None:
        nonlocal added
        if not entries:
            return
        node = top.get(kind)
        lines = []
        indent = node.start_mark.column if isinstance(node, yaml.SequenceNode) and \
            not node.flow_style and node.value else 2
        for fields in entries:
            for n, (key, value) in enumerate(fields):
                lead = " " * indent + ("- " if n == 0 else "  ")
                lines.append(f"{lead}{key}: {value}")
        added += len(entries)
        if node is None:
            tail.extend([f"{kind}:", *lines])
        elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
            inserts.append((after(node), lines))
        else:
            # ``quotes:`` with nothing after it, or ``quotes: []``: the items go below it.
            line = key_line[kind]
            bare = re.fullmatch(rf"({re.escape(kind)}:)\s*(?:\[\s*\]|~|null)?\s*(#.*)?",
                                source_lines[line])
            empty = (isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")) or (
                isinstance(node, yaml.SequenceNode) and not node.value)
            if not (empty and bare):
                raise ValueError(f"{path}:{node.start_mark.line + 1}: '{kind}' is written "
                                 "inline; write it as a list of '- ' items to add to it")
            replaced[line] = bare.group(1) + (f"  {bare.group(2)}" if bare.group(2) else "")
            inserts.append((line + 1, lines))

    items("quotes", [[("speaker", q.speaker), ("quote", plain(q.quote))] +
                     ([("occurrence", str(q.occurrence))] if q.occurrence else [])
                     for q in quotes])
    items("events", [[("date", e.date.isoformat()), ("summary", plain(e.summary)),
                      ("anchor", plain(e.anchor))] for e in events])
    mapped = [(label, speaker) for label, speaker, _ in labels if speaker]
    if mapped:
        transcript = top.get("transcript")
        entry = [f"{plain(label)}: {speaker}" for label, speaker in mapped]
        added += len(mapped)
        if transcript is None:
            tail.extend(["transcript:", "  labels:", *("    " + e for e in entry)])
        elif not isinstance(transcript, yaml.MappingNode) or transcript.flow_style:
            raise ValueError(f"{path}:{transcript.start_mark.line + 1}: 'transcript' is "
                             "written inline; write it as a block to add labels to it")
        else:
            inner = {k.value: v for k, v in transcript.value}
            column = transcript.value[0][0].start_mark.column if transcript.value else 2
            node = inner.get("labels")
            if node is None:
                inserts.append((after(transcript), [" " * column + "labels:",
                                     *(" " * (column + 2) + e for e in entry)]))
            elif isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
                keys = node.value[0][0].start_mark.column
                inserts.append((after(node), [" " * keys + e for e in entry]))
            else:
                raise ValueError(f"{path}:{node.start_mark.line + 1}: 'labels' is written "
                                 "inline; write one label a line to add to it")
    if not added:
        return 0
    lines = text.splitlines(keepends=True)
    for at, new_text in replaced.items():
        lines[at] = new_text + "\n"
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    for at, new in sorted(inserts, key=lambda i: -i[0]):
        lines[at:at] = [line + "\n" for line in new]
    lines.extend(line + "\n" for line in tail)
    result = "".join(lines)
    yaml.compose(result, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # still YAML
    path.write_text(result, "utf-8")
    return added


@dataclass(frozen=True)
class Suggestions:
    path: Path  # the briefing's annotations
    quotes: list[Suggested]
    events: list[SuggestedEvent]
    labels: list[tuple[str, str | None, int]]

    def as_yaml(self, site: Path) -> str:
        return as_yaml(self.quotes, self.events, self.labels,
                       self.path.relative_to(site).as_posix())


def suggest(site: Path, slug: str) -> Suggestions:
    """What is suggested for the briefing ``slug`` of the site at ``site``.
    Raises LookupError, with the reason, for a briefing that cannot be read."""
    from .load import read_text
    from .validate import read_one_briefing, read_speakers

    briefing, raw_html = read_one_briefing(site, slug)
    speakers_file, _ = read_text(site, "content/speakers.yaml")
    speakers, _, _ = read_speakers(speakers_file)
    labels = suggest_labels(briefing, speakers, raw_html)
    # The quotes of turns whose labels are suggested too: as if they were mapped.
    mapped = tuple((label, speaker, Position(briefing.yaml_path))
                   for label, speaker, _ in labels)
    if mapped:
        transcript = briefing.transcript or Transcript((), briefing.source.published)
        briefing = dataclasses.replace(briefing, transcript=dataclasses.replace(
            transcript, labels=transcript.labels + mapped))
    return Suggestions(site / briefing.yaml_path,
                       suggest_quotes(briefing, speakers, raw_html),
                       suggest_events(briefing, speakers, raw_html), labels)
