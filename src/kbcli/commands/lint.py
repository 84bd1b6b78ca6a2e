"""`kb lint [PATH...]`: pages checked against the schemas and each other.

The checking is `lint.lint`'s (with its cache in .kb-cache/) and the reporters are
`report.REPORTERS`'; this module applies `--fix` first, then lints, prints the report and
chooses the exit code: 1 for findings that fail (errors, or warnings too with --strict),
or when --fix changed a file.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.dates import given_date
from kbcli.terminal import color, progress, say, today

if TYPE_CHECKING:
    from kbcli.git import IndexProbe


def run(
    find_root: Callable[[Path | None], Path],
    paths: Sequence[Path],
    fmt: str = "text",
    *,
    strict: bool = False,
    on: str | None = None,
    use_cache: bool = True,
    changed_since: str | None = None,
    fix: bool = False,
) -> int:
    """`kb lint`: report on `paths` (default: the whole KB, found near the first path by
    `find_root`), changelogs checked against the date `on` (default today)."""
    root = find_root(paths[0].parent if paths else None)
    # A run over a few pages asks git which pages changed before importing what it needs:
    # git stats every file (in C, on another core) meanwhile. --fix changes files first.
    ahead = _probe(root) if paths and use_cache and not changed_since and not fix else None
    with ahead or contextlib.nullcontext():  # git stopped however the run ends
        from kbcli import report
        from kbcli.lint import lint

        cwd = Path.cwd()
        fixed = _fix(root, paths, cwd) if fix else 0
        with progress("Checking pages") as tick:
            result = lint(
                root, given_date(on, today()), paths, tick, use_cache,
                changed_since=changed_since, ahead=ahead,
            )  # fmt: skip
    shown = [report.display_path(root, f.path, cwd) for f in result.findings]
    colored = fmt == "text" and color()
    report.REPORTERS[fmt](result.findings, shown, result.checked, sys.stdout, colored)
    if fixed:  # say why a clean report still exits 1
        files = "1 file" if fixed == 1 else f"{fixed} files"
        say(
            f"kb: exit 1: --fix changed {files} (listed above); review and stage the changes",
            err=True,
        )
    return 1 if fixed or result.failed(strict) else 0


def _probe(root: Path) -> IndexProbe | None:
    from kbcli.git import IndexProbe
    from kbcli.kb import FOLDERS

    return IndexProbe.start(root, FOLDERS)


def _fix(root: Path, paths: Sequence[Path], cwd: Path) -> int:
    """Apply `--fix` and say what changed (on stderr: stdout keeps the report's format);
    the number of files changed."""
    from kbcli.config import load_config
    from kbcli.fix import fix_pages
    from kbcli.lint import selected_pages
    from kbcli.report import display_path

    fixed = fix_pages(root, load_config(root), selected_pages(root, paths))
    for page in fixed:
        for what in page.what:
            say(f"fixed {display_path(root, page.rel, cwd)}: {what}", err=True)
    return len(fixed)
