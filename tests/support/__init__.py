"""Test-only helpers: a prompt-cache simulator and a fake Anthropic API on loopback.

Import them as `tests.support.cache_simulator` and `tests.support.fake_api` (tests/conftest.py
provides the `fake_anthropic` fixture).
"""
