"""The lint cache: what `kb lint` learnt of each page, kept between runs.

Like ruff's, it lives under the KB root (`.kb-cache/`, which git-ignores itself with a
`.gitignore` of `*`) and is only ever a shortcut: a missing, corrupt or foreign cache is
ignored and rebuilt, never trusted, and `kb lint --no-cache` (or `cache: false` in kb.yaml)
neither reads nor writes it.

What it keeps: each page's `PageFacts` (its page-local findings and what the cross-file
rules need), valid for one content hash of the page. The whole file is valid for one *key*:
the cache format, the kb version and the content of the modules that compute the facts
(so an editable install that changes a rule starts afresh), the schemas and kb.yaml
settings page checks read, the YAML parser in use, and a secret of the user's kept outside
the KB (`kbcli.secret`: a cache committed to the repository is foreign). Every row carries
a CRC, checked when it is read.

Hashing means reading: ~80 MB for 10,000 pages. So the cache also records each file's stat
signature (size, mtime, ctime, inode) and git blob id. In a git checkout git vouches for
a page (`kbcli.git.clean_pages`: the file is its index blob, by git's own check, and that
blob is the one recorded): it is not even `lstat`-ed. Elsewhere, as git's index does, a
page whose signature is unchanged is taken as unchanged without being read; a signature
taken less than `_RACY_NS` before the cache was written is not kept (an edit in the same
clock tick could hide behind it): such a page is hashed next time.

A run over a few pages of a large KB (a pre-commit hook) reads no row per page: the
signatures, digests and blob ids are one text (the *manifest*), split in C; facts are
decoded when a rule first looks at them (`pagefacts.LazyFacts`); the names every concept
answers to are an indexed table, asked only for the names the run's pages use. A row is
used only for the content digest the manifest names for its page: two runs saving at once
cannot pair one content's signature with another's facts.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from kbcli.cachedir import CACHE_DIR, ensure_cache_dir
from kbcli.config import Config
from kbcli.index import PageFacts
from kbcli.kb import PageRef
from kbcli.pagefacts import LazyFacts, LazyJson, Row
from kbcli.rules.catalogue import RULES
from kbcli.secret import decline, secret_for

try:  # hashlib's own blake2b, without hashlib loading OpenSSL (~5 ms a run)
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - another Python
    from hashlib import blake2b

_FILE = "lint.sqlite3"
_FORMAT = 7
_RACY_NS = 2_000_000_000
_UNTRUSTED = "-"  # a manifest signature that matches no file: the page is hashed
_PREFETCH_AFTER = 200  # rows read one by one before reading them all at once pays
_BATCH = 500  # values bound in one query
_FLUSH_EVERY = 1000  # rows held before they are written (in the run's one transaction)
_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # one row per page: its content digest, and its facts as `encode_row` writes them
    "CREATE TABLE facts (rel TEXT PRIMARY KEY, digest TEXT NOT NULL, dcrc INTEGER NOT NULL,"
    " facts TEXT NOT NULL, material TEXT NOT NULL, crc INTEGER NOT NULL)",
    # every name a concept answers to (stem, title, aliases), casefolded
    "CREATE TABLE names (key TEXT NOT NULL, rel TEXT NOT NULL, digest TEXT NOT NULL,"
    " crc INTEGER NOT NULL, PRIMARY KEY (rel, key)) WITHOUT ROWID",
    "CREATE INDEX names_by_key ON names (key)",
)

# The modules page-local facts are computed by: an editable install that changes one of
# them starts afresh, though the version did not move.
_FACT_MODULES = (
    "cache.py", "config.py", "findings.py", "index.py", "kb.py", "lexicon.py", "pagefacts.py",
    "schema.py", "similarity.py", "stale.py", "stamps.py", "wording.py", "rules/catalogue.py",
    "rules/local.py", "yamlio/load.py",
)  # fmt: skip

T = TypeVar("T")
Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


class CacheCorrupt(Exception):
    """A row of the cache did not read back as written: the run is redone without it."""


def cache_key(config: Config, root: Path) -> str:
    """Everything page-local facts depend on besides the page itself, for the KB at
    `root`."""
    from kbcli import __version__
    from kbcli.schema import page_schema
    from kbcli.yamlio.load import parser_name

    here = Path(__file__).parent
    code = blake2b(digest_size=16)
    for module in _FACT_MODULES:
        with contextlib.suppress(OSError):  # a wheel may ship only bytecode
            code.update((here / module).read_bytes())
    schemas = [page_schema(kind, config.evidence_levels) for kind in ("concept", "thesis")]
    parts = [
        _FORMAT, __version__, parser_name(), config.fingerprint(), schemas, code.hexdigest(),
        secret_for(root),  # a cache this user did not write is never trusted: `kbcli.secret`
    ]  # fmt: skip
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def content_digest(raw: bytes) -> str:
    return blake2b(raw, digest_size=16).hexdigest()


def blob_id(raw: bytes) -> str:
    """The id git gives these bytes as a blob (SHA-1): what its index names a file by."""
    from hashlib import sha1

    return sha1(b"blob %d\0" % len(raw) + raw, usedforsecurity=False).hexdigest()


def _crc(*parts: object) -> int:
    """The CRC of a row's values; -1 (no CRC matches it) for values of the wrong type, as
    a damaged database can return."""
    texts = [part for part in parts if isinstance(part, str)]
    if len(texts) != len(parts):
        return -1
    return zlib.crc32("\x1f".join(texts).encode("utf-8"))


def _storable(text: str) -> bool:
    """Whether a page's name (or one of a concept's names) can be kept: in a manifest line,
    and as a SQLite value. A page that cannot is read on every run."""
    if "\t" in text or "\n" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8, a YAML "\udcff"
        return False
    return True


def _sig_text(sig: Signature | None) -> str:
    """A signature as the manifest writes it."""
    return _UNTRUSTED if sig is None else f"{sig[0]} {sig[1]} {sig[2]} {sig[3]}"


def _parse_manifest(text: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The manifest's signature texts, content digests and git blob ids by page (split in
    C: no Python loop per page)."""
    if not text:
        return {}, {}, {}
    parts = text.replace("\n", "\t").split("\t")
    if len(parts) % 4:
        raise ValueError("a damaged manifest")
    sigs, digests, blobs = (dict(zip(parts[::4], parts[k::4], strict=True)) for k in (1, 2, 3))
    return sigs, digests, blobs


class LintCache:
    """The cached facts of one KB, for one key. A run calls `lookup` for every page of
    the KB, `put` or `refresh` for those it had to read, then `save`."""

    def __init__(self, root: Path, key: str) -> None:
        self.root, self.key = root, key
        self.path = root / CACHE_DIR / _FILE
        # as read: a line per page, `rel<TAB>signature<TAB>content digest<TAB>git blob id`
        self.manifest = ""
        self.stored: dict[str, str] = {}  # the manifest's signatures by page
        self.stored_digests: dict[str, str] = {}
        self.stored_blobs: dict[str, str] = {}
        self.blobs: dict[str, str] = {}  # the git blob id of each page with facts
        self.looked_up = 0
        self.kept: dict[str, str] = {}  # pages found unchanged: their signature texts
        self.moved: dict[str, Signature | None] = {}  # pages read: their new signatures
        self.vouched: dict[str, str] = {}  # the content digest of each page with facts
        self.written: dict[str, tuple[str, Row]] = {}
        self.prefetched: dict[str, tuple[str, str, str, int]] | None = None
        self.con: sqlite3.Connection | None = None
        self.names_count: str | None = None
        self.loads = 0
        self.notes: dict[str, tuple[str, str]] = {}  # to save: name -> (key, text)
        self.unwritable = False  # rows streamed in failed to write: nothing is saved
        self._manifest_now: str | None = None

    @classmethod
    def open(cls, root: Path, key: str) -> LintCache:
        """The cache at `root`, or an empty one if it is missing, foreign or unreadable."""
        cache = cls(root, key)
        try:
            cache._connect()
        except (sqlite3.Error, OSError, ValueError, TypeError):
            cache.close()
            cache.manifest, cache.stored, cache.stored_digests, cache.stored_blobs = "", {}, {}, {}
        return cache

    def _connect(self) -> None:
        if not self.path.is_file():
            return
        con = self.con = sqlite3.connect(self.path, timeout=1)
        con.execute("PRAGMA synchronous = OFF")  # as when made: 7 ms less per save here
        meta = dict(con.execute("SELECT name, value FROM meta").fetchall())
        if meta.get("format") != str(_FORMAT) or meta.get("key") != self.key:
            raise ValueError("a cache for another kb, schema or config")
        manifest = meta.get("manifest", "")
        if str(_crc(manifest)) != meta.get("manifest_crc"):
            raise ValueError("a damaged manifest")
        self.stored, self.stored_digests, self.stored_blobs = _parse_manifest(manifest)
        self.manifest = manifest
        self.names_count = meta.get("names_count")

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    # -- reading ------------------------------------------------------------------------

    def vouched_by_git(self, clean: Mapping[str, str]) -> set[str]:
        """The pages on record that git vouches still hold the content the cache read
        (`kbcli.git.clean_pages`: the file is its index blob, and that blob is the one
        recorded): they need no `lstat`, let alone a read."""
        recorded = self.stored_blobs
        return {rel for rel, blob in clean.items() if recorded.get(rel) == blob}

    def lookup(
        self,
        refs: Sequence[PageRef],
        sigs: Sequence[Signature | None],
        trusted: Collection[str] = frozenset(),
    ) -> list[PageFacts | None]:
        """For each page, its facts if git vouches for it (`trusted`, see `vouched_by_git`;
        its signature is not needed) or its stat signature is the one recorded, else None.
        Every page at once: a method call a page cost ~15 ms of a run on 10,000 pages."""
        stored, digests, kept, vouched = self.stored, self.stored_digests, self.kept, self.vouched
        blobs, stored_blobs = self.blobs, self.stored_blobs
        texts = [None if sig is None else f"{sig[0]} {sig[1]} {sig[2]} {sig[3]}" for sig in sigs]
        self.looked_up += len(refs)
        found: list[PageFacts | None] = []
        for ref, text in zip(refs, texts, strict=True):
            rel = ref.rel
            if rel in trusted:
                text = stored[rel]  # kept as recorded: it may vouch in a run outside git
            elif text is None or stored.get(rel) != text:
                found.append(None)
                continue
            kept[rel] = text
            digest = vouched[rel] = digests[rel]
            blobs[rel] = stored_blobs[rel]
            found.append(LazyFacts(ref, digest, self))
        return found

    def digests(self, rels: Collection[str]) -> dict[str, str]:
        """The content digests recorded for these pages (those it has)."""
        rels = [rel for rel in rels if _storable(rel)]
        if self.con is None or not rels:
            return {}
        try:
            if len(rels) > _PREFETCH_AFTER:
                rows = self.con.execute("SELECT rel, digest, dcrc FROM facts").fetchall()
            else:
                rows = list(self._select("SELECT rel, digest, dcrc FROM facts", "rel", rels))
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from None
        if any(_crc(rel, digest) != dcrc for rel, digest, dcrc in rows):
            raise CacheCorrupt("a damaged digest")
        return {rel: digest for rel, digest, _ in rows}

    def _select(self, query: str, column: str, values: Collection[str]) -> Iterator[Any]:
        assert self.con is not None
        ordered = sorted(values)
        for at in range(0, len(ordered), _BATCH):
            batch = ordered[at : at + _BATCH]
            where = f" WHERE {column} IN ({', '.join('?' * len(batch))})"
            yield from self.con.execute(query + where, batch)

    def refresh(self, ref: PageRef, sig: Signature | None, digest: str, blob: str) -> PageFacts:
        """The facts of a page found to hold the recorded content (`digest`, git blob id
        `blob`) under a new signature."""
        self.moved[ref.rel] = sig
        self.vouched[ref.rel] = digest
        self.blobs[ref.rel] = blob
        return LazyFacts(ref, digest, self)

    def name_owners(self, keys: Collection[str]) -> Iterator[tuple[str, str]]:
        """(name key, page) for every concept with facts on record answering to one of
        `keys`, as its recorded content does. Whether the page is one this run found
        unchanged (rather than read afresh) is the caller's to check."""
        keys = [key for key in keys if _storable(key)]  # no other is on record
        if self.con is None:
            return
        try:
            (count,) = self.con.execute("SELECT count(*) FROM names").fetchone()
            rows = list(self._select("SELECT key, rel, digest, crc FROM names", "key", keys))
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from None
        if str(count) != self.names_count:  # rows gone missing would go unnoticed
            raise CacheCorrupt("names missing")
        for key, rel, digest, crc in rows:
            if _crc(key, rel, digest) != crc:
                raise CacheCorrupt(f"a damaged name of {rel}")
            if self.vouched.get(rel) == digest:
                yield key, rel

    def prefetch(self) -> None:
        """Read every page's full facts in one go (a run that reports on the whole KB)."""
        if self.con is None or self.prefetched is not None:
            return
        query = "SELECT rel, digest, facts, material, crc FROM facts"
        try:
            rows = self.con.execute(query).fetchall()
        except sqlite3.Error as exc:
            raise CacheCorrupt(str(exc)) from None
        self.prefetched = {rel: (d, facts, material, crc) for rel, d, facts, material, crc in rows}

    def load(self, rel: str, digest: str) -> PageFacts:
        """A cached page's full facts, for the content `digest`; CacheCorrupt if the row
        does not read back, or is for other content (written by a concurrent run)."""
        try:
            row = self._row(rel)
            if row is None or _crc(rel, *row[:3]) != row[3] or row[0] != digest:
                raise ValueError(f"no intact row for {rel}")
            raw = json.loads(row[1])
            raw["material"] = None if row[2] == "null" else LazyJson(row[2])
            facts = PageFacts.from_json(raw)
        except (sqlite3.Error, ValueError, TypeError, KeyError) as exc:
            raise CacheCorrupt(str(exc)) from None
        if facts.rel != rel or not all(f.code in RULES for f in facts.findings):
            raise CacheCorrupt(f"the row for {rel} is not this page's")
        return facts

    def _row(self, rel: str) -> tuple[str, str, str, int] | None:
        self.loads += 1
        if self.prefetched is None and self.loads > _PREFETCH_AFTER:
            self.prefetch()  # a reader of most pages (kb stale): one query, not thousands
        if self.prefetched is not None:
            return self.prefetched.get(rel)
        if self.con is None:
            return None
        query = "SELECT digest, facts, material, crc FROM facts WHERE rel = ?"
        found: tuple[str, str, str, int] | None = self.con.execute(query, (rel,)).fetchone()
        return found

    # -- writing ------------------------------------------------------------------------

    def put(self, rel: str, sig: Signature | None, digest: str, blob: str, row: Row) -> None:
        """Record a page's facts, as `encode_row` gives them, for the content `digest`
        (git blob id `blob`). Rows are streamed into the cache file as they come, in one
        transaction `save` commits (readers see the cache as it was until then): a cold
        run does not hold every page's row in memory."""
        if _storable(rel) and all(_storable(key) for key in row[2]):
            self.moved[rel] = sig
            self.vouched[rel] = digest
            self.blobs[rel] = blob
            self.written[rel] = (digest, row)
            if len(self.written) >= _FLUSH_EVERY:
                self._flush()

    def _flush(self) -> None:
        if self.unwritable:
            self.written.clear()
            return
        try:
            con = self.con or self._create()
            self._write(con, ())  # in the transaction this opens: committed by `save`
        except (sqlite3.Error, OSError):
            self.unwritable = True  # a cache that cannot be written only costs time
            with contextlib.suppress(sqlite3.Error):
                if self.con is not None:
                    self.con.rollback()
        self.written.clear()

    def _unchanged(self) -> bool:
        """Every page looked up was found unchanged, and none is gone."""
        return not self.moved and len(self.kept) == self.looked_up == len(self.stored)

    def _next_manifest(self) -> str:
        """The manifest `save` writes: a line per page looked up with facts on record."""
        if self._manifest_now is None:
            if self._unchanged():
                self._manifest_now = self.manifest
            else:
                trusted_before = time.time_ns() - _RACY_NS
                kept = self.kept | {
                    rel: _sig_text(_trusted(sig, trusted_before)) for rel, sig in self.moved.items()
                }
                vouched, blobs = self.vouched, self.blobs
                self._manifest_now = "\n".join(
                    f"{rel}\t{text}\t{vouched[rel]}\t{blobs[rel]}" for rel, text in kept.items()
                )
        return self._manifest_now

    def fingerprint(self, extra: str = "") -> str:
        """What the pages hold, as this run found them (once every page is looked up): the
        manifest it saves, which names each page's content by its digest, and `extra` (what
        the caller found of pages the cache cannot keep)."""
        text = f"{self._next_manifest()}\0{extra}"
        return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def note(self, name: str, key: str) -> str | None:
        """The text kept under `name` for `key` (a `fingerprint`), if there is one intact."""
        if self.con is None:
            return None
        query = "SELECT value FROM meta WHERE name = ?"
        try:
            rows = [self.con.execute(query, (f"note:{name}:{part}",)).fetchone() for part in "ktc"]
        except sqlite3.Error:
            return None
        if any(row is None for row in rows):
            return None
        kept, text, crc = (row[0] for row in rows)
        if kept != key or str(_crc(kept, text)) != crc:
            return None
        return str(text)

    def keep_note(self, name: str, key: str, text: str) -> None:
        """Keep `text` under `name` for `key`, written by `save`."""
        self.notes[name] = (key, text)

    def save(self) -> None:
        """Write what changed: the pages read, and the manifest, whose lines are the pages
        looked up with facts on record (rows of the others, deleted pages', are dropped).
        A cache that cannot be written only costs time, so errors are ignored."""
        if self.unwritable or (self._unchanged() and not self.notes):
            return  # every page unchanged, none gone (or rows could not be written)
        gone = self.stored.keys() - self.kept.keys() - self.moved.keys()
        manifest = self._next_manifest()
        with contextlib.suppress(sqlite3.Error, OSError):
            con = self.con or self._create()
            with con:
                self._write(con, gone)
                (count,) = con.execute("SELECT count(*) FROM names").fetchone()
                meta = [("names_count", str(count))]
                if manifest != self.manifest:
                    meta += [("manifest", manifest), ("manifest_crc", str(_crc(manifest)))]
                for name, (key, text) in self.notes.items():
                    meta += [(f"note:{name}:k", key), (f"note:{name}:t", text)]
                    meta.append((f"note:{name}:c", str(_crc(key, text))))
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)

    def _create(self) -> sqlite3.Connection:
        ensure_cache_dir(self.path.parent.parent)
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

    def _write(self, con: sqlite3.Connection, gone: Iterable[str]) -> None:
        dropped = [(rel,) for rel in gone]
        con.executemany("DELETE FROM facts WHERE rel = ?", dropped)
        con.executemany("DELETE FROM names WHERE rel = ?", dropped)
        facts, names = [], []
        for rel, (digest, (text, material, keys)) in self.written.items():
            crc = _crc(rel, digest, text, material)
            facts.append((rel, digest, _crc(rel, digest), text, material, crc))
            names += [(key, rel, digest, _crc(key, rel, digest)) for key in keys]
        con.executemany("DELETE FROM names WHERE rel = ?", ((rel,) for rel in self.written))
        con.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?)", facts)
        con.executemany("INSERT OR REPLACE INTO names VALUES (?, ?, ?, ?)", names)


def _trusted(sig: Signature | None, trusted_before: int) -> Signature | None:
    """The signature, if it was taken long enough ago to vouch for the content."""
    if sig is None or sig[1] >= trusted_before or sig[2] >= trusted_before:
        return None
    return sig


def drop(root: Path) -> None:
    """Remove the cache file (found damaged mid-run)."""
    with contextlib.suppress(OSError):
        (root / CACHE_DIR / _FILE).unlink()


def through_cache(
    root: Path, config: Config, use: bool, work: Callable[[LintCache | None], T]
) -> T:
    """`work` done with the KB's lint cache open (None: no cache, where `use` is False),
    which is saved after it. A row found damaged only when read raises CacheCorrupt: the
    cache is then dropped and `work` done again without it."""
    if not use or decline(root):  # a cache the checkout could have forged: `kbcli.secret`
        return work(None)
    store = LintCache.open(root, cache_key(config, root))
    try:
        result = work(store)
        store.save()
        return result
    except CacheCorrupt:
        drop(root)
        return work(None)
    finally:
        store.close()
