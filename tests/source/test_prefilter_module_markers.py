"""The prefilter's test for rules that report outside requests (CL105): a file is kept when it
names the removed `beta.prompt_caching` namespace, or names the caching beta together with a
`default_headers=` keyword; the beta alone (a list of beta names) cannot hold a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from cachelint.run import runner
from cachelint.config.settings import discover_config
from cachelint.source.prefilter import has_module_rule_marker
from cachelint.run.triage import triage
from cachelint.rules._betas import CACHING_BETA
from cachelint.run.scheduler import RunOptions

MODULE_RULES = Path(__file__).resolve().parents[1] / "fixtures" / "speed" / "module_rules"


@pytest.mark.parametrize(
    "source",
    [
        "create = client.beta.prompt_caching.messages.create\n",
        "x = client.beta . prompt_caching\n",
        f'anthropic.Anthropic(default_headers={{"anthropic-beta": "{CACHING_BETA}"}})\n',
        f'HEADERS = {{"anthropic-beta": "{CACHING_BETA}"}}\nmake(default_headers=HEADERS)\n',
    ],
)
def test_kept(source):
    assert has_module_rule_marker(source.encode())
    assert triage("x.py", source.encode()).analysed


@pytest.mark.parametrize(
    "source",
    [
        f'BETAS = Literal["files-api-2025-04-14", "{CACHING_BETA}"]\n',
        "def cache(): return caching_layer()\n",  # the shared word alone
        "client = anthropic.Anthropic(default_headers={'x-team': 'search'})\n",
    ],
)
def test_dropped(source):
    assert not has_module_rule_marker(source.encode())
    assert not triage("x.py", source.encode()).analysed


def test_a_list_of_beta_names_is_skipped_and_reports_nothing(monkeypatch):
    monkeypatch.chdir(MODULE_RULES)
    data = Path("beta_names.py").read_bytes()
    assert CACHING_BETA.encode() in data and not triage("x.py", data).analysed
    results = []
    for prefilter in (True, False):
        result = runner.check_paths(
            ["beta_names.py"], discover_config(["."]), run_options=RunOptions(jobs=1, prefilter=prefilter)
        )
        results.append((result.diagnostics, result.errors, result.checked_files))
    assert results[0] == results[1] == ((), (), 1)
