"""The lint cache: what `kb lint` learnt of each page, kept between runs.

Like ruff's, it lives under the KB root (`.kb-cache/`, which git-ignores itself with a
`.gitignore` of `*`) and is only ever a shortcut: a missing, corrupt or foreign cache is
ignored and rewritten, never trusted, and `kb lint --no-cache` (or `cache: false` in
kb.yaml) neither reads nor writes it.

What it keeps: each page's `PageFacts` (its page-local findings and what the cross-file
rules need), valid for one content hash of the page. The whole file is valid for one *key*:
the cache format, the kb version and the stat signature of its modules (so an editable
install that changes a rule starts afresh), the schemas and kb.yaml settings page checks
read, and the YAML parser in use. A checksum over the body catches a truncated or damaged
file.

Hashing means reading: ~80 MB for 10,000 pages. So, as git's index does, an entry also
records the file's stat signature (size, mtime, ctime, inode), and a page whose signature
is unchanged is taken as unchanged without being read. A signature taken less than
`_RACY_NS` before the cache was written is not kept (an edit in the same clock tick could
hide behind it): such a page is hashed next time.

Each page is one line: its entry as JSON, a tab, then the page's material content (the
largest part, which only the stale-citation rule reads) as JSON decoded on first use.
Compact JSON never holds a raw tab, and unchanged lines are written back as they were read.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.index import PageFacts
from kbcli.rules.catalogue import RULES

CACHE_DIR = ".kb-cache"
_FILE = "lint.jsonl"
_FORMAT = 1
_RACY_NS = 2_000_000_000
_LAZY = "material"  # the PageFacts field kept aside and decoded on first use

Signature = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def cache_key(config: Config) -> str:
    """Everything page-local facts depend on besides the page itself."""
    from kbcli import __version__
    from kbcli.schema import page_schema
    from kbcli.yamlio.load import parser_name

    here = Path(__file__).parent
    modules = sorted(
        (p.relative_to(here).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
        for p in here.rglob("*.py")
    )
    schemas = [page_schema(kind, config.evidence_levels) for kind in ("concept", "thesis")]
    parts = [_FORMAT, __version__, parser_name(), config.fingerprint(), schemas, modules]
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def signature(st: os.stat_result) -> Signature:
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class LazyJson(Mapping[str, Any]):
    """A JSON object decoded when first read (the body's checksum was verified)."""

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


class _Entry:
    __slots__ = ("digest", "facts", "line", "signature")

    def __init__(self, signature: Signature | None, digest: str, facts: PageFacts, line: str):
        self.signature, self.digest, self.facts, self.line = signature, digest, facts, line


class LintCache:
    """The cached facts of one KB, for one key; `save` writes what changed."""

    def __init__(self, root: Path, key: str, entries: dict[str, _Entry] | None = None) -> None:
        self.root, self.key = root, key
        self.entries = entries or {}
        self.seen: set[str] = set()
        self.changed = False

    @classmethod
    def open(cls, root: Path, key: str) -> LintCache:
        """The cache at `root` if it is for `key` and intact, else an empty one."""
        try:
            entries = _read(root / CACHE_DIR / _FILE, key)
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            entries = None
        cache = cls(root, key, entries)
        cache.changed = entries is None
        return cache

    def get(self, rel: str, sig: Signature | None) -> PageFacts | None:
        """The facts of a page whose stat signature is the one recorded."""
        entry = self.entries.get(rel)
        if sig is None or entry is None or entry.signature != sig:
            return None
        self.seen.add(rel)
        return entry.facts

    def digest(self, rel: str) -> str | None:
        """The content digest recorded for a page."""
        entry = self.entries.get(rel)
        return entry.digest if entry is not None else None

    def refresh(self, rel: str, sig: Signature | None) -> PageFacts:
        """The facts of a page found to hold the recorded content under a new signature."""
        entry = self.entries[rel]
        entry.signature = sig
        self.seen.add(rel)
        self.changed = True
        return entry.facts

    def put(
        self, rel: str, sig: Signature | None, digest: str, facts: PageFacts, line: str = ""
    ) -> None:
        """Record a page's facts; `line` is `encode_line`'s, where a worker made it."""
        line = line or encode_line(rel, digest, facts)
        self.entries[rel] = _Entry(sig, digest, facts, line)
        self.seen.add(rel)
        self.changed = True

    def save(self) -> None:
        """Write the entries of the pages seen in this run (pages deleted since drop out).
        A cache that cannot be written only costs time, so errors are ignored."""
        if not self.changed and self.seen == set(self.entries):
            return
        trusted_before = time.time_ns() - _RACY_NS
        lines = [
            _with_signature(entry, trusted_before)
            for rel, entry in sorted(self.entries.items())
            if rel in self.seen
        ]
        body = "".join(line + "\n" for line in lines)
        header = {"format": _FORMAT, "key": self.key, "checksum": _checksum(body)}
        with contextlib.suppress(OSError):
            _write(self.root / CACHE_DIR, json.dumps(header) + "\n" + body)


def encode_line(rel: str, digest: str, facts: PageFacts) -> str:
    """A page's line without its stat signature (added when saved)."""
    raw = facts.to_json()
    lazy = raw.pop(_LAZY, None)
    aside = lazy.raw() if isinstance(lazy, LazyJson) else json.dumps(lazy, separators=(",", ":"))
    return json.dumps([rel, digest, raw], separators=(",", ":")) + "\t" + aside


def _with_signature(entry: _Entry, trusted_before: int) -> str:
    sig = entry.signature
    if sig is None or sig[1] >= trusted_before or sig[2] >= trusted_before:
        return "null\t" + entry.line
    return json.dumps(sig, separators=(",", ":")) + "\t" + entry.line


def _read(path: Path, key: str) -> dict[str, _Entry] | None:
    with open(path, encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        body = fh.read()
    if header["format"] != _FORMAT or header["key"] != key:
        return None
    if header["checksum"] != _checksum(body):
        return None
    entries: dict[str, _Entry] = {}
    for line in body.splitlines():
        sig_text, entry_text, aside = line.split("\t", 2)
        rel, digest, raw = json.loads(entry_text)
        sig = json.loads(sig_text)
        raw[_LAZY] = None if aside == "null" else LazyJson(aside)
        facts = PageFacts.from_json(raw)
        if not all(f.code in RULES for f in facts.findings):
            return None
        signature_ = None if sig is None else (int(sig[0]), int(sig[1]), int(sig[2]), int(sig[3]))
        entries[str(rel)] = _Entry(signature_, str(digest), facts, entry_text + "\t" + aside)
    return entries


def _checksum(body: str) -> str:
    return hashlib.blake2b(body.encode("utf-8"), digest_size=16).hexdigest()


def _write(directory: Path, text: str) -> None:
    directory.mkdir(exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# kb's cache: never committed\n*\n", encoding="utf-8")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=_FILE, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, directory / _FILE)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
