"""Showing the KB to readers: what no single page holds (`model`), what each page of the
static site says (`pages`), written as HTML (`html`) or Markdown (`markdown`), and the site
as a whole (`site`: `kb render` and `kb render --check`). `kb show` uses `model` too.

Kept empty of imports, so `kb show` pays only for the modules it uses.
"""
