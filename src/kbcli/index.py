"""What lint needs to know of each page, and the index of the whole KB built from it.

A page is analysed alone (parse, schema, page-local rules) into `PageFacts`: its own
findings plus the few references and positions cross-file rules need. Facts are plain
JSON-able data, so a cache can keep them; the full parsed page is not kept in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from kbcli.config import Config
from kbcli.findings import Finding, Severity
from kbcli.kb import PageRef
from kbcli.rules import local
from kbcli.schema import PageValidator
from kbcli.yamlio.load import Node, YamlProblem, locate, parse

Ref = tuple[str, int, int]  # a value and its 1-based line and column


@dataclass
class Cite:
    concept: Ref
    claims: list[Ref] | None  # None: the whole concept
    stamp: str | None


@dataclass
class PageFacts:
    cached: ClassVar[bool] = False  # True: as the lint cache recorded them (unchanged page)
    kind: str
    stem: str
    rel: str
    findings: list[Finding] = field(default_factory=list)
    id: str | None = None
    title: str | None = None
    aliases: list[Ref] = field(default_factory=list)
    claim_ids: list[str] = field(default_factory=list)  # live ids and merged ids
    redirect: Ref | None = None
    related: list[Ref] = field(default_factory=list)
    cites: list[Cite] = field(default_factory=list)
    changelog_dates: list[Ref] = field(default_factory=list)
    # a concept's material content, for stamps (a lazily decoded mapping when cached)
    material: Mapping[str, Any] | None = None

    def name_keys(self) -> set[str]:
        """Every name the page answers to (stem, title, aliases), casefolded: what alias
        collisions compare."""
        names = (self.stem, self.title or "", *(alias for alias, _, _ in self.aliases))
        return {name.casefold() for name in names if name}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-able data for the lint cache. Written out by hand: `asdict` deep-copies
        every value and cost a tenth of a cold lint."""
        return {
            "kind": self.kind,
            "stem": self.stem,
            "rel": self.rel,
            "findings": [
                [f.path, f.line, f.col, f.code, f.message, f.severity.value] for f in self.findings
            ],
            "id": self.id,
            "title": self.title,
            "aliases": self.aliases,
            "claim_ids": self.claim_ids,
            "redirect": self.redirect,
            "related": self.related,
            "cites": [[c.concept, c.claims, c.stamp] for c in self.cites],
            "changelog_dates": self.changelog_dates,
            "material": self.material,
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> PageFacts:
        return cls(
            kind=raw["kind"],
            stem=raw["stem"],
            rel=raw["rel"],
            findings=[
                Finding(p, ln, c, code, m, Severity(s)) for p, ln, c, code, m, s in raw["findings"]
            ],
            id=raw["id"],
            title=raw["title"],
            aliases=_refs_from_json(raw["aliases"]),
            claim_ids=list(raw["claim_ids"]),
            redirect=_ref_from_json(raw["redirect"]) if raw["redirect"] else None,
            related=_refs_from_json(raw["related"]),
            cites=[_cite_from_json(c) for c in raw["cites"]],
            changelog_dates=_refs_from_json(raw["changelog_dates"]),
            material=raw["material"],
        )


def _ref_from_json(raw: Sequence[Any]) -> Ref:
    value, line, col = raw
    return (value, line, col)


def _refs_from_json(raw: Sequence[Sequence[Any]]) -> list[Ref]:
    return [(value, line, col) for value, line, col in raw]


def _cite_from_json(raw: Sequence[Any]) -> Cite:
    concept, claims, stamp = raw
    return Cite(_ref_from_json(concept), None if claims is None else _refs_from_json(claims), stamp)


def unreadable(ref: PageRef, exc: YamlProblem) -> PageFacts:
    """The facts of a page that could not be read or parsed: only the reason."""
    return PageFacts(
        ref.kind, ref.id, ref.rel, [Finding(ref.rel, exc.line, exc.col, exc.code, exc.message)]
    )


def analyse_text(ref: PageRef, text: str, config: Config, validator: PageValidator) -> PageFacts:
    """Check everything that needs only this page, given its text."""
    facts = PageFacts(ref.kind, ref.id, ref.rel)
    try:
        doc = parse(text)
    except YamlProblem as exc:
        return unreadable(ref, exc)
    problems = validator.problems(doc.data, doc.root)
    if isinstance(doc.data, dict):
        problems += local.check(ref.kind, ref.id, doc.data, doc.root, config)
        _extract(facts, doc.data, doc.root)
    facts.findings = sorted(Finding(ref.rel, ln, col, code, msg) for code, msg, ln, col in problems)
    return facts


def _extract(facts: PageFacts, data: dict[str, Any], root: Node | None) -> None:
    def ref(value: Any, *path: str | int) -> Ref | None:
        return (value, *locate(root, path)) if isinstance(value, str) else None

    facts.id = data.get("id") if isinstance(data.get("id"), str) else None
    facts.title = data.get("title") if isinstance(data.get("title"), str) else None
    facts.aliases = _refs(data.get("aliases"), root, ("aliases",))
    facts.changelog_dates = [
        r
        for i, entry in enumerate(_list(data.get("changelog")))
        if isinstance(entry, dict) and (r := ref(entry.get("date"), "changelog", i, "date"))
    ]
    if facts.kind == "concept":
        _extract_concept(facts, data, root)
    else:
        for i, cite in enumerate(_list(data.get("cites"))):
            concept = (
                ref(cite.get("concept"), "cites", i, "concept") if isinstance(cite, dict) else None
            )
            if concept is None:
                continue
            claims = cite.get("claims")
            facts.cites.append(
                Cite(
                    concept,
                    None if claims is None else _refs(claims, root, ("cites", i, "claims")),
                    cite.get("stamp") if isinstance(cite.get("stamp"), str) else None,
                )
            )


def _extract_concept(facts: PageFacts, data: dict[str, Any], root: Node | None) -> None:
    from kbcli.stamps import material, material_to_json

    for claim in _list(data.get("claims")):
        if isinstance(claim, dict):
            ids = [claim.get("id"), *_list(claim.get("merged"))]
            facts.claim_ids += [i for i in ids if isinstance(i, str)]
    redirect = data.get("redirect")
    facts.redirect = (redirect, *locate(root, ("redirect",))) if isinstance(redirect, str) else None
    for i, item in enumerate(_list(data.get("related"))):
        if isinstance(item, dict) and isinstance(item.get("concept"), str):
            facts.related.append((item["concept"], *locate(root, ("related", i, "concept"))))
    facts.material = material_to_json(material(data))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _refs(value: Any, root: Node | None, path: tuple[str | int, ...]) -> list[Ref]:
    return [
        (item, *locate(root, (*path, i)))
        for i, item in enumerate(_list(value))
        if isinstance(item, str)
    ]


class KbIndex:
    """Concepts and theses by id, and every name a concept answers to."""

    def __init__(
        self, pages: Sequence[PageFacts], more: Callable[[str], PageFacts | None] | None = None
    ) -> None:
        """The index of `pages`: every page of the KB, or (with `more`, which finds any
        other concept by id) those a run over a few pages looks at (`kbcli.warm`)."""
        self.pages = pages
        self.concepts: dict[str, PageFacts] = {}
        self.theses: dict[str, PageFacts] = {}
        self._more = more
        for facts in pages:
            table = self.concepts if facts.kind == "concept" else self.theses
            table.setdefault(facts.stem, facts)

    def concept(self, stem: str) -> PageFacts | None:
        """The concept `stem`, if the KB has one: what references are checked against."""
        found = self.concepts.get(stem)
        if found is None and self._more is not None:
            found = self._more(stem)
            if found is not None:
                self.concepts[stem] = found
        return found

    def resolve_claim(self, concept: str, claim: str) -> bool:
        """A claim id resolves on its concept (live or merged), or on the concept it was
        redirected to. A concept that could not be read as a page resolves every claim:
        its own finding says what is wrong, and references to it must not repeat it."""
        seen: set[str] = set()
        facts = self.concept(concept)
        while facts is not None and facts.stem not in seen:
            if claim in facts.claim_ids or facts.material is None:
                return True  # a page kb could not read is reported once, by itself
            seen.add(facts.stem)
            facts = self.concept(facts.redirect[0]) if facts.redirect else None
        return False

    def backlinks(self, concept: str) -> list[PageFacts]:
        """The pages that relate to or cite `concept`: computed, never stored."""
        return [
            facts
            for facts in self.pages
            if facts.stem != concept
            and (
                any(name == concept for name, _, _ in facts.related)
                or any(cite.concept[0] == concept for cite in facts.cites)
            )
        ]


def read_index(root: Path, config: Config) -> KbIndex:
    """The index of every page of the KB at `root`, from lint's per-page facts (through
    the lint cache, unless kb.yaml turns it off): what `kb show`, `kb render` and `kb
    import` read of the KB as a whole."""
    # lint and the cache build on this module: imported here, not above
    from kbcli.cache import LintCache, through_cache
    from kbcli.lint import analyse_all
    from kbcli.pagefacts import LazyFacts

    def read(store: LintCache | None) -> KbIndex:
        facts = analyse_all(root, config, None, store)
        if store is None:
            return KbIndex(facts)
        store.prefetch()  # every page's links are wanted: one read, not one per page
        # Decoded now, while the cache is open: the index outlives it.
        return KbIndex([f.full() if isinstance(f, LazyFacts) else f for f in facts])

    return through_cache(root, config, config.cache, read)
