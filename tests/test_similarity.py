"""Duplicate detection: normalisation, the score, the default threshold, and grouping."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbcli import similarity as sim
from kbcli.similarity import (
    DEFAULT_THRESHOLD,
    Relation,
    compare,
    group_duplicates,
    normalise,
    relate,
    similarity,
)

SEED_DISTINCT = [
    "Mechanistic interpretability is a 2026 breakthrough technology",
    'Anthropic built a "microscope" for feature-level model inspection',
    "OpenAI used CoT monitoring to catch model cheating",
    "40 researchers from major labs warn about losing ability to understand advanced models",
    "Circuit tracing reveals end-to-end computational paths via attribution graphs",
    "Sparse autoencoders extract millions of monosemantic features at scale",
    "Circuit tracing tools are open-sourced for the research community",
    "Four interpretability technique categories map to distinct alignment objectives",
    "Interpretability-first architectures are an emerging design direction",
    "Dual-use risk is documented",
]
# The seed page's list as it appears: the first seven, then all ten.
SEED_DOUBLED = SEED_DISTINCT[:7] + SEED_DISTINCT

NEAR_DUPLICATES = [
    (SEED_DISTINCT[0], "Mechanistic interpretability was named a breakthrough technology for 2026"),
    (SEED_DISTINCT[1], "Anthropic built a 'microscope' for inspecting model features"),
    (SEED_DISTINCT[2], "OpenAI used chain-of-thought monitoring to catch a model cheating"),
    (
        SEED_DISTINCT[4],
        "Circuit tracing reveals end-to-end computation paths through attribution graphs",
    ),
    (SEED_DISTINCT[6], "Circuit-tracing tools have been open-sourced for the research community"),
    (
        SEED_DISTINCT[8],
        "Interpretability-first architecture is an emerging direction in model design",
    ),
    (SEED_DISTINCT[9], "The dual-use risk is well documented"),
]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dual-use risk is documented", "  dual-use   RISK is documented.  "),
        ('Anthropic built a "microscope"', "Anthropic built a \u201cmicroscope\u201d"),
        ("Review's list", "Review\u2019s list"),
        ("end-to-end paths", "end\u2013to\u2014end paths"),
        ("Is it documented?", "is it documented"),
        ("Risk is documented", "Risk is documented...;"),
    ],
)
def test_normalise_makes_exact_duplicates_equal(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)
    assert similarity(a, b) == 1.0


def test_normalise_keeps_inner_punctuation_and_words() -> None:
    assert normalise("Claude 3.5, not 3") == "claude 3.5, not 3"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("model inspection", "inspecting models"),
        ("feature", "features"),
        ("processes", "process"),
        ("categories", "category"),
        ("architecture", "architectures"),
    ],
)
def test_word_forms_meet(a: str, b: str) -> None:
    assert similarity(a, b) == 1.0


def test_every_pair_of_the_seed_claims_scores_well_below_the_threshold() -> None:
    scores = [similarity(a, b) for a, b in itertools.combinations(SEED_DISTINCT, 2)]
    assert max(scores) < DEFAULT_THRESHOLD / 2


@pytest.mark.parametrize(("a", "b"), NEAR_DUPLICATES)
def test_reworded_claims_reach_the_threshold(a: str, b: str) -> None:
    assert similarity(a, b) >= DEFAULT_THRESHOLD
    assert group_duplicates([a, b], DEFAULT_THRESHOLD) == [[0, 1]]


def test_circuit_tracing_claims_that_differ_are_not_grouped() -> None:
    a = "Circuit tracing reveals end-to-end computational paths via attribution graphs"
    b = "Circuit tracing tools are open-sourced for the research community"
    assert similarity(a, b) < DEFAULT_THRESHOLD
    assert group_duplicates([a, b]) == []


def test_different_numbers_are_possible_contradictions() -> None:
    a = "Mechanistic interpretability is a 2026 breakthrough technology"
    assert relate(a, a.replace("2026", "2025")) == Relation(
        "opposite", 1.0, "the numbers differ (2026 vs 2025)"
    )
    assert group_duplicates([a, a.replace("2026", "2025")], 0.01) == []
    # A number on one side only is an added detail, not a contradiction.
    assert relate(a, a.replace("a 2026", "a")).kind == "same"


def test_one_number_written_two_ways_is_the_same_number() -> None:
    # 3 and 3.0 (or 1,000 and 1000) are one value: no contradiction, the same claim.
    a = "Attribution graphs cover 3 percent of paths"
    assert relate(a, a.replace("3", "3.0")) == Relation("same", 1.0, "")
    b = "SAEs extract 1000 features per layer"
    assert relate(b, b.replace("1000", "1,000")).kind == "same"
    assert relate(a, a.replace("3", "3.5")).kind == "opposite"


@pytest.mark.parametrize(
    ("a", "b", "negator"),
    [
        ("回路追跡ツールは公開されている", "回路追跡ツールは公開されていない", "ない"),
        ("回路追跡ツールは公開されています", "回路追跡ツールは公開されていません", "ません"),
        ("回路追跡ツールは公開されていた", "回路追跡ツールは公開されていなかった", "なかっ"),
        ("電路追蹤工具已經開源", "電路追蹤工具沒有開源", "沒"),
        ("電路追蹤工具有開源授權", "電路追蹤工具無開源授權", "無"),
    ],
)
def test_japanese_and_traditional_chinese_negation_is_an_opposite(
    a: str, b: str, negator: str
) -> None:
    assert relate(a, b, 0.01) == Relation(
        "opposite", relate(a, b, 0.01).score, f"{negator!r} on one side only"
    )
    assert group_duplicates([a, b], 0.01) == []


@pytest.mark.parametrize(
    ("a", "b", "negator"),
    [
        ("Инструменты открыты для сообщества", "Инструменты не открыты для сообщества", "не"),
        ("Die Werkzeuge sind für die Forschung offen", "Die Werkzeuge sind nicht offen", "nicht"),
        ("Es gibt ein offenes Werkzeug", "Es gibt kein offenes Werkzeug", "kein"),
        ("Les outils sont ouverts à la communauté", "Les outils ne sont pas ouverts", "ne"),
        ("회로 추적 도구는 공개된다", "회로 추적 도구는 안 공개된다", "안"),
    ],
)
def test_common_negators_of_other_languages_are_opposites(a: str, b: str, negator: str) -> None:
    assert relate(a, b, 0.01).reason == f"{negator!r} on one side only"
    assert group_duplicates([a, b], 0.01) == []


def test_similarity_is_symmetric_and_bounded() -> None:
    for a, b in itertools.product(SEED_DISTINCT[:5], [x for _, x in NEAR_DUPLICATES]):
        assert 0.0 <= similarity(a, b) == similarity(b, a) <= 1.0


def test_statements_without_words_compare_as_written() -> None:
    assert similarity("", "") == 1.0
    assert similarity("?!", "") == 1.0  # both normalise to nothing
    assert similarity("--", "Risk") == 0.0


def test_seed_doubled_list_groups_each_repeat_with_its_first_copy() -> None:
    assert group_duplicates(SEED_DOUBLED) == [[i, i + 7] for i in range(7)]


def test_groups_are_transitive_sorted_and_ordered_by_first_index() -> None:
    statements = [
        "unrelated claim about polysemantic neurons",  # 0
        "alpha beta gamma",  # 1: 3 of 4 words of 2
        "alpha beta gamma delta",  # 2: 4 of 5 words of 3
        "alpha beta gamma delta epsilon",  # 3: only 3 of 5 words of 1
        "Unrelated claim about polysemantic neurons.",  # 4: exact duplicate of 0
    ]
    assert similarity(statements[1], statements[3]) < 0.7
    assert group_duplicates(statements, 0.7) == [[0, 4], [1, 2, 3]]


@pytest.mark.parametrize("threshold", [0.0, -0.1, 1.01, float("nan")])
def test_threshold_out_of_range_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        group_duplicates(["a", "b"], threshold)


def _every_pair(profiles: object, threshold: float) -> set[tuple[int, int]]:
    return set(itertools.combinations(range(len(profiles)), 2))  # type: ignore[arg-type]


_WORDS = [
    "risk", "Risks", "model", "models", "the", "a", "2026", "2025", "trace", "tracing", "not",
    "increases", "reduces", "reliable", "unreliable", "SAE", "sparse", "autoencoder",
]  # fmt: skip
_statements = st.lists(st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join), max_size=12)


@given(_statements, st.floats(min_value=0.01, max_value=1.0))
def test_blocking_finds_exactly_what_comparing_every_pair_finds(
    statements: list[str], threshold: float
) -> None:
    found = compare(statements, threshold)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sim, "_candidate_pairs", _every_pair)
        every = compare(statements, threshold)
    assert found == every


@given(_statements, st.floats(min_value=0.01, max_value=1.0))
def test_no_group_ever_holds_two_claims_kept_apart(statements: list[str], threshold: float) -> None:
    for group in group_duplicates(statements, threshold):
        for i, j in itertools.combinations(group, 2):
            assert relate(statements[i], statements[j], 1e-9).kind not in ("opposite", "distinct")


def _synthetic(n: int, near: int) -> list[str]:
    """Claim-like statements over a Zipf-distributed vocabulary; `near` are others with
    one word dropped."""
    rng = random.Random(4)
    vocabulary = [
        "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(3000)
    ]
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
    base = [rng.choices(vocabulary, weights, k=rng.randint(6, 12)) for _ in range(n - near)]
    variants = []
    for words in rng.sample(base, near):
        # A dropped word: a word swapped for another is another claim (see `relate`).
        edited = list(words)
        del edited[rng.randrange(len(edited))]
        variants.append(edited)
    return [" ".join(words) for words in base + variants]


def test_500_claims_group_fast_without_scoring_every_pair(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fast by construction, not by the clock (a wall-clock bound flakes on a busy CI
    machine): fewer than a tenth of the pairs are ever scored."""
    statements = _synthetic(500, 50)
    groups = group_duplicates(statements)
    assert len(groups) >= 45  # a dropped word can be one a short claim cannot lose

    scored = 0
    real_relate = sim._relate

    def counting(a: sim.Profile, b: sim.Profile, threshold: float) -> Relation:
        nonlocal scored
        scored += 1
        return real_relate(a, b, threshold)

    monkeypatch.setattr(sim, "_relate", counting)
    group_duplicates(statements)
    assert scored < 500 * 499 // 2 // 10
