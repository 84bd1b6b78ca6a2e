"""Asking a curator at a terminal for what `kb add-claim` was not given, and which groups
`kb merge-claims` merges.

Only the CLI calls this, and only when stdin is a terminal; the core never waits for
input. Prompts go to stderr, so they show even when stdout is piped. Rich reads prompts as
markup: every text from a page or an answer goes in through `terminal.markup`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO, cast

from rich.console import Console
from rich.prompt import Prompt

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.merge_plan import GroupPlan
from kbcli.terminal import markup

Answers = tuple[str, str, tuple[str, ...], str | None, str | None]


def ask_claim(
    root: Path,
    config: Config,
    concept: str,
    statement: str | None,
    evidence: str | None,
    sources: tuple[str, ...],
    source_title: str | None,
    source_url: str | None,
    console: Console | None = None,
    stream: TextIO | None = None,
) -> Answers:
    """Fill in whatever is missing: statement, evidence level (a choice), sources (chosen
    from the page's, or one new one with its title and address)."""
    from kbcli.claims import known_sources

    console = console or Console(stderr=True)
    known = known_sources(root, config, concept)  # also fails early on an unknown concept
    stream = cast(TextIO, _Strict(stream)) if stream is not None else None
    try:
        return _ask(
            config, known, statement, evidence, sources, source_title, source_url, console, stream
        )
    except EOFError:  # Ctrl-D, or input that ran out
        raise KbError("no answer given (input ended); nothing was written") from None


def _ask(
    config: Config,
    known: list[tuple[str, str]],
    statement: str | None,
    evidence: str | None,
    sources: tuple[str, ...],
    source_title: str | None,
    source_url: str | None,
    console: Console,
    stream: TextIO | None,
) -> Answers:
    if not statement:
        statement = _ask_text("Statement", console, stream)
    if evidence is None:
        levels = list(config.evidence_levels)
        evidence = Prompt.ask("Evidence", choices=levels, console=console, stream=stream)
    if not sources:
        sources = _ask_sources(known, console, stream)
    unknown = [s for s in sources if s not in dict(known)]
    if len(unknown) == 1 and source_title is None:
        source_title = _ask_text(f"Title of the new source '{markup(unknown[0])}'", console, stream)
        url = Prompt.ask("Its address (optional)", default="", console=console, stream=stream)
        source_url = url.strip() or None
    return statement, evidence, sources, source_title, source_url


class _Strict:
    """A stream whose end is an EOFError, as it is for input(): rich would otherwise read
    "" for ever from an exhausted stream and ask again."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def readline(self) -> str:
        line = self._inner.readline()
        if not line:
            raise EOFError
        return line


def _ask_sources(
    known: list[tuple[str, str]], console: Console, stream: TextIO | None
) -> tuple[str, ...]:
    for number, (source_id, title) in enumerate(known, 1):
        shown = f"  [bold]{number}[/bold]  {markup(source_id)}  [dim]{markup(title)}[/dim]"
        console.print(shown, markup=True, emoji=False, highlight=False)
    hint = "numbers or ids, comma-separated; a new id creates a source"
    while True:
        answer = Prompt.ask(f"Sources ({hint})", console=console, stream=stream)
        chosen = [_pick(part.strip(), known) for part in answer.split(",") if part.strip()]
        if chosen:
            return tuple(chosen)


def _pick(answer: str, known: list[tuple[str, str]]) -> str:
    if answer.isdigit() and 1 <= int(answer) <= len(known):
        return known[int(answer) - 1][0]
    return answer


def _ask_text(question: str, console: Console, stream: TextIO | None) -> str:
    answer = ""
    while not answer.strip():
        answer = Prompt.ask(question, console=console, stream=stream)
    return answer


def ask_merge(
    group: GroupPlan,
    levels: tuple[str, ...],
    evidence: str | None,
    console: Console | None = None,
    stream: TextIO | None = None,
) -> str | None:
    """Show one group of `kb merge-claims` and ask whether to merge it; when its claims'
    evidence levels differ and `--evidence` did not decide, ask which level it keeps.
    Returns the level the survivor keeps, or None to leave the group alone."""
    console = console or Console(stderr=True)
    for line in group.describe():
        console.print(line, markup=False, highlight=False)
    given = tuple(dict.fromkeys(level for _, level in group.levels))
    if len(given) > 1 and evidence is None:
        choices = [*levels, "skip"]
        answer = Prompt.ask(
            "Evidence levels differ: which level does the merged claim keep?",
            console=console,
            choices=choices,
            stream=stream,
        )
        return None if answer == "skip" else answer
    answer = Prompt.ask(
        "Merge this group?", console=console, choices=["y", "n"], default="n", stream=stream
    )
    return group.evidence if answer == "y" else None
