"""`kb diff [REV [REV2]]`: what a change did to the knowledge, page by page.

Revisions as `git diff` takes them (see `diff_sides`, which reads the pages on both sides;
`knowledge_diff` compares them). This module prints the result as text (coloured at a
terminal), JSON or GitHub annotations through `diff_report`, and exits 1 with
`--exit-code` when the knowledge changed.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO


def run(
    root: Path,
    revs: list[str],
    fmt: str,
    exit_code: bool,
    out: TextIO | None = None,
    color: bool | None = None,
) -> int:
    """`kb diff`: print the knowledge diff (on stdout, coloured when text goes to a
    terminal, unless `out` and `color` say otherwise); 1 with `exit_code` when the
    knowledge changed."""
    from kbcli import diff_report, terminal
    from kbcli.config import load_config
    from kbcli.diff_sides import knowledge_diff, resolve_sides

    if out is None:
        out = sys.stdout
    if color is None:
        color = fmt == "text" and terminal.color()

    sides = resolve_sides(root, revs)
    result = knowledge_diff(root, sides, load_config(root).max_page_bytes)
    if fmt == "text" and color:
        terminal.print_styled(diff_report.text_lines(result, sides), out)
    else:
        diff_report.REPORTERS[fmt](result, sides, out, color)
    return 1 if exit_code and result.changed else 0
