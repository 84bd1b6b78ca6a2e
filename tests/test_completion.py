"""Shell completion offers the KB's concept and thesis ids."""

from __future__ import annotations

from pathlib import Path

from helpers import make_kb, run_kb_process


def _complete(kb: Path, words: str, env: dict[str, str] | None = None) -> list[str]:
    parts = words.split(" ")
    result = run_kb_process(
        cwd=kb,
        env={
            "_KB_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(parts) - 1),
            **(env or {}),
        },
    )
    return result.out.split()


def test_concept_ids_complete(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    assert _complete(kb, "kb add-claim al") == ["alpha"]
    assert _complete(kb, "kb changelog ") == ["alpha", "beta"]
    assert _complete(kb, "kb merge-claims alpha --from b") == ["beta"]


def test_thesis_ids_complete(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    assert _complete(kb, "kb review ") == ["t"]


def test_completion_outside_a_kb_offers_nothing(tmp_path: Path) -> None:
    assert _complete(tmp_path, "kb changelog ") == []
    kb = make_kb(tmp_path / "kb")
    assert _complete(tmp_path, "kb changelog ", env={"KB_ROOT": str(kb)}) == ["alpha", "beta"]
