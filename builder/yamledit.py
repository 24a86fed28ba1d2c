"""Edits of a YAML file's text in place: a scalar's value replaced, a key
added or removed, every other byte kept (comments, key order, layout).

Nodes are found by the position of their values, as :mod:`builder.yamlfile`
reports them, through libyaml's marks. A value is written back in the style it
had (plain, single-quoted, double-quoted, literal ``|`` or folded ``>``) where
that style can hold it, and the result is read back to check that it holds
exactly the values meant and nothing else changed; :class:`EditError` says
which value could not be written, and nothing is written then.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass
from typing import Any

import yaml

from .yamlfile import _Loader

_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EditError(ValueError):
    """An edit that cannot be made, with where and why."""


@dataclass(frozen=True)
class ScalarEdit:
    """A scalar value at (line, column) (1-based, where its value starts) to
    replace with ``value``; with ``occurrence`` set (a number, or None to
    remove it) on the mapping that holds it where ``set_occurrence``."""

    line: int
    column: int
    value: str | None  # None: the value stays
    occurrence: int | None = None
    set_occurrence: bool = False


def scalar(value: str) -> str:
    """``value`` as a one-line YAML scalar, plain where YAML reads it back as
    the same text, quoted otherwise."""
    return yaml.safe_dump(value, allow_unicode=True, width=10_000,
                          default_style=None).removesuffix("\n...\n").rstrip("\n")


def apply(text: str, path: str, edits: list[ScalarEdit]) -> str:
    """``text`` with the edits made. Raises EditError, naming the line, for
    an edit it cannot make (then the caller writes nothing)."""
    root = yaml.compose(text, Loader=_FAST)
    found = dict(_scalars(root, ()))
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    changes: list[tuple[int, int, str]] = []  # (start, end, new text), offsets in ``text``
    expected = _plain(text)
    for edit in edits:
        at = found.get((edit.line - 1, edit.column - 1))
        if at is None:
            raise EditError(f"{path}:{edit.line}:{edit.column}: no value stands there")
        keys, node, parent, key = at
        if edit.value is not None:
            changes.append(_replaced(node, edit.value, text, lines, starts, path))
            _set(expected, keys, edit.value)
        if edit.set_occurrence:
            changes.extend(_occurrence(edit, node, parent, key, lines, starts, path))
            _set(expected, (*keys[:-1], "occurrence"), edit.occurrence)
    for start, end, new in sorted(changes, reverse=True):
        text = text[:start] + new + text[end:]
    _check(text, expected, path)
    return text


def _scalars(node: Any, keys: tuple[Any, ...], parent: Any = None, key: Any = None
             ) -> Any:
    """((line, column) of each scalar value, (its keys from the root, node,
    the mapping that holds it, its key node))."""
    if isinstance(node, yaml.ScalarNode):
        yield (node.start_mark.line, node.start_mark.column), (keys, node, parent, key)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _scalars(item, (*keys, index))
    elif isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            yield from _scalars(value, (*keys, key_node.value), node, key_node)


def _replaced(node: yaml.ScalarNode, value: str, text: str, lines: list[str],
              starts: list[int], path: str) -> tuple[int, int, str]:
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in ("|", ">"):
        first, last = _content_lines(node, lines)
        if "\n" in value or value != value.strip():
            raise EditError(f"{path}:{node.start_mark.line + 1}: the new text cannot be "
                            "written as a block scalar; write it by hand")
        indent = " " * (len(lines[first]) - len(lines[first].lstrip(" ")))
        if node.style == ">":  # folded again at the width it had
            width = max(len(line.rstrip()) for line in lines[first:last + 1])
            value = textwrap.fill(value, max(width, 40), initial_indent=indent,
                                  subsequent_indent=indent, break_long_words=False,
                                  break_on_hyphens=False)
            return starts[first], starts[last + 1], value + "\n"
        return starts[first], starts[last + 1], indent + value + "\n"
    if node.style == "'" and "\n" not in value:
        return start, end, "'" + value.replace("'", "''") + "'"
    if node.style == '"':
        written = yaml.safe_dump(value, allow_unicode=True, width=10_000, default_style='"')
        return start, end, written.removesuffix("\n...\n").rstrip("\n")
    return start, end, scalar(value)


def _content_lines(node: yaml.ScalarNode, lines: list[str]) -> tuple[int, int]:
    """The first and last lines (indexes) of a block scalar's text, blank
    lines after it left out."""
    first = node.start_mark.line + 1
    last = node.end_mark.line - 1 if node.end_mark.column == 0 else node.end_mark.line
    last = min(last, len(lines) - 1)
    while last > first and not lines[last].strip():
        last -= 1
    return first, last


def _occurrence(edit: ScalarEdit, node: yaml.ScalarNode, parent: Any, key: Any,
                lines: list[str], starts: list[int], path: str) -> list[tuple[int, int, str]]:
    where = f"{path}:{edit.line}:{edit.column}"
    if not isinstance(parent, yaml.MappingNode) or parent.flow_style:
        raise EditError(f"{where}: 'occurrence' cannot be written beside this passage: "
                        f"write it as 'passage:' and 'occurrence: {edit.occurrence}' by hand")
    current = next(((k, v) for k, v in parent.value if k.value == "occurrence"), None)
    if current is not None:
        k, v = current
        if edit.occurrence is not None:
            return [(v.start_mark.index, v.end_mark.index, str(edit.occurrence))]
        line = lines[k.start_mark.line]
        if k.start_mark.line != v.end_mark.line or line[:k.start_mark.column].strip():
            raise EditError(f"{path}:{k.start_mark.line + 1}: remove 'occurrence' by hand")
        return [(starts[k.start_mark.line], starts[k.start_mark.line + 1], "")]
    if edit.occurrence is None:
        return []
    after = _content_lines(node, lines)[1] if node.style in ("|", ">") else \
        node.end_mark.line
    return [(starts[after + 1], starts[after + 1],
             " " * key.start_mark.column + f"occurrence: {edit.occurrence}\n")]


def _plain(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - only plain data: see yamlfile


def _set(data: Any, keys: tuple[Any, ...], value: Any) -> None:
    for key in keys[:-1]:
        data = data[key]
    if value is None and keys[-1] == "occurrence":
        data.pop("occurrence", None)
    else:
        data[keys[-1]] = str(value) if keys[-1] == "occurrence" else value


def _check(text: str, expected: Any, path: str) -> None:
    """That ``text`` holds ``expected`` (block scalars' last line ends aside)."""
    try:
        got = _plain(text)
    except yaml.YAMLError as exc:
        raise EditError(f"{path}: the edited file would not be YAML ({exc}); "
                        "nothing was written") from None
    if _trimmed(copy.deepcopy(got)) != _trimmed(copy.deepcopy(expected)):
        raise EditError(f"{path}: the edited file would not read back as meant; "
                        "nothing was written")


def _trimmed(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _trimmed(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_trimmed(v) for v in data]
    return data.rstrip("\n") if isinstance(data, str) else data
