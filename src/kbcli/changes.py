"""What a pull request changed in the KB: `kb lint --changed-since REV`.

The pages to report on are those added or modified since the merge base with REV (in
commits, the index or the working tree), plus the pages whose references those changes
can break (a deleted or renamed concept, a removed claim). In this mode, a concept whose
material content changed with no new changelog entry is a finding of its own (C005).

Git is run through `kbcli.git`: a few plain commands, byte-exact output, no import cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.errors import KbError
from kbcli.findings import Finding
from kbcli.kb import KINDS, PAGE_SUFFIXES

if TYPE_CHECKING:  # kb diff imports this module for C005 alone: not the index
    from kbcli.index import KbIndex
    from kbcli.stamps import Change

REFERENCE_CODES = frozenset({"R004", "R005"})


@dataclass
class ChangeSet:
    base: str  # the commit compared against (the merge base, or REV in a shallow clone)
    pages: set[str] = field(default_factory=set)  # root-relative pages added or modified
    concepts: set[str] = field(default_factory=set)  # ids of concepts added/modified/removed
    modified: dict[str, bytes] = field(default_factory=dict)  # modified page -> its base bytes


def changed_since(root: Path, rev: str) -> ChangeSet:
    """The KB pages that changed between REV's merge base and the working tree."""
    if _git(root, "rev-parse", "--git-dir") is None:
        raise KbError(f"--changed-since needs a git repository; {root} is not in one")
    base = _base(root, rev)
    changes = ChangeSet(base)
    diff = _git(root, "diff", "--name-status", "-z", "--no-renames", "--relative", base, "--")
    fields = (diff or b"").decode("utf-8", "surrogateescape").split("\0")
    for status, rel in zip(fields[0::2], fields[1::2], strict=False):
        _note(changes, root, status, rel)
    untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard")
    for rel in (untracked or b"").decode("utf-8", "surrogateescape").split("\0"):
        _note(changes, root, "A", rel)
    return changes


def _base(root: Path, rev: str) -> str:
    commit = _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if commit is None:
        raise KbError(
            f"--changed-since: unknown revision {rev!r} (in a CI checkout, fetch it first, "
            f"e.g. git fetch origin {rev.removeprefix('origin/')})"
        )
    merge_base = _git(root, "merge-base", rev, "HEAD")
    # A shallow clone may not reach the merge base: compare with REV itself.
    return (merge_base or commit).decode().strip()


def _note(changes: ChangeSet, root: Path, status: str, rel: str) -> None:
    parts = rel.split("/")
    if len(parts) > 2:  # a file in a folder: the folder, if named like a page, is one (Y008)
        parts, status = parts[:2], "D" if status == "D" else "A"
        rel = "/".join(parts)
    if len(parts) != 2 or parts[0] not in KINDS.values():
        return
    stem, suffix = parts[1].rsplit(".", 1) if "." in parts[1] else (parts[1], "")
    if f".{suffix}" not in PAGE_SUFFIXES:
        return
    if parts[0] == KINDS["concept"]:
        changes.concepts.add(stem)
    if status == "D":
        return
    changes.pages.add(rel)
    if status == "M":
        changes.modified[rel] = _git(root, "show", f"{changes.base}:./{rel}") or b""


def in_scope(findings: Iterable[Finding], changes: ChangeSet, index: KbIndex) -> list[Finding]:
    """The findings a pull request is answerable for: all those on the pages it changed,
    and the broken references on pages that point at a concept it changed or removed."""
    pointing = {
        facts.rel
        for facts in index.pages
        if any(name in changes.concepts for name, _, _ in facts.related)
        or any(cite.concept[0] in changes.concepts for cite in facts.cites)
    }
    return [
        f
        for f in findings
        if f.path in changes.pages or (f.path in pointing and f.code in REFERENCE_CODES)
    ]


def changelog_discipline(root: Path, changes: ChangeSet, rev: str, max_bytes: int) -> list[Finding]:
    """C005: a modified concept whose material content changed with no new changelog entry.
    The page is read through the one guarded reader (`kb.read_text`), as lint reads it."""
    from kbcli.kb import read_text, ref_for_path
    from kbcli.yamlio.load import YamlProblem, decode, locate, parse

    findings = []
    for rel, before in sorted(changes.modified.items()):
        if not rel.startswith(KINDS["concept"] + "/"):
            continue
        ref = ref_for_path(root, root / rel)
        if ref is None:
            continue
        try:
            old = parse(decode(before)).data
            now = parse(read_text(root, ref, max_bytes))
        except YamlProblem:
            continue  # lint reports an unreadable page by itself
        if not isinstance(old, dict) or not isinstance(now.data, dict):
            continue
        changed = unrecorded_change(old, now.data)
        if changed:
            what = "; ".join(change.message for change in changed)
            line, col = locate(now.root, ("changelog",), at_key=True)
            findings.append(
                Finding(
                    rel, line, col, "C005",
                    f"material content changed since {rev} ({what}) but no changelog entry "
                    f"was added (kb changelog {rel.split('/')[1].rsplit('.', 1)[0]} TEXT)",
                )
            )  # fmt: skip
    return findings


def unrecorded_change(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """C005's one definition: how a concept's material content changed from `old` to `new`
    (plain data) when no changelog entry was added; empty when it did not change, or when
    the change is recorded. `kb lint --changed-since` and `kb diff` both ask this."""
    from kbcli.stamps import diff, make_stamp

    changed = diff(make_stamp(old), new)
    return changed if changed and not _new_entries(old, new) else []


def _new_entries(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether an entry was added: one that was not there before, and more entries than
    before (re-wording an old entry records nothing new)."""

    def entries(data: dict[str, Any]) -> list[str]:
        value = data.get("changelog")
        return [repr(entry) for entry in value] if isinstance(value, list) else []

    before, after = entries(old), entries(new)
    return len(after) > len(before) and bool(set(after) - set(before))


def _git(cwd: Path, *args: str) -> bytes | None:
    """A git command's output, or None when it fails (or git is missing)."""
    from kbcli import git

    return git.ok(git.run(cwd, *args))
