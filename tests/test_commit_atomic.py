"""`--commit` is all or nothing: a commit git refuses leaves git's index exactly as it was
before kb ran (the page written, not staged, and kb says so), and a new page git ignores
is refused before anything is written, naming the ignore rule."""

from __future__ import annotations

from pathlib import Path

from helpers import GIT_ENV, git, git_init, make_kb, run_kb

DATE = ("--date", "2026-04-20")


def repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with the KB in `kb/`, a staged edit of alpha (so the index differs
    from both HEAD and the file), a staged unrelated file, and a rejecting pre-commit hook."""
    top = tmp_path / "repo"
    root = make_kb(top / "kb")
    git_init(top)
    alpha = root / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("The first concept.", "The first one."))
    git(top, "add", "kb/concepts/alpha.yaml")
    (top / "notes.txt").write_text("staged\n")
    git(top, "add", "notes.txt")
    hook = top / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\necho 'policy: no commits today' >&2\necho 'second line' >&2\nexit 1\n"
    )
    hook.chmod(0o755)
    return top, root


def index(top: Path) -> str:
    return git(top, "ls-files", "-s")


def test_a_rejected_commit_of_an_edit_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    top, root = repo(tmp_path)
    before, head = index(top), git(top, "rev-parse", "HEAD")
    result = run_kb("changelog", "alpha", "Tidied", *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert result.code == 2
    assert result.err == (
        "kb: the change was written, but git could not commit it: policy: no commits today; "
        "second line; git's index is as it was before kb ran (the change is written, not "
        "staged) (run `git add -- kb/concepts/alpha.yaml && git commit -- "
        "kb/concepts/alpha.yaml` yourself)\n"
    )
    assert index(top) == before  # alpha's staged edit is still the one staged
    assert git(top, "rev-parse", "HEAD") == head
    assert "Tidied" in (root / "concepts" / "alpha.yaml").read_text()  # written
    status = git(top, "status", "--porcelain", "--untracked-files=no")
    assert status == "MM kb/concepts/alpha.yaml\nA  notes.txt\n"


def test_a_rejected_commit_of_a_new_page_leaves_it_untracked(tmp_path: Path) -> None:
    top, root = repo(tmp_path)
    before = index(top)
    result = run_kb("new", "concept", "gamma", "--title", "G", *DATE, "--commit", cwd=root,
                    env=GIT_ENV)  # fmt: skip
    assert result.code == 2
    assert "git's index is as it was before kb ran" in result.err
    assert index(top) == before
    assert (root / "concepts" / "gamma.yaml").is_file()
    assert "?? kb/concepts/gamma.yaml\n" in git(top, "status", "--porcelain")


def test_an_ignored_new_page_is_refused_before_writing(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = make_kb(top / "kb")
    (top / ".gitignore").write_text(
        "# drafts stay local\nkb/concepts/draft-*\n!kb/concepts/draft-ok.yaml\n"
    )
    git_init(top)
    before = index(top)
    result = run_kb("new", "concept", "draft-x", "--title", "X", *DATE, "--commit", cwd=root,
                    env=GIT_ENV)  # fmt: skip
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "kb: --commit: git ignores kb/concepts/draft-x.yaml (.gitignore:2: kb/concepts/draft-*), "
        "so it cannot be committed; nothing was written (change that rule, or run without "
        "--commit)\n"
    )
    assert not (root / "concepts" / "draft-x.yaml").exists()
    assert index(top) == before
    # A page a negated rule lets through is not ignored: committed as usual.
    done = run_kb("new", "concept", "draft-ok", "--title", "OK", *DATE, "--commit", cwd=root,
                  env=GIT_ENV)  # fmt: skip
    assert done.code == 0, done.err
    assert git(top, "show", "--name-only", "--format=", "HEAD") == "kb/concepts/draft-ok.yaml\n"


def test_a_tracked_page_that_an_ignore_rule_matches_is_committed(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = make_kb(top / "kb")
    git_init(top)
    (top / ".gitignore").write_text("kb/concepts/\n")  # added after alpha was tracked
    result = run_kb("changelog", "alpha", "Tidied", *DATE, "--commit", cwd=root, env=GIT_ENV)
    assert result.code == 0, result.err
    assert git(top, "show", "--name-only", "--format=", "HEAD") == "kb/concepts/alpha.yaml\n"
