"""Three versions of a page merged by meaning (the core of `kb merge-file`).

The merge is decided on plain data (`mergedata`), then written as edits of OURS' text by
the surgical editor (`yamlio.edit`), so every byte neither side changed stays OURS' byte.

A conflict is rendered as standard markers around the lines where OURS' resolution and
THEIRS' (and, for diff3, the base's) differ: the merge is written once per resolution and
the differing lines are found by their common prefix and suffix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from kbcli.mergedata import (
    LIST_RULES,
    SET,
    Conflict,
    LineMerge,
    Path,
    Unmergeable,
    keyed,
    merge_data,
    same,
)
from kbcli.yamlio.edit import Delete, EditError, Insert, Op, Remove, Set, apply_text
from kbcli.yamlio.geometry import scalar_field_span
from kbcli.yamlio.load import Document, YamlProblem, parse

if TYPE_CHECKING:
    from kbcli.config import Config
    from kbcli.findings import Finding

__all__ = ["Conflict", "Outcome", "Unmergeable", "merge_data", "merge_texts", "same"]


@dataclass
class Outcome:
    """The merged text (with markers where conflicts are) and the conflicts."""

    text: str
    conflicts: list[Conflict] = field(default_factory=list)


# --- from OURS' data to the merged data, as edits -------------------------------------------


def edits(kind: str, ours: Any, target: Any, nested: bool = True) -> list[Op]:
    """Editor operations that turn `ours` into `target` (paths refer to `ours`). A key
    removed from a mapping is a `Remove` (the mapping's other lines and comments stay);
    below the top level only with `nested`, else the mapping is written anew (for layouts
    the editor cannot remove a key from, such as a list item's first key)."""
    ops: list[Op] = []
    _diff(LIST_RULES[kind], (), (), ours, target, ops, nested)
    return ops


def _diff(
    rules: dict[tuple[str, ...], str],
    path: Path,
    pattern: tuple[str, ...],
    o: Any,
    t: Any,
    ops: list[Op],
    nested: bool,
) -> None:
    if same(o, t):
        return
    if isinstance(o, dict) and isinstance(t, dict):  # a removed key: Remove
        gone = [key for key in o if key not in t]
        if gone and (not path or (nested and len(gone) < len(o))):
            ops += [Remove((*path, key)) for key in gone]
            o = {key: value for key, value in o.items() if key in t}
    if isinstance(o, dict) and isinstance(t, dict) and o.keys() <= t.keys():
        for key, value in t.items():
            if key not in o:
                ops.append(Set((*path, key), value))
            else:
                _diff(rules, (*path, key), (*pattern, key), o[key], value, ops, nested)
        return
    items = _list_diff(rules, path, pattern, o, t, nested)
    if items is not None:
        ops += items
    elif not path:
        raise Unmergeable("the page would not be a mapping of fields")
    else:
        ops.append(Set(path, t))  # a removed key or a reordered list: the value rewritten


def _list_diff(
    rules: dict[tuple[str, ...], str],
    path: Path,
    pattern: tuple[str, ...],
    o: Any,
    t: Any,
    nested: bool,
) -> list[Op] | None:
    """Item edits turning list `o` into `t` (items that changed place are deleted and
    inserted again, the fewest there can be); None when they are not both lists."""
    if not (isinstance(o, list) and isinstance(t, list)):
        return None
    rule = rules.get(pattern, SET)
    try:
        om, tm = keyed(o, rule, ""), keyed(t, rule, "")
    except Unmergeable:
        om, tm = keyed(o, SET, ""), keyed(t, SET, "")
    okeys, tkeys = list(om), list(tm)
    stay = _longest_common([k for k in okeys if k in tm], [k for k in tkeys if k in om])
    index = {k: i for i, k in enumerate(okeys) if k in stay}
    ops: list[Op] = [Delete(path, i) for i, k in enumerate(okeys) if k not in stay]
    for j, key in enumerate(tkeys):
        if key in index:
            _diff(rules, (*path, index[key]), (*pattern, "*"), om[key], tm[key], ops, nested)
            continue
        later = next((index[k] for k in tkeys[j + 1 :] if k in index), len(o))
        ops.append(Insert(path, later, tm[key]))
    return ops


def _longest_common(a: list[Any], b: list[Any]) -> set[Any]:
    """The keys of a longest common subsequence of `a` and `b` (both without repeats)."""
    if a == b:
        return set(a)
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (
                lengths[i + 1][j + 1] + 1
                if a[i] == b[j]
                else max(lengths[i + 1][j], lengths[i][j + 1])
            )
    out, i, j = set(), 0, 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


# --- texts --------------------------------------------------------------------------------


def read_versions(base: str, ours: str, theirs: str) -> tuple[Document, Document, Document]:
    """The three texts parsed; Unmergeable for any that is not a readable page."""
    return _read(base, "base"), _read(ours, "ours"), _read(theirs, "theirs")


def _read(text: str, name: str) -> Document:
    for line in text.splitlines():
        if line.startswith(("<<<<<<<", ">>>>>>>", "=======", "|||||||")):
            raise Unmergeable(f"{name} already holds conflict markers")
    try:
        doc = parse(text)
    except YamlProblem as exc:
        why = f"{name} does not read as YAML ({exc.message}, line {exc.line})"
        raise Unmergeable(why) from None
    if doc.data is None and name == "base":  # added on both sides: git passes an empty base
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise Unmergeable(f"{name} is not a mapping of fields")
    return doc


# A problem the merged page (its text and data) has that neither side had, or None.
Check = Callable[[str, Any], "str | None"]


def merge_texts(
    kind: str,
    texts: tuple[str, str, str],
    newest_first: bool,
    check: Check,
    marker_size: int = 7,
    diff3: bool = False,
    lines: LineMerge | None = None,
    required: frozenset[str] = frozenset(),
) -> Outcome:
    """OURS (`texts[1]`) with THEIRS' changes, conflicts as markers; Unmergeable when the
    merge cannot be written. A merge that `check` finds a problem in is one conflict over
    the whole page: never a silently broken page."""
    base, ours, theirs = texts
    docs = read_versions(base, ours, theirs)
    b, o, t = (doc.data for doc in docs)

    def write(merged: Any) -> str:
        try:
            return apply_text(ours, edits(kind, o, merged), docs[1])
        except EditError:
            pass
        try:  # a nested key the editor cannot remove in its layout: its mapping rewritten
            return apply_text(ours, edits(kind, o, merged, nested=False), docs[1])
        except EditError as exc:
            raise Unmergeable(f"the editor cannot write the merge: {exc}") from None

    def text_for(picks: dict[int, str]) -> str:
        return write(merge_data(kind, newest_first, b, o, t, picks, lines, required)[0])

    merged_data, conflicts = merge_data(kind, newest_first, b, o, t, {}, lines, required)
    merged_text = write(merged_data)
    if conflicts:  # a page with markers is checked once the curator resolves them
        sides = ("theirs", "base") if diff3 else ("theirs",)
        hunks = _hunks(merged_text, len(conflicts), sides, text_for)
        for i, h in enumerate(hunks):
            hunks[i] = _own_style(h, conflicts, merged_text, docs, text_for) or h
        return Outcome(_with_markers(merged_text, hunks, marker_size), conflicts)
    problem = check(merged_text, merged_data)
    if problem is None:
        return Outcome(merged_text)
    whole = _Hunk(set(), 0, len(ours.splitlines()), {"theirs": theirs.splitlines(True)})
    if diff3:
        whole.others["base"] = base.splitlines(True)
    why = f"the merged page would not pass lint: {problem}"
    return Outcome(_with_markers(ours, [whole], marker_size), [Conflict("the page", why)])


@dataclass
class _Hunk:
    members: set[int]
    start: int  # line range in the ours-resolved text
    end: int
    others: dict[str, list[str]]  # side -> its lines for the range


def _hunks(
    merged: str, count: int, sides: tuple[str, ...], text_for: Callable[[dict[int, str]], str]
) -> list[_Hunk]:
    lines = merged.splitlines(keepends=True)

    def hunk(members: set[int]) -> _Hunk:
        variants = {s: text_for(dict.fromkeys(members, s)).splitlines(keepends=True) for s in sides}
        prefix = min(_common(lines, v) for v in variants.values())
        suffix = min(_common(lines[::-1], v[::-1]) for v in variants.values())
        suffix = min([suffix, *(min(len(lines), len(v)) - prefix for v in variants.values())])
        return _Hunk(
            members,
            prefix,
            len(lines) - suffix,
            {s: v[prefix : len(v) - suffix] for s, v in variants.items()},
        )

    found = sorted((hunk({n}) for n in range(count)), key=lambda h: (h.start, h.end))
    merged_hunks: list[_Hunk] = []
    for h in found:
        if merged_hunks and h.start <= merged_hunks[-1].end:  # touching: one hunk, as git does
            h = hunk(merged_hunks.pop().members | h.members)
        merged_hunks.append(h)
    return merged_hunks


def _own_style(
    h: _Hunk,
    conflicts: list[Conflict],
    merged: str,
    docs: tuple[Document, Document, Document],
    text_for: Callable[[dict[int, str]], str],
) -> _Hunk | None:
    """A conflict over one top-level scalar field shown as each side wrote it (a `>`
    folded text stays folded; the editor would write theirs' as a `|` block): the field's
    lines from each side's own text, when they read as the editor's version does."""
    if len(h.members) != 1:
        return None
    (number,) = h.members
    key = conflicts[number].where
    if any(not isinstance(doc.data.get(key), str) for doc in docs[1:]):
        return None  # a text on both sides: where a style can be lost
    own = {"theirs": docs[2], "base": docs[0]}
    lines = merged.splitlines(keepends=True)
    span = scalar_field_span(merged, parse(merged).root, key)
    if span is None:
        return None
    start, end = (len(merged[:at].splitlines()) for at in span)
    if not start <= h.start <= h.end <= end:
        return None
    others = {}
    for side in h.others:
        found = scalar_field_span(own[side].text, own[side].root, key)
        if found is None:
            return None
        others[side] = own[side].text[found[0] : found[1]].splitlines(keepends=True)
    wanted = parse(text_for({number: "theirs"})).data
    written = "".join([*lines[:start], *others["theirs"], *lines[end:]])
    if not same(parse(written).data, wanted) or _endings(written) != _endings(merged):
        return None
    return _Hunk(h.members, start, end, others)


def _endings(text: str) -> set[str]:
    return {"\r\n" if line.endswith("\r\n") else "\n" for line in text.splitlines(True)}


def _common(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _with_markers(merged: str, hunks: list[_Hunk], size: int) -> str:
    lines = merged.splitlines(keepends=True)
    first = merged.find("\n")
    nl = "\r\n" if first > 0 and merged[first - 1] == "\r" else "\n"

    def block(chunk: list[str]) -> list[str]:
        if chunk and not chunk[-1].endswith("\n"):
            chunk = [*chunk[:-1], chunk[-1] + nl]
        return chunk

    out: list[str] = []
    at = 0
    for h in hunks:
        out += lines[at : h.start]
        out += ["<" * size + " ours" + nl, *block(lines[h.start : h.end])]
        if "base" in h.others:
            out += ["|" * size + " base" + nl, *block(h.others["base"])]
        out += ["=" * size + nl, *block(h.others["theirs"]), ">" * size + " theirs" + nl]
        at = h.end
    return "".join(out + lines[at:])


def required_fields(kind: str, config: Config) -> frozenset[str]:
    """The top-level fields a page of `kind` must have (none for kb.yaml)."""
    if kind == "config":
        return frozenset()
    from kbcli.schema import page_schema

    return frozenset(page_schema(kind, config.evidence_levels).get("required", ()))


def lint_check(kind: str, stem: str, config: Config, ours: str, theirs: str) -> Check:
    """A `Check` by the schema and lint's page rules: an error of the merged page that
    neither OURS nor THEIRS has (the page's old problems are not the merge's doing; its
    new warnings, as kb.yaml rates them, lint reports once the merge is made)."""
    if kind == "config":
        from kbcli.schema import validate_config

        def config_problem(text: str, data: Any) -> str | None:
            found = validate_config(data, parse(text).root)
            return None if found is None else f"line {found[1]}: {found[0]}"

        return config_problem
    from kbcli.kb import KINDS, PageRef
    from kbcli.rules import local
    from kbcli.schema import PageValidator

    ref = PageRef(kind, stem, FsPath("."), f"{KINDS[kind]}/{stem}.yaml")
    validator = PageValidator(kind, config.evidence_levels)

    def findings(text: str) -> list[Finding]:
        from kbcli.index import analyse_text

        return analyse_text(ref, text, config, validator).findings

    def page_problem(text: str, data: Any) -> str | None:
        # on the data first (the editor has checked the text reads as it); the text is
        # parsed again, for positions, only when there is something to report
        if not validator.problems(data, None) and not local.check(kind, stem, data, None, config):
            return None
        old = {_finding_key(f) for side in (ours, theirs) for f in findings(side)}
        new = [f for f in findings(text) if _finding_key(f) not in old and _error(f)]
        return f"line {new[0].line}: {new[0].code} {new[0].message}" if new else None

    def _error(finding: Finding) -> bool:
        # a warning (a possible contradiction between a claim of each side) is lint's to
        # report on the merged page, not a reason to refuse a merge that holds both sides
        return config.severity(finding.code) == "error"

    return page_problem


def _finding_key(finding: Finding) -> tuple[str, str]:
    """A finding apart from where it is: lines move when the other side inserts above."""
    return finding.code, re.sub(r"\bline \d+", "line ?", finding.message)
