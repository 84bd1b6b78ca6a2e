"""The benchmark runs end to end at a small size and writes its figures as JSON, so it
cannot rot. No timing is checked here: the figures depend on the machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import REPO


def test_benchmark_runs_end_to_end_and_writes_json(tmp_path: Path) -> None:
    """Never installs anything: check-jsonschema is compared with only where a venv that
    has it already is named by KB_BENCH_BASELINE_VENV; elsewhere rows A and B are unrated."""
    out = tmp_path / "bench.json"
    cmd = [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--pages", "200"]
    cmd += ["--base-pages", "100"]  # A-H at 100 pages, and the growth from 100 to 200
    venv = os.environ.get("KB_BENCH_BASELINE_VENV", str(tmp_path / "no-baseline"))
    cmd += ["--no-install", "--baseline-venv", venv]
    done = subprocess.run(
        [*cmd, "--commits", "40", "--json", str(out)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    rows = {row["key"]: row for row in doc["rows"]}
    assert set(rows) == {"A", "B", "C", "D", "E1", "E2", "E2A", "F", "G", "H"}
    assert all(row["seconds"] > 0 for row in rows.values())
    assert doc["facts"]["concepts"] == 100
    growth = {row["key"]: row for row in doc["growth"]}
    assert set(growth) == {"GC", "GS", "GB", "GA"}
    assert all(row["seconds"] > 0 and row["against_seconds"] > 0 for row in growth.values())
    assert doc["facts"]["growth_pages"] == [100, 200]
    assert "growth from 100 to 200 pages" in done.stdout
    assert (doc["facts"]["commits"], doc["facts"]["commits_e2"]) == (40, 80)
    assert doc["facts"]["peak_rss_largest_mb"] > 0
    assert "median s" in done.stdout  # the table


def test_generate_writes_a_kb_that_lints(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    script = str(REPO / "benchmarks" / "run.py")
    subprocess.run(
        [sys.executable, script, "--generate", str(kb), "--pages", "40", "--plant-every", "1000"],
        check=True,
        capture_output=True,
    )
    assert len(list((kb / "concepts").glob("*.yaml"))) == 40
    assert len(list((kb / "theses").glob("*.yaml"))) == 4
    from kbcli.lint import lint

    assert lint(kb, "2026-01-01").findings == []
