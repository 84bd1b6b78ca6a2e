"""A whole new page as YAML text, from plain data: what `kb new` and `kb import` write.

The house layout of a page kb writes: the editor modeline first, then one `key: value`
line per field in the data's order, lists in block style (a mapping item's fields under
its dash, two columns in), prose with line breaks as `|` blocks, scalars quoted only where
YAML needs it. `spaced` adds a blank line before each top-level field that holds a
non-empty list or prose (not before `id` and `title`), as the KB's hand-written pages
are laid out; without it the page is compact, as `kb new` writes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .load import YamlProblem, parse
from .render import literal, scalar


def page_text(modeline: str, page: Mapping[str, Any], *, spaced: bool = False) -> str:
    """The page as YAML under its `modeline` (a comment line); it reads back as `page`,
    or not at all (text no page can hold, which the writer's check refuses)."""
    lines = [modeline]
    for key, value in page.items():
        block = isinstance(value, list | dict) or "\n" in str(value)
        if spaced and block and lines[-1] != "" and key not in ("id", "title"):
            lines.append("")
        lines += _field(key, value, 0)
    text = "\n".join(lines) + "\n"
    try:
        back = parse(text).data
    except YamlProblem:  # e.g. a lone surrogate from argv: the write's check says where
        return text
    if back != page:  # pragma: no cover - a bug here must never reach a page
        raise AssertionError("kb wrote YAML that does not read back as the page")
    return text


def _field(key: str, value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, list):
        if not value:
            return [f"{pad}{key}: []"]
        return [f"{pad}{key}:", *_items(value, indent + 2)]
    if isinstance(value, str) and "\n" in value:
        block = literal(value, indent + 2)
        if block is not None:
            return [f"{pad}{key}: {block[0]}", *block[1:]]
    return [f"{pad}{key}: {scalar(value, flow=False)}"]


def _items(values: Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for value in values:
        if isinstance(value, dict):
            body = [line for k, v in value.items() for line in _field(k, v, indent + 2)]
            lines += [f"{pad}- {body[0][indent + 2 :]}", *body[1:]]
        else:
            lines.append(f"{pad}- {scalar(value, flow=False)}")
    return lines
