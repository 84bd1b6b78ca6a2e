"""Editors offline: the real yaml-language-server (the server VS Code's YAML extension
runs), driven over stdio, reads the schemas `kb schema --write` put in the KB through the
modeline every page carries, and says what `kb lint` says, where it says it.

`.ci/run` installs the server from the npm registry into `.ci/node/`. Skipped only where
node itself is missing; with node but no server, the test fails and says how to install it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO, run_kb

SERVER = REPO / ".ci/node/node_modules/yaml-language-server/bin/yaml-language-server"
PAGE = "concepts/circuit-tracing.yaml"
# No schema store: the server must not go to the network for anything.
SETTINGS = {
    "yaml": {
        "validate": True,
        "completion": True,
        "hover": True,
        "schemaStore": {"enable": False},
    }
}


@pytest.fixture(scope="module")
def server() -> list[str]:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but node is not installed (.ci/run installs it)")
        pytest.skip("node is not installed; CI runs this test")
    if not SERVER.is_file():
        pytest.fail(
            "yaml-language-server is not installed: "
            "npm install --prefix .ci/node yaml-language-server (as .ci/run does)"
        )
    return [node, str(SERVER), "--stdio"]


@pytest.fixture
def client(server: list[str], tmp_path: Path) -> Iterator[Any]:
    from lsp import LspClient

    lsp = LspClient(server, tmp_path, SETTINGS)
    try:
        yield lsp
    finally:
        lsp.close()


def _kb(tmp_path: Path, name: str, page: str | None = None, config: str | None = None) -> Path:
    """A copy of this repository's KB, with `page` as circuit-tracing's text."""
    root = Path(shutil.copytree(REPO / "kb", tmp_path / name))
    if page is not None:
        (root / PAGE).write_text(page, encoding="utf-8")
    if config is not None:
        (root / "kb.yaml").write_text(config, encoding="utf-8")
        assert run_kb("schema", "--write", cwd=root).code == 0
    return root


def _lint_position(root: Path) -> tuple[str, int, int]:
    """The one finding kb lint has for the page: (code, line, col)."""
    run = run_kb("lint", PAGE, "--today", "2026-12-01", cwd=root)
    (finding,) = run.out.splitlines()[:-1]
    where, code = finding.split(": ")[:2]
    _, line, col = where.split(":")
    return code.split()[0], int(line), int(col)


def _at(diagnostic: dict[str, Any]) -> tuple[int, int]:
    start = diagnostic["range"]["start"]
    return start["line"] + 1, start["character"] + 1  # LSP counts from 0


TEXT = (REPO / "kb" / PAGE).read_text(encoding="utf-8")


def test_every_bundled_page_has_no_diagnostic(client: Any, tmp_path: Path) -> None:
    root = _kb(tmp_path, "kb")
    for page in sorted((root / "concepts").glob("*.yaml")) + sorted(
        (root / "theses").glob("*.yaml")
    ):
        assert client.open(page) == [], page.name


@pytest.mark.parametrize(
    ("case", "text", "code", "message"),
    [
        (
            "unknown-field",
            TEXT.replace("title: Circuit Tracing\n", "title: Circuit Tracing\ntitel: typo\n"),
            "S002",
            "Property titel is not allowed.",
        ),
        (
            "bad-evidence",
            TEXT.replace("evidence: strong", "evidence: anecdotal", 1),
            "S003",
            'Value is not accepted. Valid values: "strong", "moderate", "weak".',
        ),
        (
            "missing-field",
            TEXT.replace("title: Circuit Tracing\n", ""),
            "S001",
            'Missing property "title".',
        ),
    ],
)
def test_one_diagnostic_where_kb_lint_reports(
    client: Any, tmp_path: Path, case: str, text: str, code: str, message: str
) -> None:
    root = _kb(tmp_path, case, text)
    diagnostics = client.open(root / PAGE)
    assert [d["message"] for d in diagnostics] == [message]
    found, line, col = _lint_position(root)
    assert found == code
    assert _at(diagnostics[0]) == (line, col)


def test_the_kbs_own_evidence_levels_are_what_the_editor_accepts(
    client: Any, tmp_path: Path
) -> None:
    levels = "evidence_levels: [strong, moderate, weak, anecdotal]\n"
    text = TEXT.replace("evidence: strong", "evidence: anecdotal", 1)
    root = _kb(tmp_path, "own-levels", text, config=levels)
    assert client.open(root / PAGE) == []
    assert run_kb("lint", "--today", "2026-12-01", cwd=root).code == 0


def test_completion_offers_the_schemas_fields_and_hover_describes_them(
    client: Any, tmp_path: Path
) -> None:
    root = _kb(tmp_path, "kb")
    lines = TEXT.splitlines(keepends=True)
    at = lines.index("claims:\n")
    text = "".join([*lines[:at], "\n", *lines[at:]])  # an empty line at the top level
    page = root / PAGE
    client.open(page, text)
    items = client.request(
        "textDocument/completion",
        {"textDocument": {"uri": page.as_uri()}, "position": {"line": at, "character": 0}},
    )
    labels = {item["label"] for item in (items["items"] if isinstance(items, dict) else items)}
    # the schema's top-level fields the page does not have yet
    assert labels == {"aliases", "sections", "open_questions", "redirect"}
    hover = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": page.as_uri()}, "position": {"line": at + 1, "character": 2}},
    )
    text = hover["contents"]["value"]
    assert "The concept's key claims, each a single statement with its evidence" in text
    assert f"({(root / 'schemas/concept.schema.json').as_uri()})" in text  # the local copy
