"""The theses' side of `kb merge-claims`: citations of retired claim ids rewritten.

In `cites[].claims`, a retired id is replaced by its survivor's id, or deleted when the
list already names the survivor (a list never names a claim twice). With `--from OTHER`,
a citation of OTHER that names claims moves to CONCEPT, its ids mapped to where OTHER's
claims now are; a whole-concept citation of OTHER moves only with `--retire-other`, and
then names the claims OTHER's claims became. When a move leaves a thesis citing CONCEPT
twice, the citations become one (see `merge_claims` for the rule). Unlike `citations`
(which `kb lint --fix` and `kb review` use on ids already merged), this works from the
id map of the merge being made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.kb import PageRef, list_pages, read_text
from kbcli.merge_draft import Draft, PageEdits
from kbcli.yamlio.edit import Delete, Insert, Op, Set
from kbcli.yamlio.load import YamlProblem, parse


@dataclass(frozen=True)
class CiteRewrite:
    """What happens to one citation of a thesis."""

    index: int  # cites[index]
    concept: str  # the concept it cited
    moved_to: str | None = None  # the concept it cites from now on, when that changes
    renames: tuple[tuple[str, str], ...] = ()  # (old id, new id); new == old: moved as is
    dropped: tuple[tuple[str, str], ...] = ()  # (old id, survivor): survivor already named
    names: tuple[str, ...] = ()  # a whole-concept citation of OTHER now names these
    gains: tuple[str, ...] = ()  # ids taken over from citations combined into this one
    into: int | None = None  # combined into cites[into], and deleted

    def describe(self) -> str:
        where = f"cites[{self.index}] {self.concept}"
        if self.moved_to is not None:
            where += f" -> {self.moved_to}"
        parts = []
        if self.renames:
            parts.append(", ".join(o if o == n else f"{o} -> {n}" for o, n in self.renames))
        parts += [f"{old} dropped ({new} is already cited)" for old, new in self.dropped]
        if self.names:
            parts.append(f"the whole concept -> {', '.join(self.names)}")
        elif self.moved_to is not None and not self.renames:
            parts.append("the whole concept")
        if self.gains:
            parts.append(f"gains {', '.join(self.gains)}")
        if self.into is not None:
            parts.append(f"combined into cites[{self.into}]")
        return f"{where}: {'; '.join(parts)}"


@dataclass(frozen=True)
class ThesisRewrite:
    rel: str
    cites: tuple[CiteRewrite, ...]


def rewrite_theses(
    root: Path, config: Config, concept: str, other: str | None, draft: Draft, retire: bool
) -> list[tuple[PageEdits, ThesisRewrite]]:
    """Every thesis whose citations change, with its ops set, in file order."""
    found = []
    for ref in list_pages(root):
        if ref.kind != "thesis":
            continue
        page = _load_thesis(root, config, ref, (concept, *([other] if other else [])))
        if page is None:
            continue
        rewrites = _cite_rewrites(page, concept, other, draft, retire)
        if rewrites:
            found.append((page, ThesisRewrite(ref.rel, tuple(rewrites))))
    return found


def _load_thesis(
    root: Path, config: Config, ref: PageRef, concepts: Sequence[str]
) -> PageEdits | None:
    """The thesis if it may cite one of `concepts`, else None. The text test is exact:
    an id is a slug, which YAML never needs to escape, so a citation of it shows it."""
    try:
        text = read_text(root, ref, config.max_page_bytes)
        if not any(c in text for c in concepts):
            return None
        doc = parse(text)
    except YamlProblem as exc:
        raise KbError(
            f"{exc.code} {exc.message} (kb must read every thesis to rewrite its citations; "
            "fix it first); nothing was written",
            path=ref.path,
            line=exc.line,
            col=exc.col,
        ) from None
    return PageEdits(ref, doc) if isinstance(doc.data, dict) else None


def _cites(page: PageEdits) -> list[Any]:
    cites = page.data.get("cites")
    return cites if isinstance(cites, list) else []


def _cite_rewrites(
    page: PageEdits, concept: str, other: str | None, draft: Draft, retire: bool
) -> list[CiteRewrite]:
    plans: dict[int, CiteRewrite] = {}
    for i, cite in enumerate(_cites(page)):
        if not isinstance(cite, dict):
            continue
        rewrite = _cite_rewrite(page, i, cite, concept, other, draft, retire)
        if rewrite is not None:
            plans[i] = rewrite
    plans = _combine(page, concept, plans)
    for rewrite in plans.values():
        page.ops += _cite_ops(page, rewrite)
    return list(plans.values())


def _cite_rewrite(
    page: PageEdits,
    index: int,
    cite: dict[str, Any],
    concept: str,
    other: str | None,
    draft: Draft,
    retire: bool,
) -> CiteRewrite | None:
    cited, claims = cite.get("concept"), cite.get("claims")
    if not isinstance(cited, str) or cited not in draft.maps:
        return None
    mapping = draft.maps[cited]
    if cited == concept:
        return _renamed(index, cited, claims, mapping, moved_to=None)
    if claims is None:
        if not retire:
            return None  # OTHER keeps its claims: a whole-concept citation of it holds
        # What the thesis relied on, no more: citing all of CONCEPT would make it stale
        # at every unrelated change of CONCEPT.
        names = tuple(dict.fromkeys(mapping[c] for c in draft.whole[cited]))
        return CiteRewrite(index, cited, moved_to=concept, names=names)
    unknown = [c for c in _ids(claims) if c not in mapping]
    if unknown:
        draft.notes.append(
            f"{page.ref.rel} cites[{index}] still cites {cited}: it names "
            f"{', '.join(unknown)}, which {cited} does not have (see `kb lint`)"
        )
        return None
    return _renamed(index, cited, claims, mapping, moved_to=concept)


def _ids(claims: object) -> list[str]:
    return [c for c in claims if isinstance(c, str)] if isinstance(claims, list) else []


def _renamed(
    index: int, cited: str, claims: object, mapping: dict[str, str], moved_to: str | None
) -> CiteRewrite | None:
    """A claim list's retired ids replaced by their survivors', or deleted where the list
    names that survivor already; with `moved_to`, every id is listed as it now reads."""
    ids = _ids(claims)
    named = {c for c in ids if mapping.get(c, c) == c}
    renames, dropped = [], []
    for old in ids:
        new = mapping.get(old, old)
        if new != old and new in named:
            dropped.append((old, new))
            continue
        if new != old or moved_to is not None:
            renames.append((old, new))
        named.add(new)
    if moved_to is None and not renames and not dropped:
        return None
    return CiteRewrite(index, cited, moved_to, tuple(renames), tuple(dropped))


def _final_ids(page: PageEdits, index: int, rewrite: CiteRewrite | None) -> list[str] | None:
    """The claim ids cites[index] names after `rewrite`; None for a whole concept."""
    if rewrite is not None and rewrite.names:
        return list(rewrite.names)
    claims = _cites(page)[index].get("claims")
    if claims is None:
        return None
    renamed = dict(rewrite.renames) if rewrite else {}
    dropped = {old for old, _ in rewrite.dropped} if rewrite else set()
    return [renamed.get(c, c) for c in _ids(claims) if c not in dropped]


def _combine(
    page: PageEdits, concept: str, plans: dict[int, CiteRewrite]
) -> dict[int, CiteRewrite]:
    """One citation of `concept` per thesis once citations of OTHER moved to it: a
    whole-concept citation is kept (it covers the others); else the first that already
    cited `concept` (or the first moved one), which gains the others' claim ids."""
    if not any(p.moved_to for p in plans.values()):
        return plans
    same = [
        i
        for i, cite in enumerate(_cites(page))
        if isinstance(cite, dict)
        and (cite.get("concept") == concept or (i in plans and plans[i].moved_to))
    ]
    if len(same) < 2:
        return plans
    finals = {i: _final_ids(page, i, plans.get(i)) for i in same}
    whole = [i for i in same if finals[i] is None]
    # The citation that already cited CONCEPT keeps its stamp: it was made from CONCEPT,
    # a moved one's from OTHER, and would make the thesis look stale for no change.
    native = [i for i in same if not (i in plans and plans[i].moved_to)]
    keeper = whole[0] if whole else (native or same)[0]
    combined = dict(plans)
    gains: list[str] = []
    for i in same:
        if i != keeper:
            gains += finals[i] or []
            combined[i] = replace(plans.get(i) or CiteRewrite(i, concept), into=keeper)
    have = set(finals[keeper] or ())
    new = tuple(g for g in dict.fromkeys(gains) if g not in have)
    if not whole and new:
        combined[keeper] = replace(plans.get(keeper) or CiteRewrite(keeper, concept), gains=new)
    return dict(sorted(combined.items()))


def _cite_ops(page: PageEdits, rewrite: CiteRewrite) -> list[Op]:
    i = rewrite.index
    if rewrite.into is not None:  # its comment goes with it, never left orphaned
        return [Delete(("cites",), i, comments=True)]
    ops: list[Op] = []
    if rewrite.moved_to is not None:
        ops.append(Set(("cites", i, "concept"), rewrite.moved_to))
    if rewrite.names:  # the citation had no claim list: it gets one
        return [*ops, Set(("cites", i, "claims"), [*rewrite.names, *rewrite.gains])]
    claims = _ids_or_items(_cites(page)[i].get("claims"))
    renames, dropped = dict(rewrite.renames), dict(rewrite.dropped)
    for j, old in enumerate(claims):
        if not isinstance(old, str):
            continue
        if old in dropped:
            ops.append(Delete(("cites", i, "claims"), j))
        elif renames.get(old, old) != old:
            ops.append(Set(("cites", i, "claims", j), renames[old]))
    ops += [Insert(("cites", i, "claims"), len(claims), cid) for cid in rewrite.gains]
    return ops


def _ids_or_items(claims: object) -> list[object]:
    # Indexes must be the list's own, non-string items (invalid, lint's finding) included.
    return list(claims) if isinstance(claims, list) else []
