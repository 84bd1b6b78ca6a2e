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

Every git option the answer depends on is pinned on the command line (`kbcli.gitlog`, `-M`,
`--first-parent --diff-merges=first-parent`), so no user or repository setting changes it;
`--diff-merges=first-parent` needs git 2.31, and an older git gets a note saying so.

Outside a git repository (or without git installed) there is no history: the result is
empty and the caller shows no commit column. A concept whose committed version (HEAD)
still matches the stamp changed only in the working tree or index: "uncommitted". When no
committed version matches (the stamped content was never committed, or a shallow clone
cut it off) the commit is unknown, with a note saying which.

The pass, its cache and the blob reader are in `kbcli.gitlog` (the log reader, used here
through its public methods only); the search is here. Git itself runs only in `kbcli.git`:
subprocess git rather than GitPython, since bulk reading wants a few long-running
processes (`log`, `cat-file --batch`) with byte-exact, NUL-separated output.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import groupby, pairwise
from pathlib import Path

from kbcli.config import Config
from kbcli.gitlog import BROKEN, CONCEPTS, Git, Log, Version, page_of
from kbcli.gitlog import HistoryRead as HistoryRead
from kbcli.gitlog import start_ahead as start_ahead
from kbcli.kb import PAGE_SUFFIXES
from kbcli.stamps import Material, StampError, diff_material, is_stale, parse_stamp
from kbcli.yamlio.load import YamlProblem, decode, parse

_ID = re.compile(r"[^/\\\x00\n]+")  # a file stem: lint checks the slug, we only stay inside
_RENAME_DEPTH = 8  # renames followed back, at most (a cycle of renames stops there)


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


def stale_since(
    kb_root: Path,
    citations: Iterable[Citation],
    worktree: Mapping[str, object] | None = None,
    cache: Path | None = None,
    ahead: HistoryRead | None = None,
    redirects: Mapping[str, str] | None = None,
    max_bytes: int = Config.max_page_bytes,
    blobs: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[Citation, Origin]:
    """For each citation that is stale in the working tree, where it went stale.

    `kb_root` is the KB's directory inside a git working tree. `worktree` optionally gives,
    by concept id, the plain data or the `Material` of each file as it is now (None: the
    concept is gone), else the files are read. `cache` optionally names a file in which to
    keep the history pass between runs; `ahead`, the pass already started (`start_ahead`,
    with that cache). `redirects` maps each concept that is now a redirect to its target;
    `max_bytes` is the KB's `max_page_bytes`. Citations that are not stale are left out;
    outside git the result is empty. `blobs` optionally gives, by concept id, the git blob
    id of the file as it is now (what the lint cache knows: the file need not be read);
    `progress` is told of the citations dated, (done, of how many)."""
    git = ahead.git if ahead is not None else Git.open(kb_root)
    if git is None:
        return {}
    current = _Worktree(kb_root / CONCEPTS, worktree or {}, max_bytes, blobs or {})
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
        if progress is not None:
            progress(0, len(stale))  # while git reads the history
        log = ahead.result() if ahead is not None else git.history(cache)
        search = _Search(git, log, current, redirects or {}, max_bytes)
        with search:
            out.update(search.origins(stale, progress))
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
        self, git: Git, log: Log, current: _Worktree, redirects: Mapping[str, str], limit: int
    ) -> None:
        self.git, self.log, self.current, self.redirects = git, log, current, redirects
        self.folder = f"{git.prefix}{CONCEPTS}/"
        self.reader = git.blob_reader(limit, _load)
        self.seeded: dict[str, str | None] = {}  # concept -> blob id of its working file
        self.histories: dict[str, list[Version]] = {}
        self.short: dict[str, str] = {}
        self.branches: dict[str, list[Log | None]] = {}  # by merge: `_merged`

    def __enter__(self) -> _Search:
        return self

    def __exit__(self, *exc: object) -> None:
        self.reader.close()

    def origins(
        self, stale: list[Citation], progress: Callable[[int, int], None] | None = None
    ) -> dict[Citation, Origin]:
        concepts = {c.concept for c in stale} | {r for c in stale for r in c.retired_from}
        for concept in concepts:
            oid = self.current.oid(concept, self.git.oid_len)
            self.seeded[concept] = oid
            if oid is not None:  # a committed blob equal to the file needs no read
                self.reader.cache[oid] = self.current.data(concept)
        found = {}
        for done, cit in enumerate(stale, 1):
            found[cit] = self._find(cit)
            if progress is not None:
                progress(done, len(stale))
        self.short = self.git.short_shas(sorted(self._named(found.values())))
        return {cit: self._origin(cit, where) for cit, where in found.items()}

    def history(self, concept: str) -> list[Version]:
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

    def _event(self, concept: str, history: list[Version]) -> tuple[int, Event] | None:
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

    def _merged(self, merge: str, second: str) -> list[Log | None]:
        """Each branch a merge merged (one, or more for an octopus merge): its first-parent
        commits that the merge's first parent does not have; read once per merge."""
        if merge not in self.branches:
            parents = self.git.merged_parents(merge) or [second]
            self.branches[merge] = [self.git.branch_log(merge, p) for p in parents]
        return self.branches[merge]

    def _branch_commit(self, log: Log | None, cit: Citation) -> Commit | None:
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


def _walk(history: list[Version], matches: Callable[[str | None], bool]) -> int | Origin | None:
    """The answer's commit index, walking `history` (newest first) back to the first
    version that `matches`: the version after it began the current run. UNCOMMITTED when
    the newest matches; None when none does."""
    if not history or matches(history[0].blob):
        return UNCOMMITTED
    for newer, version in pairwise(history):
        if matches(version.blob):
            return newer.commit
    return None


def _concept_history(log: Log, folder: str, concept: str, depth: int = 0) -> list[Version]:
    """A concept's versions, oldest first: one per commit that changed what the concept is
    (its blob, under either suffix; None: no file). A deletion that was a rename to
    another id names it (`other`); a concept that began as a rename of another id, or of
    a page in another concepts folder (the KB moved), carries that one's history before
    it."""
    paths = {f"{folder}{concept}{suffix}": k for k, suffix in enumerate(PAGE_SUFFIXES)}
    touched = sorted((v.commit, paths[p], v) for p in paths for v in log.versions.get(p, ()))
    state: list[str | None] = [None] * len(PAGE_SUFFIXES)
    out: list[Version] = []
    for commit, group in groupby(touched, key=lambda t: t[0]):
        moved, source = None, None
        for _, k, version in group:
            state[k] = version.blob
            page = page_of(version.other)
            if page is not None and page != (folder, concept):
                source = page
                moved = page[1] if page[0] == folder else moved
        now = next((blob for blob in state if blob is not None), None)
        if out and now == out[-1].blob:  # a suffix switched, or a change undone in one
            continue
        if not out and now is not None and source is not None and depth < _RENAME_DEPTH:
            before = _concept_history(log, *source, depth + 1)
            out.extend(v for v in before if v.commit < commit)
        out.append(Version(commit, now, moved if now is None else None))
    return out


# -- the working tree ------------------------------------------------------------------


class _Worktree:
    """Concept files as they are now: plain data, and the bytes' git blob hash."""

    def __init__(
        self, concepts: Path, given: Mapping[str, object], limit: int, blobs: Mapping[str, str]
    ) -> None:
        self.concepts, self.given, self.limit, self.blobs = concepts, given, limit, blobs
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
            self.parsed[concept] = None if raw is None else BROKEN if over else _load(raw)
        return self.parsed[concept]

    def oid(self, concept: str, oid_len: int) -> str | None:
        """The git blob id the file would have (sha1, or sha256 in such repositories);
        None for a missing file or one over the limit (never seeded, never parsed)."""
        if oid_len == 40 and concept in self.blobs:  # known (sha1) without reading the file
            return self.blobs[concept]
        raw = self._bytes(concept)
        if raw is None or len(raw) > self.limit:
            return None
        algo = hashlib.sha256 if oid_len == 64 else hashlib.sha1
        return algo(b"blob %d\0" % len(raw) + raw).hexdigest()


def _load(raw: bytes) -> object:
    try:
        return parse(decode(raw)).data
    except YamlProblem:
        return BROKEN
