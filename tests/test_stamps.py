from __future__ import annotations

import json
from typing import Any

import pytest

from kbcli.stamps import (
    Change,
    ChangeKind,
    diff,
    diff_material,
    is_stale,
    layout_free,
    make_stamp,
    material,
    material_from_json,
    material_to_json,
    parse_stamp,
)
from kbcli.yamlio.load import parse

BASE = """\
id: mech-interp
title: Mechanistic Interpretability
summary: |
  Mechanistic interpretability is the effort to understand
  how AI models produce their outputs.
claims:
  - id: breakthrough-2026
    statement: Mechanistic interpretability is a 2026 breakthrough technology
    detail: Named in MIT Technology Review's annual list.
    evidence: moderate
    sources: [mit-tr-2026]
  - id: microscope
    statement: Anthropic built a "microscope" for feature-level model inspection
    evidence: strong
    sources: [anthropic, mit-tr-2026]
sources:
  - {id: mit-tr-2026, title: MIT TR}
  - {id: anthropic, title: Anthropic}
changelog:
  - {date: 2026-04-14, text: Created.}
"""

# The same material content: comments, quoting, key order, flow vs block style, folded
# vs literal scalars, re-indentation, source order, a changed detail/title and changelog.
REFORMATTED = """\
# A comment at the top
changelog:
- date: '2026-04-20'
  text: Re-formatted the page.   # not material
- {date: 2026-04-14, text: Created.}
title: "Mechanistic Interpretability (MI)"
id: mech-interp
claims:
    -   evidence: "moderate"
        statement: >-
            Mechanistic interpretability is a 2026
            breakthrough technology
        id: breakthrough-2026
        sources:
            - mit-tr-2026
        detail: A different detail is not material.
    - {id: microscope, statement: 'Anthropic built a "microscope" for feature-level model
        inspection', evidence: strong, sources: [mit-tr-2026, anthropic]}
summary: "Mechanistic interpretability is the effort to understand how AI models
  produce their outputs."
sources:
- id: anthropic
  title: Anthropic
- id: mit-tr-2026
  title: MIT TR
"""


def load(text: str) -> Any:
    return parse(text).data


def edited(old: str, new: str, text: str = BASE) -> Any:
    assert old in text
    return load(text.replace(old, new))


@pytest.fixture
def base() -> Any:
    return load(BASE)


WHOLE = None
SCOPED = ["breakthrough-2026"]


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_a_fresh_stamp_is_not_stale(base: Any, cited: list[str] | None) -> None:
    stamp = make_stamp(base, cited)
    assert diff(stamp, base, cited) == []
    assert not is_stale(stamp, base, cited)


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_reformatting_is_not_stale(base: Any, cited: list[str] | None) -> None:
    stamp = make_stamp(base, cited)
    assert diff(stamp, load(REFORMATTED), cited) == []
    assert make_stamp(load(REFORMATTED), cited) == stamp


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("evidence: moderate", "evidence: moderate  # still moderate"),
        ("evidence: moderate", "evidence: 'moderate'"),
        ("sources: [mit-tr-2026]\n", "sources: ['mit-tr-2026', mit-tr-2026]\n"),
        ("  - {date: 2026-04-14, text: Created.}", "  - {date: 2026-04-15, text: Rewritten.}"),
        ("title: Mechanistic Interpretability", "title: Something Else"),
        ("    detail: Named in", "    detail: Not material, named in"),
        ("summary: |\n", "summary: >\n"),
        ("2026 breakthrough technology\n", "2026   breakthrough\n      technology\n"),
    ],
)
def test_non_material_edits_are_not_stale(base: Any, old: str, new: str) -> None:
    stamp = make_stamp(base)
    assert diff(stamp, edited(old, new), WHOLE) == []


def test_claim_order_is_not_material(base: Any) -> None:
    swapped = dict(base, claims=list(reversed(base["claims"])))
    assert make_stamp(swapped) == make_stamp(base)


def test_a_change_to_an_uncited_claim_stales_only_whole_concept_citations(base: Any) -> None:
    changed = edited("evidence: strong", "evidence: weak")
    assert diff(make_stamp(base, SCOPED), changed, SCOPED) == []
    assert diff(make_stamp(base), changed) == [
        Change(ChangeKind.EVIDENCE_CHANGED, "microscope", "strong", "weak")
    ]


def test_a_new_claim_stales_only_whole_concept_citations(base: Any) -> None:
    added = load(
        BASE.replace(
            "sources:\n  - {id: mit",
            "  - {id: new-one, statement: New, evidence: weak, sources: [anthropic]}\n"
            "sources:\n  - {id: mit",
        )
    )
    assert diff(make_stamp(base, SCOPED), added, SCOPED) == []
    assert diff(make_stamp(base), added) == [Change(ChangeKind.CLAIM_ADDED, "new-one")]


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_evidence_downgrade_names_both_levels(base: Any, cited: list[str] | None) -> None:
    stamp = make_stamp(base, cited)
    changes = diff(stamp, edited("evidence: moderate", "evidence: weak"), cited)
    assert changes == [Change(ChangeKind.EVIDENCE_CHANGED, "breakthrough-2026", "moderate", "weak")]
    assert changes[0].message == "evidence of claim 'breakthrough-2026' changed: moderate -> weak"


def test_evidence_downgrade_strong_to_moderate(base: Any) -> None:
    stamp = make_stamp(base, ["microscope"])
    changes = diff(stamp, edited("evidence: strong", "evidence: moderate"), ["microscope"])
    assert [c.message for c in changes] == [
        "evidence of claim 'microscope' changed: strong -> moderate"
    ]


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_reworded_statement(base: Any, cited: list[str] | None) -> None:
    stamp = make_stamp(base, cited)
    changed = edited("a 2026 breakthrough", "possibly a 2026 breakthrough")
    assert diff(stamp, changed, cited) == [
        Change(ChangeKind.STATEMENT_CHANGED, "breakthrough-2026")
    ]


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_sources_changed(base: Any, cited: list[str] | None) -> None:
    stamp = make_stamp(base, cited)
    changed = edited("sources: [mit-tr-2026]\n", "sources: [mit-tr-2026, anthropic]\n")
    assert diff(stamp, changed, cited) == [Change(ChangeKind.SOURCES_CHANGED, "breakthrough-2026")]


def test_summary_changed_stales_only_whole_concept_citations(base: Any) -> None:
    changed = edited("the effort to understand", "an attempt to understand")
    assert diff(make_stamp(base), changed) == [Change(ChangeKind.SUMMARY_CHANGED)]
    assert diff(make_stamp(base, SCOPED), changed, SCOPED) == []


REMOVED = BASE.replace(
    """\
  - id: breakthrough-2026
    statement: Mechanistic interpretability is a 2026 breakthrough technology
    detail: Named in MIT Technology Review's annual list.
    evidence: moderate
    sources: [mit-tr-2026]
""",
    "",
)


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_removed_claim(base: Any, cited: list[str] | None) -> None:
    changes = diff(make_stamp(base, cited), load(REMOVED), cited)
    assert changes == [Change(ChangeKind.CLAIM_REMOVED, "breakthrough-2026")]
    assert changes[0].message == "claim 'breakthrough-2026' removed"


MERGED = REMOVED.replace(
    "    sources: [anthropic, mit-tr-2026]\n",
    "    sources: [anthropic, mit-tr-2026]\n    merged: [breakthrough-2026]\n",
)


@pytest.mark.parametrize("cited", [WHOLE, SCOPED])
def test_merged_claim_names_the_survivor(base: Any, cited: list[str] | None) -> None:
    changes = diff(make_stamp(base, cited), load(MERGED), cited)
    assert changes == [
        Change(
            ChangeKind.CLAIM_MERGED, "breakthrough-2026", "moderate", "strong", "microscope",
            reworded=True,
        )
    ]  # fmt: skip
    assert changes[0].message == (
        "claim 'breakthrough-2026' merged into 'microscope' "
        "(evidence moderate -> strong, statement re-worded)"
    )


def test_merge_after_the_citation_was_rewritten_to_the_survivor(base: Any) -> None:
    # `kb merge-claims` rewrites the citation's claims from the merged id to the survivor.
    stamp = make_stamp(base, SCOPED)
    assert diff(stamp, load(MERGED), ["microscope"]) == [
        Change(
            ChangeKind.CLAIM_MERGED, "breakthrough-2026", "moderate", "strong", "microscope",
            reworded=True,
        )
    ]  # fmt: skip


def test_a_cited_claim_the_stamp_never_saw(base: Any) -> None:
    stamp = make_stamp(base, SCOPED)
    assert diff(stamp, base, [*SCOPED, "microscope"]) == [
        Change(ChangeKind.NOT_COVERED, "microscope")
    ]
    # A whole-concept stamp covers every claim, so narrowing the citation is fine.
    assert diff(make_stamp(base), base, SCOPED) == []
    assert diff(stamp, base, WHOLE) == [Change(ChangeKind.SCOPE_CHANGED)]


def test_a_cited_claim_that_did_not_exist_at_review(base: Any) -> None:
    stamp = make_stamp(base, ["later"])
    assert "later=-" in stamp
    assert diff(stamp, base, ["later"]) == []
    added = dict(base, claims=[*base["claims"], {"id": "later", "statement": "s"}])
    assert diff(stamp, added, ["later"]) == [Change(ChangeKind.CLAIM_ADDED, "later")]


def test_a_removed_concept(base: Any) -> None:
    assert diff(make_stamp(base), None) == [Change(ChangeKind.CONCEPT_REMOVED)]


def test_several_changes_each_named(base: Any) -> None:
    text = BASE.replace("evidence: strong", "evidence: weak").replace("a 2026", "the 2026")
    kinds = {(c.kind, c.claim) for c in diff(make_stamp(base), load(text))}
    assert kinds == {
        (ChangeKind.EVIDENCE_CHANGED, "microscope"),
        (ChangeKind.STATEMENT_CHANGED, "breakthrough-2026"),
    }


@pytest.mark.parametrize(
    "stamp",
    [
        "",
        "garbage",
        None,
        42,
        "v2 h:000000000000",
        "v1",
        "v1 s:12345678",
        "v1 h:xyz",
        "v1 h:000000000000 c=1234",
        "v1 h:000000000000 c=12345678:strong",
        "v1 h:000000000000 c=1234567:strong:abcd",
        "v1 h:000000000000 c=-  c=-",
        "v1 h:000000000000 =-",
        "v1 h:000000000000 word",
    ],
)
def test_an_unreadable_stamp_is_reported_not_raised(base: Any, stamp: object) -> None:
    changes = diff(stamp, base)
    assert [c.kind for c in changes] == [ChangeKind.UNREADABLE_STAMP]
    assert changes[0].message.startswith("unreadable stamp: ")


def test_a_tampered_stamp_shows_as_a_content_change(base: Any) -> None:
    # A field hash that happens to match while the content differs (a collision, or a
    # hand edit) is still caught by the digest.
    stamp = make_stamp(base)
    digest = parse_stamp(stamp).digest
    forged = stamp.replace(digest, "0" * 12)
    assert diff(forged, base) == [Change(ChangeKind.CONTENT_CHANGED)]


def test_the_stamp_format(base: Any) -> None:
    stamp = make_stamp(base)
    words = stamp.split(" ")
    assert words[0] == "v1"
    assert words[1].startswith("h:") and len(words[1]) == 14
    assert words[2].startswith("s:") and len(words[2]) == 10
    assert words[3].startswith("breakthrough-2026=") and words[3].split(":")[1] == "moderate"
    assert words[4].startswith("microscope=") and ":strong:" in words[4]
    assert "\n" not in stamp
    assert "s:" not in make_stamp(base, SCOPED)


def test_odd_ids_and_levels_survive_encoding() -> None:
    concept = {"summary": "x", "claims": [{"id": "a b=c:d", "evidence": "very strong: 9/10"}]}
    stamp = make_stamp(concept)
    assert parse_stamp(stamp).claims["a b=c:d"] is not None
    assert diff(stamp, concept) == []
    weaker = {"summary": "x", "claims": [{"id": "a b=c:d", "evidence": "weak"}]}
    assert [c.old for c in diff(stamp, weaker)] == ["very strong: 9/10"]


@pytest.mark.parametrize("page", ["text", [], {"claims": "nope"}, {"claims": [1, {}]}])
def test_malformed_pages_have_material_content(page: object) -> None:
    assert material(page).claims == {}
    assert diff(make_stamp(page), page) == []


def test_layout_free() -> None:
    assert layout_free("  a\n\tb  \n") == "a b"
    assert layout_free("cafe\u0301") == "caf\u00e9"
    assert layout_free(True) == "true"
    assert layout_free(3) == "3"
    assert layout_free(None) == ""


def test_change_to_json() -> None:
    change = Change(ChangeKind.EVIDENCE_CHANGED, "c", "strong", "weak")
    assert change.to_json() == {
        "kind": "evidence changed",
        "message": "evidence of claim 'c' changed: strong -> weak",
        "claim": "c",
        "old": "strong",
        "new": "weak",
    }


def test_material_survives_json(base: Any) -> None:
    mat = material(load(MERGED))
    doc = json.loads(json.dumps(material_to_json(mat)))
    assert material_from_json(doc) == mat
    stamp = make_stamp(base, SCOPED)
    assert diff_material(stamp, material_from_json(doc), SCOPED) == diff(
        stamp, load(MERGED), SCOPED
    )
    assert diff_material(stamp, None, SCOPED) == [Change(ChangeKind.CONCEPT_REMOVED)]


@pytest.mark.parametrize(
    "doc",
    [
        {},
        {"summary": "s", "claims": [], "merged": {}},
        {"summary": 1, "claims": {}, "merged": {}},
        {"summary": "s", "claims": {"c": ["st", "ev"]}, "merged": {}},
        {"summary": "s", "claims": {"c": ["st", "ev", [3]]}, "merged": {}},
        {"summary": "s", "claims": {}, "merged": {"a": None}},
    ],
)
def test_a_foreign_material_record_is_refused(doc: Any) -> None:
    with pytest.raises(ValueError, match="not a material content record"):
        material_from_json(doc)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change(ChangeKind.CLAIM_ADDED, "c"), "claim 'c' added"),
        (Change(ChangeKind.STATEMENT_CHANGED, "c"), "claim 'c' re-worded"),
        (Change(ChangeKind.SOURCES_CHANGED, "c"), "sources of claim 'c' changed"),
        (Change(ChangeKind.NOT_COVERED, "c"), "claim 'c' is cited but the stamp does not cover it"),
        (Change(ChangeKind.SUMMARY_CHANGED), "summary changed"),
        (Change(ChangeKind.CONTENT_CHANGED), "content changed"),
        (Change(ChangeKind.CONCEPT_REMOVED), "concept removed"),
        (
            Change(ChangeKind.SCOPE_CHANGED),
            "the stamp covers specific claims; the citation cites the whole concept",
        ),
    ],
)
def test_messages(change: Change, message: str) -> None:
    assert change.message == message
