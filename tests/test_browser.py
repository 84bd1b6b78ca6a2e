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


def _served(kb: Path, out: Path) -> Iterator[tuple[str, Path]]:
    """`kb` rendered to HTML in `out` and served on localhost while the caller holds it."""
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


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The seed's KB rendered to HTML and served on localhost: (base URL, folder)."""
    kb = seed_kb(tmp_path / "kb")
    yield from _served(kb, tmp_path / "site")


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


# -- every page kind reads well at a desktop and a phone width ---------------------------

PAGE_KINDS = {
    "index": "index.html",
    "concept": f"concepts/{MI}.html",
    "thesis": "theses/gates.html",
    "quiz": f"quizzes/{MI}.html",
}
WIDTHS = (1280, 390)
MIN_FONT_PX = 12
MIN_CONTRAST = 4.5  # WCAG AA for body text

# A page of the test's own (not of the site) that loads each page in a frame of the width
# under test and writes what it measured into its own DOM, for --dump-dom to return.
_PROBE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body>
<script>
function lum(c) {
  const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(el, win) {
  for (; el; el = el.parentElement) {
    const c = win.getComputedStyle(el).backgroundColor;
    if (c !== 'transparent' && !/rgba\\(.*, 0\\)$/.test(c)) return c;
  }
  return 'rgb(255, 255, 255)';
}
function measure(frame) {
  const win = frame.contentWindow, doc = frame.contentDocument;
  const width = win.innerWidth, problems = [];
  if (doc.documentElement.scrollWidth > width)
    problems.push('page scrolls sideways: ' + doc.documentElement.scrollWidth + ' > ' + width);
  for (const el of doc.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5)
      problems.push('overflows: <' + el.tagName + '> ' + el.textContent.slice(0, 40));
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = win.getComputedStyle(el), fg = lum(style.color);
    const bg = lum(background(el, win)), size = parseFloat(style.fontSize);
    const contrast = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const what = ': <' + el.tagName + '> ' + el.textContent.slice(0, 40);
    if (fg >= bg) problems.push('light on dark' + what);
    if (contrast < MIN_CONTRAST) problems.push('contrast ' + contrast.toFixed(2) + what);
    if (size < MIN_FONT) problems.push('font ' + size + 'px' + what);
  }
  return problems;
}
addEventListener('load', () => {
  const report = {};
  for (const frame of document.querySelectorAll('iframe')) report[frame.name] = measure(frame);
  const out = document.createElement('pre');
  out.id = 'report';
  out.textContent = JSON.stringify(report);
  document.body.append(out);
});
</script>
FRAMES
</body></html>
"""


# The probe's own check that it can fail: a page too wide, too pale and too small.
_CONTROL = (
    '<!DOCTYPE html><html><body><p style="width:2000px;color:#ccc;font-size:9px">'
    "wide pale small</p></body></html>"
)


def _probe(out: Path, width: int) -> str:
    (out / "control.html").write_text(_CONTROL, encoding="utf-8")
    pages = {**PAGE_KINDS, "control": "control.html"}
    style = f"width:{width}px;height:900px;border:0"
    frames = "\n".join(
        f'<iframe name="{kind}" src="{rel}" style="{style}"></iframe>'
        for kind, rel in pages.items()
    )
    probe = (
        _PROBE.replace("FRAMES", frames)
        .replace("MIN_CONTRAST", str(MIN_CONTRAST))
        .replace("MIN_FONT", str(MIN_FONT_PX))
    )
    name = f"probe-{width}.html"
    (out / name).write_text(probe, encoding="utf-8")
    return name


def screenshot(chromium: str, url: str, profile: Path, png: Path, width: int) -> None:
    proc = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
            f"--window-size={width},2400", f"--screenshot={png}", url,
        ],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and png.is_file(), proc.stderr[-2000:]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_fits_the_width_with_readable_dark_on_light_text(
    chromium: str, site: tuple[str, Path], tmp_path: Path, width: int
) -> None:
    import json
    import re

    base, out = site
    dom = dump_dom(chromium, urljoin(base, _probe(out, width)), tmp_path / "profile")
    found = re.search(r'<pre id="report">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    report = json.loads(found[1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    control = report.pop("control")
    assert [p.split(":")[0].split(" ")[0] for p in control] == [
        "page", "overflows", "contrast", "font",
    ]  # fmt: skip
    assert report == {kind: [] for kind in PAGE_KINDS}
    # Screenshots of each kind: kept in $KB_SCREENSHOTS when set, for a person to look at
    keep = Path(os.environ["KB_SCREENSHOTS"]) if os.environ.get("KB_SCREENSHOTS") else tmp_path
    keep.mkdir(parents=True, exist_ok=True)
    for kind, rel in PAGE_KINDS.items():
        png = keep / f"{kind}-{width}.png"
        screenshot(chromium, urljoin(base, rel), tmp_path / "profile", png, width)
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(header[16:20], "big") == width


def test_the_concept_page_links_its_quiz_and_the_answers_are_folded(
    chromium: str, site: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = site
    concept = outline(dump_dom(chromium, urljoin(base, PAGE_KINDS["concept"]), tmp_path / "p"))
    assert f"../quizzes/{MI}.html" in concept.links
    quiz = dump_dom(chromium, urljoin(base, PAGE_KINDS["quiz"]), tmp_path / "p")
    assert "<script" not in quiz
    assert quiz.count("<details><summary>Answer</summary>") == quiz.count('<ul class="choices">')
    assert quiz.count("<details>") >= 1


LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 6 + "x" * 120
LONG_ID = "x" * 90


@pytest.fixture
def hostile_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The seed's site with long unbroken words, addresses and ids in every field a page
    shows: a claim's statement and detail, a source's url and title, a claim id, an alias,
    a thesis's position."""
    kb = seed_kb(tmp_path / "kb")
    page = kb / f"concepts/{MI}.yaml"
    text = page.read_text(encoding="utf-8")
    text = text.replace(
        "statement: Mechanistic interpretability is a 2026 breakthrough technology",
        f"statement: {LONG_WORD} {LONG_URL}",
    )
    text = text.replace(
        "detail: Cross-lab consensus that interpretability research is urgent.",
        f"detail: See {LONG_URL} and {LONG_WORD}.",
    )
    text = text.replace("  - id: openai-used-cot-monitoring-catch-model", f"  - id: {LONG_ID}")
    text = text.replace("  - mech interp\n", f"  - mech interp\n  - {LONG_WORD}\n", 1)
    text = text.replace("    url: https://", f"    url: {LONG_URL}\n    _was: https://", 1)
    text = text.replace("    _was: ", "    # ", 1)
    page.write_text(text, encoding="utf-8")
    thesis = kb / "theses/gates.yaml"
    thesis.write_text(
        thesis.read_text(encoding="utf-8").replace(
            "position: It will.", f"position: It will, {LONG_WORD} {LONG_URL}"
        ),
        encoding="utf-8",
    )
    yield from _served(kb, tmp_path / "site")


def test_long_unbroken_words_and_addresses_do_not_overflow_a_phone(
    chromium: str, hostile_site: tuple[str, Path], tmp_path: Path
) -> None:
    import json
    import re

    base, out = hostile_site
    html = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert LONG_WORD in html and LONG_URL in html and LONG_ID in html  # the edits took
    dom = dump_dom(chromium, urljoin(base, _probe(out, 390)), tmp_path / "profile")
    found = re.search(r'<pre id="report">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    report = json.loads(found[1].replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    report.pop("control")
    assert report == {kind: [] for kind in PAGE_KINDS}
