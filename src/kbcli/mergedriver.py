"""The merge driver's set-up: what `kb git-setup` writes and `--check` (and lint's Y009
hint) reads, so that git merges the KB's pages with `kb merge-file`.

Two places, as `git lfs install` does for its filters: the `.gitattributes` beside the KB
(`kb.yaml`'s folder) names the driver for the page files, and the repository's own git
config says what the driver runs. The driver line names the Python that ran `git-setup`
by its absolute path, with `-P -m kbcli` (as pre-commit's hook scripts name their Python),
so a merge from a shell without the virtual environment still finds kb, and never a
`kbcli` folder of the repository. `sys.argv[0]` would
not do: under `python -m kbcli` it is the package's `__main__.py`, and a console script
started through a relative path names that relative path.

`.gitattributes` and the git config are not versioned alike: the first is committed and
reaches every clone, the second is per clone, so each curator runs `kb git-setup` once.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from kbcli.errors import KbError

DRIVER = "kb"
PATTERNS = (
    "concepts/*.yaml",
    "concepts/*.yml",
    "theses/*.yaml",
    "theses/*.yml",
    "/kb.yaml",
)
ATTRIBUTE = f"merge={DRIVER}"
NAME = "kb: merge knowledge-base pages by meaning"
_HEADER = "# kb git-setup: merge the KB's pages by meaning (kb merge-file)"


@dataclass
class SetupReport:
    """What was added (or, with --check, what is missing)."""

    attributes: Path
    lines: list[str] = field(default_factory=list)  # .gitattributes lines added / missing
    config: list[str] = field(default_factory=list)  # git config entries set / missing
    overridden: list[str] = field(default_factory=list)  # pages git merges otherwise


def driver_command(python: str) -> str:
    """The `merge.kb.driver` line: the given Python runs kb on git's placeholders. `-P`
    keeps the work tree (git runs drivers from its top) off `sys.path`: a `kbcli/` folder
    there, from anyone's branch, would otherwise be run in kb's place."""
    return f"{shlex.quote(python)} -P -m kbcli merge-file %O %A %B --path %P --marker-size %L"


def git_setup(kb_root: Path, python: str) -> SetupReport:
    """Add what is missing of the attributes and the driver config; report what was added."""
    repo = _repo(kb_root)
    report = SetupReport(kb_root / ".gitattributes")
    report.lines = _missing_lines(report.attributes)
    if report.lines:
        _append(report.attributes, report.lines)
    from kbcli import gitrepo

    wanted = {f"merge.{DRIVER}.name": NAME, f"merge.{DRIVER}.driver": driver_command(python)}
    for key, value in wanted.items():
        if gitrepo.config_get(repo, key) != value:
            gitrepo.config_set(repo, key, value)
            report.config.append(f"{key} = {value}")
    return report


def check_setup(kb_root: Path) -> SetupReport:
    """What is missing: attribute lines, the driver config, or the program it names."""
    from kbcli import gitrepo

    repo = _repo(kb_root)
    report = SetupReport(kb_root / ".gitattributes", _missing_lines(kb_root / ".gitattributes"))
    driver = gitrepo.config_get(repo, f"merge.{DRIVER}.driver")
    if driver is None:
        report.config.append(f"merge.{DRIVER}.driver is not set")
    else:
        program = _program(driver)
        if program is not None:
            report.config.append(f"merge.{DRIVER}.driver runs {program}, which no longer exists")
        elif " -m kbcli " in driver and " -P -m kbcli " not in driver:
            report.config.append(
                f"merge.{DRIVER}.driver runs python -m kbcli without -P, so a kbcli/ folder "
                "in the work tree would run in kb's place"
            )
    if gitrepo.config_get(repo, f"merge.{DRIVER}.name") is None:
        report.config.append(f"merge.{DRIVER}.name is not set")
    report.overridden = _overridden(kb_root, repo, report.lines)
    return report


def _overridden(kb_root: Path, repo: Path, missing: list[str]) -> list[str]:
    """The patterns whose line is there but git applies another merge to (an attributes
    file that takes precedence: `.git/info/attributes`, a deeper `.gitattributes`)."""
    import os

    from kbcli import gitrepo

    where = Path(os.path.relpath(kb_root.resolve(), repo.resolve()))
    out = []
    for pattern in PATTERNS:
        if f"{pattern} {ATTRIBUTE}" in missing:
            continue
        sample = pattern.lstrip("/").replace("*", "page")
        merge = gitrepo.attribute(kb_root, "merge", sample)
        if merge != DRIVER:
            shown = (where / pattern.lstrip("/")).as_posix()
            out.append(f"git merges {shown} with merge={merge}, not {ATTRIBUTE}")
    return out


def driver_configured(kb_root: Path) -> bool | None:
    """Whether git would merge this KB's pages with `kb merge-file` (for lint's hint);
    None where there is no git repository to set up."""
    try:
        report = check_setup(kb_root)
    except KbError:
        return None
    return not report.lines and not report.config and not report.overridden


def _repo(kb_root: Path) -> Path:
    from kbcli import gitrepo

    top = gitrepo.toplevel(kb_root)
    if top is None:
        raise KbError(f"{kb_root} is not in a git repository: git-setup configures git")
    return top


def _program(driver: str) -> str | None:
    """The driver's program when it is an absolute path that no longer exists, else None."""
    try:
        words = shlex.split(driver)
    except ValueError:
        return driver
    if words and Path(words[0]).is_absolute() and not Path(words[0]).exists():
        return words[0]
    return None


def _missing_lines(path: Path) -> list[str]:
    have: set[tuple[str, ...]] = set()
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            have.add(tuple(line.split()))
    return [f"{p} {ATTRIBUTE}" for p in PATTERNS if (p, ATTRIBUTE) not in have]


def _append(path: Path, lines: list[str]) -> None:
    from kbcli.store import write_file

    old = path.read_bytes() if path.exists() else b""
    nl = b"\r\n" if b"\r\n" in old else b"\n"
    if old and not old.endswith(b"\n"):
        old += nl
    block = [_HEADER, *lines] if _HEADER.encode() not in old else lines
    write_file(path, old + b"".join(line.encode() + nl for line in block))
