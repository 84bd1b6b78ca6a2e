"""`Insert` and `Delete` on a page's text: items added to and removed from a list.

A block list gets whole lines: a new item above item i's dash line (after the last item's
last content line to append); a deleted item takes its lines with it, and with `comments`
the comment lines introducing it. Emptying a block list leaves `key: []`; inserting into a
missing, null or empty list sets it (through `Set`). A flow list is edited between its
brackets, with the file's own separator.
"""

from __future__ import annotations

from typing import Any

from . import render
from .geometry import Slot, Splice, is_flow, is_null
from .load import Node
from .ops import Delete, EditError, Insert, KeyPath, Op, describe
from .setvalue import SetEdits


class ListEdits(SetEdits):
    """The splices of `Insert` and `Delete` ops, grouped by the list they edit."""

    def list_edit(self, seq: KeyPath, ops: list[tuple[int, Op]]) -> list[Splice]:
        slot = self.slot(seq)
        node = slot.node
        inserts = [(o, op) for o, op in ops if isinstance(op, Insert)]
        # index -> whether its introducing comments go too
        deletes = {op.index: op.comments for _, op in ops if isinstance(op, Delete)}
        if node is None or is_null(node) or (node.id == "sequence" and not node.value):
            values = [op.value for _, op in inserts]  # validated: all at index 0
            block = slot.parent is not None and not slot.flow and slot.parent.id == "mapping"
            return self.set_value(slot, seq, values, inserts[0][0], block=block)
        self.refuse_children_aliases(node, seq)
        if is_flow(node):
            return self.flow_list_edit(node, seq, inserts, deletes)
        return self.block_list_edit(slot, seq, inserts, deletes)

    def block_list_edit(
        self, slot: Slot, seq: KeyPath, inserts: list[tuple[int, Any]], deletes: dict[int, bool]
    ) -> list[Splice]:
        node = slot.node
        assert node is not None
        items, dashes = node.value, self.dashes(node)
        if len(deletes) == len(items) and not inserts:
            return self.collapse(slot, seq)
        pieces = [
            self.delete_item(seq, items[i], dashes[i], i, deletes[i]) for i in sorted(deletes)
        ]
        offset = self.item_offset(node)
        for o, op in inserts:
            rank = (-len(seq), 1, op.index, o)
            lines = render.item_lines(
                op.value, self.col(dashes[0]), offset, self.flow_maps(node, op.index)
            )
            if op.index == len(items):
                at = self.line_after(items[-1])
                pieces.append(Splice(at, at, rank, "".join(ln + self.nl for ln in lines)))
            elif self.starts_line(dashes[op.index]):
                at = self.line_start(dashes[op.index])
                pieces.append(Splice(at, at, rank, "".join(ln + self.nl for ln in lines)))
            else:  # the dash shares its line with a parent's (`- - a`)
                dash = dashes[op.index]
                text = self.nl.join([lines[0][self.col(dash) :], *lines[1:], " " * self.col(dash)])
                pieces.append(Splice(dash, dash, rank, text))
        return pieces

    def delete_item(
        self, seq: KeyPath, item: Node, dash: int, index: int, comments: bool
    ) -> Splice:
        self.refuse_aliases(item, (*seq, index))
        if not self.starts_line(dash):
            raise EditError(f"{describe((*seq, index))}: this layout is not supported")
        start = self.line_start(dash)
        if comments and index > 0:  # above the first item, a comment may be the list's own
            start = self.comments_above(start, self.col(dash))
        return Splice(start, self.line_after(item), (-len(seq) - 1, 0, index))

    def comments_above(self, start: int, col: int) -> int:
        """Where the comment lines right above the line at `start` begin, counting only
        comments at column `col` (those introducing an item there), up to a blank line or
        any other line: they go with the item, never left orphaned."""
        while start > 0:
            above = self.line_start(start - 1)
            line = self.work[above : start - 1].rstrip("\r")
            if not line.startswith(" " * col + "#"):
                break
            start = above
        return start

    def collapse(self, slot: Slot, seq: KeyPath) -> list[Splice]:
        """A block sequence emptied: `key: []`, the key's line and its comment kept."""
        node, parent = slot.node, slot.parent
        assert node is not None
        for i, item in enumerate(node.value):
            self.refuse_aliases(item, (*seq, i))
        first, end = node.start_mark.index, self.content_end(node)
        rank = (-len(seq), 0)
        indicator = None
        if parent is not None and parent.id == "mapping" and slot.key is not None:
            indicator = self.colon(slot.key, seq)
        elif parent is not None and parent.id == "sequence":
            indicator = self.dashes(parent)[slot.index]
        same_line = indicator is not None and self.line_start(indicator) == self.line_start(first)
        if indicator is None or same_line or not self.starts_line(first):
            return [Splice(first, end, rank, "[]")]
        return [
            Splice(indicator + 1, indicator + 1, rank, " []"),
            Splice(self.line_start(first), self.next_line(end), rank),
        ]

    def flow_list_edit(
        self, node: Node, seq: KeyPath, inserts: list[tuple[int, Any]], deletes: dict[int, bool]
    ) -> list[Splice]:
        items = node.value
        starts = [item.start_mark.index for item in items]
        ends = [self.content_end(item) for item in items]
        sep = self.flow_separator(starts, ends)
        kept = [i for i in range(len(items)) if i not in deletes]
        if not kept:  # everything goes: rewrite between the brackets
            text = sep.join(
                render.inline(op.value, flow=True) for _, op in sorted(inserts, key=_by_index)
            )
            return [
                Splice(node.start_mark.index + 1, node.end_mark.index - 1, (-len(seq), 0), text)
            ]
        last = kept[-1]
        pieces = []
        for i in sorted(deletes):
            self.refuse_aliases(items[i], (*seq, i))
            start, end = (starts[i], starts[i + 1]) if i < last else (ends[i - 1], ends[i])
            pieces.append(Splice(start, end, (-len(seq) - 1, 0, i)))
        for o, op in inserts:
            rank = (-len(seq), 1, op.index, o)
            value = render.inline(op.value, flow=True)
            if op.index <= last:
                pieces.append(Splice(starts[op.index], starts[op.index], rank, value + sep))
            else:  # after the last item that stays
                pieces.append(Splice(ends[last], ends[last], rank, sep + value))
        return pieces

    def flow_separator(self, starts: list[int], ends: list[int]) -> str:
        if len(starts) > 1:
            between = self.work[ends[0] : starts[1]]
            if between.strip() == ",":
                return between
        return ", "

    def refuse_children_aliases(self, node: Node, path: KeyPath) -> None:
        children = node.value if node.id == "sequence" else [n for pair in node.value for n in pair]
        if any(id(child) in self.shared for child in [node, *children]):
            raise EditError(f"{describe(path)}: cannot edit a collection with anchors or aliases")


def _by_index(entry: tuple[int, Any]) -> tuple[int, int]:
    return entry[1].index, entry[0]
