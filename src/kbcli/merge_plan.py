"""Planning `kb merge-claims` on plain data: which claims merge, and what the survivor keeps.

Claims are dicts as the concept schema describes them (`id`, `statement`, `detail`, `evidence`,
`sources`, `added`, `merged`). Nothing here reads or writes files: the command loads the
pages, calls `plan_merge` or `plan_merge_from`, prints `describe()` for `--dry-run`, and
otherwise writes `apply_plan`'s claims and rewrites thesis citations with the id map.

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
from dataclasses import dataclass, field
from typing import Any

from kbcli.kb import unique_id
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
) -> MergePlan:
    """Plan the merge of duplicate claims: groups from `similarity.compare` on the
    statements (or the curator's `choices`), the first claim of each group surviving.
    `evidence_levels` is strongest first."""
    return _plan(claims, threshold, evidence_levels, frozenset(), choices or Choices())


def _plan(
    claims: Sequence[Mapping[str, Any]],
    threshold: float,
    evidence_levels: Sequence[str],
    foreign: frozenset[int],
    choices: Choices,
) -> MergePlan:
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


@dataclass(frozen=True)
class MergeFromPlan:
    """Bringing another concept's claims and sources into a target concept.

    OTHER's claims are renamed into the target's namespace (`renamed`), their sources
    rewritten to target source ids (`source_map`), and placed after the target's claims
    (`incoming`); `plan` then merges duplicates across the combined list, so an incoming
    claim that duplicates a target claim merges into it and the rest are appended. Incoming
    ids are not recorded in `merged` lists (they never named a claim of the target); theses
    citing OTHER's claims are rewritten with `other_id_map` instead.
    """

    source_map: Mapping[str, str]  # OTHER source id -> target source id
    new_sources: tuple[Source, ...]  # OTHER's sources the target gains, with their new ids
    renamed: Mapping[str, str]  # OTHER claim id -> its id in the target, before merging
    incoming: tuple[Claim, ...]  # OTHER's claims as they join the target
    target_count: int  # `plan` indexes below this are the target's claims
    plan: MergePlan  # over the target's claims followed by `incoming`
    target_id_map: Mapping[str, str]  # target claim id -> survivor, for the target's theses
    other_id_map: Mapping[str, str]  # every OTHER claim (and merged) id -> its claim id now
    already: Mapping[str, str] = field(default_factory=dict)  # OTHER id -> target claim

    def describe(self, other: str | None = None) -> list[str]:
        """The plan for a curator. With `other` (OTHER's id), a merged incoming claim is
        shown as `<other>'s <its id there>` rather than by its planning id."""
        new_ids = {s["id"] for s in self.new_sources}
        lines = [
            f"source {old} added as {new}" if new in new_ids else f"source {old} is {new}"
            for old, new in self.source_map.items()
        ]
        into = {i: g.survivor_id for g in self.plan.groups for i in g.merged_indexes}
        lines += [f"claim {old} is already here as {new}" for old, new in self.already.items()]
        for k, (old, new) in enumerate(self.renamed.items()):
            survivor = into.get(self.target_count + k)
            fate = f"appended as {new}" if survivor is None else f"merges into {survivor}"
            lines.append(f"claim {old} {fate}")
        names = {new: f"{other}'s {old}" for old, new in self.renamed.items()} if other else None
        return lines + self.plan.describe(names)


def plan_merge_from(
    target_claims: Sequence[Mapping[str, Any]],
    target_sources: Sequence[Mapping[str, Any]],
    other_claims: Sequence[Mapping[str, Any]],
    other_sources: Sequence[Mapping[str, Any]],
    threshold: float = DEFAULT_THRESHOLD,
    evidence_levels: Sequence[str] = ("strong", "moderate", "weak"),
    choices: Choices | None = None,
) -> MergeFromPlan:
    """Plan merging OTHER's claims and sources into the target concept.

    A source of OTHER with the same url (or else the same title, after `normalise`) as a
    target source is that source; any other keeps its id if the target does not use it,
    else gets `<id>-2`, `<id>-3`, ... Claim ids are made unique the same way against the
    target's claim ids and merged ids. Raises ValueError when an OTHER claim cites a source
    OTHER does not have (validate pages first).
    """
    source_map, new_sources = _map_sources(target_sources, other_sources)
    taken = {c["id"] for c in target_claims}
    taken.update(m for c in target_claims for m in c.get("merged") or ())
    already = _already_here(target_claims, other_claims, source_map)
    renamed: dict[str, str] = {}
    for claim in other_claims:
        if claim["id"] not in already:
            renamed[claim["id"]] = unique_id(claim["id"], taken)
            taken.add(renamed[claim["id"]])
    incoming = tuple(
        _incoming(c, renamed[c["id"]], source_map) for c in other_claims if c["id"] in renamed
    )
    count = len(target_claims)
    foreign = frozenset(range(count, count + len(incoming)))
    combined = [*target_claims, *incoming]
    plan = _plan(combined, threshold, evidence_levels, foreign, choices or Choices())
    retired = id_map(plan)
    target_ids = {c["id"] for c in target_claims}
    target_ids.update(m for c in target_claims for m in c.get("merged") or ())
    other_id_map: dict[str, str] = {}
    for claim in other_claims:
        now = already.get(claim["id"]) or renamed[claim["id"]]
        now = retired.get(now, now)
        for old in (claim["id"], *(claim.get("merged") or ())):
            other_id_map.setdefault(old, now)
    return MergeFromPlan(
        source_map=source_map,
        new_sources=new_sources,
        renamed=renamed,
        incoming=incoming,
        target_count=count,
        plan=plan,
        target_id_map={k: v for k, v in retired.items() if k in target_ids},
        other_id_map=other_id_map,
        already=already,
    )


def _already_here(
    target_claims: Sequence[Mapping[str, Any]],
    other_claims: Sequence[Mapping[str, Any]],
    source_map: Mapping[str, str],
) -> dict[str, str]:
    """OTHER claim id -> the target claim that already holds all of it: the same
    statement (after `normalise`), the same evidence, its sources and its detail. Such a
    claim needs no merge and no decision (a group held for its evidence brought its
    incoming claims over as they were; a second run finds them here)."""
    found = {}
    for claim in other_claims:
        sources = {source_map.get(s, s) for s in claim.get("sources") or ()}
        for target in target_claims:
            if (
                normalise(str(target["statement"])) == normalise(str(claim["statement"]))
                and target["evidence"] == claim["evidence"]
                and sources <= set(target.get("sources") or ())
                and _detail_in(target.get("detail"), claim.get("detail"))
            ):
                found[claim["id"]] = str(target["id"])
                break
    return found


def _detail_in(text: object, detail: object) -> bool:
    if not isinstance(detail, str) or not detail.strip():
        return True
    return isinstance(text, str) and detail_contains(text, detail)


def apply_merge_from(
    target_claims: Sequence[Claim], target_sources: Sequence[Source], plan: MergeFromPlan
) -> tuple[list[Claim], list[Source]]:
    """The target's claims and sources after `plan`: OTHER's new sources appended, claims
    merged and appended as planned."""
    claims = apply_plan([*target_claims, *plan.incoming], plan.plan)
    return claims, [*target_sources, *plan.new_sources]


def _matching_source(
    source: Mapping[str, Any], target_sources: Sequence[Mapping[str, Any]]
) -> str | None:
    """The id of the target source that is `source`: same url first, else same title."""
    url = _url_key(source.get("url"))
    title = normalise(str(source.get("title") or ""))
    by_url = [t for t in target_sources if url and _url_key(t.get("url")) == url]
    by_title = [
        t for t in target_sources if title and normalise(str(t.get("title") or "")) == title
    ]
    found = by_url or by_title
    return str(found[0]["id"]) if found else None


def _url_key(url: object) -> str:
    # A trailing slash or a different case of scheme and host is the same page.
    if not isinstance(url, str) or not url.strip():
        return ""
    head, sep, rest = url.strip().rstrip("/").partition("://")
    host, slash, path = rest.partition("/")
    return head.lower() + sep + host.lower() + slash + path if sep else head


def _map_sources(
    target_sources: Sequence[Mapping[str, Any]], other_sources: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, str], tuple[Source, ...]]:
    source_map: dict[str, str] = {}
    new_sources: list[Source] = []
    taken = {s["id"] for s in target_sources}
    for source in other_sources:
        # Compare with the target's sources only: OTHER's own are distinct by definition.
        same = _matching_source(source, target_sources)
        if same is None:
            same = unique_id(source["id"], taken)
            taken.add(same)
            new_sources.append({**source, "id": same})
        source_map[source["id"]] = same
    return source_map, tuple(new_sources)


def _incoming(claim: Mapping[str, Any], new_id: str, source_map: Mapping[str, str]) -> Claim:
    unknown = [s for s in claim.get("sources") or () if s not in source_map]
    if unknown:
        raise ValueError(f"claim {claim['id']} cites unknown source(s): {', '.join(unknown)}")
    result = {k: v for k, v in claim.items() if k != "merged"}
    result["id"] = new_id
    result["sources"] = list(_unique(source_map[s] for s in claim.get("sources") or ()))
    return result
