"""The one notion of "the same claim": normalisation, scripts without spaces, opposites
(negators, antonyms, numbers), distinct claims, and the labelled set's targets."""

from __future__ import annotations

import sys

import pytest

from kbcli import lexicon
from kbcli.similarity import Held, Relation, compare, group_duplicates, normalise, relate, stem

from helpers import REPO

sys.path.insert(0, str(REPO / "benchmarks"))
from threshold import confusion, labelled_pairs


def test_labelled_set_meets_the_targets() -> None:
    table = confusion(labelled_pairs())
    counts = {label: sum(row.values()) for label, row in table.items()}
    assert min(counts.values()) >= 25
    assert table["opposite"]["merged"] == 0
    assert table["distinct"]["merged"] == 0
    assert table["same"]["merged"] >= 0.9 * counts["same"]
    # Every opposite pair written before the rules is reported, not just kept apart.
    written_first = confusion(labelled_pairs("dev") + labelled_pairs("holdout"))
    assert written_first["opposite"]["contradiction"] == sum(written_first["opposite"].values())


def test_held_out_pairs_meet_the_targets_too() -> None:
    table = confusion(labelled_pairs("holdout"))
    assert table["opposite"]["merged"] == table["distinct"]["merged"] == 0
    assert table["same"]["merged"] >= 0.9 * sum(table["same"].values())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("电路追踪工具已向研究社区开源。", "电路追踪工具已向研究社区开源"),
        (
            "\uff33\uff21\uff25\uff53 \uff45\uff58\uff54\uff52\uff41\uff43\uff54\uff01",
            "SAEs extract",
        ),
        ("Risk\u3000is documented", "risk is documented"),
        ("「Microscope」 built", '"microscope" built'),
    ],
)
def test_nfkc_full_width_forms_and_quotes_are_the_same_text(a: str, b: str) -> None:
    assert normalise(a) == normalise(b)
    assert relate(a, b) == Relation("same", 1.0)


def test_statements_without_spaces_compare_by_character_pairs() -> None:
    a = "稀疏自编码器可以大规模提取单义特征"
    assert relate(a, "稀疏自编码器可以大规模地提取单义特征").kind == "same"
    assert relate(a, "注意力头实现上下文复制").kind == "different"
    assert relate("电路追踪工具已向研究社区开源", "电路追踪工具未向研究社区开源") == Relation(
        "opposite", 0.733333, "'未' on one side only"
    )


@pytest.mark.parametrize(
    ("b", "reason"),
    [
        ("Circuit tracing tools are not open-sourced", "'not' on one side only"),
        ("Circuit tracing tools aren't open-sourced", "'not' on one side only"),
        ("Circuit tracing tools were never open-sourced", "'never' on one side only"),
        ("Circuit tracing tools failed to be open-sourced", "'failed' on one side only"),
        ("No circuit tracing tools are open-sourced", "'no' on one side only"),
        ("None of the circuit tracing tools are open-sourced", "'none' on one side only"),
        ("Circuit tracing tools lack an open-sourced release", "'lack' on one side only"),
    ],
)
def test_a_negator_on_one_side_only_is_an_opposite(b: str, reason: str) -> None:
    a = "Circuit tracing tools are open-sourced"
    assert relate(a, b).kind == "opposite"
    assert relate(a, b).reason == reason
    assert group_duplicates([a, b], 0.01) == []


def test_double_negation_and_not_only_do_not_reverse() -> None:
    assert relate("Probes never fail to detect deception", "Probes detect deception").kind == "same"
    a, b = "Probes detect deception", "Probes not only detect deception"
    assert relate(a, b).kind != "opposite"


@pytest.mark.parametrize(
    ("x", "y"),
    [
        ("increases", "decreases"),
        ("more", "less"),
        ("higher", "lower"),
        ("well", "poorly"),
        ("improves", "worsens"),
        ("effective", "ineffective"),
        ("reliable", "unreliable"),
        ("reliably", "unreliably"),
        ("strong", "weak"),
        ("aligned", "misaligned"),
        ("honest", "dishonest"),
        ("outperform", "underperform"),
        ("robust", "fragile"),
        ("accelerates", "slows"),
        ("rises", "falls"),
        ("safe", "unsafe"),
        ("consistent", "inconsistent"),
    ],
)
def test_antonyms_are_opposites_both_ways(x: str, y: str) -> None:
    a, b = (
        f"Steering vectors are {x} on frontier models",
        f"Steering vectors are {y} on frontier models",
    )
    assert relate(a, b).kind == relate(b, a).kind == "opposite"
    assert compare([a, b]).contradictions[0].reason == f"{x!r} vs {y!r}"


def test_every_antonym_pair_of_the_lexicon_is_an_opposite() -> None:
    for ups, downs in lexicon.ANTONYMS:
        for up in ups:
            for down in downs:
                if stem(up) == stem(down):
                    continue
                a, b = (
                    f"Probing {up} recall in deep layers",
                    f"Probing {down} recall in deep layers",
                )
                assert relate(a, b).kind == "opposite", (up, down)


def test_short_words_with_a_negating_prefix_are_not_antonyms() -> None:
    # "put" / "input": a prefix on a short word is no negation.
    assert relate("Models put features first", "Models input features first").kind != "opposite"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "OpenAI used chain-of-thought monitoring to catch model cheating on coding tests",
            "OpenAI used chain-of-thought monitoring to study model honesty on coding tests",
        ),
        (
            "Steering vectors reduce toxicity in outputs",
            "Steering vectors reduce sycophancy in outputs",
        ),
        (
            "CoT monitoring catches reward hacking",
            "CoT monitoring catches reward hacking only in small models",
        ),
    ],
)
def test_related_but_distinct_claims_are_kept_apart_at_any_threshold(a: str, b: str) -> None:
    assert relate(a, b).kind == "distinct"
    assert group_duplicates([a, b], 0.01) == []
    assert compare([a, b]).contradictions == []  # distinct is not a contradiction


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SAEs extract features at scale", "Sparse autoencoders extract features at scale"),
        ("CoT monitoring catches cheating", "Chain-of-thought monitoring catches cheating"),
        (
            "RLHF makes models sycophantic",
            "Reinforcement learning from human feedback makes models sycophantic",
        ),
        ("Anthropic built a microscope", "Anthropic developed a microscope"),
        ("MLP layers localise facts", "MLP layers localize facts"),
        ("Feature steering changes behaviour", "Feature steering changes behavior"),
        ("Dual-use risk is documented", "The dual-use risk is well documented"),
    ],
)
def test_rewordings_are_the_same_claim(a: str, b: str) -> None:
    assert relate(a, b).kind == "same"


def test_a_chain_of_rewordings_never_joins_opposites() -> None:
    statements = [
        "Circuit tracing tools are open-sourced",
        "Circuit tracing tools are open-sourced for researchers",
        "Circuit tracing tools are not open-sourced for researchers",
        "Circuit tracing tools are not open-sourced",
    ]
    found = compare(statements, 0.3)
    assert found.groups == [[0, 1], [2, 3]]
    assert [(c.first, c.second) for c in found.contradictions] == [(0, 2), (0, 3), (1, 2), (1, 3)]


def test_a_vague_claim_between_two_opposites_holds_the_whole_group() -> None:
    statements = ["SAE features matter", "SAE features matter more", "SAE features matter less"]
    found = compare(statements)
    assert found.groups == []
    assert found.held == [Held([0, 1, 2], 1, 2, "'more' vs 'less'")]
