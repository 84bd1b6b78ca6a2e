"""`kb diff`: what a change did to the knowledge, in real git repositories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    outside = tmp_path / "outside.yaml"
    outside.write_text(GAMMA)
    (kb / "concepts" / "gamma.yaml").symlink_to(outside)
    result = run_kb("diff", "HEAD~1", cwd=kb)
    assert result.code == 0, result.err
    assert result.out == (
        "kb diff: HEAD~1 → working tree\n"
        "concept alpha (concepts/alpha.yaml): cannot be read (new: Y004 line 2: not UTF-8: "
        "byte 0xff cannot be decoded)\n"
        "concept beta (concepts/beta.yaml): cannot be read (new: a page must be a mapping of "
        "fields)\n"
        f"concept gamma (concepts/gamma.yaml): cannot be read (new: Y007 line 1: symlink "
        f"leads outside the KB root (to {outside}))\n"
        "Theses made stale:\n"
        "  thesis t cites alpha (claims: alpha-is-first): the concept's page cannot be read\n"
        "3 pages changed: 3 concepts unreadable; 1 citation made stale.\n"
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
    assert run_kb("diff", "main", "feature", "HEAD", cwd=kb).err == (
        "kb: kb diff takes at most two revisions\n"
    )
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


def _thesis(tid: str, concept: str, claims: str | None = None) -> str:
    named = f"\n    claims: [{claims}]" if claims else ""
    return (
        f"id: {tid}\ntitle: Thesis {tid}\nposition: It matters.\nscore: 0.5\n"
        f"scored: 2026-04-01\ncites:\n  - concept: {concept}{named}\n"
    )


def _stale_set(kb: Path) -> set[tuple[str, str]]:
    out = run_kb("stale", "--format", "json", "--no-cache", cwd=kb)
    return {
        (t["thesis"], c["concept"])
        for t in json.loads(out.out)["theses"]
        for c in t["citations"]
        if c["status"] in ("stale", "missing", "unreadable")
    }


def test_stale_theses_agree_with_kb_stale_at_both_revisions(tmp_path: Path) -> None:
    theses = {
        "theses/t2.yaml": _thesis("t2", "beta"),
        "theses/t3.yaml": _thesis("t3", "alpha", "alpha-is-a-letter"),
        "theses/t4.yaml": _thesis("t4", "gamma"),
        "theses/t5.yaml": _thesis("t5", "delta"),
    }
    delta = GAMMA.replace("gamma", "delta").replace("third", "fourth")
    repo = _repo(tmp_path, {**theses, "concepts/gamma.yaml": GAMMA, "concepts/delta.yaml": delta})
    kb = repo / "kb"
    for tid in ("t", "t2", "t3", "t4", "t5"):
        assert run_kb("review", tid, "--date", "2026-04-20", cwd=kb).code == 0
    beta, gamma = kb / "concepts" / "beta.yaml", kb / "concepts" / "gamma.yaml"
    beta.write_text(beta.read_text().replace("The second", "The 2nd"))
    gamma.write_text(gamma.read_text().replace("The third", "The 3rd"))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "A: t2 and t4 already stale")
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: weak"))
    (kb / "concepts" / "delta.yaml").unlink()
    assert run_kb("review", "t4", "--date", "2026-04-21", cwd=kb).code == 0
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "B")

    result = run_kb("diff", "HEAD~1", "HEAD", cwd=kb)
    lines = result.out.splitlines()
    start = lines.index("Theses made stale:")
    assert lines[start:-1] == [
        "Theses made stale:",
        "  thesis t cites alpha (claims: alpha-is-first): evidence of claim 'alpha-is-first' "
        "changed: strong -> weak",
        "  thesis t5 cites delta: concept removed",
        "Theses current again:",
        "  thesis t4 cites gamma: re-reviewed",
    ]
    doc = json.loads(run_kb("diff", "HEAD~1", "HEAD", "--format", "json", cwd=kb).out)
    made = {(c["made"], c["thesis"], c["concept"]) for c in doc["stale"]}
    at_b = _stale_set(kb)
    git(repo, "checkout", "-q", "HEAD~1")
    at_a = _stale_set(kb)
    assert at_a == {("t2", "beta"), ("t4", "gamma")}
    assert {(t, c) for m, t, c in made if m == "stale"} == at_b - at_a
    assert {(t, c) for m, t, c in made if m == "current"} == at_a - at_b


def test_thesis_changes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    thesis = kb / "theses" / "t.yaml"
    text = thesis.read_text()
    thesis.write_text(
        text.replace("score: 0.5", "score: 0.7")
        .replace("position: Alpha matters.", "position: Alpha matters a lot.")
        .replace("claims: [alpha-is-first]", "claims: [alpha-is-first, alpha-is-a-letter]")
        + "  - concept: beta\n"
    )
    result = run_kb("diff", cwd=kb)
    assert result.out == (
        "kb diff: HEAD → working tree\n"
        "thesis t “A thesis” (theses/t.yaml): modified\n"
        "  ~ score: 0.5 → 0.7\n"
        "  ~ position re-worded: Alpha matters {+a lot+}.\n"
        "  ~ citation of alpha: claims alpha-is-first → alpha-is-first, alpha-is-a-letter\n"
        "  + cites beta\n"
        "Theses made stale:\n"
        "  thesis t cites alpha (claims: alpha-is-first, alpha-is-a-letter): claim "
        "'alpha-is-a-letter' is cited but the stamp does not cover it\n"
        "1 page changed: 1 thesis modified; 1 citation made stale.\n"
    )
    assert run_kb("review", "t", "--date", "2026-04-22", cwd=kb).code == 0
    reviewed = run_kb("diff", cwd=kb).out.splitlines()
    assert "  ~ scored: 2026-04-20 → 2026-04-22" in reviewed
    assert "  ~ citation of alpha re-reviewed" in reviewed
    assert "Theses made stale:" not in reviewed


def test_markdown_for_a_pull_request(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"concepts/alpha.yaml": ALPHA})
    _commit(repo, "edit alpha", {"concepts/alpha.yaml": ALPHA_EDITED})
    result = run_kb("diff", "HEAD~1", "HEAD", "--format", "markdown", cwd=repo / "kb")
    lines = result.out.splitlines()
    assert lines[:14] == [
        "### Knowledge diff: HEAD\\~1 → HEAD",
        "",
        "| change | count |",
        "|---|---:|",
        "| concepts modified | 1 |",
        "| title changed | 1 |",
        "| summary changed | 1 |",
        "| alias removed | 1 |",
        "| alias added | 1 |",
        "| question added | 1 |",
        "| claims removed | 1 |",
        "| claims re-worded | 1 |",
        "| evidence levels changed | 1 |",
        "| claim source added | 1 |",
    ]
    assert lines[lines.index("**Theses made stale**") :] == [
        "**Theses made stale**",
        "",
        "- thesis t cites alpha (claims: alpha-is-first): claim 'alpha-is-first' re-worded; "
        "evidence of claim 'alpha-is-first' changed: strong -&gt; moderate; "
        "sources of claim 'alpha-is-first' changed",
        "",
        "#### concept alpha “Alpha, the letter” (concepts/alpha.yaml): modified",
        "",
        "- title: Alpha → Alpha, the letter",
        "- summary re-worded: The <ins>very</ins> first concept.",
        "- alias removed: aleph",
        "- alias added: alef",
        "- open question added: Who named it?",
        "- claim alpha-is-old removed: Alpha is old",
        "- claim alpha-is-first re-worded: Alpha comes <del>first</del> "
        "<ins>before every other letter</ins>",
        "- evidence of claim alpha-is-first: strong → moderate",
        "- source latin added to claim alpha-is-first",
        "- detail of claim alpha-is-first: In the Greek alphabet. → "
        "In the Greek and Latin alphabets.",
        "- claim alpha-is-new added (weak): Alpha is new here",
        "- source old-book removed: An old book",
        "- source greek retitled: The Greek alphabet → The Greek alphabet (2nd ed.)",
        "- source greek re-addressed: https://example.org/greek → https://example.org/greek2",
        "- source latin added: The Latin alphabet",
        "- related concept beta removed",
        "- related concept gamma added: two after",
        "- changelog entry added: 2026-04-21 Re-worded the first claim",
    ]


def test_markdown_folds_each_page_when_there_are_more_than_a_few(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    for n in range(4):
        (kb / "concepts" / f"g{n}.yaml").write_text(GAMMA.replace("gamma", f"g{n}"))
    result = run_kb("diff", "--format", "markdown", cwd=kb)
    assert result.out.count("<details><summary>") == 4
    assert (
        "\n<details><summary>concept g0 “Gamma” (concepts/g0.yaml): added</summary>\n\n"
        "- claim g0-is-third added (strong): Gamma comes third\n\n</details>\n"
    ) in result.out


HOSTILE = """\
id: beta
title: "Beta \\e[2J\\rtitle"
summary: "<img src=x onerror=alert(1)> *bold* [link](http://x) @team #1 | pipe"
claims: []
changelog: []
"""


def test_page_text_cannot_drive_the_terminal_or_the_markdown(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    (kb / "concepts" / "beta.yaml").write_text(HOSTILE)
    plain = run_kb("diff", cwd=kb).out
    assert "\x1b" not in plain and "\r" not in plain
    assert "  ~ title: Beta → Beta \\x1b[2J title\n" in plain  # CR is a space in text
    md = run_kb("diff", "--format", "markdown", cwd=kb).out
    assert "<img" not in md and "\x1b" not in md
    assert (
        "- summary re-worded: <del>The second concept.</del> "
        "<ins>&lt;img src=x onerror=alert(1)&gt; "
        "\\*bold\\* \\[link\\](http://x) @<!-- -->team #<!-- -->1 \\| pipe</ins>"
    ) in md
    doc = json.loads(run_kb("diff", "--format", "json", cwd=kb).out)
    assert doc["pages"][0]["title"] == "Beta \x1b[2J\rtitle"  # JSON keeps the data, escaped


def test_json_shape(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    head = git(repo, "rev-parse", "HEAD").strip()
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("Alpha comes first", "Alpha comes last"))
    doc = json.loads(run_kb("diff", "--format", "json", cwd=kb).out)
    assert doc == {
        "version": 1,
        "old": {"rev": "HEAD", "commit": head},
        "new": {"rev": "working tree", "commit": None},
        "changed": True,
        "counts": {
            "pages": {"concept": {"modified": 1}},
            "changes": {"claim-reworded": 1},
            "unrecorded": 1,
            "citations_made": {"stale": 1, "current": 0},
        },
        "pages": [
            {
                "kind": "concept",
                "id": "alpha",
                "path": "concepts/alpha.yaml",
                "old_path": None,
                "status": "modified",
                "title": "Alpha",
                "problem": None,
                "unrecorded": ["claim 'alpha-is-first' re-worded"],
                "changes": [
                    {
                        "kind": "claim-reworded",
                        "target": "alpha-is-first",
                        "old": "Alpha comes first",
                        "new": "Alpha comes last",
                        "words": [["=", "Alpha comes "], ["-", "first"], ["+", "last"]],
                    }
                ],
            }
        ],
        "stale": [
            {
                "thesis": "t",
                "path": "theses/t.yaml",
                "concept": "alpha",
                "claims": ["alpha-is-first"],
                "made": "stale",
                "reasons": ["claim 'alpha-is-first' re-worded"],
            }
        ],
    }


def test_a_terminal_gets_colour_and_no_page_escapes(tmp_path: Path) -> None:
    from io import StringIO

    from kbcli.commands.diff import run

    repo = _repo(tmp_path)
    kb = repo / "kb"
    (kb / "concepts" / "beta.yaml").write_text(HOSTILE)
    out = StringIO()
    assert run(kb, [], "text", False, out, color=True) == 0
    text = out.getvalue()
    assert "\x1b[33m  ~ title: Beta → Beta \\x1b[2J title\x1b[0m" in text
    assert "\x1b[2J" not in text and "\r" not in text


@given(st.text(alphabet="ab .,c", max_size=12), st.text(alphabet="ab .,c", max_size=12))
@settings(max_examples=60, deadline=None)
def test_word_diff_gives_back_both_texts(old: str, new: str) -> None:
    from kbcli.knowledge_diff import word_diff

    words = word_diff(old, new)
    assert "".join(t for op, t in words if op != "+").replace(" ", "") == old.replace(" ", "")
    assert "".join(t for op, t in words if op != "-").replace(" ", "") == new.replace(" ", "")
    assert all(t == t.strip() and t for op, t in words if op != "=")


EDITS = {
    "evidence": ("evidence: strong", "evidence: weak"),
    "reword": ("Alpha is a letter", "Alpha is a Greek letter"),
    "summary": ("The first concept.", "The first concept, re-worded."),
    "detail only": ("sources:\n  - {id: greek", "sources:\n  - {id: greek, url: 'https://x'"),
}


@given(
    st.sets(st.sampled_from(sorted(EDITS))),
    st.booleans(),
    st.sets(st.sampled_from(["t", "t6", "t7"])),
)
@settings(max_examples=8, deadline=None)
def test_stale_section_is_the_difference_of_kb_stale_at_each_side(
    tmp_path_factory: pytest.TempPathFactory, edits: set[str], drop_beta: bool, reviews: set[str]
) -> None:
    tmp_path = tmp_path_factory.mktemp("prop")
    theses = {
        "theses/t6.yaml": _thesis("t6", "alpha"),
        "theses/t7.yaml": _thesis("t7", "beta"),
    }
    repo = _repo(tmp_path, theses)
    kb = repo / "kb"
    for tid in ("t", "t6", "t7"):
        assert run_kb("review", tid, "--date", "2026-04-20", cwd=kb).code == 0
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("The second", "The 2nd"))  # t7 stale at A
    git(repo, "commit", "-qam", "A")
    alpha = kb / "concepts" / "alpha.yaml"
    text = alpha.read_text()
    for edit in sorted(edits):
        text = text.replace(*EDITS[edit])
    alpha.write_text(text)
    if drop_beta:
        (kb / "concepts" / "beta.yaml").unlink()
    for tid in sorted(reviews):
        run_kb("review", tid, "--date", "2026-04-21", cwd=kb)  # refused for a lost concept
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "B", "--allow-empty")
    doc = json.loads(run_kb("diff", "HEAD~1", "HEAD", "--format", "json", cwd=kb).out)
    made = {(c["made"], c["thesis"], c["concept"]) for c in doc["stale"]}
    at_b = _stale_set(kb)
    git(repo, "checkout", "-q", "HEAD~1")
    at_a = _stale_set(kb)
    assert {(t, c) for m, t, c in made if m == "stale"} == at_b - at_a
    assert {(t, c) for m, t, c in made if m == "current"} == at_a - at_b


def test_the_users_git_configuration_does_not_change_the_result(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    for key, value in (("color.ui", "always"), ("grep.fullName", "true"),
                       ("diff.external", "false"), ("core.quotePath", "true"),
                       ("diff.renames", "false")):  # fmt: skip
        git(repo, "config", key, value)
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: weak"))
    lines = run_kb("diff", cwd=kb).out.splitlines()
    assert lines[1:3] == [
        "concept alpha “Alpha” (concepts/alpha.yaml): modified",
        "  ~ evidence of claim alpha-is-first: strong → weak",
    ]
    assert lines[-1] == "1 page changed: 1 concept modified; 1 citation made stale."


def test_a_version_over_max_page_bytes_is_not_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    (kb / "kb.yaml").write_text("max_page_bytes: 1024\n")
    _commit(repo, "big gamma", {"concepts/gamma.yaml": GAMMA + "# padding\n" * 100})
    result = run_kb("diff", "HEAD~1", "HEAD", cwd=kb)
    assert result.out.splitlines()[1] == (
        "concept gamma (concepts/gamma.yaml): cannot be read (new: Y005 file is "
        f"{len(GAMMA) + 1000} bytes, over the limit of 1024)"
    )


def test_a_removed_concept_and_an_added_thesis_list_their_content(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"concepts/gamma.yaml": GAMMA})
    kb = repo / "kb"
    (kb / "concepts" / "gamma.yaml").unlink()
    (kb / "theses" / "t8.yaml").write_text(_thesis("t8", "beta"))
    (kb / "theses" / "t.yaml").unlink()
    result = run_kb("diff", cwd=kb)
    assert result.out == (
        "kb diff: HEAD → working tree\n"
        "concept gamma “Gamma” (concepts/gamma.yaml): removed\n"
        "  - claim gamma-is-third removed: Gamma comes third\n"
        "thesis t “A thesis” (theses/t.yaml): removed\n"
        "  - no longer cites alpha (claims: alpha-is-first)\n"
        "thesis t8 “Thesis t8” (theses/t8.yaml): added\n"
        "  + cites beta\n"
        "3 pages changed: 1 concept removed, 1 thesis added, 1 thesis removed.\n"
    )


def test_markdown_word_marks_render_whatever_punctuation_stands_next_to_them(
    tmp_path: Path,
) -> None:
    # `~~`/`**` only format where CommonMark's flanking rules allow: "first~~\.~~" stays
    # literal. HTML tags mark the changed words wherever they stand.
    from markdown_it import MarkdownIt

    repo = _repo(tmp_path)
    kb = repo / "kb"
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("Alpha comes first", '"Alpha comes first."'))
    git(repo, "commit", "-qam", "a full stop")
    alpha.write_text(alpha.read_text().replace("first.", "first!"))
    md = run_kb("diff", "--format", "markdown", cwd=kb).out
    line = "- claim alpha-is-first re-worded: Alpha comes first<del>.</del> <ins>\\!</ins>"
    assert line in md.splitlines()
    html = MarkdownIt("commonmark").enable("strikethrough").render(line)
    assert "first<del>.</del> <ins>!</ins></li>" in html


def test_markdown_escapes_dollar_signs_so_page_text_is_not_maths(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace("title: Alpha", "title: $\\huge{x}$ costs $$"))
    md = run_kb("diff", "--format", "markdown", cwd=kb).out
    assert "- title: Alpha → \\$\\\\huge{x}\\$ costs \\$\\$" in md.splitlines()


BETA_TWO_CLAIMS = BETA_WITH_CLAIMS.replace(
    "sources: [{id: greek",
    "  - {id: beta-second, statement: Beta is second, evidence: weak, sources: [greek]}\n"
    "sources: [{id: greek",
)


def test_claims_merged_in_from_another_concept_and_moved_with_it_are_named(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path, {"concepts/beta.yaml": BETA_TWO_CLAIMS})
    kb = repo / "kb"
    retired = run_kb(
        "merge-claims", "alpha", "--from", "beta", "--retire-other", "--date", "2026-04-21",
        cwd=kb,
    )  # fmt: skip
    assert retired.code == 0, retired.err
    lines = run_kb("diff", cwd=kb).out.splitlines()
    assert lines[1:4] == [
        "concept alpha “Alpha” (concepts/alpha.yaml): modified",
        "  + claim beta-first merged into alpha-is-first (from another concept)",
        "  + claim beta-second added (weak): Beta is second",
    ]
    beta = lines.index("concept beta “Beta” (concepts/beta.yaml): redirected")
    assert lines[beta + 1 : beta + 4] == [
        "  ~ now a redirect to alpha",
        "  - claim beta-first merged into alpha-is-first (concept alpha)",
        "  - claim beta-second moved to concept alpha",
    ]
    doc = json.loads(run_kb("diff", "--format", "json", cwd=kb).out)
    changes = {(p["id"], c["kind"], c["target"]) for p in doc["pages"] for c in p["changes"]}
    assert {("beta", "claim-moved", "beta-second"), ("alpha", "claim-merged-in", "beta-first")} <= (
        changes
    )


def test_a_second_citation_of_the_same_concept_is_an_added_citation(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    thesis = kb / "theses" / "t.yaml"
    thesis.write_text(thesis.read_text() + "  - concept: alpha\n    claims: [alpha-is-a-letter]\n")
    lines = run_kb("diff", cwd=kb).out.splitlines()
    assert lines[1:3] == [
        "thesis t “A thesis” (theses/t.yaml): modified",
        "  + cites alpha (claims: alpha-is-a-letter)",
    ]
    git(repo, "commit", "-qam", "two citations of alpha")
    thesis.write_text(thesis.read_text().replace("[alpha-is-a-letter]", "[alpha-is-old]"))
    lines = run_kb("diff", cwd=kb).out.splitlines()
    assert lines[1:4] == [
        "thesis t “A thesis” (theses/t.yaml): modified",
        "  - no longer cites alpha (claims: alpha-is-a-letter)",
        "  + cites alpha (claims: alpha-is-old)",
    ]


def test_markdown_page_text_mentions_no_one_and_links_no_issue(tmp_path: Path) -> None:
    # GitHub links @name and #1 after Markdown is parsed: a backslash does not stop it
    # (github/markup#1168); an empty HTML comment between the sign and the name does.
    repo = _repo(tmp_path)
    kb = repo / "kb"
    for n in range(4):  # more than a few pages: each in a <details> with a <summary>
        (kb / "concepts" / f"g{n}.yaml").write_text(
            GAMMA.replace("gamma", f"g{n}").replace("title: Gamma", 'title: "ping @octocat #7"')
        )
    md = run_kb("diff", "--format", "markdown", cwd=kb).out
    assert (
        "<details><summary>concept g0 “ping @<!-- -->octocat #<!-- -->7” "
        "(concepts/g0.yaml): added</summary>"
    ) in md.splitlines()
    (kb / "concepts" / "beta.yaml").write_text(HOSTILE)
    for n in range(4):
        (kb / "concepts" / f"g{n}.yaml").unlink()
    md = run_kb("diff", "--format", "markdown", cwd=kb).out
    assert "\\@" not in md and "\\#" not in md
    assert "@<!-- -->team #<!-- -->1" in md


def test_an_edited_or_removed_changelog_entry_is_not_an_added_one(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    kb = repo / "kb"
    alpha = kb / "concepts" / "alpha.yaml"
    alpha.write_text(
        alpha.read_text()
        .replace("text: Created}", "text: Created the page}")
        .replace("  - {date: 2026-04-14, text: Added a claim}\n", "")
    )
    assert run_kb("diff", cwd=kb).out.splitlines()[1:] == [
        "concept alpha “Alpha” (concepts/alpha.yaml): modified",
        "  ~ changelog entry 2026-04-05 changed: Created → Created the page",
        "  - changelog entry removed: 2026-04-14 Added a claim",
        "1 page changed: 1 concept modified.",
    ]
