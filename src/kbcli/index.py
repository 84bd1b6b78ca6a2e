"""What lint needs to know of each page, and the index of the whole KB built from it.

A page is analysed alone (parse, schema, page-local rules) into `PageFacts`: its own
findings plus the few references and positions cross-file rules need. Facts are plain
JSON-able data, so a cache can keep them; the full parsed page is not kept in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.findings import Finding
from kbcli.kb import PageRef, read_text
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
    material: dict[str, Any] | None = None  # a concept's material content, for stamps

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PageFacts:
        facts = cls(**raw)
        facts.findings = [Finding(**f) for f in raw["findings"]]
        facts.aliases = [tuple(r) for r in raw["aliases"]]
        facts.related = [tuple(r) for r in raw["related"]]
        facts.changelog_dates = [tuple(r) for r in raw["changelog_dates"]]
        facts.redirect = tuple(raw["redirect"]) if raw["redirect"] else None
        facts.cites = [_cite_from_json(c) for c in raw["cites"]]
        return facts


def _cite_from_json(raw: dict[str, Any]) -> Cite:
    claims = raw["claims"]
    return Cite(
        tuple(raw["concept"]),
        None if claims is None else [tuple(c) for c in claims],
        raw["stamp"],
    )


def analyse(root: Path, ref: PageRef, config: Config, validator: PageValidator) -> PageFacts:
    """Read one page and check everything that needs only this page."""
    facts = PageFacts(ref.kind, ref.id, ref.rel)
    try:
        doc = parse(read_text(root, ref, config.max_page_bytes))
    except YamlProblem as exc:
        facts.findings.append(Finding(ref.rel, exc.line, exc.col, exc.code, exc.message))
        return facts
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

    def __init__(self, pages: Sequence[PageFacts]) -> None:
        self.pages = pages
        self.concepts: dict[str, PageFacts] = {}
        self.theses: dict[str, PageFacts] = {}
        for facts in pages:
            table = self.concepts if facts.kind == "concept" else self.theses
            table.setdefault(facts.stem, facts)

    def resolve_claim(self, concept: str, claim: str) -> bool:
        """A claim id resolves on its concept (live or merged), or on the concept it was
        redirected to."""
        seen: set[str] = set()
        facts = self.concepts.get(concept)
        while facts is not None and facts.stem not in seen:
            if claim in facts.claim_ids:
                return True
            seen.add(facts.stem)
            facts = self.concepts.get(facts.redirect[0]) if facts.redirect else None
        return False

    def backlinks(self, concept: str) -> list[str]:
        """The pages (root-relative paths) that relate to or cite `concept`: computed,
        never stored."""
        return [
            facts.rel
            for facts in self.pages
            if facts.stem != concept
            and (
                any(name == concept for name, _, _ in facts.related)
                or any(cite.concept[0] == concept for cite in facts.cites)
            )
        ]
