"""The `kb` command line: options in, one core call, an exit code out.

Heavy modules (YAML, schemas, git, rich) are imported inside the commands that use them,
so `kb --version` and a pre-commit run pay only for what they use.
"""

# No `from __future__ import annotations` here: typer would eval every option's string
# annotation on each run (17 ms of `kb --version`).
import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from kbcli import __version__
from kbcli.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    KbError,
    environment_error,
)

app = typer.Typer(
    name="kb",
    help="Keep a knowledge base of concept pages honest.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # docstring paragraphs reflow to the terminal width
    context_settings={"help_option_names": ["-h", "--help"]},
)


class State:
    """The global options, for the commands."""

    def __init__(self, root: Path | None = None, debug: bool = False) -> None:
        self.root, self.debug = root, debug

    def kb_root(self, near: Path | None = None) -> Path:
        """The KB root: --root / KB_ROOT, else found from `near` (the first page a command
        names, so pre-commit finds the KB of the files it passes), else from here."""
        from kbcli.kb import find_root

        return find_root(Path.cwd() / near if near else Path.cwd(), self.root)


def _concept_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from kbcli.completion import concept_ids

    return concept_ids(ctx, incomplete)


def _thesis_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    from kbcli.completion import thesis_ids

    return thesis_ids(ctx, incomplete)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kb {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    root: Annotated[
        Path | None,
        typer.Option("--root", envvar="KB_ROOT", help="The KB root (the folder with kb.yaml)."),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show tracebacks of internal errors.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Keep a knowledge base of concept pages honest."""
    ctx.obj = State(root, debug)


def _state(ctx: typer.Context) -> State:
    state: State = ctx.ensure_object(State) if ctx.obj is None else ctx.obj
    return state


def _date(value: str | None) -> str:
    """A YYYY-MM-DD date from the command line (the one strict parser); today when not
    given."""
    from kbcli.dates import check_date

    return date.today().isoformat() if value is None else check_date(value)


def _edit_date(value: str | None) -> str:
    """The date an edit records: as `_date`, and never after today."""
    from kbcli.dates import check_not_future

    return check_not_future(_date(value), date.today().isoformat())


def _color(stream: object = sys.stdout) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)()) and "NO_COLOR" not in os.environ


class Format(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@app.command()
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
    from kbcli import report
    from kbcli.lint import lint as run_lint

    root = _state(ctx).kb_root(near=paths[0].parent if paths else None)
    cwd = Path.cwd()
    fixed = _fix(root, paths or (), cwd) if fix else 0
    with _progress("Checking pages") as progress:
        result = run_lint(
            root, _date(today), paths or (), progress, not no_cache, changed_since=changed_since
        )
    shown = [report.display_path(root, f.path, cwd) for f in result.findings]
    color = format is Format.text and _color()
    report.REPORTERS[format.value](result.findings, shown, result.checked, sys.stdout, color)
    if fixed:  # say why a clean report still exits 1
        files = "1 file" if fixed == 1 else f"{fixed} files"
        typer.echo(
            f"kb: exit 1: --fix changed {files} (listed above); review and stage the changes",
            err=True,
        )
    return 1 if fixed or result.failed(strict) else 0


def _fix(root: Path, paths: list[Path] | tuple[()], cwd: Path) -> int:
    """Apply `--fix` and say what changed (on stderr: stdout keeps the report's format);
    the number of files changed."""
    from kbcli.config import load_config
    from kbcli.fix import fix_pages
    from kbcli.lint import selected_pages
    from kbcli.report import display_path

    fixed = fix_pages(root, load_config(root), selected_pages(root, paths))
    for page in fixed:
        for what in page.what:
            _say(f"fixed {display_path(root, page.rel, cwd)}: {what}", err=True)
    return len(fixed)


_PROGRESS_MIN = 200  # fewer pages than this finish before a bar is worth drawing


@contextlib.contextmanager
def _progress(what: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress callback (done, total) drawing a rich bar on stderr when that is a
    terminal and the run is long; nothing at all when stderr is piped."""
    if not sys.stderr.isatty():
        yield None
        return
    bar = _Bar(what)
    try:
        yield bar.update
    finally:
        bar.stop()


class _Bar:
    """One phase's bar; a phase that starts drawing ends the one before (one live display
    at a time: `kb stale` reads pages, then dates citations)."""

    drawn: Any = None  # the bar on screen, if any

    def __init__(self, what: str) -> None:
        self.what = what
        self.progress: Any = None  # rich.progress.Progress, imported only when drawn
        self.task: Any = None
        self.started = 0.0

    def update(self, done: int, total: int) -> None:
        if self.progress is None:
            self.started = self.started or time.monotonic()
            if total < _PROGRESS_MIN and time.monotonic() - self.started < 1:
                return  # drawn only for a long run
            from rich.console import Console
            from rich.progress import Progress

            if _Bar.drawn is not None:
                _Bar.drawn.stop()
            _Bar.drawn = self
            self.progress = Progress(console=Console(stderr=True), transient=True)
            self.progress.start()
            self.task = self.progress.add_task(self.what, total=total)
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


class PlanFormat(StrEnum):
    text = "text"
    json = "json"


class Kind(StrEnum):
    concept = "concept"
    thesis = "thesis"


_COMMIT_HELP = "Commit exactly the files this command changed (refused outside git)."
_DATE_HELP = "The date to record (YYYY-MM-DD); default today."


@app.command("add-claim")
def add_claim(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=_concept_ids),
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
    when: Annotated[str | None, typer.Option("--date", metavar="D", help=_DATE_HELP)] = None,
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
    commit: Annotated[bool, typer.Option("--commit", help=_COMMIT_HELP)] = False,
) -> int:
    """Add a claim to a concept, refusing duplicates and unknown sources.

    The claim gets an id made from its statement, the evidence level, its sources and
    today's date (or --date), and the changelog records it. At a terminal, kb asks for a
    missing statement, evidence level or source; elsewhere they are required.
    """
    from kbcli.claims import NewClaim
    from kbcli.claims import add_claim as run
    from kbcli.config import load_config

    root = _state(ctx).kb_root()
    config = load_config(root)
    day = _edit_date(when)
    sources = tuple(source or ())
    if sys.stdin.isatty() and (statement is None or evidence is None or not sources):
        from kbcli.prompts import ask_claim

        statement, evidence, sources, source_title, source_url = ask_claim(
            root, config, concept, statement, evidence, sources, source_title, source_url
        )
    for value, what in ((statement, "STATEMENT"), (evidence, "--evidence"), (sources, "--source")):
        if not value:
            raise KbError(f"missing {what} (kb asks for it only when run at a terminal)")
    assert statement is not None and evidence is not None  # for mypy: checked just above
    claim = NewClaim(statement, evidence, sources, detail, source_title, source_url, happened)
    done = run(
        root, config, concept, claim, day, changelog=not no_changelog, force=force, commit=commit
    )
    added = done.value
    _say(f"Added claim '{added.claim_id}' to {added.concept} ({_shown(root, added.rel)})")
    if added.new_source is not None:
        _say(f"Added source '{added.new_source}' to {added.concept}")
    for similar in added.similar[:5]:  # a page of numbered claims would give one note each
        _say(similar.note(added.concept))
    if len(added.similar) > 5:
        _say(f"note: and {len(added.similar) - 5} more such claims (see kb lint)")
    _echo_commit(done.commit)
    return 0


@app.command()
def changelog(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=_concept_ids),
    ],
    text: Annotated[str, typer.Argument(metavar="TEXT", help="What changed.")],
    when: Annotated[str | None, typer.Option("--date", metavar="D", help=_DATE_HELP)] = None,
    commit: Annotated[bool, typer.Option("--commit", help=_COMMIT_HELP)] = False,
) -> int:
    """Add a dated entry to a concept's changelog, in the order kb.yaml sets."""
    from kbcli.changelog import add_entry
    from kbcli.config import load_config

    root = _state(ctx).kb_root()
    done = add_entry(root, load_config(root), concept, text, _edit_date(when), commit)
    _say(f"Added a changelog entry to {done.value.concept} ({_shown(root, done.value.rel)})")
    _echo_commit(done.commit)
    return 0


@app.command("merge-claims")
def merge_claims(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=_concept_ids),
    ],
    other: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="OTHER",
            help="Merge this concept's claims into CONCEPT.",
            autocompletion=_concept_ids,
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
        PlanFormat, typer.Option("--format", help="Output format: text, or json (the plan).")
    ] = PlanFormat.text,
    when: Annotated[str | None, typer.Option("--date", metavar="D", help=_DATE_HELP)] = None,
    commit: Annotated[bool, typer.Option("--commit", help=_COMMIT_HELP)] = False,
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
    import json

    from kbcli.config import load_config
    from kbcli.merge import Choices
    from kbcli.merge_claims import merge_claims as run
    from kbcli.similarity import DEFAULT_THRESHOLD

    root = _state(ctx).kb_root()
    config = load_config(root)
    ask = sys.stdin.isatty() and not (yes or dry_run) and format is PlanFormat.text
    choices = Choices(
        only=tuple(only or ()),
        exclude=tuple(exclude or ()),
        pairs=(pair,) if pair else (),
        evidence=evidence,
        force=force,
        decide=_merge_prompt(config.evidence_levels, evidence) if ask else None,
    )
    done = run(
        root,
        config,
        concept,
        _edit_date(when),
        other=other,
        retire_other=retire_other,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        dry_run=dry_run,
        commit=commit,
        choices=choices,
    )
    if format is PlanFormat.json:
        typer.echo(json.dumps(done.value.to_json(), indent=2))
    else:
        for line in done.value.lines():
            _say(line)
    _echo_commit(done.commit)
    return 1 if done.value.held else 0


def _merge_prompt(levels: tuple[str, ...], evidence: str | None) -> Any:
    from kbcli.prompts import ask_merge

    return lambda group: ask_merge(group, levels, evidence)


@app.command()
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
    commit: Annotated[bool, typer.Option("--commit", help=_COMMIT_HELP)] = False,
) -> int:
    """Create a concept or thesis page that validates at once; never overwrites.

    Its TODO: placeholders (summary, or position) say what is left to write.
    """
    from kbcli.config import load_config
    from kbcli.scaffold import new_page

    if kind is Kind.thesis and when is not None:
        raise KbError(
            "kb new thesis takes no --date: a thesis is dated when it is scored "
            "(kb review THESIS --score S --date D)"
        )
    root = _state(ctx).kb_root()
    done = new_page(root, load_config(root), kind.value, page_id, title, _edit_date(when), commit)
    _say(f"Created {_shown(root, done.value.rel)}")
    _echo_commit(done.commit)
    _note_editor_schemas(root)
    return 0


def _note_editor_schemas(root: Path) -> None:
    """A new page's modeline leads to the KB's schemas/ (docs/editors.md): say so when it
    is missing, or editors report "Unable to load schema" on the page."""
    from kbcli.schema import EDITOR_FOLDER

    if not (root / EDITOR_FOLDER).is_dir():
        typer.echo(
            f"note: for editors, run kb schema --write once: the page's modeline points at "
            f"{EDITOR_FOLDER}/ in the KB",
            err=True,
        )


@app.command()
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
    from kbcli import stale_report
    from kbcli.config import load_config
    from kbcli.stale import find_stale

    root = _state(ctx).kb_root()
    config = load_config(root)
    with _progress("Reading pages") as progress, _progress("Dating citations") as dating:
        result = find_stale(root, config, not no_cache, progress, dating)
    if changed_since is not None:
        from kbcli.commands.diff import caused_since
        from kbcli.stale import split_by_cause

        base, caused = caused_since(root, changed_since, config.max_page_bytes)
        result = split_by_cause(result, caused, base)
    color = format is Format.text and _color()
    stale_report.REPORTERS[format.value](result, Path.cwd(), sys.stdout, color)
    return 1 if result.not_pages or (check and not result.clean) else 0


class DiffFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
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

    root = _state(ctx).kb_root()
    color = format is DiffFormat.text and _color()
    return run(root, list(revs or []), format.value, exit_code, sys.stdout, color)


@app.command()
def review(
    ctx: typer.Context,
    thesis: Annotated[
        str, typer.Argument(metavar="THESIS", help="The thesis's id.", autocompletion=_thesis_ids)
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
    commit: Annotated[bool, typer.Option("--commit", help=_COMMIT_HELP)] = False,
) -> int:
    """Stamp every citation of a thesis as reviewed, after re-scoring it.

    Each citation records what its concept (or its cited claims) says now, so `kb stale`
    can tell what changes after this; `scored` is set to the date (default today) and
    `score` to --score if given. Shows what had changed since the last review: what you
    are signing off.
    """
    from kbcli.config import load_config
    from kbcli.review import review as run

    root = _state(ctx).kb_root()
    done = run(root, load_config(root), thesis, _edit_date(when), score, commit)
    for line in done.value.lines(_shown(root, done.value.rel)):
        _say(line)
    _echo_commit(done.commit)
    return 0


@app.command()
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
    from kbcli.commands.rules import rule_lines

    for line in rule_lines(code):
        typer.echo(line)
    return 0


def _shown(root: Path, rel: str) -> str:
    """A page as every command names it: relative to the working directory."""
    from kbcli.report import display_path

    return display_path(root, rel, Path.cwd())


def _say(line: str, err: bool = False) -> None:
    """Print a line of kb's own with untrusted parts in it (ids, statements, paths, git's
    messages): control, line-break and bidi characters shown escaped (`safetext.visible`),
    so that the line stays one line and nothing in it reaches the terminal as a command."""
    from kbcli.safetext import visible

    typer.echo(visible(line), err=err)


def _echo_commit(sha: str | None) -> None:
    if sha is not None:
        typer.echo(f"Committed {sha[:12]}")


@app.command()
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
    from kbcli.config import Config, load_config
    from kbcli.schema import CONFIG_SCHEMA, EDITOR_FOLDER, SCHEMA_NAMES, schema_dir, write_schemas

    if not write:
        if folder is not None:
            raise KbError("DIR is where --write writes: pass --write too")
        for name in (*SCHEMA_NAMES.values(), CONFIG_SCHEMA):
            typer.echo(str(schema_dir() / name))
        return 0
    try:
        root: Path | None = _state(ctx).kb_root(near=folder)
    except KbError:
        if folder is None:
            raise
        root = None  # a folder outside any KB: the default levels
    levels = load_config(root).evidence_levels if root else Config().evidence_levels
    target = folder
    if target is None:
        assert root is not None  # without DIR, no KB was an error above
        target = Path(os.path.relpath(root / EDITOR_FOLDER))
    for path, changed in write_schemas(target, levels):
        _say(f"{'wrote' if changed else 'unchanged'} {path}")
    return 0


@app.command("import")
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
    commit: Annotated[bool, typer.Option("--commit", help=_COMMIT_HELP)] = False,
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
    from kbcli.config import load_config
    from kbcli.importer import import_page as run

    root = _state(ctx).kb_root()
    done = run(
        root,
        load_config(root),
        file,
        _edit_date(when),
        page_id,
        dry_run=dry_run,
        commit=commit,
        stubs=stubs,
    )
    result = done.value
    if dry_run:  # stdout holds the YAML alone, so it can be redirected to a file
        typer.echo(result.text, nl=False)
        for note in result.notes:
            _say(f"note: {note}", err=True)
        _say(f"Dry run: {result.rel} was not written.", err=True)
        return 0
    _say(
        f"Created {result.rel}: {result.claims} claims ({result.listed} listed), "
        f"{result.sources} sources, {result.related} related concepts"
    )
    for note in result.notes:
        _say(f"note: {note}")
    _echo_commit(done.commit)
    _note_editor_schemas(root)
    return 0


@app.command()
def show(
    ctx: typer.Context,
    concept: Annotated[
        str,
        typer.Argument(metavar="CONCEPT", help="The concept's id.", autocompletion=_concept_ids),
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
    import shutil

    from kbcli.config import load_config
    from kbcli.show import show_concept

    root = _state(ctx).kb_root()
    color = _color()
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else _PLAIN_WIDTH
    text = show_concept(root, load_config(root), concept, width=width, color=color, latest=changes)
    typer.echo(text, nl=False, color=color)
    return 0


_PLAIN_WIDTH = 80  # text piped to a file or a pager wraps here


class SiteFormat(StrEnum):
    html = "html"
    md = "md"


@app.command()
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
    from kbcli.config import load_config
    from kbcli.render.site import NotPages, build_site, check_site, detect_format, write_site
    from kbcli.report import display_path

    if out is not None and check is not None:
        raise KbError("--out writes a site and --check checks one: give one of them")
    root = _state(ctx).kb_root()
    target = check if check is not None else out if out is not None else Path("site")
    fmt = format.value if format is not None else detect_format(target)
    try:
        files = build_site(root, load_config(root), fmt)
    except NotPages as exc:  # findings, as lint reports them, then why nothing was written
        for f in exc.findings:
            _say(f"{display_path(root, f.path, Path.cwd())}:1:1: {f.code} {f.message}")
        raise
    if check is not None:
        outdated = check_site(files, check, fmt)
        for item in outdated:
            _say(f"{check / item.rel}: {item.why}")
        if outdated:
            _say(f"{len(outdated)} file(s) out of date: run kb render --out {check}")
            return 1
        _say(f"{check} is up to date ({len(files)} files).")
        return 0
    result = write_site(root, files, target, fmt)
    _say(
        f"Rendered {len(files)} pages to {target} ({len(result.written)} written, "
        f"{result.unchanged} unchanged, {len(result.removed)} removed)"
    )
    return 0


@app.command("merge-file")
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
    from kbcli.commands.merge_file import merge_file as run

    report = run(base, ours, theirs, path, marker_size, Path.cwd())
    for note in report.notes:
        _say(f"kb merge-file: {note}", err=True)  # the path and claim ids come from a branch
    return report.code


@app.command("git-setup")
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
    from kbcli.commands.git_setup import check_setup
    from kbcli.commands.git_setup import git_setup as run

    root = _state(ctx).kb_root()
    if check:
        report = check_setup(root)
        for line in report.lines:
            typer.echo(f"missing in {report.attributes}: {line}")
        for line in report.config:
            typer.echo(f"missing in git config: {line}")
        for line in report.overridden:
            typer.echo(f"overridden: {line}")
        if report.lines or report.config:
            typer.echo("run `kb git-setup` to add it")
        elif report.overridden:
            typer.echo("remove the attribute lines that override it")
        if report.lines or report.config or report.overridden:
            return 1
        typer.echo("kb merge-file is set up as the merge driver for this KB's pages")
        return 0
    report = run(root, sys.executable)
    for line in report.lines:
        typer.echo(f"added to {report.attributes}: {line}")
    for line in report.config:
        typer.echo(f"set in git config: {line}")
    if not report.lines and not report.config:
        typer.echo("already set up: nothing to add")
    return 0


def _register_commands() -> None:
    # Verbs of their own module (src/kbcli/commands/): cheap to import, heavy work inside.
    from kbcli.commands.quiz import quiz

    app.command()(quiz)


_register_commands()


def main() -> NoReturn:
    """The console script: runs the app and turns every outcome into an exit code."""
    debug = "--debug" in sys.argv
    _say_notes(silent=True)  # none left from an earlier run in this process
    try:
        code = app(standalone_mode=False, prog_name="kb")  # also under `python -m kbcli`
    except KbError as exc:
        _say(f"kb: {exc.render(Path.cwd())}", err=True)
        code = exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        code = EXIT_INTERRUPTED
    except OSError as exc:  # the machine's (full disk, read-only, permission): exit 2
        error = environment_error(exc)
        if error is None:
            code = _internal_error(exc, debug)
        else:
            _say(f"kb: {error.render(Path.cwd())}", err=True)
            code = error.exit_code
    except Exception as exc:  # a bug: short message, traceback only with --debug
        if _is_usage_error(exc):
            exc.show()  # type: ignore[attr-defined]
            sys.exit(EXIT_USAGE)
        code = _internal_error(exc, debug)
    _say_notes()
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
        typer.echo("kb: interrupted", err=True)
    sys.exit(code if isinstance(code, int) else 0)


def _internal_error(exc: Exception, debug: bool) -> int:
    if debug:
        import traceback

        traceback.print_exc()
    _say(f"kb: internal error: {type(exc).__name__}: {exc}", err=True)
    typer.echo("kb: run again with --debug for the traceback, and report it", err=True)
    return EXIT_INTERNAL


def _say_notes(silent: bool = False) -> None:
    """What the core noted for the user during the run (a cache left unused), once each."""
    if "kbcli.secret" not in sys.modules:  # nothing imported it: nothing to say
        return
    from kbcli.secret import take_notes

    for note in take_notes():
        if not silent:
            _say(f"kb: {note}", err=True)


def _is_usage_error(exc: Exception) -> bool:
    # typer may bring click or its own copy of it; both name the class ClickException
    return any(cls.__name__ == "ClickException" for cls in type(exc).__mro__)
