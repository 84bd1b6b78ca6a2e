"""Edits pass their own lint: every date option is read by one strict YYYY-MM-DD parser, a
date after today is refused for an edit, and dated entries go to their date's place."""

from __future__ import annotations

import datetime
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import make_kb, run_kb

TODAY = datetime.date.today()
ALPHA = "concepts/alpha.yaml"


def read(root: Path, rel: str = ALPHA) -> str:
    return (root / rel).read_text(encoding="utf-8")


def changelog_of(text: str) -> str:
    return text[text.index("changelog:") :]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_kb(tmp_path / "kb")


def test_a_backdated_changelog_entry_goes_to_its_place_newest_first(root: Path) -> None:
    result = run_kb("changelog", "alpha", "Re-read the sources", "--date", "2026-04-10", cwd=root)
    assert result.code == 0, result.err
    assert changelog_of(read(root)) == (
        "changelog:\n"
        "  - {date: 2026-04-14, text: Added a claim}\n"
        "  - {date: 2026-04-10, text: Re-read the sources}\n"
        "  - {date: 2026-04-05, text: Created}\n"
    )
    assert run_kb("lint", "--strict", cwd=root).code == 0


def test_a_same_day_entry_goes_above_its_day_newest_first(root: Path) -> None:
    assert (
        run_kb("changelog", "alpha", "Later that day", "--date", "2026-04-14", cwd=root).code == 0
    )
    assert changelog_of(read(root)).splitlines()[1:3] == [
        "  - {date: 2026-04-14, text: Later that day}",
        "  - {date: 2026-04-14, text: Added a claim}",
    ]


NEWEST_FIRST = "  - {date: 2026-04-14, text: Added a claim}\n  - {date: 2026-04-05, text: Created}"
OLDEST_FIRST = "  - {date: 2026-04-05, text: Created}\n  - {date: 2026-04-14, text: Added a claim}"


def test_oldest_first_puts_a_backdated_entry_in_its_place(tmp_path: Path) -> None:
    root = make_kb(
        tmp_path / "kb",
        files={
            "kb.yaml": "changelog_order: oldest-first\n",
            ALPHA: read(make_kb(tmp_path / "src")).replace(NEWEST_FIRST, OLDEST_FIRST),
        },
    )
    assert run_kb("changelog", "alpha", "Between", "--date", "2026-04-10", cwd=root).code == 0
    assert changelog_of(read(root)) == (
        "changelog:\n"
        "  - {date: 2026-04-05, text: Created}\n"
        "  - {date: 2026-04-10, text: Between}\n"
        "  - {date: 2026-04-14, text: Added a claim}\n"
    )
    assert run_kb("lint", "--strict", cwd=root).code == 0


def test_a_backdated_claim_and_its_entry_keep_both_lists_in_order(root: Path) -> None:
    args = ("add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "greek")
    assert run_kb(*args, "--date", "2026-04-20", cwd=root).code == 0
    args2 = ("add-claim", "alpha", "Alpha opens the alphabet", "-e", "weak", "-s", "greek")
    assert run_kb(*args2, "--date", "2026-04-08", cwd=root).code == 0
    text = read(root)
    assert text[text.index("  - id: alpha-opens") : text.index("sources:\n  - {")] == (
        "  - id: alpha-opens-alphabet\n"
        "    statement: Alpha opens the alphabet\n"
        "    evidence: weak\n"
        "    sources: [greek]\n"
        "    added: 2026-04-08\n"
        "  - id: alpha-vowel\n"
        "    statement: Alpha is a vowel\n"
        "    evidence: weak\n"
        "    sources: [greek]\n"
        "    added: 2026-04-20\n"
    )
    assert changelog_of(text) == (
        "changelog:\n"
        '  - {date: 2026-04-20, text: "Added claim alpha-vowel: Alpha is a vowel"}\n'
        "  - {date: 2026-04-14, text: Added a claim}\n"
        '  - {date: 2026-04-08, text: "Added claim alpha-opens-alphabet: Alpha opens the '
        'alphabet"}\n'
        "  - {date: 2026-04-05, text: Created}\n"
    )
    assert run_kb("lint", "--strict", cwd=root).code == 0


def test_a_new_concept_then_a_backdated_claim_passes_lint(root: Path) -> None:
    assert run_kb("new", "concept", "gamma", "--title", "Gamma", cwd=root).code == 0
    args = ("add-claim", "gamma", "Gamma is third", "-e", "weak", "-s", "greek")
    result = run_kb(*args, "--source-title", "The Greek alphabet", "--date", "2026-04-21", cwd=root)
    assert result.code == 0, result.err
    assert run_kb("lint", "--strict", cwd=root).code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("changelog", "alpha", "x"),
        ("add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "greek"),
        ("new", "concept", "gamma", "--title", "Gamma"),
        ("review", "t"),
        ("merge-claims", "alpha"),
    ],
)
def test_a_date_after_today_is_refused_for_edits(root: Path, args: tuple[str, ...]) -> None:
    before = {p: p.read_bytes() for p in root.rglob("*.yaml")}
    days = {datetime.date.today().isoformat()}
    result = run_kb(*args, "--date", "2099-01-01", cwd=root)
    days.add(datetime.date.today().isoformat())  # the run may cross midnight
    assert (result.code, result.out) == (2, "")
    assert result.err in {
        f"kb: --date 2099-01-01 is after today ({day}): kb records changes on "
        "the day they are made, never ahead\n"
        for day in days
    }
    assert {p: p.read_bytes() for p in root.rglob("*.yaml")} == before


@pytest.mark.parametrize(
    "value", ["2026-W16-1", "20260416", "2026-4-16", "2026-02-30", "\uff12\uff10\uff12\uff16-04-16"]
)
def test_every_date_option_takes_only_yyyy_mm_dd(root: Path, value: str) -> None:
    for args in (("lint", "--today", value), ("changelog", "alpha", "x", "--date", value)):
        result = run_kb(*args, cwd=root)
        assert (result.code, result.err) == (2, f"kb: {value!r} is not a date (YYYY-MM-DD)\n")


def test_the_today_option_dates_the_future_check(root: Path) -> None:
    result = run_kb("lint", "--today", "2026-04-10", cwd=root)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "concepts/alpha.yaml:19:12: C002 changelog entry is dated 2026-04-14, after today "
        "(2026-04-10)"
    )


def test_new_thesis_refuses_a_date_it_would_ignore(root: Path) -> None:
    result = run_kb("new", "thesis", "t2", "--title", "T2", "--date", "2026-04-01", cwd=root)
    assert (result.code, result.out) == (2, "")
    assert result.err == (
        "kb: kb new thesis takes no --date: a thesis is dated when it is scored "
        "(kb review THESIS --score S --date D)\n"
    )
    assert not (root / "theses" / "t2.yaml").exists()


# -- any sequence of edits with any past dates leaves a KB that lint --strict passes -----

_SUBJECTS = ("Circuits", "Features", "Probes", "Heads", "Neurons", "Monitors")
_past = st.dates(min_value=datetime.date(2020, 1, 1), max_value=TODAY).map(lambda d: d.isoformat())
_edit = st.tuples(
    st.sampled_from(["changelog", "add-claim", "new"]), st.sampled_from([0, 1]), _past
)


@settings(max_examples=15, deadline=None)
@given(st.lists(_edit, min_size=1, max_size=6))
def test_lint_strict_is_clean_after_any_edits_with_past_dates(
    edits: list[tuple[str, int, str]],
) -> None:
    top = Path(tempfile.mkdtemp(prefix="kb-dates-"))
    try:
        root = make_kb(top / "kb")
        concepts = ["alpha", "beta"]
        for n, (verb, which, day) in enumerate(edits):
            concept = concepts[which % len(concepts)]
            if verb == "changelog":
                args: tuple[str, ...] = ("changelog", concept, f"Edit number {n}")
            elif verb == "add-claim":
                # statements that differ in a word, not a number (C009 would call those
                # a possible contradiction)
                args = ("add-claim", concept, f"{_SUBJECTS[n]} are studied", "-e", "weak")
                args += ("-s", f"src-{n}", "--source-title", f"Source {n}")
                if concept == "alpha":
                    args = (*args[:-4], "-s", "greek")
            else:
                concept = f"new-{n}"
                concepts.append(concept)
                args = ("new", "concept", concept, "--title", f"New {n}")
            result = run_kb(*args, "--date", day, cwd=root)
            assert result.code == 0, (args, result.err)
        lint = run_kb("lint", "--strict", "--no-cache", cwd=root)
        assert lint.code == 0, lint.out
        assert lint.out.startswith("All clean"), lint.out
    finally:
        shutil.rmtree(top)


def test_the_one_parser_for_date_options() -> None:
    """`dates.edit_date` (every --date of an edit) and `given_date` (lint's --today): today
    when not given, the date itself when valid, KbError (exit 2) otherwise."""
    from kbcli.dates import edit_date, given_date
    from kbcli.errors import KbError

    assert edit_date(None, "2026-04-16") == "2026-04-16"
    assert edit_date("2026-04-15", "2026-04-16") == "2026-04-15"
    assert edit_date("2026-04-16", "2026-04-16") == "2026-04-16"
    assert given_date("2030-01-01", "2026-04-16") == "2030-01-01"  # --today may be ahead
    with pytest.raises(KbError, match=r"--date 2026-04-17 is after today \(2026-04-16\)") as exc:
        edit_date("2026-04-17", "2026-04-16")
    assert exc.value.exit_code == 2
    for bad in ("2026-4-16", "20260416", "2026-W16-4", "2026-02-30", " 2026-04-16"):
        with pytest.raises(KbError, match="is not a date"):
            edit_date(bad, "2026-04-16")
        with pytest.raises(KbError, match="is not a date"):
            given_date(bad, "2026-04-16")
