"""`kb quiz`: the three kinds from the KB's own content, deterministic per seed, never
ambiguous, and a clear refusal when the KB has too little to ask."""

from __future__ import annotations

import itertools
import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcli.commands.quiz import answer_key, ask_session, right_letters
from kbcli.errors import Refused
from kbcli.quiz import MASK, make_quiz
from kbcli.similarity import DEFAULT_THRESHOLD, normalise, similarity
from kbcli.when import parse_when

from helpers import REPO, make_kb, run_kb

KB = REPO / "kb"


def _claim(cid: str, statement: str, when: object = None) -> dict[str, Any]:
    claim: dict[str, Any] = {"id": cid, "statement": statement, "evidence": "strong"}
    claim["sources"] = ["s"]
    if when is not None:
        claim["when"] = when
    return claim


def _concept(
    cid: str, title: str, claims: list[dict[str, Any]], summary: str = "", **more: Any
) -> dict[str, Any]:
    summary = summary or f"{title} is a thing. More is said here."
    page = {"id": cid, "title": title, "summary": summary, "claims": claims}
    return {**page, "sources": [{"id": "s", "title": "A source"}], "changelog": [], **more}


SMALL = {
    "alpha": _concept(
        "alpha",
        "Alpha",
        [_claim("first", "Alpha comes first", 1990)],
        "Alpha is the first letter. It is written A.",
        aliases=["first letter"],
    ),
    "beta": _concept(
        "beta", "Beta", [_claim("second", "Beta follows alpha", "2001-05")], "Beta is second."
    ),
    "gamma": _concept("gamma", "Gamma", [_claim("third", "Gamma is third", "2010/2012")]),
}


def test_piped_quiz_prints_questions_then_an_answer_key() -> None:
    quiz = make_quiz(SMALL, seed=4, count=4, kinds=("timeline", "speed"))
    assert answer_key(quiz) == (
        "kb quiz: 4 question(s), seed 4\n"
        "\n"
        "1. [timeline] Put these in the order they happened, earliest first.\n"
        "   A. Gamma is third\n"
        "   B. Beta follows alpha\n"
        "   C. Alpha comes first\n"
        "\n"
        "2. [speed] Which concept is this? \u201c_____ is a thing.\u201d\n"
        "   A. Alpha\n"
        "   B. Beta\n"
        "   C. Gamma\n"
        "\n"
        "3. [speed] Which concept is this? \u201c_____ is second.\u201d\n"
        "   A. Beta\n"
        "   B. Gamma\n"
        "   C. Alpha\n"
        "\n"
        "4. [speed] Which concept is also known as \u201cfirst letter\u201d?\n"
        "   A. Gamma\n"
        "   B. Beta\n"
        "   C. Alpha\n"
        "\n"
        "Answer key\n"
        "\n"
        "1. C, B, A\n"
        "   1. 1990: Alpha comes first (evidence: strong; source: A source; alpha#first)\n"
        "   2. 2001-05: Beta follows alpha (evidence: strong; source: A source; beta#second)\n"
        "   3. 2010/2012: Gamma is third (evidence: strong; source: A source; gamma#third)\n"
        "2. C\n"
        "   Gamma (gamma), from its summary: Gamma is a thing.\n"
        "3. A\n"
        "   Beta (beta), from its summary: Beta is second.\n"
        "4. C\n"
        "   Alpha (alpha), from its alias \u201cfirst letter\u201d: Alpha is the first letter.\n"
    )


def test_an_alias_masked_out_of_the_definition_leaves_no_question() -> None:
    # Alpha's summary, masked, reads "_____ is the _____." (its alias is "first letter")
    prompts = [q.prompt for q in make_quiz(SMALL, seed=1, count=20, kinds=("speed",)).questions]
    assert "Which concept is this? \u201c_____ is the _____.\u201d" not in prompts
    assert len(prompts) == 3


def test_two_concepts_defined_alike_are_not_asked() -> None:
    concepts = {
        "a": _concept("a", "A one", [], "A one is a letter."),
        "b": _concept("b", "B two", [], "B two is a letter."),
        "c": _concept("c", "C three", [], "C three is a number."),
    }
    quiz = make_quiz(concepts, seed=3, count=9, kinds=("speed",))
    assert [q.answer for q in quiz.questions] == ["C three"]


def test_json_is_the_documented_shape_and_the_same_seed_gives_the_same_bytes(
    tmp_path: Path,
) -> None:
    first = run_kb("quiz", "--seed", "7", "--count", "9", "--format", "json", cwd=KB)
    again = run_kb("quiz", "--seed", "7", "--count", "9", "--format", "json", cwd=KB)
    other = run_kb("quiz", "--seed", "8", "--count", "9", "--format", "json", cwd=KB)
    assert (first.code, first.err) == (0, "")
    assert first.out == again.out != other.out
    data = json.loads(first.out)
    assert list(data) == ["version", "seed", "questions"]
    assert (data["version"], data["seed"], len(data["questions"])) == (1, 7, 9)
    keys = {"kind", "prompt", "choices", "answer", "explanation", "source"}
    assert all(set(q) == keys for q in data["questions"])
    assert {q["kind"] for q in data["questions"]} == {"entities", "timeline", "speed"}
    for q in data["questions"]:
        if q["kind"] == "timeline":
            assert sorted(q["answer"]) == sorted(q["choices"])
        else:
            assert q["answer"] in q["choices"]
        assert (KB / "concepts" / f"{q['source']['page']}.yaml").is_file()


def test_a_fresh_process_gives_the_same_quiz() -> None:
    # hash randomisation differs between processes: nothing may depend on it
    args = [sys.executable, "-m", "kbcli", "quiz", "--seed", "11", "--format", "json"]
    outs = {
        subprocess.run(
            args, cwd=KB, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(outs) == 1


def test_without_a_seed_the_one_chosen_is_printed_and_replays() -> None:
    run = run_kb("quiz", "--format", "json", cwd=KB)
    seed = json.loads(run.out)["seed"]
    replay = run_kb("quiz", "--seed", str(seed), "--format", "json", cwd=KB)
    assert replay.out == run.out


def test_too_small_a_kb_is_refused_with_what_is_missing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")  # alpha (two undated claims) and beta (none)
    run = run_kb("quiz", "--kind", "timeline", cwd=root)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "kb: no timeline question: it needs 3 claims with a `when` that do not overlap in "
        "time, and this KB has 0 dated claim(s) (add dates with kb add-claim --when)\n"
    )
    run = run_kb("quiz", "--kind", "entities", cwd=root)
    assert (run.code, run.err) == (
        1,
        "kb: no entities question: it needs a concept with claims and another concept whose "
        "claims say something different, or a claim naming an organisation, person, model or "
        "paper and another claim that does not\n",
    )


def test_a_mixed_quiz_says_which_kinds_had_nothing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    run = run_kb("quiz", "--seed", "1", "--count", "2", cwd=root)
    assert run.code == 0
    assert run.err.splitlines() == [
        "note: only 1 question(s) to ask",  # "The first concept." never names Alpha
        "note: no entities question: it needs a concept with claims and another concept "
        "whose claims say something different, or a claim naming an organisation, person, "
        "model or paper and another claim that does not",
        "note: no timeline question: it needs 3 claims with a `when` that do not overlap in "
        "time, and this KB has 0 dated claim(s) (add dates with kb add-claim --when)",
    ]
    assert "[speed] Which concept is also known as \u201cfirst letter\u201d?" in run.out


def test_concept_limits_the_questions_and_an_unknown_one_is_an_error() -> None:
    run = run_kb("quiz", "--concept", "circuit-tracing", "--count", "20", "--format", "json",
                 "--seed", "2", cwd=KB)  # fmt: skip
    pages = {q["source"]["page"] for q in json.loads(run.out)["questions"]}
    assert (run.code, pages) == (0, {"circuit-tracing"})
    run = run_kb("quiz", "--concept", "nope", cwd=KB)
    assert (run.code, run.err) == (2, "kb: no concept 'nope' to quiz on (or it is a redirect)\n")


def test_a_fresh_import_of_the_seed_gives_the_three_kinds(tmp_path: Path) -> None:
    import shutil

    seed = REPO / "tests/cases/import/mechanistic-interpretability.txt"
    from test_render import seed_kb

    alone = seed_kb(tmp_path / "alone")  # the seed imported beside the pages it relates to
    run = run_kb("quiz", "--seed", "5", "--count", "40", cwd=alone)
    assert run.code == 0
    assert {"[entities]", "[speed]"} == {w for w in run.out.split() if w.startswith("[")}
    # the seed dates two claims, 2026 and 2021/2026: too few for a timeline, and it says so
    assert run.err == (
        "note: only 13 question(s) to ask\n"
        "note: no timeline question: it needs 3 claims with a `when` that do not overlap in "
        "time, and this KB has 2 dated claim(s), which all overlap (add dates with kb "
        "add-claim --when)\n"
    )
    # imported beside this repository's KB (which dates more claims): all three kinds
    beside = Path(shutil.copytree(KB, tmp_path / "kb"))
    assert run_kb("import", str(seed), "--id", "seed", "--date", "2026-04-21", cwd=beside).code == 0
    run = run_kb("quiz", "--seed", "5", "--count", "60", "--format", "json", cwd=beside)
    kinds = [q["kind"] for q in json.loads(run.out)["questions"]]
    assert set(kinds) == {"entities", "timeline", "speed"}
    assert "seed" in {q["source"]["page"] for q in json.loads(run.out)["questions"]}


def test_a_session_asks_scores_and_explains() -> None:
    quiz = make_quiz(SMALL, seed=4, count=2, kinds=("timeline", "speed"))
    answers = iter(["x", "CBA", "2", "a"])  # nonsense is asked again
    asked: list[str] = []
    said: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    assert ask_session(quiz, ask, said.append) == 1
    assert asked == [
        "Your answer (letters in order, e.g. CBA)",
        "Your answer (letters in order, e.g. CBA)",
        "Your answer (A/B/C)",
        "Your answer (A/B/C)",
    ]
    assert said[0] == "kb quiz: 2 question(s), seed 4 (Ctrl-C to stop)"
    assert "Right." in said
    assert "Not quite: the answer is C." in said
    assert said[-1] == "Score: 1/2"


def at_a_terminal(root: Path, *args: str) -> tuple[int, str]:
    """`kb quiz ARGS` run in a pseudo-terminal, answering "a" to every question: its exit
    code and what the terminal showed."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: kb at a terminal
        os.chdir(root)
        os.environ.update({"NO_COLOR": "1", "COLUMNS": "100", "KB_ROOT": str(root)})
        os.execv(sys.executable, [sys.executable, "-m", "kbcli", "quiz", *args])
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child is gone
            break
        if not chunk:
            break
        out += chunk
        if out.rstrip().endswith(b":") and b"Your answer" in out.splitlines()[-1]:
            os.write(fd, b"a\n")
    else:  # the deadline passed: do not leave the child waiting for an answer
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode().replace("\r\n", "\n")


def test_at_a_terminal_kb_asks(tmp_path: Path) -> None:
    """The real command in a pseudo-terminal: rich prompts, a score, exit 0."""
    root = make_kb(tmp_path / "kb")
    code, text = at_a_terminal(root, "--seed", "2", "--count", "1")
    assert code == 0, text
    assert text.endswith(
        "kb quiz: 1 question(s), seed 2 (Ctrl-C to stop)\n"
        "\n"
        "1/1 [speed] Which concept is also known as \u201cfirst letter\u201d?\n"
        "   A. Beta\n"
        "   B. Alpha\n"
        "Your answer (A/B): a\n"
        "Not quite: the answer is B.\n"
        "   Alpha (alpha), from its alias \u201cfirst letter\u201d: The first concept.\n"
        "\n"
        "Score: 0/1\n"
    )


# -- properties: for any KB and seed, one right answer -----------------------------------

_word = st.sampled_from(["red", "blue", "cat", "dog", "sun", "moon", "tree", "rock", "ant", "bee"])
_statement = st.lists(_word, min_size=2, max_size=5).map(" ".join)
_when = st.one_of(st.none(), st.integers(2000, 2010), st.sampled_from(["2003-04", "2001/2004"]))


@st.composite
def _kbs(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    names = draw(st.lists(st.sampled_from(["ant", "bee", "cow", "doe", "elk"]), min_size=1,
                          max_size=5, unique=True))  # fmt: skip
    kb = {}
    for name in names:
        claims = [
            _claim(f"c{i}", statement, when)
            for i, (statement, when) in enumerate(
                draw(st.lists(st.tuples(_statement, _when), max_size=4))
            )
        ]
        aliases = draw(st.lists(_word, max_size=2, unique=True))
        summary = draw(st.sampled_from(["", f"{name.title()} "])) + draw(_statement) + "."
        kb[name] = _concept(name, name.title(), claims, summary, aliases=aliases)
    return kb


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kb=_kbs(), seed=st.integers(0, 2**32))
def test_every_question_has_exactly_one_right_answer(kb: dict[str, Any], seed: int) -> None:
    try:
        quiz = make_quiz(kb, seed=seed, count=12)
    except Refused:
        return
    assert quiz == make_quiz(kb, seed=seed, count=12)  # deterministic
    for q in quiz.questions:
        assert len({normalise(c) for c in q.choices}) == len(q.choices) >= 2
        right_letters(q)  # the answer is among the choices
        page = kb[q.page]
        if q.kind == "entities":
            own = [c["statement"] for c in page["claims"]]
            assert q.answer in own
            for wrong in set(q.choices) - {q.answer}:
                # never from the same concept, nor reading like one of its claims
                assert all(similarity(wrong, mine) < DEFAULT_THRESHOLD for mine in own)
                assert normalise(wrong) not in {normalise(m) for m in own}
                assert page["title"].lower() not in wrong.lower().split()  # names it
        elif q.kind == "timeline":
            dated: dict[str, set[Any]] = {}
            for p in kb.values():
                for c in p["claims"]:
                    if "when" in c:
                        dated.setdefault(normalise(c["statement"]), set()).add(
                            parse_when(c["when"])
                        )
            # each choice has one date, and the answer's dates follow each other
            assert all(len(dated[normalise(s)]) == 1 for s in q.answer)
            spans = [next(iter(dated[normalise(s)])) for s in q.answer]
            assert all(a.end < b.start for a, b in itertools.pairwise(spans))
        else:
            assert q.answer == page["title"]
            if q.prompt.startswith("Which concept is also known as"):
                alias = q.prompt.split("\u201c")[1].split("\u201d")[0]
                owners = [p for p in kb.values() if alias in p.get("aliases", [])]
                assert owners == [page]
            else:
                masked = q.prompt.split("\u201c")[1].rstrip("\u201d")
                assert MASK in masked  # it named the concept, so it fits no other
                assert page["title"].lower() not in masked.lower()


# -- found in review: questions a reader could answer two ways, or cannot miss ----------


def test_a_first_sentence_that_never_names_the_concept_is_not_asked() -> None:
    # The repository's Agent Safety & Alignment summary begins "Interpretability is a
    # prerequisite for verifying alignment.": offered beside Mechanistic Interpretability,
    # both fit. A definition is asked only when it names the concept (masked); and one
    # that still spells out part of the concept's own title ("_____, or chain-of-thought
    # prompting, ...") gives the answer away.
    concepts = {
        "safety": _concept("safety", "Agent Safety", [], "Interpretability is a prerequisite."),
        "interp": _concept("interp", "Interpretability Work", [], "It reads model internals."),
        "cot": _concept(
            "cot",
            "Chain-of-Thought Reasoning",
            [],
            "CoT, or chain-of-thought prompting, is a tool. More.",
            aliases=["CoT"],
        ),
        "other": _concept("other", "Other Thing", [], "Other Thing is unrelated to models."),
    }
    quiz = make_quiz(concepts, seed=5, count=20, kinds=("speed",))
    assert sorted(q.prompt for q in quiz.questions) == [
        "Which concept is also known as \u201cCoT\u201d?",
        "Which concept is this? \u201c_____ is unrelated to models.\u201d",
    ]
    with pytest.raises(Refused) as refused:
        make_quiz(concepts, seed=5, count=1, kinds=("speed",), concept="safety")
    assert str(refused.value) == (
        "no speed question: it needs concept 'safety' with an alias only it answers to, or a "
        "summary whose first sentence names it, and another concept to choose from"
    )


def test_a_distractor_that_names_the_concept_is_never_offered() -> None:
    # "Alpha is older than beta" (a claim of Beta's) is true of Alpha too: offered in
    # "Which of these is a key claim of Alpha?" it would be a second right answer.
    concepts = {
        "alpha": _concept("alpha", "Alpha", [_claim("a", "The first letter of the alphabet")]),
        "beta": _concept("beta", "Beta", [_claim("b", "Alpha is older than beta")]),
        "gamma": _concept("gamma", "Gamma", [_claim("c", "Used for radiation names")]),
    }
    quiz = make_quiz(concepts, seed=2, count=20, kinds=("entities",), concept="alpha")
    assert [sorted(q.choices) for q in quiz.questions] == [
        ["The first letter of the alphabet", "Used for radiation names"]
    ]


def test_masking_does_not_depend_on_hash_order() -> None:
    # Two names of one length that overlap ("Deep Net" / "Net Work" in "Deep Net Work")
    # are masked in one fixed order, whatever PYTHONHASHSEED a process runs with.
    code = (
        "from kbcli.quiz import _definition\n"
        "page = {'title': 'Deep Net', 'aliases': ['Net Work'], "
        "'summary': 'Deep Net Work is a model of brains.'}\n"
        "print(_definition('x', page))\n"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(8)
    }  # fmt: skip
    assert len(outs) == 1


def test_cjk_and_cyrillic_definitions_are_masked_and_cut_at_their_first_sentence() -> None:
    # A CJK name runs into the next word with no space ("自然语言处理研究..."): a `\w`
    # boundary never matched, so the name was left in plain sight (or, since a definition
    # must name its concept, never asked). A Cyrillic capital ("Второе") begins a sentence.
    concepts = {
        "nlp": _concept(
            "nlp", "自然语言处理", [], "自然语言处理研究计算机如何理解人类语言。第二句。"
        ),
        "cv": _concept(
            "cv", "Компьютерное зрение", [], "Компьютерное зрение изучает изображения. Второе."
        ),
        "ml": _concept("ml", "机器学习", [_claim("c", "机器学习改变了自然语言处理")], "机器学习。"),
    }
    quiz = make_quiz(concepts, seed=1, count=20, kinds=("speed",))
    assert sorted(q.prompt for q in quiz.questions) == [
        "Which concept is this? \u201c_____ изучает изображения.\u201d",
        "Which concept is this? \u201c_____研究计算机如何理解人类语言。\u201d",
    ]
    # and a claim that names 自然语言处理 is no distractor in a question about it
    nlp = {**concepts["nlp"], "claims": [_claim("n", "它很有用")]}
    other = _concept("x", "其他", [_claim("o", "完全无关的陈述")])
    quiz = make_quiz({**concepts, "nlp": nlp, "x": other}, seed=1, count=9,
                     kinds=("entities",), concept="nlp")  # fmt: skip
    assert [sorted(q.choices) for q in quiz.questions] == [sorted(["完全无关的陈述", "它很有用"])]


def test_one_claim_written_three_ways_is_one_distractor() -> None:
    # The same words in other cases and punctuation (kb lint's C001 says to merge them)
    # were offered as three choices of one question.
    beta = [_claim(f"c{i}", s) for i, s in enumerate(["Rays kill.", "rays kill", "RAYS KILL!"])]
    concepts = {
        "alpha": _concept("alpha", "Alpha", [_claim("a", "Comes first")]),
        "beta": _concept("beta", "Beta", beta),
    }
    quiz = make_quiz(concepts, seed=1, count=9, kinds=("entities",), concept="alpha")
    [question] = quiz.questions
    [wrong] = [c for c in question.choices if c != "Comes first"]
    assert wrong in {"Rays kill.", "rays kill", "RAYS KILL!"}


def test_a_short_quiz_of_a_large_kb_takes_a_few_questions_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every claim's distractors were found among every other claim before five were
    # picked: a 2,000-page KB (30,000 claims) took over ten minutes; a 400-page one, many.
    words = ["ka", "lo", "mi", "nu", "pe", "ri", "so", "tu", "va", "ze"]
    concepts = {
        f"c{i}": _concept(
            f"c{i}",
            f"Topic {i}",
            [
                _claim(f"k{j}", f"Mo{words[i % 10]} {words[j]} lu {words[(i * j) % 10]} {i}.")
                for j in range(10)
            ],
        )
        for i in range(400)
    }
    import kbcli.similarity

    compared = []  # work, not time: a timed test flakes on a busy machine
    real = kbcli.similarity.similarity

    def counted(*args: object, **kwargs: object) -> float:
        compared.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kbcli.similarity, "similarity", counted)
    quiz = make_quiz(concepts, seed=1, count=5, kinds=("entities",))
    assert len(quiz.questions) == 5
    assert len(compared) < 2_000, len(compared)  # 366; every pair would be 16 million


def test_too_little_to_ask_reads_well_for_the_whole_kb(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    (root / "kb.yaml").write_text("{}\n", encoding="utf-8")
    run = run_kb("quiz", cwd=root)
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        "kb: no entities question: it needs a concept with claims and another concept whose "
        "claims say something different, or a claim naming an organisation, person, model or "
        "paper and another claim that does not; no timeline question: it needs 3 claims with a "
        "`when` that do not overlap in time, and this KB has 0 dated claim(s) (add dates with "
        "kb add-claim --when); no speed question: it needs a concept with an alias only it "
        "answers to, or a summary whose first sentence names it, and another concept to "
        "choose from\n"
    )


def test_a_timeline_never_asks_to_order_two_wordings_of_one_claim() -> None:
    # Two pages date a near-identical claim differently: in one question, the reader is
    # asked which of two copies of one event came first.
    concepts = {
        "a": _concept("a", "Alpha", [
            _claim("x", "OpenAI used CoT monitoring to catch model cheating", 2025),
            _claim("y", "Sparse autoencoders scale", 2010),
        ]),
        "b": _concept("b", "Beta", [
            _claim("x", "OpenAI used CoT monitoring to catch a model cheating", 2026),
            _claim("z", "Transformers were introduced", 2017),
        ]),
    }  # fmt: skip
    for seed in range(12):
        try:
            quiz = make_quiz(concepts, seed=seed, count=9, kinds=("timeline",))
        except Refused:
            continue
        for q in quiz.questions:
            cot = [c for c in q.choices if "CoT monitoring" in c]
            assert len(cot) <= 1, q.choices


def test_a_short_id_does_not_keep_every_sentence_with_that_word_out() -> None:
    # Concept 'a' (titled "Letter A"): a distractor that merely contains the word "a" does
    # not name it, as a short id is not masked out of a definition either.
    concepts = {
        "a": _concept("a", "Letter A", [_claim("x", "Comes first in the alphabet")]),
        "b": _concept("b", "Letter B", [_claim("y", "Follows a vowel")]),
    }
    quiz = make_quiz(concepts, seed=1, count=9, kinds=("entities",), concept="a")
    assert [sorted(q.choices) for q in quiz.questions] == [
        ["Comes first in the alphabet", "Follows a vowel"]
    ]


def test_a_stray_entry_is_a_finding_exit_1_and_an_invalid_page_an_input_error(
    tmp_path: Path,
) -> None:
    root = make_kb(tmp_path / "kb")
    (root / "concepts" / "x.yaml").mkdir()
    result = run_kb("quiz", "--seed", "1", cwd=root)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "kb: concepts/x.yaml:1:1: Y008 not a page: a folder, named like a page; rename it or "
        "move it out of the KB\n"
    )
    (root / "concepts" / "x.yaml").rmdir()
    (root / "concepts" / "bad.yaml").write_text("id: bad\n")
    assert run_kb("quiz", "--seed", "1", cwd=root).code == 2
