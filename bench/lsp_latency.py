"""Latency of `cachelint server`: from `didChange` to the `publishDiagnostics` for that version.

    pip install -e ".[server]"
    python bench/lsp_latency.py                 # table on stdout
    python bench/lsp_latency.py --json          # the same as JSON
    python bench/lsp_latency.py --repeat 30 --debounce-ms 50

Not a timed test: it reports numbers, it asserts nothing. The server is started as an editor
starts it (`python -m cachelint server`, stdio), initialised, and the document is opened once
(the first lint loads libcst and the rules; that start-up is reported apart). Then each round
sends one `didChange` with a small edit (a different comment each time, so every round is a
new text), and waits for the diagnostics published for exactly that version. The time
includes the server's debounce (default 50 ms, as editors run it).

Scenarios (built in a temporary directory):
- `sdk-1000`: one 1,000-line module with 16 functions that call the SDK (plain and dated
  system prompts, conversation loops, tools: findings of several rules) among ordinary code.
- `sdk-1000-dense` (with `--dense`): the worst case, 60 SDK calls in 1,000 lines, 15 of them
  conversation loops.
- `workspace-50`: 50 modules; the edited one imports prompts and a wrapper from 4 others,
  10 of the modules are open in the editor (the overlay and the dependency tracking are in
  play), and each edit changes a prompt module that 9 open modules import, so the changed
  buffer and its dependents are linted again (the latency of the edited module is measured;
  dependents follow).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Dict, List

from lsprotocol import types
from pygls.lsp.client import LanguageClient

POLICY = "Answer questions about orders, returns and shipping; quote the clause that applies.\n"


FILLER = """
def transform_{i}(records):
    \"\"\"Normalise batch {i} of records (ordinary code: no SDK call).\"\"\"
    out = []
    for record in records:
        key = record.get("id", {i})
        value = str(record.get("value", "")).strip().lower()
        if not value:
            continue
        out.append({{"id": key, "value": value, "rank": len(value) * {i}}})
    return sorted(out, key=lambda r: r["rank"])
"""


def sdk_module(sdk_calls: int) -> str:
    """A 1,000-line module: `sdk_calls` functions that call the SDK (the four templates in
    turn), the rest ordinary code."""
    head = textwrap.dedent(
        '''\
        """A support assistant with many entry points (generated for the latency benchmark)."""
        import datetime
        import json

        import anthropic

        client = anthropic.Anthropic()
        MODEL = "claude-sonnet-4-5"
        POLICY = """
        '''
    ) + POLICY * 40 + '"""\n\n'
    templates = [
        '''
        def plain_{i}(question):
            return client.messages.create(
                model=MODEL,
                max_tokens=1024,
                system=POLICY,
                messages=[{{"role": "user", "content": question}}],
            )
        ''',
        '''
        def dated_{i}(question, name):
            return client.messages.create(
                model=MODEL,
                max_tokens=1024,
                system=[{{"type": "text", "text": f"Today is {{datetime.datetime.now()}}. " + POLICY,
                         "cache_control": {{"type": "ephemeral"}}}}],
                messages=[{{"role": "user", "content": question}}],
            )
        ''',
        '''
        def chat_{i}(questions):
            history = []
            for question in questions:
                history.append({{"role": "user", "content": question}})
                reply = client.messages.create(
                    model=MODEL, max_tokens=512, system=POLICY, messages=history
                )
                history.append({{"role": "assistant", "content": reply.content}})
            return history
        ''',
        '''
        def tools_{i}(question, tools):
            return client.messages.create(
                model=MODEL,
                max_tokens=1024,
                tools=tools,
                system=[{{"type": "text", "text": POLICY, "cache_control": {{"type": "ephemeral"}}}}],
                messages=[{{"role": "user", "content": json.dumps({{"q": question}})}}],
            )
        ''',
    ]
    body = []
    lines = head.count("\n")
    for i in range(sdk_calls):
        block = textwrap.dedent(templates[i % len(templates)]).format(i=i)
        body.append(block)
        lines += block.count("\n")
    i = 0
    while lines < 1000 - 12:
        block = FILLER.format(i=i)
        body.append(block)
        lines += block.count("\n")
        i += 1
    text = head + "".join(body)
    return text + "\n" * max(0, 1000 - text.count("\n"))


def build_workspace(root: Path) -> Dict[str, Path]:
    (root / "sdk").mkdir()
    big = root / "sdk" / "assistant.py"
    big.write_text(sdk_module(16))
    dense = root / "sdk" / "dense.py"
    dense.write_text(sdk_module(60))
    ws = root / "ws"
    (ws / "shop").mkdir(parents=True)
    (ws / "shop" / "__init__.py").write_text("")
    (ws / "shop" / "prompts.py").write_text('HANDBOOK = """\n' + POLICY * 60 + '"""\nSHORT = "Be brief."\n')
    (ws / "shop" / "tone.py").write_text('TONE = """\n' + "Friendly and precise.\n" * 30 + '"""\n')
    (ws / "shop" / "llm.py").write_text(
        "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
        "def ask(system, question):\n    return client.messages.create(\n"
        "        model='claude-sonnet-4-5', max_tokens=512, system=system,\n"
        "        messages=[{'role': 'user', 'content': question}],\n    )\n"
    )
    (ws / "shop" / "catalog.py").write_text("PRODUCTS = ['a', 'b', 'c']\n" + "".join(f"X{i} = {i}\n" for i in range(40)))
    for n in range(45):
        (ws / "shop" / f"feature_{n:02d}.py").write_text(
            textwrap.dedent(
                f'''\
                """Feature {n}."""
                import anthropic

                from shop.catalog import PRODUCTS
                from shop.llm import ask
                from shop.prompts import HANDBOOK
                from shop.tone import TONE

                client = anthropic.Anthropic()


                def answer_{n}(question):
                    return client.messages.create(
                        model="claude-sonnet-4-5",
                        max_tokens=1024,
                        system=HANDBOOK + TONE,
                        messages=[{{"role": "user", "content": question}}],
                    )


                def delegated_{n}(question):
                    return ask(HANDBOOK, question + str(PRODUCTS))
                '''
            )
            + "".join(f"\n\ndef helper_{n}_{k}(value):\n    return value * {k}\n" for k in range(8))
        )
    files = sorted((ws / "shop").glob("*.py"))
    assert len(files) == 50, len(files)
    return {"big": big, "dense": dense, "workspace": ws, "edited": ws / "shop" / "feature_00.py", "prompts": ws / "shop" / "prompts.py"}


class Probe:
    """A client that notes when each (uri, version) was published."""

    def __init__(self) -> None:
        self.client = LanguageClient("lsp-latency", "1")
        self.published: Dict[tuple, float] = {}
        self.waiters: Dict[tuple, asyncio.Future] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            key = (params.uri, params.version)
            self.published[key] = time.perf_counter()
            waiter = self.waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(len(params.diagnostics))

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def logged(params: types.LogMessageParams) -> None:
            if params.type == types.MessageType.Error:
                print(f"server error: {params.message}", file=sys.stderr)

    def expect(self, uri: str, version: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters[(uri, version)] = future
        return future

    async def start(self, root: Path, debounce_ms: int, ignore=()) -> None:
        await self.client.start_io(sys.executable, "-m", "cachelint", "server", cwd=str(root))
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=root.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
                initialization_options={"cachelint": {"debounceMs": debounce_ms, "ignore": list(ignore)}},
            )
        )
        self.client.initialized(types.InitializedParams())

    def open(self, path: Path) -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=path.read_text())
            )
        )
        return uri

    def change(self, uri: str, text: str, version: int) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


async def measure(
    root: Path,
    edited: Path,
    also_open: List[Path],
    repeat: int,
    debounce_ms: int,
    edit_prompts: Path = None,
    ignore=(),
) -> Dict[str, object]:
    probe = Probe()
    await probe.start(root, debounce_ms, ignore)
    try:
        started = time.perf_counter()
        uri = probe.open(edited)
        count = await asyncio.wait_for(probe.expect(uri, 1), 120)
        first = time.perf_counter() - started
        for path in also_open:
            other = probe.open(path)
            await asyncio.wait_for(probe.expect(other, 1), 120)
        text = edited.read_text()
        prompts_uri, prompts_text = None, None
        if edit_prompts is not None:
            prompts_uri = probe.open(edit_prompts)
            await asyncio.wait_for(probe.expect(prompts_uri, 1), 120)
            prompts_text = edit_prompts.read_text()
        samples = []
        for round_ in range(repeat):
            version = round_ + 2
            if prompts_uri is not None:  # the imported prompt module changes (unsaved) first
                probe.change(prompts_uri, prompts_text + f"# edit {round_}\n", version)
            waiter = probe.expect(uri, version)
            sent = time.perf_counter()
            probe.change(uri, text + f"# edit {round_}\n", version)
            await asyncio.wait_for(waiter, 120)
            samples.append((probe.published[(uri, version)] - sent) * 1000.0)
            await asyncio.sleep(0.2)  # let dependents settle before the next round
    finally:
        await probe.stop()
    samples.sort()
    lint_ms = in_process_lint_ms(edited, text + "# edit\n", max(3, repeat // 3), ignore)
    return {
        "lint_in_process_ms": lint_ms,
        "findings": count,
        "first_open_ms": round(first * 1000.0, 1),
        "median_ms": round(statistics.median(samples), 1),
        "p90_ms": round(samples[int(0.9 * (len(samples) - 1))], 1),
        "max_ms": round(samples[-1], 1),
        "rounds": len(samples),
    }


def in_process_lint_ms(path: Path, text: str, rounds: int, ignore=()) -> float:
    """The product's own time for the same lint (`run.runner.lint_source`, in this process,
    warm): what the server adds is the difference, less the debounce."""
    from cachelint.config.settings import SelectionLayer, build_settings, discover_config
    from cachelint.run.runner import lint_source, request_for
    from cachelint.source.files import SourceFile, detect_newline

    settings = build_settings(discover_config([str(path)]), SelectionLayer(ignore=tuple(ignore)))
    source = SourceFile(str(path), text.encode("utf-8"), text, "utf-8", detect_newline(text))
    request = request_for(settings, str(path))
    lint_source(source, request)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        lint_source(source, request)
        times.append((time.perf_counter() - started) * 1000.0)
    return round(statistics.median(times), 1)


async def run(repeat: int, debounce_ms: int, dense: bool, ignore=()) -> Dict[str, Dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="cachelint-lsp-bench-") as directory:
        paths = build_workspace(Path(directory))
        results = {}
        results["sdk-1000"] = await measure(paths["big"].parent, paths["big"], [], repeat, debounce_ms, ignore=ignore)
        if dense:
            results["sdk-1000-dense"] = await measure(
                paths["dense"].parent, paths["dense"], [], max(3, repeat // 4), debounce_ms, ignore=ignore
            )
        ws = paths["workspace"]
        others = sorted((ws / "shop").glob("feature_*.py"))[1:10]
        results["workspace-50"] = await measure(
            ws, paths["edited"], others, repeat, debounce_ms, edit_prompts=paths["prompts"], ignore=ignore
        )
        return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--debounce-ms", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--dense", action="store_true", help="also the worst case: 60 SDK calls in 1,000 lines")
    parser.add_argument("--ignore", default="", help="codes the server is told to ignore, e.g. CL302")
    args = parser.parse_args(argv)
    ignore = tuple(code for code in args.ignore.split(",") if code)
    results = asyncio.run(run(args.repeat, args.debounce_ms, args.dense, ignore))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    if args.json:
        print(json.dumps({"debounce_ms": args.debounce_ms, "load_average": load, "results": results}, indent=2))
        return 0
    ignored = f"; ignoring {', '.join(ignore)}" if ignore else ""
    print(f"didChange -> publishDiagnostics (debounce {args.debounce_ms} ms included{ignored}; load average {load:.2f})")
    print("| scenario | findings | first open | median | p90 | max | rounds | lint_source alone |")
    print("|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['findings']} | {r['first_open_ms']} ms | {r['median_ms']} ms | "
            f"{r['p90_ms']} ms | {r['max_ms']} ms | {r['rounds']} | {r['lint_in_process_ms']} ms |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
