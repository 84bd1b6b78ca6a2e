"""The curator's part of `kb merge-claims`: what they chose (`Choices`: --only, --exclude,
--pair, --evidence, --force, the answers at a terminal), and what the plan reports back
beside its groups: groups held (and why), possible contradictions, evidence decisions.

Plain data, no files: `merge_plan.py` plans with these; the command prints them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from kbcli.errors import KbError, Refused
from kbcli.similarity import relate

if TYPE_CHECKING:
    from kbcli.merge_plan import GroupPlan


@dataclass(frozen=True)
class EvidenceConflict:
    """A group whose claims disagreed on evidence: each claim's level, the one kept and
    how it was decided ("the strongest", "the weakest", "as chosen", "answered at the
    terminal")."""

    kept: str
    levels: tuple[tuple[str, str], ...]  # (claim id, level), in group order
    decided: str = ""
    ranked: tuple[str, ...] = ()  # the distinct levels, weakest first

    def describe(self) -> str:
        levels = ", ".join(f"{cid} {level}" for cid, level in self.levels)
        return f"evidence differs: {levels}; keeps {self.kept} ({self.decided})"

    def changelog(self) -> str:
        """`evidence: moderate and strong → strong`, for the merge's changelog entry."""
        seen = list(self.ranked or dict.fromkeys(level for _, level in self.levels))
        listed = ", ".join(seen[:-1]) + f" and {seen[-1]}"
        return f"evidence: {listed} \u2192 {self.kept}"


@dataclass(frozen=True)
class HeldGroup:
    """Claims that read as one but are not merged, and why."""

    ids: tuple[str, ...]
    reason: str

    def describe(self) -> str:
        return f"held: {', '.join(self.ids)}: {self.reason}"


@dataclass(frozen=True)
class Contradiction:
    """Two claims that may say opposite things: reported, never merged."""

    ids: tuple[str, str]
    score: float
    reason: str

    def describe(self) -> str:
        a, b = self.ids
        return (
            f"possible contradiction: claims '{a}' and '{b}' may contradict each other "
            f"({self.reason})"
        )


# What a curator at a terminal answers for a group: the evidence level the survivor keeps,
# or None to leave the group alone.
Decide = Callable[["GroupPlan"], str | None]


@dataclass(frozen=True)
class Choices:
    """What the curator chose (`kb merge-claims` options); the defaults merge every group
    whose claims agree on evidence."""

    only: tuple[str, ...] = ()  # only groups holding one of these claims
    exclude: tuple[str, ...] = ()  # these claims stay out of every group
    pairs: tuple[tuple[str, str], ...] = ()  # merge exactly these pairs, at any score
    evidence: str | None = None  # "strongest", "weakest" or a level; None: hold
    force: bool = False  # --pair merges claims that may contradict each other
    decide: Decide | None = field(default=None, compare=False)


def resolved(
    claims: Sequence[Mapping[str, Any]], evidence_levels: Sequence[str], choices: Choices
) -> Choices:
    """`choices` with every claim named by the id it answers to now: a claim merged by
    an earlier run is its survivor (so running the same command twice changes nothing,
    and a pair already merged is no pair). KbError for a name no claim answers to."""
    now = {str(m): str(c["id"]) for c in claims for m in c.get("merged") or ()}
    now.update({str(c["id"]): str(c["id"]) for c in claims})
    named = [*choices.only, *choices.exclude, *(i for pair in choices.pairs for i in pair)]
    unknown = [i for i in dict.fromkeys(named) if i not in now]
    if unknown:
        raise KbError(f"no claim {', '.join(repr(i) for i in unknown)} here to merge")
    excluded = {now[i] for i in choices.exclude}
    for a, b in choices.pairs:
        if a == b:
            raise KbError(f"--pair {a} {b}: name two different claims")
        for i in (a, b):
            if now[i] in excluded:  # asked to merge and to keep apart: the curator decides
                raise KbError(f"--pair {a} {b}: --exclude keeps '{i}' out of every group")
    _check_policy(evidence_levels, choices.evidence)
    pairs = tuple((now[a], now[b]) for a, b in choices.pairs if now[a] != now[b])
    return replace(
        choices,
        only=tuple(now[i] for i in choices.only),
        exclude=tuple(now[i] for i in choices.exclude),
        pairs=pairs,
    )


def _check_policy(evidence_levels: Sequence[str], policy: str | None) -> None:
    if policy is not None and policy not in ("strongest", "weakest", *evidence_levels):
        levels = ", ".join(evidence_levels)
        raise KbError(f"--evidence {policy}: use strongest, weakest or a level ({levels})")


def pair_groups(claims: Sequence[Mapping[str, Any]], choices: Choices) -> list[list[int]]:
    """The curator's pairs as groups (pairs sharing a claim make one group); a pair that
    may contradict itself is refused unless `force`."""
    index = {c["id"]: i for i, c in enumerate(claims)}
    parent = list(range(len(claims)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for a, b in choices.pairs:
        rel = relate(str(claims[index[a]]["statement"]), str(claims[index[b]]["statement"]), 1e-9)
        if rel.kind == "opposite" and not choices.force:
            raise Refused(
                f"claims '{a}' and '{b}' may contradict each other ({rel.reason}): pass "
                "--force to merge them anyway; nothing was written"
            )
        ra, rb = find(index[a]), find(index[b])
        parent[max(ra, rb)] = min(ra, rb)
    members: dict[int, list[int]] = {}
    for a, b in choices.pairs:
        for i in (index[a], index[b]):
            members.setdefault(find(i), [])
            if i not in members[find(i)]:
                members[find(i)].append(i)
    return [sorted(g) for _, g in sorted(members.items())]


def with_copies(claims: Sequence[Mapping[str, Any]], groups: list[list[int]]) -> list[list[int]]:
    """`groups` with each word-for-word copy of a claim (id included) in the group of its
    first copy: a copy is always merged, whatever was chosen."""
    result = [set(g) for g in groups]
    first: dict[str, int] = {}
    for i, claim in enumerate(claims):
        j = first.setdefault(claim["id"], i)
        if j == i or claims[j] != claim:
            continue
        joined = {i, j}.union(*(g for g in result if i in g or j in g))
        result = [g for g in result if not g & joined] + [joined]
    return sorted(sorted(g) for g in result)


def decided(
    levels: tuple[tuple[str, str], ...], evidence_levels: Sequence[str], policy: str | None
) -> tuple[str | None, EvidenceConflict | None]:
    """The level the survivor keeps (None: undecided) and, when levels differ, the
    decision as recorded."""
    distinct = list(dict.fromkeys(level for _, level in levels))
    if len(distinct) == 1:
        return distinct[0], None
    if policy is None:
        return None, None

    def rank(level: str) -> int:
        return evidence_levels.index(level) if level in evidence_levels else len(evidence_levels)

    # min() and max() keep the first of equal ranks: the survivor's own level wins a tie.
    if policy == "strongest":
        kept = min(distinct, key=rank)
    elif policy == "weakest":
        kept = max(distinct, key=rank)
    else:
        kept = policy
    decided = f"the {policy}" if policy in ("strongest", "weakest") else "as chosen"
    return kept, EvidenceConflict(kept, levels, decided, _ranked(distinct, evidence_levels))


def _ranked(distinct: Sequence[str], evidence_levels: Sequence[str]) -> tuple[str, ...]:
    """The levels weakest first (unknown levels first of all): "moderate and strong"."""

    def rank(level: str) -> int:
        return evidence_levels.index(level) if level in evidence_levels else len(evidence_levels)

    return tuple(sorted(distinct, key=rank, reverse=True))


def confirmed(
    plan: GroupPlan, choices: Choices, undecided: bool, evidence_levels: Sequence[str]
) -> GroupPlan | HeldGroup:
    """The group as the curator settled it: asked at a terminal (`decide`), or held while
    its evidence levels differ and nothing decided which to keep."""
    ids = (plan.survivor_id, *plan.merged_ids)
    if choices.decide is not None and not _plain_copy(plan):
        answer = choices.decide(plan)
        if answer is None:
            return HeldGroup(ids, "left alone at the terminal")
        if not undecided and answer == plan.evidence:
            return plan
        distinct = list(dict.fromkeys(level for _, level in plan.levels))
        ranked = _ranked(distinct, evidence_levels)
        conflict = EvidenceConflict(answer, plan.levels, "answered at the terminal", ranked)
        return replace(plan, evidence=answer, conflict=conflict)
    if undecided:
        levels = ", ".join(f"{cid} {level}" for cid, level in plan.levels)
        return HeldGroup(
            ids,
            f"evidence differs ({levels}): choose with --evidence strongest|weakest|LEVEL",
        )
    return plan


def _plain_copy(plan: GroupPlan) -> bool:
    # A word-for-word copy (same id) has nothing to decide.
    return all(cid == plan.survivor_id for cid in plan.merged_ids)
