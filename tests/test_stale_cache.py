"""`kb stale` through the lint cache: a warm run with nothing changed reads no page (the
survey, the concepts' material and their git blob ids all come from the cache), and a
cached run gives what `--no-cache` gives, whatever changed between runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli import history, kb
from kbcli.config import load_config
from kbcli.stale import StaleResult, find_stale

from helpers import GIT_ENV, git, git_init, make_kb, run_kb

WHOLE = "id: w\ntitle: W\nposition: P.\ncites:\n  - concept: alpha\n"


@pytest.fixture(autouse=True)
def pinned_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def _kb(path: Path) -> Path:
    """The base KB, its two theses reviewed, in git; then alpha's first claim weakened and
    committed, so both citations are stale with a commit to name."""
    root = make_kb(path, files={"theses/w.yaml": WHOLE})
    for thesis in ("t", "w"):
        assert run_kb("review", thesis, "--date", "2026-04-20", cwd=root).code == 0
    git_init(root)
    _set_evidence(root, "weak")
    git(root, "commit", "-qam", "Weaken alpha")
    return root


def _set_evidence(root: Path, level: str) -> None:
    page = root / "concepts" / "alpha.yaml"
    text = page.read_text(encoding="utf-8")
    for old in ("evidence: strong", "evidence: moderate", "evidence: weak"):
        text = text.replace(old, f"evidence: {level}", 1) if old in text else text
    page.write_text(text, encoding="utf-8")


def _stale(root: Path, cached: bool = True) -> StaleResult:
    return find_stale(root, load_config(root), use_cache=cached)


def _plain(result: StaleResult) -> object:
    return [(t.thesis, [c.to_json() for c in t.citations]) for t in result.theses], result.counts


@pytest.mark.parametrize("by", ["git", "stat"])
def test_a_warm_run_with_nothing_changed_reads_no_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by: str
) -> None:
    if by == "git":  # git vouches for the pages (kb asks it from 500 pages on)
        monkeypatch.setattr("kbcli.lint._GIT_FROM", 0)
    else:  # stat signatures vouch at once (as they do two seconds after a run)
        monkeypatch.setattr("kbcli.cache._RACY_NS", -(10**10))
    root = _kb(tmp_path / "kb")
    cold = _stale(root)  # the lint cache, the survey and the history pass, kept
    _stale(root)  # signatures past the racy window vouch for every page
    assert cold.counts and any(t.citations for t in cold.theses)

    def no_read(*args: object, **kwargs: object) -> bytes:
        raise AssertionError(f"a page was read: {args}")

    monkeypatch.setattr(kb, "read_raw", no_read)
    monkeypatch.setattr("kbcli.lint.read_raw", no_read)
    monkeypatch.setattr(history._Worktree, "_bytes", no_read)
    assert _plain(_stale(root)) == _plain(cold)


_OP = st.one_of(
    st.tuples(st.just("evidence"), st.sampled_from(["strong", "moderate", "weak"])),
    st.tuples(st.just("commit")),
    st.tuples(st.just("untracked-thesis")),
    st.tuples(st.just("delete-thesis")),
    st.tuples(st.just("run")),  # a cached run in between
)


@settings(max_examples=15, deadline=None)
@given(ops=st.lists(_OP, max_size=5), same_mtime=st.booleans())
def test_a_cached_stale_run_equals_no_cache(ops: list[tuple[str, ...]], same_mtime: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = _kb(Path(tmp) / "kb")
        _stale(root)
        for op in ops:
            page = root / "concepts" / "alpha.yaml"
            before = page.stat()
            if op[0] == "evidence":
                _set_evidence(root, op[1])
                if same_mtime:
                    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
            elif op[0] == "commit":
                git(root, "commit", "-q", "--allow-empty", "-am", "Edit")
            elif op[0] == "untracked-thesis":
                (root / "theses" / "u.yaml").write_text(
                    WHOLE.replace("id: w", "id: u"), encoding="utf-8"
                )
            elif op[0] == "delete-thesis":
                (root / "theses" / "w.yaml").unlink(missing_ok=True)
            else:
                _stale(root)
        assert _plain(_stale(root)) == _plain(_stale(root, cached=False))
