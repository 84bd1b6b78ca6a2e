"""A lint over a few pages of a large KB with a warm cache (a pre-commit run): it costs
what those pages cost, not what the KB does.

A run over the whole KB reads every page's manifest row and asks git (`git ls-files`) which
pages hold the blob the cache recorded; it saves, with the cache, what that found (`cache.
Warm`): every page listed, the pages git did not vouch for, and the state of git's index
(`git.index_tag`: its size and checksum). While the index is that same file, every page git
vouched for then still holds the recorded blob if git does not name it as changed now (`git
diff-files`, stat data compared in C), so a run over a few pages needs no row of it:

- it lists the folders (`kb.page_rels`: names only, in C), and takes as *suspect* the pages
  listed since, those git names as changed, and those it did not vouch for then;
- it looks at the pages it reports on and the suspect ones (read or checked as any run
  does), each with any page of the same id (R002), and at any other concept a rule asks
  for by id, whose row is then read (`KbIndex.concept`);
- it saves the suspect pages as not vouched for: until the index changes (`git add`, a
  commit, a checkout), they are checked by their stat signature.

Anything else (no record, another index, a folder out of the root, git failing) is a run
over the whole KB. `tests/test_cache_git.py` checks that every run equals `--no-cache`.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kbcli import git
from kbcli.cache import CacheCorrupt, LintCache, Warm
from kbcli.index import KbIndex, PageFacts
from kbcli.kb import KINDS, PAGE_SUFFIXES, PageRef, folders_stamp, page_rels, ref_of

if TYPE_CHECKING:
    from kbcli.config import Config
    from kbcli.lint import Progress

_ORDER = {folder: n for n, folder in enumerate(KINDS.values())}


def few_pages(
    root: Path,
    config: Config,
    store: LintCache,
    reported: Collection[str],
    progress: Progress | None,
    jobs: int | None,
    fast: bool,
) -> tuple[list[PageFacts], KbIndex] | None:
    """The facts of the pages `reported` needs looked at, and an index that finds any
    other concept on demand; None when the cache's record cannot tell what changed."""
    from kbcli.lint import analyse, folders_inside

    warm = store.warm()
    if warm is None or folders_inside(root) != set(KINDS):
        return None
    found = _suspects(root, warm, store)
    if found is None:
        return None
    listing, suspect, gone = found
    chosen = _with_namesakes(suspect | {rel for rel in reported if rel in listing}, listing)
    store.read_rows(chosen)
    store.forget(gone)
    refs = sorted((ref_of(root, rel) for rel in chosen), key=_listed_order)
    trusted = chosen - suspect
    if not trusted <= store.stored.keys():
        raise CacheCorrupt("a page vouched for has no manifest row")
    facts = analyse(root, config, refs, progress, store, jobs, fast, trusted)
    unvouched = {rel for rel in warm.unvouched | suspect if rel in listing}
    names = listing.names if isinstance(listing, _Listed) else None
    store.keep_warm(names, unvouched, warm.git_index, listing.folders)
    return facts, KbIndex(facts, _Others(root, store, listing).concept)


def _suspects(
    root: Path, warm: Warm, store: LintCache
) -> tuple[_Listing, set[str], set[str]] | None:
    """The pages listed now, those that may have changed since the record was saved, and
    those gone since; None if git's index is not the one it was saved with."""
    index = git.index_path(root)
    if index is None or git.index_tag(index) != warm.git_index:
        return None
    dirty = git.dirty_pages(root, list(KINDS.values()))
    if dirty is None or git.index_tag(index) != warm.git_index:
        return None  # the index changed while git compared: its answer may be the other's
    folders = folders_stamp(root)
    if folders == warm.folders and folders != "-":  # no entry added, removed or renamed
        known = _Known(store, warm.unvouched, folders)
        return known, {rel for rel in dirty | warm.unvouched if rel in known}, set()
    listed = _Listed(page_rels(root), folders)
    before = warm.listing()
    suspect = (listed.names - before) | {rel for rel in dirty | warm.unvouched if rel in listed}
    return listed, suspect, set(before - listed.names)


class _Listing(Protocol):
    folders: str  # the folders' stamp, taken before they were listed

    def __contains__(self, rel: object) -> bool: ...


class _Listed:
    """The pages as the folders list them now."""

    def __init__(self, names: set[str], folders: str) -> None:
        self.names, self.folders = names, folders

    def __contains__(self, rel: object) -> bool:
        return rel in self.names


class _Known:
    """The pages listed when the record was saved, the folders unchanged since: those
    with a manifest row, and those git did not vouch for (a page without a row is one)."""

    def __init__(self, store: LintCache, unvouched: frozenset[str], folders: str) -> None:
        self.store, self.unvouched, self.folders = store, unvouched, folders

    def __contains__(self, rel: object) -> bool:
        if not isinstance(rel, str):
            return False
        if rel in self.unvouched:
            return True
        self.store.read_rows([rel])
        return rel in self.store.stored


def _with_namesakes(rels: set[str], listing: _Listing) -> set[str]:
    """`rels` and every listed page with the id of one of them (`x.yaml` beside `x.yml`):
    which one the KB means by that id depends on both."""
    out = set(rels)
    for rel in rels:
        stem = rel.rpartition(".")[0]
        out.update(stem + suffix for suffix in PAGE_SUFFIXES if stem + suffix in listing)
    return out


def _listed_order(ref: PageRef) -> tuple[int, str]:
    """Where `list_pages` lists the page: concepts first, each folder by name."""
    folder, _, name = ref.rel.partition("/")
    return _ORDER[folder], name


class _Others:
    """The concepts a run over a few pages did not look at: unchanged since the cache
    recorded them (every page that may have changed was looked at)."""

    def __init__(self, root: Path, store: LintCache, listing: _Listing) -> None:
        self.root, self.store, self.listing = root, store, listing

    def concept(self, stem: str) -> PageFacts | None:
        folder = KINDS["concept"]
        names = sorted(f"{folder}/{stem}{suffix}" for suffix in PAGE_SUFFIXES)
        rel = next((rel for rel in names if rel in self.listing), None)
        if rel is None:
            return None
        self.store.read_rows([rel])
        if rel not in self.store.stored:
            raise CacheCorrupt(f"{rel} is vouched for but has no manifest row")
        ref = ref_of(self.root, rel)
        found = self.store.lookup([ref], [None], trusted={rel})
        return found[0]
