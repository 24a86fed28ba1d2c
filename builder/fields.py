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
from .model import Period, Precision
from .problems import Position, Problem, did_you_mean, error, warning
from .yamlfile import Mapping, Sequence

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# A day, a month or a year (format 1.1), and the same with one- or two-digit
# months and days, which are taken for typing slips and answered with the fix.
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LOOSE_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_PERIODS = "a day (YYYY-MM-DD), a month (YYYY-MM) or a year (YYYY)"


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


def parse_period_or_range(value: str, where: Position, problems: list[Problem]
                          ) -> tuple[Period, Period] | None:
    """A day, a month or a year (format 1.1: :func:`parse_period`), or a range
    of two of the same kind, ``start/end``: ``2022-01-02/2022-01-07``,
    ``2021-09/2021-11``, ``2014/2016``. Both ends of a range are written
    alike, so that what it covers reads plainly."""
    parts = value.strip().split("/")
    if len(parts) > 2 or not all(_LOOSE_PERIOD.match(part) for part in parts):
        problems.append(error(where, f"'date' must be {_PERIODS.replace(' or ', ', ')}, or a "
                                     "range of two of them such as 2021-09/2021-11, "
                                     f"not '{value}'."))
        return None
    start = parse_period(parts[0], where, problems, "date")
    end = parse_period(parts[1], where, problems, "date") if len(parts) == 2 else start
    if start is None or end is None:
        return None
    if start.precision != end.precision:
        coarser = max(start.precision, end.precision, key=_WIDTH.__getitem__)
        ends = dict.fromkeys((_within(start, coarser).iso, _within(end, coarser).iso))
        problems.append(error(where, f"the ends of the range '{value}' are a {start.precision} "
                                     f"and a {end.precision}: write both alike, e.g. "
                                     f"{'/'.join(ends)}."))
        return None
    if end.start < start.start:
        problems.append(error(where, f"the range '{value}' ends before it starts: "
                                     f"write it as {end.iso}/{start.iso}."))
        return None
    if end == start and len(parts) == 2:
        same = "on the same day" if start.precision == "day" else f"in the same {start.precision}"
        problems.append(error(where, f"the range '{value}' starts and ends {same}: "
                                     f"write just {start.iso}."))
        return None
    return start, end


# How much time each precision covers, to find the coarser of two.
_WIDTH = {"day": 0, "month": 1, "year": 2}


def _within(period: Period, precision: Precision) -> Period:
    """The day, month or year a period lies in (one as wide or wider)."""
    if precision == "year":
        return Period(period.start.replace(month=1, day=1), "year")
    if precision == "month":
        return Period(period.start.replace(day=1), "month")
    return period


def parse_period(value: str, where: Position, problems: list[Problem], key: str
                 ) -> Period | None:
    """``YYYY-MM-DD``, or (format 1.1) ``YYYY-MM`` or ``YYYY``: a day, a month
    or a year. A day is reported as :func:`parse_day` reports it."""
    text = value.strip()
    match = _PERIOD.match(text)
    if not match:
        loose = _LOOSE_PERIOD.match(text)
        hint = "-".join([loose.group(1)] + [part.zfill(2) for part in loose.groups()[1:]
                                            if part]) if loose else ""
        problems.append(error(where, f"'{key}' must be {_PERIODS}, not '{value}'."
                                     + (f" Did you mean '{hint}'?" if hint else "")))
        return None
    year, month, day = match.groups()
    if day is not None:
        found = parse_day(text, where, problems, key)
        return Period(found) if found is not None else None
    try:
        return Period(date(int(year), int(month or 1), 1), "month" if month else "year")
    except ValueError as exc:
        what = "month" if month and int(year) else "year"
        problems.append(error(where, f"impossible {what} '{value}': {exc}. Check the {what}."))
        return None


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


def period(mapping: Mapping, key: str, problems: list[Problem]) -> Period | None:
    """A day, a month or a year (format 1.1): see :func:`parse_period`."""
    if key not in mapping.items:
        return None
    value = mapping.items[key]
    if not isinstance(value, str):
        problems.append(error(mapping.at(key), f"'{key}' must be {_PERIODS}, "
                                               f"not {describe(value)}."))
        return None
    return parse_period(value, mapping.at(key), problems, key)


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
