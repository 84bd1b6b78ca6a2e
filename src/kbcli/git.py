"""The one place kb runs git: every git process starts here, read-only ones with no
optional locks (`GIT_OPTIONAL_LOCKS=0`: kb never contends with a concurrent `git commit`)
and never prompting.

- `run` for one plain command, byte-exact output; `start` for a long-running one
  (`git log` slices, `git cat-file --batch`), whose pipes the caller reads;
- `clean_pages`: which pages of the KB git itself vouches are unchanged (the lint cache's
  change detection);
- `repo`: GitPython's repository, for the commits `kb ... --commit` makes.

Subprocess git for reading: a few plain commands with NUL-separated output, no import
cost (GitPython costs ~0.07 s to import, and runs the same commands through wrappers).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

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
) -> subprocess.Popen[bytes]:
    """A long-running git process (OSError when it cannot start); its stderr is dropped."""
    return subprocess.Popen(
        command(*args, pinned=pinned),
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
        env=env(),
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
    caller checks those itself."""
    spec = ["--", *folders]
    try:
        listing = start(root, "ls-files", "-s", "-v", "-z", *spec)
        dirty = start(root, "diff-files", "--name-only", "--relative", "-z", *spec)
    except OSError:
        return None
    entries, _ = listing.communicate()
    changed, _ = dirty.communicate()
    if listing.returncode != 0 or dirty.returncode != 0:
        return None
    found: dict[str, str] = {}
    for entry in entries.split(b"\0"):
        head, _, path = entry.partition(b"\t")
        parts = head.split(b" ")
        # "H": a plain cached entry (lowercase: assume-unchanged; "S": skip-worktree)
        if len(parts) == 4 and parts[0] == b"H" and parts[3] == b"0":
            found[path.decode("utf-8", "surrogateescape")] = parts[2].decode("ascii")
    for path in changed.split(b"\0"):
        found.pop(path.decode("utf-8", "surrogateescape"), None)
    return found


def repo(path: Path, search_parents: bool = True) -> Any:
    """GitPython's repository holding `path` (its exceptions propagate)."""
    import git as gitpython

    return gitpython.Repo(path, search_parent_directories=search_parents)
