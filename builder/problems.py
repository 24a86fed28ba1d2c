"""Problems found in a site: data, collected by every stage and reported once.

A problem names the file, line and column it comes from, so editors can jump to
it (``content/briefings/x.yaml:14:5: error: ...``). Stages never print and never
raise for bad content: they return problems beside their value.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Position(NamedTuple):
    """A place in a file: a path relative to the site, 1-based line and column.
    (A tuple: a site of ten thousand briefings holds over a hundred thousand,
    at half the memory of a dataclass; ordered by its fields, as one was.)"""

    path: str
    line: int = 0
    column: int = 0

    def __reduce__(self) -> tuple[type[Position], tuple[str, int, int]]:
        # Pickled faster so than by a named tuple's own way (the cache keeps many).
        return Position, (self.path, self.line, self.column)

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


NOWHERE = Position("")  # where what is not written stands: one object for all


@dataclass(frozen=True, order=True)
class Problem:
    where: Position
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.severity.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def error(where: Position, message: str) -> Problem:
    return Problem(where, Severity.ERROR, message)


def warning(where: Position, message: str) -> Problem:
    return Problem(where, Severity.WARNING, message)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def strictly(problems: Iterable[Problem]) -> list[Problem]:
    """Warnings become errors (``--strict``)."""
    return [Problem(p.where, Severity.ERROR, p.message) for p in problems]


def summarise(problems: list[Problem]) -> str:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return ", ".join(parts)
