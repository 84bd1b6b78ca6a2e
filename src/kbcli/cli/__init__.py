"""The `kb` command line: options in, one call of `commands/<verb>.py`, an exit code out.

This package is typer wiring: the app and its global options (here), the verbs' options
and help (`edit.py`: verbs that change pages; `check.py`: the others; `options.py`: what
they share), and `main`, the one place that turns every outcome into an exit code. Heavy
modules (YAML, schemas, git, rich) are imported inside the commands that use them, so
`kb --version` and a pre-commit run pay only for what they use.
"""

# No `from __future__ import annotations` here: typer would eval every option's string
# annotation on each run (17 ms of `kb --version`).
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from kbcli import __version__
from kbcli.cli.options import State
from kbcli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    KbError,
    environment_error,
)
from kbcli.terminal import say

app = typer.Typer(
    name="kb",
    help="Keep a knowledge base of concept pages honest.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # docstring paragraphs reflow to the terminal width
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


def _register_commands() -> None:
    """Every verb, in the order `kb --help` lists them."""
    from kbcli.cli import check, edit

    app.command()(check.lint)
    app.command("add-claim")(edit.add_claim)
    app.command()(edit.changelog)
    app.command("merge-claims")(edit.merge_claims)
    app.command()(edit.new)
    app.command()(check.stale)
    app.command()(check.diff)
    app.command()(edit.review)
    app.command()(check.rules)
    app.command()(check.schema)
    app.command("import")(edit.import_page)
    app.command()(check.show)
    app.command()(check.render)
    app.command("merge-file")(check.merge_file)
    app.command("git-setup")(check.git_setup)
    app.command()(check.quiz)


_register_commands()


def main() -> NoReturn:
    """The console script: runs the app and turns every outcome into an exit code."""
    debug = "--debug" in sys.argv
    _say_notes(silent=True)  # none left from an earlier run in this process
    try:
        code = app(standalone_mode=False, prog_name="kb")  # also under `python -m kbcli`
    except KbError as exc:
        say(f"kb: {exc.render(Path.cwd())}", err=True)
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        code = EXIT_INTERRUPTED
    except OSError as exc:  # the machine's (full disk, read-only, permission): exit 2
        error = environment_error(exc)
        if error is None:
            code = _internal_error(exc, debug)
        else:
            say(f"kb: {error.render(Path.cwd())}", err=True)
            code = error.exit_code
    except Exception as exc:  # a bug: short message, traceback only with --debug
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(EXIT_USAGE)
        code = _internal_error(exc, debug)
    _say_notes()
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
        typer.echo("kb: interrupted", err=True)
    sys.exit(code if isinstance(code, int) else 0)


def _internal_error(exc: Exception, debug: bool) -> int:
    if debug:
        import traceback

        traceback.print_exc()
    say(f"kb: internal error: {type(exc).__name__}: {exc}", err=True)
    typer.echo("kb: run again with --debug for the traceback, and report it", err=True)
    return EXIT_INTERNAL


def _say_notes(silent: bool = False) -> None:
    """What the core noted for the user during the run (a cache left unused), once each."""
    if "kbcli.secret" not in sys.modules:  # nothing imported it: nothing to say
        return
    from kbcli.secret import take_notes

    for note in take_notes():
        if not silent:
            say(f"kb: {note}", err=True)


def _is_usage_error(exc: Exception) -> bool:
    # typer may bring click or its own copy of it; both name the class ClickException
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)
