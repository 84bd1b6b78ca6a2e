"""`kb changelog CONCEPT TEXT`: a dated entry on a concept's changelog, in the KB's order.

The entry goes where `changelog.entry_op` puts it: at its date's place in the order
kb.yaml sets, so a backdated entry passes lint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbcli.changelog import entry_op
from kbcli.config import Config, load_config
from kbcli.dates import check_date, edit_date
from kbcli.errors import KbError
from kbcli.store import Done, Edit, edit_kb, open_page, splice
from kbcli.terminal import echo_commit, say, shown, today


@dataclass(frozen=True)
class Entry:
    concept: str
    rel: str
    date: str
    text: str


def run(root: Path, concept: str, text: str, when: str | None, commit: bool) -> int:
    """`kb changelog`: add the entry (dated `when`, default today) and say where."""
    done = add_entry(root, load_config(root), concept, text, edit_date(when, today()), commit)
    say(f"Added a changelog entry to {done.value.concept} ({shown(root, done.value.rel)})")
    echo_commit(done.commit)
    return 0


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
