"""`kb merge-file` called directly (as git calls it), and its core: marker sizes, the
line-merge fallback, pages that must not be merged by meaning, and a property over random
verb sequences on two branches."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import collector_spies, git, git_init, make_kb, run_kb, run_kb_process

BASE = """\
id: alpha
title: Alpha
aliases: [first letter]
summary: The first concept.
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    evidence: strong
    sources: [greek]
sources:
  - {id: greek, title: The Greek alphabet}
changelog:
  - {date: 2026-04-05, text: Created}
"""


def three(tmp_path: Path, base: str, ours: str, theirs: str) -> list[str]:
    """The three files in a repository's work tree, as git hands them to a driver."""
    repo = tmp_path / "repo"
    make_kb(repo / "kb")
    git_init(repo)
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (repo / f".merge_file_{name}").write_bytes(text.encode("utf-8"))
    return [".merge_file_base", ".merge_file_ours", ".merge_file_theirs"]


def merge(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    repo = tmp_path / "repo"
    done = run_kb("merge-file", *args, cwd=repo)
    return done.code, (repo / ".merge_file_ours").read_bytes().decode("utf-8"), done.err


def test_marker_size_is_the_one_git_asks_for(tmp_path: Path) -> None:
    files = three(
        tmp_path,
        BASE,
        BASE.replace("evidence: strong", "evidence: weak"),
        BASE.replace("evidence: strong", "evidence: moderate"),
    )
    code, text, err = merge(
        tmp_path, *files, "--path", "kb/concepts/alpha.yaml", "--marker-size", "9"
    )
    assert code == 1
    assert text == BASE.replace(
        "    evidence: strong\n",
        "<<<<<<<<< ours\n    evidence: weak\n=========\n    evidence: moderate\n>>>>>>>>> theirs\n",
    )
    assert err == (
        "kb merge-file: kb/concepts/alpha.yaml: conflict in claims[alpha-is-first].evidence: "
        "changed on both sides, differently\n"
    )


def test_a_path_outside_the_kb_gets_git_s_line_merge(tmp_path: Path) -> None:
    files = three(tmp_path, "a\nb\nc\n", "a\nB\nc\n", "a\nbb\nc\n")
    code, text, err = merge(tmp_path, *files, "--path", "notes/todo.yaml", "--marker-size", "8")
    assert code == 1
    assert text == "a\n<<<<<<<< ours\nB\n========\nbb\n>>>>>>>> theirs\nc\n"
    assert err == (
        "kb merge-file: notes/todo.yaml: it is not a kb page (concepts/, theses/ or kb.yaml); "
        "merged line by line with conflicts\n"
    )


def test_the_line_merge_uses_the_configured_diff3_style(tmp_path: Path) -> None:
    files = three(tmp_path, "a\nb\nc\n", "a\nB\nc\n", "a\nbb\nc\n")
    git(tmp_path / "repo", "config", "merge.conflictStyle", "diff3")
    code, text, _ = merge(tmp_path, *files, "--path", "kb/concepts/a.yaml")
    assert code == 1
    assert text == "a\n<<<<<<< ours\nB\n||||||| base\nb\n=======\nbb\n>>>>>>> theirs\nc\n"


def test_pages_that_already_hold_markers_are_merged_line_by_line(tmp_path: Path) -> None:
    marked = BASE.replace("title: Alpha\n", "<<<<<<< HEAD\ntitle: Alpha\n=======\n>>>>>>> x\n")
    files = three(tmp_path, BASE, marked, BASE.replace("first concept", "1st concept"))
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert code == 0
    assert text == marked.replace("first concept", "1st concept")
    assert "ours already holds conflict markers; merged line by line cleanly" in err


def test_pages_over_the_size_limit_are_merged_line_by_line(tmp_path: Path) -> None:
    more = BASE + "# more\n" * 200
    files = three(tmp_path, BASE, more, BASE.replace("The first", "The 1st"))
    (tmp_path / "repo" / "kb" / "kb.yaml").write_text("max_page_bytes: 1024\n", encoding="utf-8")
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text) == (0, more.replace("The first", "The 1st"))
    assert "it is over max_page_bytes (1024); merged line by line cleanly" in err


def test_a_removed_field_is_merged_by_meaning(tmp_path: Path) -> None:
    ours = BASE.replace("text: Created", "text: Created from the seed")
    theirs = BASE.replace("aliases: [first letter]\n", "")
    files = three(tmp_path, BASE, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text, err) == (0, ours.replace("aliases: [first letter]\n", ""), "")


def test_a_merge_that_would_not_lint_is_a_conflict_over_the_page(tmp_path: Path) -> None:
    claim = "  - {id: %s, statement: Alpha is new, evidence: weak, sources: [greek]}\n"
    ours = BASE.replace("sources:\n  - {id", claim % "new-one" + "sources:\n  - {id")
    theirs = BASE.replace("sources:\n  - {id", claim % "new-two" + "sources:\n  - {id")
    files = three(tmp_path, BASE, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert code == 1
    assert text == f"<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n"
    assert "the merged page would not pass lint: line 11: C001 claim 'new-two' repeats" in err


def test_a_byte_order_mark_stays(tmp_path: Path) -> None:
    ours = "\ufeff" + BASE.replace("evidence: strong", "evidence: weak")
    files = three(tmp_path, BASE, ours, BASE.replace("The first", "The 1st"))
    code, text, _ = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text) == (0, ours.replace("The first", "The 1st"))


def test_an_unreadable_input_is_a_usage_error(tmp_path: Path) -> None:
    files = three(tmp_path, BASE, BASE, BASE)
    done = run_kb("merge-file", files[0], "missing", files[2], cwd=tmp_path / "repo")
    assert (done.code, done.err) == (2, "kb: cannot read missing: No such file or directory\n")


def test_the_same_addition_on_both_sides_is_taken_once(tmp_path: Path) -> None:
    both = BASE.replace("changelog:\n", "changelog:\n  - {date: 2026-05-01, text: Same}\n")
    files = three(tmp_path, BASE, both, both.replace("title: Alpha", "title: Alpha (A)"))
    code, text, _ = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text) == (0, both.replace("title: Alpha", "title: Alpha (A)"))


def test_oldest_first_changelogs_take_new_entries_by_date(tmp_path: Path) -> None:
    old_first = BASE.replace(
        "changelog:\n  - {date: 2026-04-05, text: Created}\n",
        "changelog:\n  - {date: 2026-04-05, text: Created}\n  - {date: 2026-04-20, text: Later}\n",
    )
    ours = old_first + "  - {date: 2026-05-01, text: Ours}\n"
    theirs = old_first.replace(
        "  - {date: 2026-04-20", "  - {date: 2026-04-10, text: Theirs}\n  - {date: 2026-04-20"
    )
    files = three(tmp_path, old_first, ours, theirs)
    (tmp_path / "repo" / "kb" / "kb.yaml").write_text(
        "changelog_order: oldest-first\n", encoding="utf-8"
    )
    code, text, _ = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text) == (0, theirs + "  - {date: 2026-05-01, text: Ours}\n")


# --- the property -------------------------------------------------------------------------

# the base with a duplicate of its claim, for merge-claims to fold
WITH_DUPLICATE = BASE.replace(
    "sources:\n  - {id",
    "  - {id: alpha-first-again, statement: Alpha comes first., evidence: strong, "
    "sources: [greek]}\nsources:\n  - {id",
)
WORDS = ["tokens", "heads", "layers", "circuits", "features", "probes", "graphs", "neurons"]


def _claims(page: dict[str, Any]) -> dict[str, Any]:
    return {c["id"]: c for c in page["claims"]}


def _apply(root: Path, steps: list[tuple[str, Any]]) -> None:
    from kbcli.commands.add_claim import NewClaim, add_claim
    from kbcli.commands.changelog import add_entry
    from kbcli.commands.merge_claims import merge_claims
    from kbcli.config import load_config
    from kbcli.errors import Refused
    from kbcli.yamlio.edit import Remove, Set, apply_text
    from kbcli.yamlio.load import parse

    config = load_config(root)
    for verb, arg in steps:
        if verb == "add-claim":
            with contextlib.suppress(Refused):  # a repeat: refused alike in every sequence
                add_claim(root, config, "alpha", NewClaim(arg, "weak", ("greek",)), "2026-05-01")
        elif verb == "changelog":
            add_entry(root, config, "alpha", arg, "2026-05-01")  # verbs put entries on top
        elif verb == "merge-claims":
            merge_claims(root, config, "alpha", "2026-05-01")
        elif verb == "drop":  # an optional field removed by hand, when still there
            path = root / "concepts" / "alpha.yaml"
            text = path.read_bytes().decode("utf-8")
            if arg in parse(text).data:
                path.write_bytes(apply_text(text, [Remove((arg,))]).encode("utf-8"))
        else:  # a hand edit of one field of the base claim
            path = root / "concepts" / "alpha.yaml"
            text = path.read_bytes().decode("utf-8")
            assert parse(text).data["claims"][0]["id"] == "alpha-is-first"
            path.write_bytes(apply_text(text, [Set(("claims", 0, verb), arg)]).encode("utf-8"))


def _steps(side: str) -> st.SearchStrategy[list[tuple[str, Any]]]:
    """Verbs of one side; the sides touch different things (their own words, fields)."""
    words = WORDS[:4] if side == "ours" else WORDS[4:]
    statement = st.lists(st.sampled_from(words), min_size=2, max_size=4, unique=True).map(
        lambda w: f"{side.title()} {' '.join(w)}"
    )
    field = "evidence" if side == "ours" else "detail"
    value = st.sampled_from(["weak", "moderate"] if side == "ours" else ["Seen twice.", "Rare."])
    verbs = [
        st.tuples(st.just("add-claim"), statement),
        st.tuples(st.just("changelog"), statement.map(lambda s: s + " noted")),
        st.tuples(st.just(field), value),
    ]
    if side == "ours":  # folds the base's duplicate (and any of ours' own) into a survivor
        verbs.append(st.tuples(st.just("merge-claims"), st.none()))
    else:  # removes a field ours never touches
        verbs.append(st.tuples(st.just("drop"), st.just("aliases")))
    return st.lists(st.one_of(*verbs), max_size=4)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ours=_steps("ours"), theirs=_steps("theirs"))
def test_disjoint_changes_merge_to_both_applied_and_lose_nothing(
    ours: list[tuple[str, Any]], theirs: list[tuple[str, Any]]
) -> None:
    from kbcli import threeway
    from kbcli.config import Config
    from kbcli.yamlio.load import parse

    work = Path(tempfile.mkdtemp(prefix="kb-merge-prop-"))
    try:
        roots = {}
        for name, steps in (("ours", ours), ("theirs", theirs), ("both", ours + theirs)):
            roots[name] = make_kb(work / name, files={"concepts/alpha.yaml": WITH_DUPLICATE})
            _apply(roots[name], steps)
        ours_text, theirs_text = (
            (roots[n] / "concepts" / "alpha.yaml").read_text(encoding="utf-8")
            for n in ("ours", "theirs")
        )
        check = threeway.lint_check("concept", "alpha", Config(), ours_text, theirs_text)
        texts = (WITH_DUPLICATE, ours_text, theirs_text)
        outcome = threeway.merge_texts("concept", texts, True, check)
        assert outcome.conflicts == []
        merged = parse(outcome.text).data
        both = parse((roots["both"] / "concepts" / "alpha.yaml").read_text(encoding="utf-8")).data
        assert _claims(merged) == _claims(both)
        assert sorted(map(str, merged["changelog"])) == sorted(map(str, both["changelog"]))
        assert {k: v for k, v in merged.items() if k not in ("claims", "changelog")} == {
            k: v for k, v in both.items() if k not in ("claims", "changelog")
        }
        # ours first, then theirs: the merge keeps each side's own order
        ids = list(_claims(merged))
        assert ids == [i for i in _claims(both) if i in ids]
        from kbcli.lint import lint

        (work / "ours" / "concepts" / "alpha.yaml").write_text(outcome.text, encoding="utf-8")
        expected = lint(roots["both"], "2026-06-01", use_cache=False).findings
        found = lint(roots["ours"], "2026-06-01", use_cache=False).findings
        # lints as applying both does: clean but for the base's duplicate claim (C001) until
        # merge-claims runs, and the thesis' C004 once its cited claim changed
        assert {f.code for f in found} == {f.code for f in expected}
        assert {f.code for f in found} <= {"C001", "C004"}
    finally:
        shutil.rmtree(work)


def test_as_a_process_a_clean_merge_exits_0_quietly(tmp_path: Path) -> None:
    ours = BASE.replace("evidence: strong", "evidence: weak")
    files = three(tmp_path, BASE, ours, BASE.replace("The first", "The 1st"))
    done = run_kb_process(
        "merge-file", *files, "--path", "kb/concepts/alpha.yaml", cwd=tmp_path / "repo"
    )
    assert (done.code, done.out, done.err) == (0, "", "")
    merged = (tmp_path / "repo" / files[1]).read_text(encoding="utf-8")
    assert merged == ours.replace("The first", "The 1st")


# --- the merge on data ----------------------------------------------------------------------


def test_merged_ids_are_a_union_and_sets_take_both_sides_changes() -> None:
    from kbcli.threeway import merge_data

    claim = {"id": "a", "statement": "A", "merged": ["old"]}
    base = {"aliases": ["x", "y"], "claims": [claim]}
    ours = {"aliases": ["x", "y", "z"], "claims": [{**claim, "merged": ["old", "b"]}]}
    theirs = {"aliases": ["y"], "claims": [{**claim, "merged": ["old", "c"]}]}
    merged, conflicts = merge_data("concept", True, base, ours, theirs)
    assert conflicts == []
    assert merged == {"aliases": ["y", "z"], "claims": [{**claim, "merged": ["old", "b", "c"]}]}


_scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, 1, -1]), st.sampled_from([0.0, -0.0, 1.0]),
    st.floats(allow_nan=True), st.sampled_from(["", "1", "true", "a"]),
)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(_values, _values)
def test_same_tells_values_apart_as_their_yaml_does(a: Any, b: Any) -> None:
    """`same` is `==` that also tells `1`, `1.0` and `true` (and `0.0`, `-0.0`) apart,
    however deep: what the values' canonical texts tell, without writing them."""
    import json

    from kbcli.threeway import same

    def canonical(value: Any) -> str:
        return json.dumps(value, sort_keys=True, default=str)

    for x, y in ((a, b), (a, a), (a, _retyped(a)), (_retyped(a), a)):
        assert same(x, y) == (x == y and canonical(x) == canonical(y)), (x, y)


def _retyped(value: Any) -> Any:
    """`value` with each int made the float or bool `==` to it: equal, not the same."""
    if isinstance(value, dict):
        return {k: _retyped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_retyped(v) for v in value]
    if type(value) is int:
        return True if value == 1 else float(value)
    return -value if isinstance(value, float) and value == 0 else value


def test_removed_on_ours_and_changed_on_theirs_is_a_conflict_either_way() -> None:
    from kbcli.threeway import Conflict, merge_data

    a, b = {"id": "a", "statement": "A"}, {"id": "b", "statement": "B"}
    base = {"claims": [a, b]}
    ours = {"claims": [a]}
    theirs = {"claims": [a, {**b, "statement": "B!"}]}
    why = "claim 'b' was removed on ours, and changed on the other side"
    for pick, expected in (
        ("ours", [a]),
        ("theirs", [a, {**b, "statement": "B!"}]),
        ("base", [a, b]),
    ):
        merged, conflicts = merge_data("concept", True, base, ours, theirs, {0: pick})
        assert (merged["claims"], conflicts) == (expected, [Conflict("claims[b]", why)])


def test_a_block_scalar_ending_in_a_space_takes_the_other_side_s_rewrite(
    tmp_path: Path,
) -> None:
    """The last line of a `|` block may end in spaces, which are its text: the other
    side's new text replaces them, none are left behind."""
    base = BASE.replace("summary: The first concept.", "summary: |\n  The first \n  concept. ")
    theirs = base.replace("  The first \n  concept. ", "  The first letter\n  of all.")
    ours = base.replace("evidence: strong", "evidence: weak")
    code, text, err = merge(
        tmp_path, *three(tmp_path, base, ours, theirs), "--path", "kb/concepts/alpha.yaml"
    )
    assert (code, err) == (0, "")
    assert text == theirs.replace("evidence: strong", "evidence: weak")


def test_claims_added_to_a_page_the_other_side_retired_are_a_conflict(tmp_path: Path) -> None:
    """merge-claims --from OTHER --retire-other empties OTHER and makes it a redirect; a
    claim the other branch added to OTHER would sit where no reader looks (kb add-claim
    refuses a redirect page): a conflict over the claims, never a clean merge."""
    retired = (
        BASE.replace(
            "claims:\n  - id: alpha-is-first\n    statement: Alpha comes first\n"
            "    evidence: strong\n    sources: [greek]\n",
            "claims: []\n",
        ).replace(
            "  - {date: 2026-04-05",
            "  - {date: 2026-05-01, text: Merged into beta}\n  - {date: 2026-04-05",
        )
        + "redirect: beta\n"
    )
    added = BASE.replace(
        "sources:\n  - {id",
        "  - id: alpha-is-old\n    statement: Alpha is old\n    evidence: weak\n"
        "    sources: [greek]\nsources:\n  - {id",
    )
    files = three(tmp_path, BASE, retired, added)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert code == 1
    assert err == (
        "kb merge-file: kb/concepts/alpha.yaml: conflict in claims: the page was made a "
        "redirect to 'beta' on ours, and its claims changed on the other side\n"
    )
    assert text == retired.replace(
        "claims: []\n",
        "<<<<<<< ours\nclaims: []\n=======\nclaims:\n  - id: alpha-is-first\n"
        "    statement: Alpha comes first\n    evidence: strong\n    sources: [greek]\n"
        "  - id: alpha-is-old\n    statement: Alpha is old\n    evidence: weak\n"
        "    sources: [greek]\n>>>>>>> theirs\n",
    )


def test_prose_edited_on_both_sides_in_different_lines_merges_as_git_would(
    tmp_path: Path,
) -> None:
    """git's line merge takes edits of two paragraphs of one summary: so must the driver,
    which is never worse than git."""
    prose = BASE.replace(
        "summary: The first concept.\n",
        "summary: |\n  Paragraph one.\n\n  Paragraph two.\n\n  Paragraph three.\n",
    )
    ours = prose.replace("Paragraph one.", "Paragraph one, ours.")
    theirs = prose.replace("Paragraph three.", "Paragraph three, theirs.")
    files = three(tmp_path, prose, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, err) == (0, "")
    assert text == ours.replace("Paragraph three.", "Paragraph three, theirs.")
    # lines both changed: a conflict over the field, as before
    theirs = prose.replace("Paragraph one.", "Paragraph one, theirs.")
    files = three(tmp_path, prose, ours, theirs)
    code, _, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, err) == (
        1,
        "kb merge-file: kb/concepts/alpha.yaml: conflict in summary: changed on both sides, "
        "differently\n",
    )


def test_sections_and_a_claim_s_sources_merge_item_by_item(tmp_path: Path) -> None:
    """One side edits a section and drops a source of a claim, the other adds a section and
    a source: git's line merge takes all four, and so does the driver."""
    base = BASE.replace(
        "    sources: [greek]\n", "    sources:\n      - greek\n      - roman\n"
    ).replace(
        "sources:\n  - {id: greek, title: The Greek alphabet}\n",
        "sections:\n  - heading: Origin\n    body: From Phoenician.\n"
        "  - heading: Use\n    body: In maths.\n"
        "sources:\n  - {id: greek, title: The Greek alphabet}\n  - {id: roman, title: Latin}\n"
        "  - {id: arabic, title: Arabic}\n",
    )
    ours = base.replace("      - greek\n      - roman\n", "      - roman\n").replace(
        "From Phoenician.", "From the Phoenician aleph."
    )
    theirs = base.replace("      - roman\n", "      - roman\n      - arabic\n").replace(
        "    body: In maths.\n", "    body: In maths.\n  - heading: Names\n    body: Alef.\n"
    )
    files = three(tmp_path, base, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, err) == (0, "")
    assert text == ours.replace("      - roman\n", "      - roman\n      - arabic\n").replace(
        "    body: In maths.\n", "    body: In maths.\n  - heading: Names\n    body: Alef.\n"
    )


def test_a_list_reordered_on_theirs_alone_takes_theirs_order(tmp_path: Path) -> None:
    """A reorder is a change: one side's change is taken (git conflicts here; dropping it
    silently would lose it). Moved items are written again, the rest keep their bytes."""
    first = "  - id: alpha-is-first\n    statement: Alpha comes first\n    evidence: strong\n"
    second = "  - id: alpha-is-second\n    statement: Alpha is second here\n    evidence: weak\n"
    base = BASE.replace(
        first + "    sources: [greek]\n",
        first + "    sources: [greek]\n" + second + "    sources: [greek]  # kept\n",
    ).replace("aliases: [first letter]", "aliases: [first letter, alef, A]")
    theirs = base.replace(
        first + "    sources: [greek]\n" + second + "    sources: [greek]  # kept\n",
        second + "    sources: [greek]  # kept\n" + first + "    sources: [greek]\n",
    ).replace("[first letter, alef, A]", "[A, first letter, alef]")
    ours = base.replace("summary: The first concept.", "summary: The first one.")
    files = three(tmp_path, base, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, err) == (0, "")
    assert text == theirs.replace("summary: The first concept.", "summary: The first one.")


def test_the_cycle_collector_is_paused_for_the_merge_and_resumed_after(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """The merge runs with Python's cycle collector paused (it walked the parsed pages'
    objects again and again); after it, clean or not, the collector runs again."""
    import gc

    from kbcli import threeway

    seen, watched, broken = collector_spies(threeway.merge_texts)

    theirs = BASE.replace("evidence: strong", "evidence: weak")
    for merge_texts, code in ((watched, 0), (broken, 0)):
        monkeypatch.setattr(threeway, "merge_texts", merge_texts)
        files = three(tmp_path / merge_texts.__name__, BASE, BASE, theirs)
        got = merge(tmp_path / merge_texts.__name__, *files, "--path", "kb/concepts/alpha.yaml")
        assert got[:2] == (code, theirs)
        assert gc.isenabled()
    assert seen == [False, False]


def test_a_bug_in_the_merge_by_meaning_falls_back_to_git_s_line_merge(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """A driver that crashes leaves OURS as it was, and git takes that for the merge with a
    conflict: theirs' changes would be missing from the file. The line merge instead."""
    from kbcli import threeway

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(threeway, "merge_texts", broken)
    ours = BASE.replace("title: Alpha", "title: Alpha, ours")
    theirs = BASE.replace("evidence: strong", "evidence: weak")
    files = three(tmp_path, BASE, ours, theirs)
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert (code, text) == (0, ours.replace("evidence: strong", "evidence: weak"))
    assert err == (
        "kb merge-file: kb/concepts/alpha.yaml: kb merge-file failed (ZeroDivisionError: "
        "division by zero; a bug, please report it); merged line by line cleanly\n"
    )


def test_a_folded_text_changed_on_both_sides_shows_each_side_as_written(tmp_path: Path) -> None:
    """The conflict holds theirs' (and the base's) `>` text as its side wrote it, not as the
    editor would write theirs' value (a `|` block)."""
    base = BASE.replace("summary: The first concept.", "summary: >\n  The first\n  concept.")
    ours = base.replace("The first", "The very first")
    theirs = base.replace("  concept.", "  concept of all.")
    files = three(tmp_path, base, ours, theirs)
    git(tmp_path / "repo", "config", "merge.conflictStyle", "diff3")
    code, text, err = merge(tmp_path, *files, "--path", "kb/concepts/alpha.yaml")
    assert code == 1
    assert "conflict in summary: changed on both sides, differently" in err
    assert text == ours.replace(
        "summary: >\n  The very first\n  concept.\n",
        "<<<<<<< ours\nsummary: >\n  The very first\n  concept.\n"
        "||||||| base\nsummary: >\n  The first\n  concept.\n"
        "=======\nsummary: >\n  The first\n  concept of all.\n>>>>>>> theirs\n",
    )
