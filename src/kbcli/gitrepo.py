"""Committing what a kb command changed, and nothing else.

`kb ... --commit` commits exactly the pages the command wrote, as they now stand on disk,
with `git commit --only -- <paths>`: git builds that commit from HEAD plus those paths, so
whatever else the curator has staged stays staged (and out of the commit), and unstaged
changes stay unstaged. A changed page goes in whole, as it is on disk: earlier
uncommitted edits to that same page are part of it. The user's git configuration applies
as for any commit of theirs (identity, signing, hooks).
"""

from __future__ import annotations

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
