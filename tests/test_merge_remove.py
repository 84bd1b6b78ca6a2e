"""A top-level field removed on one side of a merge: the editor's `Remove`, and `kb
merge-file` taking the removal (a change like any other) in real repositories set up by
`kb git-setup`, with OURS' bytes kept everywhere else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_merge_driver import MODES, PAGE, integrate, page, replace, repo_with, write
from test_merge_file import BASE, merge, three

from kbcli.yamlio.edit import EditError, Remove, Set, apply_text

# --- the editor ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "want"),
    [
        # comments above and below stay; the same-line comment goes with its field
        (
            "a: 1\n# about b\nb: [x, y]  # two\n# after b\nc: 3\n",
            ("b",),
            "a: 1\n# about b\n# after b\nc: 3\n",
        ),
        ("a: 1\nb:\n  - x\n  - y\n", ("b",), "a: 1\n"),  # the last field
        ("a: 1\nc: 2", ("c",), "a: 1"),  # no final newline: still none
        ("a: 1\r\nb: >\r\n  folded\r\n  text\r\nc: 2\r\n", ("b",), "a: 1\r\nc: 2\r\n"),
        ("a: 1\nb:\nc: 2\n", ("b",), "a: 1\nc: 2\n"),  # an empty value
        ("{a: 1, b: 2, c: 3}\n", ("b",), "{a: 1, c: 3}\n"),
        ("{a: 1, b: 2, c: 3}\n", ("c",), "{a: 1, b: 2}\n"),
        ("{a: 1, b: 2, c: 3}\n", ("a",), "{b: 2, c: 3}\n"),
        ("x: {a: 1, b: 2}\ny: 1\n", ("x", "b"), "x: {a: 1}\ny: 1\n"),
        # a flow mapping over several lines: the comments of the other entries stay
        ("{a: 1,\n b: 2,  # about b\n c: 3}\n", ("c",), "{a: 1,\n b: 2  # about b\n }\n"),
        ("{a: 1,\n # about b\n b: 2}\n", ("a",), "{\n # about b\n b: 2}\n"),
        ("{a: 1,  # about a\n b: 2}\n", ("a",), "{  # about a\n b: 2}\n"),
        ("{a: 1, b: 2,}\n", ("b",), "{a: 1, }\n"),
        ("l:\n  - id: x\n    n: 1\n    m: 2\n", ("l", 0, "n"), "l:\n  - id: x\n    m: 2\n"),
    ],
)
def test_remove_takes_the_field_s_lines_and_nothing_else(
    text: str, path: tuple[str | int, ...], want: str
) -> None:
    assert apply_text(text, [Remove(path)]) == want


def test_remove_and_set_in_one_edit() -> None:
    got = apply_text("a: 1\nb: 2\nc: 3\n", [Remove(("b",)), Set(("c",), 4), Set(("d",), 5)])
    assert got == "a: 1\nc: 4\nd: 5\n"
    # the last key removed and a new one added where it ended, in block and flow style
    assert apply_text("a: 1\nb: 2", [Remove(("b",)), Set(("c",), 3)]) == "a: 1\nc: 3"
    assert apply_text("{a: 1, b: 2}\n", [Remove(("b",)), Set(("c",), 3)]) == "{a: 1, c: 3}\n"


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("a: 1\n", ("a",), "a: cannot remove the only key of a mapping"),
        ("a: 1\n", ("b",), "b: not found"),
        ("l:\n  - id: x\n    n: 1\n", ("l", 0, "id"), "l[0].id: this layout is not supported"),
        ("a: &x 1\nb: *x\n", ("a",), "anchors"),
    ],
)
def test_remove_refuses_what_it_cannot_do_cleanly(
    text: str, path: tuple[str | int, ...], message: str
) -> None:
    with pytest.raises(EditError, match=re.escape(message)):
        apply_text(text, [Remove(path)])


def test_remove_overlapping_another_edit_is_refused() -> None:
    with pytest.raises(EditError, match="edits overlap"):
        apply_text("a:\n  b: 1\nc: 2\n", [Remove(("a",)), Set(("a", "b"), 3)])


# --- kb merge-file, as git calls it ----------------------------------------------------

ALIASES = "aliases: [first letter]\n"
MORE = BASE.replace(
    "changelog:\n",
    "related:\n  - {concept: beta, note: comes next}\n"
    "# still to settle\nopen_questions:\n  - Is alpha first?  # asked in review\nchangelog:\n",
)


@pytest.mark.parametrize(
    ("removed", "newline"),
    [
        (ALIASES, "\n"),  # a flow-style value
        (ALIASES, "\r\n"),
        ("open_questions:\n  - Is alpha first?  # asked in review\n", "\n"),  # a trailing comment
        ("related:\n  - {concept: beta, note: comes next}\n", "\n"),
    ],
)
def test_a_field_removed_on_theirs_is_taken_and_the_rest_stays_ours(
    tmp_path: Path, removed: str, newline: str
) -> None:
    ours = MORE.replace("evidence: strong", "evidence: weak")
    theirs = MORE.replace(removed, "")
    texts = [t.replace("\n", newline) for t in (MORE, ours, theirs)]
    files = three(tmp_path, *texts)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, err) == (0, "")
    assert text == ours.replace(removed, "").replace("\n", newline)


def test_the_last_field_of_a_page_removed(tmp_path: Path) -> None:
    last = "open_questions: [Which comes first]  # to settle\n"
    base = BASE + last
    ours = base.replace("evidence: strong", "evidence: weak")
    files = three(tmp_path, base, ours, BASE)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text, err) == (0, ours.replace(last, ""), "")


# --- in real repositories ----------------------------------------------------------------

NO_ALIASES = replace(PAGE, "aliases: [first letter]\n", "")
WEAK = replace(PAGE, "evidence: strong", "evidence: weak")


@pytest.mark.parametrize("mode", MODES)
def test_theirs_removes_a_field_ours_did_not_touch(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    before = page(repo)
    done = integrate(repo, WEAK, NO_ALIASES, mode)
    assert done.returncode == 0, done.stdout + done.stderr
    want = before.replace("aliases: [first letter]\n", "").replace("strong", "weak", 1)
    assert page(repo) == want
    assert "kb merge-file" not in done.stderr  # by meaning, not git's line merge


@pytest.mark.parametrize("mode", MODES)
def test_ours_removed_a_field_theirs_did_not_touch(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    before = page(repo)
    assert integrate(repo, NO_ALIASES, WEAK, mode).returncode == 0
    assert page(repo) == before.replace("aliases: [first letter]\n", "").replace(
        "strong", "weak", 1
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_field_removed_on_both_sides(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    before = page(repo)
    theirs = write(PAGE, before.replace("aliases: [first letter]\n", "").replace("strong", "weak"))
    assert integrate(repo, NO_ALIASES, theirs, mode).returncode == 0
    assert page(repo) == before.replace("aliases: [first letter]\n", "").replace("strong", "weak")


@pytest.mark.parametrize("mode", MODES)
def test_removed_on_one_side_changed_on_the_other_is_one_hunk(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    before = page(repo)
    ours = replace(PAGE, "aliases: [first letter]", "aliases: [first letter, alef]")
    done = integrate(repo, ours, NO_ALIASES, mode)
    assert done.returncode == 1
    assert "conflict in aliases: removed on theirs, changed on the other side" in done.stderr
    assert page(repo) == before.replace(
        "aliases: [first letter]\n",
        "<<<<<<< ours\naliases: [first letter, alef]\n=======\n>>>>>>> theirs\n",
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_required_field_removed_is_a_conflict_never_a_broken_page(
    tmp_path: Path, mode: str
) -> None:
    repo = repo_with(tmp_path)
    before = page(repo)
    theirs = replace(PAGE, "summary: The first concept.\n", "")
    done = integrate(repo, WEAK, theirs, mode)
    assert done.returncode == 1
    assert "conflict in summary: removed on theirs, but a page needs this field" in done.stderr
    assert page(repo) == before.replace("strong", "weak", 1).replace(
        "summary: The first concept.\n",
        "<<<<<<< ours\nsummary: The first concept.\n=======\n>>>>>>> theirs\n",
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_kb_yaml_setting_removed(tmp_path: Path, mode: str) -> None:
    config = "# settings\nchangelog_order: newest-first\n# rules\nrules:\n  C004: warning\n"
    repo = repo_with(tmp_path, {"kb.yaml": config})
    ours = replace("kb/kb.yaml", "  C004: warning\n", "  C004: warning\n  R003: off\n")
    theirs = replace("kb/kb.yaml", "changelog_order: newest-first\n", "")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 0, done.stderr
    want = "# settings\n# rules\nrules:\n  C004: warning\n  R003: off\n"
    assert page(repo, "kb/kb.yaml") == want


@pytest.mark.parametrize("mode", MODES)
def test_removed_on_ours_changed_on_theirs_is_one_hunk_at_the_end(
    tmp_path: Path, mode: str
) -> None:
    repo = repo_with(tmp_path)
    before = page(repo)
    theirs = replace(PAGE, "aliases: [first letter]", "aliases: [first letter, alef]")
    done = integrate(repo, NO_ALIASES, theirs, mode)
    assert done.returncode == 1
    assert "conflict in aliases: removed on ours, changed on the other side" in done.stderr
    assert page(repo) == before.replace("aliases: [first letter]\n", "") + (
        "<<<<<<< ours\n=======\naliases:\n  - first letter\n  - alef\n>>>>>>> theirs\n"
    )  # theirs' value as the editor writes a new field: in block style


THESIS = "kb/theses/t.yaml"


@pytest.mark.parametrize("mode", MODES)
def test_a_thesis_review_removed_on_theirs_while_ours_cites_more(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    before = page(repo, THESIS)
    cited = "claims: [alpha-is-first, alpha-is-a-letter]"
    ours = replace(THESIS, "claims: [alpha-is-first]", cited)
    theirs = replace(THESIS, "score: 0.5\nscored: 2026-04-20\n", "")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 0, done.stderr
    assert page(repo, THESIS) == before.replace("score: 0.5\nscored: 2026-04-20\n", "").replace(
        "claims: [alpha-is-first]", cited
    )


def test_a_rule_removed_keeps_the_comments_of_the_other_rules(tmp_path: Path) -> None:
    base = (
        "changelog_order: newest-first\nrules:\n  # noisy here\n  C004: warning\n"
        "  # see the review of May\n  R003: off\n  R004: off\nmax_page_bytes: 100000\n"
    )
    ours = base.replace("max_page_bytes: 100000", "max_page_bytes: 200000")
    theirs = base.replace("  R004: off\n", "")
    files = three(tmp_path, base, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/kb.yaml")
    assert (code, text, err) == (0, ours.replace("  R004: off\n", ""), "")


def test_a_claim_s_field_removed_keeps_the_claim_s_comments(tmp_path: Path) -> None:
    base = BASE.replace(
        "    evidence: strong\n", "    # rated in review\n    evidence: strong\n    detail: tbc\n"
    )
    ours = base.replace("title: Alpha", "title: Alpha letter")
    theirs = base.replace("    detail: tbc\n", "")
    files = three(tmp_path, base, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text, err) == (0, ours.replace("    detail: tbc\n", ""), "")


def test_a_claim_s_first_field_removed_rewrites_the_claim(tmp_path: Path) -> None:
    # the editor removes no key that shares its line with a dash: the claim written anew
    base = BASE.replace("  - id: alpha-is-first\n", "  - detail: tbc\n    id: alpha-is-first\n")
    ours = base.replace("title: Alpha", "title: Alpha letter")
    theirs = base.replace("detail: tbc\n    ", "")
    files = three(tmp_path, base, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text, err) == (0, ours.replace("detail: tbc\n    ", ""), "")


@pytest.mark.parametrize("mode", MODES)
def test_a_rule_removed_in_a_real_merge_keeps_ours_comments(tmp_path: Path, mode: str) -> None:
    config = "rules:\n  # noisy here\n  C004: warning\n  # see May's review\n  R003: off\n"
    repo = repo_with(tmp_path, {"kb.yaml": config})
    ours = replace("kb/kb.yaml", "rules:\n", "changelog_order: newest-first\nrules:\n")
    theirs = replace("kb/kb.yaml", "  C004: warning\n", "")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 0, done.stderr
    want = (
        "changelog_order: newest-first\nrules:\n  # noisy here\n  # see May's review\n  R003: off\n"
    )
    assert page(repo, "kb/kb.yaml") == want
    assert "kb merge-file" not in done.stderr
