"""A page of the site as HTML: plain, readable, no JavaScript, every text escaped.

Every piece of text from the KB goes through `html.escape` (quotes too), so a statement
holding `<script>` shows as text. Links to pages of the site are relative, so the site
works from a web server, a subfolder or `file://` alike. The style sheet is inline (one
file per page, nothing else to copy) and only sets type, spacing and colours.
"""

from __future__ import annotations

import posixpath
from html import escape

from kbcli.render.pages import Block, Bullets, Details, Page, Para, Span, Target

SUFFIX = ".html"

_STYLE = """\
body { font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2328;
  background: #fff; max-width: 46rem; margin: 2rem auto; padding: 0 1rem;
  overflow-wrap: anywhere; }
h1 { margin-bottom: 0.25rem; }
h2 { margin-top: 2rem; border-bottom: 1px solid #d0d7de; }
a { color: #0550ae; }
li { margin: 0.35rem 0; }
:target { background: #fff8c5; }
nav { font-size: 0.9rem; }
.status { color: #57606a; font-variant: small-caps; margin-top: 0; }
.muted, .claim-id { color: #57606a; }
.claim-id { font: 0.8rem ui-monospace, monospace; text-decoration: none; }
.choices { list-style: none; padding-left: 0; }
details { margin: 0.5rem 0 1rem; }
summary { cursor: pointer; color: #0550ae; }
.evidence-strong { color: #1a7f37; }
.evidence-moderate { color: #9a6700; }
.evidence-weak { color: #cf222e; }
.status-current { color: #1a7f37; }
.status-stale, .status-unreviewed, .status-missing, .status-unreadable {
  color: #cf222e; font-weight: bold; }
"""


def write(page: Page) -> str:
    """The page as a complete HTML document."""
    body = "".join(_block(page, block, 2) for block in page.blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(page.title)}</title>\n"
        f"<style>\n{_STYLE}</style>\n"
        "</head>\n"
        "<body>\n"
        f"{_nav(page)}"
        "<main>\n"
        f"<h1>{escape(page.title)}</h1>\n"
        f"{body}"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )


def _nav(page: Page) -> str:
    if page.up is None:
        return ""
    return f'<nav><a href="{escape(href(page, page.up, SUFFIX))}">Index</a></nav>\n'


def _block(page: Page, block: Block, level: int) -> str:
    if isinstance(block, Para):
        return f"<p{_class(block.style)}>{_spans(page, block.spans)}</p>\n"
    if isinstance(block, Bullets):
        items = "".join(
            f"<li{_id(item.anchor)}>{_spans(page, item.spans)}</li>\n" for item in block.items
        )
        return f"<ul{_class(block.style)}>\n{items}</ul>\n"
    if isinstance(block, Details):
        inner = "".join(_block(page, b, level) for b in block.blocks)
        return f"<details><summary>{escape(block.summary)}</summary>\n{inner}</details>\n"
    inner = "".join(_block(page, b, level + 1) for b in block.blocks)
    heading = f"<h{level}>{escape(block.heading)}</h{level}>\n"
    return f'<section id="{escape(block.anchor)}">\n{heading}{inner}</section>\n'


def _spans(page: Page, spans: tuple[Span, ...]) -> str:
    return "".join(_span(page, span) for span in spans)


def _span(page: Page, span: Span) -> str:
    text = escape(span.text)
    if span.style == "strong":
        text = f"<strong>{text}</strong>"
    elif span.style is not None:
        text = f"<span{_class(span.style)}>{text}</span>"
    if span.href is None:
        return text
    return f'<a href="{escape(href(page, span.href, SUFFIX))}">{text}</a>'


def href(page: Page, target: Target | str, suffix: str) -> str:
    """`target` as `page` links to it: relative for a page of the site."""
    if isinstance(target, str):
        return target
    here = posixpath.dirname(page.path) or "."
    link = posixpath.relpath(target.page + suffix, here)
    return link + (f"#{target.anchor}" if target.anchor else "")


def _class(style: str | None) -> str:
    return f' class="{escape(style)}"' if style else ""


def _id(anchor: str | None) -> str:
    return f' id="{escape(anchor)}"' if anchor else ""
