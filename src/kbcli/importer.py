"""`kb import`'s page: a wiki page in the seed's plain-text shape, assembled as a concept page.

The import itself (the refusal to overwrite, the stubs, the write) is
`commands/import_page.py`'s; this module builds the page as plain data and its YAML.

The shape is the one of `mechanistic-interpretability.txt` (a page copied from a wiki as
text): one paragraph per line, headings on lines of their own, lists as `- ` lines. Blank
lines are ignored. What is recognised (by `seed.parse_seed`), in order:

- **title**: the first line;
- **status**: the second line, when it ends with the title (the wiki's status badge runs
  into the breadcrumb: `Active FrontierMechanistic Interpretability`) or is a short label
  (at most three words, no closing punctuation). It is written as a slug (`active-frontier`),
  as the KB's other pages write it;
- **summary**: the paragraphs up to the first heading;
- **Key Claims**: items `- statement — detail. Evidence: level (Source)` (the detail is
  optional; the em dash may be an en dash). Every list is read, in order, and claims that
  repeat (the same statement, or one `similarity` finds close enough) are merged by
  `merge_plan.plan_merge` / `merge_plan.apply_plan`, the code `kb merge-claims` runs. The level must
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

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.seed import SeedClaim, SeedPage
from kbcli.slug import slugify
from kbcli.when import stated_when, stored

if TYPE_CHECKING:
    from kbcli.merge_plan import GroupPlan, MergePlan

MAX_INPUT_BYTES = 1_048_576


# -- building the page -----------------------------------------------------------------


def read_text(file: Path) -> str:
    """The text to import: a regular UTF-8 file of at most `MAX_INPUT_BYTES`."""
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


def assemble_page(
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
    from kbcli.kb import unique_id
    from kbcli.merge_plan import Choices, apply_plan, plan_merge
    from kbcli.slug import claim_slug

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


def concept_names(root: Path, config: Config) -> dict[str, list[tuple[int, str]]]:
    """Every name a concept of the KB answers to -> (rank, id): by id 0, title 1, alias 2."""
    from kbcli.index import read_index
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
    from kbcli.yamlio.page import page_text as yaml_page

    return yaml_page(modeline("concept"), page, spaced=True)
