"""`kb merge-file BASE OURS THEIRS`: git's merge-driver contract, merging pages by meaning.

git runs the driver from the top of the working tree as
`kb merge-file %O %A %B --path %P --marker-size %L` and expects the merge in OURS (%A):
exit 0 when it is clean, non-zero when conflict markers are left in it. What the path
names decides how the page is merged (`concepts/`, `theses/`, `kb.yaml`); the KB's config
(its changelog order, evidence levels, page size limit) is read from the `kb.yaml` beside
those folders. Anything that cannot be merged by meaning is merged by git's own line merge
(`git merge-file`), so the driver is never worse than git.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli import collector
from kbcli.config import CONFIG_NAME, Config
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli import threeway

_BOM = b"\xef\xbb\xbf"


@dataclass
class MergeReport:
    """What happened: the exit code for git and lines for the curator."""

    code: int
    notes: list[str] = field(default_factory=list)


def merge_file(
    base: Path, ours: Path, theirs: Path, rel: str | None, marker_size: int, cwd: Path
) -> MergeReport:
    """Merge BASE, OURS and THEIRS into OURS; exit 0 clean, 1 with conflict markers."""
    with collector.paused():  # the parsed pages: tens of thousands of objects, no cycles
        return _merge_file(base, ours, theirs, rel, marker_size, cwd)


def _merge_file(
    base: Path, ours: Path, theirs: Path, rel: str | None, marker_size: int, cwd: Path
) -> MergeReport:
    from kbcli import threeway

    if marker_size < 1:
        raise KbError(f"--marker-size must be at least 1, not {marker_size}")
    raw = [_read(p) for p in (base, ours, theirs)]
    name = rel or str(ours)
    kind, stem, config = _page_kind(cwd, rel)
    try:
        outcome = _by_meaning(raw, kind, stem, config, marker_size, cwd)
    except threeway.Unmergeable as exc:
        from kbcli import gitrepo

        style = gitrepo.conflict_style(cwd)
        merged, conflicted = gitrepo.line_merge(ours, base, theirs, marker_size, style, cwd)
        _write(ours, merged)
        how = "with conflicts" if conflicted else "cleanly"
        return MergeReport(int(conflicted), [f"{name}: {exc}; merged line by line {how}"])
    data = outcome.text.encode("utf-8")
    _write(ours, _BOM + data if raw[1].startswith(_BOM) else data)
    notes = [f"{name}: conflict in {c.where}: {c.why}" for c in outcome.conflicts]
    return MergeReport(1 if outcome.conflicts else 0, notes)


def _by_meaning(
    raw: list[bytes], kind: str | None, stem: str, config: Config, marker_size: int, cwd: Path
) -> threeway.Outcome:
    """The merge by meaning; Unmergeable for what git's line merge must do instead, a bug
    included: a driver that fails leaves OURS as it was, which git would take for the merge
    (with theirs' changes missing), so the line merge is better than nothing."""
    from kbcli import threeway

    try:
        if kind is None:
            raise threeway.Unmergeable("it is not a kb page (concepts/, theses/ or kb.yaml)")
        if max(len(r) for r in raw) > config.max_page_bytes:
            raise threeway.Unmergeable(f"it is over max_page_bytes ({config.max_page_bytes})")
        texts = _texts(raw)
        check = threeway.lint_check(kind, stem, config, texts[1], texts[2])
        newest = config.changelog_order == "newest-first"
        lines = functools.partial(_merge_strings, cwd)
        need = threeway.required_fields(kind, config)
        outcome = threeway.merge_texts(
            kind, texts, newest, check, marker_size, lines=lines, required=need
        )
        # git passes no flag for diff3: asked only when there is a conflict to write
        if outcome.conflicts and _conflict_style(cwd) in ("diff3", "zdiff3"):
            outcome = threeway.merge_texts(
                kind, texts, newest, check, marker_size, True, lines, need
            )
    except (threeway.Unmergeable, KbError):
        raise
    except Exception as exc:  # reported, and git's merge done instead
        why = f"{type(exc).__name__}: {exc}; a bug, please report it"
        raise threeway.Unmergeable(f"kb merge-file failed ({why})") from exc
    return outcome


def _merge_strings(cwd: Path, base: str, ours: str, theirs: str) -> str | None:
    from kbcli import gitrepo  # imported only when prose was edited on both sides

    return gitrepo.merge_strings(cwd, base, ours, theirs)


def _conflict_style(cwd: Path) -> str:
    from kbcli import gitrepo

    return gitrepo.conflict_style(cwd)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise KbError(f"cannot read {path}: {exc.strerror}") from None


def _texts(raw: list[bytes]) -> tuple[str, str, str]:
    from kbcli import threeway
    from kbcli.yamlio.load import YamlProblem, decode

    try:
        base, ours, theirs = (decode(r) for r in raw)
    except YamlProblem as exc:
        raise threeway.Unmergeable(exc.message) from None
    return base, ours, theirs


def _page_kind(cwd: Path, rel: str | None) -> tuple[str | None, str, Config]:
    """What the file is (concept, thesis, config or None), its stem, and its KB's config."""
    from kbcli.kb import PAGE_SUFFIXES

    if rel is None:
        return None, "", Config()
    path = Path(rel)
    kinds = {"concepts": "concept", "theses": "thesis"}
    if path.name == CONFIG_NAME:
        return "config", "", Config()
    kind = kinds.get(path.parent.name) if path.suffix in PAGE_SUFFIXES else None
    if kind is None:
        return None, "", Config()
    return kind, path.stem, _config(cwd / path.parent.parent)


def _config(root: Path) -> Config:
    """The KB's config; its defaults when it cannot be read (mid-merge it may not be)."""
    from kbcli.config import load_config

    try:
        return load_config(root)
    except KbError:
        return Config()


def _write(path: Path, data: bytes) -> None:
    from kbcli.store import write_file

    write_file(path, data)


def run(base: Path, ours: Path, theirs: Path, path: str | None, marker_size: int) -> int:
    """`kb merge-file`: merge into `ours`; git's exit code (0 clean, 1 conflicts)."""
    from kbcli.terminal import say

    report = merge_file(base, ours, theirs, path, marker_size, Path.cwd())
    for note in report.notes:
        say(f"kb merge-file: {note}", err=True)  # the path and claim ids come from a branch
    return report.code
