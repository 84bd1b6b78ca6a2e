"""The lint command's wiring: formats, paths, config severities, exit codes, bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers import CASES, make_kb, run_kb, run_kb_process

TODAY = ("--today", "2026-11-26")
UNKNOWN = CASES / "invalid" / "unknown-concept"


def test_json_format_is_the_documented_shape(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", UNKNOWN)
    result = run_kb("lint", "--format", "json", *TODAY, cwd=kb)
    assert result.code == 1
    assert json.loads(result.out) == {
        "version": 1,
        "checked": 3,
        "summary": {"errors": 2, "warnings": 0},
        "findings": [
            {
                "path": "concepts/beta.yaml",
                "line": 6,
                "col": 15,
                "code": "R004",
                "rule": "unknown-concept",
                "severity": "error",
                "message": "related: no concept 'gamma' in this KB "
                "(create it: kb new concept gamma --title 'Gamma')",
            },
            {
                "path": "theses/t.yaml",
                "line": 8,
                "col": 14,
                "code": "R004",
                "rule": "unknown-concept",
                "severity": "error",
                "message": "cites: no concept 'delta' in this KB",
            },
        ],
    }


def test_github_format_escapes_workflow_command_properties(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-source")
    result = run_kb("lint", "--format", "github", *TODAY, cwd=kb)
    assert result.out.splitlines()[0] == (
        "::error file=concepts/beta.yaml,line=8,col=18,title=R006 unknown-source::"
        "claim 'beta-is-second' cites source 'wikipedia', which this page does not list "
        "(sources: s)"
    )


def test_github_escaping_of_percent_newline_colon_and_comma() -> None:
    import io

    from kbcli.findings import Finding
    from kbcli.report import github

    out = io.StringIO()
    finding = Finding("a,b:c.yaml", 1, 2, "Y001", "100% wrong\nsecond line")
    github([finding], ["dir/a,b:c.yaml"], 1, out, False)
    assert out.getvalue().splitlines()[0] == (
        "::error file=dir/a%2Cb%3Ac.yaml,line=1,col=2,title=Y001 yaml-syntax::"
        "100%25 wrong%0Asecond line"
    )


def test_paths_report_only_those_pages_but_check_references_against_the_kb(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", UNKNOWN)
    result = run_kb("lint", *TODAY, "theses/t.yaml", cwd=kb)
    assert result.out == (
        "theses/t.yaml:8:14: R004 cites: no concept 'delta' in this KB\n"
        "Found 1 error and 0 warnings (1 page checked).\n"
    )
    assert result.code == 1
    clean = run_kb("lint", *TODAY, "concepts/alpha.yaml", cwd=kb)
    assert (clean.code, clean.out) == (0, "All clean: 1 page checked.\n")


def test_paths_are_shown_relative_to_where_the_user_stands(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "repo" / "kb", UNKNOWN)
    result = run_kb("lint", *TODAY, "kb/theses/t.yaml", cwd=tmp_path / "repo")
    assert (
        result.out.splitlines()[0]
        == "kb/theses/t.yaml:8:14: R004 cites: no concept 'delta' in this KB"
    )
    assert kb.is_dir()


def test_a_path_outside_the_kb_is_a_usage_error(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    (kb / "notes.yaml").write_text("a: 1\n")
    result = run_kb("lint", "notes.yaml", cwd=kb)
    assert result.code == 2
    assert "notes.yaml is not a page of the KB" in result.err


def test_kb_yaml_can_switch_a_rule_off_or_make_it_a_warning(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", UNKNOWN, files={"kb.yaml": "rules:\n  R004: warning\n"})
    warned = run_kb("lint", *TODAY, cwd=kb)
    assert warned.code == 0
    assert warned.out.splitlines()[0] == (
        "concepts/beta.yaml:6:15: R004 warning: related: no concept 'gamma' in this KB "
        "(create it: kb new concept gamma --title 'Gamma')"
    )
    assert run_kb("lint", "--strict", *TODAY, cwd=kb).code == 1
    (kb / "kb.yaml").write_text("rules: {unknown-concept: off}\n")
    off = run_kb("lint", *TODAY, cwd=kb)
    assert (off.code, off.out) == (0, "All clean: 3 pages checked.\n")


def test_kb_yaml_with_its_own_evidence_levels(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"kb.yaml": "evidence_levels: [high, low]\n"})
    result = run_kb("lint", *TODAY, cwd=kb)
    assert result.out.splitlines()[0] == (
        "concepts/alpha.yaml:8:15: S003 claims[0].evidence: 'strong' is not one of: high, low"
    )


def test_empty_kb_yaml_is_valid(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"kb.yaml": ""})
    assert run_kb("lint", *TODAY, cwd=kb).code == 0


def test_invalid_kb_yaml_is_a_config_error_at_its_place(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"kb.yaml": "# settings\nchangelog_order: sideways\n"})
    result = run_kb("lint", cwd=kb)
    assert result.code == 2
    assert result.err == (
        "kb: kb.yaml:2:18: S003 changelog_order: 'sideways' is not one of: "
        "newest-first, oldest-first\n"
    )
    (kb / "kb.yaml").write_text("rules: {C999: off}\n")
    result = run_kb("lint", cwd=kb)
    assert (result.code, result.err) == (
        2,
        "kb: kb.yaml:1:9: rules: no rule is called 'C999'; `kb rules` lists every code and name\n",
    )
    (kb / "kb.yaml").write_text("rules:\n  c001: off\n")
    result = run_kb("lint", cwd=kb)
    assert (result.code, result.err) == (
        2,
        "kb: kb.yaml:2:3: S002 rules: no rule is called 'c001'; `kb rules` lists every code "
        "and name\n",
    )


def test_no_kb_yaml_anywhere_is_exit_2(tmp_path: Path) -> None:
    result = run_kb("lint", cwd=tmp_path)
    assert result.code == 2
    assert result.err.startswith(f"kb: no kb.yaml found in {tmp_path.resolve()} or any parent")
    assert result.out == ""


def test_root_is_found_from_a_subfolder_from_kb_dir_and_from_env(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "repo" / "kb", UNKNOWN)
    assert run_kb("lint", *TODAY, cwd=kb / "concepts").code == 1
    assert run_kb("lint", *TODAY, cwd=tmp_path / "repo").code == 1
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run_kb("lint", *TODAY, cwd=elsewhere, env={"KB_ROOT": str(kb)}).code == 1
    assert run_kb("--root", str(kb), "lint", *TODAY, cwd=elsewhere).code == 1
    missing = run_kb("--root", str(elsewhere), "lint", cwd=tmp_path)
    assert (missing.code, missing.err) == (
        2,
        f"kb: no kb.yaml in {elsewhere} (given by --root or KB_ROOT)\n",
    )


def test_symlink_out_of_the_root_is_a_finding_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\n")
    kb = make_kb(tmp_path / "kb")
    os.symlink(secret, kb / "concepts" / "gamma.yaml")
    result = run_kb("lint", *TODAY, cwd=kb)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        f"concepts/gamma.yaml:1:1: Y007 symlink leads outside the KB root (to {secret})"
    )


def test_deep_nesting_is_refused_without_crashing(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"concepts/deep.yaml": "a: " + "[" * 50_000 + "]" * 50_000})
    result = run_kb_process("lint", *TODAY, cwd=kb)
    assert result.code == 1
    assert "concepts/deep.yaml:1:1: Y006 nesting deeper than 64 levels" in result.out


def test_strict_fails_on_warnings_only_when_asked(tmp_path: Path) -> None:
    kb = make_kb(
        tmp_path / "kb",
        CASES / "invalid" / "self-relation",
        files={"kb.yaml": "rules: {R007: warning}\n"},
    )
    assert run_kb("lint", *TODAY, cwd=kb).code == 0
    assert run_kb("lint", "--strict", *TODAY, cwd=kb).code == 1


def test_bad_today_is_a_usage_error(tmp_path: Path) -> None:
    result = run_kb("lint", "--today", "tomorrow", cwd=make_kb(tmp_path / "kb"))
    assert (result.code, result.err) == (2, "kb: 'tomorrow' is not a date (YYYY-MM-DD)\n")


def test_unknown_option_is_a_usage_error_without_traceback(tmp_path: Path) -> None:
    result = run_kb("lint", "--frobnicate", cwd=make_kb(tmp_path / "kb"))
    assert result.code == 2
    assert "No such option: --frobnicate" in result.err
    assert "Traceback" not in result.err


def test_version_and_python_m(tmp_path: Path) -> None:
    from kbcli import __version__

    assert run_kb("--version", cwd=tmp_path).out == f"kb {__version__}\n"
    proc = run_kb_process("--version", cwd=tmp_path)
    assert (proc.code, proc.out) == (0, f"kb {__version__}\n")


def test_help_lists_every_command_with_its_one_line_help(tmp_path: Path) -> None:
    from kbcli.cli import app

    out = run_kb("--help", cwd=tmp_path, env={"COLUMNS": "200"}).out
    import typer.main

    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert commands
    for name, command in commands.items():
        assert command.help, f"{name} has no help"
        assert name in out
        assert command.help.splitlines()[0] in out


def test_the_index_computes_backlinks(tmp_path: Path) -> None:
    from kbcli.config import Config
    from kbcli.index import KbIndex
    from kbcli.lint import analyse_all

    kb = make_kb(tmp_path / "kb")
    index = KbIndex(analyse_all(kb, Config()))
    assert [f.rel for f in index.backlinks("beta")] == ["concepts/alpha.yaml"]
    assert [f.rel for f in index.backlinks("alpha")] == ["theses/t.yaml"]
    assert index.resolve_claim("alpha", "alpha-is-first")
    assert not index.resolve_claim("alpha", "nope")


def test_the_kb_is_found_from_the_paths_given(tmp_path: Path) -> None:
    # pre-commit runs at the repository root and passes paths; the KB may live anywhere
    make_kb(tmp_path / "docs" / "notes", UNKNOWN)
    result = run_kb("lint", *TODAY, "docs/notes/theses/t.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "docs/notes/theses/t.yaml:8:14: R004 cites: no concept 'delta' in this KB"
    )
