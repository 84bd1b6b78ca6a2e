"""Reporters for `kb diff`: text (lines with a style each, which commands/diff.py draws
in colour at a terminal), markdown (for a pull request's step summary or comment) and
JSON (`version` 1, see docs/diff.md).

Everything a page says is untrusted: every string from a page or a file name goes through
`_safe` before it is printed, and, in markdown, through `_md` (or `_html` inside HTML).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from kbcli.diff_stale import StaleChange
from kbcli.knowledge_diff import Item, KnowledgeDiff, PageDiff
from kbcli.safetext import visible as _safe  # page text, safe for a terminal or log

if TYPE_CHECKING:
    from kbcli.diff_sides import Sides

JSON_VERSION = 1
DETAILS_OVER = 3  # more pages than this: each in its own collapsible <details> (markdown)


# Punctuation that formats or links wherever it stands (page text never starts a line here,
# so the line-start markers `-`, `+`, `1.` need no escape); `<`, `>`, `&` are HTML
# entities; `$` opens GitHub's maths.
_MD_SPECIAL = set("\\`*_[]|~!$")


def _md(text: str) -> str:
    """Page text for a markdown body: safe, HTML-escaped, Markdown punctuation escaped."""
    text = _safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _unlinked("".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text))


def _html(text: str) -> str:
    """Page text inside HTML (a <summary>): safe, HTML-escaped, unlinked."""
    return _unlinked(_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def _unlinked(text: str) -> str:
    """GitHub makes `@name` a mention and `#1` a link after Markdown is parsed, so a
    backslash does not stop them (github/markup#1168); an empty HTML comment after the
    sign does, and shows nothing."""
    return text.replace("@", "@<!-- -->").replace("#", "#<!-- -->")


# -- what each change says -------------------------------------------------------------

_SIGN = {"added": "+", "removed": "-", "merged": "-", "in": "+", "moved": "-"}


def _sign(item: Item) -> str:
    return _SIGN.get(item.kind.rsplit("-", 1)[-1], "~")


def describe(item: Item, esc: Callable[[str], str], words: Callable[[Item], str]) -> str:
    """One change as a line of text; `esc` escapes page text, `words` shows a word diff."""
    t, old, new = esc(item.target), esc(item.old or ""), esc(item.new or "")
    arrow = f"{old or '(none)'} → {new or '(none)'}"
    table: dict[str, Callable[[], str]] = {
        "title-changed": lambda: f"title: {arrow}",
        "status-changed": lambda: f"status: {arrow}",
        "redirect-changed": lambda: f"now a redirect to {new}" if new else f"redirect: {arrow}",
        "summary-changed": lambda: f"summary re-worded: {words(item)}",
        "position-changed": lambda: f"position re-worded: {words(item)}",
        "alias-added": lambda: f"alias added: {t}",
        "alias-removed": lambda: f"alias removed: {t}",
        "question-added": lambda: f"open question added: {t}",
        "question-removed": lambda: f"open question removed: {t}",
        "claim-added": lambda: f"claim {t} added ({old}): {new}",
        "claim-removed": lambda: f"claim {t} removed: {old}",
        "claim-merged": lambda: (
            f"claim {t} merged into {new}"
            + (f" (concept {esc(item.concept)})" if item.concept else "")
        ),
        "claim-merged-in": lambda: f"claim {t} merged into {new} (from another concept)",
        "claim-moved": lambda: f"claim {t} moved to concept {esc(item.concept or '')}",
        "claim-reworded": lambda: f"claim {t} re-worded: {words(item)}",
        "evidence-changed": lambda: f"evidence of claim {t}: {arrow}",
        "claim-source-added": lambda: f"source {new} added to claim {t}",
        "claim-source-removed": lambda: f"source {old} removed from claim {t}",
        "detail-changed": lambda: f"detail of claim {t}: {arrow}",
        "source-added": lambda: f"source {t} added: {new}",
        "source-removed": lambda: f"source {t} removed: {old}",
        "source-retitled": lambda: f"source {t} retitled: {arrow}",
        "source-readdressed": lambda: f"source {t} re-addressed: {arrow}",
        "related-added": lambda: f"related concept {t} added" + (f": {new}" if new else ""),
        "related-removed": lambda: f"related concept {t} removed",
        "related-changed": lambda: f"note on related concept {t}: {arrow}",
        "section-added": lambda: f"section {t} added",
        "section-removed": lambda: f"section {t} removed",
        "section-changed": lambda: f"section {t} changed",
        "changelog-added": lambda: f"changelog entry added: {t} {new}",
        "changelog-changed": lambda: f"changelog entry {t} changed: {arrow}",
        "changelog-removed": lambda: f"changelog entry removed: {t} {old}",
        "score-changed": lambda: f"score: {arrow}",
        "scored-changed": lambda: f"scored: {arrow}",
        "citation-added": lambda: f"cites {t}" + (f" (claims: {new})" if new else ""),
        "citation-removed": lambda: f"no longer cites {t}" + (f" (claims: {old})" if old else ""),
        "citation-claims-changed": lambda: f"citation of {t}: claims {arrow}",
        "re-reviewed": lambda: f"citation of {t} re-reviewed",
        "stamp-removed": lambda: f"citation of {t}: stamp removed (never reviewed now)",
    }
    return table.get(item.kind, lambda: f"field {t} changed")()


def _page_head(page: PageDiff, esc: Callable[[str], str]) -> str:
    what = {
        "renamed": f"renamed from {esc(page.old_path or '')}",
        "reformatted": "reformatted, no change in content",
        "unreadable": f"cannot be read ({esc(page.problem or '')})",
    }.get(page.status, page.status)
    title = f" \u201c{esc(page.title)}\u201d" if page.title else ""
    return f"{page.kind} {esc(page.id)}{title} ({esc(page.path)}): {what}"


def _c005(page: PageDiff, esc: Callable[[str], str]) -> str:
    return (
        f"material content changed with no new changelog entry (C005): "
        f"{esc('; '.join(page.unrecorded))} (kb changelog {esc(page.id)} TEXT)"
    )


def _stale_line(change: StaleChange, esc: Callable[[str], str]) -> str:
    claims = f" (claims: {esc(', '.join(change.claims))})" if change.claims else ""
    why = "; ".join(change.reasons) or "needs a review"
    return f"thesis {esc(change.thesis)} cites {esc(change.concept)}{claims}: {esc(why)}"


_PLURAL = {"concept": "concepts", "thesis": "theses"}
_COUNT_LABELS = {
    "claim-added": "claims added", "claim-removed": "claims removed",
    "claim-merged": "claims merged", "claim-merged-in": "claims merged in from another concept",
    "claim-moved": "claims moved to another concept", "claim-reworded": "claims re-worded",
    "evidence-changed": "evidence levels changed", "source-added": "sources added",
    "source-removed": "sources removed", "changelog-added": "changelog entries added",
}  # fmt: skip


def counts(result: KnowledgeDiff) -> dict[str, int]:
    """How many of each kind of change: pages by status, then changes by kind."""
    out: dict[str, int] = {}
    for page in result.pages:
        key = f"{_PLURAL[page.kind]} {page.status}"
        out[key] = out.get(key, 0) + 1
        for item in page.items:
            label = _COUNT_LABELS.get(item.kind, item.kind.replace("-", " "))
            out[label] = out.get(label, 0) + 1
        if page.unrecorded:
            key = "concepts changed with no changelog entry (C005)"
            out[key] = out.get(key, 0) + 1
    for change in result.stale:
        key = f"citations made {change.made}"
        out[key] = out.get(key, 0) + 1
    return out


# -- text ------------------------------------------------------------------------------


def _plain_words(item: Item) -> str:
    return _join_words(item, _safe, "[-{}-]", "{{+{}+}}")


def _join_words(item: Item, esc: Callable[[str], str], removed: str, added: str) -> str:
    """A word diff on one line: kept text as is, changed runs marked; a removed run next to
    an added one is set apart by a space, and a space on both sides of a run is not doubled."""
    out = ""
    previous = "="
    for op, text in item.words:
        piece = esc(text) if op == "=" else (removed if op == "-" else added).format(esc(text))
        if op != "=" and previous != "=":
            out += " "
        out += piece
        previous = op
    return re.sub(" {2,}", " ", out)


def text_lines(result: KnowledgeDiff, sides: Sides) -> list[tuple[str, str]]:
    """The text report, line by line, each with its style at a terminal."""
    lines = [("dim", f"kb diff: {_safe(sides.old_label)} → {_safe(sides.new_label)}")]
    for page in result.pages:
        lines.append(("bold", _page_head(page, _safe)))
        for item in page.items:
            sign = _sign(item)
            lines.append((_STYLE[sign], f"  {sign} {describe(item, _safe, _plain_words)}"))
        if page.unrecorded:
            lines.append(("bold red", f"  ! {_c005(page, _safe)}"))
    for made, heading in (("stale", "Theses made stale"), ("current", "Theses current again")):
        changes = [c for c in result.stale if c.made == made]
        if changes:
            lines.append(("bold", f"{heading}:"))
            style = "red" if made == "stale" else "green"
            lines.extend((style, f"  {_stale_line(c, _safe)}") for c in changes)
    lines.append(("", _summary(result)))
    return lines


_STYLE = {"+": "green", "-": "red", "~": "yellow"}


def _summary(result: KnowledgeDiff) -> str:
    if not result.pages and not result.stale:
        return "No change in the knowledge."
    n = len(result.pages)
    parts = []
    for kind, plural in _PLURAL.items():
        for status in _STATUSES:
            if count := sum(1 for p in result.pages if p.kind == kind and p.status == status):
                parts.append(f"{count} {kind if count == 1 else plural} {status}")
    stale = sum(1 for c in result.stale if c.made == "stale")
    tail = f"; {stale} citation{'s' if stale != 1 else ''} made stale" if stale else ""
    return f"{n} page{'s' if n != 1 else ''} changed: {', '.join(parts)}{tail}."


_STATUSES = ("added", "removed", "renamed", "redirected", "modified", "reformatted", "unreadable")


def text(result: KnowledgeDiff, sides: Sides, out: TextIO, color: bool) -> None:
    """Plain lines (at a terminal, `kb diff` draws `text_lines` in their styles)."""
    for _, line in text_lines(result, sides):
        out.write(line + "\n")


# -- markdown --------------------------------------------------------------------------


def _md_words(item: Item) -> str:
    # HTML tags, not `~~`/`**`: those format only where CommonMark's flanking rules allow,
    # so a changed full stop after a word ("first~~.~~") would stay literal.
    return _join_words(item, _md, "<del>{}</del>", "<ins>{}</ins>")


def markdown(result: KnowledgeDiff, sides: Sides, out: TextIO, color: bool) -> None:
    out.write("\n".join(markdown_lines(result, sides)) + "\n")


def markdown_lines(result: KnowledgeDiff, sides: Sides) -> list[str]:
    lines = [f"### Knowledge diff: {_md(sides.old_label)} → {_md(sides.new_label)}", ""]
    if not result.pages and not result.stale:
        return [*lines, "No change in the knowledge."]
    lines += ["| change | count |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in counts(result).items()]
    for made, heading in (("stale", "Theses made stale"), ("current", "Theses current again")):
        changes = [c for c in result.stale if c.made == made]
        if changes:
            lines += ["", f"**{heading}**", ""]
            lines += [f"- {_stale_line(c, _md)}" for c in changes]
    fold = len(result.pages) > DETAILS_OVER
    for page in result.pages:
        body = [f"- {describe(i, _md, _md_words)}" for i in page.items]
        if page.unrecorded:
            body.append(f"- ⚠ {_c005(page, _md)}")
        if fold:
            lines += ["", f"<details><summary>{_page_head(page, _html)}</summary>", ""]
            lines += [*body, "", "</details>"]
        else:
            lines += ["", f"#### {_page_head(page, _md)}", "", *body]
    return lines


# -- json ------------------------------------------------------------------------------


def as_json(result: KnowledgeDiff, sides: Sides, out: TextIO, color: bool) -> None:
    from kbcli.safetext import json_text

    out.write(json_text(to_json(result, sides)))  # control chars, bidi, `##[` escaped
    out.write("\n")


def to_json(result: KnowledgeDiff, sides: Sides) -> dict[str, Any]:
    return {
        "version": JSON_VERSION,
        "old": {"rev": sides.old_label, "commit": sides.old},
        "new": {"rev": sides.new_label, "commit": sides.new},
        "changed": result.changed,
        "counts": _json_counts(result),
        "pages": [_page_json(p) for p in result.pages],
        "stale": [
            {
                "thesis": c.thesis,
                "path": c.path,
                "concept": c.concept,
                "claims": None if c.claims is None else list(c.claims),
                "made": c.made,
                "reasons": list(c.reasons),
            }
            for c in result.stale
        ],
    }


def _json_counts(result: KnowledgeDiff) -> dict[str, Any]:
    """Pages by kind and status, changes by kind, C005 pages, citations by what was made."""
    pages: dict[str, dict[str, int]] = {}
    changes: dict[str, int] = {}
    for page in result.pages:
        by_status = pages.setdefault(page.kind, {})
        by_status[page.status] = by_status.get(page.status, 0) + 1
        for item in page.items:
            changes[item.kind] = changes.get(item.kind, 0) + 1
    made = {m: sum(1 for c in result.stale if c.made == m) for m in ("stale", "current")}
    unrecorded = sum(1 for p in result.pages if p.unrecorded)
    return {"pages": pages, "changes": changes, "unrecorded": unrecorded, "citations_made": made}


def _page_json(page: PageDiff) -> dict[str, Any]:
    return {
        "kind": page.kind, "id": page.id, "path": page.path, "old_path": page.old_path,
        "status": page.status, "title": page.title, "problem": page.problem,
        "unrecorded": list(page.unrecorded),
        "changes": [_item_json(i) for i in page.items],
    }  # fmt: skip


def _item_json(item: Item) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": item.kind, "target": item.target,
                           "old": item.old, "new": item.new}  # fmt: skip
    if item.concept is not None:
        out["concept"] = item.concept
    if item.words:
        out["words"] = [list(w) for w in item.words]
    return out


Reporter = Callable[[KnowledgeDiff, "Sides", TextIO, bool], None]
REPORTERS: dict[str, Reporter] = {"text": text, "markdown": markdown, "json": as_json}
