"""The only place YAML is read or written.

`load` turns bytes into plain data (dicts, lists, str, int, float, bool, None) with the
composed node tree kept for positions; `render` writes plain values as YAML text; `page`
writes a whole new page; `edit` changes a page's text surgically: `ops` are the edits and
their meaning on plain data, `geometry` finds where things are in the text, `setvalue`
and `listedit` turn `Set` and `Insert`/`Delete` ops into splices.
"""
