"""Material content and stamps: the one place that says what a concept's *meaning* is.

**Material content** of a concept is its summary and, per claim (by id), the statement,
the evidence level and the set of source ids. Nothing else is material: not the title,
status, sections, details, related concepts, the changelog, comments, key order, quoting
or layout. Text is normalised (Unicode NFC, every run of whitespace collapsed to one space,
ends trimmed), so a block scalar re-flowed, re-indented, switched between `|`, `>` and
flow style, or stripped of its trailing newline means the same. Claim order and source
order are not material either: claims are matched by id, sources are a set.

A **stamp** is a single line `kb review` writes on a thesis citation. From it, without
git, :func:`diff` tells what changed since the review::

    v1 h:5e0c2a9b71d4 s:8c1f2e3a breakthrough-2026=1a2b3c4d:moderate:9f8e ...

- `v1`: the format version; any other first word is an unreadable stamp.
- `h:<12 hex>`: a digest of all the material content the stamp covers.
- `s:<8 hex>`: the summary; present only on a stamp of a whole-concept citation.
- `<claim>=<statement 8 hex>:<evidence level, in clear>:<sources 4 hex>` per covered claim
  (all claims for a whole-concept citation, the cited ones otherwise), sorted by id;
  `<claim>=-` records a cited claim that did not exist at the review. Claim ids and levels
  are percent-encoded, so no id or level can break the format.

Collision tolerance: each field hash only *explains* a change; whether anything changed is
also decided by the 48-bit digest, computed with an independent key. A change is missed
only if the field hash and the digest both collide (about 1 in 2^48 for a sources change,
2^80 for a statement). A change whose field hash collides but whose digest does not is
reported as an unexplained change of the material content rather than passed over.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote, unquote

try:  # hashlib's own blake2b, without hashlib loading OpenSSL (~5 ms a run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

VERSION = "v1"
_DIGEST_HEX, _SUMMARY_HEX, _STATEMENT_HEX, _SOURCES_HEX = 12, 8, 8, 4
_ABSENT = "-"


# -- material content ------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimContent:
    """What a claim asserts: the part of it a thesis relies on."""

    statement: str
    evidence: str
    sources: tuple[str, ...]  # sorted, without duplicates


@dataclass(frozen=True)
class Material:
    """A concept's material content; `merged` maps each merged claim id to its survivor."""

    summary: str
    claims: Mapping[str, ClaimContent] = field(default_factory=dict)
    merged: Mapping[str, str] = field(default_factory=dict)


def material(concept: object) -> Material:
    """The material content of a concept's plain data (as `yamlio.load.parse` gives it).

    Tolerates any shape: a malformed page yields what can be read, never an exception,
    because stale detection must keep working on pages lint would reject."""
    if not isinstance(concept, Mapping):
        return Material("")
    claims: dict[str, ClaimContent] = {}
    merged: dict[str, str] = {}
    for claim in _as_list(concept.get("claims")):
        if not isinstance(claim, Mapping) or not isinstance(claim.get("id"), str):
            continue
        cid = claim["id"]
        claims.setdefault(cid, _claim_content(claim))  # a duplicate id is lint's finding
        for old in _as_list(claim.get("merged")):
            old_id = old.get("id") if isinstance(old, Mapping) else old
            if isinstance(old_id, str):
                merged.setdefault(old_id, cid)
    return Material(layout_free(concept.get("summary")), claims, merged)


def material_to_json(mat: Material) -> dict[str, Any]:
    """`mat` as JSON-able data (for lint's per-page cache); :func:`material_from_json`
    reads it back."""
    claims = {cid: [c.statement, c.evidence, list(c.sources)] for cid, c in mat.claims.items()}
    return {"summary": mat.summary, "claims": claims, "merged": dict(mat.merged)}


def material_from_json(doc: Mapping[str, Any]) -> Material:
    """The Material that :func:`material_to_json` wrote; ValueError if `doc` is not one."""
    try:
        claims = {
            _str(cid): ClaimContent(_str(st), _str(ev), tuple(_str(s) for s in src))
            for cid, (st, ev, src) in doc["claims"].items()
        }
        merged = {_str(old): _str(into) for old, into in doc["merged"].items()}
        return Material(_str(doc["summary"]), claims, merged)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"not a material content record: {exc}") from None


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def _claim_content(claim: Mapping[str, object]) -> ClaimContent:
    sources = sorted({layout_free(s) for s in _as_list(claim.get("sources"))})
    return ClaimContent(
        layout_free(claim.get("statement")), layout_free(claim.get("evidence")), tuple(sources)
    )


def _as_list(value: object) -> list[object]:
    # `sources: a` and `sources: [a]` say the same thing.
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def layout_free(value: object) -> str:
    """Text as it reads, whatever its layout: NFC, whitespace runs collapsed, trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):  # YAML spells these in lower case; str() would not
        return "true" if value else "false"
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = _canonical(value)
    return " ".join(unicodedata.normalize("NFC", text).split())


# -- hashing ---------------------------------------------------------------------------


def _canonical(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _hash(purpose: str, value: object, hex_chars: int) -> str:
    # A distinct `person` per purpose makes the field hashes and the digest independent.
    h = blake2b(
        _canonical(value).encode("utf-8"),
        digest_size=(hex_chars + 1) // 2,
        person=b"kb-" + purpose.encode("ascii"),
    )
    return h.hexdigest()[:hex_chars]


def _statement_hash(claim: ClaimContent) -> str:
    return _hash("statement", claim.statement, _STATEMENT_HEX)


def _sources_hash(claim: ClaimContent) -> str:
    return _hash("sources", list(claim.sources), _SOURCES_HEX)


def _summary_hash(summary: str) -> str:
    return _hash("summary", summary, _SUMMARY_HEX)


def _digest(mat: Material, claim_ids: Collection[str], whole: bool) -> str:
    claims = {
        cid: [c.statement, c.evidence, list(c.sources)] if (c := mat.claims.get(cid)) else None
        for cid in sorted(claim_ids)
    }
    content = {"summary": mat.summary if whole else None, "claims": claims}
    return _hash("digest", content, _DIGEST_HEX)


# -- stamps ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StampedClaim:
    statement: str  # hash
    evidence: str  # the level itself
    sources: str  # hash


@dataclass(frozen=True)
class Stamp:
    """A parsed stamp. `claims` maps an id to None where the claim did not exist."""

    digest: str
    summary: str | None  # None: a claim-scoped stamp
    claims: Mapping[str, StampedClaim | None]

    @property
    def whole(self) -> bool:
        return self.summary is not None


class StampError(ValueError):
    """A stamp this version of kb cannot read."""


def make_stamp(concept: object, cited_claims: Collection[str] | None = None) -> str:
    """The stamp for a citation of `concept` (plain data); `cited_claims` None or empty
    means the whole concept (summary and every claim), else only those claims."""
    mat = material(concept)
    whole = not cited_claims
    ids = sorted(mat.claims) if whole else sorted(set(cited_claims or ()))
    words = [VERSION, "h:" + _digest(mat, ids, whole)]
    if whole:
        words.append("s:" + _summary_hash(mat.summary))
    words.extend(_claim_word(cid, mat.claims.get(cid)) for cid in ids)
    return " ".join(words)


def _claim_word(cid: str, claim: ClaimContent | None) -> str:
    if claim is None:
        return f"{_enc(cid)}={_ABSENT}"
    level = _enc(claim.evidence)
    return f"{_enc(cid)}={_statement_hash(claim)}:{level}:{_sources_hash(claim)}"


def _enc(text: str) -> str:
    # Leaves letters, digits and `_.-~`: slugs and levels stay readable; ` :=%` cannot occur.
    return quote(text, safe="")


_HEX = re.compile(r"[0-9a-f]+")


def parse_stamp(text: object) -> Stamp:
    """Read a stamp; raise StampError saying why it cannot be read."""
    if not isinstance(text, str):
        raise StampError(f"a stamp is a string, not {type(text).__name__}")
    words = text.split()
    if not words or words[0] != VERSION:
        first = words[0] if words else ""
        raise StampError(f"not a kb {VERSION} stamp (starts with '{first[:20]}')")
    digest: str | None = None
    summary: str | None = None
    claims: dict[str, StampedClaim | None] = {}
    for word in words[1:]:
        if word.startswith("h:") and digest is None:
            digest = _hex(word[2:], _DIGEST_HEX, "digest")
        elif word.startswith("s:") and summary is None:
            summary = _hex(word[2:], _SUMMARY_HEX, "summary hash")
        else:
            cid, entry = _parse_claim_word(word)
            if cid in claims:
                raise StampError(f"claim '{cid}' appears twice")
            claims[cid] = entry
    if digest is None:
        raise StampError("no digest (h:)")
    return Stamp(digest, summary, claims)


def _parse_claim_word(word: str) -> tuple[str, StampedClaim | None]:
    key, eq, value = word.partition("=")
    cid = unquote(key)
    if not eq or not cid:
        raise StampError(f"unexpected word '{word[:40]}'")
    if value == _ABSENT:
        return cid, None
    parts = value.split(":")
    if len(parts) != 3:
        raise StampError(f"claim '{cid}': expected statement:evidence:sources")
    statement = _hex(parts[0], _STATEMENT_HEX, f"claim '{cid}' statement hash")
    sources = _hex(parts[2], _SOURCES_HEX, f"claim '{cid}' sources hash")
    return cid, StampedClaim(statement, unquote(parts[1]), sources)


def _hex(text: str, length: int, what: str) -> str:
    if len(text) != length or not _HEX.fullmatch(text):
        raise StampError(f"{what} is not {length} hex digits")
    return text


# -- changes ---------------------------------------------------------------------------


class ChangeKind(StrEnum):
    CLAIM_ADDED = "claim added"
    CLAIM_REMOVED = "claim removed"
    CLAIM_MERGED = "claim merged"
    STATEMENT_CHANGED = "statement re-worded"
    EVIDENCE_CHANGED = "evidence changed"
    SOURCES_CHANGED = "sources changed"
    SUMMARY_CHANGED = "summary changed"
    NOT_COVERED = "claim not covered by stamp"  # cited, yet the stamp never saw it
    SCOPE_CHANGED = "scope changed"  # a claim-scoped stamp on a whole-concept citation
    CONTENT_CHANGED = "content changed"  # the digest differs, no field hash says where
    CONCEPT_REMOVED = "concept removed"
    UNREADABLE_STAMP = "unreadable stamp"


@dataclass(frozen=True)
class Change:
    """One way a concept differs from what a stamp recorded."""

    kind: ChangeKind
    claim: str | None = None
    old: str | None = None  # evidence levels, where known
    new: str | None = None
    into: str | None = None  # the survivor of a merge
    reason: str | None = None  # why a stamp is unreadable
    reworded: bool = False  # a merge's survivor says it otherwise than the stamped claim

    @property
    def message(self) -> str:
        c = f"claim '{self.claim}'"
        match self.kind:
            case ChangeKind.CLAIM_MERGED:
                return f"{c} merged into '{self.into}'{self._against_survivor()}"
            case ChangeKind.EVIDENCE_CHANGED:
                return f"evidence of {c} changed: {self.old or '?'} -> {self.new or '?'}"
            case ChangeKind.STATEMENT_CHANGED:
                return f"{c} re-worded"
            case ChangeKind.SOURCES_CHANGED:
                return f"sources of {c} changed"
            case ChangeKind.CLAIM_ADDED:
                return f"{c} added"
            case ChangeKind.CLAIM_REMOVED:
                return f"{c} removed"
            case ChangeKind.NOT_COVERED:
                return f"{c} is cited but the stamp does not cover it"
            case ChangeKind.SCOPE_CHANGED:
                return "the stamp covers specific claims; the citation cites the whole concept"
            case ChangeKind.UNREADABLE_STAMP:
                return f"unreadable stamp: {self.reason}"
            case _:
                return self.kind.value

    def _against_survivor(self) -> str:
        """What the survivor says otherwise than the stamped claim did."""
        parts = []
        if self.old is not None and self.new is not None and self.old != self.new:
            parts.append(f"evidence {self.old} -> {self.new}")
        if self.reworded:
            parts.append("statement re-worded")
        if self.old is not None and not parts:
            return " (same statement and evidence)"
        return f" ({', '.join(parts)})" if parts else ""

    def to_json(self) -> dict[str, str | bool]:
        out: dict[str, str | bool] = {"kind": self.kind.value, "message": self.message}
        for key in ("claim", "old", "new", "into"):
            if (value := getattr(self, key)) is not None:
                out[key] = value
        if self.reworded:
            out["reworded"] = True
        return out


def diff(
    stamp: object, concept: object, cited_claims: Collection[str] | None = None
) -> list[Change]:
    """What changed in `concept` (plain data, None if the concept is gone) since `stamp`,
    as far as a citation naming `cited_claims` (None or empty: the whole concept) cares.
    An empty list means the citation is fresh."""
    return diff_material(stamp, None if concept is None else material(concept), cited_claims)


def diff_material(
    stamp: object, mat: Material | None, cited_claims: Collection[str] | None = None
) -> list[Change]:
    """:func:`diff`, from a concept's material content (None if the concept is gone)."""
    try:
        parsed = parse_stamp(stamp)
    except StampError as exc:
        return [Change(ChangeKind.UNREADABLE_STAMP, reason=str(exc))]
    if mat is None:
        return [Change(ChangeKind.CONCEPT_REMOVED)]
    if cited_claims:
        changes = _diff_claims(parsed, mat, set(cited_claims))
        same_scope = not parsed.whole and set(parsed.claims) == set(cited_claims)
    else:
        changes = _diff_whole(parsed, mat)
        same_scope = parsed.whole
    if not changes and same_scope and _digest(mat, parsed.claims, parsed.whole) != parsed.digest:
        changes.append(Change(ChangeKind.CONTENT_CHANGED))
    return changes


def is_stale(stamp: object, concept: object, cited_claims: Collection[str] | None = None) -> bool:
    """Whether a citation with this stamp needs a review."""
    return bool(diff(stamp, concept, cited_claims))


def _diff_whole(stamp: Stamp, mat: Material) -> list[Change]:
    changes: list[Change] = []
    if stamp.summary is None:
        changes.append(Change(ChangeKind.SCOPE_CHANGED))
    elif stamp.summary != _summary_hash(mat.summary):
        changes.append(Change(ChangeKind.SUMMARY_CHANGED))
    for cid, was in stamp.claims.items():
        changes.extend(_diff_claim(cid, was, mat))
    if stamp.whole:  # a scoped stamp cannot say which claims are new
        new = sorted(set(mat.claims) - set(stamp.claims))
        changes.extend(Change(ChangeKind.CLAIM_ADDED, cid) for cid in new)
    return changes


def _diff_claims(stamp: Stamp, mat: Material, cited: set[str]) -> list[Change]:
    changes: list[Change] = []
    survivors: set[str] = set()
    for cid, was in stamp.claims.items():
        into = mat.merged.get(cid) if cid not in mat.claims else None
        # A stamped claim the citation no longer names still matters when it was merged
        # into one it now names: `kb merge-claims` rewrites citations that way.
        if cid in cited or (into in cited and was is not None):
            changes.extend(_diff_claim(cid, was, mat))
            if into is not None and was is not None:
                survivors.add(into)
    for cid in sorted(cited - set(stamp.claims) - survivors):
        if cid not in mat.claims:
            continue  # absent then and now: nothing changed (lint reports the reference)
        kind = ChangeKind.CLAIM_ADDED if stamp.whole else ChangeKind.NOT_COVERED
        changes.append(Change(kind, cid))
    return changes


def _diff_claim(cid: str, was: StampedClaim | None, mat: Material) -> list[Change]:
    now = mat.claims.get(cid)
    if was is None:
        return [] if now is None else [Change(ChangeKind.CLAIM_ADDED, cid)]
    if now is None:
        if cid in mat.merged:
            into = mat.merged[cid]
            survivor = mat.claims.get(into)
            if survivor is None:
                return [Change(ChangeKind.CLAIM_MERGED, cid, into=into)]
            reworded = was.statement != _statement_hash(survivor)
            return [
                Change(
                    ChangeKind.CLAIM_MERGED,
                    cid,
                    was.evidence,
                    survivor.evidence,
                    into=into,
                    reworded=reworded,
                )
            ]
        return [Change(ChangeKind.CLAIM_REMOVED, cid)]
    changes: list[Change] = []
    if was.statement != _statement_hash(now):
        changes.append(Change(ChangeKind.STATEMENT_CHANGED, cid))
    if was.evidence != now.evidence:
        changes.append(Change(ChangeKind.EVIDENCE_CHANGED, cid, was.evidence, now.evidence))
    if was.sources != _sources_hash(now):
        changes.append(Change(ChangeKind.SOURCES_CHANGED, cid))
    return changes
