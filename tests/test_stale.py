"""`kb stale` in real git repositories: what makes a citation stale, what is reported, and
the commit named. Two theses cite the base KB's concept `alpha`: `t` names one claim
(`alpha-is-first`), `w` cites the whole concept; both are freshly reviewed at the start.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from kbcli.commands.stale import text as text_report
from kbcli.config import load_config
from kbcli.history import Commit, Origin
from kbcli.stale import StaleCitation, Status, find_stale
from kbcli.stamps import Change, ChangeKind

from helpers import GIT_ENV, git, git_init, make_kb, run_kb

WHOLE = """\
id: w
title: The whole of alpha
position: Alpha matters as a whole.
cites:
  - concept: alpha
"""
CLEAN_T = "Nothing stale: 2 citations in 2 theses checked."


@pytest.fixture(autouse=True)
def pinned_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never a repository above


def commit(root: Path, subject: str, day: int) -> str:
    """Commit everything with author and committer dates on 2026-04-`day`; the short sha."""
    date = f"2026-04-{day:02d}T09:30:00+02:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(root, "add", "-A")
    import subprocess

    subprocess.run(["git", "commit", "-q", "-m", subject], cwd=root, env=env, check=True)
    return git(root, "rev-parse", "--short", "HEAD").strip()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def reviewed_kb(path: Path, in_git: bool = True) -> Path:
    """The base KB plus thesis `w`, both theses reviewed (and committed, in git)."""
    root = make_kb(path, files={"theses/w.yaml": WHOLE})
    for thesis in ("t", "w"):
        assert run_kb("review", thesis, "--date", "2026-04-20", cwd=root).code == 0
    if in_git:
        git_init(root)
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return reviewed_kb(tmp_path / "kb")


def stale_out(root: Path, *args: str) -> list[str]:
    result = run_kb("stale", *args, cwd=root)
    assert result.code == 0, result.err
    return result.out.splitlines()


def stale_json(root: Path) -> Any:
    result = run_kb("stale", "--format", "json", cwd=root)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_a_fresh_review_is_not_stale(root: Path) -> None:
    assert stale_out(root) == [CLEAN_T]
    assert run_kb("stale", "--check", cwd=root).code == 0


NON_MATERIAL = {
    "comment": ("claims:\n", "claims:  # what alpha asserts\n"),
    "quoting": ("statement: Alpha comes first", "statement: 'Alpha comes first'"),
    "key order": (
        "    evidence: strong\n    sources: [greek]\n",
        "    sources:\n      - greek\n    evidence: strong\n",
    ),
    "changelog": ("changelog:\n", "changelog:\n  - {date: 2026-04-21, text: Tidied}\n"),
    "detail and title": ("title: Alpha", "title: Alpha, the letter"),
    "folded summary": ("summary: The first concept.", "summary: >\n  The first\n  concept.\n"),
}


@pytest.mark.parametrize("change", sorted(NON_MATERIAL))
def test_a_non_material_change_is_not_stale(root: Path, change: str) -> None:
    edit(root, "concepts/alpha.yaml", *NON_MATERIAL[change])
    commit(root, f"Only {change}", 21)
    assert stale_out(root) == [CLEAN_T]
    assert run_kb("stale", "--check", cwd=root).code == 0
    assert run_kb("lint", "--strict", "--today", "2026-04-30", cwd=root).code == 0


def test_a_change_to_an_uncited_claim_stales_only_the_whole_concept(root: Path) -> None:
    edit(root, "concepts/alpha.yaml", "Alpha is a letter", "Alpha is a Greek letter")
    sha = commit(root, "Say which alphabet", 21)
    assert stale_out(root) == [
        "thesis w (theses/w.yaml)",
        f'  alpha: stale since {sha} 2026-04-21 "Say which alphabet"',
        "    - claim 'alpha-is-a-letter' re-worded",
        "1 thesis to review: 1 stale citation (2 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]


def test_an_evidence_downgrade_names_the_claim_the_levels_and_the_commit(root: Path) -> None:
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: weak")
    sha = commit(root, "Downgrade alpha-is-first", 21)
    edit(
        root, "concepts/alpha.yaml", "changelog:\n", "changelog:\n  - {date: 2026-04-22, text: x}\n"
    )
    commit(root, "A later, immaterial commit", 22)
    since = f'since {sha} 2026-04-21 "Downgrade alpha-is-first"'
    assert stale_out(root) == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: stale {since}",
        "    - evidence of claim 'alpha-is-first' changed: strong -> weak",
        "thesis w (theses/w.yaml)",
        f"  alpha: stale {since}",
        "    - evidence of claim 'alpha-is-first' changed: strong -> weak",
        "2 theses to review: 2 stale citations (2 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]
    change = {
        "kind": "evidence changed",
        "message": "evidence of claim 'alpha-is-first' changed: strong -> weak",
        "claim": "alpha-is-first",
        "old": "strong",
        "new": "weak",
    }
    origin = {
        "state": "commit",
        "sha": sha,
        "date": "2026-04-21T09:30:00+02:00",
        "subject": "Downgrade alpha-is-first",
    }
    assert stale_json(root) == {
        "version": 1,
        "clean": False,
        "summary": {
            "theses": 2,
            "citations": 2,
            "stale": 2,
            "unreviewed": 0,
            "missing": 0,
            "unreadable": 0,
        },
        "theses": [
            {
                "thesis": "t",
                "title": "A thesis",
                "path": "theses/t.yaml",
                "citations": [
                    {
                        "concept": "alpha",
                        "claims": ["alpha-is-first"],
                        "line": 7,
                        "col": 14,
                        "status": "stale",
                        "changes": [change],
                        "origin": origin,
                    }
                ],
            },
            {
                "thesis": "w",
                "title": "The whole of alpha",
                "path": "theses/w.yaml",
                "citations": [
                    {
                        "concept": "alpha",
                        "claims": None,
                        "line": 5,
                        "col": 14,
                        "status": "stale",
                        "changes": [change],
                        "origin": origin,
                    }
                ],
            },
        ],
        "not_pages": [],
    }


def test_a_reworded_statement(root: Path) -> None:
    edit(root, "concepts/alpha.yaml", "Alpha comes first", "Alpha comes before beta")
    sha = commit(root, "Reword", 23)
    assert stale_out(root)[:3] == [
        "thesis t (theses/t.yaml)",
        f'  alpha [alpha-is-first]: stale since {sha} 2026-04-23 "Reword"',
        "    - claim 'alpha-is-first' re-worded",
    ]


def test_a_removed_claim(root: Path) -> None:
    edit(
        root,
        "concepts/alpha.yaml",
        "  - id: alpha-is-first\n    statement: Alpha comes first\n    evidence: strong\n"
        "    sources: [greek]\n",
        "",
    )
    sha = commit(root, "Drop alpha-is-first", 24)
    since = f'since {sha} 2026-04-24 "Drop alpha-is-first"'
    assert stale_out(root)[:-1] == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: stale {since}",
        "    - claim 'alpha-is-first' removed",
        "thesis w (theses/w.yaml)",
        f"  alpha: stale {since}",
        "    - claim 'alpha-is-first' removed",
    ]
    doc = stale_json(root)
    assert doc["theses"][0]["citations"][0]["changes"] == [
        {
            "kind": "claim removed",
            "message": "claim 'alpha-is-first' removed",
            "claim": "alpha-is-first",
        }
    ]


@pytest.mark.parametrize("rewritten", [False, True], ids=["cited-as-was", "citation-rewritten"])
def test_a_merged_claim_names_its_survivor(root: Path, rewritten: bool) -> None:
    # What `kb merge-claims` leaves: the merged claim gone, its id on the survivor and,
    # in the same commit, the citation rewritten to name the survivor.
    edit(
        root,
        "concepts/alpha.yaml",
        "  - id: alpha-is-first\n    statement: Alpha comes first\n    evidence: strong\n"
        "    sources: [greek]\n",
        "",
    )
    edit(
        root,
        "concepts/alpha.yaml",
        "    evidence: moderate\n",
        "    evidence: moderate\n    merged: [alpha-is-first]\n",
    )
    cited = "alpha-is-first"
    if rewritten:
        cited = "alpha-is-a-letter"
        edit(root, "theses/t.yaml", "claims: [alpha-is-first]", f"claims: [{cited}]")
    sha = commit(root, "Merge alpha-is-first", 25)
    lines = stale_out(root)
    assert lines[:3] == [
        "thesis t (theses/t.yaml)",
        f'  alpha [{cited}]: stale since {sha} 2026-04-25 "Merge alpha-is-first"',
        "    - claim 'alpha-is-first' merged into 'alpha-is-a-letter' "
        "(evidence strong -> moderate, statement re-worded)",
    ]
    change = stale_json(root)["theses"][0]["citations"][0]["changes"][0]
    assert change == {
        "kind": "claim merged",
        "message": "claim 'alpha-is-first' merged into 'alpha-is-a-letter' "
        "(evidence strong -> moderate, statement re-worded)",
        "claim": "alpha-is-first",
        "old": "strong",
        "new": "moderate",
        "into": "alpha-is-a-letter",
        "reworded": True,
    }


def test_kb_merge_claims_is_reported_as_a_merge(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", files={"theses/w.yaml": WHOLE})
    added = run_kb(
        "add-claim", "alpha", "Alpha comes first!", "-e", "weak", "-s", "greek", "--force",
        "--date", "2026-04-19", cwd=root,
    )  # fmt: skip
    assert added.code == 0, added.err
    edit(root, "theses/t.yaml", "claims: [alpha-is-first]", "claims: [alpha-comes-first]")
    for thesis in ("t", "w"):
        assert run_kb("review", thesis, "--date", "2026-04-20", cwd=root).code == 0
    git_init(root)
    merged = run_kb("merge-claims", "alpha", "--evidence", "strongest", "--date", "2026-04-21",
                    "--commit", cwd=root)  # fmt: skip
    assert merged.code == 0, merged.err
    sha = git(root, "rev-parse", "--short", "HEAD").strip()
    since = f'since {sha} 2026-04-20 "kb: merge claims in alpha"'
    assert "claims: [alpha-is-first]" in (root / "theses" / "t.yaml").read_text()
    assert stale_out(root) == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: stale {since}",
        "    - claim 'alpha-comes-first' merged into 'alpha-is-first' "
        "(evidence weak -> strong, statement re-worded)",
        "thesis w (theses/w.yaml)",
        f"  alpha: stale {since}",
        "    - claim 'alpha-comes-first' merged into 'alpha-is-first' "
        "(evidence weak -> strong, statement re-worded)",
        "2 theses to review: 2 stale citations (2 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]


def test_a_claim_added_stales_the_whole_concept_citation_only(root: Path) -> None:
    added = run_kb(
        "add-claim",
        "alpha",
        "Alpha is a vowel",
        "-e",
        "weak",
        "-s",
        "greek",
        "--date",
        "2026-04-21",
        cwd=root,
    )
    assert added.code == 0, added.err
    sha = commit(root, "Add a claim", 21)
    assert stale_out(root)[:3] == [
        "thesis w (theses/w.yaml)",
        f'  alpha: stale since {sha} 2026-04-21 "Add a claim"',
        "    - claim 'alpha-vowel' added",
    ]


def test_a_claim_added_to_the_citation_is_not_the_concepts_change(root: Path) -> None:
    edit(
        root,
        "theses/t.yaml",
        "claims: [alpha-is-first]",
        "claims: [alpha-is-first, alpha-is-a-letter]",
    )
    commit(root, "Cite one more claim", 21)
    assert stale_out(root)[1:3] == [
        "  alpha [alpha-is-first, alpha-is-a-letter]: stale",
        "    - claim 'alpha-is-a-letter' is cited but the stamp does not cover it",
    ]
    assert stale_json(root)["theses"][0]["citations"][0]["origin"] is None


def test_a_change_not_yet_committed(root: Path) -> None:
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: moderate")
    assert stale_out(root)[1] == "  alpha [alpha-is-first]: stale (uncommitted change)"
    origin = stale_json(root)["theses"][0]["citations"][0]["origin"]
    assert origin == {"state": "uncommitted"}


def test_outside_git_there_is_no_commit(tmp_path: Path) -> None:
    root = reviewed_kb(tmp_path / "kb", in_git=False)
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: moderate")
    assert stale_out(root) == [
        "thesis t (theses/t.yaml)",
        "  alpha [alpha-is-first]: stale",
        "    - evidence of claim 'alpha-is-first' changed: strong -> moderate",
        "thesis w (theses/w.yaml)",
        "  alpha: stale",
        "    - evidence of claim 'alpha-is-first' changed: strong -> moderate",
        "2 theses to review: 2 stale citations (2 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]
    doc = stale_json(root)
    assert [c["origin"] for t in doc["theses"] for c in t["citations"]] == [None, None]
    assert not (root / ".kb-cache" / "history.json").exists()


def test_check_exit_codes(root: Path) -> None:
    assert run_kb("stale", "--check", cwd=root).code == 0
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: moderate")
    assert run_kb("stale", cwd=root).code == 0  # a report, not a failure
    checked = run_kb("stale", "--check", cwd=root)
    assert checked.code == 1
    assert "alpha [alpha-is-first]: stale" in checked.out
    assert run_kb("stale", "--check", "--format", "json", cwd=root).code == 1


def test_never_reviewed_and_missing_concepts(root: Path) -> None:
    (root / "theses" / "u.yaml").write_text(
        "id: u\ntitle: U\nposition: P.\ncites:\n  - concept: beta\n  - concept: nowhere\n"
    )
    commit(root, "Add u", 21)
    git(root, "rm", "-q", "concepts/alpha.yaml")
    gone = commit(root, "Remove alpha", 22)
    lines = stale_out(root)
    since = f': deleted in {gone} 2026-04-22 "Remove alpha"'
    assert lines == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: no such concept{since}",
        "thesis u (theses/u.yaml)",
        "  beta: never reviewed",
        "  nowhere: no such concept",
        "thesis w (theses/w.yaml)",
        f"  alpha: no such concept{since}",
        "3 theses to review: 1 never reviewed, 3 missing concepts (4 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]
    u = stale_json(root)["theses"][1]["citations"]
    assert [(c["status"], c["changes"], c["origin"]) for c in u] == [
        ("unreviewed", [], None),
        ("missing", [], None),
    ]
    assert run_kb("stale", "--check", cwd=root).code == 1


def test_an_unreadable_concept_page(root: Path) -> None:
    (root / "concepts" / "alpha.yaml").write_text("id: alpha\nclaims: [\n")
    assert (
        stale_out(root)[1] == "  alpha [alpha-is-first]: concept page cannot be read (see kb lint)"
    )
    assert run_kb("stale", "--check", cwd=root).code == 1


def test_the_history_cache(root: Path) -> None:
    cache = root / ".kb-cache"  # also where `kb review`'s lock is: only caches count here
    assert run_kb("stale", "--no-cache", cwd=root).code == 0
    assert sorted(os.listdir(cache)) == [".gitignore", "lock"]
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: moderate")
    first = commit(root, "Downgrade", 21)
    assert run_kb("stale", "--no-cache", cwd=root).code == 0
    assert sorted(os.listdir(cache)) == [".gitignore", "lock"]
    assert first in stale_out(root)[1]
    assert (cache / "history.json").is_file()
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert git(root, "status", "--porcelain") == ""  # the cache git-ignores itself
    edit(root, "concepts/alpha.yaml", "evidence: moderate", "evidence: strong")
    commit(root, "Revert the downgrade", 22)
    assert stale_out(root) == [CLEAN_T]
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: weak")
    again = commit(root, "Downgrade again", 23)
    assert again in stale_out(root)[1]  # the cache follows new commits


def test_the_core_result(root: Path) -> None:
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: moderate")
    sha = commit(root, "Downgrade", 21)
    result = find_stale(root, load_config(root), use_cache=False)
    assert [r.thesis for r in result.theses] == ["t", "w"]
    cit = result.theses[0].citations[0]
    assert cit == StaleCitation(
        "alpha",
        ("alpha-is-first",),
        7,
        14,
        Status.STALE,
        (Change(ChangeKind.EVIDENCE_CHANGED, "alpha-is-first", "strong", "moderate"),),
        cit.stamp,
        Origin(Commit(sha, "2026-04-21T09:30:00+02:00", "Downgrade")),
    )
    assert result.counts[Status.STALE] == 2 and not result.clean


def test_a_table_at_a_terminal(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    edit(root, "concepts/alpha.yaml", "evidence: strong", "evidence: moderate")
    sha = commit(root, "Downgrade", 21)
    out = io.StringIO()
    text_report(find_stale(root, load_config(root), use_cache=False), root, out, color=True)
    shown = out.getvalue()
    for word in ("Thesis", "What changed", "Since", sha, "alpha [alpha-is-first]", "-> moderate"):
        assert word in shown
    assert shown.splitlines()[-1].startswith("2 theses to review")
