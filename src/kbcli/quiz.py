"""`kb quiz`'s questions: the seed page's "Test Your Understanding", from the KB alone.

Three kinds, as on the seed page:
- **entities**: "Which of these is a key claim of <concept>?" One of the concept's claims
  and distractors from other concepts' claims. A distractor is never a claim of the
  concept, nor one that reads like any of its claims (`similarity`: the seed repeats
  claims across pages), so exactly one choice is true. And "Which of these claims
  involves <entity>?" for the names claims write (`kbcli.entities`).
- **timeline**: "Put these in the order they happened": three or four claims with a
  `when` (see `kbcli.when`), chosen so that no two overlap in time (2026 and 2026-04
  could be either way round), so there is exactly one right order.
- **speed**: "Which concept is this?" for an alias, or for the first sentence of a
  summary with the concept's own names masked; the choices are concept titles. An alias
  another concept also answers to is never asked.

Everything is a function of the pages and the seed: candidates are listed in page and
claim order, and one `random.Random(seed)` picks and shuffles them, so the same KB and
seed give the same quiz byte for byte. The core neither prints nor asks: `commands/quiz.py`
does that.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.errors import EXIT_FINDINGS, KbError, Refused

KINDS = ("entities", "timeline", "speed")
CHOICES = 4  # at most, the right one included
TIMELINE_MIN = 3  # events in one timeline question
MASK = "_____"
JSON_VERSION = 1
# Where a sentence may end: . ! or ? and spaces, or a CJK full stop, which needs no space
# after it (`_first_sentence` checks what follows: a capital of any script, a digit...).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[\u3002\uff01\uff1f])")

Concepts = Mapping[str, Mapping[str, Any]]  # id -> the page's (validated) data


@dataclass(frozen=True)
class Question:
    kind: str
    prompt: str
    choices: tuple[str, ...]
    answer: str | tuple[str, ...]  # timeline: the choices in the right order
    explanation: tuple[str, ...]  # its lines: page text may hold line breaks of its own
    page: str  # the concept the question comes from (timeline: its earliest event's)
    claim: str | None  # the claim it comes from; None for a speed question

    def to_json(self) -> dict[str, Any]:
        answer = list(self.answer) if isinstance(self.answer, tuple) else self.answer
        return {
            "kind": self.kind,
            "prompt": self.prompt,
            "choices": list(self.choices),
            "answer": answer,
            "explanation": "\n".join(self.explanation),
            "source": {"page": self.page, "claim": self.claim},
        }


@dataclass(frozen=True)
class Quiz:
    seed: int
    questions: tuple[Question, ...]
    notes: tuple[str, ...]  # kinds that had too little to ask, for the curator

    def to_json(self) -> dict[str, Any]:
        questions = [q.to_json() for q in self.questions]
        return {"version": JSON_VERSION, "seed": self.seed, "questions": questions}


def load_concepts(root: Path, config: Config) -> dict[str, dict[str, Any]]:
    """Every concept page that validates, by id (a redirect is no concept of its own)."""
    from kbcli.kb import list_pages, page_data

    concepts: dict[str, dict[str, Any]] = {}
    for ref in list_pages(root):
        if ref.kind == "concept" and ref.id not in concepts:
            try:
                data = page_data(root, config, ref)
            except KbError as exc:
                if exc.message.startswith("Y008 "):  # a stray entry is a finding: exit 1,
                    exc.exit_code = EXIT_FINDINGS  # as in every command that lists pages
                raise
            if not data.get("redirect"):
                concepts[ref.id] = data
    return concepts


def make_quiz(
    concepts: Concepts,
    *,
    seed: int,
    count: int,
    kinds: Sequence[str] = KINDS,
    concept: str | None = None,
) -> Quiz:
    """Up to `count` questions of `kinds`, about `concept` if given; Refused (exit 1) with
    what is missing when the KB gives no question at all."""
    if count < 1:
        raise KbError(f"--count must be at least 1, not {count}")
    if concept is not None and concept not in concepts:
        raise KbError(f"no concept '{concept}' to quiz on (or it is a redirect)")
    rng = random.Random(seed)
    # Each kind's questions come in random order, made one at a time: a 5-question quiz
    # costs five questions' work, however large the KB.
    streams = [_MAKERS[kind](concepts, concept, rng) for kind in kinds]
    firsts = [next(stream, None) for stream in streams]
    notes = [
        _too_little(k, concepts, concept) for k, q in zip(kinds, firsts, strict=True) if q is None
    ]
    questions = _interleave(streams, firsts, count)
    if not questions:
        raise Refused("; ".join(notes))
    return Quiz(seed, tuple(questions), tuple(notes))


def _interleave(
    streams: Sequence[Iterator[Question]], firsts: Sequence[Question | None], count: int
) -> list[Question]:
    """The kinds taken in turns, so a mixed quiz mixes its kinds."""
    out = [q for q in firsts if q is not None][:count]
    live = [s for s, q in zip(streams, firsts, strict=True) if q is not None]
    while len(out) < count and live:
        for stream in list(live):
            question = next(stream, None) if len(out) < count else None
            if question is None:
                live.remove(stream)
            else:
                out.append(question)
    return out


def pick(
    rng: random.Random, items: Sequence[str], fits: Callable[[int], bool], count: int
) -> list[str]:
    """Up to `count` of `items` (by index) that `fits` accepts, at random, one per text
    however it is cased or punctuated; a lazy shuffle, so only as many are tried as it
    takes."""
    from kbcli.similarity import normalise

    order = list(range(len(items)))
    out: dict[str, str] = {}
    for n in range(len(order)):
        j = rng.randrange(n, len(order))
        order[n], order[j] = order[j], order[n]
        i = order[n]
        if normalise(items[i]) not in out and fits(i):
            out[normalise(items[i])] = items[i]
            if len(out) == count:
                break
    return list(out.values())


def _too_little(kind: str, concepts: Concepts, concept: str | None) -> str:
    about = f"concept '{concept}'" if concept else "this KB"
    who = f"concept '{concept}'" if concept else "a concept"  # the one a question is about
    if kind == "timeline":
        dated = [c["when"] for c in _claims(concepts, concept) if "when" in c]
        apart = _most_apart(dated)
        how = ""
        if dated and apart < TIMELINE_MIN:  # enough dates, but they overlap: say so
            how = ", which all overlap" if apart == 1 else f", at most {apart} of them apart"
        return (
            f"no timeline question: it needs {TIMELINE_MIN} claims with a `when` that do not "
            f"overlap in time, and {about} has {len(dated)} dated claim(s){how} "
            "(add dates with kb add-claim --when)"
        )
    if kind == "entities":
        return (
            f"no entities question: it needs {who} with claims and another concept whose "
            "claims say something different, or a claim naming an organisation, person, "
            "model or paper and another claim that does not"
        )
    return (
        f"no speed question: it needs {who} with an alias only it answers to, or a summary "
        "whose first sentence names it, and another concept to choose from"
    )


def _most_apart(values: Sequence[object]) -> int:
    """How many of the `when` values at most do not overlap (earliest end first, greedily)."""
    from kbcli.when import parse_when

    extents = []
    for value in values:
        try:
            extents.append(parse_when(value))
        except KbError:  # C010's to report
            continue
    count, last = 0, None
    for when in sorted(extents, key=lambda w: w.end):
        if last is None or when.start > last:
            count, last = count + 1, when.end
    return count


def _claims(concepts: Concepts, concept: str | None) -> list[Mapping[str, Any]]:
    pages = [concepts[concept]] if concept else list(concepts.values())
    return [claim for page in pages for claim in page["claims"]]


# -- entities --------------------------------------------------------------------------


def _entities(concepts: Concepts, concept: str | None, rng: random.Random) -> Iterator[Question]:
    every = [(page_id, c["statement"]) for page_id, p in concepts.items() for c in p["claims"]]
    texts = [text for _, text in every]
    asked = [(p, c) for p in ([concept] if concept else concepts) for c in concepts[p]["claims"]]
    rng.shuffle(asked)
    barren = set()  # concepts with no distractor: never searched twice
    for page_id, claim in asked:
        page = concepts[page_id]
        if page_id in barren:
            continue
        fits = _not_of(page_id, page, every)
        # one choice per claim however it is cased or punctuated (C001 asks to merge them)
        wrong = pick(rng, texts, fits, CHOICES - 1)
        if not wrong:
            barren.add(page_id)
        else:
            choices = [claim["statement"], *wrong]
            rng.shuffle(choices)
            yield Question(
                "entities",
                f"Which of these is a key claim of {page['title']}?",
                tuple(choices),
                claim["statement"],
                (f"{page['title']}: {explain(page, claim)}",),
                page_id,
                claim["id"],
            )


def _not_of(
    page_id: str, page: Mapping[str, Any], every: Sequence[tuple[str, str]]
) -> Callable[[int], bool]:
    """Whether `every[i]` is another concept's claim that cannot be mistaken for one of
    this one's ("Alpha is older" is true of Alpha)."""
    from kbcli.similarity import DEFAULT_THRESHOLD, normalise, similarity

    own = [c["statement"] for c in page["claims"]]
    said = {normalise(text) for text in own}
    # its names; a short id ("a", "ai") is an ordinary word, as in `_definition`
    named = names_pattern([n for n in concept_names(page_id, page) if n != page_id or len(n) >= 4])

    def fits(i: int) -> bool:
        other, text = every[i]
        return (
            other != page_id
            and named.search(text) is None
            and normalise(text) not in said
            and all(similarity(text, mine) < DEFAULT_THRESHOLD for mine in own)
        )

    return fits


def explain(page: Mapping[str, Any], claim: Mapping[str, Any], dated: bool = True) -> str:
    """The claim's statement, evidence level (and when) and sources, as a reader checks
    them; `dated` False leaves the when to the caller (a timeline leads with it)."""
    titles = {s["id"]: s["title"] for s in page.get("sources", [])}
    sources = "; ".join(titles.get(s, s) for s in claim["sources"])
    when = f"; when: {claim['when']}" if dated and "when" in claim else ""
    return (
        f"{claim['statement']} (evidence: {claim['evidence']}{when}; source: {sources}; "
        f"{page['id']}#{claim['id']})"
    )


# -- timeline --------------------------------------------------------------------------


def _timeline(concepts: Concepts, concept: str | None, rng: random.Random) -> Iterator[Question]:
    from kbcli.similarity import DEFAULT_THRESHOLD, normalise, similarity
    from kbcli.when import When, parse_when

    dated: dict[str, list[tuple[When, str, Mapping[str, Any]]]] = {}
    for page_id in [concept] if concept else list(concepts):
        for claim in concepts[page_id]["claims"]:
            try:
                when = parse_when(claim["when"]) if "when" in claim else None
            except KbError:  # 2026-02-30: kb lint reports it (C010); it cannot be placed
                when = None
            if when is not None:
                dated.setdefault(normalise(claim["statement"]), []).append((when, page_id, claim))
    # One statement dated twice alike (the seed repeats claims across pages) is one event;
    # dated differently, it cannot be placed, so it is not asked.
    events = [group[0] for group in dated.values() if len({e[0] for e in group}) == 1]
    seen: set[tuple[str, ...]] = set()
    for _ in range(len(events)):  # one attempt per event: enough variety, bounded work
        order = list(range(len(events)))
        rng.shuffle(order)
        chosen: list[int] = []
        for i in order:
            when, text = events[i][0], events[i][2]["statement"]
            # two wordings of one claim, dated apart, are no two events to order
            if all(
                _apart(when, events[j][0])
                and similarity(text, events[j][2]["statement"]) < DEFAULT_THRESHOLD
                for j in chosen
            ):
                chosen.append(i)
            if len(chosen) == CHOICES:
                break
        if len(chosen) < TIMELINE_MIN:
            continue  # this draw started with events that overlap too many others
        ordered = sorted(chosen, key=lambda i: events[i][0])
        key = tuple(f"{events[i][1]}#{events[i][2]['id']}" for i in ordered)
        if key in seen:
            continue
        seen.add(key)
        answer = tuple(events[i][2]["statement"] for i in ordered)
        lines = [
            f"{events[i][0].text}: {explain(concepts[events[i][1]], events[i][2], dated=False)}"
            for i in ordered
        ]
        yield Question(
            "timeline",
            "Put these in the order they happened, earliest first.",
            tuple(events[i][2]["statement"] for i in chosen),
            answer,
            tuple(f"{n}. {line}" for n, line in enumerate(lines, 1)),
            events[ordered[0]][1],
            events[ordered[0]][2]["id"],
        )


def _apart(a: Any, b: Any) -> bool:
    """Two `When`s that do not overlap, so only one order is right."""
    return bool(a.end < b.start or b.end < a.start)


# -- speed -----------------------------------------------------------------------------


def _speed(concepts: Concepts, concept: str | None, rng: random.Random) -> Iterator[Question]:
    from kbcli.similarity import normalise

    owners: dict[str, set[str]] = {}  # every name -> the concepts answering to it
    for page_id, page in concepts.items():
        for name in concept_names(page_id, page):
            owners.setdefault(normalise(name), set()).add(page_id)
    definitions = {page_id: _definition(page_id, page) for page_id, page in concepts.items()}
    said = Counter(normalise(d) for d in definitions.values() if d is not None)
    titles = {normalise(page["title"]): page["title"] for page in list(concepts.values())[::-1]}
    asked = [concept] if concept else list(concepts)
    rng.shuffle(asked)
    for page_id in asked:
        page = concepts[page_id]
        mine = normalise(page["title"])
        others = [t for key, t in titles.items() if key != mine]
        if not others:
            return
        clues = [
            (f"Which concept is also known as \u201c{alias}\u201d?", f"alias \u201c{alias}\u201d")
            for alias in page.get("aliases", [])
            if owners.get(normalise(alias)) == {page_id}
        ]
        definition = definitions[page_id]
        # "_____ is a thing." said of two concepts would have two right answers
        if definition is not None and said[normalise(definition)] == 1:
            clues.append((f"Which concept is this? \u201c{definition}\u201d", "summary"))
        for prompt, what in clues:
            choices = [page["title"], *rng.sample(others, min(CHOICES - 1, len(others)))]
            rng.shuffle(choices)
            first = _first_sentence(page["summary"])
            yield Question(
                "speed",
                prompt,
                tuple(choices),
                page["title"],
                (f"{page['title']} ({page_id}), from its {what}: {first}",),
                page_id,
                None,
            )


def concept_names(page_id: str, page: Mapping[str, Any]) -> list[str]:
    return [page_id, page["title"], *page.get("aliases", [])]


def name_regex(name: str) -> str:
    """A name as a whole-word pattern, its words joined by spaces or hyphens. CJK text
    has no spaces between words ("自然语言处理研究..."): a CJK edge needs no boundary."""
    words = name.replace("-", " ").split()
    pattern = r"[\s\-]+".join(re.escape(w) for w in words)
    before = "" if _wide(words[0][0]) else r"(?<!\w)"
    after = "" if _wide(words[-1][-1]) else r"(?!\w)"
    return before + pattern + after


def _wide(char: str) -> bool:
    """A CJK character (ideographs, kana, hangul, their punctuation): written without
    spaces between words."""
    import unicodedata

    return unicodedata.east_asian_width(char) in ("W", "F")


def names_pattern(names: Sequence[str]) -> re.Pattern[str]:
    """Any of the names, as words, in any case."""
    return re.compile("|".join(name_regex(n) for n in names if n.strip()), re.IGNORECASE)


def _first_sentence(summary: str) -> str:
    text = " ".join(summary.split())
    for end in _SENTENCE_END.finditer(text):
        following = text[end.end() : end.end() + 1]
        if following and (not following.isalpha() or following.isupper() or _wide(following)):
            return text[: end.start()]
    return text


def _definition(page_id: str, page: Mapping[str, Any]) -> str | None:
    """The summary's first sentence with the concept's names masked; None when it is a
    placeholder or has nothing left once masked."""
    sentence = _first_sentence(page["summary"])
    if sentence.startswith("TODO:"):
        return None
    names = {page["title"], *page.get("aliases", [])}
    if len(page_id) >= 4:  # a short id ("a", "ai") would mask ordinary words
        names.add(page_id.replace("-", " "))
    # longest first ("mech interp" before "mech"), then by text: never the hash order
    for name in sorted(names, key=lambda n: (-len(n), n)):
        sentence = re.sub(name_regex(name), MASK, sentence, flags=re.IGNORECASE)
    left = {word.lower() for word in re.findall(r"\w+", sentence.replace(MASK, " "))}
    # No mask: the sentence never names the concept ("Interpretability is a prerequisite
    # for verifying alignment.") and may fit another choice as well. A word of the title
    # left unmasked ("_____, or chain-of-thought prompting, ...") gives the answer away.
    # "_____ is the _____." (an alias masked too) gives nothing to go on.
    title_words = {w.lower() for w in re.findall(r"\w+", page["title"]) if len(w) >= 4}
    if MASK not in sentence or left & title_words or not any(len(w) >= 4 for w in left):
        return None
    return sentence


def _all_entities(
    concepts: Concepts, concept: str | None, rng: random.Random
) -> Iterator[Question]:
    """Both variants: claim -> concept, and entity -> claim."""
    from kbcli.entities import entity_questions

    streams = [_entities(concepts, concept, rng), entity_questions(concepts, concept, rng)]
    while streams:  # the two mixed at random, as they come
        stream = streams[rng.randrange(len(streams))]
        question = next(stream, None)
        if question is None:
            streams.remove(stream)
        else:
            yield question


_MAKERS = {"entities": _all_entities, "timeline": _timeline, "speed": _speed}
