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
    Rule(
        "Y001",
        "yaml-syntax",
        "error",
        "the file is not valid YAML",
        example="title: Circuit Tracing\n\tstatus: active  # a tab indents this line",
        fix="Correct the syntax at the line shown: indent with spaces, close brackets and quotes.",
    ),
    Rule(
        "Y002",
        "duplicate-key",
        "error",
        "a mapping has the same key twice",
        example="title: Circuit Tracing\ntitle: Circuit tracing",
        fix="Keep one of the two entries: YAML would silently use the last one.",
    ),
    Rule(
        "Y003",
        "unsafe-tag",
        "error",
        "a tag or merge key kb does not read (e.g. !!python/object, <<)",
        example="defaults: &d {evidence: weak}\nclaims:\n  - <<: *d",
        fix="Write the values out in full: kb reads plain YAML values only.",
    ),
    Rule(
        "Y004",
        "not-utf8",
        "error",
        "the file is not UTF-8 text",
        example="title: Caf\\xe9  # saved as Latin-1",
        fix="Save the file as UTF-8 (most editors offer it under 'encoding').",
    ),
    Rule(
        "Y005",
        "file-too-large",
        "error",
        "the file is larger than max_page_bytes",
        example="a 5 MB page (max_page_bytes: 1048576)",
        fix="Split the concept, or raise max_page_bytes in kb.yaml.",
    ),
    Rule(
        "Y006",
        "too-deep",
        "error",
        "nesting or alias expansion beyond kb's limits",
        example="a: &a [*b, *b, *b]  # aliases that expand a billion times",
        fix="Write the page without anchors and aliases; pages nest about four levels.",
    ),
    Rule(
        "Y007",
        "outside-root",
        "error",
        "a symlink that leads out of the KB root",
        example="concepts/x.yaml -> /home/me/notes/x.yaml",
        fix="Move the file into the KB and remove the link.",
    ),
    Rule(
        "Y008",
        "not-a-page",
        "error",
        "an entry named like a page that is not a readable file (a folder, FIFO, dangling link)",
        example="concepts/x.yaml/  (a folder)  or  concepts/d.yaml -> nowhere.yaml",
        fix="Remove or rename the entry, or restore the link's target; chmod u+r an "
        "unreadable page.",
    ),
    Rule(
        "Y009",
        "merge-conflict",
        "error",
        "unresolved merge conflict markers, anywhere in the file",
        example="<<<<<<< HEAD\nsummary: Ours.\n=======\nsummary: Theirs.\n>>>>>>> branch",
        fix="Resolve the conflict: keep the right lines, delete the three marker lines.",
    ),
    Rule(
        "S001",
        "missing-field",
        "error",
        "a required field is missing",
        example="id: circuit-tracing\ntitle: Circuit Tracing  # no summary, claims, changelog",
        fix="Add the field (kb new concept writes every required one).",
    ),
    Rule(
        "S002",
        "unknown-field",
        "error",
        "a field the schema does not know (a typo?)",
        example="sumary: Circuit tracing follows ...",
        fix="Correct the field's name (here: summary).",
    ),
    Rule(
        "S003",
        "invalid-value",
        "error",
        "a value of the wrong type, pattern, format or level",
        example="claims:\n  - {id: c1, statement: ..., evidence: certain, sources: [s1]}",
        fix="Use a value the field allows (here: an evidence level from kb.yaml).",
    ),
    Rule(
        "S004",
        "editor-schemas-outdated",
        "warning",
        "the KB's schemas/ for editors differ from what kb schema --write writes now",
        example="evidence_levels: [strong, moderate, weak, anecdotal]  # in kb.yaml, after "
        "the schemas were written",
        fix="Run kb schema --write (inside the KB) and commit schemas/.",
    ),
    Rule(
        "R001",
        "id-mismatch",
        "error",
        "a page's id differs from its file name",
        example="# concepts/circuit-tracing.yaml\nid: circuit-tracer",
        fix="Make the id equal to the file name, or rename the file.",
    ),
    Rule(
        "R002",
        "duplicate-id",
        "error",
        "two pages, claims or sources share an id",
        example="claims:\n  - id: c1 ...\n  - id: c1 ...",
        fix="Give one of them a new id (never reuse a removed claim's id).",
    ),
    Rule(
        "R003",
        "alias-collision",
        "error",
        "an alias equals another concept's id, title or alias",
        example="# concepts/sae.yaml\naliases: [circuit tracing]",
        fix="Remove the alias, or merge the two concepts.",
    ),
    Rule(
        "R004",
        "unknown-concept",
        "error",
        "related or cites names a concept that does not exist",
        example="related:\n  - {concept: circuit-tracer}",
        fix="Correct the id, or create the concept with kb new concept.",
    ),
    Rule(
        "R005",
        "unknown-claim",
        "error",
        "a thesis cites a claim its concept does not have",
        example="cites:\n  - {concept: circuit-tracing, claims: [no-such-claim]}",
        fix="Cite a claim id the concept has (kb show CONCEPT lists them).",
    ),
    Rule(
        "R006",
        "unknown-source",
        "error",
        "a claim names a source its page does not list",
        example="claims:\n  - {..., sources: [arxiv-2025]}  # not under sources:",
        fix="Add the source to the page's sources, or correct the id.",
    ),
    Rule(
        "R007",
        "self-relation",
        "error",
        "a concept lists itself as related",
        example="# concepts/circuit-tracing.yaml\nrelated:\n  - {concept: circuit-tracing}",
        fix="Remove the entry.",
    ),
    Rule(
        "C001",
        "duplicate-claim",
        "error",
        "two claims on a page say the same thing",
        example="claims:\n  - statement: SAEs scale.\n  - statement: SAEs scale",
        fix="Run kb merge-claims CONCEPT --dry-run, then without --dry-run.",
    ),
    Rule(
        "C002",
        "changelog-future",
        "error",
        "a changelog entry is dated in the future",
        example="changelog:\n  - {date: 2099-01-01, text: Added a claim}",
        fix="Date the entry on the day of the change (kb changelog dates it for you).",
    ),
    Rule(
        "C003",
        "changelog-order",
        "error",
        "changelog entries are not in the configured order",
        example="changelog:  # newest-first\n  - {date: 2026-04-01, ...}\n"
        "  - {date: 2026-04-05, ...}",
        fix="Run kb lint --fix, which reorders the entries.",
    ),
    Rule(
        "C004",
        "stale-citation",
        "warning",
        "a cited concept changed since the thesis review",
        example="a claim the thesis cites was re-rated from strong to weak",
        fix="Re-score the thesis, then run kb review THESIS.",
    ),
    Rule(
        "C005",
        "changelog-missing",
        "error",
        "material content changed with no changelog entry",
        example="kb lint --changed-since main: a claim was added, no changelog entry",
        fix="Record the change with kb changelog CONCEPT TEXT.",
    ),
    Rule(
        "C006",
        "unreviewed-citation",
        "warning",
        "a thesis citation was never reviewed",
        example="cites:\n  - {concept: circuit-tracing}  # no stamp",
        fix="Score the thesis, then run kb review THESIS.",
    ),
    Rule(
        "C007",
        "untidy-statement",
        "warning",
        "stray whitespace in a claim's statement",
        example='statement: "SAEs  scale "',
        fix="Run kb lint --fix.",
    ),
    Rule(
        "C008",
        "repeated-alias",
        "warning",
        "the same alias twice on a page",
        example="aliases: [mech interp, mech interp]",
        fix="Run kb lint --fix.",
    ),
    Rule(
        "C009",
        "possible-contradiction",
        "warning",
        "two claims on a page may say opposite things (a negation, an antonym, other numbers)",
        example=(
            "claims:\n  - {id: open, statement: Circuit tracing tools are open-sourced, ...}\n"
            "  - {id: closed, statement: Circuit tracing tools are not open-sourced, ...}"
        ),
        fix="Check both sources: correct one claim, or say in each what the other misses.",
    ),
    Rule(
        "C010",
        "impossible-when",
        "error",
        "a claim's when is no calendar date, or a range that runs backwards",
        example="when: 2026-02-30",
        fix="Write a real date, or the range earliest first (2021/2026).",
    ),
]

RULES: dict[str, Rule] = {rule.code: rule for rule in _TABLE}
_BY_NAME: dict[str, str] = {rule.name: rule.code for rule in _TABLE}


def resolve_rule(key: str) -> str | None:
    """A rule's code from its code or its name; None when there is no such rule."""
    return key if key in RULES else _BY_NAME.get(key)
