"""`kb git-setup [--check]`: the attributes beside the KB and the driver in git's config."""

from __future__ import annotations

import sys
from pathlib import Path

from helpers import git, git_init, make_kb, run_kb

ATTRIBUTES = """\
# kb git-setup: merge the KB's pages by meaning (kb merge-file)
concepts/*.yaml merge=kb
concepts/*.yml merge=kb
theses/*.yaml merge=kb
theses/*.yml merge=kb
/kb.yaml merge=kb
"""


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    make_kb(root / "kb")
    git_init(root)
    return root


def driver() -> str:
    return f"{sys.executable} -P -m kbcli merge-file %O %A %B --path %P --marker-size %L"


def test_setup_adds_the_attributes_and_the_driver_and_says_so(tmp_path: Path) -> None:
    root = repo(tmp_path)
    done = run_kb("git-setup", cwd=root / "kb")
    attributes = root / "kb" / ".gitattributes"
    assert done.code == 0
    assert done.out == (
        "".join(f"added to {attributes}: {line}\n" for line in ATTRIBUTES.splitlines()[1:])
        + "set in git config: merge.kb.name = kb: merge knowledge-base pages by meaning\n"
        + f"set in git config: merge.kb.driver = {driver()}\n"
    )
    assert attributes.read_text(encoding="utf-8") == ATTRIBUTES
    assert git(root, "config", "--local", "merge.kb.driver") == driver() + "\n"
    assert git(root, "check-attr", "merge", "kb/concepts/alpha.yaml") == (
        "kb/concepts/alpha.yaml: merge: kb\n"
    )
    assert (
        git(root, "check-attr", "merge", "kb/notes/kb.yaml")
        == "kb/notes/kb.yaml: merge: unspecified\n"
    )


def test_setup_twice_adds_nothing(tmp_path: Path) -> None:
    root = repo(tmp_path)
    run_kb("git-setup", cwd=root / "kb")
    done = run_kb("git-setup", cwd=root / "kb")
    assert (done.code, done.out) == (0, "already set up: nothing to add\n")
    assert (root / "kb" / ".gitattributes").read_text(encoding="utf-8") == ATTRIBUTES


def test_setup_keeps_existing_attributes_and_adds_only_what_is_missing(tmp_path: Path) -> None:
    root = repo(tmp_path)
    attributes = root / "kb" / ".gitattributes"
    attributes.write_bytes(b"*.png binary\r\nconcepts/*.yaml   merge=kb")
    done = run_kb("git-setup", cwd=root / "kb")
    assert done.code == 0
    assert f"added to {attributes}: concepts/*.yaml merge=kb" not in done.out
    lines = ATTRIBUTES.replace("concepts/*.yaml merge=kb\n", "").replace("\n", "\r\n")
    assert attributes.read_bytes() == b"*.png binary\r\nconcepts/*.yaml   merge=kb\r\n" + (
        lines.encode()
    )


def test_check_reports_what_is_missing(tmp_path: Path) -> None:
    root = repo(tmp_path)
    done = run_kb("git-setup", "--check", cwd=root / "kb")
    attributes = root / "kb" / ".gitattributes"
    assert done.code == 1
    assert done.out == (
        "".join(f"missing in {attributes}: {line}\n" for line in ATTRIBUTES.splitlines()[1:])
        + "missing in git config: merge.kb.driver is not set\n"
        + "missing in git config: merge.kb.name is not set\n"
        + "run `kb git-setup` to add it\n"
    )
    run_kb("git-setup", cwd=root / "kb")
    done = run_kb("git-setup", "--check", cwd=root / "kb")
    assert (done.code, done.out) == (
        0,
        "kb merge-file is set up as the merge driver for this KB's pages\n",
    )


def test_check_reports_a_driver_that_no_longer_exists(tmp_path: Path) -> None:
    from kbcli.mergedriver import driver_configured

    root = repo(tmp_path)
    run_kb("git-setup", cwd=root / "kb")
    assert driver_configured(root / "kb")
    gone = tmp_path / "old-venv" / "bin" / "python"
    git(root, "config", "merge.kb.driver", f"{gone} -m kbcli merge-file %O %A %B")
    done = run_kb("git-setup", "--check", cwd=root / "kb")
    assert done.code == 1
    assert done.out == (
        f"missing in git config: merge.kb.driver runs {gone}, which no longer exists\n"
        "run `kb git-setup` to add it\n"
    )
    assert not driver_configured(root / "kb")
    run_kb("git-setup", cwd=root / "kb")  # points the driver at this kb again
    assert driver_configured(root / "kb")


def test_outside_git_it_says_so(tmp_path: Path) -> None:
    from kbcli.mergedriver import driver_configured

    kb = make_kb(tmp_path / "kb")
    done = run_kb("git-setup", cwd=kb)
    assert (done.code, done.err) == (
        2,
        f"kb: {kb} is not in a git repository: git-setup configures git\n",
    )
    assert not (kb / ".gitattributes").exists()
    assert not driver_configured(kb)


def test_check_reports_attributes_that_git_overrides(tmp_path: Path) -> None:
    """The lines can be in `.gitattributes` while git applies another merge to the pages
    (`.git/info/attributes` or a deeper `.gitattributes` wins): --check asks git."""
    from kbcli.mergedriver import driver_configured

    root = repo(tmp_path)
    run_kb("git-setup", cwd=root / "kb")
    (root / "kb" / "concepts" / ".gitattributes").write_text("*.yaml merge=union\n", "utf-8")
    (root / ".git" / "info" / "attributes").write_text("kb.yaml -merge\n", encoding="utf-8")
    done = run_kb("git-setup", "--check", cwd=root / "kb")
    assert done.code == 1
    assert done.out == (
        "overridden: git merges kb/concepts/*.yaml with merge=union, not merge=kb\n"
        "overridden: git merges kb/kb.yaml with merge=unset, not merge=kb\n"
        "remove the attribute lines that override it\n"
    )
    assert not driver_configured(root / "kb")


def test_check_reports_a_driver_that_would_run_the_work_tree_s_kbcli(tmp_path: Path) -> None:
    """`python -m kbcli` without -P, as git-setup once wrote it, imports a `kbcli/` folder
    at the top of the work tree first: --check says so, and git-setup rewrites it."""
    root = repo(tmp_path)
    run_kb("git-setup", cwd=root / "kb")
    old = f"{sys.executable} -m kbcli merge-file %O %A %B --path %P --marker-size %L"
    git(root, "config", "merge.kb.driver", old)
    done = run_kb("git-setup", "--check", cwd=root / "kb")
    assert (done.code, done.out) == (
        1,
        "missing in git config: merge.kb.driver runs python -m kbcli without -P, so a "
        "kbcli/ folder in the work tree would run in kb's place\n"
        "run `kb git-setup` to add it\n",
    )
    assert run_kb("git-setup", cwd=root / "kb").out == (
        f"set in git config: merge.kb.driver = {driver()}\n"
    )
