"""Limits the Messages API enforces, as `../shared/docs/prompt-caching.md` states them.

One owner for each: rules and fixes import them from here rather than writing the numbers again.
"""

# Cache breakpoints per request, top-level automatic caching included; a fifth is a 400.
MAX_BREAKPOINTS = 4
