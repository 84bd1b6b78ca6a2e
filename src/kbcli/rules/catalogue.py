"""Every rule kb checks: its stable code, its name and its default severity.

Codes never change meaning; `kb.yaml` can switch any of them off or change its severity
by code or by name. The README's rule table is this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # default: "error" or "warning"
    summary: str
    example: str = ""  # a short page fragment that breaks the rule (for `kb rules`)
    fix: str = ""  # what the curator does about it


_TABLE = [
    Rule("Y001", "yaml-syntax", "error", "the file is not valid YAML"),
    Rule("Y002", "duplicate-key", "error", "a mapping has the same key twice"),
    Rule("Y003", "unsafe-tag", "error", "a tag kb does not read (e.g. !!python/object)"),
    Rule("Y004", "not-utf8", "error", "the file is not UTF-8 text"),
    Rule("Y005", "file-too-large", "error", "the file is larger than max_page_bytes"),
    Rule("Y006", "too-deep", "error", "nesting or alias expansion beyond kb's limits"),
    Rule("Y007", "outside-root", "error", "a symlink that leads out of the KB root"),
    Rule("S001", "missing-field", "error", "a required field is missing"),
    Rule("S002", "unknown-field", "error", "a field the schema does not know (a typo?)"),
    Rule("S003", "invalid-value", "error", "a value of the wrong type, pattern, format or level"),
    Rule("R001", "id-mismatch", "error", "a page's id differs from its file name"),
    Rule("R002", "duplicate-id", "error", "two pages, claims or sources share an id"),
    Rule(
        "R003", "alias-collision", "error", "an alias equals another concept's id, title or alias"
    ),
    Rule(
        "R004", "unknown-concept", "error", "related or cites names a concept that does not exist"
    ),
    Rule("R005", "unknown-claim", "error", "a thesis cites a claim its concept does not have"),
    Rule("R006", "unknown-source", "error", "a claim names a source its page does not list"),
    Rule("R007", "self-relation", "error", "a concept lists itself as related"),
    Rule("C001", "duplicate-claim", "error", "two claims on a page say the same thing"),
    Rule("C002", "changelog-future", "error", "a changelog entry is dated in the future"),
    Rule("C003", "changelog-order", "error", "changelog entries are not in the configured order"),
    Rule("C004", "stale-citation", "warning", "a cited concept changed since the thesis review"),
    Rule("C005", "changelog-missing", "error", "material content changed with no changelog entry"),
    Rule("C006", "unreviewed-citation", "warning", "a thesis citation was never reviewed"),
    Rule("C007", "untidy-statement", "warning", "stray whitespace in a claim's statement"),
    Rule("C008", "repeated-alias", "warning", "the same alias twice on a page"),
    Rule(
        "C009",
        "possible-contradiction",
        "warning",
        "two claims on a page may say opposite things (a negation, an antonym, other numbers)",
        example=(
            "claims:\n  - {id: open, statement: Circuit tracing tools are open-sourced, ...}\n"
            "  - {id: closed, statement: Circuit tracing tools are not open-sourced, ...}"
        ),
        fix="check both sources: correct one claim, or say in each what the other misses",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _TABLE}
_BY_NAME: dict[str, str] = {rule.name: rule.code for rule in _TABLE}


def resolve_rule(key: str) -> str | None:
    """A rule's code from its code or its name; None when there is no such rule."""
    return key if key in RULES else _BY_NAME.get(key)
