"""`kb merge-file` as git runs it: real repositories set up by `kb git-setup`, each case
merged with `git merge`, `git rebase` and `git cherry-pick` (in all three, OURS is the
branch merged into and THEIRS the change brought in, so the bytes are the same)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import GIT_ENV, git, git_init, make_kb, run_kb

MODES = ("merge", "rebase", "cherry-pick")
PAGE = "kb/concepts/alpha.yaml"
Change = Callable[[Path], None]  # edits the repository's files (the KB is in kb/)

ALPHA = """\
id: alpha
title: Alpha
aliases: [first letter]
summary: The first concept.
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    evidence: strong
    sources: [greek]
  - id: alpha-is-a-letter
    statement: Alpha is a letter
    evidence: moderate
    sources: [greek]
sources:
  - {id: greek, title: The Greek alphabet}
related:
  - {concept: beta, note: comes next}
changelog:
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: Created}
"""


def repo_with(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A repository holding a KB in kb/, with `kb git-setup` run and committed."""
    repo = tmp_path / "repo"
    make_kb(repo / "kb", files={"concepts/alpha.yaml": ALPHA, **(files or {})})
    git_init(repo)
    done = run_kb("git-setup", cwd=repo / "kb")
    assert done.code == 0, done.err
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "kb git-setup")
    return repo


def git_try(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV}
    env.pop("KB_ROOT", None)
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=False
    )


def commit_change(repo: Path, change: Change, message: str) -> None:
    change(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def integrate(
    repo: Path, ours: Change, theirs: Change, mode: str
) -> subprocess.CompletedProcess[str]:
    """THEIRS made on a branch, OURS on main, then THEIRS brought into OURS by `mode`."""
    git(repo, "checkout", "-q", "-b", "theirs")
    commit_change(repo, theirs, "theirs")
    git(repo, "checkout", "-q", "main")
    commit_change(repo, ours, "ours")
    if mode == "merge":
        return git_try(repo, "merge", "--no-edit", "theirs")
    if mode == "cherry-pick":
        return git_try(repo, "cherry-pick", "theirs")
    git(repo, "checkout", "-q", "theirs")
    return git_try(repo, "rebase", "main")


def write(rel: str, text: str, newline: str = "\n") -> Change:
    def change(repo: Path) -> None:
        (repo / rel).write_bytes(text.replace("\n", newline).encode("utf-8"))

    return change


def kb(*args: str) -> Change:
    def change(repo: Path) -> None:
        done = run_kb(*args, "--date", "2026-05-01", cwd=repo / "kb")
        assert done.code == 0, done.err

    return change


def replace(rel: str, old: str, new: str) -> Change:
    def change(repo: Path) -> None:
        text = (repo / rel).read_bytes().decode("utf-8")  # as it is: CRLF stays CRLF
        newline = "\r\n" if "\r\n" in text else "\n"
        old_text, new_text = old.replace("\n", newline), new.replace("\n", newline)
        assert old_text in text
        (repo / rel).write_bytes(text.replace(old_text, new_text, 1).encode("utf-8"))

    return change


def both(*changes: Change) -> Change:
    def change(repo: Path) -> None:
        for one in changes:
            one(repo)

    return change


def page(repo: Path, rel: str = PAGE) -> str:
    return (repo / rel).read_bytes().decode("utf-8")


def clean(done: subprocess.CompletedProcess[str], repo: Path) -> None:
    assert done.returncode == 0, done.stdout + done.stderr
    assert run_kb("lint", cwd=repo / "kb").code == 0


# --- clean merges -----------------------------------------------------------------------

ADD_X = ("add-claim", "alpha", "Alpha opens the alphabet", "--evidence", "weak", "-s", "greek")
ADD_Y = ("add-claim", "alpha", "Alpha is written as A", "--evidence", "strong", "-s", "greek")


@pytest.mark.parametrize("mode", MODES)
def test_two_claims_added_on_one_page_merge_cleanly(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    done = integrate(repo, kb(*ADD_X), kb(*ADD_Y), mode)
    clean(done, repo)
    assert page(repo) == ALPHA.replace(
        "sources:\n  - {id: greek",
        """\
  - id: alpha-opens-alphabet
    statement: Alpha opens the alphabet
    evidence: weak
    sources: [greek]
    added: 2026-05-01
  - id: alpha-written
    statement: Alpha is written as A
    evidence: strong
    sources: [greek]
    added: 2026-05-01
sources:
  - {id: greek""",
    ).replace(
        "changelog:\n",
        """\
changelog:
  - {date: 2026-05-01, text: "Added claim alpha-opens-alphabet: Alpha opens the alphabet"}
  - {date: 2026-05-01, text: "Added claim alpha-written: Alpha is written as A"}
""",
    )


def sequential(tmp_path: Path, first: Change, then: Change) -> str:
    """The page after `first` and then `then`, with no merge at all (the oracle)."""
    repo = tmp_path / "sequential"
    make_kb(repo / "kb", files={"concepts/alpha.yaml": ALPHA})
    first(repo)
    then(repo)
    return page(repo)


@pytest.mark.parametrize("mode", MODES)
def test_add_claim_against_a_changelog_entry(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    theirs = kb("changelog", "alpha", "Checked the sources")
    done = integrate(repo, kb(*ADD_X), theirs, mode)
    clean(done, repo)
    assert page(repo) == sequential(tmp_path, theirs, kb(*ADD_X))


DUPLICATE = """\
  - id: alpha-comes-first
    statement: Alpha comes first.
    detail: It opens the alphabet.
    evidence: strong
    sources: [greek]
"""


@pytest.mark.parametrize("mode", MODES)
def test_add_claim_against_merge_claims(tmp_path: Path, mode: str) -> None:
    with_duplicate = replace(PAGE, "sources:\n  - {id", DUPLICATE + "sources:\n  - {id")
    repo = repo_with(tmp_path)
    commit_change(repo, with_duplicate, "a duplicate")
    theirs = kb("merge-claims", "alpha")
    done = integrate(repo, kb(*ADD_X), theirs, mode)
    clean(done, repo)
    merged = page(repo)
    assert merged == sequential(tmp_path, both(with_duplicate, theirs), kb(*ADD_X))
    assert "merged:\n      - alpha-comes-first\n" in merged and "alpha-opens-alphabet" in merged


@pytest.mark.parametrize("mode", MODES)
def test_an_edit_of_a_claim_merged_away_is_a_conflict_naming_the_survivor(
    tmp_path: Path, mode: str
) -> None:
    with_duplicate = replace(PAGE, "sources:\n  - {id", DUPLICATE + "sources:\n  - {id")
    repo = repo_with(tmp_path)
    commit_change(repo, with_duplicate, "a duplicate")
    ours = replace(PAGE, "detail: It opens the alphabet.", "detail: It opens the Greek alphabet.")
    done = integrate(repo, ours, kb("merge-claims", "alpha"), mode)
    assert done.returncode != 0
    assert (
        "conflict in claims[alpha-comes-first]: claim 'alpha-comes-first' was merged into "
        "'alpha-is-first' on theirs, and changed on the other side"
    ) in done.stdout + done.stderr
    text = page(repo)
    assert text.count("<<<<<<< ours") == 1
    edited = DUPLICATE.replace("the alphabet", "the Greek alphabet")
    assert "<<<<<<< ours\n" + edited + "=======\n>>>>>>> theirs\n" in text


@pytest.mark.parametrize("mode", MODES)
def test_different_fields_of_one_claim(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    ours = replace(PAGE, "evidence: strong", "evidence: weak")
    theirs = replace(PAGE, "statement: Alpha comes first", "statement: Alpha comes first of all")
    clean(integrate(repo, ours, theirs, mode), repo)
    assert page(repo) == ALPHA.replace("evidence: strong", "evidence: weak").replace(
        "Alpha comes first", "Alpha comes first of all"
    )


SAME_FIELD = ALPHA.replace(
    "    evidence: strong\n",
    """\
<<<<<<< ours
    evidence: weak
=======
    evidence: moderate
>>>>>>> theirs
""",
).replace("changelog:\n", "changelog:\n  - {date: 2026-05-02, text: Re-rated}\n")


@pytest.mark.parametrize("mode", MODES)
def test_one_field_changed_differently_is_one_hunk_around_it(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    ours = replace(PAGE, "evidence: strong", "evidence: weak")
    theirs = both(
        replace(PAGE, "evidence: strong", "evidence: moderate"),
        replace(PAGE, "changelog:\n", "changelog:\n  - {date: 2026-05-02, text: Re-rated}\n"),
    )
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 1
    assert "CONFLICT (content): Merge conflict in kb/concepts/alpha.yaml" in done.stdout
    assert (
        "kb merge-file: kb/concepts/alpha.yaml: conflict in claims[alpha-is-first].evidence: "
        "changed on both sides, differently"
    ) in done.stderr
    assert page(repo) == SAME_FIELD


@pytest.mark.parametrize("mode", MODES)
def test_diff3_style_shows_the_base_between_the_sides(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    git(repo, "config", "merge.conflictStyle", "diff3")
    ours = replace(PAGE, "evidence: strong", "evidence: weak")
    theirs = replace(PAGE, "evidence: strong", "evidence: moderate")
    assert integrate(repo, ours, theirs, mode).returncode == 1
    assert page(repo) == ALPHA.replace(
        "    evidence: strong\n",
        """\
<<<<<<< ours
    evidence: weak
||||||| base
    evidence: strong
=======
    evidence: moderate
>>>>>>> theirs
""",
    )


@pytest.mark.parametrize("mode", MODES)
def test_deleted_on_one_side_edited_on_the_other(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    second = "  - id: alpha-is-a-letter\n    statement: Alpha is a letter\n"
    ours = replace(PAGE, "statement: Alpha is a letter", "statement: Alpha is a Greek letter")
    theirs = replace(PAGE, second + "    evidence: moderate\n    sources: [greek]\n", "")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 1
    assert "claim 'alpha-is-a-letter' was removed on theirs" in done.stderr
    assert page(repo) == ALPHA.replace(
        "  - id: alpha-is-a-letter\n",
        "<<<<<<< ours\n  - id: alpha-is-a-letter\n",
    ).replace(
        "    statement: Alpha is a letter\n    evidence: moderate\n    sources: [greek]\n",
        "    statement: Alpha is a Greek letter\n    evidence: moderate\n    sources: [greek]\n"
        "=======\n>>>>>>> theirs\n",
    )


@pytest.mark.parametrize("mode", MODES)
def test_the_same_id_added_twice_with_different_content(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    claim = "  - {id: alpha-new, statement: %s, evidence: weak, sources: [greek]}\n"
    ours = replace(PAGE, "sources:\n  - {id", claim % "Alpha is new" + "sources:\n  - {id")
    theirs = replace(PAGE, "sources:\n  - {id", claim % "Alpha is novel" + "sources:\n  - {id")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 1
    assert "conflict in claims[alpha-new]: added on both sides with different values" in (
        done.stderr
    )
    hunk = "<<<<<<< ours\n" + claim % "Alpha is new" + "=======\n"
    hunk += claim % "Alpha is novel" + ">>>>>>> theirs\n"
    assert page(repo) == ALPHA.replace("sources:\n  - {id", hunk + "sources:\n  - {id")


THESIS = "kb/theses/t.yaml"
RE_REVIEWED = """\
id: t
title: A thesis
position: Alpha matters.
score: {score}
scored: {scored}
cites:
  - concept: alpha
    claims: [alpha-is-first]
    stamp: "{stamp}"
"""


@pytest.mark.parametrize("mode", MODES)
def test_a_thesis_re_reviewed_on_both_sides_is_a_conflict(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    ours = write(THESIS, RE_REVIEWED.format(score=0.7, scored="2026-05-01", stamp="v1 h:aaaa"))
    theirs = write(THESIS, RE_REVIEWED.format(score=0.4, scored="2026-05-02", stamp="v1 h:bbbb"))
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 1
    for field in ("score", "scored", "cites[alpha].stamp"):
        assert f"conflict in {field}: changed on both sides, differently" in done.stderr
    assert page(repo, THESIS) == (
        "id: t\ntitle: A thesis\nposition: Alpha matters.\n"
        "<<<<<<< ours\nscore: 0.7\nscored: 2026-05-01\n"
        "=======\nscore: 0.4\nscored: 2026-05-02\n>>>>>>> theirs\n"
        "cites:\n  - concept: alpha\n    claims: [alpha-is-first]\n"
        '<<<<<<< ours\n    stamp: "v1 h:aaaa"\n=======\n    stamp: "v1 h:bbbb"\n>>>>>>> theirs\n'
    )


@pytest.mark.parametrize("mode", MODES)
def test_a_thesis_reviewed_on_one_side_and_cited_more_on_the_other(
    tmp_path: Path, mode: str
) -> None:
    repo = repo_with(tmp_path)
    cited = "claims: [alpha-is-first, alpha-is-a-letter]"
    ours = replace(THESIS, "claims: [alpha-is-first]", cited)
    theirs = replace(THESIS, "score: 0.5\nscored: 2026-04-20", "score: 0.6\nscored: 2026-05-02")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 0, done.stderr
    assert page(repo, THESIS) == (
        "id: t\ntitle: A thesis\nposition: Alpha matters.\nscore: 0.6\nscored: 2026-05-02\n"
        "cites:\n  - concept: alpha\n    claims: [alpha-is-first, alpha-is-a-letter]\n"
        '    stamp: "v1 h:5b84181428ca alpha-is-first=4e383304:strong:b5f6"\n'
    )


COMMENTED = """\
# Alpha: kept by hand.   (a comment the merge must keep)
id: alpha
title: 'Alpha'    # quoted on purpose
aliases: [first letter]
summary: >
  The first
  concept.
claims:
  # the oldest claim
  - id: alpha-is-first
    statement: "Alpha comes first"
    evidence: strong   # checked
    sources: [greek]
sources:
  - {id: greek, title: The Greek alphabet}
changelog:
  - {date: 2026-04-05, text: Created}
"""


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("mode", MODES)
def test_comments_quoting_and_line_endings_stay(tmp_path: Path, mode: str, newline: str) -> None:
    repo = repo_with(tmp_path)
    commit_change(repo, write(PAGE, COMMENTED, newline), "a page with comments")
    ours = replace(PAGE, "evidence: strong", "evidence: moderate")
    theirs = both(kb(*ADD_Y), kb("changelog", "alpha", "Checked"))
    clean(integrate(repo, ours, theirs, mode), repo)
    expected = COMMENTED.replace("evidence: strong", "evidence: moderate").replace(
        "sources:\n  - {id",
        """\
  - id: alpha-written
    statement: Alpha is written as A
    evidence: strong
    sources: [greek]
    added: 2026-05-01
sources:
  - {id""",
    )
    expected = expected.replace(
        "changelog:\n",
        "changelog:\n"
        "  - {date: 2026-05-01, text: Checked}\n"
        '  - {date: 2026-05-01, text: "Added claim alpha-written: Alpha is written as A"}\n',
    )
    assert (repo / PAGE).read_bytes() == expected.replace("\n", newline).encode("utf-8")


NOT_A_PAGE = "one: 1\ntwo: [unclosed\nthree: 3\n"


@pytest.mark.parametrize("mode", MODES)
def test_a_file_that_is_not_a_page_is_merged_line_by_line(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path, {"concepts/odd.yaml": NOT_A_PAGE})
    odd = "kb/concepts/odd.yaml"
    ours = replace(odd, "one: 1", "one: 11")
    theirs = replace(odd, "three: 3", "three: 33")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 0, done.stderr
    assert page(repo, odd) == "one: 11\ntwo: [unclosed\nthree: 33\n"
    assert "does not read as YAML" in done.stderr and "merged line by line cleanly" in done.stderr


@pytest.mark.parametrize("mode", MODES)
def test_kb_yaml_is_merged_setting_by_setting(tmp_path: Path, mode: str) -> None:
    config = "# settings\nchangelog_order: newest-first\nrules:\n  C004: warning\n"
    repo = repo_with(tmp_path, {"kb.yaml": config})
    ours = replace("kb/kb.yaml", "newest-first", "oldest-first")
    theirs = replace("kb/kb.yaml", "  C004: warning\n", "  C004: warning\n  R003: off\n")
    done = integrate(repo, ours, theirs, mode)
    assert done.returncode == 0, done.stderr
    assert page(repo, "kb/kb.yaml") == (
        "# settings\nchangelog_order: oldest-first\nrules:\n  C004: warning\n  R003: off\n"
    )


GAMMA = """\
id: gamma
title: Gamma
summary: The third concept.
claims:
  - {id: %s, statement: %s, evidence: weak, sources: [greek]}
sources:
  - {id: greek, title: The Greek alphabet}
changelog:
  - {date: 2026-05-01, text: Created}
"""


@pytest.mark.parametrize("mode", MODES)
def test_one_new_page_added_on_both_sides(tmp_path: Path, mode: str) -> None:
    repo = repo_with(tmp_path)
    rel = "kb/concepts/gamma.yaml"
    ours = write(rel, GAMMA % ("gamma-is-third", "Gamma is third"))
    theirs = write(rel, GAMMA % ("gamma-is-a-letter", "Gamma is a letter"))
    clean(integrate(repo, ours, theirs, mode), repo)
    assert page(repo, rel) == (GAMMA % ("gamma-is-third", "Gamma is third")).replace(
        "sources:\n  - {id",
        "  - {id: gamma-is-a-letter, statement: Gamma is a letter, evidence: weak, "
        "sources: [greek]}\nsources:\n  - {id",
    )


def test_the_driver_runs_without_kb_on_path_and_never_imports_the_repository(
    tmp_path: Path,
) -> None:
    """git runs the driver from the top of the work tree: `python -m kbcli` there would
    import a `kbcli/` folder of the repository (anyone's branch can add one) instead of kb."""
    repo = repo_with(tmp_path)
    planted = tmp_path / "planted"
    (repo / "kbcli").mkdir()
    (repo / "kbcli" / "__init__.py").write_text("", encoding="utf-8")
    (repo / "kbcli" / "__main__.py").write_text(
        f"open({str(planted)!r}, 'w').close()\n", encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a folder named kbcli")
    ours = replace(PAGE, "evidence: strong", "evidence: weak")
    theirs = replace(PAGE, "statement: Alpha comes first", "statement: Alpha comes first of all")
    git(repo, "checkout", "-q", "-b", "theirs")
    commit_change(repo, theirs, "theirs")
    git(repo, "checkout", "-q", "main")
    commit_change(repo, ours, "ours")
    env = {**os.environ, **GIT_ENV, "PATH": "/usr/bin:/bin"}
    env.pop("KB_ROOT", None)
    done = subprocess.run(
        ["git", "merge", "--no-edit", "theirs"], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not planted.exists()
    assert page(repo) == ALPHA.replace("evidence: strong", "evidence: weak").replace(
        "Alpha comes first", "Alpha comes first of all"
    )
