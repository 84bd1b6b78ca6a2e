"""A page of the site as Markdown (CommonMark), for a repository's own page viewer.

Text from the KB is escaped so it reads as written: every ASCII punctuation character
Markdown could take for syntax is backslash-escaped (`<script>` becomes `\\<script\\>`, which
no renderer runs), after `safetext.visible` (no control or bidi character reaches the
page). Links are relative, as in the HTML; a source's url is percent-encoded by
`html.link`, so nothing in it can end the link or start another. Claims carry an HTML anchor
(`<a id="claim-...">`) so that theses can link to them, as they do in the HTML.
"""

from __future__ import annotations

import html
import re

from kbcli.render.html import href
from kbcli.render.pages import Block, Bullets, Details, Page, Para, Span
from kbcli.safetext import visible

SUFFIX = ".md"

# Inline syntax anywhere; block syntax only where a line starts (each paragraph and
# item is one line). A backslash before other punctuation would be harmless, but noisy.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")
_LINE_START = re.compile(r"^([#+=-])")
_ORDERED_START = re.compile(r"^(\d+)([.)])")


def write(page: Page) -> str:
    """The page as a Markdown document."""
    parts = [f"[Index]({href(page, page.up, SUFFIX)})"] if page.up is not None else []
    parts.append(f"# {escape(page.title)}")
    parts += [_block(page, block, 2) for block in page.blocks]
    return "\n\n".join(parts) + "\n"


def escape(text: str) -> str:
    """`text` as literal Markdown text."""
    one_line = visible(" ".join(text.split()), commands=False)  # no CI reads a page
    escaped = _LINE_START.sub(r"\\\1", _SPECIAL.sub(r"\\\1", one_line))
    return _ORDERED_START.sub(r"\1\\\2", escaped)  # "1. " would start a list


def _block(page: Page, block: Block, level: int) -> str:
    if isinstance(block, Para):
        return _spans(page, block.spans)
    if isinstance(block, Bullets):
        return "\n".join(_item(page, item.spans, item.anchor) for item in block.items)
    if isinstance(block, Details):  # GitHub and most viewers fold it, as the HTML does
        inner = [_block(page, b, level) for b in block.blocks]
        summary = f"<details><summary>{html.escape(block.summary)}</summary>"
        return "\n\n".join([summary, *inner, "</details>"])
    heading = f'<a id="{block.anchor}"></a>\n{"#" * level} {escape(block.heading)}'
    return "\n\n".join([heading, *(_block(page, b, level + 1) for b in block.blocks)])


def _item(page: Page, spans: tuple[Span, ...], anchor: str | None) -> str:
    mark = f'<a id="{anchor}"></a>' if anchor else ""
    return f"- {mark}{_spans(page, spans)}"


def _spans(page: Page, spans: tuple[Span, ...]) -> str:
    return "".join(_span(page, span) for span in spans)


def _span(page: Page, span: Span) -> str:
    if not span.text.strip():
        return span.text  # the spaces between spans
    lead = " " if span.text[0].isspace() else ""
    trail = " " if span.text[-1].isspace() else ""
    text = escape(span.text)
    if span.style == "strong":
        text = f"**{text}**"
    elif span.style is not None and span.style.startswith(("status-", "evidence-")):
        text = f"*{text}*"
    if span.href is not None:
        text = f"[{text}]({href(page, span.href, SUFFIX)})"
    return f"{lead}{text}{trail}"
