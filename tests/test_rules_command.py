"""`kb rules [CODE]`: the catalogue, and each rule explained with an example and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.rules.catalogue import RULES

from helpers import REPO, run_kb


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rule_has_an_example_and_a_fix(code: str) -> None:
    rule = RULES[code]
    assert rule.example.strip() and rule.fix.strip() and rule.summary.strip()
    assert rule.fix.endswith(".")


def test_the_list_has_one_line_per_rule(tmp_path: Path) -> None:
    result = run_kb("rules", cwd=tmp_path)  # needs no KB
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == len(RULES) + 2
    width = max(len(rule.name) for rule in RULES.values())  # names in one column
    assert lines[0] == f"Y001  {'yaml-syntax':<{width}}  error    the file is not valid YAML"
    assert f"Y008  {'not-a-page':<{width}}  error    " in result.out
    unreviewed = f"C006  {'unreviewed-citation':<{width}}  warning  a thesis citation was never"
    assert f"{unreviewed} reviewed" in lines


@pytest.mark.parametrize("key", ["Y009", "merge-conflict", "y009"])
def test_one_rule_by_code_or_name(tmp_path: Path, key: str) -> None:
    result = run_kb("rules", key, cwd=tmp_path)
    assert result.code == 0
    assert result.out == (
        "Y009 merge-conflict (default severity: error)\n"
        "\n"
        "What it checks: unresolved merge conflict markers, anywhere in the file.\n"
        "\n"
        "Example:\n"
        "    <<<<<<< HEAD\n"
        "    summary: Ours.\n"
        "    =======\n"
        "    summary: Theirs.\n"
        "    >>>>>>> branch\n"
        "\n"
        "Fix: Resolve the conflict: keep the right lines, delete the three marker lines.\n"
        "\n"
        "To change it, in kb.yaml: rules: {Y009: warning} (or off, or error).\n"
    )


def test_an_unknown_rule_is_exit_2(tmp_path: Path) -> None:
    result = run_kb("rules", "C999", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    assert result.err == "kb: unknown rule 'C999': `kb rules` lists every code and name\n"


def test_the_rules_doc_table_is_the_catalogue() -> None:
    readme = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        row = f"| `{rule.code}` | `{rule.name}` | {rule.severity} | {rule.summary} |"
        assert row in readme
