"""Example-file folders: each `cases/invalid/<case>/` is laid over `cases/base/` and must
give exactly the findings in its `expected.txt`; each valid KB must lint clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import CASES, REPO, make_kb, run_kb

INVALID = sorted(p for p in (CASES / "invalid").iterdir() if p.is_dir())


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_invalid_case_gives_exactly_its_findings(case: Path, tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", case)
    result = run_kb("lint", "--today", "2026-11-26", cwd=kb)
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    assert result.out == expected
    assert result.err == ""
    has_errors = not expected.splitlines()[-1].startswith("Found 0 errors")
    assert result.code == (1 if has_errors else 0)
    assert run_kb("lint", "--strict", "--today", "2026-11-26", cwd=kb).code == 1


def test_base_case_is_clean(tmp_path: Path) -> None:
    result = run_kb("lint", cwd=make_kb(tmp_path / "kb"))
    assert (result.code, result.out) == (0, "All clean: 3 pages checked.\n")


def test_the_projects_own_kb_is_clean() -> None:
    result = run_kb("lint", "--strict", cwd=REPO / "kb")
    assert result.code == 0, result.out
    assert result.out.startswith("All clean: ")
