"""`kb lint`: every page checked alone, then the references between them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kbcli.config import Config, load_config
from kbcli.errors import KbError
from kbcli.findings import Finding, Severity
from kbcli.index import KbIndex, PageFacts, analyse
from kbcli.kb import PageRef, list_pages, ref_for_path
from kbcli.rules import crossfile
from kbcli.schema import PageValidator

Progress = Callable[[int, int], None]  # (done, total)


@dataclass
class LintResult:
    root: Path
    findings: list[Finding]  # with the severities kb.yaml asks for; "off" rules removed
    checked: int  # pages reported on

    def failed(self, strict: bool) -> bool:
        return any(strict or f.severity is Severity.ERROR for f in self.findings)


def lint(
    root: Path,
    today: str,
    paths: Sequence[Path] = (),
    progress: Progress | None = None,
) -> LintResult:
    """Check the KB at `root`. With `paths`, report only on those pages (their references
    are still checked against the whole KB). `today` (YYYY-MM-DD) dates the future check."""
    config = load_config(root)
    selected = _select(root, paths)
    facts = analyse_all(root, config, list_pages(root), progress)
    index = KbIndex(facts)
    findings = [f for page in facts for f in page.findings]
    findings += crossfile.check(index, today)
    if selected is not None:
        findings = [f for f in findings if f.path in selected]
    checked = len(selected) if selected is not None else len(facts)
    return LintResult(root, _apply_severities(findings, config), checked)


def analyse_all(
    root: Path, config: Config, refs: Sequence[PageRef], progress: Progress | None = None
) -> list[PageFacts]:
    validators = {
        kind: PageValidator(kind, config.evidence_levels) for kind in ("concept", "thesis")
    }
    out = []
    for done, ref in enumerate(refs, 1):
        out.append(analyse(root, ref, config, validators[ref.kind]))
        if progress is not None:
            progress(done, len(refs))
    return out


def _select(root: Path, paths: Sequence[Path]) -> set[str] | None:
    if not paths:
        return None
    selected: set[str] = set()
    for path in paths:
        if path.is_dir():
            inside = [
                r.rel for r in list_pages(root) if r.path.absolute().is_relative_to(path.absolute())
            ]
            selected.update(inside)
            continue
        if path.absolute() == (root / "kb.yaml").absolute():
            continue  # checked by load_config already
        ref = ref_for_path(root, path)
        if ref is None:
            raise KbError(
                f"{path} is not a page of the KB at {root} (concepts/*.yaml, theses/*.yaml)"
            )
        if not path.exists() and not path.is_symlink():
            raise KbError(f"{path} does not exist")
        selected.add(ref.rel)
    return selected


def _apply_severities(findings: list[Finding], config: Config) -> list[Finding]:
    out = []
    for finding in sorted(set(findings)):
        level = config.severity(finding.code)
        if level != "off":
            out.append(replace(finding, severity=Severity(level)))
    return out
