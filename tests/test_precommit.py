"""The real pre-commit runs the real hook from this repository on a KB repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import CASES, GIT_ENV, REPO, git, git_init, make_kb


def _try_repo(repo: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(cache), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), *args],
        cwd=repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def test_kb_lint_hook_passes_a_clean_kb_and_names_the_broken_reference(tmp_path: Path) -> None:
    repo = tmp_path / "notes"
    make_kb(repo / "kb")
    (repo / "README.md").write_text("notes\n")
    git_init(repo)
    cache = tmp_path / "pre-commit-cache"

    clean = _try_repo(repo, cache, "kb-lint", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "kb lint" in clean.stdout and "Passed" in clean.stdout

    broken = (CASES / "invalid" / "unknown-concept" / "theses" / "t.yaml").read_text()
    (repo / "kb" / "theses" / "t.yaml").write_text(broken)
    git(repo, "add", "-A")
    failed = _try_repo(repo, cache, "kb-lint", "--files", "kb/theses/t.yaml")
    assert failed.returncode == 1
    assert "Failed" in failed.stdout
    assert "kb/theses/t.yaml:8:14: R004 cites: no concept 'delta' in this KB" in failed.stdout
