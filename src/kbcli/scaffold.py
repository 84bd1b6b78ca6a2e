"""The text of a new page (`kb new`) or a stub (`kb import --stubs`), valid as written.

The required prose fields get a placeholder that says what to write and starts with
`TODO:`, so a curator (or `grep -r TODO: kb/`) finds what is still to be filled in. The
first line points editors at the page's JSON Schema, so they complete and check fields.
"""

from __future__ import annotations


def page_text(kind: str, page_id: str, title: str, date: str) -> str:
    """The text of a new page (the title is quoted only where YAML needs it)."""
    from kbcli.schema import modeline
    from kbcli.yamlio.render import scalar

    head = [
        modeline(kind),
        f"id: {page_id}",
        f"title: {scalar(title, flow=False)}",
    ]
    if kind == "thesis":
        return "\n".join([*head, THESIS_BODY]) + "\n"
    summary = scalar(f"TODO: summarise {title} in a few sentences.", flow=False)
    return "\n".join([*head, CONCEPT_BODY.format(summary=summary, date=date)]) + "\n"


def stub_text(page_id: str, title: str, note: str | None, date: str, why: str) -> str:
    """A stub concept: named by another page, with only what that page says of it."""
    from kbcli.schema import modeline
    from kbcli.yamlio.render import scalar

    summary = note or f"TODO: summarise {title} in a few sentences."
    return (
        "\n".join(
            [
                modeline("concept"),
                f"id: {page_id}",
                f"title: {scalar(title, flow=False)}",
                "status: stub",
                f"summary: {scalar(summary, flow=False)}",
                "claims: []",
                "changelog:",
                f"  - date: {date}",
                f"    text: {scalar(why, flow=False)}",
            ]
        )
        + "\n"
    )


CONCEPT_BODY = """\
summary: {summary}
claims: []
sources: []
changelog:
  - date: {date}
    text: Created"""

THESIS_BODY = """\
position: "TODO: state the position this thesis argues, in a sentence or two."
cites: []"""
