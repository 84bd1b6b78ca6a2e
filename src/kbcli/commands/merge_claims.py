"""`kb merge-claims CONCEPT [--from OTHER]`: merge duplicate claims, or another concept's.

The plan is `merge_plan`'s and the edits of the pages `merge_claims.merge_edits`'; this
module gathers the curator's choices (asking per group at a terminal, unless --yes,
--dry-run or JSON output), dates the merge, runs it under the KB's lock (`merge_claims`,
which tests call directly), and prints the plan as text or JSON. Exit 1 when groups were
held and none merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.config import Config, load_config
from kbcli.dates import edit_date
from kbcli.terminal import asks, echo, echo_commit, say, today

if TYPE_CHECKING:
    from kbcli.merge_choices import Choices, Decide
    from kbcli.merge_claims import MergeResult
    from kbcli.store import Done, Edit


def run(
    root: Path,
    concept: str,
    *,
    other: str | None = None,
    retire_other: bool = False,
    threshold: float | None = None,
    only: Sequence[str] = (),
    exclude: Sequence[str] = (),
    pair: tuple[str, str] | None = None,
    evidence: str | None = None,
    force: bool = False,
    yes: bool = False,
    dry_run: bool = False,
    fmt: str = "text",
    when: str | None = None,
    commit: bool = False,
) -> int:
    """`kb merge-claims`: merge, and print what was (or with `dry_run`, would be) done."""
    import json

    from kbcli.merge_choices import Choices

    config = load_config(root)
    ask = asks() and not (yes or dry_run) and fmt == "text"
    choices = Choices(
        only=tuple(only),
        exclude=tuple(exclude),
        pairs=(pair,) if pair else (),
        evidence=evidence,
        force=force,
        decide=_prompt(config.evidence_levels, evidence) if ask else None,
    )
    done = merge_claims(
        root,
        config,
        concept,
        edit_date(when, today()),
        other=other,
        retire_other=retire_other,
        threshold=threshold,
        dry_run=dry_run,
        commit=commit,
        choices=choices,
    )
    if fmt == "json":
        echo(json.dumps(to_json(done.value), indent=2))
    else:
        for line in lines(done.value):
            say(line)
    echo_commit(done.commit)
    return 1 if done.value.held else 0


def _prompt(levels: tuple[str, ...], evidence: str | None) -> Decide:
    from kbcli.prompts import ask_merge

    return lambda group: ask_merge(group, levels, evidence)


def merge_claims(
    root: Path,
    config: Config,
    concept: str,
    date: str,
    *,
    other: str | None = None,
    retire_other: bool = False,
    threshold: float | None = None,
    dry_run: bool = False,
    commit: bool = False,
    choices: Choices | None = None,
) -> Done[MergeResult]:
    """Merge duplicate claims of `concept` (or `other`'s claims into it), rewrite the
    thesis citations of every retired id, and write all the pages together. `choices`
    are the curator's (`--only`, `--exclude`, `--pair`, `--evidence`, `--force`, and the
    answers of a curator at a terminal); `threshold` defaults to similarity's."""
    from kbcli.dates import check_date
    from kbcli.merge_choices import Choices
    from kbcli.merge_claims import merge_edits, open_concept
    from kbcli.similarity import DEFAULT_THRESHOLD
    from kbcli.store import Edit, edit_kb

    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    _check_args(concept, other, retire_other, threshold)
    chosen = choices or Choices()
    check_date(date)

    def build() -> Edit[MergeResult]:
        target = open_concept(root, config, concept)
        source = open_concept(root, config, other) if other is not None else None
        # A dry run stops at the plan: making and checking the new texts is the write's
        # work (it would double the time of a plan on a large page), and the real run
        # still checks every page before writing any.
        result, changes = merge_edits(
            root, config, target, source, date, threshold, retire_other, chosen, not dry_run
        )
        if dry_run:
            result = replace(result, dry_run=True)
        what = f"of {other} into" if other else "in"
        return Edit(changes, f"kb: merge claims {what} {concept}", result)

    return edit_kb(root, config, build, commit and not dry_run)


def _check_args(concept: str, other: str | None, retire_other: bool, threshold: float) -> None:
    from kbcli.errors import KbError
    from kbcli.kb import check_id

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


def lines(result: MergeResult) -> list[str]:
    """The report printed for the curator, the plan first."""
    if result.nothing is not None:
        report = result.merge_plan.report() if result.merge_plan else []
        return [f"Nothing to merge in {result.concept}: {result.nothing}", *report]
    source = f"the claims of {result.other} into " if result.other else "duplicate claims in "
    lines = [f"Merging {source}{result.concept} ({result.rel})", *result.plan]
    if result.retired:
        lines.append(f"{result.other} becomes a redirect to {result.concept}")
    if result.theses:
        lines.append(f"Thesis citations {'to rewrite' if result.dry_run else 'rewritten'}:")
        lines += [f"  {t.rel} {c.describe()}" for t in result.theses for c in t.cites]
    lines += [f"note: {note}" for note in result.notes]
    lines.append("Dry run: nothing was written." if result.dry_run else _summary(result))
    return lines


def to_json(result: MergeResult) -> dict[str, Any]:
    """The plan as data (`--format json`): groups with their survivor, merged ids,
    scores and evidence levels; held groups and possible contradictions with the
    reason; thesis citations rewritten; whether anything was written."""
    plan = result.merge_plan
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
        "concept": result.concept,
        "from": result.other,
        "threshold": plan.threshold if plan else None,
        "dry_run": result.dry_run,
        "written": not result.dry_run and result.nothing is None,
        "groups": groups,
        "held": [{"claims": list(h.ids), "reason": h.reason} for h in plan.held] if plan else [],
        "contradictions": [
            {"claims": list(c.ids), "score": c.score, "reason": c.reason}
            for c in (plan.contradictions if plan else ())
        ],
        "theses": [
            {"thesis": t.rel, "citation": c.describe()} for t in result.theses for c in t.cites
        ],
        "notes": list(result.notes),
        "merged": result.merged,
        "nothing": result.nothing,
    }


def _summary(result: MergeResult) -> str:
    if result.other:
        return f"Merged the claims of {result.other} into {result.concept}."
    return f"Merged {result.merged} claim(s) in {result.concept}."
