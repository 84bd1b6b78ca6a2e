"""Edit ops, and what each means on plain data: the reference semantics of a surgical edit.

`apply_data` applies ops to the page's data; `edit.apply_text` applies the same ops to the
page's text and checks that the result reads back as `apply_data`'s. Ops are validated
here, before any text is touched: a path that does not lead to a value, an index out of
range, two ops on overlapping places, a value YAML cannot hold.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

KeyPath = tuple[str | int, ...]  # keys and list indexes from the document root


@dataclass(frozen=True)
class Insert:
    """Insert `value` before item `index` of the list at `seq` (`index == len` appends)."""

    seq: KeyPath
    index: int
    value: Any


@dataclass(frozen=True)
class Delete:
    """Delete item `index` of the list at `seq`; with `comments`, also the comment lines
    that introduce it (right above it, at its indentation)."""

    seq: KeyPath
    index: int
    comments: bool = False


@dataclass(frozen=True)
class Set:
    """Replace the value at `path`, or add the key when its mapping lacks it."""

    path: KeyPath
    value: Any


@dataclass(frozen=True)
class Remove:
    """Remove the key `path[-1]` and its value from the mapping at `path[:-1]`."""

    path: KeyPath


Op = Insert | Delete | Set | Remove
ListOp = Insert | Delete


class EditError(Exception):
    """An edit that cannot be made; the message is for the user and names the path."""


def describe(path: KeyPath) -> str:
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
        elif isinstance(op, Remove):
            del _lookup(out, op.path[:-1])[op.path[-1]]
    # Sets and Removes never shift indexes; list edits run deepest first so that the paths
    # of the lists still to edit (which use original indexes) stay valid.
    for seq in sorted(seq_groups(ops), key=len, reverse=True):
        _edit_list(out, seq, [op for op in list_ops(ops) if op.seq == seq])
    return out


def list_ops(ops: Sequence[Op]) -> list[ListOp]:
    return [op for op in ops if isinstance(op, Insert | Delete)]


def seq_groups(ops: Sequence[Op]) -> list[KeyPath]:
    return list(dict.fromkeys(op.seq for op in list_ops(ops)))


def _edit_list(data: Any, seq: KeyPath, ops: list[ListOp]) -> None:
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


def _exists(data: Any, path: KeyPath) -> bool:
    try:
        _lookup(data, path)
    except EditError:
        return False
    return True


def _lookup(data: Any, path: KeyPath) -> Any:
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
            _check_value(op.value, op.path)
        elif isinstance(op, Remove):
            _check_remove(data, op)
        else:
            _check_list_op(data, op)
            if isinstance(op, Insert):
                _check_value(op.value, op.seq)
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


def _check_remove(data: Any, op: Remove) -> None:
    parent = _lookup(data, op.path[:-1]) if op.path else None
    if not (isinstance(parent, dict) and isinstance(op.path[-1], str) and op.path[-1] in parent):
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


def _check_value(value: Any, path: KeyPath) -> None:
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


def _location(op: Op) -> KeyPath:
    if isinstance(op, Set | Remove):
        return op.path
    return (*op.seq, op.index) if isinstance(op, Delete) else op.seq
