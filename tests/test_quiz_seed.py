"""`kb quiz` on the seed page imported alone into a fresh KB (with and without --stubs) and
on this repository's `kb/`, through the real CLI; and the entity questions' rules: the
names a KB's claims write, and distractors that never name the entity."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_quiz import at_a_terminal

from kbcli.config import load_config
from kbcli.entities import claim_entities
from kbcli.errors import Refused
from kbcli.quiz import KINDS, load_concepts, make_quiz

from helpers import REPO, run_kb, run_kb_process

KB = REPO / "kb"
SEED = REPO / "tests/cases/import/mechanistic-interpretability.txt"  # the seed, copied
DATE = "2026-04-21"
# What the seed's claims name, and how often (Anthropic: the microscope and the Thread)
SEED_ENTITIES = Counter(
    {
        "Anthropic": 2,
        "Claude": 1,
        "Claude 3 Sonnet": 1,
        "MIT Technology Review": 1,
        "OpenAI": 1,
        "Transformer Circuits Thread": 1,
    }
)
NO_TIMELINE = (
    "no timeline question: it needs 3 claims with a `when` that do not overlap in time, "
    "and this KB has 2 dated claim(s), which all overlap (add dates with kb add-claim --when)"
)
NO_SPEED = (
    "no speed question: it needs a concept with an alias only it answers to, or a summary "
    "whose first sentence names it, and another concept to choose from"
)
MI_DEFINITION = (
    "Which concept is this? \u201c_____ is the effort to understand how AI models produce "
    "their outputs \u2014 moving from treating them as black boxes to tracing the actual "
    "computational mechanisms inside.\u201d"
)


def fresh_import(dest: Path, *args: str) -> Path:
    """A KB with nothing in it but its kb.yaml, and the seed imported into it."""
    dest.mkdir()
    (dest / "kb.yaml").write_text("{}\n", encoding="utf-8")
    run = run_kb("import", str(SEED), "--date", DATE, *args, cwd=dest)
    assert run.code == 0, run.err
    return dest


def quiz_json(root: Path, kind: str, seed: str = "1") -> tuple[int, Any, str]:
    run = run_kb("quiz", "--kind", kind, "--seed", seed, "--count", "50", "--format", "json",
                 cwd=root)  # fmt: skip
    return run.code, json.loads(run.out) if run.out else None, run.err


def involves(prompt: str) -> str | None:
    match = re.fullmatch(r"Which of these claims involves (.+)\?", prompt)
    return match[1] if match else None


def test_the_seed_alone_asks_entity_questions_and_says_why_not_the_others(
    tmp_path: Path,
) -> None:
    root = fresh_import(tmp_path / "kb")  # no --stubs: one concept, no other to choose from
    code, quiz, err = quiz_json(root, "entities")
    assert (code, err) == (0, "")
    assert Counter(involves(q["prompt"]) for q in quiz["questions"]) == SEED_ENTITIES
    assert {len(q["choices"]) for q in quiz["questions"]} == {4}
    for kind, why in (("timeline", NO_TIMELINE), ("speed", NO_SPEED)):
        code, quiz, err = quiz_json(root, kind)
        assert (code, quiz, err) == (1, None, f"kb: {why}\n")
    mixed = run_kb("quiz", "--seed", "1", "--count", "3", cwd=root)
    assert mixed.code == 0
    assert mixed.err == f"note: {NO_TIMELINE}\nnote: {NO_SPEED}\n"
    assert mixed.out.startswith("kb quiz: 3 question(s), seed 1\n\n1. [entities] Which of")
    assert "\nAnswer key\n\n1. " in mixed.out


def test_the_seed_with_its_stubs_asks_entities_and_speed(tmp_path: Path) -> None:
    root = fresh_import(tmp_path / "kb", "--stubs")
    code, quiz, _ = quiz_json(root, "entities")
    assert code == 0
    assert Counter(involves(q["prompt"]) for q in quiz["questions"]) == SEED_ENTITIES
    code, quiz, err = quiz_json(root, "speed")
    assert (code, err) == (0, "")
    [question] = quiz["questions"]  # the stubs' summaries never name their concept
    assert (question["prompt"], question["answer"]) == (
        MI_DEFINITION,
        "Mechanistic Interpretability",
    )
    titles = {"Mechanistic Interpretability", "Circuit Tracing", "Chain-of-Thought Reasoning",
              "Agentic Reasoning", "Agent Safety & Alignment"}  # fmt: skip
    assert len(question["choices"]) == 4 and set(question["choices"]) < titles
    assert quiz_json(root, "timeline")[2] == f"kb: {NO_TIMELINE}\n"


@pytest.mark.parametrize("kind", KINDS)
def test_this_repositorys_kb_asks_every_kind(kind: str) -> None:
    code, quiz, _ = quiz_json(KB, kind)
    assert code == 0
    assert quiz["questions"] and {q["kind"] for q in quiz["questions"]} == {kind}
    if kind == "entities":  # both variants
        prompts = [q["prompt"] for q in quiz["questions"]]
        assert any(involves(p) for p in prompts)
        assert any(p.startswith("Which of these is a key claim of") for p in prompts)
    run = run_kb("quiz", "--kind", kind, "--seed", "1", "--count", "2", cwd=KB)
    assert run.code == 0 and f"1. [{kind}] " in run.out and "\nAnswer key\n" in run.out


@pytest.mark.parametrize("stubs", [(), ("--stubs",)])
def test_the_same_seed_gives_the_same_bytes_in_a_fresh_process(
    tmp_path: Path, stubs: tuple[str, ...]
) -> None:
    root = fresh_import(tmp_path / "kb", *stubs)
    for kind in ("entities", "speed"):
        runs = [
            run_kb_process(
                "quiz",
                "--kind",
                kind,
                "--seed",
                "3",
                "--format",
                "json",
                cwd=root,
                env={"PYTHONHASHSEED": seed},
            )
            for seed in ("1", "2")
        ]
        assert runs[0] == runs[1]


def _naming(concepts: dict[str, Any], entity: str) -> list[str]:
    """The statements of the claims whose statement, detail or sources' titles name
    `entity` or a name holding it ("Claude" in "Claude 3 Sonnet"), by a plain search."""
    out = []
    for page in concepts.values():
        titles = {s["id"]: s["title"] for s in page.get("sources", [])}
        for claim in page["claims"]:
            cited = " ".join(titles[s] for s in claim["sources"])
            text = f"{claim['statement']} {claim.get('detail', '')} {cited}".casefold()
            if entity.casefold() in text:
                out.append(claim["statement"])
    return out


@pytest.mark.parametrize("where", ["seed", "kb"])
def test_no_entity_question_has_two_right_choices(tmp_path: Path, where: str) -> None:
    root = fresh_import(tmp_path / "kb") if where == "seed" else KB
    concepts = load_concepts(root, load_config(root))
    for seed in ("1", "2", "3"):
        _, quiz, _ = quiz_json(root, "entities", seed)
        for q in quiz["questions"]:
            entity = involves(q["prompt"])
            if entity is None:
                continue
            assert q["answer"] in _naming(concepts, entity)
            assert not set(q["choices"]) - {q["answer"]} & set(_naming(concepts, entity))
            if entity == "Claude":  # "Claude 3 Sonnet" is Claude too
                assert not set(q["choices"]) - {q["answer"]} & set(
                    _naming(concepts, "Claude 3 Sonnet")
                )


def test_at_a_terminal_the_seed_alone_asks_an_entity_question(tmp_path: Path) -> None:
    root = fresh_import(tmp_path / "kb")
    code, text = at_a_terminal(root, "--kind", "entities", "--seed", "2", "--count", "1")
    assert code == 0, text
    assert "kb quiz: 1 question(s), seed 2 (Ctrl-C to stop)\n\n1/1 [entities] " in text
    assert "Which of these claims involves " in text and "Your answer (A/B/C/D): a\n" in text
    assert re.search(r"\nScore: [01]/1\n$", text)


# -- which words are names --------------------------------------------------------------


def _page(cid: str, title: str, statements: list[str], summary: str = "") -> dict[str, Any]:
    claims = [
        {"id": f"c{i}", "statement": s, "evidence": "strong", "sources": [f"s{i}"]}
        for i, s in enumerate(statements)
    ]
    sources = [{"id": f"s{i}", "title": f"Source {cid} {i}"} for i in range(len(statements))]
    summary = summary or f"{title} is a topic."
    return {"id": cid, "title": title, "summary": summary, "claims": claims,
            "sources": sources, "changelog": []}  # fmt: skip


@pytest.mark.parametrize(
    ("statement", "names"),
    [
        ("Chris Olah showed that features are universal", ["Chris Olah"]),
        ("Sparse probes beat GPT-4 on the benchmark", ["GPT-4"]),
        ("Researchers at Google DeepMind replicated it", ["Google DeepMind"]),
        (
            "Applied to Claude 3 Sonnet. Named in the MIT Technology Review",
            ["Claude 3 Sonnet", "MIT Technology Review"],
        ),
        ("The AI field and its LLM and CoT work grow", []),  # acronyms alone: topics
        ("In 2024 four labs agreed", []),
        ("Four labs agreed; Several more followed", []),
        ("Probing works on Circuit Tracing", []),  # a concept's own title
        ("OpenAI's monitor caught it", ["OpenAI"]),
        # calendar words are capitalised yet no entity; nor a sentence's opening adverb or
        # preposition, a shouted sentence, or a web address
        ("In January the labs met on Monday and in March", []),
        ("However Anthropic disagrees. Despite OpenAI it held", ["Anthropic", "OpenAI"]),
        ("RESULTS WERE STRONG at OpenAI", ["OpenAI"]),
        ("See https://Example.org/Research/Page for OpenAI", ["OpenAI"]),
    ],
)
def test_the_names_a_claim_writes(statement: str, names: list[str]) -> None:
    concepts = {
        "probing": _page("probing", "Probing", [statement]),
        "circuit-tracing": _page("circuit-tracing", "Circuit Tracing", ["tracing works"]),
    }
    found = claim_entities(concepts, ["Probing", "Circuit Tracing", "circuit-tracing"])
    assert found.get(("probing", "c0"), []) == names


def test_a_word_that_opens_sentences_is_a_name_only_if_never_written_in_lower_case() -> None:
    statements = ["Anthropic built a microscope", "Sparse features help", "Applied widely"]
    concepts = {
        "a": _page("a", "Topic A", statements, "Topic A is studied at Anthropic. It is sparse."),
        "b": _page("b", "Topic B", ["Applied again"]),
    }
    found = claim_entities(concepts, ["Topic A", "Topic B"])
    assert found == {("a", "c0"): ["Anthropic"]}  # "Applied" opens two: it reads as a verb


# -- for any KB and seed: the right claim names the entity, no wrong one does -------------

_NAMES = ["Acme", "Acme Labs", "Orion", "Vega Corp", "Zed 2"]
_lower = st.sampled_from(["red", "blue", "cat", "dog", "sun", "tree"])


@st.composite
def _claims_naming(draw: st.DrawFn) -> dict[str, Any]:
    pages = {}
    for cid in draw(st.lists(st.sampled_from(["ant", "bee", "cow"]), min_size=1, unique=True)):
        statements = []
        for _ in range(draw(st.integers(1, 4))):
            name = draw(st.one_of(st.none(), st.sampled_from(_NAMES)))
            words = draw(st.lists(_lower, min_size=2, max_size=4))
            statements.append(" ".join([words[0], *([name] if name else []), *words[1:]]))
        pages[cid] = _page(cid, cid.title(), list(dict.fromkeys(statements)))
    return pages


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kb=_claims_naming(), seed=st.integers(0, 2**32))
def test_every_entity_question_has_one_right_choice(kb: dict[str, Any], seed: int) -> None:
    try:
        quiz = make_quiz(kb, seed=seed, count=30, kinds=("entities",))
    except Refused:
        return
    assert quiz == make_quiz(kb, seed=seed, count=30, kinds=("entities",))
    for q in quiz.questions:
        entity = involves(q.prompt)
        if entity is None:
            continue
        assert entity in _NAMES and entity in q.answer
        overlapping = [n for n in _NAMES if entity in n or n in entity]
        for wrong in set(q.choices) - {q.answer}:
            assert not any(re.search(rf"\b{n}\b", wrong) for n in overlapping), (entity, wrong)


def test_a_kb_whose_named_claims_have_nothing_to_set_beside_them_is_refused(
    tmp_path: Path,
) -> None:
    # OpenAI is named, but the only other claim cites the same report: it may be about
    # OpenAI too, so there is no wrong choice to offer, and no other concept either
    root = tmp_path / "kb"
    (root / "concepts").mkdir(parents=True)
    (root / "kb.yaml").write_text("{}\n", encoding="utf-8")
    (root / "concepts/solo.yaml").write_text(
        "id: solo\ntitle: Solo\nsummary: Solo is alone.\nclaims:\n"
        "  - {id: one, statement: OpenAI caught a model cheating, evidence: strong, "
        "sources: [report]}\n"
        "  - {id: two, statement: Monitoring works, evidence: weak, sources: [report]}\n"
        "sources:\n  - {id: report, title: A report}\nchangelog: []\n",
        encoding="utf-8",
    )
    run = run_kb("quiz", "--kind", "entities", cwd=root)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "kb: no entities question: it needs a concept with claims and another concept whose "
        "claims say something different, or a claim naming an organisation, person, model or "
        "paper and another claim that does not\n"
    )
    # the other claim from another source: one question, two choices, one right
    page = root / "concepts/solo.yaml"
    text = page.read_text(encoding="utf-8")
    text = text.replace("weak, sources: [report]", "weak, sources: [other]")
    page.write_text(text.replace("changelog", "  - {id: other, title: B}\nchangelog"))
    run = run_kb("quiz", "--kind", "entities", "--seed", "1", "--format", "json", cwd=root)
    [question] = json.loads(run.out)["questions"]
    assert (run.code, question["prompt"], question["answer"]) == (
        0,
        "Which of these claims involves OpenAI?",
        "OpenAI caught a model cheating",
    )
    assert sorted(question["choices"]) == ["Monitoring works", "OpenAI caught a model cheating"]
