"""`kb.yaml`: the settings of one KB, every one with a default."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbcli.errors import KbError
from kbcli.rules.catalogue import RULES, resolve_rule

CONFIG_NAME = "kb.yaml"
SEVERITIES = ("off", "warning", "error")


@dataclass(frozen=True)
class Config:
    evidence_levels: tuple[str, ...] = ("strong", "moderate", "weak")  # strongest first
    changelog_order: str = "newest-first"
    max_page_bytes: int = 1_048_576
    # rule code -> "off" | "warning" | "error", for the rules kb.yaml overrides
    rules: dict[str, str] = field(default_factory=dict)
    cache: bool = True

    def severity(self, code: str) -> str:
        return self.rules.get(code, RULES[code].severity)

    def fingerprint(self) -> str:
        """What page-local findings depend on (part of the lint cache key)."""
        return repr(
            (self.evidence_levels, self.changelog_order, self.max_page_bytes, sorted(self.rules))
        )


def load_config(root: Path) -> Config:
    """Read and check `root/kb.yaml`; any problem is a KbError (exit 2) at its place."""
    from kbcli.schema import validate_config
    from kbcli.yamlio.load import YamlProblem, decode, parse

    path = root / CONFIG_NAME
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KbError(f"cannot read the KB config: {exc.strerror}", path=path) from None
    try:
        doc = parse(decode(raw))
    except YamlProblem as exc:
        raise KbError(f"{exc.code} {exc.message}", path=path, line=exc.line, col=exc.col) from None
    data: Any = {} if doc.data is None else doc.data
    problem = validate_config(data, doc.root)
    if problem is not None:
        message, line, col = problem
        raise KbError(message, path=path, line=line, col=col)
    return _from_data(data, path, doc.root)


def _from_data(data: dict[str, Any], path: Path, root: Any = None) -> Config:
    from kbcli.yamlio.load import locate

    rules: dict[str, str] = {}
    for key, severity in (data.get("rules") or {}).items():
        code = resolve_rule(key)
        if code is None:
            line, col = locate(root, ("rules", key), at_key=True)
            raise KbError(
                f"rules: no rule is called '{key}'; `kb rules` lists every code and name",
                path=path,
                line=line,
                col=col,
            )
        rules[code] = severity
    defaults = Config()
    return Config(
        evidence_levels=tuple(data.get("evidence_levels", defaults.evidence_levels)),
        changelog_order=data.get("changelog_order", defaults.changelog_order),
        max_page_bytes=data.get("max_page_bytes", defaults.max_page_bytes),
        rules=rules,
        cache=data.get("cache", True),
    )
