"""`kb rules [CODE]`: the rule catalogue, as `ruff rule` shows its own.

Without CODE, one line per rule: code, name, default severity and what it checks. With a
code or a name, the whole entry: what it checks, a short example that breaks it, and the
fix. Plain text, the same at a terminal and in a pipe, so it can be pasted and grepped.
"""

from __future__ import annotations

from kbcli.errors import KbError
from kbcli.rules.catalogue import RULES, Rule, resolve_rule


def rule_lines(key: str | None = None) -> list[str]:
    """The catalogue's lines (every rule), or one rule's entry by its code or name;
    KbError (exit 2) for a key that names no rule."""
    if key is None:
        return _table()
    code = resolve_rule(key) or resolve_rule(key.upper())
    if code is None:
        raise KbError(f"unknown rule {key!r}: `kb rules` lists every code and name")
    return _entry(RULES[code])


def _table() -> list[str]:
    rules = list(RULES.values())
    width = max(len(rule.name) for rule in rules)
    lines = [
        f"{rule.code}  {rule.name:<{width}}  {rule.severity:<7}  {rule.summary}" for rule in rules
    ]
    return [
        *lines,
        "",
        "kb rules CODE shows an example and the fix; kb.yaml can turn any rule off or change "
        "its severity (rules: {CODE: off | warning | error}).",
    ]


def _entry(rule: Rule) -> list[str]:
    example = [f"    {line}" for line in rule.example.splitlines()]
    return [
        f"{rule.code} {rule.name} (default severity: {rule.severity})",
        "",
        f"What it checks: {rule.summary}.",
        "",
        "Example:",
        *example,
        "",
        f"Fix: {rule.fix}",
        "",
        f"To change it, in kb.yaml: rules: {{{rule.code}: warning}} (or off, or error).",
    ]


def run(key: str | None) -> int:
    """`kb rules [CODE]`: print the catalogue, or one rule's entry."""
    from kbcli.terminal import echo

    for line in rule_lines(key):
        echo(line)
    return 0
