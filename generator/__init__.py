"""Bản tin: a static site generator for a Vietnamese news bulletin."""

__version__ = "0.1.0"
