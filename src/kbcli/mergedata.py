"""Three versions of a page's data merged by meaning: the decision of `kb merge-file`
(`threeway` writes it as edits of OURS' text).

What "the same thing" is, by field (everything else is one value, merged three-way: a side
that changed it wins over one that did not; both changed it alike: taken; differently: a
conflict for that field alone; a field removed is changed):
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
different content, is a conflict; so is a field the page must have removed on one side.
Items new on one side go after the item they follow there, and after the other side's new
items at that place (ours first). A list reordered on theirs alone takes theirs' order;
reordered on both sides, OURS' order stands.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# git's line merge of three strings (base, ours, theirs): the merge, or None on a conflict.
LineMerge = Callable[[str, str, str], "str | None"]

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
        bm, om, tm = (keyed(items, rule, where) for items in (b, o, t))
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


def keyed(items: list[Any], rule: str, where: str) -> dict[Any, Any]:
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
