"""Theses a change made stale or current: `kb stale`'s status of every citation, on both sides.

Every citation's status is worked out at both sides exactly as `kb stale` does (fresh,
stale, missing concept, unreadable concept, unreviewed); a citation needing review at the
new side and not at the old one was made stale, with the stamp's changes (the claims
responsible) as the reason; one needing review at the old side and fresh at the new one
was made current again. `knowledge_diff.compare` calls `stale_changes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kbcli.diff_data import Data, Loader, Raw, Unreadable, as_list, file_stem, load_version
from kbcli.stamps import Change, diff


@dataclass(frozen=True)
class StaleChange:
    """A citation whose review status the change flipped."""

    thesis: str
    path: str
    concept: str
    claims: tuple[str, ...] | None
    made: str  # "stale" or "current"
    reasons: tuple[str, ...]  # what changed since the stamp (stale), or how it was resolved


def stale_changes(
    concepts: tuple[Mapping[str, Raw], Mapping[str, Raw]],
    theses: Mapping[str, tuple[Raw, Raw]],
    load: Loader,
) -> list[StaleChange]:
    """The citations whose `kb stale` status the change flipped, thesis by thesis."""
    parsed = [{k: _parse_or_broken(v, load) for k, v in side.items()} for side in concepts]
    out: list[StaleChange] = []
    for path in sorted(theses):
        old_raw, new_raw = theses[path]
        old, new = _thesis_or_none(old_raw, load), _thesis_or_none(new_raw, load)
        if new is None:
            continue  # a removed (or unreadable) thesis needs no review
        stem = file_stem(path)
        earlier, later = citations(old) if old else [], citations(new)
        for cite in later:
            concept, claims, stamp = cite
            now = _status(cite, parsed[1])
            match = same_citation(cite, earlier, later)
            before = _status(match, parsed[0]) if match else ("absent", ())
            if now[0] in _NEEDS and before[0] not in _NEEDS:
                out.append(StaleChange(stem, path, concept, claims, "stale", now[1]))
            elif now[0] == "unreviewed" and before[0] == "fresh":  # `kb stale` lists it now
                out.append(StaleChange(stem, path, concept, claims, "stale", ("stamp removed",)))
            elif now[0] == "fresh" and before[0] in _NEEDS:
                how = "re-reviewed" if match and match[2] != stamp else "the concept changed back"
                out.append(StaleChange(stem, path, concept, claims, "current", (how,)))
    return out


CitedAs = tuple[str, tuple[str, ...] | None, str | None]  # concept, claims, stamp


def same_citation(cite: CitedAs, other: list[CitedAs], own: list[CitedAs]) -> CitedAs | None:
    """`cite` (one of `own`) on the other side: the citation of its concept naming the same
    claims, else, when each side cites the concept once, that citation (its claims
    changed); None: it is new (or gone)."""
    same = [c for c in other if c[0] == cite[0]]
    exact = [c for c in same if c[1] == cite[1]]
    if exact:
        return exact[0]
    alone = len(same) == 1 and sum(1 for c in own if c[0] == cite[0]) == 1
    return same[0] if alone else None


_NEEDS = ("stale", "missing", "unreadable")  # `kb stale` lists these (and unreviewed ones)
_BROKEN: Data = {}  # a concept version that cannot be read


def _status(
    cite: tuple[str, tuple[str, ...] | None, str | None], concepts: Mapping[str, Data | None]
) -> tuple[str, tuple[str, ...]]:
    """A citation's status as `kb stale` gives it, with what changed since its stamp."""
    concept, claims, stamp = cite
    data = concepts.get(concept)
    if data is None:
        return ("missing", ("concept removed",) if stamp is not None else ())
    if data is _BROKEN:
        return ("unreadable", ("the concept's page cannot be read",))
    if stamp is None:
        return ("unreviewed", ())
    changes: list[Change] = diff(stamp, data, claims)
    return ("stale", tuple(c.message for c in changes)) if changes else ("fresh", ())


def citations(thesis: Data) -> list[tuple[str, tuple[str, ...] | None, str | None]]:
    """(concept, claims or None, stamp or None) per citation, as `kb stale` reads them."""
    out = []
    for cite in as_list(thesis.get("cites")):
        if not isinstance(cite, dict) or not isinstance(cite.get("concept"), str):
            continue
        claims = cite.get("claims")
        named = None if claims is None else tuple(c for c in as_list(claims) if isinstance(c, str))
        stamp = cite.get("stamp") if isinstance(cite.get("stamp"), str) else None
        out.append((cite["concept"], named, stamp))
    return out


def _parse_or_broken(raw: Raw, load: Loader) -> Data | None:
    try:
        return load_version(raw, load)
    except Unreadable:
        return _BROKEN


def _thesis_or_none(raw: Raw, load: Loader) -> Data | None:
    try:
        return load_version(raw, load)
    except Unreadable:
        return None
