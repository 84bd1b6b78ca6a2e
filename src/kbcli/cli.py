"""The `kb` command line: options in, one core call, an exit code out.

Heavy modules (YAML, schemas, git, rich) are imported inside the commands that use them,
so `kb --version` and a pre-commit run pay only for what they use.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from kbcli import __version__
from kbcli.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, KbError

app = typer.Typer(
    name="kb",
    help="Keep a knowledge base of concept pages honest.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class State:
    root: Path | None
    debug: bool

    def kb_root(self) -> Path:
        from kbcli.kb import find_root

        return find_root(Path.cwd(), self.root)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kb {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option("--root", envvar="KB_ROOT", help="The KB root (the folder with kb.yaml)."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Keep a knowledge base of concept pages honest."""
    ctx.obj = State(root, debug)


def _state(ctx: typer.Context) -> State:
    state: State = ctx.ensure_object(State) if ctx.obj is None else ctx.obj
    return state


def _date(value: str | None) -> str:
    """A YYYY-MM-DD date from the command line; today when not given."""
    if value is None:
        return date.today().isoformat()
    try:
        date.fromisoformat(value)
    except ValueError:
        raise KbError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    if len(value) != 10:
        raise KbError(f"{value!r} is not a date (YYYY-MM-DD)")
    return value


def _color(stream: object = sys.stdout) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
def lint(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pages to report on (default: the whole KB).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Date to check changelogs against (YYYY-MM-DD).")
    ] = None,
) -> int:
    """Check pages against the schemas and each other."""
    from kbcli import report
    from kbcli.lint import lint as run_lint

    root = _state(ctx).kb_root()
    result = run_lint(root, _date(today), paths or ())
    cwd = Path.cwd()
    shown = [report.display_path(root, f.path, cwd) for f in result.findings]
    color = format is Format.text and _color()
    report.REPORTERS[format.value](result.findings, shown, result.checked, sys.stdout, color)
    return 1 if result.failed(strict) else 0


def main() -> NoReturn:
    """The console script: runs the app and turns every outcome into an exit code."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)
    except KbError as exc:
        typer.echo(f"kb: {exc}", err=True)
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("kb: interrupted", err=True)
        code = EXIT_INTERRUPTED
    except Exception as exc:  # a bug: short message, traceback only with --debug
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(EXIT_USAGE)
        if debug:
            import traceback

            traceback.print_exc()
        typer.echo(f"kb: internal error: {type(exc).__name__}: {exc}", err=True)
        typer.echo("kb: run again with --debug for the traceback, and report it", err=True)
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else 0)


def _is_usage_error(exc: Exception) -> bool:
    # typer may bring click or its own copy of it; both name the class ClickException
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)
