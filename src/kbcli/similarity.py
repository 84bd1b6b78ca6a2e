"""When are two claim statements the same claim? Normalisation, a score, and grouping.

The score is lexical: the Jaccard index of the two statements' *content words* (stop words
dropped, a light suffix stemmer applied, so "inspection" meets "inspecting" and "features"
meets "feature"), scaled down when both statements cite numbers that disagree ("a 2025
breakthrough" is not "a 2026 breakthrough"). It is blind to synonyms and to negation, which
is why `kb merge-claims --dry-run` shows every group and its scores before anything is
written.

`DEFAULT_THRESHOLD` comes from `benchmarks/threshold.py`: among the seed page's ten distinct
claims no pair scores above 0.154, while re-worded near-duplicates of them score 0.667 or
more. 0.5 ("the two statements share half their content words") sits between the two.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_THRESHOLD = 0.5

# Typographic variants a curator does not mean as a difference.
_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACE = re.compile(r"\s+")
_TRAILING_PUNCT = re.compile(r"[\s.,;:!?\u2026]+$")
# Numbers stay whole ("3.5", "1,000") so that "Claude 3" and "Claude 3.5" differ.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_NUMBER = re.compile(r"\d")

# Function words carry no claim; dropping them keeps "is a" from making claims similar.
# fmt: off
_STOP_WORDS = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "been", "being", "but", "by", "can", "could",
    "did", "do", "does", "for", "from", "had", "has", "have", "how", "in", "into", "is", "it",
    "its", "may", "might", "of", "on", "or", "our", "over", "than", "that", "the", "their",
    "them", "then", "there", "these", "they", "this", "those", "through", "to", "via", "was",
    "we", "were", "what", "when", "which", "while", "who", "will", "with", "would",
})
# fmt: on
# (suffix, replacement), first match wins; the stem must keep at least 3 letters.
_SUFFIXES = (
    ("ies", "y"),
    ("ied", "y"),
    ("ations", ""),
    ("ation", ""),
    ("ions", ""),
    ("ion", ""),
    ("ings", ""),
    ("ing", ""),
    ("ed", ""),
    ("es", ""),
    ("s", ""),
)


def normalise(statement: str) -> str:
    """The statement as compared for exact duplicates: case-folded, typographic quotes and
    dashes made plain, whitespace collapsed, trailing punctuation dropped."""
    text = _SPACE.sub(" ", statement.translate(_CHAR_MAP).casefold()).strip()
    return _TRAILING_PUNCT.sub("", text)


@functools.lru_cache(maxsize=1 << 16)  # a page repeats its vocabulary; stemming dominated
def _stem(word: str) -> str:
    if word.endswith("ss"):  # "process" is not the plural of "proces"
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    # "feature" and "features" (-> "featur") must meet.
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


@dataclass(frozen=True)
class _Profile:
    """What the score looks at in one statement."""

    normal: str
    words: frozenset[str]
    numbers: frozenset[str]


def _profile(statement: str) -> _Profile:
    normal = normalise(statement)
    tokens = [t for t in _TOKEN.findall(normal) if len(t) > 1 or t.isdigit()]
    content = [t for t in tokens if t not in _STOP_WORDS] or tokens
    words = frozenset(t if _NUMBER.match(t) else _stem(t) for t in content)
    numbers = frozenset(t for t in words if _NUMBER.match(t))
    return _Profile(normal, words, numbers)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 1.0


def _score(a: _Profile, b: _Profile) -> float:
    if a.normal == b.normal:
        return 1.0
    if not a.words or not b.words:
        return 0.0
    score = _jaccard(a.words, b.words)
    if a.numbers and b.numbers:
        # Never more than the word score, so blocking on words stays exact.
        score *= _jaccard(a.numbers, b.numbers)
    return score


def similarity(a: str, b: str) -> float:
    """How alike two statements are, from 0 (no content word in common) to 1 (the same
    after `normalise`, or the same content words)."""
    return _score(_profile(a), _profile(b))


def group_duplicates(
    statements: Sequence[str], threshold: float = DEFAULT_THRESHOLD
) -> list[list[int]]:
    """Groups of indexes of statements that are duplicates: exact after `normalise`, or
    linked by a chain of pairs scoring at least `threshold` (0 < threshold <= 1).

    Each group has two or more indexes in ascending order; groups are ordered by their
    first index. Only pairs that share a rare content word are scored (prefix filtering),
    which finds every pair a full comparison would, without comparing them all.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    profiles = [_profile(s) for s in statements]
    parent = list(range(len(profiles)))
    for i, j in _candidate_pairs(profiles, threshold):
        if _score(profiles[i], profiles[j]) >= threshold:
            _union(parent, i, j)
    return _groups(parent)


def _candidate_pairs(profiles: Sequence[_Profile], threshold: float) -> set[tuple[int, int]]:
    """Pairs (i < j) that can score at least `threshold`: exact duplicates, and pairs whose
    rarest-first word prefixes meet. If Jaccard(A, B) >= t then A and B share at least
    ceil(t * |A|) words, so they share one among A's first |A| - ceil(t * |A|) + 1 words in
    any fixed order; ordering by rarity keeps the posting lists short."""
    pairs: set[tuple[int, int]] = set()
    first_seen: dict[str, int] = {}
    for i, p in enumerate(profiles):
        j = first_seen.setdefault(p.normal, i)
        if j != i:
            pairs.add((j, i))
    frequency = Counter(w for p in profiles for w in p.words)
    postings: dict[str, list[int]] = {}
    for i, p in enumerate(profiles):
        ordered = sorted(p.words, key=lambda w: (frequency[w], w))
        # The epsilon keeps float rounding (0.3 * 10 = 3.0000000000000004) from
        # shortening the prefix, which would lose pairs.
        keep = len(ordered) - math.ceil(threshold * len(ordered) - 1e-9) + 1
        for word in ordered[:keep]:
            posting = postings.setdefault(word, [])
            pairs.update((j, i) for j in posting)
            posting.append(i)
    return pairs


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
