"""`kb new`: a new concept or thesis page that validates as soon as it is written.

The required prose fields get a placeholder that says what to write and starts with
`TODO:`, so a curator (or `grep -r TODO: kb/`) finds what is still to be filled in. The
first line points editors at the page's JSON Schema, so they complete and check fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbcli.config import Config
from kbcli.dates import check_date
from kbcli.errors import KbError, Refused
from kbcli.kb import KINDS, page_ref
from kbcli.store import Done, Edit, edit_kb


@dataclass(frozen=True)
class NewPage:
    kind: str
    id: str
    path: Path
    rel: str


def new_page(
    root: Path, config: Config, kind: str, page_id: str, title: str, date: str, commit: bool
) -> Done[NewPage]:
    """Write the page in its kind's folder (`concepts/<id>.yaml`, `theses/<id>.yaml`);
    refused (exit 1) when a page of that id exists."""
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


def page_text(kind: str, page_id: str, title: str, date: str) -> str:
    """The text of a new page (the title is quoted only where YAML needs it)."""
    from kbcli.schema import modeline
    from kbcli.yamlio.page import page_text as yaml_page

    page: dict[str, object] = {"id": page_id, "title": title}
    if kind == "thesis":
        page |= {
            "position": "TODO: state the position this thesis argues, in a sentence or two.",
            "cites": [],
        }
    else:
        page |= {
            "summary": f"TODO: summarise {title} in a few sentences.",
            "claims": [],
            "sources": [],
            "changelog": [{"date": date, "text": "Created"}],
        }
    return yaml_page(modeline(kind), page)


def stub_text(page_id: str, title: str, note: str | None, date: str, why: str) -> str:
    """A stub concept: named by another page, with only what that page says of it."""
    from kbcli.schema import modeline
    from kbcli.yamlio.page import page_text as yaml_page

    summary = note or f"TODO: summarise {title} in a few sentences."
    page = {
        "id": page_id,
        "title": title,
        "status": "stub",
        "summary": summary,
        "claims": [],
        "changelog": [{"date": date, "text": why}],
    }
    return yaml_page(modeline("concept"), page)
