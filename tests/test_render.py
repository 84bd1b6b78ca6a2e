"""`kb render`: the seed's sections in the seed's order, the same bytes every time, links
that resolve, `--check`, and text that stays text."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kbcli.commands.import_page import import_page
from kbcli.config import load_config
from kbcli.errors import KbError
from kbcli.render.site import build_site, check_site, write_site
from kbcli.stamps import make_stamp
from kbcli.yamlio.load import parse

from helpers import CASES, make_kb, run_kb

SEED = CASES / "import" / "mechanistic-interpretability.txt"
MI = "mechanistic-interpretability"
CITED = ["circuit-tracing-reveals-end-end-computational", "40-researchers-major-labs-warn-about"]


def seed_kb(dest: Path) -> Path:
    """The import case's KB with the seed imported, and two theses citing it: one reviewed
    (current) and one never reviewed."""
    kb = Path(shutil.copytree(CASES / "import" / "kb", dest))
    import_page(kb, load_config(kb), SEED, "2026-04-21")
    page = parse((kb / f"concepts/{MI}.yaml").read_text(encoding="utf-8")).data
    (kb / "theses").mkdir()
    (kb / "theses/gates.yaml").write_text(
        "id: gates\ntitle: Interpretability gates deployment\nposition: It will.\n"
        "score: 0.6\nscored: 2026-04-22\ncites:\n"
        f"  - concept: {MI}\n    claims: [{', '.join(CITED)}]\n"
        f'    stamp: "{make_stamp(page, CITED)}"\n',
        encoding="utf-8",
    )
    (kb / "theses/whole.yaml").write_text(
        f"id: whole\ntitle: The whole field\nposition: All of it.\ncites:\n  - concept: {MI}\n",
        encoding="utf-8",
    )
    return kb


class Outline(HTMLParser):
    """Headings, ids, links and list items of an HTML page, as a reader meets them."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.claims: list[str] = []
        self.text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
            if str(found["id"]).startswith("claim-"):
                self.claims.append(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag in ("h1", "h2", "h3"):
            self._in = tag
            self.headings.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in is not None:
            self.headings[-1] += data


def outline(text: str) -> Outline:
    parser = Outline()
    parser.feed(text)
    return parser


def broken_links(files: dict[str, str]) -> list[str]:
    """Links of the site's HTML pages that lead to no page or no anchor of it."""
    pages = {rel: outline(text) for rel, text in files.items()}
    broken = []
    for rel, page in pages.items():
        for link in page.links:
            if link.startswith(("http://", "https://")):
                continue
            path, _, anchor = link.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
            if target not in pages or (anchor and anchor not in pages[target].ids):
                broken.append(f"{rel} -> {link}")
    return broken


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return seed_kb(tmp_path / "kb")


# -- the seed, rendered -------------------------------------------------------------------


SEED_ORDER = [
    "Mechanistic Interpretability",
    "Key Claims",
    "Alignment Integration",
    "Open Questions",
    "Related Concepts",
    "Backlinks",
    "Changelog",
    "Theses that depend on this concept",
    "Test Your Understanding",
]


def test_seed_page_has_the_seeds_sections_in_the_seeds_order(kb: Path) -> None:
    seed_lines = SEED.read_text(encoding="utf-8").splitlines()
    firsts = [seed_lines.index(heading) for heading in SEED_ORDER]
    assert firsts == sorted(firsts)  # the seed itself has them in this order
    page = build_site(kb, load_config(kb), "html")[f"concepts/{MI}.html"]
    found = outline(page)
    assert found.headings == SEED_ORDER
    # status and summary come between the title and the claims, as on the seed
    head = page[page.index("<h1>") : page.index('<section id="key-claims">')]
    assert '<p class="status">active-frontier</p>' in head
    assert seed_lines[2].split(" — ")[0] in head
    assert page.count('<ul class="claims">') == 1
    assert len(found.claims) == 10


def test_seed_page_in_markdown_has_the_same_sections(kb: Path) -> None:
    page = build_site(kb, load_config(kb), "md")[f"concepts/{MI}.md"]
    headings = [line.lstrip("#").strip() for line in page.splitlines() if line.startswith("#")]
    assert headings == SEED_ORDER
    assert page.count("Evidence: ") == 10


def test_dependent_theses_carry_their_state(kb: Path) -> None:
    page = build_site(kb, load_config(kb), "html")[f"concepts/{MI}.html"]
    theses = page[page.index('<section id="theses">') :]
    assert '<a href="../theses/gates.html">Interpretability gates deployment</a>' in theses
    assert '<span class="status-current">current</span>' in theses
    assert '<span class="status-unreviewed">never reviewed</span>' in theses
    assert f'href="{MI}.html#claim-{CITED[0]}"' in theses


def test_a_stale_citation_says_what_changed(kb: Path) -> None:
    path = kb / f"concepts/{MI}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("evidence: strong", "evidence: weak", 1), encoding="utf-8")
    page = build_site(kb, load_config(kb), "html")["theses/gates.html"]
    assert (
        '<span class="status-stale">stale: may need re-scoring</span>: evidence of claim '
        f"&#x27;{CITED[0]}&#x27; changed: strong -&gt; weak"
    ) in page
    index = build_site(kb, load_config(kb), "html")["index.html"]
    assert "1 citation(s) to review" in index


# -- the site ----------------------------------------------------------------------------


def test_one_page_per_concept_and_thesis_plus_an_index(kb: Path) -> None:
    files = build_site(kb, load_config(kb), "html")
    assert sorted(files) == [
        "concepts/agent-safety-and-alignment.html",
        "concepts/agentic-reasoning.html",
        "concepts/chain-of-thought-reasoning.html",
        "concepts/circuit-tracing.html",
        f"concepts/{MI}.html",
        "index.html",
        "quiz.html",  # the whole KB's quiz, and one per concept
        "quizzes/agent-safety-and-alignment.html",
        "quizzes/agentic-reasoning.html",
        "quizzes/chain-of-thought-reasoning.html",
        "quizzes/circuit-tracing.html",
        f"quizzes/{MI}.html",
        "theses/gates.html",
        "theses/whole.html",
    ]
    assert "<script" not in "".join(files.values())  # no JavaScript at all


def test_every_link_resolves(kb: Path) -> None:
    files = build_site(kb, load_config(kb), "html")
    assert broken_links(files) == []
    # the quiz pages link each question's claim
    assert sum(len(outline(text).links) for text in files.values()) == 97


def test_every_markdown_link_resolves(kb: Path) -> None:
    files = build_site(kb, load_config(kb), "md")
    anchors = {rel: set(re.findall(r'<a id="([^"]+)"></a>', text)) for rel, text in files.items()}
    for rel, text in files.items():
        for link in re.findall(r"\]\(([^)]+)\)", text):
            if link.startswith("http"):
                continue
            path, _, anchor = link.partition("#")
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), path))
            assert target in files, f"{rel} -> {link}"
            assert not anchor or anchor in anchors[target], f"{rel} -> {link}"


def test_same_kb_same_bytes(kb: Path, tmp_path: Path) -> None:
    for fmt in ("html", "md"):
        assert build_site(kb, load_config(kb), fmt) == build_site(kb, load_config(kb), fmt)
    first = run_kb("render", "--out", str(tmp_path / "one"), cwd=kb)
    second = run_kb("render", "--out", str(tmp_path / "two"), cwd=kb)
    assert first.code == second.code == 0
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    assert one == two and len(one) == 14
    again = run_kb("render", "--out", str(tmp_path / "one"), cwd=kb)
    assert (
        again.out
        == f"Rendered 14 pages to {tmp_path / 'one'} (0 written, 14 unchanged, 0 removed)\n"
    )


def _tree(folder: Path) -> dict[Path, bytes]:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_link_planted_in_the_site_is_replaced_never_written_through(
    kb: Path, tmp_path: Path
) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside.txt"
    assert run_kb("render", "--out", str(site), cwd=kb).code == 0
    outside.write_text("not the site's\n")
    (site / "index.html").unlink()
    (site / "index.html").symlink_to(outside)
    result = run_kb("render", "--out", str(site), cwd=kb)
    assert (result.code, result.out) == (
        0,
        f"Rendered 14 pages to {site} (1 written, 13 unchanged, 0 removed)\n",
    )
    assert outside.read_text() == "not the site's\n"
    assert not (site / "index.html").is_symlink()
    assert (site / "index.html").read_text().startswith("<!DOCTYPE html>")


def test_a_folder_link_planted_in_the_site_is_refused_before_anything_is_written(
    kb: Path, tmp_path: Path
) -> None:
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    assert run_kb("render", "--out", str(site), cwd=kb).code == 0
    elsewhere.mkdir()
    (elsewhere / "notes.html").write_text("mine\n")
    (elsewhere / "circuit-tracing.html").write_text("mine too\n")
    shutil.rmtree(site / "concepts")
    (site / "concepts").symlink_to(elsewhere)
    (kb / "concepts/circuit-tracing.yaml").write_text(
        (kb / "concepts/circuit-tracing.yaml").read_text().replace("Circuit Tracing", "CT", 1)
    )
    before = _tree(site)
    result = run_kb("render", "--out", str(site), cwd=kb)
    assert (result.code, result.out, result.err) == (
        2,
        "",
        f"kb: refusing to render into {site}: {site / 'concepts'} is a symbolic link, and kb "
        "writes and removes the site's pages in it; replace it with a folder; nothing was "
        "written\n",
    )
    assert sorted(p.name for p in elsewhere.iterdir()) == ["circuit-tracing.html", "notes.html"]
    assert (elsewhere / "circuit-tracing.html").read_text() == "mine too\n"
    assert _tree(site) == before


def test_a_rewritten_site_file_gets_a_new_files_mode(kb: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    assert run_kb("render", "--out", str(site), cwd=kb).code == 0
    fresh = (site / "quiz.html").stat().st_mode & 0o777
    (site / "index.html").write_text("old")
    os.chmod(site / "index.html", 0o400)
    assert run_kb("render", "--out", str(site), cwd=kb).code == 0
    assert (site / "index.html").stat().st_mode & 0o777 == fresh


def test_default_folder_is_site(kb: Path, tmp_path: Path) -> None:
    result = run_kb("render", cwd=tmp_path)  # the KB is found below: tmp_path/kb/kb.yaml
    assert result.code == 0, result.err
    assert (tmp_path / "site/index.html").is_file()


# -- --check ----------------------------------------------------------------------------------


# The quiz pages whose questions show Circuit Tracing's title (as a choice or a heading).
QUIZZES_NAMING_CIRCUIT_TRACING = [
    "quiz.html",
    "quizzes/circuit-tracing.html",
    "quizzes/mechanistic-interpretability.html",
]


def test_check_passes_on_a_current_site_and_lists_what_is_out_of_date(
    kb: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    assert run_kb("render", "--out", str(site), cwd=kb).code == 0
    current = run_kb("render", "--check", str(site), cwd=kb)
    assert (current.code, current.out) == (0, f"{site} is up to date (14 files).\n")

    circuit = kb / "concepts/circuit-tracing.yaml"
    circuit.write_text(circuit.read_text().replace("title: Circuit Tracing", "title: Circuits"))
    (site / "theses/whole.html").unlink()
    (site / "concepts/gone.html").write_text("an old page")
    (site / "notes.txt").write_text("not the site's")
    outdated = run_kb("render", "--check", str(site), cwd=kb)
    assert outdated.code == 1
    assert outdated.out.splitlines() == [
        f"{site}/concepts/circuit-tracing.html: differs",
        f"{site}/concepts/gone.html: not in the KB",
        f"{site}/concepts/{MI}.html: differs",  # its related concept's title
        f"{site}/index.html: differs",
        *(f"{site}/{rel}: differs" for rel in QUIZZES_NAMING_CIRCUIT_TRACING),
        f"{site}/theses/whole.html: missing",
        f"{5 + len(QUIZZES_NAMING_CIRCUIT_TRACING)} file(s) out of date: "
        f"run kb render --out {site}",
    ]

    rendered = run_kb("render", "--out", str(site), cwd=kb)
    assert "1 removed" in rendered.out
    assert run_kb("render", "--check", str(site), cwd=kb).code == 0
    assert (site / "notes.txt").read_text() == "not the site's"


def test_check_finds_the_format_of_the_folder(kb: Path, tmp_path: Path) -> None:
    site = tmp_path / "md"
    assert run_kb("render", "--out", str(site), "--format", "md", cwd=kb).code == 0
    assert run_kb("render", "--check", str(site), cwd=kb).code == 0
    assert run_kb("render", "--check", str(site), "--format", "html", cwd=kb).code == 1


def test_check_of_a_missing_folder_lists_every_file(kb: Path, tmp_path: Path) -> None:
    missing = check_site(build_site(kb, load_config(kb), "html"), tmp_path / "none", "html")
    assert len(missing) == 14 and {m.why for m in missing} == {"missing"}


# -- text stays text --------------------------------------------------------------------------

HOSTILE = """\
id: hostile
title: "<b>Bold</b> & co"
summary: "A summary with <img src=x onerror=alert(1)>."
claims:
  - id: script
    statement: "<script>alert('pwned')</script> is just text"
    detail: "Quotes \\" and ' and </li> too"
    evidence: strong
    sources: [evil]
sources:
  - id: evil
    title: "[a](javascript:alert(1)) *not bold*"
    url: "https://example.org/?q=\\"><script>x</script>"
related:
  - {concept: alpha, note: "<i>note</i>"}
changelog: []
"""


def test_hostile_html_appears_as_text(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"concepts/hostile.yaml": HOSTILE})
    files = build_site(kb, load_config(kb), "html")
    page = files["concepts/hostile.html"]
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "<i>" not in page and "</li> too" not in page
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; is just text" in page
    assert "<title>&lt;b&gt;Bold&lt;/b&gt; &amp; co</title>" in page
    assert 'href="https://example.org/?q=%22%3E%3Cscript%3Ex%3C/script%3E"' in page
    found = outline(page)
    assert "<script>alert('pwned')</script> is just text" in "".join(found.text)
    assert broken_links(files) == []


def test_hostile_markdown_appears_as_text(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb", files={"concepts/hostile.yaml": HOSTILE})
    page = build_site(kb, load_config(kb), "md")["concepts/hostile.md"]
    assert "\\<script\\>alert('pwned')\\</script\\> is just text" in page
    assert "# \\<b\\>Bold\\</b\\> \\& co" in page
    assert "\\[a\\](javascript:alert(1)) \\*not bold\\*" in page
    assert "<script" not in page.replace("\\<script", "")


# -- links across pages ------------------------------------------------------------------------


def test_a_citation_of_a_merged_claim_links_to_its_survivor(tmp_path: Path) -> None:
    alpha = (CASES / "base/concepts/alpha.yaml").read_text()
    alpha = alpha.replace(
        "    sources: [greek]\n", "    sources: [greek]\n    merged: [old-id]\n", 1
    )
    thesis = (
        "id: m\ntitle: M\nposition: P.\ncites:\n"
        "  - {concept: alpha, claims: [old-id, no-such-claim]}\n"
        "  - {concept: nowhere}\n"
    )
    kb = make_kb(tmp_path / "kb", files={"concepts/alpha.yaml": alpha, "theses/m.yaml": thesis})
    files = build_site(kb, load_config(kb), "html")
    page = files["theses/m.html"]
    # the statement of the claim that old-id was merged into, linked to it
    assert (
        '<li><a href="../concepts/alpha.html#claim-alpha-is-first">Alpha comes first</a> '
        '<span class="evidence-strong">Evidence: strong</span> '
        '<span class="claim-id">id: old-id</span></li>'
    ) in page
    assert '<span class="muted">no-such-claim (no such claim)</span>' in page
    assert '<span class="muted">nowhere (no such concept)</span>' in page
    assert broken_links(files) == []


# -- refusals --------------------------------------------------------------------------------


def test_out_and_check_together_is_a_usage_error(kb: Path, tmp_path: Path) -> None:
    result = run_kb("render", "--out", str(tmp_path), "--check", str(tmp_path), cwd=kb)
    assert result.code == 2 and "give one of them" in result.err


def test_never_renders_into_the_kb_root(kb: Path) -> None:
    result = run_kb("render", "--out", ".", cwd=kb)
    assert result.code == 2 and "KB root" in result.err
    with pytest.raises(KbError):
        write_site(kb, {"index.html": ""}, kb, "html")


def test_a_page_that_fails_its_schema_is_named(kb: Path, tmp_path: Path) -> None:
    (kb / "concepts/agentic-reasoning.yaml").write_text("id: agentic-reasoning\ntitle: A\n")
    result = run_kb("render", "--out", str(tmp_path / "site"), cwd=kb)
    assert result.code == 2
    assert "concepts/agentic-reasoning.yaml:1:1: S001" in result.err
    assert not (tmp_path / "site").exists()


VARIED = """\
id: varied
title: Varied
redirect: alpha
summary: Merged into alpha.
sections:
  - {heading: Notes, body: First.}
  - {heading: Notes, body: Second.}
claims:
  - id: two-sources
    statement: Two sources
    evidence: weak
    sources: [greek, unlisted]
sources:
  - {id: greek, title: The Greek alphabet}
related:
  - {concept: beta}
changelog: []
"""


def test_redirects_repeated_headings_and_loose_references(tmp_path: Path) -> None:
    thesis = "id: n\ntitle: N\nposition: P.\ncites: []\nnotes: Why it matters.\n"
    kb = make_kb(tmp_path / "kb", files={"concepts/varied.yaml": VARIED, "theses/n.yaml": thesis})
    files = build_site(kb, load_config(kb), "html")
    page = files["concepts/varied.html"]
    assert '<p>Merged into <a href="alpha.html">Alpha</a></p>' in page
    assert '<section id="section-notes">' in page and '<section id="section-notes-2">' in page
    assert "The Greek alphabet \u00b7 unlisted \u00b7 " in page
    assert '<li><a href="beta.html">Beta</a></li>' in page
    assert "<h2>Notes</h2>\n<p>Why it matters.</p>" in files["theses/n.html"]
    assert broken_links(files) == []
    # a redirect has no quiz of its own (nothing would link to it): its claims live on
    assert "quizzes/varied.html" not in files and "quizzes/alpha.html" in files
    with pytest.raises(KbError, match="unknown format 'pdf'"):
        build_site(kb, load_config(kb), "pdf")


def test_claims_show_their_id_and_when_and_link_to_themselves() -> None:
    from helpers import REPO

    kb = REPO / "kb"
    page = build_site(kb, load_config(kb), "html")[f"concepts/{MI}.html"]
    assert (
        '<span class="evidence-moderate">Evidence: moderate</span> \u00b7 When: 2026 \u00b7 '
        "Mechanistic Interpretability (MIT Technology Review) \u00b7 "
        f'<a href="{MI}.html#claim-breakthrough-2026"><span class="claim-id">'
        "id: breakthrough-2026</span></a></li>"
    ) in page
    data = parse((kb / f"concepts/{MI}.yaml").read_text(encoding="utf-8")).data
    assert page.count('<span class="claim-id">') == len(data["claims"])


def test_quiz_pages_fold_their_answers_and_escape_the_kbs_text(tmp_path: Path) -> None:
    beta = "id: beta\ntitle: Beta\nsummary: Beta is <em>second</em>.\nclaims:\n" + (
        "  - {id: b, statement: '<b>Beta</b> & more', evidence: weak, sources: [s]}\n"
        "sources: [{id: s, title: S}]\nchangelog: []\n"
    )
    kb = make_kb(
        tmp_path / "kb", files={"concepts/hostile.yaml": HOSTILE, "concepts/beta.yaml": beta}
    )
    html_files = build_site(kb, load_config(kb), "html")
    quiz = html_files["quizzes/hostile.html"]
    assert "<script" not in quiz and "<b>" not in quiz and "<em>" not in quiz
    assert quiz.count("<details><summary>Answer</summary>") == quiz.count('<ul class="choices">')
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt; is just text" in quiz
    concept = html_files["concepts/hostile.html"]
    assert (
        '<a href="../quizzes/hostile.html">Quiz on &lt;b&gt;Bold&lt;/b&gt; &amp; co</a>' in concept
    )
    md = build_site(kb, load_config(kb), "md")["quizzes/hostile.md"]
    assert "<details><summary>Answer</summary>\n\n" in md and "<script>" not in md
    assert broken_links(html_files) == []


def test_a_concept_with_too_little_for_a_quiz_gets_a_page_that_says_so(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    (kb / "concepts/beta.yaml").unlink()
    (kb / "concepts/alpha.yaml").write_text(
        (kb / "concepts/alpha.yaml")
        .read_text()
        .replace("related:\n  - {concept: beta, note: comes next}\n", "")
    )
    files = build_site(kb, load_config(kb), "html")
    assert (
        "<p>No quiz yet: no entities question: it needs concept &#x27;alpha&#x27; with claims "
        "and another concept whose claims say something different, or a claim naming an "
        "organisation, person, model or paper and another claim that does not; no timeline "
        "question: "
    ) in files["quizzes/alpha.html"]
    assert broken_links(files) == []


@pytest.mark.parametrize("page", ["quiz.html", f"quizzes/{MI}.html"])
def test_a_quiz_page_names_the_command_that_asks_its_questions(page: str) -> None:
    # The page said "kb quiz --seed 1 --concept ...", which asks 5 of its 10 questions.
    import html
    import json
    import shlex

    kb = Path(__file__).parents[1] / "kb"
    text = build_site(kb, load_config(kb), "html")[page]
    found = re.search(r"at a terminal: (kb quiz [^<]*?)\.<", text)
    assert found is not None
    args = shlex.split(found[1])[2:]
    run = run_kb("quiz", *args, "--format", "json", cwd=kb)
    prompts = [q["prompt"] for q in json.loads(run.out)["questions"]]
    shown = [html.unescape(p) for p in re.findall(r"<p>(Which [^<]*|Put these[^<]*)</p>", text)]
    assert (run.code, prompts) == (0, shown)
    assert len(shown) == (20 if page == "quiz.html" else 10)


def test_out_and_check_together_are_refused_before_the_kb_is_looked_for() -> None:
    """The verb checks its options first: outside any KB the message is about them."""
    from kbcli.commands.render import run

    def no_kb() -> Path:
        raise AssertionError("the KB was looked for")

    with pytest.raises(KbError, match="--out writes a site and --check checks one") as exc:
        run(no_kb, Path("a"), None, Path("b"))
    assert exc.value.exit_code == 2
