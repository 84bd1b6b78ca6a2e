"""Reporters: findings as text, JSON or GitHub workflow commands. Chosen from a table."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from kbcli.findings import Finding, Severity
from kbcli.rules.catalogue import RULES
from kbcli.safetext import json_text, visible

JSON_VERSION = 1


def display_path(root: Path, rel: str, cwd: Path) -> str:
    """A finding's path as the user can open it: relative to where they stand."""
    return os.path.relpath(root / rel, cwd)


def text(
    findings: Sequence[Finding], paths: Sequence[str], checked: int, out: TextIO, color: bool
) -> None:
    """One line per finding, `path:line:col: CODE message`; the path and message shown as
    `safetext.visible` shows untrusted text, so no field can start a line of its own."""
    for finding, shown in zip(findings, paths, strict=True):
        path = visible(shown)
        warn = "warning: " if finding.severity is Severity.WARNING else ""
        message = visible(finding.message)
        line = f"{path}:{finding.line}:{finding.col}: {finding.code} {warn}{message}"
        out.write(_colour(line, finding, path) if color else line)
        out.write("\n")
    out.write(_summary(findings, checked) + "\n")


def _colour(line: str, finding: Finding, path: str) -> str:
    tint = "31" if finding.severity is Severity.ERROR else "33"
    head = f"{path}:{finding.line}:{finding.col}:"
    rest = line[len(head) + len(finding.code) + 1 :]
    return f"\x1b[1m{head}\x1b[0m \x1b[{tint};1m{finding.code}\x1b[0m{rest}"


def _summary(findings: Sequence[Finding], checked: int) -> str:
    errors = sum(f.severity is Severity.ERROR for f in findings)
    warnings = len(findings) - errors
    pages = f"{checked} page{'s' if checked != 1 else ''} checked"
    if not findings:
        return f"All clean: {pages}."
    return f"Found {_n(errors, 'error')} and {_n(warnings, 'warning')} ({pages})."


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def as_json(
    findings: Sequence[Finding], paths: Sequence[str], checked: int, out: TextIO, color: bool
) -> None:
    """The documented JSON shape: {"version", "checked", "summary", "findings": [...]}."""
    items = []
    for finding, path in zip(findings, paths, strict=True):
        item = finding.to_json()
        item["path"] = path
        item["rule"] = RULES[finding.code].name
        items.append(item)
    errors = sum(f.severity is Severity.ERROR for f in findings)
    doc = {
        "version": JSON_VERSION,
        "checked": checked,
        "summary": {"errors": errors, "warnings": len(findings) - errors},
        "findings": items,
    }
    out.write(json_text(doc))
    out.write("\n")


def github(
    findings: Sequence[Finding], paths: Sequence[str], checked: int, out: TextIO, color: bool
) -> None:
    """GitHub Actions workflow commands, escaped as GitHub documents (CR, LF and % in
    the message; also `:` and `,` in properties); other control and format characters
    shown by `safetext.visible`, as in the text format."""
    for finding, path in zip(findings, paths, strict=True):
        level = "error" if finding.severity is Severity.ERROR else "warning"
        props = (
            f"file={github_property(path)},line={finding.line},col={finding.col},"
            f"title={github_property(finding.code + ' ' + RULES[finding.code].name)}"
        )
        out.write(f"::{level} {props}::{github_data(finding.message)}\n")
    out.write(_summary(findings, checked) + "\n")


def github_data(value: str) -> str:
    """A workflow command's message, escaped as GitHub documents (after `visible`: CR and
    LF get GitHub's own encoding, below)."""
    value = visible(value, keep="\r\n")
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(value: str) -> str:
    """A workflow command's property value (`file=`, `title=`), escaped."""
    return github_data(value).replace(":", "%3A").replace(",", "%2C")


Reporter = Callable[[Sequence[Finding], Sequence[str], int, TextIO, bool], None]
REPORTERS: dict[str, Reporter] = {"text": text, "json": as_json, "github": github}
