"""`kb changelog`: a dated entry on a concept's changelog, in the KB's configured order.

`changelog_order: newest-first` (the default, as on the seed page) keeps the newest entry
at the top of the list; `oldest-first` at the bottom. A new entry goes to its date's place
in that order, so a backdated one passes lint. Other commands that change a page (`kb
add-claim`, `kb merge-claims`) record themselves with `entry_op`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.dates import check_date, dated_index
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
    """The edit that adds one entry to `page`'s changelog (creating it if absent), at its
    date's place in the KB's order: a backdated entry does not break C003."""
    from kbcli.yamlio.edit import Insert

    entries = page.get("changelog")
    items = entries if isinstance(entries, list) else []
    newest_first = config.changelog_order == "newest-first"
    index = dated_index(items, "date", date, newest_first)  # where lint (C003) wants it
    return Insert(("changelog",), index, {"date": date, "text": text})
