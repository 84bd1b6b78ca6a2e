"""Where kb runs git: committing what a command changed, and the plain git calls of the
merge driver (`kb merge-file`, `kb git-setup`): config, the working tree's top, and git's
own line merge. (`history` and `changes` read history with git processes of their own.)

Committing what a kb command changed, and nothing else.

`kb ... --commit` commits exactly the pages the command wrote, as they now stand on disk,
with `git commit --only -- <paths>`: git builds that commit from HEAD plus those paths, so
whatever else the curator has staged stays staged (and out of the commit), and unstaged
changes stay unstaged. A changed page goes in whole, as it is on disk: earlier
uncommitted edits to that same page are part of it. The user's git configuration applies
as for any commit of theirs (identity, signing, hooks).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def commit_paths(repo: Any, paths: Sequence[Path], message: str) -> str:
    """Commit exactly `paths` (their content on disk) with `message`; the new commit's
    hexsha. Other staged and unstaged changes are left as they were."""
    import git

    top = Path(repo.working_tree_dir).resolve()
    rel = [str(p.resolve().relative_to(top)) for p in paths]
    # Pathspecs are file names here, never globs; `--only` needs new files known to git.
    with repo.git.custom_environment(GIT_LITERAL_PATHSPECS="1"):
        try:
            repo.git.add("--", *rel)
            repo.git.commit("--only", "--quiet", "-m", message, "--", *rel)
        except git.GitCommandError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().removeprefix("stderr: ")
            raise KbError(
                f"the change was written, but git could not commit it: {detail.strip(chr(39))}"
                f" (run `git commit -- {' '.join(rel)}` yourself)"
            ) from None
    return str(repo.head.commit.hexsha)


# --- plain git commands (no GitPython: `kb merge-file` runs inside every merge) -----------


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise KbError("the git command was not found") from None


def toplevel(cwd: Path) -> Path | None:
    """The top of the working tree holding `cwd`, or None outside one."""
    done = _git(cwd, "rev-parse", "--show-toplevel")
    return Path(done.stdout.decode().strip()) if done.returncode == 0 else None


def config_get(cwd: Path, key: str) -> str | None:
    """A git config value as git resolves it for the repository at `cwd` (None: unset)."""
    done = _git(cwd, "config", "--get", key)
    return done.stdout.decode().rstrip("\n") if done.returncode == 0 else None


def config_set(cwd: Path, key: str, value: str) -> None:
    """Set `key` in the repository's own config (.git/config)."""
    done = _git(cwd, "config", "--local", key, value)
    if done.returncode != 0:
        raise KbError(f"git config {key} failed: {done.stderr.decode().strip()}")


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
    done = _git(
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
