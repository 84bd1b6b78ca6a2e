"""Cache trust by construction: no file the checkout could contain vouches for a cache.

Each case plants, in a checkout, what a pull request can commit: a secret in the folder
XDG_CACHE_HOME names, and a `.kb-cache/` forged with it that claims the broken pages have
no findings (`forge`). kb must notice that the secret could be the checkout's, run without
its caches, say so once, and report every finding.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kbcli import secret
from kbcli.secret import distrust, local_secret

from helpers import GIT_ENV, git, git_init, make_kb, run_kb, run_kb_process

BROKEN = {  # an unknown field (S002), a related concept that does not exist, a cited one
    "concepts/alpha.yaml": (
        "id: alpha\ntitle: Alpha\nsummary: The first concept.\ncolour: red\nclaims: []\n"
        "related:\n  - {concept: ghost}\nchangelog: []\n"
    ),
    "theses/t.yaml": "id: t\ntitle: A thesis\nposition: p\ncites:\n  - concept: ghost\n",
}
NOTE = "not using kb's caches"


def forge(kb: Path, xdg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a pull request can commit: a secret under `xdg`, and a lint cache made with it
    that files the facts of the clean pages under the broken pages' content."""
    from kbcli.cache import LintCache, blob_id, cache_key, content_digest
    from kbcli.config import load_config
    from kbcli.kb import list_pages
    from kbcli.lint import analyse_all, signature
    from kbcli.pagefacts import encode_row

    planted = xdg / "kb" / "secret"
    planted.parent.mkdir(parents=True)
    planted.write_text("0123456789abcdef" * 2, encoding="ascii")
    monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
    monkeypatch.setattr(secret, "distrust", lambda root: None)  # a kb that trusts it
    local_secret.cache_clear()
    clean = make_kb(kb.parent / "clean")
    config = load_config(kb)
    refs = list_pages(clean)
    facts = analyse_all(clean, config)
    store = LintCache.open(kb, cache_key(config, kb))
    for ref, page in zip(refs, facts, strict=True):
        path = kb / ref.rel
        raw = path.read_bytes()
        store.put(
            ref.rel, signature(str(path)), content_digest(raw), blob_id(raw), encode_row(page)
        )
    store.save()
    store.close()
    shutil.rmtree(clean)
    # The forgery works: a kb that trusted the secret would believe it.
    fooled = run_kb("lint", cwd=kb)
    assert (fooled.code, fooled.out) == (0, "All clean: 3 pages checked.\n")
    assert run_kb("stale", "--check", cwd=kb).out.startswith("Nothing stale")
    monkeypatch.undo()
    local_secret.cache_clear()


def assert_not_fooled(kb: Path, cwd: Path, env: dict[str, str]) -> None:
    lint = run_kb_process("lint", cwd=cwd, env=env)
    assert lint.code == 1, lint
    assert "S002 unknown field 'colour'" in lint.out and "ghost" in lint.out
    assert lint.err.count(NOTE) == 1, lint.err
    stale = run_kb_process("stale", "--check", cwd=cwd, env=env)
    assert stale.code == 1 and "  ghost: no such concept" in stale.out, stale
    assert stale.err.count(NOTE) == 1, stale.err
    assert not (kb / ".kb-cache" / "history.json").exists()
    clean = run_kb_process("lint", "--no-cache", cwd=cwd, env=env)
    assert clean.code == 1 and NOTE not in clean.err  # no cache asked for: nothing to say


def test_a_tarball_checkout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "work" / "checkout"  # `git archive` unpacked: no .git anywhere
    kb = make_kb(checkout / "kb", files=BROKEN)
    forge(kb, checkout / ".cache", monkeypatch)
    env = {"XDG_CACHE_HOME": str(checkout / ".cache")}
    assert_not_fooled(kb, checkout, env)
    assert_not_fooled(kb, kb, env)  # from inside the KB: the folder above still holds it
    reason = f"lies in {checkout}, a folder above the KB"
    monkeypatch.setenv("XDG_CACHE_HOME", str(checkout / ".cache"))
    monkeypatch.chdir(kb)
    assert (distrust(kb) or "").endswith(reason)


def test_a_separate_git_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "checkout"
    kb = make_kb(checkout / "kb", files=BROKEN)
    git_init(checkout)
    (checkout / ".git").rename(tmp_path / "git-dir")  # GIT_DIR elsewhere, as CI may
    forge(kb, checkout / ".cache", monkeypatch)
    env = {
        "XDG_CACHE_HOME": str(checkout / ".cache"),
        "GIT_DIR": str(tmp_path / "git-dir"),
        "GIT_WORK_TREE": str(checkout),
        **GIT_ENV,
    }
    assert_not_fooled(kb, kb, env)


def test_xdg_cache_home_in_the_workspace_of_a_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "checkout"
    kb = make_kb(checkout / "kb", files=BROKEN)
    git_init(checkout)
    forge(kb, checkout / ".cache", monkeypatch)
    git(checkout, "add", "-f", "-A")  # as the pull request did
    git(checkout, "commit", "-qm", "Add a cache")
    assert_not_fooled(kb, kb, {"XDG_CACHE_HOME": str(checkout / ".cache")})


def test_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home" / "curator"
    kb = make_kb(home / "notes" / "kb")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)

    def why(xdg: Path) -> str | None:
        monkeypatch.setenv("XDG_CACHE_HOME", str(xdg))
        return distrust(kb)

    assert why(home / ".cache") is None  # the usual place, though no git is found
    assert why(tmp_path / "elsewhere") is None
    assert (why(kb / ".cache") or "").endswith("lies inside the KB")
    assert (why(home / "notes" / ".cache") or "").endswith(
        f"lies in {home / 'notes'}, a folder above the KB"
    )
    (home / "ci").mkdir()
    monkeypatch.chdir(home / "ci")  # a CI job's workspace, say
    assert (why(home / "ci" / ".cache") or "").endswith("lies inside the working directory")
    monkeypatch.chdir(home)  # kb run from home: home is no checkout
    assert why(home / ".cache") is None
    monkeypatch.chdir(tmp_path)
    (home / "notes" / ".git").mkdir()  # a repository: its top bounds the checkout
    assert why(home / "notes" / "other") == (
        f"kb's cache directory ({home / 'notes' / 'other' / 'kb'}) lies inside the "
        f"repository {home / 'notes'}"
    )
    assert why(tmp_path / "home" / ".cache") is None


def test_a_trusted_cache_is_used_and_nothing_said(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    kb = make_kb(checkout / "kb")
    git_init(checkout)
    env = {"XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    first = run_kb_process("lint", cwd=kb, env=env)
    assert (first.code, first.err) == (0, "")
    assert (kb / ".kb-cache").is_dir()
    assert os.listdir(tmp_path / "user-cache" / "kb") == ["secret"]


def test_the_temporary_folder_is_sheltered_but_not_what_is_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temporary = tmp_path / "tmpdir"
    kb = make_kb(temporary / "build" / "kb")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # tmp_path and above: sheltered
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(temporary / "user-cache"))
    monkeypatch.setenv("TMPDIR", str(temporary))
    assert distrust(kb) is None  # a test suite's KB and cache, both under $TMPDIR
    monkeypatch.delenv("TMPDIR")  # the same folder, not the temporary one: may be a checkout
    assert (distrust(kb) or "").endswith(f"lies in {temporary}, a folder above the KB")
    monkeypatch.setenv("TMPDIR", str(temporary))
    monkeypatch.setenv("XDG_CACHE_HOME", str(temporary / "build" / ".cache"))
    assert (distrust(kb) or "").endswith(f"lies in {temporary / 'build'}, a folder above the KB")
