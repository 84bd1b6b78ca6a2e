"""`kb merge-claims CONCEPT [--from OTHER]`: merge duplicate claims, or another concept's.

The plan and the edit are `merge_claims.merge_claims`'s; this module gathers the curator's
choices (asking per group at a terminal, unless --yes, --dry-run or JSON output), dates
the merge, and prints the plan as text or JSON. Exit 1 when groups were held and none
merged.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.config import load_config
from kbcli.dates import edit_date
from kbcli.terminal import asks, echo, echo_commit, say, today

if TYPE_CHECKING:
    from kbcli.merge_choices import Decide


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
    from kbcli.merge_claims import merge_claims
    from kbcli.similarity import DEFAULT_THRESHOLD

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
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        dry_run=dry_run,
        commit=commit,
        choices=choices,
    )
    if fmt == "json":
        echo(json.dumps(done.value.to_json(), indent=2))
    else:
        for line in done.value.lines():
            say(line)
    echo_commit(done.commit)
    return 1 if done.value.held else 0


def _prompt(levels: tuple[str, ...], evidence: str | None) -> Decide:
    from kbcli.prompts import ask_merge

    return lambda group: ask_merge(group, levels, evidence)
