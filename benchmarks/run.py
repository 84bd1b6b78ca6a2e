"""How fast `kb` is on a large knowledge base, side by side with what a user would run instead.

Run: `python benchmarks/run.py` (10,000 concepts; several minutes) or `--quick` (500 pages,
a smoke test: CI runs it and checks no timing). It generates, in a temporary directory
(never in the repo):

- a KB of N concepts of about 8 KB each (summary, sections, 12 claims, 3 sources, open
  questions, related concepts, changelog, YAML comments), N/10 theses citing claims with
  stamps, a handful of planted errors, and a git history written with `git fast-import`
  (1,000 commits touching a few pages each, then 1,000 more for E);
- a separate venv with check-jsonschema and ruamel.yaml's C parser (`ruamel.yaml.clib`,
  which check-jsonschema's ruamel.yaml 0.19 uses when present; the script prints which
  parser it actually got);

then measures the medians of `--repeat` runs (at least 11 of the quick C, D and F, with C's
and D's runs interleaved) of:

  A  `kb lint` on the whole KB, cold (no cache), against check-jsonschema on the concepts;
  B  `kb lint` again, nothing changed (warm cache);
  C  `kb lint PATH x5` after editing those 5 pages, as pre-commit calls it (warm);
  D  `kb --version`, against a ten-line typer app with one no-op command;
  E  `kb stale` (cold) at 1,000 and at 2,000 commits of history, runs interleaved;
  F  `kb merge-claims --dry-run` on a page of 500 claims with 50 near-duplicates;
  G  `kb merge-file` (the git merge driver) on a page of 500 claims, 20 claims added and
     20 changed on each side;
  H  `kb diff HEAD~1 HEAD` after a commit changing 5 concepts (one cited claim's evidence
     each, so theses go stale), against D run alongside;
  and the peak memory of A.

kb's own modules are byte-compiled first, as `pip install` does. E checks that `kb stale`
dates every planted stale citation with its commit. `--json FILE` writes every figure;
`--generate DIR` only writes a corpus (for tests and profiling).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbcli.stamps import make_stamp

sys.path.insert(0, str(Path(__file__).parent))
import growth as growth_mod

REPO = Path(__file__).resolve().parents[1]
SCHEMA = REPO / "schemas" / "concept.schema.json"
LEVELS = ("strong", "moderate", "weak")
CLAIMS_PER_PAGE = 12
STALE_TARGET = 100
# Runs of the sub-second measures (C, D, F): their medians drift most on a busy machine,
# and D is under 0.1 s, so more of them cost little.
CHEAP_RUNS = 11
STALE_RUNS = 5  # E's runs at each history length, at least
START = 1_735_689_600  # 2025-01-01T00:00:00Z: commit k is k hours later
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Curator",
    "GIT_AUTHOR_EMAIL": "curator@example.org",
    "GIT_COMMITTER_NAME": "Curator",
    "GIT_COMMITTER_EMAIL": "curator@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
MINIMAL_TYPER_APP = '''\
"""The floor of the framework: a typer app with one no-op command."""

import typer

app = typer.Typer()


@app.command()
def noop() -> None:
    """Do nothing."""


app()
'''

# -- text --------------------------------------------------------------------------------


class Words:
    """Deterministic pseudo-English: words of three consonant-vowel syllables (never a YAML
    keyword such as `true` or `null`), sentences and paragraphs drawn from fixed pools."""

    def __init__(self, seed: int = 2026) -> None:
        rng = random.Random(seed)
        syllable = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]
        self.vocab = sorted({"".join(rng.choices(syllable, k=3)) for _ in range(6000)})
        self.sentences = [self._sentence(rng) for _ in range(5000)]
        self.rng = rng
        self.paragraphs: dict[tuple[int, int], str] = {}

    def _sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.vocab, k=rng.randint(8, 16))
        return " ".join(words).capitalize() + "."

    def sentence(self, i: int) -> str:
        return self.sentences[i % len(self.sentences)]

    def paragraph(self, i: int, n: int) -> str:
        key = ((i * 7) % len(self.sentences), n)  # the sentences it joins repeat: kept
        found = self.paragraphs.get(key)
        if found is None:
            found = self.paragraphs[key] = " ".join(self.sentence(i * 7 + k) for k in range(n))
        return found

    def word(self, i: int) -> str:
        return self.vocab[i % len(self.vocab)]


@functools.lru_cache(maxsize=1 << 16)
def _wrap(text: str, indent: str, width: int = 88) -> str:
    """`text` wrapped at `width`, each line indented. Cached: paragraphs come from fixed
    pools, and wrapping them afresh for each page was most of generating 100,000 pages."""
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(indent + ln for ln in lines)


# -- the model of a concept, its versions and its text -----------------------------------


@dataclass
class Concept:
    index: int
    n: int  # concepts in the KB, for cross references
    evidence: dict[int, str] = field(default_factory=dict)  # claim -> level, after edits
    log: list[tuple[str, str]] = field(default_factory=list)  # (date, text), newest first
    revision: int = 0  # non-material edits so far
    broken: str | None = None  # a planted error, by kind

    @property
    def id(self) -> str:
        return concept_id(self.index)

    def claim_id(self, j: int) -> str:
        return f"claim-{j + 1}-{WORDS.word(self.index * 13 + j)}"

    def level(self, j: int) -> str:
        return self.evidence.get(j, LEVELS[(self.index + j) % 3])

    def statement(self, j: int) -> str:
        return WORDS.sentence(self.index * CLAIMS_PER_PAGE + j)

    def summary(self) -> str:
        paragraphs = [WORDS.paragraph(self.index * 3 + k, 3) for k in range(3)]
        return "\n\n".join(paragraphs) + "\n"

    def material(self) -> dict[str, Any]:
        """The fields a stamp covers, as `kbcli.yamlio.load.parse` reads them back."""
        claims = [
            {
                "id": self.claim_id(j),
                "statement": self.statement(j),
                "evidence": self.level(j),
                "sources": [self.source_id(j % 3)],
            }
            for j in range(CLAIMS_PER_PAGE)
        ]
        return {"id": self.id, "summary": self.summary(), "claims": claims}

    def source_id(self, k: int) -> str:
        return f"src-{k + 1}-{WORDS.word(self.index + k * 101)}"

    def text(self) -> str:
        i = self.index
        out = [
            "# yaml-language-server: $schema=../schemas/concept.schema.json",
            f"id: {self.id}",
            f"title: Concept {i} {WORDS.word(i).capitalize()}",
            "status: active-frontier",
            "aliases:",
            f"  - {WORDS.word(i * 3 + 1)} {i}",
            "",
            "summary: |",
            *(("  " + ln) if ln else "" for ln in self.summary().rstrip("\n").split("\n")),
            "",
            "sections:",
            f"  # Drafted from {self.source_id(0)}; revision {self.revision}.",
        ]
        for k in range(2):
            body = WORDS.paragraph(i * 5 + k + self.revision, 4)
            out += [
                f"  - heading: {WORDS.word(i + k).capitalize()} {WORDS.word(i * 2 + k)}",
                "    body: |",
                _wrap(body, "      ", 100),
                "",
                _wrap(WORDS.paragraph(i * 11 + k, 3), "      ", 100),
            ]
        out += ["", "claims:", "  # Initial compilation, 2025-01-01, from the sources below."]
        out += [ln for j in range(CLAIMS_PER_PAGE) for ln in self._claim(j)]
        out += ["", "sources:"]
        for k in range(3):
            out += [
                f"  - id: {self.source_id(k)}",
                f'    title: "{WORDS.sentence(i + k * 17).rstrip(".")}"',
                f"    url: https://example.org/{self.source_id(k)}",
            ]
        out += ["", "open_questions:"]
        out += [f"  - {WORDS.sentence(i * 4 + k).rstrip('.')}?" for k in range(2)]
        out += ["", "related:"]
        for step in (1, 17, 101):
            out += [
                f"  - concept: {concept_id((i + step) % self.n)}",
                f"    note: {WORDS.sentence(i + step)}",
            ]
        out += ["", "changelog:"]
        for date, text in [*self.log, ("2025-01-01", "Created from the initial compilation.")]:
            out += [f"  - date: {date}", f"    text: {text}"]
        return _plant(self.broken, "\n".join(out) + "\n")

    def _claim(self, j: int) -> list[str]:
        lines = [
            f"  - id: {self.claim_id(j)}",
            f"    statement: {self.statement(j)}",
            "    detail: >-",
            _wrap(WORDS.paragraph(self.index * 17 + j, 2), "      "),
            f"    evidence: {self.level(j)}",
            "    sources:",
            f"      - {self.source_id(j % 3)}",
            "    added: 2025-01-01",
        ]
        return lines


def concept_id(i: int) -> str:
    return f"{WORDS.word(i)}-{i}"


PLANTED = ("bad-evidence", "unknown-field", "bad-date", "yaml-syntax", "duplicate-claim")


def _plant(kind: str | None, text: str) -> str:
    """One planted error: most pages are valid, a few are not (the slow lint path)."""
    if kind == "bad-evidence":
        return text.replace("    evidence: ", "    evidence: certain-", 1)
    if kind == "unknown-field":
        return text.replace("status: ", "stauts: ", 1)
    if kind == "bad-date":
        return text.replace("    added: 2025-01-01", "    added: 2025-02-30", 1)
    if kind == "yaml-syntax":
        return text.replace("aliases:\n  - ", "aliases:\n  - [", 1)
    if kind == "duplicate-claim":
        first = text.index("    statement: ")
        statement = text[first : text.index("\n", first)]
        second = text.index("    statement: ", first + 1)
        return text[:second] + statement + text[text.index("\n", second) :]
    return text


@dataclass
class Thesis:
    index: int
    cites: list[tuple[int, list[int] | None, str]]  # concept, claims (None: whole), stamp

    @property
    def id(self) -> str:
        return f"thesis-{self.index}-{WORDS.word(self.index * 5)}"

    def text(self, concepts: Sequence[Concept]) -> str:
        out = [
            "# yaml-language-server: $schema=../schemas/thesis.schema.json",
            f"id: {self.id}",
            f"title: Thesis {self.index} {WORDS.word(self.index).capitalize()}",
            "",
            "# A research position argued from the cited concepts.",
            "position: >",
            _wrap(WORDS.paragraph(self.index * 19, 3), "  "),
            "",
            "score: 0.6",
            "scored: 2025-01-01",
            "",
            "cites:",
        ]
        for concept, claims, stamp in self.cites:
            out.append(f"  - concept: {concepts[concept].id}")
            if claims is not None:
                out.append("    claims:")
                out += [f"      - {concepts[concept].claim_id(j)}" for j in claims]
            out.append(f"    stamp: {stamp}")
        return "\n".join(out) + "\n"


WORDS = Words()

# -- the corpus and its history ----------------------------------------------------------


@dataclass
class Corpus:
    root: Path
    concepts: list[Concept]
    theses: list[Thesis]
    commits: int = 0
    stale: int = 0  # citations made stale by the history
    rng: random.Random = field(default_factory=lambda: random.Random(7))


def build_corpus(root: Path, pages: int, plant_every: int = 997) -> Corpus:
    """The KB's first version: N concepts (a few with planted errors), N/10 theses, each
    citing three concepts no other thesis cites, stamped as they are now."""
    concepts = [Concept(i, pages) for i in range(pages)]
    for k, i in enumerate(range(plant_every // 2, pages, plant_every)):
        concepts[i].broken = PLANTED[k % len(PLANTED)]
    theses = []
    for t in range(max(1, pages // 10)):
        cites: list[tuple[int, list[int] | None, str]] = []
        for slot, offset in enumerate((0, 3, 7)):
            c = concepts[(t * 10 + offset) % pages]
            claims = None if slot == 2 and t % 5 == 0 else [(t + slot) % 12, (t + slot + 5) % 12]
            stamp = make_stamp(
                c.material(), None if claims is None else [c.claim_id(j) for j in claims]
            )
            cites.append((c.index, claims, stamp))
        theses.append(Thesis(t, cites))
    return Corpus(root, concepts, theses)


def initial_files(corpus: Corpus) -> Iterator[tuple[str, str]]:
    yield "kb.yaml", "# The benchmark's KB: every setting at its default.\n"
    for c in corpus.concepts:
        yield f"concepts/{c.id}.yaml", c.text()
    for t in corpus.theses:
        yield f"theses/{t.id}.yaml", t.text(corpus.concepts)


def _date(commit: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(START + commit * 3600))


def edit_commits(corpus: Corpus, count: int, stale: int) -> Iterator[tuple[str, list[int]]]:
    """`count` commits of a few pages each (changelog entry, re-worded section); `stale` of
    them also change the evidence of a claim one citation relies on, making it stale."""
    targets = _stale_targets(corpus, stale)
    every = max(1, count // max(1, len(targets)))
    for k in range(count):
        n = corpus.commits + 1
        corpus.commits = n
        touched = corpus.rng.sample(range(len(corpus.concepts)), 3)
        subject = f"Revise {len(touched)} concepts"
        if targets and k % every == every // 2:
            concept, claim = targets.pop()
            c = corpus.concepts[concept]
            c.evidence[claim] = next(lv for lv in LEVELS if lv != c.level(claim))
            corpus.stale += 1
            touched[0] = concept
            subject = f"Re-assess the evidence of {c.claim_id(claim)} in {c.id}"
        for i in dict.fromkeys(touched):
            c = corpus.concepts[i]
            c.revision += 1
            c.log.insert(0, (_date(n), f"Revision {c.revision}, reworded a section."))
        yield subject, list(dict.fromkeys(touched))


def _stale_targets(corpus: Corpus, wanted: int) -> list[tuple[int, int]]:
    """(concept, claim) pairs cited by exactly one claim-scoped citation."""
    cited = [
        (concept, claims[0])
        for t in corpus.theses
        for concept, claims, _ in t.cites
        if claims is not None and not corpus.concepts[concept].evidence
    ]
    step = max(1, len(cited) // max(1, wanted))
    return cited[::step][:wanted]


class FastImport:
    """A `git fast-import` process that takes whole commits."""

    def __init__(self, repo: Path, parent: str | None) -> None:
        self.proc = subprocess.Popen(
            ["git", "-c", "pack.compression=1", "fast-import", "--quiet", "--done"],
            cwd=repo,
            stdin=subprocess.PIPE,
            env={**os.environ, **GIT_ENV},
        )
        self.parent = parent
        self.mark = 0

    def commit(
        self, n: int, subject: str, files: Iterable[tuple[str, str]], tick: Tick | None = None
    ) -> None:
        assert self.proc.stdin is not None
        self.mark += 1
        when = f"{START + n * 3600} +0000"
        msg = subject.encode()
        parts = [
            b"commit refs/heads/main\n",
            f"mark :{self.mark}\n".encode(),
            f"author Curator <curator@example.org> {when}\n".encode(),
            f"committer Curator <curator@example.org> {when}\n".encode(),
            b"data %d\n%s\n" % (len(msg), msg),
        ]
        if self.mark > 1:
            parts.append(f"from :{self.mark - 1}\n".encode())
        elif self.parent:
            parts.append(f"from {self.parent}\n".encode())
        self.proc.stdin.write(b"".join(parts))
        for path, text in files:  # streamed: 100,000 pages are 850 MB
            data = text.encode()
            self.proc.stdin.write(
                b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data)
            )
            if tick is not None:
                tick()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"done\n")
        self.proc.stdin.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def write_history(corpus: Corpus, commits: int, stale: int) -> None:
    """Append the first version (when there is none yet) and `commits` edit commits to the
    repository at `corpus.root`, then check the result out."""
    repo = corpus.root
    first = not (repo / ".git").exists()
    if first:
        _git(repo.parent, "init", "-q", "-b", "main", repo.name)
    importer = FastImport(repo, None if first else "refs/heads/main^0")
    pages = len(corpus.concepts) + len(corpus.theses) + 1 if first else 0
    with progress_bar("generating", pages + commits) as tick:
        if first:
            importer.commit(0, "Initial KB", initial_files(corpus), tick)
        for subject, touched in edit_commits(corpus, commits, stale):
            c = corpus.concepts
            importer.commit(
                corpus.commits,
                subject,
                [(f"concepts/{c[i].id}.yaml", c[i].text()) for i in touched],
            )
            tick()
        importer.close()
    _git(repo, "reset", "-q", "--hard", "main")
    # git's index, written in the second its files were, holds them "racily clean": every
    # `git diff-files` or `git status` re-reads them all (0.1 s at 10,000 pages) until an
    # index refresh a second later, which any curator's next `git status` makes
    time.sleep(1.1)
    _git(repo, "update-index", "-q", "--refresh")


Tick = Callable[[], None]


@contextlib.contextmanager
def progress_bar(what: str, total: int) -> Iterator[Tick]:
    """A rich progress bar on stderr while generating, where that is a terminal (and the
    work is large enough to be worth one); a no-op callback otherwise."""
    if total < 2000 or not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(what, total=total)
        done = 0

        def tick() -> None:
            nonlocal done
            done += 1
            if done % 200 == 0 or done == total:
                bar.update(task, completed=done)

        yield tick


def write_plain(corpus: Corpus) -> None:
    """The corpus without git (for tests that need no history)."""
    for rel, text in initial_files(corpus):
        path = corpus.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def merge_page(root: Path) -> str:
    """A KB holding one concept of 500 claims, 50 of them near-duplicates (for F)."""
    sys.path.insert(0, str(Path(__file__).parent))
    from threshold import synthetic_statements

    statements = synthetic_statements(500, 50)
    lines = ["id: big", "title: Big", "summary: A page of many claims.", "claims:"]
    for i, s in enumerate(statements):
        lines += [
            f"  - id: c{i}",
            f"    statement: {s}",
            f"    evidence: {LEVELS[i % 3]}",
            "    sources: [s1]",
        ]
    lines += ["sources:", "  - {id: s1, title: Source}", "changelog: []"]
    (root / "concepts").mkdir(parents=True)
    (root / "kb.yaml").write_text("{}\n", encoding="utf-8")
    (root / "concepts" / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return "big"


def merge_file_versions(root: Path) -> list[str]:
    """BASE, OURS and THEIRS of a 500-claim page, each side with 20 claims added and 20
    changed (different ones), for G; the file names, in the driver's order."""
    (root / "kb" / "concepts").mkdir(parents=True)
    (root / "kb" / "kb.yaml").write_text("{}\n", encoding="utf-8")
    sys.path.insert(0, str(Path(__file__).parent))
    from threshold import synthetic_statements

    # Statements as varied as a real page's: "Claim number 1 holds" / "... 2 holds" would
    # make every pair a possible contradiction (C009), which no real page is.
    said = synthetic_statements(540, 0, seed=14)
    added = {"ours": said[500:520], "theirs": said[520:]}

    def page(side: str, changed: range) -> str:
        lines = ["id: big", "title: Big", "summary: A page of many claims.", "claims:"]
        for i in range(500):
            level = "weak" if i in changed else LEVELS[i % 3]
            lines += [f"  - id: c{i}", f"    statement: {said[i]}"]
            lines += [f"    evidence: {level}", "    sources: [s1]"]
        for i in range(20 if side else 0):
            lines += [f"  - id: {side}-{i}", f"    statement: {added[side][i]}"]
            lines += ["    evidence: strong", "    sources: [s1]"]
        lines += ["sources:", "  - {id: s1, title: Source}", "changelog:"]
        if side:
            lines.append(f"  - {{date: 2026-05-01, text: {side.title()} added 20 claims}}")
        lines.append("  - {date: 2026-04-01, text: Created}")
        return "\n".join(lines) + "\n"

    names = []
    for side, changed in (("", range(0)), ("ours", range(1, 40, 2)), ("theirs", range(2, 41, 2))):
        name = f"big.{side or 'base'}.yaml"
        (root / name).write_text(page(side, changed), encoding="utf-8")
        names.append(name)
    return names


# -- running and timing ------------------------------------------------------------------


@dataclass
class Timed:
    seconds: float
    out: str
    code: int


def run(cmd: Sequence[str], cwd: Path, ok: Sequence[int] = (0,)) -> Timed:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_env())
    took = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(
            f"{' '.join(cmd[:4])} ... exited {done.returncode}:\n{done.stderr[-2000:]}"
        )
    return Timed(took, done.stdout, done.returncode)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KB_ROOT"}
    return {**env, **GIT_ENV, "NO_COLOR": "1"}


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples)


class TreeMemory:
    """Samples the summed resident memory of a process and its descendants (Linux /proc):
    with worker processes, the largest single process understates what a run needs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, sum(_rss(p) for p in _tree(self.pid)))

    def stop(self) -> int:
        self._stop.set()
        self.thread.join()
        return self.peak


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except OSError:
            continue
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


MEMORY_WRAPPER = """\
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_memory(cmd: Sequence[str], cwd: Path) -> tuple[int, int | None, float]:
    """(largest single process, summed process tree where /proc allows) in bytes, and the
    seconds it took. A fresh wrapper process runs `cmd`, so earlier children do not hide
    its figure."""
    wrapper = [sys.executable, "-c", MEMORY_WRAPPER, *cmd]
    start = time.perf_counter()
    proc = subprocess.Popen(wrapper, cwd=cwd, stdout=subprocess.PIPE, text=True, env=_env())
    sampler = TreeMemory(proc.pid) if Path("/proc/self/task").exists() else None
    out, _ = proc.communicate()
    took = time.perf_counter() - start
    tree = sampler.stop() if sampler else None
    return int(out) * 1024, tree, took


# -- check-jsonschema, in its own venv ---------------------------------------------------


@dataclass
class Baseline:
    command: list[str]
    version: str
    parser: str


def install_check_jsonschema(where: Path, install: bool = True) -> Baseline | None:
    """check-jsonschema in a venv of its own, with ruamel.yaml's C parser; None (and a
    warning) when it cannot be installed, e.g. offline. With `install` False, only a venv
    that already has it is used (the tests never install from the network)."""
    venv = where
    py = venv / "bin" / "python"
    if not (venv / "bin" / "check-jsonschema").exists() and not install:
        print(f"note: no check-jsonschema in {venv} and --no-install: rows A and B unrated")
        return None
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # ruamel.yaml 0.19 imports its C parser from `_ruamel_yaml` (ruamel.yaml.clib); its
        # own libyaml extra installs another module it does not look for.
        pip = [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        done = subprocess.run([*pip, "check-jsonschema", "ruamel.yaml.clib"], capture_output=True)
        if done.returncode != 0:
            print(f"warning: cannot install check-jsonschema: {done.stderr.decode()[-500:]}")
            return None
    probe = (
        "import importlib.metadata as m;"
        "from check_jsonschema.parsers.yaml import construct_yaml_implementation as c;"
        "p = c().Parser; print(m.version('check-jsonschema'), m.version('ruamel.yaml'),"
        " p.__module__ + '.' + p.__name__)"
    )
    version, ruamel, parser = run([str(py), "-c", probe], REPO).out.split()
    return Baseline(
        [str(venv / "bin" / "check-jsonschema")], f"{version} (ruamel.yaml {ruamel})", parser
    )


# -- the measurements --------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    seconds: float | None
    against: str = ""
    base: float | None = None
    target: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.seconds is None or not self.base:
            return None
        return self.seconds / self.base

    @property
    def met(self) -> bool | None:
        return None if self.ratio is None or self.target is None else self.ratio <= self.target


KB = [sys.executable, str(Path(sys.executable).parent / "kb")]


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        self.args, self.work = args, work
        self.rows: list[Row] = []
        self.facts: dict[str, Any] = {}
        self.kb = work / "kb"

    def repeat(self, once: Callable[[], float]) -> float:
        return median([once() for _ in range(self.args.repeat)])

    def corpus(self) -> Corpus:
        start = time.perf_counter()
        self.kb.mkdir()
        corpus = build_corpus(self.kb, self.args.pages)
        write_history(corpus, self.args.commits, min(STALE_TARGET, len(corpus.theses)))
        took = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (self.kb / "concepts").iterdir())
        print(
            f"corpus: {len(corpus.concepts):,} concepts ({size / len(corpus.concepts) / 1024:.1f}"
            f" KB each), {len(corpus.theses):,} theses, {corpus.commits:,} commits, "
            f"{corpus.stale} stale citations; generated in {took:.1f} s"
        )
        self.facts.update(concepts=len(corpus.concepts), theses=len(corpus.theses))
        self.facts.update(commits=corpus.commits, stale_citations=corpus.stale)
        return corpus

    def lint_cold_vs_baseline(self, baseline: Baseline | None) -> str:
        files = sorted(f"concepts/{p.name}" for p in (self.kb / "concepts").iterdir())
        cj, kb, out = [], [], ""
        for _ in range(self.args.repeat):  # interleaved, so drift hits both alike
            if baseline:
                cmd = [*baseline.command, "--schemafile", str(SCHEMA), *files]
                cj.append(run(cmd, self.kb, ok=(0, 1)).seconds)
            shutil.rmtree(self.kb / ".kb-cache", ignore_errors=True)
            done = run([*KB, "lint"], self.kb, ok=(0, 1))
            kb.append(done.seconds)
            out = done.out
        base = median(cj) if cj else None
        self.facts["check_jsonschema_s"] = base
        self.rows.append(
            Row("A", "kb lint, whole KB, cold", median(kb), "check-jsonschema", base, 0.5)
        )
        shutil.rmtree(self.kb / ".kb-cache", ignore_errors=True)
        largest, tree, _ = peak_memory([*KB, "lint"], self.kb)
        self.facts.update(
            peak_rss_largest_mb=largest / 2**20, peak_rss_tree_mb=tree and tree / 2**20
        )
        return out

    def lint_warm(self, cold_output: str) -> None:
        run([*KB, "lint"], self.kb, ok=(0, 1))  # the cache is whatever the last run left
        outputs: list[str] = []

        def once() -> float:
            done = run([*KB, "lint"], self.kb, ok=(0, 1))
            outputs.append(done.out)
            return done.seconds

        base = self.facts["check_jsonschema_s"]
        self.rows.append(
            Row("B", "kb lint, whole KB, warm", self.repeat(once), "check-jsonschema", base, 0.05)
        )
        if any(o != cold_output for o in outputs):
            raise SystemExit("warm lint output differs from cold lint output")

    def growth(self, corpus: Corpus, large_pages: int) -> tuple[growth_mod.Sized, ...]:
        """The growth measures on this KB (as it is now: A-D done, its history as written
        first), then on a KB of `large_pages` generated alike (deleted after)."""
        sizes = []
        for pages in (len(corpus.concepts), large_pages):
            kb = self.kb if pages == len(corpus.concepts) else self.work / "kb-large"
            if kb != self.kb:
                print(f"generating {pages:,} pages for the growth measures...", flush=True)
                start = time.perf_counter()
                kb.mkdir()
                corpus = build_corpus(kb, pages)
                write_history(corpus, self.args.commits, min(STALE_TARGET, len(corpus.theses)))
                print(f"  generated in {time.perf_counter() - start:.0f} s", flush=True)
            edit, restore = edit_five(kb, corpus)
            # a cold run at the base size is cheap: as many as A has, so that one run on a
            # quiet or busy moment of the machine does not set the growth
            cold = self.args.large_repeat if kb != self.kb else max(self.args.repeat, 3)
            sizes.append(
                growth_mod.measure(kb, edit, self.args.repeat, cold, run, KB, peak_memory, pages)
            )
            restore()
            if kb != self.kb:
                shutil.rmtree(kb, ignore_errors=True)
        return tuple(sizes)

    def startup_and_changed(self, corpus: Corpus) -> None:
        """D and C, their runs interleaved (a busy machine slows both alike): each round
        runs the minimal typer app, `kb --version`, then edits 5 pages and lints them."""
        app = self.work / "minimal_typer_app.py"
        app.write_text(MINIMAL_TYPER_APP, encoding="utf-8")
        edit, restore = edit_five(self.kb, corpus)
        typer_s, kb_s, changed_s = [], [], []
        for n in range(max(self.args.repeat, CHEAP_RUNS)):
            typer_s.append(run([sys.executable, str(app)], self.work).seconds)
            kb_s.append(run([*KB, "--version"], self.work).seconds)
            paths = edit(n)
            changed_s.append(run([*KB, "lint", *paths], self.kb, ok=(0, 1)).seconds)
        restore()
        version_s = median(kb_s)
        self.rows.append(
            Row("D", "kb --version", version_s, "minimal typer app", median(typer_s), 1.3)
        )
        label = "kb lint, 5 changed pages, warm"
        self.rows.append(Row("C", label, median(changed_s), "D (kb --version)", version_s, 4))

    def stale(self, corpus: Corpus, base: float | None) -> None:
        """E at 1,000 commits (a copy of the KB as it is now) and at 2,000 (the KB after
        1,000 more), their runs interleaved so that a drift of the machine hits both."""
        shorter = self.work / "kb-e1"
        shutil.copytree(self.kb, shorter, symlinks=True)
        # a copied checkout's index holds the original files' stat data, which no curator's
        # does: refreshed, as `git status` would, so that E1 and E2 take the same path
        _git(shorter, "update-index", "-q", "--refresh")
        commits_e1 = corpus.commits
        write_history(corpus, self.args.commits, 0)  # takes seconds: the copy's files age
        for kb in (shorter, self.kb):
            run([*KB, "lint"], kb, ok=(0, 1))  # page facts as the last lint left them
        e1_s, e2_s = [], []
        for _ in range(max(self.args.repeat, STALE_RUNS)):
            e1_s.append(self._stale_once(shorter, corpus.stale))
            e2_s.append(self._stale_once(self.kb, corpus.stale))
        e1, e2 = median(e1_s), median(e2_s)
        self.facts["commits_e2"] = corpus.commits
        note = "page facts from lint's cache, git history pass cold; E1's and E2's runs interleaved"
        cj = "check-jsonschema (A)"
        self.rows += [
            Row("E1", f"stale, {commits_e1:,} commits", e1, cj, base, 0.15, note),
            Row(
                "E2",
                f"stale, {corpus.commits:,} commits",
                e2,
                f"E1 ({commits_e1:,})",
                e1,
                1.25,
                note,
            ),
            Row("E2A", "  same, against check-jsonschema", e2, cj, base, 0.15, note),
        ]

    @staticmethod
    def _stale_once(kb: Path, stale: int) -> float:
        _drop_history_cache(kb)
        done = run([*KB, "stale", "--format", "json"], kb, ok=(0, 1))
        dated = _stale_with_commit(json.loads(done.out))
        if dated != stale:
            raise SystemExit(f"kb stale dated {dated} stale citations in {kb}, not {stale}")
        return done.seconds

    def diff(self, corpus: Corpus) -> None:
        """H, its runs interleaved with D's: `kb diff` of a commit that changes 5 concepts,
        each in a claim a thesis cites (so the stale-theses search has work to do)."""
        # concept 10t is cited by thesis t, on claims t % 12 and (t + 5) % 12
        # of the theses whose citation of concept 10t is fresh (no planted stale change)
        fresh = [t for t in range(len(corpus.theses)) if not corpus.concepts[10 * t].evidence]
        step = max(1, len(fresh) // 5)
        picked = [(10 * t, t % 12) for t in fresh[::step]][:5]
        chosen = [corpus.concepts[i] for i, _ in picked]
        saved = [(c.revision, list(c.log), dict(c.evidence)) for c in chosen]
        for c, (_, claim) in zip(chosen, picked, strict=True):
            c.evidence[claim] = next(lv for lv in LEVELS if lv != c.level(claim))
            c.log.insert(0, ("2025-06-02", "Re-assessed the first claim."))
            (self.kb / f"concepts/{c.id}.yaml").write_text(c.text(), encoding="utf-8")
        _git(self.kb, "commit", "-qam", "Re-assess five concepts")
        diff_s, version_s = [], []
        out = ""
        for _ in range(max(self.args.repeat, CHEAP_RUNS)):
            version_s.append(run([*KB, "--version"], self.work).seconds)
            done = run([*KB, "diff", "HEAD~1", "HEAD", "--format", "json"], self.kb)
            diff_s.append(done.seconds)
            out = done.out
        doc = json.loads(out)
        made = doc["counts"]["citations_made"]["stale"]
        if len(doc["pages"]) != len(chosen) or not made:  # some may be stale already
            raise SystemExit(f"kb diff: {len(doc['pages'])} changed pages, {made} made stale")
        _git(self.kb, "reset", "-q", "--hard", "HEAD~1")
        for c, (revision, log, evidence) in zip(chosen, saved, strict=True):
            c.revision, c.log, c.evidence = revision, log, evidence
        note = "D's runs interleaved with H's, as with C"
        label = "kb diff, 5 changed pages"
        self.rows.append(
            Row("H", label, median(diff_s), "D (kb --version)", median(version_s), 4, note)
        )

    def merge(self) -> None:
        """F, its runs interleaved with D's."""
        root = self.work / "merge-kb"
        page = merge_page(root)
        merge_s, version_s = [], []
        for _ in range(max(self.args.repeat, CHEAP_RUNS)):
            version_s.append(run([*KB, "--version"], self.work).seconds)
            merge_s.append(run([*KB, "merge-claims", page, "--dry-run"], root, ok=(0, 1)).seconds)
        label = "merge-claims --dry-run, 500 claims"
        note = "D's runs interleaved with its own, as with C"
        row = Row("F", label, median(merge_s), "D (kb --version)", median(version_s), 4, note)
        self.rows.append(row)

    def merge_file(self) -> None:
        """G, its runs interleaved with D's; OURS is restored before each run (the driver
        writes the merge into it), and every run must merge cleanly."""
        root = self.work / "merge-file"
        base, ours, theirs = merge_file_versions(root)
        original = (root / ours).read_bytes()
        driver = [*KB, "merge-file", base, "ours.yaml", theirs, "--path", "kb/concepts/big.yaml"]
        merge_s, version_s = [], []
        for _ in range(max(self.args.repeat, CHEAP_RUNS)):
            version_s.append(run([*KB, "--version"], self.work).seconds)
            (root / "ours.yaml").write_bytes(original)
            merge_s.append(run(driver, root).seconds)
        merged = (root / "ours.yaml").read_text(encoding="utf-8")
        if merged.count("  - id: ") != 540 or "theirs-19" not in merged or "ours-19" not in merged:
            raise SystemExit("kb merge-file did not merge both sides' claims")
        label = "merge-file, 500 claims, 20+20 each side"
        note = "D's runs interleaved with its own, as with C"
        row = Row("G", label, median(merge_s), "D (kb --version)", median(version_s), 4, note)
        self.rows.append(row)


def edit_five(kb: Path, corpus: Corpus) -> tuple[Callable[[int], list[str]], Callable[[], None]]:
    """C's edit (a changelog entry and a re-worded section on 5 pages spread over the KB,
    for the n-th run), and how to undo them all."""
    chosen = [
        corpus.concepts[i] for i in range(1, len(corpus.concepts), len(corpus.concepts) // 5)
    ][:5]
    paths = [f"concepts/{c.id}.yaml" for c in chosen]
    saved = [(c.revision, list(c.log)) for c in chosen]

    def edit(n: int) -> list[str]:
        for c in chosen:
            c.revision += 1
            c.log.insert(0, ("2025-06-01", f"Benchmark edit {n}."))
            (kb / f"concepts/{c.id}.yaml").write_text(c.text(), encoding="utf-8")
        return paths

    def restore() -> None:
        for c, (revision, log) in zip(chosen, saved, strict=True):
            c.revision, c.log = revision, log
        _git(kb, "checkout", "-q", "--", ".")

    return edit, restore


def _stale_with_commit(report: dict[str, Any]) -> int:
    """The stale citations `kb stale --format json` names the commit of."""
    return sum(
        1
        for thesis in report["theses"]
        for cite in thesis["citations"]
        if cite["status"] == "stale" and cite.get("origin", {}).get("state") == "commit"
    )


def _drop_history_cache(kb: Path) -> None:
    """E is timed with the page facts a lint run left (as after any `kb lint`) but without
    the history pass cached: that pass is what E measures."""
    for path in (kb / ".kb-cache").glob("*"):
        if not path.name.startswith(("lint.", ".gitignore")):
            path.unlink()


def print_table(rows: Sequence[Row], facts: dict[str, Any]) -> None:
    print()
    print(
        f"{'':4}{'measure':38}{'median s':>10}  {'against':24}{'its s':>8}"
        f"{'ratio':>8}{'target':>9}  met"
    )
    for r in rows:
        sec = "-" if r.seconds is None else f"{r.seconds:.3f}"
        base = "-" if r.base is None else f"{r.base:.3f}"
        ratio = "-" if r.ratio is None else f"{r.ratio:.3f}"
        target = "-" if r.target is None else f"<= {r.target:g}"
        met = {True: "yes", False: "NO", None: "-"}[r.met]
        print(
            f"{r.key:4}{r.label:38}{sec:>10}  {r.against:24}{base:>8}{ratio:>8}{target:>9}  {met}"
        )
    mem = facts["peak_rss_largest_mb"]
    tree = facts.get("peak_rss_tree_mb")
    tree_text = f"; whole process tree {tree:.0f} MB" if tree else ""
    print(f"    peak memory of A: largest process {mem:.0f} MB{tree_text} (target <= 500 MB)")
    notes: dict[str, list[str]] = {}
    for r in rows:
        if r.note:
            notes.setdefault(r.note, []).append(r.key)
    for note, keys in notes.items():
        print(f"    {', '.join(keys)}: {note}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.generate is not None:
        return generate_only(args)
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        return bench(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def bench(args: argparse.Namespace, work: Path) -> int:
    from kbcli import __version__
    from kbcli.yamlio.load import parser_name

    print(
        f"kb {__version__}, parser {parser_name()}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}"
    )
    compile_kb()
    venv = Path(args.baseline_venv or work / "cj-venv")
    baseline = install_check_jsonschema(venv, install=not args.no_install)
    if baseline:
        print(f"check-jsonschema {baseline.version}, YAML parser {baseline.parser}")
    large_pages = args.pages if args.pages > args.base_pages else None
    if large_pages:  # A-H at the base size, the growth measures at both
        args.pages = args.base_pages
    b = Bench(args, work)
    corpus = b.corpus()
    cold = b.lint_cold_vs_baseline(baseline)
    b.lint_warm(cold)
    b.startup_and_changed(corpus)
    sizes = b.growth(corpus, large_pages) if large_pages else None
    b.diff(corpus)
    b.stale(corpus, b.facts["check_jsonschema_s"])
    b.merge()
    b.merge_file()
    order = {"A": 0, "B": 1, "C": 2, "D": 3, "E1": 4, "E2": 5, "E2A": 6, "F": 7, "G": 8, "H": 9}
    rows = sorted(b.rows, key=lambda r: order[r.key])
    b.facts.update(
        kb_version=__version__,
        kb_parser=parser_name(),
        cores=os.cpu_count(),
        repeat=args.repeat,
        check_jsonschema=baseline and {"version": baseline.version, "parser": baseline.parser},
    )
    print_table(rows, b.facts)
    growth_rows: list[dict[str, Any]] = []
    if sizes:
        growth_rows = growth_mod.rows(*sizes)
        growth_mod.print_rows(growth_rows, *sizes)
        b.facts.update(
            growth_pages=[size.pages for size in sizes],
            growth_peak_mb=[size.peak_mb for size in sizes],
        )
    memory_ok = (b.facts.get("peak_rss_tree_mb") or b.facts["peak_rss_largest_mb"]) <= 500
    if args.json:
        doc = {
            "facts": b.facts,
            "rows": [
                {
                    "key": r.key,
                    "label": r.label,
                    "seconds": r.seconds,
                    "against": r.against,
                    "against_seconds": r.base,
                    "ratio": r.ratio,
                    "target": r.target,
                    "met": r.met,
                    "note": r.note,
                }
                for r in rows
            ],
            "memory_met": memory_ok,
            "growth": growth_rows,
            "growth_memory_met": (
                sizes[1].peak_mb <= growth_mod.MEMORY_TARGET_MB if sizes else None
            ),
        }
        Path(args.json).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


def compile_kb() -> None:
    """Byte-compile kb's modules, as `pip install` does for an installed wheel. An editable
    install run with PYTHONDONTWRITEBYTECODE set (as in some CI images) would otherwise
    compile them from source on every run, ~50 ms that no installed kb pays, while the
    typer app it is compared with comes byte-compiled from site-packages."""
    import compileall

    import kbcli

    compileall.compile_dir(Path(kbcli.__file__).parent, quiet=1)
    print("kb's modules byte-compiled, as pip install does")


def generate_only(args: argparse.Namespace) -> int:
    root = Path(args.generate)
    root.mkdir(parents=True, exist_ok=True)
    corpus = build_corpus(root, args.pages, args.plant_every)
    if args.commits:
        write_history(corpus, args.commits, min(STALE_TARGET, len(corpus.theses)))
    else:
        write_plain(corpus)
    print(f"wrote {len(corpus.concepts)} concepts, {len(corpus.theses)} theses to {root}")
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arg = parser.add_argument
    arg("--pages", "--n", type=int, help="concepts (default 10,000; --quick 500)")
    arg("--repeat", type=int, help="runs per figure, medians reported (default 3; --quick 1)")
    arg("--commits", type=int, help="history, then doubled for E (default 1,000; --quick 100)")
    arg("--json", metavar="FILE", help="also write the figures as JSON")
    arg("--quick", action="store_true", help="a smoke test: small defaults, one run each")
    arg("--keep", action="store_true", help="keep the temporary directory")
    arg("--baseline-venv", metavar="DIR", help="where to install (or find) check-jsonschema")
    arg(
        "--no-install",
        action="store_true",
        help="never pip install: use check-jsonschema only if --baseline-venv already has it",
    )
    arg("--generate", metavar="DIR", help="only write a corpus into DIR, then stop")
    arg("--plant-every", type=int, default=997, help="one planted error per so many pages")
    arg(
        "--base-pages",
        type=int,
        default=10_000,
        help="with --pages above it: A-H at this size, and the growth to --pages measured",
    )
    arg("--large-repeat", type=int, default=1, help="cold runs of each size for the growth")
    args = parser.parse_args(argv)
    defaults = (500, 100, 1) if args.quick else (10_000, 1_000, 3)
    if args.generate is not None and args.commits is None:
        args.commits = 0  # a corpus without history unless asked for
    for name, default in zip(("pages", "commits", "repeat"), defaults, strict=True):
        if getattr(args, name) is None:
            setattr(args, name, default)
    return args


if __name__ == "__main__":
    sys.exit(main())
