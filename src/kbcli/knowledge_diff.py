"""What a change did to the knowledge: two versions of some pages in, page-level changes out.

Plain data in, plain data out: the caller (`diff_sides.knowledge_diff`) finds which files
changed between two revisions and gives their bytes on each side; this module parses them,
says what changed page by page, and (through `diff_stale`) which thesis citations the
change made stale or current.

- Concepts are compared field by field, claims, sources and related concepts by id. A claim
  that disappears while the other side names it in a survivor's `merged:` list was merged.
  A concept that gains `redirect:` was retired (`kb merge-claims --retire-other`).
- A page whose bytes changed but whose data did not was only reformatted: "no change in
  content". What the `material` of a page is comes from `stamps.py` (one definition);
  a material change with no new changelog entry is C005's (`changes.unrecorded_change`).
- Stale theses: `diff_stale.stale_changes` (each citation's `kb stale` status on both sides).
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kbcli.changes import unrecorded_change
from kbcli.diff_data import Data, Loader, Raw, Unreadable, as_list, file_stem, load_version
from kbcli.diff_stale import StaleChange, citations, same_citation, stale_changes
from kbcli.stamps import material

Words = tuple[tuple[str, str], ...]  # (op, text): "=" kept, "-" removed, "+" added


@dataclass(frozen=True)
class Item:
    """One change on a page. `kind` is a stable key (see docs/diff.md); `target` the claim,
    source, concept or field it is about ("" for the page itself)."""

    kind: str
    target: str = ""
    old: str | None = None
    new: str | None = None
    words: Words = ()  # for re-worded text: old and new, word by word
    concept: str | None = None  # a claim merged into another concept: that concept


@dataclass(frozen=True)
class PageDiff:
    kind: str  # "concept" or "thesis"
    id: str
    path: str  # at the new side (the old one for a removed page)
    status: str  # added, removed, modified, renamed, redirected, reformatted, unreadable
    old_path: str | None = None  # for a renamed page
    items: tuple[Item, ...] = ()
    problem: str | None = None  # why a side could not be read
    unrecorded: tuple[str, ...] = ()  # C005: material changes with no new changelog entry
    title: str | None = None


@dataclass(frozen=True)
class FilePair:
    """A changed page file: its path and bytes on each side (None where absent)."""

    old_path: str | None
    new_path: str | None
    old: Raw
    new: Raw


@dataclass
class KnowledgeDiff:
    pages: list[PageDiff] = field(default_factory=list)
    stale: list[StaleChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the knowledge changed (a reformat alone does not count)."""
        return any(p.status != "reformatted" for p in self.pages) or bool(self.stale)


def compare(
    files: Sequence[FilePair],
    concepts: tuple[Mapping[str, Raw], Mapping[str, Raw]],
    theses: Mapping[str, tuple[Raw, Raw]],
    load: Loader,
) -> KnowledgeDiff:
    """The knowledge diff of `files`. For stale theses: `concepts` holds each cited concept's
    bytes on the old and the new side (by id; None: absent), `theses` each thesis to check
    (by path) on both sides. `load` parses a page, raising Unreadable."""
    there = _Elsewhere()  # by concept: its merged claim ids and its claim ids, now
    for pair in files:
        if pair.new_path and pair.new_path.startswith("concepts/"):
            with contextlib.suppress(Unreadable):  # an unreadable page merged nothing
                data = load_version(pair.new, load)
                concept = file_stem(pair.new_path)
                there.merged[concept] = material(data).merged
                there.claims[concept] = set(_by_id((data or {}).get("claims"), "id"))
    result = KnowledgeDiff([_page(p, load, there) for pair in files for p in _split(pair, load)])
    result.pages.sort(key=lambda p: (p.kind != "concept", p.id, p.path))
    result.stale = stale_changes(concepts, theses, load)
    return result


# -- pages -----------------------------------------------------------------------------


def _split(pair: FilePair, load: Loader) -> list[FilePair]:
    """A rename as git pairs files (by similar bytes) is a rename of the page only when the
    two share claims by id (or neither has any): else it is a removal and an addition."""
    if pair.old_path is None or pair.new_path is None or pair.old_path == pair.new_path:
        return [pair]
    try:
        old, new = load_version(pair.old, load), load_version(pair.new, load)
    except Unreadable:
        return [pair]
    was = set(_by_id((old or {}).get("claims"), "id"))
    now = set(_by_id((new or {}).get("claims"), "id"))
    if was & now or not (was or now):
        return [pair]
    return [
        FilePair(pair.old_path, None, pair.old, None),
        FilePair(None, pair.new_path, None, pair.new),
    ]


@dataclass
class _Elsewhere:
    """What the changed concepts hold on the new side, for a page whose claims went there."""

    merged: dict[str, Mapping[str, str]] = field(default_factory=dict)
    claims: dict[str, set[str]] = field(default_factory=dict)


def _page(pair: FilePair, load: Loader, there: _Elsewhere) -> PageDiff:
    path = pair.new_path or pair.old_path or ""
    kind = "thesis" if path.startswith("theses/") else "concept"
    stem = file_stem(path)
    sides: list[Data | None] = []
    for raw, side in ((pair.old, "old"), (pair.new, "new")):
        try:
            sides.append(load_version(raw, load))
        except Unreadable as exc:
            moved = pair.old_path if pair.old_path != path else None
            return PageDiff(kind, stem, path, "unreadable", moved, problem=f"{side}: {exc}")
    old, new = sides
    title = _title(new if new is not None else old)
    if old is None:
        return PageDiff(kind, stem, path, "added", items=_whole(kind, new, "added"), title=title)
    if new is None:
        return PageDiff(
            kind, stem, path, "removed", items=_whole(kind, old, "removed"), title=title
        )
    renamed = pair.old_path is not None and pair.old_path != pair.new_path
    items = tuple(_concept(old, new, there) if kind == "concept" else _thesis(old, new))
    status = "renamed" if renamed else "modified"
    if not renamed and not items:
        status = "reformatted"  # the bytes changed, not what they say
    elif kind == "concept" and not old.get("redirect") and new.get("redirect"):
        status = "redirected"
    unrecorded: tuple[str, ...] = ()
    if kind == "concept":
        unrecorded = tuple(c.message for c in unrecorded_change(old, new))
    return PageDiff(kind, stem, path, status, pair.old_path if renamed else None, items,
                    unrecorded=unrecorded, title=title)  # fmt: skip


def _whole(kind: str, data: Data | None, how: str) -> tuple[Item, ...]:
    """An added or removed concept's claims, in short (a thesis: its citations), with the
    fields each kind of item has on a modified page."""
    if data is None:
        return ()
    if kind == "thesis":
        cites = _cites(data)
        if how == "added":
            return tuple(Item("citation-added", c, new=_claims_text(n)) for c, n in cites)
        return tuple(Item("citation-removed", c, old=_claims_text(n)) for c, n in cites)
    claims = _by_id(data.get("claims"), "id").items()
    if how == "added":
        return tuple(
            Item("claim-added", cid, _text(c.get("evidence")), _text(c.get("statement")))
            for cid, c in claims
        )
    return tuple(Item("claim-removed", cid, old=_text(c.get("statement"))) for cid, c in claims)


def _concept(old: Data, new: Data, there: _Elsewhere) -> list[Item]:
    items = _scalars(old, new, ("title", "status", "redirect"))
    if _text(old.get("summary")) != _text(new.get("summary")):
        items.append(_reworded("summary-changed", "", old.get("summary"), new.get("summary")))
    items += _sets("alias", old.get("aliases"), new.get("aliases"))
    items += _sets("question", old.get("open_questions"), new.get("open_questions"))
    items += _claims(old, new, there)
    items += _sources(old, new)
    items += _keyed("related", old.get("related"), new.get("related"), "concept", "note")
    items += _keyed("section", old.get("sections"), new.get("sections"), "heading", "body")
    items += _changelog(old, new)
    handled = {"id", "title", "status", "redirect", "summary", "aliases", "open_questions",
               "claims", "sources", "related", "sections", "changelog"}  # fmt: skip
    return items + _others(old, new, handled)


def _claims(old: Data, new: Data, there: _Elsewhere) -> list[Item]:
    """Claims by id. A claim gone from the page was merged when a survivor's `merged:` list
    names it, on this page or, for a page made a redirect, on the page it redirects to
    (moved, when that page now has a claim of its id). A survivor whose `merged:` list
    gained the id of a claim that was never on this page had it merged in from another."""
    before, after = _by_id(old.get("claims"), "id"), _by_id(new.get("claims"), "id")
    target = new.get("redirect") if isinstance(new.get("redirect"), str) else None
    into_other = there.merged.get(target, {}) if target else {}
    merged_here, merged_before = material(new).merged, material(old).merged
    merged_in: dict[str, list[str]] = {}  # survivor: the ids merged in from elsewhere
    for mid, survivor in merged_here.items():
        if mid not in before and mid not in merged_before:
            merged_in.setdefault(survivor, []).append(mid)
    items: list[Item] = []
    for cid, claim in before.items():
        if cid in after:
            continue
        if cid in merged_here:
            items.append(Item("claim-merged", cid, new=merged_here[cid]))
        elif cid in into_other:
            items.append(Item("claim-merged", cid, new=into_other[cid], concept=target))
        elif target and cid in there.claims.get(target, ()):
            items.append(
                Item("claim-moved", cid, old=_text(claim.get("statement")), concept=target)
            )
        else:
            items.append(Item("claim-removed", cid, old=_text(claim.get("statement"))))
    for cid, claim in after.items():
        if cid not in before:
            statement, evidence = _text(claim.get("statement")), _text(claim.get("evidence"))
            items.append(Item("claim-added", cid, new=statement, old=evidence))
        else:
            items += _claim(cid, before[cid], claim)
            items += [Item("claim-merged-in", mid, new=cid) for mid in merged_in.get(cid, ())]
    return items


def _claim(cid: str, old: Data, new: Data) -> list[Item]:
    items = []
    if _text(old.get("statement")) != _text(new.get("statement")):
        items.append(_reworded("claim-reworded", cid, old.get("statement"), new.get("statement")))
    if _text(old.get("evidence")) != _text(new.get("evidence")):
        items.append(
            Item("evidence-changed", cid, _text(old.get("evidence")), _text(new.get("evidence")))
        )
    was, now = _strings(old.get("sources")), _strings(new.get("sources"))
    items += [Item("claim-source-added", cid, new=s) for s in now if s not in was]
    items += [Item("claim-source-removed", cid, old=s) for s in was if s not in now]
    if _text(old.get("detail")) != _text(new.get("detail")):
        old_detail, new_detail = _text(old.get("detail")), _text(new.get("detail"))
        items.append(Item("detail-changed", cid, old_detail or None, new_detail or None))
    return items


def _sources(old: Data, new: Data) -> list[Item]:
    before, after = _by_id(old.get("sources"), "id"), _by_id(new.get("sources"), "id")
    items = [Item("source-removed", s, old=_text(v.get("title"))) for s, v in before.items()
             if s not in after]  # fmt: skip
    for sid, src in after.items():
        if sid not in before:
            items.append(Item("source-added", sid, new=_text(src.get("title"))))
            continue
        for key, kind in (("title", "source-retitled"), ("url", "source-readdressed")):
            if _text(before[sid].get(key)) != _text(src.get(key)):
                was, now = _text(before[sid].get(key)), _text(src.get(key))
                items.append(Item(kind, sid, was or None, now or None))
    return items


def _keyed(name: str, old: object, new: object, key: str, value: str) -> list[Item]:
    """Related concepts (by concept) or sections (by heading): added, removed, changed."""
    before, after = _by_id(old, key), _by_id(new, key)
    items = [Item(f"{name}-removed", k) for k in before if k not in after]
    for k, entry in after.items():
        now = _text(entry.get(value))
        if k not in before:
            items.append(Item(f"{name}-added", k, new=now or None))
        elif _text(before[k].get(value)) != now:
            items.append(Item(f"{name}-changed", k, _text(before[k].get(value)) or None, now))
    return items


def _changelog(old: Data, new: Data) -> list[Item]:
    """Entries added, removed, or changed (one gone and one new of the same date)."""
    was = [e for e in as_list(old.get("changelog")) if isinstance(e, dict)]
    now = [e for e in as_list(new.get("changelog")) if isinstance(e, dict)]
    gone = [e for e in was if e not in now]
    items = []
    for entry in (e for e in now if e not in was):
        date = _text(entry.get("date"))
        before = next((e for e in gone if _text(e.get("date")) == date), None)
        if before is None:
            items.append(Item("changelog-added", date, new=_text(entry.get("text"))))
            continue
        gone.remove(before)
        items.append(Item("changelog-changed", date, _text(before.get("text")),
                          _text(entry.get("text"))))  # fmt: skip
    items += [Item("changelog-removed", _text(e.get("date")), _text(e.get("text"))) for e in gone]
    return items


def _thesis(old: Data, new: Data) -> list[Item]:
    items = _scalars(old, new, ("title", "score", "scored"))
    if _text(old.get("position")) != _text(new.get("position")):
        items.append(_reworded("position-changed", "", old.get("position"), new.get("position")))
    before, after = citations(old), citations(new)
    gone = [c for c in before if same_citation(c, after, before) is None]
    for concept, claims, _ in gone:
        items.append(Item("citation-removed", concept, old=_claims_text(claims)))
    for cite in after:
        concept, claims, stamp = cite
        was = same_citation(cite, before, after)
        if was is None:
            items.append(Item("citation-added", concept, new=_claims_text(claims)))
            continue
        if claims != was[1]:
            items.append(Item("citation-claims-changed", concept, _claims_text(was[1]),
                              _claims_text(claims)))  # fmt: skip
        if was[2] is not None and stamp is None:
            items.append(Item("stamp-removed", concept))
        elif was[2] != stamp:
            items.append(Item("re-reviewed", concept))
    handled = {"id", "title", "score", "scored", "position", "cites"}
    return items + _others(old, new, handled)


def _scalars(old: Data, new: Data, keys: Sequence[str]) -> list[Item]:
    kinds = {"score": "score-changed", "scored": "scored-changed"}
    return [
        Item(kinds.get(key, f"{key}-changed"), "", _text(old.get(key)) or None,
             _text(new.get(key)) or None)
        for key in keys
        if _text(old.get(key)) != _text(new.get(key))
    ]  # fmt: skip


def _others(old: Data, new: Data, handled: set[str]) -> list[Item]:
    keys = sorted({str(k) for k in (*old, *new)} - handled)
    return [Item("field-changed", k) for k in keys if old.get(k) != new.get(k)]


def _reworded(kind: str, target: str, old: object, new: object) -> Item:
    was, now = _text(old), _text(new)
    return Item(kind, target, was, now, word_diff(was, now))


def word_diff(old: str, new: str) -> Words:
    """`old` and `new` word by word (punctuation apart, spacing ignored): runs kept ("="),
    removed ("-") and added ("+"). The kept and removed runs joined give `old`, the kept and
    added ones `new`, up to spacing; a changed run has no space at either end."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    out: list[tuple[str, str]] = []

    def put(op: str, text: str) -> None:
        if op != "=":
            body = text.strip()
            if not (op == "+" and out and out[-1][0] == "-"):  # a replacement: space once
                put("=", text[: len(text) - len(text.lstrip())])
            if body:
                out.append((op, body))
        elif text:
            if out and out[-1][0] == "=":
                out[-1] = ("=", out[-1][1] + text)
            else:
                out.append(("=", text))

    words_a, words_b = [t.lstrip() for t in a], [t.lstrip() for t in b]
    matcher = difflib.SequenceMatcher(None, words_a, words_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            put("=", "".join(b[j1:j2]))
            continue
        put("-", "".join(a[i1:i2]))
        put("+", "".join(b[j1:j2]))
    return tuple(out)


_TOKENS = re.compile(r"\s*(?:\w+|[^\w\s])")  # a word or a mark, with the space before it


def _sets(name: str, old: object, new: object) -> list[Item]:
    was, now = _strings(old), _strings(new)
    return [Item(f"{name}-removed", x) for x in was if x not in now] + [
        Item(f"{name}-added", x) for x in now if x not in was
    ]


# -- small readers of plain data -------------------------------------------------------


def _title(data: Data | None) -> str | None:
    return data.get("title") if data is not None and isinstance(data.get("title"), str) else None


def _cites(data: Data) -> list[tuple[str, tuple[str, ...] | None]]:
    return [(concept, claims) for concept, claims, _ in citations(data)]


def _claims_text(claims: tuple[str, ...] | None) -> str | None:
    return None if claims is None else ", ".join(claims)


def _by_id(value: object, key: str) -> dict[str, Data]:
    out: dict[str, Data] = {}
    for entry in as_list(value):
        if isinstance(entry, dict) and isinstance(entry.get(key), str):
            out.setdefault(entry[key], entry)  # a repeated id is lint's finding
    return out


def _strings(value: object) -> list[str]:
    items = value if isinstance(value, list) else [] if value is None else [value]
    return list(dict.fromkeys(_text(x) for x in items))


def _text(value: object) -> str:
    from kbcli.stamps import layout_free

    return layout_free(value)
