"""The growth of kb's costs with the KB: the same five measures on the KB of `run.py`'s
A-H (10,000 pages by default) and on one of `--pages` (say 100,000), each size's figure
against the other's. Imported by `run.py`, which times A-H in the same run.

  GC `kb lint PATH x5` after editing those 5 pages, warm (a pre-commit run)
  GS `kb stale`, warm, nothing changed
  GB `kb lint`, warm, nothing changed
  GA `kb lint --no-cache`, cold; and its peak memory (the largest process)

What should not grow with the KB (GC, GS) has a target of its own, what must (GB, GA) one
no worse than linear.
"""

from __future__ import annotations

import shutil
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The targets, as ratios of the large KB's figure to the base KB's (issue 18).
TARGETS = {"GC": 1.5, "GS": 2.0, "GB": 10.0, "GA": 11.0}
LABELS = {
    "GC": "kb lint, 5 changed pages, warm",
    "GS": "kb stale, warm, nothing changed",
    "GB": "kb lint, whole KB, warm",
    "GA": "kb lint --no-cache, whole KB, cold",
}
MEMORY_TARGET_MB = 500
CHANGED_RUNS = 11  # GC's runs: each is short, and its median drifts most


@dataclass
class Sized:
    """The figures of one KB: each measure's median seconds, and cold lint's peak memory."""

    pages: int
    seconds: dict[str, float]
    peak_mb: float


Run = Callable[..., Any]  # run.run(cmd, cwd, ok=...) -> Timed


def measure(
    kb: Path,
    edit_five: Callable[[int], list[str]],
    repeat: int,
    cold_repeat: int,
    run: Run,
    kb_cmd: Sequence[str],
    peak_memory: Callable[[Sequence[str], Path], tuple[int, int | None, float]],
    pages: int,
) -> Sized:
    """The four measures on the KB at `kb` (a git repository, its history written), which
    it leaves as it found it. `edit_five(n)` edits five pages for the n-th run of GC and
    names them."""
    kb_cmd = list(kb_cmd)
    seconds: dict[str, float] = {}
    peaks = []
    cold = []
    for _ in range(cold_repeat):
        largest, _tree, took = peak_memory([*kb_cmd, "lint", "--no-cache"], kb)
        cold.append(took)
        peaks.append(largest / 2**20)
    seconds["GA"] = statistics.median(cold)
    _say(f"  {pages:,} pages: cold lint --no-cache {seconds['GA']:.1f} s, {max(peaks):.0f} MB")
    shutil.rmtree(kb / ".kb-cache", ignore_errors=True)
    run([*kb_cmd, "lint"], kb, ok=(0, 1))  # the cache, as a first run writes it
    run([*kb_cmd, "lint"], kb, ok=(0, 1))  # and as any later run leaves it
    seconds["GB"] = statistics.median(
        [run([*kb_cmd, "lint"], kb, ok=(0, 1)).seconds for _ in range(repeat)]
    )
    run([*kb_cmd, "stale"], kb, ok=(0, 1))  # the history pass, cached
    seconds["GS"] = statistics.median(
        [run([*kb_cmd, "stale"], kb, ok=(0, 1)).seconds for _ in range(repeat)]
    )
    changed = []
    for n in range(max(repeat, CHANGED_RUNS)):
        paths = edit_five(n)
        changed.append(run([*kb_cmd, "lint", *paths], kb, ok=(0, 1)).seconds)
    seconds["GC"] = statistics.median(changed)
    _say(
        f"  {pages:,} pages: warm lint {seconds['GB']:.2f} s, warm stale {seconds['GS']:.2f} s,"
        f" 5 changed {seconds['GC']:.3f} s"
    )
    return Sized(pages, seconds, max(peaks))


def rows(base: Sized, large: Sized) -> list[dict[str, Any]]:
    """A row per measure: the large KB's figure against the base KB's, and the target."""
    out = []
    for key in ("GC", "GS", "GB", "GA"):
        ratio = large.seconds[key] / base.seconds[key]
        out.append(
            {
                "key": key,
                "label": f"{LABELS[key]}, {large.pages:,} vs {base.pages:,}",
                "seconds": large.seconds[key],
                "against": f"same at {base.pages:,}",
                "against_seconds": base.seconds[key],
                "ratio": ratio,
                "target": TARGETS[key],
                "met": ratio <= TARGETS[key],
            }
        )
    return out


def print_rows(table: list[dict[str, Any]], base: Sized, large: Sized) -> None:
    print()
    print(f"growth from {base.pages:,} to {large.pages:,} pages ({large.pages / base.pages:g}x):")
    for r in table:
        met = "yes" if r["met"] else "NO"
        print(
            f"{r['key']:4}{LABELS[r['key']]:38}{r['seconds']:>10.3f}  "
            f"{r['against_seconds']:>8.3f}{r['ratio']:>8.2f}{'<= ' + format(r['target'], 'g'):>9}"
            f"  {met}"
        )
    met = "yes" if large.peak_mb <= MEMORY_TARGET_MB else "NO"
    print(
        f"    peak memory of GA at {large.pages:,}: largest process {large.peak_mb:.0f} MB "
        f"(at {base.pages:,}: {base.peak_mb:.0f} MB; target <= {MEMORY_TARGET_MB} MB)  {met}"
    )


def _say(text: str) -> None:
    print(text, flush=True)
    sys.stdout.flush()
