"""Test-only helpers, imported as `tests.support.<module>`:

- `rule_harness`: lint a source, fix it with the product's own fixer, read `# CL001` markers,
  check or rewrite goldens (`CACHELINT_UPDATE_GOLDENS=1`);
- `cache_simulator` and `fake_api`: a prompt-cache simulator and a fake Anthropic API on
  loopback (tests/conftest.py provides the `fake_anthropic` fixture).
"""
