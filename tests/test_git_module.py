"""Git runs in one place: `kbcli.git` is the only module that starts a process or imports
GitPython; the others (the history pass, revisions, the merge driver's calls, the lint
cache's change detection) go through it, so every read-only git runs with
GIT_OPTIONAL_LOCKS=0 and the pinned settings."""

from __future__ import annotations

import ast
from pathlib import Path

import kbcli
from kbcli import git

SRC = Path(kbcli.__file__).parent
STARTS = {"run", "Popen", "call", "check_call", "check_output", "system", "popen", "execv"}


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "git" for a in node.names):
            found.append(f"{path.name}:{node.lineno} imports GitPython")
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "git":
            found.append(f"{path.name}:{node.lineno} imports GitPython")
        call = node.func if isinstance(node, ast.Call) else None
        if (
            isinstance(call, ast.Attribute)
            and call.attr in STARTS
            and isinstance(call.value, ast.Name)
            and call.value.id in {"subprocess", "os"}
        ):
            found.append(f"{path.name}:{node.lineno} starts a process ({call.attr})")
    return found


def test_only_the_git_module_starts_processes_or_imports_gitpython() -> None:
    offences = [
        offence
        for path in sorted(SRC.rglob("*.py"))
        if path != SRC / "git.py"
        for offence in _offences(path)
    ]
    assert offences == []
    assert _offences(SRC / "git.py")  # the check sees the module that does


def test_read_only_git_takes_no_optional_locks() -> None:
    environment = git.env()
    assert environment["GIT_OPTIONAL_LOCKS"] == "0"
    assert environment["GIT_TERMINAL_PROMPT"] == "0"
    command = git.command("status")
    for pinned in ("core.checkStat=default", "core.trustctime=true", "core.fsmonitor=false"):
        assert pinned in command
