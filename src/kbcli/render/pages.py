"""What each page of the rendered site says, before it is HTML or Markdown.

A page is a title and blocks (paragraphs, bullet lists, sections) of spans of text; a span
may link to another page of the site (a `Target`, made relative by the writer) or to an
http(s) address. Both writers (`html.py`, `markdown.py`) walk the same blocks, so the two
formats always hold the same sections in the same order, and links are checked once here
by construction: a link is made only to a page that is rendered and an anchor it has.

A concept page follows the seed page: title, status, summary, Key Claims (once), the
sections, Open Questions, Related Concepts, Backlinks, Changelog, Theses that depend on
this concept. Every one of these headings is present even when it has nothing under it,
so readers find things in the same place on every page. Text is always text: Markdown in
a section body is shown as written, never interpreted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kbcli.render.model import CURRENT, CitationState, KbView, claim_target

THESES_NOTE = (
    "These research positions cite this concept in their evidence. If the concept changes "
    "materially, these theses may need re-scoring."
)


@dataclass(frozen=True)
class Target:
    """A page of the site (`concepts/<id>`, without a suffix) and an anchor on it."""

    page: str
    anchor: str | None = None


@dataclass(frozen=True)
class Span:
    text: str
    href: Target | str | None = None  # a str is an http(s) address
    style: str | None = None  # a class name: strong, muted, evidence-*, status-*


@dataclass(frozen=True)
class Para:
    spans: tuple[Span, ...]
    style: str | None = None


@dataclass(frozen=True)
class Item:
    spans: tuple[Span, ...]
    anchor: str | None = None


@dataclass(frozen=True)
class Bullets:
    items: tuple[Item, ...]
    style: str | None = None


@dataclass(frozen=True)
class Section:
    anchor: str
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Details:
    """Shown when the reader opens it: a quiz's answer (`<details>`, no JavaScript)."""

    summary: str
    blocks: tuple[Block, ...]


Block = Para | Bullets | Section | Details


@dataclass(frozen=True)
class Page:
    path: str  # e.g. `concepts/circuit-tracing`; the writer adds the suffix
    title: str
    blocks: tuple[Block, ...]
    up: Target | None = None  # the index, linked above the title


INDEX = "index"
_ANCHOR_WORD = re.compile(r"[a-z0-9]+")


def concept_path(concept: str) -> str:
    return f"concepts/{concept}"


def thesis_path(thesis: str) -> str:
    return f"theses/{thesis}"


def quiz_path(concept: str | None) -> str:
    """A concept's quiz page, or (None) the whole KB's."""
    return "quiz" if concept is None else f"quizzes/{concept}"


def claim_anchor(claim: str) -> str:
    return f"claim-{claim}"


def _text(text: str, style: str | None = None) -> Span:
    return Span(text, None, style)


def _paragraphs(body: str) -> list[Para]:
    return [Para((_text(" ".join(p.split())),)) for p in body.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Site:
    """Every page's data (validated) and the KB's links."""

    view: KbView
    concepts: dict[str, dict[str, Any]]
    theses: dict[str, dict[str, Any]]

    def concept_link(self, concept: str) -> Span:
        if concept not in self.concepts:
            return _text(f"{concept} (no such concept)", "muted")
        return Span(self.concepts[concept]["title"], Target(concept_path(concept)))

    def claim_link(self, concept: str, claim: str) -> Span:
        data = self.concepts.get(concept)
        target = claim_target(data, claim) if data is not None else None
        if target is None:
            return _text(f"{claim} (no such claim)", "muted")
        return Span(claim, Target(concept_path(concept), claim_anchor(target)))

    def thesis_link(self, thesis: str) -> Span:
        return Span(self.theses[thesis]["title"], Target(thesis_path(thesis)))


# -- a concept -------------------------------------------------------------------------


def concept_page(site: Site, concept: str) -> Page:
    data = site.concepts[concept]
    blocks: list[Block] = []
    if data.get("status"):
        blocks.append(Para((_text(data["status"]),), style="status"))
    if data.get("aliases"):
        blocks.append(Para((_text("Also known as: " + ", ".join(data["aliases"])),)))
    if data.get("redirect"):
        blocks.append(Para((_text("Merged into "), site.concept_link(data["redirect"]))))
    blocks += _paragraphs(data["summary"])
    blocks.append(_claims(data, concept_path(concept)))
    blocks += _sections(data.get("sections", []))
    blocks.append(_list_section("open-questions", "Open Questions", _questions(data)))
    blocks.append(_list_section("related-concepts", "Related Concepts", _related(site, data)))
    blocks.append(_backlinks(site, concept))
    blocks.append(_list_section("changelog", "Changelog", _changelog(data)))
    blocks.append(_theses(site, concept))
    blocks.append(_test_yourself(data, concept))
    return Page(concept_path(concept), data["title"], tuple(blocks), Target(INDEX))


def _test_yourself(data: dict[str, Any], concept: str | None) -> Section:
    """The seed page's closing section: a link to the quiz made from this page (or KB)."""
    heading = "Test Your Understanding"
    if data.get("redirect"):
        return Section("test-your-understanding", heading, (Para((_text("None.", "muted"),)),))
    about = f"on {data['title']}" if concept is not None else "on the whole knowledge base"
    link = Span(f"Quiz {about}", Target(quiz_path(concept)))
    what = _text(
        " \u2014 match claims to concepts, put dated claims in order, name a concept from "
        "its alias or definition"
    )
    return Section("test-your-understanding", heading, (Para((link, what)),))


def _list_section(anchor: str, heading: str, items: Sequence[Item]) -> Section:
    body: Block = Bullets(tuple(items)) if items else Para((_text("None.", "muted"),))
    return Section(anchor, heading, (body,))


def _claims(data: dict[str, Any], page: str) -> Section:
    sources = {s["id"]: s for s in data.get("sources", [])}
    items = [_claim(claim, sources, page) for claim in data["claims"]]
    body: Block = Bullets(tuple(items), "claims") if items else Para((_text("None.", "muted"),))
    return Section("key-claims", "Key Claims", (body,))


def _claim(claim: dict[str, Any], sources: dict[str, dict[str, Any]], page: str) -> Item:
    """Statement and detail, then the facts a reader weighs it by, one dot apart:
    evidence, when, sources, and the id a curator cites it by (linked to itself)."""
    spans = [_text(claim["statement"], "strong")]
    if claim.get("detail"):
        spans.append(_text(f" \u2014 {claim['detail']}"))
    evidence = claim["evidence"]
    spans += [_text(" "), _text(f"Evidence: {evidence}", f"evidence-{evidence}")]
    if "when" in claim:
        spans += [_DOT, _text(f"When: {claim['when']}")]
    for source_id in claim["sources"]:
        source = sources.get(source_id)
        spans.append(_DOT)
        spans.append(
            _text(source_id) if source is None else Span(source["title"], source.get("url"))
        )
    anchor = claim_anchor(claim["id"])
    spans += [_DOT, Span(f"id: {claim['id']}", Target(page, anchor), "claim-id")]
    return Item(tuple(spans), anchor)


_DOT = Span(" \u00b7 ")


def _sections(sections: Iterable[dict[str, Any]]) -> list[Section]:
    out: list[Section] = []
    taken: set[str] = set()
    for section in sections:
        words = _ANCHOR_WORD.findall(section["heading"].lower())
        anchor = base = "section-" + ("-".join(words) or "untitled")
        n = 1
        while anchor in taken:  # two sections of one heading still get an anchor each
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        out.append(Section(anchor, section["heading"], tuple(_paragraphs(section["body"]))))
    return out


def _questions(data: dict[str, Any]) -> list[Item]:
    return [Item((_text(q),)) for q in data.get("open_questions", [])]


def _related(site: Site, data: dict[str, Any]) -> list[Item]:
    items = []
    for related in data.get("related", []):
        spans = [site.concept_link(related["concept"])]
        if related.get("note"):
            spans.append(_text(f" \u2014 {related['note']}"))
        items.append(Item(tuple(spans)))
    return items


def _backlinks(site: Site, concept: str) -> Section:
    names = site.view.backlinks(concept)
    if not names:
        return Section("backlinks", "Backlinks", (Para((_text("None.", "muted"),)),))
    intro = Para((_text("Pages that reference this concept:"),))
    items = tuple(Item((site.concept_link(name),)) for name in names)
    return Section("backlinks", "Backlinks", (intro, Bullets(items)))


def _changelog(data: dict[str, Any]) -> list[Item]:
    return [
        Item((_text(entry["date"], "muted"), _text(f" \u2014 {entry['text']}")))
        for entry in data["changelog"]
    ]


def _theses(site: Site, concept: str) -> Section:
    heading = "Theses that depend on this concept"
    citations = site.view.dependents(concept)
    if not citations:
        return Section("theses", heading, (Para((_text("None.", "muted"),)),))
    items = []
    for citation in citations:
        spans = [site.thesis_link(citation.thesis), *_score(site.theses[citation.thesis])]
        spans += [_text(" \u2014 "), *_cited(site, citation), _text(" \u2014 "), *_state(citation)]
        items.append(Item(tuple(spans)))
    return Section("theses", heading, (Para((_text(THESES_NOTE),)), Bullets(tuple(items))))


def _score_text(thesis: dict[str, Any]) -> str | None:
    if "score" not in thesis:
        return None
    scored = f", scored {thesis['scored']}" if "scored" in thesis else ""
    return f"score {thesis['score']}{scored}"


def _score(thesis: dict[str, Any]) -> list[Span]:
    text = _score_text(thesis)
    return [] if text is None else [_text(f" ({text})", "muted")]


def _cited(site: Site, citation: CitationState) -> list[Span]:
    if citation.claims is None:
        return [_text("cites the whole concept")]
    spans = [_text("cites ")]
    for i, claim in enumerate(citation.claims):
        if i:
            spans.append(_text(", "))
        spans.append(site.claim_link(citation.concept, claim))
    return spans


def _state(citation: CitationState) -> list[Span]:
    spans = [_text(citation.label, f"status-{citation.status}")]
    if citation.status != CURRENT and citation.changes:
        spans.append(_text(": " + "; ".join(citation.changes)))
    return spans


# -- a thesis --------------------------------------------------------------------------


def thesis_page(site: Site, thesis: str) -> Page:
    data = site.theses[thesis]
    blocks: list[Block] = []
    score = _score_text(data)
    if score is not None:
        blocks.append(Para((_text(score.capitalize()),), style="status"))
    blocks.append(Section("position", "Position", tuple(_paragraphs(data["position"]))))
    cites: list[Block] = []
    for citation in site.view.cites(thesis):
        spans = [site.concept_link(citation.concept), _text(" \u2014 ")]
        if citation.claims is None:
            spans.append(_text("cites the whole concept \u2014 "))
        cites.append(Para((*spans, *_state(citation))))
        if citation.claims:
            cites.append(Bullets(tuple(_cited_claim(site, citation.concept, c)
                                       for c in citation.claims), "claims"))  # fmt: skip
    if not cites:
        cites.append(Para((_text("None.", "muted"),)))
    blocks.append(Section("cites", "Cites", tuple(cites)))
    if data.get("notes"):
        blocks.append(Section("notes", "Notes", tuple(_paragraphs(data["notes"]))))
    return Page(thesis_path(thesis), data["title"], tuple(blocks), Target(INDEX))


def _cited_claim(site: Site, concept: str, claim: str) -> Item:
    """A cited claim as the reader of a thesis needs it: its statement, linked to it on
    the concept's page, and its evidence level."""
    data = site.concepts.get(concept)
    target = claim_target(data, claim) if data is not None else None
    if data is None or target is None:
        return Item((_text(f"{claim} (no such claim)", "muted"),))
    found = next(c for c in data["claims"] if c["id"] == target)
    evidence = found["evidence"]
    spans = [
        Span(found["statement"], Target(concept_path(concept), claim_anchor(target))),
        _text(" "),
        _text(f"Evidence: {evidence}", f"evidence-{evidence}"),
        _text(" "),
        _text(f"id: {claim}", "claim-id"),
    ]
    return Item(tuple(spans))


# -- the index -------------------------------------------------------------------------


def index_page(site: Site) -> Page:
    concepts = []
    for concept, data in site.concepts.items():
        spans = [site.concept_link(concept)]
        if data.get("status"):
            spans.append(_text(f" \u2014 {data['status']}", "muted"))
        count = len(data["claims"])
        spans.append(_text(f" \u2014 {count} claim{'' if count == 1 else 's'}"))
        concepts.append(Item(tuple(spans)))
    theses = []
    for thesis, data in site.theses.items():
        spans = [site.thesis_link(thesis), *_score(data)]
        review = [c for c in site.view.cites(thesis) if c.status != CURRENT]
        if review:
            spans.append(_text(f" \u2014 {len(review)} citation(s) to review", "status-stale"))
        theses.append(Item(tuple(spans)))
    blocks = (
        _list_section("concepts", "Concepts", concepts),
        _list_section("theses", "Theses", theses),
        _test_yourself({"title": "Knowledge base"}, None),
    )
    return Page(INDEX, "Knowledge base", blocks)
