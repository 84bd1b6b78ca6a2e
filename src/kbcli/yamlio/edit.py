"""Surgical edits of a YAML page: new text is spliced into the old, nothing else moves.

We never dump a document (ruamel's round-trip dumper reflows and normalises). The text is
composed once, every op becomes splices (start, end, replacement) computed from node marks,
the splices are applied, and the result is read again and compared with the same ops applied
to plain data (`apply_data`, the reference semantics). A mismatch is an EditError: the
caller never gets a page that is silently wrong.

Choices where the file itself gives no answer:
- Appending to a block sequence or mapping writes after the last entry's last content line
  (and its same-line comment); blank lines and comments after it stay below the new lines,
  since they usually introduce what comes next.
- Inserting before item i writes just above item i's dash line, so a comment line above the
  item ends up above the new item.
- Removing a key of a block mapping removes its lines, key line through the value's last
  content line (with that line's comment); the comments above and below stay, since they may
  introduce or close something else. Removing a mapping's only key is refused.
- Deleting an item removes its lines, dash line through last content line, comments inside
  it included; with `Delete(..., comments=True)` also the comment lines right above it at
  its dash's column, which introduce it (above the first item they may be the list's own,
  and stay). Deleting the only item of a block sequence leaves `key: []`.
- Inserting into a missing, null or `[]` value of a block mapping writes a block sequence,
  indented the way the file indents its other block sequences (default: by 2).
- A new list or mapping under a key is written in block style; inside an item or a mapping
  value, collections are written in flow style on one line.
- Setting a scalar keeps its quote style where the new value allows it; setting a `|`/`>`
  block scalar to a string writes a `|` block when it can; other multi-line strings are
  double-quoted.
- New lines use the file's line ending. A file without a final newline keeps lacking one:
  edits are computed on the text with a newline added, which is removed again at the end.

Refused with an EditError rather than guessed: anchors and aliases in or around the edited
node, a `? key` whose value must move, deleting the first item of a `- - a` sequence, and
anything whose result does not read back as intended (e.g. appending after a block scalar
that ends the file without a newline, which would change that scalar's value).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .geometry import Splice, splice
from .listedit import ListEdits
from .load import Document, YamlProblem, parse
from .ops import (
    Delete,
    EditError,
    Insert,
    KeyPath,
    Op,
    Remove,
    Set,
    apply_data,
    describe,
    seq_groups,
)

__all__ = [
    "Delete",
    "EditError",
    "Insert",
    "KeyPath",
    "Op",
    "Remove",
    "Set",
    "apply_data",
    "apply_text",
    "describe",
]


def apply_text(text: str, ops: Sequence[Op], doc: Document | None = None) -> str:
    """`text` with `ops` applied, changing only the lines the ops add, change or remove.
    `doc` is `text` already parsed, when the caller has it (a large page parses in ~50 ms).
    """
    if doc is None or doc.text is not text:
        try:
            doc = parse(text)
        except YamlProblem as exc:
            raise EditError(f"cannot edit a page that does not read: {exc.message}") from None
    expected = apply_data(doc.data, ops)
    if not ops:
        return text
    if doc.root is None:
        raise EditError("cannot edit an empty page")
    result = _Editor(text, doc.root).run(ops)
    _verify(result, expected)
    return result


def _verify(result: str, expected: Any) -> None:
    try:
        got = parse(result).data
    except YamlProblem as exc:
        raise EditError(
            f"the edit would leave the page unreadable ({exc.message}, line {exc.line});"
            " nothing was changed"
        ) from None
    where = _difference(got, expected, ())
    if where is not None:
        raise EditError(f"{describe(where)}: the edit would not give the intended value")


def _difference(got: Any, want: Any, path: KeyPath) -> KeyPath | None:
    """The first path where two values differ, types included (`1` is not `true`)."""
    if type(got) is not type(want):
        return path
    if isinstance(got, dict):
        if got.keys() != want.keys():
            return path
        pairs: list[tuple[str | int, Any, Any]] = [(k, got[k], want[k]) for k in got]
    elif isinstance(got, list):
        if len(got) != len(want):
            return path
        pairs = [(i, g, w) for i, (g, w) in enumerate(zip(got, want, strict=True))]
    else:
        same = got == want or (isinstance(got, float) and math.isnan(got) and math.isnan(want))
        return None if same else path
    for step, g, w in pairs:
        where = _difference(g, w, (*path, step))
        if where is not None:
            return where
    return None


class _Editor(ListEdits):
    """Splices for one page: `Set` ops first, then each list's inserts and deletes."""

    def run(self, ops: Sequence[Op]) -> str:
        pieces: list[Splice] = []
        for order, op in enumerate(ops):
            if isinstance(op, Set):
                pieces += self.set_value(self.slot(op.path), op.path, op.value, order)
            elif isinstance(op, Remove):
                pieces += self.remove_key(op.path, order)
        numbered = [(o, op) for o, op in enumerate(ops) if isinstance(op, Insert | Delete)]
        for seq in seq_groups(ops):
            pieces += self.list_edit(seq, [(o, op) for o, op in numbered if op.seq == seq])
        result = splice(pieces, self.work)
        if self.added_nl and result.endswith(self.nl):
            result = result[: -len(self.nl)]
        return result
