"""The store: nothing is written unless everything validates, writes are atomic, an
interrupt at any point leaves the originals, and one kb writer at a time holds the KB."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kbcli.config import Config
from kbcli.errors import KbError
from kbcli.store import Edit, edit_kb, kb_lock, write_pages

from helpers import make_kb

GOOD = "id: beta\ntitle: Beta\nsummary: New.\nclaims: []\nchangelog: []\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_kb(tmp_path / "kb").resolve()


def files(root: Path) -> dict[str, bytes]:
    """Every file of the KB but the lock: temporary files would show up here."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".kb-cache" not in p.parts
    }


def test_writes_valid_pages(root: Path) -> None:
    beta = root / "concepts" / "beta.yaml"
    write_pages(root, Config(), {beta: GOOD})
    assert beta.read_text() == GOOD


def test_one_invalid_page_means_no_page_is_written(root: Path) -> None:
    before = files(root)
    changes = {
        root / "concepts" / "beta.yaml": GOOD,
        root / "theses" / "t.yaml": "id: t\ntitle: T\ncites: []\n",  # no position
    }
    with pytest.raises(KbError) as caught:
        write_pages(root, Config(), changes)
    assert str(caught.value) == (
        "refusing to write theses/t.yaml: the result would not be a valid page (line 1, "
        "column 1: S001 missing required field 'position'); nothing was written"
    )
    assert files(root) == before


def test_text_that_does_not_parse_is_refused(root: Path) -> None:
    before = files(root)
    with pytest.raises(KbError, match=r"\(line 2, column 1: Y002 duplicate key 'id'\)"):
        write_pages(root, Config(), {root / "concepts" / "beta.yaml": "id: a\nid: b\n"})
    assert files(root) == before


def test_evidence_levels_come_from_the_config(root: Path) -> None:
    page = GOOD.replace(
        "claims: []", "claims: [{id: c, statement: S, evidence: weak, sources: [s]}]"
    )
    with pytest.raises(KbError, match="'weak' is not one of: high, low"):
        write_pages(
            root, Config(evidence_levels=("high", "low")), {root / "concepts/beta.yaml": page}
        )


def test_a_page_over_the_size_limit_is_refused(root: Path) -> None:
    before = files(root)
    with pytest.raises(KbError, match="it would be 60 bytes, over the limit of 50"):
        write_pages(root, Config(max_page_bytes=50), {root / "concepts" / "beta.yaml": GOOD})
    assert files(root) == before


def test_a_path_outside_the_kb_is_a_bug(root: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is not a page of the KB"):
        write_pages(root, Config(), {tmp_path / "elsewhere.yaml": GOOD})


@pytest.mark.parametrize("where", ["write", "fsync", "chmod", "replace"])
def test_interrupt_at_any_step_leaves_the_original(
    root: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before = files(root)

    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    if where == "write":
        monkeypatch.setattr("kbcli.store.os.fdopen", interrupt)
    else:
        monkeypatch.setattr(f"kbcli.store.os.{where}", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_pages(root, Config(), {root / "concepts" / "beta.yaml": GOOD})
    assert files(root) == before  # the original bytes, and no temporary file left


@pytest.fixture
def ctrl_c_interrupts() -> Iterator[None]:
    """Ctrl-C raising KeyboardInterrupt, as at a terminal, even where the tests were started
    with SIGINT ignored (a shell's background job), which kb rightly keeps ignoring."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _ctrl_c_interrupts_child() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Python then installs its own handler


@pytest.mark.usefixtures("ctrl_c_interrupts")
def test_ctrl_c_during_the_renames_is_delivered_after_all_of_them(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def replace_then_ctrl_c(src: str, dst: str) -> None:
        calls.append(Path(dst).name)
        real_replace(src, dst)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr("kbcli.store.os.replace", replace_then_ctrl_c)
    thesis = "id: t\ntitle: T\nposition: P.\ncites: []\n"
    changes = {root / "concepts" / "beta.yaml": GOOD, root / "theses" / "t.yaml": thesis}
    with pytest.raises(KeyboardInterrupt):
        write_pages(root, Config(), changes)
    assert calls == ["beta.yaml", "t.yaml"]  # both pages written: never half an edit
    assert (root / "theses" / "t.yaml").read_text() == thesis
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_error_while_building_the_edit_writes_nothing_and_frees_the_lock(root: Path) -> None:
    before = files(root)

    def build() -> Edit[None]:
        raise KbError("no")

    with pytest.raises(KbError):
        edit_kb(root, Config(), build)
    assert files(root) == before
    with kb_lock(root):  # not left held
        pass


def _blocked_on_lock(proc: subprocess.Popen[str], timeout: float = 20) -> None:
    """Wait until `proc` itself waits for a file lock: Linux lists each waiter in
    /proc/locks with its pid (other processes of the machine may be waiting on locks of
    their own)."""
    deadline = time.monotonic() + timeout
    locks = Path("/proc/locks")
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if not locks.exists():  # pragma: no cover - not Linux: give it time to get there
            time.sleep(3)
            return
        if any(_waiter_pid(line) == proc.pid for line in locks.read_text().splitlines()):
            return
        time.sleep(0.05)
    raise AssertionError("the kb process never waited for the lock")


def _waiter_pid(line: str) -> int | None:
    """The pid of a waiting lock in a /proc/locks line ("1: -> FLOCK ADVISORY WRITE 42 ...")."""
    fields = line.split()
    if "->" not in fields or len(fields) < fields.index("->") + 5:
        return None
    pid = fields[fields.index("->") + 4]
    return int(pid) if pid.isdigit() else None


def _add_claim_process(root: Path, statement: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kbcli", "add-claim", "alpha", statement,
         "-e", "weak", "-s", "greek", "--date", "2026-04-20"],
        cwd=root, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, preexec_fn=_ctrl_c_interrupts_child,
    )  # fmt: skip


def test_a_second_writer_waits_and_ctrl_c_while_waiting_changes_nothing(root: Path) -> None:
    before = files(root)
    with kb_lock(root):
        proc = _add_claim_process(root, "Alpha is a vowel")
        _blocked_on_lock(proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert (proc.returncode, out) == (130, "")
    assert "Traceback" not in err
    assert files(root) == before


def test_a_waiting_writer_goes_ahead_once_the_lock_is_free(root: Path) -> None:
    with kb_lock(root):
        proc = _add_claim_process(root, "Alpha is a vowel")
        _blocked_on_lock(proc)
    _, err = proc.communicate(timeout=20)
    assert (proc.returncode, err) == (0, "")
    assert "statement: Alpha is a vowel" in (root / "concepts" / "alpha.yaml").read_text()


def test_a_page_that_would_not_change_is_not_rewritten(root: Path) -> None:
    beta = root / "concepts" / "beta.yaml"
    mtime = beta.stat().st_mtime_ns
    assert write_pages(root, Config(), {beta: beta.read_text()}) == []
    assert beta.stat().st_mtime_ns == mtime


def test_write_atomic_replaces_a_file_keeping_its_mode(tmp_path: Path) -> None:
    from kbcli.store import write_atomic

    path = tmp_path / "out" / "index.html"
    write_atomic(path, b"one\n")  # the folder is made
    os.chmod(path, 0o640)
    write_atomic(path, b"two\n")
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"two\n", 0o640)
    assert sorted(p.name for p in path.parent.iterdir()) == ["index.html"]  # no temp left


def test_write_atomic_create_never_overwrites_and_gives_the_mode(tmp_path: Path) -> None:
    from kbcli.store import write_atomic

    path = tmp_path / "secret"
    write_atomic(path, b"mine", mode=0o600, create=True)
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"mine", 0o600)
    with pytest.raises(FileExistsError):
        write_atomic(path, b"theirs", mode=0o600, create=True)
    assert path.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret"]
