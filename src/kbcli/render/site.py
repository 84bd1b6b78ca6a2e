"""`kb render`: the KB as a static site, and `kb render --check`: is the committed one current?

The site is `index.<ext>`, `concepts/<id>.<ext>`, `theses/<id>.<ext>`, and the quizzes:
`quiz.<ext>` (the whole KB) and `quizzes/<id>.<ext>` (ext `html` or `md`). It is a
function of the pages alone: the same KB gives the same bytes (pages in id order, no dates
or versions, no git information, a fixed seed for the quizzes), so a rendered site can be
committed and checked in CI with `kb render --check DIR`. Stale markers are part of it:
they follow from the stamps in the pages, not from git.

Writing touches only files whose bytes change (each replaced atomically) and removes the
pages of the site's own layout that the KB no longer has (a deleted concept's page), so
links never lead to a page the KB lost. Other files in the folder are left alone, and
`--check` ignores them too. A symbolic link in the folder never sends a write outside it: a
page that is a link is replaced by a file (its target is left alone), and a site folder
(`concepts/`, ...) that is a link is refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.config import Config
from kbcli.errors import EXIT_FINDINGS, KbError
from kbcli.findings import Finding
from kbcli.kb import NOT_A_PAGE, NotAPageError, list_pages, page_data
from kbcli.render.model import read_view
from kbcli.render.pages import Page, Site, concept_page, index_page, thesis_page
from kbcli.render.quizpage import quiz_page

FORMATS = ("html", "md")
_FOLDERS = ("concepts", "theses", "quizzes")
_FILES = ("index", "quiz")  # the site's own pages at its top


def build_site(root: Path, config: Config, fmt: str) -> dict[str, str]:
    """Every file of the site, by its path relative to the site's folder."""
    write = _writer(fmt)
    concepts: dict[str, dict[str, Any]] = {}
    theses: dict[str, dict[str, Any]] = {}
    strays: list[Finding] = []
    for ref in list_pages(root):
        table = concepts if ref.kind == "concept" else theses
        try:
            data = page_data(root, config, ref)
        except NotAPageError as exc:
            strays.append(Finding(ref.rel, 1, 1, NOT_A_PAGE, exc.message.partition(" ")[2]))
            continue
        table.setdefault(ref.id, data)  # `.yaml` before `.yml`
    if strays:
        raise NotPages(strays)
    site = Site(read_view(root, config), concepts, theses)
    pages = [
        index_page(site),
        *(concept_page(site, concept) for concept in concepts),
        *(thesis_page(site, thesis) for thesis in theses),
        quiz_page(site, None),
        # a redirect asks nothing and nothing links a quiz of its own
        *(quiz_page(site, c) for c, data in concepts.items() if not data.get("redirect")),
    ]
    suffix = "." + fmt
    return {page.path + suffix: write(page) for page in pages}


class NotPages(KbError):
    """Entries named like pages that are not pages: findings (exit 1); nothing rendered."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("nothing was rendered: remove or fix the entries above", EXIT_FINDINGS)
        self.findings = findings


def _writer(fmt: str) -> Callable[[Page], str]:
    if fmt == "html":
        from kbcli.render import html

        return html.write
    if fmt == "md":
        from kbcli.render import markdown

        return markdown.write
    raise KbError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class WriteResult:
    out: Path
    written: tuple[str, ...]  # changed or new
    unchanged: int
    removed: tuple[str, ...]  # pages of the site the KB no longer has


def write_site(root: Path, files: Mapping[str, str], out: Path, fmt: str) -> WriteResult:
    """Write `files` under `out`; remove the site's own pages that are not among them."""
    from kbcli.store import write_atomic

    if out.resolve() == root.resolve():
        raise KbError(f"refusing to render into the KB root {out}: pass --out DIR")
    for folder in _FOLDERS:  # a link planted there would send writes and removals outside
        if (out / folder).is_symlink():
            raise KbError(
                f"refusing to render into {out}: {out / folder} is a symbolic link, and kb "
                "writes and removes the site's pages in it; replace it with a folder; "
                "nothing was written"
            )
    written, unchanged = [], 0
    for rel, text in files.items():
        path = out / rel
        data = text.encode("utf-8")
        if path.is_file() and path.read_bytes() == data:
            unchanged += 1
            continue
        write_atomic(path, data, fresh=True)  # as a new file, never through a link
        written.append(rel)
    removed = sorted(set(_site_files(out, fmt)) - set(files))
    for rel in removed:
        (out / rel).unlink()
    return WriteResult(out, tuple(written), unchanged, tuple(removed))


def _site_files(out: Path, fmt: str) -> list[str]:
    """The files under `out` that the site's layout would hold."""
    suffix = "." + fmt
    found = [f"{name}{suffix}" for name in _FILES if (out / f"{name}{suffix}").is_file()]
    for folder in _FOLDERS:
        directory = out / folder
        if directory.is_dir():
            found += sorted(
                f"{folder}/{p.name}"
                for p in directory.iterdir()
                if p.suffix == suffix and p.is_file() and not p.name.startswith(".")
            )
    return found


@dataclass(frozen=True)
class Outdated:
    rel: str
    why: str  # "differs", "missing", "not in the KB"


def check_site(files: Mapping[str, str], out: Path, fmt: str) -> list[Outdated]:
    """How the site under `out` differs from `files`; empty when it is current."""
    found: list[Outdated] = []
    for rel, text in files.items():
        path = out / rel
        if not path.is_file():
            found.append(Outdated(rel, "missing"))
        elif path.read_bytes() != text.encode("utf-8"):
            found.append(Outdated(rel, "differs"))
    found += [Outdated(rel, "not in the KB") for rel in _site_files(out, fmt) if rel not in files]
    return sorted(found, key=lambda o: o.rel)


def detect_format(out: Path) -> str:
    """The format of a rendered site: md if it has `index.md` and no `index.html`."""
    return "md" if (out / "index.md").is_file() and not (out / "index.html").is_file() else "html"
