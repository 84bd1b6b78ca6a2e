"""The answer of `kb stale`, checked against a brute-force oracle on generated histories.

Hypothesis writes a history in a real git repository: edits of the cited claims and of
others, reverts to the stamped content, reformatting, unrelated commits, renames between
`.yaml` and `.yml`, renames to another id and back, deletions and re-creations, and
branches merged with `--no-ff` while `main` moved on (an unrelated commit, or an edit of
the concept too), the merge taking either side's version of the concept. The
oracle reads the concept at every first-parent commit (`git show`), newest first, and
takes the commit after the newest one whose content matches the stamp (docs/stale.md);
`kb stale --format json` must name that same commit, say "merge" exactly when it is one,
and name a deletion where the concept is gone.

Few histories in CI; `KB_FULL_PROPS=1` runs a few hundred.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from kbcli.stamps import is_stale, make_stamp
from kbcli.yamlio.load import YamlProblem, parse

from helpers import GIT_ENV, run_kb

EXAMPLES = 300 if os.environ.get("KB_FULL_PROPS") == "1" else 25
LEVELS = ("strong", "moderate", "weak")
STATEMENTS = ("Alpha comes first", "Alpha comes first of all")


@dataclass(frozen=True)
class Content:
    """What the page says: the cited claim's evidence and wording, the other claim's
    evidence (material); its layout and changelog notes (not material)."""

    level: int = 0
    wording: int = 0
    other: int = 0
    layout: int = 0
    notes: int = 0

    def text(self) -> str:
        first = (LEVELS[self.level], STATEMENTS[self.wording])
        notes = "".join(
            f"  - {{date: 2026-04-{1 + n % 28:02d}, text: Note {n}}}\n" for n in range(self.notes)
        )
        if self.layout == 0:
            claims = (
                f"  - id: alpha-is-first\n    statement: {first[1]}\n    evidence: {first[0]}\n"
                "    sources: [greek]\n"
                "  - id: alpha-is-a-letter\n    statement: Alpha is a letter\n"
                f"    evidence: {LEVELS[self.other]}\n    sources: [greek]\n"
            )
        else:  # flow style, quoted, claims in the other order
            claims = (
                f"- {{id: alpha-is-a-letter, evidence: '{LEVELS[self.other]}', sources: [greek],"
                " statement: Alpha is a letter}\n"
                f'- {{id: alpha-is-first, sources: ["greek"], evidence: {first[0]},'
                f' statement: "{first[1]}"}}\n'
            )
        changelog = f"changelog:\n{notes}" if notes else "changelog: []\n"
        return (
            "id: alpha\ntitle: Alpha\nsummary: The first concept.\n"
            f"claims:\n{claims}sources:\n  - {{id: greek, title: The Greek alphabet}}\n" + changelog
        )


STAMPED = Content()

# Hypothesis leans to the first value of each: a change, so that most edits are ones.
material = st.builds(
    Content,
    level=st.sampled_from((1, 2, 0)),
    wording=st.sampled_from((1, 0)),
    other=st.sampled_from((1, 2, 0)),
    layout=st.sampled_from((1, 0)),
)
edit = st.tuples(st.just("edit"), material)
step = st.one_of(
    edit,
    edit,  # edits weigh more: most histories should end stale
    edit,
    st.tuples(st.just("revert"), st.integers(0, 1)),  # to the stamped content, some layout
    st.tuples(st.just("note")),  # a changelog entry: not material
    st.tuples(st.just("unrelated")),
    st.tuples(st.just("rename")),  # .yaml <-> .yml
    st.tuples(st.just("delete")),  # or re-create, when gone
    st.tuples(st.just("away")),  # renamed to another id (beta), or back
)
branch_step = st.one_of(
    edit,
    edit,
    st.tuples(st.just("revert"), st.integers(0, 1)),
    st.tuples(st.just("note")),
    st.tuples(st.just("rename")),
)
history = st.lists(
    st.one_of(
        step,
        st.tuples(
            st.just("branch"),
            st.lists(branch_step, min_size=1, max_size=3),
            st.one_of(st.none(), st.just(("unrelated",)), edit),  # what main did meanwhile
            st.sampled_from(("theirs", "ours")),  # whose version of the concept the merge keeps
        ),
    ),
    min_size=1,
    max_size=10,
)


class Story:
    """A repository with a KB (in a sub-directory) whose thesis cites `alpha`."""

    def __init__(self, top: Path, claims: tuple[str, ...] | None) -> None:
        self.top, self.kb = top, top / "kb"
        (self.kb / "concepts").mkdir(parents=True)
        (self.kb / "theses").mkdir()
        (self.kb / "kb.yaml").write_text("{}\n")
        self.claims = claims
        self.stamp = make_stamp(parse(STAMPED.text()).data, claims)
        named = f"    claims: [{', '.join(claims)}]\n" if claims else ""
        (self.kb / "theses" / "t.yaml").write_text(
            "id: t\ntitle: T\nposition: P.\ncites:\n"
            f"  - concept: alpha\n{named}    stamp: '{self.stamp}'\n"
        )
        self.content: Content | None = STAMPED
        self.departed = self.matched_again = False  # for the statistics only
        self.suffix, self.n = ".yaml", 0
        self.away: Content | None = None  # alpha's content while it is renamed to beta
        self.gone_by = ""  # how alpha went, while it is gone: "deleted" or "renamed"
        self.git("init", "-q", "-b", "main")
        self.write()
        self.commit("Initial")

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV, "GIT_AUTHOR_DATE": f"2026-04-01T00:00:{self.n % 60:02d}Z"}
        env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
        done = subprocess.run(
            ["git", *args], cwd=self.top, env=env, capture_output=True, check=True
        )
        return done.stdout.decode()

    @property
    def path(self) -> Path:
        return self.kb / "concepts" / f"alpha{self.suffix}"

    def write(self) -> None:
        if self.content is not None:
            self.path.parent.mkdir(exist_ok=True)  # git rm removes an emptied folder
            self.path.write_text(self.content.text())

    def commit(self, subject: str) -> None:
        self.n += 1
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", f"{subject} {self.n}")

    def apply(self, op: tuple[Any, ...], where: str = "main") -> None:
        kind = op[0]
        if kind == "edit":
            self.content = op[1]
        elif kind == "revert":
            self.content = Content(layout=op[1], notes=self.content.notes if self.content else 0)
        elif kind == "note" and self.content is not None:
            c = self.content
            self.content = Content(c.level, c.wording, c.other, c.layout, c.notes + 1)
        elif kind == "unrelated":
            (self.top / f"{where}.txt").write_text(f"{self.n}\n")
        elif kind == "rename" and self.content is not None:
            old = self.path
            self.suffix = ".yml" if self.suffix == ".yaml" else ".yaml"
            self.git("mv", str(old), str(self.path))
        elif kind == "delete":
            if self.content is None:
                self.content = STAMPED if self.n % 2 else Content(level=1)
            else:
                self.git("rm", "-q", str(self.path))
                self.content, self.gone_by = None, "deleted"
        elif kind == "away":
            self.rename_away()
        self.write()
        self.commit(kind)
        self.note_match()

    def rename_away(self) -> None:
        """alpha renamed to beta (git sees a rename); beta renamed back when alpha is gone,
        else removed."""
        beta = self.kb / "concepts" / "beta.yaml"
        if self.away is None and self.content is not None:
            self.git("mv", str(self.path), str(beta))
            self.away, self.content, self.gone_by = self.content, None, "renamed"
        elif self.away is not None and self.content is None:
            self.git("mv", str(beta), str(self.path))
            self.content, self.away = self.away, None
        elif self.away is not None:
            self.git("rm", "-q", str(beta))
            self.away = None

    def note_match(self) -> None:
        matches = self.content is not None and not is_stale(
            self.stamp, parse(self.content.text()).data, self.claims
        )
        self.matched_again |= self.departed and matches
        self.departed |= not matches

    def branch(self, ops: list[tuple[Any, ...]], meanwhile: Any, take: str) -> None:
        """A branch with `ops`, `main` doing `meanwhile` (None: nothing), then a merge that
        keeps the branch's tree (`theirs`) or main's (`ours`): whichever side changed the
        concept, and no conflict to resolve."""
        name = f"topic-{self.n}"
        main_state = (self.content, self.suffix, self.gone_by)
        self.git("checkout", "-q", "-b", name)
        for op in ops:
            self.apply(op, "branch")
        branch_state = (self.content, self.suffix, self.gone_by)
        self.git("checkout", "-q", "main")
        self.content, self.suffix, self.gone_by = main_state
        if meanwhile is not None:
            self.apply(meanwhile)
        self.n += 1
        self.git("merge", "-q", "--no-ff", "--no-commit", "-s", "ours", name)
        if take == "theirs":
            self.git("read-tree", "--reset", "-u", name)
            main_had_it = self.content is not None
            self.content, self.suffix, self.gone_by = branch_state
            if main_had_it and self.content is None:
                # Gone on the branch (it left before the branch began) but re-created on
                # main meanwhile: against its first parent the merge removes the file,
                # and git sees a deletion, whatever the branch's gone_by says. No branch
                # step moves alpha to another id, so nothing is added to pair it with.
                self.gone_by = "deleted"
        self.commit(f"Merge {name} keeping {take}")
        self.note_match()

    def oracle(self) -> tuple[str, bool] | None:
        """The answer by brute force: (full sha, is a merge); None when HEAD matches."""
        chain = self.git("rev-list", "--first-parent", "HEAD").split()
        for newer, sha in zip([None, *chain], chain, strict=False):
            if not is_stale(self.stamp, self.concept_at(sha), self.claims):
                if newer is None:
                    return None
                parents = self.git("rev-list", "--parents", "-n", "1", newer).split()
                return newer, len(parents) > 2
        raise AssertionError("the root commit has the stamped content")

    def concept_at(self, sha: str) -> object:
        for suffix in (".yaml", ".yml"):
            done = subprocess.run(
                ["git", "show", f"{sha}:kb/concepts/alpha{suffix}"],
                cwd=self.top,
                capture_output=True,
                check=False,
            )
            if done.returncode == 0:
                try:
                    return parse(done.stdout.decode()).data
                except YamlProblem:
                    return None
        return None


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(steps=history, whole=st.booleans())
@example(  # alpha renamed away, re-created on main, and the merge keeps the branch's tree
    steps=[
        ("away",),
        ("branch", [("note",)], ("edit", Content(level=1, wording=1, other=1, layout=1)), "theirs"),
    ],
    whole=False,
)
def test_kb_stale_names_the_oracles_commit(steps: list[tuple[Any, ...]], whole: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        story = Story(Path(tmp) / "repo", None if whole else ("alpha-is-first",))
        for op in steps:
            if op[0] == "branch":
                story.branch(op[1], op[2], op[3])
            else:
                story.apply(op)
        expected = story.oracle()
        env = {**GIT_ENV, "GIT_CEILING_DIRECTORIES": tmp}
        result = run_kb("stale", "--format", "json", "--no-cache", cwd=story.kb, env=env)
        assert result.code == 0, result.err
        cites = [c for t in json.loads(result.out)["theses"] for c in t["citations"]]
        if expected is None:
            event("fresh: HEAD matches the stamp")
            assert cites == []
            return
        (cite,) = cites
        origin = cite["origin"]
        sha, merge = expected
        gone_by = story.gone_by if story.content is None else "no"
        event(f"stale; answer a merge: {merge}; concept gone: {gone_by}")
        if story.matched_again:
            event("the stamped content came back after a departure")
        assert origin["state"] == "commit", (steps, origin)
        assert sha.startswith(origin["sha"]), (steps, origin, sha)
        assert origin.get("merge", False) is merge
        gone = story.content is None
        assert cite["status"] == ("missing" if gone else "stale")
        assert origin.get("event", {}).get("kind") == (story.gone_by if gone else None)
