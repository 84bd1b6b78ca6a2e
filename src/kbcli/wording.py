"""How a claim statement reads to the comparison: its normal form and its words.

Text is compared after `normalise` (Unicode NFKC, so full-width letters, digits,
punctuation and spaces are the plain ones; case, quotes, dashes, spacing, final
punctuation). Words are stemmed lightly, British spellings meet American ones, and text in
scripts written without spaces (Chinese, Japanese) is read as overlapping character pairs,
so that such statements compare at all.

A statement's `Profile` holds what `similarity` compares: its content words' stems,
numbers (one spelling per value), negators, acronyms, the words as written, and the keys
by which candidate pairs are found without scoring every pair.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kbcli import lexicon

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
# Scripts ASCII folding cannot spell, by the tag a claim id gets for them (slug.py).
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
NUMBER = re.compile(r"\d")
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
QUALIFIER_STEMS = _stems(lexicon.QUALIFIERS)


def _groups_of(groups: Iterable[Iterable[str]]) -> dict[str, frozenset[int]]:
    found: dict[str, set[int]] = {}
    for n, words in enumerate(groups):
        for word in words:
            found.setdefault(stem(word), set()).add(n)
    return {w: frozenset(g) for w, g in found.items()}


SYNONYM_GROUPS = _groups_of(lexicon.SYNONYMS)
# An antonym group n has two ends, 2n and 2n + 1.
ANTONYM_ENDS = _groups_of(end for pair in lexicon.ANTONYMS for end in pair)


@dataclass(frozen=True)
class Profile:
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
def profile(statement: str) -> Profile:
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
    return Profile(
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
        for key in ("#",) if word[0].isdigit() else word_keys(word):
            # Most keys have one word: a frozenset of it, made once and only then.
            held = keyed.get(key)
            keyed[key] = frozenset((word,)) if held is None else held | {word}
    return keyed


def pairable(a: Profile, b: Profile) -> int:
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
    if NUMBER.match(word):  # numbers that differ are found, as contradictions
        return "#" + str(len(re.split(r"[.,]", word)[0]))
    if word in ANTONYM_ENDS:
        return f"a{min(ANTONYM_ENDS[word]) >> 1}"
    if word in SYNONYM_GROUPS:
        return f"s{min(SYNONYM_GROUPS[word])}"
    if word.startswith(_NEGATING):
        for prefix in _NEGATING:
            if word.startswith(prefix) and len(word) - len(prefix) >= 5:
                word = word[len(prefix) :]
                break
    return "~" + word[:5]


@functools.lru_cache(maxsize=1 << 16)
def word_keys(word: str) -> frozenset[str]:
    keys = {"~" + word[:4]}
    if word in SYNONYM_GROUPS:
        keys.update(f"s{g}" for g in SYNONYM_GROUPS[word])
    if word in ANTONYM_ENDS:
        keys.update(f"a{e >> 1}" for e in ANTONYM_ENDS[word])
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
