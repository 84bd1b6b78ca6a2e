"""The rules of the house, checked (docs in README's "How the code is laid out").

Commands (`commands/<verb>.py`) stand on a core of nouns. The core imports neither typer
nor rich: only the command line, the terminal edge and the commands draw or prompt. Only
the git module runs git, and only `yamlio/` reads or writes YAML with ruamel. `kb
--version` loads no YAML, schema or git module. Imports are read from each module's syntax
tree, function-level (lazy) imports included, so a rule cannot be dodged by importing late.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kbcli

SRC = Path(kbcli.__file__).parent

# The edge: the command line (the package kbcli.cli), the terminal (kb's lines, progress,
# the clock) and prompts; and the commands, one module per verb.
EDGE = frozenset({"kbcli.terminal", "kbcli.prompts"})
EDGE_PACKAGES = ("kbcli.cli", "kbcli.commands")

# The module that runs git (GitPython or a `git` process); tests/test_git_module.py checks
# the calls, this the imports.
GIT_MODULES = frozenset({"kbcli.git"})

# Modules outside yamlio/ that import ruamel. Empty today; a module that needs YAML calls
# yamlio (issue 17), so an entry here is a debt to pay, not a permission.
RUAMEL_OUTSIDE_YAMLIO: frozenset[str] = frozenset()

# What `kb --version` must not load: YAML, the schemas, git.
NOT_FOR_VERSION = ("ruamel", "jsonschema", "fastjsonschema", "git", "kbcli.yamlio", "kbcli.schema")

# Core modules that still import a command module: none. An entry here would be a debt, not
# a permission.
CORE_IMPORTS_COMMANDS_TODO: frozenset[str] = frozenset()

MAX_LINES = 500


def _modules() -> dict[str, Path]:
    found = {"kbcli": SRC / "__init__.py"}
    for info in pkgutil.walk_packages([str(SRC)], prefix="kbcli."):
        spec = importlib.util.find_spec(info.name)
        assert spec is not None and spec.origin is not None, info.name
        found[info.name] = Path(spec.origin)
    return found


MODULES = _modules()


def _imports(name: str) -> set[str]:
    """Every module `name` imports, at the top or inside a function, as absolute names."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parents = parts[: len(parts) - node.level + 1]
                base = ".".join([*parents, base] if base else parents)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def _is_core(name: str) -> bool:
    inside = (name == p or name.startswith(p + ".") for p in EDGE_PACKAGES)
    return name not in EDGE and not any(inside)


def test_the_walk_finds_every_layer() -> None:
    """The rules below are only as good as the list of modules they walk."""
    for name in ("kbcli.cli.edit", "kbcli.commands.add_claim", "kbcli.yamlio.load", "kbcli.rules"):
        assert name in MODULES
    assert sum(_is_core(n) for n in MODULES) > 30


@pytest.mark.parametrize("name", sorted(set(MODULES) - {"kbcli.__main__"}))  # that one runs kb
def test_every_module_imports(name: str) -> None:
    importlib.import_module(name)


def test_the_core_imports_neither_typer_nor_rich() -> None:
    offenders = {
        name: sorted(_top(_imports(name)) & {"typer", "rich", "click"})
        for name in MODULES
        if _is_core(name)
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_core_imports_no_command_and_no_wiring() -> None:
    """Commands stand on the core, never the other way round: a core module that needs a
    command's code needs a noun that is missing. `python -m kbcli` (`__main__`) is the
    entry point, which runs the command line."""
    core = {name for name in MODULES if _is_core(name) and name != "kbcli.__main__"}
    upward = {
        name
        for name in core
        if any(n == p or n.startswith(p + ".") for n in _imports(name) for p in EDGE_PACKAGES)
    }
    assert upward == CORE_IMPORTS_COMMANDS_TODO
    # the edge's other modules are the terminal and prompts, which the core may not use either
    assert {name for name in core if _imports(name) & EDGE} == set()


def test_only_the_git_module_runs_git() -> None:
    runners = {name for name in MODULES if _top(_imports(name)) & {"git", "subprocess"}}
    assert runners - GIT_MODULES == set(), f"run git through {sorted(GIT_MODULES)}"
    assert GIT_MODULES - set(MODULES) == set(), "a listed module no longer exists: shrink the list"


def test_only_yamlio_imports_ruamel() -> None:
    users = {name for name in MODULES if "ruamel" in _top(_imports(name))}
    outside = {name for name in users if not name.startswith("kbcli.yamlio")}
    assert outside == RUAMEL_OUTSIDE_YAMLIO
    assert users - outside, "yamlio itself reads YAML with ruamel"


def test_a_command_module_is_named_after_its_verb() -> None:
    """`git grep` finds a command by its name: `kb add-claim` is commands/add_claim.py."""
    from typer.main import get_command

    from kbcli.cli import app

    verbs = set(get_command(app).commands)  # type: ignore[attr-defined]
    modules = {n.removeprefix("kbcli.commands.") for n in MODULES if ".commands." in n}
    named = {verb: "import_page" if verb == "import" else verb.replace("-", "_") for verb in verbs}
    assert {verb for verb, module in named.items() if module not in modules} == set()


def test_no_module_of_this_layer_is_over_500_lines() -> None:
    """The commands layer and the edge stay small; see the report for the core's."""
    long = {
        name: lines
        for name, path in MODULES.items()
        if not _is_core(name) and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_kb_version_loads_no_yaml_schema_or_git_module() -> None:
    code = (
        "import sys\n"
        "sys.argv = ['kb', '--version']\n"
        "from kbcli.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    lines = done.stdout.splitlines()
    assert lines[0] == f"kb {kbcli.__version__}"
    loaded = set(lines[1:])
    assert "kbcli.cli" in loaded  # the list is the real one
    heavy = {m for m in loaded if any(m == h or m.startswith(h + ".") for h in NOT_FOR_VERSION)}
    assert heavy == set()


def test_the_quiz_and_show_do_not_load_the_site_renderer() -> None:
    """They read pages through `kb.page_data`; `kb show` shares only the reader's view of
    the KB (`render.model`) with the site, never its pages or writers."""
    code = (
        "import sys\n"
        "import kbcli.commands.quiz, kbcli.commands.show, kbcli.quiz\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.startswith('kbcli.render'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.split() == ["kbcli.render", "kbcli.render.model"]
