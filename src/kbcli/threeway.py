"""Three versions of a page merged by meaning (the core of `kb merge-file`).

The merge is decided on plain data, then written as edits of OURS' text by the surgical
editor (`yamlio.edit`), so every byte neither side changed stays OURS' byte.

What "the same thing" is, by field (everything else is one value, merged three-way: a side
that changed it wins over one that did not; both changed it alike: taken; differently: a
conflict for that field alone):
- concept pages: `claims` and `sources` keyed by `id`, `related` by `concept`, `sections`
  by `heading`; `aliases`, `open_questions` and a claim's `merged` and `sources` ids are
  ordered sets; `changelog` is a set of
  entries placed by date in the KB's order, same-day entries ours first;
- theses: `cites` keyed by `concept`, a citation's `claims` an ordered set; `changelog` as
  above; `score`, `scored` and each `stamp` three-way like any value;
- `kb.yaml`: each setting three-way (a mapping, such as `rules`, setting by setting).
A text of several lines changed on both sides is first merged line by line (git's merge,
passed in as `lines`), so prose edited in different paragraphs merges as git would merge it.
An item deleted on one side and changed on the other, or one key added on both sides with
different content, is a conflict. Items new on one side go after the item they follow
there, and after the other side's new items at that place (ours first). A list reordered
on theirs alone takes theirs' order; reordered on both sides, OURS' order stands.

A conflict is rendered as standard markers around the lines where OURS' resolution and
THEIRS' (and, for diff3, the base's) differ: the merge is written once per resolution and
the differing lines are found by their common prefix and suffix.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Any

from kbcli.yamlio.edit import Delete, EditError, Insert, Op, Remove, Set, apply_text
from kbcli.yamlio.load import Document, YamlProblem, parse

if TYPE_CHECKING:
    from kbcli.config import Config
    from kbcli.findings import Finding

Path = tuple[str | int, ...]
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
SET, DATED = "set", "dated"  # list rules besides a key field

# Lists merged by identity rather than as one value; `*` stands for any item.
LIST_RULES: dict[str, dict[tuple[str, ...], str]] = {
    "concept": {
        ("claims",): "id",
        ("sources",): "id",
        ("related",): "concept",
        ("aliases",): SET,
        ("open_questions",): SET,
        ("changelog",): DATED,
        ("claims", "*", "merged"): SET,
        ("claims", "*", "sources"): SET,
        ("sections",): "heading",
    },
    "thesis": {("cites",): "concept", ("cites", "*", "claims"): SET, ("changelog",): DATED},
    "config": {},
}
_ITEM_NAMES = {
    "claims": "claim",
    "sources": "source",
    "related": "related concept",
    "sections": "section",
}


class Unmergeable(Exception):
    """The versions cannot be merged by meaning; the reason says why (a line merge follows)."""


@dataclass(frozen=True)
class Conflict:
    where: str  # e.g. `claims[alpha-one].evidence`
    why: str


@dataclass
class Outcome:
    """The merged text (with markers where conflicts are) and the conflicts."""

    text: str
    conflicts: list[Conflict] = field(default_factory=list)


def same(a: Any, b: Any) -> bool:
    """Equal as YAML values: types count (`1` is not `true`), mapping order does not."""
    if a is MISSING or b is MISSING:
        return a is b
    return a == b and _alike(a, b)


def _alike(a: Any, b: Any) -> bool:
    """For two values already `==`: whether they also write alike (`_canonical`), which
    `==` does not see (`1 == 1.0 == True`, `0.0 == -0.0`). A walk, not two JSON texts:
    a page of 500 claims is compared claim by claim several times per merge."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return all(_alike(value, b[key]) for key, value in a.items())
    if type(a) is list:
        return all(map(_alike, a, b))
    if type(a) is float:
        return repr(a) == repr(b)
    if a is None or type(a) in (str, int, bool):
        return True
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# --- the merge on plain data -------------------------------------------------------------


class _Merger:
    """One merge of three data trees; conflict n takes the side `picks[n]` (default ours)."""

    def __init__(
        self,
        kind: str,
        newest_first: bool,
        picks: dict[int, str],
        lines: LineMerge | None,
        required: frozenset[str] = frozenset(),
    ) -> None:
        self.rules = LIST_RULES[kind]
        self.newest_first, self.picks, self.lines = newest_first, picks, lines
        self.required = required
        self.conflicts: list[Conflict] = []

    def conflict(self, where: str, why: str, b: Any, o: Any, t: Any) -> Any:
        number = len(self.conflicts)
        self.conflicts.append(Conflict(where or "the page", why))
        return {"ours": o, "theirs": t, "base": b}[self.picks.get(number, "ours")]

    def value(self, where: str, pattern: tuple[str, ...], b: Any, o: Any, t: Any) -> Any:
        if same(o, t) or same(b, t):
            return o
        if same(b, o):
            return t
        rule = self.rules.get(pattern)
        if rule is not None and isinstance(o, list) and isinstance(t, list):
            return self.sequence(where, pattern, rule, b if isinstance(b, list) else [], o, t)
        if isinstance(o, dict) and isinstance(t, dict) and isinstance(b, dict):
            return self.mapping(where, pattern, b, o, t)
        texts = [v for v in (b, o, t) if isinstance(v, str)]
        if self.lines and len(texts) == 3 and any("\n" in v for v in texts):
            got = self.lines(b, o, t)  # prose edited in different lines: as git merges it
            if got is not None:
                return got
        if b is MISSING:
            why = "added on both sides with different values"
        elif o is MISSING or t is MISSING:
            why = f"removed on {'ours' if o is MISSING else 'theirs'}, changed on the other side"
        else:
            why = "changed on both sides, differently"
        return self.conflict(where, why, b, o, t)

    def mapping(
        self, where: str, pattern: tuple[str, ...], b: dict[str, Any], o: Any, t: Any
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in [*o, *(k for k in t if k not in o)]:
            if not where and key == "claims" and self.retired_and_changed(b, o, t):
                side, target = ("ours", o) if o.get("redirect") else ("theirs", t)
                why = (
                    f"the page was made a redirect to '{target['redirect']}' on {side}, "
                    "and its claims changed on the other side"
                )
                b_, o_, t_ = (m.get(key, MISSING) for m in (b, o, t))
                out[key] = self.conflict(key, why, b_, o_, t_)
                continue
            versions = (b.get(key, MISSING), o.get(key, MISSING), t.get(key, MISSING))
            got = self.value(f"{where}.{key}" if where else key, (*pattern, key), *versions)
            removed = [side is MISSING for side in versions[1:]]
            if (
                got is MISSING
                and not where
                and key in self.required
                and any(removed) != all(removed)
            ):
                side = "ours" if versions[1] is MISSING else "theirs"
                why = f"removed on {side}, but a page needs this field"
                got = self.conflict(key, why, *versions)
            if got is not MISSING:
                out[key] = got
        return out

    def retired_and_changed(self, b: dict[str, Any], o: Any, t: Any) -> bool:
        """One side made the page a redirect (`merge-claims --retire-other`) and the other
        changed its claims: merged, they would sit on a page no reader looks at."""
        if ("claims",) not in self.rules:
            return False
        for new, other in ((o, t), (t, o)):
            claims = [side.get("claims", MISSING) for side in (b, new, other)]
            if new.get("redirect") and not b.get("redirect") and not same(claims[0], claims[2]):
                return not same(claims[1], claims[2])  # unless both retired it alike
        return False

    def sequence(
        self, where: str, pattern: tuple[str, ...], rule: str, b: list[Any], o: Any, t: Any
    ) -> list[Any]:
        bm, om, tm = (_keyed(items, rule, where) for items in (b, o, t))
        result: list[tuple[Any, Any, bool]] = []  # (key, value, new since the base)
        for key, ov in om.items():
            label = f"{where}[{key if isinstance(key, str) else len(result)}]"
            if key in tm:
                got = self.value(label, (*pattern, "*"), bm.get(key, MISSING), ov, tm[key])
            elif key in bm and not same(ov, bm[key]):
                why = self.removed_why(where, key, "theirs", t)
                got = self.conflict(label, why, bm[key], ov, MISSING)
            elif key in bm:
                continue  # removed on theirs, unchanged on ours
            else:
                got = ov
            if got is not MISSING:
                result.append((key, got, key not in bm))
        order = list(tm)
        for key, tv in tm.items():
            if key in om or (key in bm and same(tv, bm[key])):
                continue
            got = tv
            if key in bm:  # removed on ours, changed on theirs
                label = f"{where}[{key if isinstance(key, str) else '?'}]"
                why = self.removed_why(where, key, "ours", o)
                got = self.conflict(label, why, bm[key], MISSING, tv)
            if got is not MISSING:
                result.insert(self.place(rule, result, order, key, got), (key, got, True))
        return [value for _, value, _ in _their_order(result, list(bm), list(om), list(tm))]

    def removed_why(self, where: str, key: Any, side: str, items: list[Any]) -> str:
        name = _ITEM_NAMES.get(where, "item")
        if where == "claims":
            for claim in items:
                merged = claim.get("merged") if isinstance(claim, dict) else None
                if isinstance(merged, list) and key in merged:
                    return (
                        f"claim '{key}' was merged into '{claim.get('id')}' on {side}, and "
                        "changed on the other side"
                    )
        what = f"{name} '{key}'" if isinstance(key, str) else name
        return f"{what} was removed on {side}, and changed on the other side"

    def place(
        self, rule: str, result: list[tuple[Any, Any, bool]], order: list[Any], key: Any, value: Any
    ) -> int:
        """Where an item new on theirs goes in the merged list."""
        date = value.get("date") if isinstance(value, dict) else None
        if rule == DATED and isinstance(date, str):
            for i, (_, other, _) in enumerate(result):
                when = other.get("date") if isinstance(other, dict) else None
                if isinstance(when, str) and (when < date if self.newest_first else when > date):
                    return i
            return len(result)
        where = {k: i for i, (k, _, _) in enumerate(result)}
        at = 0
        for before in reversed(order[: order.index(key)]):
            if before in where:
                at = where[before] + 1
                break
        while at < len(result) and result[at][2]:  # after the new items already there
            at += 1
        return at


def _their_order(result: list[Any], b: list[Any], o: list[Any], t: list[Any]) -> list[Any]:
    """The merged items in theirs' order where theirs reordered the items it shares with
    the base and ours did not (a reorder is a change: one side's change is taken)."""

    shared = set(b) & set(o) & set(t)  # sets: `k in list` made this quadratic

    def kept(side: list[Any]) -> list[Any]:
        return [k for k in side if k in shared]

    if kept(o) != kept(b) or kept(t) == kept(b):
        return result
    rank = {k: i for i, k in enumerate(t)}
    slots = [i for i, (k, _, _) in enumerate(result) if k in rank]
    moved = sorted((result[i] for i in slots), key=lambda item: rank[item[0]])
    out = list(result)
    for i, item in zip(slots, moved, strict=True):
        out[i] = item
    return out


def _keyed(items: list[Any], rule: str, where: str) -> dict[Any, Any]:
    """The items by identity: their key field, or (for sets) their value and occurrence."""
    out: dict[Any, Any] = {}
    for item in items:
        if rule in (SET, DATED):
            key: Any = _canonical(item)
            n = 1
            while (key, n) in out:
                n += 1
            out[(key, n)] = item
            continue
        key = item.get(rule) if isinstance(item, dict) else None
        if not isinstance(key, str) or key in out:
            problem = "repeats" if isinstance(key, str) else "lacks"
            raise Unmergeable(f"an item of {where} {problem} its {rule}")
        out[key] = item
    return out


def merge_data(
    kind: str,
    newest_first: bool,
    b: Any,
    o: Any,
    t: Any,
    picks: dict[int, str] | None = None,
    lines: LineMerge | None = None,
    required: frozenset[str] = frozenset(),
) -> tuple[Any, list[Conflict]]:
    """The merged data (conflicts resolved as `picks` says, else as ours) and the conflicts.
    With `lines`, a string changed on both sides is first merged line by line. A field of
    `required` that one side removed is a conflict: the merge would not be a page."""
    merger = _Merger(kind, newest_first, picks or {}, lines, required)
    return merger.value("", (), {} if b is None else b, o, t), merger.conflicts


# --- from OURS' data to the merged data, as edits -------------------------------------------


def edits(kind: str, ours: Any, target: Any) -> list[Op]:
    """Editor operations that turn `ours` into `target` (paths refer to `ours`)."""
    ops: list[Op] = []
    _diff(LIST_RULES[kind], (), (), ours, target, ops)
    return ops


def _diff(
    rules: dict[tuple[str, ...], str],
    path: Path,
    pattern: tuple[str, ...],
    o: Any,
    t: Any,
    ops: list[Op],
) -> None:
    if same(o, t):
        return
    if not path and isinstance(o, dict) and isinstance(t, dict):  # a removed field: Remove
        ops += [Remove((key,)) for key in o if key not in t]
        o = {key: value for key, value in o.items() if key in t}
    if isinstance(o, dict) and isinstance(t, dict) and o.keys() <= t.keys():
        for key, value in t.items():
            if key not in o:
                ops.append(Set((*path, key), value))
            else:
                _diff(rules, (*path, key), (*pattern, key), o[key], value, ops)
        return
    items = _list_diff(rules, path, pattern, o, t)
    if items is not None:
        ops += items
    elif not path:
        raise Unmergeable("the page would not be a mapping of fields")
    else:
        ops.append(Set(path, t))  # a removed key or a reordered list: the value rewritten


def _list_diff(
    rules: dict[tuple[str, ...], str], path: Path, pattern: tuple[str, ...], o: Any, t: Any
) -> list[Op] | None:
    """Item edits turning list `o` into `t` (items that changed place are deleted and
    inserted again, the fewest there can be); None when they are not both lists."""
    if not (isinstance(o, list) and isinstance(t, list)):
        return None
    rule = rules.get(pattern, SET)
    try:
        om, tm = _keyed(o, rule, ""), _keyed(t, rule, "")
    except Unmergeable:
        om, tm = _keyed(o, SET, ""), _keyed(t, SET, "")
    okeys, tkeys = list(om), list(tm)
    stay = _longest_common([k for k in okeys if k in tm], [k for k in tkeys if k in om])
    index = {k: i for i, k in enumerate(okeys) if k in stay}
    ops: list[Op] = [Delete(path, i) for i, k in enumerate(okeys) if k not in stay]
    for j, key in enumerate(tkeys):
        if key in index:
            _diff(rules, (*path, index[key]), (*pattern, "*"), om[key], tm[key], ops)
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
# git's line merge of three strings (base, ours, theirs): the merge, or None on a conflict.
LineMerge = Callable[[str, str, str], "str | None"]


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
        except EditError as exc:
            raise Unmergeable(f"the editor cannot write the merge: {exc}") from None

    def text_for(picks: dict[int, str]) -> str:
        return write(merge_data(kind, newest_first, b, o, t, picks, lines, required)[0])

    merged_data, conflicts = merge_data(kind, newest_first, b, o, t, {}, lines, required)
    merged_text = write(merged_data)
    if conflicts:  # a page with markers is checked once the curator resolves them
        sides = ("theirs", "base") if diff3 else ("theirs",)
        hunks = _hunks(merged_text, len(conflicts), sides, text_for)
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
