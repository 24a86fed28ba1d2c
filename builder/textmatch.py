"""The reader's text of an HTML fragment, and finding anchors in it.

An anchor is matched against the article "as a reader sees it": the text of the
rendered Markdown, with runs of white space counted as one space and
typographic quotes, apostrophes and dashes interchangeable with straight ones.
Invisible characters (zero-width spaces and joiners, soft hyphens) are ignored.

:class:`ReaderText` keeps, for every character of that folded text, the text
part of the HTML and the offset it came from, so a match can be mapped back
onto the HTML for highlighting.
"""

from __future__ import annotations

import functools
import html
import re
from array import array
from dataclasses import dataclass

# One character in, one character out, so positions map back exactly.
_FOLD = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc\uff07", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d", "-"),
    }
)
# The same as pairs, for texts folded with str.replace: one fast scan for each
# character that is there, where str.translate looks every character up.
_FOLD_PAIRS = tuple((chr(code), target) for code, target in _FOLD.items())
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
_INVISIBLE_CHAR = re.compile("[" + "".join(sorted(_INVISIBLE)) + "]")
_SPACE_RUN = re.compile(r"\s+")
# A run of white space that is not one plain space: what folding changes. Text
# has thousands of single spaces and few of these, so finding them is faster
# than replacing every run.
_ODD_SPACE_RUN = re.compile(r"[^\S ]\s*| \s+")
_LONG_SPACE = re.compile(r"\s\s+")
TAG = re.compile(r"(<[^>]*>)")
# Elements that start a new block: the reader sees a break there.
_BLOCK_TAGS = frozenset(
    "p li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table thead tbody tr td th hr br div".split()
)


def fold(text: str) -> str:
    """The folded form of an anchor: what it must equal in the reader's text."""
    kept = _folded("".join(c for c in text if c not in _INVISIBLE))
    return " ".join(kept.split())


def _folded(text: str) -> str:
    """``text`` with its quotes, apostrophes and dashes folded (:data:`_FOLD`)."""
    if text.isascii():
        return text
    for character, target in _FOLD_PAIRS:
        if character in text:
            text = text.replace(character, target)
    return text


@functools.lru_cache(maxsize=4096)  # an article's tags are mostly the same few: <p>, </em>...
def tag_name(tag: str) -> str:
    return tag.strip("</>").split(None, 1)[0].lower() if len(tag) > 2 else ""


# 0, 1, 2, ...: runs of offsets are sliced from it, as arrays are joined, not
# made number by number (a tenth of reading an article).
_COUNTING = array("i", range(1 << 16))


def _count(start: int, stop: int) -> array[int]:
    """The offsets start, start + 1, ..., stop - 1, as an array."""
    return _COUNTING[start:stop] if stop <= len(_COUNTING) else array("i", range(start, stop))


def _offsets(text: str, lead: int, length: int) -> array[int]:
    """Where each character of ``text[lead:]`` with its white space folded came from."""
    if len(text) - lead == length:  # no run of two or more spaces: one for one
        return _count(lead, len(text))
    offsets = array("i")
    kept = lead
    for run in _LONG_SPACE.finditer(text, lead):
        offsets.extend(_count(kept, run.start() + 1))
        kept = run.end()
    offsets.extend(_count(kept, len(text)))
    return offsets


@dataclass
class ReaderText:
    """The folded reader's text of a list of HTML parts (tags and text)."""

    parts: list[str]  # HTML split by TAG: text at even indexes, tags at odd ones
    text: str  # the folded text
    part_of: array[int]  # for each folded character: its part, or -1 for a block break
    offset_of: array[int]  # ... and its offset in the part's decoded text
    decoded: dict[int, str]  # part index -> decoded text

    @classmethod
    def of(cls, parts: list[str]) -> ReaderText:
        chars: list[str] = []  # runs of the reader's text, joined at the end
        part_of = array("i")  # compact: an article may be millions of characters
        offset_of = array("i")
        decoded: dict[int, str] = {}
        pending_space = False  # a block break or white space since the last word
        last_space = False  # the text so far ends in a space
        for index, part in enumerate(parts):
            if index % 2:  # a tag
                if tag_name(part) in _BLOCK_TAGS:
                    pending_space = True
                continue
            if not part:
                continue
            text = decoded[index] = html.unescape(part) if "&" in part else part
            # Invisible characters are dropped; ``kept`` maps what is left back.
            kept: list[int] | None = None
            if _INVISIBLE_CHAR.search(text):
                kept = [i for i, c in enumerate(text) if c not in _INVISIBLE]
                text = "".join(text[i] for i in kept)
                if not text:
                    continue
            lead = 0
            if text[0].isspace():  # a run of white space is one space, at its first character
                pending_space = True
                if chars and not last_space:
                    chars.append(" ")
                    part_of.append(index)
                    offset_of.append(kept[0] if kept else 0)
                    last_space = True
                lead = _SPACE_RUN.match(text).end()  # type: ignore[union-attr]
                if lead == len(text):
                    continue
            words = _ODD_SPACE_RUN.sub(" ", text[lead:] if lead else text)
            offsets = _offsets(text, lead, len(words))
            if pending_space and chars and not last_space:
                chars.append(" ")
                part_of.append(-1)
                offset_of.append(0)
            chars.append(words)
            part_of.extend(array("i", (index,)) * len(words))
            offset_of.extend(offsets if kept is None else array("i", (kept[o] for o in offsets)))
            pending_space = last_space = words.endswith(" ")
        folded = _folded("".join(chars))
        return cls(parts, folded, part_of, offset_of, decoded)

    def find_all(self, needle: str) -> list[int]:
        """Start positions of every occurrence of a folded needle (overlaps included)."""
        starts = []
        position = self.text.find(needle)
        while position != -1 and needle:
            starts.append(position)
            position = self.text.find(needle, position + 1)
        return starts

    def excerpt(self, start: int, end: int, context: int = 30) -> str:
        """The text around [start, end), for messages."""
        left = self.text.rfind(" ", 0, max(0, start - context)) + 1
        right = self.text.find(" ", min(len(self.text), end + context))
        right = len(self.text) if right == -1 else right
        return ("…" if left > 0 else "") + self.text[left:right].strip() + (
            "…" if right < len(self.text) else "")
