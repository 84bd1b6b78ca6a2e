"""`kb merge-claims`: whole files after each merge (the seed page, hand-written pages with
`--from` and `--retire-other`), the exact plan printed, idempotence, every refusal (exit
code, message, and a KB left byte for byte as it was), and `--commit` in a real repo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kbcli.commands.merge_claims import merge_claims
from kbcli.config import Config

from helpers import CASES, GIT_ENV, git, git_init, make_kb, run_kb

DATE = ("--date", "2026-04-20")
SEED = CASES / "seed-doubled"
MERGED = CASES / "seed-doubled-merged"  # hand-checked: the seed after the merge
MI = "concepts/mechanistic-interpretability.yaml"
THESIS = "theses/interpretability-gates-deployment.yaml"
# The seed's second copies of its first seven claims, by survivor.
COPIES = {
    "breakthrough-2026": "breakthrough-2026-2",
    "anthropic-microscope": "anthropic-microscope-2",
    "cot-monitoring-caught-cheating": "cot-monitoring-caught-cheating-2",
    "cross-lab-warning": "cross-lab-warning-2",
    "attribution-graphs": "attribution-graphs-2",
    "sae-monosemantic-features": "sae-monosemantic-features-2",
    "circuit-tools-open-sourced": "circuit-tools-open-sourced-2",
}
STATEMENTS = {
    "breakthrough-2026": "Mechanistic interpretability is a 2026 breakthrough technology",
    "anthropic-microscope": 'Anthropic built a "microscope" for feature-level model inspection',
    "cot-monitoring-caught-cheating": "OpenAI used CoT monitoring to catch model cheating",
    "cross-lab-warning": (
        "40 researchers from major labs warn about losing ability to understand advanced models"
    ),
    "attribution-graphs": (
        "Circuit tracing reveals end-to-end computational paths via attribution graphs"
    ),
    "sae-monosemantic-features": (
        "Sparse autoencoders extract millions of monosemantic features at scale"
    ),
    "circuit-tools-open-sourced": (
        "Circuit tracing tools are open-sourced for the research community"
    ),
}


def seed_kb(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SEED, tmp_path / "kb"))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the KB (the lock file aside), to show what a command left alone."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".kb-cache" not in p.parts and ".git" not in p.parts
    }


def text(root: Path, rel: str) -> str:
    return (root / rel).read_bytes().decode("utf-8")


def seed_plan(header: str, last: str) -> str:
    groups = "".join(
        f"{cid} survives: {statement!r}\n  merges {COPIES[cid]} (similarity 1.00): {statement!r}\n"
        for cid, statement in STATEMENTS.items()
    )
    return (
        f"{header}\n7 group(s), 7 claim(s) merged (threshold 0.50):\n{groups}"
        f"Thesis citations {'to rewrite' if last.startswith('Dry run') else 'rewritten'}:\n"
        "  theses/interpretability-gates-deployment.yaml cites[0] mechanistic-interpretability: "
        "breakthrough-2026-2 -> breakthrough-2026, cross-lab-warning-2 -> cross-lab-warning\n"
        f"{last}\n"
    )


SEED_HEADER = "Merging duplicate claims in mechanistic-interpretability (" + MI + ")"


# --- the seed page ------------------------------------------------------------------------


def test_seed_merges_to_its_ten_claims_and_rewrites_the_thesis(tmp_path: Path) -> None:
    root = seed_kb(tmp_path)
    before = snapshot(root)
    result = run_kb("merge-claims", "mechanistic-interpretability", *DATE, cwd=root)
    assert (result.code, result.err) == (0, "")
    assert result.out == seed_plan(
        SEED_HEADER, "Merged 7 claim(s) in mechanistic-interpretability."
    )
    assert text(root, MI) == text(MERGED, MI)
    assert text(root, THESIS) == text(MERGED, THESIS)
    after = snapshot(root)
    assert {k for k in after if after[k] != before.get(k)} == {MI, THESIS}


def test_seed_merge_loses_no_claim_source_or_detail(tmp_path: Path) -> None:
    from kbcli.merge_plan import detail_contains
    from kbcli.yamlio.load import parse

    root = seed_kb(tmp_path)
    old = parse(text(root, MI)).data
    assert run_kb("merge-claims", "mechanistic-interpretability", *DATE, cwd=root).code == 0
    new = parse(text(root, MI)).data
    assert len(old["claims"]) == 17
    assert [c["id"] for c in new["claims"]] == [*COPIES, *(c["id"] for c in old["claims"][14:])]
    owner = {m: c for c in new["claims"] for m in (c["id"], *c.get("merged", ()))}
    for claim in old["claims"]:  # every old id resolves, to a claim that keeps its content
        now = owner[claim["id"]]
        assert now["statement"] == claim["statement"]
        assert set(claim["sources"]) <= set(now["sources"])
        assert detail_contains(now["detail"], claim["detail"])
        assert now["evidence"] == claim["evidence"]
    assert new["sources"] == old["sources"]
    thesis = parse(text(root, THESIS)).data
    assert thesis["cites"][0]["claims"] == [
        "breakthrough-2026",
        "cross-lab-warning",
        "attribution-graphs",
        "cot-monitoring-caught-cheating",
    ]


def test_lint_after_the_seed_merge_has_no_errors(tmp_path: Path) -> None:
    root = seed_kb(tmp_path)
    assert run_kb("merge-claims", "mechanistic-interpretability", *DATE, cwd=root).code == 0
    result = run_kb("lint", "--today", "2026-04-20", cwd=root)
    # The C001 duplicates are gone; the thesis was never reviewed, before as after.
    assert (result.code, result.out) == (
        0,
        "theses/interpretability-gates-deployment.yaml:20:14: C006 warning: citation of "
        "'mechanistic-interpretability' was never reviewed "
        "(run: kb review interpretability-gates-deployment)\n"
        "theses/interpretability-gates-deployment.yaml:29:14: C006 warning: citation of "
        "'circuit-tracing' was never reviewed (run: kb review interpretability-gates-deployment)\n"
        "Found 0 errors and 2 warnings (6 pages checked).\n",
    )


def test_a_stamped_citation_is_reported_stale_naming_the_merge(tmp_path: Path) -> None:
    from kbcli.stamps import make_stamp
    from kbcli.yamlio.load import parse

    root = seed_kb(tmp_path)
    cited = [
        "breakthrough-2026-2",
        "cross-lab-warning-2",
        "attribution-graphs",
        "cot-monitoring-caught-cheating",
    ]
    stamp = make_stamp(parse(text(root, MI)).data, cited)
    thesis = root / THESIS
    thesis.write_text(
        text(root, THESIS).replace(
            "      - cot-monitoring-caught-cheating\n",
            f'      - cot-monitoring-caught-cheating\n    stamp: "{stamp}"\n',
        )
    )
    assert run_kb("merge-claims", "mechanistic-interpretability", *DATE, cwd=root).code == 0
    assert f'    stamp: "{stamp}"\n' in text(root, THESIS)  # kb review's, never kb's to change
    result = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert result.code == 0
    assert result.out.splitlines()[0] == (
        "theses/interpretability-gates-deployment.yaml:20:14: C004 warning: "
        "'mechanistic-interpretability' changed since the last review: "
        "claim 'breakthrough-2026-2' merged into 'breakthrough-2026' (same statement and "
        "evidence); claim 'cross-lab-warning-2' merged into 'cross-lab-warning' (same "
        "statement and evidence) "
        "(re-score, then run: kb review interpretability-gates-deployment)"
    )


def test_dry_run_prints_the_plan_and_writes_nothing(tmp_path: Path) -> None:
    root = seed_kb(tmp_path)
    before = snapshot(root)
    result = run_kb("merge-claims", "mechanistic-interpretability", "--dry-run", *DATE, cwd=root)
    assert (result.code, result.err) == (0, "")
    assert result.out == seed_plan(SEED_HEADER, "Dry run: nothing was written.")
    assert snapshot(root) == before


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    root = seed_kb(tmp_path)
    assert run_kb("merge-claims", "mechanistic-interpretability", *DATE, cwd=root).code == 0
    once = snapshot(root)
    for extra in ((), ("--dry-run",)):
        again = run_kb(
            "merge-claims", "mechanistic-interpretability", *extra, "--date", "2026-04-21", cwd=root
        )
        assert (again.code, again.err) == (0, "")
        assert again.out == (
            "Nothing to merge in mechanistic-interpretability: "
            "no duplicate claims (threshold 0.50)\n"
        )
        assert snapshot(root) == once


def test_core_reports_the_written_pages(tmp_path: Path) -> None:
    root = seed_kb(tmp_path).resolve()
    done = merge_claims(root, Config(), "mechanistic-interpretability", "2026-04-20")
    assert done.paths == (root / MI, root / THESIS)
    assert (done.value.merged, done.value.conflicts, done.commit) == (7, 0, None)


# --- one group, by hand -------------------------------------------------------------------

ALPHA = """\
# Hand-kept: comments, flow and block styles mixed on purpose.
id: alpha
title: Alpha
summary: The first concept.
claims:
  # the oldest claim
  - id: alpha-is-first
    statement: Alpha comes first
    detail: In the Greek alphabet
    evidence: moderate
    sources: [greek]
  - {id: alpha-is-a-letter, statement: Alpha is a letter, evidence: weak, sources: [greek]}   # terse
  - id: alpha-first
    statement: "Alpha comes first."
    detail: Before beta.
    evidence: strong
    sources: [wiki, greek]
sources:
  - {id: greek, title: The Greek alphabet}
  - {id: wiki, title: Wikipedia, url: "https://en.wikipedia.org/wiki/Alpha"}
changelog:   # newest first
  - {date: 2026-04-14, text: Created}
"""  # noqa: E501
T = """\
id: t
title: A thesis
position: Alpha matters.
cites:
  - concept: alpha
    claims: [alpha-first, alpha-is-first, alpha-is-a-letter]   # the first two are one claim
"""


STRONGEST = ("--evidence", "strongest")


def alpha_kb(tmp_path: Path, **files: str) -> Path:
    pages = {"concepts/alpha.yaml": ALPHA, "theses/t.yaml": T}
    pages.update({k.replace("__", "/") + ".yaml": v for k, v in files.items()})
    return make_kb(tmp_path / "kb", files=pages)


def test_evidence_conflict_keeps_the_strongest_and_says_so(tmp_path: Path) -> None:
    root = alpha_kb(tmp_path)
    result = run_kb("merge-claims", "alpha", *STRONGEST, *DATE, cwd=root)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Merging duplicate claims in alpha (concepts/alpha.yaml)\n"
        "1 group(s), 1 claim(s) merged (threshold 0.50):\n"
        "alpha-is-first survives: 'Alpha comes first'\n"
        "  merges alpha-first (similarity 1.00): 'Alpha comes first.'\n"
        "  gains sources: wiki\n"
        "  gains detail: 'Before beta.'\n"
        "  evidence: moderate -> strong\n"
        "  evidence differs: alpha-is-first moderate, alpha-first strong; "
        "keeps strong (the strongest)\n"
        "Thesis citations rewritten:\n"
        "  theses/t.yaml cites[0] alpha: alpha-first dropped (alpha-is-first is already cited)\n"
        "Merged 1 claim(s) in alpha.\n"
    )
    # Only the survivor's changed fields and the merged claim's lines change; the flow
    # claim between them keeps its bytes, comment and all.
    assert text(root, "concepts/alpha.yaml") == (
        """\
# Hand-kept: comments, flow and block styles mixed on purpose.
id: alpha
title: Alpha
summary: The first concept.
claims:
  # the oldest claim
  - id: alpha-is-first
    statement: Alpha comes first
    detail: In the Greek alphabet; Before beta.
    evidence: strong
    sources: [greek, wiki]
    merged:
      - alpha-first
  - {id: alpha-is-a-letter, statement: Alpha is a letter, evidence: weak, sources: [greek]}   # terse
sources:
  - {id: greek, title: The Greek alphabet}
  - {id: wiki, title: Wikipedia, url: "https://en.wikipedia.org/wiki/Alpha"}
changelog:   # newest first
  - {date: 2026-04-20, text: "Merged duplicate claims: alpha-first into alpha-is-first (evidence: moderate and strong \u2192 strong)"}
  - {date: 2026-04-14, text: Created}
"""  # noqa: E501
    )
    # The survivor was cited already: the old id goes, nothing is listed twice.
    assert text(root, "theses/t.yaml") == T.replace(
        "[alpha-first, alpha-is-first, alpha-is-a-letter]", "[alpha-is-first, alpha-is-a-letter]"
    )


def test_threshold_decides_what_is_a_duplicate(tmp_path: Path) -> None:
    page = ALPHA.replace('"Alpha comes first."', "Alpha comes first in the Greek alphabet")
    root = alpha_kb(tmp_path, concepts__alpha=page)
    before = snapshot(root)
    # "alpha", "come", "first" of 5 content words: 0.6
    loose = run_kb(
        "merge-claims", "alpha", *STRONGEST, "--threshold", "0.6", "--dry-run", *DATE, cwd=root
    )
    assert loose.out.splitlines()[1:4] == [
        "1 group(s), 1 claim(s) merged (threshold 0.60):",
        "alpha-is-first survives: 'Alpha comes first'",
        "  merges alpha-first (similarity 0.60): 'Alpha comes first in the Greek alphabet'",
    ]
    strict = run_kb("merge-claims", "alpha", "--threshold", "0.61", *DATE, cwd=root)
    assert (strict.code, strict.out) == (
        0,
        "Nothing to merge in alpha: no duplicate claims (threshold 0.61)\n",
    )
    assert snapshot(root) == before


def test_a_thesis_that_cites_no_merged_id_is_left_alone(tmp_path: Path) -> None:
    quiet = T.replace("alpha-first, alpha-is-first, ", "")
    root = alpha_kb(tmp_path, theses__t=quiet, theses__whole="id: whole\ntitle: W\n"
                    "position: P.\ncites:\n  - concept: alpha\n")  # fmt: skip
    result = run_kb("merge-claims", "alpha", *STRONGEST, *DATE, cwd=root)
    assert result.code == 0
    assert "Thesis citations rewritten" not in result.out
    assert text(root, "theses/t.yaml") == quiet


# --- --from and --retire-other ------------------------------------------------------------

TARGET = """\
id: alpha
title: Alpha
summary: The first concept.
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    evidence: moderate
    sources: [greek]
  - id: alpha-is-a-letter
    statement: Alpha is a letter
    evidence: weak
    sources: [greek]
sources:
  - {id: greek, title: The Greek alphabet}
  - {id: wiki, title: Wikipedia, url: "https://en.wikipedia.org/wiki/Alpha"}
changelog:
  - {date: 2026-04-14, text: Created}
"""
ALFA = """\
# The same concept under another name, written by another curator.
id: alfa
title: Alfa
summary: Alpha, as NATO spells it.
claims:
  - id: alfa-first
    statement: Alpha comes first!
    detail: Before bravo.
    evidence: strong
    sources: [greek-alphabet, wiki-alpha]
  - id: alpha-is-a-letter
    statement: Alfa is the NATO spelling of the letter A
    evidence: moderate
    sources: [nato, greek]
sources:
  - {id: greek-alphabet, title: "the Greek Alphabet"}   # the same title as alpha's greek
  - {id: wiki-alpha, title: Alpha (letter), url: "https://EN.wikipedia.org/wiki/Alpha/"}
  - {id: greek, title: Greek numerals}   # alpha's greek is another source
  - {id: nato, title: NATO phonetic alphabet}
changelog:
  - {date: 2026-04-10, text: Created}
"""
BOTH = """\
id: t
title: Both pages
position: Alpha matters.
cites:
  - concept: alpha
    claims: [alpha-is-first]
  - concept: alfa
    claims:
      - alfa-first
      - alpha-is-a-letter
"""
WHOLE = """\
id: u
title: The whole of alfa
position: Alfa matters.
cites:
  - concept: alfa   # all of it
"""
ONE = """\
id: v
title: One claim of alfa
position: NATO matters.
cites:
  - {concept: alfa, claims: [alpha-is-a-letter]}
"""
FROM_PLAN = """\
Merging the claims of alfa into alpha (concepts/alpha.yaml)
source greek-alphabet is greek
source wiki-alpha is wiki
source greek added as greek-2
source nato added as nato
claim alfa-first merges into alpha-is-first
claim alpha-is-a-letter appended as alpha-is-a-letter-2
1 group(s), 1 claim(s) merged (threshold 0.50):
alpha-is-first survives: 'Alpha comes first'
  merges alfa's alfa-first (similarity 1.00): 'Alpha comes first!'
  gains sources: wiki
  gains detail: 'Before bravo.'
  evidence: moderate -> strong
  evidence differs: alpha-is-first moderate, alfa-first strong; keeps strong (the strongest)
"""
TARGET_CLAIMS = """\
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    evidence: strong
    sources: [greek, wiki]
    detail: Before bravo.
{merged}\
  - id: alpha-is-a-letter
    statement: Alpha is a letter
    evidence: weak
    sources: [greek]
  - id: alpha-is-a-letter-2
    statement: Alfa is the NATO spelling of the letter A
    evidence: moderate
    sources: [nato, greek-2]
sources:
  - {{id: greek, title: The Greek alphabet}}
  - {{id: wiki, title: Wikipedia, url: "https://en.wikipedia.org/wiki/Alpha"}}
  - {{id: greek-2, title: Greek numerals}}
  - {{id: nato, title: NATO phonetic alphabet}}
changelog:
  - {{date: 2026-04-20, text: "Merged claims from alfa: alfa-first into alpha-is-first \
(evidence: moderate and strong \u2192 strong), alpha-is-a-letter added as \
alpha-is-a-letter-2; sources added: greek-2, nato{retired}"}}
  - {{date: 2026-04-14, text: Created}}
"""
HEAD = "id: alpha\ntitle: Alpha\nsummary: The first concept.\n"
BOTH_AFTER = """\
id: t
title: Both pages
position: Alpha matters.
cites:
  - concept: alpha
    claims: [alpha-is-first, alpha-is-a-letter-2]
"""
ONE_AFTER = ONE.replace("{concept: alfa, claims: [alpha-is-a-letter]}", (
    "{concept: alpha, claims: [alpha-is-a-letter-2]}"
))  # fmt: skip


def from_kb(tmp_path: Path) -> Path:
    pages = {"concepts/alpha.yaml": TARGET, "concepts/alfa.yaml": ALFA}
    pages.update({"theses/t.yaml": BOTH, "theses/u.yaml": WHOLE, "theses/v.yaml": ONE})
    return make_kb(tmp_path / "kb", files=pages)


def test_from_brings_claims_and_sources_and_moves_citations(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    result = run_kb("merge-claims", "alpha", *STRONGEST, "--from", "alfa", *DATE, cwd=root)
    assert (result.code, result.err) == (0, "")
    assert result.out == FROM_PLAN + (
        "Thesis citations rewritten:\n"
        "  theses/t.yaml cites[0] alpha: gains alpha-is-a-letter-2\n"
        "  theses/t.yaml cites[1] alfa -> alpha: alfa-first -> alpha-is-first, "
        "alpha-is-a-letter -> alpha-is-a-letter-2; combined into cites[0]\n"
        "  theses/v.yaml cites[0] alfa -> alpha: alpha-is-a-letter -> alpha-is-a-letter-2\n"
        "Merged the claims of alfa into alpha.\n"
    )
    # Sources matched by title (case aside) and by url (host case and slash aside); a
    # new source whose id alpha uses gets a fresh id; so does the colliding claim id.
    assert text(root, "concepts/alpha.yaml") == HEAD + TARGET_CLAIMS.format(merged="", retired="")
    # A thesis citing both pages cites alpha once; OTHER, kept, still holds for `u`.
    assert text(root, "theses/t.yaml") == BOTH_AFTER
    assert text(root, "theses/v.yaml") == ONE_AFTER
    assert text(root, "theses/u.yaml") == WHOLE
    assert text(root, "concepts/alfa.yaml") == ALFA
    lint = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert lint.code == 0 and " C006 " in lint.out and " R0" not in lint.out

    once = snapshot(root)
    again = run_kb("merge-claims", "alpha", "--from", "alfa", "--date", "2026-04-21", cwd=root)
    assert (again.code, again.out) == (
        0,
        "Nothing to merge in alpha: every claim of alfa is here (threshold 0.50)\n",
    )
    assert snapshot(root) == once


def test_retire_other_leaves_a_redirect_that_old_ids_resolve_through(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    result = run_kb(
        "merge-claims", "alpha", *STRONGEST, "--from", "alfa", "--retire-other", *DATE, cwd=root
    )
    assert (result.code, result.err) == (0, "")
    assert result.out == FROM_PLAN + (
        "alfa becomes a redirect to alpha\n"
        "Thesis citations rewritten:\n"
        "  theses/t.yaml cites[0] alpha: gains alpha-is-a-letter-2\n"
        "  theses/t.yaml cites[1] alfa -> alpha: alfa-first -> alpha-is-first, "
        "alpha-is-a-letter -> alpha-is-a-letter-2; combined into cites[0]\n"
        "  theses/u.yaml cites[0] alfa -> alpha: "
        "the whole concept -> alpha-is-first, alpha-is-a-letter-2\n"
        "  theses/v.yaml cites[0] alfa -> alpha: alpha-is-a-letter -> alpha-is-a-letter-2\n"
        "note: alfa's claim id 'alpha-is-a-letter' is now 'alpha-is-a-letter-2' on alpha, "
        "which has its own 'alpha-is-a-letter': a reference to alfa's 'alpha-is-a-letter' "
        "from outside this KB now resolves to that claim instead\n"
        "Merged the claims of alfa into alpha.\n"
    )
    assert text(root, "concepts/alpha.yaml") == HEAD + TARGET_CLAIMS.format(
        merged="    merged:\n      - alfa-first\n", retired="; alfa now redirects here"
    )
    assert text(root, "concepts/alfa.yaml") == (
        """\
# The same concept under another name, written by another curator.
id: alfa
title: Alfa
summary: Alpha, as NATO spells it.
claims: []
sources:
  - {id: greek-alphabet, title: "the Greek Alphabet"}   # the same title as alpha's greek
  - {id: wiki-alpha, title: Alpha (letter), url: "https://EN.wikipedia.org/wiki/Alpha/"}
  - {id: greek, title: Greek numerals}   # alpha's greek is another source
  - {id: nato, title: NATO phonetic alphabet}
changelog:
  - {date: 2026-04-20, text: "Merged into alpha: its claims now live there"}
  - {date: 2026-04-10, text: Created}
redirect: alpha
"""
    )
    # A whole-concept citation of alfa now names what alfa's claims became.
    assert text(root, "theses/u.yaml") == (
        """\
id: u
title: The whole of alfa
position: Alfa matters.
cites:
  - concept: alpha   # all of it
    claims:
      - alpha-is-first
      - alpha-is-a-letter-2
"""
    )
    assert text(root, "theses/t.yaml") == BOTH_AFTER
    assert text(root, "theses/v.yaml") == ONE_AFTER

    # A reference made before the merge (say, on another branch) still resolves.
    (root / "theses" / "late.yaml").write_text(
        "id: late\ntitle: Late\nposition: P.\ncites:\n"
        "  - {concept: alfa, claims: [alfa-first, alpha-is-a-letter]}\n"
    )
    lint = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert (lint.code, lint.out.splitlines()[-1]) == (
        0,
        "Found 0 errors and 4 warnings (7 pages checked).",
    )
    assert {line.split(" ")[1] for line in lint.out.splitlines()[:-1]} == {"C006"}

    once = snapshot(root)
    again = run_kb("merge-claims", "alpha", "--from", "alfa", "--retire-other", cwd=root)
    assert (again.code, again.out) == (
        0,
        "Nothing to merge in alpha: alfa already redirects here\n",
    )
    assert snapshot(root) == once


def test_from_a_whole_citation_of_the_target_covers_the_moved_one(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    (root / "theses" / "t.yaml").write_text(BOTH.replace("    claims: [alpha-is-first]\n", ""))
    assert run_kb("merge-claims", "alpha", *STRONGEST, "--from", "alfa", *DATE, cwd=root).code == 0
    assert text(root, "theses/t.yaml") == (
        "id: t\ntitle: Both pages\nposition: Alpha matters.\ncites:\n  - concept: alpha\n"
    )


def test_from_leaves_a_citation_of_a_claim_other_lacks(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    broken = ONE.replace("[alpha-is-a-letter]", "[alpha-is-a-letter, no-such-claim]")
    (root / "theses" / "v.yaml").write_text(broken)
    result = run_kb("merge-claims", "alpha", *STRONGEST, "--from", "alfa", *DATE, cwd=root)
    assert result.code == 0
    assert (
        "note: theses/v.yaml cites[0] still cites alfa: it names no-such-claim, "
        "which alfa does not have (see `kb lint`)\n"
    ) in result.out
    assert text(root, "theses/v.yaml") == broken


def test_from_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    before = snapshot(root)
    result = run_kb(
        "merge-claims", "alpha", "--from", "alfa", "--retire-other", "--dry-run", *STRONGEST,
        *DATE, cwd=root,
    )  # fmt: skip
    assert result.code == 0
    assert result.out.startswith(FROM_PLAN + "alfa becomes a redirect to alpha\n")
    assert result.out.endswith("Dry run: nothing was written.\n")
    assert snapshot(root) == before


# --- refusals -----------------------------------------------------------------------------


THRESHOLD = "kb: --threshold must be above 0 and at most 1, got "


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "kb: no concept 'nope' (expected concepts/nope.yaml)\n"),
        (["alph"], "kb: no concept 'alph' (expected concepts/alph.yaml); did you mean 'alpha'?\n"),
        (
            ["../alpha"],
            "kb: '../alpha' is not a valid concept id: use lowercase letters and digits joined "
            "by single hyphens (no paths)\n",
        ),
        (["alpha", "--threshold", "0"], THRESHOLD + "0.0\n"),
        (["alpha", "--threshold", "1.5"], THRESHOLD + "1.5\n"),
        (["alpha", "--threshold", "-0.5"], THRESHOLD + "-0.5\n"),
        (["alpha", "--threshold", "nan"], THRESHOLD + "nan\n"),
        (
            ["alpha", "--retire-other"],
            "kb: --retire-other needs --from OTHER: it retires the concept merged in\n",
        ),
        (
            ["alpha", "--from", "alpha"],
            "kb: --from alpha: a concept cannot be merged into itself\n",
        ),
        (["alpha", "--from", "gamma"], "kb: no concept 'gamma' (expected concepts/gamma.yaml)\n"),
        (["alpha", "--date", "2026-13-01"], "kb: '2026-13-01' is not a date (YYYY-MM-DD)\n"),
    ],
)
def test_refusals_leave_the_kb_untouched(tmp_path: Path, args: list[str], message: str) -> None:
    root = alpha_kb(tmp_path)
    before = snapshot(root)
    result = run_kb("merge-claims", *args, cwd=root)
    assert (result.code, result.out, result.err) == (2, "", message)
    assert snapshot(root) == before


def test_threshold_must_be_a_number(tmp_path: Path) -> None:
    root = alpha_kb(tmp_path)
    result = run_kb("merge-claims", "alpha", "--threshold", "half", cwd=root)
    assert result.code == 2
    assert "Invalid value for '--threshold'" in result.err


def test_commit_outside_git_is_refused_before_writing(tmp_path: Path) -> None:
    root = alpha_kb(tmp_path)
    before = snapshot(root)
    result = run_kb("merge-claims", "alpha", "--commit", *DATE, cwd=root, env=GIT_ENV)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        f"kb: --commit: {root.resolve()} is not in a git repository; nothing was written\n"
    )
    assert snapshot(root) == before


def test_a_redirected_concept_is_refused(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    assert run_kb("merge-claims", "alpha", "--from", "alfa", "--retire-other", cwd=root).code == 0
    before = snapshot(root)
    into = run_kb("merge-claims", "alfa", cwd=root)
    assert (into.code, into.err) == (1, "kb: concept 'alfa' was merged into 'alpha': merge there\n")
    (root / "concepts" / "gamma.yaml").write_text(
        "id: gamma\ntitle: Gamma\nsummary: G.\nclaims: []\nchangelog: []\n"
    )
    before = snapshot(root)
    elsewhere = run_kb("merge-claims", "gamma", "--from", "alfa", cwd=root)
    assert (elsewhere.code, elsewhere.err) == (
        1,
        "kb: concept 'alfa' was merged into 'alpha' already: merge 'alpha' instead\n",
    )
    assert snapshot(root) == before


def test_an_invalid_page_is_refused_at_its_place(tmp_path: Path) -> None:
    page = ALPHA.replace("    sources: [wiki, greek]\n", "    sources: [wiki, greek, gone]\n")
    root = alpha_kb(tmp_path, concepts__alpha=page)
    before = snapshot(root)
    result = run_kb("merge-claims", "alpha", cwd=root)
    assert result.code == 2
    assert result.err == (
        "kb: concepts/alpha.yaml:17:28: R006 claim 'alpha-first' "
        "cites source 'gone', which this page does not list (sources: greek, wiki) "
        "(fix the page first, see `kb lint`); nothing was written\n"
    )
    assert snapshot(root) == before


def test_an_unreadable_thesis_stops_the_merge(tmp_path: Path) -> None:
    root = alpha_kb(tmp_path, theses__t=T + "cites: again\n")
    before = snapshot(root)
    result = run_kb("merge-claims", "alpha", *STRONGEST, *DATE, cwd=root)
    assert result.code == 2
    assert result.err == (
        "kb: theses/t.yaml:7:1: Y002 duplicate key 'cites' (kb must read every thesis to "
        "rewrite its citations; fix it first); nothing was written\n"
    )
    assert snapshot(root) == before


def test_help_gives_the_default_threshold() -> None:
    from kbcli.similarity import DEFAULT_THRESHOLD

    result = run_kb("merge-claims", "--help", cwd=Path.cwd())
    assert result.code == 0
    assert f"(default {DEFAULT_THRESHOLD})" in " ".join(result.out.split())


# --- --commit -----------------------------------------------------------------------------


def test_commit_holds_exactly_the_merged_pages(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    shutil.copytree(SEED, top / "kb")
    (top / "notes.txt").write_text("mine\n")
    git_init(top)
    (top / "notes.txt").write_text("mine, edited\n")
    root = top / "kb"
    result = run_kb(
        "merge-claims", "mechanistic-interpretability", "--commit", *DATE, cwd=root, env=GIT_ENV
    )
    assert result.code == 0, result.err
    head = git(top, "rev-parse", "HEAD").strip()
    assert result.out.splitlines()[-1] == f"Committed {head[:12]}"
    assert git(top, "show", "--format=%s", "--name-only", "HEAD") == (
        f"kb: merge claims in mechanistic-interpretability\n\nkb/{MI}\nkb/{THESIS}\n"
    )
    assert git(top, "show", f"HEAD:kb/{MI}") == text(MERGED, MI)
    assert git(top, "status", "--porcelain") == " M notes.txt\n"

    again = run_kb(
        "merge-claims", "mechanistic-interpretability", "--commit", cwd=root, env=GIT_ENV
    )
    assert (again.code, again.out.splitlines()[-1]) == (
        0,
        "Nothing to merge in mechanistic-interpretability: no duplicate claims (threshold 0.50)",
    )
    assert git(top, "rev-parse", "HEAD").strip() == head


def test_commit_message_names_both_concepts_with_from(tmp_path: Path) -> None:
    root = git_init(from_kb(tmp_path))
    result = run_kb(
        "merge-claims", "alpha", "--from", "alfa", "--commit", *DATE, cwd=root, env=GIT_ENV
    )
    assert result.code == 0, result.err
    assert git(root, "show", "--format=%s", "--name-only", "HEAD") == (
        "kb: merge claims of alfa into alpha\n\nconcepts/alpha.yaml\ntheses/t.yaml\ntheses/v.yaml\n"
    )


def test_a_redirect_left_with_claims_is_finished(tmp_path: Path) -> None:
    root = from_kb(tmp_path)
    half_done = ALFA.replace("changelog:\n", "redirect: alpha\nchangelog:\n")
    (root / "concepts" / "alfa.yaml").write_text(half_done)
    result = run_kb(
        "merge-claims", "alpha", *STRONGEST, "--from", "alfa", "--retire-other", *DATE, cwd=root
    )
    assert result.code == 0, result.err
    assert text(root, "concepts/alpha.yaml") == HEAD + TARGET_CLAIMS.format(
        merged="    merged:\n      - alfa-first\n", retired="; alfa now redirects here"
    )
    assert "claims: []\n" in text(root, "concepts/alfa.yaml")
    assert text(root, "concepts/alfa.yaml").count("redirect: alpha") == 1


def test_merging_from_keeps_the_stamp_made_from_the_concept(tmp_path: Path) -> None:
    # On the project's own KB: a thesis cites both concepts; once CoT's claim is merged
    # into mechanistic-interpretability's identical one, nothing it relies on changed.
    import shutil

    from helpers import REPO

    kb = tmp_path / "kb"
    shutil.copytree(REPO / "kb", kb, ignore=shutil.ignore_patterns(".kb-cache"))
    before = run_kb("stale", "--check", cwd=kb)
    assert before.code == 0, before.out
    merged = run_kb(
        "merge-claims", "mechanistic-interpretability", "--from", "chain-of-thought-reasoning",
        "--date", "2026-04-21", cwd=kb,
    )  # fmt: skip
    assert merged.code == 0, merged.err
    after = run_kb("stale", "--check", cwd=kb)
    assert (after.code, after.out) == (0, "Nothing stale: 3 citations in 2 theses checked.\n")
