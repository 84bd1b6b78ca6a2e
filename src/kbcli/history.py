"""When did a citation go stale? One pass over git history, then a walk per concept.

For each stale citation we name **the answer** (defined in docs/stale.md): the commit that
began the current run of versions of the cited content that do not match the citation's
stamp, along first-parent history. When it is a merge, the change arrived by that merge,
and we name the merged branch's own commit beside it where it can be found. A concept
that is gone or retired also gets what happened to it, with its own commit: deleted,
renamed to another id, or retired into another concept (`kb merge-claims --retire-other`).

How, and why this way:

1. **One `git log --raw`** pass lists, per first-parent commit, every concept file it
   touched with the new blob id (renames detected, `-M`): every cited concept's sequence
   of versions, without a history walk per citation or per file. It costs one tree diff
   per commit, whatever the number of citations. It runs without a pathspec (a pathspec
   makes git diff each commit twice, once to simplify history and once to print; measured
   twice as slow on a KB repository) and, on a long history, as a few processes over
   consecutive slices of it, one per core.
2. A concept is its id: `concepts/<id>.yaml` or `concepts/<id>.yml` (`.yaml` wins when both
   exist, as `kb.page_ref` has it), and a rename to a new id carries its history along.
3. **`git cat-file --batch`** (one process) then reads only the blobs the walk asks for;
   each is parsed once, whatever number of citations share it, a committed version
   identical to the working tree file is not read at all, and a blob over the KB's
   `max_page_bytes` is never parsed (it reads as an unreadable version).
4. **The walk** per citation goes from the newest version of the concept to the oldest
   until one matches the stamp: the version after it began the current run. Exact for
   any history (a brief return to the stamped content ends the run there), and it touches
   only the commits that changed that concept.
5. Optionally (`cache=`), the pass is kept in a file and later runs read only the commits
   made since; a cache that does not continue HEAD's history, that was read under other
   replacements (`git replace`, grafts), or that another user wrote (`kbcli.secret`), is
   rebuilt, never trusted.
6. `kb stale` starts the pass (`start_ahead`) before it reads the pages, so that git reads
   history on one core while kb reads pages on another.

Every git option the answer depends on is pinned on the command line (`_PINNED`, `-M`,
`--first-parent --diff-merges=first-parent`), so no user or repository setting changes it;
`--diff-merges=first-parent` needs git 2.31, and an older git gets a note saying so.

Outside a git repository (or without git installed) there is no history: the result is
empty and the caller shows no commit column. A concept whose committed version (HEAD)
still matches the stamp changed only in the working tree or index: "uncommitted". When no
committed version matches (the stamped content was never committed, or a shallow clone
cut it off) the commit is unknown, with a note saying which.

Subprocess git rather than GitPython: bulk reading wants a few long-running processes
(`log`, `cat-file --batch`) with byte-exact, NUL-separated output; GitPython would run the
same commands through its own wrappers and costs ~0.07 s just to import.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import groupby, pairwise
from pathlib import Path
from types import TracebackType
from typing import IO

from kbcli.config import Config
from kbcli.kb import PAGE_SUFFIXES
from kbcli.secret import secret_for
from kbcli.stamps import Material, StampError, diff_material, is_stale, parse_stamp
from kbcli.yamlio.load import YamlProblem, decode, parse

CONCEPTS = "concepts"
_ID = re.compile(r"[^/\\\x00\n]+")  # a file stem: lint checks the slug, we only stay inside
_BROKEN = object()  # a version that cannot be read: it never matches a stamp
_SLICE = 250  # commits per `git log` process, at least: fewer are not worth a process
_MAX_PROCS = 4
_CACHE_FORMAT = 4
_RENAME_DEPTH = 8  # renames followed back, at most (a cycle of renames stops there)
MIN_GIT = (2, 31)  # --diff-merges=first-parent
_REPLACE = "refs/replace/"  # `git replace`'s refs: each replaces the commit it names


@dataclass(frozen=True)
class Citation:
    """What to explain: a concept, the stamp on the citation, the claims it names (None:
    the whole concept). `retired_from`: the citation is stale only because it names claims
    it took over from these concepts, retired into `concept` (`kb merge-claims
    --retire-other`); the answer is then the commit that retired them."""

    concept: str
    stamp: str
    claims: tuple[str, ...] | None = None
    retired_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Commit:
    sha: str  # abbreviated as git abbreviates it
    date: str  # author date, ISO 8601 with offset
    subject: str

    def to_json(self) -> dict[str, str]:
        return {"sha": self.sha, "date": self.date, "subject": self.subject}


class EventKind(StrEnum):
    DELETED = "deleted"
    RENAMED = "renamed"
    RETIRED = "retired"


@dataclass(frozen=True)
class Event:
    """What happened to a concept that is gone or retired, and in which commit."""

    kind: EventKind
    concept: str  # the concept deleted, renamed or retired
    commit: Commit | None  # None: not committed (a file deleted in the working tree)
    to: str | None = None  # renamed to, retired into

    def to_json(self) -> dict[str, str | None]:
        c = self.commit
        when = {"sha": None, "date": None, "subject": None} if c is None else c.to_json()
        out = {"kind": self.kind.value, "concept": self.concept, **when}
        if self.to is not None:
            out["to"] = self.to
        return out


@dataclass(frozen=True)
class Origin:
    """Where a citation went stale: a commit, the working tree, or unknown (with a note).
    `merge`: the commit is a merge that brought the change, `branch_commit` the merged
    branch's own commit that made it (None where it cannot be found); `event`: what
    happened to a concept that is gone or retired."""

    commit: Commit | None = None
    uncommitted: bool = False
    note: str = ""
    merge: bool = False
    branch_commit: Commit | None = None
    event: Event | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object]
        if self.commit is not None:
            out = {"state": "commit", **self.commit.to_json()}
            if self.merge:
                bc = self.branch_commit
                out.update(merge=True, branch_commit=None if bc is None else bc.to_json())
        elif self.uncommitted:
            out = {"state": "uncommitted"}
        else:
            out = {"state": "unknown", "note": self.note}
        if self.event is not None:
            out["event"] = self.event.to_json()
        return out


UNCOMMITTED = Origin(uncommitted=True)


def start_ahead(kb_root: Path, cache: Path | None) -> HistoryRead | None:
    """The history pass `stale_since` will need, started now so that git reads history
    while the caller reads pages; None where that does not pay: outside git, on one core
    (git and the caller would take turns), or with a cache (what is new is read fast)."""
    if _cores() < 2 or (cache is not None and cache.exists()):
        return None
    git = _Git.open(kb_root)
    return HistoryRead(git, cache) if git is not None and not git.too_old else None


def stale_since(
    kb_root: Path,
    citations: Iterable[Citation],
    worktree: Mapping[str, object] | None = None,
    cache: Path | None = None,
    ahead: HistoryRead | None = None,
    redirects: Mapping[str, str] | None = None,
    max_bytes: int = Config.max_page_bytes,
) -> dict[Citation, Origin]:
    """For each citation that is stale in the working tree, where it went stale.

    `kb_root` is the KB's directory inside a git working tree. `worktree` optionally gives,
    by concept id, the plain data or the `Material` of each file as it is now (None: the
    concept is gone), else the files are read. `cache` optionally names a file in which to
    keep the history pass between runs; `ahead`, the pass already started (`start_ahead`,
    with that cache). `redirects` maps each concept that is now a redirect to its target;
    `max_bytes` is the KB's `max_page_bytes`. Citations that are not stale are left out;
    outside git the result is empty."""
    git = ahead.git if ahead is not None else _Git.open(kb_root)
    if git is None:
        return {}
    current = _Worktree(kb_root / CONCEPTS, worktree or {}, max_bytes)
    stale: list[Citation] = []
    out: dict[Citation, Origin] = {}
    for cit in dict.fromkeys(citations):
        if problem := _unsearchable(cit):
            out[cit] = Origin(note=problem)
        elif cit.retired_from or _is_stale(cit, current.data(cit.concept)):
            stale.append(cit)
    if git.too_old:
        return {**out, **{cit: Origin(note=git.too_old) for cit in stale}}
    if stale:
        log = ahead.result() if ahead is not None else git.history(cache)
        search = _Search(git, log, current, redirects or {}, max_bytes)
        with search:
            out.update(search.origins(stale))
    return out


def _is_stale(cit: Citation, concept: object) -> bool:
    if isinstance(concept, Material):  # what lint keeps of a page
        return bool(diff_material(cit.stamp, concept, cit.claims))
    return is_stale(cit.stamp, concept, cit.claims)


def _unsearchable(cit: Citation) -> str:
    ids = (cit.concept, *cit.retired_from)
    if any(not _ID.fullmatch(c) or c in (".", "..") for c in ids):
        return "not a concept id"
    try:
        parse_stamp(cit.stamp)
    except StampError:
        return "unreadable stamp"
    return ""


# -- the search ------------------------------------------------------------------------


class _Search:
    """Each stale citation's answer, from the history pass (`log`) and the blobs it names."""

    def __init__(
        self, git: _Git, log: _Log, current: _Worktree, redirects: Mapping[str, str], limit: int
    ) -> None:
        self.git, self.log, self.current, self.redirects = git, log, current, redirects
        self.folder = f"{git.prefix}{CONCEPTS}/"
        self.reader = git.blob_reader(limit)
        self.seeded: dict[str, str | None] = {}  # concept -> blob id of its working file
        self.histories: dict[str, list[_Version]] = {}
        self.short: dict[str, str] = {}
        self.branches: dict[str, list[_Log | None]] = {}  # by merge: `_merged`

    def __enter__(self) -> _Search:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader.close()

    def origins(self, stale: list[Citation]) -> dict[Citation, Origin]:
        concepts = {c.concept for c in stale} | {r for c in stale for r in c.retired_from}
        for concept in concepts:
            oid = self.current.oid(concept, self.git.oid_len)
            self.seeded[concept] = oid
            if oid is not None:  # a committed blob equal to the file needs no read
                self.reader.cache[oid] = self.current.data(concept)
        found = {cit: self._find(cit) for cit in stale}
        self.short = self.git.short_shas(sorted(self._named(found.values())))
        return {cit: self._origin(cit, where) for cit, where in found.items()}

    def history(self, concept: str) -> list[_Version]:
        """The concept's committed versions, newest (HEAD's) first."""
        if concept not in self.histories:
            self.histories[concept] = _concept_history(self.log, self.folder, concept)[::-1]
        return self.histories[concept]

    def _find(self, cit: Citation) -> _Found:
        if cit.retired_from:
            retired = [self._retirement(r, cit.concept) for r in cit.retired_from]
            events = [e for e in retired if e is not None]
            latest = max(events, key=lambda e: e[0], default=None)
            return _Found(latest[0], latest) if latest else _Found(UNCOMMITTED)
        history = self.history(cit.concept)
        where = _walk(history, lambda blob: not _is_stale(cit, self.reader.read(blob)))
        if where is None:
            why = (
                "history is shallow"
                if self.git.shallow
                else "no committed version matches the stamp"
            )
            where = Origin(note=f"{why}; run 'kb review' after checking the concept")
        event = self._event(cit.concept, history)
        if where is UNCOMMITTED and event is not None and event[1].commit is None:
            event = None  # changed and deleted only in the working tree: "uncommitted" says so
        return _Found(where, event)

    def _event(self, concept: str, history: list[_Version]) -> tuple[int, Event] | None:
        """What happened to a concept that is gone or a redirect now, if committed."""
        target = self.redirects.get(concept)
        if target is not None:
            return self._retirement(concept, target)
        if self.current.data(concept) is not None or not history:
            return None
        if history[0].blob:  # HEAD has it: deleted in the working tree (or the index)
            return len(self.log.commits), Event(EventKind.DELETED, concept, None)
        gone = history[0]
        kind = EventKind.DELETED if gone.other is None else EventKind.RENAMED
        return gone.commit, Event(kind, concept, self._commit(gone.commit), gone.other)

    def _retirement(self, concept: str, target: str) -> tuple[int, Event] | None:
        """The commit that began the current run of versions of `concept` that redirect
        to `target`; None if HEAD's version does not."""
        history, seeded = self.history(concept), self.seeded.get(concept)

        def redirects(blob: str | None) -> bool:
            data = self.reader.read(blob)
            as_mapping = isinstance(data, Mapping) and data.get("redirect") == target
            # the working file, known (from the caller) to redirect
            return as_mapping or (blob is not None and blob == seeded)

        index = _walk(history, lambda blob: not redirects(blob))
        if index is None:
            index = history[-1].commit  # created as a redirect
        if not isinstance(index, int):
            return None
        return index, Event(EventKind.RETIRED, concept, self._commit(index), target)

    def _commit(self, index: int) -> Commit:
        """Placeholder commit, its sha abbreviated in `_origin` once all are known."""
        sha, date, subject, _ = self.log.commits[index]
        return Commit(sha, date, subject)

    def _named(self, found: Iterable[_Found]) -> set[str]:
        shas = set()
        for f in found:
            if isinstance(f.where, int):
                shas.add(self.log.commits[f.where][0])
            if f.event is not None and f.event[1].commit is not None:
                shas.add(f.event[1].commit.sha)
        return shas

    def _origin(self, cit: Citation, found: _Found) -> Origin:
        event = None
        if found.event is not None:
            event = _abbreviated(found.event[1], self.short)
        if not isinstance(found.where, int):
            return replace(found.where, event=event)
        sha, date, subject, second = self.log.commits[found.where]
        commit = Commit(self.short.get(sha, sha[:12]), date, subject)
        if not second:
            return Origin(commit, event=event)
        # a retirement names its own commit; the branch walk is for a citation's content
        branch = None
        if not cit.retired_from:  # an octopus merge merged several: the first that has it
            walked = (self._branch_commit(log, cit) for log in self._merged(sha, second))
            branch = next((c for c in walked if c is not None), None)
        return Origin(commit, merge=True, branch_commit=branch, event=event)

    def _merged(self, merge: str, second: str) -> list[_Log | None]:
        """Each branch a merge merged (one, or more for an octopus merge): its first-parent
        commits that the merge's first parent does not have; read once per merge."""
        if merge not in self.branches:
            parents = self.git.merged_parents(merge) or [second]
            self.branches[merge] = [self.git.branch_log(merge, p) for p in parents]
        return self.branches[merge]

    def _branch_commit(self, log: _Log | None, cit: Citation) -> Commit | None:
        """The merged branch's own commit that began the run the merge brought: the same
        walk over the branch's commits (`_merged`)."""
        if log is None:
            return None  # not reachable (a shallow clone, a partial one)
        history = _concept_history(log, self.folder, cit.concept)[::-1]
        if not history:
            return None
        where = _walk(history, lambda blob: not _is_stale(cit, self.reader.read(blob)))
        if where is UNCOMMITTED:  # the branch's tip matches: the merge itself changed it
            return None
        index = where if isinstance(where, int) else history[-1].commit
        sha, date, subject, _ = log.commits[index]
        return Commit(self.git.short_shas([sha]).get(sha, sha[:12]), date, subject)


def _abbreviated(event: Event, short: Mapping[str, str]) -> Event:
    c = event.commit
    if c is None:
        return event
    commit = Commit(short.get(c.sha, c.sha[:12]), c.date, c.subject)
    return Event(event.kind, event.concept, commit, event.to)


@dataclass(frozen=True)
class _Found:
    where: int | Origin  # the answer's index in the log, or an Origin saying why there is none
    event: tuple[int, Event] | None = None


def _walk(history: list[_Version], matches: Callable[[str | None], bool]) -> int | Origin | None:
    """The answer's commit index, walking `history` (newest first) back to the first
    version that `matches`: the version after it began the current run. UNCOMMITTED when
    the newest matches; None when none does."""
    if not history or matches(history[0].blob):
        return UNCOMMITTED
    for newer, version in pairwise(history):
        if matches(version.blob):
            return newer.commit
    return None


def _concept_history(log: _Log, folder: str, concept: str, depth: int = 0) -> list[_Version]:
    """A concept's versions, oldest first: one per commit that changed what the concept is
    (its blob, under either suffix; None: no file). A deletion that was a rename to
    another id names it (`other`); a concept that began as a rename of another id, or of
    a page in another concepts folder (the KB moved), carries that one's history before
    it."""
    paths = {f"{folder}{concept}{suffix}": k for k, suffix in enumerate(PAGE_SUFFIXES)}
    touched = sorted((v.commit, paths[p], v) for p in paths for v in log.versions.get(p, ()))
    state: list[str | None] = [None] * len(PAGE_SUFFIXES)
    out: list[_Version] = []
    for commit, group in groupby(touched, key=lambda t: t[0]):
        moved, source = None, None
        for _, k, version in group:
            state[k] = version.blob
            page = _page_of(version.other)
            if page is not None and page != (folder, concept):
                source = page
                moved = page[1] if page[0] == folder else moved
        now = next((blob for blob in state if blob is not None), None)
        if out and now == out[-1].blob:  # a suffix switched, or a change undone in one
            continue
        if not out and now is not None and source is not None and depth < _RENAME_DEPTH:
            before = _concept_history(log, *source, depth + 1)
            out.extend(v for v in before if v.commit < commit)
        out.append(_Version(commit, now, moved if now is None else None))
    return out


def _page_of(path: str | None) -> tuple[str, str] | None:
    """(folder, concept id) of a page in a concepts folder (any KB's: `concepts/<id>.yaml`
    anywhere in the repository, or `.yml`); None for any other path."""
    if path is None:
        return None
    folder, _, name = path.rpartition("/")
    if folder != CONCEPTS and not folder.endswith(f"/{CONCEPTS}"):
        return None
    for suffix in PAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return f"{folder}/", name[: -len(suffix)]
    return None


# -- the working tree ------------------------------------------------------------------


class _Worktree:
    """Concept files as they are now: plain data, and the bytes' git blob hash."""

    def __init__(self, concepts: Path, given: Mapping[str, object], limit: int) -> None:
        self.concepts, self.given, self.limit = concepts, given, limit
        self.raw: dict[str, bytes | None] = {}
        self.parsed: dict[str, object] = {}

    def _bytes(self, concept: str) -> bytes | None:
        if concept not in self.raw:
            self.raw[concept] = None
            for suffix in PAGE_SUFFIXES:
                try:
                    with open(self.concepts / f"{concept}{suffix}", "rb") as fh:
                        self.raw[concept] = fh.read(self.limit + 1)
                    break
                except OSError:
                    continue
        return self.raw[concept]

    def data(self, concept: str) -> object:
        if concept in self.given:
            return self.given[concept]
        if concept not in self.parsed:
            raw = self._bytes(concept)
            # a file over max_page_bytes is never parsed: it reads as unreadable
            over = raw is not None and len(raw) > self.limit
            self.parsed[concept] = None if raw is None else _BROKEN if over else _load(raw)
        return self.parsed[concept]

    def oid(self, concept: str, oid_len: int) -> str | None:
        """The git blob id the file would have (sha1, or sha256 in such repositories);
        None for a missing file or one over the limit (never seeded, never parsed)."""
        raw = self._bytes(concept)
        if raw is None or len(raw) > self.limit:
            return None
        algo = hashlib.sha256 if oid_len == 64 else hashlib.sha1
        return algo(b"blob %d\0" % len(raw) + raw).hexdigest()


def _load(raw: bytes) -> object:
    try:
        return parse(decode(raw)).data
    except YamlProblem:
        return _BROKEN


# -- the history pass ------------------------------------------------------------------


@dataclass(frozen=True)
class _Version:
    commit: int  # index into _Log.commits
    blob: str | None  # None: the file was deleted by that commit
    other: str | None = None  # a rename: the path it came from (added) or went to (deleted)


@dataclass
class _Log:
    """First-parent history, oldest commit first, and each concept file's versions."""

    head: str = ""
    # sha, date, subject, second parent ("": not a merge)
    commits: list[tuple[str, str, str, str]] = field(default_factory=list)
    versions: dict[str, list[_Version]] = field(default_factory=dict)  # by path, oldest first

    def extend(self, newer: _Log) -> None:
        base = len(self.commits)
        self.commits.extend(newer.commits)
        for path, versions in newer.versions.items():
            mine = self.versions.setdefault(path, [])
            mine.extend(_Version(v.commit + base, v.blob, v.other) for v in versions)
        self.head = newer.head or self.head


class _Git:
    """The few git commands we need, run in the KB root."""

    def __init__(self, cwd: Path, prefix: str, shallow: bool, head: str, too_old: str) -> None:
        self.cwd, self.prefix, self.shallow, self.head = cwd, prefix, shallow, head
        self.oid_len = len(head) or 40
        self.too_old = too_old  # a note when git cannot give the answer, else ""
        self._replaced: str | None = None

    @classmethod
    def open(cls, kb_root: Path) -> _Git | None:
        probe = _run(kb_root, "rev-parse", "--show-prefix", "--is-shallow-repository")
        if probe is None or probe.returncode != 0:
            return None
        prefix, shallow = probe.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
        head = _run(kb_root, "rev-parse", "-q", "--verify", "HEAD^{commit}")
        sha = head.stdout.decode().strip() if head is not None and head.returncode == 0 else ""
        return cls(kb_root, prefix, shallow == "true", sha, _too_old(git_version(kb_root)))

    def history(self, cache: Path | None) -> _Log:
        """The whole first-parent history; from `cache` plus what is new where it can."""
        with HistoryRead(self, cache) as read:
            return read.result()

    def _start_log(self, since: str | None) -> _PendingLog | None:
        """Start reading the commits after `since` (None: all) up to HEAD; None when
        `since` is not on HEAD's first-parent line (history was rewritten) or git fails."""
        chain = self._chain(since)
        if chain is None:
            return None
        pending = _PendingLog(self.head)
        try:
            for start, stop in _slices(chain, since):
                pending.start(self.cwd, start, stop)
        except OSError:  # no more processes: stop those started
            pending.close()
            return None
        return pending

    def _chain(self, since: str | None) -> list[str] | None:
        args = ["rev-list", "--first-parent", "--parents", "HEAD"]
        done = _run(self.cwd, *args, *([f"^{since}"] if since else []))
        if done is None or done.returncode != 0:
            return None
        rows = [line.split() for line in done.stdout.decode("ascii").splitlines()]
        # Continuing from `since` needs the oldest new commit to sit right on top of it.
        if since and (not rows or len(rows[-1]) < 2 or rows[-1][1] != since):
            return None
        return [row[0] for row in rows]

    def short_shas(self, shas: list[str]) -> dict[str, str]:
        if not shas:
            return {}
        done = _run(self.cwd, "log", "--no-walk=unsorted", "--format=%H %h", *shas)
        if done is None or done.returncode != 0:
            return {}
        return dict(line.split() for line in done.stdout.decode("ascii").splitlines())

    def blob_reader(self, limit: int) -> _BlobReader:
        return _BlobReader(self.cwd, limit)

    def replaced(self) -> str:
        """What `git replace` (and grafts) make of history, as a fingerprint: they change
        the commits HEAD has without moving HEAD, so a cache read under others is stale."""
        if self._replaced is None:
            refs = _run(self.cwd, "for-each-ref", "--format=%(refname) %(objectname)", _REPLACE)
            grafts = _run(self.cwd, "rev-parse", "--git-path", "info/grafts")
            seen = hashlib.sha1(usedforsecurity=False)
            for done in (refs, grafts):
                seen.update(b"?" if done is None or done.returncode else done.stdout)
            if grafts is not None and not grafts.returncode:
                path = self.cwd / grafts.stdout.decode("utf-8", "surrogateescape").strip()
                with contextlib.suppress(OSError):
                    seen.update(path.read_bytes())
            self._replaced = seen.hexdigest()
        return self._replaced

    def merged_parents(self, merge: str) -> list[str]:
        """A merge's parents after the first (one, or more for an octopus); [] on failure."""
        done = _run(self.cwd, "rev-list", "--no-walk", "--parents", merge)
        if done is None or done.returncode != 0:
            return []
        return done.stdout.decode("ascii").split()[2:]

    def branch_log(self, merge: str, second: str) -> _Log | None:
        """The first-parent commits of a merged branch (from the merge's `second` parent)
        that the merge's first parent does not have; None when git cannot read them."""
        done = _run(self.cwd, *_LOG_ARGS, second, f"^{merge}^1")
        if done is None or done.returncode != 0:
            return None
        log = _Log()
        _parse_log(done.stdout, log)
        return log


class HistoryRead:
    """The history pass (`_Git.history`), started at once and collected by `result`: its
    git processes run meanwhile, so a caller can read pages while git reads history.
    Closing it stops whatever was not collected."""

    def __init__(self, git: _Git, cache: Path | None) -> None:
        self.git, self.cache = git, cache
        self.known: _Log | None = None  # the history, when nothing needs reading
        self.cached: _Log | None = None  # the cache's pass, which `pending` continues
        self.pending: _PendingLog | None = None
        if not git.head:
            self.known = _Log()
        elif cache is None or git.shallow:  # deepening a shallow clone rewrites its past
            self.pending = git._start_log(None)
        else:
            self.cached = _load_cache(cache, git.prefix, git.cwd, git.replaced())
            if self.cached is not None and self.cached.head == git.head:
                self.known = self.cached
            else:
                self.pending = git._start_log(self.cached.head if self.cached else None)

    def __enter__(self) -> HistoryRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self) -> _Log:
        if self.known is None:
            self.known = self._collect() or _Log()
        return self.known

    def _collect(self) -> _Log | None:
        newer = self.pending.finish() if self.pending is not None else None
        if self.cache is None or self.git.shallow:
            return newer
        whole = newer
        if self.cached is not None:
            if newer is not None:
                self.cached.extend(newer)
                whole = self.cached
            else:  # the cache does not continue HEAD's history: read all of it
                again = self.git._start_log(None)
                whole = again.finish() if again is not None else None
        if whole is not None:
            _save_cache(self.cache, self.git.prefix, whole, self.git.cwd, self.git.replaced())
        return whole

    def close(self) -> None:
        if self.pending is not None:
            self.pending.close()


class _PendingLog:
    """`git log` over consecutive slices of history, one process each, all running at
    once; `finish` waits for them and parses, `close` stops any still running."""

    def __init__(self, head: str) -> None:
        self.head = head
        self.running: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []  # newest first

    def start(self, cwd: Path, start: str, stop: str | None) -> None:
        out = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: slices run at once
        cmd = _git_cmd(*_LOG_ARGS, start, *([f"^{stop}"] if stop else []))
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL, env=_env())
        except OSError:
            out.close()
            raise
        self.running.append((proc, out))

    def finish(self) -> _Log | None:
        """The commits read, oldest first; None if a git process failed."""
        try:
            log = _Log(head=self.head)
            for proc, out in reversed(self.running):  # the oldest slice first
                if proc.wait() != 0:
                    return None
                out.seek(0)
                _parse_log(out.read(), log)
            return log
        finally:
            self.close()

    def close(self) -> None:
        for proc, out in self.running:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            out.close()
        self.running = []


def _slices(chain: list[str], since: str | None) -> list[tuple[str, str | None]]:
    """`chain` (newest first) cut into consecutive (start, stop) ranges, one per core."""
    if not chain:
        return []
    size = -(-len(chain) // max(1, min(_cores(), _MAX_PROCS, len(chain) // _SLICE)))
    return [
        (chain[i], chain[i + size] if i + size < len(chain) else since)
        for i in range(0, len(chain), size)
    ]


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - not Linux


# Every option the answer depends on, on the command line: a user's `diff.renames`,
# `log.follow`, `diff.relative` or a git default cannot change what the pass sees.
_LOG_ARGS = (
    *("log", "--first-parent", "--diff-merges=first-parent", "--find-renames", "--raw"),
    *("--no-abbrev", "--no-color", "--no-relative", "-z"),
    "--format=%x1e%H%x1f%aI%x1f%P%x1f%s",
)


def _parse_log(raw: bytes, log: _Log) -> None:
    """Append one `git log` slice (newest commit first) to `log` (oldest first): every
    page of every concepts folder it touched (another folder's are the history of a KB
    that moved)."""
    commits: list[tuple[str, str, str, str]] = []
    touched: list[tuple[int, str, _Version]] = []
    tokens = iter(raw.split(b"\0"))
    for token in tokens:
        token = token.lstrip(b"\n")
        if token.startswith(b"\x1e"):
            sha, date, parents, subject = token[1:].decode("utf-8", "replace").split("\x1f", 3)
            second = parents.split()[1] if " " in parents else ""
            commits.append((sha, date, subject, second))
        elif token.startswith(b":"):
            new_blob, status = token.split()[3:5]
            path = next(tokens, b"").decode("utf-8", "surrogateescape")
            if status.startswith((b"R", b"C")):  # renamed (or copied): both paths follow
                new = next(tokens, b"").decode("utf-8", "surrogateescape")
                if _page_of(path) and commits and status.startswith(b"R"):
                    touched.append((len(commits) - 1, path, _Version(0, None, new)))
                path, other = new, path
            else:
                other = None
            if _page_of(path) and commits:
                blob = None if status == b"D" else new_blob.decode("ascii")
                touched.append((len(commits) - 1, path, _Version(0, blob, other)))
    base, last = len(log.commits), len(commits) - 1
    log.commits.extend(reversed(commits))
    for index, path, v in reversed(touched):
        log.versions.setdefault(path, []).append(_Version(base + last - index, v.blob, v.other))


# -- the cache -------------------------------------------------------------------------


def _load_cache(path: Path, prefix: str, owner_of: Path, replaced: str) -> _Log | None:
    """The cached pass, or None if missing, corrupt, for another KB, read with other
    replacements (`_Git.replaced`), or not written for this user's KB at `owner_of`."""
    try:
        doc = json.loads(_read_file(path))
        if doc["format"] != _CACHE_FORMAT or doc["prefix"] != prefix:
            return None
        if doc["replaced"] != replaced:  # `git replace` changed history, not HEAD
            return None
        if doc["owner"] != secret_for(owner_of):  # written by someone else: `kbcli.secret`
            return None
        commits = [(str(s), str(d), str(t), str(m)) for s, d, t, m in doc["commits"]]
        versions = {
            str(p): [_Version(int(i), _opt(b), _opt(o)) for i, b, o in vs]
            for p, vs in doc["versions"].items()
        }
        if any(not 0 <= v.commit < len(commits) for vs in versions.values() for v in vs):
            return None
        return _Log(str(doc["head"]), commits, versions)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _read_file(path: Path) -> str:
    """The text of a regular file; ValueError for anything else where the cache should be
    (opened without blocking: a named pipe is never waited on, a device never read)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path} is not a file")
        return fh.read().decode("utf-8")


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _save_cache(path: Path, prefix: str, log: _Log, owner_of: Path, replaced: str) -> None:
    doc = {
        "format": _CACHE_FORMAT,
        "prefix": prefix,
        "replaced": replaced,
        "owner": secret_for(owner_of),
        "head": log.head,
        "commits": log.commits,
        "versions": {
            p: [[v.commit, v.blob, v.other] for v in vs] for p, vs in log.versions.items()
        },
    }
    with contextlib.suppress(OSError):  # a cache we cannot write only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(doc, f, separators=(",", ":"))
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


# -- reading blobs ---------------------------------------------------------------------


class _BlobReader:
    """`git cat-file --batch`, started on first use; each blob parsed once, and a blob
    over `limit` bytes (the KB's max_page_bytes) never: it reads as unreadable."""

    def __init__(self, cwd: Path, limit: int) -> None:
        self.cwd, self.limit = cwd, limit
        self.proc: subprocess.Popen[bytes] | None = None
        self.cache: dict[str | None, object] = {None: None}

    def __enter__(self) -> _BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is not None:
            self.proc.communicate()  # closes its pipes once it has finished
            self.proc = None

    def read(self, blob: str | None) -> object:
        if blob not in self.cache:
            raw = self._fetch(blob or "")
            self.cache[blob] = _BROKEN if raw is None else _load(raw)  # None: missing or too big
        return self.cache[blob]

    def _fetch(self, blob: str) -> bytes | None:
        if self.proc is None:
            self.proc = subprocess.Popen(
                _git_cmd("cat-file", "--batch"),
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=_env(),
            )
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(blob.encode("ascii") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None  # missing (a partial clone, a corrupt repository)
        size = int(header[2])
        if size > self.limit:  # skipped in chunks, never held whole
            _read_exactly(stdout, size + 1, keep=False)
            return None
        data = _read_exactly(stdout, size + 1)  # the content, then a newline
        return data[:-1]


def _read_exactly(stream: IO[bytes], size: int, keep: bool = True) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(left if keep else min(left, 1 << 16))
        if not chunk:
            break
        if keep:
            chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- running git -----------------------------------------------------------------------


def _env() -> dict[str, str]:
    # No optional locks: we only read, and must not contend with a concurrent `git commit`.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}


# Settings that would change what kb reads from git, pinned whatever the user's config
# says (the command-line options in `_LOG_ARGS` pin the rest).
_PINNED = (
    *("log.showRoot=true", "log.showSignature=false", "log.follow=false"),
    *("core.quotePath=false", "color.ui=never", "diff.renameLimit=1000"),
    *("i18n.logOutputEncoding=UTF-8", "log.mailmap=false"),
)


def _git_cmd(*args: str) -> list[str]:
    return ["git", "--no-pager", *(a for kv in _PINNED for a in ("-c", kv)), *args]


def git_version(cwd: Path) -> tuple[int, ...] | None:
    """The installed git's version, as numbers; None when it cannot be told."""
    done = _run(cwd, "version")
    if done is None or done.returncode != 0:
        return None
    found = re.search(rb"(\d+)\.(\d+)", done.stdout)
    return tuple(int(n) for n in found.groups()) if found else None


def _too_old(version: tuple[int, ...] | None) -> str:
    """The note for a git that cannot give the answer (see MIN_GIT), else ""."""
    if version is None or version >= MIN_GIT:
        return ""
    have = ".".join(map(str, version))
    return f"kb stale needs git 2.31 or later to name the commit (this is git {have})"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git; None when git is not installed or `cwd` is gone."""
    try:
        return subprocess.run(_git_cmd(*args), cwd=cwd, capture_output=True, env=_env())
    except OSError:
        return None
