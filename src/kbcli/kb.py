"""Finding a KB, naming its pages, and reading one page safely."""

from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kbcli.config import CONFIG_NAME
from kbcli.errors import KbError
from kbcli.yamlio.load import Document, YamlProblem, decode, parse

if TYPE_CHECKING:
    from kbcli.config import Config

KINDS = {"concept": "concepts", "thesis": "theses"}
FOLDERS = tuple(KINDS.values())  # the page folders, as listed
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PAGE_SUFFIXES = (".yaml", ".yml")
_KIND_OF = {folder: kind for kind, folder in KINDS.items()}
NOT_A_PAGE = "Y008"  # the finding for an entry named like a page that is not one
UNTRUSTED_STAMP = "-"  # `folders_stamp` of folders changed too recently to vouch


def find_root(cwd: Path, explicit: Path | None = None) -> Path:
    """The KB root: `explicit` (from --root or KB_ROOT), else the nearest directory at or
    above `cwd` holding `kb.yaml` (or `kb/kb.yaml`, for a repository that keeps its KB in
    `kb/`)."""
    if explicit is not None:
        if not (explicit / CONFIG_NAME).is_file():
            raise KbError(f"no {CONFIG_NAME} in {explicit} (given by --root or KB_ROOT)")
        return explicit.resolve()
    here = cwd.resolve()
    for directory in (here, *here.parents):
        if (directory / CONFIG_NAME).is_file():
            return directory
        if (directory / "kb" / CONFIG_NAME).is_file():
            return directory / "kb"
    raise KbError(
        f"no {CONFIG_NAME} found in {here} or any parent directory: pass --root or set "
        f"KB_ROOT, or create {CONFIG_NAME} at the KB's root (an empty file is a valid config)"
    )


class PageRef(NamedTuple):
    """A page file of the KB: its kind, id (file stem) and place. A named tuple: listing
    10,000 pages builds 10,000 of them, four times faster than a frozen dataclass."""

    kind: str
    id: str
    root: Path
    rel: str  # relative to the root, POSIX style: the path findings carry

    @property
    def path(self) -> Path:
        """Where the page is, as listed (not resolved through symlinks). Made on demand:
        listing 10,000 pages must not build 10,000 Path objects (0.1 s)."""
        return self.root / self.rel


def list_pages(root: Path) -> list[PageRef]:
    """Every page file of the KB, concepts first, each sorted by name."""
    pages: list[PageRef] = []
    for kind, folder in KINDS.items():
        directory = root / folder
        if not directory.is_dir():
            continue
        # names sorted as strings: Path objects compare ten times slower (10,000 pages)
        for name in sorted(_page_names(directory)):
            stem = name.rpartition(".")[0]
            pages.append(PageRef(kind, stem, root, f"{folder}/{name}"))
    return pages


def page_rels(root: Path) -> set[str]:
    """The root-relative path of every page file `list_pages` lists, unordered: without a
    `PageRef` a page (a run over a few pages of 100,000)."""
    found: set[str] = set()
    for folder in KINDS.values():
        directory = root / folder
        if directory.is_dir():
            found.update(f"{folder}/{name}" for name in _page_names(directory))
    return found


def folders_stamp(root: Path) -> str:
    """What tells whether the KB's folders hold other entries than before (one added,
    removed or renamed), where they are: the root, each folder's mtime, ctime, inode and
    device; `UNTRUSTED_STAMP` for them when one moved in the last two seconds (an entry
    added in the same clock tick would not move it again). Taken before the folders are
    listed."""
    trusted_before = time.time_ns() - 2_000_000_000
    parts = [os.path.realpath(root)]  # a KB moved or copied is not where git's entries are
    for folder in KINDS.values():
        try:
            st = os.stat(root / folder)
        except OSError:
            parts.append(f"{folder}:none")
            continue
        if max(st.st_mtime_ns, st.st_ctime_ns) >= trusted_before:
            return f"{parts[0]};{UNTRUSTED_STAMP}"
        parts.append(f"{folder}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}")
    return ";".join(parts)


def ref_of(root: Path, rel: str) -> PageRef:
    """The page at `rel`, a path `list_pages` or `page_rels` gave."""
    folder, _, name = rel.partition("/")
    return PageRef(_KIND_OF[folder], name.rpartition(".")[0], root, rel)


def _page_names(directory: Path) -> list[str]:
    """The names in `directory` that name pages (an entry so named need not be a file)."""
    names = os.listdir(directory)
    return [name for name in names if name.endswith(PAGE_SUFFIXES) and not name.startswith(".")]


def page_ref(root: Path, kind: str, page_id: str) -> PageRef:
    """The page of `kind` named `page_id`; the id is checked before it becomes a path."""
    check_id(page_id, kind)
    folder = KINDS[kind]
    for suffix in PAGE_SUFFIXES:
        path = root / folder / f"{page_id}{suffix}"
        if os.path.lexists(path):  # a dangling link is found, then refused as not a page
            return PageRef(kind, page_id, root, f"{folder}/{path.name}")
    return PageRef(kind, page_id, root, f"{folder}/{page_id}.yaml")


def check_id(page_id: str, what: str) -> None:
    if not SLUG.match(page_id):
        raise KbError(
            f"{page_id!r} is not a valid {what} id: use lowercase letters and digits joined "
            "by single hyphens (no paths)"
        )


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, ...: the first one not in `taken`. A suffix, never an
    increment: "breakthrough-2026" must not become "breakthrough-2027"."""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def ref_for_path(root: Path, path: Path) -> PageRef | None:
    """The page a user-given path names, or None when it is not a page of this KB."""
    absolute = path.absolute()
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        try:
            rel = absolute.resolve().relative_to(root)
        except ValueError:
            return None
    parts = rel.parts
    for kind, folder in KINDS.items():
        if len(parts) == 2 and parts[0] == folder and rel.suffix in PAGE_SUFFIXES:
            return PageRef(kind, rel.stem, root, rel.as_posix())
    return None


def read_text(root: Path, ref: PageRef, max_bytes: int) -> str:
    """The page's text, read through the one guard (`read_raw`); Y004 if not UTF-8."""
    return decode(read_raw(root, ref, max_bytes))


def read_raw(root: Path, ref: PageRef, max_bytes: int) -> bytes:
    """The page's bytes, read through the one guard every page read passes: `lstat` first,
    regular files only (a FIFO, socket or device is never opened, so kb cannot hang on
    one), the size checked before reading, symlinks that leave the root refused.
    YamlProblem for a file kb will not read: Y008 for an entry that is not a page file,
    Y007 for a link out of the root, Y005 too large."""
    path = ref.path
    try:
        st = os.lstat(path)
    except OSError as exc:
        raise YamlProblem(NOT_A_PAGE, f"not a page kb can read: {_cause(exc)}") from None
    linked = stat.S_ISLNK(st.st_mode)
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        raise YamlProblem(NOT_A_PAGE, "not a page: a loop of symlinks; remove the link") from None
    if not resolved.is_relative_to(root.resolve()):
        raise YamlProblem("Y007", f"symlink leads outside the KB root (to {resolved})")
    if linked:
        try:
            st = os.stat(resolved)
        except OSError:
            target = os.readlink(path)
            raise YamlProblem(
                NOT_A_PAGE,
                f"not a page: a symlink to {target}, which does not exist; "
                "remove the link or restore its target",
            ) from None
    if not stat.S_ISREG(st.st_mode):
        raise YamlProblem(NOT_A_PAGE, _not_a_file(st.st_mode, linked))
    if st.st_size > max_bytes:
        raise YamlProblem(
            "Y005", f"file is {st.st_size} bytes, over the limit of {max_bytes} (max_page_bytes)"
        )
    try:
        raw = read_regular(resolved, max_bytes)
    except OSError as exc:
        raise YamlProblem(NOT_A_PAGE, f"not a page kb can read: {_cause(exc)}") from None
    if len(raw) > max_bytes:
        raise YamlProblem("Y005", f"file is over the limit of {max_bytes} bytes (max_page_bytes)")
    return raw


def read_regular(path: Path, max_bytes: int) -> bytes:
    """At most `max_bytes + 1` bytes of `path`, refused (Y008) unless it is a regular file.
    Opened with O_NONBLOCK, so a FIFO (there from the start, or swapped in after a check)
    is never waited on."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)  # OSError: the caller says what it means for its file
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise YamlProblem(NOT_A_PAGE, _not_a_file(os.fstat(fd).st_mode, False))
        return fh.read(max_bytes + 1)  # the file may grow between stat and read


def _not_a_file(mode: int, linked: bool) -> str:
    if stat.S_ISDIR(mode):
        what = "a symlink to a folder" if linked else "a folder"
        return f"not a page: {what}, named like a page; rename it or move it out of the KB"
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))
    what = next((name for test, name in kinds if test(mode)), "a device file")
    link = "a symlink to " if linked else ""
    return f"not a page: {link}{what}, which kb never opens; remove it or rename it"


def _cause(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied; give yourself read permission (chmod u+r) or remove it"
    if isinstance(exc, FileNotFoundError):
        return "it disappeared while kb was reading the KB; run kb again"
    return exc.strerror or type(exc).__name__


class NotAPageError(KbError):
    """A page a command needs is not a page file (Y008): exit 2, as for any bad input."""


def load_page(root: Path, ref: PageRef, max_bytes: int) -> Document:
    """A page for editing: any problem reading it is a KbError (exit 2) at its place."""
    if not os.path.lexists(ref.path):
        raise KbError(f"no {ref.kind} '{ref.id}' (expected {ref.rel})")
    try:
        doc = parse(read_text(root, ref, max_bytes))
    except YamlProblem as exc:
        error = NotAPageError if exc.code == NOT_A_PAGE else KbError
        raise error(
            f"{exc.code} {exc.message}", path=ref.path, line=exc.line, col=exc.col
        ) from None
    if not isinstance(doc.data, dict):
        from kbcli.schema import not_a_mapping

        raise KbError(f"S003 {not_a_mapping(doc.data)}", path=ref.path, line=1, col=1)
    return doc


def page_data(root: Path, config: Config, ref: PageRef) -> dict[str, Any]:
    """A page's data to show, once it passes its schema; KbError (exit 2) at the first
    problem. `kb show`, `kb render` and the quiz read pages through it."""
    from kbcli.schema import validator

    doc = load_page(root, ref, config.max_page_bytes)
    problems = validator(ref.kind, config.evidence_levels).problems(doc.data, doc.root)
    if problems:
        code, message, line, col = problems[0]
        raise KbError(f"{code} {message} (run kb lint)", path=ref.path, line=line, col=col)
    data: dict[str, Any] = doc.data
    return data
