"""Thesis citations of merged claim ids, rewritten to the claims they name now.

After `kb merge-claims` (or two branches merged in git), a thesis may still cite a
claim id its concept keeps only in a survivor's `merged` list. `kb lint --fix` rewrites
such a citation to name the survivor (without stamping it: it stays stale until
reviewed); `kb review` does the same and stamps it, after showing the curator what the
survivor says against what they stamped. A retired id is replaced by its survivor's id,
or deleted where the list already names the survivor (a list never names a claim twice).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.kb import SLUG, load_page, page_ref


@dataclass(frozen=True)
class CiteFix:
    """One citation's merged ids: (position in its claim list, old id, survivor)."""

    index: int  # cites[index]
    concept: str
    renamed: tuple[tuple[int, str, str], ...]
    dropped: tuple[tuple[int, str, str], ...]  # the survivor is named already

    @property
    def claims(self) -> dict[str, str]:
        """Old id -> survivor, for every id this fix retires."""
        return {old: new for _, old, new in (*self.renamed, *self.dropped)}

    def describe(self) -> str:
        pieces = [f"{old} -> {new}" for _, old, new in self.renamed]
        pieces += [f"{old} dropped ({new} is already cited)" for _, old, new in self.dropped]
        return f"cites[{self.index}] {self.concept}: {', '.join(pieces)}"

    def ops(self) -> list[Any]:
        from kbcli.yamlio.edit import Delete, Set

        ops: list[Any] = [
            Set(("cites", self.index, "claims", j), new) for j, _, new in self.renamed
        ]
        ops += [Delete(("cites", self.index, "claims"), j) for j, _, _ in self.dropped]
        return ops

    def apply(self, claims: Sequence[object]) -> list[str]:
        """The claim list as it reads after the fix."""
        gone = {j for j, _, _ in self.dropped}
        renamed = {j: new for j, _, new in self.renamed}
        return [renamed.get(j, str(c)) for j, c in enumerate(claims) if j not in gone]


def merged_citations(root: Path, config: Config, cites: object) -> list[CiteFix]:
    """The fix of each citation (of a `cites` list) that names a merged claim id."""
    found = []
    pages: dict[str, Mapping[str, str]] = {}
    for i, cite in enumerate(cites if isinstance(cites, list) else []):
        if not isinstance(cite, dict) or not isinstance(cite.get("concept"), str):
            continue
        claims = cite.get("claims")
        if not isinstance(claims, list):
            continue
        concept = cite["concept"]
        if concept not in pages:
            pages[concept] = _merged_ids(root, config, concept)
        fix = _fix(i, concept, claims, pages[concept])
        if fix is not None:
            found.append(fix)
    return found


def _fix(index: int, concept: str, claims: list[Any], merged: Mapping[str, str]) -> CiteFix | None:
    named = {c for c in claims if isinstance(c, str) and c not in merged}
    renamed, dropped = [], []
    for j, old in enumerate(claims):
        if not isinstance(old, str) or old not in merged:
            continue
        new = merged[old]
        if new in named:
            dropped.append((j, old, new))
        else:
            renamed.append((j, old, new))
            named.add(new)
    if not renamed and not dropped:
        return None
    return CiteFix(index, concept, tuple(renamed), tuple(dropped))


def _merged_ids(root: Path, config: Config, concept: str) -> Mapping[str, str]:
    """Merged claim id -> the live claim that keeps it, on `concept` ({} when the page
    cannot be read: lint reports that page on its own)."""
    from kbcli.stamps import material

    ref = page_ref(root, "concept", concept) if SLUG.match(concept) else None
    if ref is None or not ref.path.is_file():
        return {}
    try:
        data = load_page(root, ref, config.max_page_bytes).data
    except (KbError, OSError):
        return {}
    if not isinstance(data, dict) or isinstance(data.get("redirect"), str):
        return {}
    mat = material(data)
    return {old: new for old, new in mat.merged.items() if old not in mat.claims}
