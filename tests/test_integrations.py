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
