"""The entities a KB's claims name: organisations, people, models, papers ("Anthropic",
"MIT Technology Review", "Claude 3 Sonnet", "Chris Olah", "GPT-4"), for `kb quiz`'s
"Which of these claims involves <entity>?".

No list of names: the KB's own prose tells a name from an ordinary word. English
capitalises a name wherever it stands, an ordinary word only at the start of a sentence.
So, in a claim's statement and detail, an entity is a run of capitalised words (with a
small number inside: "Claude 3 Sonnet") that
- has two or more capitalised words that do not start a sentence ("MIT Technology
  Review", "Transformer Circuits Thread"), or
- holds a word shaped like a name: a capital inside a word of five letters or more
  ("OpenAI", "DeepMind") or a digit ("GPT-4"), or
- holds a word that is never written in lower case anywhere in the KB (summaries,
  sections, claims, questions, notes) and is written capitalised mid-sentence somewhere,
  or opens two different sentences and does not read like a verb or adverb ("-ing",
  "-ed", "-ly"): "Anthropic", but not "Applied" or "Named".
A word that opens a sentence and is also written in lower case ("Sparse autoencoders")
is dropped from the front of a run. A lone acronym of four letters or fewer ("AI", "LLM",
"CoT") names a topic more often than an entity, and a concept's own name is the concept
quiz's business: neither is an entity here; nor is a month or weekday, a shouted sentence
("RESULTS WERE STRONG") or a web address.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from kbcli.quiz import (
    CHOICES,
    Concepts,
    Question,
    concept_names,
    explain,
    name_regex,
    names_pattern,
    pick,
)

# A word: letters and digits, with inner hyphens, dots and apostrophes ("GPT-4", "3.5",
# "O'Neil"); a possessive "'s" is cut off and ends a run ("Anthropic's microscope").
_WORD = re.compile(r"[^\W_](?:[\w.'\u2019-]*[^\W_])?")
_POSSESSIVE = ("'s", "\u2019s")
_SMALL_NUMBER = re.compile(r"^\d{1,2}(?:\.\d)?$")  # "Claude 3", "GPT 3.5"; never a year
# Function words, quantifiers and small numbers, which open sentences ("The", "Four
# technique categories") and which a short KB may never happen to write in lower case.
_FUNCTION = frozenset(
    {
        "a",
        "all",
        "an",
        "and",
        "any",
        "as",
        "at",
        "both",
        "but",
        "by",
        "each",
        "every",
        "few",
        "for",
        "from",
        "he",
        "her",
        "his",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "many",
        "more",
        "most",
        "much",
        "no",
        "none",
        "nor",
        "not",
        "of",
        "on",
        "one",
        "only",
        "or",
        "other",
        "our",
        "several",
        "she",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "with",
        "you",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "third",
        "last",
        "new",
        # sentence adverbs and prepositions ("However Anthropic ...", "Despite OpenAI ...")
        "about",
        "after",
        "against",
        "also",
        "although",
        "among",
        "because",
        "before",
        "between",
        "despite",
        "during",
        "even",
        "however",
        "if",
        "instead",
        "like",
        "meanwhile",
        "moreover",
        "once",
        "since",
        "still",
        "therefore",
        "though",
        "through",
        "thus",
        "under",
        "unlike",
        "unless",
        "until",
        "via",
        "within",
        "without",
        "yet",
    }
)
# Capitalised in English and no entity: months and weekdays break a run as a lower-case
# word does ("In January the labs met on Monday").
_CALENDAR = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)  # "Example.org/Research": no name


class _Token(NamedTuple):  # a tuple: a KB's prose has a million words
    text: str  # the word, possessive cut off
    start: bool  # opens a sentence
    joins: bool  # only one space separates it from the next word
    possessive: bool


def _tokens(text: str) -> Iterator[_Token]:
    """The words of `text`, each with whether it opens a sentence and joins the next."""
    text = _URL.sub(" ", text) if "://" in text or "www." in text else text
    matches = list(_WORD.finditer(text))
    last = len(matches) - 1
    end = 0
    for i, match in enumerate(matches):
        # what stands between this word and the last (a slice per word: never quadratic)
        between = text[end : match.start()].rstrip()
        start = between[-1:] in (".", "!", "?") if between or i else True
        end = match.end()
        word = match[0]
        possessive = word.endswith(_POSSESSIVE)
        if possessive:
            word = word[:-2]
        joins = i < last and not possessive and matches[i + 1].start() == end + 1
        yield _Token(word, start, joins and text[end] == " ", possessive)


def _capital(word: str) -> bool:
    return word[0].isupper()


@dataclass(frozen=True)
class _Usage:
    """How the KB writes its words: which it writes in lower case, which capitalised
    mid-sentence, and how many different sentences each opens."""

    lower: frozenset[str]
    mid: frozenset[str]
    opens: Mapping[str, int]


def _usage(texts: Iterable[str]) -> _Usage:
    lower: set[str] = set()
    mid: set[str] = set()
    opens: Counter[str] = Counter()
    for text in dict.fromkeys(texts):  # a text repeated on two pages counts once
        for token in _tokens(text):
            if not _capital(token.text):
                lower.add(token.text.lower())
            elif token.start:
                opens[token.text] += 1
            else:
                mid.add(token.text)
    return _Usage(frozenset(lower), frozenset(mid), opens)


def _shaped(word: str) -> bool:
    """A word shaped like a name wherever it stands: "OpenAI", "GPT-4"."""
    inner = len(word) >= 5 and any(c.islower() for c in word) and any(c.isupper() for c in word[1:])
    digit = any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
    return _capital(word) and (inner or digit)


def _acronym(word: str) -> bool:
    """A short word of capitals ("AI", "LLM", "CoT", "SAEs"), with no digit ("GPT-4")."""
    capitals = sum(c.isupper() for c in word)
    return len(word) <= 4 and capitals >= 2 and not any(c.isdigit() for c in word)


def _proper(word: str, usage: _Usage) -> bool:
    """A capitalised word the KB only ever writes capitalised, and not only to open one
    sentence."""
    if not _capital(word) or word.lower() in usage.lower or word.lower() in _FUNCTION:
        return False
    return word in usage.mid or (usage.opens.get(word, 0) >= 2 and not _verbish(word))


def _opens_a_name(run: Sequence[_Token], usage: _Usage) -> bool:
    """Whether a run's first word, opening a sentence, is part of the name: a name on its
    own, or ahead of another capitalised word and never written in lower case ("Chris
    Olah showed ...", but not "Sparse Autoencoders ...")."""
    word = run[0].text
    if _shaped(word) or _proper(word, usage):
        return True
    followed = len(run) > 1 and _capital(run[1].text)
    ordinary = word.lower() in usage.lower or word.lower() in _FUNCTION
    return followed and _capital(word) and not ordinary and not _verbish(word)


def _verbish(word: str) -> bool:
    return word.lower().endswith(("ing", "ed", "ly"))


def _runs(text: str) -> Iterator[list[_Token]]:
    """Runs of capitalised words (small numbers inside), one space apart."""
    run: list[_Token] = []
    for token in _tokens(text):
        if (_capital(token.text) and token.text.lower() not in _CALENDAR) or (
            run and _SMALL_NUMBER.match(token.text)
        ):
            run.append(token)
        else:
            if run:
                yield run
            run = []
            continue
        if not token.joins:
            yield run
            run = []
    if run:
        yield run


def names_in(text: str, usage: _Usage) -> list[str]:
    """The entities `text` names, in the order it names them."""
    found = []
    for run in _runs(text):
        # "Sparse autoencoders", "The Transformer Circuits Thread": an ordinary word that
        # opens a sentence is no part of a name
        while run and run[0].start and not _opens_a_name(run, usage):
            run = run[1:]
        words = [t.text for t in run]
        if not words or not _capital(words[0]):
            continue
        capitals = [w for w in words if _capital(w)]
        if len(capitals) == 1 and _acronym(words[0]):
            continue  # "AI", "LLM", "CoT" alone: a topic
        if all(w.isupper() for w in words) and sum(len(w) >= 4 for w in words) >= 2:
            continue  # "RESULTS WERE STRONG": a shouted sentence, not "NASA JPL"
        if len([t for t in run if _capital(t.text) and not t.start]) >= 2 or any(
            _shaped(w) or _proper(w, usage) for w in capitals
        ):
            found.append(" ".join(words))
    return list(dict.fromkeys(found))


def kb_texts(concepts: Mapping[str, Mapping[str, Any]]) -> Iterator[str]:
    """Every piece of prose a KB writes: what tells a name from an ordinary word."""
    for page in concepts.values():
        yield page.get("summary", "")
        for section in page.get("sections", []):
            yield section.get("body", "")
        for claim in page.get("claims", []):
            yield claim["statement"]
            yield claim.get("detail", "")
        yield from page.get("open_questions", [])
        for related in page.get("related", []):
            yield related.get("note", "")


def claim_entities(
    concepts: Mapping[str, Mapping[str, Any]], concept_names: Sequence[str]
) -> dict[tuple[str, str], list[str]]:
    """(page id, claim id) -> the entities the claim names (statement, then detail), in
    page and claim order; a concept's own name (title, alias) is not an entity."""
    usage = _usage(kb_texts(concepts))
    concept_keys = {n.casefold().replace("-", " ") for n in concept_names}
    out: dict[tuple[str, str], list[str]] = {}
    for page_id, page in concepts.items():
        for claim in page["claims"]:
            text = f"{claim['statement']}. {claim.get('detail', '')}"
            names = [
                n
                for n in names_in(text, usage)
                if n.casefold().replace("-", " ") not in concept_keys
            ]
            if names:
                out[(page_id, claim["id"])] = names
    return out


# -- the question: which of these claims involves <entity>? ---------------------------


def entity_questions(
    concepts: Concepts, concept: str | None, rng: random.Random
) -> Iterator[Question]:
    """Questions "Which of these claims involves <entity>?", one per entity a claim names
    (about `concept`'s claims if given). The entity is the key, so distractors may come
    from the same concept; `_distractors` keeps every one that could also be right out."""
    from kbcli.similarity import normalise

    names = [n for page_id, page in concepts.items() for n in concept_names(page_id, page)]
    found = claim_entities(concepts, names)
    every = list(dict.fromkeys(n for ns in found.values() for n in ns))
    claims = [
        (_text(page, c), _cites(page, c), c) for page in concepts.values() for c in page["claims"]
    ]
    # every (claim, entity) pair, in random order: the quiz takes the first few it needs
    pairs = [(key, e) for key, es in found.items() if concept in (None, key[0]) for e in es]
    rng.shuffle(pairs)
    asked: set[tuple[str, str]] = set()
    barren: set[str] = set()  # entities with no distractor: never searched twice
    for (page_id, claim_id), entity in pairs:
        page = concepts[page_id]
        claim = next(c for c in page["claims"] if c["id"] == claim_id)
        key = (entity.casefold(), normalise(claim["statement"]))
        # the seed repeats a claim on two pages: one question
        if key not in asked and entity.casefold() not in barren:
            asked.add(key)
            # "Claude" and "Claude 3 Sonnet": a claim naming either may be about both
            named = names_pattern([n for n in every if _overlap(n, entity)])
            pool = _distractors(named, claims, rng)
            if not pool:
                barren.add(entity.casefold())
                continue
            choices = [claim["statement"], *pool]
            rng.shuffle(choices)
            where = "statement" if named.search(claim["statement"]) else "detail"
            said = f": {claim['detail'].rstrip('.')}" if where == "detail" else ""
            yield Question(
                "entities",
                f"Which of these claims involves {entity}?",
                tuple(choices),
                claim["statement"],
                (
                    f"{page['title']}: {explain(page, claim)}",
                    f"It names {entity} in its {where}{said}.",
                ),
                page_id,
                claim_id,
            )


def _overlap(one: str, other: str) -> bool:
    """Whether one name holds the other, as whole words, in any case."""
    return bool(
        re.search(name_regex(one), other, re.IGNORECASE)
        or re.search(name_regex(other), one, re.IGNORECASE)
    )


_Claim = tuple[str, frozenset[str], Mapping[str, Any]]  # its text, its sources, the claim


def _distractors(named: re.Pattern[str], claims: Sequence[_Claim], rng: random.Random) -> list[str]:
    """The statements that cannot be about the entity `named` matches: none names it in
    its statement, detail or sources' titles ("Anthropic Circuit Tracing"), reads like a
    claim that does, or cites a source such a claim cites (what the KB knows of the
    entity comes from there, and the rest of that source may be about it too: the
    Transformer Circuits Thread "progressed ... through sparse autoencoders"). Up to
    three, at random, one per claim however it is cased or punctuated."""
    from kbcli.similarity import DEFAULT_THRESHOLD, normalise, similarity

    naming = [(c["statement"], cites) for text, cites, c in claims if named.search(text)]
    sources = {title for _, cites in naming for title in cites}
    said = {normalise(n) for n, _ in naming}

    def fits(i: int) -> bool:
        text, cites, claim = claims[i]
        return (
            named.search(text) is None
            and not sources & cites
            and normalise(claim["statement"]) not in said
            and all(similarity(claim["statement"], n) < DEFAULT_THRESHOLD for n, _ in naming)
        )

    return pick(rng, [c["statement"] for _, _, c in claims], fits, CHOICES - 1)


def _cites(page: Mapping[str, Any], claim: Mapping[str, Any]) -> frozenset[str]:
    """The titles of the sources a claim cites, as keys (a source has an id per page)."""
    titles = {s["id"]: s["title"] for s in page.get("sources", [])}
    return frozenset(" ".join(titles.get(s, s).casefold().split()) for s in claim["sources"])


def _text(page: Mapping[str, Any], claim: Mapping[str, Any]) -> str:
    """What a claim says and whom it cites: its statement, detail and sources' titles."""
    titles = {s["id"]: s["title"] for s in page.get("sources", [])}
    cited = ". ".join(titles.get(s, s) for s in claim["sources"])
    return f"{claim['statement']}. {claim.get('detail', '')}. {cited}"
