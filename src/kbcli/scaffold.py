"""The text of a new page (`kb new`) or a stub (`kb import --stubs`), valid as written.

The required prose fields get a placeholder that says what to write and starts with
`TODO:`, so a curator (or `grep -r TODO: kb/`) finds what is still to be filled in. The
first line points editors at the page's JSON Schema, so they complete and check fields.
"""

from __future__ import annotations


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
