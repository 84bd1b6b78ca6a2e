"""Reporters for `kb stale`: text (a rich table at a terminal, plain lines when piped) and
JSON. Chosen from a table, as lint's are.

The JSON shape (`version` 1) is stable: fields may be added, never renamed or removed::

    {"version": 1, "clean": false,
     "summary": {"theses": 2, "citations": 4,
                 "stale": 1, "unreviewed": 1, "missing": 0, "unreadable": 0},
     "theses": [{"thesis": "t", "title": "A thesis", "path": "theses/t.yaml",
                 "citations": [{"concept": "alpha", "claims": ["alpha-is-first"],
                                "line": 7, "col": 14, "status": "stale",
                                "changes": [{"kind": "evidence changed",
                                             "claim": "alpha-is-first",
                                             "old": "strong", "new": "moderate",
                                             "message": "evidence of claim ..."}],
                                "origin": {"state": "commit", "sha": "1a2b3c4",
                                           "date": "2026-04-21T12:00:00+00:00",
                                           "subject": "Downgrade alpha"}}]}]}

Only theses and citations that need attention are listed. `claims` is null for a citation
of the whole concept. `status` is `stale`, `unreviewed`, `missing` (no such concept) or
`unreadable` (the concept page cannot be read). Each change's `kind` is a
`stamps.ChangeKind` value ("claim added", "claim removed", "claim merged" with `into`,
"statement re-worded", "evidence changed" with `old` and `new`, "sources changed",
"summary changed", ...). `origin` is null where there is no history to ask: outside git,
a citation never stamped, or one whose concept did not change (only the claims it names
did). Otherwise its `state` is `commit` (with `sha`, `date` in ISO 8601, `subject`; and
`merge: true` with `branch_commit`, the merged branch's own commit or null, when the commit
is a merge), `uncommitted` (changed only in the working tree or index) or `unknown` (with a
`note`). An origin may carry an `event` (`kind` deleted, renamed or retired, `concept`,
`sha`, `date`, `subject`, and `to`): what happened to a concept that is gone or retired.
docs/stale.md defines the commit named.
`path` is relative to the working directory, as in lint's JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from kbcli.history import Commit, Event, EventKind, Origin
from kbcli.report import display_path
from kbcli.stale import StaleCitation, StaleResult, Status

JSON_VERSION = 1

_STATUS_TEXT = {
    Status.STALE: "stale",
    Status.UNREVIEWED: "never reviewed",
    Status.MISSING: "no such concept",
    Status.UNREADABLE: "concept page cannot be read (see kb lint)",
}
_COUNT_TEXT = {
    Status.STALE: ("stale citation", "stale citations"),
    Status.UNREVIEWED: ("never reviewed", "never reviewed"),
    Status.MISSING: ("missing concept", "missing concepts"),
    Status.UNREADABLE: ("unreadable concept page", "unreadable concept pages"),
}


def text(result: StaleResult, cwd: Path, out: TextIO, color: bool) -> None:
    """A rich table with `color` (a terminal), else plain lines: per thesis, each citation
    that needs attention, what changed, and since when."""
    if color and result.theses:
        _table(result, cwd, out)
        out.write(summary(result) + "\n")
        return
    for line in plain_lines(result, cwd):
        out.write(line + "\n")


def plain_lines(result: StaleResult, cwd: Path) -> list[str]:
    lines = []
    for report in result.theses:
        lines.append(f"thesis {report.thesis} ({display_path(result.root, report.rel, cwd)})")
        for cit in report.citations:
            lines.append(f"  {citation_label(cit)}: {_STATUS_TEXT[cit.status]}{_since(cit)}")
            if cit.status is Status.STALE:
                lines.extend(f"    - {change.message}" for change in cit.changes)
    lines.append(summary(result))
    return lines


def citation_label(cit: StaleCitation) -> str:
    """`concept [claim, claim]`, or the concept alone for a whole-concept citation."""
    return f"{cit.concept} [{', '.join(cit.claims)}]" if cit.claims else cit.concept


def _since(cit: StaleCitation) -> str:
    origin = cit.origin
    if origin is None:
        return ""
    if origin.event is not None:  # deleted, renamed or retired: that first, then the answer
        event = ": " + _event(cit, origin.event)
        if origin.commit is not None and origin.commit.sha == origin.event.commit.sha:
            return event + _merge(origin)
        answer = _answer(origin)  # " since ...", or already in parentheses
        return f"{event} ({answer.strip()})" if origin.commit is not None else event + answer
    return _answer(origin)


def _answer(origin: Origin) -> str:
    if origin.commit is not None:
        return f" since {_commit(origin.commit)}{_merge(origin)}"
    if origin.uncommitted:
        return " (uncommitted change)"
    return f" (commit unknown: {origin.note})"


def _commit(c: Commit) -> str:
    return f'{c.sha} {c.date[:10]} "{c.subject}"'


def _merge(origin: Origin) -> str:
    """Said when the change arrived by a merge, with the merged branch's own commit."""
    if not origin.merge:
        return ""
    if origin.branch_commit is None:
        return " (a merge)"
    return f" (a merge; on the merged branch: {_commit(origin.branch_commit)})"


def _event(cit: StaleCitation, event: Event) -> str:
    """`deleted in ...`, `renamed to B in ...`, `retired into B in ...`; naming the
    concept when it is not the cited one (a concept retired into the cited one)."""
    who = "" if event.concept == cit.concept else f"{event.concept} "
    what = {
        EventKind.DELETED: "deleted",
        EventKind.RENAMED: f"renamed to {event.to}",
        EventKind.RETIRED: f"retired into {event.to}",
    }[event.kind]
    return f"{who}{what} in {_commit(event.commit)}"


def summary(result: StaleResult) -> str:
    citations = _n(result.checked_citations, "citation", "citations")
    theses = _n(result.checked_theses, "thesis", "theses")
    if result.clean:
        return f"Nothing stale: {citations} in {theses} checked."
    counts = ", ".join(
        _n(result.counts[status], *_COUNT_TEXT[status])
        for status in Status
        if result.counts[status]
    )
    to_review = _n(len(result.theses), "thesis", "theses")
    return (
        f"{to_review} to review: {counts} ({citations} checked). "
        "Re-score, then run: kb review THESIS"
    )


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _table(result: StaleResult, cwd: Path, out: TextIO) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    dated = any(c.origin is not None for r in result.theses for c in r.citations)
    table = Table(show_lines=False)
    for heading in ("Thesis", "Citation", "Status", "What changed", *(["Since"] if dated else [])):
        table.add_column(heading, overflow="fold")
    for report in result.theses:
        first = True
        for cit in report.citations:
            path = display_path(result.root, report.rel, cwd)
            changes = [c.message for c in cit.changes] if cit.status is Status.STALE else []
            cells = [
                f"{escape(report.thesis)}\n[dim]{escape(path)}[/]" if first else "",
                escape(citation_label(cit)),
                _STATUS_TEXT[cit.status],
                escape("\n".join(changes)),
            ]
            if dated:
                cells.append(escape(_since_cell(cit)))
            table.add_row(*cells, style=None if cit.status is Status.STALE else "yellow")
            first = False
        table.add_section()
    Console(file=out, force_terminal=True, highlight=False).print(table)


def _since_cell(cit: StaleCitation) -> str:
    origin = cit.origin
    if origin is None:
        return ""
    if origin.event is not None:
        return _since(cit).removeprefix(": ")
    if origin.commit is not None:
        c = origin.commit
        return f"{c.sha} {c.date[:10]}\n{c.subject}{_merge(origin)}"
    return "uncommitted" if origin.uncommitted else f"unknown: {origin.note}"


def as_json(result: StaleResult, cwd: Path, out: TextIO, color: bool) -> None:
    """The documented JSON shape (see the module docstring)."""
    json.dump(to_json(result, cwd), out, indent=2)
    out.write("\n")


def to_json(result: StaleResult, cwd: Path) -> dict[str, Any]:
    summary = {"theses": result.checked_theses, "citations": result.checked_citations}
    summary.update({status.value: result.counts[status] for status in Status})
    theses = [
        {
            "thesis": report.thesis,
            "title": report.title,
            "path": display_path(result.root, report.rel, cwd),
            "citations": [cit.to_json() for cit in report.citations],
        }
        for report in result.theses
    ]
    return {"version": JSON_VERSION, "clean": result.clean, "summary": summary, "theses": theses}


Reporter = Callable[[StaleResult, Path, TextIO, bool], None]
REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json}
