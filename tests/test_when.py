"""A claim's `when`: the format, `kb add-claim --when`, and what the schema accepts."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from test_add_claim import ALPHA, alpha, kb_with

from kbcli.errors import KbError
from kbcli.schema import PageValidator
from kbcli.when import parse_when, stated_when, stored

from helpers import run_kb

D = datetime.date


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        (2026, D(2026, 1, 1), D(2026, 12, 31)),
        ("2026", D(2026, 1, 1), D(2026, 12, 31)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2026-04-05", D(2026, 4, 5), D(2026, 4, 5)),
        ("2021/2026", D(2021, 1, 1), D(2026, 12, 31)),
        ("2025-11/2026-02-03", D(2025, 11, 1), D(2026, 2, 3)),
    ],
)
def test_parse_when(value: object, start: datetime.date, end: datetime.date) -> None:
    when = parse_when(value)
    assert (when.start, when.end, when.text) == (start, end, str(value))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13", "'2026-13' is not a calendar date"),
        ("2026-02-30", "'2026-02-30' is not a calendar date"),
        ("2026/2021", "'2026/2021': a range must run from the earlier to the later date"),
        ("26", "'26' is not a when"),
        ("2026/", "'2026/' is not a when"),
        (True, "True is not a when"),
        ("", "'' is not a when"),
    ],
)
def test_parse_when_refuses(value: object, message: str) -> None:
    with pytest.raises(KbError) as caught:
        parse_when(value)
    assert str(caught.value).startswith(message)
    assert caught.value.exit_code == 2


def test_stored_writes_a_plain_year_as_a_number() -> None:
    assert (stored("2026"), stored(" 2026-04 "), stored("2021/2026")) == (
        2026,
        "2026-04",
        "2021/2026",
    )


@pytest.mark.parametrize(
    ("texts", "when"),
    [
        (("Mechanistic interpretability is a 2026 breakthrough technology", None), "2026"),
        (("Named in 2026", "as in the 2026 list"), "2026"),  # one year, stated twice
        (("Transformer Circuits Thread (2021-2026) progressed",), "2021/2026"),  # the seed's
        (("By 2025\u201326, this advanced",), "2025/2026"),  # en dash, the century implied
        (("from 2021 to 2026",), "2021/2026"),
        (("between 2020 and 2022",), "2020/2022"),
        (("2021 \u2014 2026", "and (2021/2026) again"), "2021/2026"),  # one span, twice
        (("2024 to 2024",), "2024"),
        (("since 2022",), None),  # a bound: no end
        (("By 2025 it will",), None),
        (("2026-2021",), None),  # runs backwards: no span
        (("2026-04",), None),  # April 2026, or 2026 to 2004?
        (("2025-26",), "2025/2026"),
        (("in 2024, then by 2025-2026",), None),  # two different times
        (("from 2024", "to 2025 in another sentence"), None),  # two unrelated years
        (("40 researchers from major labs warn", "Cross-lab consensus"), None),
        (("arXiv 2602.11180 and model-2026x", "v2026.1"), None),  # not years standing alone
        (("Changed on 2026-04-14",), "2026-04-14"),  # a day
        (("Changed on 2026-02-30",), None),  # no such day
        (("Cited at pp. 2001-2005 of the survey",), None),  # page numbers, no years
        (("see p. 2019 of the 2023 report",), "2023"),
        (("page 2020",), None),
        (("Figure 2021 shows it",), None),
        (("Table 2024",), None),
        (("#2024 on the list",), None),
        (("for $2021",), None),
        (("up 2024%",), None),
        (("Trained on 2048 GPUs in 2023",), "2023"),  # a count is no year
        (("2000 GPUs",), None),
        (("In 2024 researchers showed it",), "2024"),  # "in" makes it a year
        (("2021\u2013present",), None),  # an open end, as "since 2021"
        (("from 2021 onwards",), None),
        (("up to 2021",), None),  # bounds, as "until 2021" and "since 2021"
        (("2021 and later",), None),
    ],
)
def test_stated_when(texts: tuple[str | None, ...], when: str | None) -> None:
    assert stated_when(*texts) == when


def _page(when: object) -> dict[str, object]:
    claim = {"id": "c", "statement": "S", "evidence": "weak", "sources": ["s"], "when": when}
    return {"id": "a", "title": "A", "summary": "S", "claims": [claim], "changelog": []}


@pytest.mark.parametrize("when", [2026, "2026", "2026-04", "2026-04-05", "2021/2026-03"])
def test_schema_accepts_the_format(when: object) -> None:
    assert PageValidator("concept", ("strong", "weak")).problems(_page(when), None) == []


@pytest.mark.parametrize("when", ["2026-13", "x", "2026/", 999, 10000, True, 1.5, "2026 "])
def test_schema_refuses_others(when: object) -> None:
    for fast in (True, False):
        problems = PageValidator("concept", ("strong", "weak"), fast=fast).problems(
            _page(when), None
        )
        assert problems and {p[0] for p in problems} == {"S003"}


def test_schema_message_names_the_format() -> None:
    (problem,) = PageValidator("concept", ("weak",)).problems(_page("2026-4"), None)
    assert problem[1] == (
        "claims[0].when: '2026-4' is not a when (a year (2026), a month (2026-04), "
        "a day (2026-04-05) or a range (2021/2026))"
    )


def test_add_claim_when_writes_the_field(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    result = run_kb(
        "add-claim", "alpha", "Alpha was named in 2026", "-e", "weak", "-s", "greek",
        "--when", "2026", "--no-changelog", "--date", "2026-04-20", cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert alpha(root) == ALPHA.replace(
        "    merged: [alpha-letter]\n",
        """\
    merged: [alpha-letter]
  - id: alpha-named-2026
    statement: Alpha was named in 2026
    evidence: weak
    sources: [greek]
    when: 2026
    added: 2026-04-20
""",
    )
    result = run_kb(
        "add-claim", "alpha", "Alpha was renamed", "-e", "weak", "-s", "greek",
        "--when", "2021/2026-03", "--no-changelog", "--date", "2026-04-20", cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "    when: 2021/2026-03\n    added: 2026-04-20\n" in alpha(root)
    assert run_kb("lint", "--today", "2026-04-20", cwd=root).code == 0


def test_add_claim_refuses_a_bad_when_and_writes_nothing(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    result = run_kb(
        "add-claim", "alpha", "Alpha", "-e", "weak", "-s", "greek", "--when", "2026/2020",
        cwd=root,
    )  # fmt: skip
    assert (result.code, result.out) == (2, "")
    assert result.err == ("kb: '2026/2020': a range must run from the earlier to the later date\n")
    assert alpha(root) == ALPHA


def test_kb_show_prints_when_beside_the_claims_id() -> None:
    from helpers import REPO

    shown = run_kb("show", "mechanistic-interpretability", cwd=REPO / "kb").out
    assert "    breakthrough-2026 · when 2026 · Mechanistic Interpretability (MIT" in shown


def test_schema_pattern_and_shape_agree() -> None:
    from kbcli.schema import load_schema
    from kbcli.when import SHAPE

    assert load_schema("concept.schema.json")["$defs"]["when"]["pattern"] == SHAPE.pattern


def test_lint_reports_a_when_that_is_no_time(tmp_path: Path) -> None:
    page = ALPHA.replace(
        "    merged: [alpha-letter]\n", "    merged: [alpha-letter]\n    when: 2026-02-30\n"
    )
    page = page.replace("sources: [greek]}\n", "sources: [greek], when: 2026/2021}\n", 1)
    root = kb_with(tmp_path, page)
    run = run_kb("lint", "--today", "2026-04-20", cwd=root)
    assert (run.code, run.out) == (
        1,
        "concepts/alpha.yaml:8:100: C010 claims[0].when: '2026/2021': a range must run from the "
        "earlier to the later date\n"
        "concepts/alpha.yaml:16:11: C010 claims[1].when: '2026-02-30' is not a calendar date: "
        "use a year (2026), a month (2026-04), a day (2026-04-05) or a range (2021/2026)\n"
        "Found 2 errors and 0 warnings (3 pages checked).\n",
    )


def test_a_year_before_1000_is_refused_as_the_schema_refuses_the_number(
    tmp_path: Path,
) -> None:
    # `when: 999` fails the schema (minimum 1000); "0999", the same year as text, passed
    # lint, and `kb add-claim --when 0999` wrote `when: 999` and then refused its own page
    # with S003's "999 is less than the minimum of 1000".
    with pytest.raises(KbError) as caught:
        parse_when("0999")
    assert str(caught.value) == "'0999' is not a when: years run from 1000 to 9999"
    root = kb_with(tmp_path)
    result = run_kb(
        "add-claim", "alpha", "Alpha", "-e", "weak", "-s", "greek", "--when", "0999", cwd=root
    )
    assert (result.code, result.err) == (
        2,
        "kb: '0999' is not a when: years run from 1000 to 9999\n",
    )
    assert alpha(root) == ALPHA
    page = ALPHA.replace(
        "    merged: [alpha-letter]\n", "    merged: [alpha-letter]\n    when: '0999/2026'\n"
    )
    run = run_kb("lint", "--today", "2026-04-20", cwd=kb_with(tmp_path / "two", page))
    assert (run.code, run.out) == (
        1,
        "concepts/alpha.yaml:16:11: C010 claims[1].when: '0999/2026' is not a when: years run "
        "from 1000 to 9999\n"
        "Found 1 error and 0 warnings (3 pages checked).\n",
    )
