"""`kb new KIND ID --title T`: a concept or thesis page that validates as soon as written.

The page's text comes from `scaffold.page_text`; its TODO: placeholders say what is left
to write. It never overwrites a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kbcli.config import Config, load_config
from kbcli.dates import check_date, edit_date
from kbcli.errors import KbError, Refused
from kbcli.kb import KINDS, page_ref
from kbcli.scaffold import page_text
from kbcli.store import Done, Edit, edit_kb
from kbcli.terminal import echo, echo_commit, say, shown, today


@dataclass(frozen=True)
class NewPage:
    kind: str
    id: str
    path: Path
    rel: str


def run(
    find_root: Callable[[], Path],
    kind: str,
    page_id: str,
    title: str,
    when: str | None,
    commit: bool,
) -> int:
    """`kb new`: create the page in the KB `find_root` finds (after the options are
    checked); a thesis takes no date (it is dated when scored)."""
    if kind == "thesis" and when is not None:
        raise KbError(
            "kb new thesis takes no --date: a thesis is dated when it is scored "
            "(kb review THESIS --score S --date D)"
        )
    root = find_root()
    config = load_config(root)
    done = new_page(root, config, kind, page_id, title, edit_date(when, today()), commit)
    say(f"Created {shown(root, done.value.rel)}")
    echo_commit(done.commit)
    note_editor_schemas(root)
    return 0


def new_page(
    root: Path, config: Config, kind: str, page_id: str, title: str, date: str, commit: bool
) -> Done[NewPage]:
    """Write `concepts/<id>.yaml` or `theses/<id>.yaml`; refused (exit 1) when a page of
    that id exists."""
    if kind not in KINDS:
        raise KbError(f"cannot create a {kind!r}: kb new makes a concept or a thesis")
    ref = page_ref(root, kind, page_id)  # checks the id before it becomes a path
    check_date(date)
    title = " ".join(title.split())
    if not title:
        raise KbError("the title is empty: pass --title with the page's display name")
    text = page_text(kind, page_id, title, date)

    def build() -> Edit[NewPage]:
        existing = page_ref(root, kind, page_id).path  # .yaml or .yml, looked up under lock
        if existing.exists():
            raise Refused(f"{ref.rel} already exists; kb new never overwrites a page")
        return Edit(
            {ref.path: text},
            f"kb: new {kind} {page_id}",
            NewPage(kind, page_id, ref.path, ref.rel),
            created=frozenset({ref.path}),
        )

    return edit_kb(root, config, build, commit)


def note_editor_schemas(root: Path) -> None:
    """A new page's modeline leads to the KB's schemas/ (docs/editors.md): say so when it
    is missing, or editors report "Unable to load schema" on the page."""
    from kbcli.schema import EDITOR_FOLDER

    if not (root / EDITOR_FOLDER).is_dir():
        echo(
            f"note: for editors, run kb schema --write once: the page's modeline points at "
            f"{EDITOR_FOLDER}/ in the KB",
            err=True,
        )
