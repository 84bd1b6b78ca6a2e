"""Properties of `kb merge-claims` on real files, for any page hypothesis makes: no claim
id, source or detail is lost (every old id resolves, thesis citations included), claims
outside every group keep their bytes and order, and a second run changes nothing."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.commands.merge_claims import merge_claims
from kbcli.config import Config
from kbcli.lint import lint
from kbcli.merge_plan import Choices, detail_contains, id_map, plan_merge
from kbcli.yamlio.load import parse

LEVELS = ("strong", "moderate", "weak")
SOURCES = ("s1", "s2", "s3")
# Few enough that exact and near duplicates are common, with distinct claims among them.
STATEMENTS = (
    "Alpha comes first",
    "alpha comes  first.",
    "Alpha always comes first",
    "Beta comes second",
    "Gamma is the third letter",
    "The Greek alphabet has 24 letters",
    "The greek alphabet has twenty-four letters",
    "Omega comes last",
)
DETAILS = (None, "In the Greek alphabet.", "Before beta", "in the greek alphabet", "A vowel.")

Claim = dict[str, Any]


@st.composite
def pages(draw: st.DrawFn, prefix: str = "c") -> list[Claim]:
    """Claims with unique ids; some carry ids merged into them before."""
    claims = []
    for i in range(draw(st.integers(1, 9))):
        claim: Claim = {"id": f"{prefix}{i}", "statement": draw(st.sampled_from(STATEMENTS))}
        detail = draw(st.sampled_from(DETAILS))
        if detail is not None:
            claim["detail"] = detail
        claim["evidence"] = draw(st.sampled_from(LEVELS))
        claim["sources"] = draw(st.lists(st.sampled_from(SOURCES), min_size=1, unique=True))
        if draw(st.booleans()):
            claim["merged"] = [f"{prefix}{i}-old"]
        claims.append(claim)
    return claims


thresholds = st.sampled_from([0.3, 0.5, 0.7, 1.0])


def claim_line(claim: Claim) -> str:
    # One flow mapping a line, so "keeps its bytes" is a line kept as it was.
    fields = ", ".join(f"{k}: {json.dumps(v)}" for k, v in claim.items())
    return f"  - {{{fields}}}   # {claim['id']}"


def page_text(page_id: str, claims: Sequence[Claim], sources: Sequence[str] = SOURCES) -> str:
    return "\n".join(
        [
            f"id: {page_id}",
            f"title: {page_id.title()}",
            "summary: A page.",
            "claims:" if claims else "claims: []",
            *(claim_line(c) for c in claims),
            "sources:",
            *(f"  - {{id: {s}, title: Source {s}}}" for s in sources),
            "changelog:",
            "  - {date: 2026-04-14, text: Created}",
            "",
        ]
    )


def thesis_text(thesis_id: str, concept: str, cited: Sequence[str]) -> str:
    lines = [f"id: {thesis_id}", "title: T", "position: P.", "cites:", f"  - concept: {concept}"]
    lines += ["    claims:", *(f"      - {c}" for c in cited)]
    return "\n".join([*lines, ""])


@contextmanager
def kb(files: dict[str, str]) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        for rel, text in {"kb.yaml": "{}\n", **files}.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        yield root


def files_of(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.yaml"))
        if p.is_file()
    }


def owners(claims: Sequence[Claim]) -> dict[str, Claim]:
    """Every id the page answers to (live or merged) -> the claim it names."""
    return {m: c for c in claims for m in (c["id"], *c.get("merged", ()))}


def assert_kept(
    old: Claim, now: Claim, source_ids: dict[str, str] | None = None, policy: str | None = None
) -> None:
    renamed = source_ids or {s: s for s in SOURCES}
    assert {renamed[s] for s in old["sources"]} <= set(now["sources"])
    if "detail" in old:
        assert detail_contains(now["detail"], old["detail"])
    if policy in (None, "strongest"):  # held, or the strongest kept: never weaker
        assert LEVELS.index(now["evidence"]) <= LEVELS.index(old["evidence"])


@st.composite
def choices(draw: st.DrawFn, claims: list[Claim]) -> Choices:
    """What a curator may choose: an evidence policy, claims kept out, groups kept."""
    ids = [c["id"] for c in claims]
    return Choices(
        only=tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))),
        exclude=tuple(draw(st.lists(st.sampled_from(ids), max_size=2, unique=True))),
        evidence=draw(st.sampled_from([None, "strongest", "weakest", "moderate"])),
    )


@settings(max_examples=60, deadline=None)
@given(pages(), thresholds, st.data())
def test_merge_loses_nothing_keeps_the_rest_and_is_idempotent(
    claims: list[Claim], threshold: float, data: st.DataObject
) -> None:
    old_ids = [m for c in claims for m in (c["id"], *c.get("merged", ()))]
    cited = data.draw(st.lists(st.sampled_from(old_ids), unique=True))
    chosen = data.draw(choices(claims))
    page = page_text("p", claims)
    with kb({"concepts/p.yaml": page, "theses/t.yaml": thesis_text("t", "p", cited)}) as root:
        merge_claims(root, Config(), "p", "2026-04-20", threshold=threshold, choices=chosen)
        new = parse((root / "concepts" / "p.yaml").read_text()).data["claims"]

        by_id = owners(new)
        for claim in claims:
            for old in (claim["id"], *claim.get("merged", ())):
                # every old id resolves, nothing is lost
                assert_kept(claim, by_id[old], policy=chosen.evidence)
            if claim["id"] in chosen.exclude:
                assert by_id[claim["id"]]["id"] == claim["id"]

        plan = plan_merge(claims, threshold, LEVELS, chosen)
        grouped = {i for g in plan.groups for i in (g.survivor_index, *g.merged_indexes)}
        lines = (root / "concepts" / "p.yaml").read_text().splitlines()
        kept = [claim_line(c) for i, c in enumerate(claims) if i not in grouped]
        at = [lines.index(line) for line in kept]  # ValueError: a byte changed
        assert at == sorted(at)

        # Citations name the same claims, no retired id, none twice. (An id merged by an
        # earlier run still names its survivor: only this merge's ids are rewritten.)
        thesis = parse((root / "theses" / "t.yaml").read_text()).data
        now_cited = thesis["cites"][0]["claims"] if cited else []
        assert len(set(now_cited)) == len(now_cited)
        assert not set(now_cited) & set(id_map(plan))
        assert {by_id[c]["id"] for c in now_cited} == {by_id[c]["id"] for c in cited}

        once = files_of(root)
        again = merge_claims(root, Config(), "p", "2026-04-21", threshold=threshold, choices=chosen)
        assert again.value.nothing is not None
        assert files_of(root) == once


@settings(max_examples=40, deadline=None)
@given(pages("t"), pages("o"), thresholds, st.booleans())
def test_merge_from_loses_nothing_of_other(
    target: list[Claim], other: list[Claim], threshold: float, retire: bool
) -> None:
    # OTHER's sources: s1 and s2 match the target's by title, s3 is another source.
    other_sources = {"s1": "s1", "s2": "s2", "s3": "s3-2"}
    other_page = page_text("o", other).replace("title: Source s3", "title: Elsewhere")
    files = {"concepts/t.yaml": page_text("t", target), "concepts/o.yaml": other_page}
    # One thesis per OTHER claim, so each old claim's new place can be read off.
    for claim in other:
        files[f"theses/{claim['id']}.yaml"] = thesis_text(claim["id"], "o", [claim["id"]])
    with kb(files) as root:
        merge_claims(
            root, Config(), "t", "2026-04-20", other="o", retire_other=retire, threshold=threshold
        )
        new = parse((root / "concepts" / "t.yaml").read_text()).data
        by_id = {c["id"]: c for c in new["claims"]}
        titles = {s["id"]: s["title"] for s in new["sources"]}
        assert titles.get("s3-2") in (None, "Elsewhere")
        for claim in other:
            cite = parse((root / "theses" / f"{claim['id']}.yaml").read_text()).data["cites"][0]
            assert cite["concept"] == "t"
            assert_kept(claim, by_id[cite["claims"][0]], other_sources)
        for claim in target:
            assert claim["id"] in owners(new["claims"])

        once = files_of(root)
        again = merge_claims(
            root, Config(), "t", "2026-04-21", other="o", retire_other=retire, threshold=threshold
        )
        assert again.value.nothing is not None
        assert files_of(root) == once

        # A reference to OTHER made before the merge (on another branch, say) resolves.
        old_ids = [m for c in other for m in (c["id"], *c.get("merged", ()))]
        (root / "theses" / "late.yaml").write_text(thesis_text("late", "o", old_ids))
        findings = lint(root, "2026-04-20", use_cache=False, jobs=1).findings
        assert [f for f in findings if f.code.startswith("R")] == []
