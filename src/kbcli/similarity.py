"""When are two claim statements the same claim? The one place kb decides it: `kb
add-claim` (duplicate refusal, near-duplicate note), `kb lint` (C001, C009) and `kb
merge-claims` all ask `relate` or `compare`.

Text is compared after `normalise` (Unicode NFKC, so full-width letters, digits,
punctuation and spaces are the plain ones; case, quotes, dashes, spacing, final
punctuation). Words are stemmed lightly, British spellings meet American ones, and text in
scripts written without spaces (Chinese, Japanese) is read as overlapping character pairs,
so that such statements compare at all.

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

import functools
import itertools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from kbcli import lexicon

DEFAULT_THRESHOLD = 0.5

# Typographic variants a curator does not mean as a difference (after NFKC).
_CHAR_MAP = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u300c\u300d\u300e\u300f", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        "\u00a0": " ",
        "\u3001": ",",
        "\u3002": ".",
    }
)
_SPACE = re.compile(r"\s+")
_TRAILING_PUNCT = re.compile(r"[\s.,;:!?\u2026]+$")
# Scripts ASCII folding cannot spell, by the tag a claim id gets for them (claims.py).
# Tested by code point, not by a regex class: compiling one costs milliseconds per run.
SCRIPTS = (
    ("ja", ((0x3040, 0x30FF),)),
    ("zh", ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))),
    ("ko", ((0xAC00, 0xD7AF), (0x1100, 0x11FF))),
)
# Kana and CJK ideographs: the scripts of these written without spaces (not Korean).
_CJK = tuple(r for tag, ranges in SCRIPTS if tag != "ko" for r in ranges)
# Numbers stay whole ("3.5", "1,000") so that "Claude 3" and "Claude 3.5" differ.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_NUMBER = re.compile(r"\d")
_CONTRACTIONS = (
    (re.compile(r"\b(?:can't|cannot)\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
)
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
_BRITISH = ((re.compile(r"(?<=\w{3})is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
            (re.compile(r"(?<=\w{2})ys(e|ed|es|ing)$"), r"yz\1"),
            (re.compile(r"(?<=\w{3})our$"), "or"))  # fmt: skip


_BRITISH_ENDS = ("ise", "ised", "ises", "ising", "isation", "isations", "yse", "ysed", "yses",
                 "ysing", "our")  # fmt: skip
_NEGATING = tuple(lexicon.NEGATING_PREFIXES)


def normalise(statement: str) -> str:
    """The statement as compared for exact duplicates: NFKC (full-width forms made plain),
    case-folded, typographic quotes and dashes made plain, whitespace collapsed, trailing
    punctuation dropped."""
    text = unicodedata.normalize("NFKC", statement).translate(_CHAR_MAP).casefold()
    return _TRAILING_PUNCT.sub("", _SPACE.sub(" ", text).strip())


@functools.lru_cache(maxsize=1 << 16)  # a page repeats its vocabulary; stemming dominated
def stem(word: str) -> str:
    """A word's light stem: "inspection" and "inspecting" meet, "localise" meets "localize"."""
    if word in lexicon.NUMBER_WORDS:
        return lexicon.NUMBER_WORDS[word]
    if word.endswith(_BRITISH_ENDS):
        for pattern, replacement in _BRITISH:
            word = pattern.sub(replacement, word)
    if word.endswith("ss"):  # "process" is not the plural of "proces"
        return word
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: len(word) - len(suffix)] + replacement
            break
    # "feature" and "features" (-> "featur") must meet.
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _stems(words: Iterable[str]) -> frozenset[str]:
    return frozenset(stem(w) for w in words)


_STOP = frozenset(lexicon.STOP_WORDS)
_QUALIFIERS = _stems(lexicon.QUALIFIERS)


def _groups_of(groups: Iterable[Iterable[str]]) -> dict[str, frozenset[int]]:
    found: dict[str, set[int]] = {}
    for n, words in enumerate(groups):
        for word in words:
            found.setdefault(stem(word), set()).add(n)
    return {w: frozenset(g) for w, g in found.items()}


_SYNONYMS = _groups_of(lexicon.SYNONYMS)
# An antonym group n has two ends, 2n and 2n + 1.
_ANTONYM_ENDS = _groups_of(end for pair in lexicon.ANTONYMS for end in pair)


@dataclass(frozen=True)
class _Profile:
    """What the comparison looks at in one statement."""

    normal: str
    words: frozenset[str]  # content stems, numbers included, negators left out
    numbers: frozenset[str]
    negation: int  # how many negators: an odd count reverses the claim
    negators: tuple[str, ...]
    sequence: tuple[str, ...]  # every token's stem in order, "" for function words
    raw: tuple[str, ...]  # every token as written (case-folded), in the same order
    acronyms: frozenset[str]  # stems of words written with two or more capitals
    keyed: dict[str, frozenset[str]] = field(hash=False, compare=False)  # key -> its words
    keyset: frozenset[str]
    blocks: frozenset[str]  # one `_block` per word: what candidate pairs are found by
    shown: dict[str, str] = field(hash=False, compare=False)  # stem -> the word as written
    cjk: bool = False


def _tokens(normal: str) -> list[str]:
    text = normal
    if "'" in text or "cannot" in text:
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
    if "ty-" in text:  # "twenty-four" is one number
        text = _TENS.sub(_tens, text)
    tokens = _TOKEN.findall(text)
    return tokens if text.isascii() else _split_cjk(tokens)


_TENS = re.compile(
    r"\b(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-"
    r"(one|two|three|four|five|six|seven|eight|nine)\b"
)


def _tens(match: re.Match[str]) -> str:
    words = lexicon.NUMBER_WORDS
    return str(int(words[match[1]]) + int(words[match[2]]))


_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def _number(token: str) -> str:
    """One spelling per value, so that a number written two ways is not a contradiction:
    "1,000" is "1000", "3.0" is "3", "2.50" is "2.5"."""
    if _THOUSANDS.match(token):
        token = token.replace(",", "")
    if token.count(".") == 1 and "," not in token:  # not a version ("1.10.0")
        token = token.rstrip("0").rstrip(".")
    return token


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return code >= 0x3040 and any(low <= code <= high for low, high in _CJK)


def _split_cjk(tokens: list[str]) -> list[str]:
    """`tokens` with each word that mixes scripts split into runs of CJK characters and
    runs of the rest ("claude模型" is "claude", "模型")."""
    out = []
    for token in tokens:
        if token.isascii():
            out.append(token)
        else:
            out += ["".join(run) for _, run in itertools.groupby(token, _is_cjk)]
    return out


def _negations(tokens: Sequence[str]) -> list[str]:
    found = []
    for i, token in enumerate(tokens):
        following = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token == "not" and following in ("only", "just", "merely"):
            continue  # "not only ... but also" affirms
        if token in lexicon.NEGATORS:
            found.append(token)
        elif not token.isascii() and _is_cjk(token[0]):
            found += [c for c in token if c in lexicon.CJK_NEGATORS]
            found += [n for n in lexicon.JA_NEGATORS if n in token]
    return found


@functools.lru_cache(maxsize=1 << 14)
def _profile(statement: str) -> _Profile:
    normal = normalise(statement)
    tokens = _tokens(normal)
    negators = _negations(tokens)
    sequence: list[str] = []
    raw: list[str] = []
    shown: dict[str, str] = {}
    cjk = False
    for token in tokens:
        if not token.isascii() and _is_cjk(token[0]):
            cjk = True
            pairs = [token[k : k + 2] for k in range(max(1, len(token) - 1))]
            sequence += pairs
            raw += [token] * len(pairs)
            continue
        raw.append(token)
        if token in _STOP or token in lexicon.NEGATORS or token == "nor":
            sequence.append("")
            continue
        if len(token) == 1 and not token.isdigit():
            sequence.append("")
            continue
        word = _number(token) if token[0].isdigit() else stem(token)
        sequence.append(word)
        shown.setdefault(word, token)
    # A statement of function words only compares by them ("the" is not "").
    words = frozenset(w for w in sequence if w) or frozenset(stem(t) for t in tokens)
    numbers = frozenset(w for w in words if w[0].isdigit())
    keyed = _keys(words)
    return _Profile(
        normal,
        words,
        numbers,
        len(negators),
        tuple(negators),
        tuple(sequence),
        tuple(raw),
        _acronyms(statement),
        keyed,
        frozenset(keyed),
        _blocks(words),
        shown,
        cjk,
    )


def _keys(words: frozenset[str]) -> dict[str, frozenset[str]]:
    """Keys two words share whenever `_relate` can pair them (numbers, synonyms,
    antonyms, forms of one word, a negated form), each with the words that have it: keys
    shared by words only one side has bound how many pairs it can make."""
    keyed: dict[str, frozenset[str]] = {}
    for word in words:
        for key in ("#",) if word[0].isdigit() else _word_keys(word):
            # Most keys have one word: a frozenset of it, made once and only then.
            held = keyed.get(key)
            keyed[key] = frozenset((word,)) if held is None else held | {word}
    return keyed


def _pairable(a: _Profile, b: _Profile) -> int:
    """At most how many pairs `_relate` can make of words only one side has."""
    count = 0
    for key in a.keyset & b.keyset:
        mine, theirs = a.keyed[key], b.keyed[key]
        if key == "#":  # each differing number of one side may pair with one of the other's
            count += min(len(mine - b.words), len(theirs - a.words))
        elif not (mine <= b.words or theirs <= a.words):
            count += 1
    return count


def _blocks(words: frozenset[str]) -> frozenset[str]:
    """Each word's `_block`, the second word of one block as `<block>#1` and so on: two
    words that share a block still count as two (increases and reduces are one scale)."""
    blocks = [_block(w) for w in words]
    if len(set(blocks)) == len(blocks):
        return frozenset(blocks)
    seen: Counter[str] = Counter()
    found = set()
    for block in sorted(blocks):
        found.add(f"{block}#{seen[block]}" if seen[block] else block)
        seen[block] += 1
    return frozenset(found)


@functools.lru_cache(maxsize=1 << 16)
def _block(word: str) -> str:
    """One key per word that the words it can pair with mostly share: numbers of as many
    digits, one end of a scale and the other, synonyms, a word and its negated form, forms of one
    word (their first five letters)."""
    if _NUMBER.match(word):  # numbers that differ are found, as contradictions
        return "#" + str(len(re.split(r"[.,]", word)[0]))
    if word in _ANTONYM_ENDS:
        return f"a{min(_ANTONYM_ENDS[word]) >> 1}"
    if word in _SYNONYMS:
        return f"s{min(_SYNONYMS[word])}"
    if word.startswith(_NEGATING):
        for prefix in _NEGATING:
            if word.startswith(prefix) and len(word) - len(prefix) >= 5:
                word = word[len(prefix) :]
                break
    return "~" + word[:5]


@functools.lru_cache(maxsize=1 << 16)
def _word_keys(word: str) -> frozenset[str]:
    keys = {"~" + word[:4]}
    if word in _SYNONYMS:
        keys.update(f"s{g}" for g in _SYNONYMS[word])
    if word in _ANTONYM_ENDS:
        keys.update(f"a{e >> 1}" for e in _ANTONYM_ENDS[word])
    if word.startswith(_NEGATING):
        keys.update("~" + word[len(p) : len(p) + 4] for p in _NEGATING if word.startswith(p))
    return frozenset(keys)


def _acronyms(statement: str) -> frozenset[str]:
    """Stems of the words written as acronyms (SAE, SAEs, CoT, LLMs): two capitals or more."""
    if statement.islower() or statement == statement.lower():
        return frozenset()
    words = _split_cjk(_TOKEN.findall(unicodedata.normalize("NFKC", statement)))
    # A second capital is one after the first letter: most words are skipped at once.
    return frozenset(
        stem(w.casefold()) for w in words if not w[1:].islower() and sum(map(str.isupper, w)) >= 2
    )


@dataclass(frozen=True)
class Relation:
    """How two statements relate: `kind` (see the module), the score, and why."""

    kind: str  # "same", "opposite", "distinct" or "different"
    score: float
    reason: str = ""


def relate(a: str, b: str, threshold: float = DEFAULT_THRESHOLD) -> Relation:
    """How statement `a` relates to statement `b` at `threshold`."""
    return _relate(_profile(a), _profile(b), threshold)


def similarity(a: str, b: str) -> float:
    """How alike two statements are, from 0 (no content word in common) to 1 (the same
    after `normalise`, or the same content words). Opposites can score high: ask `relate`."""
    return _relate(_profile(a), _profile(b), DEFAULT_THRESHOLD).score


def _relate(a: _Profile, b: _Profile, threshold: float) -> Relation:
    if a.normal == b.normal:
        return Relation("same", 1.0)
    common = len(a.words & b.words)
    if not (a.acronyms or b.acronyms):
        # Each word pair matched below shares a key (synonym group, antonym scale, first
        # letters, number): a pair that cannot reach the threshold even if every shared
        # key made a match is "different", at a fraction of the cost.
        best = common + _pairable(a, b)
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


def _apart(a: _Profile, b: _Profile, rest_a: frozenset[str], rest_b: frozenset[str]) -> str:
    """Why two related statements make different claims, or "" when they do not."""
    if a.cjk or b.cjk:
        return ""  # character pairs are not words: only the score can tell
    if rest_a and rest_b:
        return f"{_shown(a, rest_a)} on one side, {_shown(b, rest_b)} on the other"
    scope = (rest_a | rest_b) & _QUALIFIERS
    if scope:
        return f"{_shown(a if rest_a & scope else b, scope)} narrows one of them"
    return ""


def _shown(p: _Profile, words: Iterable[str]) -> str:
    return ", ".join(repr(p.shown.get(w, w)) for w in sorted(words))


def _opposition(
    a: _Profile, b: _Profile, only_a: frozenset[str], only_b: frozenset[str]
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
    """Each word of `xs` (sorted) with the words of `ys` it shares a `_word_keys` key with
    (sorted): the only ones it can be an antonym, synonym or form of."""
    by_key: dict[str, set[str]] = {}
    for y in ys:
        for key in _word_keys(y):
            by_key.setdefault(key, set()).add(y)
    found = []
    for x in sorted(xs):
        near = set().union(*(by_key.get(k, ()) for k in _word_keys(x)))
        if near:
            found.append((x, sorted(near)))
    return found


def _antonyms(x: str, y: str) -> bool:
    ends_x, ends_y = _ANTONYM_ENDS.get(x, frozenset()), _ANTONYM_ENDS.get(y, frozenset())
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
    a: _Profile, b: _Profile, rest_a: frozenset[str], rest_b: frozenset[str]
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
    if _SYNONYMS.get(x, frozenset()) & _SYNONYMS.get(y, frozenset()):
        return True
    short, long = sorted((x, y), key=len)
    return len(short) >= 4 and long.startswith(short) and not _NUMBER.match(short)


def _acronym_run(word: str, other: _Profile, free: set[str]) -> tuple[str, ...]:
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
    profiles = [_profile(s) for s in statements]
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


def _first_apart(profiles: Sequence[_Profile], group: list[int]) -> tuple[int, int, str] | None:
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


def _candidate_pairs(profiles: Sequence[_Profile], threshold: float) -> set[tuple[int, int]]:
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


def _acronym_pairs(profiles: Sequence[_Profile]) -> set[tuple[int, int]]:
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
