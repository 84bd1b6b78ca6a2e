"""`kb diff`: what a change did to the knowledge, in real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import git, git_init, make_kb, run_kb

ALPHA = """\
id: alpha
title: Alpha
status: active
aliases: [first letter, aleph]
summary: The first concept.
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    detail: In the Greek alphabet.
    evidence: strong
    sources: [greek]
  - id: alpha-is-a-letter
    statement: Alpha is a letter
    evidence: moderate
    sources: [greek]
  - id: alpha-is-old
    statement: Alpha is old
    evidence: weak
    sources: [greek]
sources:
  - {id: greek, title: The Greek alphabet, url: "https://example.org/greek"}
  - {id: old-book, title: An old book}
open_questions: ["Is alpha first everywhere?"]
related:
  - {concept: beta, note: comes next}
changelog:
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: Created}
"""

ALPHA_EDITED = """\
id: alpha
title: Alpha, the letter
status: active
aliases: [first letter, alef]
summary: The very first concept.
claims:
  - id: alpha-is-first
    statement: Alpha comes before every other letter
    detail: In the Greek and Latin alphabets.
    evidence: moderate
    sources: [greek, latin]
  - id: alpha-is-a-letter
    statement: Alpha is a letter
    evidence: moderate
    sources: [greek]
  - id: alpha-is-new
    statement: Alpha is new here
    evidence: weak
    sources: [latin]
sources:
  - {id: greek, title: The Greek alphabet (2nd ed.), url: "https://example.org/greek2"}
  - {id: latin, title: The Latin alphabet}
open_questions: ["Is alpha first everywhere?", "Who named it?"]
related:
  - {concept: gamma, note: two after}
changelog:
  - {date: 2026-04-21, text: Re-worded the first claim}
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: Created}
"""


def _repo(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    repo = tmp_path / "repo"
    make_kb(repo / "kb", files=files)
    git_init(repo)
    return repo


def _commit(repo: Path, message: str, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / "kb" / rel).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def test_every_kind_of_concept_change_in_text(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"concepts/alpha.yaml": ALPHA})
    _commit(repo, "edit alpha", {"concepts/alpha.yaml": ALPHA_EDITED})
    result = run_kb("diff", "HEAD~1", "HEAD", cwd=repo / "kb")
    assert result.code == 0, result.err
    assert result.out == (
        "kb diff: HEAD~1 → HEAD\n"
        "concept alpha “Alpha, the letter” (concepts/alpha.yaml): modified\n"
        "  ~ title: Alpha → Alpha, the letter\n"
        "  ~ summary re-worded: The {+very+} first concept.\n"
        "  - alias removed: aleph\n"
        "  + alias added: alef\n"
        "  + open question added: Who named it?\n"
        "  - claim alpha-is-old removed: Alpha is old\n"
        "  ~ claim alpha-is-first re-worded: Alpha comes [-first-] {+before every other letter+}\n"
        "  ~ evidence of claim alpha-is-first: strong → moderate\n"
        "  + source latin added to claim alpha-is-first\n"
        "  ~ detail of claim alpha-is-first: In the Greek alphabet. → "
        "In the Greek and Latin alphabets.\n"
        "  + claim alpha-is-new added (weak): Alpha is new here\n"
        "  - source old-book removed: An old book\n"
        "  ~ source greek retitled: The Greek alphabet → The Greek alphabet (2nd ed.)\n"
        "  ~ source greek re-addressed: https://example.org/greek → https://example.org/greek2\n"
        "  + source latin added: The Latin alphabet\n"
        "  - related concept beta removed\n"
        "  + related concept gamma added: two after\n"
        "  + changelog entry added: 2026-04-21 Re-worded the first claim\n"
        "Theses made stale:\n"
        "  thesis t cites alpha (claims: alpha-is-first): claim 'alpha-is-first' re-worded; "
        "evidence of claim 'alpha-is-first' changed: strong -> moderate; "
        "sources of claim 'alpha-is-first' changed\n"
        "1 page changed: 1 concept modified; 1 citation made stale.\n"
    )


def test_pages_added_removed_and_renamed(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    git(repo, "mv", "kb/concepts/alpha.yaml", "kb/concepts/alpha-letter.yaml")
    moved = kb / "concepts" / "alpha-letter.yaml"
    moved.write_text(moved.read_text().replace("id: alpha\n", "id: alpha-letter\n"))
    git(repo, "rm", "-q", "kb/concepts/beta.yaml")
    _commit(repo, "rename alpha, drop beta, add gamma", {"concepts/gamma.yaml": GAMMA})
    result = run_kb("diff", "HEAD~1", cwd=kb)
    assert result.out == (
        "kb diff: HEAD~1 → working tree\n"
        "concept alpha-letter “Alpha” (concepts/alpha-letter.yaml): renamed from "
        "concepts/alpha.yaml\n"
        "concept beta “Beta” (concepts/beta.yaml): removed\n"
        "concept gamma “Gamma” (concepts/gamma.yaml): added\n"
        "  + claim gamma-is-third added (strong): Gamma comes third\n"
        "Theses made stale:\n"
        "  thesis t cites alpha (claims: alpha-is-first): concept removed\n"
        "3 pages changed: 1 concept added, 1 concept removed, 1 concept renamed; "
        "1 citation made stale.\n"
    )
    assert result.code == 0


GAMMA = """\
id: gamma
title: Gamma
summary: The third concept.
claims:
  - {id: gamma-is-third, statement: Gamma comes third, evidence: strong, sources: [greek]}
sources: [{id: greek, title: The Greek alphabet}]
changelog: []
"""


BETA_WITH_CLAIMS = """\
id: beta
title: Beta
summary: The second concept.
claims:
  - {id: beta-first, statement: Alpha comes first, evidence: strong, sources: [greek]}
sources: [{id: greek, title: The Greek alphabet}]
changelog: []
"""


def test_merge_claims_retire_other_shows_a_redirect_and_the_merge(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"concepts/beta.yaml": BETA_WITH_CLAIMS})
    kb = repo / "kb"
    merged = run_kb(
        "merge-claims", "alpha", "--from", "beta", "--retire-other", "--date", "2026-04-21",
        cwd=kb,
    )  # fmt: skip
    assert merged.code == 0, merged.err
    result = run_kb("diff", cwd=kb)
    lines = result.out.splitlines()
    assert lines[0] == "kb diff: HEAD → working tree"
    beta = lines.index("concept beta “Beta” (concepts/beta.yaml): redirected")
    assert lines[beta + 1 : beta + 3] == [
        "  ~ now a redirect to alpha",
        "  - claim beta-first merged into alpha-is-first (concept alpha)",
    ]
    assert "concept alpha “Alpha” (concepts/alpha.yaml): modified" in lines
    assert lines[-1] == "2 pages changed: 1 concept redirected, 1 concept modified."
    assert result.code == 0


def test_a_merge_within_a_concept_is_reported_as_merged(tmp_path: Path) -> None:
    alpha = (make_kb(tmp_path / "probe") / "concepts" / "alpha.yaml").read_text()
    duplicate = alpha.replace(
        "sources:\n  - {id: greek",
        "  - id: alpha-first-again\n    statement: Alpha comes first.\n    evidence: strong\n"
        "    sources: [greek]\nsources:\n  - {id: greek",
    )
    repo = _repo(tmp_path, {"concepts/alpha.yaml": duplicate})
    kb = repo / "kb"
    assert run_kb("merge-claims", "alpha", "--date", "2026-04-21", cwd=kb).code == 0
    result = run_kb("diff", cwd=kb)
    assert result.out == (
        "kb diff: HEAD → working tree\n"
        "concept alpha “Alpha” (concepts/alpha.yaml): modified\n"
        "  - claim alpha-first-again merged into alpha-is-first\n"
        "  + changelog entry added: 2026-04-21 "
        "Merged duplicate claims: alpha-first-again into alpha-is-first\n"
        "1 page changed: 1 concept modified.\n"
    )


def test_a_reformatted_page_has_no_change_in_content(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(
        "# reformatted\ntitle: 'Beta'\nid: \"beta\"\nsummary: >-\n    The   second\n\n"
        "    concept.\nclaims: []\nchangelog: []\n"
    )
    result = run_kb("diff", "--exit-code", cwd=kb)
    assert result.out == (
        "kb diff: HEAD → working tree\n"
        "concept beta “Beta” (concepts/beta.yaml): reformatted, no change in content\n"
        "1 page changed: 1 concept reformatted.\n"
    )
    assert result.code == 0  # the knowledge did not change


def test_a_page_unreadable_on_one_side_is_reported(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    _commit(repo, "break beta", {"concepts/beta.yaml": "- a list, not a page\n"})
    (kb / "concepts" / "alpha.yaml").write_bytes(b"id: alpha\ntitle: \xff\n")
    result = run_kb("diff", "HEAD~1", cwd=kb)
    assert result.code == 0, result.err
    assert result.out == (
        "kb diff: HEAD~1 → working tree\n"
        "concept alpha (concepts/alpha.yaml): cannot be read (new: Y004 line 2: not UTF-8: "
        "byte 0xff cannot be decoded)\n"
        "concept beta (concepts/beta.yaml): cannot be read (new: a page must be a mapping of "
        "fields)\n"
        "Theses made stale:\n"
        "  thesis t cites alpha (claims: alpha-is-first): the concept's page cannot be read\n"
        "2 pages changed: 2 concepts unreadable; 1 citation made stale.\n"
    )


def test_revisions_as_git_diff_takes_them(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    git(repo, "checkout", "-q", "-b", "feature")
    _commit(repo, "gamma", {"concepts/gamma.yaml": GAMMA})
    git(repo, "checkout", "-q", "main")
    _commit(repo, "delta", {"concepts/delta.yaml": GAMMA.replace("gamma", "delta")})
    git(repo, "checkout", "-q", "feature")
    (kb / "concepts" / "beta.yaml").unlink()

    def pages(*args: str) -> list[str]:
        out = run_kb("diff", "--format", "json", *args, cwd=kb)
        assert out.code == 0, out.err
        return [f"{p['id']} {p['status']}" for p in json.loads(out.out)["pages"]]

    assert pages() == ["beta removed"]  # HEAD against the working tree
    assert pages("main") == ["beta removed", "delta removed", "gamma added"]
    assert pages("main", "feature") == ["delta removed", "gamma added"]
    assert pages("main..feature") == ["delta removed", "gamma added"]
    assert pages("main...feature") == ["gamma added"]  # from the merge base
    assert pages("feature...main") == ["delta added"]
    bad = run_kb("diff", "no-such-branch", cwd=kb)
    assert (bad.code, bad.out) == (2, "")
    assert bad.err == "kb: unknown revision 'no-such-branch' (not a commit in this repository)\n"
    assert run_kb("diff", "main", "nope", cwd=kb).code == 2
    assert run_kb("diff", "--", "-x", cwd=kb).code == 2


def test_outside_git_is_a_usage_error(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    result = run_kb("diff", cwd=kb)
    assert result.code == 2
    assert result.err == f"kb: kb diff needs a git repository; {kb} is not in one\n"


def test_exit_code_says_whether_the_knowledge_changed(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    assert run_kb("diff", "--exit-code", cwd=kb).code == 0
    assert (
        run_kb("diff", cwd=kb).out == "kb diff: HEAD → working tree\nNo change in the knowledge.\n"
    )
    (kb / "concepts" / "gamma.yaml").write_text(GAMMA)  # untracked: still part of the change
    assert run_kb("diff", "--exit-code", cwd=kb).code == 1
    assert run_kb("diff", cwd=kb).code == 0
