"""The optimised lint path (cache, fast validity check, several processes) gives exactly the
findings of the slow, obviously-correct one (no cache, jsonschema on every page, one
process), on a generated KB with planted errors; and the fast check never disagrees with
jsonschema on whether a page is valid."""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.lint import lint
from kbcli.schema import compile_fast, is_date, page_schema

from helpers import REPO

TODAY = "2025-06-01"
LEVELS = ("strong", "moderate", "weak")


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated KB of 80 concepts and 8 theses, one page in 7 broken by the generator
    (bad evidence, unknown field, impossible date, YAML syntax, duplicate claim), plus
    cross-file and reading errors planted here."""
    kb = tmp_path_factory.mktemp("planted") / "kb"
    script = str(REPO / "benchmarks" / "run.py")
    args = ["--generate", str(kb), "--pages", "80", "--plant-every", "7"]
    subprocess.run([sys.executable, script, *args], check=True, capture_output=True)
    concepts = sorted((kb / "concepts").iterdir())
    theses = sorted((kb / "theses").iterdir())
    _sub(concepts[1], "concept: ", "concept: no-such-", count=1)  # R004
    _sub(theses[0], "      - claim-", "      - gone-claim-", count=1)  # R005
    _sub(concepts[2], "changelog:\n", "changelog:\n  - {date: 2024-01-01, text: Old.}\n")  # C003
    _sub(concepts[5], "  - date: 2025-01-01", "  - date: 2099-01-01")  # C002
    _sub(concepts[4], "aliases:\n", f"aliases:\n  - {concepts[5].stem.upper()}\n")  # R003
    _sub(concepts[6], "title: ", "titel: ")  # S001, S002
    _sub(theses[1], "stamp: v1 h:", "stamp: v1 h:0")  # an unreadable stamp (C004)
    _sub(theses[2], "    stamp: v1 ", "    # unreviewed\n    x-stamp: v1 ")  # S002
    (kb / "concepts" / "bytes.yaml").write_bytes(b"id: bytes\ntitle: \xff\n")  # Y004
    (kb / "concepts" / "empty.yaml").write_text("", encoding="utf-8")
    (kb / "concepts" / "listed.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    (kb / "concepts" / "link.yaml").symlink_to(concepts[3])  # R001 and R003 via the link
    return kb


def _sub(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _slow(kb: Path, **kw: Any) -> list[Any]:
    return lint(kb, TODAY, use_cache=False, jobs=1, fast=False, **kw).findings


def test_the_planted_kb_has_every_kind_of_finding(planted: Path) -> None:
    codes = {f.code for f in _slow(planted)}
    expected = {"S001", "S002", "S003", "Y001", "Y004", "C001", "C002", "C003", "C004", "C006"}
    assert expected | {"R001", "R003", "R004", "R005"} <= codes


@pytest.mark.parametrize("jobs", [1, 2], ids=["one-process", "two-processes"])
def test_fast_path_gives_the_slow_paths_findings(planted: Path, tmp_path: Path, jobs: int) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(planted, kb, symlinks=True)
    slow = _slow(kb)
    assert lint(kb, TODAY, jobs=jobs).findings == slow  # cold: the cache is written
    assert (kb / ".kb-cache" / "lint.sqlite3").exists()
    assert lint(kb, TODAY, jobs=jobs).findings == slow  # warm: every page from the cache
    assert lint(kb, TODAY, use_cache=False, jobs=jobs).findings == slow


def test_fast_path_with_paths_gives_the_slow_paths_findings(planted: Path, tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(planted, kb, symlinks=True)
    lint(kb, TODAY)
    paths = sorted((kb / "theses").iterdir())[:3] + sorted((kb / "concepts").iterdir())[:5]
    (kb / "concepts" / "listed.yaml").write_text("id: listed\n", encoding="utf-8")
    assert lint(kb, TODAY, paths).findings == _slow(kb, paths=paths)


# -- the fast validity check against jsonschema -----------------------------------------

SCHEMAS = {kind: page_schema(kind, LEVELS) for kind in ("concept", "thesis")}
FAST = {kind: compile_fast(schema) for kind, schema in SCHEMAS.items()}


def _jsonschema_valid(kind: str, data: Any) -> bool:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(
        SCHEMAS[kind], format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    return not any(validator.iter_errors(data))


def _agree(kind: str, data: Any) -> None:
    fast = FAST[kind]
    assert fast is not None
    assert fast(data) == _jsonschema_valid(kind, data), data


DATES = [
    "2025-01-01", "2024-02-29", "2025-02-29", "2025-02-30", "2025-13-01", "2025-00-10",
    "2025-1-01", "25-01-01", "2025-01-01\n", "2025-01-01T00:00", " 2025-01-01",
    "\uff12\uff10\uff12\uff15-01-01", "2025-01-0\u0661", "0000-01-01", "9999-12-31", "",
]  # fmt: skip


def _concept(**changes: Any) -> dict[str, Any]:
    page: dict[str, Any] = {
        "id": "alpha",
        "title": "Alpha",
        "summary": "A concept.",
        "claims": [{"id": "a-claim", "statement": "S.", "evidence": "strong", "sources": ["src"]}],
        "sources": [{"id": "src", "title": "Source", "url": "https://example.org"}],
        "changelog": [{"date": "2025-01-01", "text": "Created."}],
    }
    page.update(changes)
    return page


@pytest.mark.parametrize("value", DATES)
def test_the_fast_check_reads_dates_as_jsonschema_does(value: str) -> None:
    from jsonschema import Draft202012Validator

    assert is_date(value) == Draft202012Validator.FORMAT_CHECKER.conforms(value, "date")
    _agree("concept", _concept(changelog=[{"date": value, "text": "t"}]))
    claim = {"id": "c", "statement": "S.", "evidence": "weak", "sources": ["src"], "added": value}
    _agree("concept", _concept(claims=[claim]))
    _agree("thesis", {"id": "t", "title": "T", "position": "P", "cites": [], "scored": value})


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2),
    st.floats(allow_nan=True),
    st.sampled_from(["", "a", "a-b", "A", "a_b", "a\n", "strong", "weak", "maybe", *DATES]),
    st.text(max_size=6),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


@st.composite
def mutated_pages(draw: st.DrawFn) -> tuple[str, Any]:
    """A valid page with one field, somewhere, replaced, added or removed."""
    kind = draw(st.sampled_from(["concept", "thesis"]))
    if kind == "concept":
        page: Any = _concept()
    else:
        cite = {"concept": "alpha", "claims": ["a-claim"], "stamp": "v1 h:0"}
        page = {"id": "t", "title": "T", "position": "P", "score": 0.5, "cites": [cite]}
    node = page
    while isinstance(node, (dict, list)) and node and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        if not isinstance(node[key], (dict, list)):
            break
        node = node[key]
    action = draw(st.sampled_from(["replace", "add", "remove"]))
    if isinstance(node, dict):
        keys = sorted(node)
        key = draw(st.sampled_from(keys)) if keys and action != "add" else draw(st.text())
        if action == "remove":
            node.pop(key, None)
        else:
            node[key] = draw(values)
    elif isinstance(node, list) and node:
        where = draw(st.integers(0, len(node) - 1))
        if action == "remove":
            node.pop(where)
        elif action == "add":
            node.insert(where, draw(values))
        else:
            node[where] = draw(values)
    return kind, page


@settings(max_examples=400, deadline=None)
@given(mutated_pages())
def test_the_fast_check_never_disagrees_with_jsonschema(case: tuple[str, Any]) -> None:
    _agree(*case)


def test_a_schema_the_fast_check_was_not_verified_for_has_none() -> None:
    assert compile_fast({"type": "string", "format": "email"}) is None
    assert compile_fast({"$ref": "#/$defs/x", "minLength": 2, "$defs": {"x": {}}}) is None
    assert compile_fast({"enum": [0, 1]}) is None
    assert compile_fast({"properties": {"a": {"if": {}}}}) is None
    ref = {"$ref": "#/$defs/x", "description": "d"}
    assert compile_fast({"properties": {"a": ref}, "$defs": {"x": {"type": "string"}}})


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"evidence_levels": ["high", "low"], "changelog_order": "oldest-first"},
        {"rules": {"C001": "warning", "self-relation": "off"}, "cache": False},
        {"max_page_bytes": 2048},
        {"rules": {"C001": "maybe"}},
        {"rules": {"c001": "off"}},
        {"changelog_order": "sideways"},
        {"evidence_levels": []},
        {"evidence_levels": ["a", "a"]},
        {"max_page_bytes": 10},
        {"cahce": True},
        [],
        None,
    ],
)
def test_the_config_fast_check_agrees_with_jsonschema(config: object) -> None:
    from jsonschema import Draft202012Validator

    from kbcli.schema import compile_fast, load_schema

    schema = load_schema("kb.schema.json")
    fast = compile_fast(schema)
    assert fast is not None
    assert fast(config) == Draft202012Validator(schema).is_valid(config)


@pytest.mark.parametrize("kind", ["concept", "thesis"])
def test_compiling_the_fast_check_leaves_its_schema_alone(kind: str) -> None:
    """fastjsonschema rewrites the `$ref`s of a schema it compiles; the schemas are shared
    (and hashed into the lint cache's key), so it is given a copy."""
    schema = page_schema(kind, LEVELS)
    before = copy.deepcopy(schema)
    assert compile_fast(schema) is not None
    assert schema == before == page_schema(kind, LEVELS)
