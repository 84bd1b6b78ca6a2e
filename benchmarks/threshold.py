"""The measurements behind `kbcli.similarity.DEFAULT_THRESHOLD`, and merge timings.

Run: `python benchmarks/threshold.py`. Prints the confusion table of the hand-labelled
pairs in `claim_pairs.tsv` (same claim, opposite claims, related but distinct claims: what
`kb merge-claims` would do with each pair, for the whole set and its held-out part), the
score of every pair of the seed page's ten distinct claims (all must stay well below the
threshold), of re-worded near-duplicates of them (all must reach it), of a few hard
distinct pairs, and the time to group and merge a page of 500 claims holding 50
near-duplicates.
"""

from __future__ import annotations

import csv
import itertools
import random
import time
from collections.abc import Callable
from pathlib import Path

from kbcli.merge_plan import apply_plan, plan_merge
from kbcli.similarity import (
    DEFAULT_THRESHOLD,
    _candidate_pairs,
    compare,
    group_duplicates,
    profile,
    relate,
    similarity,
)

PAIRS = Path(__file__).with_name("claim_pairs.tsv")
LABELS = ("same", "opposite", "distinct")
# What merge-claims does with a pair: merges it, reports it as a possible contradiction,
# keeps it apart as a distinct claim, or leaves it alone (below the threshold).
OUTCOMES = ("merged", "contradiction", "kept apart", "below threshold")


def labelled_pairs(split: str | None = None) -> list[tuple[str, str, str]]:
    """(label, a, b) from `claim_pairs.tsv`; `split` "dev" or "holdout" keeps one part."""
    with PAIRS.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle, delimiter="\t") if r and not r[0].startswith("#")]
    return [(label, a, b) for label, part, a, b in rows[1:] if split in (None, part)]


def outcome(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> str:
    """What `kb merge-claims` does with the pair at `threshold` (one of OUTCOMES)."""
    found = compare([a, b], threshold)
    if found.groups:
        return "merged"
    if found.contradictions:
        return "contradiction"
    return "kept apart" if relate(a, b, threshold).kind == "distinct" else "below threshold"


def confusion(
    pairs: list[tuple[str, str, str]], threshold: float = DEFAULT_THRESHOLD
) -> dict[str, dict[str, int]]:
    """label -> outcome -> how many pairs."""
    table = {label: dict.fromkeys(OUTCOMES, 0) for label in LABELS}
    for label, a, b in pairs:
        table[label][outcome(a, b, threshold)] += 1
    return table


def print_confusion(title: str, table: dict[str, dict[str, int]]) -> None:
    print(f"\n{title}")
    print(f"  {'pairs':<15}" + "".join(f"{o:>17}" for o in OUTCOMES) + f"{'merged %':>10}")
    for label in LABELS:
        row = table[label]
        total = sum(row.values())
        share = 100 * row["merged"] / total if total else 0.0
        cells = "".join(f"{row[o]:>17}" for o in OUTCOMES)
        print(f"  {label + f' ({total})':<15}{cells}{share:>9.0f}%")


def _seed_statements() -> list[str]:
    """The seed page's ten distinct claims, as the project's own KB keeps them."""
    from kbcli.yamlio.load import parse

    page = Path(__file__).parents[1] / "kb" / "concepts" / "mechanistic-interpretability.yaml"
    return [claim["statement"].strip() for claim in parse(page.read_text()).data["claims"]]


SEED_DISTINCT = _seed_statements()

# How a second curator might re-word each seed claim.
NEAR_DUPLICATES = [
    (SEED_DISTINCT[0], "Mechanistic interpretability was named a breakthrough technology for 2026"),
    (SEED_DISTINCT[1], "Anthropic built a \u2018microscope\u2019 for inspecting model features"),
    (SEED_DISTINCT[2], "OpenAI used chain-of-thought monitoring to catch a model cheating"),
    (
        SEED_DISTINCT[3],
        "40 researchers from major AI labs warn about losing the ability to understand "
        "advanced models",
    ),
    (
        SEED_DISTINCT[4],
        "Circuit tracing reveals end-to-end computation paths through attribution graphs",
    ),
    (
        SEED_DISTINCT[5],
        "Sparse autoencoders can extract millions of monosemantic features at scale.",
    ),
    (SEED_DISTINCT[6], "Circuit-tracing tools have been open-sourced for the research community"),
    (
        SEED_DISTINCT[7],
        "Four categories of interpretability techniques map to distinct alignment objectives",
    ),
    (
        SEED_DISTINCT[8],
        "Interpretability-first architecture is an emerging direction in model design",
    ),
    (SEED_DISTINCT[9], "The dual-use risk is well documented"),
]

# Same topic, different facts: what a lexical score finds hardest to keep apart.
HARD_DISTINCT = [
    (SEED_DISTINCT[0], "Mechanistic interpretability is a 2025 breakthrough technology"),
    (SEED_DISTINCT[5], "Sparse autoencoders were applied to Claude 3 Sonnet"),
    (SEED_DISTINCT[1], "Anthropic's microscope traces reasoning paths inside Claude"),
    (SEED_DISTINCT[2], "CoT monitoring can be evaded by models that hide their reasoning"),
    (SEED_DISTINCT[6], "Circuit tracing tools only work on small research models"),
    (SEED_DISTINCT[4], "Attribution graphs trace information flow from input to output"),
]


def print_pairs(title: str, pairs: list[tuple[str, str]]) -> list[float]:
    scores = [similarity(a, b) for a, b in pairs]
    print(f"\n{title}")
    for score, (a, b) in sorted(zip(scores, pairs, strict=True), reverse=True):
        print(f"  {score:.3f}  {a[:44]!r} ~ {b[:44]!r}")
    return scores


def synthetic_statements(n: int, near: int, seed: int = 2026) -> list[str]:
    """`n` claim-like statements, `near` of them re-wordings (one word swapped, dropped or
    added) of others. Words follow a Zipf law, as in real text, so the common words are
    shared by many statements and blocking has real work to do."""
    rng = random.Random(seed)
    vocabulary = [
        "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(3000)
    ]
    weights = [1 / rank for rank in range(1, len(vocabulary) + 1)]
    fillers = ["the", "of", "a", "is", "in", "for", "to"]

    def statement() -> list[str]:
        words = rng.choices(vocabulary, weights, k=rng.randint(6, 12))
        return [w if rng.random() > 0.3 else f"{rng.choice(fillers)} {w}" for w in words]

    base = [statement() for _ in range(n - near)]
    variants = []
    for words in rng.sample(base, near):
        words = list(words)
        where = rng.randrange(len(words))
        edit = rng.choice(("swap", "drop", "add"))
        if edit == "swap":
            words[where] = rng.choice(vocabulary)
        elif edit == "drop":
            del words[where]
        else:
            words.insert(where, rng.choice(vocabulary))
        variants.append(words)
    statements = [" ".join(w) for w in base + variants]
    rng.shuffle(statements)
    return statements


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    print(f"DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}")
    print_confusion("Labelled pairs (claim_pairs.tsv), all:", confusion(labelled_pairs()))
    print_confusion("Held-out part only:", confusion(labelled_pairs("holdout")))
    print_confusion("Written after the rules only:", confusion(labelled_pairs("late")))
    for label, a, b in labelled_pairs():
        found = outcome(a, b)
        if (found == "merged") != (label == "same"):
            print(f"  miss: {label} -> {found}: {a!r} ~ {b!r}")
    distinct = print_pairs(
        "Seed's ten distinct claims, all 45 pairs (must stay below):",
        list(itertools.combinations(SEED_DISTINCT, 2)),
    )
    near = print_pairs("Re-worded near-duplicates (must reach it):", NEAR_DUPLICATES)
    hard = print_pairs("Hard distinct pairs, same topic (informative):", HARD_DISTINCT)
    print(
        f"\nmax distinct {max(distinct):.3f} | min near-duplicate {min(near):.3f} | "
        f"max hard distinct {max(hard):.3f}"
    )

    statements = synthetic_statements(500, 50)
    groups = group_duplicates(statements, DEFAULT_THRESHOLD)
    claims = [
        {"id": f"c{i}", "statement": s, "evidence": "moderate", "sources": [f"s{i % 7}"]}
        for i, s in enumerate(statements)
    ]
    grouping = best_of(7, lambda: group_duplicates(statements, DEFAULT_THRESHOLD))
    merging = best_of(7, lambda: apply_plan(claims, plan_merge(claims, DEFAULT_THRESHOLD)))
    profiles = [profile(s) for s in statements]
    everything = best_of(
        1, lambda: [relate(a, b) for a, b in itertools.combinations(statements, 2)]
    )
    scored = len(_candidate_pairs(profiles, DEFAULT_THRESHOLD))
    print(f"\n500 claims, 50 near-duplicates: {len(groups)} groups found")
    print(f"  group_duplicates:         {grouping * 1000:7.1f} ms ({scored:,} pairs scored)")
    print(f"  plan_merge + apply_plan:  {merging * 1000:7.1f} ms")
    print(f"  scoring all 124,750 pairs instead: {everything * 1000:.0f} ms")


if __name__ == "__main__":
    main()
