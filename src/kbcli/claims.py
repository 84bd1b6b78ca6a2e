"""Claims on a concept page: their ids, and the page's claims and sources as lists.

A claim's id is `slug.claim_slug` of its statement (its first six significant words),
made unique on the page with -2, -3, ... An id is never one a claim on the page has or a
merged claim still answers to (its survivor's `merged` list), so a citation never silently
moves to a new claim. `kb add-claim` (commands/add_claim.py) and `kb import` make ids
with `taken_ids`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.kb import check_id
from kbcli.store import open_page


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
