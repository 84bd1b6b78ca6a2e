"""Errors of the machine, not of kb: a full disk, a read-only folder, a page the user may
not write, a name too long. Each is exit 2 with the path and the cause on one line, and
nothing on disk changes. Also what kb leaves behind: nothing git would see."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbcli.errors import KbError, environment_error

from helpers import (
    CASES,
    git,
    git_init,
    make_kb,
    needs_another_user,
    open_to_everyone,
    run_as_user,
    run_kb,
)

ADD = ("add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "greek")
DATE = ("--date", "2026-04-21")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the KB but kb's own cache folder."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".kb-cache" not in p.parts
    }


@contextlib.contextmanager
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (only root may mount one); skips where it cannot be mounted."""
    mount = tmp_path / "disk"
    mount.mkdir()
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def fill(disk: Path) -> None:
    with open(disk / "filler", "wb", buffering=0) as fh, contextlib.suppress(OSError):
        while True:
            fh.write(b"\0" * 512)


def test_a_full_disk_is_exit_2_with_the_page_and_the_cause(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        root = make_kb(disk / "kb")
        run_kb("changelog", "beta", "made the lock and cache folder", *DATE, cwd=root)
        fill(disk)
        before = snapshot(root)
        result = run_kb(*ADD, *DATE, cwd=root)
        assert (result.code, result.out) == (2, "")
        assert result.err == (
            "kb: concepts/alpha.yaml: cannot write: no space left on the device: free some "
            "space and run kb again; nothing was written\n"
        )
        assert snapshot(root) == before
        assert sorted(os.listdir(root / "concepts")) == ["alpha.yaml", "beta.yaml"]


def test_lint_and_stale_still_work_on_a_full_disk_and_render_says_where(tmp_path: Path) -> None:
    with small_disk(tmp_path) as disk:
        root = make_kb(disk / "kb")
        fill(disk)
        assert run_kb("lint", cwd=root).out == "All clean: 3 pages checked.\n"
        assert run_kb("stale", cwd=root).code == 0
        result = run_kb("render", "--out", str(disk / "site"), cwd=root)
        assert (result.code, result.err) == (
            2,
            f"kb: {disk}/site/index.html: no space left on the device: free some space and run "
            "kb again\n",
        )


def test_a_failed_write_is_exit_2_even_where_no_disk_can_be_filled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same path as the real full disk, by a failing fsync (runs without root)."""
    root = make_kb(tmp_path / "kb")
    before = snapshot(root)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = run_kb(*ADD, *DATE, cwd=root)
    assert result.err == (
        "kb: concepts/alpha.yaml: cannot write: no space left on the device: free some "
        "space and run kb again; nothing was written\n"
    )
    assert result.code == 2
    assert snapshot(root) == before
    assert sorted(os.listdir(root / "concepts")) == ["alpha.yaml", "beta.yaml"]


@pytest.mark.parametrize(
    ("code", "cause"),
    [
        (errno.ENOSPC, "no space left on the device: free some space and run kb again"),
        (errno.EDQUOT, "disk quota exceeded: free some space and run kb again"),
        (errno.EROFS, "the file system is read-only"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "operation not permitted"),
        (errno.ENAMETOOLONG, "the file name is too long for the file system: use a shorter id"),
    ],
)
def test_environment_errors_name_the_path_and_the_cause(code: int, cause: str) -> None:
    error = environment_error(OSError(code, os.strerror(code), "/kb/concepts/a.yaml"))
    assert isinstance(error, KbError)
    assert (error.exit_code, error.render(Path("/kb"))) == (2, f"concepts/a.yaml: {cause}")


def test_other_os_errors_stay_bugs() -> None:
    assert environment_error(OSError(errno.EIO, "I/O error")) is None


def test_a_read_only_file_system_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_kb(tmp_path / "kb")
    before = snapshot(root)

    def read_only(src: object, dst: object) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dst))

    monkeypatch.setattr(os, "replace", read_only)
    result = run_kb("changelog", "alpha", "x", *DATE, cwd=root)
    assert result.err == (
        "kb: concepts/alpha.yaml: cannot write: the file system is read-only; nothing was written\n"
    )
    assert result.code == 2
    assert snapshot(root) == before
    assert sorted(os.listdir(root / "concepts")) == ["alpha.yaml", "beta.yaml"]


def test_a_file_name_too_long_is_exit_2(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    before = snapshot(root)
    long_id = "a" * 300
    result = run_kb("new", "concept", long_id, "--title", "Long", *DATE, cwd=root)
    assert result.code == 2
    assert result.err.startswith(f"kb: concepts/{long_id}.yaml: ")
    assert result.err.endswith(
        ": the file name is too long for the file system: use a shorter id\n"
    )
    assert "\n" not in result.err.rstrip("\n")
    assert snapshot(root) == before


@pytest.fixture
def shared_kb() -> Iterator[Path]:
    """A KB every user can reach (outside pytest's private temporary folder)."""
    top = Path(tempfile.mkdtemp(prefix="kb-env-"))
    try:
        root = make_kb(top / "kb")
        (top / "home").mkdir()
        open_to_everyone(top)
        yield root
    finally:
        for path in top.rglob("*"):
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o777)
        shutil.rmtree(top)


@needs_another_user
def test_a_page_the_user_may_not_write_is_refused_before_staging(shared_kb: Path) -> None:
    alpha = shared_kb / "concepts" / "alpha.yaml"
    alpha.chmod(0o444)
    before = snapshot(shared_kb)
    result = run_as_user("changelog", "alpha", "x", *DATE, cwd=shared_kb)
    assert result.err == (
        "kb: refusing to write concepts/alpha.yaml: you do not have write permission on it "
        "(-r--r--r--); nothing was written (chmod u+w it first if the edit is meant)\n"
    )
    assert result.code == 2
    assert snapshot(shared_kb) == before
    assert oct(alpha.stat().st_mode & 0o777) == "0o444"
    assert sorted(os.listdir(shared_kb / "concepts")) == ["alpha.yaml", "beta.yaml"]


@needs_another_user
def test_a_read_only_folder_is_exit_2_and_nothing_changes(shared_kb: Path) -> None:
    (shared_kb / "concepts").chmod(0o555)
    before = snapshot(shared_kb)
    result = run_as_user(*ADD, *DATE, cwd=shared_kb)
    assert result.err == (
        "kb: concepts/alpha.yaml: cannot write: permission denied; nothing was written\n"
    )
    assert result.code == 2
    assert snapshot(shared_kb) == before


# -- what kb leaves behind ------------------------------------------------------------------


def test_the_next_writer_removes_a_killed_writers_temporary_file(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    concepts = root / "concepts"
    leftover = concepts / ".alpha.yaml.4db6b5dc.tmp"  # as a writer killed before its rename
    leftover.write_text("half a page", encoding="utf-8")
    theirs = [concepts / ".alpha.yaml.swp", concepts / ".alpha.yaml.notmine.tmp"]
    for path in theirs:
        path.write_text("an editor's file", encoding="utf-8")
    result = run_kb("changelog", "beta", "x", *DATE, cwd=root)
    assert result.code == 0, result.err
    assert not leftover.exists()
    assert all(path.exists() for path in theirs)  # only names kb makes


def test_git_sees_nothing_of_kb_after_edits_and_lint(tmp_path: Path) -> None:
    """The lock and the caches live in `.kb-cache/`, which git-ignores itself: a KB
    repository needs no ignore rule of its own."""
    top = tmp_path / "repo"
    make_kb(top / "kb")
    git_init(top)
    root = top / "kb"
    assert run_kb("changelog", "alpha", "x", *DATE, cwd=root).code == 0
    assert run_kb("lint", cwd=root).code == 0
    assert run_kb("stale", cwd=root).code == 0
    assert git(top, "status", "--porcelain", "--untracked-files=all") == (
        " M kb/concepts/alpha.yaml\n"
    )
    assert (root / ".kb-cache" / "lock").exists()
    assert not (root / ".kb.lock").exists()
    assert (root / ".kb-cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")


def test_kb_tests_cases_base_has_no_kb_files() -> None:
    assert not (CASES / "base" / ".kb-cache").exists()


def test_a_file_where_the_cache_folder_goes_is_a_clear_error(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    (root / ".kb-cache").write_text("not a folder", encoding="utf-8")
    before = snapshot(root)
    result = run_kb("changelog", "alpha", "x", *DATE, cwd=root)
    assert (result.code, result.err) == (
        2,
        "kb: .kb-cache: cannot lock the KB for writing: this is a file, where kb keeps its "
        "cache folder; remove it (kb makes it again); nothing was changed\n",
    )
    assert snapshot(root) == before
