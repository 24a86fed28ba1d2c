"""Small readers for the fields of a YAML mapping, each reporting its problems.

Every reader takes a located :class:`~builder.yamlfile.Mapping`, a key and the
problem list, and returns a clean Python value (or ``None`` when the field is
absent or wrong, after recording why).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from . import markdown
from .problems import Position, Problem, did_you_mean, error, warning
from .yamlfile import Mapping, Sequence

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAY_OR_RANGE = re.compile(r"^\d{4}-\d{2}-\d{2}(/\d{4}-\d{2}-\d{2})?$")


def describe(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Sequence):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    shown = str(value)
    return f"'{shown if len(shown) <= 60 else shown[:59] + '…'}'"


def check_keys(
    mapping: Mapping, known: tuple[str, ...], required: tuple[str, ...], what: str,
    problems: list[Problem],
) -> None:
    """Unknown keys (with the nearest known one) and missing required keys."""
    for key in mapping.items:
        if key not in known:
            problems.append(
                error(mapping.key_at[key],
                      f"unknown key '{key}' in {what}.{did_you_mean(key, known)}"
                      + ("" if did_you_mean(key, known) else
                         f" Known keys: {', '.join(known)}."))
            )
    for key in required:
        if key not in mapping.items:
            problems.append(error(mapping.where, f"'{key}:' is missing from {what}: add it."))


def expect_mapping(
    value: Any, where: Position, what: str, problems: list[Problem]
) -> Mapping | None:
    if isinstance(value, Mapping):
        return value
    problems.append(error(where, f"{what} must be a mapping of 'key: value' lines, "
                                 f"not {describe(value)}."))
    return None


def text(mapping: Mapping, key: str, problems: list[Problem], *, what: str = "") -> str | None:
    """A text field; numbers are taken as text, lists, mappings and booleans are not."""
    if key not in mapping.items:
        return None
    value = mapping.items[key]
    if isinstance(value, str):
        if not value.strip():
            problems.append(error(mapping.at(key), f"'{key}' is empty: write some text or "
                                                   "remove the key."))
            return None
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    problems.append(error(mapping.at(key), f"'{key}' must be text, not {describe(value)}."
                                           + (f" {what}" if what else "")))
    return None


def boolean(mapping: Mapping, key: str, problems: list[Problem]) -> bool | None:
    if key not in mapping.items:
        return None
    value = mapping.items[key]
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    problems.append(error(mapping.at(key), f"'{key}' must be true or false, not "
                                           f"{describe(value)}."))
    return None


def positive_int(mapping: Mapping, key: str, problems: list[Problem]) -> int | None:
    if key not in mapping.items:
        return None
    value = mapping.items[key]
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() \
            and len(value.strip()) <= 9:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    problems.append(error(mapping.at(key), f"'{key}' must be a whole number from 1, not "
                                           f"{describe(value)}."))
    return None


def text_list(mapping: Mapping, key: str, problems: list[Problem]) -> list[tuple[str, Position]]:
    """A list of texts; a single text is not silently taken as a list."""
    if key not in mapping.items:
        return []
    value = mapping.items[key]
    if not isinstance(value, Sequence):
        problems.append(error(mapping.at(key), f"'{key}' must be a list ('- item' lines), not "
                                               f"{describe(value)}."))
        return []
    result = []
    for item, where in zip(value.items, value.item_at, strict=True):
        if isinstance(item, str) and item.strip():
            result.append((item.strip(), where))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            result.append((str(item), where))
        else:
            problems.append(error(where, f"each item of '{key}' must be text, not "
                                         f"{describe(item)}."))
    return result


def failed_since(problems: list[Problem], count: int) -> bool:
    """Whether an error was added after the first ``count`` problems."""
    return any(p.is_error for p in problems[count:])


def markdown_text(mapping: Mapping, key: str, problems: list[Problem]) -> str | None:
    """Text that is rendered as Markdown: links that would not be published
    (see builder/markdown.py) are warned about here, where they were written."""
    value = text(mapping, key, problems)
    if value:
        for offset, url in markdown.unsafe_urls(value):
            where = mapping.at(key)
            problems.append(warning(Position(where.path, where.line + offset, where.column),
                                    _unsafe(url, key)))
    return value


def url(mapping: Mapping, key: str, problems: list[Problem]) -> str | None:
    """A URL a reader may follow; one with an unsafe scheme is left out, with a warning."""
    value = text(mapping, key, problems)
    if value is not None and not markdown.is_safe_url(value.strip()):
        problems.append(warning(mapping.at(key), _unsafe(value, key)))
        return None
    return value.strip() if value is not None else None


def _unsafe(value: str, key: str) -> str:
    shown = value if len(value) <= 60 else value[:59] + "…"
    return (f"the link '{shown}' in '{key}' is not published: only {markdown.SAFE_LIST} "
            "and relative links are. Remove it, or link to a web page.")


def parse_day_or_range(value: str, where: Position, problems: list[Problem]
                        ) -> tuple[date, date] | None:
    """``YYYY-MM-DD`` (a single day) or ``YYYY-MM-DD/YYYY-MM-DD`` (a range)."""
    if not _DAY_OR_RANGE.match(value.strip()):
        problems.append(error(where, f"'date' must be a day written YYYY-MM-DD or a range "
                                     f"YYYY-MM-DD/YYYY-MM-DD, not '{value}'."))
        return None
    first, slash, last = value.strip().partition("/")
    start = parse_day(first, where, problems, "date")
    end = parse_day(last, where, problems, "date") if slash else start
    if start is None or end is None:
        return None
    if end < start:
        problems.append(error(where, f"the range '{value}' ends before it starts: "
                                     f"write it as {end}/{start}."))
        return None
    if end == start and slash:
        problems.append(error(where, f"the range '{value}' starts and ends on the "
                                     f"same day: write just {start}."))
        return None
    return start, end


def parse_day(value: str, where: Position, problems: list[Problem], key: str) -> date | None:
    match = _DATE.match(value.strip())
    if not match:
        problems.append(error(where, f"'{key}' must be a date written YYYY-MM-DD, not '{value}'."))
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError as exc:
        problems.append(error(where, f"impossible date '{value}': {exc}. Check the month and day."))
        return None


def day(mapping: Mapping, key: str, problems: list[Problem]) -> date | None:
    if key not in mapping.items:
        return None
    value = mapping.items[key]
    if not isinstance(value, str):
        problems.append(error(mapping.at(key), f"'{key}' must be a date written YYYY-MM-DD, "
                                               f"not {describe(value)}."))
        return None
    return parse_day(value, mapping.at(key), problems, key)


def day_or_datetime(mapping: Mapping, key: str, problems: list[Problem]) -> date | datetime | None:
    """``YYYY-MM-DD``, or an ISO 8601 datetime with its offset."""
    if key not in mapping.items:
        return None
    value = mapping.items[key]
    where = mapping.at(key)
    if not isinstance(value, str):
        problems.append(error(where, f"'{key}' must be a date (YYYY-MM-DD) or a datetime "
                                     f"with offset, not {describe(value)}."))
        return None
    value = value.strip()
    if _DATE.match(value):
        return parse_day(value, where, problems, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        problems.append(error(where, f"'{key}' must be YYYY-MM-DD or an ISO 8601 datetime "
                                     f"with offset such as 2022-01-10T14:30:00+03:00, not "
                                     f"'{value}'."))
        return None
    if moment.tzinfo is None:
        problems.append(error(where, f"the datetime '{value}' has no offset: add one, "
                                     "e.g. '+00:00' or 'Z'."))
        return None
    if not date(1, 1, 2) <= moment.date() <= date(9999, 12, 30):
        # Moved to UTC or to the site's time zone, it would fall outside years 1-9999.
        problems.append(error(where, f"the datetime '{value}' is out of range: write one "
                                     "between 0001-01-02 and 9999-12-30."))
        return None
    return moment
