"""Run an example program on the real `anthropic` SDK against the fake API; fix it with the CLI.

A program (tests/fixtures/e2e/*.py) creates `anthropic.Anthropic()` at import time, so the SDK
reads ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY: `run_program` points them at a fresh
`FakeAnthropicServer` (its own cache simulator) and calls the program's `run_session(calls)`.
With `hash_seeds`, the session is split over worker processes (one per PYTHONHASHSEED, run one
after another against the same cache), like a pool of workers or a service that restarts.

Message Batches are recorded by the fake API but not cached by it; `run_program` bills a
batch's requests by passing their params through one `CacheSimulator`, one after another at the
same moment: the best case for a batch, whose cache hits the API only gives on a best-effort
basis.

`fix_program` applies fixes with the real command line (`cachelint fix`), in process through
click's test runner; `fix_with_cli_subprocess` runs `python -m cachelint fix` as a user would.
The "views" below say what the model receives, so that before/after requests can be compared.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Any,
    Callable,
    Dict,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
)

from tests.support.cache_simulator import (
    CacheSimulator,
    CostSummary,
    SimulatedApiError,
    summarize_costs,
)
from tests.support.fake_api import (
    FakeAnthropicServer,
    RecordedRequest,
    Reply,
    text_reply,
    tool_use_reply,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
PROGRAMS_DIR = REPO_ROOT / "tests" / "fixtures" / "e2e"
WORKER_SCRIPT = Path(__file__).resolve().with_name("worker.py")
BASE_URL_ENV = "ANTHROPIC_BASE_URL"
API_KEY_ENV = "ANTHROPIC_API_KEY"
WORKER_TIMEOUT_SECONDS = 120.0

Responder = Callable[[Mapping[str, Any]], Reply]
_module_numbers = itertools.count(1)


# ---------------------------------------------------------------------------------------------
# Fake model behaviour


def agent_responder(lookups_per_task: int = 3) -> Responder:
    """Ask for `lookup_clause` until a task has made `lookups_per_task` lookups, then answer.

    A task starts with one user message and each lookup adds an assistant and a user message.
    """

    def respond(body: Mapping[str, Any]) -> Reply:
        lookups_done = (len(body.get("messages") or []) - 1) // 2
        if lookups_done < lookups_per_task:
            return tool_use_reply("lookup_clause", {"number": "4.2" if lookups_done % 2 == 0 else "7.1"})
        return text_reply("Clause 4.2 allows termination on 30 days' notice; liability is capped by 7.1.")

    return respond


RESPONDERS: Dict[str, Callable[[], Responder]] = {"agent": agent_responder}


# ---------------------------------------------------------------------------------------------
# Running a program


@dataclass(frozen=True)
class ProgramRun:
    """What one scripted session of a program sent, and what it was billed."""

    requests: Tuple[RecordedRequest, ...]  # everything the fake API received, in order
    errors: Tuple[str, ...]  # "TypeError: ..." per crashed session (worker); empty when all ran
    usages: Tuple[Mapping[str, Any], ...]  # per billed request: messages, then batch requests
    model: Optional[str]

    @property
    def error(self) -> Optional[str]:
        return self.errors[0] if self.errors else None

    @property
    def message_requests(self) -> List[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v1/messages"]

    @property
    def rejected(self) -> List[RecordedRequest]:
        """Requests the fake API answered with an error status."""
        return [r for r in self.requests if r.status != 200]

    @property
    def sent_params(self) -> List[Dict[str, Any]]:
        """The params of every request that reached the API (batch requests one by one)."""
        params: List[Dict[str, Any]] = []
        for request in self.requests:
            if request.path == "/v1/messages" and isinstance(request.body, dict):
                params.append(request.body)
            elif request.path == "/v1/messages/batches" and isinstance(request.body, dict):
                params.extend(item["params"] for item in request.body.get("requests") or [])
        return params

    @property
    def costs(self) -> CostSummary:
        return summarize_costs(list(self.usages), self.model)


@contextlib.contextmanager
def api_environment(base_url: str) -> Iterator[Dict[str, str]]:
    """Point `anthropic.Anthropic()` at `base_url` for the duration (restores os.environ)."""
    names = (BASE_URL_ENV, API_KEY_ENV, "ANTHROPIC_AUTH_TOKEN")
    saved = {name: os.environ.get(name) for name in names}
    os.environ[BASE_URL_ENV] = base_url
    os.environ[API_KEY_ENV] = "test"
    os.environ.pop("ANTHROPIC_AUTH_TOKEN", None)
    try:
        yield dict(os.environ)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def load_program(path: Path) -> Any:
    """Import a program file as a fresh module (never cached in sys.modules)."""
    name = "cachelint_e2e_%s_%d" % (path.stem.replace(".", "_"), next(_module_numbers))
    spec = importlib.util.spec_from_file_location(name, str(path))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def describe_error(error: BaseException) -> str:
    return "%s: %s" % (type(error).__name__, error)


def _run_in_process(path: Path, calls: int, base_url: str) -> Optional[str]:
    with api_environment(base_url):
        module = None
        try:
            module = load_program(path)
            module.run_session(calls)
        except Exception as error:  # the crash is the result: the test asserts on it
            return describe_error(error)
        finally:
            client = getattr(module, "client", None)
            if client is not None and hasattr(client, "close"):
                client.close()
    return None


def _run_in_workers(path: Path, calls: int, base_url: str, hash_seeds: Sequence[int]) -> List[str]:
    """One process per hash seed, started together (imports overlap), sessions run in turn."""
    share, extra = divmod(calls, len(hash_seeds))
    workers = []
    for index, seed in enumerate(hash_seeds):
        with api_environment(base_url) as environment:
            environment = dict(environment, PYTHONHASHSEED=str(seed), PYTHONPATH=str(REPO_ROOT))
        worker_calls = share + (1 if index < extra else 0)
        workers.append(
            subprocess.Popen(
                [sys.executable, str(WORKER_SCRIPT), str(path), str(worker_calls)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
                text=True,
            )
        )
    errors: List[str] = []
    try:
        for worker in workers:
            assert worker.stdin is not None and worker.stdout is not None
            ready = worker.stdout.readline().strip()
            if ready != "ready":
                worker.kill()
                _, stderr = worker.communicate(timeout=WORKER_TIMEOUT_SECONDS)
                errors.append("worker did not start: %s %s" % (ready, stderr.strip()[-500:]))
                continue
            stdout, stderr = worker.communicate("go\n", timeout=WORKER_TIMEOUT_SECONDS)
            outcome = json.loads(stdout.strip().splitlines()[-1]) if stdout.strip() else {}
            if outcome.get("error") or worker.returncode != 0:
                errors.append(outcome.get("error") or "worker failed: %s" % stderr.strip()[-500:])
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    return errors


def _batch_usages(requests: Sequence[RecordedRequest]) -> Tuple[List[Dict[str, Any]], List[str]]:
    simulator = CacheSimulator()
    usages: List[Dict[str, Any]] = []
    errors: List[str] = []
    for request in requests:
        if request.path != "/v1/messages/batches" or request.status != 200:
            continue
        for item in request.body.get("requests") or []:
            try:
                result = simulator.simulate(item["params"])
            except SimulatedApiError as error:
                errors.append("batch request %s: %d %s" % (item.get("custom_id"), error.status, error.message))
                continue
            usages.append(result.usage.to_api_dict())
    return usages, errors


def run_program(
    path: Path,
    calls: int,
    *,
    responder: Optional[str] = None,
    hash_seeds: Sequence[int] = (),
) -> ProgramRun:
    """Run `run_session(calls)` of the program at `path` against a fresh fake API."""
    factory = RESPONDERS[responder] if responder else None
    with FakeAnthropicServer(responder=factory() if factory else None) as server:
        if hash_seeds:
            errors = _run_in_workers(path, calls, server.base_url, hash_seeds)
        else:
            error = _run_in_process(path, calls, server.base_url)
            errors = [error] if error else []
        requests = tuple(server.requests)
        usages: List[Mapping[str, Any]] = list(server.usages)
    batch_usages, batch_errors = _batch_usages(requests)
    usages.extend(batch_usages)
    errors.extend(batch_errors)
    params = [r.body for r in requests if isinstance(r.body, dict) and "model" in r.body]
    batch_params = [
        item["params"]
        for r in requests
        if r.path == "/v1/messages/batches" and isinstance(r.body, dict)
        for item in r.body.get("requests") or []
    ]
    models = {p.get("model") for p in params + batch_params}
    model = models.pop() if len(models) == 1 else None
    return ProgramRun(requests=requests, errors=tuple(errors), usages=tuple(usages), model=model)


# ---------------------------------------------------------------------------------------------
# Fixing a program with the real command line


@dataclass(frozen=True)
class FixRun:
    text: str  # the program after `cachelint fix`
    exit_code: int
    output: str  # what the command printed


def _fix_arguments(select: Sequence[str], unsafe: bool) -> List[str]:
    arguments = ["fix", "--unsafe-fixes" if unsafe else "--no-unsafe-fixes"]
    if select:
        arguments += ["--select", ",".join(select)]
    return arguments


def fix_program(source: Path, workdir: Path, select: Sequence[str], unsafe: bool) -> FixRun:
    """`cachelint fix [--select ...] [--unsafe-fixes] COPY` on a copy of `source` in `workdir`.

    Runs the click command in process (the same code as the installed `cachelint` script,
    without a Python start-up per call), from `workdir`: the program is a project of its own,
    so no settings leak in from the repository's pyproject.toml.
    """
    from click.testing import CliRunner

    from cachelint.cli.commands import cli

    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / source.name
    shutil.copyfile(source, target)
    with working_directory(workdir):
        result = CliRunner().invoke(cli, _fix_arguments(select, unsafe) + [target.name], catch_exceptions=False)
    return FixRun(target.read_text(encoding="utf-8"), result.exit_code, result.output)


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(str(path))
    try:
        yield
    finally:
        os.chdir(previous)


def fix_with_cli_subprocess(
    paths: Sequence[Path], cwd: Path, unsafe: bool = True, select: Sequence[str] = ()
) -> subprocess.CompletedProcess:
    """`python -m cachelint fix [--unsafe-fixes] PATHS...` in a child process, files fixed in place."""
    command = [sys.executable, "-m", "cachelint"] + _fix_arguments(select, unsafe) + [str(p) for p in paths]
    return subprocess.run(command, capture_output=True, text=True, cwd=str(cwd), timeout=300)


def scratch_directory(prefix: str = "cachelint-e2e-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


# ---------------------------------------------------------------------------------------------
# What the model receives


def _without_markers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_markers(item) for key, item in value.items() if key != "cache_control"}
    if isinstance(value, list):
        return [_without_markers(item) for item in value]
    return value


def _text_block(text: str) -> Dict[str, Any]:
    return {"type": "text", "text": text}


def without_caching(params: Mapping[str, Any]) -> Dict[str, Any]:
    """The request minus caching metadata: what the model receives, block for block.

    Removes every `cache_control` key (top-level and on blocks), and writes a string `system`
    (or a string message content) as the one text block the API reads it as.
    """
    view = _without_markers(copy.deepcopy(dict(params)))
    if isinstance(view.get("system"), str):
        view["system"] = [_text_block(view["system"])] if view["system"] else []
    for message in view.get("messages") or []:
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            message["content"] = [_text_block(message["content"])]
    return view


def _merge_text_blocks(blocks: Sequence[Any]) -> List[Any]:
    merged: List[Any] = []
    for block in blocks:
        is_text = isinstance(block, dict) and block.get("type") == "text" and set(block) == {"type", "text"}
        previous = merged[-1] if merged else None
        if is_text and isinstance(previous, dict) and previous.get("type") == "text" and set(previous) == {"type", "text"}:
            merged[-1] = _text_block(previous["text"] + block["text"])
        else:
            merged.append(dict(block) if isinstance(block, dict) else block)
    return merged


def joined_text(params: Mapping[str, Any]) -> Dict[str, Any]:
    """`without_caching`, with adjacent text blocks joined: the concatenated text the model reads.

    What an UNSAFE split (one block -> a cached static block + an uncached dynamic block) must
    keep: the same characters in the same order.
    """
    view = without_caching(params)
    if isinstance(view.get("system"), list):
        view["system"] = _merge_text_blocks(view["system"])
    for message in view.get("messages") or []:
        if isinstance(message, dict) and isinstance(message.get("content"), list):
            message["content"] = _merge_text_blocks(message["content"])
    return view


def system_blocks_as_multiset(params: Mapping[str, Any]) -> Dict[str, Any]:
    """`without_caching` with the system blocks sorted: the same blocks, in any order."""
    view = without_caching(params)
    view["system"] = sorted(view.get("system") or [], key=lambda block: json.dumps(block, sort_keys=True))
    return view


def usage_rows(run: ProgramRun) -> List[Tuple[int, int, int]]:
    """(input_tokens, cache_creation_input_tokens, cache_read_input_tokens) per billed request."""
    return [
        (
            int(u.get("input_tokens") or 0),
            int(u.get("cache_creation_input_tokens") or 0),
            int(u.get("cache_read_input_tokens") or 0),
        )
        for u in run.usages
    ]
