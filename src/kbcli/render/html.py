"""A page of the site as HTML: plain, readable, no JavaScript, every text escaped.

Every piece of text from the KB goes through `escape`: `html.escape` (quotes too), so a
statement holding `<script>` shows as text, after `safetext.visible` (line breaks and tabs
kept: they are only spaces here), so no control or bidi character reaches the page. A
source's url is percent-encoded where a link target may not hold a character (`link`).
Links to pages of the site are relative, so the site works from a web server, a subfolder
or `file://` alike. The style sheet is inline (one file per page, nothing else to copy)
and only sets type, spacing and colours.
"""

from __future__ import annotations

import posixpath
import re
from html import escape as _html_escape

from kbcli.render.pages import Block, Bullets, Details, Page, Para, Span, Target
from kbcli.safetext import visible

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


def escape(text: str) -> str:
    """Text from the KB as HTML text or an attribute value."""
    return _html_escape(visible(text, keep="\n\t", commands=False))  # no CI reads a page


def href(page: Page, target: Target | str, suffix: str) -> str:
    """`target` as `page` links to it: relative for a page of the site; an outside
    address percent-encoded (`link`)."""
    if isinstance(target, str):
        return link(target)
    here = posixpath.dirname(page.path) or "."
    relative = posixpath.relpath(target.page + suffix, here)
    return relative + (f"#{target.anchor}" if target.anchor else "")


def _class(style: str | None) -> str:
    return f' class="{escape(style)}"' if style else ""


def _id(anchor: str | None) -> str:
    return f' id="{escape(anchor)}"' if anchor else ""


# What a link target may hold as it is (RFC 3986's unreserved and reserved characters, and
# `%` of the encodings already made). Everything else (whitespace, control and format
# characters, quotes, `<`, `>`, `(`, `)`, backslash, non-ASCII) is percent-encoded as
# UTF-8: a Markdown link cannot end early, an HTML attribute cannot, and a browser cannot
# drop a tab or newline from the address to find another scheme in it.
_UNSAFE_IN_LINK = re.compile(r"[^A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+")


def link(url: str) -> str:
    """`url` percent-encoded where a link target may not hold a character as it is."""
    return _UNSAFE_IN_LINK.sub(lambda m: _percent(m.group()), url)


def _percent(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode("utf-8", "surrogatepass"))
