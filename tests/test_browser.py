"""The rendered site in a real browser: headless Chromium (Debian's `chromium` package)
opens the pages from a local web server, shows each concept's claims, and every link it
finds leads to a rendered page (and anchor).

Skipped only where Chromium is missing and `CI` is unset; under CI a missing browser fails
the test (`.ci/run` installs it).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from test_render import MI, outline, seed_kb

from kbcli.config import load_config
from kbcli.render.site import build_site, write_site
from kbcli.yamlio.load import parse

TIMEOUT = 120  # seconds for one page: a cold start in a small container is slow


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="module")
def chromium() -> str:
    found = _chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")
    return found


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test's output is the assertions, not the access log


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The seed's KB rendered to HTML and served on localhost: (base URL, folder)."""
    kb = seed_kb(tmp_path / "kb")
    out = tmp_path / "site"
    write_site(kb, build_site(kb, load_config(kb), "html"), out, "html")
    handler = functools.partial(_Quiet, directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", out
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def dump_dom(chromium: str, url: str, profile: Path) -> str:
    """The DOM Chromium builds for `url`, serialised."""
    proc = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "<html" in proc.stdout, f"no DOM for {url}: {proc.stderr[-2000:]}"
    return proc.stdout


def test_browser_shows_the_claims_and_every_link_leads_to_a_page(
    chromium: str, site: tuple[str, Path], tmp_path: Path
) -> None:
    base, out = site
    profile = tmp_path / "chromium-profile"
    rendered = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    seen: dict[str, Any] = {}  # page -> its outline
    anchors: list[tuple[str, str, str, str]] = []  # (page, link, target page, anchor)
    todo = ["index.html"]
    while todo:  # every page reachable from the index, as the browser sees it
        rel = todo.pop()
        if rel in seen:
            continue
        page = seen[rel] = outline(dump_dom(chromium, urljoin(base, rel), profile))
        for link in page.links:
            target = urlsplit(urljoin(urljoin(base, rel), link))
            if f"{target.scheme}://{target.netloc}/" != base:
                continue  # a source's own address, outside the site
            path = target.path.lstrip("/")
            assert path in rendered, f"{rel} links to {link}, which is not a rendered page"
            todo.append(path)
            if target.fragment:
                anchors.append((rel, link, path, target.fragment))
    assert set(seen) == rendered  # the index leads to every page
    assert anchors  # theses link to the claims they cite
    for rel, link, path, anchor in anchors:
        assert anchor in seen[path].ids, f"{rel} links to {link}: no such anchor"

    concept = seen[f"concepts/{MI}.html"]
    text = " ".join("".join(concept.text).split())
    page = parse((out.parent / "kb" / f"concepts/{MI}.yaml").read_text(encoding="utf-8")).data
    assert len(concept.claims) == len(page["claims"]) == 10
    for claim in page["claims"]:
        assert claim["statement"] in text
        assert f"claim-{claim['id']}" in concept.ids
    assert "Evidence: strong" in text and "Evidence: moderate" in text
