"""Claims on a concept page: their ids, and the page's claims and sources as lists.

A claim's id is a slug of the first six significant words of its statement, made unique
on the page with -2, -3, ... A statement written in a script ASCII cannot spell (Chinese,
Japanese, Korean, Cyrillic...) gets its ASCII words, if any, then a tag for the script and
a short hash of its normalised text (`zh-3f9a2c`): stable, distinct for each statement,
and it says what to look for. An id is never one a claim on the page has or a merged claim
still answers to (its survivor's `merged` list), so a citation never silently moves to a
new claim. `kb add-claim` (commands/add_claim.py) and `kb import` make ids here.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.kb import check_id
from kbcli.store import open_page

SLUG_WORDS = 6
SLUG_MAX = 60  # characters; long words are trimmed off the end first
_WORD = re.compile(r"[a-z0-9]+")


def claim_slug(statement: str) -> str:
    """An id from the statement: its first six significant words, ASCII, hyphenated; for a
    statement in a script ASCII cannot spell, its ASCII words, a script tag and a hash."""
    from kbcli.lexicon import STOP_WORDS
    from kbcli.similarity import normalise

    text = unicodedata.normalize("NFKC", statement)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _WORD.findall(ascii_text.lower().replace("'", ""))
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
    from kbcli.similarity import SCRIPTS

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


def taken_ids(page: dict[str, Any]) -> set[str]:
    """Every id a claim of the page has or still answers to (merged ids)."""
    taken: set[str] = set()
    for claim in page_claims(page):
        if isinstance(claim.get("id"), str):
            taken.add(claim["id"])
        merged = claim.get("merged")
        taken.update(m for m in (merged if isinstance(merged, list) else []) if isinstance(m, str))
    return taken


def known_sources(root: Path, config: Config, concept: str) -> list[tuple[str, str]]:
    """The page's sources as (id, title), for an interactive prompt to offer."""
    check_id(concept, "concept")
    _, doc = open_page(root, config, "concept", concept)
    return [(str(s.get("id")), str(s.get("title", ""))) for s in page_items(doc.data, "sources")]


def page_claims(page: dict[str, Any]) -> list[dict[str, Any]]:
    """The page's claims that are mappings."""
    return page_items(page, "claims")


def page_items(page: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The mappings in the page's list `key` (none when it is not a list)."""
    value = page.get(key)
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
