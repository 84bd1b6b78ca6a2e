"""`kb stale --changed-since REV`: only what a pull request made stale fails the check."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import git, git_init, make_kb, run_kb

T2 = """\
id: t2
title: Second thesis
position: Beta matters.
cites:
  - concept: beta
"""


def _repo(tmp_path: Path) -> Path:
    """main: thesis t fresh, thesis t2 already stale; then a branch `feature`."""
    repo = tmp_path / "repo"
    make_kb(repo / "kb", files={"theses/t2.yaml": T2})
    kb = repo / "kb"
    assert run_kb("review", "t2", "--date", "2026-04-20", cwd=kb).code == 0
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("The second", "The 2nd"))
    git_init(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def test_a_thesis_already_stale_on_main_is_a_note_not_a_failure(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("Alpha comes first", "Alpha is first"))
    git(repo, "commit", "-qam", "feature: re-word")
    assert run_kb("stale", "--check", cwd=kb).code == 1
    scoped = run_kb("stale", "--check", "--changed-since", "main", cwd=kb)
    base = git(repo, "rev-parse", "main").strip()
    assert scoped.code == 1
    assert scoped.out.splitlines()[:3] == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: stale since {git(repo, 'rev-parse', '--short', 'HEAD').strip()}"
        ' 2026-04-20 "feature: re-word"',
        "    - claim 'alpha-is-first' re-worded",
    ]
    assert scoped.out.splitlines()[-1] == (
        f"Note: 1 other citation already needed review at {base[:12]}, not because of this "
        "change (kb stale lists them)."
    )
    github = run_kb("stale", "--changed-since", "main", "--format", "github", cwd=kb)
    assert github.out.splitlines()[:2] == [
        "::error file=theses/t.yaml,line=7,col=14,title=kb stale::thesis t cites alpha "
        "[alpha-is-first]: claim 'alpha-is-first' re-worded",
        "::notice file=theses/t2.yaml,line=5,col=14,title=kb stale::thesis t2 cites beta: "
        "already needed review before this change: summary changed",
    ]
    doc = json.loads(run_kb("stale", "--changed-since", "main", "--format", "json", cwd=kb).out)
    assert doc["since"] == base
    assert [t["thesis"] for t in doc["theses"]] == ["t"]
    assert [t["thesis"] for t in doc["already"]] == ["t2"]


def test_a_change_that_stales_nothing_passes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    (kb / "theses" / "t3.yaml").write_text(T2.replace("t2", "t3").replace("beta", "alpha"))
    result = run_kb("stale", "--check", "--changed-since", "main", cwd=kb)
    assert result.code == 1  # a new citation never reviewed is this change's doing
    assert "  alpha: never reviewed" in result.out.splitlines()
    assert run_kb("review", "t3", "--date", "2026-04-21", cwd=kb).code == 0
    result = run_kb("stale", "--check", "--changed-since", "main", cwd=kb)
    assert result.code == 0, result.out
    assert result.out.splitlines()[-1].startswith("Note: 1 other citation already needed review")


def test_an_unknown_base_is_a_usage_error(tmp_path: Path) -> None:
    kb = _repo(tmp_path) / "kb"
    result = run_kb("stale", "--check", "--changed-since", "nope", cwd=kb)
    assert (result.code, result.err) == (
        2,
        "kb: unknown revision 'nope' (not a commit in this repository)\n",
    )


def test_a_stamp_the_change_removed_is_caused_by_the_change(tmp_path: Path) -> None:
    # Fresh on main, never reviewed once the stamp is gone: the change made it need review.
    kb = _repo(tmp_path) / "kb"
    thesis = kb / "theses" / "t.yaml"
    thesis.write_text(
        "".join(li for li in thesis.read_text().splitlines(True) if "stamp:" not in li)
    )
    result = run_kb("stale", "--check", "--changed-since", "main", cwd=kb)
    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        "thesis t (theses/t.yaml)",
        "  alpha [alpha-is-first]: never reviewed",
    ]
    diff = run_kb("diff", "main", cwd=kb).out.splitlines()
    assert diff[1:] == [
        "thesis t “A thesis” (theses/t.yaml): modified",
        "  - citation of alpha: stamp removed (never reviewed now)",
        "Theses made stale:",
        "  thesis t cites alpha (claims: alpha-is-first): stamp removed",
        "1 page changed: 1 thesis modified; 1 citation made stale.",
    ]


TWICE = """\
id: t3
title: Twice
position: Alpha, twice.
cites:
  - concept: alpha
    claims: [alpha-is-first]
  - concept: alpha
    claims: [alpha-is-a-letter]
"""


def test_two_citations_of_one_concept_are_told_apart(tmp_path: Path) -> None:
    # On main, t3's citation of alpha-is-a-letter is already stale and its citation of
    # alpha-is-first fresh; the change makes the second stale, and only that one is its doing.
    repo = tmp_path / "repo"
    kb = make_kb(repo / "kb", files={"theses/t3.yaml": TWICE})
    assert run_kb("review", "t3", "--date", "2026-04-20", cwd=kb).code == 0
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("Alpha is a letter", "Alpha is a Greek letter"))
    git_init(repo)
    alpha.write_text(alpha.read_text().replace("Alpha comes first", "Alpha comes first of all"))
    git(repo, "rm", "-q", "kb/theses/t.yaml")  # t would be made stale too
    diff = run_kb("diff", cwd=kb).out.splitlines()
    assert diff[diff.index("Theses made stale:") + 1 :] == [
        "  thesis t3 cites alpha (claims: alpha-is-first): claim 'alpha-is-first' re-worded",
        "2 pages changed: 1 concept modified, 1 thesis removed; 1 citation made stale.",
    ]
    result = run_kb("stale", "--check", "--changed-since", "HEAD", cwd=kb)
    assert result.code == 1
    assert result.out.splitlines() == [
        "thesis t3 (theses/t3.yaml)",
        "  alpha [alpha-is-first]: stale (uncommitted change)",
        "    - claim 'alpha-is-first' re-worded",
        "1 thesis to review: 1 stale citation (2 citations checked). Re-score, then run: "
        "kb review THESIS",
        "Note: 1 other citation already needed review at "
        f"{git(repo, 'rev-parse', '--short=12', 'HEAD').strip()}, not because of this change "
        "(kb stale lists them).",
    ]


def test_a_second_citation_added_without_a_stamp_is_the_only_one_caused(tmp_path: Path) -> None:
    # t3's citation of alpha-is-a-letter is already stale on main; the change adds a third
    # citation of alpha, never reviewed: that one fails, the stale one stays a note.
    repo = tmp_path / "repo"
    kb = make_kb(repo / "kb", files={"theses/t3.yaml": TWICE})
    assert run_kb("review", "t3", "--date", "2026-04-20", cwd=kb).code == 0
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("Alpha is a letter", "Alpha is a Greek letter"))
    git_init(repo)
    t3 = kb / "theses" / "t3.yaml"
    t3.write_text(t3.read_text().replace("scored:", "  - concept: alpha\nscored:"))
    result = run_kb("stale", "--check", "--changed-since", "HEAD", cwd=kb)
    assert result.code == 1
    assert result.out.splitlines()[:2] == ["thesis t3 (theses/t3.yaml)", "  alpha: never reviewed"]
    assert "Note: 1 other citation already needed review" in result.out
