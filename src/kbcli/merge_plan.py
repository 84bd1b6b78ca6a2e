"""Planning `kb merge-claims` on plain data: which claims merge, and what the survivor keeps.

Claims are dicts as the concept schema describes them (`id`, `statement`, `detail`,
`evidence`, `sources`, `added`, `merged`). Nothing here reads or writes files: the command
loads the pages, calls `plan_merge` (or `merge_from_plan.plan_merge_from`), prints
`describe()` for `--dry-run`, and otherwise writes `apply_plan`'s claims and rewrites
thesis citations with the id map.

What a merge keeps, per group (the first claim of the group survives):
- sources: the union, survivor's first, in order, no repeats;
- detail: the survivor's, then every other distinct non-empty detail appended. A detail
  already contained in the text (compared after `normalise`, as whole words) is not
  repeated. Pieces are joined with a space after a full stop (details are usually
  sentences), else with "; ", so the joined text reads as prose and each piece is kept
  verbatim;
- evidence: when the claims' levels differ, never chosen silently: the group is held
  unless `evidence` says "strongest", "weakest" (levels unknown to the KB rank weakest) or
  names a level, or `decide` (a curator at a terminal) answers; the decision is recorded,
  with each claim's level;
- merged: the survivor's own merged ids, then each merged claim's id and its merged ids,
  so every id that ever named one of these claims still resolves to the survivor.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kbcli.merge_choices import (
    Choices,
    Contradiction,
    EvidenceConflict,
    HeldGroup,
    confirmed,
    decided,
    pair_groups,
    resolved,
    with_copies,
)
from kbcli.similarity import DEFAULT_THRESHOLD, compare, normalise, similarity

__all__ = ["Choices", "Contradiction", "EvidenceConflict", "HeldGroup"]

Claim = dict[str, Any]
Source = dict[str, Any]

_SENTENCE_END = re.compile(r"[.!?][\"')\]]*$")


@dataclass(frozen=True)
class GroupPlan:
    """One group of duplicates and the survivor's fields after the merge."""

    survivor_index: int
    survivor_id: str
    statement: str
    merged_indexes: tuple[int, ...]
    merged_ids: tuple[str, ...]
    merged_statements: tuple[str, ...]
    scores: tuple[float, ...]  # each merged statement's similarity to the survivor's
    sources: tuple[str, ...]
    detail: str | None
    evidence: str
    merged: tuple[str, ...]
    retired: tuple[str, ...]  # ids that resolve to the survivor from now on
    # What the survivor gains, for the dry-run.
    gained_sources: tuple[str, ...]
    gained_details: tuple[str, ...]
    previous_evidence: str
    conflict: EvidenceConflict | None
    levels: tuple[tuple[str, str], ...] = ()  # (claim id, level), in group order

    def describe(self, names: Mapping[str, str] | None = None) -> list[str]:
        """The group for a curator; `names` shows merged ids otherwise (`--from`: an
        incoming claim by its id on OTHER, not the id it was renamed to for planning)."""
        lines = [f"{self.survivor_id} survives: {self.statement!r}"]
        for cid, statement, score in zip(
            self.merged_ids, self.merged_statements, self.scores, strict=True
        ):
            shown = (names or {}).get(cid, cid)
            lines.append(f"  merges {shown} (similarity {score:.2f}): {statement!r}")
        if self.gained_sources:
            lines.append(f"  gains sources: {', '.join(self.gained_sources)}")
        lines.extend(f"  gains detail: {detail!r}" for detail in self.gained_details)
        if self.evidence != self.previous_evidence:
            lines.append(f"  evidence: {self.previous_evidence} -> {self.evidence}")
        if self.conflict is not None:
            lines.append(f"  {self.conflict.describe()}")
        return lines


@dataclass(frozen=True)
class MergePlan:
    """Every group of a concept's claims that will merge; empty when there is nothing to do.
    Groups held back and possible contradictions are reported beside it."""

    groups: tuple[GroupPlan, ...]
    threshold: float
    held: tuple[HeldGroup, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()

    @property
    def changes(self) -> bool:
        return bool(self.groups)

    @property
    def conflicts(self) -> tuple[EvidenceConflict, ...]:
        return tuple(g.conflict for g in self.groups if g.conflict is not None)

    def describe(self, names: Mapping[str, str] | None = None) -> list[str]:
        if not self.groups:
            lines = [f"no duplicate claims (threshold {self.threshold:.2f})"]
        else:
            merged = sum(len(g.merged_ids) for g in self.groups)
            lines = [
                f"{len(self.groups)} group(s), {merged} claim(s) merged "
                f"(threshold {self.threshold:.2f}):"
            ]
        for group in self.groups:
            lines.extend(group.describe(names))
        return lines + self.report()

    def report(self) -> list[str]:
        """What is not merged and why: held groups, possible contradictions."""
        shown = [c.describe() for c in self.contradictions[:_CONTRADICTIONS_SHOWN]]
        more = len(self.contradictions) - len(shown)
        if more:  # n claims that differ only in a number are n * (n - 1) / 2 pairs
            shown.append(
                f"... and {more} more possible contradictions "
                "(see kb lint, or --format json for all)"
            )
        return [h.describe() for h in self.held] + shown


_CONTRADICTIONS_SHOWN = 20


def plan_merge(
    claims: Sequence[Mapping[str, Any]],
    threshold: float = DEFAULT_THRESHOLD,
    evidence_levels: Sequence[str] = ("strong", "moderate", "weak"),
    choices: Choices | None = None,
    *,
    foreign: frozenset[int] = frozenset(),
) -> MergePlan:
    """Plan the merge of duplicate claims: groups from `similarity.compare` on the
    statements (or the curator's `choices`), the first claim of each group surviving.
    `evidence_levels` is strongest first. `foreign`: the indexes of claims brought from
    another concept (`merge_from_plan`), whose ids never named a claim here and so are
    not recorded in `merged` lists."""
    choices = choices or Choices()
    by_pair = bool(choices.pairs)  # even when every pair was merged already
    choices = resolved(claims, evidence_levels, choices)
    eligible = [i for i, c in enumerate(claims) if c["id"] not in choices.exclude]
    found = compare([str(claims[i]["statement"]) for i in eligible], threshold)
    ids = [str(claims[i]["id"]) for i in eligible]
    contradictions = tuple(
        Contradiction((ids[c.first], ids[c.second]), c.score, c.reason)
        for c in found.contradictions
    )
    held = [
        HeldGroup(
            tuple(ids[k] for k in h.group),
            f"'{ids[h.first]}' and '{ids[h.second]}' say different things ({h.reason}); "
            "merge what belongs together with --pair",
        )
        for h in found.held
    ]
    if by_pair:
        groups, held = pair_groups(claims, choices), []
    else:
        groups = [[eligible[k] for k in g] for g in found.groups]
    if choices.only:
        groups = [g for g in groups if any(claims[i]["id"] in choices.only for i in g)]
        held = [h for h in held if set(h.ids) & set(choices.only)]
    groups = with_copies(claims, groups)
    planned = []
    for group in groups:
        plan = _plan_group(claims, group, evidence_levels, foreign, choices)
        if isinstance(plan, HeldGroup):
            held.append(plan)
        else:
            planned.append(plan)
    return MergePlan(tuple(planned), threshold, tuple(held), contradictions)


def _plan_group(
    claims: Sequence[Mapping[str, Any]],
    group: Sequence[int],
    evidence_levels: Sequence[str],
    foreign: frozenset[int],
    choices: Choices,
) -> GroupPlan | HeldGroup:
    survivor, others = claims[group[0]], [claims[i] for i in group[1:]]
    members = [survivor, *others]
    sources = _unique(s for c in members for s in c.get("sources") or ())
    detail, gained_details = _join_details([c.get("detail") for c in members])
    levels = tuple((str(c["id"]), str(c["evidence"])) for c in members)
    evidence, conflict = decided(levels, evidence_levels, choices.evidence)
    foreign_ids = {claims[i]["id"] for i in group[1:] if i in foreign}
    retired, merged = _merged_ids(survivor, others, foreign_ids)
    plan = GroupPlan(
        survivor_index=group[0],
        survivor_id=survivor["id"],
        statement=survivor["statement"],
        merged_indexes=tuple(group[1:]),
        merged_ids=tuple(c["id"] for c in others),
        merged_statements=tuple(c["statement"] for c in others),
        scores=tuple(similarity(survivor["statement"], c["statement"]) for c in others),
        sources=sources,
        detail=detail,
        evidence=survivor["evidence"] if evidence is None else evidence,
        merged=merged,
        retired=retired,
        gained_sources=tuple(s for s in sources if s not in (survivor.get("sources") or ())),
        gained_details=gained_details,
        previous_evidence=survivor["evidence"],
        conflict=conflict,
        levels=levels,
    )
    return confirmed(plan, choices, evidence is None, evidence_levels)


def _merged_ids(
    survivor: Mapping[str, Any], others: Sequence[Mapping[str, Any]], foreign_ids: set[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ids the merge retires (each merged claim's id and merged ids), and the
    survivor's new `merged` list."""
    retired = _unique(
        x for c in others for x in (c["id"], *(c.get("merged") or ())) if x != survivor["id"]
    )
    # Ids from another concept (`--from`) never named a claim of this one: not recorded.
    merged = _unique(m for m in (*(survivor.get("merged") or ()), *retired) if m not in foreign_ids)
    return retired, merged


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def detail_contains(text: str, detail: str) -> bool:
    """Whether `detail` already reads in `text`: as whole words after `normalise`, so a
    change of case, quotes or a final full stop does not make a detail new."""
    needle = normalise(detail)
    if not needle:  # punctuation only: nothing to normalise, compare as written
        return detail.strip() in text
    pattern = r"(?<!\w)" + re.escape(needle) + r"(?!\w)"
    return re.search(pattern, normalise(text)) is not None


def _join_details(details: Sequence[object]) -> tuple[str | None, tuple[str, ...]]:
    """The merged detail (None when no claim has one) and the pieces the survivor gains."""
    text: str | None = None
    gained: list[str] = []
    for i, raw in enumerate(details):
        piece = raw.strip() if isinstance(raw, str) else ""
        if not piece or (text is not None and detail_contains(text, piece)):
            continue
        text = piece if text is None else text + _separator(text) + piece
        if i > 0:
            gained.append(piece)
    return text, tuple(gained)


def _separator(text: str) -> str:
    # Details are mostly sentences: after a full stop a space reads as prose; a fragment
    # without one needs a visible break.
    return " " if _SENTENCE_END.search(text) else "; "


def apply_plan(claims: Sequence[Claim], plan: MergePlan) -> list[Claim]:
    """The claim list after the merge: each survivor updated in its own position, merged
    claims removed, every other claim the very object it was."""
    _check_fits(claims, plan)
    updates = {g.survivor_index: g for g in plan.groups}
    removed = {i for g in plan.groups for i in g.merged_indexes}
    result: list[Claim] = []
    for i, claim in enumerate(claims):
        if i in removed:
            continue
        group = updates.get(i)
        result.append(claim if group is None else _survivor(claim, group))
    return result


def _check_fits(claims: Sequence[Claim], plan: MergePlan) -> None:
    # A plan applied to another list would merge the wrong claims, silently.
    for g in plan.groups:
        indexes = (g.survivor_index, *g.merged_indexes)
        ids = (g.survivor_id, *g.merged_ids)
        if max(indexes) >= len(claims) or any(
            claims[i].get("id") != x for i, x in zip(indexes, ids, strict=True)
        ):
            raise ValueError(f"the plan does not fit these claims (group of {g.survivor_id})")


def _survivor(claim: Claim, group: GroupPlan) -> Claim:
    # Updating a copy keeps the claim's key order; new keys (detail, merged) go last.
    updated = dict(claim)
    updated["sources"] = list(group.sources)
    updated["evidence"] = group.evidence
    if group.detail is not None:
        updated["detail"] = group.detail
    if group.merged:
        updated["merged"] = list(group.merged)
    return updated


def id_map(plan: MergePlan) -> dict[str, str]:
    """Old claim id -> survivor id, for every id the merge retires (merged claims' ids and
    the ids already merged into them): what thesis citations are rewritten with."""
    return {old: g.survivor_id for g in plan.groups for old in g.retired}
