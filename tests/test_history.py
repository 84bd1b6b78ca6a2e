"""History of stale citations, in real git repositories. (How the history pass scales is
measured by hand with `benchmarks/history_pass.py`, not here.)"""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import kbcli.gitlog as gitlog
import kbcli.history as history
from kbcli.history import (
    UNCOMMITTED,
    Citation,
    Commit,
    Event,
    EventKind,
    Origin,
    stale_since,
)
from kbcli.stamps import make_stamp, material
from kbcli.yamlio.load import parse

IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Curator",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Curator",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **IDENTITY}
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


class Repo:
    """A git repository holding a KB in a sub-directory whose name has a space."""

    def __init__(self, top: Path) -> None:
        self.top, self.kb = top, top / "my kb"
        (self.kb / "concepts").mkdir(parents=True)
        (self.kb / "kb.yaml").write_text("{}\n")
        git(top, "init", "-q", "-b", "main")
        self.day = 0

    def write(self, concept: str, text: str) -> None:
        (self.kb / "concepts" / f"{concept}.yaml").write_text(text)

    def commit(self, subject: str, *paths: str) -> Commit:
        """Commit everything (or `paths`) with a pinned date, one day after the last."""
        self.day += 1
        day = datetime.date(2026, 3, 1) + datetime.timedelta(days=self.day - 1)
        date = f"{day}T12:00:00+00:00"
        git(self.top, "add", "--", *(paths or ["."]))
        git(self.top, "commit", "-q", "-m", subject, date=date)
        return Commit(git(self.top, "rev-parse", "--short", "HEAD"), date, subject)


@pytest.fixture(autouse=True)
def pinned_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    # Never find a repository above the test's directory.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


PAGE = """\
id: mech-interp
title: Mechanistic Interpretability
summary: Understanding how models compute.
claims:
  - id: breakthrough
    statement: Mechanistic interpretability is a 2026 breakthrough technology
    evidence: strong
    sources: [mit-tr]
  - id: microscope
    statement: Anthropic built a microscope for model inspection
    evidence: moderate
    sources: [anthropic]
sources:
  - {id: mit-tr, title: MIT TR}
  - {id: anthropic, title: Anthropic}
changelog: []
"""

REFORMATTED = """\
# Reformatted: comments, key order, quoting and flow style are not material.
title: "Mechanistic Interpretability"
id: mech-interp
summary: >
  Understanding how
  models compute.
claims:
- {id: breakthrough, evidence: 'strong', sources: ["mit-tr"],
   statement: Mechanistic interpretability is a 2026 breakthrough technology}
- id: microscope
  statement: Anthropic built a microscope for model inspection
  evidence: moderate
  sources: [anthropic]
sources:
- {id: mit-tr, title: MIT TR}
- {id: anthropic, title: Anthropic}
changelog: []
"""


def data(text: str) -> Any:
    return parse(text).data


def cite(text: str, claims: tuple[str, ...] | None = None) -> Citation:
    return Citation("mech-interp", make_stamp(data(text), claims), claims)


def downgraded(text: str = PAGE) -> str:
    return text.replace("evidence: strong", "evidence: moderate").replace(
        "evidence: 'strong'", "evidence: moderate"
    )


def with_changelog(text: str, note: str) -> str:
    return text.replace("changelog: []", f"changelog:\n  - {{date: 2026-04-01, text: {note}}}")


def test_names_the_commit_of_the_material_change(repo: Repo) -> None:
    whole, scoped = cite(PAGE), cite(PAGE, ("breakthrough",))
    untouched = cite(PAGE, ("microscope",))
    repo.write("mech-interp", PAGE)
    repo.commit("Add mech-interp")
    repo.write("mech-interp", REFORMATTED)
    repo.commit("Reformat mech-interp")
    repo.write("mech-interp", downgraded(REFORMATTED))
    culprit = repo.commit("Downgrade the breakthrough claim")
    repo.write("mech-interp", with_changelog(downgraded(REFORMATTED), "Noted."))
    repo.commit("Changelog only")
    (repo.top / "README").write_text("unrelated\n")
    repo.commit("Unrelated")
    repo.write("other", "id: other\n")
    repo.commit("Another concept")

    found = stale_since(repo.kb, [whole, scoped, untouched])

    assert found == {whole: Origin(culprit), scoped: Origin(culprit)}
    assert len(culprit.sha) >= 7 and culprit.date == "2026-03-03T12:00:00+00:00"
    assert found[whole].to_json() == {
        "state": "commit",
        "sha": culprit.sha,
        "date": "2026-03-03T12:00:00+00:00",
        "subject": "Downgrade the breakthrough claim",
    }


def test_a_reformatting_commit_alone_is_not_stale(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", REFORMATTED)
    repo.commit("Reformat")
    assert stale_since(repo.kb, [citation]) == {}


def test_stale_only_in_the_working_tree_is_uncommitted(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    assert stale_since(repo.kb, [citation]) == {citation: UNCOMMITTED}
    git(repo.top, "add", ".")  # staged is not committed either
    assert stale_since(repo.kb, [citation]) == {citation: UNCOMMITTED}
    assert UNCOMMITTED.to_json() == {"state": "uncommitted"}


def test_a_concept_never_committed_is_uncommitted(repo: Repo) -> None:
    citation = cite(PAGE)
    (repo.top / "README").write_text("x\n")
    repo.commit("Start")
    repo.write("mech-interp", downgraded())
    assert stale_since(repo.kb, [citation]) == {citation: UNCOMMITTED}


def test_a_repository_without_commits(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", downgraded())
    assert stale_since(repo.kb, [citation]) == {citation: UNCOMMITTED}


def test_outside_git_there_is_no_history(tmp_path: Path) -> None:
    kb = tmp_path / "plain kb"
    (kb / "concepts").mkdir(parents=True)
    (kb / "concepts" / "mech-interp.yaml").write_text(downgraded())
    assert stale_since(kb, [cite(PAGE)]) == {}


def test_without_git_installed(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write("mech-interp", downgraded())
    monkeypatch.setenv("PATH", "")
    assert stale_since(repo.kb, [cite(PAGE)]) == {}


def test_the_last_departure_counts_after_a_revert(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    repo.commit("Downgrade")
    repo.write("mech-interp", PAGE)
    repo.commit("Revert the downgrade")
    repo.write("mech-interp", downgraded())
    again = repo.commit("Downgrade again")
    assert stale_since(repo.kb, [citation]) == {citation: Origin(again)}


def test_the_walk_reads_only_the_concepts_own_versions(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    culprit = repo.commit("Downgrade")
    for n in range(1, 25):
        repo.write("mech-interp", with_changelog(downgraded(), f"Note {n}."))
        repo.commit(f"Note {n}")
        (repo.top / "README").write_text(f"{n}\n")
        repo.commit(f"Unrelated {n}")
    parsed: list[bytes] = []
    real_load = history._load

    def counting(raw: bytes) -> object:
        parsed.append(raw)
        return real_load(raw)

    monkeypatch.setattr(history, "_load", counting)

    assert stale_since(repo.kb, [citation]) == {citation: Origin(culprit)}
    # HEAD's version is the working file (not read); then the 23 later notes, the
    # downgrade, and PAGE, which matches: no unrelated commit, nothing older.
    assert len(parsed) == 26


def test_a_deleted_concept_names_the_deleting_commit(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    git(repo.top, "rm", "-q", "--", "my kb/concepts/mech-interp.yaml")
    culprit = repo.commit("Remove mech-interp")
    deleted = Event(EventKind.DELETED, "mech-interp", culprit)
    assert stale_since(repo.kb, [citation]) == {citation: Origin(culprit, event=deleted)}


def test_a_change_merged_from_a_branch_is_the_merge(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    git(repo.top, "checkout", "-q", "-b", "topic")
    repo.write("mech-interp", downgraded())
    repo.commit("Downgrade on a branch")
    git(repo.top, "checkout", "-q", "main")
    (repo.top / "README").write_text("x\n")
    repo.commit("Meanwhile on main")
    git(
        repo.top,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge topic",
        "topic",
        date="2026-03-20T12:00:00Z",
    )
    commit = stale_since(repo.kb, [citation])[citation].commit
    assert commit is not None and commit.subject == "Merge topic"


def test_no_committed_version_matches(repo: Repo) -> None:
    citation = cite(with_changelog(PAGE.replace("2026", "2025"), "Never committed."))
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    repo.commit("Downgrade")
    found = stale_since(repo.kb, [citation])
    assert found[citation].commit is None and not found[citation].uncommitted
    assert found[citation].note.startswith("no committed version matches the stamp")
    assert found[citation].to_json()["state"] == "unknown"


def test_a_shallow_clone(repo: Repo, tmp_path: Path) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    repo.commit("Downgrade")
    for n in range(3):
        repo.write("mech-interp", with_changelog(downgraded(), f"Note {n}."))
        late = repo.commit(f"Note {n}")
    url = repo.top.as_uri()
    git(tmp_path, "clone", "-q", "--depth", "2", url, "shallow")
    found = stale_since(tmp_path / "shallow" / "my kb", [citation])
    assert found[citation].note.startswith("history is shallow")

    git(tmp_path, "clone", "-q", "--depth", "5", url, "deeper")
    commit = stale_since(tmp_path / "deeper" / "my kb", [citation])[citation].commit
    assert commit is not None and commit.subject == "Downgrade"
    assert late.subject == "Note 2"


def test_unreadable_stamps_and_odd_ids_are_not_searched(repo: Repo) -> None:
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    garbage = Citation("mech-interp", "not a stamp")
    escape = Citation("../escape", make_stamp(data(PAGE)))
    found = stale_since(repo.kb, [garbage, escape])
    assert found == {
        garbage: Origin(note="unreadable stamp"),
        escape: Origin(note="not a concept id"),
    }


def test_broken_yaml_versions_never_match(repo: Repo) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", "claims: [unclosed\n")
    culprit = repo.commit("Break the file")
    assert stale_since(repo.kb, [citation]) == {citation: Origin(culprit)}


def test_worktree_data_given_by_the_caller(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    now = {"mech-interp": data(downgraded())}
    assert stale_since(repo.kb, [citation], worktree=now) == {citation: UNCOMMITTED}
    culprit = repo.commit("Downgrade")
    parsed: list[bytes] = []
    real_load = history._load

    def counting(raw: bytes) -> object:
        parsed.append(raw)
        return real_load(raw)

    monkeypatch.setattr(history, "_load", counting)
    assert stale_since(repo.kb, [citation], worktree=now) == {citation: Origin(culprit)}
    assert len(parsed) == 1  # HEAD's version is the file the caller gave: only PAGE is read
    # What lint keeps of a page (its material content) serves as well.
    kept = {"mech-interp": material(now["mech-interp"])}
    assert stale_since(repo.kb, [citation], worktree=kept) == {citation: Origin(culprit)}


def test_the_cache_follows_new_commits_and_rewritten_history(repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "history.json"
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    first = repo.commit("Downgrade")
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(first)}
    assert cache.exists()

    repo.write("mech-interp", PAGE)
    repo.commit("Revert")
    repo.write("mech-interp", downgraded())
    second = repo.commit("Downgrade again")
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(second)}

    git(repo.top, "reset", "-q", "--hard", "HEAD~3")  # history rewritten under the cache
    repo.write("mech-interp", with_changelog(downgraded(), "x"))
    third = repo.commit("Downgrade, with a note")
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(third)}
    assert stale_since(repo.kb, [citation]) == {citation: Origin(third)}


@pytest.mark.parametrize("content", ["", "{", "[]", '{"format": 1}', '{"format": 99}'])
def test_a_corrupt_cache_is_ignored(repo: Repo, tmp_path: Path, content: str) -> None:
    cache = tmp_path / "history.json"
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    culprit = repo.commit("Downgrade")
    cache.write_text(content)
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(culprit)}


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_a_cache_that_is_not_a_file_is_never_read(repo: Repo, tmp_path: Path, kind: str) -> None:
    """A named pipe would block the read for ever, /dev/zero would fill the memory."""
    cache = tmp_path / "history.json"
    if kind == "fifo":
        os.mkfifo(cache)
    elif kind == "device":
        cache.symlink_to("/dev/zero")
    else:
        cache.mkdir()
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    culprit = repo.commit("Downgrade")
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(culprit)}
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(culprit)}


def test_a_cache_with_impossible_indexes_is_ignored(repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "history.json"
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    culprit = repo.commit("Downgrade")
    stale_since(repo.kb, [citation], cache=cache)
    cache.write_text(cache.read_text().replace('[[0,"', '[[99,"'))
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(culprit)}


def _downgraded_after_unrelated_commits(repo: Repo, unrelated: int) -> Commit:
    """PAGE added, `unrelated` commits that leave it alone, then the commit that
    downgrades it (returned)."""
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    for n in range(unrelated):
        (repo.top / "README").write_text(f"{n}\n")
        repo.commit(f"Unrelated {n}")
    repo.write("mech-interp", downgraded())
    return repo.commit("Downgrade")


def test_long_histories_are_read_in_slices(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gitlog, "_SLICE", 2)
    monkeypatch.setattr(gitlog, "_cores", lambda: 4)
    citation = cite(PAGE)
    culprit = _downgraded_after_unrelated_commits(repo, 4)
    for n in range(5):
        (repo.top / "README").write_text(f"later {n}\n")
        repo.commit(f"Later {n}")
    assert stale_since(repo.kb, [citation]) == {citation: Origin(culprit)}


def test_slices() -> None:
    chain = [f"c{i}" for i in range(10)]
    assert gitlog._slices([], None) == []
    assert gitlog._slices(chain, "base") == [("c0", "base")]  # too short to split


@pytest.mark.parametrize("same_user", [True, False], ids=["own", "foreign"])
def test_a_cache_written_by_another_user_is_ignored(
    repo: Repo, tmp_path: Path, request: pytest.FixtureRequest, same_user: bool
) -> None:
    """As a cache committed to the repository would be: its commits are not believed."""
    cache = tmp_path / "history.json"
    citation = cite(PAGE)
    culprit = _downgraded_after_unrelated_commits(repo, 0)
    stale_since(repo.kb, [citation], cache=cache)
    text = cache.read_text()
    assert culprit.subject in text
    cache.write_text(text.replace(culprit.subject, "Forged"))
    if not same_user:
        request.getfixturevalue("another_user")
    found = stale_since(repo.kb, [citation], cache=cache)
    forged = Commit(culprit.sha, culprit.date, "Forged")
    assert found == {citation: Origin(forged if same_user else culprit)}


# -- the history pass read ahead (kb stale starts it before reading the pages) ----------


def test_a_pass_read_ahead_finds_what_a_pass_read_then_finds(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitlog, "_cores", lambda: 2)
    monkeypatch.setattr(gitlog, "_SLICE", 2)  # several git processes at once
    citation = cite(PAGE)
    culprit = _downgraded_after_unrelated_commits(repo, 5)
    cache = tmp_path / "history.json"
    with history.start_ahead(repo.kb, cache) as ahead:
        assert ahead is not None and len(ahead.pending.running) == 2
        assert stale_since(repo.kb, [citation], cache=cache, ahead=ahead) == {
            citation: Origin(culprit)
        }
    assert cache.is_file()  # kept for the next run, as a pass read then is
    assert stale_since(repo.kb, [citation], cache=cache) == {citation: Origin(culprit)}


def test_a_pass_read_ahead_and_not_needed_is_stopped(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitlog, "_cores", lambda: 2)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    with history.start_ahead(repo.kb, None) as ahead:
        assert ahead is not None and ahead.pending is not None
        running = list(ahead.pending.running)
        assert running
    assert all(proc.returncode is not None for proc, _ in running)  # reaped
    assert all(out.closed for _, out in running)


def test_no_pass_is_read_ahead_where_it_does_not_pay(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    cache = tmp_path / "history.json"
    cache.write_text("{}")
    monkeypatch.setattr(gitlog, "_cores", lambda: 2)
    assert history.start_ahead(repo.kb, cache) is None  # a cache: what is new reads fast
    assert history.start_ahead(tmp_path, None) is None  # outside git
    monkeypatch.setattr(gitlog, "_cores", lambda: 1)  # git and kb would take turns
    assert history.start_ahead(repo.kb, None) is None


def test_a_slice_that_cannot_start_stops_those_started(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gitlog, "_cores", lambda: 2)
    monkeypatch.setattr(gitlog, "_SLICE", 2)
    citation = cite(PAGE)
    _downgraded_after_unrelated_commits(repo, 5)
    started: list[subprocess.Popen[bytes]] = []
    real_popen = subprocess.Popen

    def second_fails(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        if started:
            raise OSError("no more processes")
        started.append(real_popen(*args, **kwargs))
        return started[0]

    monkeypatch.setattr(subprocess, "Popen", second_fails)
    # as when git fails: no history, so no commit to name
    assert stale_since(repo.kb, [citation]) == {citation: UNCOMMITTED}
    assert len(started) == 1 and started[0].returncode is not None  # killed and reaped


# -- issue 20: blobs over max_page_bytes, renames and merges through the cache ------------


def test_a_blob_over_max_page_bytes_is_never_parsed(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    big = PAGE + "# padding\n" * 400  # ~4 KB: over the limit below, and material-equal
    repo.write("mech-interp", big)
    culprit = repo.commit("Pad")
    sizes: list[int] = []
    real_parse = history.parse

    def recording(text: str) -> Any:
        sizes.append(len(text))
        return real_parse(text)

    monkeypatch.setattr(history, "parse", recording)
    found = stale_since(repo.kb, [citation], max_bytes=2000)
    assert found == {citation: Origin(culprit)}  # unreadable: it cannot match the stamp
    assert sizes == [len(PAGE)]
    assert stale_since(repo.kb, [citation]) == {}  # under the default limit: not stale


def test_the_cache_keeps_renames_and_merges(repo: Repo, tmp_path: Path) -> None:
    cache = tmp_path / "history.json"
    citation = cite(PAGE)
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    git(repo.top, "checkout", "-q", "-b", "topic")
    git(repo.top, "mv", "my kb/concepts/mech-interp.yaml", "my kb/concepts/interp.yaml")
    (repo.kb / "concepts" / "interp.yaml").write_text(downgraded())
    branch = repo.commit("Rename and downgrade")
    git(repo.top, "checkout", "-q", "main")
    (repo.top / "README").write_text("x\n")
    repo.commit("Meanwhile")
    git(repo.top, "merge", "-q", "--no-ff", "-m", "Merge topic", "topic", date=branch.date)
    merge = Commit(git(repo.top, "rev-parse", "--short", "HEAD"), branch.date, "Merge topic")
    renamed = Event(EventKind.RENAMED, "mech-interp", merge, "interp")
    moved = Citation("interp", citation.stamp)
    expected = {
        citation: Origin(merge, merge=True, branch_commit=branch, event=renamed),
        moved: Origin(merge, merge=True, branch_commit=branch),
    }
    found = stale_since(repo.kb, [citation, moved], cache=cache)
    for key, value in expected.items():
        assert found[key] == value, (key.concept, found[key])
    assert cache.is_file()
    assert stale_since(repo.kb, [citation, moved], cache=cache) == expected  # from the cache


def test_the_search_reports_its_progress_and_takes_known_blob_ids(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`progress` hears of each citation dated, after a first (0, n) while git reads the
    history; a blob id given for a concept (the lint cache's) spares reading its file."""
    import hashlib

    from kbcli import history

    whole, scoped = cite(PAGE), cite(PAGE, ("breakthrough",))
    repo.write("mech-interp", PAGE)
    repo.commit("Add")
    repo.write("mech-interp", downgraded())
    culprit = repo.commit("Downgrade")
    raw = (repo.kb / "concepts" / "mech-interp.yaml").read_bytes()
    blob = hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()
    data = history._load(raw)

    def no_read(self: object, concept: str) -> bytes:
        raise AssertionError(f"read {concept}")

    monkeypatch.setattr(history._Worktree, "_bytes", no_read)
    heard: list[tuple[int, int]] = []
    found = stale_since(
        repo.kb,
        [whole, scoped],
        {"mech-interp": data},
        blobs={"mech-interp": blob},
        progress=lambda done, total: heard.append((done, total)),
    )
    assert found == {whole: Origin(culprit), scoped: Origin(culprit)}
    assert heard == [(0, 2), (1, 2), (2, 2)]
