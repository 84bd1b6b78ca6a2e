"""How the history pass of `kb stale` scales with the length of git history: a hand-run
measurement (moved out of the test suite: it times things, and tests must not).

    python benchmarks/history_pass.py --pages 10000 --commits 1000 2000 --stale 100

Builds a synthetic KB and history with `git fast-import`, then reports the median time of
a cold pass, a pass with a warm history cache, the `git log` pass alone, and how many blobs
were parsed. `benchmarks/run.py` measures the whole of `kb stale` (rows E).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import kbcli.gitlog as gitlog
import kbcli.history as history
from kbcli.history import Citation, Origin, stale_since
from kbcli.stamps import make_stamp
from kbcli.yamlio.load import parse

IDENTITY = {
    "GIT_AUTHOR_NAME": "Ada Curator",
    "GIT_AUTHOR_EMAIL": "ada@example.org",
    "GIT_COMMITTER_NAME": "Ada Curator",
    "GIT_COMMITTER_EMAIL": "ada@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **IDENTITY}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


WORDS = [
    *("model", "feature", "circuit", "trace", "sparse", "autoencoder", "attention", "head"),
    *("layer", "residual", "stream", "probe", "steering", "alignment", "evidence", "neuron"),
    *("superposition", "monosemantic", "attribution", "graph"),
]


def synthetic_page(cid: str, downgraded: bool, notes: int) -> str:
    """A realistic ~8 KB concept page: 12 claims, 3 sources, a section, a changelog."""
    rnd = random.Random(cid)

    def words(n: int) -> str:
        return " ".join(rnd.choices(WORDS, k=n))

    claims = "".join(
        f"  - id: claim-{k}\n"
        f"    statement: >-\n      Claim {k} of {cid}: {words(14)}\n"
        f"    detail: {words(30)}\n"
        f"    evidence: {'moderate' if downgraded and k == 3 else 'strong'}  # reviewed\n"
        f"    sources: [src-{k % 3}]\n"
        f"    added: 2026-01-{1 + k:02d}\n"
        for k in range(12)
    )
    sources = "".join(
        f"  - {{id: src-{s}, title: Source {s}, url: 'https://example.org/{cid}/{s}'}}\n"
        for s in range(3)
    )
    log = "".join(
        f"  - {{date: 2026-02-{1 + j % 28:02d}, text: Note {j}.}}\n" for j in range(notes)
    )
    return (
        f"# yaml-language-server: $schema=../../schemas/concept.schema.json\n"
        f"id: {cid}\ntitle: Concept {cid}\nstatus: active\n"
        f"summary: |\n  {words(60)}\n"
        f"sections:\n  - heading: Background\n    body: >\n      {words(120)}\n"
        f"claims:\n{claims}sources:\n{sources}"
        f"changelog:\n  - {{date: 2026-01-01, text: Created.}}\n{log}"
    )


def build_history(top: Path, pages: int, commits: int, stale: int) -> dict[str, int]:
    """A KB of `pages` concepts and `commits` commits of 3 page edits each (git fast-import);
    `stale` concepts get a material change at a random commit, then later notes. Returns
    the commit number of each material change."""
    rnd = random.Random(commits)
    git(top, "init", "-q", "-b", "main")
    ids = [f"c{n:05d}" for n in range(pages)]
    change_at = {cid: rnd.randrange(1, commits) for cid in rnd.sample(ids, stale)}
    changes: dict[int, list[str]] = {}
    for cid, at in change_at.items():
        changes.setdefault(at, []).append(cid)
    downgraded: set[str] = set()
    notes = dict.fromkeys(ids, 0)
    stream = bytearray()
    for i in range(commits):
        touched = ids if i == 0 else rnd.sample(ids, 3) + changes.get(i, [])
        # Concepts already changed keep getting non-material edits now and then.
        touched += [cid for cid in downgraded if i and rnd.random() < 0.005]
        for cid in touched[:3] if i else []:
            notes[cid] += 1
        downgraded.update(changes.get(i, []))
        subject = f"edit {i}".encode()
        stamp = f"A <a@example.org> {1_770_000_000 + 60 * i} +0000"
        stream += b"commit refs/heads/main\nauthor %s\ncommitter %s\n" % (
            stamp.encode(),
            stamp.encode(),
        )
        stream += b"data %d\n%s\n" % (len(subject), subject)
        for cid in dict.fromkeys(touched):
            body = synthetic_page(cid, cid in downgraded, notes[cid]).encode()
            stream += b"M 100644 inline kb/concepts/%s.yaml\ndata %d\n%s\n" % (
                cid.encode(),
                len(body),
                body,
            )
    subprocess.run(["git", "fast-import", "--quiet"], cwd=top, input=bytes(stream), check=True)
    git(top, "reset", "-q", "--hard", "main")
    return change_at


def measure(pages: int, commit_counts: list[int], stale: int, fresh: int, repeat: int) -> None:
    os.environ.update(IDENTITY)
    print(f"{pages} pages, {stale} stale + {fresh} fresh citations, median of {repeat}")
    print(f"{'commits':>8} {'cold':>7} {'warm cache':>11} {'log pass':>9} {'parses':>7}")
    for commits in commit_counts:
        with tempfile.TemporaryDirectory() as tmp:
            cold, warm, log_pass, parsed = _measure_one(
                Path(tmp), pages, commits, stale, fresh, repeat
            )
        print(f"{commits:>8} {cold:>6.2f}s {warm:>10.2f}s {log_pass:>8.2f}s {parsed:>7}")


def _measure_one(
    top: Path, pages: int, commits: int, stale: int, fresh: int, repeat: int
) -> tuple[float, float, float, int]:
    change_at = build_history(top, pages, commits, stale)
    kb = top / "kb"
    citations: list[Citation] = []
    worktree: dict[str, object] = {}
    others = sorted(p.stem for p in (kb / "concepts").glob("*.yaml"))
    for n, cid in enumerate([*change_at, *others]):
        if cid in worktree or len(citations) >= stale + fresh:
            continue
        worktree[cid] = parse((kb / "concepts" / f"{cid}.yaml").read_text()).data
        claims = ("claim-3",) if n % 2 else None
        stamped = parse(synthetic_page(cid, False, 0)).data if cid in change_at else worktree[cid]
        citations.append(Citation(cid, make_stamp(stamped, claims), claims))
    parses = _count_parses()
    cold = _median(repeat, lambda: stale_since(kb, citations, worktree))
    found = stale_since(kb, citations, worktree)
    parsed = parses() // (repeat + 1)
    _check(found, change_at)
    cache = top / "cache.json"
    stale_since(kb, citations, worktree, cache=cache)
    warm = _median(repeat, lambda: stale_since(kb, citations, worktree, cache=cache))
    repo = gitlog.Git.open(kb)
    assert repo is not None
    log_pass = _median(repeat, lambda: repo.history(None))
    return cold, warm, log_pass, parsed


def _median(repeat: int, run: Any) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _count_parses() -> Any:
    count = [0]
    real_load = history._load

    def counting(raw: bytes) -> object:
        count[0] += 1
        return real_load(raw)

    history._load = counting
    return lambda: count[0]


def _check(found: dict[Citation, Origin], change_at: dict[str, int]) -> None:
    assert len(found) == len(change_at), (len(found), len(change_at))
    for cit, origin in found.items():
        assert origin.commit is not None, (cit, origin)
        assert origin.commit.subject == f"edit {change_at[cit.concept]}", (cit, origin)


def _main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(description="Measure the history pass of kb stale.")
    ap.add_argument("--pages", type=int, default=10_000)
    ap.add_argument("--commits", type=int, nargs="+", default=[1000, 2000])
    ap.add_argument("--stale", type=int, default=100)
    ap.add_argument("--fresh", type=int, default=900)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    measure(args.pages, args.commits, args.stale, args.fresh, args.repeat)


if __name__ == "__main__":
    _main(sys.argv[1:])
