"""`kb render`: the KB as a static site, written to a folder or checked against one.

`render/site.py` builds the files (the same KB always gives the same bytes) and writes or
compares them; this module chooses between `--out` and `--check`, the default folder
(`site`) and the format (`render/site.detect_format`: what the folder already holds).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kbcli.config import load_config
from kbcli.errors import KbError
from kbcli.terminal import say

DEFAULT_OUT = Path("site")


def run(
    find_root: Callable[[], Path], out: Path | None, fmt: str | None, check: Path | None
) -> int:
    """`kb render`: write the site of the KB `find_root` finds to `out` (default `site`),
    or with `check`, write nothing and return 1 when the site there is not what the KB
    renders to."""
    from kbcli.render.site import check_site, detect_format, write_site

    if out is not None and check is not None:
        raise KbError("--out writes a site and --check checks one: give one of them")
    root = find_root()
    target = check if check is not None else out if out is not None else DEFAULT_OUT
    fmt = fmt if fmt is not None else detect_format(target)
    files = _build(root, fmt)
    if check is not None:
        outdated = check_site(files, check, fmt)
        for item in outdated:
            say(f"{check / item.rel}: {item.why}")
        if outdated:
            say(f"{len(outdated)} file(s) out of date: run kb render --out {check}")
            return 1
        say(f"{check} is up to date ({len(files)} files).")
        return 0
    result = write_site(root, files, target, fmt)
    say(
        f"Rendered {len(files)} pages to {target} ({len(result.written)} written, "
        f"{result.unchanged} unchanged, {len(result.removed)} removed)"
    )
    return 0


def _build(root: Path, fmt: str) -> dict[str, str]:
    """The site's files; for pages kb cannot read, their findings as lint reports them,
    then the error that says why nothing was written."""
    from kbcli.render.site import NotPages, build_site
    from kbcli.report import display_path

    try:
        return build_site(root, load_config(root), fmt)
    except NotPages as exc:
        for f in exc.findings:
            say(f"{display_path(root, f.path, Path.cwd())}:1:1: {f.code} {f.message}")
        raise
