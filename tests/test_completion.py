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


def test_a_hostile_file_name_is_never_offered(tmp_path: Path) -> None:
    """A name with a newline would be a second candidate; with ESC, a terminal command."""
    kb = make_kb(tmp_path / "kb")
    for name in ("a\nrm -rf ~", "a\x1b]0;pwned\x07", "ab\u202ecd", "Upper"):
        (kb / "concepts" / f"{name}.yaml").write_text("id: x\n")
    assert _complete(kb, "kb changelog ") == ["alpha", "beta"]
