"""`kb merge-claims` as the curator steers it: opposites kept apart and reported, evidence
held until decided, --only/--exclude/--pair/--force, the question per group at a
terminal, --format json, and two claims sharing an id."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from helpers import make_kb, run_kb

DATE = ("--date", "2026-04-20")
PAGE = """\
id: mi
title: Mechanistic interpretability
summary: S.
claims:
  - id: tools-open
    statement: Circuit tracing tools are open-sourced for the research community
    evidence: strong
    sources: [s]
  - id: tools-closed
    statement: Circuit tracing tools are not open-sourced for the research community
    evidence: weak
    sources: [n]
  - id: tools-were-open
    statement: Circuit tracing tools were open-sourced for the research community
    evidence: moderate
    sources: [n]
  - id: sae-scale
    statement: Sparse autoencoders extract millions of features at scale
    evidence: strong
    sources: [s]
  - id: sae-scale-b
    statement: SAEs extract millions of features at scale
    evidence: strong
    sources: [n]
sources:
  - {id: s, title: Source}
  - {id: n, title: Naseem 2026}
changelog:
  - {date: 2026-04-14, text: Created}
"""
THESIS = """\
id: t
title: T
position: P.
cites:
  - concept: mi
    claims: [tools-were-open, sae-scale-b]
"""


def kb(tmp_path: Path, page: str = PAGE) -> Path:
    return make_kb(tmp_path / "kb", files={"concepts/mi.yaml": page, "theses/t.yaml": THESIS})


def page(root: Path) -> str:
    return (root / "concepts" / "mi.yaml").read_text(encoding="utf-8")


def test_dry_run_reports_held_groups_and_contradictions(tmp_path: Path) -> None:
    root = kb(tmp_path)
    result = run_kb("merge-claims", "mi", "--dry-run", *DATE, cwd=root)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Merging duplicate claims in mi (concepts/mi.yaml)\n"
        "1 group(s), 1 claim(s) merged (threshold 0.50):\n"
        "sae-scale survives: 'Sparse autoencoders extract millions of features at scale'\n"
        "  merges sae-scale-b (similarity 1.00): 'SAEs extract millions of features at scale'\n"
        "  gains sources: n\n"
        "held: tools-open, tools-were-open: evidence differs (tools-open strong, "
        "tools-were-open moderate): choose with --evidence strongest|weakest|LEVEL\n"
        "possible contradiction: claims 'tools-open' and 'tools-closed' may contradict each "
        "other ('not' on one side only)\n"
        "possible contradiction: claims 'tools-closed' and 'tools-were-open' may contradict "
        "each other ('not' on one side only)\n"
        "Thesis citations to rewrite:\n"
        "  theses/t.yaml cites[0] mi: sae-scale-b -> sae-scale\n"
        "Dry run: nothing was written.\n"
    )


def test_held_only_exits_1_and_writes_nothing(tmp_path: Path) -> None:
    root = kb(tmp_path)
    before = page(root)
    result = run_kb("merge-claims", "mi", "--only", "tools-open", *DATE, cwd=root)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "Nothing to merge in mi: every group found is held (see below) (threshold 0.50)"
    )
    assert page(root) == before


def test_evidence_decides_and_the_changelog_says_so(tmp_path: Path) -> None:
    root = kb(tmp_path)
    result = run_kb("merge-claims", "mi", "--evidence", "strongest", "--exclude", "sae-scale-b",
                    *DATE, cwd=root)  # fmt: skip
    assert result.code == 0, result.out
    text = page(root)
    assert "  - id: tools-were-open\n" not in text
    assert "  - id: tools-closed\n" in text  # never merged into its opposite
    assert (
        text.endswith(
            "changelog:\n"
            "  - {date: 2026-04-14, text: Created}\n"
            "  - date: 2026-04-20\n"
            "    text: 'Merged duplicate claims: tools-were-open into tools-open (evidence: "
            "moderate and strong \u2192 strong)'\n"
        )
        or "(evidence: moderate and strong \u2192 strong)" in text
    )


def test_pair_refuses_an_opposite_unless_forced(tmp_path: Path) -> None:
    root = kb(tmp_path)
    before = page(root)
    refused = run_kb("merge-claims", "mi", "--pair", "tools-open", "tools-closed", *DATE, cwd=root)
    assert refused.code == 1
    assert refused.err == (
        "kb: claims 'tools-open' and 'tools-closed' may contradict each other ('not' on one "
        "side only): pass --force to merge them anyway; nothing was written\n"
    )
    assert page(root) == before
    forced = run_kb("merge-claims", "mi", "--pair", "tools-open", "tools-closed", "--force",
                    "--evidence", "weakest", *DATE, cwd=root)  # fmt: skip
    assert forced.code == 0, forced.out
    assert "  - id: tools-closed\n" not in page(root)
    assert "evidence: weak\n" in page(root).split("- id: tools-were-open")[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--only", "nope"), "no claim 'nope' here to merge"),
        (
            ("--pair", "sae-scale", "sae-scale"),
            "--pair sae-scale sae-scale: name two different claims",
        ),
        (
            ("--pair", "sae-scale", "sae-scale-b", "--exclude", "sae-scale-b"),
            "--pair sae-scale sae-scale-b: --exclude keeps 'sae-scale-b' out of every group",
        ),
    ],
)
def test_choices_that_name_no_merge_are_usage_errors(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    root = kb(tmp_path)
    result = run_kb("merge-claims", "mi", *args, *DATE, cwd=root)
    assert (result.code, result.out, result.err) == (2, "", f"kb: {message}\n")
    assert page(root) == PAGE


def test_dry_run_lists_at_most_20_contradictions_json_lists_all(tmp_path: Path) -> None:
    # 8 claims that differ only in a number are 28 pairs: the text stays readable.
    claims = "".join(
        f"  - id: c{n}\n    statement: Attribution graphs explain {n}0 percent of paths\n"
        "    evidence: weak\n    sources: [s]\n"
        for n in range(1, 9)
    )
    root = kb(tmp_path, PAGE.replace("claims:\n", f"claims:\n{claims}", 1))
    result = run_kb("merge-claims", "mi", "--only", "c1", "--dry-run", *DATE, cwd=root)
    lines = result.out.splitlines()
    assert sum(line.startswith("possible contradiction:") for line in lines) == 20
    assert lines[-1] == (
        "... and 10 more possible contradictions (see kb lint, or --format json for all)"
    )
    plan = run_kb("merge-claims", "mi", "--dry-run", "--format", "json", *DATE, cwd=root)
    assert len(json.loads(plan.out)["contradictions"]) == 28 + 2


def test_json_plan(tmp_path: Path) -> None:
    root = kb(tmp_path)
    result = run_kb("merge-claims", "mi", "--dry-run", "--format", "json", *DATE, cwd=root)
    assert result.code == 0
    plan = json.loads(result.out)
    assert plan["groups"] == [
        {
            "survivor": "sae-scale",
            "merged": ["sae-scale-b"],
            "scores": [1.0],
            "evidence": {"levels": {"sae-scale": "strong", "sae-scale-b": "strong"},
                         "kept": "strong", "decided": None},
            "sources": ["s", "n"],
        }
    ]  # fmt: skip
    assert plan["held"] == [
        {
            "claims": ["tools-open", "tools-were-open"],
            "reason": "evidence differs (tools-open strong, tools-were-open moderate): "
            "choose with --evidence strongest|weakest|LEVEL",
        }
    ]
    assert [c["claims"] for c in plan["contradictions"]] == [
        ["tools-open", "tools-closed"],
        ["tools-closed", "tools-were-open"],
    ]
    assert plan["contradictions"][0]["reason"] == "'not' on one side only"
    assert (plan["dry_run"], plan["written"], plan["merged"]) == (True, False, 1)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_at_a_terminal_each_group_is_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = kb(tmp_path)
    # The tools group: evidence differs, the curator picks "moderate"; the SAE group: no.
    monkeypatch.setattr(sys, "stdin", _Terminal("moderate\nn\n"))
    result = run_kb("merge-claims", "mi", *DATE, cwd=root)
    assert result.code == 0, result.out + result.err
    assert "Evidence levels differ: which level does the merged claim keep?" in result.err
    assert "Merge this group?" in result.err
    text = page(root)
    assert "  - id: tools-were-open\n" not in text
    assert "  - id: sae-scale-b\n" in text
    assert "(evidence: moderate and strong \u2192 moderate)" in text
    # --yes asks nothing: the plan runs as given (the SAE group merges).
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    again = run_kb("merge-claims", "mi", "--yes", *DATE, cwd=root)
    assert again.code == 0 and again.err == ""
    assert "  - id: sae-scale-b\n" not in page(root)


COPY = """\
id: mi
title: MI
summary: S.
claims:
  - {id: a, statement: Risk is documented, evidence: weak, sources: [s]}
  - {id: b, statement: Beta follows alpha, evidence: weak, sources: [s]}
  - {id: a, statement: Risk is documented, evidence: weak, sources: [s]}
sources:
  - {id: s, title: Source}
changelog:
  - {date: 2026-04-14, text: Created}
"""


def test_a_word_for_word_copy_with_one_id_is_merged(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", files={"concepts/mi.yaml": COPY})
    lint = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert lint.out.splitlines()[0] == (
        "concepts/mi.yaml:7:10: R002 claim 'a' is a word-for-word copy of the claim at line 5, "
        "id included; fix with: kb merge-claims mi"
    )
    result = run_kb("merge-claims", "mi", *DATE, cwd=root)
    assert result.code == 0, result.err
    assert page(root) == COPY.replace(
        "  - {id: a, statement: Risk is documented, evidence: weak, sources: [s]}\nsources",
        "sources",
    ).replace(
        "  - {date: 2026-04-14, text: Created}\n",
        '  - {date: 2026-04-20, text: "Merged duplicate claims: a copy of a removed"}\n'
        "  - {date: 2026-04-14, text: Created}\n",
    )
    assert run_kb("lint", "--today", "2026-04-20", cwd=root).code == 0


def test_two_claims_with_one_id_are_named_by_line(tmp_path: Path) -> None:
    old = "statement: Risk is documented, evidence: weak, sources: [s]}\nsources"
    clash = COPY.replace(old, old.replace("documented", "unknown"))
    root = make_kb(tmp_path / "kb", files={"concepts/mi.yaml": clash})
    result = run_kb("merge-claims", "mi", *DATE, cwd=root)
    assert result.code == 2
    assert result.err.startswith(
        "kb: concepts/mi.yaml:7:10: R002 claim id 'a' is already used by the claim at line 5: "
        "give one of the two (line 5 or line 7) a new id (fix the page first, see `kb lint`); "
        "nothing was written\n"
    )


def test_add_claim_lint_and_merge_claims_agree_on_the_same_claim(tmp_path: Path) -> None:
    one = PAGE.split("  - id: tools-closed")[0] + PAGE[PAGE.index("sources:\n  - {id: s") :]
    root = make_kb(tmp_path / "kb", files={"concepts/mi.yaml": one})
    added = run_kb("add-claim", "mi", "Circuit tracing tools were open-sourced for the "
                   "research community", "-e", "strong", "-s", "n", *DATE, cwd=root)  # fmt: skip
    assert added.out.splitlines()[1] == (
        "note: it says the same as claim 'tools-open' (similarity 1.00): "
        "`kb merge-claims mi --dry-run` shows the merge"
    )
    lint = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert lint.out.splitlines()[0] == (
        "concepts/mi.yaml:9:5: C001 claim 'circuit-tracing-tools-open-sourced-research' says "
        "the same as claim 'tools-open' (line 5, similarity 1.00); fix with: kb merge-claims mi"
    )
    merged = run_kb("merge-claims", "mi", *DATE, cwd=root)
    assert merged.code == 0, merged.out
    assert "merges circuit-tracing-tools-open-sourced-research (similarity 1.00)" in merged.out
    assert run_kb("lint", "--today", "2026-04-20", cwd=root).code == 0
    # Its negation is noted, never merged.
    negated = run_kb("add-claim", "mi", "Circuit tracing tools are not open-sourced for the "
                     "research community", "-e", "weak", "-s", "n", *DATE, cwd=root)  # fmt: skip
    assert negated.out.splitlines()[1].startswith("note: it may contradict claim 'tools-open'")
    again = run_kb("merge-claims", "mi", *DATE, cwd=root)
    assert again.out.startswith("Nothing to merge in mi: no duplicate claims (threshold 0.50)\n")
    assert "possible contradiction: claims 'tools-open' and 'circuit-tracing-tools-not" in again.out
