"""A lint over a few pages of a large KB with a warm cache (a pre-commit run): it costs
what those pages cost, not what the KB does.

A run over the whole KB reads every page's manifest row and asks git (`git ls-files`) which
pages hold the blob the cache recorded; it saves, with the cache, what that found (`cache.
Warm`): every page listed, the pages git did not vouch for (with those whose index entry is
not the checked-out tree's), the state of git's index (`git.index_tag`: its size and
checksum), that tree, and the folders' stamp. Every other page then held the recorded blob,
in the index as in the tree. So a later run over a few pages needs no row of them: a page
still holds the recorded blob if git names it neither as changed in the working tree (`git
diff-files`: stat data compared in C) nor, when the index is another file since (`git add`,
a commit, a checkout), as having an index entry other than the tree's (`git diff-index
--cached`). The run

- lists the folders only if their stamp moved (`kb.page_rels`: names only, in C), and
  takes as *suspect* the pages listed since, those git names, and those not vouched for;
- looks at the pages it reports on and the suspect ones (read or checked as any run does),
  each with any page of the same id (R002), and at any other concept a rule asks for by id,
  whose row is then read (`KbIndex.concept`);
- saves the suspect pages as not vouched for (checked by their stat signatures from then
  on, until a run over the whole KB records afresh), with the index as it found it.

Anything else (no record, no tree to compare with, a folder out of the root, git failing,
the index moving while git looked) is a run over the whole KB. `tests/test_cache_git.py`
checks that every run equals `--no-cache`.
"""

from __future__ import annotations

import contextlib
import os
from bisect import bisect_left
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kbcli import git
from kbcli.cache import CacheCorrupt, LintCache, Warm
from kbcli.index import KbIndex, PageFacts
from kbcli.kb import (
    FOLDERS,
    KINDS,
    PAGE_SUFFIXES,
    UNTRUSTED_STAMP,
    PageRef,
    folders_stamp,
    page_rels,
    ref_of,
)

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
    ahead: git.IndexProbe | None = None,
) -> tuple[list[PageFacts], KbIndex] | None:
    """The facts of the pages `reported` needs looked at, and an index that finds any
    other concept on demand; None when the cache's record cannot tell what changed.
    `ahead`: git asked already which pages changed (`git.IndexProbe`)."""
    from kbcli.lint import analyse

    warm = _record(root, store)
    found = None if warm is None else _suspects(root, warm, ahead)
    if warm is None or found is None:
        return None
    listing, suspect, gone, index = found
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
    store.keep_warm(names, unvouched, index, warm.tree, listing.folders)
    return facts, KbIndex(facts, _Others(root, store, listing).concept)


def unchanged_index(root: Path, store: LintCache) -> KbIndex | None:
    """An index that finds any concept as the cache recorded it, if no page changed since
    the record was saved (git and the folders say so, and every page git did not vouch
    for keeps its recorded signature); else None."""
    from kbcli.lint import signature

    warm = _record(root, store)
    found = None if warm is None else _suspects(root, warm, None)
    if warm is None or found is None or found[2]:  # git cannot tell, or a page is gone
        return None
    listing, suspect, _, _ = found
    if isinstance(listing, _Listed) and listing.names != warm.listing():
        return None
    store.read_rows(suspect)
    if not all(store.unchanged(rel, signature(f"{root}{os.sep}{rel}")) for rel in suspect):
        return None
    return KbIndex([], _Others(root, store, listing).concept)


def _record(root: Path, store: LintCache) -> Warm | None:
    """The record of the last whole-KB run, read with every row read after it as one save
    left them (`LintCache.snapshot`); None when there is none, or it cannot speak for the
    KB where it is now (a folder out of the root, the KB moved or copied)."""
    from kbcli.lint import folders_inside

    store.snapshot()
    warm = store.warm()
    if warm is None or folders_inside(root) != set(KINDS) or not _same_place(root, warm):
        return None
    return warm


def _suspects(
    root: Path, warm: Warm, ahead: git.IndexProbe | None
) -> tuple[_Listing, set[str], set[str], str] | None:
    """The pages listed now, those that may have changed since the record was saved, those
    gone since, and the state of git's index; None if git cannot tell."""
    found = _changed_in_git(root, warm, ahead)
    if found is None:
        return None
    changed, index = found
    folders = folders_stamp(root)
    if folders == warm.folders and not folders.endswith(UNTRUSTED_STAMP):  # none added,
        known = _Known(warm, folders)  # removed or renamed
        return known, {rel for rel in changed if rel in known}, set(), index
    listed = _Listed(page_rels(root), folders)
    before = warm.listing()
    suspect = (listed.names - before) | {rel for rel in changed if rel in listed}
    return listed, suspect, set(before - listed.names), index


def _same_place(root: Path, warm: Warm) -> bool:
    """Whether the KB is where the record was made: one moved or copied within its
    repository (cache and all) is not where git's entries are, and git names none of its
    pages as changed."""
    return warm.folders.partition(";")[0] == os.path.realpath(root)


def _changed_in_git(
    root: Path, warm: Warm, ahead: git.IndexProbe | None
) -> tuple[set[str], str] | None:
    """The pages git cannot vouch for (those not vouched for when the record was saved,
    those whose index entry moved since, and those whose file is not its index entry),
    and the index's state they hold for; None if git cannot tell. `ahead`: git asked
    already (`git.IndexProbe`)."""
    asked = ahead if ahead is not None else git.IndexProbe.start(root, FOLDERS)
    if asked is None:
        return None
    with contextlib.nullcontext() if asked is ahead else asked:  # the caller closes its own
        moved: set[str] | None = set()
        if asked.tag != warm.git_index:  # `git add`, a commit, a checkout: which moved
            moved = _moved_entries(root, warm.tree, FOLDERS)
        dirty = asked.answer()  # None also when the index changed since git was asked
        if moved is None or dirty is None:
            return None
        return moved | dirty | warm.unvouched, asked.tag


def _moved_entries(root: Path, tree: str, folders: Sequence[str]) -> set[str] | None:
    """The pages whose index entry may not be what it was when the record was saved: not
    `tree`'s, or not checked against the file (a flag set since: `git diff-files` would
    not name the page if it changed)."""
    staged = git.staged_pages(root, tree, folders) if tree else None
    unchecked = git.unchecked_pages(root, folders)
    return None if staged is None or unchecked is None else staged | unchecked


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
    """The pages listed when the record was saved (the folders unchanged since), found by
    halving its sorted lines: no set of every page is built."""

    def __init__(self, warm: Warm, folders: str) -> None:
        self.warm, self.folders = warm, folders
        self._lines: list[str] | None = None

    def __contains__(self, rel: object) -> bool:
        if not isinstance(rel, str):
            return False
        if self._lines is None:
            self._lines = self.warm.listing_text.split("\n")
        at = bisect_left(self._lines, rel)
        return at < len(self._lines) and self._lines[at] == rel


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
