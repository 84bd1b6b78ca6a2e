"""Lint rules: the catalogue of codes, page-local rules and cross-file rules."""
