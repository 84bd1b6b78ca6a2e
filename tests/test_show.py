"""`kb show`: a concept at a fixed width, compared as whole text; colour only when asked."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbcli.commands.show import show_concept
from kbcli.config import load_config
from kbcli.errors import KbError

from helpers import git, git_init, make_kb, run_kb

ALPHA = """\
id: alpha
title: Alpha
status: settled
aliases: [first letter]
summary: |
  The first concept. It comes before every other letter of the Greek alphabet, which is
  why a summary this long has to wrap at the terminal's width.

  A second paragraph.
sections:
  - {heading: History, body: "Borrowed from the Phoenician aleph."}
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    evidence: strong
    sources: [greek]
  - id: alpha-is-a-letter
    statement: Alpha is a letter, and this statement is long enough to need a second line
    detail: Every alphabet has one.
    evidence: moderate
    sources: [greek, unicode]
sources:
  - {id: greek, title: The Greek alphabet}
  - {id: unicode, title: The Unicode Standard, url: "https://unicode.org"}
open_questions: ["Is alpha ever second?"]
related:
  - {concept: beta, note: comes next}
changelog:
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: Created}
"""

GAMMA = """\
id: gamma
title: Gamma
summary: The third concept.
claims: []
related:
  - {concept: alpha}
changelog: []
"""

# cites alpha-is-a-letter as it was when it was reviewed: evidence strong
STALE = """\
id: u
title: Letters matter
position: They do.
score: 0.4
scored: 2026-04-18
cites:
  - concept: alpha
    claims: [alpha-is-a-letter]
    stamp: "v1 h:f99542303e10 alpha-is-a-letter=4b286571:strong:2f6a"
"""

UNREVIEWED = """\
id: v
title: Alpha as a whole
position: Alpha is a good start.
cites:
  - concept: alpha
"""

EXPECTED = """\
Alpha
settled · also first letter · concepts/alpha.yaml

The first concept. It comes before every other letter of the Greek alphabet,
which is why a summary this long has to wrap at the terminal's width.

A second paragraph.

Key Claims (2)
strong evidence
  - Alpha comes first
    alpha-is-first · The Greek alphabet
moderate evidence
  - Alpha is a letter, and this statement is long enough to need a second line
    Every alphabet has one.
    alpha-is-a-letter · The Greek alphabet, The Unicode Standard

History
Borrowed from the Phoenician aleph.

Open Questions
  - Is alpha ever second?

Related Concepts
  - Beta (beta): comes next

Backlinks
  - Gamma (gamma)

Changelog
  2026-04-14  Added a claim
  2026-04-05  Created

Theses that depend on this concept
  - A thesis (t)
    score 0.5, scored 2026-04-20, cites alpha-is-first
    current
  - Letters matter (u)
    score 0.4, scored 2026-04-18, cites alpha-is-a-letter
    stale: may need re-scoring
      - evidence of claim 'alpha-is-a-letter' changed: strong -> moderate
  - Alpha as a whole (v)
    cites the whole concept
    never reviewed
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    files = {
        "concepts/alpha.yaml": ALPHA,
        "concepts/gamma.yaml": GAMMA,
        "theses/u.yaml": STALE,
        "theses/v.yaml": UNREVIEWED,
    }
    return make_kb(tmp_path / "kb", files=files)


def test_show_at_80_columns(kb: Path) -> None:
    text = show_concept(kb, load_config(kb), "alpha", width=80, color=False)
    assert text == EXPECTED


def test_narrow_terminal_wraps_with_hanging_indents(kb: Path) -> None:
    text = show_concept(kb, load_config(kb), "alpha", width=40, color=False)
    assert max(len(line) for line in text.splitlines()) <= 40
    assert (
        "  - Alpha is a letter, and this\n    statement is long enough to need a\n    second line\n"
        in text
    )


def test_colour_only_when_asked(kb: Path) -> None:
    coloured = show_concept(kb, load_config(kb), "alpha", width=80, color=True)
    assert "\x1b[" in coloured
    plain = show_concept(kb, load_config(kb), "alpha", width=80, color=False)
    assert "\x1b[" not in plain


def test_latest_changelog_entries_only(kb: Path) -> None:
    text = show_concept(kb, load_config(kb), "alpha", width=80, color=False, latest=1)
    assert "Changelog (latest 1 of 2)\n  2026-04-14  Added a claim\n\nTheses" in text


def test_a_concept_with_nothing_around_it(kb: Path) -> None:
    text = show_concept(kb, load_config(kb), "beta", width=80, color=False)
    assert text == (
        "Beta\n"
        "concepts/beta.yaml\n"
        "\n"
        "The second concept.\n"
        "\n"
        "Key Claims (0)\n"
        "  none\n"
        "\n"
        "Backlinks\n"
        "  - Alpha (alpha)\n"
        "\n"
        "Changelog\n"
        "  none\n"
        "\n"
        "Theses that depend on this concept\n"
        "  none\n"
    )


def test_unknown_or_invalid_concept_is_an_error(kb: Path) -> None:
    with pytest.raises(KbError, match="no concept 'delta'"):
        show_concept(kb, load_config(kb), "delta", width=80, color=False)
    (kb / "concepts/beta.yaml").write_text("id: beta\ntitle: Beta\nclaims: []\nchangelog: []\n")
    with pytest.raises(KbError, match=r"S001 .*run kb lint") as caught:
        show_concept(kb, load_config(kb), "beta", width=80, color=False)
    assert caught.value.path == kb / "concepts/beta.yaml"


def test_a_broken_thesis_does_not_hide_the_concept(kb: Path) -> None:
    (kb / "theses/u.yaml").write_text(STALE.replace("score: 0.4", "score: high"))
    text = show_concept(kb, load_config(kb), "alpha", width=80, color=False)
    assert "  - Letters matter (u)\n    cites alpha-is-a-letter\n" in text


def test_cli_prints_plain_text_when_piped(kb: Path) -> None:
    result = run_kb("show", "alpha", cwd=kb)
    assert result.code == 0, result.err
    assert result.out == EXPECTED
    latest = run_kb("show", "alpha", "--changes", "0", cwd=kb)
    assert "Changelog (latest 0 of 2)\n\nTheses" in latest.out


def test_cli_refuses_what_it_cannot_show(kb: Path) -> None:
    assert run_kb("show", "delta", cwd=kb).code == 2
    assert run_kb("show", "../alpha", cwd=kb).code == 2


def test_in_git_a_stale_citation_says_since_when(kb: Path) -> None:
    git_init(kb)
    alpha = kb / "concepts/alpha.yaml"
    alpha.write_text(alpha.read_text().replace("evidence: strong", "evidence: weak"))
    git(kb, "commit", "-q", "-am", "Weaken alpha")
    sha = git(kb, "rev-parse", "--short=7", "HEAD").strip()
    text = show_concept(kb, load_config(kb), "alpha", width=100, color=False)
    assert "  - A thesis (t)\n    score 0.5, scored 2026-04-20, cites alpha-is-first\n" in text
    assert f"    stale: may need re-scoring (since {sha}" in text


def test_a_redirect_and_a_missing_related_concept(kb: Path) -> None:
    (kb / "kb.yaml").write_text("cache: false\n")
    (kb / "concepts/old.yaml").write_text(
        "id: old\ntitle: Old\nredirect: alpha\nsummary: Gone.\nclaims: []\n"
        "related: [{concept: nowhere}]\nchangelog: []\n"
    )
    text = show_concept(kb, load_config(kb), "old", width=80, color=False)
    assert text.startswith("Old\nconcepts/old.yaml\nMerged into alpha: see kb show alpha\n")
    assert "Related Concepts\n  - nowhere (no such concept)\n" in text
