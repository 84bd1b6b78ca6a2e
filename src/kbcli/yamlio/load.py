"""Reading YAML safely: bytes -> text -> composed nodes -> plain data.

Nothing is ever constructed from a tag: we compose nodes (with line and column on each)
and convert them ourselves, so `!!python/object` is only ever a finding. Timestamps stay
strings, so the schemas' `format: date` applies. YAML 1.2 resolution (a bare `no` is a
string) is the same here as in ruamel.yaml's round-trip loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.resolver import VersionedResolver

# ruamel.yaml's composed nodes (ScalarNode, SequenceNode, MappingNode; `id` names the kind)
# are loosely typed upstream, so they travel as Any.
Node = Any

try:  # ruamel.yaml's libyaml extra; 0.19 does not use it by itself
    from _ruamel_yaml_clibz import CParser
except ImportError:  # pragma: no cover - depends on the installation
    try:
        from _ruamel_yaml import CParser
    except ImportError:
        CParser = None

MAX_NODES = 100_000  # per document, counting every alias expansion (alias bombs)
MAX_DEPTH = 64  # nesting; pages need about 4
# The C composer recurses on the C stack and crashes somewhere past 20,000 levels, so a
# document that could nest that deep is first measured with the (iterative) event parser.
_SAFE_COMPOSE_BOUND = 5_000

_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP = (
    _TAG + t for t in ("str", "int", "float", "bool", "null", "timestamp")
)
_SEQ, _MAP = _TAG + "seq", _TAG + "map"


class YamlProblem(Exception):
    """Why a document could not be read, at a 1-based line and column."""

    def __init__(self, code: str, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.code, self.message, self.line, self.col = code, message, line, col


@dataclass
class Document:
    text: str
    root: Node | None  # None for an empty document
    data: Any


def parser_name() -> str:
    """Which parser runs: 'c' (libyaml) or 'pure' (a slower fallback)."""
    return "c" if CParser is not None else "pure"


def decode(raw: bytes) -> str:
    """UTF-8 text, or a Y004 problem pointing at the first bad byte."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise YamlProblem(
            "Y004", f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded", line, col
        ) from None
    return text.removeprefix("\ufeff")


def parse(text: str, pure: bool = False) -> Document:
    """Compose and convert one YAML document; raise YamlProblem on anything unsafe.
    Merge-conflict markers are found first, wherever they stand: YAML would report them
    as noise a line later, or, inside a quoted string, read them as text."""
    check_conflict_markers(text)
    root = compose(text, pure=pure)
    return Document(text, root, to_data(root) if root is not None else None)


# git's markers, at the start of a line (longer with merge.conflictMarkerSize or
# `kb merge-file --marker-size`); `|||||||` opens the base's side in diff3 style
_MARKER = re.compile(r"^(?:<{7,}|\|{7,}|={7,}|>{7,})(?=[ \t\r]|$)", re.MULTILINE)


def check_conflict_markers(text: str) -> None:
    """Y009 at the first line of an unresolved merge conflict, if `text` has one."""
    found = _MARKER.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    end = text.find("\n", found.start())
    marker = text[found.start() : end if end != -1 else len(text)].strip()
    raise YamlProblem(
        "Y009",
        f"unresolved merge conflict ({marker}): keep the right lines of each side and "
        "delete the marker lines",
        line,
        1,
    )


def compose(text: str, pure: bool = False) -> Node | None:
    use_c = CParser is not None and not pure
    try:
        if use_c and _nesting_bound(text) > _SAFE_COMPOSE_BOUND:
            _check_depth(text)
        return _compose(text, use_c)
    except MarkedYAMLError as exc:
        raise _syntax_problem(exc, text) from None
    except YAMLError as exc:  # reader errors: control characters and the like
        first = str(exc).splitlines()[0]
        raise YamlProblem("Y001", first, *_reader_position(exc, text)) from None
    except RecursionError:
        raise YamlProblem("Y006", f"nesting deeper than {MAX_DEPTH} levels") from None


def _syntax_problem(exc: MarkedYAMLError, text: str) -> YamlProblem:
    """Y001 in the curator's terms where the parser's own words would mislead: a tab in
    the indentation, a list or mapping in brackets that is never closed (reported where
    it opened: the parser notices only a line later)."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    indent = here[: len(here) - len(here.lstrip(" \t"))]
    context = exc.context or ""
    if "\t" in indent or "tab" in (exc.problem or ""):
        message = "a tab in the indentation: YAML indents with spaces only; replace it with spaces"
        return YamlProblem("Y001", message, line, 1 if "\t" in indent else col)
    opened = exc.context_mark
    if context.startswith("while parsing a flow ") and opened is not None:
        brackets = ("[", "]", "list") if "sequence" in context else ("{", "}", "mapping")
        return YamlProblem(
            "Y001",
            f"the {brackets[2]} opened here with '{brackets[0]}' is never closed: add the "
            f"missing '{brackets[1]}' (or a comma between its items); YAML noticed at line "
            f"{line}, column {col}",
            opened.line + 1,
            opened.column + 1,
        )
    parts = [p for p in (exc.context, exc.problem) if p]
    return YamlProblem("Y001", ": ".join(parts) if parts else "invalid YAML", line, col)


def _reader_position(exc: YAMLError, text: str) -> tuple[int, int]:
    pos = getattr(exc, "position", None)
    if not isinstance(pos, int):
        return 1, 1
    before = text[:pos]
    return before.count("\n") + 1, pos - (before.rfind("\n") + 1) + 1


def _compose(text: str, use_c: bool) -> Node | None:
    if use_c:
        return _CLoader(text).get_single_node()
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).compose(text)


if CParser is not None:

    class _CLoader(CParser, VersionedResolver):  # type: ignore[misc]
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            VersionedResolver.__init__(self, loader=self)
            self._table: Any = None

        @property
        def versioned_resolver(self) -> Any:
            # ruamel.yaml works out the YAML version again for every scalar (half the time
            # of composing a page); it cannot change within a document, so once is enough.
            if self._table is None:
                self._table = super().versioned_resolver
            return self._table


def _nesting_bound(text: str) -> int:
    """An upper bound on how deep `text` can nest, the smaller of two:
    - each level needs one of these characters or a line of its own;
    - each open flow collection needs a bracket, and block collections can only open
      inside one another at least one column further in at every second level (a block
      sequence may stand at its key's column), so no deeper than twice the longest line.
    The second keeps a large page of short lines (2,000 claims) off the slow path."""
    indicators = sum(text.count(c) for c in "[{-?:") + text.count("\n") + 1
    longest = max(map(len, text.split("\n")))
    return min(indicators, text.count("[") + text.count("{") + 2 * (longest + 1))


def _check_depth(text: str) -> None:
    loader = _CLoader(text)
    depth = 0
    while loader.check_event():
        name = type(loader.get_event()).__name__
        if name in ("SequenceStartEvent", "MappingStartEvent"):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlProblem("Y006", f"nesting deeper than {MAX_DEPTH} levels")
        elif name in ("SequenceEndEvent", "MappingEndEvent"):
            depth -= 1


def to_data(root: Node) -> Any:
    """Plain data from a composed node; every node visit (aliases included) is counted."""
    budget = [MAX_NODES]
    return _convert(root, budget, 0)


def _convert(node: Node, budget: list[int], depth: int) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise YamlProblem(
            "Y006",
            f"more than {MAX_NODES} values once aliases are expanded (an alias bomb?)",
            *position(node),
        )
    if depth > MAX_DEPTH:
        raise YamlProblem("Y006", f"nesting deeper than {MAX_DEPTH} levels", *position(node))
    kind = node.id
    if kind == "scalar":
        return _scalar(node)
    if kind == "sequence":
        _expect_tag(node, _SEQ)
        return [_convert(item, budget, depth + 1) for item in node.value]
    _expect_tag(node, _MAP)
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if key_node.id != "scalar":
            raise YamlProblem("Y003", "a mapping key must be a plain value", *position(key_node))
        key = _key_name(key_node)
        if key in out:
            raise YamlProblem("Y002", f"duplicate key '{key}'", *position(key_node))
        out[key] = _convert(value_node, budget, depth + 1)
    return out


def _expect_tag(node: Node, tag: str) -> None:
    if node.tag != tag:
        raise YamlProblem("Y003", f"unsupported tag '{_short(node.tag)}'", *position(node))


def _short(tag: str) -> str:
    return "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag


def _scalar(node: Node) -> Any:
    tag, value = node.tag, node.value
    if tag in (_STR, _TIMESTAMP):
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _INT:
        return _int(value)
    if tag == _FLOAT:
        return _float(value)
    if tag == _TAG + "merge":
        raise YamlProblem(
            "Y003",
            "a YAML merge key (<<) is not supported: write the values out in full",
            *position(node),
        )
    raise YamlProblem("Y003", f"unsupported tag '{_short(tag)}'", *position(node))


def _int(value: str) -> int:
    text = value.replace("_", "")
    try:
        return int(text, 0)
    except ValueError:  # leading zeros: YAML 1.2 reads 012 as decimal
        return int(text, 10)


def _float(value: str) -> float:
    text = value.replace("_", "").lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text.endswith(".nan"):
        return float("nan")
    return float(text)


def position(node: Node) -> tuple[int, int]:
    """A node's 1-based line and column."""
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def locate(root: Node | None, path: tuple[str | int, ...], at_key: bool = False) -> tuple[int, int]:
    """The position of the node at `path` (keys and list indexes); where the path runs
    out, the deepest node that exists (for a missing field: the mapping that lacks it).
    With `at_key`, a mapping entry is reported at its key (for an unknown field)."""
    if root is None:
        return 1, 1
    node, where = root, position(root)
    for depth, step in enumerate(path, 1):
        found = child(node, step)
        if found is None:
            break
        key_node, node = found
        last = depth == len(path)
        use_key = key_node is not None and ((at_key and last) or node.id != "scalar")
        where = position(key_node if use_key else node)
    return where


def node_at(root: Node | None, path: tuple[str | int, ...]) -> Node | None:
    """The node at `path`, or None where the path does not lead to one."""
    node = root
    for step in path:
        found = child(node, step) if node is not None else None
        if found is None:
            return None
        node = found[1]
    return node


def child(node: Node, step: str | int) -> tuple[Node | None, Node] | None:
    """The entry of a mapping whose key the page's data names `step` (as `to_data` names
    keys: a key `1` or `0x1` is "1"), as (key node, value node); or item `step` of a
    sequence, with no key node; None where there is none."""
    if node.id == "sequence" and isinstance(step, int) and 0 <= step < len(node.value):
        return None, node.value[step]
    if node.id == "mapping":
        for key_node, value_node in node.value:
            if key_node.id == "scalar" and _key_name(key_node) == str(step):
                return key_node, value_node
    return None


def _key_name(key_node: Node) -> str:
    key = _scalar(key_node)
    return key if isinstance(key, str) else str(key)
