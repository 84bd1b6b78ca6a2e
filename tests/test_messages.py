"""Messages that say what is wrong in a curator's terms and what to do, each on its exact
text (issue: messages that pointed nowhere or misled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_kb, run_kb

ALPHA = "concepts/alpha.yaml"


def lint_line(tmp_path: Path, text: str) -> str:
    root = make_kb(tmp_path / "kb", files={ALPHA: text})
    result = run_kb("lint", "--no-cache", ALPHA, cwd=root)
    assert result.code == 1
    return result.out.splitlines()[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id: alpha\ntitle: Alpha\n\tsummary: x\n",
            "concepts/alpha.yaml:3:1: Y001 a tab in the indentation: YAML indents with spaces "
            "only; replace it with spaces",
        ),
        (
            "id: alpha\n\ttitle: Alpha\n",
            "concepts/alpha.yaml:2:1: Y001 a tab in the indentation: YAML indents with spaces "
            "only; replace it with spaces",
        ),
        (
            "id: alpha\nbase: &b {x: 1}\nother:\n  <<: *b\n",
            "concepts/alpha.yaml:4:3: Y003 a YAML merge key (<<) is not supported: write the "
            "values out in full",
        ),
        (
            "",
            "concepts/alpha.yaml:1:1: S003 the page is empty: it needs its fields (kb new "
            "concept ID or kb new thesis ID writes a page that validates)",
        ),
        (
            "- just\n- a list\n",
            "concepts/alpha.yaml:1:1: S003 the page is not a list of fields: each line should "
            "read `field: value`",
        ),
        (
            "id: alpha\naliases: [one, two\ntitle: Alpha\n",
            "concepts/alpha.yaml:2:10: Y001 the list opened here with '[' is never closed: add "
            "the missing ']' (or a comma between its items); YAML noticed at line 3, column 6",
        ),
        (
            "id: alpha\nrelated: {concept: beta\nsummary: x\n",
            "concepts/alpha.yaml:2:10: Y001 the mapping opened here with '{' is never closed: "
            "add the missing '}' (or a comma between its items); YAML noticed at line 3, "
            "column 8",
        ),
    ],
)
def test_yaml_problems_in_a_curators_terms(tmp_path: Path, text: str, expected: str) -> None:
    assert lint_line(tmp_path, text) == expected


def test_an_empty_page_is_refused_by_show_in_the_same_words(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb", files={ALPHA: ""})
    result = run_kb("show", "alpha", cwd=root)
    assert (result.code, result.err) == (
        2,
        "kb: concepts/alpha.yaml:1:1: S003 the page is empty: it needs its fields (kb new "
        "concept ID or kb new thesis ID writes a page that validates)\n",
    )


def test_review_and_stale_name_pages_from_where_the_curator_stands(tmp_path: Path) -> None:
    root = make_kb(tmp_path / "kb")
    alpha = root / ALPHA
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: weak"))
    here = root / "theses"
    stale = run_kb("stale", cwd=here)
    assert stale.out.splitlines()[0] == "thesis t (t.yaml)"
    review = run_kb("review", "t", "--date", "2026-04-21", cwd=here)
    assert review.code == 0, review.err
    assert review.out.splitlines()[0] == "Reviewed t (t.yaml): scored 2026-04-21, score 0.5 kept"
    changelog = run_kb("changelog", "alpha", "x", "--date", "2026-04-21", cwd=here)
    assert changelog.out == "Added a changelog entry to alpha (../concepts/alpha.yaml)\n"
