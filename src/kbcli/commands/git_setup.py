"""`kb git-setup [--check]`: make git merge the KB's pages with `kb merge-file`; the
set-up itself (what is written where, and why) is `kbcli.mergedriver`."""

from __future__ import annotations

from pathlib import Path

from kbcli.mergedriver import SetupReport, check_setup, git_setup


def run(kb_root: Path, check: bool, python: str) -> int:
    """`kb git-setup`: set up the driver (naming `python`) and say what was added; with
    `check`, only say what is missing, and return 1 if anything is."""
    from kbcli.terminal import echo

    if check:
        return _report_check(check_setup(kb_root))
    report = git_setup(kb_root, python)
    for line in report.lines:
        echo(f"added to {report.attributes}: {line}")
    for line in report.config:
        echo(f"set in git config: {line}")
    if not report.lines and not report.config:
        echo("already set up: nothing to add")
    return 0


def _report_check(report: SetupReport) -> int:
    from kbcli.terminal import echo

    for line in report.lines:
        echo(f"missing in {report.attributes}: {line}")
    for line in report.config:
        echo(f"missing in git config: {line}")
    for line in report.overridden:
        echo(f"overridden: {line}")
    if report.lines or report.config:
        echo("run `kb git-setup` to add it")
    elif report.overridden:
        echo("remove the attribute lines that override it")
    if report.lines or report.config or report.overridden:
        return 1
    echo("kb merge-file is set up as the merge driver for this KB's pages")
    return 0
