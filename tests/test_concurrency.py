"""Many kb processes writing one KB at once lose nothing: the lock serialises them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kbcli.yamlio.load import parse

from helpers import GIT_ENV, git, git_init, make_kb, run_kb


def _start(root: Path, args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbcli", *args],
        cwd=root, env={**os.environ, **GIT_ENV}, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _finish(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert (proc.returncode, err) == (0, ""), out


def test_twenty_parallel_add_claims_keep_all_twenty(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    statements = [f"Parallel writer {n} has its own claim" for n in range(20)]
    procs = [
        _start(root, ["add-claim", "alpha", s, "-e", "weak", "-s", "greek", "--date", "2026-04-20"])
        for s in statements
    ]
    _finish(procs)
    page = parse((root / "concepts" / "alpha.yaml").read_text()).data
    claims = {c["statement"]: c["id"] for c in page["claims"]}
    for n, statement in enumerate(statements):
        assert claims[statement] == f"parallel-writer-{n}-own-claim"
    assert len(page["claims"]) == 22
    assert len(page["changelog"]) == 22
    lint = run_kb("lint", "--today", "2026-04-20", cwd=root)
    # Statements that differ only in their numbers are possible contradictions (C009
    # warnings, one per claim line), nothing else.
    assert lint.code == 0
    assert lint.out.endswith("Found 0 errors and 20 warnings (3 pages checked).\n")
    assert {line.split()[1] for line in lint.out.splitlines()[:-1]} == {"C009"}


def test_parallel_commits_each_commit_their_own_change(tmp_path: Path) -> None:
    root = git_init(make_kb(tmp_path / "kb"))
    procs = [
        _start(root, ["changelog", "beta", f"Entry {n}", "--date", "2026-04-20", "--commit"])
        for n in range(8)
    ]
    _finish(procs)
    commits = git(root, "rev-list", "HEAD").split()
    assert len(commits) == 9  # 8 commits and the initial one
    for sha in commits[:8]:
        shown = git(root, "show", "--format=%s", "--name-only", sha)
        assert shown == "kb: changelog entry for beta\n\nconcepts/beta.yaml\n"
    text = (root / "concepts" / "beta.yaml").read_text()
    assert all(f"text: Entry {n}\n" in text for n in range(8))
    assert git(root, "status", "--porcelain", "--untracked-files=no") == ""
