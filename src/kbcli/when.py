"""A claim's `when`: the time the claim is about, for the timeline quiz and readers.

The format (the concept schema's `$defs/when` checks the shape; `parse_when` the calendar):
- a year: `2026` (YAML reads it as a number, which is fine) or `"2026"`;
- a month: `2026-04`; a day: `2026-04-05`;
- a range: two of those joined by `/`, earliest first: `2021/2026`, `2025-11/2026-02`
  (ISO 8601's interval notation).

A value's extent is its first and last day, so any two values order by their start (then
their end): `2021/2026` comes before `2024`, which comes before `2024-06`.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from kbcli.errors import KbError

_POINT = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", re.ASCII)
# A year a page's prose states: four digits from 1900 to 2099, standing alone.
_YEAR = re.compile(r"(?<![\d\w-])(19\d\d|20\d\d)(?![\d\w])", re.ASCII)
_RANGE = re.compile(r"(?<!\d)(?:19|20)\d\d\s*[-\u2013\u2014/]\s*(?:19|20)?\d\d(?![\d-])", re.ASCII)
# The shape the schema's `$defs/when` pattern allows (the calendar is checked by parse_when).
_PART = r"[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?"
SHAPE = re.compile(rf"^{_PART}(/{_PART})?$", re.ASCII)
WHEN_HELP = "a year (2026), a month (2026-04), a day (2026-04-05) or a range (2021/2026)"


@dataclass(frozen=True, order=True)
class When:
    """The first and last day a `when` value covers, and the value as written."""

    start: datetime.date
    end: datetime.date
    text: str


def parse_when(value: object) -> When:
    """The extent of a `when` value; KbError (exit 2) for one that is not in the format."""
    ok = isinstance(value, int | str) and not isinstance(value, bool)
    text = str(value).strip() if ok else ""
    if not text:
        raise KbError(f"{value!r} is not a when: use {WHEN_HELP}")
    first, slash, last = text.partition("/")
    start, _ = _extent(first, text)
    if not slash:
        return When(start, _extent(first, text)[1], text)
    _, end = _extent(last, text)
    if end < start:
        raise KbError(f"{text!r}: a range must run from the earlier to the later date")
    return When(start, end, text)


def _extent(point: str, whole: str) -> tuple[datetime.date, datetime.date]:
    match = _POINT.match(point)
    if match is None:
        raise KbError(f"{whole!r} is not a when: use {WHEN_HELP}")
    year, month, day = int(match[1]), match[2], match[3]
    if year < 1000:  # as the schema's minimum for a year written as a number
        raise KbError(f"{whole!r} is not a when: years run from 1000 to 9999")
    try:
        if day is not None:
            one = datetime.date(year, int(month or 0), int(day))
            return one, one
        if month is not None:
            last = calendar.monthrange(year, int(month))[1]
            return datetime.date(year, int(month), 1), datetime.date(year, int(month), last)
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    except (ValueError, calendar.IllegalMonthError):
        raise KbError(f"{whole!r} is not a calendar date: use {WHEN_HELP}") from None


def stored(text: str) -> int | str:
    """The value to write to a page: a plain year as a number (`when: 2026` reads best),
    anything else as text."""
    parse_when(text)
    text = text.strip()
    return int(text) if text.isdigit() else text


def stated_year(*texts: str | None) -> int | None:
    """The one year the texts state, or None: none, several, or a span (`2021-2026`,
    `2025\u201326`), which is a range, not a year."""
    joined = " ".join(t for t in texts if t)
    if _RANGE.search(joined):
        return None
    years = set(_YEAR.findall(joined))
    return int(years.pop()) if len(years) == 1 else None
