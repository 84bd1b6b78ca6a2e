"""`kb lint --changed-since REV`, as CI runs it on a pull request, in real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

from helpers import git, git_init, make_kb, run_kb

TODAY = ("--today", "2026-11-26")


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    make_kb(repo / "kb")
    git_init(repo)
    git(repo, "checkout", "-q", "-b", "feature")
    return repo


def test_only_changed_pages_are_reported(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    # an old problem on main, not this branch's doing
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(
        beta.read_text().replace("changelog: []", "changelog: []\nrelated: [{concept: gamma}]")
    )
    git(repo, "commit", "-qam", "old problem")
    git(repo, "branch", "-f", "main")
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("{concept: beta, note", "{concept: delta, note"))
    result = run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo)
    assert result.out == (
        "kb/concepts/alpha.yaml:17:15: R004 related: no concept 'delta' in this KB "
        "(create it: kb new concept delta --title 'Delta')\n"
        "Found 1 error and 0 warnings (1 page checked).\n"
    )
    assert result.code == 1


def test_deleting_a_concept_reports_the_pages_it_breaks(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    git(repo, "rm", "-q", "kb/concepts/beta.yaml")
    git(repo, "commit", "-qm", "remove beta")
    result = run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo)
    assert result.out == (
        "kb/concepts/alpha.yaml:17:15: R004 related: no concept 'beta' in this KB "
        "(create it: kb new concept beta --title 'Beta')\n"
        "Found 1 error and 0 warnings (0 pages checked).\n"
    )


def test_removing_a_cited_claim_reports_the_thesis(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    alpha = repo / "kb" / "concepts" / "alpha.yaml"
    text = (
        alpha.read_text()
        .replace(
            "  - id: alpha-is-first\n    statement: Alpha comes first\n    evidence: strong\n"
            "    sources: [greek]\n",
            "",
        )
        .replace("changelog:\n", "changelog:\n  - {date: 2026-04-20, text: Dropped a claim}\n")
    )
    alpha.write_text(text)
    result = run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo)
    assert result.out.splitlines() == [
        "kb/theses/t.yaml:8:14: R005 concept 'alpha' has no claim 'alpha-is-first'",
        "Found 1 error and 0 warnings (1 page checked).",
    ]


def test_changelog_discipline(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    alpha = repo / "kb" / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: moderate", "evidence: weak"))
    result = run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo)
    assert result.out.splitlines() == [
        "kb/concepts/alpha.yaml:18:1: C005 material content changed since main (evidence of "
        "claim 'alpha-is-a-letter' changed: moderate -> weak) but no changelog entry was added "
        "(kb changelog alpha TEXT)",
        "Found 1 error and 0 warnings (1 page checked).",
    ]
    assert (
        run_kb("changelog", "alpha", "Weaker evidence", "--date", "2026-04-21", cwd=repo).code == 0
    )
    assert run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo).code == 0
    # a formatting-only change needs no entry
    git(repo, "checkout", "-q", "--", ".")
    alpha.write_text("# reformatted\n" + alpha.read_text())
    assert run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo).code == 0


def test_rewording_an_old_changelog_entry_records_no_change(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    alpha = repo / "kb" / "concepts" / "alpha.yaml"
    text = alpha.read_text().replace("evidence: moderate", "evidence: weak")
    alpha.write_text(text.replace("text: Created", "text: Created the page"))
    result = run_kb("lint", "--changed-since", "main", *TODAY, cwd=repo)
    assert (result.code, result.out.splitlines()[0].split(": C005 ")[0]) == (
        1,
        "kb/concepts/alpha.yaml:18:1",
    )


def test_works_in_a_shallow_clone_with_the_base_fetched(tmp_path: Path) -> None:
    origin = _repo(tmp_path)
    alpha = origin / "kb" / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("{concept: beta, note", "{concept: delta, note"))
    git(origin, "commit", "-qam", "break a link")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth=1", "--branch", "feature", f"file://{origin}", str(clone)],
        check=True,
    )
    git(clone, "fetch", "-q", "--depth=1", "origin", "main:refs/remotes/origin/main")
    result = run_kb("lint", "--changed-since", "origin/main", *TODAY, cwd=clone)
    assert result.out.splitlines()[0] == (
        "kb/concepts/alpha.yaml:17:15: R004 related: no concept 'delta' in this KB "
        "(create it: kb new concept delta --title 'Delta')"
    )


def test_unknown_revision_and_no_git_are_usage_errors(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    unknown = run_kb("lint", "--changed-since", "origin/nope", cwd=repo)
    assert unknown.code == 2
    assert unknown.err.startswith("kb: --changed-since: unknown revision 'origin/nope'")
    plain = make_kb(tmp_path / "plain")
    outside = run_kb("lint", "--changed-since", "main", cwd=plain)
    assert outside.code == 2
    assert "--changed-since needs a git repository" in outside.err


def test_a_committed_folder_named_like_a_page_is_a_stray_entry(tmp_path: Path) -> None:
    """git tracks files, not folders: a pull request adding `concepts/d.yaml/notes` brings
    a folder named like a page, which `kb lint` reports (Y008); so must --changed-since."""
    kb = git_init(make_kb(tmp_path / "kb"))
    (kb / "concepts/d.yaml").mkdir()
    (kb / "concepts/d.yaml/notes").write_text("x\n", encoding="utf-8")
    git(kb, "add", "-A")
    git(kb, "commit", "-qm", "A folder")
    result = run_kb("lint", "--changed-since", "HEAD~1", cwd=kb)
    assert (result.code, result.out) == (
        1,
        "concepts/d.yaml:1:1: Y008 not a page: a folder, named like a page; rename it or "
        "move it out of the KB\nFound 1 error and 0 warnings (1 page checked).\n",
    )
