"""`kb schema [--write [DIR]]`: where the installed JSON Schemas are, or a copy for editors.

The schemas themselves are `schema.py`'s; this module chooses where `--write` writes them
(DIR, else the KB's `schemas/` folder) and with which evidence levels (the KB's, or the
defaults for a folder outside any KB).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from kbcli.errors import KbError
from kbcli.terminal import echo, say


def run(find_root: Callable[[Path | None], Path], write: bool, folder: Path | None) -> int:
    """`kb schema`: list the installed schemas' paths, or with `write`, write them (into
    `folder`, default the KB's schemas/); `find_root(near)` finds the KB."""
    from kbcli.config import Config, load_config
    from kbcli.schema import CONFIG_SCHEMA, EDITOR_FOLDER, SCHEMA_NAMES, schema_dir, write_schemas

    if not write:
        if folder is not None:
            raise KbError("DIR is where --write writes: pass --write too")
        for name in (*SCHEMA_NAMES.values(), CONFIG_SCHEMA):
            echo(str(schema_dir() / name))
        return 0
    try:
        root: Path | None = find_root(folder)
    except KbError:
        if folder is None:
            raise
        root = None  # a folder outside any KB: the default levels
    levels = load_config(root).evidence_levels if root else Config().evidence_levels
    target = folder
    if target is None:
        assert root is not None  # without DIR, no KB was an error above
        target = Path(os.path.relpath(root / EDITOR_FOLDER))
    for path, changed in write_schemas(target, levels):
        say(f"{'wrote' if changed else 'unchanged'} {path}")
    return 0
