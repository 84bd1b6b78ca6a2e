"""The reader: the C and pure-Python parsers agree, and hostile input is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbcli.yamlio.load import YamlProblem, decode, parse, parser_name

from helpers import CASES, REPO

PAGES = sorted([*CASES.rglob("*.yaml"), *(REPO / "kb").rglob("*.yaml")])


def test_the_c_parser_is_the_one_running() -> None:
    # ruamel.yaml 0.19 silently falls back to pure Python; kb must not
    assert parser_name() == "c"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(REPO)))
def test_c_and_pure_parsers_agree_on_every_page_and_position(path: Path) -> None:
    def outcome(pure: bool) -> object:
        try:
            return parse(decode(path.read_bytes()), pure=pure).data
        except YamlProblem as exc:
            return (exc.code, exc.line, exc.col)

    assert outcome(pure=False) == outcome(pure=True)


def test_dates_stay_strings_and_yaml_1_2_booleans() -> None:
    data = parse("added: 2026-04-05\nflag: no\non: yes\nt: true\nn: null\ni: 0x1F\nf: 1.5\n").data
    assert data == {
        "added": "2026-04-05",
        "flag": "no",
        "on": "yes",
        "t": True,
        "n": None,
        "i": 31,
        "f": 1.5,
    }


@pytest.mark.parametrize(
    ("text", "code", "line", "col"),
    [
        ("a: 1\na: 2\n", "Y002", 2, 1),
        ("a: !!python/object/apply:os.system [ls]\n", "Y003", 1, 4),
        ("a: !!binary aGk=\n", "Y003", 1, 4),
        ("? [a]\n: 1\n", "Y003", 1, 3),
        ("a: [1\n", "Y001", 1, 4),  # where the unclosed list opened
        ("a: &x [*x]\n", "Y006", 1, 4),
        ("- " * 30_000 + "x", "Y006", 1, 1),
    ],
)
def test_hostile_yaml_is_a_problem_at_its_place(text: str, code: str, line: int, col: int) -> None:
    for pure in (False, True):
        with pytest.raises(YamlProblem) as info:
            parse(text, pure=pure)
        assert (info.value.code, info.value.line, info.value.col) == (code, line, col)


def test_non_utf8_points_at_the_bad_byte() -> None:
    with pytest.raises(YamlProblem) as info:
        decode(b"a: 1\nb: caf\xe9\n")
    assert (info.value.code, info.value.line, info.value.col, info.value.message) == (
        "Y004",
        2,
        7,
        "not UTF-8: byte 0xe9 cannot be decoded",
    )


def test_a_bom_is_dropped() -> None:
    assert decode("\ufeffa: 1\n".encode()) == "a: 1\n"


# YAML forbids raw control characters, so JSON text with them is refused, rightly
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | TEXT,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
        max_leaves=20,
    )
)
def test_any_json_document_reads_back_the_same(value: object) -> None:
    import json

    assert parse(json.dumps(value, ensure_ascii=False)).data == value


def test_a_large_page_of_short_lines_skips_the_depth_pass_and_deep_ones_still_fail() -> None:
    from kbcli.yamlio.load import _SAFE_COMPOSE_BOUND, YamlProblem, _nesting_bound, parse

    claims = "".join(f"  - id: c{i}\n    sources: [s1]\n" for i in range(3000))
    assert _nesting_bound("claims:\n" + claims) < _SAFE_COMPOSE_BOUND
    for deep in ("- " * 30000 + "a", "[" * 30000, "".join(" " * i + "k:\n" for i in range(6000))):
        with pytest.raises(YamlProblem, match="nesting deeper than 64 levels"):
            parse(deep)


def test_locate_names_keys_as_the_data_does() -> None:
    """A key written `1` or `0x1` is "1" in the page's data, and a path built from the
    data finds it: one lookup for locate, node_at and the editor."""
    from kbcli.yamlio.load import locate, node_at

    doc = parse("a: 1\n0x2:\n  - x\n  - y\n'b': z\n")
    assert doc.data == {"a": 1, "2": ["x", "y"], "b": "z"}
    assert locate(doc.root, ("2", 1)) == (4, 5)
    assert locate(doc.root, ("b",), at_key=True) == (5, 1)
    node = node_at(doc.root, ("2", 0))
    assert node is not None and node.value == "x"
    assert node_at(doc.root, ("0x2",)) is None
