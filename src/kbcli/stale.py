"""`kb stale`: which thesis citations need a review, what changed, and since which commit.

Every citation of every thesis is compared with its concept's material content as it is
now (`stamps.diff_material`): the stamp alone says *what* changed, without git. Then one
history search (`history.stale_since`) says *when*, for all the stale citations at once.

A citation needs attention when it is
- **stale**: its concept changed materially since `kb review` stamped it (or the stamp
  cannot be read);
- **unreviewed**: it has no stamp;
- **missing**: its concept does not exist (removed since the review, or never there);
- **unreadable**: its concept's page cannot be read, so nothing can be vouched for.

The pages are read through lint's per-page facts, so `kb stale` and `kb lint` share the
lint cache in `.kb-cache/`; the history pass is kept there too (`history.json`). Neither is
read nor written with `use_cache=False` or `cache: false` in kb.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.history import Citation, Origin, stale_since
from kbcli.index import Cite, KbIndex, PageFacts
from kbcli.lint import Progress, analyse_all
from kbcli.stamps import Change, ChangeKind, Material, diff_material, material_from_json

CACHE_DIR = ".kb-cache"  # shared with the lint cache, which git-ignores it the same way
HISTORY_CACHE = "history.json"
_GITIGNORE = "# kb's cache: never committed\n*\n"


class Status(StrEnum):
    STALE = "stale"
    UNREVIEWED = "unreviewed"
    MISSING = "missing"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class StaleCitation:
    """One citation that needs attention, where it is in its thesis, and why."""

    concept: str
    claims: tuple[str, ...] | None  # the claims it names; None: the whole concept
    line: int
    col: int
    status: Status
    changes: tuple[Change, ...] = ()
    stamp: str | None = None  # the citation's stamp, as written
    origin: Origin | None = None  # None: no history to ask (outside git, or no stamp)

    def to_json(self) -> dict[str, Any]:
        return {
            "concept": self.concept,
            "claims": None if self.claims is None else list(self.claims),
            "line": self.line,
            "col": self.col,
            "status": self.status.value,
            "changes": [change.to_json() for change in self.changes],
            "origin": None if self.origin is None else self.origin.to_json(),
        }


@dataclass(frozen=True)
class ThesisReport:
    """A thesis with at least one citation that needs attention."""

    thesis: str
    title: str | None
    rel: str  # the page, relative to the KB root
    citations: tuple[StaleCitation, ...]


@dataclass(frozen=True)
class StaleResult:
    root: Path
    theses: tuple[ThesisReport, ...]  # only those with something to report
    checked_theses: int
    checked_citations: int
    counts: Mapping[Status, int] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        """Nothing stale, unreviewed, missing or unreadable."""
        return not self.theses


def find_stale(
    root: Path, config: Config, use_cache: bool = True, progress: Progress | None = None
) -> StaleResult:
    """Every thesis citation of the KB at `root` that needs a review, with what changed
    and, inside git, the commit that made it stale."""
    index = KbIndex(_facts(root, config, use_cache and config.cache, progress))
    materials = {stem: _material(facts) for stem, facts in index.concepts.items()}
    found = [
        (thesis, [c for cite in thesis.cites if (c := _classify(cite, index, materials))])
        for thesis in index.theses.values()
    ]
    cache = _history_cache(root) if use_cache and config.cache else None
    origins = _origins(root, [c for _, cs in found for c in cs], materials, cache)
    reports = tuple(
        ThesisReport(thesis.stem, thesis.title, thesis.rel, tuple(_dated(c, origins) for c in cs))
        for thesis, cs in found
        if cs
    )
    counts = {status: 0 for status in Status}
    for report in reports:
        for citation in report.citations:
            counts[citation.status] += 1
    checked = sum(len(thesis.cites) for thesis in index.theses.values())
    return StaleResult(root, reports, len(index.theses), checked, counts)


def _facts(root: Path, config: Config, cached: bool, progress: Progress | None) -> list[PageFacts]:
    from kbcli.cache import LintCache, cache_key
    from kbcli.kb import list_pages

    cache = LintCache.open(root, cache_key(config)) if cached else None
    facts = analyse_all(root, config, list_pages(root), progress, cache)
    if cache is not None:
        cache.save()
    return facts


def _material(facts: PageFacts) -> Material | None:
    """The concept's material content; None when its page could not be read."""
    if facts.material is None:
        return None
    try:
        return material_from_json(facts.material)
    except ValueError:  # a cache record kb cannot read: treat the page as unreadable
        return None


def _classify(
    cite: Cite, index: KbIndex, materials: Mapping[str, Material | None]
) -> StaleCitation | None:
    """The citation as it needs attention, or None when it is fresh."""
    concept, line, col = cite.concept
    claims = None if cite.claims is None else tuple(name for name, _, _ in cite.claims)
    if concept not in index.concepts:
        removed = (Change(ChangeKind.CONCEPT_REMOVED),) if cite.stamp is not None else ()
        return StaleCitation(concept, claims, line, col, Status.MISSING, removed, cite.stamp)
    mat = materials[concept]
    if mat is None:
        return StaleCitation(concept, claims, line, col, Status.UNREADABLE)
    if cite.stamp is None:
        return StaleCitation(concept, claims, line, col, Status.UNREVIEWED)
    changes = tuple(diff_material(cite.stamp, mat, claims))
    if not changes:
        return None
    return StaleCitation(concept, claims, line, col, Status.STALE, changes, cite.stamp)


def _origins(
    root: Path,
    found: Iterable[StaleCitation],
    materials: Mapping[str, Material | None],
    cache: Path | None,
) -> dict[Citation, Origin]:
    """Where each stamped citation that changed went stale; empty outside git."""
    citations = [_history_key(c) for c in found if c.stamp is not None and c.status in _SEARCHED]
    if not citations:
        return {}
    if cache is not None:
        _ensure_cache_dir(cache.parent)
    # What lint already read of each page: history need not read the files again.
    worktree = {c.concept: materials.get(c.concept) for c in citations}
    return stale_since(root, citations, worktree, cache)


_SEARCHED = (Status.STALE, Status.MISSING)


def _history_key(citation: StaleCitation) -> Citation:
    assert citation.stamp is not None
    return Citation(citation.concept, citation.stamp, citation.claims)


def _dated(citation: StaleCitation, origins: Mapping[Citation, Origin]) -> StaleCitation:
    if citation.stamp is None or citation.status not in _SEARCHED:
        return citation
    return replace(citation, origin=origins.get(_history_key(citation)))


def _history_cache(root: Path) -> Path:
    return root / CACHE_DIR / HISTORY_CACHE


def _ensure_cache_dir(directory: Path) -> None:
    """The cache folder, git-ignoring itself as the lint cache's does; a folder that
    cannot be made only costs the cache."""
    try:
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text(_GITIGNORE, encoding="utf-8")
    except OSError:
        pass
