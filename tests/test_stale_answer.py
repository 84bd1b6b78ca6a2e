"""`kb stale` names the right commit: each case of issue 20, with its exact output.

The KB is the base case (concept `alpha`; thesis `t` cites claim `alpha-is-first`) plus
thesis `w`, which cites the whole of `alpha`; both are reviewed, then committed. The
answer (docs/stale.md) is the commit that began the current run of versions of the cited
content that do not match the stamp, along first-parent history.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import kbcli.gitlog as gitlog
from kbcli.commands.stale import text as text_report
from kbcli.config import load_config
from kbcli.stale import find_stale
from kbcli.stamps import make_stamp
from kbcli.yamlio.load import parse

from helpers import GIT_ENV, REPO, git, make_kb, run_kb

WHOLE = """\
id: w
title: The whole of alpha
position: Alpha matters as a whole.
cites:
  - concept: alpha
"""
SUMMARY_BOTH = (
    "2 theses to review: 2 stale citations (2 citations checked). "
    "Re-score, then run: kb review THESIS"
)
SUMMARY_GONE = (
    "2 theses to review: 2 missing concepts (2 citations checked). "
    "Re-score, then run: kb review THESIS"
)


@pytest.fixture(autouse=True)
def pinned_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # never a repository above


def commit(root: Path, subject: str, day: int) -> str:
    """Commit everything, dated 2026-04-`day`; the short sha."""
    date = f"2026-04-{day:02d}T09:30:00+02:00"
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(root, "add", "-A")
    subprocess.run(["git", "commit", "-q", "-m", subject], cwd=root, env=env, check=True)
    return short(root, "HEAD")


def short(root: Path, rev: str) -> str:
    return git(root, "rev-parse", "--short", rev).strip()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def reviewed(root: Path, suffix: str = ".yaml", top: Path | None = None) -> Path:
    """The base KB plus thesis `w` (alpha as `alpha<suffix>`), reviewed and committed on
    2026-04-20, in a repository at `top` (default: `root`)."""
    make_kb(root, files={"theses/w.yaml": WHOLE})
    if suffix != ".yaml":
        (root / "concepts" / "alpha.yaml").rename(root / "concepts" / f"alpha{suffix}")
    for thesis in ("t", "w"):
        assert run_kb("review", thesis, "--date", "2026-04-20", cwd=root).code == 0
    git(top or root, "init", "-q", "-b", "main")
    commit(root, "Initial KB", 20)
    return root


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return reviewed(tmp_path / "kb")


def stale(root: Path, env: dict[str, str] | None = None) -> list[str]:
    result = run_kb("stale", cwd=root, env=env)
    assert result.code == 0, result.err
    return result.out.splitlines()


def origins(root: Path, env: dict[str, str] | None = None) -> list[Any]:
    result = run_kb("stale", "--format", "json", cwd=root, env=env)
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    return [c["origin"] for t in doc["theses"] for c in t["citations"]]


def both(change: str, since: str) -> list[str]:
    """The report when both theses went stale `since` the same commit."""
    return [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: stale{since}",
        f"    - {change}",
        "thesis w (theses/w.yaml)",
        f"  alpha: stale{since}",
        f"    - {change}",
        SUMMARY_BOTH,
    ]


DOWNGRADE = "evidence of claim 'alpha-is-first' changed: strong -> moderate"


def downgrade(root: Path, rel: str = "concepts/alpha.yaml") -> None:
    edit(root, rel, "evidence: strong", "evidence: moderate")


# -- 1. `.yml` concepts -------------------------------------------------------------------


def test_renamed_to_yml_then_changed_names_the_change(root: Path) -> None:
    git(root, "mv", "concepts/alpha.yaml", "concepts/alpha.yml")
    commit(root, "Rename alpha to .yml", 21)
    downgrade(root, "concepts/alpha.yml")
    sha = commit(root, "Downgrade", 22)
    assert stale(root) == both(DOWNGRADE, f' since {sha} 2026-04-22 "Downgrade"')


def test_a_concept_always_yml(tmp_path: Path) -> None:
    root = reviewed(tmp_path / "kb", ".yml")
    downgrade(root, "concepts/alpha.yml")
    sha = commit(root, "Downgrade", 21)
    assert stale(root) == both(DOWNGRADE, f' since {sha} 2026-04-21 "Downgrade"')


def test_renamed_to_yml_and_changed_in_one_commit(root: Path) -> None:
    git(root, "mv", "concepts/alpha.yaml", "concepts/alpha.yml")
    downgrade(root, "concepts/alpha.yml")
    sha = commit(root, "Move and downgrade", 21)
    assert stale(root) == both(DOWNGRADE, f' since {sha} 2026-04-21 "Move and downgrade"')


# -- 2. change, then delete ---------------------------------------------------------------


def test_changed_then_deleted_names_both(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    downgrade(root)
    changed = commit(root, "Downgrade", 21)
    git(root, "rm", "-q", "concepts/alpha.yaml")
    gone = commit(root, "Remove alpha", 22)
    fate = f': deleted in {gone} 2026-04-22 "Remove alpha" (since {changed} 2026-04-21 "Downgrade")'
    assert stale(root) == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: no such concept{fate}",
        "thesis w (theses/w.yaml)",
        f"  alpha: no such concept{fate}",
        SUMMARY_GONE,
    ]
    table = io.StringIO()
    text_report(find_stale(root, load_config(root), use_cache=False), root, table, color=True)
    assert table.getvalue().count("deleted in") == 2  # at a terminal, the table says it too
    full = git(root, "log", "-1", "--format=%aI", "HEAD").strip()
    assert origins(root)[0] == {
        "state": "commit",
        "sha": changed,
        "date": "2026-04-21T09:30:00+02:00",
        "subject": "Downgrade",
        "event": {
            "kind": "deleted",
            "concept": "alpha",
            "sha": gone,
            "date": full,
            "subject": "Remove alpha",
        },
    }


# -- 3. a brief revert does not hide the culprit ------------------------------------------


def test_a_brief_revert_to_the_stamp_ends_the_run(root: Path) -> None:
    reviewed_text = (root / "concepts" / "alpha.yaml").read_text()
    levels = ["moderate", "weak", "moderate", "weak"]
    for n, level in enumerate(levels, start=1):
        edit(root, "concepts/alpha.yaml", "    evidence: ", f"    evidence: {level}  # ")
        commit(root, f"X{n}", 20 + n)
        (root / "concepts" / "alpha.yaml").write_text(reviewed_text)
    commit(root, "Revert to the reviewed text", 25)
    downgrade(root)
    y5 = commit(root, "Y5", 26)
    for n, note in ((6, "Y6"), (7, "Y7")):
        edit(
            root,
            "concepts/alpha.yaml",
            "changelog:\n",
            f"changelog:\n  - {{date: 2026-04-{20 + n}, text: {note}}}\n",
        )
        commit(root, note, 20 + n)
    assert stale(root) == both(DOWNGRADE, f' since {y5} 2026-04-26 "Y5"')


# -- 4. git's settings and version do not change the answer -------------------------------


HOSTILE = """\
[log]
    showRoot = false
    follow = true
    decorate = full
    abbrevCommit = true
    date = relative
[diff]
    renames = false
    relative = true
    noprefix = true
[core]
    quotePath = true
    pager = sh -c 'echo PAGED; cat'
[pager]
    log = true
[color]
    ui = always
[i18n]
    logOutputEncoding = ISO-8859-1
"""


def test_a_hostile_git_config_changes_nothing(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = reviewed(top / "kb ü", top=top)  # a non-ASCII directory: quotePath escapes it
    git(root, "mv", "concepts/alpha.yaml", "concepts/alpha.yml")
    commit(root, "Rename alpha to .yml", 21)
    git(root, "checkout", "-q", "-b", "topic")
    downgrade(root, "concepts/alpha.yml")
    on_branch = commit(root, "Downgrade on a branch", 22)
    git(root, "checkout", "-q", "main")
    (top / "README").write_text("x\n")
    commit(root, "Meanwhile on main", 23)
    env = {**os.environ, "GIT_AUTHOR_DATE": "2026-04-24T09:30:00+02:00"}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "-m", "Merge topic", "topic"],
        cwd=root,
        env=env,
        check=True,
    )
    merge = short(root, "HEAD")
    since = (
        f' since {merge} 2026-04-24 "Merge topic"'
        f' (a merge; on the merged branch: {on_branch} 2026-04-22 "Downgrade on a branch")'
    )
    expected = both(DOWNGRADE, since)
    clean = origins(root)
    assert stale(root) == expected

    config = tmp_path / "hostile.gitconfig"
    config.write_text(HOSTILE)
    hostile = {"GIT_CONFIG_GLOBAL": str(config), "GIT_PAGER": "", "PAGER": "less"}
    assert git(root, "config", "--file", str(config), "log.showRoot") == "false\n"
    assert stale(root, hostile) == expected
    assert origins(root, hostile) == clean
    assert clean[0]["merge"] is True and clean[0]["branch_commit"]["sha"] == on_branch


def test_the_root_commit_counts_whatever_log_show_root_says(root: Path, tmp_path: Path) -> None:
    # The reviewed content is only in the root commit: hidden with log.showRoot=false.
    downgrade(root)
    sha = commit(root, "Downgrade", 21)
    config = tmp_path / "gitconfig"
    config.write_text("[log]\n    showRoot = false\n")
    since = f' since {sha} 2026-04-21 "Downgrade"'
    assert stale(root, {"GIT_CONFIG_GLOBAL": str(config)}) == both(DOWNGRADE, since)


def test_a_change_merged_with_its_branch_commit(root: Path) -> None:
    git(root, "checkout", "-q", "-b", "topic")
    downgrade(root)
    on_branch = commit(root, "Downgrade on a branch", 21)
    edit(
        root,
        "concepts/alpha.yaml",
        "changelog:\n",
        "changelog:\n  - {date: 2026-04-22, text: Downgraded}\n",
    )
    commit(root, "Note it", 22)
    git(root, "checkout", "-q", "main")
    (root / "README").write_text("x\n")
    commit(root, "Meanwhile on main", 23)
    git(root, "merge", "-q", "--no-ff", "-m", "Merge topic", "topic")
    merge = short(root, "HEAD")
    since = (
        f' since {merge} 2026-04-20 "Merge topic"'
        f' (a merge; on the merged branch: {on_branch} 2026-04-21 "Downgrade on a branch")'
    )
    assert stale(root) == both(DOWNGRADE, since)


def test_a_change_made_by_the_merge_itself(root: Path) -> None:
    git(root, "checkout", "-q", "-b", "topic")
    (root / "README").write_text("branch\n")
    commit(root, "Branch work", 21)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "--no-commit", "topic")
    downgrade(root)  # made while merging: no commit of the branch has it
    merge = commit(root, "Merge topic, downgrading alpha", 22)
    since = f' since {merge} 2026-04-22 "Merge topic, downgrading alpha" (a merge)'
    assert stale(root) == both(DOWNGRADE, since)


def test_git_older_than_2_31_says_so(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    downgrade(root)
    commit(root, "Downgrade", 21)
    monkeypatch.setattr(gitlog, "git_version", lambda cwd: (2, 30, 1))
    why = "kb stale needs git 2.31 or later to name the commit (this is git 2.30.1)"
    assert stale(root) == both(DOWNGRADE, f" (commit unknown: {why})")
    assert origins(root)[0] == {
        "state": "unknown",
        "note": "kb stale needs git 2.31 or later to name the commit (this is git 2.30.1)",
    }


def test_the_version_check_reads_the_real_git(root: Path) -> None:
    version = gitlog.git_version(root)
    assert version is not None and version >= gitlog.MIN_GIT
    assert gitlog._too_old(version) == ""
    assert gitlog._too_old((2, 31)) == ""
    assert gitlog._too_old(None) == ""  # unknown: git itself will tell
    assert "2.25" in gitlog._too_old((2, 25))


# -- 5. renamed and retired concepts ------------------------------------------------------


def test_renamed_with_a_content_change_in_one_commit(root: Path, tmp_path: Path) -> None:
    git(root, "mv", "concepts/alpha.yaml", "concepts/alfa.yaml")
    edit(root, "concepts/alfa.yaml", "id: alpha", "id: alfa")
    downgrade(root, "concepts/alfa.yaml")
    edit(root, "theses/w.yaml", "concept: alpha", "concept: alfa")  # w follows, t does not
    sha = commit(root, "Rename alpha to alfa, downgraded", 21)
    at = f'{sha} 2026-04-21 "Rename alpha to alfa, downgraded"'
    assert stale(root) == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: no such concept: renamed to alfa in {at}",
        "thesis w (theses/w.yaml)",
        f"  alfa: stale since {at}",
        f"    - {DOWNGRADE}",
        "2 theses to review: 1 stale citation, 1 missing concept (2 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]
    assert origins(root)[0]["event"]["to"] == "alfa"
    config = tmp_path / "hostile.gitconfig"
    config.write_text(HOSTILE)  # diff.renames=false among others: renames are still found
    hostile = {"GIT_CONFIG_GLOBAL": str(config)}
    assert stale(root, hostile) == stale(root)
    assert origins(root, hostile) == origins(root)


def project_kb(tmp_path: Path) -> Path:
    """The project's own KB, in git, with the retirement of circuit-tracing committed."""
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "kb", kb, ignore=shutil.ignore_patterns(".kb-cache", ".kb.lock"))
    git(kb, "init", "-q", "-b", "main")
    commit(kb, "The KB", 20)
    merged = run_kb(
        "merge-claims", "mechanistic-interpretability", "--from", "circuit-tracing",
        "--retire-other", "--date", "2026-04-21", cwd=kb,
    )  # fmt: skip
    assert merged.code == 0, merged.err
    return kb


def test_a_retirement_is_named_and_leaves_no_orphaned_comment(tmp_path: Path) -> None:
    kb = project_kb(tmp_path)
    sha = commit(kb, "Retire circuit-tracing", 21)
    thesis = (kb / "theses" / "interpretability-gates-deployment.yaml").read_text()
    assert "circuit tracing" not in thesis.split("cites:")[1].split("notes:")[0]
    assert thesis.split("cites:")[1].split("notes:")[0] == (
        "\n"
        "  - concept: mechanistic-interpretability\n"
        "    claims:\n"
        "      - cross-lab-warning\n"
        "      - attribution-graphs\n"
        "      - cot-monitoring-caught-cheating\n"
        "      - circuit-tools-open-sourced\n"
        "    stamp: v1 h:64d551027725 attribution-graphs=77259a65:strong:a78f"
        " cot-monitoring-caught-cheating=8cc52385:moderate:1dbc"
        " cross-lab-warning=8dd90b24:moderate:1dbc\n"
        "\n"
    )
    retired = (
        f"stale: circuit-tracing retired into mechanistic-interpretability in {sha} 2026-04-21 "
        '"Retire circuit-tracing"'
    )
    assert stale(kb) == [
        "thesis interpretability-gates-deployment (theses/interpretability-gates-deployment.yaml)",
        "  mechanistic-interpretability [cross-lab-warning, attribution-graphs, "
        f"cot-monitoring-caught-cheating, circuit-tools-open-sourced]: {retired}",
        "    - claim 'circuit-tools-open-sourced' is cited but the stamp does not cover it",
        "1 thesis to review: 1 stale citation (3 citations checked). "
        "Re-score, then run: kb review THESIS",
    ]
    assert origins(kb)[0]["event"] == {
        "kind": "retired",
        "concept": "circuit-tracing",
        "sha": sha,
        "date": "2026-04-21T09:30:00+02:00",
        "subject": "Retire circuit-tracing",
        "to": "mechanistic-interpretability",
    }


def test_a_citation_of_the_retired_concept_itself(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "kb", kb, ignore=shutil.ignore_patterns(".kb-cache", ".kb.lock"))
    cited = (kb / "theses" / "interpretability-gates-deployment.yaml").read_text()
    stamp = cited.split("- concept: circuit-tracing\n    stamp: ")[1].split("\n")[0]
    git(kb, "init", "-q", "-b", "main")
    commit(kb, "The KB", 20)
    merged = run_kb(
        "merge-claims", "mechanistic-interpretability", "--from", "circuit-tracing",
        "--retire-other", "--date", "2026-04-21", cwd=kb,
    )  # fmt: skip
    assert merged.code == 0, merged.err
    sha = commit(kb, "Retire circuit-tracing", 21)
    # A thesis from a branch that still cites the retired concept, with its old stamp.
    (kb / "theses" / "x.yaml").write_text(
        f"id: x\ntitle: X\nposition: P.\ncites:\n  - concept: circuit-tracing\n    stamp: {stamp}\n"
    )
    commit(kb, "Add x", 22)
    lines = stale(kb)
    at = lines.index("thesis x (theses/x.yaml)")
    assert lines[at + 1] == (
        f"  circuit-tracing: stale: retired into mechanistic-interpretability in {sha} "
        '2026-04-21 "Retire circuit-tracing"'
    )


def test_deleted_when_no_committed_version_ever_matched(root: Path) -> None:
    never = (root / "concepts" / "alpha.yaml").read_text().replace("strong", "weak")
    stamp = make_stamp(parse(never).data)
    (root / "theses" / "x.yaml").write_text(
        f"id: x\ntitle: X\nposition: P.\ncites:\n  - concept: alpha\n    stamp: '{stamp}'\n"
    )
    git(root, "rm", "-q", "concepts/alpha.yaml")
    gone = commit(root, "Remove alpha", 21)
    lines = stale(root)
    assert lines[lines.index("thesis x (theses/x.yaml)") + 1] == (
        f'  alpha: no such concept: deleted in {gone} 2026-04-21 "Remove alpha" '
        "(commit unknown: no committed version matches the stamp; "
        "run 'kb review' after checking the concept)"
    )


# -- what the issue did not name ------------------------------------------------------


def test_an_octopus_merge_names_the_branch_that_made_the_change(root: Path) -> None:
    git(root, "checkout", "-q", "-b", "docs")
    (root / "README").write_text("docs\n")
    commit(root, "Docs on a branch", 21)
    git(root, "checkout", "-q", "-b", "topic", "main")
    downgrade(root)
    on_branch = commit(root, "Downgrade on a branch", 22)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "Octopus", "docs", "topic")
    merge = short(root, "HEAD")
    since = (
        f' since {merge} 2026-04-20 "Octopus"'
        f' (a merge; on the merged branch: {on_branch} 2026-04-22 "Downgrade on a branch")'
    )
    assert stale(root) == both(DOWNGRADE, since)


def test_the_cache_follows_replaced_commits(root: Path) -> None:
    """`git replace` rewrites what history HEAD has without moving HEAD: a cached pass
    must not answer for the history as it was."""
    base = git(root, "rev-parse", "HEAD").strip()
    downgrade(root)
    changed = commit(root, "Downgrade", 21)
    (root / "README").write_text("x\n")
    later = commit(root, "Later", 22)
    assert stale(root) == both(DOWNGRADE, f' since {changed} 2026-04-21 "Downgrade"')
    git(root, "replace", "--graft", "HEAD", base)  # "Downgrade" is no longer in history
    assert stale(root) == both(DOWNGRADE, f' since {later} 2026-04-22 "Later"')
    git(root, "replace", "-d", git(root, "rev-parse", "HEAD").strip())
    assert stale(root) == both(DOWNGRADE, f' since {changed} 2026-04-21 "Downgrade"')


def test_a_kb_moved_to_another_folder_keeps_its_history(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    root = reviewed(top / "kb", top=top)
    downgrade(root)
    changed = commit(root, "Downgrade", 21)
    (top / "docs").mkdir()
    git(top, "mv", "kb", "docs/kb")
    moved = top / "docs" / "kb"
    commit(moved, "Move the KB under docs/", 22)
    assert stale(moved) == both(DOWNGRADE, f' since {changed} 2026-04-21 "Downgrade"')


def test_changed_then_deleted_in_the_working_tree(root: Path) -> None:
    """The deletion is not in a commit yet: "no such concept since <the change>" would say
    the concept has been gone since then."""
    downgrade(root)
    changed = commit(root, "Downgrade", 21)
    (root / "concepts" / "alpha.yaml").unlink()
    fate = f': deleted in the working tree (since {changed} 2026-04-21 "Downgrade")'
    assert stale(root) == [
        "thesis t (theses/t.yaml)",
        f"  alpha [alpha-is-first]: no such concept{fate}",
        "thesis w (theses/w.yaml)",
        f"  alpha: no such concept{fate}",
        SUMMARY_GONE,
    ]
    assert origins(root)[0]["event"] == {
        "kind": "deleted", "concept": "alpha", "sha": None, "date": None, "subject": None,
    }  # fmt: skip
    git(root, "checkout", "-q", "--", "concepts/alpha.yaml")
    git(root, "reset", "-q", "--hard", "HEAD~1")
    (root / "concepts" / "alpha.yaml").unlink()  # HEAD's version matches: nothing to date
    assert stale(root)[1] == "  alpha [alpha-is-first]: no such concept (uncommitted change)"
