"""`kb stale`: thesis citations whose concepts changed since their last review.

The search is `stale.find_stale`; the reporters are `stale_report`'s, except that at a
terminal the text is drawn as a rich table here. `--changed-since REV` splits the result
by what the change since REV's merge base caused (`diff_sides.caused_since`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

from kbcli import stale_report
from kbcli.config import load_config
from kbcli.report import display_path
from kbcli.stale import StaleResult, Status, find_stale
from kbcli.stale_report import STATUS_TEXT, citation_label, since_cell
from kbcli.terminal import color, draw_table, markup, progress


def run(root: Path, fmt: str, check: bool, use_cache: bool, changed_since: str | None) -> int:
    """`kb stale`: print the report; 1 for a stray page, or with `check` when any citation
    needs a review."""
    config = load_config(root)
    with progress("Reading pages") as tick, progress("Dating citations") as dating:
        result = find_stale(root, config, use_cache, tick, dating)
    if changed_since is not None:
        from kbcli.diff_sides import caused_since
        from kbcli.stale import split_by_cause

        base, caused = caused_since(root, changed_since, config.max_page_bytes)
        result = split_by_cause(result, caused, base)
    REPORTERS[fmt](result, Path.cwd(), sys.stdout, fmt == "text" and color())
    return 1 if result.not_pages or (check and not result.clean) else 0


def text(result: StaleResult, cwd: Path, out: TextIO, color: bool) -> None:
    """A rich table with `color` (a terminal), else `stale_report.text`'s plain lines."""
    if not (color and result.theses):
        stale_report.text(result, cwd, out, color)
        return
    for line in stale_report.not_page_lines(result, cwd):
        out.write(line + "\n")
    dated = any(c.origin is not None for r in result.theses for c in r.citations)
    headings = ("Thesis", "Citation", "Status", "What changed", *(["Since"] if dated else []))
    draw_table(headings, _rows(result, cwd, dated), out)
    out.write(stale_report.summary(result) + "\n")
    if result.already:
        out.write(stale_report.already_line(result) + "\n")


def _rows(
    result: StaleResult, cwd: Path, dated: bool
) -> Iterator[tuple[Sequence[str], str | None] | None]:
    for report in result.theses:
        first = True
        for cit in report.citations:
            path = display_path(result.root, report.rel, cwd)
            changes = [c.message for c in cit.changes] if cit.status is Status.STALE else []
            # Every field through `terminal.markup`: the newlines are the table's own.
            cells = [
                f"{markup(report.thesis)}\n[dim]{markup(path)}[/]" if first else "",
                markup(citation_label(cit)),
                STATUS_TEXT[cit.status],
                "\n".join(markup(change) for change in changes),
            ]
            if dated:
                cells.append("\n".join(markup(part) for part in since_cell(cit)))
            yield cells, None if cit.status is Status.STALE else "yellow"
            first = False
        yield None


REPORTERS: dict[str, stale_report.Reporter] = {**stale_report.REPORTERS, "text": text}
