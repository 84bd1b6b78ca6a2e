"""Dates, read one way everywhere: `YYYY-MM-DD` and nothing else.

Python's `date.fromisoformat` also takes week dates (`2026-W16-1`) and basic forms
(`20260416`); kb does not. Dates stay strings in kb (as YAML timestamps do in its loader),
so that two valid ones compare correctly as text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kbcli.errors import KbError

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_date(value: str) -> bool:
    """True for a real calendar date written `YYYY-MM-DD`."""
    from datetime import date

    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        return False
    return True


def check_date(value: str) -> str:
    """`value` if it is a `YYYY-MM-DD` date, else KbError (exit 2)."""
    if not is_date(value):
        raise KbError(f"{value!r} is not a date (YYYY-MM-DD)")
    return value


def check_not_future(value: str, today: str, option: str = "--date") -> str:
    """`value`, refused (exit 2) when it is after `today`: an edit records what happened,
    and a future date would fail lint (C002) the moment it was written."""
    if value > today:
        raise KbError(
            f"{option} {value} is after today ({today}): kb records changes on the day "
            "they are made, never ahead"
        )
    return value


def given_date(value: str | None, today: str) -> str:
    """A date from the command line, checked as `check_date` does; `today` when not given."""
    return today if value is None else check_date(value)


def edit_date(value: str | None, today: str) -> str:
    """The date an edit records (`--date`): as `given_date`, and never after `today`."""
    return check_not_future(given_date(value, today), today)


def dated_index(items: Sequence[Any], key: str, date: str, newest_first: bool) -> int:
    """Where an item dated `date` goes in `items` (mappings dated by `key`) so that the
    list stays in date order: newest first, or oldest first. A new item goes before the
    others of its own date when newest first, after them when oldest first (it is the
    newest of its day). Items without a valid date are passed over."""
    for i, item in enumerate(items):
        other = item.get(key) if isinstance(item, dict) else None
        if not isinstance(other, str) or not is_date(other):
            continue
        if (other <= date) if newest_first else (other > date):
            return i
    return len(items)
