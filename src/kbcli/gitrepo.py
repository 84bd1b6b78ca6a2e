"""Reading git revisions for `kb diff`, and the plain git calls of the merge driver (`kb
merge-file`, `kb git-setup`), each run through `kbcli.git` (the one place git runs).

**Reading revisions**: byte-exact, NUL-separated output: `rev-parse` to resolve a
revision, `diff --raw` between two trees (or a tree and the working tree) for the changed
files with their blob ids, `grep -l` to find the pages that mention an id, and one
`git cat-file --batch` process for every blob read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from kbcli import git
from kbcli.errors import KbError

# -- reading revisions -----------------------------------------------------------------

WORKTREE = None  # the "revision" that is the working tree (with the index)


@dataclass(frozen=True)
class FileChange:
    """One file that differs between two sides: git's status letter (A, D, M, R, T), its
    path on each side (None where absent) and its blob on each side (None: absent, or in
    the working tree, read from disk)."""

    status: str
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None


def in_git(cwd: Path) -> bool:
    """Whether `cwd` is inside a git working tree."""
    done = _git(cwd, "rev-parse", "--is-inside-work-tree")
    return done is not None and done.returncode == 0 and done.stdout.strip() == b"true"


def resolve(cwd: Path, rev: str) -> str:
    """The commit `rev` names (full sha); KbError (exit 2) when it names none."""
    if not rev or rev.startswith("-"):
        raise KbError(f"unknown revision {rev!r}")
    done = _git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if done is None or done.returncode != 0:
        raise KbError(f"unknown revision {rev!r} (not a commit in this repository)")
    return done.stdout.decode("ascii").strip()


def merge_base(cwd: Path, a: str, b: str) -> str:
    """The best common ancestor of two commits; KbError (exit 2) when there is none."""
    done = _git(cwd, "merge-base", a, b)
    if done is None or done.returncode != 0:
        raise KbError(
            f"no merge base between {a[:12]} and {b[:12]} (unrelated histories, or a "
            "shallow clone: fetch more history)"
        )
    return done.stdout.decode("ascii").strip()


def changed_files(cwd: Path, old: str, new: str | None, folders: Sequence[str]) -> list[FileChange]:
    """The files under `folders` (relative to `cwd`) that differ between commit `old` and
    commit `new` (None: the working tree and index, untracked files included), renames
    found as `git diff -M` finds them. Paths are relative to `cwd`."""
    args = [
        "diff",
        "--raw",
        "-z",
        "--no-abbrev",
        "-M",
        "--relative",
        "--no-color",
        "--no-ext-diff",
        old,
    ]
    done = _git(cwd, *args, *([new] if new else []), "--", *folders)
    if done is None or done.returncode != 0:
        raise KbError(f"git diff failed: {_stderr(done)}")
    changes = _parse_raw(done.stdout, worktree=new is None)
    if new is None:
        others = _git(cwd, "ls-files", "-z", "--others", "--exclude-standard", "--", *folders)
        for path in _z(others.stdout if others is not None and others.returncode == 0 else b""):
            changes.append(FileChange("A", None, path, None, None))
    return changes


def _parse_raw(raw: bytes, worktree: bool) -> list[FileChange]:
    out: list[FileChange] = []
    tokens = iter(raw.split(b"\0"))
    for token in tokens:
        if not token.startswith(b":"):
            continue
        _, _, old_blob, new_blob, status = token[1:].decode("ascii").split()
        first = next(tokens).decode("utf-8", "surrogateescape")
        second = next(tokens).decode("utf-8", "surrogateescape") if status[0] in "RC" else None
        letter = status[0]
        old_path = None if letter == "A" else first
        new_path = second if second is not None else (None if letter == "D" else first)
        out.append(
            FileChange(
                "M" if letter == "T" else letter,
                old_path,
                new_path,
                None if letter == "A" else old_blob,
                None if letter == "D" or worktree else new_blob,
            )
        )
    return out


def files_mentioning(cwd: Path, rev: str | None, words: Iterable[str], folder: str) -> list[str]:
    """The files under `folder` (relative to `cwd`) at `rev` (None: the working tree, with
    untracked files) holding any of `words` as a word: a cheap superset, read to be sure."""
    patterns = [arg for word in sorted(set(words)) for arg in ("-e", word)]
    if not patterns:
        return []
    where = [rev] if rev else ["--untracked"]
    args = ["grep", "-l", "-z", "-F", "-w", "--no-color", "--no-full-name"]  # whatever the config
    done = _git(cwd, *args, *patterns, *where, "--", folder)
    if done is None or done.returncode not in (0, 1):
        raise KbError(f"git grep failed: {_stderr(done)}")
    # paths relative to `cwd`, after `rev:` at a revision (a rev never holds a NUL)
    return [name[len(rev) + 1 :] if rev else name for name in _z(done.stdout)]


class BlobReader:
    """One `git cat-file --batch` process for every blob a command reads: `read` takes a
    blob id or `rev:./path` and gives its bytes, or None when git has no such object or it
    is over `limit` bytes (skipped in chunks, never held whole)."""

    def __init__(self, cwd: Path, limit: int | None = None) -> None:
        self.cwd, self.limit = cwd, limit
        self.proc: git.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self.proc is not None:
            self.proc.communicate()  # closes its pipes once it has finished
            self.proc = None

    def read(self, name: str) -> bytes | None:
        if "\n" in name:
            return None  # one request per line: such a path cannot be asked for
        if self.proc is None:
            self.proc = git.start(self.cwd, "cat-file", "--batch", stdin=git.PIPE)
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None  # missing (a partial clone, a corrupt repository)
        size = int(header[2])
        if self.limit is not None and size > self.limit:
            _read_exactly(stdout, size + 1, keep=False)
            return None
        return _read_exactly(stdout, size + 1)[:-1]  # the content, then LF


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


def _z(raw: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]


def _stderr(done: git.Completed[bytes] | None) -> str:
    if done is None:
        return "git is not installed"
    return done.stderr.decode("utf-8", "replace").strip()


_PINNED = ("diff.noprefix=false",)


def _git(cwd: Path, *args: str) -> git.Completed[bytes] | None:
    """Run git; None when git is not installed or `cwd` is gone."""
    return git.run(cwd, *args, pinned=_PINNED)


# --- plain git commands (no GitPython: `kb merge-file` runs inside every merge) -----------


def _plain(cwd: Path, *args: str) -> git.Completed[bytes]:
    done = _git(cwd, *args)
    if done is None:
        raise KbError("the git command was not found")
    return done


def toplevel(cwd: Path) -> Path | None:
    """The top of the working tree holding `cwd`, or None outside one."""
    done = _plain(cwd, "rev-parse", "--show-toplevel")
    return Path(done.stdout.decode().strip()) if done.returncode == 0 else None


def config_get(cwd: Path, key: str) -> str | None:
    """A git config value as git resolves it for the repository at `cwd` (None: unset)."""
    done = _plain(cwd, "config", "--get", key)
    return done.stdout.decode().rstrip("\n") if done.returncode == 0 else None


def config_set(cwd: Path, key: str, value: str) -> None:
    """Set `key` in the repository's own config (.git/config)."""
    done = _plain(cwd, "config", "--local", key, value)
    if done.returncode != 0:
        raise KbError(f"git config {key} failed: {done.stderr.decode().strip()}")


def attribute(cwd: Path, name: str, path: str) -> str:
    """The value git gives attribute `name` for `path` (relative to `cwd`), as
    `git check-attr` says it: a value, `set`, `unset` or `unspecified`."""
    done = _plain(cwd, "check-attr", "-z", name, "--", path)
    fields = done.stdout.decode("utf-8", "replace").split("\0")
    return fields[2] if done.returncode == 0 and len(fields) > 2 else "unspecified"


def conflict_style(cwd: Path) -> str:
    """`merge.conflictStyle` (merge, diff3 or zdiff3): git passes a merge driver no flag
    for it, and its own line merge reads it from the config, so a driver must too."""
    return (config_get(cwd, "merge.conflictStyle") or "merge").lower()


def line_merge(
    ours: Path, base: Path, theirs: Path, marker_size: int, style: str, cwd: Path
) -> tuple[bytes, bool]:
    """git's own three-way line merge of the files (`git merge-file`): the merged bytes and
    whether conflicts remain. Nothing is written."""
    flags = {"diff3": ["--diff3"], "zdiff3": ["--zdiff3"]}.get(style, [])
    done = _plain(
        cwd,
        "merge-file",
        "-p",
        "-q",
        f"--marker-size={marker_size}",
        *flags,
        *("-L", "ours", "-L", "base", "-L", "theirs"),
        str(ours),
        str(base),
        str(theirs),
    )
    if done.returncode < 0 or done.returncode > 127:
        raise KbError(f"git merge-file failed: {done.stderr.decode().strip()}")
    return done.stdout, done.returncode != 0


def merge_strings(cwd: Path, base: str, ours: str, theirs: str) -> str | None:
    """git's three-way line merge of three strings: the merge, or None if lines conflict."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="kb-merge-") as tmp:
        paths = [Path(tmp) / name for name in ("ours", "base", "theirs")]
        for path, text in zip(paths, (ours, base, theirs), strict=True):
            path.write_bytes(text.encode("utf-8"))
        done = _plain(cwd, "merge-file", "-p", "-q", *map(str, paths))
    return done.stdout.decode("utf-8") if done.returncode == 0 else None
