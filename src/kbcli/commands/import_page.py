"""`kb import FILE`: a wiki page in plain text, as a new concept page; never overwrites.

Reading the text and building the page is `importer.import_page`'s; this module dates the
import, prints the result (with `--dry-run`, the page's YAML alone on stdout, so it can be
redirected to a file) and notes a missing schemas/ folder for editors.
"""

from __future__ import annotations

from pathlib import Path

from kbcli.commands.new import note_editor_schemas
from kbcli.config import load_config
from kbcli.dates import edit_date
from kbcli.terminal import echo, echo_commit, say, today


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
    from kbcli.importer import import_page

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
