"""In a git checkout, a warm lint learns what changed from git's index (`kbcli.git.
clean_pages`) instead of an `lstat` of every page, and stays exactly as correct: a cached
run over any pages gives what `--no-cache` gives, after edits git cannot see by size and
mtime alone, untracked pages, a page changed and changed back, a checkout of another
branch, staged and committed edits, and edits in the same clock tick as git's index."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli import cache as cache_module
from kbcli import git as git_module
from kbcli import kb as kb_module
from kbcli import lint as lint_module
from kbcli.findings import Finding
from kbcli.lint import lint
from kbcli.stamps import make_stamp
from kbcli.yamlio.load import parse

from helpers import git, make_kb

TODAY = "2026-11-26"
TITLES = ["Alpha", "Beta", "Gamma"]
ALIASES = ["Alpha", "Beta", "Delta", "c1"]
LEVELS = ["strong", "weak"]
PAGES = 4


def _concept(i: int, variant: tuple[int, int, int]) -> str:
    """Concept c<i> in one of its variants: every variant of a page has the same size, so
    an edit can keep both size and mtime (only the ctime then tells)."""
    title, alias, level = TITLES[variant[0]], ALIASES[variant[1]], LEVELS[variant[2]]
    return (
        f"id: c{i}\ntitle: {title:<8}\naliases: [{alias:<8}]\nsummary: S.\n"
        f"claims:\n  - id: k1\n    statement: It holds.\n    evidence: {level:<8}\n"
        "    sources: [s1]\nsources:\n  - {id: s1, title: Source}\n"
        "changelog:\n  - {date: 2025-01-01, text: Created.}\n"
    )


def _thesis() -> str:
    """A thesis citing c0's claim, stamped as c0's first variant has it: stale (C004)
    whenever c0's evidence differs."""
    material = parse(_concept(0, (0, 0, 0))).data
    stamp = make_stamp(material, ["k1"])
    return (
        "id: t0\ntitle: T\nposition: P.\nscore: 0.5\nscored: 2025-01-01\n"
        f"cites:\n  - concept: c0\n    claims: [k1]\n    stamp: {stamp}\n"
    )


_GIT_STEPS = {
    "stash": ["stash", "-q", "-u"],
    "unstash": ["stash", "pop", "-q"],
    "reset": ["reset", "-q", "--hard"],
    "unstage": ["reset", "-q"],
    "uncommit": ["reset", "-q", "--soft", "HEAD~1"],
    "amend": ["commit", "-q", "-a", "--amend", "--no-edit"],
    "untrack": ["rm", "-q", "--cached", "concepts/c1.yaml"],
    "add-all": ["add", "-A"],
    "skip": ["update-index", "--skip-worktree", "concepts/c0.yaml"],
    "unskip": ["update-index", "--no-skip-worktree", "concepts/c0.yaml"],
}
_VARIANT = st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(0, 1))
_OP = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, PAGES - 1), _VARIANT, st.booleans()),
    st.tuples(st.just("revert"), st.integers(0, PAGES - 1)),
    st.tuples(st.just("untracked"), st.integers(PAGES, PAGES + 1), _VARIANT),
    st.tuples(st.just("stage"), st.integers(0, PAGES + 1)),
    st.tuples(st.just("delete"), st.integers(0, PAGES + 1)),
    st.tuples(st.sampled_from(["commit", "checkout", "lint", "stale"])),
    st.tuples(st.just("few"), st.sets(st.integers(0, PAGES + 1), max_size=2)),
    st.tuples(st.just("rename"), st.integers(0, PAGES + 1), st.integers(0, PAGES + 1)),
    st.tuples(st.sampled_from(sorted(_GIT_STEPS))),
)


def _findings(kb: Path, paths: list[Path] | None = None, cached: bool = True) -> list[Finding]:
    return lint(kb, TODAY, paths or (), use_cache=cached).findings


def _repo(root: Path) -> Path:
    """A KB in git: `main` with every page at its first variant, and a branch `other`
    where each page is at another."""
    kb = make_kb(root / "kb")
    for i in range(PAGES):
        (kb / "concepts" / f"c{i}.yaml").write_text(_concept(i, (0, i % 4, 0)), encoding="utf-8")
    (kb / "theses" / "t0.yaml").write_text(_thesis(), encoding="utf-8")
    git(kb, "init", "-q", "-b", "main")
    git(kb, "add", "-A")
    git(kb, "commit", "-qm", "KB")
    git(kb, "checkout", "-qb", "other")
    for i in range(PAGES):
        (kb / "concepts" / f"c{i}.yaml").write_text(_concept(i, (1, 1, 1)), encoding="utf-8")
    git(kb, "commit", "-qam", "Other")
    git(kb, "checkout", "-q", "main")
    return kb


def _apply(kb: Path, op: tuple[object, ...], branch: list[str]) -> None:
    what = op[0]
    if what == "edit" or what == "untracked":
        i, variant = int(op[1]), op[2]  # type: ignore[call-overload]
        page = kb / "concepts" / f"c{i}.yaml"
        before = page.stat() if page.exists() else None
        page.write_text(_concept(i, variant), encoding="utf-8")  # type: ignore[arg-type]
        if what == "edit" and op[3] and before is not None:  # same size: keep the mtime too
            os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    elif what == "revert":  # back to the commit's content (when the commit has the page)
        with contextlib.suppress(subprocess.CalledProcessError):
            git(kb, "checkout", "-q", "HEAD", "--", f"concepts/c{op[1]}.yaml")
    elif what == "stage" or what == "delete":
        page = kb / "concepts" / f"c{op[1]}.yaml"
        if what == "delete":
            page.unlink(missing_ok=True)
        git(kb, "add", "-A", "--", "concepts")
    elif what == "commit":
        git(kb, "commit", "-q", "--allow-empty", "-am", "Edit")
    elif what == "checkout":
        branch[0] = "other" if branch[0] == "main" else "main"
        git(kb, "checkout", "-qf", branch[0])
    elif what == "rename":  # as an editor saves: a new file renamed over the page
        source, target = kb / "concepts" / f"c{op[1]}.yaml", kb / "concepts" / f"c{op[2]}.yaml"
        if source.exists():
            os.replace(source, target)
    elif what in _GIT_STEPS:  # some fail (nothing to stash or pop): as they would for a user
        subprocess.run(["git", *_GIT_STEPS[str(what)]], cwd=kb, capture_output=True, check=False)
    elif what == "stale":  # a stale run in between: its survey kept with the cache
        _stale(kb)
    elif what == "few":  # a run over a few pages in between (`kbcli.warm`), as a hook's
        _findings(kb, _pages(kb, op[1]))  # type: ignore[arg-type]
    else:
        _findings(kb)  # a cached run in between: the cache as it would be after one


def _pages(kb: Path, chosen: set[int]) -> list[Path]:
    pages = [kb / "concepts" / f"c{i}.yaml" for i in sorted(chosen)]
    return [p for p in pages if p.exists()] + [kb / "theses" / "t0.yaml"]


@pytest.fixture
def git_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ask git from the first page on record (kb asks it only on larger KBs)."""
    monkeypatch.setattr(lint_module, "_GIT_FROM", 0)


class _Later:
    """`time` as it is a few seconds on: the folders' stamp is out of its racy window, as
    it is in real use seconds after the last page was added (`kb.folders_stamp`)."""

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)

    def time_ns(self) -> int:
        return time.time_ns() + 5_000_000_000


@settings(max_examples=40, deadline=None)
@given(
    ops=st.lists(_OP, max_size=8),
    chosen=st.sets(st.integers(0, PAGES + 1)),
    trusted=st.booleans(),
    later=st.booleans(),
)
def test_a_cached_run_in_git_equals_no_cache(
    ops: list[tuple[object, ...]], chosen: set[int], trusted: bool, later: bool
) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(lint_module, "_GIT_FROM", 0)  # ask git from the first page on record
        if trusted:  # stat signatures vouch at once, as they do two seconds after a run
            mp.setattr(cache_module, "_RACY_NS", -(10**10))
        if later:  # and so do the folders' stamps
            mp.setattr(kb_module, "time", _Later())
        kb = _repo(Path(tmp))
        _findings(kb)  # a warm cache
        _findings(kb)  # and one git vouches for: a run over a few pages reads no other
        branch = ["main"]
        for op in ops:
            _apply(kb, op, branch)
        paths = _pages(kb, chosen)
        assert _findings(kb, paths) == _findings(kb, paths, cached=False)
        assert _stale(kb) == _stale(kb, cached=False)  # its survey kept, or made afresh
        assert _findings(kb) == _findings(kb, cached=False)


def test_git_vouches_so_unchanged_pages_are_not_even_stat_ed(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = _repo(tmp_path)
    _findings(kb)
    _findings(kb)  # the pages written by the checkout are past git's racy window now
    git(kb, "update-index", "--refresh")
    stat_ed: list[str] = []
    real = lint_module.signature
    monkeypatch.setattr(lint_module, "signature", lambda path: stat_ed.append(path) or real(path))
    page = kb / "concepts" / "c2.yaml"
    page.write_text(_concept(2, (2, 3, 1)), encoding="utf-8")
    assert _findings(kb) == _findings(kb, cached=False)
    assert stat_ed == [str(page)]  # only the page git names as changed


def test_an_edit_git_sees_only_by_content(git_always: None, tmp_path: Path) -> None:
    """An edit in the same clock tick as git's index write, keeping size and mtime: git
    compares the content of such "racily clean" entries, and kb takes git's answer."""
    kb = _repo(tmp_path)
    page = kb / "concepts" / "c0.yaml"
    _findings(kb)
    for level in (1, 0, 1):
        before = page.stat()
        # git compares ctimes to the second (unless built with USE_NSEC): an edit in the
        # same second as the last `git add` that keeps size and mtime hides from git itself
        # (and `git status`), hence from kb's warm runs (docs/performance.md)
        time.sleep(1.05)
        page.write_text(_concept(0, (0, 0, level)), encoding="utf-8")
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
        git(kb, "add", "--", "concepts/c0.yaml")
        stale = [f.code for f in _findings(kb) if f.code == "C004"]
        assert stale == (["C004"] if level else [])
        assert _findings(kb) == _findings(kb, cached=False)


def test_assume_unchanged_is_not_taken_on_trust(git_always: None, tmp_path: Path) -> None:
    kb = _repo(tmp_path)
    _findings(kb)
    git(kb, "update-index", "--assume-unchanged", "concepts/c0.yaml")
    git(kb, "update-index", "--skip-worktree", "concepts/c1.yaml")
    for i in (0, 1):
        page = kb / "concepts" / f"c{i}.yaml"
        before = page.stat()
        page.write_text(_concept(i, (2, 2, 1)), encoding="utf-8")
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert git(kb, "diff-files", "--name-only") == ""  # git itself does not look
    assert _findings(kb) == _findings(kb, cached=False)
    assert any(f.code == "C004" for f in _findings(kb))


def test_git_pointed_at_another_checkout_is_not_asked(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIT_DIR and GIT_WORK_TREE naming a twin checkout: git would vouch for the twin's
    pages, not for the ones lint reads."""
    twin = _repo(tmp_path / "twin")
    _findings(twin)
    kb = tmp_path / "copy"
    shutil.copytree(twin, kb, ignore=shutil.ignore_patterns(".git"))
    monkeypatch.setenv("GIT_DIR", str(twin / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(twin))
    (kb / "concepts" / "c0.yaml").write_text(_concept(0, (0, 0, 1)), encoding="utf-8")
    assert any(f.code == "C004" for f in _findings(kb, cached=False))
    assert _findings(kb) == _findings(kb, cached=False)


def test_a_clean_filter_that_hides_an_edit_is_not_trusted(git_always: None, tmp_path: Path) -> None:
    """A clean filter (or ident, or a working-tree encoding) maps a changed page to the
    recorded blob: git calls it clean, yet lint reads the file as it is on disk."""
    kb = _repo(tmp_path)
    git(kb, "config", "filter.strip.clean", "sed '/^bogus/d'")
    (kb / ".gitattributes").write_text("concepts/*.yaml filter=strip\n", encoding="utf-8")
    git(kb, "add", ".gitattributes")
    git(kb, "commit", "-qm", "Attributes")
    _findings(kb)
    page = kb / "concepts" / "c0.yaml"
    page.write_text(page.read_text(encoding="utf-8") + "bogus: [\n", encoding="utf-8")
    git(kb, "add", "--", "concepts/c0.yaml")
    assert git(kb, "diff-files", "--name-only") == ""  # git vouches for the page
    assert any(f.code == "Y001" for f in _findings(kb, cached=False))
    assert _findings(kb) == _findings(kb, cached=False)


def _warm(kb: Path) -> None:
    """A cache git vouches for: what a run over a few pages starts from (`kbcli.warm`)."""
    _findings(kb)
    _findings(kb)
    with contextlib.suppress(subprocess.CalledProcessError):  # a page gone "needs update"
        git(kb, "update-index", "-q", "--refresh")  # racy entries checked, as status does
    _findings(kb)


def _no_listing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fail any run that lists the KB's pages; record the pages `lstat`-ed."""

    def listed(root: Path) -> None:
        raise AssertionError("the whole KB was listed")

    stat_ed: list[str] = []
    real = lint_module.signature
    monkeypatch.setattr(lint_module, "list_pages", listed)
    monkeypatch.setattr(lint_module, "signature", lambda path: stat_ed.append(path) or real(path))
    return stat_ed


def test_a_run_over_a_few_pages_looks_at_those_and_what_changed(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """c1 changed (its alias now names c0), c3 is new: a run over c0 reads c0's row, looks at
    c1 and c3, and reports c0's alias collision, as the whole KB's run does."""
    kb = _repo(tmp_path)
    _warm(kb)
    (kb / "concepts" / "c1.yaml").write_text(_concept(1, (1, 0, 0)), encoding="utf-8")
    (kb / "concepts" / "c9.yaml").write_text(_concept(9, (2, 1, 0)), encoding="utf-8")
    paths = [kb / "concepts" / "c0.yaml"]
    expected = _findings(kb, paths, cached=False)
    assert [f.code for f in expected] == ["R003"]
    stat_ed = _no_listing(monkeypatch)
    assert _findings(kb, paths) == expected
    assert sorted(stat_ed) == [str(kb / "concepts" / p) for p in ("c1.yaml", "c9.yaml")]
    for _ in range(2):  # both still looked at, by their signatures, run after run
        stat_ed.clear()
        assert _findings(kb, paths) == expected
        assert sorted(stat_ed) == [str(kb / "concepts" / p) for p in ("c1.yaml", "c9.yaml")]


def test_a_run_over_a_few_pages_sees_namesakes(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kb = _repo(tmp_path)
    _warm(kb)
    shutil.copy(kb / "concepts" / "c2.yaml", kb / "concepts" / "c2.yml")
    paths = [kb / "concepts" / "c2.yml"]
    expected = _findings(kb, paths, cached=False)
    assert [f.code for f in expected] == ["R002"]
    _no_listing(monkeypatch)
    assert _findings(kb, paths) == expected


@pytest.mark.parametrize(
    "step",
    [
        ["add", "--", "concepts/c1.yaml"],
        ["commit", "-qam", "Edit"],
        ["stash", "-q"],
        ["checkout", "-qf", "other"],
        ["reset", "-q", "--hard", "HEAD"],
    ],
    ids=["add", "commit", "stash", "checkout", "reset"],
)
def test_after_the_index_changes_git_names_the_pages_it_moved(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: list[str]
) -> None:
    """c1 edited (its alias now names c0), then git moves the index: the pages whose entry
    moved since the record (against the tree then checked out) are looked at, no other,
    and the KB is not listed."""
    kb = _repo(tmp_path)
    _warm(kb)
    (kb / "concepts" / "c1.yaml").write_text(_concept(1, (1, 0, 0)), encoding="utf-8")
    git(kb, *step)
    paths = [kb / "concepts" / "c0.yaml"]
    expected = _findings(kb, paths, cached=False)
    stat_ed = _no_listing(monkeypatch)
    assert _findings(kb, paths) == expected
    moved = {"checkout": ["c0", "c1", "c2", "c3"], "reset": [], "stash": []}.get(step[0], ["c1"])
    assert sorted(stat_ed) == [str(kb / "concepts" / f"{c}.yaml") for c in moved]
    assert _findings(kb, paths) == expected


def _diff_files_started(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record each `git diff-files` kb starts (the folders it asks about)."""
    started: list[Path] = []
    real = git_module._diff_files

    def counted(root: Path, folders: Sequence[str]) -> subprocess.Popen[bytes]:
        started.append(root)
        return real(root, folders)

    monkeypatch.setattr(git_module, "_diff_files", counted)
    return started


def test_git_asked_ahead_answers_for_the_run(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kb lint PATH...` asks git which pages changed before it imports the rules: the run
    takes that answer (no second `git diff-files`) and looks at the page git named."""
    kb = _repo(tmp_path)
    _warm(kb)
    (kb / "concepts" / "c1.yaml").write_text(_concept(1, (1, 0, 0)), encoding="utf-8")
    paths = [kb / "concepts" / "c0.yaml"]
    expected = _findings(kb, paths, cached=False)
    assert [f.code for f in expected] == ["R003"]
    started = _diff_files_started(monkeypatch)
    stat_ed = _no_listing(monkeypatch)
    with git_module.IndexProbe.start(kb, kb_module.FOLDERS) as ahead:
        assert lint(kb, TODAY, paths, ahead=ahead).findings == expected
    assert started == [kb]
    assert stat_ed == [str(kb / "concepts" / "c1.yaml")]


def test_the_index_moving_after_git_was_asked_is_not_taken(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git asked, then `git add` rewrites the index before the run takes the answer: the
    answer may be about the other index, so the run is a whole-KB one, and still right."""
    kb = _repo(tmp_path)
    _warm(kb)
    paths = [kb / "concepts" / "c0.yaml"]
    listed: list[Path] = []
    real = lint_module.list_pages
    monkeypatch.setattr(lint_module, "list_pages", lambda root: listed.append(root) or real(root))
    with git_module.IndexProbe.start(kb, kb_module.FOLDERS) as ahead:
        (kb / "concepts" / "c1.yaml").write_text(_concept(1, (1, 0, 0)), encoding="utf-8")
        git(kb, "add", "--", "concepts/c1.yaml")
        assert ahead.answer() is None
        assert [f.code for f in lint(kb, TODAY, paths, ahead=ahead).findings] == ["R003"]
    assert listed == [kb]
    assert lint(kb, TODAY, paths).findings == _findings(kb, paths, cached=False)


def test_git_is_not_asked_ahead_outside_git(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    assert git_module.IndexProbe.start(kb, kb_module.FOLDERS) is None


def test_two_runs_saving_at_once_leave_no_record_to_trust(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run B (over a few pages) saves while run A (over the whole KB, which read the cache
    before) has yet to: A's save cannot know which pages B looked at, so the record of what
    git vouches for is dropped. (A run over a few pages holds its read until it saves: a
    run saving meanwhile waits for it, then gives up.)"""
    kb = _repo(tmp_path)
    _warm(kb)
    real_save = cache_module.LintCache.save

    def save_after_another(self: cache_module.LintCache) -> None:
        monkeypatch.setattr(cache_module.LintCache, "save", real_save)
        (kb / "concepts" / "c3.yaml").write_text(_concept(3, (2, 2, 1)), encoding="utf-8")
        _findings(kb, [kb / "concepts" / "c3.yaml"])  # run B, saved first
        real_save(self)

    (kb / "concepts" / "c1.yaml").write_text(_concept(1, (2, 2, 0)), encoding="utf-8")
    monkeypatch.setattr(cache_module.LintCache, "save", save_after_another)
    _findings(kb)  # run A
    paths = [kb / "concepts" / "c0.yaml"]
    expected = _findings(kb, paths, cached=False)
    with monkeypatch.context() as mp:
        _no_listing(mp)
        with pytest.raises(AssertionError, match="the whole KB was listed"):
            _findings(kb, paths)
    assert _findings(kb, paths) == expected


def test_a_page_staged_then_removed_is_not_taken_for_a_page(
    git_always: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """c9 is staged, then deleted from the working tree before the record is made: git
    still names it (its index entry is not the tree's), but it is no page of the KB, and
    the thesis citing it cites no concept (R004)."""
    kb = _repo(tmp_path)
    thesis = _thesis().replace("id: t0", "id: t9").replace("concept: c0", "concept: c9")
    (kb / "theses" / "t9.yaml").write_text(thesis, encoding="utf-8")
    (kb / "concepts" / "c9.yaml").write_text(_concept(9, (2, 1, 0)), encoding="utf-8")
    git(kb, "add", "--", "concepts/c9.yaml")
    (kb / "concepts" / "c9.yaml").unlink()
    time.sleep(2.1)  # the folders' stamp trusted: the run over a few pages does not list
    _warm(kb)
    paths = [kb / "theses" / "t9.yaml"]
    expected = _findings(kb, paths, cached=False)
    assert "R004" in [f.code for f in expected]
    _no_listing(monkeypatch)
    assert _findings(kb, paths) == expected


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> None:
    """The folders' stamps trusted at once (`_Later`)."""
    monkeypatch.setattr(kb_module, "time", _Later())


def _drop_row(kb: Path, rel: str) -> None:
    with contextlib.closing(sqlite3.connect(kb / ".kb-cache" / "lint.sqlite3")) as con, con:
        con.execute("DELETE FROM pages WHERE rel = ?", (rel,))


@pytest.mark.parametrize("reported", ["theses/t0.yaml", "concepts/c1.yaml"])
def test_a_manifest_row_gone_missing_does_not_hide_its_page(
    git_always: None, later: None, tmp_path: Path, reported: str
) -> None:
    """A damaged cache lost the rows of c0 (which t0 cites) and c1 (whose alias names c0):
    a run over a few pages still knows both are pages of the KB (the record's listing)."""
    kb = _repo(tmp_path)
    (kb / "concepts" / "c1.yaml").write_text(_concept(1, (1, 0, 0)), encoding="utf-8")
    git(kb, "commit", "-qam", "c1's alias names c0")
    _warm(kb)
    _drop_row(kb, "concepts/c0.yaml")
    _drop_row(kb, "concepts/c1.yaml")
    paths = [kb / reported]
    assert _findings(kb, paths) == _findings(kb, paths, cached=False)


def _kb_in_subfolder(tmp_path: Path) -> Path:
    """`_repo`'s KB at `repo/kb`, in a repository whose top is `repo`."""
    kb = _repo(tmp_path / "repo")
    shutil.move(str(kb / ".git"), str(tmp_path / "repo" / ".git"))
    git(tmp_path / "repo", "add", "-A")
    git(tmp_path / "repo", "commit", "-qm", "The KB in a subfolder")
    return kb


@pytest.mark.parametrize("how", ["move", "copy"])
def test_a_kb_moved_or_copied_within_its_repository(
    git_always: None, later: None, tmp_path: Path, how: str
) -> None:
    """`mv kb kb2` or `cp -r kb kb2`, cache and all: git's index is the same file, but
    git's entries are kb's, not kb2's, and vouch for none of its pages."""
    kb = _kb_in_subfolder(tmp_path)
    _warm(kb)
    moved = tmp_path / "repo" / "kb2"
    os.rename(kb, moved) if how == "move" else shutil.copytree(kb, moved)
    (moved / "concepts" / "c0.yaml").write_text(_concept(0, (0, 0, 1)), encoding="utf-8")
    paths = [moved / "theses" / "t0.yaml"]
    expected = _findings(moved, paths, cached=False)
    assert [f.code for f in expected] == ["C004"]
    assert _findings(moved, paths) == expected


@pytest.mark.parametrize("kind", ["symlink", "fifo", "folder", "rename", "split-index", "worktree"])
def test_odd_entries_and_git_setups_in_a_run_over_a_few_pages(
    git_always: None, later: None, tmp_path: Path, kind: str
) -> None:
    kb = _repo(tmp_path)
    if kind == "split-index":
        git(kb, "update-index", "--split-index")
    if kind == "worktree":
        git(kb, "worktree", "add", "-q", str(tmp_path / "wt"), "other")
        kb = tmp_path / "wt"
    _warm(kb)
    page, other = kb / "concepts" / "c0.yaml", kb / "concepts" / "c1.yaml"
    if kind == "symlink":
        page.unlink()
        page.symlink_to("c1.yaml")
    elif kind in ("fifo", "folder"):
        other.unlink()
        os.mkfifo(other) if kind == "fifo" else other.mkdir()
    elif kind == "rename":
        (kb / "concepts" / ".c0.tmp").write_text(_concept(0, (0, 0, 1)), encoding="utf-8")
        os.replace(kb / "concepts" / ".c0.tmp", page)
    for paths in ([kb / "theses" / "t0.yaml"], [kb / "theses" / "t0.yaml", page]):
        for _ in range(2):
            assert _findings(kb, paths) == _findings(kb, paths, cached=False)


@pytest.mark.parametrize(
    "steps",
    [
        [["update-index", "--skip-worktree", "concepts/c0.yaml"]],
        [["update-index", "--assume-unchanged", "concepts/c0.yaml"]],
        # with core.ignoreStat, git's own checkout marks its entries assume-unchanged
        [
            ["config", "core.ignoreStat", "true"],
            ["checkout", "-q", "other"],
            ["checkout", "-q", "main"],
        ],
    ],
    ids=["skip-worktree", "assume-unchanged", "ignore-stat"],
)
def test_an_entry_git_stops_checking_after_the_record(
    git_always: None, later: None, tmp_path: Path, steps: list[list[str]]
) -> None:
    """After the record, git is told not to compare c0 with its file: `git diff-files`
    no longer names it when it changes, so the index moving is reason to look at it."""
    kb = _repo(tmp_path)
    _warm(kb)
    for step in steps:
        git(kb, *step)
    time.sleep(0.01)
    (kb / "concepts" / "c0.yaml").write_text(_concept(0, (0, 0, 1)), encoding="utf-8")
    paths = [kb / "theses" / "t0.yaml"]
    assert [f.code for f in _findings(kb, paths, cached=False)] == ["C004"]
    for _ in range(2):
        assert _findings(kb, paths) == _findings(kb, paths, cached=False)


def test_another_run_saving_while_one_reads_the_record(
    git_always: None, later: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run A has read the record when c0 is edited, run B (whole KB) saves c0's new row,
    and c0 is put back: A must not read B's row for c0 as if it were the record's."""
    kb = _repo(tmp_path)
    _warm(kb)
    real_warm = cache_module.LintCache.warm

    def warm_then_another(self: cache_module.LintCache) -> cache_module.Warm | None:
        found = real_warm(self)
        monkeypatch.setattr(cache_module.LintCache, "warm", real_warm)
        (kb / "concepts" / "c0.yaml").write_text(_concept(0, (0, 0, 1)), encoding="utf-8")
        _findings(kb)  # run B: it waits for A's read, then gives up saving
        git(kb, "checkout", "-q", "--", "concepts/c0.yaml")
        return found

    monkeypatch.setattr(cache_module.LintCache, "warm", warm_then_another)
    paths = [kb / "theses" / "t0.yaml"]
    got = _findings(kb, paths)  # run A
    monkeypatch.setattr(cache_module.LintCache, "warm", real_warm)
    assert got == _findings(kb, paths, cached=False) == []


def _stale(kb: Path, cached: bool = True) -> dict[str, object]:
    from kbcli.config import load_config
    from kbcli.stale import find_stale
    from kbcli.stale_report import to_json

    return to_json(find_stale(kb, load_config(kb), use_cache=cached), kb)


@pytest.mark.parametrize("change", ["none", "edit", "edit-staged", "untracked", "removed"])
def test_a_warm_stale_run_with_nothing_changed_lists_no_page(
    git_always: None, later: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    """`kb stale` keeps its survey with the cache: when git, the folders and the pages git
    did not vouch for say nothing changed since, the next run takes it without listing a
    page; any change (c0's evidence, so t0's citation goes stale) and it surveys afresh."""
    monkeypatch.setattr(cache_module, "_RACY_NS", -(10**10))  # signatures vouch at once
    kb = _repo(tmp_path)
    _warm(kb)
    _stale(kb)
    page = kb / "concepts" / "c0.yaml"
    if change.startswith("edit"):
        page.write_text(_concept(0, (0, 0, 1)), encoding="utf-8")
        if change == "edit-staged":
            git(kb, "add", "--", "concepts/c0.yaml")
    elif change == "untracked":
        (kb / "concepts" / "c9.yaml").write_text(_concept(9, (0, 0, 0)), encoding="utf-8")
    elif change == "removed":
        page.unlink()
    expected = _stale(kb, cached=False)
    with monkeypatch.context() as mp:
        _no_listing(mp)
        if change == "none":
            assert _stale(kb) == expected
        else:
            with pytest.raises(AssertionError, match="the whole KB was listed"):
                _stale(kb)
    assert _stale(kb) == expected
    _no_listing(monkeypatch)
    assert _stale(kb) == expected  # and the run after it lists nothing either
