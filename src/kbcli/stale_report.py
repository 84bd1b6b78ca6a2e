"""Reporters for `kb stale`: plain text, JSON and GitHub workflow commands, chosen from a
table, as lint's are (at a terminal, commands/stale.py draws the text as a rich table).

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
`note`), as where git refuses the repository: "git refuses this repository
(safe.directory)" for one another user owns, "git fails in this repository: ..." with
git's words otherwise. An origin may carry an `event` (`kind` deleted, renamed or retired,
`concept`, `sha`, `date`, `subject`, and `to`): what happened to a concept that is gone or
retired (`sha`, `date` and `subject` null for a deletion not yet committed).
docs/stale.md defines the commit named.
`path` is relative to the working directory, as in lint's JSON. `not_pages` lists the
entries named like pages that kb could not read (Y008, as lint reports them); any makes
`clean` false and the exit code 1.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from kbcli.history import Commit, Event, EventKind, Origin
from kbcli.report import display_path, github_data, github_property
from kbcli.safetext import json_text, visible
from kbcli.stale import StaleCitation, StaleResult, Status, ThesisReport

JSON_VERSION = 1

STATUS_TEXT = {
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
    """Plain lines: per thesis, each citation that needs attention, what changed, and
    since when (at a terminal, `kb stale` draws them as a table: commands/stale.py)."""
    for line in plain_lines(result, cwd):
        out.write(line + "\n")


def plain_lines(result: StaleResult, cwd: Path) -> list[str]:
    """The text report, a line each; ids, paths, messages and commit subjects are
    untrusted, so every line is shown through `safetext.visible` (one line stays one)."""
    return [visible(line) for line in _plain_lines(result, cwd)]


def _plain_lines(result: StaleResult, cwd: Path) -> list[str]:
    lines = not_page_lines(result, cwd)
    for report in result.theses:
        lines.append(f"thesis {report.thesis} ({display_path(result.root, report.rel, cwd)})")
        for cit in report.citations:
            lines.append(f"  {citation_label(cit)}: {STATUS_TEXT[cit.status]}{_since(cit)}")
            if cit.status is Status.STALE:
                lines.extend(f"    - {change.message}" for change in cit.changes)
    lines.append(summary(result))
    if result.already:
        lines.append(already_line(result))
    return lines


def already_line(result: StaleResult) -> str:
    n = sum(len(t.citations) for t in result.already)
    return (
        f"Note: {_n(n, 'other citation', 'other citations')} already needed review at "
        f"{(result.since or '')[:12]}, not because of this change (kb stale lists them)."
    )


def not_page_lines(result: StaleResult, cwd: Path) -> list[str]:
    """The entries kb could not survey, as lint reports them."""
    return [
        f"{display_path(result.root, f.path, cwd)}:{f.line}:{f.col}: {f.code} {f.message}"
        for f in result.not_pages
    ]


def citation_label(cit: StaleCitation) -> str:
    """`concept [claim, claim]`, or the concept alone for a whole-concept citation."""
    return f"{cit.concept} [{', '.join(cit.claims)}]" if cit.claims else cit.concept


def _since(cit: StaleCitation) -> str:
    origin = cit.origin
    if origin is None:
        return ""
    if origin.event is not None:  # deleted, renamed or retired: that first, then the answer
        event = ": " + _event(cit, origin.event)
        done = origin.event.commit
        if origin.commit is not None and done is not None and origin.commit.sha == done.sha:
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
    when = "the working tree" if event.commit is None else _commit(event.commit)
    return f"{who}{what} in {when}"


def summary(result: StaleResult) -> str:
    citations = _n(result.checked_citations, "citation", "citations")
    theses = _n(result.checked_theses, "thesis", "theses")
    if not result.theses:
        found = f"Nothing stale: {citations} in {theses} checked."
        if result.not_pages:
            strays = _n(len(result.not_pages), "entry", "entries")
            found += f" {strays} named like pages could not be read (listed above)."
        return found
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


def since_cell(cit: StaleCitation) -> tuple[str, ...]:
    origin = cit.origin
    if origin is None:
        return ()
    if origin.event is not None:
        return (_since(cit).removeprefix(": "),)
    if origin.commit is not None:
        c = origin.commit
        return (f"{c.sha} {c.date[:10]}", f"{c.subject}{_merge(origin)}")
    return ("uncommitted",) if origin.uncommitted else (f"unknown: {origin.note}",)


def as_json(result: StaleResult, cwd: Path, out: TextIO, color: bool) -> None:
    """The documented JSON shape (see the module docstring)."""
    out.write(json_text(to_json(result, cwd)))
    out.write("\n")


def to_json(result: StaleResult, cwd: Path) -> dict[str, Any]:
    summary = {"theses": result.checked_theses, "citations": result.checked_citations}
    summary.update({status.value: result.counts[status] for status in Status})
    theses = [_thesis_json(report, result, cwd) for report in result.theses]
    strays = [
        {"path": display_path(result.root, f.path, cwd), "line": f.line, "col": f.col,
         "code": f.code, "message": f.message}
        for f in result.not_pages
    ]  # fmt: skip
    doc = {
        "version": JSON_VERSION, "clean": result.clean, "summary": summary, "theses": theses,
        "not_pages": strays,
    }  # fmt: skip
    if result.since is not None:  # --changed-since: what needed review before the change
        doc["since"] = result.since
        doc["already"] = [_thesis_json(report, result, cwd) for report in result.already]
    return doc


def _thesis_json(report: ThesisReport, result: StaleResult, cwd: Path) -> dict[str, Any]:
    return {
        "thesis": report.thesis,
        "title": report.title,
        "path": display_path(result.root, report.rel, cwd),
        "citations": [cit.to_json() for cit in report.citations],
    }


def github(result: StaleResult, cwd: Path, out: TextIO, color: bool) -> None:
    """GitHub workflow commands: an error on each stray entry and each citation to review, a
    notice on each that needed review before the change (`--changed-since`), then the
    summary."""
    for f in result.not_pages:
        where = f"file={github_property(display_path(result.root, f.path, cwd))},line={f.line}"
        out.write(f"::error {where},col={f.col},title={f.code}::{github_data(f.message)}\n")
    for level, reports in (("error", result.theses), ("notice", result.already)):
        for report in reports:
            path = display_path(result.root, report.rel, cwd)
            for cit in report.citations:
                what = "; ".join(c.message for c in cit.changes) or STATUS_TEXT[cit.status]
                if level == "notice":
                    what = f"already needed review before this change: {what}"
                where = f"file={github_property(path)},line={cit.line},col={cit.col}"
                props = f"{where},title=kb stale"
                message = f"thesis {report.thesis} cites {citation_label(cit)}: {what}"
                out.write(f"::{level} {props}::{github_data(message)}\n")
    out.write(summary(result) + "\n")
    if result.already:
        out.write(already_line(result) + "\n")


Reporter = Callable[[StaleResult, Path, TextIO, bool], None]
REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github}
