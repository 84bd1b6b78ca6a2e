"""Untrusted text stays text: a hostile page, file name and commit subject, through every
command and output format, can neither forge a line of kb's output nor reach the terminal
as an escape sequence, a carriage return or a bidi override (`kbcli.safetext`)."""

from __future__ import annotations

import io
import json
import re
import string
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcli.config import load_config
from kbcli.safetext import is_safe, visible
from kbcli.terminal import markup

from helpers import git, git_init, make_kb, run_kb

# The strings of issue 19, and a few more of their kind.
FORGED_LINES = (
    "cot\r\x1b[2K::error file=concepts/alpha.yaml::Thesis retracted\n"
    "All clean: 7 pages checked.\n::stop-commands::deadbeef"
)
SUBJECT = "fix typo\x1b[2K\r  circuit-tracing: current (since 0000000)"
TERMINAL = "\x1b[2J\x1b]0;pwned title\x07\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
UNTERMINATED = "left open \x1b]0;no end"
BIDI = "abc\u202edcba\u2066x\u2069\u200f\u200e\u061c\u200b\ufeff"
MARKUP = "[bold]loud[/bold] [link=https://evil.example/]click[/link] [/]"
LEGACY = "see ##[error]Thesis retracted and ##[stop-commands]deadbeef"  # anywhere in a line
LEADING = "::stop-commands::deadbeef"  # at a line's start, as a citation's concept can be
HOSTILE = (FORGED_LINES, TERMINAL, UNTERMINATED, BIDI, MARKUP, LEGACY)
BAD_FILE = "x\n::error title=pwned::retracted\nx.yaml"
FORGED = re.compile(r"(?m)^\s*(::|All clean: 7|circuit-tracing: current)|##\[")


def y(value: str) -> str:
    """A YAML scalar holding exactly `value` (JSON is YAML)."""
    return json.dumps(value)


def hostile_concept(h: str, cid: str = "hostile") -> str:
    return f"""\
id: {cid}
title: {y("Title " + h)}
status: {y("status " + h)}
aliases: [{y("alias " + h)}]
summary: {y("Summary " + h)}
sections:
  - {{heading: {y("Heading " + h)}, body: {y("Body " + h)}}}
claims:
  - id: first
    statement: {y("Statement " + h)}
    detail: {y("Detail " + h)}
    evidence: strong
    sources: [src]
  - id: second
    statement: {y("Statement " + h)}
    evidence: weak
    sources: [src]
sources:
  - {{id: src, title: {y("Source " + h)}, url: "https://a.example/x"}}
open_questions: [{y("Question " + h)}]
related:
  - {{concept: alpha, note: {y("Note " + h)}}}
changelog:
  - {{date: 2026-04-14, text: {y("Entry " + h)}}}
"""


def forged_concept(h: str) -> str:
    """Invalid on purpose: a repeated alias (C008) and an unknown key (S002), both hostile."""
    return f"""\
id: forged
title: Forged
aliases: [{y(h)}, {y(h)}]
summary: A page whose findings carry hostile text.
claims: []
changelog: []
{y(h)}: 1
"""


def hostile_thesis(h: str, stamp: str = "") -> str:
    stamp_line = f"\n    stamp: {y(stamp)}" if stamp else ""
    return f"""\
id: ht
title: {y("Thesis " + h)}
position: {y("Position " + h)}
cites:
  - concept: hostile{stamp_line}
"""


def assert_safe(text: str, wrapped: bool = False) -> None:
    """Nothing in `text` acts on a terminal or a log: no ESC, CR, other control character
    but LF, no bidi or invisible format character; and no line is one kb did not mean
    (unless `wrapped`: `kb show` wraps long text to the width, for people to read)."""
    bad = [
        c
        for c in text
        if c != "\n"
        and unicodedata.category(c) in {"Cc", "Cf", "Cs", "Zl", "Zp"}
        and c not in "\u200c\u200d"
    ]
    assert not bad, f"unsafe characters reached the output: {bad!r}"
    assert wrapped or not FORGED.search(text), f"a forged line: {FORGED.search(text)!r}"


@pytest.fixture(scope="module")
def hostile_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A KB in git: hostile pages of every kind, a thesis whose file name is hostile, and a
    stamped citation made stale by a commit whose subject is hostile."""
    kb = make_kb(tmp_path_factory.mktemp("hostile") / "kb")
    h = FORGED_LINES + TERMINAL + BIDI + MARKUP + LEGACY
    (kb / "concepts/hostile.yaml").write_text(hostile_concept(h), encoding="utf-8")
    (kb / "theses/hx.yaml").write_text(  # citations of no concept: stale lists them as given
        f"id: hx\ntitle: T\nposition: p\ncites:\n  - concept: {y(LEADING)}\n"
        f"  - concept: {y(LEGACY)}\n",
        encoding="utf-8",
    )
    (kb / "concepts/forged.yaml").write_text(forged_concept(FORGED_LINES), encoding="utf-8")
    (kb / "theses/ht.yaml").write_text(hostile_thesis(h), encoding="utf-8")
    (kb / "theses" / BAD_FILE).write_text(
        "id: x\ntitle: Bad name\nposition: p\ncites: []\n", encoding="utf-8"
    )
    git_init(kb)
    assert run_kb("review", "ht", "--date", "2026-04-20", cwd=kb).code == 0
    git(kb, "commit", "-qam", "Review ht")
    page = kb / "concepts/hostile.yaml"
    page.write_text(
        page.read_text(encoding="utf-8").replace("evidence: strong", "evidence: moderate"),
        encoding="utf-8",
    )
    git(kb, "commit", "-qam", SUBJECT + "\n\nbody " + UNTERMINATED)
    return kb


READ_ONLY = [
    ("lint",),
    ("lint", "--format", "github"),
    ("lint", "--no-cache"),
    ("lint", "concepts/forged.yaml"),
    ("stale",),
    ("stale", "--check"),
    ("show", "hostile"),
    ("show", "alpha"),
    ("show", "forged"),  # refused: the page does not validate, and says why
    ("merge-claims", "hostile", "--dry-run", "--threshold", "0.3", "--date", "2026-05-01"),
    ("changelog", "nope", FORGED_LINES),  # an unknown concept: an error message
]


@pytest.mark.parametrize("args", READ_ONLY, ids=lambda a: " ".join(a)[:40])
def test_no_output_line_is_forged_nor_escape_emitted(hostile_kb: Path, args: tuple[str]) -> None:
    result = run_kb(*args, cwd=hostile_kb)
    assert result.code in (0, 1, 2), result.err
    if args[:3] == ("lint", "--format", "github"):
        lines = result.out.splitlines()
        annotations = [line for line in lines if line.startswith("::")]
        shape = re.compile(r"::(error|warning) file=[^:,]*,line=\d+,col=\d+,title=[^:,]*::")
        assert all(shape.match(line) for line in annotations), annotations
        assert len(lines) == len(annotations) + 1  # and the summary
        assert_safe("\n".join(annotations), wrapped=True)  # no ESC or bidi in them either
        assert "##[" not in result.out
        assert "%0A::stop-commands::deadbeef" in result.out  # GitHub's own escaping kept
        assert_safe("\n".join(lines[len(annotations) :]) + result.err)
        return
    assert_safe(result.out + result.err)


def test_a_finding_is_exactly_one_line(hostile_kb: Path) -> None:
    as_json = json.loads(run_kb("lint", "--format", "json", cwd=hostile_kb).out)
    text = run_kb("lint", cwd=hostile_kb).out
    lines = text.splitlines()
    assert len(lines) == len(as_json["findings"]) + 1
    assert re.fullmatch(r"Found \d+ errors? and \d+ warnings? \(\d+ pages checked\)\.", lines[-1])
    finding = re.compile(r"\S.*:\d+:\d+: [A-Z]\d{3} ")
    assert all(finding.match(line) for line in lines[:-1]), lines
    # What the hostile text said is shown, escaped, not lost.
    assert "x\\n::error title=pwned::retracted\\nx.yaml" in text  # the file name
    assert "cot\\r\\x1b[2K::error file=concepts/alpha.yaml::Thesis retracted\\n" in text


JSON_OUTPUTS = [
    ("lint", "--format", "json"),
    ("stale", "--format", "json"),
    ("diff", "HEAD~1", "--format", "json"),
    ("diff", "HEAD~2", "--format", "json"),
]


@pytest.mark.parametrize("args", JSON_OUTPUTS, ids=" ".join)
def test_json_stays_json_and_keeps_the_text(hostile_kb: Path, args: tuple[str, ...]) -> None:
    result = run_kb(*args, cwd=hostile_kb)
    assert result.out.isascii() and "\x1b" not in result.out  # json escapes it all
    # GitHub's runner reads a legacy `##[command]` anywhere in a line of a CI log, so the
    # JSON spells the `#` of a page's `##[` as `\u0023`: the same data, no command.
    assert "##[" not in result.out and "#\\u0023[error]Thesis retracted" in result.out
    assert LEGACY in json.dumps(json.loads(result.out), ensure_ascii=False)


def test_json_keeps_the_data(hostile_kb: Path) -> None:
    stale = json.loads(run_kb("stale", "--format", "json", cwd=hostile_kb).out)
    origins = [c["origin"] for t in stale["theses"] for c in t["citations"] if c["origin"]]
    assert origins and origins[0]["subject"] == SUBJECT  # the data itself, unchanged
    lint = json.loads(run_kb("lint", "--format", "json", cwd=hostile_kb).out)
    assert any(f["path"] == f"theses/{BAD_FILE}" for f in lint["findings"])


def test_stale_shows_the_subject_escaped_on_its_own_line(hostile_kb: Path) -> None:
    out = run_kb("stale", cwd=hostile_kb).out
    line = next(line for line in out.splitlines() if line.startswith("  hostile"))
    assert line.startswith("  hostile: stale since ")
    assert line.endswith('"fix typo\\x1b[2K\\r  circuit-tracing: current (since 0000000)"')


def test_the_stale_table_and_the_coloured_show_emit_colours_only(hostile_kb: Path) -> None:
    from kbcli.commands.show import show_concept
    from kbcli.commands.stale import text as stale_text
    from kbcli.stale import find_stale

    config = load_config(hostile_kb)
    out = io.StringIO()
    stale_text(find_stale(hostile_kb, config), hostile_kb, out, True)
    shown = show_concept(hostile_kb, config, "hostile", width=100, color=True)
    sgr = re.compile(r"\x1b\[[0-9;]*m")
    for text in (out.getvalue(), shown):
        assert "\x1b]" not in text  # no OSC: no title, no hyperlink
        assert_safe(sgr.sub("", text), wrapped=True)
    assert "\\x1b[2K\\r" in sgr.sub("", out.getvalue())  # the subject, escaped
    assert "┃ Thesis" in sgr.sub("", out.getvalue())  # the table, as a terminal shows it
    plain = re.sub(r"\s", "", sgr.sub("", shown))
    assert "[link=https://evil.example/]click[/link]" in plain  # markup shown as text


def test_review_and_render_keep_hostile_text_as_text(hostile_kb: Path, tmp_path: Path) -> None:
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(hostile_kb, kb, symlinks=True)
    refused = run_kb("render", "--out", str(tmp_path / "no"), cwd=kb)
    assert refused.code == 2 and "S002 unknown field 'cot\\r\\x1b[2K::error" in refused.err
    assert_safe(refused.out + refused.err)
    (kb / "concepts/forged.yaml").unlink()
    (kb / "theses" / BAD_FILE).unlink()
    (kb / "theses" / "hx.yaml").unlink()
    review = run_kb("review", "ht", "--date", "2026-05-01", cwd=kb)
    assert review.code == 0
    assert_safe(review.out + review.err)
    assert "evidence of claim 'first' changed: strong -> moderate" in review.out
    for fmt in ("md", "html"):
        done = run_kb("render", "--format", fmt, "--out", str(tmp_path / fmt), cwd=kb)
        assert done.code == 0, done.err
        assert_safe(done.out + done.err)
        for page in (tmp_path / fmt).rglob(f"*.{fmt}"):
            text = page.read_text(encoding="utf-8")
            assert "\x1b" not in text and "\u202e" not in text and "\r" not in text
    assert "\\\\x1b\\[2J" in (tmp_path / "md/concepts/hostile.md").read_text(encoding="utf-8")


def test_merge_claims_and_add_claim_messages(hostile_kb: Path, tmp_path: Path) -> None:
    import shutil

    kb = tmp_path / "kb"
    shutil.copytree(hostile_kb, kb, symlinks=True)
    dry = run_kb("merge-claims", "hostile", "--dry-run", "--evidence", "strong", cwd=kb)
    assert_safe(dry.out + dry.err)
    statement = "Statement " + FORGED_LINES + TERMINAL + BIDI + MARKUP + LEGACY
    dup = run_kb("add-claim", "hostile", statement, "-e", "strong", "-s", "src", cwd=kb)
    assert dup.code == 1  # a duplicate of claim 'first': refused, naming it
    assert_safe(dup.out + dup.err)
    new = run_kb("add-claim", "hostile", "Fresh " + TERMINAL, "-e", "weak", "-s", "nope",
                 "--source-title", "T " + BIDI, "--date", "2026-05-01", cwd=kb)  # fmt: skip
    assert new.code == 0, new.err
    assert_safe(new.out + new.err)
    entry = run_kb("changelog", "hostile", FORGED_LINES, "--date", "2026-05-01", cwd=kb)
    assert (
        entry.code == 0
        and entry.out == "Added a changelog entry to hostile (concepts/hostile.yaml)\n"
    )


def test_prompts_show_page_text_as_text() -> None:
    from rich.console import Console

    from kbcli.prompts import _ask_sources

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=200)
    chosen = _ask_sources([("src", MARKUP + TERMINAL)], console, io.StringIO("1\n"))
    assert chosen == ("src",)
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.getvalue())
    assert "[link=https://evil.example/]click[/link]" in text
    assert_safe(text)


# -- safetext itself, for every input ------------------------------------------------------

UNSAFE_CHARS = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list("\u00ad\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e")
    + list("\u2060\u2066\u2067\u2068\u2069\ufeff\udcff\U000e0041")
)
PIECES = [*UNSAFE_CHARS, *string.printable, "é", "\u05d0", "::", "##[", "  ::"]
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@given(texts)
@settings(max_examples=300, deadline=None)
def test_visible_leaves_one_safe_line(text: str) -> None:
    shown = visible(text)
    assert is_safe(shown) and "\n" not in shown and "\x1b" not in shown
    assert "##[" not in shown and not shown.lstrip().startswith("::")
    plain = "##[" not in text and not text.lstrip(" ").startswith("::")
    assert shown == text or not (is_safe(text) and plain)  # safe text is left as it is
    assert is_safe(markup(text))


def test_visible_escapes_as_documented() -> None:
    assert visible("a\nb\rc\td\x1be\x7f\x85") == "a\\nb\\rc\\td\\x1be\\x7f\\x85"
    assert visible("\u202eabc\u2066\u200f\ufeff") == "\\u202eabc\\u2066\\u200f\\ufeff"
    assert visible("\U000e0041\udcff") == "\\U000e0041\\udcff"
    assert visible("C:\\path ü ok \u200d") == "C:\\path ü ok \u200d"  # left alone
    assert visible("a\r\nb", keep="\r\n") == "a\r\nb"
    assert visible("  ::error ::x") == "  \\x3a:error ::x"  # GitHub trims, then reads `::`
    assert visible("ok::fine ::x") == "ok::fine ::x"  # only a line's start is read
    assert visible("a ##[error]b ###[c") == "a #\\x23[error]b ##\\x23[c"  # anywhere
    assert visible("a ##[error]b", commands=False) == "a ##[error]b"
    assert markup("[bold]x[/bold]\x1b") == "\\[bold]x\\[/bold]\\x1b"


@given(st.lists(texts, min_size=1, max_size=3))
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_generated_hostile_text_through_lint_stale_and_show(parts: list[str]) -> None:
    h = "".join(parts)
    with tempfile.TemporaryDirectory() as tmp:
        kb = make_kb(Path(tmp) / "kb")
        (kb / "concepts/hostile.yaml").write_text(hostile_concept(h), encoding="utf-8")
        (kb / "concepts/forged.yaml").write_text(forged_concept(h or "x"), encoding="utf-8")
        (kb / "theses/ht.yaml").write_text(hostile_thesis(h), encoding="utf-8")
        for args in (("lint",), ("lint", "--format", "github"), ("stale",), ("show", "hostile")):
            result = run_kb(*args, cwd=kb)
            assert result.code in (0, 1, 2), result.err
            out = result.out
            if args[-1] == "github":
                out = "\n".join(line for line in out.splitlines() if not line.startswith("::"))
            assert_safe(out + result.err)


# -- urls: strict in the schema, percent-encoded by both writers ------------------------------

HOSTILE_URLS = (
    "https://a.example/\n\n[pwn]:\njavascript:alert%28document.domain%29\n\n[pwn]\n\n",
    "https://a.example/)[x](javascript:alert(1)",
    'https://a.example/ "title") [y](javascript:alert(2))',
    "https://a.example/<javascript:alert(3)>",
    "https://a.example/\r\n<a href='javascript:alert(4)'>x</a>",
    "https://a.example/\tjava\nscript:alert(5)",
    "https://a.example/\x1b]8;;javascript:alert(6)\x1b\\",
    "https://a.example/\u202ejavascript:alert(7)",
    "https://a.example/\\)[z](javascript:alert(8)",
)


@pytest.mark.parametrize("url", [u for u in HOSTILE_URLS if not is_safe(u) or " " in u])
def test_the_schema_refuses_a_url_that_is_not_one_address(url: str, tmp_path: Path) -> None:
    page = hostile_concept("x").replace('"https://a.example/x"', y(url))
    kb = make_kb(tmp_path / "kb", files={"concepts/hostile.yaml": page})
    result = run_kb("lint", "--format", "json", cwd=kb)
    found = [(f["code"], f["message"]) for f in json.loads(result.out)["findings"]]
    assert result.code == 1
    rule = "(no spaces, control or invisible format characters: percent-encode them)"
    message = f"sources[0].url: {url!r} is not an http:// or https:// address {rule}"
    assert ("S003", message) in found


def test_the_schema_admits_ordinary_addresses(tmp_path: Path) -> None:
    urls = ("https://a.example/x(y)?q=1&r=%20#f", "http://é.example/ü", "https://a.example/[1]")
    for n, url in enumerate(urls):
        page = hostile_concept("x").replace('"https://a.example/x"', y(url))
        kb = make_kb(tmp_path / str(n), files={"concepts/hostile.yaml": page})
        result = run_kb("lint", "--format", "json", "concepts/hostile.yaml", cwd=kb)
        assert [f["code"] for f in json.loads(result.out)["findings"]] == ["C001"]


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_hostile_url_never_becomes_a_javascript_link(url: str, fmt: str) -> None:
    """The writers hold on their own, should a url ever get past the schema: the rendered
    page, parsed by a real CommonMark parser (or read as HTML), links only to the address."""
    from html.parser import HTMLParser

    from markdown_it import MarkdownIt

    from kbcli.render import html, markdown
    from kbcli.render.pages import Bullets as B
    from kbcli.render.pages import Item, Page, Section, Span

    item = Item((Span("A claim "), Span("the source", url), Span(" after")))
    page = Page("concepts/c", "C", (Section("claims", "Key Claims", (B((item,)),)),))
    rendered = markdown.write(page) if fmt == "md" else html.write(page)
    as_html = MarkdownIt("commonmark").render(rendered) if fmt == "md" else rendered

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.hrefs += [v or "" for k, v in attrs if k == "href"]

    links = Links()
    links.feed(as_html)
    assert links.hrefs, as_html
    for href in links.hrefs:
        assert href.startswith(("https://a.example/", "../")), href
        assert "javascript:" not in href.lower().replace("%", "")[: len("https://a.example/")]
        assert not any(c.isspace() or not c.isprintable() for c in href), href
    assert "javascript:" not in "".join(h.split("/", 3)[2] for h in links.hrefs if "://" in h)
    assert "the source" in as_html and " after" in as_html  # the link ended where it should


def test_import_notes_and_lint_fix_notes(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    wiki = tmp_path / "page.txt"
    wiki.write_text(
        "Hostile Page\nA summary.\nKey Claims\n"
        f"- Alpha is a letter — A detail. Evidence: strong (Src {TERMINAL})\n"
        f"Related Concepts\n- Ghost {UNTERMINATED}{BIDI}{MARKUP} — a note\n"
        "Changelog\n- 2026-04-14 — Created\n",
        encoding="utf-8",
    )
    done = run_kb("import", str(wiki), "--date", "2026-05-01", cwd=kb)
    assert done.code == 0, done.err
    assert_safe(done.out + done.err)
    assert "Ghost left open \\x1b]0;no end" in done.out  # the unmatched name, escaped
    dry = run_kb("import", str(wiki), "--id", "other", "--dry-run", cwd=kb)
    assert_safe(dry.err)  # stdout is the page's YAML itself (docs/security.md, Limits)
    page = kb / "concepts" / "alpha.yaml"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "aliases: [first letter]", f"aliases: [{y(FORGED_LINES)}, {y(FORGED_LINES)}]"
        ),
        encoding="utf-8",
    )
    fixed = run_kb("lint", "--fix", cwd=kb)
    assert fixed.code == 1 and fixed.err.startswith("fixed concepts/alpha.yaml: ")
    assert_safe(fixed.out + fixed.err)


def test_quiz_keeps_hostile_text_as_text(hostile_kb: Path, tmp_path: Path) -> None:
    """kb quiz's answer key (piped), its session (at a terminal) and its JSON show the
    pages' text, never a forged line, an escape byte or a bidi override."""
    import shutil

    from kbcli.commands.quiz import answer_key, ask_session
    from kbcli.quiz import load_concepts, make_quiz

    kb = tmp_path / "kb"
    shutil.copytree(hostile_kb, kb, symlinks=True)
    (kb / "concepts/forged.yaml").unlink()  # quiz asks only a KB whose pages validate
    for name, old, when in [
        ("hostile", "    detail:", "2024"),  # a timeline of a hostile claim and alpha's two
        ("alpha", "    sources: [greek]\n  - id: alpha-is-a", "2000"),
        ("alpha", "    sources: [greek]\nsources:", "2010"),
    ]:
        page = kb / f"concepts/{name}.yaml"
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace(old, f"    when: '{when}'\n{old}"), encoding="utf-8")
    for seed in range(4):
        key = run_kb("quiz", "--seed", str(seed), "--count", "9", cwd=kb)
        assert key.code == 0, key.err
        assert_safe(key.out + key.err)
        assert "\\x1b[2J" in key.out  # the text is there, escaped
        as_json = run_kb("quiz", "--seed", str(seed), "--format", "json", cwd=kb)
        assert_safe(as_json.out, wrapped=True)
        assert json.loads(as_json.out)["questions"]
    quiz = make_quiz(load_concepts(kb, load_config(kb)), seed=1, count=9)
    assert {q.kind for q in quiz.questions} == {"entities", "timeline", "speed"}
    said: list[str] = []

    def answer(hint: str) -> str:  # "Your answer (A/B/C/D)", or "(letters in order, e.g. CBA)"
        return hint.rstrip(")").split()[-1] if "e.g." in hint else "A"

    ask_session(quiz, answer, said.append)
    assert_safe("\n".join(said) + answer_key(quiz))


def test_merge_file_notes_keep_a_hostile_path_and_claim_id_as_text(tmp_path: Path) -> None:
    """git passes the file's path (%P) from the branch being merged, and the conflict notes
    name its claims: both are shown escaped, on one line each."""
    claim = "c\n::error::pwned \x1b[2J ##[error]x"
    page = "id: a\ntitle: A\nclaims:\n  - id: {}\n    statement: {}\n    evidence: strong\n"
    (tmp_path / "base.yaml").write_text(page.format(y(claim), "Old"), encoding="utf-8")
    (tmp_path / "ours.yaml").write_text(page.format(y(claim), "Ours"), encoding="utf-8")
    (tmp_path / "theirs.yaml").write_text(page.format(y(claim), "Theirs"), encoding="utf-8")
    path = "concepts/x\n::error title=pwned::merged\x1b]0;t\x07.yaml"
    args = ("base.yaml", "ours.yaml", "theirs.yaml", "--path", path)
    result = run_kb("merge-file", *args, cwd=tmp_path)
    assert result.code == 1
    assert result.err == (
        "kb merge-file: concepts/x\\n::error title=pwned::merged\\x1b]0;t\\x07.yaml: conflict "
        "in claims[c\\n::error::pwned \\x1b[2J #\\x23[error]x].statement: changed on both "
        "sides, differently\n"
    )
    (tmp_path / "base.yaml").write_text("id: [\n", encoding="utf-8")  # git merges it by line
    assert_safe(run_kb("merge-file", *args, cwd=tmp_path).err)


@pytest.mark.parametrize("command", [("lint",), ("stale",), ("render", "--out", "site")])
def test_a_stray_entry_with_a_hostile_name_is_one_escaped_line(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    kb = make_kb(tmp_path / "kb")
    (kb / "concepts" / "x\n::error title=pwned::retracted\x1b[2J.yaml").mkdir()
    result = run_kb(*command, cwd=kb)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "concepts/x\\n::error title=pwned::retracted\\x1b[2J.yaml:1:1: Y008 not a page: a "
        "folder, named like a page; rename it or move it out of the KB"
    )
    assert_safe(result.out + result.err)
