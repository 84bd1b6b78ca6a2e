"""`kb lint`: every page checked alone, then the references between them.

How it stays fast as a KB grows (the README's "Performance" section has the figures):
- a page whose facts are in the cache (`kbcli.cache`) and whose file is unchanged is not
  read at all; cross-file rules always run, on the facts of every page, cached or not;
- the pages left are parsed with the C parser and checked by a compiled validity check
  first (`schema.PageValidator`): the detailed jsonschema errors only for pages it rejects;
- when many pages are left (a cold run), they are spread over one process per core.
None of this changes a finding: `tests/test_fast_path.py` compares the findings with those
of the plain path (no cache, jsonschema only, one process).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kbcli import cache, collector, pagefacts
from kbcli.cache import LintCache, Signature
from kbcli.config import Config, load_config
from kbcli.errors import KbError
from kbcli.findings import Finding, Severity
from kbcli.index import KbIndex, PageFacts, analyse_text, unreadable
from kbcli.kb import KINDS, PageRef, folders_stamp, list_pages, read_raw, ref_for_path
from kbcli.rules import crossfile
from kbcli.schema import PageValidator
from kbcli.yamlio.load import YamlProblem, decode

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from kbcli.changes import ChangeSet
    from kbcli.git import IndexProbe

Progress = Callable[[int, int], None]  # (pages analysed, pages to analyse)

# Pages to analyse before the compiled validity check pays. Compiling it for one kind of
# page (~30 ms) costs less than importing jsonschema (~60 ms) and checking pages with it.
_FAST_MIN = 1
_PARALLEL_MIN = 300  # pages to analyse before a second process pays for its start
_PAGES_PER_PROCESS = 150
_MAX_PROCESSES = 8
_CHUNK = 50  # pages per task sent to a worker process
# Pages on record before asking git what changed pays: two git processes cost about what
# an `lstat` of a few hundred pages does.
_GIT_FROM = 500


@dataclass
class LintResult:
    root: Path
    findings: list[Finding]  # with the severities kb.yaml asks for; "off" rules removed
    checked: int  # pages reported on

    def failed(self, strict: bool) -> bool:
        return any(strict or f.severity is Severity.ERROR for f in self.findings)


def lint(
    root: Path,
    today: str,
    paths: Sequence[Path] = (),
    progress: Progress | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    fast: bool = True,
    changed_since: str | None = None,
    ahead: IndexProbe | None = None,
) -> LintResult:
    """Check the KB at `root`. With `paths`, report only on those pages (their references
    are still checked against the whole KB). `today` (YYYY-MM-DD) dates the future check.
    `use_cache` False neither reads nor writes the cache; `jobs` caps the processes (None:
    one per core when it pays); `fast` False validates every page with jsonschema alone.
    With `changed_since` (a git revision), report only what the changes since its merge
    base are answerable for, and check their changelog discipline (C005). `ahead`: git
    asked already which pages changed (`git.IndexProbe`), for a run over a few pages."""
    config = load_config(root)
    scope = _Scope(root, today, config, _select(root, paths), changed_since)
    scope.config_named = any(p.absolute() == (root / "kb.yaml").absolute() for p in paths)
    if changed_since is not None:
        from kbcli.changes import changed_since as changes_since

        scope.changes = changes_since(root, changed_since)

    def check(store: LintCache | None) -> tuple[list[Finding], int]:
        if store is not None and scope.selected is not None and scope.changes is None:
            from kbcli.warm import few_pages

            few = few_pages(root, config, store, scope.selected, progress, jobs, fast, ahead)
            if few is not None:  # a run over a few pages, the others as the cache has them
                return _findings(scope, *few, store)
        facts = analyse_all(root, config, progress, store, jobs, fast)
        with collector.paused():  # every cached page's facts decoded: no cycles among them
            if store is not None and scope.selected is None and store.kept:
                store.prefetch()  # every page is reported on: one read, not one a page
            return _findings(scope, facts, KbIndex(facts), store)

    use = use_cache and config.cache
    findings, checked = cache.through_cache(root, config, use, check)
    findings = _merge_driver_hint(root, findings)
    findings += _editor_schemas(scope)
    return LintResult(root, _apply_severities(findings, config), checked)


_DRIVER_HINT = "; `kb git-setup` lets git merge pages by meaning, so fewer conflicts reach a page"


def _merge_driver_hint(root: Path, findings: list[Finding]) -> list[Finding]:
    """Y009 names `kb git-setup` where the KB is in a git repository that does not yet merge
    its pages with kb's driver. Added after the cache, which keeps each page's findings, not
    git's config; asked only when there is a conflict to report (it runs git)."""
    if not any(f.code == "Y009" for f in findings):
        return findings
    from kbcli.mergedriver import driver_configured

    if driver_configured(root) is not False:  # set up, or no git repository to set up
        return findings
    return [
        replace(f, message=f.message + _DRIVER_HINT) if f.code == "Y009" else f for f in findings
    ]


def _editor_schemas(scope: _Scope) -> list[Finding]:
    """S004 for each file of the KB's editor schemas that `kb schema --write` would change
    (reported on whole-KB runs, or when kb.yaml is among the paths)."""
    if scope.selected is not None and not scope.config_named:
        return []  # a pre-commit run over pages: not worth reading the schemas for
    from kbcli.schema import outdated_editor_schemas

    levels = ", ".join(scope.config.evidence_levels)
    found = [
        Finding(
            rel, 1, 1, "S004",
            f"{rel} is out of date with kb.yaml (evidence levels: {levels}) or this kb "
            "version: run kb schema --write",
        )
        for rel in outdated_editor_schemas(scope.root, scope.config.evidence_levels)
    ]  # fmt: skip
    return found


@dataclass
class _Scope:
    """What one lint run reports on."""

    root: Path
    today: str
    config: Config
    selected: set[str] | None  # root-relative paths; None: the whole KB
    changed_since: str | None
    changes: ChangeSet | None = None  # what changed since `changed_since`
    config_named: bool = False  # kb.yaml is among the paths reported on


def _findings(
    scope: _Scope, facts: list[PageFacts], index: KbIndex, store: LintCache | None
) -> tuple[list[Finding], int]:
    selected = scope.selected
    # with `selected`, other pages' facts are read only where rules follow references
    findings = [f for p in facts if selected is None or p.rel in selected for f in p.findings]
    names = store.name_owners if store is not None else None
    findings += crossfile.check(index, scope.today, selected, names)
    checked = len(facts)
    if scope.changes is not None:
        from kbcli.changes import changelog_discipline, in_scope

        findings = in_scope(findings, scope.changes, index)
        findings += changelog_discipline(
            scope.root, scope.changes, str(scope.changed_since), scope.config.max_page_bytes
        )
        checked = len(scope.changes.pages)
    if selected is not None:
        findings = [f for f in findings if f.path in selected]
        checked = len(selected)
    return findings, checked


def analyse_all(
    root: Path,
    config: Config,
    progress: Progress | None = None,
    store: LintCache | None = None,
    jobs: int | None = None,
    fast: bool = True,
) -> list[PageFacts]:
    """Each page's facts, for every page of the KB in the order `list_pages` lists them:
    from `store` (the cache) where the page is unchanged, else analysed (and recorded in
    `store`)."""
    folders = folders_stamp(root)  # before listing: what moves after is seen next time
    trusted: set[str] = set()
    with collector.paused():  # the listing, the manifest, git's: many objects, no cycles
        refs = list_pages(root)
        if store is not None:
            store.read_manifest()
            trusted = _vouched_by_git(root, store, refs, folders)
    return analyse(root, config, refs, progress, store, jobs, fast, trusted)


def analyse(
    root: Path,
    config: Config,
    refs: Sequence[PageRef],
    progress: Progress | None,
    store: LintCache | None,
    jobs: int | None,
    fast: bool,
    trusted: Collection[str],
) -> list[PageFacts]:
    """`analyse_all` over any of the KB's pages, those in `trusted` taken from the cache
    without a look (git vouches for them)."""
    prefix = f"{root}{os.sep}"  # a string path: str() of 10,000 Paths costs ~20 ms
    inside = folders_inside(root)
    # all taken before any read: a later edit cannot hide
    sigs = [
        signature(prefix + ref.rel)
        if store is not None and ref.kind in inside and ref.rel not in trusted
        else None  # nothing to vouch for: no cache, a folder outside the root, git's word
        for ref in refs
    ]
    with collector.paused():  # a `LazyFacts` a page on record: many objects, no cycles
        hits = store.lookup(refs, sigs, trusted) if store is not None else [None] * len(refs)
    out = {i: hit for i, hit in enumerate(hits) if hit is not None}
    pending = [(i, refs[i], sigs[i]) for i, hit in enumerate(hits) if hit is None]
    known = store.digests([ref.rel for _, ref, _ in pending]) if store is not None else {}
    todo = [_Job(i, ref, sig, known.get(ref.rel)) for i, ref, sig in pending]
    context = _Context(root, config, fast and len(todo) >= _FAST_MIN, store is not None)
    for done in _run(context, todo, progress, jobs):
        out[done.order] = _record(store, refs[done.order], done)
    return [out[i] for i in range(len(refs))]


def folders_inside(root: Path) -> set[str]:
    """The kinds whose folder is inside the root. Only there does a page's stat signature
    vouch for what lint found: a folder moved out of the root and linked back keeps its
    files' signatures, but is read through a link out of the root (Y007)."""
    real = root.resolve()
    return {kind for kind, name in KINDS.items() if (root / name).resolve().is_relative_to(real)}


def _vouched_by_git(
    root: Path, store: LintCache, refs: Sequence[PageRef], folders: str
) -> set[str]:
    """The pages on record that git vouches are unchanged (`LintCache.vouched_by_git`): in
    a git checkout, a warm run learns what changed from git's index (what `git status`
    reads) rather than by an `lstat` of every page in Python. Outside git, none. What it
    found is kept for a run over a few pages (`kbcli.warm`), with the index it holds for
    and the tree checked out, pages staged since it left out."""
    rels = [ref.rel for ref in refs]
    inside = folders_inside(root)
    if len(store.stored) < _GIT_FROM or not inside:
        store.keep_warm(rels, rels, None, None, folders)
        return set()
    from kbcli import git

    spec = [KINDS[kind] for kind in sorted(inside)]
    index = git.index_path(root)
    before = None if index is None else git.index_tag(index)
    tree = git.head_tree(root)
    staged = None if tree is None else git.staged_pages(root, tree, spec)
    clean = git.clean_pages(root, spec)
    trusted = store.vouched_by_git(clean) if clean else set()
    stable = index is not None and before is not None and git.index_tag(index) == before
    whole = inside == set(KINDS)  # a folder out of the root is never vouched for by git
    listed = set(rels)
    unvouched = listed - trusted | (listed & (staged or set()))
    tree = tree if staged is not None else None
    store.keep_warm(rels, unvouched, before if stable and whole else None, tree, folders)
    return trusted


def signature(path: str) -> Signature | None:
    """The file's stat signature; None where it cannot vouch for the content (a symlink's
    target can change behind it)."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)  # a `cache.Signature`


def _record(store: LintCache | None, ref: PageRef, done: _Done) -> PageFacts:
    if done.facts is None:  # the content is the cached one; only its stat signature moved
        assert store is not None and done.digest is not None and done.blob is not None
        return store.refresh(ref, done.signature, done.digest, done.blob)
    if store is not None and done.digest is not None and done.row is not None:
        assert done.blob is not None
        store.put(ref.rel, done.signature, done.digest, done.blob, done.row)
    return done.facts


# -- analysing pages, in this process or in several ----------------------------------------


class _Job(NamedTuple):  # named tuples: made faster than dataclasses, and pickled
    order: int  # the page's place in the list analysed
    ref: PageRef
    signature: Signature | None
    known: str | None  # the cached content digest of the page, if any


class _Done(NamedTuple):
    order: int  # the page's place in the list analysed
    signature: Signature | None
    digest: str | None  # None: not cacheable (the page could not be read)
    blob: str | None  # the git blob id of the content read (None with `digest`)
    facts: PageFacts | None  # None: the content is the cached one
    row: pagefacts.Row | None  # the facts as the cache keeps them, made where they were


class _Context:
    """What analysing a page needs; validators are built on first use of their kind."""

    def __init__(self, root: Path, config: Config, fast: bool, encode: bool) -> None:
        self.root, self.config, self.fast, self.encode = root, config, fast, encode
        self.validators: dict[str, PageValidator] = {}

    def validator(self, kind: str) -> PageValidator:
        if kind not in self.validators:
            self.validators[kind] = PageValidator(kind, self.config.evidence_levels, self.fast)
        return self.validators[kind]


_CONTEXT: _Context | None = None  # a worker process's context (inherited or built)


def _run(
    context: _Context, todo: list[_Job], progress: Progress | None, jobs: int | None
) -> Iterator[_Done]:
    global _CONTEXT
    _CONTEXT = context
    workers = _workers(len(todo), jobs)
    if workers <= 1:
        for n, job in enumerate(todo, 1):
            yield _examine(job)
            if progress is not None:
                progress(n, len(todo))
        return
    for kind in {job.ref.kind for job in todo}:
        context.validator(kind)  # built once here, inherited by forked workers
    chunks = [todo[i : i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    with _pool_context().Pool(workers, _init_worker, (context,)) as pool:
        done = 0
        if progress is not None:  # started after the fork: a progress bar runs a thread
            progress(0, len(todo))
        for results in pool.imap_unordered(_examine_all, chunks):
            yield from results
            done += len(results)
            if progress is not None:
                progress(done, len(todo))


def _workers(pages: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, min(jobs, pages))
    if pages < _PARALLEL_MIN:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, pages // _PAGES_PER_PROCESS, _MAX_PROCESSES))


def _pool_context() -> BaseContext:
    import multiprocessing  # only here: ~20 ms that a pre-commit run need not pay

    # fork: workers inherit the compiled validators instead of compiling them again
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _init_worker(context: _Context) -> None:
    import signal

    global _CONTEXT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if _CONTEXT is None:  # spawned, not forked
        _CONTEXT = context


def _examine_all(jobs: list[_Job]) -> list[_Done]:
    return [_examine(job) for job in jobs]


def _examine(job: _Job) -> _Done:
    context = _CONTEXT
    assert context is not None
    ref = job.ref
    try:
        raw = read_raw(context.root, ref, context.config.max_page_bytes)
        text = decode(raw)
    except YamlProblem as exc:
        return _Done(job.order, job.signature, None, None, unreadable(ref, exc), None)
    if not context.encode:  # no cache to keep the facts in
        facts = analyse_text(ref, text, context.config, context.validator(ref.kind))
        return _Done(job.order, job.signature, None, None, pagefacts.PackedFacts.of(facts), None)
    digest, blob = cache.content_digest(raw), cache.blob_id(raw)
    if digest == job.known:
        return _Done(job.order, job.signature, digest, blob, None, None)
    facts = analyse_text(ref, text, context.config, context.validator(ref.kind))
    row = pagefacts.encode_row(facts)
    return _Done(job.order, job.signature, digest, blob, pagefacts.PackedFacts.of(facts, row), row)


def selected_pages(root: Path, paths: Sequence[Path]) -> list[PageRef]:
    """The pages `paths` name (all pages when there are none)."""
    chosen = _select(root, paths)
    return [ref for ref in list_pages(root) if chosen is None or ref.rel in chosen]


def _select(root: Path, paths: Sequence[Path]) -> set[str] | None:
    if not paths:
        return None
    selected: set[str] = set()
    for path in paths:
        ref = ref_for_path(root, path)
        # a folder named like a page is a stray entry (Y008), not a folder of pages
        if path.is_dir() and ref is None:
            inside = [
                r.rel for r in list_pages(root) if r.path.absolute().is_relative_to(path.absolute())
            ]
            selected.update(inside)
            continue
        if path.absolute() == (root / "kb.yaml").absolute():
            continue  # checked by load_config already
        if ref is None:
            raise KbError(
                f"{path} is not a page of the KB at {root} (concepts/*.yaml, theses/*.yaml)"
            )
        if not path.exists() and not path.is_symlink():
            raise KbError(f"{path} does not exist")
        selected.add(ref.rel)
    return selected


def _apply_severities(findings: list[Finding], config: Config) -> list[Finding]:
    out = []
    for finding in sorted(set(findings)):
        level = config.severity(finding.code)
        if level != "off":
            out.append(replace(finding, severity=Severity(level)))
    return out
