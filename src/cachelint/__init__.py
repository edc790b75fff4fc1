"""cachelint: find and fix Anthropic prompt-caching mistakes in Python code."""

__version__ = "0.1.0"
