"""`kb changelog`: whole files after an entry, in each configured order; refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import make_kb, run_kb

PAGE = """\
id: alpha
title: Alpha
summary: The first concept.   # short on purpose
claims: []

changelog:   # hand-kept
  # the latest work
  - date: 2026-04-14
    text: >-
      Added a claim,
      folded over two lines
  - {date: 2026-04-05, text: 'Created'}

# trailing comment
"""


def kb_with(tmp_path: Path, page: str = PAGE, config: str = "{}\n") -> Path:
    return make_kb(tmp_path / "kb", files={"concepts/alpha.yaml": page, "kb.yaml": config})


def page(root: Path) -> str:
    return (root / "concepts" / "alpha.yaml").read_bytes().decode("utf-8")


def test_newest_first_goes_on_top(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    result = run_kb("changelog", "alpha", "Rewrote the summary", "--date", "2026-04-20", cwd=root)
    assert (result.code, result.out, result.err) == (
        0,
        "Added a changelog entry to alpha (concepts/alpha.yaml)\n",
        "",
    )
    assert (
        page(root)
        == """\
id: alpha
title: Alpha
summary: The first concept.   # short on purpose
claims: []

changelog:   # hand-kept
  # the latest work
  - date: 2026-04-20
    text: Rewrote the summary
  - date: 2026-04-14
    text: >-
      Added a claim,
      folded over two lines
  - {date: 2026-04-05, text: 'Created'}

# trailing comment
"""
    )


def test_oldest_first_goes_at_the_end(tmp_path: Path) -> None:
    root = kb_with(tmp_path, config="# ours\nchangelog_order: oldest-first\n")
    result = run_kb(
        "changelog", "alpha", "  Rewrote:\n the summary ", "--date", "2026-04-20", cwd=root
    )
    assert result.code == 0, result.err
    assert page(root) == PAGE.replace(
        "  - {date: 2026-04-05, text: 'Created'}\n",
        "  - {date: 2026-04-05, text: 'Created'}\n"
        '  - {date: 2026-04-20, text: "Rewrote: the summary"}\n',
    )


def test_first_entry_of_an_empty_flow_changelog(tmp_path: Path) -> None:
    root = kb_with(tmp_path, "id: alpha\ntitle: Alpha\nsummary: S\nclaims: []\nchangelog: []\n")
    assert run_kb("changelog", "alpha", "Created", "--date", "2026-04-20", cwd=root).code == 0
    assert page(root) == (
        "id: alpha\ntitle: Alpha\nsummary: S\nclaims: []\nchangelog:\n"
        "  - date: 2026-04-20\n    text: Created\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["alpha", "Did things", "--date", "2026-13-01"],
            "'2026-13-01' is not a date (YYYY-MM-DD)",
        ),
        (["alpha", " \t", "--date", "2026-04-20"], "the changelog text is empty: say what changed"),
        (
            ["t", "Did things", "--date", "2026-04-20"],
            "no concept 't' (expected concepts/t.yaml)",
        ),
        (
            ["Alpha", "Did things", "--date", "2026-04-20"],
            "'Alpha' is not a valid concept id: use lowercase letters and digits joined by "
            "single hyphens (no paths)",
        ),
    ],
)
def test_refusals_leave_the_page_untouched(tmp_path: Path, args: list[str], message: str) -> None:
    root = kb_with(tmp_path)
    result = run_kb("changelog", *args, cwd=root)
    assert (result.code, result.out, result.err) == (2, "", f"kb: {message}\n")
    assert page(root) == PAGE


def test_core_entry_text_is_one_line(tmp_path: Path) -> None:
    from kbcli.commands.changelog import add_entry
    from kbcli.config import Config

    root = kb_with(tmp_path).resolve()
    done = add_entry(root, Config(), "alpha", "a\nb", "2026-04-20")
    assert (done.value.text, done.value.rel, done.commit) == ("a b", "concepts/alpha.yaml", None)
