"""One module per `kb` verb, each a typed function from plain values to its result."""
