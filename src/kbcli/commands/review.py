"""`kb review`: the curator has re-scored a thesis; stamp every citation as reviewed.

Each citation gets a `stamp` (`stamps.make_stamp`) of its concept's material content as it
is now, covering the claims it names (or the whole concept); `scored` is set to the date
and `score` to the new score, if one is given. Only those values change in the file: the
edit is surgical (`yamlio.edit.Set`), so comments, order and layout elsewhere stay
byte-for-byte.

A review signs off on what it stamps, so it refuses (exit 1), writing nothing, a citation
it cannot vouch for: a concept that does not exist or now redirects to another, or a claim
the concept does not have. A citation of a merged claim id is rewritten to name its
survivor (`citations.py`) and stamped; the result shows the survivor's statement and
evidence against what the old stamp recorded of the merged claim. The result says, per
citation, what had changed since the previous stamp: what the curator has just signed
off.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kbcli.citations import CiteFix
from kbcli.config import Config, load_config
from kbcli.dates import check_date, edit_date
from kbcli.errors import KbError, Refused
from kbcli.kb import SLUG, check_id, load_page, page_ref
from kbcli.stamps import Change, diff, make_stamp, material
from kbcli.store import Done, Edit, edit_kb, open_page, splice
from kbcli.terminal import echo_commit, say, shown, today


class Was(StrEnum):
    """A citation's state before the review."""

    FRESH = "fresh"
    STALE = "stale"
    UNREVIEWED = "unreviewed"


@dataclass(frozen=True)
class Stamped:
    concept: str
    claims: tuple[str, ...] | None  # None: the whole concept
    stamp: str
    was: Was
    changes: tuple[Change, ...]  # what changed since the previous stamp
    rewritten: tuple[tuple[str, str, str], ...] = ()  # (old id, survivor, its statement)


@dataclass(frozen=True)
class ReviewResult:
    thesis: str
    rel: str  # the page, relative to the KB root
    date: str
    score: float | int | None  # the new score; None: left as it was
    old_score: object  # what the page held before (None: no score)
    citations: tuple[Stamped, ...]

    def lines(self, shown: str | None = None) -> list[str]:
        """What was stamped and, where a citation was stale, what the curator signed off;
        the page is named as `shown` (the CLI: relative to the working directory, as lint
        and stale name pages), else relative to the KB root."""
        where = self.rel if shown is None else shown
        out = [f"Reviewed {self.thesis} ({where}): scored {self.date}, {self._score()}"]
        for cit in self.citations:
            label = f"{cit.concept} [{', '.join(cit.claims)}]" if cit.claims else cit.concept
            out.append(f"  {label}: stamped{_WAS[cit.was]}")
            out.extend(f"    - {change.message}" for change in cit.changes)
            out.extend(
                f"    - cited '{old}' (merged) now cites '{new}': {statement!r}"
                for old, new, statement in cit.rewritten
            )
        if not self.citations:
            out.append("  (no citations to stamp)")
        return out

    def _score(self) -> str:
        if self.score is None:
            return "score unchanged" if self.old_score is None else f"score {self.old_score} kept"
        if self.old_score is None or self.old_score == self.score:
            return f"score {self.score}"
        return f"score {self.old_score} -> {self.score}"


_WAS = {
    Was.FRESH: " (unchanged since the last review)",
    Was.STALE: "; since the last review:",
    Was.UNREVIEWED: " (first review)",
}


def run(root: Path, thesis: str, when: str | None, score: float | None, commit: bool) -> int:
    """`kb review`: stamp the thesis (scored `when`, default today) and say what was
    signed off."""
    done = review(root, load_config(root), thesis, edit_date(when, today()), score, commit)
    for line in done.value.lines(shown(root, done.value.rel)):
        say(line)
    echo_commit(done.commit)
    return 0


def review(
    root: Path,
    config: Config,
    thesis: str,
    date: str,
    score: float | None = None,
    commit: bool = False,
) -> Done[ReviewResult]:
    """Stamp every citation of `thesis`, set `scored` to `date` and, if given, `score`."""
    check_id(thesis, "thesis")
    check_date(date)
    new_score = _checked_score(score)

    def build() -> Edit[ReviewResult]:
        from kbcli.citations import merged_citations

        ref, doc = open_page(root, config, "thesis", thesis)
        cites = doc.data.get("cites")
        fixes = {f.index: f for f in merged_citations(root, config, cites)}
        stamped = _stamp_all(root, config, thesis, cites if isinstance(cites, list) else [], fixes)
        ops: list[Any] = [_set(("cites", i, "stamp"), s.stamp) for i, s in enumerate(stamped)]
        ops += [op for fix in fixes.values() for op in fix.ops()]
        ops.append(_set(("scored",), date))
        if new_score is not None:
            ops.append(_set(("score",), new_score))
        result = ReviewResult(
            thesis, ref.rel, date, new_score, doc.data.get("score"), tuple(stamped)
        )
        return Edit({ref.path: splice(ref, doc.text, ops)}, f"kb: review {thesis}", result)

    return edit_kb(root, config, build, commit)


def _checked_score(score: float | None) -> float | int | None:
    """A score in 0..1, or KbError (exit 2). 0 and 1 are written as integers."""
    if score is None:
        return None
    if math.isnan(score) or not 0 <= score <= 1:
        raise KbError(f"--score {score} is not between 0 and 1")
    return int(score) if score in (0, 1) else score


def _set(path: tuple[str | int, ...], value: Any) -> Any:
    from kbcli.yamlio.edit import Set

    return Set(path, value)


def _stamp_all(
    root: Path, config: Config, thesis: str, cites: list[Any], fixes: Mapping[int, CiteFix]
) -> list[Stamped]:
    """The new stamp of each citation (its merged ids rewritten by `fixes`); Refused naming
    every citation kb cannot vouch for."""
    stamped, refused = [], []
    for index, cite in enumerate(cites):
        if not isinstance(cite, Mapping) or not isinstance(cite.get("concept"), str):
            raise KbError(f"citation {index + 1} names no concept: fix the page (see kb lint)")
        try:
            stamped.append(_stamp(root, config, cite, fixes.get(index)))
        except Refused as exc:
            refused.append(exc.message)
    if refused:
        raise Refused(f"cannot review {thesis}: {'; '.join(refused)}; nothing was written")
    return stamped


def _stamp(
    root: Path, config: Config, cite: Mapping[str, Any], fix: CiteFix | None = None
) -> Stamped:
    """The new stamp of a citation, and how its concept changed since its old one."""
    concept: str = cite["concept"]
    raw_claims = cite.get("claims")
    claims = tuple(str(c) for c in raw_claims) if isinstance(raw_claims, list) else None
    if fix is not None and isinstance(raw_claims, list):
        claims = tuple(fix.apply(raw_claims))
    page = _concept_page(root, config, concept)
    _refuse_unknown_claims(concept, page, claims or ())
    old = cite.get("stamp")
    changes = tuple(diff(old, page, claims)) if old is not None else ()
    was = Was.UNREVIEWED if old is None else Was.STALE if changes else Was.FRESH
    mat = material(page)
    rewritten = tuple(
        (old_id, new, mat.claims[new].statement if new in mat.claims else "")
        for old_id, new in (fix.claims.items() if fix else ())
    )
    return Stamped(concept, claims or None, make_stamp(page, claims), was, changes, rewritten)


def _concept_page(root: Path, config: Config, concept: str) -> dict[str, Any]:
    """The cited concept's data; Refused when there is no such concept to vouch for."""
    ref = page_ref(root, "concept", concept) if SLUG.match(concept) else None
    if ref is None or not os.path.lexists(ref.path):
        raise Refused(f"concept '{concept}' does not exist")
    data: dict[str, Any] = load_page(root, ref, config.max_page_bytes).data
    target = data.get("redirect")
    if isinstance(target, str):
        raise Refused(f"concept '{concept}' was merged into '{target}': cite '{target}' instead")
    return data


def _refuse_unknown_claims(concept: str, page: object, claims: tuple[str, ...]) -> None:
    mat = material(page)
    for claim in claims:
        if claim in mat.claims:
            continue
        if claim in mat.merged:
            raise Refused(
                f"claim '{claim}' of '{concept}' was merged into '{mat.merged[claim]}': "
                "cite that instead"
            )
        raise Refused(f"concept '{concept}' has no claim '{claim}'")
