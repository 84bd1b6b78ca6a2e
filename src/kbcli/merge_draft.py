"""The concept's side of `kb merge-claims`: the plan turned into edits of its page.

Within one concept (`draft_within`) the plan's survivors get their changed fields set in
place and the merged claims are deleted; claims outside every group keep their bytes.
From OTHER (`draft_from`), OTHER's claims and new sources are appended as the plan says
and, with `--retire-other`, OTHER's claims are deleted, it gets `redirect: CONCEPT`, and
each of its old claim ids is recorded in the `merged` list of the claim it became. A
`Draft` holds these edits and what the thesis citations need to know: where every old
claim id now leads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kbcli.kb import PageRef
from kbcli.merge_from_plan import MergeFromPlan, apply_merge_from, plan_merge_from
from kbcli.merge_plan import Choices, MergePlan, apply_plan, id_map, plan_merge
from kbcli.yamlio.edit import Delete, Insert, Op, Set
from kbcli.yamlio.load import Document

Claim = dict[str, Any]


@dataclass
class PageEdits:
    """A page read for the merge, and the edits planned for it so far."""

    ref: PageRef
    doc: Document
    ops: list[Op] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        page: dict[str, Any] = self.doc.data
        return page


@dataclass
class Draft:
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


def page_claims(page: PageEdits) -> list[Claim]:
    claims = page.data.get("claims")
    return claims if isinstance(claims, list) else []


def _sources(page: PageEdits) -> list[dict[str, Any]]:
    sources = page.data.get("sources")
    return sources if isinstance(sources, list) else []


def draft_within(
    target: PageEdits, threshold: float, levels: Sequence[str], choices: Choices
) -> Draft:
    claims = page_claims(target)
    plan = plan_merge(claims, threshold, levels, choices)
    target.ops += _claim_ops(claims, claims, plan, apply_plan(claims, plan))
    merged = sum(len(g.merged_ids) for g in plan.groups)
    return Draft(
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


def draft_from(
    target: PageEdits,
    other: PageEdits,
    threshold: float,
    levels: Sequence[str],
    retire: bool,
    choices: Choices,
) -> Draft:
    claims, others = page_claims(target), page_claims(other)
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
    return Draft(
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
