"""`kb new`: pages that validate at once, whole text; never overwriting; bad ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import make_kb, run_kb


def test_new_concept_whole_text_and_it_lints_clean(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    result = run_kb(
        "new", "concept", "gamma-rays", "--title", "Gamma: rays", "--date", "2026-04-20", cwd=root
    )
    assert (result.code, result.out, result.err) == (
        0,
        "Created concepts/gamma-rays.yaml\n",
        "note: for editors, run kb schema --write once: the page's modeline points at "
        "schemas/ in the KB\n",
    )
    assert run_kb("schema", "--write", cwd=root).code == 0
    again = run_kb("new", "concept", "beta-rays", "--title", "B", cwd=root)
    assert (again.out, again.err) == ("Created concepts/beta-rays.yaml\n", "")
    (root / "concepts/beta-rays.yaml").unlink()
    assert (
        (root / "concepts" / "gamma-rays.yaml").read_text()
        == """\
# yaml-language-server: $schema=../schemas/concept.schema.json
id: gamma-rays
title: "Gamma: rays"
summary: "TODO: summarise Gamma: rays in a few sentences."
claims: []
sources: []
changelog:
  - date: 2026-04-20
    text: Created
"""
    )
    lint = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert (lint.code, lint.out) == (0, "All clean: 4 pages checked.\n")


def test_new_thesis_whole_text(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    result = run_kb("new", "thesis", "gates", "--title", "Interpretability gates", cwd=root)
    assert result.code == 0, result.err
    assert (
        (root / "theses" / "gates.yaml").read_text()
        == """\
# yaml-language-server: $schema=../schemas/thesis.schema.json
id: gates
title: Interpretability gates
position: "TODO: state the position this thesis argues, in a sentence or two."
cites: []
"""
    )
    assert run_kb("lint", "--today", "2026-04-20", cwd=root).code == 0


def test_first_page_of_a_kb_creates_its_folder_with_the_usual_mode(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "kb.yaml").write_text("")
    old = os.umask(0o027)
    try:
        result = run_kb("new", "concept", "a", "-t", "A", "--date", "2026-04-20", cwd=root)
    finally:
        os.umask(old)
    assert result.code == 0, result.err
    assert (root / "concepts" / "a.yaml").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["concept", "alpha", "-t", "A"], 1,
         "concepts/alpha.yaml already exists; kb new never overwrites a page"),
        (["thesis", "t", "-t", "T"], 1,
         "theses/t.yaml already exists; kb new never overwrites a page"),
        (["concept", "../../etc/x", "-t", "X"], 2,
         "'../../etc/x' is not a valid concept id: use lowercase letters and digits joined by "
         "single hyphens (no paths)"),
        (["thesis", "My_Thesis", "-t", "X"], 2,
         "'My_Thesis' is not a valid thesis id: use lowercase letters and digits joined by "
         "single hyphens (no paths)"),
        (["concept", "x", "-t", "  "], 2,
         "the title is empty: pass --title with the page's display name"),
        (["concept", "x", "-t", "X", "--date", "20260420"], 2,
         "'20260420' is not a date (YYYY-MM-DD)"),
        # a byte that is not UTF-8 reaches argv as a lone surrogate: no page can hold it
        (["concept", "x", "-t", "bad \udcff byte"], 2,
         "refusing to write concepts/x.yaml: the result would not be a valid page (line 3, "
         "column 15: Y001 while parsing a quoted scalar: found invalid Unicode character "
         "escape code); nothing was written"),
    ],
)  # fmt: skip
def test_refusals_write_nothing(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    root = make_kb(tmp_path / "kb")
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    alpha = (root / "concepts" / "alpha.yaml").read_bytes()
    result = run_kb("new", *args, cwd=root)
    assert (result.code, result.out, result.err) == (code, "", f"kb: {message}\n")
    after = sorted(p.relative_to(root) for p in root.rglob("*") if ".kb-cache" not in p.parts)
    assert after == before
    assert (root / "concepts" / "alpha.yaml").read_bytes() == alpha


def test_a_yml_page_of_that_id_counts_as_existing(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    (root / "concepts" / "alpha.yaml").rename(root / "concepts" / "alpha.yml")
    result = run_kb("new", "concept", "alpha", "-t", "A", cwd=root)
    assert (result.code, result.err) == (
        1,
        "kb: concepts/alpha.yml already exists; kb new never overwrites a page\n",
    )
    assert not (root / "concepts" / "alpha.yaml").exists()


def test_never_overwrites_a_page_that_appears_during_the_write(tmp_path: Path) -> None:
    from kbcli.config import Config
    from kbcli.errors import Refused
    from kbcli.store import write_pages

    root = make_kb(tmp_path / "kb").resolve()
    target = root / "concepts" / "alpha.yaml"
    before = target.read_bytes()
    text = "id: alpha\ntitle: A\nsummary: S\nclaims: []\nchangelog: []\n"
    with pytest.raises(Refused, match="already exists"):
        write_pages(root, Config(), {target: text}, created=frozenset({target}))
    assert target.read_bytes() == before
    assert sorted(os.listdir(target.parent)) == ["alpha.yaml", "beta.yaml"]


def test_title_that_yaml_would_misread_is_quoted(tmp_path: Path) -> None:
    from kbcli.scaffold import page_text
    from kbcli.yamlio.load import parse

    for title in ("true", "123", "- dash", "#hash", "a: b", 'He said "hi"', "[x]", "null"):
        data = parse(page_text("concept", "x", title, "2026-04-20")).data
        assert data["title"] == title


def test_a_dated_thesis_is_refused_before_the_kb_is_looked_for(tmp_path: Path) -> None:
    """Outside any KB, `kb new thesis --date` says what is wrong with the options."""
    result = run_kb("new", "thesis", "t", "--title", "T", "--date", "2026-01-01", cwd=tmp_path)
    assert result.code == 2
    assert result.err == (
        "kb: kb new thesis takes no --date: a thesis is dated when it is scored "
        "(kb review THESIS --score S --date D)\n"
    )


def test_an_id_yaml_would_misread_is_written_as_text(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    for page_id in ("null", "123", "true"):  # refused as invalid pages before issue 17
        result = run_kb("new", "concept", page_id, "-t", "T", "--date", "2026-04-20", cwd=root)
        assert (result.code, result.out) == (0, f"Created concepts/{page_id}.yaml\n")
        text = (root / "concepts" / f"{page_id}.yaml").read_text()
        assert text.splitlines()[1] == f'id: "{page_id}"'
