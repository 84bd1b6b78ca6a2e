"""Writing pages so that nothing is lost: validated first, atomic, one kb writer at a time.

Every command that edits a KB goes through `edit_kb`: it takes the KB's lock, lets the
command read and change its pages (so it sees every earlier writer's result), validates
each new text against its page schema, and only then replaces the files atomically. An
invalid result, an exception or Ctrl-C at any point leaves every file as it was.

The lock is `fcntl.flock` on `<root>/.kb-cache/lock`: the operating system releases it
when the holder exits, however it exits, so a crashed kb never leaves a stale lock behind.
The file itself stays (it is empty), in the cache folder that git-ignores itself. The next
writer removes the temporary files of one killed between writing and renaming.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Generic, TypeVar

from kbcli.cachedir import CACHE_DIR, ensure_cache_dir
from kbcli.config import Config
from kbcli.errors import KbError, Refused, environment_error
from kbcli.kb import KINDS, PageRef, load_page, page_ref, ref_for_path
from kbcli.yamlio.load import Document, YamlProblem, parse

LOCK_NAME = "lock"  # in `.kb-cache/`, which git-ignores itself
_BOM = b"\xef\xbb\xbf"

T = TypeVar("T")


@dataclass(frozen=True)
class Edit(Generic[T]):
    """What a command decided under the lock: the new text of each page it changes
    (absolute paths), the commit message for `--commit`, and its result for the CLI."""

    changes: dict[Path, str]
    message: str
    value: T
    created: frozenset[Path] = field(default_factory=frozenset)  # new pages: never overwrite


@dataclass(frozen=True)
class Done(Generic[T]):
    """A finished edit: the command's result and, with `--commit`, the new commit."""

    value: T
    paths: tuple[Path, ...]
    commit: str | None


def edit_kb(
    root: Path, config: Config, build: Callable[[], Edit[T]], commit: bool = False
) -> Done[T]:
    """Run one read-modify-write on the KB under its lock, then write (and commit).

    `build` must read the pages it changes itself: it runs only once the lock is held.
    With `commit`, a KB outside git is refused before anything is read or written, and
    the commit happens under the lock too, so parallel `--commit`s do not race on git.
    """
    repo = None
    if commit:
        from kbcli import git

        repo = git.open_repo(root)
    with kb_lock(root):
        edit = build()
        if repo is not None:  # a page git ignores could not be committed: say so first
            from kbcli import git

            git.refuse_ignored(repo, list(edit.changes))
        written = write_pages(root, config, edit.changes, edit.created)
        sha = None
        if repo is not None and written:  # no paths would mean "commit all that is staged"
            from kbcli import git

            sha = git.commit_paths(repo, written, edit.message)
    return Done(edit.value, tuple(written), sha)


@contextlib.contextmanager
def kb_lock(root: Path) -> Iterator[None]:
    """Hold the KB's write lock; blocks while another kb process holds it. Once it is
    held, the temporary files of writers that died before their rename are removed."""
    if (root / CACHE_DIR).exists() and not (root / CACHE_DIR).is_dir():
        raise KbError(
            "cannot lock the KB for writing: this is a file, where kb keeps its cache "
            "folder; remove it (kb makes it again); nothing was changed",
            path=root / CACHE_DIR,
        )
    try:
        path = ensure_cache_dir(root) / LOCK_NAME
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise KbError(
            f"cannot lock the KB for writing: {exc.strerror}; nothing was changed",
            path=root / CACHE_DIR / LOCK_NAME,
        ) from None
    try:
        _lock(fd)
        sweep_leftovers(root, time.time_ns())
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


_TEMP_NAME = re.compile(r"^\..+\.ya?ml\.[0-9a-f]{8}\.tmp$")  # what `_stage` names


def sweep_leftovers(root: Path, locked_at_ns: int) -> list[Path]:
    """Remove kb's own temporary files left by a writer killed before its rename; the
    paths removed. Only names `_stage` makes, only in the page folders, and only files
    older than the lock this writer holds: a temporary file is made under the lock, so
    one that predates it belongs to a writer that is gone."""
    removed = []
    for folder in KINDS.values():
        directory = root / folder
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            path = directory / name
            if not _TEMP_NAME.match(name):
                continue
            with contextlib.suppress(OSError):
                st = os.lstat(path)
                if stat.S_ISREG(st.st_mode) and st.st_mtime_ns < locked_at_ns:
                    os.unlink(path)
                    removed.append(path)
    return removed


if sys.platform == "win32":  # pragma: no cover - kb is tested on POSIX

    def _lock(fd: int) -> None:
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after 10 seconds; keep waiting
                continue

else:

    def _lock(fd: int) -> None:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)


def open_page(root: Path, config: Config, kind: str, page_id: str) -> tuple[PageRef, Document]:
    """A page to edit, read after the lock is taken. Unknown pages are exit 2, with the
    nearest existing id suggested."""
    ref = page_ref(root, kind, page_id)
    if not os.path.lexists(ref.path):
        raise KbError(f"no {kind} '{page_id}' (expected {ref.rel}){_did_you_mean(ref)}")
    return ref, load_page(root, ref, config.max_page_bytes)


def splice(ref: PageRef, text: str, ops: Sequence[Any]) -> str:
    """`text` with `ops` (yamlio.edit operations) applied surgically; an edit that cannot
    be made is a KbError (exit 2) naming the page."""
    from kbcli.yamlio.edit import EditError, apply_text

    try:
        return apply_text(text, ops)
    except EditError as exc:
        raise KbError(f"cannot edit {ref.rel}: {exc}; nothing was written") from None


def _did_you_mean(ref: PageRef) -> str:
    import difflib

    folder = ref.path.parent
    names = [p.stem for p in folder.glob("*.y*ml")] if folder.is_dir() else []
    near = difflib.get_close_matches(ref.id, names, n=1)
    return f"; did you mean '{near[0]}'?" if near else ""


def write_pages(
    root: Path,
    config: Config,
    changes: Mapping[Path, str],
    created: frozenset[Path] = frozenset(),
) -> list[Path]:
    """Validate every new text, then replace every file atomically; the paths written.

    Nothing is written unless every text parses and passes its page schema. Each file is
    written to a temporary file beside it, flushed and fsynced, given the original's mode,
    and renamed over the original; the directory is then fsynced so the rename survives a
    power cut. A page whose bytes would not change is left alone. Paths in `created` must
    not exist yet, and are never overwritten.
    """
    checked = {path: checked_bytes(root, config, path, text) for path, text in changes.items()}
    checked = {p: data for p, data in checked.items() if p in created or not _same(p, data)}
    for path in checked:
        _check_writable(root, path)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in checked.items():
            staged.append((_stage(path, data), path))
        with _interrupts_deferred():  # all renames or, on Ctrl-C, the rest after them
            for temp, path in staged:
                _install(temp, path, path in created)
    except OSError as exc:  # staged files are removed below: the pages are as they were
        error = environment_error(exc, "cannot write: ")
        if error is None:
            raise
        if error.path is not None and error.path.name.endswith(".tmp"):
            error.path = error.path.with_name(error.path.name[1:].rsplit(".", 2)[0])
        error.message += "; nothing was written"
        raise error from None
    finally:
        for temp, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
    for directory in {path.resolve().parent for path in checked}:
        _fsync_dir(directory)
    return list(checked)


def _check_writable(root: Path, path: Path) -> None:
    """Refuse, before anything is staged, a page the user may not write. The rename would
    replace it anyway (only the folder's permission counts for a rename), silently
    overriding the read-only mode its owner gave it."""
    if os.path.exists(path) and not os.access(path.resolve(), os.W_OK):
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path
        mode = stat.filemode(os.stat(path).st_mode)
        raise KbError(
            f"refusing to write {rel}: you do not have write permission on it ({mode}); "
            "nothing was written (chmod u+w it first if the edit is meant)"
        )


def _same(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def checked_bytes(root: Path, config: Config, path: Path, text: str) -> bytes:
    """The bytes to write for a page, once its new text is known to be a valid page (within
    kb.yaml's size limit); KbError saying why otherwise. What every write of a page checks,
    and what a dry run checks without writing."""
    ref = ref_for_path(root, path)
    if ref is None:
        raise ValueError(f"{path} is not a page of the KB at {root}")  # a bug in the caller
    from kbcli.schema import validator

    try:
        doc = parse(text)
    except YamlProblem as exc:
        raise _invalid(ref, f"{exc.code} {exc.message}", exc.line, exc.col) from None
    problems = validator(ref.kind, config.evidence_levels).problems(doc.data, doc.root)
    if problems:
        code, message, line, col = problems[0]
        raise _invalid(ref, f"{code} {message}", line, col)
    data = text.encode("utf-8")
    if path.exists() and _has_bom(path):
        data = _BOM + data  # the reader drops a byte-order mark; keep the file's own
    if len(data) > config.max_page_bytes:
        raise KbError(
            f"refusing to write {ref.rel}: it would be {len(data)} bytes, over the limit of "
            f"{config.max_page_bytes} (max_page_bytes in kb.yaml); nothing was written"
        )
    return data


def _invalid(ref: PageRef, finding: str, line: int, col: int) -> KbError:
    return KbError(
        f"refusing to write {ref.rel}: the result would not be a valid page "
        f"(line {line}, column {col}: {finding}); nothing was written"
    )


def _has_bom(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == _BOM


def write_atomic(
    path: Path, data: bytes, *, mode: int = 0o666, create: bool = False, fresh: bool = False
) -> None:
    """Replace (or create) one file that is not a page, atomically: e.g. a schema, a page
    of the rendered site. The data is fsynced before the rename; a new file gets `mode`
    under the umask, an existing one keeps its own. With `create`, only a file that does
    not exist yet is written (FileExistsError otherwise): whole or not at all, never over
    another's. With `fresh`, whatever is at `path` is replaced by a new file, as a new
    file: a symbolic link there is replaced, never written through (a link planted in a
    rendered site must not send kb's write outside it), and the old file's mode is not
    kept."""
    target = path.parent.resolve() / path.name if fresh else path.resolve()
    temp = _stage(target, data, mode, keep_mode=not fresh)
    try:
        if create:
            os.link(temp, target)
        else:
            os.replace(temp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _stage(path: Path, data: bytes, mode: int = 0o666, *, keep_mode: bool = True) -> Path:
    """A temporary file beside the page's real file, holding `data`, on disk. Without
    `keep_mode`, `path` is taken as it is (not resolved) and its mode is not copied."""
    target = path.resolve() if keep_mode else path  # a symlinked page is written through
    target.parent.mkdir(parents=True, exist_ok=True)
    # os.urandom, not `secrets`: importing that costs ~20 ms, as much as a small edit
    temp = target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")
    # 0o666 under the umask, as a new file would get; an existing page's mode is copied
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if keep_mode and target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = str(path)  # a failed write names no file: say which page
        raise
    return temp


def _install(temp: Path, path: Path, new: bool) -> None:
    target = path.resolve()
    if not new:
        os.replace(temp, target)
        return
    try:
        place_new(temp, target)  # never overwrite a page that appeared meanwhile
    except FileExistsError:
        raise Refused(f"{target} already exists; nothing was written") from None


def place_new(temp: str | Path, target: Path) -> None:
    """The file `temp` put at `target`, where there must be none: hard-linked (which fails,
    atomically, if one appeared meanwhile), or, on a file system without hard links,
    renamed there if there is still none; FileExistsError if there is one."""
    try:
        os.link(temp, target)
    except FileExistsError:
        raise
    except OSError:
        if os.path.lexists(target):
            raise FileExistsError(f"{target} exists") from None
        os.replace(temp, target)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on a directory
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Hold back Ctrl-C (and SIGTERM) while the files are renamed, then deliver it, so an
    edit of several pages is never left half-done by an interrupt."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous: dict[signal.Signals, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, hold)
    try:
        yield
    finally:
        for held, handler in previous.items():
            signal.signal(held, handler)
        for late in received[:1]:
            signal.raise_signal(late)


def write_file(path: Path, data: bytes) -> None:
    """Replace any file's content atomically (not a page: nothing is validated)."""
    temp = _stage(path, data)
    try:
        with _interrupts_deferred():
            _install(temp, path, False)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
