"""Planning `kb merge-claims --from OTHER` on plain data: OTHER's claims brought into a
target concept.

OTHER's sources are matched to the target's (same url, else same title) or added under an
id the target does not use; its claims are renamed into the target's namespace, placed
after the target's claims, and `merge_plan.plan_merge` merges duplicates across the
combined list, so an incoming claim that duplicates a target claim merges into it and the
rest are appended. A claim the target already holds whole needs no merge at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kbcli.kb import unique_id
from kbcli.merge_choices import Choices
from kbcli.merge_plan import (
    Claim,
    MergePlan,
    Source,
    apply_plan,
    detail_contains,
    id_map,
    plan_merge,
)
from kbcli.similarity import DEFAULT_THRESHOLD, normalise


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
    plan = plan_merge(combined, threshold, evidence_levels, choices, foreign=foreign)
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
    result["sources"] = list(dict.fromkeys(source_map[s] for s in claim.get("sources") or ()))
    return result
