"""`kb add-claim`: whole files after each edit on hand-written pages, and every refusal
(message, exit code, and a KB left byte-for-byte as it was)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from kbcli.commands.add_claim import NewClaim, add_claim
from kbcli.config import Config
from kbcli.kb import unique_id
from kbcli.slug import claim_slug

from helpers import make_kb, run_kb

DATE = ("--date", "2026-04-20")

# Written by hand: comments, odd quoting, flow and block styles mixed.
ALPHA = """\
# Written by hand: comments, odd quoting and flow style on purpose.
id: alpha
title: 'Alpha'   # single-quoted
summary: >
  The first concept,
  folded.
claims:
  - {id: alpha-is-first, statement: "Alpha comes first", evidence: strong, sources: [greek]}
  # a comment between claims
  - id: alpha-is-a-letter
    statement: 'Alpha is a letter'
    evidence: moderate
    sources:
    - greek
    merged: [alpha-letter]
sources:
  - {id: greek, title: "The Greek alphabet"}   # the only source
changelog:    # newest first
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: "Created"}
"""


def kb_with(tmp_path: Path, alpha: str = ALPHA, config: str = "{}\n") -> Path:
    return make_kb(tmp_path / "kb", files={"concepts/alpha.yaml": alpha, "kb.yaml": config})


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the KB (the lock file aside), to show a refusal changed nothing."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".kb-cache" not in p.parts
    }


def alpha(root: Path) -> str:
    return (root / "concepts" / "alpha.yaml").read_bytes().decode("utf-8")


ALPHA_WITH_CLAIM = """\
# Written by hand: comments, odd quoting and flow style on purpose.
id: alpha
title: 'Alpha'   # single-quoted
summary: >
  The first concept,
  folded.
claims:
  - {id: alpha-is-first, statement: "Alpha comes first", evidence: strong, sources: [greek]}
  # a comment between claims
  - id: alpha-is-a-letter
    statement: 'Alpha is a letter'
    evidence: moderate
    sources:
    - greek
    merged: [alpha-letter]
  - id: alpha-first-letter-greek-alphabet
    statement: Alpha is the first letter of the Greek alphabet
    detail: Written "A".
    evidence: weak
    sources: [greek]
    added: 2026-04-20
sources:
  - {id: greek, title: "The Greek alphabet"}   # the only source
changelog:    # newest first
  - {date: 2026-04-20, text: "Added claim alpha-first-letter-greek-alphabet: Alpha is the first letter of the Greek alphabet"}
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: "Created"}
"""  # noqa: E501


def test_adds_claim_and_changelog_entry_touching_nothing_else(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    result = run_kb(
        "add-claim", "alpha", "Alpha is the first letter of the Greek alphabet",
        "--evidence", "weak", "--source", "greek", "--detail", 'Written "A".', *DATE, cwd=root,
    )  # fmt: skip
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Added claim 'alpha-first-letter-greek-alphabet' to alpha (concepts/alpha.yaml)\n"
    )
    assert alpha(root) == ALPHA_WITH_CLAIM


def test_source_title_creates_the_one_unknown_source(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    result = run_kb(
        "add-claim", "alpha", "Alpha is written A", "-e", "strong", "-s", "greek", "-s", "wiki",
        "--source-title", "Wikipedia: Alpha", "--source-url", "https://en.wikipedia.org/wiki/Alpha",
        "--no-changelog", *DATE, cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "Added claim 'alpha-written' to alpha (concepts/alpha.yaml)",
        "Added source 'wiki' to alpha",
    ]
    assert alpha(root) == ALPHA.replace(
        "    merged: [alpha-letter]\n",
        """\
    merged: [alpha-letter]
  - id: alpha-written
    statement: Alpha is written A
    evidence: strong
    sources: [greek, wiki]
    added: 2026-04-20
""",
    ).replace(
        "   # the only source\n",
        """   # the only source
  - {id: wiki, title: "Wikipedia: Alpha", url: "https://en.wikipedia.org/wiki/Alpha"}
""",
    )


SEED_STYLE = """\
id: alpha
title: Alpha
summary: |
  The first concept.
claims: []
# Oldest first here (kb.yaml: changelog_order).
changelog:
  - date: 2026-04-05
    text: Created
"""


def test_first_claim_on_empty_list_and_oldest_first_changelog(tmp_path: Path) -> None:
    root = kb_with(tmp_path, SEED_STYLE, config="changelog_order: oldest-first\n")
    result = run_kb(
        "add-claim", "alpha", "Alpha is a vowel", "-e", "moderate", "-s", "abc",
        "--source-title", "The ABC", *DATE, cwd=root,
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (
        alpha(root)
        == """\
id: alpha
title: Alpha
summary: |
  The first concept.
claims:
  - id: alpha-vowel
    statement: Alpha is a vowel
    evidence: moderate
    sources: [abc]
    added: 2026-04-20
# Oldest first here (kb.yaml: changelog_order).
changelog:
  - date: 2026-04-05
    text: Created
  - date: 2026-04-20
    text: "Added claim alpha-vowel: Alpha is a vowel"
sources:
  - id: abc
    title: The ABC
"""
    )


def test_crlf_and_missing_final_newline_are_kept(tmp_path: Path) -> None:
    page = SEED_STYLE.replace("\n", "\r\n").removesuffix("\r\n")
    root = kb_with(tmp_path, page)
    result = run_kb("add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "abc",
                    "--source-title", "ABC", "--no-changelog", *DATE, cwd=root)  # fmt: skip
    assert result.code == 0, result.err
    assert alpha(root) == (
        "id: alpha\r\ntitle: Alpha\r\nsummary: |\r\n  The first concept.\r\nclaims:\r\n"
        "  - id: alpha-vowel\r\n    statement: Alpha is a vowel\r\n    evidence: weak\r\n"
        "    sources: [abc]\r\n    added: 2026-04-20\r\n"
        "# Oldest first here (kb.yaml: changelog_order).\r\nchangelog:\r\n"
        "  - date: 2026-04-05\r\n    text: Created\r\nsources:\r\n  - id: abc\r\n    title: ABC"
    )


def test_byte_order_mark_and_file_mode_are_kept(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    page = root / "concepts" / "alpha.yaml"
    page.write_bytes(b"\xef\xbb\xbf" + ALPHA.encode())
    page.chmod(0o640)
    result = run_kb("add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "greek",
                    "--no-changelog", *DATE, cwd=root)  # fmt: skip
    assert result.code == 0, result.err
    assert page.read_bytes().startswith(b"\xef\xbb\xbf# Written by hand")
    assert "  - id: alpha-vowel\n" in alpha(root)
    assert page.stat().st_mode & 0o777 == 0o640


def test_symlinked_page_is_written_through(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    real = root / "concepts" / "alpha.yaml"
    (root / "shelf").mkdir()
    real.rename(root / "shelf" / "alpha.yaml")
    real.symlink_to(Path("..") / "shelf" / "alpha.yaml")
    result = run_kb("add-claim", "alpha", "Alpha is a vowel", "-e", "weak", "-s", "greek",
                    *DATE, cwd=root)  # fmt: skip
    assert result.code == 0, result.err
    assert real.is_symlink()
    assert "statement: Alpha is a vowel" in (root / "shelf" / "alpha.yaml").read_text()


def test_ids_never_reuse_a_live_or_merged_id(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    # "Alpha letter" slugs to alpha-letter, which a merged claim still answers to
    first = run_kb("add-claim", "alpha", "Alpha letter", "-e", "weak", "-s", "greek", *DATE,
                   cwd=root)  # fmt: skip
    second = run_kb("add-claim", "alpha", "The alpha: a letter!", "-e", "weak", "-s", "greek",
                    "--force", *DATE, cwd=root)  # fmt: skip
    assert first.out.startswith("Added claim 'alpha-letter-2' ")
    # near-duplicates are pointed out, not refused
    assert first.out.splitlines()[1] == (
        "note: it says the same as claim 'alpha-is-a-letter' (similarity 1.00): "
        "`kb merge-claims alpha --dry-run` shows the merge"
    )
    assert second.out.startswith("Added claim 'alpha-letter-3' ")


def test_force_adds_an_exact_duplicate_under_a_fresh_id(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    result = run_kb("add-claim", "alpha", "alpha comes first.", "-e", "weak", "-s", "greek",
                    "--force", *DATE, cwd=root)  # fmt: skip
    assert result.code == 0
    assert result.out.startswith("Added claim 'alpha-comes-first' ")
    again = run_kb("add-claim", "alpha", "Alpha comes first", "-e", "weak", "-s", "greek",
                   "--force", *DATE, cwd=root)  # fmt: skip
    assert again.out.startswith("Added claim 'alpha-comes-first-2' ")


@pytest.mark.parametrize(
    ("statement", "slug"),
    [
        ("Mechanistic interpretability is a 2026 breakthrough technology",
         "mechanistic-interpretability-2026-breakthrough-technology"),
        ("OpenAI used CoT monitoring to catch model cheating on coding tests",
         "openai-used-cot-monitoring-catch-model"),
        ("Anthropic built a \u201cmicroscope\u201d for feature-level inspection",
         "anthropic-built-microscope-feature-level-inspection"),
        ("What\u2019s not known: Claude 3.5\u2019s r\u00f4le", "whats-not-known-claude-3-5s"),
        ("The r\u00f4le of the caf\u00e9", "role-cafe"),
        ("The is a", "the-is-a"),
        ("\u6a5f\u68b0", "zh-81c946"),
        ("\u7535\u8def\u8ffd\u8e2a\u5de5\u5177\u5df2\u5f00\u6e90\u3002", "zh-f08aec"),
        ("\u7a00\u758f\u81ea\u7f16\u7801\u5668\u5728Claude 3 Sonnet\u4e0a",
         "claude-3-sonnet-zh-fc2f19"),
        ("\u56de\u8def\u30c8\u30ec\u30fc\u30b9", "ja-d206b1"),
        ("\u041d\u0435\u0439\u0440\u043e\u043d\u044b", "cyrillic-7205c2"),
        ("x" * 80 + " y", "x" * 60),
    ],
)  # fmt: skip
def test_claim_slug(statement: str, slug: str) -> None:
    assert claim_slug(statement) == slug


def test_unique_id() -> None:
    assert unique_id("a", set()) == "a"
    assert unique_id("a", {"a", "a-2"}) == "a-3"


def test_core_returns_the_result_and_the_changed_path(tmp_path: Path) -> None:
    root = kb_with(tmp_path).resolve()
    claim = NewClaim("  Alpha\n is   a vowel ", "weak", ("greek", "greek"), detail="  ")
    done = add_claim(root, Config(), "alpha", claim, "2026-04-20", changelog=False)
    assert done.value.claim_id == "alpha-vowel"
    assert done.paths == (root / "concepts" / "alpha.yaml",)
    assert done.commit is None
    assert (
        "  - id: alpha-vowel\n    statement: Alpha is a vowel\n    evidence: weak\n"
        "    sources: [greek]\n    added: 2026-04-20\n"
    ) in alpha(root)


GOOD = ("alpha", "A new claim", "-e", "weak", "-s", "greek", *DATE)

REFUSALS = [
    pytest.param(
        ["alpha", "ALPHA  comes\u00a0first.", "-e", "weak", "-s", "greek"], 1,
        "concept 'alpha' already has this claim, as 'alpha-is-first': 'Alpha comes first' "
        "(pass --force to add it anyway)",
        id="duplicate-after-normalise",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "greek", "-s", "wiki"], 1,
        "concept 'alpha' has no source 'wiki' (its sources: greek); pass --source-title "
        "(and --source-url) to add a new one",
        id="unknown-source",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "a", "-s", "b", "--source-title", "T"], 2,
        "--source-title can add one new source, but 'a', 'b' are all unknown on this page: "
        "add the other sources first, or fix their ids",
        id="title-for-two-unknown-sources",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "greek", "--source-title", "T"], 2,
        "--source-title describes a new source, but 'greek' is already on 'alpha': name the "
        "new source's id with --source",
        id="title-for-known-source",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "greek", "--source-url", "https://x.org"], 2,
        "--source-url describes a new source: pass --source-title with it",
        id="url-without-title",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "n", "--source-title", "T", "--source-url", "x.org"],
        2, "--source-url 'x.org' is not an http:// or https:// address", id="bad-url",
    ),
    pytest.param(
        ["alpha", "New", "-e", "certain", "-s", "greek"], 2,
        "unknown evidence level 'certain': use one of strong, moderate, weak "
        "(evidence_levels in kb.yaml)",
        id="unknown-evidence",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "greek", "--date", "2026-02-30"], 2,
        "'2026-02-30' is not a date (YYYY-MM-DD)", id="bad-date",
    ),
    pytest.param(
        ["alpah", "New", "-e", "weak", "-s", "greek"], 2,
        "no concept 'alpah' (expected concepts/alpah.yaml); did you mean 'alpha'?",
        id="unknown-concept",
    ),
    pytest.param(
        ["../theses/t", "New", "-e", "weak", "-s", "greek"], 2,
        "'../theses/t' is not a valid concept id: use lowercase letters and digits joined by "
        "single hyphens (no paths)",
        id="path-like-concept",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak", "-s", "../x", "--source-title", "T"], 2,
        "'../x' is not a valid source id: use lowercase letters and digits joined by single "
        "hyphens (no paths)",
        id="path-like-source",
    ),
    pytest.param(
        ["alpha", " \n ", "-e", "weak", "-s", "greek"], 2,
        "the statement is empty: say what the claim is", id="empty-statement",
    ),
    pytest.param(
        ["alpha", "-e", "weak", "-s", "greek"], 2,
        "missing STATEMENT (kb asks for it only when run at a terminal)", id="no-statement",
    ),
    pytest.param(
        ["alpha", "New", "-s", "greek"], 2,
        "missing --evidence (kb asks for it only when run at a terminal)", id="no-evidence",
    ),
    pytest.param(
        ["alpha", "New", "-e", "weak"], 2,
        "missing --source (kb asks for it only when run at a terminal)", id="no-source",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("args", "code", "message"), REFUSALS)
def test_refusals_leave_the_kb_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], code: int, message: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: never prompt
    root = kb_with(tmp_path)
    before = snapshot(root)
    result = run_kb("add-claim", *args, *(DATE if "--date" not in args else ()), cwd=root)
    assert (result.code, result.out, result.err) == (code, "", f"kb: {message}\n")
    assert snapshot(root) == before


def test_refuses_a_page_that_merged_into_another(tmp_path: Path) -> None:
    root = kb_with(tmp_path, ALPHA.replace("id: alpha\n", "id: alpha\nredirect: beta\n", 1))
    before = snapshot(root)
    result = run_kb("add-claim", *GOOD, cwd=root)
    assert (result.code, result.err) == (
        1,
        "kb: concept 'alpha' was merged into 'beta': add the claim there\n",
    )
    assert snapshot(root) == before


def test_refuses_to_write_a_page_that_would_not_validate(tmp_path: Path) -> None:
    # The page was already invalid (a typo'd field): kb will not write it, and says where.
    root = kb_with(tmp_path, ALPHA.replace("title: 'Alpha'", "titel: 'Alpha'"))
    before = snapshot(root)
    result = run_kb("add-claim", *GOOD, cwd=root)
    assert (result.code, result.err) == (
        2,
        "kb: refusing to write concepts/alpha.yaml: the result would not be a valid page "
        "(line 2, column 1: S001 missing required field 'title'); nothing was written\n",
    )
    assert snapshot(root) == before


def test_unreadable_page_is_a_clear_error(tmp_path: Path) -> None:
    root = kb_with(tmp_path, "id: alpha\nid: alpha\n")
    before = snapshot(root)
    result = run_kb("add-claim", *GOOD, cwd=root)
    assert result.code == 2
    assert result.err == "kb: concepts/alpha.yaml:2:1: Y002 duplicate key 'id'\n"
    assert snapshot(root) == before


def test_prompts_fill_in_what_is_missing(tmp_path: Path) -> None:
    from rich.console import Console

    from kbcli.prompts import ask_claim

    root = kb_with(tmp_path)
    out = io.StringIO()
    answers = io.StringIO("\nAlpha is a vowel\ncertain\nweak\n1, wiki\nWikipedia\n\n")
    got = ask_claim(root, Config(), "alpha", None, None, (), None, None,
                    Console(file=out, width=200), answers)  # fmt: skip
    assert got == ("Alpha is a vowel", "weak", ("greek", "wiki"), "Wikipedia", None)
    shown = out.getvalue()
    assert "Evidence [strong/moderate/weak]" in shown
    assert "1  greek  The Greek alphabet" in shown


def test_prompts_end_cleanly_when_input_runs_out(tmp_path: Path) -> None:
    from rich.console import Console

    from kbcli.errors import KbError
    from kbcli.prompts import ask_claim

    root = kb_with(tmp_path)
    with pytest.raises(KbError, match="no answer given"):
        ask_claim(root, Config(), "alpha", "S", None, (), None, None,
                  Console(file=io.StringIO()), io.StringIO(""))  # fmt: skip


def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    root = kb_with(tmp_path)
    run_kb("add-claim", *GOOD, cwd=root)
    names = sorted(os.listdir(root / "concepts"))
    assert names == ["alpha.yaml", "beta.yaml"]


class _Terminal(io.StringIO):
    """Typed answers on a stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_at_a_terminal_kb_asks_for_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("Alpha is a vowel\nweak\ngreek\n"))
    root = kb_with(tmp_path)
    result = run_kb("add-claim", "alpha", "--no-changelog", *DATE, cwd=root)
    assert (result.code, result.out) == (
        0,
        "Added claim 'alpha-vowel' to alpha (concepts/alpha.yaml)\n",
    )
    assert "Statement: " in result.err
    assert "  - id: alpha-vowel\n    statement: Alpha is a vowel\n" in alpha(root)


def test_a_page_kb_cannot_edit_is_left_alone(tmp_path: Path) -> None:
    page = "id: alpha\ntitle: A\nsummary: S\nclaims: {a: 1}\nsources: [{id: greek, title: G}]\n"
    root = kb_with(tmp_path, page)
    before = snapshot(root)
    result = run_kb("add-claim", *GOOD, cwd=root)
    assert (result.code, result.err) == (
        2,
        "kb: cannot edit concepts/alpha.yaml: claims: not a list; nothing was written\n",
    )
    assert snapshot(root) == before


@pytest.mark.parametrize("date", ["2026-4-5", "2026-02-30", "tomorrow", "2026-04-05T10:00"])
def test_core_checks_the_date(tmp_path: Path, date: str) -> None:
    from kbcli.errors import KbError

    root = kb_with(tmp_path).resolve()
    with pytest.raises(KbError, match=r"is not a date \(YYYY-MM-DD\)"):
        add_claim(root, Config(), "alpha", NewClaim("S", "weak", ("greek",)), date)


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        (NewClaim("S", "weak", ()), "a claim needs at least one source: pass --source ID"),
        (
            NewClaim("S", "weak", ("new",), source_title=" "),
            "--source-title is empty: give the new source's title",
        ),
    ],
)
def test_core_refuses_incomplete_claims(tmp_path: Path, claim: NewClaim, message: str) -> None:
    from kbcli.errors import KbError

    root = kb_with(tmp_path).resolve()
    with pytest.raises(KbError) as caught:
        add_claim(root, Config(), "alpha", claim, "2026-04-20")
    assert (str(caught.value), caught.value.exit_code) == (message, 2)


def test_a_possible_contradiction_is_pointed_out(tmp_path: Path) -> None:
    root = kb_with(tmp_path, ALPHA_WITH_CLAIM)
    result = run_kb("add-claim", "alpha", "Alpha does not come first", "-e", "weak", "-s",
                    "greek", *DATE, cwd=root)  # fmt: skip
    assert result.code == 0
    assert result.out.splitlines()[1:] == [
        "note: it may contradict claim 'alpha-is-first' ('not' on one side only): "
        "`kb lint` reports it as C009 until one of them is corrected"
    ]


def test_notes_stop_at_five_on_a_page_of_numbered_claims(tmp_path: Path) -> None:
    claims = "".join(
        f"  - {{id: c{n}, statement: Alpha explains {n}0 percent, evidence: weak, "
        "sources: [greek]}\n"
        for n in range(1, 9)
    )
    root = kb_with(tmp_path, ALPHA_WITH_CLAIM.replace("claims:\n", f"claims:\n{claims}", 1))
    result = run_kb("add-claim", "alpha", "Alpha explains 5 percent", "-e", "weak", "-s",
                    "greek", *DATE, cwd=root)  # fmt: skip
    assert result.code == 0
    notes = result.out.splitlines()[1:]
    assert len(notes) == 6
    assert notes[-1] == "note: and 3 more such claims (see kb lint)"


@pytest.mark.parametrize(
    "statement",
    [
        "\u7535\u8def\u8ffd\u8e2a\u5de5\u5177\u5df2\u5f00\u6e90",
        "\uff21\uff4c\uff50\uff48\uff41 comes first\uff01",
    ],
)
def test_full_width_and_chinese_repeats_are_refused(tmp_path: Path, statement: str) -> None:
    page = ALPHA_WITH_CLAIM.replace(
        "  # a comment between claims\n",
        "  - {id: zh-f08aec, statement: "
        "\u7535\u8def\u8ffd\u8e2a\u5de5\u5177\u5df2\u5f00\u6e90\u3002, "
        "evidence: weak, sources: [greek]}\n",
    )
    root = kb_with(tmp_path, page)
    before = snapshot(root)
    result = run_kb("add-claim", "alpha", statement, "-e", "weak", "-s", "greek", *DATE, cwd=root)
    assert result.code == 1
    assert "already has this claim" in result.err
    assert snapshot(root) == before


def test_chinese_statements_get_distinct_readable_ids(tmp_path: Path) -> None:
    root = kb_with(tmp_path, ALPHA_WITH_CLAIM)
    ids = []
    for statement in ("\u7535\u8def\u8ffd\u8e2a\u5de5\u5177\u5df2\u5f00\u6e90",
                      "\u6ce8\u610f\u529b\u5934\u5b9e\u73b0\u590d\u5236"):  # fmt: skip
        done = run_kb("add-claim", "alpha", statement, "-e", "weak", "-s", "greek", *DATE,
                      cwd=root)  # fmt: skip
        assert done.code == 0, done.err
        ids.append(done.out.split("'")[1])
    assert ids == ["zh-f08aec", claim_slug("\u6ce8\u610f\u529b\u5934\u5b9e\u73b0\u590d\u5236")]
    assert ids[1].startswith("zh-") and ids[1] != ids[0]
