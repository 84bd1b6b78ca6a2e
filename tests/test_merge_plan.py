"""Planning and applying claim merges on plain data (no files): the seed page's doubled
list, evidence conflicts, details, `--from`, and the properties every merge keeps."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.errors import Refused
from kbcli.merge_from_plan import apply_merge_from, plan_merge_from
from kbcli.merge_plan import (
    Choices,
    Claim,
    GroupPlan,
    HeldGroup,
    apply_plan,
    detail_contains,
    id_map,
    plan_merge,
)
from kbcli.similarity import DEFAULT_THRESHOLD, normalise

LEVELS = ("strong", "moderate", "weak")
STRONGEST = Choices(evidence="strongest")

# The seed page's two "Key Claims" lists, as a reader sees them.
SEED_FIRST_LIST = """\
- Mechanistic interpretability is a 2026 breakthrough technology — Named in MIT Technology Review's annual list. Evidence: moderate (Mechanistic Interpretability)
- Anthropic built a "microscope" for feature-level model inspection — Can trace complete reasoning paths from prompt to response inside Claude. Evidence: moderate (Mechanistic Interpretability)
- OpenAI used CoT monitoring to catch model cheating — A reasoning model was found to be cheating on coding tests via chain-of-thought observation. Evidence: moderate (Mechanistic Interpretability)
- 40 researchers from major labs warn about losing ability to understand advanced models — Cross-lab consensus that interpretability research is urgent. Evidence: moderate (Mechanistic Interpretability)
- Circuit tracing reveals end-to-end computational paths via attribution graphs — Anthropic's Transformer Circuits Thread (2021-2026) progressed from mathematical frameworks through sparse autoencoders to attribution graphs that trace information flow from input to output in production-scale models. Evidence: strong (Anthropic Circuit Tracing)
- Sparse autoencoders extract millions of monosemantic features at scale — Applied to Claude 3 Sonnet, overcoming polysemanticity (where individual neurons encode multiple concepts) to isolate interpretable features that can be steered. Evidence: strong (Anthropic Circuit Tracing)
- Circuit tracing tools are open-sourced for the research community — Enabling external researchers to apply attribution graph techniques to their own models. Evidence: strong (Anthropic Circuit Tracing)
"""  # noqa: E501
SEED_SECOND_LIST = (
    SEED_FIRST_LIST
    + """\
- Four interpretability technique categories map to distinct alignment objectives — Observational analysis, feature discovery, circuit discovery, and causal intervention each address different alignment challenges. Evidence: strong (Mech Interp for LLM Alignment)
- Interpretability-first architectures are an emerging design direction — Building transparency in from the start, rather than retrofitting it onto opaque trained models. Evidence: moderate (Mech Interp for LLM Alignment)
- Dual-use risk is documented — Interpretability tools could be used to improve deception or remove safety features. Evidence: moderate (Mech Interp for LLM Alignment)
"""  # noqa: E501
)
SEED_IDS = [
    "breakthrough-2026",
    "anthropic-microscope",
    "cot-monitoring-caught-cheating",
    "cross-lab-warning",
    "attribution-graphs",
    "sae-monosemantic-features",
    "circuit-tools-open-sourced",
    "four-technique-categories",
    "interpretability-first-architectures",
    "dual-use-risk",
]
SEED_SOURCES = {
    "Mechanistic Interpretability": "mit-tr-2026",
    "Anthropic Circuit Tracing": "anthropic-circuit-tracing",
    "Mech Interp for LLM Alignment": "naseem-2026-survey",
}
_CLAIM_LINE = re.compile(r"- (?P<statement>.+?) — (?P<detail>.+) Evidence: (\w+) \((.+)\)$")


def _parse(text: str, ids: Sequence[str], added: str) -> list[Claim]:
    claims = []
    for claim_id, line in zip(ids, text.splitlines(), strict=True):
        match = _CLAIM_LINE.match(line)
        assert match is not None, line
        claims.append(
            {
                "id": claim_id,
                "statement": match["statement"],
                "detail": match["detail"],
                "evidence": match[3],
                "sources": [SEED_SOURCES[match[4]]],
                "added": added,
            }
        )
    return claims


def seed_doubled() -> list[Claim]:
    """The 17 claims of the seed page: 7, then the same 7 again (ids `-2`) and 3 more."""
    second_ids = [f"{i}-2" for i in SEED_IDS[:7]] + SEED_IDS[7:]
    return _parse(SEED_FIRST_LIST, SEED_IDS[:7], "2026-04-05") + _parse(
        SEED_SECOND_LIST, second_ids, "2026-04-14"
    )


def claim(claim_id: str, statement: str, **fields: Any) -> Claim:
    return {"id": claim_id, "statement": statement, "evidence": "moderate", "sources": ["s"]} | (
        fields
    )


# --- the seed page ---------------------------------------------------------------------


def test_seed_doubled_list_merges_to_its_ten_distinct_claims_in_order() -> None:
    claims = seed_doubled()
    plan = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS)
    merged = apply_plan(claims, plan)

    assert [c["id"] for c in merged] == SEED_IDS
    assert [c["statement"] for c in merged] == [c["statement"] for c in claims[7:]]
    assert id_map(plan) == {f"{i}-2": i for i in SEED_IDS[:7]}
    for survivor in merged[:7]:
        assert survivor["merged"] == [f"{survivor['id']}-2"]
    assert plan.conflicts == ()


def test_seed_merge_loses_no_source_or_detail() -> None:
    claims = seed_doubled()
    merged = apply_plan(claims, plan_merge(claims, DEFAULT_THRESHOLD, LEVELS))
    by_id = {c["id"]: c for c in merged}
    for old in claims:
        now = by_id[old["id"].removesuffix("-2")]
        assert set(old["sources"]) <= set(now["sources"])
        # The copies are identical, so the detail is kept once, unchanged.
        assert now["detail"] == old["detail"]


def test_seed_merge_keeps_unmerged_claims_as_the_same_objects() -> None:
    claims = seed_doubled()
    merged = apply_plan(claims, plan_merge(claims, DEFAULT_THRESHOLD, LEVELS))
    assert all(a is b for a, b in zip(merged[7:], claims[14:], strict=True))
    assert "merged" not in claims[0]  # the input is not modified


def test_merging_the_merged_seed_again_changes_nothing() -> None:
    once = apply_plan(seed_doubled(), plan_merge(seed_doubled(), DEFAULT_THRESHOLD, LEVELS))
    plan = plan_merge(once, DEFAULT_THRESHOLD, LEVELS)
    assert not plan.changes
    assert apply_plan(once, plan) == once
    assert plan.describe() == ["no duplicate claims (threshold 0.50)"]


def test_a_plan_refuses_a_claim_list_it_was_not_made_for() -> None:
    claims = seed_doubled()
    plan = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS)
    with pytest.raises(ValueError, match="does not fit"):
        apply_plan(claims[:10], plan)
    with pytest.raises(ValueError, match="does not fit"):
        apply_plan(list(reversed(claims)), plan)


# --- one group ---------------------------------------------------------------------------


def test_differing_evidence_holds_the_group_until_decided() -> None:
    claims = seed_doubled()
    claims[8]["evidence"] = "strong"  # anthropic-microscope-2
    claims[1]["evidence"] = "weak"
    plan = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS)
    assert len(plan.groups) == 6
    assert plan.held == (
        HeldGroup(
            ("anthropic-microscope", "anthropic-microscope-2"),
            "evidence differs (anthropic-microscope weak, anthropic-microscope-2 strong): "
            "choose with --evidence strongest|weakest|LEVEL",
        ),
    )
    assert apply_plan(claims, plan)[1] is claims[1]


@pytest.mark.parametrize(("policy", "kept"), [("weakest", "weak"), ("moderate", "moderate")])
def test_evidence_weakest_or_a_level_decides(policy: str, kept: str) -> None:
    claims = seed_doubled()
    claims[8]["evidence"] = "strong"
    claims[1]["evidence"] = "weak"
    group = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS, Choices(evidence=policy)).groups[1]
    assert group.evidence == kept
    assert group.conflict is not None
    assert group.conflict.changelog() == f"evidence: weak and strong \u2192 {kept}"


def test_a_terminal_answer_decides_or_leaves_a_group_alone() -> None:
    claims = seed_doubled()
    claims[8]["evidence"] = "strong"
    claims[1]["evidence"] = "weak"
    asked: list[str] = []

    def decide(group: GroupPlan) -> str | None:
        asked.append(group.survivor_id)
        return "weak" if group.survivor_id == "anthropic-microscope" else None

    plan = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS, Choices(decide=decide))
    assert len(asked) == 7
    [group] = plan.groups
    assert (group.survivor_id, group.evidence) == ("anthropic-microscope", "weak")
    assert group.conflict is not None and group.conflict.decided == "answered at the terminal"
    assert len(plan.held) == 6
    assert plan.held[0].reason == "left alone at the terminal"


def test_only_exclude_and_pair_choose_the_groups() -> None:
    claims = seed_doubled()
    only = Choices(only=("breakthrough-2026-2",))
    assert [g.survivor_id for g in plan_merge(claims, 0.5, LEVELS, only).groups] == [
        "breakthrough-2026"
    ]
    exclude = plan_merge(claims, 0.5, LEVELS, Choices(exclude=("breakthrough-2026",)))
    assert "breakthrough-2026" not in [g.survivor_id for g in exclude.groups]
    assert len(exclude.groups) == 6
    pair = Choices(pairs=(("interpretability-first-architectures", "dual-use-risk"),))
    [group] = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS, pair).groups
    assert (group.survivor_id, group.merged_ids) == (
        "interpretability-first-architectures",
        ("dual-use-risk",),
    )
    assert group.scores[0] < DEFAULT_THRESHOLD


def test_pair_refuses_opposites_unless_forced() -> None:
    claims = [
        claim("open", "Circuit tracing tools are open-sourced"),
        claim("closed", "Circuit tracing tools are not open-sourced"),
    ]
    assert plan_merge(claims, 0.01, LEVELS).groups == ()
    with pytest.raises(Refused, match=r"may contradict each other \('not' on one side only\)"):
        plan_merge(claims, 0.5, LEVELS, Choices(pairs=(("open", "closed"),)))
    forced = plan_merge(claims, 0.5, LEVELS, Choices(pairs=(("open", "closed"),), force=True))
    assert forced.groups[0].merged_ids == ("closed",)


def test_word_for_word_copies_with_one_id_always_merge() -> None:
    claims = [
        claim("a", "Risk is documented"),
        claim("b", "Beta"),
        claim("a", "Risk is documented"),
    ]
    plan = plan_merge(claims, 0.5, LEVELS, Choices(only=("b",)))
    [group] = plan.groups
    assert (group.survivor_index, group.merged_indexes, group.retired) == (0, (2,), ())
    assert apply_plan(claims, plan) == claims[:2]


def test_evidence_conflict_keeps_the_strongest_and_names_each_level() -> None:
    claims = seed_doubled()
    claims[8]["evidence"] = "strong"  # anthropic-microscope-2
    claims[1]["evidence"] = "weak"
    plan = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS, STRONGEST)
    group = plan.groups[1]
    assert group.evidence == "strong"
    assert group.conflict is not None
    assert group.conflict.levels == (
        ("anthropic-microscope", "weak"),
        ("anthropic-microscope-2", "strong"),
    )
    assert apply_plan(claims, plan)[1]["evidence"] == "strong"
    assert "  evidence: weak -> strong" in plan.describe()
    assert (
        "  evidence differs: anthropic-microscope weak, anthropic-microscope-2 strong; "
        "keeps strong (the strongest)"
    ) in plan.describe()


def test_levels_unknown_to_the_kb_rank_weakest() -> None:
    claims = [
        claim("a", "Risk is documented", evidence="anecdotal"),
        claim("b", "Risk is documented"),
    ]
    assert plan_merge(claims, 0.5, LEVELS, STRONGEST).groups[0].evidence == "moderate"


def test_near_duplicate_merges_sources_details_and_ids() -> None:
    claims = [
        claim(
            "anthropic-microscope",
            'Anthropic built a "microscope" for feature-level model inspection',
            detail="Can trace complete reasoning paths inside Claude.",
            sources=["mit-tr-2026"],
            merged=["microscope-old"],
        ),
        claim("dual-use-risk", "Dual-use risk is documented"),
        claim(
            "microscope-features",
            "Anthropic built a \u2018microscope\u2019 for inspecting model features",
            detail="Identifies features and traces their sequences",
            sources=["anthropic-circuit-tracing", "mit-tr-2026"],
            merged=["microscope-older", "microscope-old"],
        ),
    ]
    plan = plan_merge(claims, DEFAULT_THRESHOLD, LEVELS)
    [survivor, untouched] = apply_plan(claims, plan)

    assert untouched is claims[1]
    assert survivor == {
        "id": "anthropic-microscope",
        "statement": 'Anthropic built a "microscope" for feature-level model inspection',
        "evidence": "moderate",
        "sources": ["mit-tr-2026", "anthropic-circuit-tracing"],
        "detail": (
            "Can trace complete reasoning paths inside Claude. "
            "Identifies features and traces their sequences"
        ),
        "merged": ["microscope-old", "microscope-features", "microscope-older"],
    }
    assert id_map(plan) == {
        "microscope-features": "anthropic-microscope",
        "microscope-older": "anthropic-microscope",
        "microscope-old": "anthropic-microscope",
    }


def test_dry_run_description_names_survivor_gains_and_scores() -> None:
    claims = [
        claim("a", "Dual-use risk is documented", detail="Tools could aid deception"),
        claim("b", "The dual-use risk is well documented", sources=["s", "t"], detail="Survey."),
    ]
    assert plan_merge(claims, DEFAULT_THRESHOLD, LEVELS).describe() == [
        "1 group(s), 1 claim(s) merged (threshold 0.50):",
        "a survives: 'Dual-use risk is documented'",
        "  merges b (similarity 0.80): 'The dual-use risk is well documented'",
        "  gains sources: t",
        "  gains detail: 'Survey.'",
    ]


@pytest.mark.parametrize(
    ("details", "expected"),
    [
        (
            ["Named in MIT TR's list.", "Cross-lab consensus."],
            "Named in MIT TR's list. Cross-lab consensus.",
        ),
        (["Named in a list", "cross-lab consensus"], "Named in a list; cross-lab consensus"),
        (["Named (2026).", "Also urgent"], "Named (2026). Also urgent"),
        # Already there, give or take case, quotes and a full stop: not repeated.
        (
            ["Named in MIT TR\u2019s list.", "named in mit tr's LIST"],
            "Named in MIT TR\u2019s list.",
        ),
        (["Named in a list. Urgent.", "urgent"], "Named in a list. Urgent."),
        # Contained as letters but not as words: a different detail.
        (["Named in a listing.", "a list"], "Named in a listing. a list"),
        ([None, "", "  ", "Only this."], "Only this."),
        ([None, "   "], None),
    ],
)
def test_details_are_joined_to_read_well_without_repeats(
    details: list[str | None], expected: str | None
) -> None:
    claims = [
        claim(f"c{i}", "Risk is documented", **({} if d is None else {"detail": d}))
        for i, d in enumerate(details)
    ]
    [survivor] = apply_plan(claims, plan_merge(claims, DEFAULT_THRESHOLD, LEVELS))
    assert survivor.get("detail") == expected


def test_detail_contains_compares_whole_normalised_words() -> None:
    assert detail_contains("A reasoning model was caught.", "Reasoning  MODEL")
    assert not detail_contains("A reasoning model was caught.", "reason")
    assert detail_contains("Costs rose ...", "...")


# --- --from OTHER ------------------------------------------------------------------------

TARGET_SOURCES = [
    {"id": "mit-tr-2026", "title": "Mechanistic Interpretability (MIT Technology Review)"},
    {
        "id": "circuits",
        "title": "Anthropic Circuit Tracing",
        "url": "https://transformer-circuits.pub",
    },
]
OTHER_SOURCES = [
    {"id": "tc", "title": "Transformer Circuits", "url": "HTTPS://Transformer-Circuits.pub/"},
    {"id": "mit", "title": "mechanistic interpretability (MIT Technology Review)"},
    {"id": "circuits", "title": "Circuits Updates", "url": "https://transformer-circuits.pub/2025"},
    {"id": "naseem", "title": "Mech Interp for LLM Alignment"},
]


def _target() -> list[Claim]:
    return [
        claim(
            "attribution-graphs",
            "Circuit tracing reveals end-to-end computational paths via attribution graphs",
            sources=["circuits"],
        ),
        claim(
            "breakthrough-2026",
            "Mechanistic interpretability is a 2026 breakthrough technology",
            sources=["mit-tr-2026"],
            merged=["tools-open"],
        ),
    ]


def _other() -> list[Claim]:
    return [
        claim(
            "graphs",
            "Circuit tracing reveals end-to-end computation paths through attribution graphs",
            sources=["tc", "circuits"],
            evidence="strong",
            detail="Production-scale models.",
            merged=["graphs-old"],
        ),
        claim(
            "tools-open",
            "Circuit tracing tools are open-sourced for the research community",
            sources=["naseem"],
        ),
        claim(
            "attribution-graphs",
            "Attribution graphs are published for Claude 3.5 Haiku",
            sources=["mit"],
        ),
    ]


def from_args() -> tuple[Any, ...]:
    return (_target(), TARGET_SOURCES, _other(), OTHER_SOURCES, 0.5, LEVELS, STRONGEST)


def test_merge_from_maps_sources_by_url_or_title_and_renames_the_rest() -> None:
    plan = plan_merge_from(
        _target(), TARGET_SOURCES, _other(), OTHER_SOURCES, 0.5, LEVELS, STRONGEST
    )
    assert plan.source_map == {
        "tc": "circuits",  # same url, give or take case and a trailing slash
        "mit": "mit-tr-2026",  # same title, give or take case
        "circuits": "circuits-2",  # a different source whose id is taken
        "naseem": "naseem",  # new, id free
    }
    assert plan.new_sources == (
        {
            "id": "circuits-2",
            "title": "Circuits Updates",
            "url": "https://transformer-circuits.pub/2025",
        },
        {"id": "naseem", "title": "Mech Interp for LLM Alignment"},
    )


def test_merge_from_merges_duplicates_and_appends_the_rest_with_unique_ids() -> None:
    plan = plan_merge_from(
        _target(), TARGET_SOURCES, _other(), OTHER_SOURCES, 0.5, LEVELS, STRONGEST
    )
    claims, sources = apply_merge_from(_target(), TARGET_SOURCES, plan)

    assert [c["id"] for c in claims] == [
        "attribution-graphs",
        "breakthrough-2026",
        "tools-open-2",  # "tools-open" is a merged id of the target
        "attribution-graphs-2",
    ]
    first = claims[0]
    assert first["sources"] == ["circuits", "circuits-2"]
    assert first["evidence"] == "strong"
    assert first["detail"] == "Production-scale models."
    # OTHER's ids never named a target claim, so they are not recorded as merged here.
    assert "merged" not in first
    assert claims[2] == claim(
        "tools-open-2",
        "Circuit tracing tools are open-sourced for the research community",
        sources=["naseem"],
    )
    assert [s["id"] for s in sources] == ["mit-tr-2026", "circuits", "circuits-2", "naseem"]
    assert plan.other_id_map == {
        "graphs": "attribution-graphs",
        "graphs-old": "attribution-graphs",
        "tools-open": "tools-open-2",
        "attribution-graphs": "attribution-graphs-2",
    }
    assert plan.target_id_map == {}


def test_merge_from_describes_what_happens_to_each_source_and_claim() -> None:
    plan = plan_merge_from(
        _target(), TARGET_SOURCES, _other(), OTHER_SOURCES, 0.5, LEVELS, STRONGEST
    )
    lines = plan.describe()
    assert lines[:7] == [
        "source tc is circuits",
        "source mit is mit-tr-2026",
        "source circuits added as circuits-2",
        "source naseem added as naseem",
        "claim graphs merges into attribution-graphs",
        "claim tools-open appended as tools-open-2",
        "claim attribution-graphs appended as attribution-graphs-2",
    ]
    assert "attribution-graphs survives: " in lines[8]


def test_merge_from_twice_changes_nothing() -> None:
    target, target_sources = _target(), TARGET_SOURCES
    once = apply_merge_from(
        target,
        target_sources,
        plan_merge_from(target, target_sources, _other(), OTHER_SOURCES, 0.5, LEVELS),
    )
    again = plan_merge_from(*once, _other(), OTHER_SOURCES, 0.5, LEVELS)
    assert again.new_sources == ()
    assert apply_merge_from(*once, again) == once


def test_merge_from_refuses_a_claim_citing_a_source_other_does_not_have() -> None:
    other = [claim("x", "Something new", sources=["nowhere"])]
    with pytest.raises(ValueError, match="x cites unknown source"):
        plan_merge_from(_target(), TARGET_SOURCES, other, [], 0.5, LEVELS)


# --- properties --------------------------------------------------------------------------

_WORDS = ["Risk", "risk", "documented", "models", "model", "trace", "2026", "the", "\u201cx\u201d"]
_text = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map(" ".join)
_sources = st.lists(st.sampled_from("stuvw"), min_size=1, max_size=3, unique=True)
_detail = st.one_of(st.none(), st.just(""), _text, _text.map(lambda t: t + "."))


@st.composite
def claim_lists(draw: st.DrawFn) -> list[Claim]:
    """Claims with unique ids; merged ids unique too and disjoint from claim ids."""
    claims = []
    for i in range(draw(st.integers(0, 10))):
        c: Claim = {
            "id": f"c{i}",
            "statement": draw(_text),
            "evidence": draw(st.sampled_from([*LEVELS, "anecdotal"])),
            "sources": draw(_sources),
        }
        detail = draw(_detail)
        if detail is not None:
            c["detail"] = detail
        merged = [f"m{i}-{k}" for k in range(draw(st.integers(0, 2)))]
        if merged:
            c["merged"] = merged
        claims.append(c)
    return claims


_thresholds = st.floats(min_value=0.01, max_value=1.0)


def _resolve(claims: Sequence[Mapping[str, Any]], old: str) -> Mapping[str, Any] | None:
    for c in claims:
        if c["id"] == old or old in (c.get("merged") or ()):
            return c
    return None


def _check_nothing_lost(
    before: Sequence[Claim], after: Sequence[Claim], ids: Mapping[str, str]
) -> None:
    for old in before:
        now = _resolve(after, ids.get(old["id"], old["id"]))
        assert now is not None
        for merged_id in old.get("merged") or ():  # (a) every old id still resolves
            assert _resolve(after, ids.get(merged_id, merged_id)) is now
        assert set(old["sources"]) <= set(now["sources"])  # (b) no source lost
        if (old.get("detail") or "").strip():  # (b) no detail lost
            assert normalise(old["detail"]) in normalise(now["detail"])
        if old["evidence"] in LEVELS:  # never weaker than any claim merged into it
            assert LEVELS.index(now["evidence"]) <= LEVELS.index(old["evidence"])


@given(claim_lists(), _thresholds)
def test_no_claim_id_source_or_detail_is_lost(claims: list[Claim], threshold: float) -> None:
    plan = plan_merge(claims, threshold, LEVELS)
    after = apply_plan(claims, plan)
    ids = id_map(plan)
    _check_nothing_lost(claims, after, ids)
    for old, new in ids.items():  # the map agrees with the merged lists
        assert _resolve(after, old) is _resolve(after, new)


@given(claim_lists(), _thresholds)
def test_merging_is_idempotent(claims: list[Claim], threshold: float) -> None:
    once = apply_plan(claims, plan_merge(claims, threshold, LEVELS))
    again = plan_merge(once, threshold, LEVELS)
    assert again.groups == ()
    assert apply_plan(once, again) == once


@given(claim_lists(), _thresholds)
def test_ungrouped_claims_keep_their_order_and_values(
    claims: list[Claim], threshold: float
) -> None:
    plan = plan_merge(claims, threshold, LEVELS)
    after = apply_plan(claims, plan)
    grouped = {i for g in plan.groups for i in (g.survivor_index, *g.merged_indexes)}
    survivors = {g.survivor_index for g in plan.groups}
    kept = [c for i, c in enumerate(claims) if i not in grouped]
    assert [c for c in after if any(c is k for k in kept)] == kept
    # Survivors sit where their first copy was: the order is the input's, less the merged.
    assert [c["id"] for c in after] == [
        c["id"] for i, c in enumerate(claims) if i not in grouped or i in survivors
    ]


@settings(max_examples=50)
@given(claim_lists(), claim_lists(), _thresholds)
def test_merge_from_loses_nothing_of_either_concept(
    target: list[Claim], other: list[Claim], threshold: float
) -> None:
    other = [c | {"id": f"o{c['id']}"} for c in other]
    sources = [{"id": s, "title": f"Source {s}"} for s in "stuvw"]
    other_sources = [{"id": s, "title": f"Source {s}" if s < "u" else s} for s in "stuvw"]
    plan = plan_merge_from(target, sources, other, other_sources, threshold, LEVELS)
    after, after_sources = apply_merge_from(target, sources, plan)

    _check_nothing_lost(target, after, plan.target_id_map)
    ids = [c["id"] for c in after]
    assert len(set(ids)) == len(ids)
    for old in other:
        now = next(c for c in after if c["id"] == plan.other_id_map[old["id"]])
        assert {plan.source_map[s] for s in old["sources"]} <= set(now["sources"])
        for merged_id in old.get("merged") or ():
            assert plan.other_id_map[merged_id] == now["id"]
    assert {s["id"] for s in after_sources} >= set(plan.source_map.values())
