"""A random secret of this user's, mixed into the keys of the caches kb keeps in a KB.

The caches under a KB root (`.kb-cache/`) are only shortcuts, but a repository can carry
one: a pull request can commit `.kb-cache/` (kb git-ignores it, yet `git add -f` adds it),
and a CI job linting that checkout would find, for each page, facts recorded for exactly
its content, made up to say that nothing is wrong. So a cache is only valid for the secret
kept in the user's own cache directory (`$XDG_CACHE_HOME/kb/secret`, else
`~/.cache/kb/secret`), which a repository cannot reach: a cache written by anyone else
never matches, and is rebuilt like any foreign cache.

The secret is only worth something where no checkout can hold it. The rule (`distrust`):
the user's cache directory must lie
- outside the KB root, and outside the working directory (unless that is one of the
  sheltered folders below, which a checkout never is);
- outside the repository holding the KB (the folder with the `.git` found above it);
- where no `.git` is found (a `git archive` tarball, a separate `GIT_DIR`, files a CI job
  downloaded), outside every folder above the KB root but the sheltered ones: the user's
  home directory and the folders above it, and the system's temporary folder (`$TMPDIR`,
  `/tmp`, `/var/tmp`). A checkout is unpacked *into* those, never *as* them; any other
  folder above the KB (`/workspace`, say) may be the checkout's top.
Where the rule does not hold, or cannot be checked, kb runs without its caches, neither
reading nor writing them, and says so once on stderr (`take_notes`): a CI job pointing
XDG_CACHE_HOME into its checkout would otherwise use the secret a pull request chose.
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
    from kbcli.store import write_atomic  # only here: made once a user

    secret = os.urandom(16).hex().encode("ascii")
    with contextlib.suppress(FileExistsError):  # another process made it first
        write_atomic(path, secret, mode=0o600, create=True)
    return _valid(path.read_text(encoding="ascii"))


def _valid(text: str) -> str:
    if len(text) != 32 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError("not a kb secret")  # half-written, or not ours: not trusted
    return text


def secret_for(root: Path) -> str:
    """The user's secret, for the caches of the KB at `root`; a secret for this process
    alone where `distrust` finds the secret could be the checkout's (callers that keep a
    cache ask `distrust` first and do without it)."""
    return _process_secret() if distrust(root) else local_secret()


def distrust(root: Path) -> str | None:
    """Why the user's cache directory could be part of the checkout holding the KB at
    `root` (the rule in the module docstring), or None when it cannot be."""
    try:
        cache, real, cwd = user_cache_dir().resolve(), root.resolve(), Path.cwd().resolve()
        home = Path.home().resolve()
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return "kb cannot tell where its cache directory lies"
    where = f"kb's cache directory ({cache})"
    sheltered = {home, *home.parents, *_temporary_folders()}
    if cache.is_relative_to(real):
        return f"{where} lies inside the KB"
    if cwd not in sheltered and cache.is_relative_to(cwd):
        return f"{where} lies inside the working directory"
    top = next((d for d in (real, *real.parents) if (d / ".git").exists()), None)
    if top is not None:
        return f"{where} lies inside the repository {top}" if cache.is_relative_to(top) else None
    for folder in real.parents:
        if folder not in sheltered and cache.is_relative_to(folder):
            return (
                f"no git repository shows where this checkout ends, and {where} lies in "
                f"{folder}, a folder above the KB"
            )
    return None


def _temporary_folders() -> set[Path]:
    """The system's temporary folders (without importing tempfile: ~3 ms), resolved."""
    names = [os.environ.get("TMPDIR") or "/tmp", "/tmp", "/var/tmp"]
    return {Path(name).resolve() for name in names if os.path.isabs(name)}


_notes: dict[str, None] = {}  # what to say on stderr, once each, in order


def decline(root: Path) -> bool:
    """Whether a cache of the KB at `root` must go unused (`distrust`); the reason is kept
    for the CLI to say once (`take_notes`)."""
    reason = distrust(root)
    if reason is not None:
        _notes.setdefault(
            f"note: not using kb's caches: {reason}, so a checkout could have forged them "
            "(set XDG_CACHE_HOME to a folder outside it, or pass --no-cache)"
        )
    return reason is not None


def take_notes() -> list[str]:
    """The notes `decline` kept since the last call."""
    notes = list(_notes)
    _notes.clear()
    return notes


@functools.cache
def _process_secret() -> str:
    return os.urandom(16).hex()
