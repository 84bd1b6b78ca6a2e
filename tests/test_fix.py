"""`kb lint --fix`: fixes that need no decision, surgically, and the fixer's exit code."""

from __future__ import annotations

from pathlib import Path

from helpers import make_kb, run_kb

TODAY = ("--today", "2026-11-26")

UNTIDY = """\
# Beta, as a curator left it.
id: beta
title: Beta
aliases: [b, 'second letter', b]   # b twice
summary: The second concept.
claims:
  - id: beta-is-second
    statement: "Beta  is second "
    evidence: weak
    sources: [s, s]
  - id: beta-follows-alpha
    statement: >
      Beta follows
      alpha
    evidence: weak
    sources: [s]
sources:
  - {id: s, title: A source}
changelog:
  - {date: 2026-04-05, text: Created}
  - {date: 2026-04-14, text: Added a claim}
"""

TIDY = """\
# Beta, as a curator left it.
id: beta
title: Beta
aliases: [b, 'second letter']   # b twice
summary: The second concept.
claims:
  - id: beta-is-second
    statement: "Beta is second"
    evidence: weak
    sources: [s]
  - id: beta-follows-alpha
    statement: >
      Beta follows
      alpha
    evidence: weak
    sources: [s]
sources:
  - {id: s, title: A source}
changelog:
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: Created}
"""


def test_fix_tidies_the_page_says_what_it_did_and_exits_1(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"concepts/beta.yaml": UNTIDY})
    result = run_kb("lint", "--fix", *TODAY, cwd=kb)
    assert result.code == 1
    assert (kb / "concepts" / "beta.yaml").read_text() == TIDY
    assert result.err == (
        "fixed concepts/beta.yaml: changelog put in order (newest-first)\n"
        "fixed concepts/beta.yaml: repeated alias 'b' removed\n"
        "fixed concepts/beta.yaml: whitespace of claim 'beta-is-second' tidied\n"
        "fixed concepts/beta.yaml: repeated source 's' on claim 'beta-is-second' removed\n"
        "kb: exit 1: --fix changed 1 file (listed above); review and stage the changes\n"
    )
    assert result.out == "All clean: 3 pages checked.\n"
    again = run_kb("lint", "--fix", *TODAY, cwd=kb)
    assert (again.code, again.err) == (0, "")
    assert (kb / "concepts" / "beta.yaml").read_text() == TIDY


def test_fix_leaves_what_needs_a_decision_and_reports_it(tmp_path: Path) -> None:
    page = UNTIDY.replace(
        "evidence: weak\n    sources: [s, s]", "evidence: weak\n    sources: [s, t]"
    )
    kb = make_kb(tmp_path / "kb", files={"concepts/beta.yaml": page})
    before = (kb / "concepts" / "alpha.yaml").read_bytes()
    result = run_kb("lint", "--fix", *TODAY, cwd=kb)
    assert result.code == 1
    assert "fixed concepts/beta.yaml: changelog put in order (newest-first)" in result.err
    assert result.out.splitlines()[0] == (
        "concepts/beta.yaml:10:18: R006 claim 'beta-is-second' cites source 't', which this "
        "page does not list (sources: s)"
    )
    assert (kb / "concepts" / "alpha.yaml").read_bytes() == before


def test_fix_on_named_paths_only(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"concepts/beta.yaml": UNTIDY})
    result = run_kb("lint", "--fix", *TODAY, "concepts/alpha.yaml", cwd=kb)
    assert (result.code, result.err) == (0, "")
    assert (kb / "concepts" / "beta.yaml").read_text() == UNTIDY


def test_fix_skips_a_page_that_would_stay_invalid(tmp_path: Path) -> None:
    broken = UNTIDY.replace("title: Beta\n", "")
    kb = make_kb(tmp_path / "kb", files={"concepts/beta.yaml": broken})
    result = run_kb("lint", "--fix", *TODAY, cwd=kb)
    assert result.err == ""
    assert (kb / "concepts" / "beta.yaml").read_text() == broken
    assert (
        result.out.splitlines()[0] == "concepts/beta.yaml:2:1: S001 missing required field 'title'"
    )
