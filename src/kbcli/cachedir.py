"""`.kb-cache/`: the one folder kb keeps its own files in under a KB root.

It holds the lint cache, the history cache and the writers' lock. Like ruff's and pytest's
cache folders, it git-ignores itself (a `.gitignore` of `*` inside it), so a KB repository
needs no ignore rule of its own: `git status` never shows kb's files.
"""

from __future__ import annotations

from pathlib import Path

CACHE_DIR = ".kb-cache"
_GITIGNORE = "# kb's cache: never committed\n*\n"


def ensure_cache_dir(root: Path) -> Path:
    """The KB's cache folder, made (with its `.gitignore`) if missing; OSError if it
    cannot be."""
    directory = root / CACHE_DIR
    directory.mkdir(exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text(_GITIGNORE, encoding="utf-8")
    return directory
