"""`kb import`: a wiki page in the seed's plain-text shape becomes a concept page.

The shape is the one of `mechanistic-interpretability.txt` (a page copied from a wiki as
text): one paragraph per line, headings on lines of their own, lists as `- ` lines. Blank
lines are ignored. What is recognised, in order:

- **title**: the first line;
- **status**: the second line, when it ends with the title (the wiki's status badge runs
  into the breadcrumb: `Active FrontierMechanistic Interpretability`) or is a short label
  (at most three words, no closing punctuation). It is written as a slug (`active-frontier`),
  as the KB's other pages write it;
- **summary**: the paragraphs up to the first heading;
- **Key Claims**: items `- statement — detail. Evidence: level (Source)` (the detail is
  optional; the em dash may be an en dash). Every list is read, in order, and claims that
  repeat (the same statement, or one `similarity` finds close enough) are merged by
  `merge.plan_merge` / `merge.apply_plan`, the code `kb merge-claims` runs. The level must
  be one of kb.yaml's; each parenthesised name becomes a source (`id` its slug, `title` the
  name). Claim ids are made from the statements as `kb add-claim` makes them;
- **Open Questions**: items `- question`;
- **Related Concepts**: items `- Name — note`; a name is matched to a concept of the KB by
  its id, title or an alias (ignoring case, quotes, dashes and spacing), or by its slug.
  A name that matches no concept is listed all the same, by its slug, so `kb lint`
  reports it (R004, naming the `kb new concept` command) until the page exists; with
  `stubs`, a minimal page marked `status: stub` is created for it instead;
- **Backlinks**: skipped (`kb show` and `kb render` compute them);
- **Changelog**: items `- YYYY-MM-DD — text`, written in kb.yaml's `changelog_order`;
- **a section**: any other heading, i.e. a line of at most eight words without closing
  punctuation (`. ! ? : ; ,`), followed by its paragraphs;
- **site furniture**: from a line `Theses that depend on this concept` or `Test Your
  Understanding` to the end, everything is skipped (kb computes the dependent theses).

A repeated list heading (the seed repeats Key Claims and Related Concepts) continues that
list. Anything else is refused with its line (exit 2), and nothing is written: a list item
under a prose section, prose inside a list, an item that does not read as its list's items
do, an unknown evidence level. The page records the import in its
changelog, dated `date`. Claims get no `added` date: the text does not say when each was
added, and the changelog keeps what it does say.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.config import Config
from kbcli.dates import check_date
from kbcli.errors import KbError, Refused
from kbcli.kb import check_id, page_ref
from kbcli.store import Done, Edit, edit_kb
from kbcli.when import stated_when, stored

if TYPE_CHECKING:
    from kbcli.merge import GroupPlan, MergePlan

MAX_INPUT_BYTES = 1_048_576
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
_SLUG_WORD = re.compile(r"[a-z0-9]+")

_LISTS = {
    "key claims": "Key Claims",
    "open questions": "Open Questions",
    "related concepts": "Related Concepts",
    "backlinks": "Backlinks",
    "changelog": "Changelog",
}
_FURNITURE = ("theses that depend on this concept", "test your understanding")


# -- reading the text ------------------------------------------------------------------


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


def slugify(text: str) -> str:
    """A page or source id from a name: ASCII, lowercase, words joined by hyphens
    (`&` reads as `and`: "Agent Safety & Alignment" is agent-safety-and-alignment)."""
    folded = unicodedata.normalize("NFKD", text.replace("&", " and "))
    ascii_text = folded.encode("ascii", "ignore").decode().lower().replace("'", "")
    return "-".join(_SLUG_WORD.findall(ascii_text))


# -- building the page -----------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What `kb import` made (or, with `dry_run`, would make)."""

    concept: str
    rel: str
    text: str  # the new page's YAML
    claims: int
    listed: int  # claim items read, repeats included
    sources: int
    related: int
    notes: tuple[str, ...]
    dry_run: bool


def import_page(
    root: Path,
    config: Config,
    file: Path,
    date: str,
    page_id: str | None = None,
    *,
    dry_run: bool = False,
    commit: bool = False,
    stubs: bool = False,
) -> Done[ImportResult]:
    """Read `file` and write it as a new concept page (never over an existing one); with
    `stubs`, a stub page too for each related concept the KB has no page for."""
    check_date(date)
    if page_id is not None:
        check_id(page_id, "concept")
    seed = parse_seed(_read(file), config.evidence_levels, file)
    concept = page_id or slugify(seed.title)
    if not concept:
        raise KbError(f"cannot make an id from the title {seed.title!r}: pass --id", path=file)
    check_id(concept, "concept")
    ref = page_ref(root, "concept", concept)

    def build() -> Edit[ImportResult]:
        if page_ref(root, "concept", concept).path.exists():  # .yaml or .yml, under the lock
            raise Refused(
                f"{ref.rel} already exists; kb import never overwrites a page "
                "(pass --id to import under another id)"
            )
        names = _concept_names(root, config)
        page, notes, missing = _page_data(seed, concept, file.name, date, config, names)
        text = page_text(page)
        files = {ref.path: text}
        if stubs:
            files.update(_stubs(root, missing, seed.title, file.name, date))
        notes += _missing_notes(missing, stubs)
        result = ImportResult(
            concept,
            ref.rel,
            text,
            len(page["claims"]),
            len(seed.claims),
            len(page.get("sources", [])),
            len(page.get("related", [])),
            tuple(notes),
            dry_run,
        )
        if dry_run:
            _check_valid(text, config, ref.rel)
            return Edit({}, "", result)
        return Edit(
            files, f"kb: import {concept} from {file.name}", result, created=frozenset(files)
        )

    return edit_kb(root, config, build, commit and not dry_run)


def _read(file: Path) -> str:
    from kbcli.kb import read_regular
    from kbcli.yamlio.load import YamlProblem

    try:  # the guarded read pages get: a FIFO or a folder is refused, never waited on
        raw = read_regular(file, MAX_INPUT_BYTES)
    except OSError as exc:
        raise KbError(f"cannot read the file: {exc.strerror}", path=file) from None
    except YamlProblem:
        raise KbError("cannot read the file: it is not a regular file", path=file) from None
    if len(raw) > MAX_INPUT_BYTES:
        raise KbError(f"the file is over {MAX_INPUT_BYTES} bytes: not a page", path=file)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KbError(f"the file is not UTF-8 text (byte {exc.start})", path=file) from None


@dataclass(frozen=True)
class Missing:
    """A related concept the KB has no page for: listed by the id it would have."""

    id: str
    title: str  # as the text names it
    note: str | None
    line: int


def _page_data(
    seed: SeedPage,
    concept: str,
    file_name: str,
    date: str,
    config: Config,
    names: dict[str, list[tuple[int, str]]],
) -> tuple[dict[str, Any], list[str], list[Missing]]:
    """The page as plain data, the notes for the curator, and the related concepts that
    have no page (listed under `related` all the same)."""
    notes = [f"skipped {what}" for what in seed.skipped]
    source_ids = _source_ids(seed.claims, concept)
    claims, merge_notes = _claims(seed, source_ids, config)
    notes += merge_notes
    related, missing, related_notes = _related(seed, concept, names)
    notes += related_notes
    page: dict[str, Any] = {"id": concept, "title": seed.title}
    if seed.status:
        page["status"] = slugify(seed.status) or seed.status
    page["summary"] = _prose(seed.summary)
    if seed.sections:
        page["sections"] = [{"heading": h, "body": _prose(body)} for h, body in seed.sections]
    page["claims"] = claims
    if source_ids:
        page["sources"] = [{"id": sid, "title": name} for name, sid in source_ids.items()]
    if seed.open_questions:
        page["open_questions"] = list(seed.open_questions)
    if related:
        page["related"] = related
    page["changelog"] = _changelog(seed, file_name, date, config, len(claims))
    return page, notes, missing


def _prose(paragraphs: Sequence[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def _source_ids(claims: Sequence[SeedClaim], concept: str) -> dict[str, str]:
    """Source name -> id, in the order the names first appear. A source named like the
    page itself (the seed's "Mechanistic Interpretability" article) gets `-source` added:
    `sources: [mechanistic-interpretability]` would read as the concept citing itself."""
    from kbcli.kb import unique_id

    ids: dict[str, str] = {}
    for claim in claims:
        if claim.source not in ids:
            base = slugify(claim.source) or "source"
            base = f"{base}-source" if base == concept else base
            ids[claim.source] = unique_id(base, {concept, *ids.values()})
    return ids


def _claims(
    seed: SeedPage, source_ids: dict[str, str], config: Config
) -> tuple[list[dict[str, Any]], list[str]]:
    """Every listed claim, repeats merged the way `kb merge-claims` merges them."""
    from kbcli.claims import claim_slug
    from kbcli.kb import unique_id
    from kbcli.merge import Choices, apply_plan, plan_merge

    taken: set[str] = set()
    listed: list[dict[str, Any]] = []
    for item in seed.claims:
        claim_id = unique_id(claim_slug(item.statement), taken)
        taken.add(claim_id)
        claim: dict[str, Any] = {"id": claim_id, "statement": item.statement}
        if item.detail is not None:
            claim["detail"] = item.detail
        claim.update(evidence=item.evidence, sources=[source_ids[item.source]])
        listed.append(claim)
    # A seed page's repeats keep the strongest level, and the notes below say so.
    plan = plan_merge(
        listed, evidence_levels=config.evidence_levels, choices=Choices(evidence="strongest")
    )
    # The repeats' ids were made up just now and never named anything: nothing to keep.
    merged = [{k: v for k, v in c.items() if k != "merged"} for c in apply_plan(listed, plan)]
    for claim in merged:
        when = stated_when(claim["statement"], claim.get("detail"))
        if when is not None:  # "a 2026 breakthrough", "(2021-2026)": the timeline can place it
            claim["when"] = stored(when)
    return merged, _merge_notes(seed, listed, plan)


def _merge_notes(seed: SeedPage, listed: Sequence[dict[str, Any]], plan: MergePlan) -> list[str]:
    """Word-for-word repeats in one line; every other merge in full, as `kb merge-claims
    --dry-run` shows it, so a curator can check what the similarity score decided."""
    if not plan.changes:
        return []
    lines = {c["id"]: seed.claims[i].line for i, c in enumerate(listed)}
    names = {cid: f"the claim on line {n}" for cid, n in lines.items()}
    plain = [g for g in plan.groups if _plain_repeat(g)]
    notes = []
    if plain:
        at = sorted(lines[cid] for g in plain for cid in g.merged_ids)
        notes.append(
            f"merged {len(at)} claim(s) repeated word for word ({_line_ranges(at)}) "
            "into their first listing"
        )
    for group in plan.groups:
        if not _plain_repeat(group):
            first, *rest = group.describe(names)
            notes += [f"merged near-duplicates: {first}", *(f"  {line}" for line in rest)]
    return notes


def _line_ranges(numbers: Sequence[int]) -> str:
    """`lines 20-26, 31` for [20, 21, ..., 26, 31]."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs]
    return ("line " if len(numbers) == 1 else "lines ") + ", ".join(parts)


def _plain_repeat(group: GroupPlan) -> bool:
    return (
        all(score == 1.0 for score in group.scores)
        and not group.gained_sources
        and not group.gained_details
        and group.conflict is None
    )


def _related(
    seed: SeedPage, concept: str, names: dict[str, list[tuple[int, str]]]
) -> tuple[list[dict[str, Any]], list[Missing], list[str]]:
    """The related entries; a name no concept answers to is listed by its slug (kb lint
    reports it until the page exists), never dropped or left in a comment."""
    from kbcli.similarity import normalise

    related: list[dict[str, Any]] = []
    missing: list[Missing] = []
    notes: list[str] = []
    itself = {normalise(seed.title), concept}
    first: dict[str, tuple[int, str | None]] = {}  # concept -> the line and note kept
    for name, note, line in seed.related:
        found = concept if normalise(name) in itself else _match(name, names)
        if found is None and slugify(name):
            found = slugify(name)
            if all(m.id != found for m in missing):
                missing.append(Missing(found, name, note, line))
        if found == concept:
            notes.append(f"related concept {name!r} (line {line}) is this page: not listed")
        elif not found:
            why = "matches several concepts of the KB" if found == "" else "makes no id"
            notes.append(f"related concept {name!r} (line {line}) {why}: not listed")
        elif found not in first:
            first[found] = (line, note)
            related.append({"concept": found, **({"note": note} if note else {})})
        elif note and note != first[found][1]:  # the seed repeats its list: say only a loss
            notes.append(
                f"related concept {name!r} (line {line}) is '{found}' again, as on line "
                f"{first[found][0]}: listed once, without its note {note!r}"
            )
    return related, missing, notes


def _missing_notes(missing: Sequence[Missing], stubs: bool) -> list[str]:
    import shlex

    if stubs:
        return [f"created concepts/{m.id}.yaml, a stub for {m.title!r}" for m in missing]
    return [
        f"related concept {m.title!r} (line {m.line}) has no page in the KB: listed as "
        f"'{m.id}', which kb lint reports until you run "
        f"`kb new concept {m.id} --title {shlex.quote(m.title)}` (or import with --stubs)"
        for m in missing
    ]


def _stubs(
    root: Path, missing: Sequence[Missing], title: str, file_name: str, date: str
) -> dict[Path, str]:
    """A minimal valid page for each missing related concept."""
    from kbcli.scaffold import stub_text

    pages: dict[Path, str] = {}
    for m in missing:
        why = f"Stub created by kb import of {file_name}, where {title} names it as related"
        pages[page_ref(root, "concept", m.id).path] = stub_text(m.id, m.title, m.note, date, why)
    return pages


def _concept_names(root: Path, config: Config) -> dict[str, list[tuple[int, str]]]:
    """Every name a concept of the KB answers to -> (rank, id): by id 0, title 1, alias 2."""
    from kbcli.render.model import read_index
    from kbcli.similarity import normalise

    names: dict[str, list[tuple[int, str]]] = {}
    for stem, facts in read_index(root, config).concepts.items():
        keys = [(0, stem), (1, facts.title or "")] + [(2, a) for a, _, _ in facts.aliases]
        for rank, name in keys:
            if name:
                names.setdefault(normalise(name), []).append((rank, stem))
    return names


def _match(name: str, names: dict[str, list[tuple[int, str]]]) -> str | None:
    """The concept `name` names; None when none does, "" when the best match is not one."""
    from kbcli.similarity import normalise

    found = names.get(normalise(name)) or names.get(slugify(name)) or []
    if not found:
        return None
    best = min(rank for rank, _ in found)
    ids = {stem for rank, stem in found if rank == best}
    return ids.pop() if len(ids) == 1 else ""


def _changelog(
    seed: SeedPage, file_name: str, date: str, config: Config, claims: int
) -> list[dict[str, str]]:
    text = f"Imported from {file_name} by kb import ({claims} claims)"
    entries = [*seed.changelog, (date, text)]
    newest_first = config.changelog_order == "newest-first"
    # Sorted by date so the page meets lint's order rule whatever order the text had;
    # the sort is stable, so entries of one day keep the text's order.
    ordered = sorted(entries, key=lambda e: e[0], reverse=newest_first)
    return [{"date": d, "text": t} for d, t in ordered]


# -- writing the YAML ------------------------------------------------------------------


def page_text(page: dict[str, Any]) -> str:
    """The page as YAML laid out as the KB's hand-written pages are: block style, prose as
    `|` blocks, a blank line between the top-level fields that hold lists or prose."""
    from kbcli.schema import modeline
    from kbcli.yamlio.load import parse

    lines = [modeline("concept")]
    for key, value in page.items():
        block = isinstance(value, list | dict) or "\n" in str(value)
        if block and lines[-1] != "" and key not in ("id", "title"):
            lines.append("")
        lines += _field(key, value, 0)
    text = "\n".join(lines) + "\n"
    if parse(text).data != page:  # pragma: no cover - a bug here must never reach a page
        raise AssertionError("kb import wrote YAML that does not read back as the page")
    return text


def _field(key: str, value: Any, indent: int) -> list[str]:
    from kbcli.yamlio.render import literal, scalar

    pad = " " * indent
    if isinstance(value, list):
        if not value:
            return [f"{pad}{key}: []"]
        return [f"{pad}{key}:", *_items(value, indent + 2)]
    if isinstance(value, str) and "\n" in value:
        block = literal(value, indent + 2)
        if block is not None:
            return [f"{pad}{key}: {block[0]}", *block[1:]]
    return [f"{pad}{key}: {scalar(value, flow=False)}"]


def _items(values: Sequence[Any], indent: int) -> list[str]:
    from kbcli.yamlio.render import scalar

    pad = " " * indent
    lines: list[str] = []
    for value in values:
        if isinstance(value, dict):
            body = [line for k, v in value.items() for line in _field(k, v, indent + 2)]
            lines += [f"{pad}- {body[0][indent + 2 :]}", *body[1:]]
        else:
            lines.append(f"{pad}- {scalar(value, flow=False)}")
    return lines


def _check_valid(text: str, config: Config, rel: str) -> None:
    """What `store.write_pages` checks before writing, for a dry run."""
    from kbcli.schema import PageValidator
    from kbcli.yamlio.load import parse

    doc = parse(text)
    problems = PageValidator("concept", config.evidence_levels).problems(doc.data, doc.root)
    if problems:  # pragma: no cover - the importer builds valid pages; this says if not
        code, message, line, col = problems[0]
        raise KbError(
            f"refusing to write {rel}: the result would not be a valid page "
            f"(line {line}, column {col}: {code} {message})"
        )
