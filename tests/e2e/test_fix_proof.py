"""End-to-end proof of every fix: real programs, the real SDK, the real CLI, a simulated cache.

For each case of tests/e2e/cases.py, the example program (tests/fixtures/e2e/) is fixed with
`cachelint fix --select RULE [--unsafe-fixes]`, then the unfixed and the fixed program run the
same scripted session against the fake API (tests/support/fake_api.py) through the installed
`anthropic` SDK. The tests assert that
(a) the fixed program runs: no exception, no request refused by the simulated API;
(b) the model receives the same text: SAFE fixes change only caching metadata (requests compared
    block for block with every `cache_control` removed), UNSAFE splits keep the concatenated
    text (CL203 keeps the same blocks in another order; CL303 changes only `max_tokens`);
(c) the bill changes as the rule's docs say (cache writes and reads per call, billed input in
    base-input-token equivalents from tests/support/cache_simulator.py).
Finally every program is fixed with every rule at once by `python -m cachelint fix
--unsafe-fixes` in a child process, must still run, and a second run must have nothing to fix.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, Tuple

import pytest

from cachelint.run.analysis import analyze_text
from cachelint.core.options import AnalysisOptions
from tests.e2e import harness
from tests.e2e.cases import (
    CASES,
    PROGRAMS,
    SAFE,
    TEST_HASH_SEEDS,
    ProofCase,
    case_for_program,
)

pytestmark = pytest.mark.slow  # runs programs, the CLI and the fake API in subprocesses

OBSOLETE_BETA = "prompt-caching-2024-07-31"

# What the unfixed program's bill looks like, in the words of each rule's docs.
UNCACHED = "nothing is cached"  # CL001, CL003, CL302: no breakpoint at all
WRITES_NEVER_READS = "every call writes, none reads"  # CL002, CL201, CL203
WRITE_PER_PROCESS = "each process writes its own entry"  # CL202
BEFORE_BILL = {
    "CL001": UNCACHED,
    "CL003": UNCACHED,
    "CL302": UNCACHED,
    "CL002": WRITES_NEVER_READS,
    "CL201": WRITES_NEVER_READS,
    "CL203": WRITES_NEVER_READS,
    "CL202": WRITE_PER_PROCESS,
}


@dataclass(frozen=True)
class Proof:
    case: ProofCase
    source: str
    fixed: harness.FixRun
    before: harness.ProgramRun
    after: harness.ProgramRun


_runs: Dict[Tuple[str, int, Any, Tuple[int, ...]], harness.ProgramRun] = {}
_proofs: Dict[str, Proof] = {}


def run_once(path: Path, case: ProofCase) -> harness.ProgramRun:
    """Run a program's session, once per distinct source text (the unfixed ones are shared)."""
    seeds = TEST_HASH_SEEDS if case.per_process else ()
    key = (path.read_text(encoding="utf-8"), case.calls, case.responder, seeds)
    if key not in _runs:
        _runs[key] = harness.run_program(path, case.calls, responder=case.responder, hash_seeds=seeds)
    return _runs[key]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fix-proof")


def proof_of(case: ProofCase, workdir: Path) -> Proof:
    """Fix the case's program and run both versions (once per case for the whole module)."""
    if case.id not in _proofs:
        source_path = harness.PROGRAMS_DIR / case.program
        fixed = harness.fix_program(source_path, workdir / case.id, case.select, unsafe=case.level != SAFE)
        _proofs[case.id] = Proof(
            case=case,
            source=source_path.read_text(encoding="utf-8"),
            fixed=fixed,
            before=run_once(source_path, case),
            after=run_once(workdir / case.id / case.program, case),
        )
    return _proofs[case.id]


@pytest.fixture(params=CASES, ids=lambda case: case.id)
def proof(request, workdir) -> Proof:
    return proof_of(request.param, workdir)


def findings(source: str, code: str):
    return [d for d in analyze_text(source, "program.py", AnalysisOptions()).diagnostics if d.code == code]


# -- the fix itself --------------------------------------------------------------------------------


def test_the_fix_is_applied_at_the_documented_level(proof: Proof):
    case = proof.case
    before = findings(proof.source, case.rule)
    assert before, "the program must exercise %s" % case.rule
    assert {d.fix.applicability.value for d in before if d.fix is not None and d.fix.edits} == {case.level}
    assert proof.fixed.exit_code == 0, proof.fixed.output
    assert proof.fixed.text != proof.source
    compile(proof.fixed.text, case.program, "exec")
    assert findings(proof.fixed.text, case.rule) == []


# -- (a) the fixed program runs on the real SDK ------------------------------------------------------


def test_fixed_program_runs_on_the_real_sdk(proof: Proof):
    case, before, after = proof.case, proof.before, proof.after
    if case.before_error:
        assert before.error is not None and before.error.startswith(case.before_error + ":"), before.errors
    else:
        assert before.errors == () and before.rejected == []
    assert after.errors == ()
    assert after.rejected == []
    assert len(after.usages) == case.calls


# -- (b) the model receives the same text -----------------------------------------------------------


def _pairs(proof: Proof) -> List[Tuple[Dict[str, Any], Dict[str, Any]]]:
    before, after = proof.before.sent_params, proof.after.sent_params
    if proof.case.before_error:
        assert len(before) >= 1  # the refused request was still sent and recorded
    else:
        assert len(before) == len(after) == proof.case.calls
    return list(zip(before, after))


def _sorted_topics(params: Mapping[str, Any]) -> Dict[str, Any]:
    """Sort the comma-separated topic list that tagged_catalog.py builds from a set."""
    view = harness.without_caching(params)
    for block in view["system"]:
        block["text"] = re.sub(
            r"Topics you may discuss: ([^\n]*)\.",
            lambda m: "Topics you may discuss: %s." % ", ".join(sorted(m.group(1).split(", "))),
            block["text"],
        )
    return view


def _without_max_tokens(params: Mapping[str, Any]) -> Dict[str, Any]:
    view = harness.without_caching(params)
    view.pop("max_tokens", None)
    return view


def _module_strings(source: str) -> Tuple[set, set]:
    """Module-level string constants, and the strings inside module-level list literals."""
    constants, listed = set(), set()
    for statement in ast.parse(source).body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant):
            if isinstance(statement.value.value, str):
                constants.add(statement.value.value)
        elif isinstance(statement, ast.Assign) and isinstance(statement.value, (ast.List, ast.Tuple)):
            listed.update(
                node.value
                for node in ast.walk(statement.value)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            )
    return constants, listed


def test_the_model_receives_the_same_text(proof: Proof):
    mode = proof.case.same_text
    if mode == "after-only":
        # The unfixed program crashed before sending anything: what the fixed one sends must be
        # exactly the program's own prompt and questions.
        constants, listed = _module_strings(proof.source)
        assert proof.before.sent_params == []
        for params in proof.after.sent_params:
            view = harness.without_caching(params)
            assert [block["text"] for block in view["system"]] in [[c] for c in constants]
            assert [m["content"][0]["text"] for m in view["messages"]] in [[q] for q in listed]
        return
    views = {
        "blocks": harness.without_caching,
        "joined": harness.joined_text,
        "reordered": harness.system_blocks_as_multiset,
        "sorted-topics": _sorted_topics,
        "blocks-but-max-tokens": _without_max_tokens,
    }
    view = views[mode]
    for before, after in _pairs(proof):
        assert view(before) == view(after)
    if mode in ("joined", "reordered"):
        # The unsafe fix did change the block structure (or it would have been safe).
        assert any(harness.without_caching(b) != harness.without_caching(a) for b, a in _pairs(proof))


def test_set_order_depended_on_the_process_before_the_fix_only(workdir: Path):
    """CL202's premise: each worker process sent its own prefix; after the fix all send one."""
    proof_ = proof_of(next(c for c in CASES if c.per_process), workdir)
    systems_before = {json.dumps(p["system"]) for p in proof_.before.sent_params}
    systems_after = {json.dumps(p["system"]) for p in proof_.after.sent_params}
    assert len(systems_before) == len(TEST_HASH_SEEDS)
    assert len(systems_after) == 1


BETA_CASES = [c for c in CASES if c.rule in ("CL104", "CL105")]


@pytest.mark.parametrize("case", BETA_CASES, ids=lambda case: case.id)
def test_beta_flags_after_the_fix(case: ProofCase, workdir: Path):
    proof_ = proof_of(case, workdir)
    after = proof_.after.message_requests
    if case.level == SAFE:
        assert not any(OBSOLETE_BETA in r.betas for r in after)
    else:
        # CL104's unsafe fix moves the call to the beta namespace, which sends the betas it was
        # given as the `anthropic-beta` header (the feature the program asked for is kept).
        assert all("token-efficient-tools-2025-02-19" in r.betas for r in after)
    if case.rule == "CL105" and case.before_error is None:
        assert any(OBSOLETE_BETA in r.betas for r in proof_.before.message_requests)


# -- (c) the bill changes as the docs say -------------------------------------------------------------


def _assert_static_prefix_read(rows: List[Tuple[int, int, int]]):
    """The first call writes the static prefix; every later call reads exactly that prefix."""
    first_write = rows[0][1]
    assert first_write > 0 and rows[0][2] == 0
    for _, creation, read in rows[1:]:
        assert (creation, read) == (0, first_write)


def _assert_history_read(run: harness.ProgramRun):
    """Each turn that extends the previous request reads everything the previous turn sent."""
    rows = harness.usage_rows(run)
    params = run.sent_params
    assert rows[0][2] == 0 and rows[0][1] > 0
    for index in range(1, len(rows)):
        previous, current = params[index - 1], params[index]
        extends = current["messages"][: len(previous["messages"])] == previous["messages"]
        if extends:
            assert rows[index][2] == sum(rows[index - 1])
        else:
            assert rows[index][2] > 0  # a new task still reads the shared tools + system prefix


def _assert_before_bill(rule: str, rows: List[Tuple[int, int, int]]):
    pattern = BEFORE_BILL[rule]
    if pattern == UNCACHED:
        assert all(creation == 0 and read == 0 for _, creation, read in rows)
    elif pattern == WRITES_NEVER_READS:
        assert all(creation > 0 and read == 0 for _, creation, read in rows)
    elif pattern == WRITE_PER_PROCESS:
        writes = [row for row in rows if row[1] > 0]
        assert len(writes) == len(TEST_HASH_SEEDS)
        assert all(read > 0 for _, creation, read in rows if creation == 0)


def test_billed_input_drops_as_documented(proof: Proof):
    case, before, after = proof.case, proof.before, proof.after
    rows_before, rows_after = harness.usage_rows(before), harness.usage_rows(after)
    if case.claim == "static-prefix-read":
        _assert_before_bill(case.rule, rows_before)
        _assert_static_prefix_read(rows_after)
        assert after.costs.billed_equivalents < before.costs.billed_equivalents
    elif case.claim == "history-read":
        _assert_before_bill(case.rule, rows_before)
        _assert_history_read(after)
        assert after.costs.billed_equivalents < before.costs.billed_equivalents
    elif case.claim == "crash-removed":
        assert before.usages == ()  # nothing was ever billed: the program died on its first call
        _assert_static_prefix_read(rows_after)  # the fixed program now caches as it meant to
    elif case.claim == "same-bill":
        assert rows_before == rows_after
        assert before.costs == after.costs
    elif case.claim == "no-output-tokens":
        assert rows_before == rows_after  # input bill unchanged
        assert before.usages[0]["output_tokens"] > 0
        assert after.usages[0]["output_tokens"] == 0
        assert [u["output_tokens"] for u in before.usages[1:]] == [u["output_tokens"] for u in after.usages[1:]]
    else:  # pragma: no cover - a new claim needs its assertion
        raise AssertionError("unknown claim %r" % case.claim)


# -- every rule at once, through `python -m cachelint fix --unsafe-fixes` --------------------------------


@pytest.fixture(scope="module")
def fixed_with_every_rule(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("every-rule")
    for program in PROGRAMS:
        shutil.copyfile(harness.PROGRAMS_DIR / program, directory / program)
    first = harness.fix_with_cli_subprocess([directory], cwd=directory, unsafe=True)
    assert first.returncode in (0, 1), first.stdout + first.stderr
    assert "internal error" not in first.stdout + first.stderr
    return directory


def test_fixing_every_program_twice_changes_nothing_more(fixed_with_every_rule: Path):
    snapshot = {p.name: p.read_text(encoding="utf-8") for p in fixed_with_every_rule.glob("*.py")}
    second = harness.fix_with_cli_subprocess([fixed_with_every_rule], cwd=fixed_with_every_rule, unsafe=True)
    assert second.returncode in (0, 1), second.stdout + second.stderr
    assert {p.name: p.read_text(encoding="utf-8") for p in fixed_with_every_rule.glob("*.py")} == snapshot


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_fix_together_keeps_the_program_running(program: str, fixed_with_every_rule: Path):
    case = case_for_program(program)
    fixed_path = fixed_with_every_rule / program
    source = (harness.PROGRAMS_DIR / program).read_text(encoding="utf-8")
    assert fixed_path.read_text(encoding="utf-8") != source
    before = run_once(harness.PROGRAMS_DIR / program, case)
    after = run_once(fixed_path, case)
    assert after.errors == () and after.rejected == []
    assert len(after.usages) == case.calls
    if not case.before_error:
        assert after.costs.billed_equivalents <= before.costs.billed_equivalents
        assert [harness.joined_text(p)["messages"] for p in after.sent_params] == [
            harness.joined_text(p)["messages"] for p in before.sent_params
        ]


# -- regressions these proofs found -----------------------------------------------------------------------
# `anthropic>=0.83` was read as (0, 83) < (0, 83, 0), so CL302 offered no fix; and CL002's unsafe
# split of a set iteration won its overlap with CL202's safe `sorted(...)`.


def test_cl302_fix_is_offered_to_a_project_declaring_anthropic_0_83(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "helpdesk"\nversion = "1.0"\ndependencies = ["anthropic>=0.83"]\n', encoding="utf-8"
    )
    fixed = harness.fix_program(harness.PROGRAMS_DIR / "helpdesk_chat.py", tmp_path, ("CL302",), unsafe=False)
    assert 'cache_control={"type": "ephemeral"}' in fixed.text


def test_every_fix_together_makes_the_set_order_canonical(fixed_with_every_rule: Path):
    case = next(c for c in CASES if c.per_process)
    after = run_once(fixed_with_every_rule / case.program, case)
    assert len({json.dumps(p["system"]) for p in after.sent_params}) == 1
