"""A page version as `kb diff` compares it: its bytes, why it cannot be read, or absent.

The plain values `knowledge_diff` (pages) and `diff_stale` (thesis citations) share, and
the few readers of plain data both need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]


class Unreadable(Exception):
    """A page version that cannot be read: the reason."""


Raw = bytes | Unreadable | None  # a page version: its bytes, why it cannot be read, or absent
Loader = Callable[[bytes], Data]


def load_version(raw: Raw, load: Loader) -> Data | None:
    """A page version's data (None: absent); Unreadable when it cannot be read."""
    if isinstance(raw, Unreadable):
        raise raw
    return None if raw is None else load(raw)


def file_stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
