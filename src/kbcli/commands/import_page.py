"""`kb import FILE`: a wiki page in plain text, as a new concept page; never overwrites.

Reading the text and assembling the page is `importer`'s; this module is the import: it
refuses an existing page (under the KB's lock), adds a stub page per missing related
concept with `--stubs`, writes through `store.edit_kb`, prints the result (with
`--dry-run`, the page's YAML alone on stdout, so it can be redirected to a file) and notes
a missing schemas/ folder for editors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.commands.new import note_editor_schemas
from kbcli.config import Config, load_config
from kbcli.dates import edit_date
from kbcli.terminal import echo, echo_commit, say, today

if TYPE_CHECKING:
    from kbcli.importer import Missing
    from kbcli.store import Done, Edit


def run(
    root: Path,
    file: Path,
    page_id: str | None,
    when: str | None,
    *,
    dry_run: bool = False,
    stubs: bool = False,
    commit: bool = False,
) -> int:
    """`kb import`: import `file` (dated `when`, default today) and say what was made."""
    config = load_config(root)
    day = edit_date(when, today())
    done = import_page(
        root, config, file, day, page_id, dry_run=dry_run, commit=commit, stubs=stubs
    )
    result = done.value
    if dry_run:  # stdout holds the YAML alone, so it can be redirected to a file
        echo(result.text, nl=False)
        for note in result.notes:
            say(f"note: {note}", err=True)
        say(f"Dry run: {result.rel} was not written.", err=True)
        return 0
    say(
        f"Created {result.rel}: {result.claims} claims ({result.listed} listed), "
        f"{result.sources} sources, {result.related} related concepts"
    )
    for note in result.notes:
        say(f"note: {note}")
    echo_commit(done.commit)
    note_editor_schemas(root)
    return 0


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
    from kbcli.dates import check_date
    from kbcli.errors import KbError, Refused
    from kbcli.importer import assemble_page, concept_names, page_text, read_text
    from kbcli.kb import check_id, page_ref
    from kbcli.seed import parse_seed
    from kbcli.slug import slugify
    from kbcli.store import Edit, checked_bytes, edit_kb

    check_date(date)
    if page_id is not None:
        check_id(page_id, "concept")
    seed = parse_seed(read_text(file), config.evidence_levels, file)
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
        names = concept_names(root, config)
        page, notes, missing = assemble_page(seed, concept, file.name, date, config, names)
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
            checked_bytes(root, config, ref.path, text)
            return Edit({}, "", result)
        return Edit(
            files, f"kb: import {concept} from {file.name}", result, created=frozenset(files)
        )

    return edit_kb(root, config, build, commit and not dry_run)


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
    from kbcli.kb import page_ref
    from kbcli.scaffold import stub_text

    pages: dict[Path, str] = {}
    for m in missing:
        why = f"Stub created by kb import of {file_name}, where {title} names it as related"
        pages[page_ref(root, "concept", m.id).path] = stub_text(m.id, m.title, m.note, date, why)
    return pages
