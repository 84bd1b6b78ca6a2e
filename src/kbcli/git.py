"""The one place kb runs git: every git process starts here, read-only ones with no
optional locks (`GIT_OPTIONAL_LOCKS=0`: kb never contends with a concurrent `git commit`)
and never prompting.

- `run` for one plain command, byte-exact output; `start` for a long-running one
  (`git log` slices, `git cat-file --batch`), whose pipes the caller reads. `kbcli.gitlog`
  (the history pass) and `kbcli.gitrepo` (revisions, the merge driver's calls) read git
  through these;
- `clean_pages`: which pages of the KB git itself vouches are unchanged (the lint cache's
  change detection);
- committing what a command changed (`open_repo`, `refuse_ignored`, `commit_paths`), with
  GitPython.

Subprocess git for reading: a few plain commands with NUL-separated output, no import
cost (GitPython costs ~0.07 s to import, and runs the same commands through wrappers).

**Committing**: `kb ... --commit` commits exactly the pages the command wrote, as they now
stand on disk, with `git commit --only -- <paths>`: git builds that commit from HEAD plus
those paths, so whatever else the curator has staged stays staged (and out of the commit),
and unstaged changes stay unstaged. A changed page goes in whole, as it is on disk: earlier
uncommitted edits to that same page are part of it. The user's git configuration applies
as for any commit of theirs (identity, signing, hooks).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from kbcli.errors import KbError

# What the readers of a started git need of its process, so that only this module imports
# subprocess (tests/test_layering.py).
PIPE = subprocess.PIPE
Popen = subprocess.Popen
Completed = subprocess.CompletedProcess

# Settings a read depends on, pinned whatever the user's or the repository's config says.
# core.*: git's answer to "is this file as the index has it" must be the careful one (stat
# data compared in full, ctime included, no fsmonitor or ignoreStat shortcut).
_PINNED = (
    *("core.quotePath=false", "color.ui=never"),
    *("core.checkStat=default", "core.trustctime=true", "core.ignoreStat=false"),
    "core.fsmonitor=false",
)


def env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of every git process kb starts."""
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", **(extra or {})}


def command(*args: str, pinned: Sequence[str] = ()) -> list[str]:
    """`git` with the pinned settings (and `pinned`, more of them), then `args`."""
    settings = (*_PINNED, *pinned)
    return ["git", "--no-pager", *(a for kv in settings for a in ("-c", kv)), *args]


def run(
    cwd: Path,
    *args: str,
    pinned: Sequence[str] = (),
    stdin: bytes | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in `cwd`; None when git is not installed or `cwd` is gone."""
    try:
        return subprocess.run(
            command(*args, pinned=pinned),
            cwd=cwd,
            capture_output=True,
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            env=env(extra_env),
            check=False,
        )
    except OSError:
        return None


def start(
    cwd: Path,
    *args: str,
    pinned: Sequence[str] = (),
    stdin: int | None = None,
    stdout: int | IO[bytes] = subprocess.PIPE,
    environ: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """A long-running git process (OSError when it cannot start); its stderr is dropped.
    `environ`: its whole environment (default `env()`)."""
    return subprocess.Popen(
        command(*args, pinned=pinned),
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        env=environ if environ is not None else env(),
    )


def ok(done: subprocess.CompletedProcess[bytes] | None) -> bytes | None:
    """A finished command's output, or None when it failed (or git is missing)."""
    return done.stdout if done is not None and done.returncode == 0 else None


def clean_pages(root: Path, folders: Sequence[str]) -> dict[str, str] | None:
    """Every file under `folders` (relative to the KB `root`) that git vouches holds its
    index blob: {root-relative path: blob id}. None outside git, or when git fails.

    Git's own answer, as `git status` gives it: `git diff-files` compares each file's stat
    data with what the index recorded, in full, and reads the content of a file written in
    the same clock tick as the index (git's "racy clean" check), so an edit that keeps a
    file's size and mtime is still seen (its ctime moved). Entries git is told not to
    check (`--assume-unchanged`, `--skip-worktree`), unmerged ones, and files git reports
    as changed (or whose stat data the index has not caught up with) are left out: the
    caller checks those itself. So are files git converts (`_UNCONVERTED`), and git is asked
    about the repository holding `root` whatever GIT_DIR or GIT_WORK_TREE name (a twin
    checkout's index would vouch for the twin's files)."""
    try:
        unconverted = [_UNCONVERTED + folder for folder in folders]
        listing = start(root, "ls-files", "-s", "-v", "-z", "--", *unconverted, environ=_local())
        dirty = _diff_files(root, folders)
    except OSError:
        return None
    entries, _ = listing.communicate()
    changed = _names(dirty)
    if listing.returncode != 0 or changed is None:
        return None
    # Each entry is "<tag> <mode> <blob> <stage>\t<path>", fields of fixed width (modes are
    # six digits; blobs all as long): sliced in one pass, not split field by field (100,000
    # entries). Only "H" (a plain cached entry: lowercase is assume-unchanged, "S"
    # skip-worktree) at stage 0 is taken.
    records = entries.decode("utf-8", "surrogateescape").split("\0")
    width = records[0].find(" ", 9) - 9 if records[0] else 0
    if width not in (40, 64):
        return {}
    tail = width + 9  # where " <stage>\t" starts
    found = {
        r[tail + 3 :]: r[9:tail]
        for r in records
        if r[:2] == "H " and r[tail : tail + 3] == " 0\t" and r[8] == " "
    }
    for path in changed:
        found.pop(path, None)
    return found


def index_path(root: Path) -> Path | None:
    """Where the index of the repository holding `root` is (None outside git)."""
    done = run_local(root, "rev-parse", "--git-path", "index")
    out = ok(done)
    if not out or not out.strip():
        return None
    return root / os.fsdecode(out.rstrip(b"\n"))


def index_tag(path: Path) -> str | None:
    """What names this state of the index at `path`: its size and trailing checksum (git's
    hash of all that precedes it), or None when it has none to tell (missing, unreadable,
    or written with `index.skipHash`, whose checksum is zeros)."""
    try:
        with open(path, "rb") as index:
            size = os.fstat(index.fileno()).st_size
            if size < 64:
                return None
            index.seek(size - 32)
            tail = index.read(32)
    except OSError:
        return None
    if not tail[-20:].strip(b"\0"):
        return None
    return f"{size}:{tail.hex()}"


def head_tree(root: Path) -> str | None:
    """The tree of the commit checked out (None before the first commit, or outside git)."""
    out = ok(run_local(root, "rev-parse", "--verify", "-q", "HEAD^{tree}"))
    return out.decode("ascii", "replace").strip() if out else None


def staged_pages(root: Path, tree: str, folders: Sequence[str]) -> set[str] | None:
    """The files under `folders` whose index entry is not `tree`'s (staged, or unmerged,
    or gone from either), root-relative; None when git fails (`tree` gone, say)."""
    try:
        args = ("--cached", "--name-only", "--relative", "-z", tree, "--", *folders)
        return _names(start(root, "diff-index", *args, environ=_local()))
    except OSError:
        return None


def unchecked_pages(root: Path, folders: Sequence[str]) -> set[str] | None:
    """The files under `folders` whose index entry git does not compare with the file
    (`--assume-unchanged`, `--skip-worktree`, unmerged): `git diff-files` never names them
    changed. Picked from `git ls-files -v` by a regular expression (in C): a listing of
    every entry, but no Python loop over them. None when git fails."""
    try:
        listing = start(root, "ls-files", "-v", "-z", "--", *folders, environ=_local())
    except OSError:
        return None
    out, _ = listing.communicate()
    if listing.returncode != 0:
        return None
    return {path.decode("utf-8", "surrogateescape") for path in _UNCHECKED.findall(out)}


# An entry of `git ls-files -v -z` ("<tag> <path>\0") whose tag is not "H", a plain one.
_UNCHECKED = re.compile(rb"(?:\A|(?<=\0))(?!H )[^\0] ([^\0]+)")


class IndexProbe:
    """Which files under `folders` git does not vouch hold their index blob (`git
    diff-files`: changed, deleted, unmerged, or stat data the index has not caught up
    with), asked as soon as the KB is known: git compares every file's stat data in C (an
    `lstat` a file, 0.1 s at 100,000 pages) while kb imports and opens its cache. Its
    output grows with what changed, not with the KB (`clean_pages` lists every file).

    `tag` is the index's state (`index_tag`) when git started; `answer` holds only if the
    index is still that file when git is done, so that whatever a caller asks git between
    the two (`staged_pages`) is about the same index. Closing stops git if it runs still."""

    def __init__(self, path: Path, tag: str, process: subprocess.Popen[bytes]) -> None:
        self.path, self.tag, self.process = path, tag, process

    @classmethod
    def start(cls, root: Path, folders: Sequence[str]) -> IndexProbe | None:
        """The probe, started; None outside git or when the index cannot be named."""
        path = index_path(root)
        tag = None if path is None else index_tag(path)
        if path is None or tag is None:
            return None
        try:
            return cls(path, tag, _diff_files(root, folders))
        except OSError:
            return None

    def answer(self) -> set[str] | None:
        """The root-relative paths git named; None when git failed, or the index is not the
        file it was at `start` (the answer may be the other index's)."""
        named = self._named
        return named if named is not None and index_tag(self.path) == self.tag else None

    @functools.cached_property
    def _named(self) -> set[str] | None:
        return _names(self.process)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> IndexProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _diff_files(root: Path, folders: Sequence[str]) -> subprocess.Popen[bytes]:
    spec = ("--", *folders)
    return start(root, "diff-files", "--name-only", "--relative", "-z", *spec, environ=_local())


def _names(process: subprocess.Popen[bytes]) -> set[str] | None:
    """The NUL-separated paths a git process printed; None when it failed."""
    out, _ = process.communicate()
    if process.returncode != 0:
        return None
    return {path for path in out.decode("utf-8", "surrogateescape").split("\0") if path}


def run_local(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """`run`, asking about the repository holding `root` whatever GIT_DIR, GIT_WORK_TREE
    or GIT_INDEX_FILE name (a twin checkout's index would vouch for the twin's files)."""
    try:
        return subprocess.run(
            command(*args), cwd=root, capture_output=True, stdin=subprocess.DEVNULL,
            env=_local(), check=False,
        )  # fmt: skip
    except OSError:
        return None


def _local() -> dict[str, str]:
    """`env()` without what would point git at another repository than the working
    directory's."""
    return {k: v for k, v in env().items() if k not in _LOCATING}


# What git reads from the environment to find the repository, its index and its objects.
_LOCATING = frozenset(
    {
        *("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_PREFIX"),
        *("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE"),
    }
)
# Attributes under which a file's index blob is not its bytes on disk but a conversion of
# them that can hide an edit (a clean filter dropping a line, `$Id: ...$` collapsed, another
# encoding): git calls such a file clean when its conversion is. Files with any of them
# (even unset) are not listed, so not vouched for.
_UNCONVERTED = ":(attr:!filter !ident !working-tree-encoding)"


# -- committing (GitPython) ---------------------------------------------------------

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
    done = run(path, "rev-parse", "--git-dir")
    if done is None:  # git is not installed, or `path` is gone: no history to explain
        return None
    said = done.stderr.decode("utf-8", "replace")
    if done.returncode == 0 or "not a git repository (or any" in said:  # outside git
        return None
    if "dubious ownership" in said:
        return "git refuses this repository (safe.directory)"
    first = next((line for line in said.splitlines() if line.strip()), f"exit {done.returncode}")
    return f"git fails in this repository: {first.strip().removeprefix('fatal: ')}"


def version(cwd: Path) -> tuple[int, ...] | None:
    """The installed git's version, as numbers; None when it cannot be told."""
    import re

    found = re.search(rb"(\d+)\.(\d+)", ok(run(cwd, "version")) or b"")
    return tuple(int(n) for n in found.groups()) if found else None


def refuse_ignored(repo: Any, paths: Sequence[Path]) -> None:
    """KbError (exit 2) naming the ignore rule when git ignores one of `paths` that it
    does not track (a new page): `git add` would refuse it. Called before anything is
    written; a tracked page is never ignored."""
    rel = _relative(repo, paths)
    names = "".join(f"{name}\0" for name in rel).encode("utf-8", "surrogateescape")
    top = Path(repo.working_tree_dir)
    done = run(top, "check-ignore", "--verbose", "-z", "--stdin", stdin=names)
    if done is None:
        raise KbError("--commit: the git command was not found; nothing was written")
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
    with repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1", GIT_OPTIONAL_LOCKS="0"):
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
