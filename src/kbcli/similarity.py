"""When are two claim statements the same claim? The one place kb decides it: `kb
add-claim` (duplicate refusal, near-duplicate note), `kb lint` (C001, C009) and `kb
merge-claims` all ask `relate` or `compare`.

Text is read as `wording` reads it (`normalise`, light stems, numbers, negators,
acronyms).

A pair is one of (`Relation.kind`):
- "same": the score reaches the threshold and nothing below applies;
- "opposite": a negator on one side only (not, never, cannot, fail to, without, ...), a
  pair of antonyms from `lexicon.ANTONYMS` or a word and its negated form (reliable /
  unreliable, aligned / misaligned), or numbers that differ: never merged, at any
  threshold, and reported as a possible contradiction when the rest of the two statements
  reaches the threshold;
- "distinct": each side has a content word the other lacks that is not a synonym
  (`lexicon.SYNONYMS`), a form of the same word, or an acronym of the other's words ("catch
  model cheating" vs "study model honesty"), or one side adds a scope word ("only", "most");
  when one side only adds words, it is the same claim said with more detail;
- "different": the score is below the threshold.

The score is the Jaccard index of the two statements' content words, where words matched
as synonyms, forms or acronyms count as shared (an acronym and the words it stands for
count as one word). `DEFAULT_THRESHOLD` and the rules are measured in
`benchmarks/threshold.py` against the hand-labelled pairs in `benchmarks/claim_pairs.tsv`.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from kbcli import lexicon
from kbcli.wording import (
    ANTONYM_ENDS,
    NUMBER,
    QUALIFIER_STEMS,
    SCRIPTS,
    SYNONYM_GROUPS,
    Profile,
    normalise,
    pairable,
    profile,
    stem,
    word_keys,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "SCRIPTS",
    "Comparison",
    "Contradiction",
    "Held",
    "Profile",
    "Relation",
    "compare",
    "group_duplicates",
    "normalise",
    "profile",
    "relate",
    "similarity",
    "stem",
]

DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class Relation:
    """How two statements relate: `kind` (see the module), the score, and why."""

    kind: str  # "same", "opposite", "distinct" or "different"
    score: float
    reason: str = ""


def relate(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> Relation:
    """How statement `a` relates to statement `b` at `threshold`."""
    return _relate(profile(a), profile(b), threshold)


def similarity(a: str, b: str) -> float:
    """How alike two statements are, from 0 (no content word in common) to 1 (the same
    after `normalise`, or the same content words). Opposites can score high: ask `relate`."""
    return _relate(profile(a), profile(b), DEFAULT_THRESHOLD).score


def _relate(a: Profile, b: Profile, threshold: float) -> Relation:
    if a.normal == b.normal:
        return Relation("same", 1.0)
    common = len(a.words & b.words)
    if not (a.acronyms or b.acronyms):
        # Each word pair matched below shares a key (synonym group, antonym scale, first
        # letters, number): a pair that cannot reach the threshold even if every shared
        # key made a match is "different", at a fraction of the cost.
        best = common + pairable(a, b)
        union = len(a.words) + len(b.words) - best
        if union > 0 and best / union < threshold:
            return Relation("different", round(common / (union + best - common), 6))
    only_a, only_b = a.words - b.words, b.words - a.words
    opposite, used_a, used_b = _opposition(a, b, only_a, only_b)
    rest_a, rest_b = only_a - used_a, only_b - used_b
    units, extra, rest_a, rest_b = _match(a, b, rest_a, rest_b)
    shared = common + units + len(used_a)
    union = len(a.words) + len(b.words) - extra - shared
    score = shared / union if union else (1.0 if not (a.words or b.words) else 0.0)
    score = round(min(score, 1.0), 6)
    if opposite:
        return Relation("opposite" if score >= threshold else "different", score, opposite)
    if score < threshold:
        return Relation("different", score)
    apart = _apart(a, b, rest_a, rest_b)
    return Relation("distinct", score, apart) if apart else Relation("same", score)


def _apart(a: Profile, b: Profile, rest_a: frozenset[str], rest_b: frozenset[str]) -> str:
    """Why two related statements make different claims, or "" when they do not."""
    if a.cjk or b.cjk:
        return ""  # character pairs are not words: only the score can tell
    if rest_a and rest_b:
        return f"{_shown(a, rest_a)} on one side, {_shown(b, rest_b)} on the other"
    scope = (rest_a | rest_b) & QUALIFIER_STEMS
    if scope:
        return f"{_shown(a if rest_a & scope else b, scope)} narrows one of them"
    return ""


def _shown(p: Profile, words: Iterable[str]) -> str:
    return ", ".join(repr(p.shown.get(w, w)) for w in sorted(words))


def _opposition(
    a: Profile, b: Profile, only_a: frozenset[str], only_b: frozenset[str]
) -> tuple[str, frozenset[str], frozenset[str]]:
    """Why `a` and `b` may say opposite things ("" when nothing says so), and the words of
    each side that make the opposition (they count as shared in the score)."""
    if a.negation % 2 != b.negation % 2:
        negators = a.negators if a.negation % 2 else b.negators
        return f"{negators[0]!r} on one side only", frozenset(), frozenset()
    numbers_a, numbers_b = a.numbers - b.numbers, b.numbers - a.numbers
    if numbers_a and numbers_b:
        told = f"{', '.join(sorted(numbers_a))} vs {', '.join(sorted(numbers_b))}"
        return f"the numbers differ ({told})", numbers_a, numbers_b
    for x, ys in _partners(only_a, only_b):
        for y in ys:
            if _antonyms(x, y):
                return (
                    f"{a.shown.get(x, x)!r} vs {b.shown.get(y, y)!r}",
                    frozenset({x}),
                    frozenset({y}),
                )
    return "", frozenset(), frozenset()


def _partners(xs: Iterable[str], ys: Iterable[str]) -> list[tuple[str, list[str]]]:
    """Each word of `xs` (sorted) with the words of `ys` it shares a `word_keys` key with
    (sorted): the only ones it can be an antonym, synonym or form of."""
    by_key: dict[str, set[str]] = {}
    for y in ys:
        for key in word_keys(y):
            by_key.setdefault(key, set()).add(y)
    found = []
    for x in sorted(xs):
        near = set().union(*(by_key.get(k, ()) for k in word_keys(x)))
        if near:
            found.append((x, sorted(near)))
    return found


def _antonyms(x: str, y: str) -> bool:
    ends_x, ends_y = ANTONYM_ENDS.get(x, frozenset()), ANTONYM_ENDS.get(y, frozenset())
    if any(e ^ 1 in ends_y for e in ends_x):
        return True
    return _negated_form(x, y) or _negated_form(y, x)


def _negated_form(word: str, other: str) -> bool:
    # "reliable"/"unreliable", "aligned"/"misaligned"; short words ("put"/"input") are not.
    for prefix in lexicon.NEGATING_PREFIXES:
        if other == prefix + word and len(word) >= (3 if prefix in ("un", "non") else 5):
            return True
    return False


def _match(
    a: Profile, b: Profile, rest_a: frozenset[str], rest_b: frozenset[str]
) -> tuple[int, int, frozenset[str], frozenset[str]]:
    """Pair up the words only one side has that still say the same: an acronym and the
    words it stands for, synonyms, forms of one word. Returns the number of pairs, how many
    words beyond one each acronym stood for, and each side's words left unmatched."""
    units = extra = 0
    if a.cjk or b.cjk:
        return 0, 0, rest_a, rest_b
    left_a, left_b = set(rest_a), set(rest_b)
    for p, other, left_short, left_long in ((a, b, left_a, left_b), (b, a, left_b, left_a)):
        for word in sorted(left_short & p.acronyms):
            run = _acronym_run(word, other, left_long)
            if run:
                left_short.discard(word)
                left_long.difference_update(run)
                units += 1
                extra += len(run) - 1
    for x, ys in _partners(left_a, left_b):
        y = next((y for y in ys if y in left_b and _alike(x, y)), None)
        if y is not None:
            left_a.discard(x)
            left_b.discard(y)
            units += 1
    return units, extra, frozenset(left_a), frozenset(left_b)


def _alike(x: str, y: str) -> bool:
    if SYNONYM_GROUPS.get(x, frozenset()) & SYNONYM_GROUPS.get(y, frozenset()):
        return True
    short, long = sorted((x, y), key=len)
    return len(short) >= 4 and long.startswith(short) and not NUMBER.match(short)


def _acronym_run(word: str, other: Profile, free: set[str]) -> tuple[str, ...]:
    """The words of `other` that the acronym `word` stands for ("sae": sparse autoencoder,
    "cot": chain of thought), all of them still unmatched; () when there is no such run.
    The shortest run of two words or more wins ("sparse autoencoders", not "sparse
    autoencoders extract")."""
    if not 2 <= len(word) <= 6 or not word.isalpha():
        return ()
    for start, first in enumerate(other.sequence):
        if not first or first not in free or first[0] != word[0]:
            continue
        spelled = _spell(word, 0, other.raw, other.sequence, start)
        ends = [end for end in spelled if end - start >= 2]
        if ends:
            run = tuple(w for w in other.sequence[start : min(ends)] if w)
            if all(w in free for w in run):
                return run
    return ()


def _spell(
    word: str, at: int, tokens: Sequence[str], stems: Sequence[str], i: int
) -> Iterator[int]:
    """Every end of a run of `tokens` from `i` spelling `word[at:]`: each token gives its
    first letter and may give more letters, in order (autoencoder: a, e); a function word
    inside the run may give none (RLHF: reinforcement learning from human feedback)."""
    if at == len(word):
        yield i
        return
    if i >= len(tokens):
        return
    if at > 0 and not stems[i]:
        yield from _spell(word, at, tokens, stems, i + 1)
    if tokens[i][0] != word[at]:
        return
    token, nxt, k = tokens[i], at + 1, 1
    while True:
        yield from _spell(word, nxt, tokens, stems, i + 1)
        if nxt == len(word):
            return
        k = token.find(word[nxt], k) + 1
        if k == 0:
            return
        nxt += 1


@dataclass(frozen=True)
class Contradiction:
    """Two statements (by index) that may contradict each other, and why."""

    first: int
    second: int
    score: float
    reason: str


@dataclass(frozen=True)
class Held:
    """A group of re-wordings that holds two claims kept apart (opposite or distinct):
    which of its claims is the one the others say is ambiguous, so none of it merges."""

    group: list[int]
    first: int
    second: int
    reason: str


@dataclass(frozen=True)
class Comparison:
    """What `compare` found among a list of statements."""

    groups: list[list[int]]
    contradictions: list[Contradiction]
    held: list[Held] = field(default_factory=list)


def group_duplicates(
    statements: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Groups of indexes of statements that are the same claim (see `compare`)."""
    return compare(statements, threshold).groups


def compare(statements: Sequence[str], threshold: float = DEFAULT_THRESHOLD) -> Comparison:
    """Groups of statements that are the same claim, and the pairs that may contradict.

    A group is a set of statements linked by a chain of "same" pairs. A group that would
    hold two statements that are opposite or distinct (at any score: "Risk" beside both
    "Risk increases" and "Risk decreases") is held, not merged: merging part of it would
    only move the question to the next run. So a merge is idempotent and never carries a
    claim into its negation. Each group has two or more indexes in ascending order; groups
    are ordered by their first index. Only pairs that share a rare content word are
    compared (prefix filtering).
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    profiles = [profile(s) for s in statements]
    parent = list(range(len(profiles)))
    contradictions = []
    for i, j in sorted(_candidate_pairs(profiles, threshold)):
        rel = _relate(profiles[i], profiles[j], threshold)
        if rel.kind == "same":
            _union(parent, i, j)
        elif rel.kind == "opposite":
            contradictions.append(Contradiction(i, j, rel.score, rel.reason))
    groups, held = [], []
    for group in _groups(parent):
        apart = _first_apart(profiles, group)
        if apart is None:
            groups.append(group)
        else:
            held.append(Held(group, *apart))
    return Comparison(groups, contradictions, held)


def _first_apart(profiles: Sequence[Profile], group: list[int]) -> tuple[int, int, str] | None:
    for k, i in enumerate(group):
        for j in group[k + 1 :]:
            # At any score: the threshold never matters for a pair kept apart.
            rel = _relate(profiles[i], profiles[j], 1e-9)
            if rel.kind in ("opposite", "distinct"):
                return i, j, rel.reason
    return None


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _union(parent: list[int], i: int, j: int) -> None:
    a, b = _find(parent, i), _find(parent, j)
    # The smaller index is the root, so a group's root is its first member.
    parent[max(a, b)] = min(a, b)


def _groups(parent: list[int]) -> list[list[int]]:
    members: dict[int, list[int]] = {}
    for i in range(len(parent)):
        members.setdefault(_find(parent, i), []).append(i)
    return [g for _, g in sorted(members.items()) if len(g) > 1]


def _candidate_pairs(profiles: Sequence[Profile], threshold: float) -> set[tuple[int, int]]:
    """Pairs (i < j) that may relate at `threshold`: exact duplicates, and pairs whose
    rarest-first prefixes of `blocks` meet (prefix filtering: if two sets' Jaccard index
    is at least t, they share one of the first |A| - ceil(t * |A|) + 1 items of A in any
    fixed order). Blocks stand for the words `_relate` pairs up, so this finds the pairs
    it relates, except one that pairs two words of different blocks (a word of two
    synonym groups, forms shorter than five letters); a statement with an acronym is
    paired with every statement it shares a block with (`_acronym_pairs`)."""
    pairs: set[tuple[int, int]] = set()
    first_seen: dict[str, int] = {}
    for i, p in enumerate(profiles):
        j = first_seen.setdefault(p.normal, i)
        if j != i:
            pairs.add((j, i))
    frequency = Counter(w for p in profiles for w in p.blocks)
    postings: dict[str, list[int]] = {}
    for i, p in enumerate(profiles):
        ordered = sorted(p.blocks, key=lambda w: (frequency[w], w))
        # The epsilon keeps float rounding (0.3 * 10 = 3.0000000000000004) from
        # shortening the prefix, which would lose pairs.
        keep = len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1
        for word in ordered[:keep]:
            posting = postings.setdefault(word, [])
            pairs.update((j, i) for j in posting)
            posting.append(i)
    return pairs | _acronym_pairs(profiles)


def _acronym_pairs(profiles: Sequence[Profile]) -> set[tuple[int, int]]:
    """Every pair of a statement with an acronym and one it shares a block with, or whose
    two consecutive words begin as the acronym does ("SAE", "sparse autoencoder"): an
    acronym stands for several words, which prefix filtering cannot count on."""
    having = [i for i, p in enumerate(profiles) if p.acronyms]
    if not having:
        return set()
    holders: dict[str, list[int]] = {}
    for i, p in enumerate(profiles):
        starts = {"^" + a[0] + b[0] for a, b in zip(p.raw, p.raw[1:], strict=False) if a and b}
        for key in p.blocks | starts:
            holders.setdefault(key, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for i in having:
        keys = profiles[i].blocks | {"^" + a[:2] for a in profiles[i].acronyms}
        pairs.update((min(i, j), max(i, j)) for key in keys for j in holders.get(key, ()) if j != i)
    return pairs
