"""What a reader sees of the KB that no single file holds: titles of other pages,
backlinks, the theses that depend on a concept and whether their citations are stale.

Shared by `kb show` (one concept at a terminal) and `kb render` (the static site). The
links between pages come from lint's per-page facts (`KbIndex`, through the lint cache);
the stale markers from `kb stale`'s own check (`stale.find_stale`), so the three commands
never disagree. Pages are shown only once they pass their schema: a page that does not is
a KbError at its place (run `kb lint`), never a half-drawn page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.index import KbIndex
from kbcli.kb import PageRef, load_page
from kbcli.stale import StaleCitation, StaleResult, Status

if TYPE_CHECKING:
    from kbcli.schema import PageValidator

CURRENT = "current"
# What each state of a citation means to a reader of the concept or the thesis.
STATUS_TEXT = {
    CURRENT: "current",
    Status.STALE.value: "stale: may need re-scoring",
    Status.UNREVIEWED.value: "never reviewed",
    Status.MISSING.value: "cites a concept that does not exist",
    Status.UNREADABLE.value: "cited concept cannot be read",
}


def read_index(root: Path, config: Config) -> KbIndex:
    """Every page's facts (through the lint cache, unless kb.yaml turns it off)."""
    from kbcli.cache import LintCache, through_cache
    from kbcli.kb import list_pages
    from kbcli.lint import analyse_all
    from kbcli.pagefacts import LazyFacts

    def read(store: LintCache | None) -> KbIndex:
        facts = analyse_all(root, config, list_pages(root), None, store)
        if store is None:
            return KbIndex(facts)
        store.prefetch()  # every page's links are wanted: one read, not one per page
        # Decoded now, while the cache is open: the index outlives it.
        return KbIndex([f.full() if isinstance(f, LazyFacts) else f for f in facts])

    return through_cache(root, config, config.cache, read)


@dataclass(frozen=True)
class Citation:
    """One citation of a concept by a thesis, as a reader needs it."""

    thesis: str
    concept: str
    claims: tuple[str, ...] | None  # None: the whole concept
    status: str  # CURRENT or a `stale.Status` value
    changes: tuple[str, ...]  # what changed since the review, for a stale one
    since: str | None  # the commit that made it stale, where git knows (not in the site)

    @property
    def label(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass(frozen=True)
class KbView:
    """The KB's pages as links: titles, backlinks and citations with their state."""

    root: Path
    config: Config
    index: KbIndex
    citations: tuple[Citation, ...]  # every citation of every thesis, in page order

    def title(self, kind: str, page_id: str) -> str:
        table = self.index.concepts if kind == "concept" else self.index.theses
        facts = table.get(page_id)
        return facts.title if facts is not None and facts.title else page_id

    def exists(self, kind: str, page_id: str) -> bool:
        return page_id in (self.index.concepts if kind == "concept" else self.index.theses)

    def backlinks(self, concept: str) -> list[str]:
        """The concepts that list `concept` as related (theses are `dependents`)."""
        return [
            facts.stem
            for facts in self.index.pages
            if facts.kind == "concept"
            and facts.stem != concept
            and any(name == concept for name, _, _ in facts.related)
        ]

    def dependents(self, concept: str) -> list[Citation]:
        """The citations of `concept`, thesis by thesis."""
        return [c for c in self.citations if c.concept == concept]

    def cites(self, thesis: str) -> list[Citation]:
        return [c for c in self.citations if c.thesis == thesis]


def read_view(root: Path, config: Config) -> KbView:
    """The KB as links, with each citation's state from `kb stale`'s check."""
    from kbcli.stale import find_stale

    index = read_index(root, config)
    stale = find_stale(root, config, use_cache=config.cache)
    return KbView(root, config, index, tuple(_citations(index, stale)))


def _citations(index: KbIndex, stale: StaleResult) -> list[Citation]:
    flagged: dict[tuple[str, int, int], StaleCitation] = {
        (report.thesis, c.line, c.col): c for report in stale.theses for c in report.citations
    }
    out = []
    for thesis in index.theses.values():
        for cite in thesis.cites:
            concept, line, col = cite.concept
            claims = None if cite.claims is None else tuple(name for name, _, _ in cite.claims)
            found = flagged.get((thesis.stem, line, col))
            if found is None:
                out.append(Citation(thesis.stem, concept, claims, CURRENT, (), None))
                continue
            changes = tuple(change.message for change in found.changes)
            out.append(
                Citation(thesis.stem, concept, claims, found.status.value, changes, _since(found))
            )
    return out


def _since(citation: StaleCitation) -> str | None:
    origin = citation.origin
    if origin is None or origin.commit is None:
        return "uncommitted change" if origin is not None and origin.uncommitted else None
    return f"{origin.commit.sha} {origin.commit.date[:10]}"


def page_data(root: Path, config: Config, ref: PageRef) -> dict[str, Any]:
    """A page's data once it passes its schema; KbError (exit 2) at the first problem."""
    doc = load_page(root, ref, config.max_page_bytes)
    problems = _validator(ref.kind, config.evidence_levels).problems(doc.data, doc.root)
    if problems:
        code, message, line, col = problems[0]
        raise KbError(f"{code} {message} (run kb lint)", path=ref.path, line=line, col=col)
    data: dict[str, Any] = doc.data
    return data


@functools.cache
def _validator(kind: str, levels: tuple[str, ...]) -> PageValidator:
    from kbcli.schema import PageValidator

    return PageValidator(kind, levels)


def claim_target(concept: dict[str, Any], claim: str) -> str | None:
    """The id of the claim of `concept` that `claim` names now (merged ids lead to their
    survivor); None when it names none."""
    for item in concept.get("claims", []):
        if item["id"] == claim or claim in item.get("merged", []):
            return str(item["id"])
    return None
