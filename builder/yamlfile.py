"""Reading YAML with the source position of every key and value.

PyYAML's composer gives a node tree with marks; this module turns it into plain
Python data (``Mapping``/``Sequence``/scalars) that remembers where each key and
value stood, so validation can report ``path:line:column``.

Deliberate limits: only plain data loads (strings, numbers, booleans, null,
lists, mappings). Dates are *not* resolved by YAML: they stay strings and the
validator parses them, so an impossible date gets a clear message instead of a
PyYAML exception. A duplicate key is an error (PyYAML would silently keep the
last one). Aliases are expanded with a budget, so an alias bomb fails fast.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .problems import Position, Problem, error

# Enough for any hand-written annotation file; an alias bomb hits it at once.
_NODE_BUDGET = 1_000_000


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps: dates stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _position(path, mark) if mark else Position(path)
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:  # where the trouble began
            what += (f" ({exc.context} that starts at line {exc.context_mark.line + 1}, "
                     f"column {exc.context_mark.column + 1})")
        fix = ("Put text that contains ': ' in quotes." if "mapping values" in what
               else "Check the indentation and quoting.")
        return None, [error(where, f"invalid YAML: {what}. {fix}")]
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors
        return None, [error(Position(path), f"invalid YAML: {exc}")]
    if node is None:
        return None, []
    try:
        return _Converter(path).convert(node), []
    except YamlError as exc:
        return None, [exc.problem]


def _position(path: str, mark: Any) -> Position:
    return Position(path, mark.line + 1, mark.column + 1)


class _Converter:
    def __init__(self, path: str):
        self.path = path
        self.budget = _NODE_BUDGET
        self.constructor = _Loader("")

    def convert(self, node: yaml.Node) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlError(
                error(
                    _position(self.path, node.start_mark),
                    "YAML expands to too many values (an alias bomb?). "
                    "Write the data out instead of using aliases.",
                )
            )
        where = _position(self.path, node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, where)
        if isinstance(node, yaml.SequenceNode):
            return Sequence(where, [self.convert(n) for n in node.value],
                            [_position(self.path, n.start_mark) for n in node.value])
        return self._scalar(node, where)

    def _mapping(self, node: yaml.MappingNode, where: Position) -> Mapping:
        result = Mapping(where)
        self.constructor.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self._scalar(key_node, _position(self.path, key_node.start_mark))
            key_at = _position(self.path, key_node.start_mark)
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
            result.value_at[key] = _position(self.path, value_node.start_mark)
            result.items[key] = self.convert(value_node)
        return result

    def _scalar(self, node: yaml.Node, where: Position) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlError(error(where, "a key must be a plain word, not a list or mapping."))
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[1] in {
            "str", "int", "float", "bool", "null",
        }:
            return self.constructor.construct_object(node)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value
        raise YamlError(
            error(where, f"unsupported YAML tag '{node.tag}'. Only plain text, numbers, "
                  "true/false, lists and mappings are allowed.")
        )
