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

The signatures, digests and blob ids are the *manifest*, a table with a row per page: a
run over the whole KB reads it all at once, a run over a few pages of a large KB (a
pre-commit hook, `kbcli.warm`) only the rows of the pages it looks at, and a run writes
only the rows of the pages it read. Facts are decoded when a rule first looks at them
(`pagefacts.LazyFacts`); the names every concept answers to are an indexed table, asked
only for the names the run's pages use. A page's facts are used only for the content
digest its manifest row names: two runs saving at once cannot pair one content's signature
with another's facts.

What lets a run over a few pages skip the others (`kbcli.warm`) is kept beside it (`Warm`):
the pages listed when the cache was saved, the folders' stamp then, the state of git's
index and the tree checked out, and the pages git did not vouch for then (or looked at
since): git vouches for every other page it does not name as changed since.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import tempfile
import time
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

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
_STRAY_AGE_S = 60  # a cache made under a temporary name, left that long: its run was killed
_FORMAT = 8
_RACY_NS = 2_000_000_000
_UNTRUSTED = "-"  # a manifest signature that matches no file: the page is hashed
_PREFETCH_AFTER = 200  # rows read one by one before reading them all at once pays
_BATCH = 500  # values bound in one query
_FLUSH_EVERY = 1000  # rows held before they are written (in the run's one transaction)
_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # the manifest: a row per page with facts on record
    "CREATE TABLE pages (rel TEXT PRIMARY KEY, sig TEXT NOT NULL, digest TEXT NOT NULL,"
    " blob TEXT NOT NULL, crc INTEGER NOT NULL) WITHOUT ROWID",
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
Meta = tuple[str, str]  # a row of the cache's meta table


class _WarmNext(NamedTuple):
    listing: Collection[str] | None
    unvouched: frozenset[str]
    git_index: str
    tree: str
    folders: str


class CacheCorrupt(Exception):
    """A row of the cache did not read back as written: the run is redone without it."""


class CacheBusy(Exception):
    """Another run holds the cache locked (it is saving, or streaming a cold run's rows in),
    or saved over the rows this run read: this run is redone without it, and leaves it as
    it is. Such a cache is not a damaged one, and dropping it would throw away what the
    other run wrote."""


def _busy(exc: BaseException) -> bool:
    """Whether the cache could not be read because another run holds it locked (for
    longer than the connection's timeout)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _unreadable(exc: sqlite3.Error) -> CacheCorrupt | CacheBusy:
    """What a failed read of the cache means: busy (locked by another run) or damaged."""
    return CacheBusy(str(exc)) if _busy(exc) else CacheCorrupt(str(exc))


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


def _row_crcs(rows: Iterable[tuple[str, ...]]) -> list[int]:
    """The CRC of each manifest row's texts, as `_crc` gives it (in C: no Python call per
    row, which at 100,000 pages cost a tenth of a second)."""
    return list(map(zlib.crc32, map(str.encode, map("\x1f".join, rows))))


def _lines(rels: Collection[str]) -> str | None:
    """The pages a line each, sorted; None if a name cannot be kept so (`_storable`:
    checked on the whole text at once, in C)."""
    text = "\n".join(sorted(rels))
    if "\t" in text or text.count("\n") != max(len(rels) - 1, 0):
        return None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return text


_WARM = ("listing", "unvouched", "git_index", "tree", "folders", "generation")


class Warm(NamedTuple):
    """What the last save recorded for a run over a few pages (`kbcli.warm`)."""

    listing_text: str  # every page listed then, a line each
    unvouched: frozenset[str]  # pages to check whatever git says (see the module's doc)
    git_index: str  # the git index's `index_tag` then
    tree: str  # a tree every page's index entry was, but for those in `unvouched` ("": none)
    folders: str  # the folders' `kb.folders_stamp` when they were listed
    generation: str  # changes with every save: another run saved in between

    def listing(self) -> frozenset[str]:
        return frozenset(self.listing_text.split("\n")) - {""}


class LintCache:
    """The cached facts of one KB, for one key. A run calls `lookup` for every page of
    the KB, `put` or `refresh` for those it had to read, then `save`."""

    def __init__(self, root: Path, key: str) -> None:
        self.root, self.key = root, key
        self.path = root / CACHE_DIR / _FILE
        self.complete = False  # the whole manifest is read (`read_manifest`), not some rows
        self.stored: dict[str, str] = {}  # the manifest's signatures by page
        self.stored_digests: dict[str, str] = {}
        self.stored_blobs: dict[str, str] = {}
        self.blobs: dict[str, str] = {}  # the git blob id of each page with facts
        self.kept: dict[str, str] = {}  # pages found unchanged: their signature texts
        self.moved: dict[str, Signature | None] = {}  # pages read: their new signatures
        self.vouched: dict[str, str] = {}  # the content digest of each page with facts
        self.written: dict[str, tuple[str, Row]] = {}
        self.flushed_names = 0  # the `names` rows the written pages flushed so far added
        self.prefetched: dict[str, tuple[str, str, str, int]] | None = None
        self.con: sqlite3.Connection | None = None
        self.meta: dict[str, str] = {}
        self.warm_read: Warm | None = None  # as `warm` found it
        self.warm_next: _WarmNext | None = None  # what `keep_warm` asks to save
        self.loads = 0
        self.notes: dict[str, tuple[str, str]] = {}  # to save: name -> (key, text)
        self.marks: set[str] = set()  # notes to mark as holding for this save's pages
        self.unwritable = False  # rows streamed in failed to write: nothing is saved
        self.asked: set[str] = set()  # pages whose manifest row was asked for (`read_rows`)
        self.found: tuple[int, int] | None = None  # the file this run read (`_identity`)
        self.seen: set[str] = set()  # pages looked up, when the manifest is read in part
        self.dropped: set[str] = set()  # pages gone, whose rows `save` drops (`forget`)
        self._saved_at: int | None = None  # signatures taken after it vouch for nothing

    @classmethod
    def open(cls, root: Path, key: str) -> LintCache:
        """The cache at `root`, or an empty one if it is missing, foreign or unreadable."""
        cache = cls(root, key)
        try:
            cache._connect()
        except (sqlite3.Error, OSError, ValueError, TypeError) as exc:
            cache.close()
            cache.meta = {}
            # locked by another run: read as if missing, and never written (`_create`
            # would replace the file the other run is writing)
            cache.unwritable = _busy(exc)
        return cache

    def _connect(self) -> None:
        self.found = _identity(self.path)
        if self.found is None or not self.path.is_file():  # a FIFO would hang the read
            return
        con = self.con = sqlite3.connect(self.path, timeout=1)
        con.execute("PRAGMA synchronous = OFF")  # as when made: 7 ms less per save here
        self._read_meta(con)

    def _read_meta(self, con: sqlite3.Connection) -> None:
        query = "SELECT name, value FROM meta WHERE name NOT LIKE 'note:%'"
        meta = dict(con.execute(query).fetchall())
        if meta.get("format") != str(_FORMAT) or meta.get("key") != self.key:
            raise ValueError("a cache for another kb, schema or config")
        self.meta, self.warm_read = meta, None

    def snapshot(self) -> None:
        """Read from here on as of one save: a read transaction, held until `save` (which
        writes in it) or `close`, so that the record (`warm`) and every row read after it
        are what one save left, whatever another run saves meanwhile (it waits for this
        one, or gives up saving: a cache not saved only costs time)."""
        if self.con is None or self.con.in_transaction:
            return
        try:
            self.con.execute("BEGIN")
            self._read_meta(self.con)
        except sqlite3.Error as exc:
            raise _unreadable(exc) from None
        except ValueError as exc:
            raise CacheCorrupt(str(exc)) from None

    def read_manifest(self) -> None:
        """Read every page's manifest row (a run over the whole KB), with the row count
        they are checked against, as one save left them: in a read transaction of their
        own unless one is held (`snapshot`), ended after, so that other runs can save."""
        self.complete = True
        if self.con is None:
            return
        held = self.con.in_transaction
        self.snapshot()
        rows = self._fetch("SELECT rel, sig, digest, blob, crc FROM pages")
        if not held:
            self.con.commit()  # a read: nothing to commit, the transaction ends
        self._take(rows, _recorded(self.meta.get("pages_count"), "pages_count"))

    def read_rows(self, rels: Collection[str]) -> None:
        """Read the manifest rows of these pages (those it has)."""
        rels = {rel for rel in rels if _storable(rel)} - self.asked
        self.asked |= rels
        if self.con is None or not rels:
            return
        self._take(self._fetch("SELECT rel, sig, digest, blob, crc FROM pages", "rel", rels), None)

    def _take(self, rows: list[tuple[str, str, str, str, int]], count: int | None) -> None:
        if count is not None and len(rows) != count:
            raise CacheCorrupt("manifest rows missing")
        if not rows:
            return
        rels, sigs, digests, blobs, crcs = zip(*rows, strict=True)
        try:
            intact = _row_crcs(zip(rels, sigs, digests, blobs, strict=True)) == list(crcs)
        except (TypeError, AttributeError):  # a damaged record can turn text into a blob
            intact = False
        if not intact:
            raise CacheCorrupt("a damaged manifest row")
        self.stored.update(zip(rels, sigs, strict=True))
        self.stored_digests.update(zip(rels, digests, strict=True))
        self.stored_blobs.update(zip(rels, blobs, strict=True))

    def warm(self) -> Warm | None:
        """What the last save recorded for a run over a few pages, if it is intact."""
        meta = self.meta
        parts = [meta.get(name) for name in _WARM]
        if any(part is None for part in parts) or not parts[2]:
            return None
        listing, unvouched, index, tree, folders, generation = (str(part) for part in parts)
        if str(_crc(*parts)) != meta.get("warm_crc"):
            return None
        unvouched_set = frozenset(unvouched.split("\n")) - {""}
        self.warm_read = Warm(listing, unvouched_set, index, tree, folders, generation)
        return self.warm_read

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
        if not self.complete:
            self.seen.update(ref.rel for ref in refs)
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
        query = "SELECT rel, digest, dcrc FROM facts"
        rows = (
            self._fetch(query) if len(rels) > _PREFETCH_AFTER else self._fetch(query, "rel", rels)
        )
        if any(_crc(rel, digest) != dcrc for rel, digest, dcrc in rows):
            raise CacheCorrupt("a damaged digest")
        return {rel: digest for rel, digest, _ in rows}

    def _fetch(
        self, query: str, column: str | None = None, values: Collection[str] = ()
    ) -> list[Any]:
        """The rows of `query` (with `column`, those whose `column` is one of `values`,
        asked in batches); CacheCorrupt if the database cannot answer."""
        assert self.con is not None
        try:
            if column is None:
                return self.con.execute(query).fetchall()
            ordered, rows = sorted(values), []
            for at in range(0, len(ordered), _BATCH):
                batch = ordered[at : at + _BATCH]
                where = f" WHERE {column} IN ({', '.join('?' * len(batch))})"
                rows += self.con.execute(query + where, batch).fetchall()
            return rows
        except sqlite3.Error as exc:
            raise _unreadable(exc) from None

    def refresh(self, ref: PageRef, sig: Signature | None, digest: str, blob: str) -> PageFacts:
        """The facts of a page found to hold the recorded content (`digest`, git blob id
        `blob`) under a new signature."""
        self.moved[ref.rel] = sig
        self.vouched[ref.rel] = digest
        self.blobs[ref.rel] = blob
        return LazyFacts(ref, digest, self)

    def name_owners(self, keys: Collection[str]) -> Iterator[tuple[str, str, str]]:
        """(name key, page, content digest) for every concept with facts on record
        answering to one of `keys`, as its content of that digest does. Whether that is the
        page's content now is the caller's to check."""
        keys = [key for key in keys if _storable(key)]  # no other is on record
        if self.con is None:
            return
        # rows gone missing go unnoticed otherwise: the rows and the count kept with them
        # are read in one statement (one state of the cache, whatever another run saves);
        # the rows this run wrote already it sees, so they are counted in
        ((count, stored),) = self._fetch(_NAMES_COUNTED)
        if count != _recorded(stored, "names_count") + self.flushed_names:
            raise CacheCorrupt("names missing")
        rows = self._fetch("SELECT key, rel, digest, crc FROM names", "key", keys)
        for key, rel, digest, crc in rows:
            if _crc(key, rel, digest) != crc:
                raise CacheCorrupt(f"a damaged name of {rel}")
            yield key, rel, digest

    def prefetch(self) -> None:
        """Read every page's full facts in one go (a run that reports on the whole KB)."""
        if self.con is None or self.prefetched is not None:
            return
        rows = self._fetch("SELECT rel, digest, facts, material, crc FROM facts")
        self.prefetched = {rel: (d, facts, material, crc) for rel, d, facts, material, crc in rows}

    def load(self, rel: str, digest: str) -> PageFacts:
        """A cached page's full facts, for the content `digest`; CacheCorrupt if the row
        does not read back, or is for other content (written by a concurrent run)."""
        try:
            row = self._row(rel)
            if row is not None and _crc(rel, *row[:3]) != row[3]:
                raise ValueError(f"a damaged row for {rel}")
            if row is None or row[0] != digest:
                raise self._not_found(rel)
            raw = json.loads(row[1])
            raw["material"] = None if row[2] == "null" else LazyJson(row[2])
            facts = PageFacts.from_json(raw)
        except sqlite3.Error as exc:
            raise _unreadable(exc) from None
        except (ValueError, TypeError, KeyError) as exc:
            raise CacheCorrupt(str(exc)) from None
        if facts.rel != rel or not all(f.code in RULES for f in facts.findings):
            raise CacheCorrupt(f"the row for {rel} is not this page's")
        return facts

    def _not_found(self, rel: str) -> CacheCorrupt | CacheBusy:
        """No row of `rel`'s facts for the content on record: another run saved over the
        rows this one read (rows are read outside a transaction once the manifest is), or
        the cache is damaged."""
        query = "SELECT value FROM meta WHERE name = 'generation'"
        row = self.con.execute(query).fetchone() if self.con is not None else None
        if (row and row[0]) != self.meta.get("generation"):
            return CacheBusy(f"another run saved over the row for {rel}")
        return CacheCorrupt(f"no row for the content of {rel}")

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
            # in the transaction this opens: committed by `save`, with the rows counted
            self.flushed_names += self._write(con, ())[0]
        except (sqlite3.Error, OSError):
            self.unwritable = True  # a cache that cannot be written only costs time
            self.flushed_names = 0  # rolled back with the rest
            with contextlib.suppress(sqlite3.Error):
                if self.con is not None:
                    self.con.rollback()
        self.written.clear()

    def _gone(self) -> set[str]:
        """Pages with a manifest row this run read that it found no facts for (deleted,
        unreadable, renamed): their rows are dropped."""
        known = self.stored.keys() if self.complete else self.seen | self.dropped
        return set(known) - self.kept.keys() - self.moved.keys()

    def forget(self, rels: Collection[str]) -> None:
        """Pages gone from the KB: `save` drops their rows (a run that reads the manifest
        in part does not know the others)."""
        self.dropped.update(rels)

    def _manifest_lines(self) -> Iterator[str]:
        """The manifest as `save` leaves it, a line per page looked up with facts on record,
        in the order they were looked up."""
        vouched, blobs = self.vouched, self.blobs
        for rel, sig in self._rows():
            yield f"{rel}\t{sig}\t{vouched[rel]}\t{blobs[rel]}"

    def _rows(self) -> Iterator[tuple[str, str]]:
        """(page, signature text) of every page looked up with facts on record: those
        found unchanged as recorded, then those read, with the signatures they vouch by."""
        yield from self.kept.items()
        if self._saved_at is None:
            self._saved_at = time.time_ns() - _RACY_NS
        for rel, sig in self.moved.items():
            if rel not in self.kept:
                yield rel, _sig_text(_trusted(sig, self._saved_at))

    def fingerprint(self, extra: str = "") -> str:
        """What the pages hold, as this run found them (once every page is looked up): the
        manifest it saves, which names each page's content by its digest, and `extra` (what
        the caller found of pages the cache cannot keep)."""
        text = "\n".join(self._manifest_lines()) + f"\0{extra}"
        return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def keep_warm(
        self,
        listing: Collection[str] | None,
        unvouched: Collection[str],
        index: str | None,
        tree: str | None,
        folders: str,
    ) -> None:
        """Record, with the next save, what a run over a few pages needs (`Warm`): every
        page listed (None: as recorded), the pages git did not vouch for, the git index's
        state (None: git vouched for none), a tree the index matched but for `unvouched`,
        and the folders' stamp when listed."""
        self.warm_next = _WarmNext(listing, frozenset(unvouched), index or "", tree or "", folders)

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
        self.note_holds(name)

    def note_holds(self, name: str) -> None:
        """Mark the note `name` as holding for the pages as `save` leaves them: until
        another save, `current_note` gives it without a `fingerprint` of every page."""
        self.marks.add(name)

    def current_note(self, name: str) -> str | None:
        """The note `name`'s text if it was marked as holding (`note_holds`) by the save
        that left the cache as it is, and is intact."""
        parts = [self._note_row(name, part) for part in ("k", "t", "c", "at")]
        if None in parts or parts[3] != self.meta.get("generation"):
            return None
        kept, text, crc, _ = parts
        return text if str(_crc(kept, text)) == crc else None

    def unchanged(self, rel: str, sig: Signature | None) -> bool:
        """Whether the page's signature is the one on record, and trusted."""
        return sig is not None and self.stored.get(rel) == _sig_text(sig)

    def _note_row(self, name: str, part: str) -> str | None:
        if self.con is None:
            return None
        query = "SELECT value FROM meta WHERE name = ?"
        try:
            row = self.con.execute(query, (f"note:{name}:{part}",)).fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row is not None and isinstance(row[0], str) else None

    def save(self) -> None:
        """Write what changed: the manifest rows and facts of the pages read, the rows of
        pages gone dropped, and what a run over a few pages needs (`keep_warm`). A cache
        that cannot be written only costs time, so errors are ignored."""
        gone = self._gone()
        warm = self._warm_meta()
        marked = all(self._note_row(m, "at") == self.meta.get("generation") for m in self.marks)
        if self.unwritable or not (self.moved or gone or self.notes or warm or not marked):
            return  # every page unchanged, none gone (or rows could not be written)
        with contextlib.suppress(sqlite3.Error, OSError):
            con = self.con or self._create()
            if not con.in_transaction:
                con.execute("BEGIN IMMEDIATE")  # what another run saved is read only once
            with con:
                names, pages = self._write(con, gone)
                pages += self._write_manifest(con)
                meta = self._concurrent(con, warm, names + self.flushed_names, pages)
                for name, (key, text) in self.notes.items():
                    meta += [(f"note:{name}:k", key), (f"note:{name}:t", text)]
                    meta.append((f"note:{name}:c", str(_crc(key, text))))
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
            self.flushed_names = 0  # counted in, and committed

    def _warm_meta(self) -> list[tuple[str, str]]:
        """The `Warm` record to save, where it changed: [] when it did not."""
        if self.warm_next is None:
            return []
        listing, unvouched, index, tree, folders = self.warm_next
        old = self.warm_read or self.warm()
        if listing is None:
            if old is None:
                return [("git_index", "")]
            listing_text: str | None = old.listing_text
        elif old is not None and old.listing() == frozenset(listing):
            listing_text = old.listing_text
        else:
            listing_text = _lines(listing)
        unvouched_text = _lines(unvouched)
        if listing_text is None or unvouched_text is None:
            return [("git_index", "")]  # a page name no line can hold: no record is kept
        new = Warm(listing_text, unvouched, index, tree, folders, "")
        if old is not None and new == old._replace(generation=""):
            return []
        return [
            *(("listing", listing_text), ("unvouched", unvouched_text)),
            *(("git_index", index), ("tree", tree), ("folders", folders)),
        ]

    def _concurrent(
        self, con: sqlite3.Connection, warm: list[tuple[str, str]], names: int, pages: int
    ) -> list[Meta]:
        """The meta rows to write in this save, inside its transaction: the `Warm` record
        (with a new generation), unless another run saved since this one read the cache,
        whose pages this run may not know were read: then none (the next run reads the
        whole manifest, and records it afresh); and the row counts, with the `names` and
        `pages` rows this save added (fewer than none: removed)."""
        query = "SELECT name, value FROM meta WHERE name IN (?, ?, ?)"
        stored = dict(con.execute(query, ("generation", "names_count", "pages_count")).fetchall())
        ours = self.meta.get("generation")
        now = stored.get("generation")
        if now != ours:  # what another run saved may be other pages than this run found
            warm = [("git_index", "")]
            self.marks.clear()
        generation = str((_number(now) or 0) + 1)
        # the record as this save leaves it (what is not rewritten is as this run read it)
        values = dict(self.meta) | dict(warm) | {"generation": generation}
        crc = _crc(*(values.get(name, "") for name in _WARM))
        warm = [*warm, ("generation", generation), ("warm_crc", str(crc))]
        counts = [
            (f"{table}_count", str(_counted(con, table, stored.get(f"{table}_count"), added)))
            for table, added in (("names", names), ("pages", pages))
        ]
        marks = [(f"note:{name}:at", generation) for name in sorted(self.marks)]
        return [*warm, *marks, *counts]

    def _create(self) -> sqlite3.Connection:
        """A new, empty cache in place of the one this run found foreign or damaged (or of
        none). Made whole under a temporary name and linked into place, so that another run
        never opens it half made; FileExistsError if another run made or replaced the file
        since this one opened it: that one is left to it."""
        folder = ensure_cache_dir(self.path.parent.parent)
        _clear_strays(folder)
        if _identity(self.path) != self.found:
            raise FileExistsError(f"{self.path} is another run's")
        if self.found is not None:
            self.path.unlink()  # the foreign or damaged one this run found
        from kbcli.store import place_new  # a rare path: not at start-up

        fd, name = tempfile.mkstemp(prefix=f"{_FILE}.", suffix=".new", dir=folder)
        os.close(fd)
        try:
            meta = self._made(Path(name))
            place_new(name, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
        self.found = _identity(self.path)
        con = self.con = sqlite3.connect(self.path, timeout=1)
        con.execute("PRAGMA synchronous = OFF")  # a cache lost in a power cut is rebuilt
        self.meta = meta
        return con

    def _made(self, path: Path) -> dict[str, str]:
        """An empty cache written at `path`; its meta rows."""
        with contextlib.closing(sqlite3.connect(path)) as con, con:
            for statement in _SCHEMA:
                con.execute(statement)
            # counted from the start: a run killed before its first save leaves a cache
            # that is empty, not one whose rows look gone (that was dropped, and the next
            # run's cold work thrown away with it)
            meta = [("format", str(_FORMAT)), ("key", self.key)]
            meta += [("names_count", "0"), ("pages_count", "0")]
            con.executemany("INSERT INTO meta VALUES (?, ?)", meta)
        return dict(meta)

    def drop(self) -> None:
        """Remove the cache file found damaged mid-run, unless another run has replaced it
        since (theirs is not the one found damaged)."""
        if self.found is not None and _identity(self.path) == self.found:
            with contextlib.suppress(OSError):
                self.path.unlink()

    def _write(self, con: sqlite3.Connection, gone: Iterable[str]) -> tuple[int, int]:
        """The rows of pages gone dropped, the facts and names of pages read written; how
        many `names` and `pages` rows that added (fewer than none: removed)."""
        dropped = [(rel,) for rel in gone]
        con.executemany("DELETE FROM facts WHERE rel = ?", dropped)
        pages = -con.executemany("DELETE FROM pages WHERE rel = ?", dropped).rowcount
        facts, names = [], []
        for rel, (digest, (text, material, keys)) in self.written.items():
            crc = _crc(rel, digest, text, material)
            facts.append((rel, digest, _crc(rel, digest), text, material, crc))
            names += [(key, rel, digest, _crc(key, rel, digest)) for key in keys]
        rewritten = dropped + [(rel,) for rel in self.written]
        removed = con.executemany("DELETE FROM names WHERE rel = ?", rewritten).rowcount
        con.executemany("INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?)", facts)
        added = con.executemany("INSERT OR IGNORE INTO names VALUES (?, ?, ?, ?)", names).rowcount
        return added - removed, pages

    def _write_manifest(self, con: sqlite3.Connection) -> int:
        """The manifest rows of the pages read (those found unchanged keep theirs); how
        many rows that added."""
        if self._saved_at is None:
            self._saved_at = time.time_ns() - _RACY_NS
        rows = [
            (rel, _sig_text(_trusted(sig, self._saved_at)), self.vouched[rel], self.blobs[rel])
            for rel, sig in self.moved.items()
        ]
        crcs = _row_crcs(rows)
        removed = con.executemany("DELETE FROM pages WHERE rel = ?", [row[:1] for row in rows])
        added = con.executemany(
            "INSERT INTO pages VALUES (?, ?, ?, ?, ?)",
            [(*row, crc) for row, crc in zip(rows, crcs, strict=True)],
        )
        return added.rowcount - removed.rowcount


def _trusted(sig: Signature | None, trusted_before: int) -> Signature | None:
    """The signature, if it was taken long enough ago to vouch for the content."""
    if sig is None or sig[1] >= trusted_before or sig[2] >= trusted_before:
        return None
    return sig


def _counted(con: sqlite3.Connection, table: str, stored: str | None, added: int) -> int:
    """The rows of `table` once a save is written: the count the last save left plus what
    this one added, rather than a `count(*)`, which reads every row (12 to 14 ms a save at
    100,000 pages). A count gone wrong stays wrong, so the next read that checks it finds
    the rows missing; a cache with none stored yet (a new one) is counted."""
    count = _number(stored)
    if count is not None:
        return count + added
    (count,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count)


def _number(text: object) -> int | None:
    """A count or generation on record (ASCII digits: `int` takes others, as "²" or " 3",
    that no save writes); None for anything else, as a damaged database can hold."""
    if isinstance(text, str) and text.isascii() and text.isdigit():
        return int(text)
    return None


def _recorded(text: object, name: str) -> int:
    """A row count on record, which reads check the rows against; a damaged one says the
    cache is."""
    count = _number(text)
    if count is None:
        raise CacheCorrupt(f"no {name}")
    return count


_NAMES_COUNTED = (
    "SELECT (SELECT count(*) FROM names), (SELECT value FROM meta WHERE name = 'names_count')"
)


def _clear_strays(folder: Path) -> None:
    """Remove caches left half made under their temporary names by runs killed while making
    them: those over a minute old (one being made now lives for milliseconds)."""
    old = time.time() - _STRAY_AGE_S
    for stray in folder.glob(f"{_FILE}.*.new*"):  # the journal of one too
        with contextlib.suppress(OSError):
            if stray.lstat().st_mtime < old:
                stray.unlink()


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file `path` is (device, inode; a symbolic link's own, dangling or not); None if
    there is none."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def through_cache(
    root: Path, config: Config, use: bool, work: Callable[[LintCache | None], T]
) -> T:
    """`work` done with the KB's lint cache open (None: no cache, where `use` is False),
    which is saved after it. A row found damaged only when read raises CacheCorrupt: the
    cache is then dropped and `work` done again without it; one locked by another run
    (CacheBusy) is left as it is, and `work` done again without it."""
    if not use or decline(root):  # a cache the checkout could have forged: `kbcli.secret`
        return work(None)
    store = LintCache.open(root, cache_key(config, root))
    try:
        result = work(store)
        store.save()
        return result
    except CacheBusy:
        return work(None)
    except CacheCorrupt:
        store.drop()
        return work(None)
    finally:
        store.close()
