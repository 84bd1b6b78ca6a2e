"""One module per `kb` verb, named after it: `kb add-claim` is `commands/add_claim.py`
(`kb import` is `import_page.py`, `import` being Python's).

Each holds the verb as a typed function from plain values to an exit code, `run`, as
pre-commit's commands are: it loads the config, checks what only this verb checks, calls
the core nouns, prints the result (through `terminal.py`) and returns 0, or 1 for findings
or a refusal; errors are raised as `KbError` and become exit codes in `cli/__init__.py`
alone. `run` takes the KB root, or, where the options decide where to look (`lint` near
its first path, `schema` near DIR) or are checked before any KB is looked for (`new`,
`render`), the function that finds it. Beside `run`, a verb that edits pages keeps the
edit itself as a function returning its result (`add_claim.add_claim`,
`changelog.add_entry`, `new.new_page`, `review.review`, `import_page.import_page`,
`merge_claims.merge_claims`), which tests call directly. No core module imports one of
these modules (tests/test_layering.py checks it).
"""
