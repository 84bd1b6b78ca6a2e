"""Rules that need only one page. Each yields (code, message, line, col)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kbcli.config import Config
from kbcli.yamlio.load import Node, locate

Problem = tuple[str, str, int, int]


def check(
    kind: str, stem: str, data: dict[str, Any], root: Node | None, config: Config
) -> list[Problem]:
    problems = [*id_matches_stem(stem, data, root), *changelog_order(data, root, config)]
    if kind == "concept":
        problems += [
            *duplicate_ids(data, root),
            *unknown_sources(data, root),
            *self_relation(stem, data, root),
            *duplicate_claims(stem, data, root),
            *untidy_statements(data, root),
            *repeated_aliases(data, root),
            *impossible_whens(data, root),
        ]
    return problems


def _items(data: dict[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    value = data.get(key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def id_matches_stem(stem: str, data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    page_id = data.get("id")
    if isinstance(page_id, str) and page_id != stem:
        yield (
            "R001",
            f"id '{page_id}' differs from the file name '{stem}'",
            *locate(root, ("id",)),
        )


def duplicate_ids(data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    """Claim ids (live or merged) and source ids are unique on their page. A claim that
    copies an earlier one word for word, id included, is one finding with a fix that
    works (`kb merge-claims` drops the copy); two different claims with one id are one
    finding naming both lines, since only the curator knows which citation meant which."""
    seen: dict[str, tuple[str, int]] = {}
    claims: dict[str, tuple[dict[str, Any], int]] = {}
    for i, claim in _items(data, "claims"):
        cid = claim.get("id")
        if isinstance(cid, str):
            where = locate(root, ("claims", i, "id"))
            if cid in claims and seen.get(cid, ("", 0))[0] == "claim":
                yield _repeated_claim(data, cid, claim, claims[cid], where)
            else:
                claims.setdefault(cid, (claim, where[0]))
                yield from _once(seen, cid, "claim", where)
        merged = claim.get("merged")
        for j, old in enumerate(merged if isinstance(merged, list) else []):
            if isinstance(old, str):
                yield from _once(
                    seen, old, "merged claim", locate(root, ("claims", i, "merged", j))
                )
    sources: dict[str, tuple[str, int]] = {}
    for i, source in _items(data, "sources"):
        if isinstance(source.get("id"), str):
            yield from _once(sources, source["id"], "source", locate(root, ("sources", i, "id")))


def _repeated_claim(
    data: dict[str, Any],
    cid: str,
    claim: dict[str, Any],
    first: tuple[dict[str, Any], int],
    where: tuple[int, int],
) -> Problem:
    other, other_line = first
    line, col = where
    if claim == other:
        message = (
            f"claim '{cid}' is a word-for-word copy of the claim at line {other_line}, id "
            f"included; fix with: kb merge-claims {data.get('id')}"
        )
    else:
        message = (
            f"claim id '{cid}' is already used by the claim at line {other_line}: give one "
            f"of the two (line {other_line} or line {line}) a new id"
        )
    return ("R002", message, line, col)


def _once(
    seen: dict[str, tuple[str, int]], key: str, what: str, where: tuple[int, int]
) -> Iterator[Problem]:
    line, col = where
    if key in seen:
        other, other_line = seen[key]
        yield (
            "R002",
            f"{what} id '{key}' is already used by the {other} at line {other_line}",
            line,
            col,
        )
    else:
        seen[key] = (what, line)


def unknown_sources(data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    known = [s["id"] for _, s in _items(data, "sources") if isinstance(s.get("id"), str)]
    for i, claim in _items(data, "claims"):
        names = claim.get("sources")
        for j, name in enumerate(names if isinstance(names, list) else []):
            if isinstance(name, str) and name not in known:
                listed = ", ".join(known) if known else "none"
                yield (
                    "R006",
                    f"claim '{claim.get('id')}' cites source '{name}', which this page does not "
                    f"list (sources: {listed})",
                    *locate(root, ("claims", i, "sources", j)),
                )


def self_relation(stem: str, data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    own = data.get("id", stem)
    for i, item in _items(data, "related"):
        if item.get("concept") == own:
            yield (
                "R007",
                f"concept '{own}' lists itself as related",
                *locate(root, ("related", i, "concept")),
            )


def duplicate_claims(stem: str, data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    """C001 for each claim `kb merge-claims` would merge into an earlier one (the same
    notion of "the same claim", at the default threshold), and C009 on both lines of a
    pair that may contradict. Claims sharing an id are R002's: one finding, not two."""
    from kbcli.similarity import compare, normalise, relate

    found = [
        (i, claim, claim["statement"])
        for i, claim in _items(data, "claims")
        if isinstance(claim.get("statement"), str)
    ]
    if len(found) < 2:
        return
    result = compare([statement for _, _, statement in found])
    concept = data.get("id", stem)
    lines = [locate(root, ("claims", i)) for i, _, _ in found]
    for group in result.groups:
        first = found[group[0]]
        for k in group[1:]:
            claim = found[k][1]
            if claim.get("id") == first[1].get("id"):
                continue
            where = f"line {lines[group[0]][0]}"
            said = "repeats"
            if normalise(found[k][2]) != normalise(first[2]):
                said = "says the same as"
                where += f", similarity {relate(first[2], found[k][2]).score:.2f}"
            yield (
                "C001",
                f"claim '{claim.get('id')}' {said} claim '{first[1].get('id')}' ({where}); "
                f"fix with: kb merge-claims {concept}",
                *lines[k],
            )
    # One C009 per claim line: n claims that differ only in a number would otherwise give
    # n * (n - 1) findings (89,700 for 300 claims).
    partners: dict[int, list[tuple[int, str]]] = {}
    for c in result.contradictions:
        partners.setdefault(c.first, []).append((c.second, c.reason))
        partners.setdefault(c.second, []).append((c.first, c.reason))
    for i, others in sorted(partners.items()):
        yield ("C009", _contradiction_message(found, i, sorted(others)), *lines[i])


def _contradiction_message(
    found: list[tuple[int, dict[str, Any], str]], i: int, others: list[tuple[int, str]]
) -> str:
    def name(k: int) -> object:
        return found[k][1].get("id")

    if len(others) == 1:
        ((k, reason),) = others
        a, b = sorted((i, k))
        return f"claims '{name(a)}' and '{name(b)}' may contradict each other ({reason})"
    shown = ", ".join(f"'{name(k)}' ({reason})" for k, reason in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return f"claim '{name(i)}' may contradict {len(others)} other claims: {shown}{more}"


def changelog_order(data: dict[str, Any], root: Node | None, config: Config) -> Iterator[Problem]:
    newest_first = config.changelog_order == "newest-first"
    previous: str | None = None
    for i, entry in _items(data, "changelog"):
        date = entry.get("date")
        if not isinstance(date, str):
            continue
        if previous is not None and (date > previous if newest_first else date < previous):
            order = "newest first" if newest_first else "oldest first"
            yield (
                "C003",
                f"changelog entry {date} is out of order after {previous} "
                f"(the KB keeps it {order})",
                *locate(root, ("changelog", i, "date")),
            )
        previous = date


def tidy(statement: str) -> str:
    """A statement as one line of single-spaced words (what `kb lint --fix` writes)."""
    return " ".join(statement.split())


def untidy_statements(data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    for i, claim in _items(data, "claims"):
        statement = claim.get("statement")
        # a block scalar's final newline is its style, not stray whitespace
        if isinstance(statement, str) and statement.rstrip("\n") != tidy(statement):
            yield (
                "C007",
                f"statement of claim '{claim.get('id')}' has stray whitespace (kb lint --fix)",
                *locate(root, ("claims", i, "statement")),
            )


def repeated_aliases(data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    for j in repeats(data.get("aliases")):
        yield (
            "C008",
            f"alias '{data['aliases'][j]}' is already listed (kb lint --fix)",
            *locate(root, ("aliases", j)),
        )


def repeats(values: Any) -> list[int]:
    """Indexes of the items of a list that repeat an earlier item."""
    if not isinstance(values, list):
        return []
    seen: list[Any] = []
    out = []
    for i, value in enumerate(values):
        if value in seen:
            out.append(i)
        else:
            seen.append(value)
    return out


def impossible_whens(data: dict[str, Any], root: Node | None) -> Iterator[Problem]:
    """A `when` of the schema's shape that is no time: 2026-02-30, or a range that runs
    backwards (a value of the wrong shape is the schema's S003)."""
    from kbcli.errors import KbError
    from kbcli.when import SHAPE, parse_when

    for i, claim in _items(data, "claims"):
        value = claim.get("when")
        if isinstance(value, str) and SHAPE.fullmatch(value):
            try:
                parse_when(value)
            except KbError as exc:
                yield (
                    "C010",
                    f"claims[{i}].when: {exc.message}",
                    *locate(root, ("claims", i, "when")),
                )
