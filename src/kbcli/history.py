"""When did a citation go stale? One pass over git history, then a search per concept.

For each stale citation we name the commit after which the concept's material content no
longer matched the citation's stamp: short sha, author date (ISO 8601) and subject.

How, and why this way:

1. **One `git log --raw`** pass lists, per commit, every concept file it touched with the
   new blob id: every cited concept's sequence of versions, without a history walk per
   citation or per file. It costs one tree diff per commit, whatever the number of
   citations. It runs without a pathspec (a pathspec makes git diff each commit twice,
   once to simplify history and once to print; measured twice as slow on a KB repository;
   the price is diffing the rest of a repository where the KB is a small part) and, on a
   long history, as a few processes over consecutive slices of it, one per core.
2. **`git cat-file --batch`** (one process) then reads only the blobs the search asks for;
   each is parsed once, whatever number of citations share it, and a committed version
   identical to the working tree file is not read at all.
3. **The search** per citation is exponential then binary over that concept's versions,
   newest first: probe versions 1, 2, 4, 8, ... back until one matches the stamp, then
   bisect between it and the newest non-matching probe. So a concept edited in hundreds of
   commits since its review costs a handful of parses, not hundreds.
4. Optionally (`cache=`), the pass is kept in a file and later runs read only the commits
   made since; a cache that does not continue HEAD's history, or that another user wrote
   (`kbcli.secret`), is rebuilt, never trusted.
5. `kb stale` starts the pass (`start_ahead`) before it reads the pages, so that git reads
   history on one core while kb reads pages on another.

"Made stale" means the *last* transition from matching to not matching: the commit after
which the content never matched the stamp again. An earlier departure that was reverted did
not make the citation stale. The search finds that last transition exactly when the
content, once it left the stamped state, never came back to it (the usual case: reviews
stamp the current content and edits move away from it). If the content was changed,
reverted to the stamped state and changed again, the bisection may step over the brief
return and name the earlier departure: still a commit that made the citation stale.

History follows **first parents** (`--first-parent`): the versions a branch actually had,
in order. A change that came in through a merge is attributed to the merge commit, which
is where it reached the branch (`git log` on that merge shows the rest).

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
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from kbcli.secret import secret_for
from kbcli.stamps import Material, StampError, diff_material, is_stale, parse_stamp
from kbcli.yamlio.load import YamlProblem, decode, parse

CONCEPTS = "concepts"
_ID = re.compile(r"[^/\\\x00\n]+")  # a file stem: lint checks the slug, we only stay inside
_BROKEN = object()  # a version that cannot be read: it never matches a stamp
_SLICE = 250  # commits per `git log` process, at least: fewer are not worth a process
_MAX_PROCS = 4
_CACHE_FORMAT = 2


@dataclass(frozen=True)
class Citation:
    """What to explain: a concept, the stamp on the citation, the claims it names (None:
    the whole concept)."""

    concept: str
    stamp: str
    claims: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Commit:
    sha: str  # abbreviated as git abbreviates it
    date: str  # author date, ISO 8601 with offset
    subject: str


@dataclass(frozen=True)
class Origin:
    """Where a citation went stale: a commit, the working tree, or unknown (with a note)."""

    commit: Commit | None = None
    uncommitted: bool = False
    note: str = ""

    def to_json(self) -> dict[str, object]:
        if self.commit is not None:
            c = self.commit
            return {"state": "commit", "sha": c.sha, "date": c.date, "subject": c.subject}
        if self.uncommitted:
            return {"state": "uncommitted"}
        return {"state": "unknown", "note": self.note}


UNCOMMITTED = Origin(uncommitted=True)


def start_ahead(kb_root: Path, cache: Path | None) -> HistoryRead | None:
    """The history pass `stale_since` will need, started now so that git reads history
    while the caller reads pages; None where that does not pay: outside git, on one core
    (git and the caller would take turns), or with a cache (what is new is read fast)."""
    if _cores() < 2 or (cache is not None and cache.exists()):
        return None
    git = _Git.open(kb_root)
    return HistoryRead(git, cache) if git is not None else None


def stale_since(
    kb_root: Path,
    citations: Iterable[Citation],
    worktree: Mapping[str, object] | None = None,
    cache: Path | None = None,
    ahead: HistoryRead | None = None,
) -> dict[Citation, Origin]:
    """For each citation that is stale in the working tree, where it went stale.

    `kb_root` is the KB's directory inside a git working tree. `worktree` optionally gives,
    by concept id, the plain data or the `Material` of each file as it is now (None: the
    concept is gone), else the files are read. `cache` optionally names a file in which to
    keep the history pass between runs; `ahead`, the pass already started (`start_ahead`,
    with that cache). Citations that are not stale are left out; outside git the result is
    empty."""
    git = ahead.git if ahead is not None else _Git.open(kb_root)
    if git is None:
        return {}
    current = _Worktree(kb_root / CONCEPTS, worktree or {})
    stale: list[Citation] = []
    out: dict[Citation, Origin] = {}
    for cit in dict.fromkeys(citations):
        if problem := _unsearchable(cit):
            out[cit] = Origin(note=problem)
        elif _is_stale(cit, current.data(cit.concept)):
            stale.append(cit)
    if stale:
        log = ahead.result() if ahead is not None else git.history(cache)
        out.update(_search_history(git, stale, current, log))
    return out


def _is_stale(cit: Citation, concept: object) -> bool:
    if isinstance(concept, Material):  # what lint keeps of a page
        return bool(diff_material(cit.stamp, concept, cit.claims))
    return is_stale(cit.stamp, concept, cit.claims)


def _unsearchable(cit: Citation) -> str:
    if not _ID.fullmatch(cit.concept) or cit.concept in (".", ".."):
        return "not a concept id"
    try:
        parse_stamp(cit.stamp)
    except StampError:
        return "unreadable stamp"
    return ""


def _search_history(
    git: _Git, stale: list[Citation], current: _Worktree, log: _Log
) -> dict[Citation, Origin]:
    found: dict[Citation, int | Origin] = {}
    with git.blob_reader() as reader:
        for concept in {c.concept for c in stale}:
            oid = current.oid(concept, git.oid_len)
            if oid is not None:  # a committed blob equal to the file needs no read
                reader.cache[oid] = current.data(concept)
        for cit in stale:
            path = f"{git.prefix}{CONCEPTS}/{cit.concept}.yaml"
            history = log.versions.get(path, [])[::-1]  # newest first
            found[cit] = _origin_index(cit, history, reader.read, git.shallow)
    picked = {i for i in found.values() if isinstance(i, int)}
    short = git.short_shas([log.commits[i][0] for i in sorted(picked)])
    out: dict[Citation, Origin] = {}
    for cit, where in found.items():
        if isinstance(where, Origin):
            out[cit] = where
        else:
            sha, date, subject = log.commits[where]
            out[cit] = Origin(Commit(short.get(sha, sha[:12]), date, subject))
    return out


def _origin_index(
    cit: Citation, history: list[_Version], read: Callable[[str | None], object], shallow: bool
) -> int | Origin:
    """The index of the commit that made `cit` stale, or an Origin saying why there is none.
    `history` holds the concept's committed versions, newest (HEAD's) first."""

    def matches(i: int) -> bool:
        return not _is_stale(cit, read(history[i].blob))

    if not history or matches(0):
        return UNCOMMITTED
    lo, probe, step = 0, 1, 1  # invariant: version `lo` does not match
    while probe < len(history) and not matches(probe):
        lo, probe, step = probe, probe + step, step * 2
    if probe >= len(history):
        last = len(history) - 1
        if lo == last or not matches(last):
            why = "history is shallow" if shallow else "no committed version matches the stamp"
            return Origin(note=f"{why}; run 'kb review' after checking the concept")
        probe = last
    hi = probe  # version `hi` matches: the transition lies between lo and hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if matches(mid):
            hi = mid
        else:
            lo = mid
    return history[lo].commit


# -- the working tree ------------------------------------------------------------------


class _Worktree:
    """Concept files as they are now: plain data, and the bytes' git blob hash."""

    def __init__(self, concepts: Path, given: Mapping[str, object]) -> None:
        self.concepts, self.given = concepts, given
        self.raw: dict[str, bytes | None] = {}
        self.parsed: dict[str, object] = {}

    def _bytes(self, concept: str) -> bytes | None:
        if concept not in self.raw:
            try:
                self.raw[concept] = (self.concepts / f"{concept}.yaml").read_bytes()
            except OSError:
                self.raw[concept] = None
        return self.raw[concept]

    def data(self, concept: str) -> object:
        if concept in self.given:
            return self.given[concept]
        if concept not in self.parsed:
            raw = self._bytes(concept)
            self.parsed[concept] = None if raw is None else _load(raw)
        return self.parsed[concept]

    def oid(self, concept: str, oid_len: int) -> str | None:
        """The git blob id the file would have (sha1, or sha256 in such repositories)."""
        raw = self._bytes(concept)
        if raw is None:
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


@dataclass
class _Log:
    """First-parent history, oldest commit first, and each concept file's versions."""

    head: str = ""
    commits: list[tuple[str, str, str]] = field(default_factory=list)  # sha, date, subject
    versions: dict[str, list[_Version]] = field(default_factory=dict)  # by path, oldest first

    def extend(self, newer: _Log) -> None:
        base = len(self.commits)
        self.commits.extend(newer.commits)
        for path, versions in newer.versions.items():
            mine = self.versions.setdefault(path, [])
            mine.extend(_Version(v.commit + base, v.blob) for v in versions)
        self.head = newer.head or self.head


class _Git:
    """The few git commands we need, run in the KB root."""

    def __init__(self, cwd: Path, prefix: str, shallow: bool, head: str) -> None:
        self.cwd, self.prefix, self.shallow, self.head = cwd, prefix, shallow, head
        self.oid_len = len(head) or 40

    @classmethod
    def open(cls, kb_root: Path) -> _Git | None:
        probe = _run(kb_root, "rev-parse", "--show-prefix", "--is-shallow-repository")
        if probe is None or probe.returncode != 0:
            return None
        prefix, shallow = probe.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
        head = _run(kb_root, "rev-parse", "-q", "--verify", "HEAD^{commit}")
        sha = head.stdout.decode().strip() if head is not None and head.returncode == 0 else ""
        return cls(kb_root, prefix, shallow == "true", sha)

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
        pending = _PendingLog(self.head, self.prefix + CONCEPTS + "/")
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

    def blob_reader(self) -> _BlobReader:
        return _BlobReader(self.cwd)


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
            self.cached = _load_cache(cache, git.prefix, git.cwd)
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
            _save_cache(self.cache, self.git.prefix, whole, self.git.cwd)
        return whole

    def close(self) -> None:
        if self.pending is not None:
            self.pending.close()


class _PendingLog:
    """`git log` over consecutive slices of history, one process each, all running at
    once; `finish` waits for them and parses, `close` stops any still running."""

    def __init__(self, head: str, concepts: str) -> None:
        self.head, self.concepts = head, concepts
        self.running: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []  # newest first

    def start(self, cwd: Path, start: str, stop: str | None) -> None:
        fmt = "--format=%x1e%H%x1f%aI%x1f%s"
        args = ["log", "--first-parent", "--no-renames", "--raw", "--no-abbrev", "-z", fmt]
        out = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: slices run at once
        cmd = _git_cmd(*args, start, *([f"^{stop}"] if stop else []))
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
                _parse_log(out.read(), self.concepts, log)
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


def _parse_log(raw: bytes, concepts: str, log: _Log) -> None:
    """Append one `git log` slice (newest commit first) to `log` (oldest first)."""
    commits: list[tuple[str, str, str]] = []
    touched: list[tuple[int, str, str | None]] = []
    tokens = iter(raw.split(b"\0"))
    for token in tokens:
        token = token.lstrip(b"\n")
        if token.startswith(b"\x1e"):
            sha, date, subject = token[1:].decode("utf-8", "replace").split("\x1f", 2)
            commits.append((sha, date, subject))
        elif token.startswith(b":"):
            path = next(tokens, b"").decode("utf-8", "surrogateescape")
            if path.startswith(concepts) and commits:
                new_blob, status = token.split()[3:5]
                blob = None if status == b"D" else new_blob.decode("ascii")
                touched.append((len(commits) - 1, path, blob))
    base, last = len(log.commits), len(commits) - 1
    log.commits.extend(reversed(commits))
    for index, path, blob in reversed(touched):
        log.versions.setdefault(path, []).append(_Version(base + last - index, blob))


# -- the cache -------------------------------------------------------------------------


def _load_cache(path: Path, prefix: str, owner_of: Path) -> _Log | None:
    """The cached pass, or None if missing, corrupt, for another KB, or not written for
    this user's KB at `owner_of`."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["format"] != _CACHE_FORMAT or doc["prefix"] != prefix:
            return None
        if doc["owner"] != secret_for(owner_of):  # written by someone else: `kbcli.secret`
            return None
        commits = [(str(s), str(d), str(t)) for s, d, t in doc["commits"]]
        versions = {
            str(p): [_Version(int(i), None if b is None else str(b)) for i, b in vs]
            for p, vs in doc["versions"].items()
        }
        if any(not 0 <= v.commit < len(commits) for vs in versions.values() for v in vs):
            return None
        return _Log(str(doc["head"]), commits, versions)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _save_cache(path: Path, prefix: str, log: _Log, owner_of: Path) -> None:
    doc = {
        "format": _CACHE_FORMAT,
        "prefix": prefix,
        "owner": secret_for(owner_of),
        "head": log.head,
        "commits": log.commits,
        "versions": {p: [[v.commit, v.blob] for v in vs] for p, vs in log.versions.items()},
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
    """`git cat-file --batch`, started on first use; each blob parsed once."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None
        self.cache: dict[str | None, object] = {None: None}

    def __enter__(self) -> _BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            self.proc.communicate()  # closes its pipes once it has finished

    def read(self, blob: str | None) -> object:
        if blob not in self.cache:
            raw = self._fetch(blob or "")
            self.cache[blob] = _BROKEN if raw is None else _load(raw)
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
        data = _read_exactly(stdout, int(header[2]) + 1)  # the content, then a newline
        return data[:-1]


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# -- running git -----------------------------------------------------------------------


def _env() -> dict[str, str]:
    # No optional locks: we only read, and must not contend with a concurrent `git commit`.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}


def _git_cmd(*args: str) -> list[str]:
    return ["git", "-c", "log.showSignature=false", "-c", "core.quotePath=false", *args]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git; None when git is not installed or `cwd` is gone."""
    try:
        return subprocess.run(_git_cmd(*args), cwd=cwd, capture_output=True, env=_env())
    except OSError:
        return None
