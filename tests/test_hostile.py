"""A KB with the mess real repositories collect: entries named like pages that are not
pages. Every command that lists pages reports each as Y008 `not-a-page` at 1:1 (exit 1);
a command that needs one of them refuses it (exit 2); none hangs or calls it a bug.

The unreadable page must be unreadable to the user kb runs as. Tests run as root in CI,
and root reads anything, so there kb runs as `nobody` (setpriv), the way a curator without
the permission meets it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import CASES, needs_another_user, run_as_user

pytestmark = needs_another_user

DIR = "not a page: a folder, named like a page; rename it or move it out of the KB"
DANGLING = (
    "not a page: a symlink to nowhere.yaml, which does not exist; "
    "remove the link or restore its target"
)
LINK_DIR = (
    "not a page: a symlink to a folder, named like a page; rename it or move it out of the KB"
)
FIFO = "not a page: a named pipe (FIFO), which kb never opens; remove it or rename it"
LOCKED = (
    "not a page kb can read: permission denied; "
    "give yourself read permission (chmod u+r) or remove it"
)
FINDINGS = [
    f"concepts/dangling.yaml:1:1: Y008 {DANGLING}",
    f"concepts/dir.yaml:1:1: Y008 {DIR}",
    f"concepts/fifo.yaml:1:1: Y008 {FIFO}",
    f"concepts/linkdir.yaml:1:1: Y008 {LINK_DIR}",
    f"concepts/locked.yaml:1:1: Y008 {LOCKED}",
]


@pytest.fixture
def kb() -> Iterator[Path]:
    """The base KB, plus one stray entry of each kind. Outside pytest's own temporary
    folder (private to root), so that `nobody` can reach it."""
    top = Path(tempfile.mkdtemp(prefix="kb-hostile-"))
    try:
        root = top / "kb"
        shutil.copytree(CASES / "base", root)
        concepts = root / "concepts"
        (concepts / "dir.yaml").mkdir()
        (concepts / "dangling.yaml").symlink_to("nowhere.yaml")
        (concepts / "linkdir.yaml").symlink_to("../theses")
        os.mkfifo(concepts / "fifo.yaml")
        shutil.copy(concepts / "beta.yaml", concepts / "locked.yaml")
        (concepts / "locked.yaml").chmod(0o000)
        for path in (top, *(p for p in top.rglob("*") if p.name != "locked.yaml")):
            if not path.is_symlink():
                path.chmod(0o777 if path.is_dir() else 0o644)
        (top / "home").mkdir(mode=0o777)
        yield root
    finally:
        shutil.rmtree(top)


def test_lint_reports_each_stray_entry_once_at_1_1(kb: Path) -> None:
    result = run_as_user("lint", cwd=kb)
    assert result.out.splitlines() == [
        *FINDINGS,
        "Found 5 errors and 0 warnings (8 pages checked).",
    ]
    assert (result.code, result.err) == (1, "")


def test_lint_json_carries_the_code_and_place(kb: Path) -> None:
    import json

    result = run_as_user("lint", "--format", "json", cwd=kb)
    found = json.loads(result.out)["findings"]
    assert [(f["path"], f["line"], f["col"], f["code"]) for f in found] == [
        (line.split(":")[0], 1, 1, "Y008") for line in FINDINGS
    ]
    assert result.code == 1


def test_stale_lists_the_stray_entries_and_exits_1(kb: Path) -> None:
    result = run_as_user("stale", cwd=kb)
    assert result.out.splitlines() == [
        *FINDINGS,
        "Nothing stale: 1 citation in 1 thesis checked. "
        "5 entries named like pages could not be read (listed above).",
    ]
    assert (result.code, result.err) == (1, "")


def test_render_writes_nothing_and_lists_the_stray_entries(kb: Path) -> None:
    out = kb.parent / "site"
    result = run_as_user("render", "--out", str(out), cwd=kb)
    assert result.out.splitlines() == FINDINGS
    assert result.err == "kb: nothing was rendered: remove or fix the entries above\n"
    assert result.code == 1
    assert not out.exists()


@pytest.mark.parametrize(
    ("concept", "message"),
    [
        ("dir", DIR),
        ("dangling", DANGLING),
        ("linkdir", LINK_DIR),
        ("fifo", FIFO),
        ("locked", LOCKED),
    ],
)
def test_show_refuses_a_stray_entry_with_exit_2(kb: Path, concept: str, message: str) -> None:
    result = run_as_user("show", concept, cwd=kb)
    assert result.err == f"kb: concepts/{concept}.yaml:1:1: Y008 {message}\n"
    assert (result.code, result.out) == (2, "")


def test_show_of_a_good_page_is_not_spoilt_by_stray_entries(kb: Path) -> None:
    result = run_as_user("show", "alpha", cwd=kb)
    assert result.code == 0, result.err
    assert result.out.startswith("Alpha\n")


def test_an_edit_of_a_stray_entry_is_refused_and_nothing_changes(kb: Path) -> None:
    result = run_as_user("changelog", "fifo", "x", "--date", "2026-04-21", cwd=kb)
    assert result.err == f"kb: concepts/fifo.yaml:1:1: Y008 {FIFO}\n"
    assert result.code == 2
    assert (kb / "concepts" / "fifo.yaml").is_fifo()


def test_lint_of_named_stray_entries_reports_each(kb: Path) -> None:
    """As pre-commit passes them: a folder named like a page is a stray entry too."""
    result = run_as_user("lint", "concepts/dir.yaml", "concepts/fifo.yaml", cwd=kb)
    assert result.out.splitlines() == [
        f"concepts/dir.yaml:1:1: Y008 {DIR}",
        f"concepts/fifo.yaml:1:1: Y008 {FIFO}",
        "Found 2 errors and 0 warnings (2 pages checked).",
    ]
    assert result.code == 1
