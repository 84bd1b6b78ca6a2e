"""The only place YAML is read or written.

`load` turns bytes into plain data (dicts, lists, str, int, float, bool, None) with the
composed node tree kept for positions; `edit` changes a page's text surgically.
"""
