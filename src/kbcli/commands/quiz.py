"""`kb quiz`: ask the KB's questions at a terminal, or print them with an answer key.

At a terminal (stdin and stdout both), each question is asked with a rich prompt, answered
by letter (a timeline by its letters in order, e.g. `CADB`), scored and explained. Piped,
the questions are printed, then an answer key with the explanations; `--format json`
prints the quiz as data (docs/quiz.md documents the shape).
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbcli.quiz import Question, Quiz

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # not `string`: kb --help imports the wiring only


def run(
    root: Path, kind: str | None, concept: str | None, count: int, seed: int | None, format: str
) -> int:
    """`kb quiz`: make the quiz (a random seed unless given), then print it as JSON, ask it
    at a terminal, or print it with an answer key."""
    import secrets

    from kbcli.config import load_config
    from kbcli.quiz import KINDS, load_concepts, make_quiz
    from kbcli.safetext import json_text
    from kbcli.terminal import asks, echo, is_terminal

    config = load_config(root)
    chosen = seed if seed is not None else secrets.randbelow(1_000_000)
    kinds = (kind,) if kind is not None else KINDS
    result = make_quiz(
        load_concepts(root, config), seed=chosen, count=count, kinds=kinds, concept=concept
    )
    if format == "json":
        echo(json_text(result.to_json()))  # control chars, bidi, `##[` escaped
        return 0
    if len(result.questions) < count:
        echo(f"note: only {len(result.questions)} question(s) to ask", err=True)
    for note in result.notes if kind is None else ():
        echo(f"note: {note}", err=True)
    if asks() and is_terminal(sys.stdout):  # asks and shows: both ends a terminal
        _ask_at_terminal(result)
        return 0
    echo(answer_key(result), nl=False)
    return 0


def _ask_at_terminal(result: "Quiz") -> None:
    import textwrap

    from rich.console import Console
    from rich.prompt import Prompt

    console = Console(highlight=False, markup=False, emoji=False)

    def say(line: str) -> None:  # wrapped lines keep the line's indent
        indent = " " * (len(line) - len(line.lstrip(" ")))
        width = max(console.width, 40)
        text = textwrap.fill(line, width, initial_indent="", subsequent_indent=indent)
        console.print(text, soft_wrap=True)

    ask_session(result, lambda q: Prompt.ask(q, console=console), say)


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
