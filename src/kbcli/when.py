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
# A time a page's prose states (years from 1900 to 2099, standing alone), leftmost first:
# a day, a span ("2021-2026", "2025\u201326", "from 2021 to 2026", "between ... and ..."),
# an open end ("since 2022", "by 2025": a bound, not a time), or a year.
_Y = r"(?:19|20)\d\d"
_IN = re.compile(r"\b(?:in|of|during)\s+$", re.IGNORECASE)  # "in 2024 researchers": a year
# A number a page, figure or table, an amount or a count ("pp. 2001-2005", "Table 2024",
# "$2021", "2024%", "2048 GPUs") is no year at all; an open span ("2021-present", "2021
# onwards") is a bound.
_STATED = re.compile(
    rf"(?<![\w.#$-])(?:"
    rf"(?P<page>(?:pp?\.|pages?|fig(?:ure)?\.?|tables?|sections?|sec\.|eq\.|no\.)\s*{_Y}"
    rf"(?:\s*[-\u2013\u2014]\s*\d+)?)"
    rf"|(?P<count>{_Y})(?=\s+[A-Za-z]{{2,}}s\b)(?!\s+(?:was|has|this|its)\b)"
    rf"|{_Y}\s*(?:[-\u2013\u2014]\s*(?:present|now|today|date)|\s(?:on|onwards?)\b"
    rf"|\s(?:and|or)\s(?:later|after|beyond|since)\b)"
    rf"|(?P<day>{_Y}-\d\d-\d\d)"
    rf"|(?:from|between)\s+(?P<from>{_Y})\s+(?:to|and|until|through)\s+(?P<to>{_Y})"
    rf"|(?P<start>{_Y})\s*(?:[-\u2013\u2014/]|\s(?:to|until|through)\s)\s*(?P<end>{_Y}|\d\d)"
    rf"|(?:since|until|till|before|after|by|from|up\s+to|circa|c\.)\s+(?P<bound>{_Y})(?!\s*[-\u2013\u2014/]\s*\d)"
    rf"|(?P<year>{_Y})"
    rf")(?![\w%-]|\.\d)",
    re.ASCII | re.IGNORECASE,
)
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


def stated_when(*texts: str | None) -> str | None:
    """The one time the texts state, as a `when` value, or None when they state none or
    several, or one that is not a time.

    One year, however often ("a 2026 breakthrough"), gives `2026`; one span gives a range
    (`(2021-2026)`, `2025\u201326`, `from 2021 to 2026` give `2021/2026`); a day gives
    itself. Two different times ("in 2024 ... by 2025-2026"), a bound ("since 2022": no
    end), a span that runs backwards ("2026-2021") or a calendar impossibility leave the
    text undated, as does "2026-04", which could be April or 2026 to 2004.
    """
    stated = set()
    for text in texts:
        for match in _STATED.finditer(text or ""):
            value = _stated(match, text or "")
            if value is not None:
                stated.add(value)
    if len(stated) != 1:
        return None
    value = stated.pop()
    try:
        return parse_when(value).text if value else None
    except KbError:  # 2026-02-30, or a span that runs backwards
        return None


def _stated(match: re.Match[str], text: str) -> str | None:
    """The `when` a match states, "" for one that is no time (a bound, a short end), or
    None for a number that is no year (a page, a count)."""
    if match["page"]:
        return None
    if match["count"]:
        return match["count"] if _IN.search(text, 0, match.start()) else None
    if match["day"]:
        return match["day"]
    if match["from"]:
        return _span(match["from"], match["to"])
    if match["start"]:
        end = match["end"]
        if len(end) == 2:  # "2025-26": the same century; "2026-04" could be a month
            end = match["start"][:2] + end
            if int(match["end"]) <= 12 or end <= match["start"]:
                return ""
        return _span(match["start"], end)
    return match["year"] or ""


def _span(start: str, end: str) -> str:
    return start if start == end else f"{start}/{end}"
