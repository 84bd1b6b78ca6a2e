"""Where things are in a page's text: the geometry a surgical edit works from.

Positions are character offsets into the page's text (with a final newline added where
the file lacks one), found from the composed nodes' marks: where a value's text ends
before any comment, where a list's dashes stand, how the file indents its sequences and
mappings, and which node a path of keys leads to. Edits are `Splice`s: text to put in
place of a span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .load import Node, child
from .ops import EditError, KeyPath, describe


@dataclass(frozen=True, order=True)
class Splice:
    """Replace text[start:end] with `text`. At one position, deeper nodes' text goes first
    (it belongs to the node ending there), then rewrites (kind 0) before new siblings."""

    start: int
    end: int
    rank: tuple[int, ...] = ()  # (-depth, kind, op order, ...) for ties
    text: str = field(default="", compare=False)


@dataclass(frozen=True)
class Slot:
    """Where a value lives: its node (None when the key is absent) and its parent."""

    node: Node | None
    parent: Node | None
    key: Node | None  # the key node when the parent is a mapping
    index: int  # the item's index when the parent is a sequence, else -1
    flow: bool  # inside a flow collection


def splice(pieces: list[Splice], text: str) -> str:
    out, at = [], 0
    for piece in sorted(pieces):
        if piece.start < at:
            raise EditError("edits overlap in the page's text")
        out += [text[at : piece.start], piece.text]
        at = piece.end
    return "".join(out) + text[at:]


def is_flow(node: Node) -> bool:
    return node.id != "scalar" and bool(node.flow_style)


def is_block_scalar(node: Node) -> bool:
    return node.id == "scalar" and node.style in ("|", ">")


def is_null(node: Node) -> bool:
    return bool(node.id == "scalar" and node.tag == "tag:yaml.org,2002:null")


def is_empty(node: Node) -> bool:
    return bool(node.id == "scalar" and node.start_mark.index == node.end_mark.index)


def is_scalar(value: Any) -> bool:
    return not isinstance(value, list | dict)


class TextGeometry:
    """A page's text and its composed nodes; positions are offsets into `work`."""

    def __init__(self, text: str, root: Node) -> None:
        first_break = text.find("\n")
        self.nl = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
        self.added_nl = not text.endswith("\n")
        self.work = text + self.nl if self.added_nl else text
        self.root = root
        self.shared = shared_nodes(root)
        self._conventions: tuple[int, int, int] | None = None

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
            return self._scalar_end(node) if is_block_scalar(node) else node.end_mark.index
        if is_flow(node) or not node.value:
            return int(node.end_mark.index)
        if node.id == "sequence":
            return self.content_end(node.value[-1])
        key, value = node.value[-1]
        if is_empty(value):  # it ends on the key's line, wherever the parser placed it
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

    def colon(self, key: Node, path: KeyPath) -> int:
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
                    not is_flow(node)
                    and id(item) not in self.shared
                    and self.same_line_content(item)
                ):
                    found.setdefault("offset", item.start_mark.index - self.dash_before(item))
                self._survey(item, found, seen)
            return
        for key, value in node.value:
            if not (is_flow(node) or is_flow(value) or value.id == "scalar"):
                name = "seq" if value.id == "sequence" else "map"
                start, key_start = value.start_mark.index, key.start_mark.index
                if self.line_start(start) != self.line_start(key_start):
                    found.setdefault(name, self.col(start) - self.col(key_start))
            self._survey(value, found, seen)

    def same_line_content(self, item: Node) -> bool:
        at = item.start_mark.index
        before = self.work[self.line_start(at) : at].rstrip(" ")
        return before.endswith("-") and item.start_mark.index != item.end_mark.index

    def dash_before(self, item: Node) -> int:
        return self.work.rindex("-", 0, item.start_mark.index)

    # --- resolving paths to nodes

    def slot(self, path: KeyPath) -> Slot:
        node: Node | None = self.root
        parent = key = None
        index, flow = -1, False
        for depth, step in enumerate(path):
            if node is None:
                raise EditError(f"{describe(path[:depth])}: not found")
            if id(node) in self.shared:  # an edit inside would show wherever it is aliased
                raise EditError(f"{describe(path[:depth])}: cannot edit inside an anchored value")
            flow, parent = flow or is_flow(node), node
            if node.id == "mapping":
                key, node = child(node, step) or (None, None)
            elif node.id == "sequence" and isinstance(step, int) and step < len(node.value):
                key, index, node = None, step, node.value[step]
            else:
                raise EditError(f"{describe(path[: depth + 1])}: not found")
        return Slot(node, parent, key, index, flow)

    def refuse_aliases(self, node: Node, path: KeyPath) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self.shared:
                raise EditError(f"{describe(path)}: cannot edit a value with anchors or aliases")
            if current.id == "sequence":
                stack += current.value
            elif current.id == "mapping":
                stack += [n for pair in current.value for n in pair]

    def item_offset(self, seq: Node) -> int:
        """The dash-to-content offset of this sequence's items, else the file's."""
        for item in seq.value:
            if self.same_line_content(item):
                return int(item.start_mark.index - self.dash_before(item))
        return self.conventions()[1]

    def flow_maps(self, seq: Node, index: int) -> bool:
        """Whether a mapping inserted at `index` should be a flow mapping: as its nearest
        neighbour is."""
        for item in (*reversed(seq.value[:index]), *seq.value[index:]):
            if item.id == "mapping":
                return is_flow(item)
        return False


def shared_nodes(root: Node) -> set[int]:
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


def scalar_field_span(text: str, root: Node | None, key: str) -> tuple[int, int] | None:
    """Where top-level field `key` of a block mapping page stands, when its value is a
    scalar: from its key's line start to past its value's last line (that line's comment
    included); None otherwise (absent, not a scalar, or laid out otherwise)."""
    if root is None or root.id != "mapping" or is_flow(root):
        return None
    key_node, value = child(root, key) or (None, None)
    if key_node is None or value is None or value.id != "scalar":
        return None
    where = TextGeometry(text, root)
    if not where.starts_line(key_node.start_mark.index):
        return None
    try:
        end = where.content_end(key_node)
        if not is_empty(value):
            end = max(end, where.content_end(value))
    except EditError:  # an anchored value
        return None
    return where.line_start(key_node.start_mark.index), min(where.next_line(end), len(text))
