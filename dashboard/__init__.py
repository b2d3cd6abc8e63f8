"""Anchor Impact: what anchor institution networks achieve, by deprivation decile."""

__version__ = "0.1.0"
