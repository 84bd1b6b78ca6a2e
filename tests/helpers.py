"""Small helpers the tests share: building KBs, running the real CLI, real git repos."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CASES = Path(__file__).parent / "cases"
REPO = Path(__file__).parents[1]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Curator",
    "GIT_AUTHOR_EMAIL": "curator@example.org",
    "GIT_COMMITTER_NAME": "Curator",
    "GIT_COMMITTER_EMAIL": "curator@example.org",
    "GIT_AUTHOR_DATE": "2026-04-20T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-04-20T12:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_kb(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `kb` in this process (fast), as the console script does."""
    from kbcli.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_argv, old_cwd, old_env = sys.argv, Path.cwd(), dict(os.environ)
    sys.argv = ["kb", *args]
    os.environ.pop("KB_ROOT", None)
    os.environ.update(env or {})
    os.chdir(cwd)
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    return Run(code, out.getvalue(), err.getvalue())


def run_kb_process(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """Run `kb` as a separate process (for signals, concurrency, real stdio)."""
    full_env = {**os.environ, **(env or {})}
    if env is None or "KB_ROOT" not in env:
        full_env.pop("KB_ROOT", None)
    proc = subprocess.run(
        [sys.executable, "-m", "kbcli", *args],
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def make_kb(dest: Path, *overlays: Path, files: dict[str, str] | None = None) -> Path:
    """A KB in `dest`: the base case, each overlay folder copied on top, then `files`."""
    shutil.copytree(CASES / "base", dest, dirs_exist_ok=True)
    for overlay in overlays:
        shutil.copytree(
            overlay, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt")
        )
    for rel, text in (files or {}).items():
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return dest


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def git_init(path: Path) -> Path:
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "Initial KB")
    return path


NOBODY = 65534
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0


def _nobody_can_run_kb() -> bool:
    """Whether `nobody` can import kb from here: a checkout under a private folder (a
    `mktemp -d`, mode 700) hides the package and its venv from every other user."""
    if shutil.which("setpriv") is None:
        return False
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    done = subprocess.run(
        [*prefix, sys.executable, "-c", "import kbcli.cli"],
        cwd="/",
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


# Permissions mean nothing to root, and CI runs as root: there, kb runs as `nobody`,
# which needs setpriv and a checkout every user may read.
needs_another_user = pytest.mark.skipif(
    ROOT_USER and not _nobody_can_run_kb(),
    reason="as root, a permission test runs kb as nobody: it needs setpriv, and a "
    "checkout and venv that other users can read",
)


def _user_cache_home() -> Path:
    """A cache folder of the other user's, outside every KB and the folders above it (kb
    trusts no cache a checkout could hold: docs/security.md)."""
    global _USER_CACHE
    if _USER_CACHE is None:
        _USER_CACHE = Path(tempfile.mkdtemp(prefix="kb-tests-other-user-"))
        _USER_CACHE.chmod(0o777)
    return _USER_CACHE


_USER_CACHE: Path | None = None


def run_as_user(*args: str, cwd: Path, home: Path | None = None) -> Run:
    """`kb` as a user that file permissions apply to: `nobody` when the tests run as root
    (so `cwd` must be reachable by everyone), else the user running the tests."""
    env = {**os.environ, "NO_COLOR": "1"}
    env["XDG_CACHE_HOME"] = str(home if home is not None else _user_cache_home())
    env.pop("KB_ROOT", None)
    prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    proc = subprocess.run(
        [*(prefix if ROOT_USER else []), sys.executable, "-m", "kbcli", *args],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,  # a FIFO opened for reading would block here, not forever
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def open_to_everyone(top: Path) -> None:
    """Make a folder tree readable and writable by any user (for `run_as_user`)."""
    for path in (top, *top.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o777 if path.is_dir() else 0o666)


def collector_spies(
    real: Callable[..., Any],
) -> tuple[list[bool], Callable[..., Any], Callable[..., Any]]:
    """Stand-ins for `real` that record whether Python's cycle collector was running when
    called: `watched` then calls `real`, `broken` raises ZeroDivisionError."""
    import gc

    seen: list[bool] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    def broken(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        raise ZeroDivisionError("division by zero")

    return seen, watched, broken
