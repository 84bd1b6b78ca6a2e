"""A random secret of this user's, mixed into the keys of the caches kb keeps in a KB.

The caches under a KB root (`.kb-cache/`) are only shortcuts, but a repository can carry
one: a pull request can commit `.kb-cache/` (kb git-ignores it, yet `git add -f` adds it),
and a CI job linting that checkout would find, for each page, facts recorded for exactly
its content, made up to say that nothing is wrong. So a cache is only valid for the secret
kept in the user's own cache directory (`$XDG_CACHE_HOME/kb/secret`, else
`~/.cache/kb/secret`), which a repository cannot reach: a cache written by anyone else
never matches, and is rebuilt like any foreign cache. Unless that directory lies in the
KB's working tree (`secret_for`): then each process has a secret of its own.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path

_NAME = "secret"


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or ""
    return (Path(base) if os.path.isabs(base) else Path.home() / ".cache") / "kb"


@functools.cache
def local_secret() -> str:
    """This user's secret, made on first use. Where it can be neither read nor made, a
    secret for this process alone: caches then never match (slower, never wrong)."""
    try:
        return _read_or_make(user_cache_dir() / _NAME)
    except (OSError, RuntimeError, ValueError):  # RuntimeError: no home directory
        return os.urandom(16).hex()


def _read_or_make(path: Path) -> str:
    try:
        return _valid(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        pass
    import tempfile  # only here: ~3 ms of imports that reading the secret need not pay

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(os.urandom(16).hex())
        with contextlib.suppress(FileExistsError):  # another process made it first
            os.link(tmp, path)  # whole or not at all, and never over another's
    finally:
        os.unlink(tmp)
    return _valid(path.read_text(encoding="ascii"))


def _valid(text: str) -> str:
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("not a kb secret")  # half-written, or not ours: not trusted
    return text


def secret_for(root: Path) -> str:
    """The user's secret, for the caches of the KB at `root`; a secret for this process
    alone when the user's cache directory lies in the working tree holding `root`. A CI
    job may point XDG_CACHE_HOME into its checkout, which a pull request writes: the
    secret would then be the pull request's to choose."""
    real = root.resolve()
    top = next((d for d in (real, *real.parents) if (d / ".git").exists()), real)
    try:
        inside = user_cache_dir().resolve().is_relative_to(top)
    except (OSError, RuntimeError):
        inside = True
    return _process_secret() if inside else local_secret()


@functools.cache
def _process_secret() -> str:
    return os.urandom(16).hex()
