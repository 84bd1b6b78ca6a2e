"""The git module: committing what a kb command changed, reading two revisions, and the
plain git calls of the merge driver (`kb merge-file`, `kb git-setup`).

**Committing** (GitPython, below):

`kb ... --commit` commits exactly the pages the command wrote, as they now stand on disk,
with `git commit --only -- <paths>`: git builds that commit from HEAD plus those paths, so
whatever else the curator has staged stays staged (and out of the commit), and unstaged
changes stay unstaged. A changed page goes in whole, as it is on disk: earlier
uncommitted edits to that same page are part of it. The user's git configuration applies
as for any commit of theirs (identity, signing, hooks).

**Reading revisions** (`kb diff`, at the end of this module): plain subprocess git with
byte-exact, NUL-separated output, as history.py does: `rev-parse` to resolve a revision,
`diff --raw` between two trees (or a tree and the working tree) for the changed files with
their blob ids, `grep -l` to find the pages that mention an id, and one
`git cat-file --batch` process for every blob read.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from kbcli.errors import KbError

# A partial commit is impossible (git refuses it) while one of these is in progress.
_BUSY = {
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or git am",
}


def open_repo(root: Path) -> Any:
    """The git repository holding the KB, ready for a commit; KbError (exit 2) when there
    is none or it cannot take a commit now. Called before anything is written."""
    try:
        import git
    except ImportError as exc:  # pragma: no cover - gitpython is a dependency
        raise KbError(f"--commit needs gitpython: {exc}") from None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise KbError(f"--commit: {root} is not in a git repository; nothing was written") from None
    except git.GitCommandNotFound:  # pragma: no cover - depends on the machine
        raise KbError("--commit: the git command was not found; nothing was written") from None
    if repo.bare or repo.working_tree_dir is None:
        raise KbError(f"--commit: {root} is in a bare git repository; nothing was written")
    git_dir = Path(repo.git_dir)
    for name, what in _BUSY.items():
        if (git_dir / name).exists():
            raise KbError(
                f"--commit: the repository is in the middle of {what}; finish it first "
                "(nothing was written)"
            )
    return repo


def refusal(path: Path) -> str | None:
    """Why git will not read the repository holding `path`, for a note where history is
    missing; None when it does, or when there is no repository (or no git) to ask."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "rev-parse", "--git-dir"], cwd=path, capture_output=True, check=False
        )
    except OSError:  # git is not installed, or `path` is gone: no history to explain
        return None
    said = done.stderr.decode("utf-8", "replace")
    if done.returncode == 0 or "not a git repository (or any" in said:  # outside git
        return None
    if "dubious ownership" in said:
        return "git refuses this repository (safe.directory)"
    first = next((line for line in said.splitlines() if line.strip()), f"exit {done.returncode}")
    return f"git fails in this repository: {first.strip().removeprefix('fatal: ')}"


def refuse_ignored(repo: Any, paths: Sequence[Path]) -> None:
    """KbError (exit 2) naming the ignore rule when git ignores one of `paths` that it
    does not track (a new page): `git add` would refuse it. Called before anything is
    written; a tracked page is never ignored."""
    import subprocess

    rel = _relative(repo, paths)
    names = "".join(f"{name}\0" for name in rel).encode("utf-8", "surrogateescape")
    done = subprocess.run(
        ["git", "check-ignore", "--verbose", "-z", "--stdin"],
        input=names,
        cwd=repo.working_tree_dir,
        capture_output=True,
        check=False,
    )
    if done.returncode == 1:  # none of them is ignored
        return
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()
        raise KbError(f"--commit: git check-ignore failed: {detail}; nothing was written")
    fields = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    for source, line, pattern, path in zip(*[iter(fields)] * 4, strict=False):
        if not pattern.startswith("!"):  # `!rule`: a path matched, but not ignored
            raise KbError(
                f"--commit: git ignores {path} ({source}:{line}: {pattern}), so it cannot "
                "be committed; nothing was written (change that rule, or run without "
                "--commit)"
            )


def commit_paths(repo: Any, paths: Sequence[Path], message: str) -> str:
    """Commit exactly `paths` (their content on disk) with `message`; the new commit's
    hexsha. Other staged and unstaged changes are left as they were. All or nothing:
    when git refuses the commit (a hook, a signing failure), git's index is put back as
    it was, and the KbError says so (the pages stay written)."""
    import git

    rel = _relative(repo, paths)
    # Pathspecs are file names here, never globs; `--only` needs new files known to git
    # (only those: `git add` of a tracked file under an ignored folder fails).
    with repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1"):
        before = repo.git.ls_files("-s", "-z", "--", *rel)
        tracked = {entry.split("\t", 1)[1] for entry in before.split("\0") if entry}
        new = [name for name in rel if name not in tracked]
        try:
            if new:
                repo.git.add("--", *new)
            repo.git.commit("--only", "--quiet", "-m", message, "--", *rel)
        except git.GitCommandError as exc:
            restored = _restore_index(repo, rel, before)
            names = " ".join(rel)
            raise KbError(
                f"the change was written, but git could not commit it: {_detail(exc)}; "
                f"{restored} (run `git add -- {names} && git commit -- {names}` yourself)"
            ) from None
    return str(repo.head.commit.hexsha)


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
    blob id or `rev:./path` and gives its bytes, or None when git has no such object."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc is not None:
            self.proc.communicate()

    def read(self, name: str) -> bytes | None:
        if "\n" in name:
            return None  # one request per line: such a path cannot be asked for
        if self.proc is None:
            self.proc = subprocess.Popen(
                _cmd("cat-file", "--batch"), cwd=self.cwd, stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env(),
            )  # fmt: skip
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return None
        return _read_exactly(stdout, int(header[2]) + 1)[:-1]  # the content, then LF


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = stream.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _z(raw: bytes) -> list[str]:
    return [p.decode("utf-8", "surrogateescape") for p in raw.split(b"\0") if p]


def _stderr(done: subprocess.CompletedProcess[bytes] | None) -> str:
    if done is None:
        return "git is not installed"
    return done.stderr.decode("utf-8", "replace").strip()


def _env() -> dict[str, str]:
    # Read only: no optional locks, so a concurrent `git commit` is never blocked.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}


def _cmd(*args: str) -> list[str]:
    return ["git", "-c", "core.quotePath=false", "-c", "diff.noprefix=false", *args]


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git; None when git is not installed or `cwd` is gone."""
    try:
        return subprocess.run(
            _cmd(*args), cwd=cwd, capture_output=True, env=_env(), stdin=subprocess.DEVNULL
        )
    except OSError:
        return None


# --- plain git commands (no GitPython: `kb merge-file` runs inside every merge) -----------


def _plain(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
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


def _restore_index(repo: Any, rel: list[str], before: str) -> str:
    """Put the index entries of `rel` back as `before` (`git ls-files -s -z`) lists them;
    what became of the index, for the message."""
    import git

    # Entries are at stage 0: open_repo refused a repository in the middle of a merge.
    entries = [entry.split("\t", 1) for entry in before.split("\0") if entry]
    cacheinfo = [f"{head.split()[0]},{head.split()[1]},{path}" for head, path in entries]
    try:
        repo.git.update_index("--force-remove", "--", *rel)
        if cacheinfo:
            repo.git.update_index("--add", *(a for c in cacheinfo for a in ("--cacheinfo", c)))
    except git.GitCommandError as exc:
        return f"and git's index could not be put back ({_detail(exc)}): check `git status`"
    return "git's index is as it was before kb ran (the change is written, not staged)"


def _relative(repo: Any, paths: Sequence[Path]) -> list[str]:
    top = Path(repo.working_tree_dir).resolve()
    return [str(p.resolve().relative_to(top)) for p in paths]


def _detail(exc: Any) -> str:
    """What git said, on one line."""
    text = (exc.stderr or exc.stdout or "").strip().removeprefix("stderr: ").strip("'")
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())
