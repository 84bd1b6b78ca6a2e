"""The two sides `kb diff` compares, and the pages read from them (git or the working tree).

Revisions as `git diff` takes them: none (HEAD against the working tree), `REV` (REV
against the working tree), `A B` or `A..B` (two commits), `A...B` (from their merge base
to B). Only what changed is read: `git diff --raw` between the trees names the changed
pages with their blob ids, `git grep` finds the theses that mention a changed concept, and
one `git cat-file --batch` process reads every committed version needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from kbcli import gitrepo
from kbcli.diff_data import Data, Raw, Unreadable, file_stem
from kbcli.errors import KbError
from kbcli.kb import PageRef, read_text
from kbcli.knowledge_diff import FilePair, KnowledgeDiff, compare
from kbcli.yamlio.load import YamlProblem, decode, parse

FOLDERS = ("concepts", "theses")
_PAGE = re.compile(r"(concepts|theses)/[^/]+\.ya?ml")


@dataclass(frozen=True)
class Sides:
    """The two sides compared: commits (None: the working tree) and how to name them."""

    old: str
    new: str | None
    old_label: str
    new_label: str


def resolve_sides(root: Path, revs: list[str]) -> Sides:
    """The two sides `revs` name, with git diff's conventions; KbError (exit 2) for a
    revision git does not know, or no git repository."""
    if not gitrepo.in_git(root):
        raise KbError(f"kb diff needs a git repository; {root} is not in one")
    if len(revs) > 2:
        raise KbError("kb diff takes at most two revisions")
    if len(revs) == 1 and "..." in revs[0]:
        a, _, b = revs[0].partition("...")
        new = gitrepo.resolve(root, b or "HEAD")
        base = gitrepo.merge_base(root, gitrepo.resolve(root, a or "HEAD"), new)
        return Sides(base, new, f"merge base of {a or 'HEAD'} and {b or 'HEAD'}", b or "HEAD")
    if len(revs) == 1 and ".." in revs[0]:
        a, _, b = revs[0].partition("..")
        revs = [a or "HEAD", b or "HEAD"]
    if len(revs) == 2:
        return Sides(gitrepo.resolve(root, revs[0]), gitrepo.resolve(root, revs[1]), *revs)
    rev = revs[0] if revs else "HEAD"
    return Sides(gitrepo.resolve(root, rev), None, rev, "working tree")


def knowledge_diff(root: Path, sides: Sides, max_bytes: int) -> KnowledgeDiff:
    """What changed in the knowledge of the KB at `root` between the two sides."""
    changes = [c for c in gitrepo.changed_files(root, sides.old, sides.new, FOLDERS) if _page(c)]
    with gitrepo.BlobReader(root) as blobs:
        reader = _Reader(root, sides, blobs, max_bytes)
        files = [
            FilePair(c.old_path, c.new_path, reader.old(c), reader.new(c))
            for c in (_only_pages(c) for c in changes)
        ]
        theses, concepts = _stale_inputs(root, sides, files, reader)
        return compare(files, concepts, theses, reader.load)


def _page(change: gitrepo.FileChange) -> bool:
    return any(p is not None and _PAGE.fullmatch(p) for p in (change.old_path, change.new_path))


def _only_pages(change: gitrepo.FileChange) -> gitrepo.FileChange:
    """A rename from or to a file that is not a page is an addition or a removal."""
    old_ok = change.old_path is not None and _PAGE.fullmatch(change.old_path)
    new_ok = change.new_path is not None and _PAGE.fullmatch(change.new_path)
    if old_ok and new_ok:
        return change
    if old_ok:
        return gitrepo.FileChange("D", change.old_path, None, change.old_blob, None)
    return gitrepo.FileChange("A", None, change.new_path, None, change.new_blob)


class _Reader:
    """Page versions on either side: committed ones through the one `cat-file` process,
    the working tree's from disk (refusing, as every kb command does, a symlink that
    leaves the KB root and a page over `max_page_bytes`)."""

    def __init__(self, root: Path, sides: Sides, blobs: gitrepo.BlobReader, max_bytes: int):
        self.root, self.sides, self.blobs, self.max_bytes = root, sides, blobs, max_bytes
        self.parsed: dict[bytes, Data | Unreadable] = {}  # each version parsed once

    def old(self, change: gitrepo.FileChange) -> Raw:
        if change.old_path is None:
            return None
        return self._blob(change.old_blob or f"{self.sides.old}:./{change.old_path}")

    def new(self, change: gitrepo.FileChange) -> Raw:
        if change.new_path is None:
            return None
        if change.new_blob is not None:
            return self._blob(change.new_blob)
        return self.at(None, change.new_path)

    def at(self, commit: str | None, rel: str) -> Raw:
        """The page `rel` at `commit` (None: the working tree); None when absent."""
        if commit is not None:
            return self._blob(f"{commit}:./{rel}", missing_ok=True)
        return self._file(rel)

    def _blob(self, name: str, missing_ok: bool = False) -> Raw:
        raw = self.blobs.read(name)
        if raw is None:
            return None if missing_ok else Unreadable("git has no such object")
        return raw

    def _file(self, rel: str) -> Raw:
        path = self.root / rel
        if not path.exists() and not path.is_symlink():
            return None
        kind = "concept" if rel.startswith("concepts/") else "thesis"
        try:
            ref = PageRef(kind, file_stem(rel), self.root, rel)
            return read_text(self.root, ref, self.max_bytes).encode()
        except YamlProblem as exc:
            return _unreadable(exc)
        except OSError as exc:
            return Unreadable(exc.strerror or str(exc))

    def load(self, raw: bytes) -> Data:
        """A page version's data (never to be changed: it is shared); Unreadable if not."""
        if raw not in self.parsed:
            try:
                self.parsed[raw] = self._parse(raw)
            except Unreadable as exc:
                self.parsed[raw] = exc
        done = self.parsed[raw]
        if isinstance(done, Unreadable):
            raise done
        return done

    def _parse(self, raw: bytes) -> Data:
        if len(raw) > self.max_bytes:
            raise Unreadable(f"Y005 file is {len(raw)} bytes, over the limit of {self.max_bytes}")
        try:
            data = parse(decode(raw)).data
        except YamlProblem as exc:
            raise _unreadable(exc) from None
        if not isinstance(data, dict):
            raise Unreadable("a page must be a mapping of fields")
        return data


def _unreadable(exc: YamlProblem) -> Unreadable:
    return Unreadable(f"{exc.code} line {exc.line}: {exc.message}")


def _stale_inputs(
    root: Path, sides: Sides, files: list[FilePair], reader: _Reader
) -> tuple[dict[str, tuple[Raw, Raw]], tuple[dict[str, Raw], dict[str, Raw]]]:
    """The theses whose citations the change can flip (changed ones, and those that
    mention a changed concept), and every concept they cite, on both sides."""
    old_concepts: dict[str, Raw] = {}
    new_concepts: dict[str, Raw] = {}
    theses: dict[str, tuple[Raw, Raw]] = {}
    for pair in files:
        for path, raw, side in ((pair.old_path, pair.old, old_concepts),
                                (pair.new_path, pair.new, new_concepts)):  # fmt: skip
            if path is not None and path.startswith("concepts/"):
                side[file_stem(path)] = raw
            elif path is not None:
                theses[path] = (pair.old, pair.new) if path == pair.new_path else (pair.old, None)
    changed = {file_stem(p) for pair in files for p in (pair.old_path, pair.new_path)
               if p is not None and p.startswith("concepts/")}  # fmt: skip
    for path in gitrepo.files_mentioning(root, sides.new, changed, "theses"):
        if _PAGE.fullmatch(path) and path not in theses:
            raw = reader.at(sides.new, path)
            theses[path] = (raw, raw)  # unchanged: the same on both sides
    for concept in _cited(theses.values(), reader.load) - set(old_concepts) - set(new_concepts):
        raw = _concept_at(reader, sides.new, concept)
        old_concepts[concept] = new_concepts[concept] = raw
    for concept in set(new_concepts) - set(old_concepts):
        old_concepts[concept] = None  # added
    for concept in set(old_concepts) - set(new_concepts):
        new_concepts[concept] = None  # removed (or renamed away)
    return theses, (old_concepts, new_concepts)


def _concept_at(reader: _Reader, commit: str | None, concept: str) -> Raw:
    if not re.fullmatch(r"[^/\\\x00\n]+", concept) or concept in (".", ".."):
        return None  # not a file name: no such concept
    for suffix in (".yaml", ".yml"):
        raw = reader.at(commit, f"concepts/{concept}{suffix}")
        if raw is not None:
            return raw
    return None


def _cited(theses: Iterable[tuple[Raw, Raw]], load: Callable[[bytes], Data]) -> set[str]:
    cited: set[str] = set()
    for pair in theses:
        for raw in pair:
            if not isinstance(raw, bytes):
                continue
            try:
                data = load(raw)
            except Unreadable:
                continue
            for cite in data.get("cites") or ():
                if isinstance(cite, dict) and isinstance(cite.get("concept"), str):
                    cited.add(cite["concept"])
    return cited


def caused_since(root: Path, rev: str, max_bytes: int) -> tuple[str, set[Cause]]:
    """For `kb stale --changed-since REV`: the base compared with (REV's merge base with
    HEAD, or REV itself when a shallow clone cannot reach it) and the citations, as
    (thesis, concept, claims), that the change since then made need a review: made stale
    (as `kb diff` reports them), or added (or on an added thesis) without a stamp."""
    commit = gitrepo.resolve(root, rev)
    try:
        base = gitrepo.merge_base(root, commit, gitrepo.resolve(root, "HEAD"))
    except KbError:
        base = commit
    result = knowledge_diff(root, Sides(base, None, rev, "working tree"), max_bytes)
    caused: set[Cause] = {
        (c.thesis, c.concept, c.claims) for c in result.stale if c.made == "stale"
    }
    for page in result.pages:
        if page.kind == "thesis":
            # an added thesis lists every citation as added
            added = [i for i in page.items if i.kind == "citation-added"]
            caused |= {(page.id, i.target, _claims(i.new)) for i in added}
    return base, caused


def _claims(text: str | None) -> tuple[str, ...] | None:
    """The claims an item names, back from its text (claim ids are slugs: no ", ")."""
    return None if text is None else tuple(text.split(", "))


Cause = tuple[str, str, tuple[str, ...] | None]  # thesis, concept, the claims cited
