"""Plain values as YAML text that reads back as the same values (under YAML 1.2).

A string is written plain only when plain is safe and resolves to a string again; otherwise
it is double-quoted with JSON escapes, which YAML accepts. Collections nested inside an item
or a mapping value are written in flow style on one line. Nothing is ever wrapped. `edit`
decides where the text goes; this module only decides what it looks like.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .load import YamlProblem, parse

# A plain scalar may not start with these (some only before a space, but quoting is cheap).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_INDICATORS = frozenset(",[]{}")
# Letters, digits, spaces and hyphens after a letter: a plain string, except for the words
# that resolve to booleans or null (YAML 1.1's too, to be safe). Spares a parse per value.
_SIMPLE = re.compile(r"[A-Za-z][A-Za-z0-9 -]*")
_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})


def scalar(value: Any, *, flow: bool, style: str = "") -> str:
    """One scalar; `style` is the old scalar's quote character, kept when it can be."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} as YAML")
    if style == "'" and value.isprintable():
        return "'" + value.replace("'", "''") + "'"
    if style != '"' and plain_ok(value, flow=flow):
        return value
    return double_quoted(value)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    return repr(value)


def plain_ok(text: str, *, flow: bool) -> bool:
    """Whether `text` can be written unquoted and still read back as this string."""
    if not text or text != text.strip() or not text.isprintable():
        return False  # isprintable() also rules out newlines, tabs and U+2028
    if text[0] in _INDICATORS or text.startswith("..."):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    # libyaml and the spec disagree on ':' inside flow collections; quoting settles it.
    if flow and (":" in text or any(c in _FLOW_INDICATORS for c in text)):
        return False
    if _SIMPLE.fullmatch(text) and text.lower() not in _WORDS:
        return True  # words: nothing here can read as anything but this string
    # The reader has the last word: `no` is a string, `1.0` is not, a date stays a string,
    # and libyaml's own quirks (`[0?]`) show up here rather than in a page.
    sample = f"[{text}]" if flow else f"k: {text}"
    try:
        return bool(parse(sample).data == ([text] if flow else {"k": text}))
    except YamlProblem:
        return False


def double_quoted(text: str) -> str:
    """JSON's escapes, plus escapes for what JSON leaves raw but YAML would read as a
    line break or drop (NEL, U+2028, a BOM, other non-printables)."""
    out = []
    for ch in json.dumps(text, ensure_ascii=False):
        if ch.isprintable():
            out.append(ch)
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


def inline(value: Any, *, flow: bool) -> str:
    """Any value on one line: a scalar, or a collection in flow style."""
    if isinstance(value, list):
        return "[" + ", ".join(inline(v, flow=True) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{scalar(k, flow=True)}: {inline(v, flow=True)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    return scalar(value, flow=flow)


def mapping_lines(value: dict[str, Any], col: int) -> list[str]:
    """A block mapping at column `col`, one `key: value` line per entry."""
    pad = " " * col
    return [f"{pad}{scalar(k, flow=False)}: {inline(v, flow=False)}" for k, v in value.items()]


def item_lines(value: Any, dash_col: int, offset: int, flow_map: bool) -> list[str]:
    """One block sequence item: the dash at `dash_col`, its content `offset` columns
    further; a mapping is a block mapping under the dash unless `flow_map`."""
    lead = " " * dash_col + "-" + " " * max(offset - 1, 1)
    content_col = len(lead)
    if isinstance(value, dict) and value and not flow_map:
        body = mapping_lines(value, content_col)
        return [lead + body[0][content_col:], *body[1:]]
    return [lead + inline(value, flow=False)]


def block_lines(
    value: Any, key_col: int, seq_indent: int, offset: int, map_indent: int
) -> list[str]:
    """A non-empty list or mapping as the block value of a key at column `key_col`."""
    if isinstance(value, list):
        return [line for v in value for line in item_lines(v, key_col + seq_indent, offset, False)]
    return mapping_lines(value, key_col + map_indent)


def literal(text: str, indent: int) -> list[str] | None:
    """`text` as a `|` block scalar (header, then content lines at `indent`), or None when
    a literal cannot hold it without an indentation indicator, escapes or `|+`."""
    body = text.rstrip("\n")
    if not body.strip() or any(not (c.isprintable() or c in "\n\t") for c in text):
        return None
    lines = body.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    if lines[first][0] in " \t" or any(lines[:first]):
        return None  # the first content line would set the wrong indentation
    trailing = len(text) - len(body)
    if trailing > 1:
        return None  # `|+` would also swallow the blank lines that follow the block
    content = [" " * indent + line if line else "" for line in lines]
    return ["|" if trailing else "|-", *content]
