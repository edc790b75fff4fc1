"""Configuration: finding pyproject.toml, validating [tool.cachelint], resolving the selection."""

from __future__ import annotations

import pathlib
import shutil

import pytest

from cachelint.config.file import (
    detect_target_sdk,
    find_config_file,
    find_project_root,
    parse_version,
    requirement_lower_bound,
)
from cachelint.config.selection import resolve_selection
from cachelint.config.settings import Config, SelectionLayer, build_settings, discover_config, load_config
from cachelint.core.errors import ConfigError, SelectorError
from cachelint.core.options import ModelOverride

CONFIGS = pathlib.Path(__file__).parents[1] / "fixtures" / "cli" / "config"
CODES = ("CL000", "CL001", "CL002", "CL003", "CL101", "CL102")


@pytest.fixture
def configs(tmp_path):
    root = tmp_path / "configs"
    shutil.copytree(CONFIGS, root)
    return root


def test_every_key_is_read(configs):
    config = load_config(str(configs / "full" / "pyproject.toml"))
    assert config.root == str(configs / "full")
    assert config.select == ("CL0",)
    assert config.ignore == ("CL002",)
    assert config.extend_select == ("CL003",)
    assert config.exclude == ("generated",)
    assert config.extend_exclude == ("legacy/*.py",)
    assert config.per_file_ignores == (("tests/**", ("CL001",)), ("scripts/*.py", ("CL0",)))
    assert config.default_model == "claude-haiku-4-5"
    assert config.chars_per_token == 3.5
    assert config.target_sdk == (0, 83, 0)
    assert config.report_unknown_size is False
    assert config.models == (
        ModelOverride(
            "claude-x", min_cache_tokens=2048, input_usd_per_mtok=2.5, cache_read_multiplier=0.05
        ),
    )


def test_settings_carry_the_options_for_the_analysis(configs):
    from cachelint.rules import ALL_CODES

    settings = build_settings(load_config(str(configs / "full" / "pyproject.toml")))
    expected = {code for code in ALL_CODES if code.startswith("CL0")} - {"CL002"}
    assert {"CL000", "CL001", "CL003"} <= expected
    assert settings.enabled_codes == expected
    options = settings.options
    assert options.enabled_codes == expected
    assert (options.default_model, options.chars_per_token, options.target_sdk) == (
        "claude-haiku-4-5",
        3.5,
        (0, 83, 0),
    )
    assert options.report_unknown_size is False
    assert options.model_overrides[0].model == "claude-x"
    assert settings.exclude == ("generated", "legacy/*.py")
    root = configs / "full"
    assert settings.codes_for(str(root / "tests" / "unit" / "test_x.py")) == expected - {"CL001"}
    assert settings.codes_for(str(root / "scripts" / "run.py")) == frozenset()
    assert settings.codes_for(str(root / "app.py")) == expected
    # "nothing enabled" must not turn into AnalysisOptions' "empty means every rule"
    assert not settings.options_for(str(root / "scripts" / "run.py")).is_enabled("CL001")


def test_nearest_config_wins_and_tables_without_a_section_are_skipped(configs):
    nested = configs / "nested"
    assert find_config_file(str(nested / "sub" / "pkg")) == str(nested / "pyproject.toml")
    assert find_project_root(str(nested / "sub" / "pkg")) == str(nested / "sub")
    assert find_config_file(str(configs / "no_section" / "inner")) is None


def test_discover_config_searches_from_the_first_path(configs, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    config = discover_config([str(configs / "nested" / "sub" / "pkg" / "module.py")])
    assert config.path == str(configs / "nested" / "pyproject.toml")
    assert discover_config([]).path is None  # nothing above tmp_path
    assert discover_config(["-"]).root == str(tmp_path)


def test_target_sdk_comes_from_the_projects_declared_requirement(configs):
    settings = build_settings(load_config(str(configs / "nested" / "pyproject.toml")))
    assert settings.options.target_sdk is None  # nested/ declares no anthropic requirement
    assert detect_target_sdk(str(configs / "nested" / "sub")) == (0, 83, 0)


def test_target_sdk_from_requirements_txt(tmp_path):
    (tmp_path / "requirements-dev.txt").write_text(
        "pytest\n# anthropic>=9\nanthropic~=0.49.0  # pinned\n"
    )
    assert detect_target_sdk(str(tmp_path)) == (0, 49, 0)
    assert detect_target_sdk(str(tmp_path / "missing")) is None


@pytest.mark.parametrize(
    "requirement, expected",
    [
        ("anthropic>=0.83", (0, 83)),
        ("anthropic >= 0.83.1, <1", (0, 83, 1)),
        ("anthropic[bedrock,vertex]==0.40.0", (0, 40, 0)),
        ("Anthropic~=1.2", (1, 2)),
        ("anthropic>=0.30; python_version >= '3.9'", (0, 30)),
        ("anthropic", None),
        ("anthropic<1", None),
        ("anthropic-bedrock>=0.8", None),
        ("anthropic @ git+https://example.invalid/anthropic", None),
    ],
)
def test_requirement_lower_bound(requirement, expected):
    assert requirement_lower_bound(requirement) == expected


def test_poetry_dependency_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.poetry.dependencies]\npython = "^3.9"\nanthropic = "^0.51"\n'
    )
    assert detect_target_sdk(str(tmp_path)) == (0, 51)


def test_parse_version():
    assert parse_version("0.83.0") == (0, 83, 0)
    assert parse_version(" 1 ") == (1,)
    assert parse_version("0.83-beta") is None


@pytest.mark.parametrize(
    "body, message",
    [
        ("line-length = 100", "unknown key `line-length` in [tool.cachelint]"),
        ('select = "CL001"', "`select` must be a list of strings"),
        ("chars-per-token = 0", "`chars-per-token` must be a positive number"),
        (
            'target-sdk = "latest"',
            "`target-sdk` must be a version string like \"0.83.0\", got 'latest'",
        ),
        ("target-sdk = 0.83", '`target-sdk` must be a version string like "0.83.0", got 0.83'),
        ('report-unknown-size = "yes"', "`report-unknown-size` must be true or false"),
        ('per-file-ignores = ["x"]', "`per-file-ignores` must be a table of glob = [codes]"),
        (
            '[tool.cachelint.models."m"]\nmin-tokens = 1',
            'unknown key `min-tokens` in [tool.cachelint.models."m"]',
        ),
        (
            '[tool.cachelint.models."m"]\nmin-cache-tokens = 1.5',
            '`models."m".min-cache-tokens` must be a non-negative integer',
        ),
        (
            '[tool.cachelint.models."m"]\ninput-usd-per-mtok = "3"',
            '`models."m".input-usd-per-mtok` must be a non-negative number',
        ),
    ],
)
def test_invalid_values_name_the_key(tmp_path, body, message):
    path = tmp_path / "pyproject.toml"
    path.write_text("[tool.cachelint]\n" + body + "\n")
    with pytest.raises(ConfigError) as raised:
        load_config(str(path))
    assert raised.value.one_line() == f"cachelint: error: {path}: {message}"


def test_invalid_toml_is_one_line(configs):
    path = configs / "invalid_toml" / "pyproject.toml"
    with pytest.raises(ConfigError) as raised:
        find_config_file(str(path.parent))
    line = raised.value.one_line()
    assert line.startswith(f"cachelint: error: {path}: invalid TOML: ")
    assert "\n" not in line


def test_missing_or_directory_config_flag(tmp_path):
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(str(tmp_path / "nope.toml"))
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(str(tmp_path))


def test_standalone_config_file_has_settings_at_top_level(tmp_path):
    path = tmp_path / "cachelint.toml"
    path.write_text('ignore = ["CL001"]\n')
    assert load_config(str(path)).ignore == ("CL001",)


# -- selection ------------------------------------------------------------------------------------


def resolve(*layers):
    return sorted(resolve_selection(layers, CODES))


def test_everything_is_enabled_by_default():
    assert resolve() == list(CODES)
    assert resolve(SelectionLayer()) == list(CODES)


def test_select_prefix_and_all():
    assert resolve(SelectionLayer(select=("CL1",))) == ["CL000", "CL101", "CL102"]
    assert resolve(SelectionLayer(select=("ALL",), ignore=("CL1",))) == [
        "CL000",
        "CL001",
        "CL002",
        "CL003",
    ]


def test_more_specific_selector_wins_and_ignore_wins_ties():
    assert resolve(SelectionLayer(select=("CL0",), ignore=("CL001",))) == [
        "CL000",
        "CL002",
        "CL003",
    ]
    assert resolve(SelectionLayer(select=("CL001",), ignore=("CL0",))) == ["CL001"]
    assert resolve(SelectionLayer(select=("CL001",), ignore=("CL001",))) == ["CL000"]


def test_syntax_errors_stay_reportable_unless_ignored():
    assert resolve(SelectionLayer(select=("CL101",))) == ["CL000", "CL101"]
    assert resolve(SelectionLayer(ignore=("CL000",))) == [
        "CL001",
        "CL002",
        "CL003",
        "CL101",
        "CL102",
    ]
    assert resolve(SelectionLayer(ignore=("ALL",))) == []
    # ignored by the configuration, selected again on the command line
    assert resolve(
        SelectionLayer(ignore=("CL000",)), SelectionLayer(extend_select=("CL000",))
    ) == list(CODES)


def test_command_line_layer_over_configuration():
    config = SelectionLayer(select=("CL0",), ignore=("CL003",), origin="config")
    assert resolve(config, SelectionLayer(extend_select=("CL101",))) == [
        "CL000",
        "CL001",
        "CL002",
        "CL101",
    ]
    assert resolve(config, SelectionLayer(select=("CL1",))) == ["CL000", "CL101", "CL102"]
    assert resolve(config, SelectionLayer(ignore=("CL001",))) == ["CL000", "CL002"]


def test_selectors_are_case_insensitive():
    assert resolve(SelectionLayer(select=("cl10",))) == ["CL000", "CL101", "CL102"]


@pytest.mark.parametrize("selector", ["CL999", "CL9", "E501", "X", ""])
def test_unknown_selector_names_the_code_and_where_it_came_from(selector):
    with pytest.raises(SelectorError) as raised:
        resolve_selection([SelectionLayer(select=(selector,), origin="--select")], CODES)
    assert (
        raised.value.one_line()
        == f"cachelint: error: unknown rule selector `{selector}` in --select"
    )


def test_unknown_code_in_configuration_is_an_error(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.cachelint]\nextend-select = ["CL999"]\n')
    with pytest.raises(SelectorError) as raised:
        build_settings(load_config(str(path)))
    assert raised.value.one_line() == (
        f"cachelint: error: unknown rule selector `CL999` in {path} ([tool.cachelint])"
    )
    path.write_text('[tool.cachelint]\nper-file-ignores = { "x.py" = ["CL9"] }\n')
    with pytest.raises(SelectorError, match="unknown rule selector `CL9`"):
        build_settings(load_config(str(path)))


def test_default_config_is_rooted_at_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_config(None) == Config(root=str(tmp_path))


def test_codes_read_from_rule_file_names_are_the_rule_classes_codes():
    """Selection expands codes without importing the rules (rule_codes.py reads file names)."""
    from cachelint.core.codes import _rule_codes, all_codes
    from cachelint.rules import ALL_CODES

    assert all_codes() == tuple(sorted(ALL_CODES))
    assert "CL000" not in _rule_codes()
