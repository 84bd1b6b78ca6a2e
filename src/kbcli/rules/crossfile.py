"""Rules that need the whole KB: references between pages. Each yields findings."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator

from kbcli.dates import is_date
from kbcli.findings import Finding
from kbcli.index import KbIndex, PageFacts

# (name key, page, content digest) of every cached concept answering to one of the keys
# (`LintCache.name_owners`)
NameSource = Callable[[Collection[str]], Iterable[tuple[str, str, str]]]


def check(
    index: KbIndex,
    today: str,
    reported: Collection[str] | None = None,
    names: NameSource | None = None,
) -> Iterator[Finding]:
    """Every cross-file finding; with `reported` (root-relative paths), at least those on
    these pages, for which the other pages' facts are read only where these pages point
    (a pre-commit run over a few pages of a large, cached KB), and the names of the others
    taken from `names` where given."""
    yield from duplicate_page_ids(index)
    yield from alias_collisions(index, reported, names)
    yield from unknown_references(index, reported)
    yield from changelog_future(index, today, reported)
    yield from stale_citations(index, reported)


def _pages(pages: Iterable[PageFacts], reported: Collection[str] | None) -> Iterator[PageFacts]:
    return (p for p in pages if reported is None or p.rel in reported)


def duplicate_page_ids(index: KbIndex) -> Iterator[Finding]:
    first: dict[tuple[str, str], str] = {}
    for facts in index.pages:
        key = (facts.kind, facts.stem)
        if key in first:
            yield Finding(
                facts.rel, 1, 1, "R002", f"{facts.kind} id '{facts.stem}' is also {first[key]}"
            )
        else:
            first[key] = facts.rel


def alias_collisions(
    index: KbIndex, reported: Collection[str] | None = None, names: NameSource | None = None
) -> Iterator[Finding]:
    pages = list(_pages(index.concepts.values(), reported))
    if reported is None or names is None:
        owners = _owners(index.concepts.values())
    else:
        owners = _owners_of({a.casefold() for p in pages for a, _, _ in p.aliases}, index, names)
    for facts in pages:
        for alias, line, col in facts.aliases:
            others = sorted(owners.get(alias.casefold(), set()) - {facts.stem})
            if others:
                yield Finding(
                    facts.rel,
                    line,
                    col,
                    "R003",
                    f"alias '{alias}' also names concept {', '.join(repr(o) for o in others)}",
                )


def _owners(concepts: Iterable[PageFacts]) -> dict[str, set[str]]:
    """Every name key, with the concepts answering to it."""
    owners: dict[str, set[str]] = {}
    for facts in concepts:
        for name in facts.name_keys():
            owners.setdefault(name, set()).add(facts.stem)
    return owners


def _owners_of(wanted: set[str], index: KbIndex, names: NameSource) -> dict[str, set[str]]:
    """`_owners` restricted to `wanted`, without reading every concept's names: those of
    pages read in this run are at hand, those of unchanged pages are looked up."""
    owners = _owners(facts for facts in index.concepts.values() if not facts.cached)
    owners = {key: owners[key] for key in wanted & owners.keys()}
    for key, rel, digest in names(wanted) if wanted else ():
        stem = rel.partition("/")[2].rpartition(".")[0]
        facts = index.concept(stem)  # the page as this run found it: unchanged, with `digest`
        unchanged = facts is not None and facts.cached and facts.rel == rel
        if unchanged and getattr(facts, "digest", None) == digest:
            owners.setdefault(key, set()).add(stem)
    return owners


def unknown_references(
    index: KbIndex, reported: Collection[str] | None = None
) -> Iterator[Finding]:
    for facts in _pages(index.pages, reported):
        for concept, line, col in facts.related:
            if index.concept(concept) is None:
                yield _unknown_concept(facts, concept, line, col, "related")
        if facts.redirect and index.concept(facts.redirect[0]) is None:
            yield _unknown_concept(facts, *facts.redirect, "redirect")
        for cite in facts.cites:
            concept, line, col = cite.concept
            if index.concept(concept) is None:
                yield _unknown_concept(facts, concept, line, col, "cites")
                continue
            for claim, cline, ccol in cite.claims or []:
                if not index.resolve_claim(concept, claim):
                    yield Finding(
                        facts.rel,
                        cline,
                        ccol,
                        "R005",
                        f"concept '{concept}' has no claim '{claim}'",
                    )


def _unknown_concept(facts: PageFacts, concept: str, line: int, col: int, field: str) -> Finding:
    message = f"{field}: no concept '{concept}' in this KB"
    if field == "related":  # e.g. kept by kb import: the page is still to be written
        title = concept.replace("-", " ").title()
        message += f" (create it: kb new concept {concept} --title '{title}')"
    return Finding(facts.rel, line, col, "R004", message)


def changelog_future(
    index: KbIndex, today: str, reported: Collection[str] | None = None
) -> Iterator[Finding]:
    for facts in _pages(index.pages, reported):
        for date, line, col in facts.changelog_dates:
            if is_date(date) and date > today:
                yield Finding(
                    facts.rel,
                    line,
                    col,
                    "C002",
                    f"changelog entry is dated {date}, after today ({today})",
                )


def stale_citations(index: KbIndex, reported: Collection[str] | None = None) -> Iterator[Finding]:
    """A citation whose concept changed materially since `kb review` stamped it (C004),
    or that was never reviewed (C006). Both are warnings: `--strict` fails on them."""
    from kbcli.pagefacts import plain
    from kbcli.stamps import diff_material, material_from_json

    for thesis in _pages(index.theses.values(), reported):
        for cite in thesis.cites:
            concept, line, col = cite.concept
            target = index.concept(concept)
            if target is None or target.material is None:
                continue  # R004 reports a missing concept
            if cite.stamp is None:
                yield Finding(
                    thesis.rel,
                    line,
                    col,
                    "C006",
                    f"citation of '{concept}' was never reviewed (run: kb review {thesis.stem})",
                )
                continue
            claims = [name for name, _, _ in cite.claims or []]
            material = material_from_json(plain(target.material))
            changes = diff_material(cite.stamp, material, claims)
            if changes:
                what = "; ".join(change.message for change in changes)
                yield Finding(
                    thesis.rel,
                    line,
                    col,
                    "C004",
                    f"'{concept}' changed since the last review: {what} "
                    f"(re-score, then run: kb review {thesis.stem})",
                )
