"""Reading YAML with the source position of every key and value.

PyYAML's composer gives a node tree with marks; this module turns it into plain
Python data (``Mapping``/``Sequence``/scalars) that remembers where each key and
value stood, so validation can report ``path:line:column``.

Deliberate limits, because YAML's own rules lose data in annotation files:

- a plain scalar is text, exactly as written, unless it is empty or ``null``/``~``
  (YAML 1.1 would read ``NO`` as false, ``1.10`` as 1.1 and ``12:30`` as 750);
  the field that wants a number, a date or true/false parses the text itself,
  so ``2022-02-30`` gets a clear message instead of a PyYAML exception;
- only plain data loads: an explicit tag other than str, int, float, bool or
  null (``!!python/object``...) is an error;
- a duplicate key is an error (PyYAML would silently keep the last one);
- aliases are measured before they are expanded, so an alias bomb fails at once,
  in bounded memory; recursive aliases and absurd nesting are errors too.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from .load import find_not_text
from .problems import Position, Problem, error

# Values a file may expand to through aliases: far beyond any annotation file
# (5,000 quotes are about 30,000), far below what hurts.
_NODE_BUDGET = 500_000
_MAX_DEPTH = 64
_NULL = "tag:yaml.org,2002:null"
_PLAIN_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")}
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_STR = "tag:yaml.org,2002:str"


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only implicit type is null: every other plain scalar is text."""


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(_NULL, re.compile(r"^(?:~|null|Null|NULL|)$"),
                              ["~", "n", "N", ""])
_Loader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^<<$"), ["<"])

# libyaml's composer, about fifteen times faster, where PyYAML was built with it.
_CLoader: type | None = None
if yaml.__with_libyaml__:
    class _CLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """The same resolvers as :class:`_Loader`, over libyaml's parser."""

    _CLoader.yaml_implicit_resolvers = dict(_Loader.yaml_implicit_resolvers)


@dataclass
class Mapping:
    """A YAML mapping: values by key, with the position of each key and value."""

    where: Position
    items: dict[str, Any] = field(default_factory=dict)
    key_at: dict[str, Position] = field(default_factory=dict)
    value_at: dict[str, Position] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.items

    def at(self, key: str) -> Position:
        """Where the value of ``key`` stands (or the mapping, if it is absent)."""
        return self.value_at.get(key, self.where)


@dataclass
class Sequence:
    where: Position
    items: list[Any] = field(default_factory=list)
    item_at: list[Position] = field(default_factory=list)


class YamlError(Exception):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def parse_yaml(text: str, path: str) -> tuple[Any, list[Problem]]:
    """Parse ``text`` into located data; on failure return ``None`` and the problem."""
    at = _Locator(path, text)
    try:
        node = _compose(text)
    except RecursionError:
        return None, [error(Position(path, 1, 1), "the YAML is nested too deeply to be "
                                                  "annotations: flatten it.")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = at(mark) if mark else Position(path)
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:  # where the trouble began
            began = at(exc.context_mark)
            what += (f" ({exc.context} that starts at line {began.line}, "
                     f"column {began.column})")
        fix = ("Put text that contains ': ' in quotes." if "mapping values" in what
               else "Check the indentation and quoting.")
        return None, [error(where, f"invalid YAML: {what}. {fix}")]
    except yaml.reader.ReaderError as exc:  # a character YAML forbids (control characters)
        line_start = text.rfind("\n", 0, exc.position) + 1
        where = Position(path, text.count("\n", 0, exc.position) + 1,
                         exc.position - line_start + 1)
        code = exc.character if isinstance(exc.character, int) else 0
        escape = (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                  else f"\\U{code:08x}")
        return None, [error(where, f"invalid YAML: the character U+{code:04X} is not allowed "
                                   f"in YAML text. Remove it, or write it as \"{escape}\" "
                                   "inside double quotes.")]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors
        return None, [error(Position(path), f"invalid YAML: {exc}")]
    if node is None:
        return None, []
    try:
        _measure(node, at, {}, set())
        return _Converter(at, text).convert(node), []
    except YamlError as exc:
        return None, [exc.problem]


def _compose(text: str) -> yaml.Node | None:
    """The node tree, composed by libyaml. Where libyaml refuses a file, the
    pure-Python composer reads it again: its messages are the ones users know
    (and it reads the few files libyaml alone refuses, as it always did). The
    only files libyaml reads that PyYAML refused are ones the YAML
    specification allows, such as a tab before a key's colon (docs/format.md)."""
    if _CLoader is not None:
        try:
            return yaml.compose(text, Loader=_CLoader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader)


class _Locator:
    """PyYAML's marks -> positions, in lines as editors count them: PyYAML also
    ends a line at U+0085, U+2028 and U+2029, which editors show inside one."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.starts = ([0] + [m.end() for m in re.finditer("\n", text)]
                       if any(c in text for c in "\x85\u2028\u2029") else None)

    def __call__(self, mark: Any) -> Position:
        if self.starts is None:
            return Position(self.path, mark.line + 1, mark.column + 1)
        line = bisect.bisect_right(self.starts, mark.index)
        return Position(self.path, line, mark.index - self.starts[line - 1] + 1)


def _measure(node: yaml.Node, at: _Locator, sizes: dict[int, int], open_: set[int]) -> int:
    """How many values ``node`` expands to, counting each alias in full, without
    expanding anything: an alias bomb or a recursive alias is refused here."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in open_:
        raise YamlError(error(at(node.start_mark),
                              "an alias refers to the list or mapping that contains it: "
                              "write the data out instead."))
    if len(open_) > _MAX_DEPTH:
        raise YamlError(error(at(node.start_mark),
                              f"the YAML is nested more than {_MAX_DEPTH} levels deep: "
                              "flatten it."))
    size = 1
    if isinstance(node, yaml.SequenceNode | yaml.MappingNode):
        open_.add(key)
        children = node.value if isinstance(node, yaml.SequenceNode) else [
            child for pair in node.value for child in pair]
        for child in children:
            size += _measure(child, at, sizes, open_)
            if size > _NODE_BUDGET:
                raise YamlError(error(at(child.start_mark),
                                      "YAML expands to too many values (an alias bomb?). "
                                      "Write the data out instead of using aliases."))
        open_.discard(key)
    sizes[key] = size
    return size


def _value_mark(key: yaml.Node, value: yaml.Node, text: str) -> Any:
    """Where a value stands. The missing value of an explicit key (``? key``
    with no ``:``) stands at the key's end (the two composers put it in
    different places after it)."""
    if isinstance(value, yaml.ScalarNode) and value.value == "" and not value.style:
        # Between a key and its value stand only blanks, comments and the ':'.
        between = text[key.end_mark.index:value.start_mark.index]
        if not any(":" in line.split("#", 1)[0] for line in between.split("\n")):
            return key.end_mark
    return value.start_mark


class _Converter:
    def __init__(self, at: _Locator, text: str):
        self.at = at
        self.text = text
        self.constructor = _Loader("")

    def convert(self, node: yaml.Node) -> Any:
        where = self.at(node.start_mark)
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, _MAP, where)
            return self._mapping(node, where)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ, where)
            return Sequence(where, [self.convert(n) for n in node.value],
                            [self.at(n.start_mark) for n in node.value])
        return self._scalar(node, where)

    def _check_tag(self, node: yaml.Node, expected: str, where: Position) -> None:
        if node.tag != expected:
            raise YamlError(error(where, f"unsupported YAML tag '{node.tag}'. Only plain text, "
                                         "numbers, true/false, lists and mappings are allowed."))
    def _mapping(self, node: yaml.MappingNode, where: Position) -> Mapping:
        result = Mapping(where)
        try:
            self.constructor.flatten_mapping(node)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark or node.start_mark
            raise YamlError(error(self.at(mark), "a merge key ('<<') must be followed by an "
                                                 "alias of a mapping, or a list of them: "
                                                 "write the keys out instead.")) from None
        for key_node, value_node in node.value:
            key_at = self.at(key_node.start_mark)
            key = self._scalar(key_node, key_at)
            if not isinstance(key, str | int | float | bool) or isinstance(key, bool):
                raise YamlError(error(key_at, "a key must be a plain word. Write it as text."))
            key = str(key)
            if key in result.items:
                first = result.key_at[key]
                raise YamlError(
                    error(
                        key_at,
                        f"duplicate key '{key}' (first at line {first.line}). "
                        "Remove one of them: YAML would silently keep only the last.",
                    )
                )
            result.key_at[key] = key_at
            result.value_at[key] = self.at(_value_mark(key_node, value_node, self.text))
            result.items[key] = self.convert(value_node)
        return result

    def _scalar(self, node: yaml.Node, where: Position) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlError(error(where, "a key must be a plain word, not a list or mapping."))
        # The file's text has no character that is not text: only an escape in
        # double quotes can write one.
        bad = find_not_text(node.value) if node.style == '"' else None
        if bad:
            raise YamlError(error(where, f"the character U+{ord(bad.group()):04X} is not text "
                                         "(a control character or a noncharacter): delete "
                                         "its escape. Pages and the feed cannot hold it."))
        if node.tag == _STR:  # nearly every value: as the constructor would, at once
            return node.value
        if node.tag in _PLAIN_TAGS:
            try:
                return self.constructor.construct_object(node)
            except (ValueError, IndexError, yaml.YAMLError):  # IndexError: '!!int' of nothing
                raise YamlError(error(where, f"'{node.value[:40]}' is not a valid "
                                             f"{node.tag.rsplit(':', 1)[1]}: remove the tag "
                                             "to keep it as text.")) from None
        raise YamlError(
            error(where, f"unsupported YAML tag '{node.tag}'. Only plain text, numbers, "
                  "true/false, lists and mappings are allowed.")
        )
