"""The per-user secret that keys kb's caches (`kbcli.secret`)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kbcli.secret import local_secret, secret_for, user_cache_dir


def test_made_once_private_then_reused(another_user: Path) -> None:
    first = local_secret()
    path = another_user / "kb" / "secret"
    assert path.read_text(encoding="ascii") == first and len(first) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["secret"]  # no temporary file left
    local_secret.cache_clear()
    assert local_secret() == first


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")  # the XDG spec says: ignore it
    monkeypatch.setenv("HOME", "/home/someone")
    assert user_cache_dir() == Path("/home/someone/.cache/kb")


@pytest.mark.parametrize("content", ["", "short", "g" * 32, "A" * 32])
def test_a_secret_file_that_is_not_ours_is_not_used(another_user: Path, content: str) -> None:
    path = another_user / "kb" / "secret"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="ascii")
    mine = local_secret()
    assert mine != content and len(mine) == 32
    assert path.read_text(encoding="ascii") == content  # left as it was
    local_secret.cache_clear()
    assert local_secret() != mine  # each process its own: caches never match, never wrong


def test_an_unwritable_cache_dir_gives_a_secret_for_this_process(another_user: Path) -> None:
    another_user.write_text("a file where a directory should be", encoding="utf-8")
    mine = local_secret()
    assert len(mine) == 32
    local_secret.cache_clear()
    assert local_secret() != mine


def test_two_processes_making_it_at_once_agree(another_user: Path) -> None:
    import subprocess
    import sys

    code = "from kbcli.secret import local_secret; print(local_secret())"
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(8)
    ]
    outs = {proc.communicate()[0].strip() for proc in procs}
    assert outs == {(another_user / "kb" / "secret").read_text(encoding="ascii")}
    assert os.listdir(another_user / "kb") == ["secret"]


def test_a_secret_inside_the_kbs_working_tree_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CI job pointing XDG_CACHE_HOME into its checkout: a pull request could commit
    both a secret and a cache made with it."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    kb = repo / "kb"
    kb.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(repo / ".cache"))
    local_secret.cache_clear()
    planted = repo / ".cache" / "kb" / "secret"
    planted.parent.mkdir(parents=True)
    planted.write_text("0" * 32, encoding="ascii")
    assert secret_for(kb) != "0" * 32
    assert secret_for(kb) == secret_for(repo)  # one per process: this run's caches agree
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "outside"))
    local_secret.cache_clear()
    assert secret_for(kb) == local_secret() != "0" * 32  # a secret of its own, outside
    local_secret.cache_clear()
