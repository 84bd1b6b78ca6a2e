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

import contextlib
import dataclasses
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli import collector
from kbcli.cachedir import CACHE_DIR
from kbcli.config import Config
from kbcli.findings import Finding, Severity
from kbcli.history import Citation, HistoryRead, Origin, stale_since, start_ahead
from kbcli.index import Cite, KbIndex, PageFacts
from kbcli.kb import NOT_A_PAGE
from kbcli.lint import Progress, analyse_all

if TYPE_CHECKING:
    from kbcli.cache import LintCache
from kbcli.stamps import (
    Change,
    ChangeKind,
    Material,
    StampError,
    diff_material,
    material_from_json,
    parse_stamp,
)

HISTORY_CACHE = "history.json"


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
    not_pages: tuple[Finding, ...] = ()  # stray entries (Y008): what kb could not survey
    # with `--changed-since`: the citations that needed review before the change too
    already: tuple[ThesisReport, ...] = ()
    since: str | None = None  # the base those were found at

    @property
    def clean(self) -> bool:
        """Nothing stale, unreviewed, missing or unreadable (that the change caused), and no
        stray entry left unsurveyed."""
        return not self.theses and not self.not_pages


def split_by_cause(
    result: StaleResult, caused: Collection[tuple[str, str, tuple[str, ...] | None]], since: str
) -> StaleResult:
    """`result` keeping only the citations, by (thesis, concept, claims), that `caused`
    names; the others go to `already`, reported as notes, never as failures."""

    def cause(thesis: str, c: StaleCitation) -> bool:
        return (thesis, c.concept, c.claims) in caused

    def keep(want: bool) -> tuple[ThesisReport, ...]:
        reports = (
            replace(t, citations=tuple(c for c in t.citations if cause(t.thesis, c) == want))
            for t in result.theses
        )
        return tuple(t for t in reports if t.citations)

    theses = keep(True)
    counts = {status: 0 for status in Status}
    for citation in (c for t in theses for c in t.citations):
        counts[citation.status] += 1
    return replace(result, theses=theses, counts=counts, already=keep(False), since=since)


def find_stale(
    root: Path,
    config: Config,
    use_cache: bool = True,
    progress: Progress | None = None,
    history_progress: Progress | None = None,
) -> StaleResult:
    """Every thesis citation of the KB at `root` that needs a review, with what changed
    and, inside git, the commit that made it stale. `progress` is told of the pages read,
    `history_progress` of the citations dated."""
    from kbcli.secret import decline

    cached = use_cache and config.cache and not decline(root)  # `kbcli.secret`
    cache = _history_cache(root) if cached else None
    with contextlib.ExitStack() as stack:
        # git reads history on another core while the pages are read (stopped if unused)
        ahead = start_ahead(root, cache)
        if ahead is not None:
            stack.enter_context(ahead)
        survey = _read(root, config, cached, progress)
        flat = [c for thesis in survey.theses for c in thesis.citations]
        keys = [_search_key(c, survey.materials, survey.redirects) for c in flat]
        searched = [k for k in keys if k is not None]
        origins = _origins(
            root, searched, survey, config.max_page_bytes, cache, ahead, history_progress
        )
    dated = {
        id(c): c if k is None else replace(c, origin=origins.get(k))
        for c, k in zip(flat, keys, strict=True)
    }
    reports = tuple(
        replace(thesis, citations=tuple(dated[id(c)] for c in thesis.citations))
        for thesis in survey.theses
        if thesis.citations
    )
    counts = {status: 0 for status in Status}
    for citation in flat:
        counts[citation.status] += 1
    return StaleResult(root, reports, survey.checked, survey.citations, counts, survey.not_pages)


@dataclass(frozen=True)
class _Survey:
    """What `kb stale` takes from the pages: the theses with citations that need attention
    (not yet dated), every concept's material content (decoded when asked for), the theses
    and citations checked."""

    theses: list[ThesisReport]
    materials: Mapping[str, Material | None]
    checked: int
    citations: int
    not_pages: tuple[Finding, ...] = ()
    redirects: dict[str, str] = field(default_factory=dict)  # retired concept -> target
    blobs: Mapping[str, str] = field(default_factory=dict)  # concept -> git blob id, known


def _read(root: Path, config: Config, cached: bool, progress: Progress | None) -> _Survey:
    """Survey the KB through lint's per-page facts (from its cache, where `cached`)."""
    from kbcli.cache import through_cache

    def survey(store: LintCache | None) -> _Survey:
        if store is not None:
            found = _kept_as_it_was(root, store)
            if found is not None:
                return found
        index = KbIndex(analyse_all(root, config, progress, store))
        if store is None:
            return _decoded(_survey(index))
        # the survey of the very pages (by content) a run found before: kept in the cache
        key = store.fingerprint(_uncached(index, store))
        kept = store.note(_SURVEY_NOTE, key)
        found = _from_note(kept, index)
        if found is None:
            with collector.paused():  # every thesis's citations decoded: no cycles
                found = _survey(index)
            store.keep_note(_SURVEY_NOTE, key, json.dumps(survey_to_json(found)))
        store.note_holds(_SURVEY_NOTE)
        return _with_blobs(_decoded(found), index, store)

    return through_cache(root, config, cached, survey)


def _kept_as_it_was(root: Path, store: LintCache) -> _Survey | None:
    """The survey kept by the last save, if no page changed since (`warm.unchanged_index`:
    no page is listed, let alone read); None otherwise."""
    from kbcli.warm import unchanged_index

    store.snapshot()  # the note, the record and the rows, as one save left them
    kept = store.current_note(_SURVEY_NOTE)
    index = None if kept is None else unchanged_index(root, store)
    found = None if index is None else _from_note(kept, index)
    return None if found is None or index is None else _with_blobs(_decoded(found), index, store)


def _from_note(kept: str | None, index: KbIndex) -> _Survey | None:
    if kept is None:
        return None
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return survey_from_json(json.loads(kept), _Materials(index))
    return None


def _with_blobs(found: _Survey, index: KbIndex, store: LintCache) -> _Survey:
    """The survey with the git blob id of each concept history will ask about: its file
    need not be read."""
    rels = {stem: facts.rel for stem in found.materials if (facts := index.concept(stem))}
    blobs = {stem: store.blobs.get(rel) for stem, rel in rels.items()}
    return replace(found, blobs={stem: b for stem, b in blobs.items() if b})


def _decoded(survey: _Survey) -> _Survey:
    """The survey with the materials the search will ask for decoded now, while the cache
    they are read from is open: the concepts of the citations that need attention, and
    those retired into another (what each citation is stale for, and since when)."""
    wanted = {c.concept for t in survey.theses for c in t.citations} | survey.redirects.keys()
    found = {stem: survey.materials[stem] for stem in wanted if stem in survey.materials}
    return dataclasses.replace(survey, materials=found)


_SURVEY_NOTE = "stale-survey"


def _uncached(index: KbIndex, store: LintCache) -> str:
    """What this run found of the pages the cache cannot keep (unreadable ones, names it
    cannot store): part of what a kept survey is for."""
    found = [facts.to_json() for facts in index.pages if facts.rel not in store.vouched]
    return json.dumps(found, sort_keys=True, default=repr)


class _Materials(Mapping[str, "Material | None"]):
    """Each concept's material content, decoded from its facts when first asked for: a
    survey asks only for the concepts cited, a cached survey only for the stale ones."""

    def __init__(self, index: KbIndex) -> None:
        self.index = index
        self.decoded: dict[str, Material | None] = {}

    def __getitem__(self, stem: str) -> Material | None:
        if stem not in self.decoded:
            facts = self.index.concept(stem)
            if facts is None:
                raise KeyError(stem)
            self.decoded[stem] = _material(facts)
        return self.decoded[stem]

    def __iter__(self) -> Iterator[str]:
        return iter(self.index.concepts)

    def __len__(self) -> int:
        return len(self.index.concepts)


def _survey(index: KbIndex) -> _Survey:
    materials = _Materials(index)
    theses = [
        ThesisReport(
            thesis.stem,
            thesis.title,
            thesis.rel,
            tuple(c for cite in thesis.cites if (c := _classify(cite, index, materials))),
        )
        for thesis in index.theses.values()
    ]
    strays = tuple(f for p in index.pages for f in p.findings if f.code == NOT_A_PAGE)
    redirects = {
        stem: facts.redirect[0] for stem, facts in index.concepts.items() if facts.redirect
    }
    cited = sum(len(t.cites) for t in index.theses.values())
    attention = [thesis for thesis in theses if thesis.citations]
    return _Survey(attention, materials, len(theses), cited, strays, redirects)


def survey_to_json(survey: _Survey) -> dict[str, Any]:
    """What a survey found, for the lint cache (the materials are not kept: they are the
    pages' own facts)."""

    def citation(c: StaleCitation) -> list[Any]:
        changes = [dataclasses.asdict(change) for change in c.changes]
        return [c.concept, c.claims, c.line, c.col, c.status.value, changes, c.stamp]

    return {
        "theses": [
            [t.thesis, t.title, t.rel, [citation(c) for c in t.citations]] for t in survey.theses
        ],
        "checked": survey.checked,
        "citations": survey.citations,
        "not_pages": [f.to_json() for f in survey.not_pages],
        "redirects": survey.redirects,
    }


def survey_from_json(raw: Mapping[str, Any], materials: Mapping[str, Material | None]) -> _Survey:
    """`survey_to_json`'s survey again (ValueError, KeyError or TypeError if it is not one)."""

    def citation(raw: list[Any]) -> StaleCitation:
        concept, claims, line, col, status, changes, stamp = raw
        return StaleCitation(
            str(concept),
            None if claims is None else tuple(str(c) for c in claims),
            int(line),
            int(col),
            Status(status),
            tuple(Change(**{**c, "kind": ChangeKind(c["kind"])}) for c in changes),
            None if stamp is None else str(stamp),
        )

    theses = [
        ThesisReport(str(t), title, str(rel), tuple(citation(c) for c in cites))
        for t, title, rel, cites in raw["theses"]
    ]
    not_pages = tuple(
        Finding(f["path"], f["line"], f["col"], f["code"], f["message"], Severity(f["severity"]))
        for f in raw["not_pages"]
    )
    redirects = {str(k): str(v) for k, v in raw["redirects"].items()}
    return _Survey(
        theses, materials, int(raw["checked"]), int(raw["citations"]), not_pages, redirects
    )


def _material(facts: PageFacts) -> Material | None:
    """The concept's material content; None when its page could not be read."""
    from kbcli.pagefacts import plain

    if facts.material is None:
        return None
    try:
        return material_from_json(plain(facts.material))
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


def _search_key(
    citation: StaleCitation,
    materials: Mapping[str, Material | None],
    redirects: Mapping[str, str],
) -> Citation | None:
    """What to ask history about a citation: None when there is no stamp, or when the
    concept did not change within what the stamp covers (only the citation's claims did)
    and no concept was retired into it.

    The search uses the claims the *stamp* covers, not those the citation names now: when
    `kb merge-claims` rewrites a citation to a survivor's id in the merge commit, no
    version before it would match the rewritten citation, but they do match the stamp.
    When only the claims it names changed and concepts were retired into its concept
    (`kb merge-claims --retire-other` moves their citations' claims onto it), the
    retirement is what made it stale."""
    if citation.stamp is None or citation.status not in (Status.STALE, Status.MISSING):
        return None
    try:
        stamp = parse_stamp(citation.stamp)
    except StampError:  # history says so itself
        return Citation(citation.concept, citation.stamp, citation.claims)
    # A whole-concept stamp covers whatever claims the citation names now.
    scope = citation.claims if stamp.whole else tuple(stamp.claims)
    mat = materials.get(citation.concept)
    if mat is not None and not diff_material(citation.stamp, mat, scope):
        retired = tuple(sorted(r for r, into in redirects.items() if into == citation.concept))
        return Citation(citation.concept, citation.stamp, scope, retired) if retired else None
    return Citation(citation.concept, citation.stamp, scope)


def _origins(
    root: Path,
    citations: list[Citation],
    survey: _Survey,
    max_bytes: int,
    cache: Path | None,
    ahead: HistoryRead | None,
    progress: Progress | None = None,
) -> dict[Citation, Origin]:
    """Where each citation went stale; empty outside git. Where git refuses the
    repository (another user's, without safe.directory; a damaged one), each is "unknown"
    with a note saying why, rather than silently dated by nothing."""
    if not citations:
        return {}
    if cache is not None:
        _ensure_cache_dir(cache.parent.parent)
    # What lint already read of each page: history need not read the files again.
    concepts = {r for c in citations for r in (c.concept, *c.retired_from)}
    worktree = {concept: survey.materials.get(concept) for concept in concepts}
    found = stale_since(
        root, citations, worktree, cache, ahead, survey.redirects, max_bytes,
        blobs=survey.blobs, progress=progress,
    )  # fmt: skip
    if not found:  # no history: outside git (nothing to say), or git refused to read it
        from kbcli.git import refusal

        why = refusal(root)
        if why is not None:
            return {citation: Origin(note=why) for citation in citations}
    return found


def _history_cache(root: Path) -> Path:
    return root / CACHE_DIR / HISTORY_CACHE


def _ensure_cache_dir(root: Path) -> None:
    """The cache folder (`kbcli.cachedir`); a folder that cannot be made only costs the
    cache."""
    from kbcli.cachedir import ensure_cache_dir

    with contextlib.suppress(OSError):
        ensure_cache_dir(root)
