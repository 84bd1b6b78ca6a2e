"""A property of `kb merge-file` over random verb sequences on two branches from one base,
where the branches may touch the same things: the driver never loses what either side
added (and the other did not delete), never drops a change one side made to a field the
other left alone, and a clean result lints no worse than the two sides."""

from __future__ import annotations

import contextlib
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import git_init, make_kb

PAGE = "kb/concepts/alpha.yaml"
BASE = """\
id: alpha
title: Alpha
aliases: [first letter, "alef"]  # a comment
summary: |
  The first concept.

  It comes first.

  It has a name.
claims:
  - id: alpha-is-first
    statement: Alpha comes first
    evidence: strong
    sources: [greek]
  - id: alpha-is-a-letter
    statement: 'Alpha is a letter'
    evidence: moderate
    sources: [greek]
  - {id: alpha-first-again, statement: Alpha comes first., evidence: weak, sources: [greek]}
sources:
  - {id: greek, title: The Greek alphabet}
related:
  - {concept: beta, note: comes next}
open_questions:
  - Why first?
changelog:
  - {date: 2026-04-14, text: Added a claim}
  - {date: 2026-04-05, text: Created}
"""
WORDS = ["tokens", "heads", "layers", "circuits", "features", "probes"]
BASE_CLAIMS = ["alpha-is-first", "alpha-is-a-letter", "alpha-first-again"]
DATES = ["2026-04-14", "2026-05-01", "2026-05-02"]

Step = tuple[str, Any]
statements = st.lists(st.sampled_from(WORDS), min_size=2, max_size=3, unique=True).map(
    lambda w: "Alpha " + " ".join(w)
)
steps: st.SearchStrategy[list[Step]] = st.lists(
    st.one_of(
        st.tuples(st.just("add-claim"), st.tuples(statements, st.sampled_from(["weak", "strong"]))),
        st.tuples(st.just("changelog"), st.tuples(statements, st.sampled_from(DATES))),
        st.tuples(st.just("merge-claims"), st.none()),
        st.tuples(
            st.just("set"),
            st.tuples(
                st.sampled_from(BASE_CLAIMS),
                st.sampled_from(["evidence", "detail"]),
                st.sampled_from(["weak", "moderate"]),
            ),
        ),
        st.tuples(st.just("delete-claim"), st.sampled_from(BASE_CLAIMS)),
        st.tuples(st.just("alias"), st.sampled_from(["alef", "a", "first letter"])),
        st.tuples(st.just("question"), st.sampled_from(["Why first?", "Why A?", "Who?"])),
        st.tuples(st.just("source"), st.sampled_from(["roman", "phoenician"])),
        st.tuples(st.just("related"), st.sampled_from(["beta", "gamma"])),
        st.tuples(st.just("reverse"), st.sampled_from(["claims", "aliases", "open_questions"])),
        st.tuples(st.just("summary"), st.tuples(st.sampled_from([0, 2]), st.sampled_from(WORDS))),
        st.tuples(st.just("drop"), st.sampled_from(["aliases", "open_questions", "related"])),
    ),
    max_size=4,
)


def _apply(root: Path, sequence: list[Step]) -> None:
    """Run the verbs (the real ones where kb has one, else a hand edit by the editor)."""
    from kbcli.commands.add_claim import NewClaim, add_claim
    from kbcli.commands.changelog import add_entry
    from kbcli.commands.merge_claims import merge_claims
    from kbcli.config import load_config
    from kbcli.errors import KbError
    from kbcli.yamlio.edit import Delete, Insert, Remove, Set, apply_text
    from kbcli.yamlio.load import parse

    config = load_config(root)
    path = root / "concepts" / "alpha.yaml"
    for verb, arg in sequence:
        with contextlib.suppress(KbError):  # refused (a repeat, nothing to merge): no change
            if verb == "add-claim":
                add_claim(root, config, "alpha", NewClaim(arg[0], arg[1], ("greek",)), DATES[1])
            elif verb == "changelog":
                add_entry(root, config, "alpha", arg[0] + " noted", arg[1])
            elif verb == "merge-claims":
                merge_claims(root, config, "alpha", DATES[2])
        if verb in ("add-claim", "changelog", "merge-claims"):
            continue
        text = path.read_text(encoding="utf-8")
        page = parse(text).data
        ids = [c["id"] for c in page["claims"]]
        ops: list[Any] = []
        if verb in ("set", "delete-claim"):
            if arg[0] not in ids:
                continue
            at = ids.index(arg[0])
            ops = [Delete(("claims",), at)] if verb == "delete-claim" else []
            if verb == "set":
                value = arg[2] if arg[1] == "evidence" else f"Seen {arg[2]}."
                ops = [Set(("claims", at, arg[1]), value)]
        elif verb in ("alias", "question"):
            field = "aliases" if verb == "alias" else "open_questions"
            have = page.get(field, [])
            if arg in have:  # toggles: present is removed, absent is added
                ops = [Delete((field,), have.index(arg))]
            else:
                ops = [Insert((field,), len(have), arg)]
        elif verb == "drop":  # an optional field removed by hand
            if arg not in page:
                continue
            ops = [Remove((arg,))]
        elif verb == "reverse":
            if len(page.get(arg, [])) < 2:
                continue
            ops = [Set((arg,), page[arg][::-1])]
        elif verb == "summary":  # one paragraph of three rewritten
            paragraphs = page["summary"].split("\n\n")
            paragraphs[arg[0]] = f"Paragraph about {arg[1]}."
            ops = [Set(("summary",), "\n\n".join(paragraphs))]
        elif verb == "source":
            if arg in [s["id"] for s in page["sources"]]:
                continue
            ops = [Insert(("sources",), len(page["sources"]), {"id": arg, "title": arg.title()})]
        else:
            have = [r["concept"] for r in page.get("related", [])]
            if arg in have:
                ops = [Delete(("related",), have.index(arg))]
            else:
                ops = [Insert(("related",), len(have), {"concept": arg, "note": "near"})]
        path.write_text(apply_text(text, ops), encoding="utf-8")


def _items(page: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a page holds, by kind and identity (a claim merged away lives on by its id)."""
    live = {c["id"]: c for c in page.get("claims", [])}
    claims = dict(live)
    for claim in page.get("claims", []):
        for old in claim.get("merged", []):
            claims.setdefault(old, claim)
    return {
        "live": live,
        "claims": claims,
        "sources": {s["id"]: s for s in page.get("sources", [])},
        "related": {r["concept"]: r for r in page.get("related", [])},
        "aliases": dict.fromkeys(page.get("aliases", []), True),
        "open_questions": dict.fromkeys(page.get("open_questions", []), True),
        "changelog": {f"{e['date']} {e['text']}": e for e in page.get("changelog", [])},
    }


def _sides(text: str, keep: str) -> str:
    """The conflicted text resolved to one side of every hunk."""
    out, side = [], None
    for line in text.splitlines(keepends=True):
        mark = re.match(r"(<{7}|\|{7}|={7}|>{7})", line)
        if mark:
            side = {"<": "ours", "|": "base", "=": "theirs", ">": None}[mark.group(1)[0]]
            continue
        if side in (None, keep):
            out.append(line)
    return "".join(out)


def _lint_keys(root: Path) -> set[tuple[str, str]]:
    from kbcli.lint import lint

    found = lint(root, "2026-06-01", use_cache=False).findings
    return {
        (f.code, re.sub(r"\bline \d+", "line ?", f.message)) for f in found if f.severity == "error"
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ours=steps, theirs=steps)
def test_the_merge_never_loses_what_a_side_added_and_lints_clean(
    ours: list[Step], theirs: list[Step]
) -> None:
    from kbcli.commands.merge_file import merge_file
    from kbcli.yamlio.load import parse

    work = Path(tempfile.mkdtemp(prefix="kb-merge-any-"))
    try:
        roots = {}
        for name, sequence in (("ours", ours), ("theirs", theirs)):
            roots[name] = make_kb(work / name / "kb", files={"concepts/alpha.yaml": BASE})
            _apply(roots[name], sequence)
        git_init(work / "ours")
        texts = {
            "base": BASE,
            **{n: (roots[n] / "concepts" / "alpha.yaml").read_text("utf-8") for n in roots},
        }
        for name, text in texts.items():
            (work / "ours" / f".{name}").write_text(text, encoding="utf-8")
        report = merge_file(
            *(work / "ours" / f".{n}" for n in ("base", "ours", "theirs")), PAGE, 7, work / "ours"
        )
        result = (work / "ours" / ".ours").read_text("utf-8")
        data = {n: _items(parse(t).data) for n, t in texts.items()}
        if report.code == 0:
            merged = [_items(parse(result).data)]
        else:  # nothing lost means: in the merged rest, or on one side of a hunk
            assert report.code == 1, report.notes
            merged = [_items(parse(_sides(result, side)).data) for side in ("ours", "theirs")]
        for kind in data["base"]:
            base = data["base"][kind]
            for side, other in (("ours", "theirs"), ("theirs", "ours")):
                for key, value in data[side][kind].items():
                    kept = key not in base or key in data[other][kind] or value != base[key]
                    if kept:  # added, or kept by the other, or changed here: never lost
                        assert any(key in m[kind] for m in merged), (kind, key, report.notes)
        if report.code == 0:
            for side, other in (("ours", "theirs"), ("theirs", "ours")):
                for key, claim in data[side]["live"].items():
                    was, there = data["base"]["live"].get(key), data[other]["live"].get(key)
                    if was is None or there is None or key not in merged[0]["live"]:
                        continue
                    for field, value in claim.items():
                        if field in ("merged", "sources"):
                            continue
                        if value != was.get(field) and there.get(field) == was.get(field):
                            assert merged[0]["live"][key].get(field) == value, (key, field)
            (roots["ours"] / "concepts" / "alpha.yaml").write_text(result, encoding="utf-8")
            new = _lint_keys(roots["ours"])
            (roots["ours"] / "concepts" / "alpha.yaml").write_text(texts["ours"], "utf-8")
            assert new <= _lint_keys(roots["ours"]) | _lint_keys(roots["theirs"])
    finally:
        shutil.rmtree(work)
