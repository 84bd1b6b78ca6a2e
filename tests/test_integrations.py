"""Editors and CI: `kb schema`, and the GitHub Actions example."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import REPO, run_kb


def test_kb_schema_prints_where_the_schemas_are(tmp_path: Path) -> None:
    result = run_kb("schema", cwd=tmp_path)
    paths = [Path(line) for line in result.out.splitlines()]
    assert [p.name for p in paths] == [
        "concept.schema.json",
        "thesis.schema.json",
        "kb.schema.json",
    ]
    assert all(json.loads(p.read_text())["$id"] for p in paths)


def test_kb_schema_write_copies_them(tmp_path: Path) -> None:
    result = run_kb("schema", "--write", "editor-schemas", cwd=tmp_path)
    assert result.code == 0
    for name in ("concept", "thesis", "kb"):
        copied = tmp_path / "editor-schemas" / f"{name}.schema.json"
        assert copied.read_bytes() == (REPO / "schemas" / f"{name}.schema.json").read_bytes()


def test_kb_schema_write_in_a_kb_writes_its_own_levels_into_schemas(tmp_path: Path) -> None:
    from helpers import make_kb

    root = make_kb(tmp_path / "kb", files={"kb.yaml": "evidence_levels: [strong, anecdotal]\n"})
    first = run_kb("schema", "--write", cwd=root / "concepts")
    assert (first.code, first.out) == (
        0,
        "wrote ../schemas/concept.schema.json\n"
        "wrote ../schemas/thesis.schema.json\n"
        "wrote ../schemas/kb.schema.json\n",
    )
    concept = json.loads((root / "schemas/concept.schema.json").read_text())
    assert concept["$defs"]["evidence"]["enum"] == ["strong", "anecdotal"]
    for name in ("thesis", "kb"):
        written = (root / "schemas" / f"{name}.schema.json").read_bytes()
        assert written == (REPO / "schemas" / f"{name}.schema.json").read_bytes()
    again = run_kb("schema", "--write", cwd=root)
    assert again.out.splitlines()[0] == "unchanged schemas/concept.schema.json"


def test_lint_says_when_the_written_schemas_are_out_of_date(tmp_path: Path) -> None:
    from helpers import make_kb

    root = make_kb(tmp_path / "kb")
    assert run_kb("schema", "--write", cwd=root).code == 0
    assert run_kb("lint", "--today", "2026-12-01", cwd=root).out == (
        "All clean: 3 pages checked.\n"
    )
    (root / "kb.yaml").write_text("evidence_levels: [strong, moderate, weak, anecdotal]\n")
    stale = run_kb("lint", "--today", "2026-12-01", cwd=root)
    assert (stale.code, stale.out) == (
        0,
        "schemas/concept.schema.json:1:1: S004 warning: schemas/concept.schema.json is out of "
        "date with kb.yaml (evidence levels: strong, moderate, weak, anecdotal) or this kb "
        "version: run kb schema --write\n"
        "Found 0 errors and 1 warning (3 pages checked).\n",
    )
    # pre-commit passes the pages it changed: the finding is about kb.yaml's consequences
    assert "S004" not in run_kb("lint", "concepts/alpha.yaml", cwd=root).out
    assert "S004" in run_kb("lint", "kb.yaml", cwd=root).out
    assert run_kb("schema", "--write", cwd=root).code == 0
    assert run_kb("lint", "--today", "2026-12-01", cwd=root).out == (
        "All clean: 3 pages checked.\n"
    )


def test_the_repositorys_kb_has_current_editor_schemas_and_relative_modelines() -> None:
    from kbcli.config import load_config
    from kbcli.schema import outdated_editor_schemas

    root = REPO / "kb"
    assert outdated_editor_schemas(root, load_config(root).evidence_levels) == []
    pages = sorted(root.glob("*/*.yaml")) + sorted((REPO / "tests/cases").rglob("*.yaml"))
    lines = [p.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace") for p in pages]
    modelines = {line for line in lines if "yaml-language-server" in line}
    assert modelines == {
        "# yaml-language-server: $schema=../schemas/concept.schema.json",
        "# yaml-language-server: $schema=../schemas/thesis.schema.json",
    }


def test_kb_schema_write_outside_a_kb_needs_a_folder(tmp_path: Path) -> None:
    result = run_kb("schema", "--write", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith("kb: no kb.yaml found in ")


def test_kb_schema_write_where_a_file_is_in_the_way_is_an_error_not_a_crash(
    tmp_path: Path,
) -> None:
    from helpers import make_kb

    root = make_kb(tmp_path / "kb", files={"schemas": "not a folder\n"})
    run = run_kb("schema", "--write", cwd=root)
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "kb: cannot write schemas/: it is a file, not a folder; move it away and run "
        "kb schema --write again\n"
    )
    (root / "schemas").unlink()
    (root / "schemas/concept.schema.json").mkdir(parents=True)
    run = run_kb("schema", "--write", cwd=root)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("kb: cannot write schemas/concept.schema.json: ")
