"""The lint cache: what `kb lint` learnt of each page, kept between runs.

Like ruff's, it lives under the KB root (`.kb-cache/`, which git-ignores itself with a
`.gitignore` of `*`) and is only ever a shortcut: a missing, corrupt or foreign cache is
ignored and rebuilt, never trusted, and `kb lint --no-cache` (or `cache: false` in kb.yaml)
neither reads nor writes it.

What it keeps: each page's `PageFacts` (its page-local findings and what the cross-file
rules need), valid for one content hash of the page. The whole file is valid for one *key*:
the cache format, the kb version and the content of the modules that compute the facts
(so an editable install that changes a rule starts afresh), the schemas and kb.yaml
settings page checks read, and the YAML parser in use. Every row carries a CRC, checked
when it is read.

Hashing means reading: ~80 MB for 10,000 pages. So, as git's index does, a row also records
the file's stat signature (size, mtime, ctime, inode), and a page whose signature is
unchanged is taken as unchanged without being read. A signature taken less than `_RACY_NS`
before the cache was written is not kept (an edit in the same clock tick could hide behind
it): such a page is hashed next time.

Why SQLite: a pre-commit run names a few pages, yet needs the others' facts only where its
pages point (a cited concept's claims, say). So rows are read lazily: at first only what
every run needs of every page (signature, digest, title and aliases), the full facts of a
page when a rule first looks at them (`LazyFacts`). A warm run over 10,000 pages thus
decodes a handful of rows, and writes back only those that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.index import PageFacts, Ref
from kbcli.kb import PageRef
from kbcli.rules.catalogue import RULES

CACHE_DIR = ".kb-cache"
_FILE = "lint.sqlite3"
_FORMAT = 4
_RACY_NS = 2_000_000_000
_SEP = "\x1f"
_PREFETCH_AFTER = 200  # rows read one by one before reading them all at once pays
_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # what every run reads of every page
    "CREATE TABLE pages (rel TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, ctime INTEGER,"
    " ino INTEGER, digest TEXT NOT NULL, names TEXT NOT NULL, keys TEXT, crc INTEGER NOT NULL)",
    # what a run reads of the pages its rules look at
    "CREATE TABLE facts (rel TEXT PRIMARY KEY, facts TEXT NOT NULL, material TEXT NOT NULL,"
    " crc INTEGER NOT NULL)",
)

# The modules page-local facts are computed by: an editable install that changes one of
# them starts afresh, though the version did not move.
_FACT_MODULES = (
    "cache.py", "config.py", "findings.py", "index.py", "kb.py", "schema.py", "similarity.py",
    "stamps.py", "rules/catalogue.py", "rules/local.py", "yamlio/load.py",
)  # fmt: skip

Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode
Row = tuple[str, str | None, str, str]  # names, name keys, facts, material: `encode_row`


class CacheCorrupt(Exception):
    """A row of the cache did not read back as written: the run is redone without it."""


def cache_key(config: Config) -> str:
    """Everything page-local facts depend on besides the page itself."""
    from kbcli import __version__
    from kbcli.schema import page_schema
    from kbcli.yamlio.load import parser_name

    here = Path(__file__).parent
    code = hashlib.blake2b(digest_size=16)
    for module in _FACT_MODULES:
        with contextlib.suppress(OSError):  # a wheel may ship only bytecode
            code.update((here / module).read_bytes())
    schemas = [page_schema(kind, config.evidence_levels) for kind in ("concept", "thesis")]
    parts = [_FORMAT, __version__, parser_name(), config.fingerprint(), schemas, code.hexdigest()]
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def encode_row(facts: PageFacts) -> Row:
    """A page's facts as the cache stores them (made where the facts were, in a worker)."""
    raw = facts.to_json()
    material = raw.pop("material")
    names = json.dumps([facts.title, facts.aliases], separators=(",", ":"))
    aside = material.raw() if isinstance(material, LazyJson) else _dumps(material)
    return names, _join_keys(facts.name_keys()), _dumps(raw), aside


def _join_keys(keys: set[str]) -> str | None:
    """The name keys as one string; None (decode `names` instead) if a key holds the
    separator, which a YAML escape can write."""
    return None if any(_SEP in key for key in keys) else _SEP.join(sorted(keys))


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _crc(*parts: str) -> int:
    return zlib.crc32("\x1f".join(parts).encode("utf-8"))


class LazyJson(Mapping[str, Any]):
    """A JSON object decoded when first read (a concept's material content: only the
    stale-citation rule reads it, and only for the concepts a thesis cites)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: dict[str, Any] | None = None

    def _get(self) -> dict[str, Any]:
        if self._value is None:
            self._value = json.loads(self._text)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._get()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def raw(self) -> str:
        return self._text


class _Lazy:
    """A PageFacts field read from the cache row on first use."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, facts: LazyFacts | None, owner: type | None = None) -> Any:
        if facts is None:
            return self
        return getattr(facts.full(), self.name)

    def __set__(self, facts: LazyFacts, value: Any) -> None:
        setattr(facts.full(), self.name, value)


class _Name(_Lazy):
    """The title or the aliases: decoded from the small `names` column on first use."""

    def __get__(self, facts: LazyFacts | None, owner: type | None = None) -> Any:
        if facts is None:
            return self
        return facts.names()[self.name]


class LazyFacts(PageFacts):
    """A cached page's facts. Kind, stem and rel are set at once; the title and aliases
    (which the alias rule reads of every concept) come from the row's small `names`
    column; the other fields are decoded from the full row on first use."""

    title = _Name()
    aliases = _Name()
    findings = _Lazy()
    id = _Lazy()
    claim_ids = _Lazy()
    redirect = _Lazy()
    related = _Lazy()
    cites = _Lazy()
    changelog_dates = _Lazy()
    material = _Lazy()

    def __init__(self, ref: PageRef, names: str, keys: str | None, cache: LintCache) -> None:
        self.kind, self.stem, self.rel = ref.kind, ref.id, ref.rel
        self._names: str | dict[str, Any] = names
        self._keys = keys
        self._cache = cache
        self._full: PageFacts | None = None

    def names(self) -> dict[str, Any]:
        if isinstance(self._names, str):
            title, aliases = json.loads(self._names)
            self._names = {"title": title, "aliases": [_ref(a) for a in aliases]}
        return self._names

    def name_keys(self) -> set[str]:
        return super().name_keys() if self._keys is None else set(self._keys.split(_SEP))

    def full(self) -> PageFacts:
        if self._full is None:
            self._full = self._cache.load(self.rel)
        return self._full


def _ref(raw: Any) -> Ref:
    value, line, col = raw
    return (str(value), int(line), int(col))


class LintCache:
    """The cached facts of one KB, for one key. `save` writes what this run changed."""

    def __init__(self, root: Path, key: str) -> None:
        self.root, self.key = root, key
        self.path = root / CACHE_DIR / _FILE
        # rel: signature, digest, names, name keys
        self.entries: dict[str, tuple[Signature | None, str, str, str | None]] = {}
        self.written: dict[str, tuple[Signature | None, str, Row]] = {}
        self.refreshed: dict[str, Signature | None] = {}
        self.seen: set[str] = set()
        self.prefetched: dict[str, tuple[str, str, int]] | None = None
        self.con: sqlite3.Connection | None = None
        self.loads = 0

    @classmethod
    def open(cls, root: Path, key: str) -> LintCache:
        """The cache at `root`, or an empty one if it is missing, foreign or unreadable."""
        cache = cls(root, key)
        try:
            cache._connect()
        except (sqlite3.Error, OSError, ValueError, TypeError):
            cache.close()
            cache.entries = {}
        return cache

    def _connect(self) -> None:
        if not self.path.is_file():
            return
        con = self.con = sqlite3.connect(self.path, timeout=1)
        meta = dict(con.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("format") != str(_FORMAT) or meta.get("key") != self.key:
            raise ValueError("a cache for another kb, schema or config")
        entries = self.entries
        for rel, size, mtime, ctime, ino, digest, names, keys, crc in con.execute(
            "SELECT * FROM pages"
        ):
            if _crc(rel, digest, names, keys or "") != crc:
                raise ValueError(f"a damaged row for {rel}")
            sig = None if size is None else (size, mtime, ctime, ino)
            entries[rel] = (sig, digest, names, keys)

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    # -- reading ------------------------------------------------------------------------

    def get(self, ref: PageRef, sig: Signature | None) -> PageFacts | None:
        """The facts of a page whose stat signature is the one recorded, else None."""
        entry = self.entries.get(ref.rel)
        if sig is None or entry is None or entry[0] != sig:
            return None
        self.seen.add(ref.rel)
        return LazyFacts(ref, entry[2], entry[3], self)

    def digest(self, rel: str) -> str | None:
        """The content digest recorded for a page."""
        entry = self.entries.get(rel)
        return entry[1] if entry is not None else None

    def refresh(self, ref: PageRef, sig: Signature | None) -> PageFacts:
        """The facts of a page found to hold the recorded content under a new signature."""
        _, digest, names, keys = self.entries[ref.rel]
        self.entries[ref.rel] = (sig, digest, names, keys)
        self.refreshed[ref.rel] = sig
        self.seen.add(ref.rel)
        return LazyFacts(ref, names, keys, self)

    def prefetch(self) -> None:
        """Read every page's full facts in one go (a run that reports on the whole KB)."""
        if self.con is None or self.prefetched is not None:
            return
        try:
            rows = self.con.execute("SELECT rel, facts, material, crc FROM facts").fetchall()
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from None
        self.prefetched = {rel: (facts, material, crc) for rel, facts, material, crc in rows}

    def load(self, rel: str) -> PageFacts:
        """A cached page's full facts; CacheCorrupt if the row does not read back."""
        try:
            row = self._row(rel)
            if row is None or _crc(rel, row[0], row[1]) != row[2]:
                raise ValueError(f"no intact row for {rel}")
            raw = json.loads(row[0])
            raw["material"] = None if row[1] == "null" else LazyJson(row[1])
            facts = PageFacts.from_json(raw)
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            raise CacheCorrupt(str(exc)) from None
        if facts.rel != rel or not all(f.code in RULES for f in facts.findings):
            raise CacheCorrupt(f"the row for {rel} is not this page's")
        return facts

    def _row(self, rel: str) -> tuple[str, str, int] | None:
        self.loads += 1
        if self.prefetched is None and self.loads > _PREFETCH_AFTER:
            self.prefetch()  # a reader of most pages (kb stale): one query, not thousands
        if self.prefetched is not None:
            return self.prefetched.get(rel)
        if self.con is None:
            return None
        query = "SELECT facts, material, crc FROM facts WHERE rel = ?"
        found: tuple[str, str, int] | None = self.con.execute(query, (rel,)).fetchone()
        return found

    # -- writing ------------------------------------------------------------------------

    def put(self, rel: str, sig: Signature | None, digest: str, row: Row) -> None:
        """Record a page's facts, as `encode_row` gives them."""
        self.written[rel] = (sig, digest, row)
        self.seen.add(rel)

    def save(self) -> None:
        """Write what changed; rows of pages not seen in this run (deleted) are dropped.
        A cache that cannot be written only costs time, so errors are ignored."""
        gone = set(self.entries) - self.seen
        if not (self.written or self.refreshed or gone):
            return
        trusted_before = time.time_ns() - _RACY_NS
        with contextlib.suppress(sqlite3.Error, OSError):
            con = self.con or self._create()
            with con:
                con.executemany("DELETE FROM pages WHERE rel = ?", ((r,) for r in gone))
                con.executemany("DELETE FROM facts WHERE rel = ?", ((r,) for r in gone))
                self._write(con, trusted_before)

    def _create(self) -> sqlite3.Connection:
        directory = self.path.parent
        directory.mkdir(exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# kb's cache: never committed\n*\n", encoding="utf-8")
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a foreign or damaged one
        con = self.con = sqlite3.connect(self.path, timeout=1)
        con.execute("PRAGMA synchronous = OFF")  # a cache lost in a power cut is rebuilt
        with con:
            for statement in _SCHEMA:
                con.execute(statement)
            meta = [("format", str(_FORMAT)), ("key", self.key)]
            con.executemany("INSERT INTO meta VALUES (?, ?)", meta)
        return con

    def _write(self, con: sqlite3.Connection, trusted_before: int) -> None:
        pages, facts = [], []
        for rel, (sig, digest, (names, keys, text, material)) in self.written.items():
            pages.append(_page_row(rel, _stored(sig, trusted_before), digest, names, keys))
            facts.append((rel, text, material, _crc(rel, text, material)))
        for rel, sig in self.refreshed.items():
            if rel not in self.written:
                _, digest, names, keys = self.entries[rel]
                pages.append(_page_row(rel, _stored(sig, trusted_before), digest, names, keys))
        values = ", ".join("?" * 9)
        con.executemany(f"INSERT OR REPLACE INTO pages VALUES ({values})", pages)
        con.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?)", facts)


def _page_row(
    rel: str, sig: tuple[int | None, ...], digest: str, names: str, keys: str | None
) -> tuple[object, ...]:
    return (rel, *sig, digest, names, keys, _crc(rel, digest, names, keys or ""))


def _stored(sig: Signature | None, trusted_before: int) -> tuple[int | None, ...]:
    """The signature as stored: NULLs where it was taken too recently to vouch."""
    if sig is None or sig[1] >= trusted_before or sig[2] >= trusted_before:
        return (None, None, None, None)
    return sig


def drop(root: Path) -> None:
    """Remove the cache file (found damaged mid-run)."""
    with contextlib.suppress(OSError):
        (root / CACHE_DIR / _FILE).unlink()
