"""The JSON Schemas: where they live, and their errors as findings at source positions."""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from kbcli.when import WHEN_HELP
from kbcli.yamlio.load import Node, locate

SCHEMA_NAMES = {"concept": "concept.schema.json", "thesis": "thesis.schema.json"}
CONFIG_SCHEMA = "kb.schema.json"
_SLUG = "^[a-z0-9]+(-[a-z0-9]+)*$"

# (code, message, line, col)
Problem = tuple[str, str, int, int]


def schema_dir() -> Path:
    """The schemas shipped in the wheel, or the repository's `schemas/` in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "schemas"
    return packaged if packaged.is_dir() else here.parents[1] / "schemas"


# Where `kb schema --write` puts the schemas for editors, in the KB root; the modeline of
# every page kb writes points there by a relative path, so editors work offline.
EDITOR_FOLDER = "schemas"


def modeline(kind: str) -> str:
    """The first line of a page kb writes: yaml-language-server reads its schema there."""
    return f"# yaml-language-server: $schema=../{EDITOR_FOLDER}/{SCHEMA_NAMES[kind]}"


def editor_schemas(evidence_levels: Sequence[str]) -> dict[str, str]:
    """Each schema's file name and text as written for editors: the concept schema with
    the KB's own evidence levels, so editors accept what `kb lint` accepts."""
    schemas = {
        SCHEMA_NAMES["concept"]: page_schema("concept", evidence_levels),
        SCHEMA_NAMES["thesis"]: load_schema(SCHEMA_NAMES["thesis"]),
        CONFIG_SCHEMA: load_schema(CONFIG_SCHEMA),
    }
    return {name: json.dumps(s, indent=2, ensure_ascii=False) + "\n" for name, s in schemas.items()}


def write_schemas(folder: Path, evidence_levels: Sequence[str]) -> list[tuple[Path, bool]]:
    """Write the editor schemas into `folder` (created if needed): (path, changed) each."""
    from kbcli.errors import KbError
    from kbcli.store import write_atomic

    if folder.exists() and not folder.is_dir():
        raise KbError(
            f"cannot write {folder}/: it is a file, not a folder; move it away and run "
            "kb schema --write again"
        )
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in editor_schemas(evidence_levels).items():
        path = folder / name
        data = text.encode("utf-8")
        try:
            changed = not (path.is_file() and path.read_bytes() == data)
            if changed:
                write_atomic(path, data)
        except OSError as exc:  # a folder in the way, no permission: the user's to fix
            raise KbError(f"cannot write {path}: {exc.strerror or exc}") from None
        written.append((path, changed))
    return written


def outdated_editor_schemas(root: Path, evidence_levels: Sequence[str]) -> list[str]:
    """The files of the KB's editor schema folder that differ from what `kb schema
    --write` would write now (after kb.yaml's levels or kb itself changed), as paths
    relative to the root; none when the folder does not exist."""
    folder = root / EDITOR_FOLDER
    if not folder.is_dir():
        return []
    stale = []
    for name, text in editor_schemas(evidence_levels).items():
        path = folder / name
        try:
            same = path.read_bytes() == text.encode("utf-8")
        except OSError:
            same = False
        if not same:
            stale.append(f"{EDITOR_FOLDER}/{name}")
    return stale


@cache
def load_schema(filename: str) -> dict[str, Any]:
    with open(schema_dir() / filename, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


def page_schema(kind: str, evidence_levels: Sequence[str]) -> dict[str, Any]:
    """A page schema; for concepts, with the KB's own evidence levels."""
    schema = load_schema(SCHEMA_NAMES[kind])
    if kind == "concept":
        schema = copy.deepcopy(schema)
        schema["$defs"]["evidence"]["enum"] = list(evidence_levels)
    return schema


class PageValidator:
    """Validates one kind of page; built once per lint run.

    Most pages are valid, and `jsonschema`'s detailed errors cost ~2 ms a page, so with
    `fast` a compiled validity check (fastjsonschema) runs first and only pages it rejects
    take the detailed path. The two never disagree on valid/invalid (tests/test_fast_path.py),
    and where fastjsonschema is missing, or the schema uses a keyword outside what that was
    checked for, every page takes the detailed path: slower, same findings."""

    def __init__(self, kind: str, evidence_levels: Sequence[str], fast: bool = True) -> None:
        self.kind = kind
        self.schema = page_schema(kind, evidence_levels)
        self.fast: Callable[[Any], bool] | None = compile_fast(self.schema) if fast else None
        self._detailed: Any = None

    def problems(self, data: Any, root: Node | None) -> list[Problem]:
        if self.fast is not None and self.fast(data):
            return []
        errors = sorted(self.detailed().iter_errors(data), key=lambda e: list(e.absolute_path))
        return [p for error in errors for p in _problems(error, root, data)]

    def detailed(self) -> Any:
        """The jsonschema validator (its import and set-up are paid only when needed)."""
        if self._detailed is None:
            from jsonschema import Draft202012Validator

            self._detailed = Draft202012Validator(
                self.schema, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return self._detailed


@cache
def validator(kind: str, evidence_levels: tuple[str, ...]) -> PageValidator:
    """The one validator of a kind of page for a KB's evidence levels, compiled once a
    process: every check of a page before it is written or read goes through here."""
    return PageValidator(kind, evidence_levels)


# What the fast check was verified to agree with jsonschema on. A schema using anything else
# (another format, a $ref with constraints beside it, which drafts before 2019-09 ignore,
# an enum of non-strings, where 0 == False) is validated by jsonschema alone.
_ANNOTATIONS = {"$schema", "$id", "$comment", "title", "description", "default", "examples"}
_FAST_KEYWORDS = _ANNOTATIONS | {
    "$defs", "$ref", "type", "required", "properties", "additionalProperties",
    "patternProperties", "items", "minItems", "maxItems", "uniqueItems", "minLength",
    "maxLength", "pattern", "not", "format", "enum", "minimum", "maximum",
}  # fmt: skip
_SCHEMA_MAPS = {"$defs", "properties", "patternProperties"}


def compile_fast(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A function telling whether data is valid, or None when there is no fast check."""
    if not _fast_safe(schema):
        return None
    try:
        import fastjsonschema
    except ImportError:  # pragma: no cover - an optional speed-up
        return None
    invalid = fastjsonschema.JsonSchemaException
    # A copy: fastjsonschema rewrites the `$ref`s of the schema it is given, which would
    # change the cache key computed from it. No detailed exceptions: a quarter of the code
    # to compile (~8 ms, not ~22), and only valid/invalid is asked.
    try:
        check = fastjsonschema.compile(
            copy.deepcopy(schema),
            formats={"date": is_date},
            use_default=False,
            detailed_exceptions=False,
        )
    except invalid:  # pragma: no cover - a schema it cannot compile: jsonschema alone
        return None

    def valid(data: Any) -> bool:
        try:
            check(data)
        except invalid:
            return False
        except Exception:  # anything odd: the detailed path decides
            return False
        return True

    return valid


def _fast_safe(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return isinstance(schema, bool)
    if not set(schema) <= _FAST_KEYWORDS:
        return False
    if "$ref" in schema and not set(schema) - {"$ref"} <= _ANNOTATIONS:
        return False
    if schema.get("format", "date") != "date":
        return False
    if not all(isinstance(v, str) for v in schema.get("enum", [])):
        return False
    subschemas = [schema[k] for k in ("items", "not", "additionalProperties") if k in schema]
    subschemas += [v for k in _SCHEMA_MAPS for v in schema.get(k, {}).values()]
    return all(_fast_safe(sub) for sub in subschemas)


def is_date(value: object) -> bool:
    """`format: date`: kb's one reading of a date (`kbcli.dates`)."""
    from kbcli.dates import is_date as strict

    return strict(value) if isinstance(value, str) else True


def validate_config(data: Any, root: Node | None) -> tuple[str, int, int] | None:
    """The first problem of a kb.yaml, as (message, line, col), or None. A valid config
    (the usual case) is told by the fast check, sparing every command jsonschema's import."""
    fast = compile_fast(load_schema(CONFIG_SCHEMA))
    if fast is not None and fast(data):
        return None
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(load_schema(CONFIG_SCHEMA))
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        code, message, line, col = next(iter(_problems(error, root, data)))
        return f"{code} {message}", line, col
    return None


def _problems(error: Any, root: Node | None, data: Any) -> Iterator[Problem]:
    path = tuple(error.absolute_path)
    where = _dotted(path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        line, col = locate(root, path)
        yield (
            "S001",
            f"{where + ': ' if where else ''}missing required field '{missing}'",
            line,
            col,
        )
    elif error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        patterns = [re.compile(p) for p in error.schema.get("patternProperties", {})]
        for key in error.instance:
            if key not in allowed and not any(p.search(key) for p in patterns):
                line, col = locate(root, (*path, key), at_key=True)
                yield "S002", _unknown_field(where, key, allowed), line, col
    else:
        line, col = locate(root, path)
        yield "S003", f"{where + ': ' if where else ''}{_invalid(error, path)}", line, col


def _unknown_field(where: str, key: str, allowed: list[str]) -> str:
    if where == "rules":
        return f"rules: no rule is called '{key}'; `kb rules` lists every code and name"
    near = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{near[0]}'?)" if near else f" (known: {', '.join(allowed)})"
    return f"{where + ': ' if where else ''}unknown field '{key}'{hint}"


def _invalid(error: Any, path: tuple[Any, ...]) -> str:
    value = error.instance
    if (error.validator == "pattern" and error.validator_value == _SLUG) or _newline_slug(error):
        return f"{value!r} is not an id (lowercase letters and digits joined by single hyphens)"
    if error.validator == "format" and error.validator_value == "date":
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if error.validator == "pattern" and "/[0-9]{4}" in str(error.validator_value):
        return f"{value!r} is not a when ({WHEN_HELP})"
    if error.validator == "pattern" and "[0-9]{4}" in str(error.validator_value):
        return f"{value!r} is not a date (YYYY-MM-DD)"
    if error.validator == "pattern" and str(error.validator_value).startswith(_URL_START):
        return f"{value!r} is not an http:// or https:// address {URL_RULE}"
    if error.validator == "enum":
        return f"{value!r} is not one of: {', '.join(map(str, error.validator_value))}"
    if error.validator == "type" and not path:
        return not_a_mapping(value)
    return str(error.message)


def not_a_mapping(data: Any) -> str:
    """What is wrong with a page whose document is not a mapping, in a curator's words."""
    if data is None:
        return (
            "the page is empty: it needs its fields (kb new concept ID or kb new thesis ID "
            "writes a page that validates)"
        )
    return "the page is not a list of fields: each line should read `field: value`"


_URL_START = "^https?://"
URL_RULE = "(no spaces, control or invisible format characters: percent-encode them)"


def is_url(value: str) -> bool:
    """Whether `value` is a url as the concept schema admits one (a source's `url`)."""
    sources = load_schema(SCHEMA_NAMES["concept"])["properties"]["sources"]
    return re.search(sources["items"]["properties"]["url"]["pattern"], value) is not None


def _newline_slug(error: Any) -> bool:
    # the slug schema forbids a trailing newline, which `pattern`'s `$` would let through
    return bool(error.validator == "not" and error.validator_value == {"pattern": "\\n"})


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out
