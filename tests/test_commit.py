"""`--commit` in a real repository: exactly the changed files go into the commit, and the
curator's own staged and unstaged changes stay as they were. Outside git: exit 2, nothing
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import GIT_ENV, git, git_init, make_kb, run_kb

DATE = ("--date", "2026-04-20")
COMMANDS = {
    "add-claim": ["add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "greek"],
    "changelog": ["changelog", "alpha", "Tidied the summary"],
    "new": ["new", "concept", "gamma", "--title", "Gamma"],
}


def repo_with_dirty_work(tmp_path: Path) -> tuple[Path, Path]:
    """A repository holding the KB in `kb/`, with an unrelated staged change, an
    unrelated unstaged change and an untracked file."""
    top = tmp_path / "repo"
    root = make_kb(top / "kb")
    (top / "README.md").write_text("Notes\n")
    git_init(top)
    beta = root / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("The second concept.", "The second one."))
    git(top, "add", "kb/concepts/beta.yaml")
    (top / "README.md").write_text("Notes, edited but not staged\n")
    (top / "scratch.txt").write_text("untracked\n")
    return top, root


def status(top: Path) -> str:
    return git(top, "status", "--porcelain")


@pytest.mark.parametrize(
    ("command", "message", "path"),
    [
        ("add-claim", "kb: add claim alpha-vowel to alpha", "kb/concepts/alpha.yaml"),
        ("changelog", "kb: changelog entry for alpha", "kb/concepts/alpha.yaml"),
        ("new", "kb: new concept gamma", "kb/concepts/gamma.yaml"),
    ],
)
def test_commit_holds_exactly_the_changed_file(
    tmp_path: Path, command: str, message: str, path: str
) -> None:
    top, root = repo_with_dirty_work(tmp_path)
    staged_before = git(top, "diff", "--cached", "--", "kb/concepts/beta.yaml")
    result = run_kb(*COMMANDS[command], *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert result.code == 0, result.err
    head = git(top, "rev-parse", "HEAD").strip()
    assert result.out.splitlines()[-1] == f"Committed {head[:12]}"
    assert git(top, "show", "--format=%s", "--name-only", "HEAD") == f"{message}\n\n{path}\n"
    # what was committed is the file as kb wrote it
    assert git(top, "show", f"HEAD:{path}") == (top / path).read_text()
    # the curator's own work: still staged, still unstaged, still untracked
    assert status(top) == (" M README.md\nM  kb/concepts/beta.yaml\n?? scratch.txt\n")
    assert git(top, "diff", "--cached", "--", "kb/concepts/beta.yaml") == staged_before


def test_commit_of_a_kb_at_the_repository_top(tmp_path: Path) -> None:
    root = git_init(make_kb(tmp_path / "kb"))
    result = run_kb(*COMMANDS["add-claim"], *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert result.code == 0, result.err
    assert git(root, "show", "--format=%s", "--name-only", "HEAD") == (
        "kb: add claim alpha-vowel to alpha\n\nconcepts/alpha.yaml\n"
    )


def snapshot(top: Path) -> dict[str, bytes]:
    return {
        p.relative_to(top).as_posix(): p.read_bytes()
        for p in sorted(top.rglob("*"))
        if p.is_file() and ".git" not in p.parts and ".kb-cache" not in p.parts
    }


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_outside_git_commit_is_refused_before_writing(tmp_path: Path, command: str) -> None:
    root = make_kb(tmp_path / "kb")
    before = snapshot(root)
    result = run_kb(*COMMANDS[command], *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"kb: --commit: {root.resolve()} is not in a git repository; nothing was written\n"
    )
    assert snapshot(root) == before


def test_during_a_merge_commit_is_refused_before_writing(tmp_path: Path) -> None:
    top, root = repo_with_dirty_work(tmp_path)
    head = git(top, "rev-parse", "HEAD")
    (top / ".git" / "MERGE_HEAD").write_text(head)
    before = snapshot(top)
    result = run_kb(*COMMANDS["add-claim"], *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert (result.code, result.err) == (
        2,
        "kb: --commit: the repository is in the middle of a merge; finish it first "
        "(nothing was written)\n",
    )
    assert snapshot(top) == before


def test_a_failing_commit_says_the_change_was_written(tmp_path: Path) -> None:
    top, root = repo_with_dirty_work(tmp_path)
    hook = top / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run_kb(*COMMANDS["changelog"], *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert result.code == 2
    assert result.err.startswith("kb: the change was written, but git could not commit it: ")
    assert "lint failed" in result.err
    assert result.err.endswith(
        "lint failed; git's index is as it was before kb ran (the change is written, not "
        "staged) (run `git add -- kb/concepts/alpha.yaml && git commit -- "
        "kb/concepts/alpha.yaml` yourself)\n"
    )
    assert "Tidied the summary" in (root / "concepts" / "alpha.yaml").read_text()


def test_an_edit_that_changes_nothing_commits_nothing(tmp_path: Path) -> None:
    from kbcli.config import Config
    from kbcli.store import Edit, edit_kb

    top, root = repo_with_dirty_work(tmp_path)
    head = git(top, "rev-parse", "HEAD")
    alpha = root.resolve() / "concepts" / "alpha.yaml"

    def build() -> Edit[None]:
        return Edit({alpha: alpha.read_text()}, "kb: nothing", None)

    done = edit_kb(root.resolve(), Config(), build, commit=True)
    assert (done.paths, done.commit) == ((), None)
    assert git(top, "rev-parse", "HEAD") == head  # the staged beta.yaml was not committed
    assert status(top).startswith(" M README.md\nM  kb/concepts/beta.yaml\n")
