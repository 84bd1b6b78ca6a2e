"""`kb import`: the seed page becomes a concept page that lints clean; what it refuses."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbcli.commands.import_page import import_page
from kbcli.config import Config, load_config
from kbcli.errors import KbError
from kbcli.importer import page_text
from kbcli.lint import lint
from kbcli.seed import parse_seed
from kbcli.slug import slugify
from kbcli.yamlio.load import parse

from helpers import CASES, git, git_init, run_kb

CASE = CASES / "import"
SEED = CASE / "mechanistic-interpretability.txt"
EXPECTED = CASE / "expected.yaml"
PAGE = "concepts/mechanistic-interpretability.yaml"
DATE = "2026-04-21"
NO_SCHEMAS_NOTE = (
    "note: for editors, run kb schema --write once: the page's modeline points at "
    "schemas/ in the KB\n"
)


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """The four concepts the seed relates to (as in this repo's kb/), without the seed's."""
    return Path(shutil.copytree(CASE / "kb", tmp_path / "kb"))


def _import(kb: Path, text: str, *args: str) -> tuple[int, str, str]:
    source = kb.parent / "page.txt"
    source.write_text(text, encoding="utf-8")
    result = run_kb("import", str(source), "--date", DATE, *args, cwd=kb)
    return result.code, result.out, result.err


def _files(kb: Path) -> dict[str, bytes]:
    return {str(p.relative_to(kb)): p.read_bytes() for p in sorted(kb.rglob("*.yaml"))}


# -- the seed ---------------------------------------------------------------------------


def test_seed_imports_as_the_expected_page(kb: Path) -> None:
    done = import_page(kb, load_config(kb), SEED, DATE)
    assert done.value.claims == 10 and done.value.listed == 17
    assert (kb / PAGE).read_text(encoding="utf-8") == EXPECTED.read_text(encoding="utf-8")


def test_imported_seed_lints_clean(kb: Path) -> None:
    import_page(kb, load_config(kb), SEED, DATE)
    result = lint(kb, DATE, use_cache=False)
    assert result.findings == []
    assert result.checked == 5


def test_imported_page_keeps_every_line_of_the_seed_it_reads() -> None:
    seed = SEED.read_text(encoding="utf-8").splitlines()
    page = parse(EXPECTED.read_text(encoding="utf-8")).data
    assert page["summary"] == "\n\n".join(seed[2:5]) + "\n"
    assert page["sections"] == [{"heading": seed[13], "body": "\n\n".join(seed[14:18]) + "\n"}]
    # the second Key Claims list holds all ten distinct claims, in the page's order
    for line, claim in zip(seed[19:29], page["claims"], strict=True):
        detail = f" — {claim['detail']} Evidence: {claim['evidence']} ("
        assert line.startswith(f"- {claim['statement']}{detail}")
    assert page["open_questions"] == [line[2:] for line in seed[30:37]]
    assert [r["note"] for r in page["related"]] == [line.split(" — ")[1] for line in seed[38:42]]


def test_cli_reports_what_it_merged_and_skipped(kb: Path) -> None:
    result = run_kb("import", str(SEED), "--date", DATE, cwd=kb)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"Created {PAGE}: 10 claims (17 listed), 3 sources, 4 related concepts",
        "note: skipped line 43: Backlinks (kb computes them)",
        "note: skipped lines 49-57: site furniture from 'Theses that depend on this concept' "
        "to the end",
        "note: merged 7 claim(s) repeated word for word (lines 20-26) into their first listing",
    ]


def test_dry_run_prints_the_yaml_and_writes_nothing(kb: Path) -> None:
    before = _files(kb)
    result = run_kb("import", str(SEED), "--date", DATE, "--dry-run", cwd=kb)
    assert result.code == 0, result.err
    assert result.out == EXPECTED.read_text(encoding="utf-8")
    assert result.err.splitlines()[-1] == f"Dry run: {PAGE} was not written."
    assert _files(kb) == before


def test_dry_run_refuses_a_page_over_the_size_limit_as_the_import_would(kb: Path) -> None:
    config = kb / "kb.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("max_page_bytes: 1048576", "max_page_bytes: 2000"))
    before = _files(kb)
    refusal = (
        f"kb: refusing to write {PAGE}: it would be 8286 bytes, over the limit of 2000 "
        "(max_page_bytes in kb.yaml); nothing was written\n"
    )
    for extra in (["--dry-run"], []):
        result = run_kb("import", str(SEED), "--date", DATE, *extra, cwd=kb)
        assert (result.code, result.out, result.err) == (2, "", refusal)
    assert _files(kb) == before


def test_stubs_whose_ids_yaml_would_misread_are_written_as_text(kb: Path) -> None:
    text = "Zeta Thing\nA summary.\nRelated Concepts\n- null\n- 123 \u2014 a number\n"
    code, _, err = _import(kb, text, "--stubs")
    assert (code, err) == (0, NO_SCHEMAS_NOTE)
    assert (kb / "concepts/123.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schemas/concept.schema.json\n"
        'id: "123"\ntitle: "123"\nstatus: stub\nsummary: a number\nclaims: []\nchangelog:\n'
        f"  - date: {DATE}\n"
        "    text: Stub created by kb import of page.txt, where Zeta Thing names it as related\n"
    )
    assert parse((kb / "concepts/null.yaml").read_text(encoding="utf-8")).data["id"] == "null"
    stubs = ("concepts/null.yaml", "concepts/123.yaml")
    assert [f for f in lint(kb, DATE, use_cache=False).findings if f.path in stubs] == []


# -- refusals -----------------------------------------------------------------------------


def test_never_overwrites_a_page(kb: Path) -> None:
    assert run_kb("import", str(SEED), "--date", DATE, cwd=kb).code == 0
    (kb / PAGE).write_text((kb / PAGE).read_text() + "# my edit\n")
    before = _files(kb)
    again = run_kb("import", str(SEED), "--date", DATE, cwd=kb)
    assert again.code == 1
    assert "already exists; kb import never overwrites a page" in again.err
    assert _files(kb) == before
    dry = run_kb("import", str(SEED), "--dry-run", "--date", DATE, cwd=kb)
    assert dry.code == 1 and dry.out == ""


def test_an_existing_yml_page_counts_too(kb: Path) -> None:
    (kb / "concepts" / "mechanistic-interpretability.yml").write_text("id: x\n")
    assert run_kb("import", str(SEED), "--date", DATE, cwd=kb).code == 1


def test_id_option_imports_under_another_id(kb: Path) -> None:
    result = run_kb("import", str(SEED), "--id", "mech-interp", "--date", DATE, cwd=kb)
    assert result.code == 0, result.err
    assert parse((kb / "concepts/mech-interp.yaml").read_text()).data["id"] == "mech-interp"


@pytest.mark.parametrize("bad", ["Mech_Interp", "../escape", "a--b", "-x"])
def test_bad_id_is_a_usage_error(kb: Path, bad: str) -> None:
    result = run_kb("import", str(SEED), "--id", bad, "--date", DATE, cwd=kb)
    assert result.code == 2
    assert "is not a valid concept id" in result.err
    assert not list((kb / "concepts").glob("*mech*"))


GOOD_CLAIM = "- A claim — Its detail. Evidence: strong (A Source)"
HEAD = "A Page\nStub\nThe summary.\n"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("Key Claims\n- A claim with no evidence\n", 5, "a Key Claims item must read"),
        ("Key Claims\n- A claim — detail. Evidence: huge (S)\n", 5, "unknown evidence level"),
        (f"Key Claims\n{GOOD_CLAIM}\nThis sentence is prose.\n", 6, "text inside Key Claims"),
        ("Changelog\n- 2026-13-01 — Bad month\n", 5, "is not a date"),
        ("Changelog\n- Added things\n", 5, "a Changelog item must read"),
        ("Overview\n- an item\n", 5, "a list under 'Overview' (line 4), which is not a list"),
        ("Details\nSome prose.\n- an item\n", 6, "a section: kb import reads lists only under"),
        ("More prose in the summary.\n- an item\n", 5, "the summary: kb import reads lists"),
        ("Open Questions\nWhy is this not an item?\n", 5, "text inside Open Questions"),
        (f"Key Claims\n{GOOD_CLAIM}\nAppendix\n", 6, "text inside Key Claims"),
    ],
)
def test_unreadable_section_is_refused_with_its_line(
    kb: Path, body: str, line: int, message: str
) -> None:
    before = _files(kb)
    code, out, err = _import(kb, HEAD + body)
    assert code == 2
    assert f"page.txt:{line}:1: cannot import: " in err
    assert message in err
    assert out == ""
    assert _files(kb) == before


def test_an_empty_file_or_a_page_without_summary_is_refused(kb: Path) -> None:
    assert "the file is empty" in _import(kb, "\n\n")[2]
    code, _, err = _import(kb, "A Page\nKey Claims\n" + GOOD_CLAIM + "\n")
    assert code == 2 and "no summary" in err


def test_a_file_kb_cannot_read_is_an_input_error(kb: Path) -> None:
    (kb.parent / "latin1.txt").write_bytes(b"Caf\xe9\nThe summary.\n")
    result = run_kb("import", str(kb.parent / "latin1.txt"), cwd=kb)
    assert result.code == 2 and "not UTF-8" in result.err
    missing = run_kb("import", str(kb.parent / "nope.txt"), cwd=kb)
    assert missing.code == 2 and "cannot read the file" in missing.err


# -- what the importer decides ------------------------------------------------------------


def test_related_names_match_ids_titles_and_aliases_and_others_are_reported(kb: Path) -> None:
    text = HEAD + (
        "Related Concepts\n"
        "- circuit-tracing — by id\n"
        "- COT — by alias, whatever the case\n"
        "- Agent Safety & Alignment — by title\n"
        "- A Page — the page itself\n"
        "- Quantum Gravity — nowhere in the KB\n"
        "- Circuit Tracing — named twice\n"
    )
    code, out, _ = _import(kb, text)
    assert code == 0
    page = parse((kb / "concepts/a-page.yaml").read_text()).data
    assert page["related"] == [
        {"concept": "circuit-tracing", "note": "by id"},
        {"concept": "chain-of-thought-reasoning", "note": "by alias, whatever the case"},
        {"concept": "agent-safety-and-alignment", "note": "by title"},
        {"concept": "quantum-gravity", "note": "nowhere in the KB"},  # kept as data
    ]
    assert "related concept 'A Page' (line 8) is this page: not listed" in out
    assert (
        "note: related concept 'Quantum Gravity' (line 9) has no page in the KB: listed as "
        "'quantum-gravity', which kb lint reports until you run "
        "`kb new concept quantum-gravity --title 'Quantum Gravity'` (or import with --stubs)\n"
    ) in out
    assert "#" not in (kb / "concepts/a-page.yaml").read_text().split("\n", 1)[1]


def test_a_missing_related_concept_is_one_lint_finding_until_its_page_exists(
    kb: Path,
) -> None:
    (kb / "concepts/agentic-reasoning.yaml").unlink()
    assert import_page(kb, load_config(kb), SEED, DATE).value.related == 4
    lint_run = run_kb("lint", "--today", DATE, cwd=kb)
    assert (lint_run.code, lint_run.out) == (
        1,
        f"{PAGE}:110:14: R004 related: no concept 'agentic-reasoning' in this KB "
        "(create it: kb new concept agentic-reasoning --title 'Agentic Reasoning')\n"
        "Found 1 error and 0 warnings (4 pages checked).\n",
    )
    created = run_kb("new", "concept", "agentic-reasoning", "--title", "Agentic Reasoning",
                     "--date", DATE, cwd=kb)  # fmt: skip
    assert created.code == 0
    assert run_kb("lint", "--today", DATE, cwd=kb).code == 0
    shown = run_kb("show", "agentic-reasoning", cwd=kb).out
    assert "Backlinks\n  - Mechanistic Interpretability (mechanistic-interpretability)" in shown


def test_stubs_creates_a_minimal_valid_page_per_missing_related_concept(kb: Path) -> None:
    for stem in ("agentic-reasoning", "agent-safety-and-alignment"):
        (kb / f"concepts/{stem}.yaml").unlink()
    code, out, err = _import(kb, SEED.read_text(encoding="utf-8"), "--stubs")
    assert (code, err) == (0, NO_SCHEMAS_NOTE)  # the case's KB has no schemas/
    assert "note: created concepts/agentic-reasoning.yaml, a stub for 'Agentic Reasoning'\n" in out
    assert (kb / "concepts/agent-safety-and-alignment.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../schemas/concept.schema.json\n"
        "id: agent-safety-and-alignment\n"
        "title: Agent Safety & Alignment\n"
        "status: stub\n"
        "summary: Interpretability is a prerequisite for verifying alignment\n"
        "claims: []\n"
        "changelog:\n"
        f"  - date: {DATE}\n"
        "    text: Stub created by kb import of page.txt, where Mechanistic Interpretability "
        "names it as related\n"
    )
    assert lint(kb, DATE, use_cache=False).findings == []


def test_a_source_named_like_the_page_gets_an_id_of_its_own(kb: Path) -> None:
    import_page(kb, load_config(kb), SEED, DATE)
    page = parse((kb / PAGE).read_text(encoding="utf-8")).data
    assert [s["id"] for s in page["sources"]] == [
        "mechanistic-interpretability-source",
        "anthropic-circuit-tracing",
        "mech-interp-for-llm-alignment",
    ]


def test_a_claim_stating_one_year_or_one_span_gets_it_as_when(kb: Path) -> None:
    import_page(kb, load_config(kb), SEED, DATE)
    page = parse((kb / PAGE).read_text(encoding="utf-8")).data
    dated = {c["id"]: c["when"] for c in page["claims"] if "when" in c}
    # "a 2026 breakthrough"; "Transformer Circuits Thread (2021-2026)" is a span: a range.
    # The other eight claims state no year.
    assert dated == {
        "mechanistic-interpretability-2026-breakthrough-technology": 2026,
        "circuit-tracing-reveals-end-end-computational": "2021/2026",
    }


def test_a_name_two_concepts_answer_to_is_not_guessed(kb: Path) -> None:
    for stem in ("one", "two"):
        (kb / f"concepts/{stem}.yaml").write_text(
            f"id: {stem}\ntitle: Same Title\nsummary: S.\nclaims: []\nchangelog: []\n"
        )
    code, out, _ = _import(kb, HEAD + "Related Concepts\n- Same Title — which one?\n")
    assert code == 0
    assert (
        "related concept 'Same Title' (line 5) matches several concepts of the KB: not listed"
        in out
    )


def test_near_duplicate_claims_merge_as_merge_claims_merges_them(kb: Path) -> None:
    text = HEAD + (
        "Key Claims\n"
        "- Sparse autoencoders extract monosemantic features — First detail. "
        "Evidence: moderate (Source A)\n"
        "- An unrelated claim about attribution graphs. Evidence: weak (Source A)\n"
        "Key Claims\n"
        "- Sparse autoencoders extract monosemantic feature — Second detail. "
        "Evidence: strong (Source B)\n"
    )
    code, out, _ = _import(kb, text)
    assert code == 0, out
    page = parse((kb / "concepts/a-page.yaml").read_text()).data
    first = page["claims"][0]
    assert first == {
        "id": "sparse-autoencoders-extract-monosemantic-features",
        "statement": "Sparse autoencoders extract monosemantic features",
        "detail": "First detail. Second detail.",
        "evidence": "strong",
        "sources": ["source-a", "source-b"],
    }
    assert page["claims"][1]["statement"] == "An unrelated claim about attribution graphs."
    assert "detail" not in page["claims"][1]
    assert (
        "merged near-duplicates: sparse-autoencoders-extract-monosemantic-features survives" in out
    )
    assert "merges the claim on line 8 (similarity" in out
    assert "evidence differs" in out


def test_changelog_follows_the_configured_order(kb: Path) -> None:
    (kb / "kb.yaml").write_text("changelog_order: oldest-first\n")
    text = HEAD + "Changelog\n- 2026-04-14 — Later\n- 2026-04-05 — Earlier\n"
    assert _import(kb, text)[0] == 0
    page = parse((kb / "concepts/a-page.yaml").read_text()).data
    assert [e["date"] for e in page["changelog"]] == ["2026-04-05", "2026-04-14", DATE]
    assert lint(kb, DATE, [kb / "concepts/a-page.yaml"], use_cache=False).findings == []


@pytest.mark.parametrize(
    ("second", "status"),
    [
        ("Active FrontierA Page", "active-frontier"),  # the badge runs into the title
        ("Stub", "stub"),
        ("This page has no status line, only a summary.", None),
    ],
)
def test_status_line(second: str, status: str | None) -> None:
    seed = parse_seed(f"A Page\n{second}\nThe summary.\n", ("strong",))
    assert seed.status == (None if status is None else second.removesuffix("A Page"))
    assert (seed.summary == ["The summary."]) == (status is not None)


def test_slugs() -> None:
    assert slugify("Agent Safety & Alignment") == "agent-safety-and-alignment"
    assert slugify("Mech Interp for LLM Alignment") == "mech-interp-for-llm-alignment"
    assert slugify("Caf\u00e9\u2019s Th\u00e9orie") == "cafes-theorie"
    assert slugify("!!!") == ""


def test_a_title_without_letters_needs_an_id(kb: Path) -> None:
    code, _, err = _import(kb, "!!!\nThe summary of a page.\n")
    assert code == 2 and "pass --id" in err


def test_the_core_refuses_a_bad_date(kb: Path) -> None:
    with pytest.raises(KbError, match="is not a date"):
        import_page(kb, Config(), SEED, "2026-02-30")


_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029"),
    min_size=1,
    max_size=40,
)


@given(statement=_TEXT, note=_TEXT, body=st.lists(_TEXT, min_size=1, max_size=3))
def test_page_text_reads_back_as_the_page(statement: str, note: str, body: list[str]) -> None:
    page = {
        "id": "x",
        "title": statement,
        "summary": "\n\n".join(body) + "\n",
        "claims": [{"id": "c", "statement": statement, "evidence": "strong", "sources": ["s"]}],
        "open_questions": [note],
        "changelog": [],
    }
    # page_text checks the read-back itself and raises if it differs
    assert parse(page_text(page)).data == page


def test_backlinks_items_are_skipped_and_a_page_may_have_no_status(kb: Path) -> None:
    text = (
        "A Page\nThis page starts with its summary, without a status line.\n"
        "Backlinks\nPages that reference this concept:\n- Circuit Tracing\n"
    )
    code, out, _ = _import(kb, text)
    assert code == 0
    assert "note: skipped line 3: Backlinks (kb computes them)" in out
    page = parse((kb / "concepts/a-page.yaml").read_text()).data
    assert "status" not in page and "related" not in page and page["claims"] == []


def test_first_line_must_be_a_title(kb: Path) -> None:
    code, _, err = _import(kb, "- an item\nThe summary.\n")
    assert code == 2 and "page.txt:1:1: the first line must be the page's title" in err


def test_an_oversized_file_is_refused(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kbcli.importer

    monkeypatch.setattr(kbcli.importer, "MAX_INPUT_BYTES", 10)
    with pytest.raises(KbError, match="over 10 bytes"):
        import_page(kb, load_config(kb), SEED, DATE)


def test_commit_commits_the_new_page(kb: Path) -> None:
    git_init(kb)
    result = run_kb("import", str(SEED), "--date", DATE, "--commit", cwd=kb)
    assert result.code == 0, result.err
    assert git(kb, "log", "-1", "--format=%s").strip() == (
        "kb: import mechanistic-interpretability from mechanistic-interpretability.txt"
    )
    assert git(kb, "ls-files", PAGE).strip() == PAGE
    assert git(kb, "status", "--porcelain", PAGE).strip() == ""  # committed as written


def test_into_a_kb_without_editor_schemas_a_note_says_how_to_get_them(tmp_path: Path) -> None:
    # The page's modeline points at schemas/ in the KB: as kb new does, kb import says so
    # when that folder is missing, or editors report "Unable to load schema" on the page.
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "kb.yaml").write_text("{}\n", encoding="utf-8")
    run = run_kb("import", str(SEED), "--date", DATE, "--stubs", cwd=root)
    assert run.code == 0
    assert run.err == NO_SCHEMAS_NOTE
    assert run_kb("schema", "--write", cwd=root).code == 0
    again = run_kb("import", str(SEED), "--date", DATE, "--id", "seed-again", cwd=root)
    assert (again.code, again.err) == (0, "")


def test_two_related_names_that_make_one_id_say_which_note_was_not_kept(kb: Path) -> None:
    # "C++ Templates" and "C Templates" both make 'c-templates': the second entry, and its
    # note, went missing without a word.
    text = HEAD + (
        "Related Concepts\n"
        "- C++ Templates — compile-time code\n"
        "- C Templates — another name\n"
        "- C++ Templates — compile-time code\n"
    )
    code, out, _ = _import(kb, text)
    assert code == 0
    page = parse((kb / "concepts/a-page.yaml").read_text()).data
    assert page["related"] == [{"concept": "c-templates", "note": "compile-time code"}]
    notes = [line for line in out.splitlines() if "(line 6)" in line or "(line 7)" in line]
    assert notes == [
        "note: related concept 'C Templates' (line 6) is 'c-templates' again, as on line 5: "
        "listed once, without its note 'another name'"
    ]
