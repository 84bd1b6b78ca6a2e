"""The lint cache is only ever a shortcut: after an edit, a schema, config or kb version
change, a deleted page or a damaged cache file, lint gives exactly what `--no-cache` gives.

To show that a stale cache is not used, not merely that results happen to agree, some tests
first poison the cache: a made-up finding is written into a page's cached facts (with a
correct checksum), which only a run that trusts the cache would report."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kbcli
from kbcli import cache as cache_module
from kbcli import lint as lint_module
from kbcli.findings import Finding
from kbcli.kb import PageRef
from kbcli.lint import lint
from kbcli.schema import page_schema

from helpers import CASES, collector_spies, git_init, make_kb, run_kb, run_kb_process

TODAY = "2026-11-26"
CACHE = Path(".kb-cache") / "lint.sqlite3"
POISON = "poisoned: only a trusted cache says this"


def _findings(kb: Path, use_cache: bool = True) -> list[Finding]:
    return lint(kb, TODAY, use_cache=use_cache).findings


def _same_as_no_cache(kb: Path) -> list[Finding]:
    cached = _findings(kb)
    assert cached == _findings(kb, use_cache=False)
    assert POISON not in {f.message for f in cached}
    return cached


def _db(kb: Path) -> sqlite3.Connection:
    return sqlite3.connect(kb / CACHE)


def _manifest(kb: Path) -> str:
    """The cache's manifest: a line per page with facts on record, `rel<TAB>signature`."""
    with contextlib.closing(_db(kb)) as con:
        rows = con.execute("SELECT rel, sig, digest, blob FROM pages ORDER BY rel").fetchall()
    return "\n".join("\t".join(row) for row in rows)


def _poison(kb: Path, rel: str = "concepts/alpha.yaml", code: str = "R007") -> None:
    """Add a made-up finding to `rel`'s cached facts, with a correct CRC."""
    with contextlib.closing(_db(kb)) as con, con:
        digest, text, material = con.execute(
            "SELECT digest, facts, material FROM facts WHERE rel = ?", (rel,)
        ).fetchone()
        raw = json.loads(text)
        raw["findings"].append([rel, 1, 1, code, POISON, "error"])
        text = json.dumps(raw)
        crc = cache_module._crc(rel, digest, text, material)
        con.execute("UPDATE facts SET facts = ?, crc = ? WHERE rel = ?", (text, crc, rel))


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    _findings(kb)  # a warm cache
    return kb


def test_the_cache_is_used_when_nothing_changed(kb: Path) -> None:
    _poison(kb)
    assert POISON in {f.message for f in _findings(kb)}  # so the tests below mean something
    assert POISON not in {f.message for f in _findings(kb, use_cache=False)}


def test_the_cache_dir_ignores_itself(kb: Path) -> None:
    assert (kb / ".kb-cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    # and holds nothing else (the file the cache was made in first is gone)
    assert sorted(p.name for p in (kb / ".kb-cache").iterdir()) == [".gitignore", "lint.sqlite3"]


def test_an_edit(kb: Path) -> None:
    page = kb / "concepts" / "beta.yaml"
    before = page.stat()
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("gamma", "alpha"), encoding="utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size and mtime
    assert page.stat().st_size == before.st_size
    findings = _same_as_no_cache(kb)
    assert not any(f.path == "concepts/beta.yaml" for f in findings)


def test_an_edit_behind_a_trusted_signature(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_RACY_NS", -(10**10))  # trust even fresh signatures
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    _findings(kb)
    assert "\t-" not in _manifest(kb)  # every signature trusted
    page = kb / "concepts" / "beta.yaml"
    before = page.stat()
    page.write_text(page.read_text(encoding="utf-8").replace("gamma", "alpha"), encoding="utf-8")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))  # only ctime tells
    assert not any(f.path == "concepts/beta.yaml" for f in _same_as_no_cache(kb))


def test_an_edit_right_after_a_run_is_seen(kb: Path) -> None:
    page = kb / "concepts" / "beta.yaml"
    for word in ("gamma", "delta", "omega"):  # same size each time, within one clock tick
        text = page.read_text(encoding="utf-8")
        page.write_text(text.replace("gamma", word).replace("delta", word), encoding="utf-8")
        assert [f.message for f in _same_as_no_cache(kb) if f.path == "concepts/beta.yaml"] == [
            f"related: no concept '{word}' in this KB "
            f"(create it: kb new concept {word} --title '{word.title()}')"
        ]


def test_a_schema_change(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _poison(kb)

    def stricter(kind: str, levels: object) -> dict[str, object]:
        schema = page_schema(kind, levels)  # type: ignore[arg-type]
        return {**schema, "required": [*schema["required"], "status"]}

    monkeypatch.setattr("kbcli.schema.page_schema", stricter)
    findings = _same_as_no_cache(kb)
    assert "missing required field 'status'" in " ".join(f.message for f in findings)


def test_a_config_change(kb: Path) -> None:
    _poison(kb)
    (kb / "kb.yaml").write_text("evidence_levels: [strong, weak]\n", encoding="utf-8")
    findings = _same_as_no_cache(kb)
    assert any("is not one of: strong, weak" in f.message for f in findings)


def test_a_kb_version_change(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _poison(kb)
    monkeypatch.setattr(kbcli, "__version__", "99.0.0")
    _same_as_no_cache(kb)


def test_a_deleted_page(kb: Path) -> None:
    (kb / "concepts" / "alpha.yaml").unlink()
    findings = _same_as_no_cache(kb)
    assert any("no concept 'alpha'" in f.message for f in findings)
    with contextlib.closing(_db(kb)) as con:
        rels = {rel for (rel,) in con.execute("SELECT rel FROM facts")}
        named = {rel for (rel,) in con.execute("SELECT rel FROM names")}
    assert "concepts/alpha.yaml" not in rels | named and "concepts/beta.yaml" in rels & named
    assert "concepts/alpha.yaml" not in _manifest(kb) and "concepts/beta.yaml" in _manifest(kb)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for at in range(100, len(data), 997):
        data[at] ^= 0x55
    path.write_bytes(bytes(data))


def _sql(*statements: str) -> Callable[[Path], None]:
    def run(path: Path) -> None:
        with contextlib.closing(sqlite3.connect(path)) as con, con:
            for statement in statements:
                con.execute(statement)

    return run


DAMAGE_IDS = [
    "truncated", "flipped", "garbage", "empty", "foreign", "crc", "manifest", "crc-lazy",
    "rows", "table", "blob-manifest", "blob-digest",
]  # fmt: skip


@pytest.mark.parametrize(
    "damage",
    [
        _truncate,
        _flip,
        lambda path: path.write_bytes(b"not a database at all"),
        lambda path: path.write_bytes(b""),
        _sql("UPDATE meta SET value = '0' WHERE name = 'format'"),  # a foreign format
        _sql("UPDATE facts SET digest = 'x' || digest"),  # rows that fail their CRC
        _sql("UPDATE pages SET sig = '1' || sig"),
        _sql("UPDATE facts SET facts = replace(facts, 'alpha', 'alpha2')"),
        _sql("DELETE FROM facts"),  # rows gone missing
        _sql("DROP TABLE facts"),
        # a damaged record can turn text into a blob
        _sql("UPDATE pages SET sig = CAST(sig AS BLOB)"),
        _sql("UPDATE facts SET digest = CAST(digest AS BLOB)"),
    ],
    ids=DAMAGE_IDS,
)
def test_a_damaged_cache_file(kb: Path, damage: Callable[[Path], None]) -> None:
    _poison(kb)
    damage(kb / CACHE)
    _same_as_no_cache(kb)
    assert _findings(kb) == _findings(kb, use_cache=False)  # and it was rebuilt


def test_a_damaged_row_read_while_reporting_on_a_few_pages(kb: Path) -> None:
    _sql("UPDATE facts SET crc = crc + 1")(kb / CACHE)
    paths = [kb / "theses" / "t.yaml"]
    assert lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings


def _add_name_row(
    kb: Path, key: str, rel: str, crc_offset: int = 0, digest: str | None = None
) -> None:
    """A row of `rel` answering to `key`, for `rel`'s cached content (else for `digest`),
    counted in."""
    with contextlib.closing(_db(kb)) as con, con:
        query = "SELECT digest FROM facts WHERE rel = ?"
        digest = digest or con.execute(query, (rel,)).fetchone()[0]
        crc = cache_module._crc(key, rel, digest) + crc_offset
        con.execute("INSERT INTO names VALUES (?, ?, ?, ?)", (key, rel, digest, crc))
        con.execute("UPDATE meta SET value = value + 1 WHERE name = 'names_count'")


@pytest.mark.parametrize("damage", ["none", "crc", "digest", "count"])
def test_a_name_row_read_while_reporting_on_a_few_pages(kb: Path, damage: str) -> None:
    """A run over alpha asks the cache who else is called 'first letter' (its alias): a
    made-up row saying beta is gets in only when it is intact ("none")."""
    other_content = "0" * 32 if damage == "digest" else None  # a row of another beta's
    _add_name_row(kb, "first letter", "concepts/beta.yaml", damage == "crc", other_content)
    if damage == "count":
        _sql("UPDATE meta SET value = value - 1 WHERE name = 'names_count'")(kb / CACHE)
    paths = [kb / "concepts" / "alpha.yaml"]
    messages = [f.message for f in lint(kb, TODAY, paths).findings]
    if damage == "none":  # only a cache that is trusted says so: the run did ask it
        assert messages == ["alias 'first letter' also names concept 'beta'"]
    else:
        assert messages == []
        assert lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings


def test_a_name_row_turned_blob(kb: Path) -> None:
    _sql("UPDATE names SET rel = CAST(rel AS BLOB)")(kb / CACHE)
    paths = [kb / "concepts" / "alpha.yaml"]
    assert lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings


def test_kb_stale_on_a_damaged_cache(kb: Path) -> None:
    _sql("UPDATE facts SET dcrc = dcrc + 1", "UPDATE facts SET crc = crc + 1")(kb / CACHE)
    no_cache = run_kb_process("stale", "--no-cache", cwd=kb)
    assert run_kb_process("stale", cwd=kb) == no_cache
    assert "internal error" not in no_cache.err


def test_a_name_row_gone_missing_is_noticed(kb: Path) -> None:
    """beta really is called 'first letter' too; its row is then deleted from the cache."""
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(
        beta.read_text().replace("title: Beta\n", "title: Beta\naliases: [first letter]\n")
    )
    paths = [kb / "concepts" / "alpha.yaml"]
    expected = lint(kb, TODAY, paths, use_cache=False).findings
    assert [f.message for f in expected] == ["alias 'first letter' also names concept 'beta'"]
    _findings(kb)
    _sql("DELETE FROM names WHERE rel = 'concepts/beta.yaml'")(kb / CACHE)
    assert lint(kb, TODAY, paths).findings == expected


def test_a_name_row_gone_missing_stays_noticed_after_a_save(kb: Path) -> None:
    """A save adds the rows it wrote to the counts the last save left, rather than counting
    every row: a row gone missing before it is still missed after it (a count taken afresh
    would have agreed with the rows left, and hidden beta's name for good)."""
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(
        beta.read_text().replace("title: Beta\n", "title: Beta\naliases: [first letter]\n")
    )
    paths = [kb / "concepts" / "alpha.yaml"]
    expected = lint(kb, TODAY, paths, use_cache=False).findings
    _findings(kb)
    _sql("DELETE FROM names WHERE rel = 'concepts/beta.yaml'")(kb / CACHE)
    thesis = next((kb / "theses").glob("*.yaml"))
    thesis.write_text(thesis.read_text() + "# edited\n")
    _findings(kb)  # a whole-KB run (it reads no name row) saves the thesis's rows
    assert lint(kb, TODAY, paths).findings == expected


def test_rows_written_as_a_run_goes_are_counted(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that writes rows as it goes (every 1,000 pages; here every 2) counts them all:
    the counts the save leaves are the rows there are, so the next run trusts the cache
    rather than finding rows "missing" and dropping it."""
    monkeypatch.setattr(cache_module, "_FLUSH_EVERY", 2)
    for i in range(5):
        _concept_named(kb, f"extra-{i}", f"x{i}", f"y{i}")
    _findings(kb)
    with contextlib.closing(_db(kb)) as con:
        counts = dict(con.execute("SELECT name, value FROM meta WHERE name LIKE '%_count'"))
        names, pages = (
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("names", "pages")
        )
    assert counts == {"names_count": str(names), "pages_count": str(pages)}
    paths = [kb / "concepts" / "extra-0.yaml"]
    assert lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings
    assert (kb / CACHE).is_file()


# A cold run killed (SIGKILL: no clean-up at all) right after it wrote its first rows,
# before its save: the cache file is left with the run's open transaction in its journal.
_KILLED_AFTER_A_FLUSH = """
import os, signal, sys
from pathlib import Path
from kbcli import cache
from kbcli.lint import lint

cache._FLUSH_EVERY = 1
write = cache.LintCache._write

def write_then_die(self, con, gone):
    write(self, con, gone)
    os.kill(os.getpid(), signal.SIGKILL)

cache.LintCache._write = write_then_die
lint(Path(sys.argv[1]), "2026-01-01")
"""


def _killed_cold_run(kb: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _KILLED_AFTER_A_FLUSH, str(kb)], check=False)
    assert done.returncode == -signal.SIGKILL
    assert (kb / ".kb-cache" / "lint.sqlite3-journal").is_file()  # a hot journal


def _rows(kb: Path) -> dict[str, str]:
    with contextlib.closing(_db(kb)) as con:
        counts = dict(con.execute("SELECT name, value FROM meta WHERE name LIKE '%_count'"))
        for table in ("names", "pages"):
            counts[table] = str(con.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    return counts


def _saved_whole(kb: Path) -> dict[str, str]:
    """The counts a save over every page of `kb` leaves (3 pages, 3 names)."""
    pages = len([*kb.glob("concepts/*.yaml"), *kb.glob("theses/*.yaml")])
    assert pages == 3
    return {"names_count": "3", "pages_count": "3", "names": "3", "pages": "3"}


def test_the_run_after_a_killed_cold_run_builds_the_cache(tmp_path: Path) -> None:
    """The killed run's rows are rolled back; the next run finds an empty cache (not one
    whose rows look gone, which it used to drop, throwing its own cold work away) and
    saves every page, so the run after it is warm."""
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    _killed_cold_run(kb)
    expected = _findings(kb, use_cache=False)
    assert _findings(kb) == expected
    assert _rows(kb) == _saved_whole(kb)
    assert _findings(kb) == expected


def _concept_named(kb: Path, stem: str, *aliases: str) -> None:
    (kb / "concepts" / f"{stem}.yaml").write_text(
        f"id: {stem}\ntitle: {stem.title()}\naliases: [{', '.join(aliases)}]\n"
        "summary: S.\nclaims: []\nchangelog: []\n",
        encoding="utf-8",
    )


def test_names_a_run_wrote_already_are_not_taken_for_damage(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run over one page that writes other pages' rows as it goes (here 4 new concepts,
    written every 2) then asks who else answers to its names: it sees its own rows, not
    yet saved, and counts them in, rather than dropping a sound cache."""
    monkeypatch.setattr(cache_module, "_FLUSH_EVERY", 2)
    for i in range(4):
        _concept_named(kb, f"new-{i}", f"n{i}", f"m{i}")
    paths = [kb / "concepts" / "new-0.yaml"]
    drops: list[Path] = []
    monkeypatch.setattr(cache_module.LintCache, "drop", lambda store: drops.append(store.path))
    assert lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings
    assert drops == []
    assert _rows(kb)["names"] == _rows(kb)["names_count"]


def test_a_run_reads_the_count_with_the_rows_it_checks(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run saves (a page added) while this one lists the pages, after it opened
    the cache: the manifest and its count are read as one save left them, so the cache
    the other run saved is used, not dropped."""
    listed = lint_module.list_pages
    drops: list[Path] = []

    def listing_while_another_saves(root: Path) -> list[PageRef]:
        monkeypatch.setattr(lint_module, "list_pages", listed)
        _concept_named(kb, "late", "l")
        assert run_kb_process("lint", cwd=kb).code == 1
        return listed(root)

    monkeypatch.setattr(lint_module, "list_pages", listing_while_another_saves)
    monkeypatch.setattr(cache_module.LintCache, "drop", lambda store: drops.append(store.path))
    assert _findings(kb) == _findings(kb, use_cache=False)
    assert drops == []


def test_the_names_counted_are_those_of_one_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`kb lint --changed-since REV PATH` holds no read transaction: another run saves (a
    concept with two names added) after this one read the cache's counts, before it asks
    who answers to beta's new alias. The rows and their count are read together, so the
    cache the other run saved is kept."""
    kb = git_init(make_kb(tmp_path / "kb"))
    assert run_kb("lint", cwd=kb).code == 0
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("title: Beta\n", "title: Beta\naliases: [b]\n"))
    real = cache_module.LintCache.name_owners

    def another_run_saves_first(
        self: cache_module.LintCache, keys: Collection[str]
    ) -> Iterator[tuple[str, str, str]]:
        monkeypatch.setattr(cache_module.LintCache, "name_owners", real)
        _concept_named(kb, "late", "l1", "l2")
        assert run_kb_process("lint", cwd=kb).code == 0
        return real(self, keys)

    monkeypatch.setattr(cache_module.LintCache, "name_owners", another_run_saves_first)
    drops: list[Path] = []
    monkeypatch.setattr(cache_module.LintCache, "drop", lambda store: drops.append(store.path))
    args = ("lint", "--changed-since", "HEAD", "concepts/beta.yaml")
    cached = run_kb(*args, cwd=kb)
    assert cached == run_kb(*args[:1], "--no-cache", *args[1:], cwd=kb)
    assert drops == []


@pytest.mark.parametrize("value", ["x", "3.0", "-1", "²"])  # "²" passes str.isdigit
@pytest.mark.parametrize("name", ["pages_count", "names_count", "generation"])
def test_a_damaged_count_is_a_damaged_cache(kb: Path, name: str, value: str) -> None:
    """Read by a whole-KB run (pages), one over a page (names), a save (all three)."""
    _sql(f"UPDATE meta SET value = '{value}' WHERE name = '{name}'")(kb / CACHE)
    paths = [kb / "concepts" / "alpha.yaml"]
    assert lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text().replace("title: Beta\n", "title: Beta\naliases: [b]\n"))
    _same_as_no_cache(kb)


# -- a cache another run holds locked ---------------------------------------------------

_LOCKER = """
import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute("BEGIN EXCLUSIVE")  # as a run saving, or streaming a cold run's rows in
print("locked", flush=True)
sys.stdin.read()
con.execute("COMMIT")
"""


@contextlib.contextmanager
def _locked_by_another_run(kb: Path) -> Iterator[None]:
    args = [sys.executable, "-c", _LOCKER, str(kb / CACHE)]
    with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        try:
            assert proc.stdout.readline() == "locked\n"
            yield
        finally:
            proc.stdin.close()
            assert proc.wait(timeout=30) == 0


def _as_left(kb: Path) -> tuple[int, bytes]:
    return (kb / CACHE).stat().st_ino, (kb / CACHE).read_bytes()


@pytest.mark.parametrize(
    "args", [["lint"], ["lint", "concepts/alpha.yaml"], ["stale"]], ids=["lint", "paths", "stale"]
)
def test_a_cache_another_run_holds_locked_is_left_as_it_is(kb: Path, args: list[str]) -> None:
    """The run goes without the cache (it gives what `--no-cache` gives), and neither drops
    nor replaces the file the other run is writing: once it is free, it is used again."""
    git_init(kb)
    _poison(kb)
    before = _as_left(kb)
    no_cache = run_kb(*args, "--no-cache", cwd=kb)
    with _locked_by_another_run(kb):
        assert run_kb(*args, cwd=kb) == no_cache
    assert _as_left(kb) == before
    if args[0] == "lint":  # only a run that reads the cache reports the poisoned finding
        assert POISON in run_kb(*args, cwd=kb).out


def test_a_cache_locked_in_the_middle_of_a_run_is_left_as_it_is(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run takes the lock after this one opened the cache, before it read it."""
    _poison(kb)
    before = _as_left(kb)
    lock = contextlib.ExitStack()
    real_snapshot = cache_module.LintCache.snapshot

    def locked_meanwhile(self: cache_module.LintCache) -> None:
        lock.enter_context(_locked_by_another_run(kb))
        real_snapshot(self)

    monkeypatch.setattr(cache_module.LintCache, "snapshot", locked_meanwhile)
    with lock:
        assert _findings(kb) == _findings(kb, use_cache=False)
    assert _as_left(kb) == before


def test_a_run_that_found_no_cache_leaves_the_one_another_run_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run B opens before there is a cache; run A then makes one (and saves it whole);
    B's save must not replace it with its own, nor a later run find it gone."""
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    made: list[tuple[int, bytes]] = []
    real_connect = cache_module.LintCache._connect

    def another_run_makes_it_meanwhile(self: cache_module.LintCache) -> None:
        real_connect(self)
        if not made:
            made.append((0, b""))
            _findings(kb)  # run A, from start to save
            _poison(kb)  # what only A's cache holds
            made[0] = _as_left(kb)

    monkeypatch.setattr(cache_module.LintCache, "_connect", another_run_makes_it_meanwhile)
    assert _findings(kb) == _findings(kb, use_cache=False)  # run B
    assert _as_left(kb) == made[0]
    monkeypatch.setattr(cache_module.LintCache, "_connect", real_connect)
    assert POISON in {f.message for f in _findings(kb)}


def _edit_and_run_b(kb: Path) -> None:
    beta = kb / "concepts" / "beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    _findings(kb)


def _run_b_and_the_next(kb: Path) -> None:
    _findings(kb)  # drops the damaged cache
    _findings(kb)  # saves a new one


@pytest.mark.parametrize(
    "damaged, others",
    [(False, _edit_and_run_b), (True, _run_b_and_the_next)],
    ids=["saved over the rows read", "damaged and rebuilt"],
)
def test_what_other_runs_save_while_a_run_reads_is_left_to_them(
    kb: Path, monkeypatch: pytest.MonkeyPatch, damaged: bool, others: Callable[[Path], None]
) -> None:
    """Run A has read the manifest; before it reads its first facts row, other runs save:
    - after an edit, over a row A then reads: that is not damage, A goes without the cache;
    - a damaged cache (as A finds it too) dropped by B, and a new one saved by the run after
      B: A drops the file it found damaged, not the new one.
    Either way A gives what `--no-cache` gives, and the cache is as the others left it."""
    if damaged:
        _sql("UPDATE facts SET crc = crc + 1")(kb / CACHE)
    real_load = cache_module.LintCache.load
    left: list[tuple[int, bytes]] = []

    def others_first(self: cache_module.LintCache, rel: str, digest: str) -> Any:
        if not left:
            left.append((0, b""))
            others(kb)
            left[0] = _as_left(kb)
        return real_load(self, rel, digest)

    monkeypatch.setattr(cache_module.LintCache, "load", others_first)
    assert _findings(kb) == _findings(kb, use_cache=False)
    assert left and _as_left(kb) == left[0]


def test_a_cache_is_made_where_the_file_system_has_no_hard_links(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_hard_links(*args: Any) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_hard_links)
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    _findings(kb)
    assert sorted(p.name for p in (kb / ".kb-cache").iterdir()) == [".gitignore", "lint.sqlite3"]
    _poison(kb)
    assert POISON in {f.message for f in _findings(kb)}


@pytest.mark.parametrize("target", ["gone.sqlite3", "lint.sqlite3"], ids=["dangling", "loop"])
def test_a_symbolic_link_in_place_of_the_cache_is_replaced(tmp_path: Path, target: str) -> None:
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    (kb / ".kb-cache").mkdir()
    (kb / CACHE).symlink_to(target)
    assert _same_as_no_cache(kb) == _findings(kb, use_cache=False)
    assert (kb / CACHE).is_file() and not (kb / CACHE).is_symlink()
    _poison(kb)  # and the cache made in its place is the one the next run trusts
    assert POISON in {f.message for f in _findings(kb)}


def test_caches_left_half_made_by_killed_runs_are_cleared(tmp_path: Path) -> None:
    """A run killed while it made a new cache (under a temporary name) leaves it: the next
    run that makes one clears those over a minute old, not one another run is making."""
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    (kb / ".kb-cache").mkdir()
    strays = [
        kb / ".kb-cache" / name for name in ("lint.sqlite3.a1.new", "lint.sqlite3.a1.new-journal")
    ]
    for stray in strays:
        stray.write_bytes(b"half made")
        os.utime(stray, (1, time.time() - 61))
    now = kb / ".kb-cache" / "lint.sqlite3.b2.new"
    now.write_bytes(b"")
    _findings(kb)
    names = sorted(p.name for p in (kb / ".kb-cache").iterdir())
    assert names == [".gitignore", "lint.sqlite3", "lint.sqlite3.b2.new"]


def test_a_forged_finding_of_no_known_rule(kb: Path) -> None:
    _poison(kb, code="X999")  # with a correct checksum: it would crash the severity lookup
    _same_as_no_cache(kb)


def test_a_cache_copied_from_another_kb(kb: Path, tmp_path: Path) -> None:
    other = make_kb(tmp_path / "other")
    (other / ".kb-cache").mkdir()
    (other / CACHE).write_bytes((kb / CACHE).read_bytes())
    _same_as_no_cache(other)


def test_no_cache_neither_reads_nor_writes(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    assert run_kb("lint", "--no-cache", cwd=kb).code == 0
    assert not (kb / ".kb-cache").exists()
    (kb / "kb.yaml").write_text("cache: false\n", encoding="utf-8")
    assert run_kb("lint", cwd=kb).code == 0
    assert not (kb / ".kb-cache").exists()


def test_an_unwritable_root_only_costs_time(tmp_path: Path) -> None:
    kb = make_kb(tmp_path / "kb")
    (kb / ".kb-cache").write_text("a file where the cache dir should be", encoding="utf-8")
    assert _same_as_no_cache(kb) == []


def _many_pages(kb: Path, n: int) -> None:
    for i in range(n):
        (kb / "concepts" / f"c{i}.yaml").write_text(
            f"id: c{i}\ntitle: C{i}\nsummary: S.\nclaims: []\nchangelog: []\n", encoding="utf-8"
        )


@pytest.mark.parametrize(
    ("command", "label"), [("lint", b"Checking pages"), ("stale", b"Reading pages")]
)
def test_a_progress_bar_at_a_terminal_for_a_cold_run(
    tmp_path: Path, command: str, label: bytes
) -> None:
    import pty
    import subprocess
    import sys

    kb = make_kb(tmp_path / "kb")
    _many_pages(kb, 250)
    leader, follower = pty.openpty()
    cmd = [sys.executable, "-m", "kbcli", command]
    with subprocess.Popen(cmd, cwd=kb, stdout=subprocess.PIPE, stderr=follower) as proc:
        os.close(follower)
        drawn = b""
        with contextlib.suppress(OSError):  # EIO once the process has closed the pty
            while chunk := os.read(leader, 65536):
                drawn += chunk
        out = proc.stdout.read() if proc.stdout else b""
    os.close(leader)
    assert proc.returncode == 0, out
    assert label in drawn
    assert label not in out
    (kb / ".kb-cache" / "lint.sqlite3").unlink()  # cold again, and piped: nothing
    cold = run_kb_process(command, cwd=kb)
    assert (cold.code, cold.err) == (0, "")


# -- names: a run over a few pages looks up the others' names in the cache ---------------

NAMES = ["Alpha", "alpha", "Beta", "GAMMA", "c0", "C1", "c2", "Delta"]


def _named_page(stem: str, title: str, aliases: list[str]) -> str:
    return (
        f"id: {stem}\ntitle: {title}\naliases: [{', '.join(aliases)}]\n"
        "summary: S.\nclaims: []\nchangelog: []\n"
    )


_PAGE = st.tuples(st.sampled_from(NAMES), st.lists(st.sampled_from(NAMES), max_size=3))
# a page's names, a new version of them (None: the page is deleted), or a page added
_EDIT = st.one_of(st.none(), _PAGE)


@settings(max_examples=60, deadline=None)
@given(
    before=st.lists(_PAGE, min_size=2, max_size=5),
    edits=st.lists(_EDIT, max_size=6),
    trusted=st.booleans(),
    chosen=st.sets(st.integers(0, 5), min_size=1),
)
def test_a_run_over_a_few_pages_sees_every_name_change(
    before: list[tuple[str, list[str]]],
    edits: list[tuple[str, list[str]] | None],
    trusted: bool,
    chosen: set[int],
) -> None:
    """Alias collisions on the pages a run names, with the others' names from the cache
    (found unchanged, or trusted by their signatures), are those of an uncached run,
    whatever pages were edited, deleted or added since the cache was written."""
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        if trusted:  # signatures vouch at once: unchanged pages are not even read
            mp.setattr(cache_module, "_RACY_NS", -(10**10))
        kb = make_kb(Path(tmp) / "kb")
        for i, (title, aliases) in enumerate(before):
            (kb / "concepts" / f"c{i}.yaml").write_text(_named_page(f"c{i}", title, aliases))
        _findings(kb)
        for i, edit in enumerate(edits):
            page = kb / "concepts" / f"c{i}.yaml"
            if edit is None:
                page.unlink(missing_ok=True)
            else:
                page.write_text(_named_page(f"c{i}", *edit), encoding="utf-8")
        pages = sorted((kb / "concepts").iterdir())
        paths = [pages[i] for i in sorted(chosen) if i < len(pages)] or pages[:1]
        cached = lint(kb, TODAY, paths).findings
        assert cached == lint(kb, TODAY, paths, use_cache=False).findings
        assert _findings(kb) == _findings(kb, use_cache=False)


def test_a_page_name_holding_the_manifests_separators(kb: Path) -> None:
    odd = kb / "concepts" / "tab\tand\nnewline.yaml"
    odd.write_text((kb / "concepts" / "beta.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    first = _same_as_no_cache(kb)
    assert "tab\tand\nnewline" not in _manifest(kb)  # hashed on every run, never trusted
    assert _same_as_no_cache(kb) == first
    assert any(f.path == "concepts/tab\tand\nnewline.yaml" for f in first)


def test_a_cache_written_by_another_user_is_not_trusted(kb: Path, another_user: Path) -> None:
    """A cache committed to the repository, say: its poisoned facts match each page's
    content, but not this user's secret."""
    _poison(kb)
    assert not another_user.exists()
    _same_as_no_cache(kb)
    assert (another_user / "kb" / "secret").is_file()


def test_a_page_name_that_is_not_utf8(kb: Path) -> None:
    alpha = (kb / "concepts" / "alpha.yaml").read_bytes()
    (kb / "concepts" / os.fsdecode(b"x\xff.yaml")).write_bytes(alpha)
    first = _same_as_no_cache(kb)
    assert _same_as_no_cache(kb) == first
    assert len(first) > 2  # the odd page's findings are there


def test_a_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A YAML escape can name a concept with a lone surrogate, which SQLite cannot keep."""
    kb = make_kb(tmp_path / "kb")
    page = _named_page("c0", "C0", ['"\\udcff"', "first letter"])
    (kb / "concepts" / "c0.yaml").write_text(page, encoding="utf-8")
    for paths in ([], [kb / "concepts" / "c0.yaml"], [kb / "concepts" / "alpha.yaml"]):
        for _ in range(2):
            assert (
                lint(kb, TODAY, paths).findings == lint(kb, TODAY, paths, use_cache=False).findings
            )


def test_a_folder_moved_out_of_the_root_and_linked_back(tmp_path: Path) -> None:
    """Its files keep their signatures, but are now read through a link out of the root."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cache_module, "_RACY_NS", -(10**10))  # signatures vouch at once
        kb = make_kb(tmp_path / "kb")
        _findings(kb)
        (kb / "concepts").rename(tmp_path / "outside")
        (kb / "concepts").symlink_to(tmp_path / "outside")
        findings = _same_as_no_cache(kb)
    assert {f.code for f in findings} >= {"Y007"}


def test_two_runs_at_once_never_leave_one_content_s_facts_for_another(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run B reads beta while it says 'omega'; beta is put back as it was; run A finds it
    unchanged in content (same digest) and saves after B wrote its row for 'omega'."""
    from kbcli import lint as lint_module
    from kbcli.config import load_config

    monkeypatch.setattr(cache_module, "_RACY_NS", -(10**10))  # signatures vouch at once
    beta = kb / "concepts" / "beta.yaml"
    original = beta.read_text(encoding="utf-8")
    beta.write_text(original.replace("gamma", "omega"), encoding="utf-8")
    config = load_config(kb)
    run_b = cache_module.LintCache.open(kb, cache_module.cache_key(config, kb))
    lint_module.analyse_all(kb, config, None, run_b)
    beta.write_text(original, encoding="utf-8")
    real_findings = lint_module._findings

    def b_saves_meanwhile(*args: Any) -> Any:
        run_b.save()
        run_b.close()
        return real_findings(*args)

    monkeypatch.setattr(lint_module, "_findings", b_saves_meanwhile)
    lint(kb, TODAY)  # run A
    monkeypatch.setattr(lint_module, "_findings", real_findings)
    findings = _same_as_no_cache(kb)
    assert (
        "related: no concept 'gamma' in this KB (create it: kb new concept gamma --title 'Gamma')"
        in {f.message for f in findings}
    )


# -- cached facts read every field back ---------------------------------------------------


def _unlike_the_default(field: Any) -> Any:
    """A value for a PageFacts field that its default is not (and the cache can keep)."""
    from kbcli.index import Cite
    from kbcli.pagefacts import LazyJson

    values: dict[str, Any] = {
        "findings": [Finding("concepts/alpha.yaml", 3, 4, "R004", "a made-up finding")],
        "id": "alpha-id",
        "title": "Alpha title",
        "aliases": [("Alef", 5, 6)],
        "claim_ids": ["one", "merged-two"],
        "redirect": ("beta", 7, 8),
        "related": [("gamma", 9, 10)],
        "cites": [Cite(("beta", 11, 12), [("c1", 13, 14)], "v1 h:0")],
        "changelog_dates": [("2025-01-02", 15, 16)],
        "material": LazyJson('{"id": "alpha-id", "summary": "S.", "claims": []}'),
    }
    assert field.name in values, f"PageFacts.{field.name} is new: give this test a value for it"
    return values[field.name]


def test_cached_facts_read_every_field_from_the_cache(tmp_path: Path) -> None:
    """Each field of PageFacts, given a value other than its default, reads back the same
    through the cache's lazy facts: a field the cache forgot would read its default."""
    import dataclasses

    from kbcli.cache import LintCache
    from kbcli.index import PageFacts
    from kbcli.kb import PageRef
    from kbcli.pagefacts import LazyFacts, PackedFacts, encode_row

    kb = make_kb(tmp_path / "kb")
    eager = {"kind": "concept", "stem": "alpha", "rel": "concepts/alpha.yaml"}
    fields = [f for f in dataclasses.fields(PageFacts) if f.name not in eager]
    facts = PageFacts(**eager, **{f.name: _unlike_the_default(f) for f in fields})
    store = LintCache(kb, "key")
    store.put(facts.rel, None, "digest", "blob", encode_row(facts))
    store.save()
    store.close()
    again = LintCache.open(kb, "key")
    lazy = LazyFacts(PageRef("concept", "alpha", kb, facts.rel), "digest", again)
    for f in fields:
        got, want = getattr(lazy, f.name), getattr(facts, f.name)
        if f.name == "material":
            got, want = dict(got), dict(want)
        assert got == want, f.name
    again.close()
    packed = PackedFacts.of(facts)  # as a run keeps the facts of the pages it read
    for f in fields:
        got, want = getattr(packed, f.name), getattr(facts, f.name)
        if f.name == "material":
            got, want = dict(got), dict(want)
        assert got == want, f.name


def test_rows_streamed_into_the_cache_during_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold run writes rows as it goes (here after every page), committed with the
    manifest: the next run uses them, and a run that dies first leaves the cache as it
    was."""
    monkeypatch.setattr(cache_module, "_FLUSH_EVERY", 1)
    kb = make_kb(tmp_path / "kb", CASES / "invalid" / "unknown-concept")
    cold = _findings(kb)
    _poison(kb)
    assert POISON in {f.message for f in _findings(kb)}  # the rows written were kept
    page = kb / "concepts" / "beta.yaml"
    page.write_text(page.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")

    def dies(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cache_module.LintCache, "save", dies)
    with pytest.raises(KeyboardInterrupt):
        _findings(kb)
    monkeypatch.undo()
    assert POISON in {f.message for f in _findings(kb)}  # alpha's row is as it was
    assert [f for f in _findings(kb) if f.message != POISON] == cold


def test_the_cycle_collector_is_paused_while_cached_facts_are_decoded(
    kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run over the whole KB decodes every page's facts with Python's cycle
    collector paused (a third of the run at 100,000 pages), and resumes it after, clean or
    not."""
    import gc

    from kbcli.rules import crossfile

    _findings(kb)
    seen, watched, broken = collector_spies(crossfile.check)

    monkeypatch.setattr(crossfile, "check", watched)
    assert _findings(kb) == _findings(kb, use_cache=False)
    assert gc.isenabled()
    monkeypatch.setattr(crossfile, "check", broken)
    with pytest.raises(ZeroDivisionError):
        _findings(kb)
    assert gc.isenabled()
    assert seen[0] is False and seen[-1] is False
