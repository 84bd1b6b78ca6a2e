"""Untrusted text made safe to show: the one place every reporter and view goes through.

Page text, ids, file names, commit subjects and git's own messages come from people kb
does not control (a pull request), and CI believes what kb prints. So before any of it
reaches a terminal, a CI log or a line-oriented reader, every character that could act
rather than read is shown as a visible escape instead:

- control characters (C0, DEL, C1): `\\n`, `\\r`, `\\t`, `\\x1b` (ESC, so no CSI or OSC
  sequence, OSC 8 hyperlinks included, terminated or not, can reach the output);
- line and paragraph separators (U+2028, U+2029): `\\u2028`;
- format characters (Unicode category Cf): the bidi embeddings, overrides and isolates
  U+202A-U+202E and U+2066-U+2069, the marks U+200E, U+200F and U+061C, zero-width
  spaces, soft hyphens, U+FEFF, tag characters: `\\u202e`. Only the zero-width joiner and
  non-joiner (U+200C, U+200D) stay: they join letters inside a word (Persian, Indic
  scripts, emoji) and can neither reorder text nor hide it;
- lone surrogates (a file name's undecodable bytes): `\\udcff`.

GitHub's runner also reads workflow commands in a step's output: a line that starts with
`::` (after spaces) and, in the legacy form, `##[command]` *anywhere* in a line (`error`,
`warning`, `add-mask`, `stop-commands`...). So `visible` also breaks those markers: a
leading `::` is shown as `\\x3a:`, and `##[` as `#\\x23[`.

Nothing else changes: a backslash stays a backslash. Whatever a field holds, its text is
exactly one line with no escape byte, so a finding built from it is exactly one line, and
no line kb prints is a command to the terminal or to CI.

The API (see docs/security.md):
- `visible(text)`: the text for a plain line (lint's text, `kb stale`, messages, errors);
  `keep` names characters the caller encodes itself (GitHub's format: CR and LF);
  `commands=False` leaves workflow-command markers alone (a rendered page: no CI reads it);
- `terminal.markup(text)` (beside rich, which it needs): `visible`, then escaped for rich
  markup (`[bold]`, `[link=...]`), for strings rich prints with markup on (tables, prompts).
- `json_text(doc)`: the JSON document kb prints: `json.dumps` escapes every control and
  non-ASCII character itself (`ensure_ascii`); a `##[` in a string is written `#\\u0023[`,
  the same data, since a JSON line printed to a CI log is read by the runner too.
"""

from __future__ import annotations

import re
import unicodedata

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_JOINERS = frozenset({"\u200c", "\u200d"})
_LEADING_COMMAND = re.compile(r"^( *):")  # `::` starting a line, after spaces: its first `:`


def visible(text: str, keep: str = "", commands: bool = True) -> str:
    """`text` with every control, line-break and format character (but those in `keep`)
    shown as a visible escape, and GitHub's workflow-command markers broken (unless not
    `commands`)."""
    if text.isascii() and text.isprintable():  # the usual case, checked in C
        shown = text
    else:
        shown = "".join(
            _escape(char) if char not in keep and _unsafe(char) else char for char in text
        )
    if commands and ("::" in shown or "##[" in shown):
        shown = shown.replace("##[", "#\\x23[")
        if shown.lstrip(" ").startswith("::"):
            shown = _LEADING_COMMAND.sub(r"\1\\x3a", shown, count=1)
    return shown


def json_text(doc: object) -> str:
    """`doc` as indented, pure-ASCII JSON, with no workflow-command marker in any line (a
    `##[` can only stand in a string, where `\\u0023` is the same `#`; indented, no line
    starts with `::`)."""
    import json

    return json.dumps(doc, indent=2).replace("##[", "#\\u0023[")


def is_safe(text: str) -> bool:
    """Whether `text` holds no character `visible` would escape."""
    return not any(_unsafe(char) for char in text)


def _unsafe(char: str) -> bool:
    if " " <= char <= "~":
        return False
    return unicodedata.category(char) in _UNSAFE_CATEGORIES and char not in _JOINERS


def _escape(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
