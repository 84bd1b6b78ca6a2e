"""`Set` and `Remove` on a page's text: a value replaced or a key added, in the page's own
layout, or a key removed with its value.

A scalar keeps its quote style where the new value allows it; a `|`/`>` block scalar set
to a multi-line string stays a `|` block when it can; a block list or mapping is rewritten
in its own layout; a new list or mapping under a key is written in block style, one inside
an item or a flow collection on one line; a new key goes after the last entry of its
mapping. A removed key of a block mapping takes its lines, from its key's line through its
value's last content line and that line's comment; comment lines above and below it stay. In
a flow mapping the entry goes with one separator; comments between entries stay.
"""

from __future__ import annotations

from typing import Any

from . import render
from .geometry import (
    Slot,
    Splice,
    TextGeometry,
    is_block_scalar,
    is_empty,
    is_flow,
    is_scalar,
)
from .load import Node
from .ops import EditError, KeyPath, describe


class SetEdits(TextGeometry):
    """The splices of `Set` ops."""

    def set_value(
        self, slot: Slot, path: KeyPath, value: Any, order: int, block: bool = False
    ) -> list[Splice]:
        """Splices that make the value at `path` be `value`; `block` forces a block
        sequence or mapping under a key even where the old value was a flow one."""
        rank = (-len(path), 0, order)
        node, parent = slot.node, slot.parent
        if node is None:
            return self.add_key(slot, path, value, order)
        self.refuse_aliases(node, path)
        if parent is None:
            raise EditError("cannot replace the whole document")
        if is_scalar(value) and node.id == "scalar" and not is_block_scalar(node):
            text = render.scalar(value, flow=slot.flow, style=node.style or "")
            return [self.replace_span(slot, path, text, rank)]
        if slot.flow:
            return [self.replace_span(slot, path, render.inline(value, flow=True), rank)]
        if is_block_scalar(node) and isinstance(value, str) and "\n" in value:
            lines = render.literal(value, self.block_indent(node, self.owner(slot, path)))
            if lines is not None:
                return [
                    Splice(node.start_mark.index, self.content_end(node), rank, self.nl.join(lines))
                ]
        if parent.id == "sequence":
            return self.set_item(slot, value, rank)
        if is_flow(node) and not block:
            return [self.replace_span(slot, path, render.inline(value, flow=False), rank)]
        if self.same_block_kind(node, value):
            return [self.rewrite_block(node, value, rank)]
        return self.after_colon(slot, path, value, rank)

    def replace_span(self, slot: Slot, path: KeyPath, text: str, rank: tuple[int, ...]) -> Splice:
        start, end = self.span(slot, path)
        if start == end and self.work[start - 1] not in " \t":
            text = " " + text  # an empty value right after `key:` or `-`
        return Splice(start, end, rank, text)

    def span(self, slot: Slot, path: KeyPath) -> tuple[int, int]:
        """Where the value's text starts and ends. An empty value is placed right after
        its key's colon: parsers disagree on where it is (libyaml: after the colon; the
        pure-Python parser: at the next token, possibly lines further down)."""
        node = slot.node
        assert node is not None
        if is_empty(node) and slot.key is not None and not slot.flow:
            at = self.colon(slot.key, path) + 1
            return at, at
        return node.start_mark.index, self.content_end(node)

    def block_indent(self, node: Node, owner: int) -> int:
        """The content indentation of a block scalar, or one step in from its owner."""
        start, end = node.start_mark.index, node.end_mark.index
        for line in self.work[self.next_line(start) : end].splitlines():
            if line.strip():
                return len(line) - len(line.lstrip(" "))
        return self.col(owner) + 2

    def owner(self, slot: Slot, path: KeyPath) -> int:
        """Where the value's key or dash stands."""
        if slot.key is not None:
            return int(slot.key.start_mark.index)
        if slot.parent is None or slot.parent.id != "sequence":
            raise EditError(f"{describe(path)}: this layout is not supported")
        return self.dashes(slot.parent)[slot.index]

    def same_block_kind(self, node: Node, value: Any) -> bool:
        if not value or is_flow(node):
            return False
        return (node.id, type(value)) in (("sequence", list), ("mapping", dict))

    def rewrite_block(self, node: Node, value: Any, rank: tuple[int, ...]) -> Splice:
        """A block sequence or mapping rewritten in place, in its own layout."""
        start = node.start_mark.index
        column = self.col(start)
        if node.id == "sequence":
            offset = self.item_offset(node)
            flow_map = any(is_flow(item) for item in node.value if item.id == "mapping")
            lines = [ln for v in value for ln in render.item_lines(v, column, offset, flow_map)]
        else:
            lines = render.mapping_lines(value, column)
        lines[0] = lines[0][column:]
        return Splice(start, self.content_end(node), rank, self.nl.join(lines))

    def set_item(self, slot: Slot, value: Any, rank: tuple[int, ...]) -> list[Splice]:
        """A whole block sequence item rewritten from its dash on."""
        node, seq = slot.node, slot.parent
        assert node is not None and seq is not None
        dash = self.dashes(seq)[slot.index]
        offset = self.item_offset(seq)
        if self.same_line_content(node):
            offset = node.start_mark.index - dash
        flow_map = is_flow(node) if node.id == "mapping" else self.flow_maps(seq, slot.index)
        lines = render.item_lines(value, self.col(dash), offset, flow_map)
        lines[0] = lines[0][self.col(dash) :]
        return [Splice(dash, self.content_end(node), rank, self.nl.join(lines))]

    def after_colon(
        self, slot: Slot, path: KeyPath, value: Any, rank: tuple[int, ...]
    ) -> list[Splice]:
        """The value of a block mapping key written anew: inline after the colon, or as
        block lines under the key (the key's line and its comment stay)."""
        node, key = slot.node, slot.key
        assert node is not None and key is not None
        colon = self.colon(key, path)
        same, lines = self.value_text(value, self.col(key.start_mark.index))
        block = "".join(line + self.nl for line in lines)
        start, end = self.span(slot, path)
        if self.line_start(start) == self.line_start(colon):
            return [
                Splice(colon + 1, end, rank, same),
                Splice(self.next_line(end), self.next_line(end), rank, block),
            ]
        if not self.starts_line(start):
            raise EditError(f"{describe(path)}: this layout is not supported")
        return [
            Splice(colon + 1, colon + 1, rank, same),
            Splice(self.line_start(start), self.next_line(end), rank, block),
        ]

    def value_text(self, value: Any, key_col: int) -> tuple[str, list[str]]:
        """What follows `key:` for a new value: inline text, or block lines under it."""
        if is_scalar(value) or not value:
            return " " + render.inline(value, flow=False), []
        seq_indent, offset, map_indent = self.conventions()
        return "", render.block_lines(value, key_col, seq_indent, offset, map_indent)

    def add_key(self, slot: Slot, path: KeyPath, value: Any, order: int) -> list[Splice]:
        """`key: value` added after the last entry of its mapping."""
        mapping = slot.parent
        assert mapping is not None and mapping.id == "mapping"
        rank = (1 - len(path), 1, order)
        key = render.scalar(path[-1], flow=slot.flow or is_flow(mapping))
        if is_flow(mapping):
            entry = f"{key}: {render.inline(value, flow=True)}"
            if not mapping.value:
                at = mapping.start_mark.index + 1
                return [Splice(at, at, rank, entry)]
            at = self.content_end(mapping.value[-1][1])
            at = max(at, self.content_end(mapping.value[-1][0]))
            return [Splice(at, at, rank, ", " + entry)]
        column = self.col(mapping.start_mark.index)
        same, lines = self.value_text(value, column)
        text = "".join(line + self.nl for line in [" " * column + key + ":" + same, *lines])
        at = self.line_after(mapping)
        return [Splice(at, at, rank, text)]

    def remove_key(self, path: KeyPath, order: int) -> list[Splice]:
        """The entry `path[-1]` taken out of its mapping."""
        slot = self.slot(path)
        mapping, key, node = slot.parent, slot.key, slot.node
        if mapping is None or key is None or node is None:
            raise EditError(f"{describe(path)}: not found")
        self.refuse_aliases(mapping, path[:-1])
        rank = (-len(path), 0, order)
        keys = [k for k, _ in mapping.value]
        if len(keys) == 1:
            raise EditError(f"{describe(path)}: cannot remove the only key of a mapping")
        if is_flow(mapping):
            return self.flow_entry_span(mapping, keys.index(key), rank)
        if not self.starts_line(key.start_mark.index):
            raise EditError(f"{describe(path)}: this layout is not supported")
        last = self.content_end(key)
        if not is_empty(node):
            last = max(last, self.content_end(node))
        return [Splice(self.line_start(key.start_mark.index), self.next_line(last), rank)]

    def flow_entry_span(self, mapping: Node, i: int, rank: tuple[int, ...]) -> list[Splice]:
        """Entry i of a flow mapping and one separator: the comma after it (with the spaces
        up to a next entry on that line), or for the last entry the comma before it.
        Comments between entries stay: they may be another entry's."""
        pairs = mapping.value

        def end_of(j: int) -> int:
            return max(self.content_end(pairs[j][0]), self.content_end(pairs[j][1]))

        start, end = pairs[i][0].start_mark.index, end_of(i)
        comma = self._comma_after(end)
        if comma is not None:
            after = comma + 1
            while self.work[after] in " \t":
                after += 1
            if self.work[after] in "#\r\n":
                after = comma + 1  # a comment or line break after the comma stays
            return [Splice(start, after, rank)]
        comma = self._comma_after(end_of(i - 1))
        if comma is None:
            raise EditError("unexpected text between flow mapping entries")
        if not self.work[comma + 1 : start].strip(" \t"):
            return [Splice(comma, end, rank)]
        return [Splice(comma, comma + 1, rank), Splice(start, end, rank)]

    def _comma_after(self, at: int) -> int | None:
        while self.work[at] in " \t":
            at += 1
        return at if self.work[at] == "," else None
