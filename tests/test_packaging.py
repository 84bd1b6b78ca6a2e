"""The wheel carries the schemas, so an installed `kb` works outside this repository."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from helpers import REPO


def test_wheel_ships_the_schemas_and_the_console_script(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(
        next(iter(WheelBuilder(str(REPO)).build(directory=str(tmp_path), versions=["standard"])))
    )
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in ("concept", "thesis", "kb"):
            member = f"kbcli/schemas/{name}.schema.json"
            assert member in names
            shipped = json.loads(archive.read(member))
            assert shipped == json.loads((REPO / "schemas" / f"{name}.schema.json").read_text())
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        assert "kb = kbcli.cli:main" in archive.read(entry_points).decode()


def test_schemas_have_ids_and_the_lookup_finds_them() -> None:
    from kbcli.schema import load_schema, schema_dir

    assert (schema_dir() / "concept.schema.json").is_file()
    for name in ("concept", "thesis", "kb"):
        assert load_schema(f"{name}.schema.json")["$id"].endswith(f"/{name}.schema.json")
