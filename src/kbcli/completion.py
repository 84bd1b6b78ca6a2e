"""Shell completion of concept and thesis ids (`kb --install-completion`).

Completion runs on every Tab press, so it only lists file names: no page is parsed. It
must never fail loudly: outside a KB it simply offers nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kbcli.errors import KbError
from kbcli.kb import KINDS, PAGE_SUFFIXES, SLUG, find_root


def concept_ids(ctx: Any, incomplete: str) -> list[str]:
    return _ids(ctx, "concept", incomplete)


def thesis_ids(ctx: Any, incomplete: str) -> list[str]:
    return _ids(ctx, "thesis", incomplete)


def _ids(ctx: Any, kind: str, incomplete: str) -> list[str]:
    explicit = ctx.find_root().params.get("root") if ctx is not None else None
    try:
        root = find_root(Path.cwd(), Path(explicit) if explicit else _env_root())
    except KbError:
        return []
    folder = root / KINDS[kind]
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    stems = {n.rsplit(".", 1)[0] for n in names if n.endswith(PAGE_SUFFIXES)}
    # Ids only: a file name can hold a newline, which the shell would read as a second
    # candidate, or an escape sequence (SLUG.fullmatch: `$` would let a final newline by).
    return sorted(s for s in stems if s.startswith(incomplete) and SLUG.fullmatch(s))


def _env_root() -> Path | None:
    # typer does not fill envvar-backed options while completing
    value = os.environ.get("KB_ROOT")
    return Path(value) if value else None
