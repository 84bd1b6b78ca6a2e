"""`kb merge-claims`: fold duplicate claims together on the page, and in every thesis.

`merge_plan.py` decides on plain data what merges and what each survivor keeps; this module
reads the pages under the KB lock, turns the plan into surgical edits (`yamlio.edit` ops)
of the concept, of every thesis whose citations name a retired id and, with
`--retire-other`, of OTHER, and hands all the new texts to `store.edit_kb`, which
validates them and writes them together or not at all.

What the edits are:
- the concept: each survivor's changed fields (`sources`, `detail`, `evidence`, `merged`)
  are set in place, merged claims deleted, OTHER's new claims and sources appended, and
  one changelog entry names what was merged. Claims outside every group keep their bytes;
- a thesis: in `cites[].claims`, a retired id is replaced by its survivor's id, or deleted
  when the list already names the survivor (a list never names a claim twice);
- with `--from OTHER`, a citation of OTHER that names claims moves to CONCEPT (`concept`
  set, ids mapped to where OTHER's claims now are). A whole-concept citation of OTHER moves
  only with `--retire-other` (without it OTHER keeps its claims, so it still holds), and
  then names the claims OTHER's claims became: what the thesis relied on, no more (citing
  all of CONCEPT would make it stale at every unrelated change of CONCEPT).
  When a move leaves a thesis citing CONCEPT twice, the citations become one (one stamp,
  one review): a whole-concept citation covers the other and is kept; otherwise the first
  that already cited CONCEPT keeps its place and stamp (made from CONCEPT, unlike a moved
  one's) and gains the other's claim ids, without repeats. A citation
  of OTHER naming a claim OTHER does not have (lint's R005) is left alone and reported:
  moving it could make it name an unrelated claim of CONCEPT.

`--retire-other` makes OTHER a redirect: `claims: []`, `redirect: CONCEPT`, a changelog
entry, everything else (title, summary, sources, sections, ...) kept for readers. Each of
OTHER's old claim ids is recorded in the `merged` list of the claim it became on CONCEPT,
so `KbIndex.resolve_claim` (which follows the redirect) and `kb stale` still find it. An
id CONCEPT already uses for another claim cannot be recorded: it is reported, since a
reference to it from outside this KB would now resolve to CONCEPT's claim.

A merge that would change no page is "nothing to merge": no write, no changelog entry, so
running the command twice leaves the files byte for byte as the first run left them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kbcli.changelog import entry_op
from kbcli.config import Config
from kbcli.dates import check_date
from kbcli.errors import KbError, Refused
from kbcli.kb import PageRef, check_id, list_pages, read_text
from kbcli.merge_plan import (
    Choices,
    MergeFromPlan,
    MergePlan,
    apply_merge_from,
    apply_plan,
    id_map,
    plan_merge,
    plan_merge_from,
)
from kbcli.similarity import DEFAULT_THRESHOLD
from kbcli.store import Done, Edit, edit_kb, open_page, splice
from kbcli.yamlio.edit import Delete, Insert, Op, Set
from kbcli.yamlio.load import Document, YamlProblem, parse

Claim = dict[str, Any]


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


@dataclass(frozen=True)
class MergeResult:
    """What `merge_claims` did (or, with `dry_run`, would do)."""

    concept: str
    rel: str
    other: str | None
    dry_run: bool
    plan: tuple[str, ...]  # the plan, as `merge_plan.py` describes it
    theses: tuple[ThesisRewrite, ...] = ()
    notes: tuple[str, ...] = ()
    merged: int = 0  # claims folded into a survivor
    conflicts: int = 0
    retired: bool = False  # OTHER became a redirect
    nothing: str | None = None  # why there is nothing to merge
    merge_plan: MergePlan | None = None  # the groups, held groups and contradictions

    @property
    def held(self) -> bool:
        """Whether groups were held back and nothing else changes (exit 1)."""
        return self.nothing is not None and bool(self.merge_plan and self.merge_plan.held)

    def lines(self) -> list[str]:
        """The report printed for the curator, the plan first."""
        if self.nothing is not None:
            report = self.merge_plan.report() if self.merge_plan else []
            return [f"Nothing to merge in {self.concept}: {self.nothing}", *report]
        source = f"the claims of {self.other} into " if self.other else "duplicate claims in "
        lines = [f"Merging {source}{self.concept} ({self.rel})", *self.plan]
        if self.retired:
            lines.append(f"{self.other} becomes a redirect to {self.concept}")
        if self.theses:
            lines.append(f"Thesis citations {'to rewrite' if self.dry_run else 'rewritten'}:")
            lines += [f"  {t.rel} {c.describe()}" for t in self.theses for c in t.cites]
        lines += [f"note: {note}" for note in self.notes]
        lines.append("Dry run: nothing was written." if self.dry_run else self._summary())
        return lines

    def to_json(self) -> dict[str, Any]:
        """The plan as data (`--format json`): groups with their survivor, merged ids,
        scores and evidence levels; held groups and possible contradictions with the
        reason; thesis citations rewritten; whether anything was written."""
        plan = self.merge_plan
        groups = [
            {
                "survivor": g.survivor_id,
                "merged": list(g.merged_ids),
                "scores": list(g.scores),
                "evidence": {
                    "levels": dict(g.levels),
                    "kept": g.evidence,
                    "decided": g.conflict.decided if g.conflict else None,
                },
                "sources": list(g.sources),
            }
            for g in (plan.groups if plan else ())
        ]
        return {
            "concept": self.concept,
            "from": self.other,
            "threshold": plan.threshold if plan else None,
            "dry_run": self.dry_run,
            "written": not self.dry_run and self.nothing is None,
            "groups": groups,
            "held": [{"claims": list(h.ids), "reason": h.reason} for h in plan.held]
            if plan
            else [],
            "contradictions": [
                {"claims": list(c.ids), "score": c.score, "reason": c.reason}
                for c in (plan.contradictions if plan else ())
            ],
            "theses": [
                {"thesis": t.rel, "citation": c.describe()} for t in self.theses for c in t.cites
            ],
            "notes": list(self.notes),
            "merged": self.merged,
            "nothing": self.nothing,
        }

    def _summary(self) -> str:
        if self.other:
            return f"Merged the claims of {self.other} into {self.concept}."
        return f"Merged {self.merged} claim(s) in {self.concept}."


@dataclass
class _Page:
    ref: PageRef
    doc: Document
    ops: list[Op] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        page: dict[str, Any] = self.doc.data
        return page


@dataclass
class _Draft:
    """The concept's edits and what the theses need to know, before any text is built."""

    plan: list[str]
    maps: dict[str, dict[str, str]]  # cited concept -> {old claim id: id on the target}
    changelog: list[str]
    merged: int
    conflicts: int
    notes: list[str] = field(default_factory=list)
    # cited concept -> the claim ids a whole-concept citation of it names from now on
    whole: dict[str, list[str]] = field(default_factory=dict)
    merge_plan: MergePlan | None = None


def merge_claims(
    root: Path,
    config: Config,
    concept: str,
    date: str,
    *,
    other: str | None = None,
    retire_other: bool = False,
    threshold: float = DEFAULT_THRESHOLD,
    dry_run: bool = False,
    commit: bool = False,
    choices: Choices | None = None,
) -> Done[MergeResult]:
    """Merge duplicate claims of `concept` (or `other`'s claims into it), rewrite the
    thesis citations of every retired id, and write all the pages together. `choices`
    are the curator's (`--only`, `--exclude`, `--pair`, `--evidence`, `--force`, and the
    answers of a curator at a terminal)."""
    _check_args(concept, other, retire_other, threshold)
    chosen = choices or Choices()
    check_date(date)

    def build() -> Edit[MergeResult]:
        target = _open_concept(root, config, concept)
        source = _open_concept(root, config, other) if other is not None else None
        # A dry run stops at the plan: making and checking the new texts is the write's
        # work (it would double the time of a plan on a large page), and the real run
        # still checks every page before writing any.
        result, changes = _merge(
            root, config, target, source, date, threshold, retire_other, chosen, not dry_run
        )
        if dry_run:
            result = replace(result, dry_run=True)
        what = f"of {other} into" if other else "in"
        return Edit(changes, f"kb: merge claims {what} {concept}", result)

    return edit_kb(root, config, build, commit and not dry_run)


def _check_args(concept: str, other: str | None, retire_other: bool, threshold: float) -> None:
    check_id(concept, "concept")
    if not 0 < threshold <= 1:  # also refuses NaN
        raise KbError(f"--threshold must be above 0 and at most 1, got {threshold}")
    if other is None:
        if retire_other:
            raise KbError("--retire-other needs --from OTHER: it retires the concept merged in")
        return
    check_id(other, "concept")
    if other == concept:
        raise KbError(f"--from {other}: a concept cannot be merged into itself")


def _open_concept(root: Path, config: Config, concept: str) -> _Page:
    """A concept page to merge, refused unless it is one kb can plan on safely."""
    ref, doc = open_page(root, config, "concept", concept)
    page = _Page(ref, doc)
    _refuse_invalid(page, config)
    return page


def _refuse_invalid(page: _Page, config: Config) -> None:
    # The plan indexes claims by id and their sources by id: an invalid page (a claim
    # without a statement, a repeated id, an unknown source) could merge the wrong claims.
    from kbcli.rules import local
    from kbcli.schema import validator

    problems = validator("concept", config.evidence_levels).problems(page.data, page.doc.root)
    problems += [p for p in local.duplicate_ids(page.data, page.doc.root) if not _copy(p)]
    problems += [*local.unknown_sources(page.data, page.doc.root)]
    if problems:
        code, message, line, col = problems[0]
        raise KbError(
            f"{code} {message} (fix the page first, see `kb lint`); nothing was written",
            path=page.ref.path,
            line=line,
            col=col,
        )


def _copy(problem: tuple[str, str, int, int]) -> bool:
    # A word-for-word copy of a claim, id included, is one the merge resolves itself.
    return problem[0] == "R002" and "word-for-word copy" in problem[1]


def _merge(
    root: Path,
    config: Config,
    target: _Page,
    other: _Page | None,
    date: str,
    threshold: float,
    retire: bool,
    choices: Choices,
    texts: bool = True,
) -> tuple[MergeResult, dict[Path, str]]:
    concept = target.ref.id
    empty = MergeResult(concept, target.ref.rel, other.ref.id if other else None, False, ())
    if _retired(target, other):
        return _nothing(empty, f"{empty.other} already redirects here"), {}
    levels = config.evidence_levels
    if other is None:
        draft = _draft_within(target, threshold, levels, choices)
    else:
        draft = _draft_from(target, other, threshold, levels, retire, choices)
    empty = replace(empty, merge_plan=draft.merge_plan)
    theses = _rewrite_theses(root, config, concept, other.ref.id if other else None, draft, retire)
    if not target.ops and not theses and not (other and other.ops):
        why = "no duplicate claims" if other is None else f"every claim of {other.ref.id} is here"
        if draft.merge_plan is not None and draft.merge_plan.held:
            why = "every group found is held (see below)"
        return _nothing(empty, f"{why} (threshold {threshold:.2f})"), {}
    pages = [target, *(page for page, _ in theses)]
    if target.ops:
        target.ops.append(entry_op(config, target.data, date, "; ".join(draft.changelog)))
    if other is not None and other.ops:
        text = f"Merged into {concept}: its claims now live there"
        other.ops.append(entry_op(config, other.data, date, text))
        pages.append(other)
    result = MergeResult(
        concept,
        target.ref.rel,
        other.ref.id if other else None,
        False,
        tuple(draft.plan),
        tuple(rewrite for _, rewrite in theses),
        tuple(draft.notes),
        draft.merged,
        draft.conflicts,
        retired=retire,
        merge_plan=draft.merge_plan,
    )
    return result, _texts(pages) if texts else {}


def _retired(target: _Page, other: _Page | None) -> bool:
    """Whether OTHER was retired into the target by an earlier run; refusals for pages
    that redirect elsewhere (their claims live on another concept)."""
    redirect = target.data.get("redirect")
    if isinstance(redirect, str):
        raise Refused(f"concept '{target.ref.id}' was merged into '{redirect}': merge there")
    if other is None:
        return False
    redirect = other.data.get("redirect")
    if isinstance(redirect, str) and redirect != target.ref.id:
        raise Refused(
            f"concept '{other.ref.id}' was merged into '{redirect}' already: "
            f"merge '{redirect}' instead"
        )
    return redirect == target.ref.id and not _claims(other)


def _nothing(empty: MergeResult, why: str) -> MergeResult:
    return replace(empty, nothing=why)


def _texts(pages: Iterable[_Page]) -> dict[Path, str]:
    return {p.ref.path: splice(p.ref, p.doc.text, p.ops) for p in pages if p.ops}


# --- the concept's claims ---------------------------------------------------------------


def _claims(page: _Page) -> list[Claim]:
    claims = page.data.get("claims")
    return claims if isinstance(claims, list) else []


def _sources(page: _Page) -> list[dict[str, Any]]:
    sources = page.data.get("sources")
    return sources if isinstance(sources, list) else []


def _draft_within(
    target: _Page, threshold: float, levels: Sequence[str], choices: Choices
) -> _Draft:
    claims = _claims(target)
    plan = plan_merge(claims, threshold, levels, choices)
    target.ops += _claim_ops(claims, claims, plan, apply_plan(claims, plan))
    merged = sum(len(g.merged_ids) for g in plan.groups)
    return _Draft(
        plan.describe(),
        {target.ref.id: id_map(plan)},
        [f"Merged duplicate claims: {_merges(plan, len(claims))}"],
        merged,
        len(plan.conflicts),
        merge_plan=plan,
    )


def _merges(plan: MergePlan, below: int) -> str:
    """`a-2 into a (evidence: moderate and strong → strong); b-2, b-3 into b` for the
    groups' merged claims with index < below; a word-for-word copy is "a repeated"."""
    pieces = []
    for group in plan.groups:
        pairs = zip(group.merged_indexes, group.merged_ids, strict=True)
        ids = [cid for i, cid in pairs if i < below]
        if not ids:
            continue
        if all(cid == group.survivor_id for cid in ids):
            piece = f"a copy of {group.survivor_id} removed"
        else:
            piece = f"{', '.join(ids)} into {group.survivor_id}"
        if group.conflict is not None:
            piece += f" ({group.conflict.changelog()})"
        pieces.append(piece)
    return "; ".join(pieces)


def _claim_ops(
    target: Sequence[Claim], combined: Sequence[Claim], plan: MergePlan, result: Sequence[Claim]
) -> list[Op]:
    """Edits that turn the target's claims into `result`: `combined` is the target's claims
    followed by any incoming ones, `result` what `apply_plan` made of it. Only survivors'
    changed fields are set; every other claim of the target keeps its text."""
    removed = {i for g in plan.groups for i in g.merged_indexes}
    kept = [i for i in range(len(combined)) if i not in removed]
    ops: list[Op] = []
    for i, claim in zip(kept, result, strict=True):
        if i < len(target):
            old = target[i]
            ops += [Set(("claims", i, k), v) for k, v in claim.items() if old.get(k) != v]
        else:
            ops.append(Insert(("claims",), len(target), claim))
    ops += [Delete(("claims",), i) for i in sorted(removed) if i < len(target)]
    return ops


def _draft_from(
    target: _Page,
    other: _Page,
    threshold: float,
    levels: Sequence[str],
    retire: bool,
    choices: Choices,
) -> _Draft:
    claims, others = _claims(target), _claims(other)
    plan = plan_merge_from(
        claims, _sources(target), others, _sources(other), threshold, levels, choices
    )
    result, sources = apply_merge_from(claims, _sources(target), plan)
    notes: list[str] = []
    if retire:
        result, notes = _record_retired(result, plan, target.ref.id, other.ref.id)
    target.ops += _claim_ops(claims, [*claims, *plan.incoming], plan.plan, result)
    count = len(_sources(target))
    target.ops += [Insert(("sources",), count, source) for source in sources[count:]]
    if retire:
        other.ops += [Delete(("claims",), i) for i in range(len(others))]
        if other.data.get("redirect") != target.ref.id:
            other.ops.append(Set(("redirect",), target.ref.id))
    return _Draft(
        plan.describe(other.ref.id),
        {target.ref.id: dict(plan.target_id_map), other.ref.id: dict(plan.other_id_map)},
        _from_changelog(plan, other.ref.id, retire),
        sum(len(g.merged_ids) for g in plan.plan.groups),
        len(plan.plan.conflicts),
        notes,
        {other.ref.id: [c["id"] for c in others]} if retire else {},
        plan.plan,
    )


def _record_retired(
    result: Sequence[Claim], plan: MergeFromPlan, concept: str, other: str
) -> tuple[list[Claim], list[str]]:
    """`result` with each of OTHER's ids in the `merged` list of the claim it became, so
    references to a retired OTHER resolve through its redirect. An id the target already
    uses cannot be recorded: it is reported instead."""
    taken = {c["id"] for c in result} | {m for c in result for m in c.get("merged") or ()}
    extra: dict[str, list[str]] = {}
    notes = []
    for old, now in plan.other_id_map.items():
        if old == now:
            continue  # the claim kept its id: it resolves as it is
        if old in taken:
            notes.append(
                f"{other}'s claim id '{old}' is now '{now}' on {concept}, which has its own "
                f"'{old}': a reference to {other}'s '{old}' from outside this KB now "
                f"resolves to that claim instead"
            )
            continue
        extra.setdefault(now, []).append(old)
    updated = []
    for claim in result:
        if claim["id"] in extra:
            claim = {**claim, "merged": [*(claim.get("merged") or ()), *extra[claim["id"]]]}
        updated.append(claim)
    return updated, notes


def _from_changelog(plan: MergeFromPlan, other: str, retire: bool) -> list[str]:
    """`Merged claims from OTHER: x into a, y added as y-2; ...` for the changelog."""
    fates = []
    decided = {g.survivor_id: g.conflict for g in plan.plan.groups if g.conflict is not None}
    for old, new in plan.renamed.items():
        now = plan.other_id_map[old]
        if now != new:
            conflict = decided.get(now)
            fates.append(f"{old} into {now}" + (f" ({conflict.changelog()})" if conflict else ""))
        else:
            fates.append(f"{old} added" + ("" if new == old else f" as {new}"))
    fates += [f"{old} already here as {now}" for old, now in plan.already.items()]
    pieces = [f"Merged claims from {other}: {', '.join(fates) or 'none'}"]
    own = _merges(plan.plan, plan.target_count)
    if own:
        pieces.append(f"merged duplicate claims: {own}")
    if plan.new_sources:
        pieces.append(f"sources added: {', '.join(s['id'] for s in plan.new_sources)}")
    if retire:
        pieces.append(f"{other} now redirects here")
    return pieces


# --- thesis citations -------------------------------------------------------------------


def _rewrite_theses(
    root: Path, config: Config, concept: str, other: str | None, draft: _Draft, retire: bool
) -> list[tuple[_Page, ThesisRewrite]]:
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


def _load_thesis(root: Path, config: Config, ref: PageRef, concepts: Sequence[str]) -> _Page | None:
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
    return _Page(ref, doc) if isinstance(doc.data, dict) else None


def _cites(page: _Page) -> list[Any]:
    cites = page.data.get("cites")
    return cites if isinstance(cites, list) else []


def _cite_rewrites(
    page: _Page, concept: str, other: str | None, draft: _Draft, retire: bool
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
    page: _Page,
    index: int,
    cite: dict[str, Any],
    concept: str,
    other: str | None,
    draft: _Draft,
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


def _final_ids(page: _Page, index: int, rewrite: CiteRewrite | None) -> list[str] | None:
    """The claim ids cites[index] names after `rewrite`; None for a whole concept."""
    if rewrite is not None and rewrite.names:
        return list(rewrite.names)
    claims = _cites(page)[index].get("claims")
    if claims is None:
        return None
    renamed = dict(rewrite.renames) if rewrite else {}
    dropped = {old for old, _ in rewrite.dropped} if rewrite else set()
    return [renamed.get(c, c) for c in _ids(claims) if c not in dropped]


def _combine(page: _Page, concept: str, plans: dict[int, CiteRewrite]) -> dict[int, CiteRewrite]:
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


def _cite_ops(page: _Page, rewrite: CiteRewrite) -> list[Op]:
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
