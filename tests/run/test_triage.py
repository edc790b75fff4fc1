"""`run.triage`: the one "skip this file" decision of the scheduler and the fast path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cachelint.resolve.importscan import RequestModules
from cachelint.resolve.modules import ModuleResolver
from cachelint.run.triage import Triage, calls_request_wrapper, project_imports, triage

WRAPPERS = Path(__file__).resolve().parent.parent / "fixtures" / "speed" / "wrappers"
REQUEST = b"import anthropic\nanthropic.Anthropic().messages.create(model='m', max_tokens=1, messages=[])\n"


@pytest.mark.parametrize(
    "path, data, verdict",
    [
        ("bot.py", REQUEST, Triage.ANALYSE_WITH_REQUESTS),
        ("old.py", b"create = client.beta.prompt_caching.messages.create\n", Triage.ANALYSE),
        ("plain.py", b"import os\nprint(os.getcwd())\n", Triage.ANALYSE_IF_WRAPPER_CALLER),
        ("docs.py", b'"""Call `client.messages.create(...)` to ask."""\n', Triage.ANALYSE_IF_WRAPPER_CALLER),
        # notebooks: analysed whatever their bytes (the JSON hides the code from the prefilter)
        ("nb.ipynb", b"{}", Triage.ANALYSE),
        ("NB.IPYNB", REQUEST, Triage.ANALYSE),
    ],
)
def test_verdicts(path, data, verdict):
    assert triage(path, data) is verdict


def test_what_a_verdict_means():
    assert [v for v in Triage if v.analysed] == [Triage.ANALYSE_WITH_REQUESTS, Triage.ANALYSE]
    assert [v for v in Triage if v.may_hold_requests] == [Triage.ANALYSE_WITH_REQUESTS]


def test_a_skipped_file_is_analysed_when_it_calls_a_wrapper():
    modules = ModuleResolver()
    llm = str((WRAPPERS / "shop" / "llm.py").resolve())
    assert triage(llm, Path(llm).read_bytes()).may_hold_requests
    is_request_module = RequestModules(with_requests=[llm])

    def analysed(relative: str) -> bool:
        path = WRAPPERS / relative
        absolute, data = os.path.abspath(path), path.read_bytes()
        assert triage(absolute, data) is Triage.ANALYSE_IF_WRAPPER_CALLER
        imported = project_imports(absolute, data, modules)
        return calls_request_wrapper(absolute, data, imported, modules, is_request_module)

    assert analysed("app/main.py")
    assert analysed("app/aliased.py")
    assert not analysed("app/reexport.py")  # imports the wrapper, never calls it
    assert not analysed("app/unrelated.py")  # calls an `ask` of its own


def test_no_request_module_no_wrapper_caller():
    modules = ModuleResolver()
    path = WRAPPERS / "app" / "main.py"
    data = path.read_bytes()
    imported = project_imports(str(path), data, modules)
    assert imported  # it imports from shop.llm
    nothing_holds_requests = RequestModules(without_requests=imported)
    assert not calls_request_wrapper(str(path), data, imported, modules, nothing_holds_requests)
