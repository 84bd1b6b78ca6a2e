"""The edge a command runs at: the terminal, the clock, and kb's own lines on them.

Only this module, `prompts.py`, `cli.py` and `commands/` draw with rich or print with
typer (tests/test_layering.py checks it): the core below returns values and findings,
and a command decides how they reach the terminal. rich is imported only when it draws.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import typer

PLAIN_WIDTH = 80  # text piped to a file or a pager wraps here
_PROGRESS_MIN = 200  # fewer pages than this finish before a bar is worth drawing


def today() -> str:
    """Today's date, `YYYY-MM-DD`: the one place a command reads the clock."""
    from datetime import date

    return date.today().isoformat()


def is_terminal(stream: object) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def asks() -> bool:
    """True when kb may ask: stdin is a terminal."""
    return is_terminal(sys.stdin)


def color(stream: object = sys.stdout) -> bool:
    """Colour for `stream`: a terminal, and NO_COLOR not set."""
    return is_terminal(stream) and "NO_COLOR" not in os.environ


def width() -> int:
    """The terminal's width, or `PLAIN_WIDTH` when stdout is not a terminal."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else PLAIN_WIDTH


def say(line: str, err: bool = False) -> None:
    """Print a line of kb's own with untrusted parts in it (ids, statements, paths, git's
    messages): control, line-break and bidi characters shown escaped (`safetext.visible`),
    so that the line stays one line and nothing in it reaches the terminal as a command."""
    from kbcli.safetext import visible

    typer.echo(visible(line), err=err)


def echo(text: str, err: bool = False, nl: bool = True, colored: bool | None = None) -> None:
    """Print text kb made safe already (a report, JSON, YAML)."""
    typer.echo(text, err=err, nl=nl, color=colored)


def shown(root: Path, rel: str) -> str:
    """A page as every command names it: relative to the working directory."""
    from kbcli.report import display_path

    return display_path(root, rel, Path.cwd())


def echo_commit(sha: str | None) -> None:
    if sha is not None:
        typer.echo(f"Committed {sha[:12]}")


def markup(text: str) -> str:
    """`visible(text)`, escaped so that rich prints its markup-like parts (`[bold]`,
    `[link=javascript:...]`) as text."""
    from rich.markup import escape

    from kbcli.safetext import visible

    return escape(visible(text))


def draw_table(
    headings: Sequence[str], rows: Iterable[tuple[Sequence[str], str | None] | None], out: TextIO
) -> None:
    """A rich table on `out` (a terminal): cells are rich markup (escape page text with
    `markup`), each row with its style; None starts a new section."""
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for heading in headings:
        table.add_column(heading, overflow="fold")
    for row in rows:
        if row is None:
            table.add_section()
        else:
            table.add_row(*row[0], style=row[1])
    Console(file=out, force_terminal=True, highlight=False, emoji=False).print(table)


def print_styled(lines: Iterable[tuple[str, str]], out: TextIO) -> None:
    """Lines of plain text (not markup), each in its rich style, on `out` (a terminal)."""
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=True, highlight=False, soft_wrap=True)
    for style, line in lines:
        console.print(Text(line, style=style))


@contextlib.contextmanager
def progress(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback (done, total) drawing a rich bar on stderr when that is a
    terminal and the run is long; nothing at all when stderr is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = _Bar(what)
    try:
        yield bar.update
    finally:
        bar.stop()


class _Bar:
    """One phase's bar; a phase that starts drawing ends the one before (one live display
    at a time: `kb stale` reads pages, then dates citations)."""

    drawn: Any = None  # the bar on screen, if any

    def __init__(self, what: str) -> None:
        self.what = what
        self.progress: Any = None  # rich.progress.Progress, imported only when drawn
        self.task: Any = None
        self.started = 0.0

    def update(self, done: int, total: int) -> None:
        if self.progress is None:
            self.started = self.started or time.monotonic()
            if total < _PROGRESS_MIN and time.monotonic() - self.started < 1:
                return  # drawn only for a long run
            from rich.console import Console
            from rich.progress import Progress

            if _Bar.drawn is not None:
                _Bar.drawn.stop()
            _Bar.drawn = self
            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.what, total=total)
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
