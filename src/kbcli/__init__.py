"""kb: keep a knowledge base of concept pages honest."""

__version__ = "0.1.0"
