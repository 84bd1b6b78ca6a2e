"""Say why history is missing: where git refuses the repository, `kb stale` says so for
each citation it cannot date, in text and JSON, instead of dropping the commit column."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from helpers import GIT_ENV, git, git_init, make_kb, run_kb, run_kb_process

SAFE_DIRECTORY = "git refuses this repository (safe.directory)"


def stale_repo(tmp_path: Path) -> Path:
    """A KB in git whose thesis citation went stale in a commit."""
    kb = make_kb(tmp_path / "kb")
    git_init(kb)
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: weak"))
    git(kb, "commit", "-qam", "Downgrade alpha")
    return kb


def test_a_repository_of_another_user_is_named(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("giving the repository to another user needs root")
    kb = stale_repo(tmp_path)
    owned = run_kb("stale", cwd=kb, env=GIT_ENV).out
    assert "  alpha [alpha-is-first]: stale since " in owned and '"Downgrade alpha"' in owned
    for path in (kb, *kb.rglob("*")):
        os.lchown(path, 12345, 12345)  # a CI container running as another user
    env = {**GIT_ENV, "HOME": str(tmp_path)}  # GIT_ENV: no global or system safe.directory
    env.pop("SUDO_UID", None)
    text = run_kb_process("stale", cwd=kb, env=env)
    assert text.out.splitlines()[:2] == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: stale (commit unknown: {SAFE_DIRECTORY})",
    ]
    data = json.loads(run_kb_process("stale", "--format", "json", cwd=kb, env=env).out)
    origin = data["theses"][0]["citations"][0]["origin"]
    assert origin == {"state": "unknown", "note": SAFE_DIRECTORY}


def test_other_git_errors_are_named_with_gits_words(tmp_path: Path) -> None:
    kb = stale_repo(tmp_path)
    shutil.move(kb / ".git", tmp_path / "moved")
    (kb / ".git").write_text(f"gitdir: {tmp_path / 'gone'}\n")  # a worktree whose repo left
    out = run_kb("stale", cwd=kb, env=GIT_ENV).out
    assert out.splitlines()[1] == (
        "  alpha [alpha-is-first]: stale (commit unknown: git fails in this repository: "
        f"not a git repository: {tmp_path / 'gone'})"
    )


def test_outside_git_there_is_no_history_and_nothing_to_explain(tmp_path: Path) -> None:
    kb = stale_repo(tmp_path)
    shutil.rmtree(kb / ".git")
    out = run_kb("stale", "--format", "json", cwd=kb, env=GIT_ENV).out
    assert json.loads(out)["theses"][0]["citations"][0]["origin"] is None
