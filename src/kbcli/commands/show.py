"""`kb show`: one concept at the terminal, with what its file cannot hold by itself.

In the seed page's order: the title, status and aliases; the summary; the claims, grouped
by evidence level (strongest first, as kb.yaml lists them), each with its detail, id and
sources; the sections; open questions; related concepts; backlinks (the concepts that
relate to this one); the latest changelog entries; and the theses that depend on the
concept, each citation with its state from `kb stale` (current, stale and what changed,
never reviewed). `run` asks the terminal how wide the text may be and whether it is
coloured; `show_concept` never looks at the terminal.

Every text from a page reaches rich through `_text` (`safetext.visible`, markup off), so
no escape sequence, line break or bidi override of a page reaches the terminal.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.config import Config, load_config
from kbcli.errors import KbError
from kbcli.kb import check_id, page_data, page_ref
from kbcli.render.model import CURRENT, CitationState, KbView, read_view
from kbcli.safetext import visible

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

LATEST_CHANGES = 5
_EVIDENCE_STYLES = ("green", "yellow", "red")  # by rank: strongest first


def run(root: Path, concept: str, changes: int) -> int:
    """`kb show`: the concept, as wide as the terminal and coloured there; 80 columns of
    plain text when piped or with NO_COLOR."""
    from kbcli.terminal import color, echo, width

    colored = color()
    text = show_concept(
        root, load_config(root), concept, width=width(), color=colored, latest=changes
    )
    echo(text, nl=False, colored=colored)
    return 0


def show_concept(
    root: Path,
    config: Config,
    concept: str,
    *,
    width: int,
    color: bool,
    latest: int = LATEST_CHANGES,
) -> str:
    """The concept as text `width` columns wide, with ANSI colours when `color`."""
    from rich.console import Console

    check_id(concept, "concept")
    ref = page_ref(root, "concept", concept)
    if not os.path.lexists(ref.path):
        raise KbError(f"no concept '{concept}' (expected {ref.rel})")
    data = page_data(root, config, ref)
    view = read_view(root, config)
    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        _environ={},  # width and colour are the caller's decision, not the environment's
    )
    page = _Page(data, view, ref.rel, latest)
    for part in page.parts():
        console.print(part)
    if color:
        return out.getvalue()
    # rich pads wrapped lines and table cells to the width; plain text has no use for it.
    # Piped (to a CI log, say), a wrapped line must not start as a workflow command.
    return "".join(visible(line.rstrip()) + "\n" for line in out.getvalue().splitlines())


class _Page:
    def __init__(self, data: dict[str, Any], view: KbView, rel: str, latest: int) -> None:
        self.data, self.view, self.rel, self.latest = data, view, rel, latest
        self.id: str = data["id"]

    def parts(self) -> Iterator[RenderableType]:
        yield from self._head()
        yield from self._claims()
        for section in self.data.get("sections", []):
            yield from _heading(section["heading"])
            yield from _paragraphs(section["body"])
        yield from self._questions()
        yield from self._related()
        yield from self._backlinks()
        yield from self._changelog()
        yield from self._theses()

    def _head(self) -> Iterator[RenderableType]:
        from rich.text import Text

        yield _text(self.data["title"], "bold")
        facts = [self.data.get("status")]
        aliases = self.data.get("aliases", [])
        if aliases:
            facts.append("also " + ", ".join(aliases))
        facts.append(self.rel)
        yield _text(" · ".join(f for f in facts if f), "dim")
        redirect = self.data.get("redirect")
        if redirect:
            yield _text(f"Merged into {redirect}: see kb show {redirect}", "bold")
        yield Text("")
        yield from _paragraphs(self.data["summary"])

    def _claims(self) -> Iterator[RenderableType]:

        claims = self.data["claims"]
        yield from _heading(f"Key Claims ({len(claims)})")
        if not claims:
            yield _none()
            return
        sources = {s["id"]: s["title"] for s in self.data.get("sources", [])}
        levels = self.view.config.evidence_levels
        ranked = [*levels, *sorted({c["evidence"] for c in claims} - set(levels))]
        for rank, level in enumerate(ranked):
            group = [c for c in claims if c["evidence"] == level]
            if not group:
                continue
            style = _EVIDENCE_STYLES[min(rank, len(_EVIDENCE_STYLES) - 1)]
            yield _text(f"{level} evidence", f"bold {style}")
            yield _bullets([_claim(c, sources) for c in group])

    def _questions(self) -> Iterator[RenderableType]:

        questions = self.data.get("open_questions", [])
        if questions:
            yield from _heading("Open Questions")
            yield _bullets([_text(q) for q in questions])

    def _related(self) -> Iterator[RenderableType]:
        from rich.text import Text

        related = self.data.get("related", [])
        if not related:
            return
        yield from _heading("Related Concepts")
        rows = []
        for item in related:
            row = self._concept_name(item["concept"])
            if item.get("note"):
                row.append(visible(f": {item['note']}"))
            rows.append(row)
        yield _bullets(rows) if rows else Text("")

    def _backlinks(self) -> Iterator[RenderableType]:
        yield from _heading("Backlinks")
        names = self.view.backlinks(self.id)
        yield _bullets([self._concept_name(n) for n in names]) if names else _none()

    def _concept_name(self, concept: str) -> Text:
        from rich.text import Text

        name = visible(concept)
        if not self.view.exists("concept", concept):
            return Text.assemble(name, (" (no such concept)", "red"))
        return Text.assemble(visible(self.view.title("concept", concept)), (f" ({name})", "dim"))

    def _changelog(self) -> Iterator[RenderableType]:
        from rich.table import Table

        entries = sorted(self.data["changelog"], key=lambda e: e["date"], reverse=True)
        shown = entries[: self.latest]
        more = f" (latest {len(shown)} of {len(entries)})" if len(entries) > len(shown) else ""
        yield from _heading(f"Changelog{more}")
        if not entries:
            yield _none()
        if not shown:
            return
        grid = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
        grid.add_column(no_wrap=True, style="dim")
        grid.add_column()
        for entry in shown:
            grid.add_row(_text(entry["date"]), _text(entry["text"]))
        yield _indented(grid)

    def _theses(self) -> Iterator[RenderableType]:
        yield from _heading("Theses that depend on this concept")
        citations = self.view.dependents(self.id)
        if not citations:
            yield _none()
            return
        yield _bullets([self._citation(c) for c in citations])

    def _citation(self, citation: CitationState) -> RenderableType:
        from rich.console import Group
        from rich.text import Text

        thesis = self._thesis_data(citation.thesis)
        name = Text.assemble(
            (visible(self.view.title("thesis", citation.thesis)), "bold"),
            (visible(f" ({citation.thesis})"), "dim"),
        )
        facts = []
        if thesis is not None and "score" in thesis:
            facts.append(f"score {thesis['score']}")
        if thesis is not None and "scored" in thesis:
            facts.append(f"scored {thesis['scored']}")
        facts.append(_cited(citation.claims))
        state = _text(citation.label, "green" if citation.status == CURRENT else "bold red")
        if citation.since:
            state.append(visible(f" (since {citation.since})"), style="dim")
        lines: list[RenderableType] = [name, _text(", ".join(facts)), state]
        if citation.changes:
            lines.append(_bullets([_text(change) for change in citation.changes]))
        return Group(*lines)

    def _thesis_data(self, thesis: str) -> dict[str, Any] | None:
        # A thesis that does not validate must not hide the concept: no score, that's all.
        ref = page_ref(self.view.root, "thesis", thesis)
        try:
            return page_data(self.view.root, self.view.config, ref)
        except KbError:
            return None


def _cited(claims: Sequence[str] | None) -> str:
    if claims is None:
        return "cites the whole concept"
    return "cites " + ", ".join(claims) if claims else "cites no claim"


def _claim(claim: dict[str, Any], sources: dict[str, str]) -> RenderableType:
    from rich.console import Group

    lines: list[RenderableType] = [_text(claim["statement"], "bold")]
    if claim.get("detail"):
        lines.append(_text(claim["detail"]))
    names = ", ".join(sources.get(s, s) for s in claim["sources"])
    when = f"when {claim['when']} · " if "when" in claim else ""
    lines.append(_text(f"{claim['id']} · {when}{names}", "dim"))
    return Group(*lines)


def _text(text: str, style: str = "") -> Text:
    """Untrusted text as rich text: escapes shown (`safetext.visible`), never markup."""
    from rich.text import Text

    return Text(visible(text), style=style)


def _heading(text: str) -> Iterator[RenderableType]:
    from rich.text import Text

    yield Text("")
    yield _text(text, "bold underline")


def _paragraphs(body: str) -> Iterator[RenderableType]:
    from rich.text import Text

    paragraphs = [" ".join(p.split()) for p in body.split("\n\n") if p.strip()]
    for i, paragraph in enumerate(paragraphs):
        if i:
            yield Text("")
        yield _text(paragraph)


def _bullets(rows: Sequence[RenderableType]) -> RenderableType:
    from rich.table import Table

    grid = Table.grid(padding=(0, 1, 0, 0), pad_edge=False)
    grid.add_column(no_wrap=True, width=1)
    grid.add_column()
    for row in rows:
        grid.add_row("-", row)
    return _indented(grid)


def _indented(renderable: RenderableType) -> RenderableType:
    from rich.padding import Padding

    return Padding(renderable, (0, 0, 0, 2))


def _none() -> RenderableType:
    from rich.text import Text

    return _indented(Text("none", style="dim"))
