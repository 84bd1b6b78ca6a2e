"""What the verbs' wiring shares: the global options, completion of ids, option help."""

# No `from __future__ import annotations` here: typer would eval every option's string
# annotation on each run (17 ms of `kb --version`).
from enum import StrEnum
from pathlib import Path

import typer


class State:
    """The global options, for the commands."""

    def __init__(self, root: Path | None = None, debug: bool = False) -> None:
        self.root, self.debug = root, debug

    def kb_root(self, near: Path | None = None) -> Path:
        """The KB root: --root / KB_ROOT, else found from `near` (the first page a command
        names, so pre-commit finds the KB of the files it passes), else from here."""
        from kbcli.kb import find_root

        return find_root(Path.cwd() / near if near else Path.cwd(), self.root)


def concept_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from kbcli import completion

    return completion.concept_ids(ctx, incomplete)


def thesis_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from kbcli import completion

    return completion.thesis_ids(ctx, incomplete)


def state(ctx: typer.Context) -> State:
    """The global options of this run (their defaults when a test runs a verb alone)."""
    found: State = ctx.ensure_object(State) if ctx.obj is None else ctx.obj
    return found


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


class TextOrJson(StrEnum):
    """The format of a verb with no GitHub form (merge-claims' plan, the quiz)."""

    text = "text"
    json = "json"


COMMIT_HELP = "Commit exactly the files this command changed (refused outside git)."
DATE_HELP = "The date to record (YYYY-MM-DD); default today."
