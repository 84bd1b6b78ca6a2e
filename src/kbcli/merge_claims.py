"""`kb merge-claims`'s edits: duplicate claims folded together, on the page and in theses.

`merge_plan.py` decides on plain data what merges and what each survivor keeps; this module
turns the plan into surgical edits (`yamlio.edit` ops) of the concept, of every thesis
whose citations name a retired id and, with `--retire-other`, of OTHER, and returns all
the new texts with a `MergeResult`. The verb (`commands/merge_claims.py`) reads the pages
with `open_concept` under the KB lock and hands the texts to `store.edit_kb`, which
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

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from kbcli.changelog import entry_op
from kbcli.config import Config
from kbcli.errors import KbError, Refused
from kbcli.merge_citations import ThesisRewrite, rewrite_theses
from kbcli.merge_draft import PageEdits, draft_from, draft_within, page_claims
from kbcli.merge_plan import Choices, MergePlan
from kbcli.store import open_page, splice


@dataclass(frozen=True)
class MergeResult:
    """What `kb merge-claims` did (or, with `dry_run`, would do)."""

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


def open_concept(root: Path, config: Config, concept: str) -> PageEdits:
    """A concept page to merge, refused unless it is one kb can plan on safely."""
    ref, doc = open_page(root, config, "concept", concept)
    page = PageEdits(ref, doc)
    _refuse_invalid(page, config)
    return page


def _refuse_invalid(page: PageEdits, config: Config) -> None:
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


def merge_edits(
    root: Path,
    config: Config,
    target: PageEdits,
    other: PageEdits | None,
    date: str,
    threshold: float,
    retire: bool,
    choices: Choices,
    texts: bool = True,
) -> tuple[MergeResult, dict[Path, str]]:
    """The merge's result and the new text of every page it changes (none with `texts`
    false: a dry run stops at the plan)."""
    concept = target.ref.id
    empty = MergeResult(concept, target.ref.rel, other.ref.id if other else None, False, ())
    if _retired(target, other):
        return _nothing(empty, f"{empty.other} already redirects here"), {}
    levels = config.evidence_levels
    if other is None:
        draft = draft_within(target, threshold, levels, choices)
    else:
        draft = draft_from(target, other, threshold, levels, retire, choices)
    empty = replace(empty, merge_plan=draft.merge_plan)
    theses = rewrite_theses(root, config, concept, other.ref.id if other else None, draft, retire)
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


def _retired(target: PageEdits, other: PageEdits | None) -> bool:
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
    return redirect == target.ref.id and not page_claims(other)


def _nothing(empty: MergeResult, why: str) -> MergeResult:
    return replace(empty, nothing=why)


def _texts(pages: Iterable[PageEdits]) -> dict[Path, str]:
    return {p.ref.path: splice(p.ref, p.doc.text, p.ops) for p in pages if p.ops}
