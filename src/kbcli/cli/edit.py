"""The wiring of the verbs that edit pages: add-claim, changelog, merge-claims, new,
review and import. Each parses its options and calls its `commands/<verb>.py` once."""

# No `from __future__ import annotations` here: typer would eval every option's string
# annotation on each run (17 ms of `kb --version`).
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kbcli.cli.options import (
    COMMIT_HELP,
    DATE_HELP,
    TextOrJson,
    concept_ids,
    state,
    thesis_ids,
)


class Kind(StrEnum):
    concept = "concept"
    thesis = "thesis"


def add_claim(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=concept_ids),
    ],
    statement: Annotated[
        str | None,
        typer.Argument(metavar="STATEMENT", help="The claim, one sentence (asked at a terminal)."),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", "-e", metavar="LEVEL", help="Evidence level (from kb.yaml)."),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", metavar="SRC", help="A source id of the page; repeatable."),
    ] = None,
    source_title: Annotated[
        str | None,
        typer.Option("--source-title", metavar="T", help="Create the one unknown --source."),
    ] = None,
    source_url: Annotated[
        str | None,
        typer.Option("--source-url", metavar="U", help="The new source's http(s) address."),
    ] = None,
    detail: Annotated[
        str | None, typer.Option("--detail", metavar="TEXT", help="Supporting detail.")
    ] = None,
    when: Annotated[str | None, typer.Option("--date", metavar="D", help=DATE_HELP)] = None,
    happened: Annotated[
        str | None,
        typer.Option(
            "--when",
            metavar="W",
            help="When what the claim states happened: 2026, 2026-04, 2026-04-05 or "
            "2021/2026 (for the timeline quiz).",
        ),
    ] = None,
    no_changelog: Annotated[
        bool, typer.Option("--no-changelog", help="Do not record the claim in the changelog.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Add the claim even if the page already has it.")
    ] = False,
    commit: Annotated[bool, typer.Option("--commit", help=COMMIT_HELP)] = False,
) -> int:
    """Add a claim to a concept, refusing duplicates and unknown sources.

    The claim gets an id made from its statement, the evidence level, its sources and
    today's date (or --date), and the changelog records it. At a terminal, kb asks for a
    missing statement, evidence level or source; elsewhere they are required.
    """
    from kbcli.commands.add_claim import run

    return run(
        state(ctx).kb_root(),
        concept,
        statement,
        evidence,
        source or (),
        detail=detail,
        source_title=source_title,
        source_url=source_url,
        when=when,
        happened=happened,
        changelog=not no_changelog,
        force=force,
        commit=commit,
    )


def changelog(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=concept_ids),
    ],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What changed.")],
    when: Annotated[str | None, typer.Option("--date", metavar="D", help=DATE_HELP)] = None,
    commit: Annotated[bool, typer.Option("--commit", help=COMMIT_HELP)] = False,
) -> int:
    """Add a dated entry to a concept's changelog, in the order kb.yaml sets."""
    from kbcli.commands.changelog import run

    return run(state(ctx).kb_root(), concept, text, when, commit)


def merge_claims(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=concept_ids),
    ],
    other: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="OTHER",
            help="Merge this concept's claims into CONCEPT.",
            autocompletion=concept_ids,
        ),
    ] = None,
    retire_other: Annotated[
        bool,
        typer.Option("--retire-other", help="Then make OTHER a redirect to CONCEPT."),
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            metavar="F",
            help="Similarity from which claims are duplicates, 0 < F <= 1 (default 0.5).",
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option("--only", metavar="ID", help="Only groups holding this claim (repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", metavar="ID", help="Keep this claim out of every group."),
    ] = None,
    pair: Annotated[
        tuple[str, str] | None,
        typer.Option("--pair", metavar="A B", help="Merge exactly these two claims, at any score."),
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option(
            "--evidence",
            metavar="strongest|weakest|LEVEL",
            help="The level a group whose levels differ keeps (else it is held).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Let --pair merge claims that may contradict.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask per group at a terminal.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the plan; write nothing.")
    ] = False,
    format: Annotated[
        TextOrJson, typer.Option("--format", help="Output format: text, or json (the plan).")
    ] = TextOrJson.text,
    when: Annotated[str | None, typer.Option("--date", metavar="D", help=DATE_HELP)] = None,
    commit: Annotated[bool, typer.Option("--commit", help=COMMIT_HELP)] = False,
) -> int:
    """Merge duplicate claims of a concept, or another concept's claims into it.

    Claims that say the same thing (after normalising Unicode, case, quotes, spacing and
    final punctuation; by --threshold on their content words) are a group; the first
    survives with the union of their sources and every distinct detail. Claims that may
    say opposite things (a negation, an antonym, other numbers) or different things are
    never grouped: contradictions are reported. A group whose evidence levels differ is
    held until --evidence (or your answer at a terminal) decides. At a terminal each group
    is shown and confirmed unless --yes; piped, the plan runs as given. Merged ids stay
    resolvable and thesis citations of them are rewritten; one changelog entry records
    the merge and its evidence decisions. Exit 1 when groups were held and none merged.
    """
    from kbcli.commands.merge_claims import run

    return run(
        state(ctx).kb_root(),
        concept,
        other=other,
        retire_other=retire_other,
        threshold=threshold,
        only=only or (),
        exclude=exclude or (),
        pair=pair,
        evidence=evidence,
        force=force,
        yes=yes,
        dry_run=dry_run,
        fmt=format.value,
        when=when,
        commit=commit,
    )


def new(
    ctx: typer.Context,
    kind: Annotated[Kind, typer.Argument(metavar="KIND", help="concept or thesis.")],
    page_id: Annotated[str, typer.Argument(metavar="ID", help="The new page's id (a slug).")],
    title: Annotated[
        str, typer.Option("--title", "-t", metavar="T", help="The page's display name.")
    ],
    when: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="D", help="Date of a concept's 'Created' entry (concepts only)."
        ),
    ] = None,
    commit: Annotated[bool, typer.Option("--commit", help=COMMIT_HELP)] = False,
) -> int:
    """Create a concept or thesis page that validates at once; never overwrites.

    Its TODO: placeholders (summary, or position) say what is left to write.
    """
    from kbcli.commands.new import run

    return run(state(ctx).kb_root, kind.value, page_id, title, when, commit)


def review(
    ctx: typer.Context,
    thesis: Annotated[
        str, typer.Argument(metavar="THESIS", help="The thesis's id.", autocompletion=thesis_ids)
    ],
    score: Annotated[
        float | None,
        typer.Option("--score", metavar="S", help="The new score, from 0 to 1."),
    ] = None,
    when: Annotated[
        str | None,
        typer.Option(
            "--date", metavar="D", help="The date of the scoring (YYYY-MM-DD); default today."
        ),
    ] = None,
    commit: Annotated[bool, typer.Option("--commit", help=COMMIT_HELP)] = False,
) -> int:
    """Stamp every citation of a thesis as reviewed, after re-scoring it.

    Each citation records what its concept (or its cited claims) says now, so `kb stale`
    can tell what changes after this; `scored` is set to the date (default today) and
    `score` to --score if given. Shows what had changed since the last review: what you
    are signing off.
    """
    from kbcli.commands.review import run

    return run(state(ctx).kb_root(), thesis, when, score, commit)


def import_page(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A wiki page saved as plain text.")],
    page_id: Annotated[
        str | None,
        typer.Option("--id", metavar="ID", help="The new concept's id (default: from the title)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the page's YAML; write nothing.")
    ] = False,
    when: Annotated[
        str | None,
        typer.Option("--date", metavar="D", help="Date of the 'Imported' changelog entry."),
    ] = None,
    stubs: Annotated[
        bool,
        typer.Option(
            "--stubs", help="Create a stub page for each related concept the KB has no page for."
        ),
    ] = False,
    commit: Annotated[bool, typer.Option("--commit", help=COMMIT_HELP)] = False,
) -> int:
    """Import a wiki page in plain text as a new concept page; never overwrites.

    Reads the title, the status line, the summary, "Key Claims" items ("- statement —
    detail. Evidence: level (Source)"), sections (a short heading line, then paragraphs),
    "Open Questions", "Related Concepts" ("- Name — note") and "Changelog" ("- YYYY-MM-DD —
    text"); skips "Backlinks" and everything from "Theses that depend on this concept" or
    "Test Your Understanding" on. Repeated claim lists are merged as kb merge-claims merges
    them; sources are made from the parenthesised names; related concepts are matched to
    the KB's concepts by id, title or alias; the others are listed by their slug, and
    kb lint reports each until its page exists (--stubs creates a minimal page for each).
    A line kb cannot read is refused with its number, and nothing is written.
    """
    from kbcli.commands.import_page import run

    return run(
        state(ctx).kb_root(),
        file,
        page_id,
        when,
        dry_run=dry_run,
        stubs=stubs,
        commit=commit,
    )
