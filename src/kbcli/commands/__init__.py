"""One module per `kb` verb, each a thin layer over the core's noun modules."""
