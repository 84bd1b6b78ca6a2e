"""A concept's changelog: where a dated entry goes, in the KB's configured order.

`changelog_order: newest-first` (the default, as on the seed page) keeps the newest entry
at the top of the list; `oldest-first` at the bottom. A new entry goes to its date's place
in that order, so a backdated one passes lint. `kb changelog` (commands/changelog.py),
`kb add-claim` and `kb merge-claims` record themselves with `entry_op`.
"""

from __future__ import annotations

from typing import Any

from kbcli.config import Config
from kbcli.dates import dated_index


def entry_op(config: Config, page: dict[str, Any], date: str, text: str) -> Any:
    """The edit that adds one entry to `page`'s changelog (creating it if absent), at its
    date's place in the KB's order: a backdated entry does not break C003."""
    from kbcli.yamlio.edit import Insert

    entries = page.get("changelog")
    items = entries if isinstance(entries, list) else []
    newest_first = config.changelog_order == "newest-first"
    index = dated_index(items, "date", date, newest_first)  # where lint (C003) wants it
    return Insert(("changelog",), index, {"date": date, "text": text})
