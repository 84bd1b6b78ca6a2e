"""The seed's plain-text shape, read: a wiki page copied as text becomes a `SeedPage`.

One paragraph per line, headings on lines of their own, lists as `- ` lines; blank lines
are ignored. What each part is read as, and what `kb import` makes of it, is told in
`importer`. This module only reads the text: nothing here knows the KB.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbcli.dates import check_date
from kbcli.errors import KbError

_HEADING_WORDS = 8
_STATUS_WORDS = 3
_CLOSING = tuple(".!?:;,")
_DASH = r"\s+[\u2014\u2013]\s+"  # an em or en dash between spaces
_CLAIM = re.compile(
    r"^-\s+(?P<body>.+?)\s*\bEvidence:\s*(?P<level>[A-Za-z][\w-]*)\s*\((?P<source>.+)\)\s*$"
)
_RELATED = re.compile(r"^-\s+(?P<name>.+?)(?:" + _DASH + r"(?P<note>.+))?$")
_CHANGE = re.compile(r"^-\s+(?P<date>\d{4}-\d{2}-\d{2})" + _DASH + r"(?P<text>.+)$")
_ITEM = re.compile(r"^-\s+(?P<text>.+)$")

_LISTS = {
    "key claims": "Key Claims",
    "open questions": "Open Questions",
    "related concepts": "Related Concepts",
    "backlinks": "Backlinks",
    "changelog": "Changelog",
}
_FURNITURE = ("theses that depend on this concept", "test your understanding")


@dataclass(frozen=True)
class SeedClaim:
    statement: str
    detail: str | None
    evidence: str
    source: str
    line: int


@dataclass
class SeedPage:
    """What the text says, before it is matched against the KB."""

    title: str
    status: str | None = None
    summary: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    claims: list[SeedClaim] = field(default_factory=list)
    claim_lists: int = 0
    open_questions: list[str] = field(default_factory=list)
    related: list[tuple[str, str | None, int]] = field(default_factory=list)
    changelog: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


Line = tuple[int, str]  # 1-based line number, text without surrounding spaces


def parse_seed(text: str, levels: Sequence[str], path: Path | None = None) -> SeedPage:
    """Read a page in the seed's shape; KbError at the line it cannot read."""
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not lines:
        raise KbError("the file is empty: nothing to import", path=path)
    title_line, title = lines[0]
    if title.startswith("- ") or title.casefold() in _LISTS:
        raise KbError("the first line must be the page's title", path=path, line=title_line)
    page = SeedPage(title)
    rest = lines[1:]
    if rest and (status := _status(rest[0][1], title)) is not None:
        page.status, rest = status, rest[1:]
    _Reader(page, levels, path).read(rest)
    if not page.summary:
        raise KbError(
            "no summary: the paragraphs after the title and status line become the summary",
            path=path,
            line=rest[0][0] if rest else title_line,
        )
    return page


def _status(line: str, title: str) -> str | None:
    if line != title and line.endswith(title):
        return line[: -len(title)].strip() or None
    if _is_label(line, _STATUS_WORDS) and line.casefold() not in _LISTS:
        return line
    return None


def _is_label(line: str, words: int) -> bool:
    return not line.startswith("- ") and len(line.split()) <= words and not line.endswith(_CLOSING)


@dataclass
class _Reader:
    page: SeedPage
    levels: Sequence[str]
    path: Path | None
    where: str = "summary"  # "summary", "section", a list's name, or "Backlinks"
    heading_line: int = 0
    previous: Line = (0, "")

    def read(self, lines: Sequence[Line]) -> None:
        for i, (n, line) in enumerate(lines):
            key = line.casefold()
            if key in _FURNITURE:
                self.page.skipped.append(
                    f"lines {n}-{lines[-1][0]}: site furniture from {line!r} to the end"
                )
                return
            if key in _LISTS:
                self._open_list(_LISTS[key], n)
            elif line.startswith("- "):
                self._item(n, line)
            elif self.where == "Backlinks":
                continue  # "Pages that reference this concept:" and the like
            elif _is_label(line, _HEADING_WORDS) and self._prose_follows(lines, i):
                self.page.sections.append((line, []))
                self.where, self.heading_line = "section", n
            else:
                self._prose(n, line)
            self.previous = (n, line)

    @staticmethod
    def _prose_follows(lines: Sequence[Line], i: int) -> bool:
        # A short line is a heading when prose follows it; one that ends the page or comes
        # before a list or another heading is refused below as prose where it cannot be.
        if i + 1 >= len(lines):
            return False
        after = lines[i + 1][1]
        return not after.startswith("- ") and after.casefold() not in (*_LISTS, *_FURNITURE)

    def _open_list(self, name: str, n: int) -> None:
        self.where, self.heading_line = name, n
        if name == "Key Claims":
            self.page.claim_lists += 1
        elif name == "Backlinks":
            self.page.skipped.append(f"line {n}: Backlinks (kb computes them)")

    def _prose(self, n: int, line: str) -> None:
        if self.where == "summary":
            self.page.summary.append(line)
        elif self.where == "section":
            self.page.sections[-1][1].append(line)
        else:
            raise self._error(
                n,
                f"text inside {self.where} (line {self.heading_line}), where each line "
                "must be a '- ' item",
            )

    def _item(self, n: int, line: str) -> None:
        if self.where == "Backlinks":
            return
        readers = {
            "Key Claims": self._claim,
            "Open Questions": self._question,
            "Related Concepts": self._related,
            "Changelog": self._change,
        }
        if self.where not in readers:
            at, before = self.previous
            where = "the summary" if self.where == "summary" else "a section"
            if _is_label(before, _HEADING_WORDS):  # most likely a list kb does not know
                where = f"a list under {before!r} (line {at}), which is not a list kb knows"
            raise self._error(
                n, f"{where}: kb import reads lists only under {', '.join(_LISTS.values())}"
            )
        readers[self.where](n, line)

    def _claim(self, n: int, line: str) -> None:
        match = _CLAIM.match(line)
        if match is None:
            raise self._error(
                n, "a Key Claims item must read '- statement — detail. Evidence: level (Source)'"
            )
        statement, detail = _split_dash(match["body"])
        level = match["level"].casefold()
        if level not in self.levels:
            raise self._error(
                n,
                f"unknown evidence level {match['level']!r}: use one of "
                f"{', '.join(self.levels)} (evidence_levels in kb.yaml)",
            )
        source = " ".join(match["source"].split())
        self.page.claims.append(SeedClaim(statement, detail or None, level, source, n))

    def _question(self, n: int, line: str) -> None:
        match = _ITEM.match(line)
        assert match is not None  # every line here starts with "- "
        self.page.open_questions.append(match["text"])

    def _related(self, n: int, line: str) -> None:
        match = _RELATED.match(line)
        assert match is not None
        self.page.related.append((match["name"].strip(), match["note"], n))

    def _change(self, n: int, line: str) -> None:
        match = _CHANGE.match(line)
        if match is None:
            raise self._error(n, "a Changelog item must read '- YYYY-MM-DD — text'")
        try:
            check_date(match["date"])
        except KbError as exc:
            raise self._error(n, exc.message) from None
        self.page.changelog.append((match["date"], match["text"].strip()))

    def _error(self, n: int, message: str) -> KbError:
        return KbError(f"cannot import: {message}", path=self.path, line=n, col=1)


def _split_dash(body: str) -> tuple[str, str]:
    """The statement and the detail: the first dash between spaces parts them."""
    parts = re.split(_DASH, body, maxsplit=1)
    return parts[0].strip(), (parts[1] if len(parts) == 2 else "").strip()
