"""Ids made from text: kb's one slug maker.

Every id kb makes (a page or source id from a name, a claim id from its statement) is the
text folded to ASCII (accents dropped), lowercased, apostrophes dropped ("don't" is
`dont`), its runs of letters and digits joined by hyphens.

A claim's id is a slug of the first six significant words of its statement (stop words
left out, `lexicon.STOP_WORDS`). A statement written in a script ASCII cannot spell
(Chinese, Japanese, Korean, Cyrillic...) gets its ASCII words, if any, then a tag for the
script and a short hash of its normalised text (`zh-3f9a2c`): stable, distinct for each
statement, and it says what to look for.
"""

from __future__ import annotations

import re
import unicodedata

SLUG_WORDS = 6
SLUG_MAX = 60  # characters; long words are trimmed off the end first
_WORD = re.compile(r"[a-z0-9]+")


def ascii_words(text: str) -> list[str]:
    """The words of `text` as they stand in a slug: ASCII, lowercase, no apostrophes."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _WORD.findall(folded.lower().replace("'", ""))


def slugify(text: str) -> str:
    """A page or source id from a name: ASCII, lowercase, words joined by hyphens
    (`&` reads as `and`: "Agent Safety & Alignment" is agent-safety-and-alignment)."""
    return "-".join(ascii_words(text.replace("&", " and ")))


def claim_slug(statement: str) -> str:
    """An id from the statement: its first six significant words, ASCII, hyphenated; for a
    statement in a script ASCII cannot spell, its ASCII words, a script tag and a hash."""
    import hashlib

    from kbcli.lexicon import STOP_WORDS
    from kbcli.wording import normalise

    text = unicodedata.normalize("NFKC", statement)
    words = ascii_words(text)
    significant = [w for w in words if w not in STOP_WORDS] or words
    foreign = _unspellable(text)
    chosen = significant[: SLUG_WORDS // 2 if foreign else SLUG_WORDS]
    if foreign:
        digest = hashlib.sha256(normalise(statement).encode()).hexdigest()[:6]
        chosen += [foreign, digest]
    while len(chosen) > 1 and len("-".join(chosen)) > SLUG_MAX:
        chosen.pop(0 if foreign else -1)
    return "-".join(chosen)[:SLUG_MAX].strip("-") or "claim"


def _unspellable(text: str) -> str:
    """The tag of the script of letters ASCII folding drops ("zh", "ja", "ko", else the
    script's name: "cyrillic", "arabic"), or "" when every letter folds to ASCII."""
    from kbcli.wording import SCRIPTS

    codes = [ord(c) for c in text if not c.isascii()]
    for tag, ranges in SCRIPTS:
        if any(low <= code <= high for code in codes for low, high in ranges):
            return tag
    for char in text:
        if char.isalpha() and not unicodedata.normalize("NFKD", char).isascii():
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore")
            if not folded:
                return unicodedata.name(char, "script").split()[0].lower()
    return ""
