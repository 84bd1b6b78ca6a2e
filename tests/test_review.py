"""`kb review`: stamps written surgically, what it reports, what it refuses, and that a
review is what `kb stale` and `kb lint` then take as fresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import GIT_ENV, git, git_init, make_kb, run_kb

HAND_WRITTEN = """\
# A thesis written by hand.
id: h
title: "Hand-written"   # quoted on purpose
position: >
  Alpha comes first,
  and that matters.
score: 0.4  # a first guess
cites:
  # the claim we rely on
  - concept: alpha
    claims:
      - alpha-is-first   # see the Greek alphabet
  - {concept: beta}   # the whole of beta

notes: |
  Keep an eye on beta.
"""

REVIEWED = """\
# A thesis written by hand.
id: h
title: "Hand-written"   # quoted on purpose
position: >
  Alpha comes first,
  and that matters.
score: 0.7  # a first guess
cites:
  # the claim we rely on
  - concept: alpha
    claims:
      - alpha-is-first   # see the Greek alphabet
    stamp: v1 h:5b84181428ca alpha-is-first=4e383304:strong:b5f6
  - {concept: beta, stamp: "v1 h:b177e441416e s:1a032717"}   # the whole of beta

notes: |
  Keep an eye on beta.
scored: 2026-04-21
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_kb(tmp_path / "kb", files={"theses/h.yaml": HAND_WRITTEN})


def thesis(root: Path, name: str = "h") -> str:
    return (root / "theses" / f"{name}.yaml").read_text()


def test_review_writes_stamps_score_and_date_and_nothing_else(root: Path) -> None:
    result = run_kb("review", "h", "--score", "0.7", "--date", "2026-04-21", cwd=root)
    assert result.code == 0, result.err
    assert thesis(root) == REVIEWED
    assert result.out.splitlines() == [
        "Reviewed h (theses/h.yaml): scored 2026-04-21, score 0.4 -> 0.7",
        "  alpha [alpha-is-first]: stamped (first review)",
        "  beta: stamped (first review)",
    ]


def test_a_second_review_changes_only_the_date(root: Path) -> None:
    assert run_kb("review", "h", "--score", "0.7", "--date", "2026-04-21", cwd=root).code == 0
    again = run_kb("review", "h", "--date", "2026-04-22", cwd=root)
    assert again.code == 0, again.err
    assert thesis(root) == REVIEWED.replace("scored: 2026-04-21", "scored: 2026-04-22")
    assert again.out.splitlines() == [
        "Reviewed h (theses/h.yaml): scored 2026-04-22, score 0.7 kept",
        "  alpha [alpha-is-first]: stamped (unchanged since the last review)",
        "  beta: stamped (unchanged since the last review)",
    ]


def test_review_shows_what_had_changed(root: Path) -> None:
    assert run_kb("review", "h", "--date", "2026-04-21", cwd=root).code == 0
    alpha = root / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: weak"))
    beta = root / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("The second concept.", "The second letter."))
    result = run_kb("review", "h", "--score", "0.3", "--date", "2026-04-22", cwd=root)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Reviewed h (theses/h.yaml): scored 2026-04-22, score 0.4 -> 0.3",
        "  alpha [alpha-is-first]: stamped; since the last review:",
        "    - evidence of claim 'alpha-is-first' changed: strong -> weak",
        "  beta: stamped; since the last review:",
        "    - summary changed",
    ]
    assert "alpha-is-first=4e383304:weak:b5f6" in thesis(root)


def test_after_a_review_nothing_is_stale_and_lint_is_clean(root: Path) -> None:
    alpha = root / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: moderate"))
    lint = run_kb("lint", "--strict", "--today", "2026-04-30", cwd=root)
    assert lint.code == 1
    assert [line.split(": ")[1].split()[0] for line in lint.out.splitlines()[:-1]] == [
        "C006",
        "C006",
        "C004",
    ]
    assert run_kb("stale", "--check", cwd=root).code == 1
    for name in ("h", "t"):
        assert run_kb("review", name, "--date", "2026-04-21", cwd=root).code == 0
    assert run_kb("stale", "--check", cwd=root).out.splitlines() == [
        "Nothing stale: 3 citations in 2 theses checked."
    ]
    assert run_kb("stale", "--check", cwd=root).code == 0
    assert run_kb("lint", "--strict", "--today", "2026-04-30", cwd=root).code == 0


def test_review_commits_exactly_the_thesis(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = make_kb(top / "kb", files={"theses/h.yaml": HAND_WRITTEN})
    git_init(top)
    beta = root / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("The second concept.", "The second one."))
    result = run_kb("review", "h", "--date", "2026-04-21", "--commit", cwd=root, env=GIT_ENV)
    assert result.code == 0, result.err
    head = git(top, "rev-parse", "HEAD").strip()
    assert result.out.splitlines()[-1] == f"Committed {head[:12]}"
    assert git(top, "show", "--format=%s", "--name-only", "HEAD") == (
        "kb: review h\n\nkb/theses/h.yaml\n"
    )
    # the curator's unrelated edit stays uncommitted
    assert git(top, "status", "--porcelain", "-uno") == " M kb/concepts/beta.yaml\n"


def test_commit_outside_git_writes_nothing(root: Path, tmp_path: Path) -> None:
    result = run_kb(
        "review", "h", "--date", "2026-04-21", "--commit", cwd=root,
        env={"GIT_CEILING_DIRECTORIES": str(tmp_path)},
    )  # fmt: skip
    assert result.code == 2
    assert "not in a git repository" in result.err
    assert thesis(root) == HAND_WRITTEN


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "no thesis 'nope' (expected theses/nope.yaml)"),
        (["h", "--score", "1.5"], "--score 1.5 is not between 0 and 1"),
        (["h", "--score", "-0.1"], "--score -0.1 is not between 0 and 1"),
        (["h", "--score", "nan"], "--score nan is not between 0 and 1"),
        (["h", "--date", "2026-13-01"], "'2026-13-01' is not a date (YYYY-MM-DD)"),
        (["../t"], "'../t' is not a valid thesis id"),
    ],
)
def test_usage_errors_exit_2(root: Path, args: list[str], message: str) -> None:
    result = run_kb("review", *args, cwd=root)
    assert result.code == 2
    assert message in result.err
    assert thesis(root) == HAND_WRITTEN


MERGED = """\
id: gamma
title: Gamma
summary: Retired into alpha.
redirect: alpha
claims: []
changelog: []
"""


@pytest.mark.parametrize(
    ("citation", "message"),
    [
        ("{concept: nowhere}", "concept 'nowhere' does not exist"),
        (
            "{concept: alpha, claims: [alpha-is-last]}",
            "concept 'alpha' has no claim 'alpha-is-last'",
        ),
        ("{concept: gamma}", "concept 'gamma' was merged into 'alpha': cite 'alpha' instead"),
    ],
)
def test_a_citation_kb_cannot_vouch_for_is_refused(root: Path, citation: str, message: str) -> None:
    (root / "concepts" / "gamma.yaml").write_text(MERGED)
    page = HAND_WRITTEN.replace("  - {concept: beta}", f"  - {citation}")
    (root / "theses" / "h.yaml").write_text(page)
    result = run_kb("review", "h", "--date", "2026-04-21", cwd=root)
    assert result.code == 1
    assert result.err == f"kb: cannot review h: {message}; nothing was written\n"
    assert thesis(root) == page


def test_a_merged_claim_id_is_rewritten_to_its_survivor_and_stamped(root: Path) -> None:
    # Stamped while alpha-is-first was a claim of its own (strong)...
    assert run_kb("review", "h", "--date", "2026-04-20", cwd=root).code == 0
    stamped = thesis(root)
    # ...then merged (on another branch, say) into alpha-is-a-letter (moderate).
    alpha = root / "concepts" / "alpha.yaml"
    text = alpha.read_text()
    alpha.write_text(
        text.replace(
            "  - id: alpha-is-first\n    statement: Alpha comes first\n    evidence: strong\n"
            "    sources: [greek]\n",
            "",
        ).replace(
            "    evidence: moderate\n", "    evidence: moderate\n    merged: [alpha-is-first]\n"
        )
    )
    stale = run_kb("lint", "--today", "2026-04-21", cwd=root)
    assert " C004 " in stale.out
    result = run_kb("review", "h", "--date", "2026-04-21", cwd=root)
    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines()[1:4] == [
        "  alpha [alpha-is-a-letter]: stamped; since the last review:",
        "    - claim 'alpha-is-first' merged into 'alpha-is-a-letter' "
        "(evidence strong -> moderate, statement re-worded)",
        "    - cited 'alpha-is-first' (merged) now cites 'alpha-is-a-letter': 'Alpha is a letter'",
    ]
    now = thesis(root)
    assert "      - alpha-is-a-letter   # see the Greek alphabet\n" in now
    assert now.replace("alpha-is-a-letter   #", "alpha-is-first   #").split("stamp")[0] == (
        stamped.split("stamp")[0].replace("scored: 2026-04-20", "scored: 2026-04-21")
    )
    assert "theses/h.yaml" not in run_kb("lint", "--today", "2026-04-21", cwd=root).out


def test_lint_fix_rewrites_a_merged_citation_without_stamping_it(root: Path) -> None:
    alpha = root / "concepts" / "alpha.yaml"
    alpha.write_text(
        alpha.read_text().replace("    evidence: moderate\n", "    evidence: moderate\n"
                                  "    merged: [alpha-was-first]\n")
    )  # fmt: skip
    page = HAND_WRITTEN.replace("- alpha-is-first ", "- alpha-was-first ")
    (root / "theses" / "h.yaml").write_text(page)
    fixed = run_kb("lint", "--fix", "--today", "2026-04-21", cwd=root)
    assert fixed.err == (
        "fixed theses/h.yaml: citation of merged claim(s) rewritten: "
        "cites[0] alpha: alpha-was-first -> alpha-is-a-letter\n"
        "kb: exit 1: --fix changed 1 file (listed above); review and stage the changes\n"
    )
    assert thesis(root) == page.replace("- alpha-was-first ", "- alpha-is-a-letter ")
    assert "stamp" not in thesis(root)  # not reviewed: it stays unreviewed/stale


def test_every_refusal_is_named_at_once(root: Path) -> None:
    page = HAND_WRITTEN.replace("  - {concept: beta}", "  - {concept: gone}\n  - {concept: lost}")
    (root / "theses" / "h.yaml").write_text(page)
    result = run_kb("review", "h", "--date", "2026-04-21", cwd=root)
    assert result.err == (
        "kb: cannot review h: concept 'gone' does not exist; concept 'lost' does not exist; "
        "nothing was written\n"
    )
