"""The wiring of the verbs that check, show or set up: lint, stale, diff, rules, schema,
show, render, merge-file and git-setup. Each parses its options and calls its
`commands/<verb>.py` once."""

# No `from __future__ import annotations` here: typer would eval every option's string
# annotation on each run (17 ms of `kb --version`).
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kbcli.cli.options import Format, TextOrJson, concept_ids, state


def lint(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Pages to report on (default: the whole KB).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Date to check changelogs against (YYYY-MM-DD).")
    ] = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Check every page afresh; neither read nor write .kb-cache/."
        ),
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="Report only on pages changed since the merge base with REV (and pages "
            "whose references they break); check their changelog entries.",
        ),
    ] = None,
    fix: Annotated[
        bool,
        typer.Option(
            "--fix",
            help="Fix what needs no decision (changelog order, stray whitespace in "
            "statements, repeated aliases and sources); exit 1 if a file changed.",
        ),
    ] = False,
) -> int:
    """Check pages against the schemas and each other.

    Unchanged pages are not read again: what lint learnt of them is kept in .kb-cache/
    under the KB root (git-ignored; `cache: false` in kb.yaml or --no-cache turns it off).
    """
    from kbcli.commands.lint import run

    return run(
        state(ctx).kb_root,
        paths or (),
        format.value,
        strict=strict,
        on=today,
        use_cache=not no_cache,
        changed_since=changed_since,
        fix=fix,
    )


def stale(
    ctx: typer.Context,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.text,
    check: Annotated[
        bool,
        typer.Option("--check", help="Exit 1 when any citation needs a review (for hooks and CI)."),
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Read every page and the git history afresh."),
    ] = False,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="Report (and with --check, fail on) only the citations the change since "
            "REV's merge base caused; those that needed review already are notes.",
        ),
    ] = None,
) -> int:
    """List thesis citations whose concepts changed since their last review.

    For each: the concept and claims cited, what changed (claims added, removed, merged,
    re-worded, evidence or sources changed, summary changed) and, in a git repository,
    the commit that made it stale. Citations never reviewed and citations of concepts
    that no longer exist are listed too. After re-scoring a thesis, `kb review` it.
    """
    from kbcli.commands.stale import run

    return run(state(ctx).kb_root(), format.value, check, not no_cache, changed_since)


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def diff(
    ctx: typer.Context,
    revs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[REV [REV2]]",
            help="None: HEAD against the working tree. REV: REV against the working tree. "
            "A B (or A..B): two revisions. A...B: from their merge base to B.",
        ),
    ] = None,
    format: Annotated[
        DiffFormat, typer.Option("--format", help="Output format.")
    ] = DiffFormat.text,
    exit_code: Annotated[
        bool,
        typer.Option("--exit-code", help="Exit 1 when the knowledge changed (as git diff does)."),
    ] = False,
) -> int:
    """Show what a change did to the knowledge, page by page.

    Pages added, removed, renamed or made a redirect; claims added, removed, re-worded
    (changed words marked), re-rated, re-sourced or merged; sources, related concepts,
    summary, aliases, open questions and changelog entries; thesis citations, scores and
    reviews; the theses the change makes stale (and current again); and concepts changed
    in substance with no changelog entry. Revisions work as in `git diff`. Exits 0
    whatever it finds, unless `--exit-code`.
    """
    from kbcli.commands.diff import run

    return run(state(ctx).kb_root(), list(revs or []), format.value, exit_code)


def rules(
    code: Annotated[
        str | None,
        typer.Argument(metavar="[CODE]", help="A rule's code (C001) or name (duplicate-claim)."),
    ] = None,
) -> int:
    """List every rule kb checks, or explain one: what it checks, an example and the fix.

    Each line of the list is a rule's code, name, default severity and what it checks.
    kb.yaml can switch any rule off or change its severity, by code or by name.
    """
    from kbcli.commands.rules import run

    return run(code)


def schema(
    ctx: typer.Context,
    write: Annotated[
        bool,
        typer.Option(
            "--write", help="Write the schemas for editors (default: into the KB's schemas/)."
        ),
    ] = False,
    folder: Annotated[
        Path | None,
        typer.Argument(metavar="[DIR]", help="Where --write writes them instead."),
    ] = None,
) -> int:
    """Show where the installed JSON Schemas are, or write them for editors.

    `kb schema --write`, inside a KB, writes the schemas into the KB's `schemas/` folder,
    with the KB's own evidence levels (from kb.yaml): the modeline of every page kb writes
    (`# yaml-language-server: $schema=../schemas/concept.schema.json`) points there, so
    editors check and complete pages offline. Commit the folder; `kb lint` says (S004)
    when it is out of date with kb.yaml. Outside a KB, pass DIR (default levels).
    """
    from kbcli.commands.schema import run

    return run(state(ctx).kb_root, write, folder)


def show(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=concept_ids),
    ],
    changes: Annotated[
        int,
        typer.Option("--changes", metavar="N", min=0, help="Changelog entries to show."),
    ] = 5,
) -> int:
    """Show a concept with what its file cannot hold: backlinks and dependent theses.

    The title and status, summary, claims grouped by evidence level with their sources,
    sections, open questions, related concepts, the concepts that relate to this one, the
    latest changelog entries, and each thesis citing the concept with its state from
    kb stale (current, stale and what changed, never reviewed). Coloured at a terminal;
    plain text when piped or with NO_COLOR.
    """
    from kbcli.commands.show import run

    return run(state(ctx).kb_root(), concept, changes)


class SiteFormat(StrEnum):
    html = "html"
    md = "md"


def render(
    ctx: typer.Context,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="DIR", help="Where to write the site (default: site)."),
    ] = None,
    format: Annotated[
        SiteFormat | None,
        typer.Option("--format", help="html (default) or md."),
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            metavar="DIR",
            help="Write nothing; exit 1 if the site in DIR is not what the KB renders to.",
        ),
    ] = None,
) -> int:
    """Render the KB as a static site: an index and one page per concept and thesis.

    The same KB always gives the same bytes (no dates, no git information), and every
    link leads to a page of the site, so the output can be committed and checked in CI
    with --check DIR, which lists the files that differ, are missing or are no longer in
    the KB. The HTML needs no JavaScript; text from the pages is always escaped. Pages
    the KB no longer has are removed from DIR; other files there are left alone.
    """
    from kbcli.commands.render import run

    fmt = format.value if format is not None else None
    return run(state(ctx).kb_root, out, fmt, check)


def merge_file(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="The common ancestor (%O).")],
    ours: Annotated[
        Path, typer.Argument(metavar="OURS", help="Our version (%A); the merge is written here.")
    ],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="Their version (%B).")],
    path: Annotated[
        str | None,
        typer.Option("--path", metavar="P", help="The file's path in the repository (%P)."),
    ] = None,
    marker_size: Annotated[
        int, typer.Option("--marker-size", metavar="N", help="Conflict marker length (%L).")
    ] = 7,
) -> int:
    """Merge three versions of a page by meaning: the git merge driver kb git-setup sets up.

    Claims, sources and related concepts are matched by id, changelog entries by date,
    and every field is merged three-way: the result is OURS with THEIRS' changes, written
    into OURS. Exit 0 when clean; 1 with conflict markers only around what the two sides
    changed differently. Files that are not kb pages are merged line by line by git.
    """
    from kbcli.commands.merge_file import run

    return run(base, ours, theirs, path, marker_size)


def git_setup(
    ctx: typer.Context,
    check: Annotated[
        bool, typer.Option("--check", help="Only report what is missing (exit 1 if anything).")
    ] = False,
) -> int:
    """Make git merge the KB's pages by meaning, with kb merge-file.

    Adds the page patterns to the `.gitattributes` beside kb.yaml and sets merge.kb.name
    and merge.kb.driver in the repository's git config (the driver names this kb's Python
    by its absolute path). Safe to run again. GitHub's merge button does not run custom
    merge drivers: merge or rebase locally and push.
    """
    from kbcli.commands.git_setup import run

    return run(state(ctx).kb_root(), check, sys.executable)


class QuizKind(StrEnum):
    entities = "entities"
    timeline = "timeline"
    speed = "speed"


def quiz(
    ctx: typer.Context,
    kind: Annotated[
        QuizKind | None,
        typer.Option("--kind", help="One kind of question (default: all three, mixed)."),
    ] = None,
    concept: Annotated[
        str | None,
        typer.Option("--concept", metavar="ID", help="Ask only about this concept."),
    ] = None,
    count: Annotated[int, typer.Option("--count", metavar="N", help="Questions to ask.")] = 5,
    seed: Annotated[
        int | None,
        typer.Option("--seed", metavar="N", help="The same seed gives the same quiz."),
    ] = None,
    format: Annotated[
        TextOrJson, typer.Option("--format", help="text (default) or json.")
    ] = TextOrJson.text,
) -> int:
    """Test your understanding: questions made from the KB's own claims and summaries.

    Three kinds, as on the seed page: entities (which claim belongs to a concept, or
    names an organisation, person or model), timeline (put dated claims in order; dates
    come from the claims' `when`) and speed (which concept an alias or a masked definition
    names). At a terminal kb asks, scores and explains each answer; piped, it prints the
    questions and an answer key. The seed is printed, so a quiz can be asked again; exit 1
    when the KB has too little to ask.
    """
    from kbcli.commands.quiz import run

    kind_value = kind.value if kind is not None else None
    return run(state(ctx).kb_root(), kind_value, concept, count, seed, format.value)
