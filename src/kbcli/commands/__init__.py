"""One module per command verb, each a typed function from plain values to an exit code."""
