"""Merge-conflict markers are their own finding (Y009), found before YAML parsing and
wherever they stand; `kb show` and `kb render` refuse a page that has them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.yamlio.load import YamlProblem, parse

from helpers import CASES, git_init, make_kb, run_kb

MESSAGE = (
    "unresolved merge conflict (<<<<<<< HEAD): keep the right lines of each side and delete "
    "the marker lines"
)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("<<<<<<< HEAD\nid: a\n=======\nid: b\n>>>>>>> feature\n", 1),
        ('id: a\nsummary: "one\n<<<<<<< HEAD\n two"\n', 3),  # inside a quoted string
        ("id: a\nsummary: 'one\n=======\n two'\n", 3),  # a side's separator alone
        ("id: a\n<<<<<<<<<< HEAD\n", 2),  # a longer marker (--marker-size 10)
    ],
)
def test_markers_are_found_before_yaml_reads_them(text: str, line: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        parse(text)
    assert (caught.value.code, caught.value.line, caught.value.col) == ("Y009", line, 1)


@pytest.mark.parametrize(
    "text",
    [
        "summary: |\n  Setext heading\n  =======\n",  # inside a block scalar: indented
        "summary: a <<<<<<< b\n",  # not at the start of a line
        "summary: x\n# =======\n",
    ],
)
def test_text_that_only_looks_like_a_marker_is_not_one(text: str) -> None:
    parse(text)


@pytest.mark.parametrize("command", [("show", "alpha"), ("render", "--out", "site")])
def test_show_and_render_refuse_a_page_with_markers(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    root = make_kb(tmp_path / "kb", CASES / "invalid" / "merge-conflict-in-quoted-string")
    result = run_kb(*command, cwd=root)
    assert (result.code, result.out) == (2, "")
    assert result.err == f"kb: concepts/alpha.yaml:5:1: Y009 {MESSAGE}\n"
    assert not (root / "site").exists()


def test_an_edit_refuses_a_page_with_markers(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", CASES / "invalid" / "merge-conflict")
    before = (root / "concepts" / "beta.yaml").read_bytes()
    result = run_kb("changelog", "beta", "x", "--date", "2026-04-21", cwd=root)
    assert (result.code, result.err) == (2, f"kb: concepts/beta.yaml:2:1: Y009 {MESSAGE}\n")
    assert (root / "concepts" / "beta.yaml").read_bytes() == before


def test_in_git_without_the_driver_the_finding_names_kb_git_setup(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", CASES / "invalid" / "merge-conflict")
    git_init(root)
    hint = "; `kb git-setup` lets git merge pages by meaning, so fewer conflicts reach a page"
    result = run_kb("lint", cwd=root)
    assert result.code == 1
    assert f"concepts/beta.yaml:2:1: Y009 {MESSAGE}{hint}\n" in result.out
    assert run_kb("git-setup", cwd=root).code == 0
    result = run_kb("lint", cwd=root)  # the cache holds the page's finding, not the hint
    assert f"concepts/beta.yaml:2:1: Y009 {MESSAGE}\n" in result.out
