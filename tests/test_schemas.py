"""The JSON Schemas in schemas/: well-formed, documented, and exactly as strict as the SPEC.

Every invalid case names the validator keyword that must fail and where, and the whole set
of failures must match, so a case cannot pass because something else happened to be wrong.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).parents[1] / "schemas"
NAMES = ("concept", "thesis", "kb")
SLUG_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"

Schema = dict[str, Any]
Instance = Any
# One failure: (JSON path of the failing instance, joined with "/"; validator keyword).
Failure = tuple[str, str]


def load(name: str) -> Schema:
    schema: Schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    return schema


def failures(schema: Schema, instance: Instance) -> set[Failure]:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return {
        ("/".join(str(part) for part in error.absolute_path), str(error.validator))
        for error in validator.iter_errors(instance)
    }


DELETE: Any = object()


def with_changes(base: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of base with the node at path ("a/0/b") set to value, or removed if DELETE."""
    result = copy.deepcopy(base)
    *parents, last = path.split("/")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return result


# --- fixtures: minimal and full instances ------------------------------------------------

MINIMAL_CONCEPT: dict[str, Any] = {
    "id": "mechanistic-interpretability",
    "title": "Mechanistic Interpretability",
    "summary": "Mechanistic interpretability is the effort to understand how models work.",
    "claims": [],
    "changelog": [],
}

CLAIM: dict[str, Any] = {
    "id": "breakthrough-2026",
    "statement": "Mechanistic interpretability is a 2026 breakthrough technology",
    "detail": "Named in MIT Technology Review's annual list.",
    "evidence": "moderate",
    "sources": ["mit-tr-2026"],
    "added": "2026-04-05",
    "merged": ["breakthrough-2026-dup"],
}

FULL_CONCEPT: dict[str, Any] = {
    "id": "mechanistic-interpretability",
    "title": "Mechanistic Interpretability",
    "status": "active-frontier",
    "aliases": ["mech interp"],
    "summary": "Mechanistic interpretability is the effort to understand how models work.",
    "sections": [{"heading": "Alignment Integration", "body": "A 2026 survey ..."}],
    "claims": [CLAIM],
    "sources": [
        {
            "id": "mit-tr-2026",
            "title": "Mechanistic Interpretability (MIT Technology Review)",
            "url": "https://www.technologyreview.com/",
            "note": "Annual list.",
        }
    ],
    "open_questions": ["Can mechanistic interpretability scale to trillions of parameters?"],
    "related": [{"concept": "circuit-tracing", "note": "The primary technique."}],
    "changelog": [{"date": "2026-04-14", "text": "Added alignment integration section."}],
    "redirect": "interpretability",
}

MINIMAL_THESIS: dict[str, Any] = {
    "id": "interpretability-gates-deployment",
    "title": "Interpretability gates deployment",
    "position": "Frontier models will need interpretability audits before deployment.",
    "cites": [],
}

FULL_THESIS: dict[str, Any] = {
    **MINIMAL_THESIS,
    "score": 0.6,
    "scored": "2026-04-20",
    "cites": [
        {
            "concept": "mechanistic-interpretability",
            "claims": ["breakthrough-2026"],
            "stamp": "sha256:0123abcd",
        },
        {"concept": "circuit-tracing"},
    ],
    "notes": "Would drop if audits prove unworkable at scale.",
}

FULL_KB: dict[str, Any] = {
    "evidence_levels": ["strong", "moderate", "weak", "anecdotal"],
    "changelog_order": "oldest-first",
    "max_page_bytes": 2048,
    "rules": {"C001": "warning", "duplicate-claim": "off", "E100": "error"},
    "cache": False,
}


# --- the schemas themselves --------------------------------------------------------------


def subschemas(node: Any, path: str = "#") -> Iterator[tuple[str, Schema]]:
    """Every schema object inside a schema, with a JSON-pointer-ish location."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key in ("properties", "patternProperties", "$defs"):
                for name, child in value.items():
                    yield from subschemas(child, f"{path}/{key}/{name}")
            elif key in ("items", "not", "additionalProperties", "propertyNames"):
                yield from subschemas(value, f"{path}/{key}")
            elif key in ("allOf", "anyOf", "oneOf", "prefixItems"):
                for i, child in enumerate(value):
                    yield from subschemas(child, f"{path}/{key}/{i}")


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_valid_draft_2020_12(name: str) -> None:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://kbcli.dev/schemas/v1/{name}.schema.json"
    assert schema["title"]
    assert schema["description"]


@pytest.mark.parametrize("name", NAMES)
def test_schema_file_is_formatted(name: str) -> None:
    text = (SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("name", NAMES)
def test_every_property_and_definition_has_a_description(name: str) -> None:
    schema = load(name)
    undocumented = []
    for path, node in subschemas(schema):
        for key in ("properties", "patternProperties", "$defs"):
            for child_name, child in node.get(key, {}).items():
                description = child.get("description")
                if not (isinstance(description, str) and description.strip()):
                    undocumented.append(f"{path}/{key}/{child_name}")
    assert undocumented == []


@pytest.mark.parametrize("name", NAMES)
def test_every_object_forbids_unknown_fields(name: str) -> None:
    schema = load(name)
    objects = [(path, node) for path, node in subschemas(schema) if node.get("type") == "object"]
    assert objects
    open_objects = [path for path, node in objects if node.get("additionalProperties") is not False]
    assert open_objects == []


@pytest.mark.parametrize("name", NAMES)
def test_slug_is_defined_once_and_referenced(name: str) -> None:
    schema = load(name)
    assert schema["$defs"]["slug"]["pattern"] == SLUG_PATTERN
    inline_slug_patterns = [
        path
        for path, node in subschemas(schema)
        if node.get("pattern") == SLUG_PATTERN and path != "#/$defs/slug"
    ]
    assert inline_slug_patterns == []


@pytest.mark.parametrize("name", ["concept", "thesis"])
def test_date_definition(name: str) -> None:
    definition = dict(load(name)["$defs"]["date"])
    assert definition.pop("description")
    assert definition == {
        "type": "string",
        "format": "date",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
    }


def test_evidence_definition_is_the_run_time_contract() -> None:
    schema = load("concept")
    evidence = schema["$defs"]["evidence"]
    assert set(evidence) == {"description", "type", "enum"}
    assert evidence["type"] == "string"
    assert evidence["enum"] == ["strong", "moderate", "weak"]
    assert load("kb")["properties"]["evidence_levels"]["default"] == evidence["enum"]

    # kb swaps $defs.evidence.enum for the configured levels; claims must follow it.
    configured = copy.deepcopy(schema)
    configured["$defs"]["evidence"]["enum"] = ["high", "low"]
    high = with_changes(FULL_CONCEPT, "claims/0/evidence", "high")
    strong = with_changes(FULL_CONCEPT, "claims/0/evidence", "strong")
    assert failures(configured, high) == set()
    assert failures(configured, strong) == {("claims/0/evidence", "enum")}


def test_kb_defaults_are_valid_settings() -> None:
    schema = load("kb")
    defaults = {
        key: prop["default"] for key, prop in schema["properties"].items() if "default" in prop
    }
    assert defaults == {
        "evidence_levels": ["strong", "moderate", "weak"],
        "changelog_order": "newest-first",
        "max_page_bytes": 1048576,
        "rules": {},
        "cache": True,
    }
    assert failures(schema, defaults) == set()


# --- table-driven instances --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        pytest.param("concept", MINIMAL_CONCEPT, id="concept-minimal"),
        pytest.param("concept", FULL_CONCEPT, id="concept-full"),
        *(
            pytest.param(
                "concept",
                with_changes(FULL_CONCEPT, "claims/0/evidence", level),
                id=f"concept-evidence-{level}",
            )
            for level in ("strong", "moderate", "weak")
        ),
        pytest.param(
            "concept", with_changes(FULL_CONCEPT, "sections/0/body", ""), id="concept-empty-body"
        ),
        pytest.param(
            "concept",
            with_changes(FULL_CONCEPT, "sources/0/url", "http://example.org"),
            id="concept-http-url",
        ),
        pytest.param(
            "concept",
            with_changes(FULL_CONCEPT, "claims/0/sources", ["a", "b-2", "c3-d4"]),
            id="concept-several-sources",
        ),
        pytest.param(
            "concept",
            with_changes(FULL_CONCEPT, "changelog/0/date", "2024-02-29"),
            id="concept-leap-day",
        ),
        pytest.param("thesis", MINIMAL_THESIS, id="thesis-minimal"),
        pytest.param("thesis", FULL_THESIS, id="thesis-full"),
        pytest.param("thesis", {**FULL_THESIS, "score": 0}, id="thesis-score-0"),
        pytest.param("thesis", {**FULL_THESIS, "score": 1}, id="thesis-score-1"),
        pytest.param("kb", {}, id="kb-empty"),
        pytest.param("kb", FULL_KB, id="kb-full"),
        pytest.param("kb", {"rules": {"C001": "warning", "duplicate-claim": "off"}}, id="kb-rules"),
        pytest.param("kb", {"max_page_bytes": 1024}, id="kb-max-page-bytes-minimum"),
    ],
)
def test_valid_instances(name: str, instance: Instance) -> None:
    assert failures(load(name), instance) == set()


CONCEPT_REQUIRED = ("id", "title", "summary", "claims", "changelog")
CLAIM_REQUIRED = ("id", "statement", "evidence", "sources")
THESIS_REQUIRED = ("id", "title", "position", "cites")


@pytest.mark.parametrize(
    ("name", "base", "path", "field"),
    [
        *(("concept", FULL_CONCEPT, "", field) for field in CONCEPT_REQUIRED),
        *(("concept", FULL_CONCEPT, "claims/0", field) for field in CLAIM_REQUIRED),
        ("concept", FULL_CONCEPT, "sections/0", "heading"),
        ("concept", FULL_CONCEPT, "sections/0", "body"),
        ("concept", FULL_CONCEPT, "sources/0", "id"),
        ("concept", FULL_CONCEPT, "sources/0", "title"),
        ("concept", FULL_CONCEPT, "related/0", "concept"),
        ("concept", FULL_CONCEPT, "changelog/0", "date"),
        ("concept", FULL_CONCEPT, "changelog/0", "text"),
        *(("thesis", FULL_THESIS, "", field) for field in THESIS_REQUIRED),
        ("thesis", FULL_THESIS, "cites/0", "concept"),
    ],
)
def test_missing_required_field(name: str, base: dict[str, Any], path: str, field: str) -> None:
    instance = with_changes(base, f"{path}/{field}".lstrip("/"), DELETE)
    schema = load(name)
    assert failures(schema, instance) == {(path, "required")}
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    (error,) = validator.iter_errors(instance)
    assert repr(field) in error.message


@pytest.mark.parametrize(
    ("name", "base", "path"),
    [
        ("concept", FULL_CONCEPT, "titel"),
        ("concept", FULL_CONCEPT, "claims/0/note"),
        ("concept", FULL_CONCEPT, "sections/0/title"),
        ("concept", FULL_CONCEPT, "sources/0/link"),
        ("concept", FULL_CONCEPT, "related/0/id"),
        ("concept", FULL_CONCEPT, "changelog/0/author"),
        ("thesis", FULL_THESIS, "scores"),
        ("thesis", FULL_THESIS, "cites/0/claim"),
        ("kb", FULL_KB, "evidence_level"),
    ],
)
def test_unknown_field(name: str, base: dict[str, Any], path: str) -> None:
    instance = with_changes(base, path, "x")
    parent = path.rpartition("/")[0]
    assert failures(load(name), instance) == {(parent, "additionalProperties")}


BAD_SLUGS = [
    ("Foo_bar", "pattern"),
    ("a/b", "pattern"),
    ("", "pattern"),
    ("-a", "pattern"),
    ("a-", "pattern"),
    ("a--b", "pattern"),
    ("a b", "pattern"),
    ("../etc", "pattern"),
    ("a\n", "not"),  # Python's re lets "$" match before a trailing newline
]
SLUG_FIELDS = [
    ("concept", FULL_CONCEPT, "id"),
    ("concept", FULL_CONCEPT, "redirect"),
    ("concept", FULL_CONCEPT, "claims/0/id"),
    ("concept", FULL_CONCEPT, "claims/0/sources/0"),
    ("concept", FULL_CONCEPT, "claims/0/merged/0"),
    ("concept", FULL_CONCEPT, "sources/0/id"),
    ("concept", FULL_CONCEPT, "related/0/concept"),
    ("thesis", FULL_THESIS, "id"),
    ("thesis", FULL_THESIS, "cites/0/concept"),
    ("thesis", FULL_THESIS, "cites/0/claims/0"),
    ("kb", FULL_KB, "evidence_levels/0"),
]


@pytest.mark.parametrize(("name", "base", "path"), SLUG_FIELDS)
@pytest.mark.parametrize(("slug", "keyword"), BAD_SLUGS)
def test_bad_slug(name: str, base: dict[str, Any], path: str, slug: str, keyword: str) -> None:
    assert failures(load(name), with_changes(base, path, slug)) == {(path, keyword)}


@pytest.mark.parametrize(
    ("name", "base", "path"),
    [
        ("concept", FULL_CONCEPT, "changelog/0/date"),
        ("concept", FULL_CONCEPT, "claims/0/added"),
        ("thesis", FULL_THESIS, "scored"),
    ],
)
@pytest.mark.parametrize(
    ("date", "keywords"),
    [
        ("2026-13-01", {"format"}),
        ("2026-02-30", {"format"}),
        ("2026-04-00", {"format"}),
        ("2026-4-5", {"pattern", "format"}),
        ("26-04-05", {"pattern", "format"}),
        ("2026/04/05", {"pattern", "format"}),
        ("2026-04-05T10:00:00", {"pattern", "format"}),
        ("2026-04-05\n", {"format"}),
    ],
)
def test_bad_date(
    name: str, base: dict[str, Any], path: str, date: str, keywords: set[str]
) -> None:
    assert failures(load(name), with_changes(base, path, date)) == {
        (path, keyword) for keyword in keywords
    }


@pytest.mark.parametrize(
    ("name", "base", "path", "value", "keyword"),
    [
        # concept
        ("concept", FULL_CONCEPT, "claims/0/sources", [], "minItems"),
        ("concept", FULL_CONCEPT, "claims/0/sources", ["a", "a"], "uniqueItems"),
        ("concept", FULL_CONCEPT, "claims/0/sources", "mit-tr-2026", "type"),
        ("concept", FULL_CONCEPT, "claims/0/merged", ["a", "a"], "uniqueItems"),
        ("concept", FULL_CONCEPT, "claims/0/evidence", "certain", "enum"),
        ("concept", FULL_CONCEPT, "claims/0/evidence", "Strong", "enum"),
        ("concept", FULL_CONCEPT, "claims/0/statement", "", "minLength"),
        ("concept", FULL_CONCEPT, "claims/0/detail", 3, "type"),
        ("concept", FULL_CONCEPT, "claims", None, "type"),
        ("concept", FULL_CONCEPT, "claims", {"id": "a"}, "type"),
        ("concept", FULL_CONCEPT, "claims/0", "a claim", "type"),
        ("concept", FULL_CONCEPT, "changelog", None, "type"),
        ("concept", FULL_CONCEPT, "changelog/0/text", "", "minLength"),
        ("concept", FULL_CONCEPT, "title", "", "minLength"),
        ("concept", FULL_CONCEPT, "title", 42, "type"),
        ("concept", FULL_CONCEPT, "summary", "", "minLength"),
        ("concept", FULL_CONCEPT, "status", None, "type"),
        ("concept", FULL_CONCEPT, "aliases/0", "", "minLength"),
        ("concept", FULL_CONCEPT, "aliases", "mech interp", "type"),
        ("concept", FULL_CONCEPT, "sections/0/heading", "", "minLength"),
        ("concept", FULL_CONCEPT, "sources/0/title", "", "minLength"),
        ("concept", FULL_CONCEPT, "sources/0/url", "ftp://example.org", "pattern"),
        ("concept", FULL_CONCEPT, "sources/0/url", "www.example.org", "pattern"),
        ("concept", FULL_CONCEPT, "open_questions/0", "", "minLength"),
        ("concept", FULL_CONCEPT, "related/0/note", ["x"], "type"),
        # thesis
        ("thesis", FULL_THESIS, "score", 1.5, "maximum"),
        ("thesis", FULL_THESIS, "score", -0.1, "minimum"),
        ("thesis", FULL_THESIS, "score", "0.6", "type"),
        ("thesis", FULL_THESIS, "position", "", "minLength"),
        ("thesis", FULL_THESIS, "title", "", "minLength"),
        ("thesis", FULL_THESIS, "cites", None, "type"),
        ("thesis", FULL_THESIS, "cites/0/claims", "breakthrough-2026", "type"),
        ("thesis", FULL_THESIS, "cites/0/claims", ["a", "a"], "uniqueItems"),
        ("thesis", FULL_THESIS, "cites/0/stamp", 123, "type"),
        ("thesis", FULL_THESIS, "notes", ["x"], "type"),
        # kb
        ("kb", FULL_KB, "rules/C001", "maybe", "enum"),
        ("kb", FULL_KB, "rules/C001", "Warning", "enum"),
        ("kb", FULL_KB, "rules", ["C001"], "type"),
        ("kb", FULL_KB, "evidence_levels", [], "minItems"),
        ("kb", FULL_KB, "evidence_levels", ["strong", "strong"], "uniqueItems"),
        ("kb", FULL_KB, "evidence_levels", "strong", "type"),
        ("kb", FULL_KB, "changelog_order", "newest", "enum"),
        ("kb", FULL_KB, "max_page_bytes", 1023, "minimum"),
        ("kb", FULL_KB, "max_page_bytes", 2048.5, "type"),
        ("kb", FULL_KB, "max_page_bytes", "1MB", "type"),
        ("kb", FULL_KB, "cache", "yes", "type"),
        ("kb", FULL_KB, "cache", 1, "type"),
    ],
)
def test_bad_value(name: str, base: dict[str, Any], path: str, value: Any, keyword: str) -> None:
    assert failures(load(name), with_changes(base, path, value)) == {(path, keyword)}


@pytest.mark.parametrize("key", ["c001", "C01", "C0001", "Duplicate-claim", "duplicate_claim", "1"])
def test_bad_rule_key(key: str) -> None:
    assert failures(load("kb"), {"rules": {key: "off"}}) == {("rules", "additionalProperties")}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("document", [None, [], "text", 3])
def test_document_must_be_a_mapping(name: str, document: Instance) -> None:
    assert ("", "type") in failures(load(name), document)


# --- properties --------------------------------------------------------------------------


@given(st.text(alphabet="ab-Z0_/\n ", max_size=8))
def test_slug_accepts_exactly_full_matches(text: str) -> None:
    instance = {**MINIMAL_CONCEPT, "id": text}
    valid = not failures(load("concept"), instance)
    assert valid == bool(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", text))


@given(st.dates())
def test_every_calendar_date_is_valid(day: date) -> None:
    # isoformat() zero-pads the year to four digits, so even year 1 is YYYY-MM-DD.
    instance = {**MINIMAL_THESIS, "scored": day.isoformat()}
    assert failures(load("thesis"), instance) == set()
