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

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import render
from .load import Document, Node, YamlProblem, parse, to_data

Path = tuple[str | int, ...]  # keys and list indexes from the document root


@dataclass(frozen=True)
class Insert:
    """Insert `value` before item `index` of the list at `seq` (`index == len` appends)."""

    seq: Path
    index: int
    value: Any


@dataclass(frozen=True)
class Delete:
    """Delete item `index` of the list at `seq`; with `comments`, also the comment lines
    that introduce it (right above it, at its indentation)."""

    seq: Path
    index: int
    comments: bool = False


@dataclass(frozen=True)
class Set:
    """Replace the value at `path`, or add the key when its mapping lacks it."""

    path: Path
    value: Any


Op = Insert | Delete | Set


class EditError(Exception):
    """An edit that cannot be made; the message is for the user and names the path."""


def describe(path: Path) -> str:
    """A path as a curator reads it: `claims[3].sources`."""
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the document"


# --- reference semantics on plain data ------------------------------------------------


def apply_data(data: Any, ops: Sequence[Op]) -> Any:
    """`ops` applied to a deep copy of `data`; every path refers to `data` as given."""
    _validate(data, ops)
    out = copy.deepcopy(data)
    for op in ops:
        if isinstance(op, Set):
            parent = _lookup(out, op.path[:-1])
            parent[op.path[-1]] = copy.deepcopy(op.value)
    # Sets never shift indexes; list edits run deepest first so that the paths of the
    # lists still to edit (which use original indexes) stay valid.
    for seq in sorted(_seq_groups(ops), key=len, reverse=True):
        _edit_list(out, seq, [op for op in ops if not isinstance(op, Set) and op.seq == seq])
    return out


def _seq_groups(ops: Sequence[Op]) -> list[Path]:
    seen: dict[Path, None] = {}
    for op in ops:
        if not isinstance(op, Set):
            seen.setdefault(op.seq, None)
    return list(seen)


def _edit_list(data: Any, seq: Path, ops: list[Op]) -> None:
    old = _lookup(data, seq) if _exists(data, seq) else None
    items = old if isinstance(old, list) else []
    deleted = {op.index for op in ops if isinstance(op, Delete)}
    new: list[Any] = []
    for i in range(len(items) + 1):
        new += [copy.deepcopy(op.value) for op in ops if isinstance(op, Insert) and op.index == i]
        if i < len(items) and i not in deleted:
            new.append(items[i])
    if seq:
        _lookup(data, seq[:-1])[seq[-1]] = new
    else:
        items[:] = new


def _exists(data: Any, path: Path) -> bool:
    try:
        _lookup(data, path)
    except EditError:
        return False
    return True


def _lookup(data: Any, path: Path) -> Any:
    for depth, step in enumerate(path):
        if not _has(data, step):
            raise EditError(f"{describe(path[: depth + 1])}: not found")
        data = data[step]
    return data


def _has(data: Any, step: str | int) -> bool:
    if isinstance(data, dict):
        return isinstance(step, str) and step in data
    return isinstance(data, list) and _in_range(step, len(data))


def _in_range(step: object, size: int) -> bool:
    return isinstance(step, int) and not isinstance(step, bool) and 0 <= step < size


def _validate(data: Any, ops: Sequence[Op]) -> None:
    for op in ops:
        if isinstance(op, Set):
            _check_set(data, op)
        else:
            _check_list_op(data, op)
        if not isinstance(op, Delete):
            _check_value(op.value, op.path if isinstance(op, Set) else op.seq)
    _check_overlaps(ops)


def _check_set(data: Any, op: Set) -> None:
    if not op.path:
        raise EditError("cannot replace the whole document")
    parent, last = _lookup(data, op.path[:-1]), op.path[-1]
    if isinstance(parent, dict) and isinstance(last, str):
        return
    if isinstance(parent, list) and _in_range(last, len(parent)):
        return
    raise EditError(f"{describe(op.path)}: not found")


def _check_list_op(data: Any, op: Insert | Delete) -> None:
    creates = isinstance(op, Insert) and bool(op.seq)  # a missing or null list is created
    if creates and not _exists(data, op.seq):
        parent = _lookup(data, op.seq[:-1])
        if not (isinstance(parent, dict) and isinstance(op.seq[-1], str)):
            raise EditError(f"{describe(op.seq)}: not found")
        target: Any = []
    else:
        target = _lookup(data, op.seq)
        target = [] if creates and target is None else target
    if not isinstance(target, list):
        raise EditError(f"{describe(op.seq)}: not a list")
    limit = len(target) + (1 if isinstance(op, Insert) else 0)
    if not _in_range(op.index, limit):
        raise EditError(f"{describe(op.seq)}: no item {op.index} (the list has {len(target)})")


def _check_value(value: Any, path: Path) -> None:
    if value is None or isinstance(value, str | int | float):
        return
    if isinstance(value, list):
        for item in value:
            _check_value(item, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise EditError(f"{describe(path)}: mapping keys must be strings, not {key!r}")
            _check_value(item, path)
    else:
        raise EditError(f"{describe(path)}: cannot write a {type(value).__name__}")


def _check_overlaps(ops: Sequence[Op]) -> None:
    """An op may not touch anything inside what another op replaces or deletes."""
    for a, op_a in enumerate(ops):
        owned = _location(op_a) if not isinstance(op_a, Insert) else None
        if owned is None:
            continue
        for b, op_b in enumerate(ops):
            if a != b and _location(op_b)[: len(owned)] == owned:
                raise EditError(f"{describe(owned)}: edits overlap")


def _location(op: Op) -> Path:
    if isinstance(op, Set):
        return op.path
    return (*op.seq, op.index) if isinstance(op, Delete) else op.seq


# --- the surgical edit ------------------------------------------------------------------


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


def _difference(got: Any, want: Any, path: Path) -> Path | None:
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


@dataclass(frozen=True, order=True)
class _Splice:
    """Replace text[start:end] with `text`. At one position, deeper nodes' text goes first
    (it belongs to the node ending there), then rewrites (kind 0) before new siblings."""

    start: int
    end: int
    rank: tuple[int, ...] = ()  # (-depth, kind, op order, ...) for ties
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class _Slot:
    """Where a value lives: its node (None when the key is absent) and its parent."""

    node: Node | None
    parent: Node | None
    key: Node | None  # the key node when the parent is a mapping
    index: int  # the item's index when the parent is a sequence, else -1
    flow: bool  # inside a flow collection


def _splice(pieces: list[_Splice], text: str) -> str:
    out, at = [], 0
    for piece in sorted(pieces):
        if piece.start < at:
            raise EditError("edits overlap in the page's text")
        out += [text[at : piece.start], piece.text]
        at = piece.end
    return "".join(out) + text[at:]


def _is_flow(node: Node) -> bool:
    return node.id != "scalar" and bool(node.flow_style)


def _is_block_scalar(node: Node) -> bool:
    return node.id == "scalar" and node.style in ("|", ">")


def _is_null(node: Node) -> bool:
    return bool(node.id == "scalar" and node.tag == "tag:yaml.org,2002:null")


def _is_empty(node: Node) -> bool:
    return bool(node.id == "scalar" and node.start_mark.index == node.end_mark.index)


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, list | dict)


class _Editor:
    """Splices for one page; positions are character offsets into `work`."""

    def __init__(self, text: str, root: Node) -> None:
        first_break = text.find("\n")
        self.nl = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
        self.added_nl = not text.endswith("\n")
        self.work = text + self.nl if self.added_nl else text
        self.root = root
        self.shared = _shared_nodes(root)
        self._conventions: tuple[int, int, int] | None = None

    def run(self, ops: Sequence[Op]) -> str:
        pieces: list[_Splice] = []
        for order, op in enumerate(ops):
            if isinstance(op, Set):
                pieces += self.set_value(self.slot(op.path), op.path, op.value, order)
        list_ops = [(o, op) for o, op in enumerate(ops) if not isinstance(op, Set)]
        for seq in _seq_groups(ops):
            pieces += self.list_edit(seq, [(o, op) for o, op in list_ops if op.seq == seq])
        result = _splice(pieces, self.work)
        if self.added_nl and result.endswith(self.nl):
            result = result[: -len(self.nl)]
        return result

    # --- positions

    def line_start(self, at: int) -> int:
        return self.work.rfind("\n", 0, at) + 1

    def next_line(self, at: int) -> int:
        found = self.work.find("\n", at)
        return len(self.work) if found < 0 else found + 1

    def col(self, at: int) -> int:
        return at - self.line_start(at)

    def starts_line(self, at: int) -> bool:
        return not self.work[self.line_start(at) : at].strip(" ")

    def content_end(self, node: Node) -> int:
        """Where the node's text ends: past its last character, before any comment.
        (Block collections' own end marks run on to the next token.)"""
        if id(node) in self.shared:
            raise EditError("anchors and aliases are not supported near an edited value")
        if node.id == "scalar":
            return self._scalar_end(node) if _is_block_scalar(node) else node.end_mark.index
        if _is_flow(node) or not node.value:
            return int(node.end_mark.index)
        if node.id == "sequence":
            return self.content_end(node.value[-1])
        key, value = node.value[-1]
        if _is_empty(value):  # it ends on the key's line, wherever the parser placed it
            return self.content_end(key)
        return max(self.content_end(key), self.content_end(value))

    def _scalar_end(self, node: Node) -> int:
        start: int = node.start_mark.index
        end: int = node.end_mark.index
        header = self.work[start : self.next_line(start)]
        indicators = header[header.index(node.style) + 1 :]
        indicators = indicators[: len(indicators) - len(indicators.lstrip("+-0123456789"))]
        if "+" in indicators:  # kept trailing lines are content: end before the last break
            end -= 1 if self.work[end - 1] == "\n" else 0
            return end - 1 if self.work[end - 1] == "\r" else end
        content_end = self._last_content_line_end(self.next_line(start), end)
        return content_end or start + len(header.rstrip())  # no content: the header line

    def _last_content_line_end(self, start: int, end: int) -> int | None:
        """The end of the last content line of a clipped or stripped block scalar whose
        lines span work[start:end]: trailing spaces and tabs there are the value's text.
        Only lines of spaces no longer than the indentation are empty lines, which chomping
        drops. (With an indentation indicator the indentation may be shallower than the
        least indented line; a line between the two is then taken as empty, and the check
        of the result refuses an edit that would change the value.)"""
        rows, at = [], start
        for line in self.work[start:end].split("\n"):
            rows.append((at, line.removesuffix("\r")))
            at += len(line) + 1
        indents = [len(row) - len(row.lstrip(" ")) for _, row in rows if row.strip(" ")]
        indent = min(indents, default=end - start)
        content = [at + len(row) for at, row in rows if row.strip(" ") or len(row) > indent]
        return content[-1] if content else None

    def line_after(self, node: Node) -> int:
        return self.next_line(self.content_end(node))

    def colon(self, key: Node, path: Path) -> int:
        at = key.end_mark.index
        while self.work[at] in " \t":
            at += 1
        if self.work[at] != ":":
            raise EditError(f"{describe(path)}: this key layout is not supported")
        return int(at)

    def dashes(self, seq: Node) -> list[int]:
        """The offset of each item's `-` in a block sequence."""
        found = [seq.start_mark.index]
        for item in seq.value[:-1]:
            found.append(self._next_dash(self.content_end(item)))
        return found

    def _next_dash(self, at: int) -> int:
        while self.work[at] != "-":
            if self.work[at] == "#":
                at = self.next_line(at)
            elif self.work[at] in " \t\r\n":
                at += 1
            else:
                raise EditError("unexpected text between list items")
        return at

    def conventions(self) -> tuple[int, int, int]:
        """(sequence indent under a key, dash-to-content offset, mapping indent), as
        the file already does them."""
        if self._conventions is None:
            found: dict[str, int] = {}
            self._survey(self.root, found, set())
            seq_indent = found.get("seq", 2)
            self._conventions = (
                seq_indent,
                found.get("offset", 2),
                found.get("map", seq_indent or 2),
            )
        return self._conventions

    def _survey(self, node: Node, found: dict[str, int], seen: set[int]) -> None:
        if id(node) in seen or id(node) in self.shared or node.id == "scalar":
            return
        seen.add(id(node))
        if node.id == "sequence":
            for item in node.value:
                if (
                    not _is_flow(node)
                    and id(item) not in self.shared
                    and self._same_line_content(item)
                ):
                    found.setdefault("offset", item.start_mark.index - self._dash_before(item))
                self._survey(item, found, seen)
            return
        for key, value in node.value:
            if not (_is_flow(node) or _is_flow(value) or value.id == "scalar"):
                name = "seq" if value.id == "sequence" else "map"
                start, key_start = value.start_mark.index, key.start_mark.index
                if self.line_start(start) != self.line_start(key_start):
                    found.setdefault(name, self.col(start) - self.col(key_start))
            self._survey(value, found, seen)

    def _same_line_content(self, item: Node) -> bool:
        at = item.start_mark.index
        before = self.work[self.line_start(at) : at].rstrip(" ")
        return before.endswith("-") and item.start_mark.index != item.end_mark.index

    def _dash_before(self, item: Node) -> int:
        return self.work.rindex("-", 0, item.start_mark.index)

    # --- resolving paths to nodes

    def slot(self, path: Path) -> _Slot:
        node: Node | None = self.root
        parent = key = None
        index, flow = -1, False
        for depth, step in enumerate(path):
            if node is None:
                raise EditError(f"{describe(path[:depth])}: not found")
            if id(node) in self.shared:  # an edit inside would show wherever it is aliased
                raise EditError(f"{describe(path[:depth])}: cannot edit inside an anchored value")
            flow, parent = flow or _is_flow(node), node
            if node.id == "mapping":
                key, node = _child(node, step)
            elif node.id == "sequence" and isinstance(step, int) and step < len(node.value):
                key, index, node = None, step, node.value[step]
            else:
                raise EditError(f"{describe(path[: depth + 1])}: not found")
        return _Slot(node, parent, key, index, flow)

    def refuse_aliases(self, node: Node, path: Path) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self.shared:
                raise EditError(f"{describe(path)}: cannot edit a value with anchors or aliases")
            if current.id == "sequence":
                stack += current.value
            elif current.id == "mapping":
                stack += [n for pair in current.value for n in pair]

    # --- Set

    def set_value(
        self, slot: _Slot, path: Path, value: Any, order: int, block: bool = False
    ) -> list[_Splice]:
        """Splices that make the value at `path` be `value`; `block` forces a block
        sequence or mapping under a key even where the old value was a flow one."""
        rank = (-len(path), 0, order)
        node, parent = slot.node, slot.parent
        if node is None:
            return self.add_key(slot, path, value, order)
        self.refuse_aliases(node, path)
        if parent is None:
            raise EditError("cannot replace the whole document")
        if _is_scalar(value) and node.id == "scalar" and not _is_block_scalar(node):
            text = render.scalar(value, flow=slot.flow, style=node.style or "")
            return [self.replace_span(slot, path, text, rank)]
        if slot.flow:
            return [self.replace_span(slot, path, render.inline(value, flow=True), rank)]
        if _is_block_scalar(node) and isinstance(value, str) and "\n" in value:
            lines = render.literal(value, self.block_indent(node, self.owner(slot, path)))
            if lines is not None:
                return [
                    _Splice(
                        node.start_mark.index, self.content_end(node), rank, self.nl.join(lines)
                    )
                ]
        if parent.id == "sequence":
            return self.set_item(slot, value, rank)
        if _is_flow(node) and not block:
            return [self.replace_span(slot, path, render.inline(value, flow=False), rank)]
        if self.same_block_kind(node, value):
            return [self.rewrite_block(node, value, rank)]
        return self.after_colon(slot, path, value, rank)

    def replace_span(self, slot: _Slot, path: Path, text: str, rank: tuple[int, ...]) -> _Splice:
        start, end = self.span(slot, path)
        if start == end and self.work[start - 1] not in " \t":
            text = " " + text  # an empty value right after `key:` or `-`
        return _Splice(start, end, rank, text)

    def span(self, slot: _Slot, path: Path) -> tuple[int, int]:
        """Where the value's text starts and ends. An empty value is placed right after
        its key's colon: parsers disagree on where it is (libyaml: after the colon; the
        pure-Python parser: at the next token, possibly lines further down)."""
        node = slot.node
        assert node is not None
        if _is_empty(node) and slot.key is not None and not slot.flow:
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

    def owner(self, slot: _Slot, path: Path) -> int:
        """Where the value's key or dash stands."""
        if slot.key is not None:
            return int(slot.key.start_mark.index)
        if slot.parent is None or slot.parent.id != "sequence":
            raise EditError(f"{describe(path)}: this layout is not supported")
        return self.dashes(slot.parent)[slot.index]

    def same_block_kind(self, node: Node, value: Any) -> bool:
        if not value or _is_flow(node):
            return False
        return (node.id, type(value)) in (("sequence", list), ("mapping", dict))

    def rewrite_block(self, node: Node, value: Any, rank: tuple[int, ...]) -> _Splice:
        """A block sequence or mapping rewritten in place, in its own layout."""
        start = node.start_mark.index
        column = self.col(start)
        if node.id == "sequence":
            offset = self.item_offset(node)
            flow_map = any(_is_flow(item) for item in node.value if item.id == "mapping")
            lines = [ln for v in value for ln in render.item_lines(v, column, offset, flow_map)]
        else:
            lines = render.mapping_lines(value, column)
        lines[0] = lines[0][column:]
        return _Splice(start, self.content_end(node), rank, self.nl.join(lines))

    def set_item(self, slot: _Slot, value: Any, rank: tuple[int, ...]) -> list[_Splice]:
        """A whole block sequence item rewritten from its dash on."""
        node, seq = slot.node, slot.parent
        assert node is not None and seq is not None
        dash = self.dashes(seq)[slot.index]
        offset = self.item_offset(seq)
        if self._same_line_content(node):
            offset = node.start_mark.index - dash
        flow_map = _is_flow(node) if node.id == "mapping" else self.flow_maps(seq, slot.index)
        lines = render.item_lines(value, self.col(dash), offset, flow_map)
        lines[0] = lines[0][self.col(dash) :]
        return [_Splice(dash, self.content_end(node), rank, self.nl.join(lines))]

    def after_colon(
        self, slot: _Slot, path: Path, value: Any, rank: tuple[int, ...]
    ) -> list[_Splice]:
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
                _Splice(colon + 1, end, rank, same),
                _Splice(self.next_line(end), self.next_line(end), rank, block),
            ]
        if not self.starts_line(start):
            raise EditError(f"{describe(path)}: this layout is not supported")
        return [
            _Splice(colon + 1, colon + 1, rank, same),
            _Splice(self.line_start(start), self.next_line(end), rank, block),
        ]

    def value_text(self, value: Any, key_col: int) -> tuple[str, list[str]]:
        """What follows `key:` for a new value: inline text, or block lines under it."""
        if _is_scalar(value) or not value:
            return " " + render.inline(value, flow=False), []
        seq_indent, offset, map_indent = self.conventions()
        return "", render.block_lines(value, key_col, seq_indent, offset, map_indent)

    def add_key(self, slot: _Slot, path: Path, value: Any, order: int) -> list[_Splice]:
        """`key: value` added after the last entry of its mapping."""
        mapping = slot.parent
        assert mapping is not None and mapping.id == "mapping"
        rank = (1 - len(path), 1, order)
        key = render.scalar(path[-1], flow=slot.flow or _is_flow(mapping))
        if _is_flow(mapping):
            entry = f"{key}: {render.inline(value, flow=True)}"
            if not mapping.value:
                at = mapping.start_mark.index + 1
                return [_Splice(at, at, rank, entry)]
            at = self.content_end(mapping.value[-1][1])
            at = max(at, self.content_end(mapping.value[-1][0]))
            return [_Splice(at, at, rank, ", " + entry)]
        column = self.col(mapping.start_mark.index)
        same, lines = self.value_text(value, column)
        text = "".join(line + self.nl for line in [" " * column + key + ":" + same, *lines])
        at = self.line_after(mapping)
        return [_Splice(at, at, rank, text)]

    def refuse_children_aliases(self, node: Node, path: Path) -> None:
        children = node.value if node.id == "sequence" else [n for pair in node.value for n in pair]
        if any(id(child) in self.shared for child in [node, *children]):
            raise EditError(f"{describe(path)}: cannot edit a collection with anchors or aliases")

    # --- Insert and Delete

    def list_edit(self, seq: Path, ops: list[tuple[int, Op]]) -> list[_Splice]:
        slot = self.slot(seq)
        node = slot.node
        inserts = [(o, op) for o, op in ops if isinstance(op, Insert)]
        # index -> whether its introducing comments go too
        deletes = {op.index: op.comments for _, op in ops if isinstance(op, Delete)}
        if node is None or _is_null(node) or (node.id == "sequence" and not node.value):
            values = [op.value for _, op in inserts]  # validated: all at index 0
            block = slot.parent is not None and not slot.flow and slot.parent.id == "mapping"
            return self.set_value(slot, seq, values, inserts[0][0], block=block)
        self.refuse_children_aliases(node, seq)
        if _is_flow(node):
            return self.flow_list_edit(node, seq, inserts, deletes)
        return self.block_list_edit(slot, seq, inserts, deletes)

    def block_list_edit(
        self, slot: _Slot, seq: Path, inserts: list[tuple[int, Any]], deletes: dict[int, bool]
    ) -> list[_Splice]:
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
                pieces.append(_Splice(at, at, rank, "".join(ln + self.nl for ln in lines)))
            elif self.starts_line(dashes[op.index]):
                at = self.line_start(dashes[op.index])
                pieces.append(_Splice(at, at, rank, "".join(ln + self.nl for ln in lines)))
            else:  # the dash shares its line with a parent's (`- - a`)
                dash = dashes[op.index]
                text = self.nl.join([lines[0][self.col(dash) :], *lines[1:], " " * self.col(dash)])
                pieces.append(_Splice(dash, dash, rank, text))
        return pieces

    def delete_item(self, seq: Path, item: Node, dash: int, index: int, comments: bool) -> _Splice:
        self.refuse_aliases(item, (*seq, index))
        if not self.starts_line(dash):
            raise EditError(f"{describe((*seq, index))}: this layout is not supported")
        start = self.line_start(dash)
        if comments and index > 0:  # above the first item, a comment may be the list's own
            start = self.comments_above(start, self.col(dash))
        return _Splice(start, self.line_after(item), (-len(seq) - 1, 0, index))

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

    def collapse(self, slot: _Slot, seq: Path) -> list[_Splice]:
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
            return [_Splice(first, end, rank, "[]")]
        return [
            _Splice(indicator + 1, indicator + 1, rank, " []"),
            _Splice(self.line_start(first), self.next_line(end), rank),
        ]

    def flow_list_edit(
        self, node: Node, seq: Path, inserts: list[tuple[int, Any]], deletes: dict[int, bool]
    ) -> list[_Splice]:
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
                _Splice(node.start_mark.index + 1, node.end_mark.index - 1, (-len(seq), 0), text)
            ]
        last = kept[-1]
        pieces = []
        for i in sorted(deletes):
            self.refuse_aliases(items[i], (*seq, i))
            start, end = (starts[i], starts[i + 1]) if i < last else (ends[i - 1], ends[i])
            pieces.append(_Splice(start, end, (-len(seq) - 1, 0, i)))
        for o, op in inserts:
            rank = (-len(seq), 1, op.index, o)
            value = render.inline(op.value, flow=True)
            if op.index <= last:
                pieces.append(_Splice(starts[op.index], starts[op.index], rank, value + sep))
            else:  # after the last item that stays
                pieces.append(_Splice(ends[last], ends[last], rank, sep + value))
        return pieces

    def flow_separator(self, starts: list[int], ends: list[int]) -> str:
        if len(starts) > 1:
            between = self.work[ends[0] : starts[1]]
            if between.strip() == ",":
                return between
        return ", "

    def item_offset(self, seq: Node) -> int:
        """The dash-to-content offset of this sequence's items, else the file's."""
        for item in seq.value:
            if self._same_line_content(item):
                return int(item.start_mark.index - self._dash_before(item))
        return self.conventions()[1]

    def flow_maps(self, seq: Node, index: int) -> bool:
        """Whether a mapping inserted at `index` should be a flow mapping: as its nearest
        neighbour is."""
        for item in (*reversed(seq.value[:index]), *seq.value[index:]):
            if item.id == "mapping":
                return _is_flow(item)
        return False


def _by_index(entry: tuple[int, Any]) -> tuple[int, int]:
    return entry[1].index, entry[0]


def _child(mapping: Node, step: str | int) -> tuple[Node | None, Node | None]:
    for key, value in mapping.value:
        name = to_data(key)  # as load names keys: a key `1` is "1"
        if (name if isinstance(name, str) else str(name)) == step:
            return key, value
    return None, None


def _shared_nodes(root: Node) -> set[int]:
    """Nodes reached more than once: an anchor and its aliases are one node object, whose
    marks point at the anchor wherever the alias stands."""
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared.add(id(node))
            continue
        seen.add(id(node))
        if node.id == "sequence":
            stack += node.value
        elif node.id == "mapping":
            stack += [n for pair in node.value for n in pair]
    return shared
