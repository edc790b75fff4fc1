"""Client options (initializationOptions / didChangeConfiguration) and per-file settings."""

from __future__ import annotations

from cachelint.server.config import ClientOptions, SettingsCache


def test_options_accept_both_spellings_and_keep_what_is_missing():
    options = ClientOptions.parse({"cachelint": {"select": "CL001,CL002", "unsafeFixes": True}})
    assert options.select == ("CL001", "CL002") and options.unsafe_fixes
    again = ClientOptions.parse({"ignore": ["CL002"], "extend-select": ["CL3"]}, options)
    assert again.select == ("CL001", "CL002") and again.ignore == ("CL002",)
    assert again.extend_select == ("CL3",) and again.unsafe_fixes
    assert ClientOptions.parse(None, again) == again
    assert ClientOptions.parse({"unsafeFixes": "yes", "select": 3}, again) == again
    assert ClientOptions.parse({"debounceMs": 0}).debounce_seconds == 0.0


def test_the_nearest_pyproject_and_the_client_layer(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.cachelint]\nignore = ["CL001"]\n')
    (tmp_path / "pkg").mkdir()
    path = str(tmp_path / "pkg" / "bot.py")
    cache = SettingsCache()
    found = cache.settings_for(path, ClientOptions(), str(tmp_path))
    assert found.problem is None and "CL001" not in found.settings.enabled_codes
    assert found.settings.config_path == str(tmp_path / "pyproject.toml")
    narrowed = cache.settings_for(path, ClientOptions(select=("CL002",)), str(tmp_path))
    assert narrowed.settings.enabled_codes - {"CL000"} == frozenset({"CL002"})


def test_a_broken_configuration_falls_back_to_the_defaults(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.cachelint]\nnot-a-key = 1\n')
    found = SettingsCache().settings_for(str(tmp_path / "bot.py"), ClientOptions(), str(tmp_path))
    assert found.problem and "not-a-key" in found.problem
    assert "CL001" in found.settings.enabled_codes
    bad_selector = SettingsCache().settings_for(
        str(tmp_path / "x" / "bot.py"), ClientOptions(select=("CL999",)), str(tmp_path / "x")
    )
    assert bad_selector.problem and "CL001" in bad_selector.settings.enabled_codes
