"""Test-only helpers: a prompt-cache simulator and a fake Anthropic API on loopback.

Import them as `tests.support.cache_simulator` and `tests.support.fake_api` (tests/conftest.py
puts the repository root on sys.path and provides the `fake_anthropic` fixture).
"""
