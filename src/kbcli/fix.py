"""`kb lint --fix`: the fixes that need no decision, made surgically.

Changelog order (C003), stray whitespace in statements (C007), repeated aliases (C008), a
source named twice on one claim (S003, uniqueItems) and a thesis citing a merged claim id
(rewritten to its survivor, `citations.py`, but not stamped: the citation stays stale until
`kb review`). Everything else is reported as
usual. A page that would still be invalid after its fixes is left alone (its findings say
why), so one broken page never blocks the fixes of the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.kb import PageRef, read_text
from kbcli.rules.local import repeats, tidy
from kbcli.store import Edit, edit_kb
from kbcli.yamlio.load import Document, YamlProblem, parse

Op = Any  # a yamlio.edit operation


@dataclass(frozen=True)
class Fixed:
    rel: str
    what: tuple[str, ...]


def fix_pages(root: Path, config: Config, refs: Sequence[PageRef]) -> list[Fixed]:
    """Fix `refs` in place (under the KB lock, validated, atomic); what was fixed."""

    def build() -> Edit[list[Fixed]]:
        changes: dict[Path, str] = {}
        fixed: list[Fixed] = []
        for ref in refs:
            result = _fix_one(root, config, ref)
            if result is not None:
                changes[ref.path], what = result
                fixed.append(Fixed(ref.rel, what))
        return Edit(changes, "kb: lint --fix", fixed)

    return edit_kb(root, config, build).value


def _fix_one(root: Path, config: Config, ref: PageRef) -> tuple[str, tuple[str, ...]] | None:
    from kbcli.schema import validator
    from kbcli.yamlio.edit import EditError, apply_text

    try:
        doc = parse(read_text(root, ref, config.max_page_bytes))
    except YamlProblem:
        return None
    if not isinstance(doc.data, dict):
        return None
    ops, what = page_fixes(doc, config)
    if ref.kind == "thesis":
        from kbcli.citations import merged_citations

        for fix in merged_citations(root, config, doc.data.get("cites")):
            ops += fix.ops()
            what += (f"citation of merged claim(s) rewritten: {fix.describe()}",)
    if not ops:
        return None
    try:
        text = apply_text(doc.text, ops)
    except EditError:
        return None  # e.g. an anchor in the way: leave it to the curator
    new = parse(text)
    if validator(ref.kind, config.evidence_levels).problems(new.data, new.root):
        return None
    return text, what


def page_fixes(doc: Document, config: Config) -> tuple[list[Op], tuple[str, ...]]:
    """The edits that tidy one page, and a line for each saying what they do."""
    from kbcli.yamlio.edit import Delete, Set

    data: dict[str, Any] = doc.data
    ops: list[Op] = []
    what: list[str] = []
    order = _changelog_in_order(data.get("changelog"), config)
    if order is not None:
        ops.append(Set(("changelog",), order))
        what.append(f"changelog put in order ({config.changelog_order})")
    for j in repeats(data.get("aliases")):
        ops.append(Delete(("aliases",), j))
        what.append(f"repeated alias '{data['aliases'][j]}' removed")
    for i, claim in enumerate(data.get("claims") or []):
        if not isinstance(claim, dict):
            continue
        statement = claim.get("statement")
        untidy = isinstance(statement, str) and tidy(statement) != statement
        if untidy and not _is_block_scalar(doc, i):
            ops.append(Set(("claims", i, "statement"), tidy(str(statement))))
            what.append(f"whitespace of claim '{claim.get('id')}' tidied")
        for j in repeats(claim.get("sources")):
            ops.append(Delete(("claims", i, "sources"), j))
            what.append(
                f"repeated source '{claim['sources'][j]}' on claim '{claim.get('id')}' removed"
            )
    return ops, tuple(what)


def _changelog_in_order(entries: Any, config: Config) -> list[Any] | None:
    """The changelog sorted as the KB keeps it, or None when it already is (or cannot be
    sorted without a decision: an entry without a date string)."""
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("date"), str) for e in entries
    ):
        return None
    newest_first = config.changelog_order == "newest-first"
    ordered = sorted(entries, key=lambda e: e["date"], reverse=newest_first)  # stable
    return None if ordered == entries else ordered


def _is_block_scalar(doc: Document, claim_index: int) -> bool:
    from kbcli.yamlio.load import node_at

    node = node_at(doc.root, ("claims", claim_index, "statement"))
    return node is not None and node.style in ("|", ">")
