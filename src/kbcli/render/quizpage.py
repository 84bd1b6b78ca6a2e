"""The rendered site's quiz pages: one per concept and one for the whole KB.

The questions are `kb quiz`'s (the same core, `kbcli.quiz`) with a fixed seed, so the site
stays a function of the pages. Each answer is inside a `<details>` element: the reader
opens it after answering; no JavaScript. A concept with too little to ask gets a page that
says what is missing, so the link from its page never leads nowhere.
"""

from __future__ import annotations

import string
from typing import Any

from kbcli.errors import KbError
from kbcli.render.pages import (
    INDEX,
    Block,
    Bullets,
    Details,
    Item,
    Page,
    Para,
    Section,
    Site,
    Span,
    Target,
    claim_anchor,
    concept_path,
    quiz_path,
)

SITE_SEED = 1  # fixed: the same KB renders the same quiz
CONCEPT_QUESTIONS = 10
KB_QUESTIONS = 20
_KIND_NAMES = {
    "entities": "Concepts & entities",
    "timeline": "Timeline",
    "speed": "Speed round",
}


def quiz_page(site: Site, concept: str | None) -> Page:
    """The quiz on `concept` (None: on the whole KB)."""
    from kbcli.quiz import make_quiz

    concepts = {k: v for k, v in site.concepts.items() if not v.get("redirect")}
    title = "Test Your Understanding"
    if concept is not None:
        title += f": {site.concepts[concept]['title']}"
    count = KB_QUESTIONS if concept is None else CONCEPT_QUESTIONS
    up = Target(INDEX)
    try:
        quiz = make_quiz(concepts, seed=SITE_SEED, count=count, concept=concept)
    except KbError as exc:  # too little to ask, or a redirect: say so
        return Page(quiz_path(concept), title, (Para((Span(f"No quiz yet: {exc.message}"),)),), up)
    blocks: list[Block] = [_intro(site, concept, len(quiz.questions))]
    blocks += [_question(n, q) for n, q in enumerate(quiz.questions, 1)]
    return Page(quiz_path(concept), title, tuple(blocks), up)


def _intro(site: Site, concept: str | None, count: int) -> Para:
    where = [Span("the knowledge base")] if concept is None else [site.concept_link(concept)]
    option = f" --count {count}" + (f" --concept {concept}" if concept is not None else "")
    return Para(
        (
            Span(f"{count} question(s) made from "),
            *where,
            Span(
                ". Answer each, then open \u201cAnswer\u201d to check it. The same questions "
                f"at a terminal: kb quiz --seed {SITE_SEED}{option}."
            ),
        )
    )


def _question(n: int, question: Any) -> Section:
    letters = string.ascii_uppercase
    choices = Bullets(
        tuple(Item((Span(f"{letters[i]}. {c}"),)) for i, c in enumerate(question.choices)),
        "choices",
    )
    wanted = question.answer if isinstance(question.answer, tuple) else (question.answer,)
    right = ", ".join(letters[question.choices.index(text)] for text in wanted)
    source: list[Span] = []
    if question.claim is not None:
        target = Target(concept_path(question.page), claim_anchor(question.claim))
        source = [Span(" Source: "), Span(f"{question.page}#{question.claim}", target)]
    else:
        source = [Span(" Source: "), Span(question.page, Target(concept_path(question.page)))]
    explanation = tuple(Para((Span(line),)) for line in question.explanation)
    answer = Details(
        "Answer",
        (Para((Span(right, style="strong"), *source)), *explanation),
    )
    heading = f"{n}. {_KIND_NAMES[question.kind]}"
    return Section(f"q{n}", heading, (Para((Span(question.prompt),)), choices, answer))
