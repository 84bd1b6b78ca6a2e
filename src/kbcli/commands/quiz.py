"""`kb quiz`: ask the KB's questions at a terminal, or print them with an answer key.

At a terminal (stdin and stdout both), each question is asked with a rich prompt, answered
by letter (a timeline by its letters in order, e.g. `CADB`), scored and explained. Piped,
the questions are printed, then an answer key with the explanations; `--format json`
prints the quiz as data (docs/quiz.md documents the shape).
"""

# No `from __future__ import annotations`: typer reads these annotations at run time.

import sys
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from kbcli.quiz import Question, Quiz

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # not `string`: kb --version imports this module


class QuizKind(StrEnum):
    entities = "entities"
    timeline = "timeline"
    speed = "speed"


class QuizFormat(StrEnum):
    text = "text"
    json = "json"


def quiz(
    ctx: typer.Context,
    kind: Annotated[
        QuizKind | None,
        typer.Option("--kind", help="One kind of question (default: all three, mixed)."),
    ] = None,
    concept: Annotated[
        str | None,
        typer.Option("--concept", metavar="ID", help="Ask only about this concept."),
    ] = None,
    count: Annotated[int, typer.Option("--count", metavar="N", help="Questions to ask.")] = 5,
    seed: Annotated[
        int | None,
        typer.Option("--seed", metavar="N", help="The same seed gives the same quiz."),
    ] = None,
    format: Annotated[
        QuizFormat, typer.Option("--format", help="text (default) or json.")
    ] = QuizFormat.text,
) -> int:
    """Test your understanding: questions made from the KB's own claims and summaries.

    Three kinds, as on the seed page: entities (which claim belongs to a concept),
    timeline (put dated claims in order; dates come from the claims' `when`) and speed
    (which concept an alias or a masked definition names). At a terminal kb asks, scores
    and explains each answer; piped, it prints the questions and an answer key. The seed
    is printed, so a quiz can be asked again; exit 1 when the KB has too little to ask.
    """
    import secrets

    from kbcli.cli import _state
    from kbcli.config import load_config
    from kbcli.quiz import KINDS, load_concepts, make_quiz
    from kbcli.safetext import json_text

    root = _state(ctx).kb_root()
    config = load_config(root)
    chosen = seed if seed is not None else secrets.randbelow(1_000_000)
    kinds = (kind.value,) if kind is not None else KINDS
    result = make_quiz(
        load_concepts(root, config), seed=chosen, count=count, kinds=kinds, concept=concept
    )
    if format is QuizFormat.json:
        typer.echo(json_text(result.to_json()))  # control chars, bidi, `##[` escaped
        return 0
    if len(result.questions) < count:
        typer.echo(f"note: only {len(result.questions)} question(s) to ask", err=True)
    for note in result.notes if kind is None else ():
        typer.echo(f"note: {note}", err=True)
    if sys.stdin.isatty() and sys.stdout.isatty():
        from rich.console import Console
        from rich.prompt import Prompt

        console = Console(highlight=False, markup=False, emoji=False)

        def say(line: str) -> None:  # wrapped lines keep the line's indent
            import textwrap

            indent = " " * (len(line) - len(line.lstrip(" ")))
            width = max(console.width, 40)
            text = textwrap.fill(line, width, initial_indent="", subsequent_indent=indent)
            console.print(text, soft_wrap=True)

        ask_session(result, lambda q: Prompt.ask(q, console=console), say)
        return 0
    typer.echo(answer_key(result), nl=False)
    return 0


def choice_lines(question: "Question") -> list[str]:
    return [f"   {LETTERS[i]}. {choice}" for i, choice in enumerate(question.choices)]


def right_letters(question: "Question") -> str:
    """The right answer as letters: one, or a timeline's in order."""
    wanted = question.answer if isinstance(question.answer, tuple) else (question.answer,)
    return "".join(LETTERS[question.choices.index(text)] for text in wanted)


def answer_key(result: "Quiz") -> str:
    """The quiz as plain text: the questions, then the answers with their explanations."""
    from kbcli.safetext import visible

    lines = [f"kb quiz: {len(result.questions)} question(s), seed {result.seed}", ""]
    for n, question in enumerate(result.questions, 1):
        lines += [f"{n}. [{question.kind}] {question.prompt}", *choice_lines(question), ""]
    lines += ["Answer key", ""]
    for n, question in enumerate(result.questions, 1):
        letters = ", ".join(right_letters(question))
        lines += [f"{n}. {letters}", *_indented(question.explanation)]
    return "".join(visible(line) + "\n" for line in lines)  # page text: one line, as text


def _indented(lines: "tuple[str, ...]") -> list[str]:
    return [f"   {line}" for line in lines]


def ask_session(result: "Quiz", ask: Callable[[str], str], say: Callable[[str], None]) -> int:
    """Ask each question, say whether the answer is right and why; the score. Every line
    goes through `visible`: page text is shown as text, never acts on the terminal."""
    say = _safely(say)
    score = 0
    total = len(result.questions)
    say(f"kb quiz: {total} question(s), seed {result.seed} (Ctrl-C to stop)")
    for n, question in enumerate(result.questions, 1):
        say("")
        say(f"{n}/{total} [{question.kind}] {question.prompt}")
        for line in choice_lines(question):
            say(line)
        right = right_letters(question)
        given = _read_answer(question, ask)
        if given == right:
            score += 1
            say("Right.")
        else:
            say(f"Not quite: the answer is {', '.join(right)}.")
        for line in _indented(question.explanation):
            say(line)
    say("")
    say(f"Score: {score}/{total}")
    return score


def _safely(say: Callable[[str], None]) -> Callable[[str], None]:
    from kbcli.safetext import visible

    return lambda line: say(visible(line))


def _read_answer(question: "Question", ask: Callable[[str], str]) -> str:
    letters = LETTERS[: len(question.choices)]
    timeline = isinstance(question.answer, tuple)
    hint = f"letters in order, e.g. {letters[::-1]}" if timeline else "/".join(letters)
    while True:
        given = "".join(ask(f"Your answer ({hint})").upper().replace(",", "").split())
        if timeline and sorted(given) == sorted(letters):
            return given
        if not timeline and len(given) == 1 and given in letters:
            return given
