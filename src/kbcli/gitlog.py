"""The history pass behind `kb stale`'s answer (`kbcli.history` searches it): one
`git log --raw` over first-parent history listing, per commit, the concept pages it
touched and their new blob ids; the cache that keeps it between runs; the `git cat-file
--batch` reader of those blobs; and the one way they run git, with every setting the
answer depends on pinned on the command line.

See `kbcli.history` for why it reads history this way, and docs/stale.md for the answer
it serves.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO

from kbcli import collector
from kbcli import git as run_git  # the one place git runs (`git` here is a `Git`)
from kbcli.git import version as git_version
from kbcli.kb import PAGE_SUFFIXES
from kbcli.secret import secret_for

CONCEPTS = "concepts"
BROKEN = object()  # a version that cannot be read: it never matches a stamp
_SLICE = 250  # commits per `git log` process, at least: fewer are not worth a process
_MAX_PROCS = 4
_CACHE_FORMAT = 4
MIN_GIT = (2, 31)  # --diff-merges=first-parent
_REPLACE = "refs/replace/"  # `git replace`'s refs: each replaces the commit it names


def start_ahead(kb_root: Path, cache: Path | None) -> HistoryRead | None:
    """The history pass `stale_since` will need, started now so that git reads history
    while the caller reads pages; None where that does not pay: outside git, on one core
    (git and the caller would take turns), or with a cache (what is new is read fast)."""
    if _cores() < 2 or (cache is not None and cache.exists()):
        return None
    git = Git.open(kb_root)
    return HistoryRead(git, cache) if git is not None and not git.too_old else None


def page_of(path: str | None) -> tuple[str, str] | None:
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


# -- the history pass ------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    commit: int  # index into Log.commits
    blob: str | None  # None: the file was deleted by that commit
    other: str | None = None  # a rename: the path it came from (added) or went to (deleted)


@dataclass
class Log:
    """First-parent history, oldest commit first, and each concept file's versions."""

    head: str = ""
    # sha, date, subject, second parent ("": not a merge)
    commits: list[tuple[str, str, str, str]] = field(default_factory=list)
    versions: dict[str, list[Version]] = field(default_factory=dict)  # by path, oldest first

    def extend(self, newer: Log) -> None:
        base = len(self.commits)
        self.commits.extend(newer.commits)
        for path, versions in newer.versions.items():
            mine = self.versions.setdefault(path, [])
            mine.extend(Version(v.commit + base, v.blob, v.other) for v in versions)
        self.head = newer.head or self.head


class Git:
    """The few git commands we need, run in the KB root."""

    def __init__(self, cwd: Path, prefix: str, shallow: bool, head: str, too_old: str) -> None:
        self.cwd, self.prefix, self.shallow, self.head = cwd, prefix, shallow, head
        self.oid_len = len(head) or 40
        self.too_old = too_old  # a note when git cannot give the answer, else ""
        self._replaced: str | None = None

    @classmethod
    def open(cls, kb_root: Path) -> Git | None:
        probe = _run(kb_root, "rev-parse", "--show-prefix", "--is-shallow-repository")
        if probe is None or probe.returncode != 0:
            return None
        prefix, shallow = probe.stdout.decode("utf-8", "surrogateescape").splitlines()[:2]
        head = _run(kb_root, "rev-parse", "-q", "--verify", "HEAD^{commit}")
        sha = head.stdout.decode().strip() if head is not None and head.returncode == 0 else ""
        return cls(kb_root, prefix, shallow == "true", sha, _too_old(git_version(kb_root)))

    def history(self, cache: Path | None) -> Log:
        """The whole first-parent history; from `cache` plus what is new where it can."""
        with HistoryRead(self, cache) as read:
            return read.result()

    def start_log(self, since: str | None) -> _PendingLog | None:
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

    def blob_reader(self, limit: int, load: Callable[[bytes], object]) -> BlobReader:
        return BlobReader(self.cwd, limit, load)

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

    def branch_log(self, merge: str, second: str) -> Log | None:
        """The first-parent commits of a merged branch (from the merge's `second` parent)
        that the merge's first parent does not have; None when git cannot read them."""
        done = _run(self.cwd, *_LOG_ARGS, second, f"^{merge}^1")
        if done is None or done.returncode != 0:
            return None
        log = Log()
        _parse_log(done.stdout, log)
        return log


class HistoryRead:
    """The history pass (`Git.history`), started at once and collected by `result`: its
    git processes run meanwhile, so a caller can read pages while git reads history.
    Closing it stops whatever was not collected."""

    def __init__(self, git: Git, cache: Path | None) -> None:
        self.git, self.cache = git, cache
        self.known: Log | None = None  # the history, when nothing needs reading
        self.cached: Log | None = None  # the cache's pass, which `pending` continues
        self.pending: _PendingLog | None = None
        if not git.head:
            self.known = Log()
        elif cache is None or git.shallow:  # deepening a shallow clone rewrites its past
            self.pending = git.start_log(None)
        else:
            self.cached = _load_cache(cache, git.prefix, git.cwd, git.replaced())
            if self.cached is not None and self.cached.head == git.head:
                self.known = self.cached
            else:
                self.pending = git.start_log(self.cached.head if self.cached else None)

    def __enter__(self) -> HistoryRead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def result(self) -> Log:
        if self.known is None:
            self.known = self._collect() or Log()
        return self.known

    def _collect(self) -> Log | None:
        newer = self.pending.finish() if self.pending is not None else None
        if self.cache is None or self.git.shallow:
            return newer
        whole = newer
        if self.cached is not None:
            if newer is not None:
                self.cached.extend(newer)
                whole = self.cached
            else:  # the cache does not continue HEAD's history: read all of it
                again = self.git.start_log(None)
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
        self.running: list[tuple[run_git.Popen[bytes], IO[bytes]]] = []  # newest first

    def start(self, cwd: Path, start: str, stop: str | None) -> None:
        out = tempfile.TemporaryFile()  # noqa: SIM115 - a file, not a pipe: slices run at once
        args = (*_LOG_ARGS, start, *([f"^{stop}"] if stop else []))
        try:
            proc = run_git.start(cwd, *args, pinned=_PINNED, stdout=out)
        except OSError:
            out.close()
            raise
        self.running.append((proc, out))

    def finish(self) -> Log | None:
        """The commits read, oldest first; None if a git process failed."""
        try:
            log = Log(head=self.head)
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


def _parse_log(raw: bytes, log: Log) -> None:
    """Append one `git log` slice (newest commit first) to `log` (oldest first): every
    page of every concepts folder it touched (another folder's are the history of a KB
    that moved)."""
    commits: list[tuple[str, str, str, str]] = []
    touched: list[tuple[int, str, Version]] = []
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
                if page_of(path) and commits and status.startswith(b"R"):
                    touched.append((len(commits) - 1, path, Version(0, None, new)))
                path, other = new, path
            else:
                other = None
            if page_of(path) and commits:
                blob = None if status == b"D" else new_blob.decode("ascii")
                touched.append((len(commits) - 1, path, Version(0, blob, other)))
    base, last = len(log.commits), len(commits) - 1
    log.commits.extend(reversed(commits))
    for index, path, v in reversed(touched):
        log.versions.setdefault(path, []).append(Version(base + last - index, v.blob, v.other))


# -- the cache -------------------------------------------------------------------------


def _load_cache(path: Path, prefix: str, owner_of: Path, replaced: str) -> Log | None:
    """The cached pass, or None if missing, corrupt, for another KB, read with other
    replacements (`Git.replaced`), or not written for this user's KB at `owner_of`."""
    with collector.paused():  # a version a concept file: many objects, no cycles
        return _parse_cache(path, prefix, owner_of, replaced)


def _parse_cache(path: Path, prefix: str, owner_of: Path, replaced: str) -> Log | None:
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
            str(p): [Version(int(i), _opt(b), _opt(o)) for i, b, o in vs]
            for p, vs in doc["versions"].items()
        }
        if any(not 0 <= v.commit < len(commits) for vs in versions.values() for v in vs):
            return None
        return Log(str(doc["head"]), commits, versions)
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


def _save_cache(path: Path, prefix: str, log: Log, owner_of: Path, replaced: str) -> None:
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
    from kbcli.store import write_atomic

    with contextlib.suppress(OSError):  # a cache we cannot write only costs time
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(doc, separators=(",", ":")).encode("utf-8"))


# -- reading blobs ---------------------------------------------------------------------


class BlobReader:
    """The blobs of the history pass, each parsed once (by `load`): `gitrepo.BlobReader`'s
    one `git cat-file --batch`, and a blob over `limit` bytes (the KB's max_page_bytes)
    never read: it reads as unreadable."""

    def __init__(self, cwd: Path, limit: int, load: Callable[[bytes], object]) -> None:
        from kbcli.gitrepo import BlobReader as Blobs

        self.blobs, self.load = Blobs(cwd, limit), load
        self.cache: dict[str | None, object] = {None: None}

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.blobs.close()

    def read(self, blob: str | None) -> object:
        if blob not in self.cache:
            raw = self.blobs.read(blob or "")
            self.cache[blob] = BROKEN if raw is None else self.load(raw)  # None: missing or too big
        return self.cache[blob]


# -- running git (through `kbcli.git`) ----------------------------------------------------

# Settings that would change what kb reads from git, pinned whatever the user's config
# says (`kbcli.git` pins more; the command-line options in `_LOG_ARGS` pin the rest).
_PINNED = (
    *("log.showRoot=true", "log.showSignature=false", "log.follow=false"),
    *("diff.renameLimit=1000", "i18n.logOutputEncoding=UTF-8", "log.mailmap=false"),
)


def _too_old(version: tuple[int, ...] | None) -> str:
    """The note for a git that cannot give the answer (see MIN_GIT), else ""."""
    if version is None or version >= MIN_GIT:
        return ""
    have = ".".join(map(str, version))
    return f"kb stale needs git 2.31 or later to name the commit (this is git {have})"


def _run(cwd: Path, *args: str) -> run_git.Completed[bytes] | None:
    """Run git; None when git is not installed or `cwd` is gone."""
    return run_git.run(cwd, *args, pinned=_PINNED)
