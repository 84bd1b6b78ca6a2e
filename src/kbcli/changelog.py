"""`kb changelog`: a dated entry on a concept's changelog, in the KB's configured order.

`changelog_order: newest-first` (the default, as on the seed page) puts a new entry at the
top of the list; `oldest-first` appends it. Other commands that change a page (`kb
add-claim`, `kb merge-claims`) record themselves with `entry_op`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.store import Done, Edit, edit_kb, open_page, splice


@dataclass(frozen=True)
class Entry:
    concept: str
    rel: str
    date: str
    text: str


def add_entry(
    root: Path, config: Config, concept: str, text: str, date: str, commit: bool = False
) -> Done[Entry]:
    """Add `{date, text}` to the changelog of `concept`."""
    check_date(date)
    text = " ".join(text.split())  # one line: a changelog entry is a sentence, not prose
    if not text:
        raise KbError("the changelog text is empty: say what changed")

    def build() -> Edit[Entry]:
        ref, doc = open_page(root, config, "concept", concept)
        new_text = splice(ref, doc.text, [entry_op(config, doc.data, date, text)])
        return Edit(
            {ref.path: new_text},
            f"kb: changelog entry for {concept}",
            Entry(concept, ref.rel, date, text),
        )

    return edit_kb(root, config, build, commit)


def entry_op(config: Config, page: dict[str, Any], date: str, text: str) -> Any:
    """The edit that adds one entry to `page`'s changelog (creating it if absent)."""
    from kbcli.yamlio.edit import Insert

    entries = page.get("changelog")
    count = len(entries) if isinstance(entries, list) else 0
    index = 0 if config.changelog_order == "newest-first" else count
    return Insert(("changelog",), index, {"date": date, "text": text})


def check_date(date: str) -> None:
    """A YYYY-MM-DD calendar date, or KbError (exit 2)."""
    try:
        ok = len(date) == 10 and datetime.date.fromisoformat(date).isoformat() == date
    except ValueError:
        ok = False
    if not ok:
        raise KbError(f"{date!r} is not a date (YYYY-MM-DD)")
