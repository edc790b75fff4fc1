"""Jupyter notebooks: checked and fixed like .py files, reported per cell, written back intact.

Fixtures (tests/fixtures/notebooks, real nbformat 4 JSON with outputs, metadata and cell ids):
- support_bot.ipynb + support_bot.py: a notebook that builds a large system prompt in one cell
  and calls the SDK in a loop in another, and its .py twin (the code cells joined, without the
  `%pip` cell). Both must give the same findings and the same fixes.
- ipython_magics.ipynb (2-space JSON): line and cell magics, shell escapes, `files = !ls`, help
  (`obj?`, `??obj`), an automagic `pip install`, a `%%bash` cell, a raw cell, an empty cell, a
  cell whose source is one string.
- broken_cell.ipynb (4-space JSON, non-ASCII written as \\u escapes): one cell is not Python.
- r_kernel.ipynb: an R notebook; not_json.ipynb: a truncated file.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import hypothesmith
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cachelint.run import runner
from cachelint.cli.commands import cli
from cachelint.config.settings import discover_config
from cachelint.core.diagnostics import Applicability, Edit, Fix, Location
from cachelint.source.ipython_escapes import PLACEHOLDER, neutralise, restore
from cachelint.source.notebook import parse_notebook
from cachelint.run.notebooks import choose_marker, code_cells, join_cells, view_of

FIXTURES = Path(__file__).parents[1] / "fixtures" / "notebooks"
CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "CACHELINT_OUTPUT_FORMAT": None}


def run_cli(args, input=None):
    try:
        cli_runner = CliRunner(mix_stderr=False)
    except TypeError:  # click >= 8.2 always keeps stderr apart
        cli_runner = CliRunner()
    result = cli_runner.invoke(cli, args, input=input, env=CLEAN_ENV, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for path in FIXTURES.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*paths):
    return runner.check_paths(list(paths), discover_config(list(paths)))


def fix(*paths):
    return runner.fix_paths(list(paths), discover_config(list(paths)))


def cells_of(path: Path):
    return parse_notebook(path.read_text(encoding="utf-8")).cells


def twin_cells(path: Path):
    """The code cells a .py twin holds: not empty and not IPython-only (`%pip ...`)."""
    return [
        c
        for c in cells_of(path)
        if c.cell_type == "code" and c.source.strip() and not c.source.startswith("%")
    ]


def findings(result):
    return [(d.cell, d.location.row, d.location.column, d.code) for d in result.diagnostics]


def assert_only_sources_changed(before: str, after: str, changed: set):
    """Everything outside the changed cells' `source` values is byte for byte the same."""
    old, new = parse_notebook(before), parse_notebook(after)
    assert {c.number for c in old.cells if c.source != new.cell(c.number).source} == changed
    old_spans = [old.cell(n).source_span for n in sorted(changed)]
    new_spans = [new.cell(n).source_span for n in sorted(changed)]
    old_gaps = [0] + [s for span in old_spans for s in span] + [len(before)]
    new_gaps = [0] + [s for span in new_spans for s in span] + [len(after)]
    for index in range(0, len(old_gaps), 2):
        assert (
            before[old_gaps[index] : old_gaps[index + 1]]
            == (after[new_gaps[index] : new_gaps[index + 1]])
        )
    old_doc, new_doc = json.loads(before), json.loads(after)
    for number in changed:
        old_doc["cells"][number - 1].pop("source")
        new_doc["cells"][number - 1].pop("source")
    assert old_doc == new_doc


# -- the notebook and its .py twin ----------------------------------------------------------------


def test_the_twin_fixture_is_the_notebooks_code_cells_joined():
    joined = "\n\n".join(c.source for c in twin_cells(FIXTURES / "support_bot.ipynb")) + "\n"
    assert (FIXTURES / "support_bot.py").read_text(encoding="utf-8") == joined


def test_notebook_gets_the_same_findings_as_its_py_twin(workdir):
    result = check("support_bot.ipynb", "support_bot.py")
    by_file = {}
    for d in result.diagnostics:
        fix_shape = (d.fix.applicability, d.fix.message) if d.fix else None
        by_file.setdefault(d.path, []).append((d.code, d.message, fix_shape, d.cost))
    assert by_file["support_bot.ipynb"] == by_file["support_bot.py"]
    assert [code for code, *_ in by_file["support_bot.ipynb"]] == ["CL001", "CL003", "CL302"]
    # The prompt is built in cell 5 and sent from cells 7 and 8.
    assert findings(result)[:3] == [(7, 12, 16, "CL001"), (8, 6, 17, "CL003"), (8, 7, 9, "CL302")]


def test_findings_point_at_the_same_code_in_the_cell_as_in_the_twin(workdir):
    result = check("support_bot.ipynb", "support_bot.py")
    py_lines = Path("support_bot.py").read_text().splitlines()
    sources = {c.number: c.source.splitlines() for c in cells_of(Path("support_bot.ipynb"))}

    def marked(d, lines):
        line = lines[d.location.row - 1]
        return line[d.location.column - 1 : d.end_location.column - 1]

    notebook = [d for d in result.diagnostics if d.cell is not None]
    twin = [d for d in result.diagnostics if d.cell is None]
    assert [marked(d, sources[d.cell]) for d in notebook] == [marked(d, py_lines) for d in twin]
    assert marked(notebook[0], sources[7]) == "SYSTEM_PROMPT"


def test_fixing_the_notebook_fixes_its_cells_like_the_py_twin(workdir):
    before = Path("support_bot.ipynb").read_text(encoding="utf-8")
    result = fix("support_bot.ipynb", "support_bot.py")
    fixed_per_file = {}
    for path, applied in result.fixed:
        fixed_per_file.setdefault(path, []).append(applied.code)
    assert fixed_per_file["support_bot.ipynb"] == fixed_per_file["support_bot.py"] != []
    fixed_cells = "\n\n".join(c.source for c in twin_cells(Path("support_bot.ipynb"))) + "\n"
    fixed_py = Path("support_bot.py").read_text(encoding="utf-8")
    assert fixed_cells == fixed_py
    assert "system=[{" in fixed_py
    after = Path("support_bot.ipynb").read_text(encoding="utf-8")
    assert_only_sources_changed(before, after, {7, 8})
    assert [d.code for d in result.diagnostics if d.cell] == [
        d.code for d in result.diagnostics if d.cell is None
    ]


INDENT_STYLES = [
    pytest.param({"indent": 1}, id="one-space"),
    pytest.param({"indent": 2}, id="two-spaces"),
    pytest.param({"indent": 4}, id="four-spaces"),
    pytest.param({"indent": "\t"}, id="tabs"),
    pytest.param({"indent": None}, id="one-line"),
    pytest.param({"indent": 1, "ensure_ascii": True}, id="ascii-escapes"),
]


@pytest.mark.parametrize("style", INDENT_STYLES)
@pytest.mark.parametrize("trailing_newline", ["\n", ""])
def test_fixes_keep_the_files_json_style(workdir, style, trailing_newline):
    document = json.loads(Path("support_bot.ipynb").read_text(encoding="utf-8"))
    document["cells"][0]["source"].append("\n\nPrices in \u20ac, caf\u00e9 hours \u2615.")
    options = {"ensure_ascii": False, **style}
    before = json.dumps(document, **options) + trailing_newline
    Path("styled.ipynb").write_text(before, encoding="utf-8")
    fix("styled.ipynb")
    after = Path("styled.ipynb").read_text(encoding="utf-8")
    assert after != before
    # What json.dumps would write in that style, key order and all: the style is kept exactly.
    assert after == json.dumps(json.loads(after), **options) + trailing_newline
    assert_only_sources_changed(before, after, {7, 8})


def test_windows_line_endings_in_the_json_are_kept(workdir):
    document = json.loads(Path("support_bot.ipynb").read_text(encoding="utf-8"))
    before = json.dumps(document, indent=1).replace("\n", "\r\n") + "\r\n"
    Path("crlf.ipynb").write_bytes(before.encode("utf-8"))
    fix("crlf.ipynb")
    after = Path("crlf.ipynb").read_bytes().decode("utf-8")
    assert after == json.dumps(json.loads(after), indent=1).replace("\n", "\r\n") + "\r\n"
    assert_only_sources_changed(before, after, {7, 8})


@pytest.mark.parametrize("indent", [1, 2, "\t"])
def test_an_empty_source_list_gets_the_files_indentation(indent):
    from cachelint.source.notebook import with_sources

    document = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": []}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(document, indent=indent) + "\n"
    written = with_sources(parse_notebook(text), {1: "x = 1\ny = 2"})
    document["cells"][0]["source"] = ["x = 1\n", "y = 2"]
    assert written == json.dumps(document, indent=indent) + "\n"


def test_source_written_as_one_string_stays_one_string(workdir):
    document = json.loads(Path("support_bot.ipynb").read_text(encoding="utf-8"))
    for cell in document["cells"]:
        cell["source"] = "".join(cell["source"])
    before = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    Path("strings.ipynb").write_text(before, encoding="utf-8")
    fix("strings.ipynb")
    after = Path("strings.ipynb").read_text(encoding="utf-8")
    assert all(isinstance(c["source"], str) for c in json.loads(after)["cells"])
    assert after == json.dumps(json.loads(after), indent=1, ensure_ascii=False) + "\n"
    assert_only_sources_changed(before, after, {7, 8})


# -- IPython syntax --------------------------------------------------------------------------------


def test_magics_shell_escapes_and_help_cause_no_syntax_error(workdir):
    result = check("ipython_magics.ipynb")
    assert findings(result) == [
        (7, 6, 16, "CL001"),  # inside a `%%time` cell: rows still count from the magic line
        (9, 1, 141, "CL104"),  # the statement after `%time`: columns as in the cell
        (10, 6, 16, "CL001"),  # a function whose body holds `%time notes = !cat notes.txt`
    ]
    assert result.errors == ()


def test_fixes_leave_ipython_lines_as_they_were(workdir):
    before = {c.number: c.source for c in cells_of(Path("ipython_magics.ipynb"))}
    fix("ipython_magics.ipynb")
    after = {c.number: c.source for c in cells_of(Path("ipython_magics.ipynb"))}
    changed = {n for n in before if before[n] != after[n]}
    assert changed == {7, 9, 10}
    assert after[7].startswith("%%time\n")
    assert after[9] == before[9].replace(', betas=["prompt-caching-2024-07-31"]', "")
    assert "    %time notes = !cat notes.txt\n" in after[10]
    for number in changed:
        assert PLACEHOLDER not in after[number]
    assert check("ipython_magics.ipynb").diagnostics == ()


def test_fix_edits_are_offsets_into_the_cells_own_source(workdir):
    from cachelint.fix.apply import apply_edits

    before = {c.number: c.source for c in cells_of(Path("ipython_magics.ipynb"))}
    reported = check("ipython_magics.ipynb").diagnostics
    fix("ipython_magics.ipynb")
    after = {c.number: c.source for c in cells_of(Path("ipython_magics.ipynb"))}
    assert [d.cell for d in reported] == [7, 9, 10]  # one fix per cell, after magics
    for d in reported:
        assert apply_edits(before[d.cell], d.fix.edits) == after[d.cell]


def test_a_cell_that_is_not_python_gets_one_cl000_and_the_rest_is_checked(workdir):
    result = check("broken_cell.ipynb")
    assert findings(result) == [(3, 1, 12, "CL000"), (5, 5, 16, "CL001")]
    before = Path("broken_cell.ipynb").read_text(encoding="utf-8")
    fixed = fix("broken_cell.ipynb")
    after = Path("broken_cell.ipynb").read_text(encoding="utf-8")
    assert findings(fixed) == [(3, 1, 12, "CL000")]
    assert_only_sources_changed(before, after, {5})
    assert after.isascii()  # non-ASCII stays written as \u escapes, as the file had it
    assert after == json.dumps(json.loads(after), indent=4, ensure_ascii=True) + "\n"


def test_cells_of_a_non_python_kernel_are_not_analysed(workdir):
    code, out, err = run_cli(["check", "--output-format", "concise", "r_kernel.ipynb"])
    assert (code, out, err) == (0, "All checks passed!\n", "")


def test_a_notebook_that_is_not_json_is_an_error_and_never_rewritten(workdir):
    before = Path("not_json.ipynb").read_bytes()
    code, out, err = run_cli(["fix", "--output-format", "concise", "not_json.ipynb"])
    assert code == 2
    assert err == (
        "cachelint: error: not_json.ipynb: not a valid notebook: invalid JSON at line 6 "
        "column 1: Expecting ',' delimiter\n"
    )
    assert Path("not_json.ipynb").read_bytes() == before


@pytest.mark.parametrize(
    "text, reason",
    [
        ('["cells"]', "not a valid notebook: the JSON document is not an object"),
        ('{"metadata": {}}', "not a valid notebook: no `cells` list"),
        ('{"nbformat": 3, "worksheets": []}', "nbformat 3 notebooks are not supported"),
        ('{"cells": [{"cell_type": "code", "source": 3}]}', "cell 1 has a malformed `source`"),
    ],
)
def test_json_that_is_not_a_notebook_is_an_error(workdir, text, reason):
    Path("odd.ipynb").write_text(text)
    code, _, err = run_cli(["check", "odd.ipynb"])
    assert code == 2 and reason in err and err.count("\n") == 1


def test_notebook_without_code_cells_passes(workdir):
    document = {
        "cells": [{"cell_type": "markdown", "id": "a", "metadata": {}, "source": ["# Notes"]}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    Path("notes.ipynb").write_text(json.dumps(document, indent=1))
    Path("empty.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    )
    assert run_cli(["check", "notes.ipynb", "empty.ipynb"])[0] == 0


NEUTRALISED = [
    pytest.param("%pip install anthropic", f"{PLACEHOLDER}", id="line-magic"),
    pytest.param("!ls -la\nx = 1", f"{PLACEHOLDER}\nx = 1", id="shell"),
    pytest.param("!pip install \\\n    anthropic", f"{PLACEHOLDER}\n{PLACEHOLDER}", id="continued"),
    pytest.param("files = !ls *.md", f"files = {PLACEHOLDER}", id="assigned-shell"),
    pytest.param("a, b = %sx echo 1 2", f"a, b = {PLACEHOLDER}", id="assigned-magic"),
    pytest.param("client.messages.create?", PLACEHOLDER, id="help"),
    pytest.param("??anthropic.Anthropic", PLACEHOLDER, id="help-first"),
    pytest.param("if x:\n    %ls\n", f"if x:\n    {PLACEHOLDER}\n", id="indented"),
    pytest.param("%%time\nf()", f"{PLACEHOLDER}\nf()", id="python-cell-magic"),
    pytest.param("%time r = f(1)", f"{PLACEHOLDER}; r = f(1)", id="statement-magic"),
    pytest.param("%timeit -n 3 f()", PLACEHOLDER, id="statement-magic-with-options"),
    pytest.param("/print 1 2", PLACEHOLDER, id="autocall"),
]


@pytest.mark.parametrize("source, expected", NEUTRALISED)
def test_ipython_escapes_become_python_of_the_same_shape(source, expected):
    neutral = neutralise(source)
    assert neutral.is_python and neutral.text == expected
    assert restore(neutral.text, neutral.escapes) == source


KEPT_AS_PYTHON = [
    pytest.param('P = """\n!important\n%s of it\n? really\nwhat?\n"""', id="prompt-lines"),
    pytest.param("x = 10 % 3\ny = x != 1  # why?", id="operators-and-comments"),
    pytest.param("items = [\n    1\n    , 2\n]\nv = (a\n     % b)", id="inside-brackets"),
    pytest.param("s = 'a?' + \"%d\" % 3 + f'{x!r}'", id="strings"),
    pytest.param("t = 1 + \\\n    2", id="backslash"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("source", KEPT_AS_PYTHON)
def test_python_that_looks_like_ipython_is_left_alone(source):
    neutral = neutralise(source)
    assert (neutral.text, neutral.escapes) == (source, ())


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # hypothesmith compiles odd programs
@settings(
    max_examples=int(os.environ.get("CACHELINT_HYPOTHESIS_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
# deferred: building the grammar strategy takes seconds, paid only when the test runs
@given(st.deferred(lambda: st.one_of(hypothesmith.from_grammar(), hypothesmith.from_node())))
def test_valid_python_is_never_taken_for_ipython(source):
    import libcst

    try:
        libcst.parse_module(source)
    except Exception:
        assume(False)
    neutral = neutralise(source)
    assert (neutral.is_python, neutral.text, neutral.escapes) == (True, source, ())


@pytest.mark.parametrize(
    "source, expected",
    [
        ("pip install anthropic", PLACEHOLDER),
        ("cd data\nx = 1", f"{PLACEHOLDER}\nx = 1"),
        ("ls -la", "ls -la"),  # valid Python (a subtraction): kept
        ("env = {}", "env = {}"),
        ("time.sleep(1)", "time.sleep(1)"),
        ("pip install (", "pip install ("),  # opens a bracket: not a magic line
    ],
)
def test_automagic_lines_are_magics_only_when_they_are_not_python(source, expected):
    assert neutralise(source, automagic=True).text == expected
    assert neutralise(source).text == source  # only tried for cells that do not parse


@pytest.mark.parametrize("magic", ["%%bash", "%%writefile prompts.py", "%%html", "%%sql"])
def test_cell_magics_that_do_not_run_python_are_skipped(magic):
    assert not neutralise(f"{magic}\nanything {{ at all").is_python


def test_every_fixture_cell_round_trips_through_neutralising():
    for path in FIXTURES.glob("*.ipynb"):
        if path.name == "not_json.ipynb":
            continue
        for cell in cells_of(path):
            neutral = neutralise(cell.source)
            assert neutral.text.count("\n") == cell.source.count("\n")
            assert restore(neutral.text, neutral.escapes) == cell.source


def test_a_fix_that_would_leave_its_cell_or_touch_ipython_is_not_applied():
    notebook = parse_notebook((FIXTURES / "ipython_magics.ipynb").read_text(encoding="utf-8"))
    cells = code_cells(notebook)
    marker = choose_marker(cells)
    text = join_cells(cells, marker)
    view = view_of(text, cells, marker)

    def fix_of(start, end):
        edit = Edit(start, end, "", Location(1, 1), Location(1, 1))
        return Fix("test", Applicability.SAFE, (edit,))

    load_ext = text.index("%load_ext") if "%load_ext" in text else text.index(PLACEHOLDER)
    client_line = text.index("client = anthropic.Anthropic()")
    policy = text.index('POLICY = """')
    assert view.fix_stays_in_cell(fix_of(client_line, client_line + 6))
    assert not view.fix_stays_in_cell(fix_of(load_ext, load_ext + 3))  # an IPython line
    assert not view.fix_stays_in_cell(fix_of(client_line, policy + 3))  # two cells


# -- reports ---------------------------------------------------------------------------------------


def test_text_formats_name_the_cell(workdir):
    code, out, _ = run_cli(["check", "--output-format", "concise", "support_bot.ipynb"])
    assert code == 1
    assert out.splitlines()[0].startswith("support_bot.ipynb:cell 7:12:16: CL001 ")
    code, out, _ = run_cli(["check", "support_bot.ipynb"])
    assert "support_bot.ipynb:cell 7:12:16: CL001 [*]" in out
    assert "12 |         system=SYSTEM_PROMPT," in out  # the frame shows the cell's own rows


def test_json_keeps_ruffs_keys_with_cell_relative_rows(workdir):
    _, out, _ = run_cli(["check", "--output-format", "json", "support_bot.ipynb"])
    first = json.loads(out)[0]
    assert (first["cell"], first["location"], first["end_location"]) == (
        7,
        {"row": 12, "column": 16},
        {"row": 12, "column": 29},
    )
    source = cells_of(Path("support_bot.ipynb"))[6].source.splitlines()
    assert "client.messages.create(" in source[first["noqa_row"] - 1]  # the call's first row
    assert first["fix"]["edits"][0]["location"] == {"row": 12, "column": 16}
    _, lines, _ = run_cli(["check", "--output-format", "json-lines", "support_bot.ipynb"])
    assert json.loads(lines.splitlines()[0])["cell"] == 7


def _line_and_column(path: str, row: int, column: int) -> str:
    return Path(path).read_text(encoding="utf-8").splitlines()[row - 1][column - 1 :]


def test_github_annotations_point_into_the_ipynb_file(workdir):
    _, out, _ = run_cli(["check", "--output-format", "github", "support_bot.ipynb"])
    first = out.splitlines()[0]
    properties, message = first[len("::error ") :].split("::", 1)
    values = dict(item.split("=", 1) for item in properties.split(","))
    assert values["file"] == "support_bot.ipynb"
    assert _line_and_column(
        "support_bot.ipynb", int(values["line"]), int(values["col"])
    ).startswith('SYSTEM_PROMPT,\\n"')
    assert message.startswith("cell 7:12:16: CL001 ")


def test_sarif_regions_point_into_the_ipynb_file_and_carry_the_cell(workdir):
    _, out, _ = run_cli(["check", "--output-format", "sarif", "support_bot.ipynb"])
    result = json.loads(out)["runs"][0]["results"][0]
    region = result["locations"][0]["physicalLocation"]["region"]
    located = _line_and_column("support_bot.ipynb", region["startLine"], region["startColumn"])
    assert located.startswith("SYSTEM_PROMPT")
    assert region["endColumn"] - region["startColumn"] == len("SYSTEM_PROMPT")
    assert result["properties"] == {
        "cell": 7,
        "cellRegion": {"startLine": 12, "startColumn": 16, "endLine": 12, "endColumn": 29},
    }
    assert result["message"]["text"].startswith("cell 7:12:16: ")


def test_diff_shows_each_changed_cell(workdir):
    code, out, err = run_cli(["check", "--diff", "support_bot.ipynb"])
    assert code == 1 and err == "Would fix 3 errors.\n"
    headers = [line for line in out.splitlines() if line.startswith(("---", "+++"))]
    assert headers == [
        "--- support_bot.ipynb:cell 7",
        "+++ support_bot.ipynb:cell 7",
        "--- support_bot.ipynb:cell 8",
        "+++ support_bot.ipynb:cell 8",
    ]
    assert '+        system=[{"type": "text", "text": SYSTEM_PROMPT, "cache_control"' in out


def test_noqa_in_a_cell_silences_the_finding(workdir):
    document = json.loads(Path("support_bot.ipynb").read_text(encoding="utf-8"))
    source = document["cells"][6]["source"]
    index = source.index("        system=SYSTEM_PROMPT,\n")
    source[index] = "        system=SYSTEM_PROMPT,  # noqa: CL001\n"
    Path("quiet.ipynb").write_text(json.dumps(document, indent=1))
    assert [d.code for d in check("quiet.ipynb").diagnostics] == ["CL003", "CL302"]


def test_stdin_notebook_is_fixed_to_stdout(workdir):
    source = Path("support_bot.ipynb").read_text(encoding="utf-8")
    code, out, err = run_cli(
        ["check", "--fix", "--stdin-filename", "support_bot.ipynb", "-"], input=source
    )
    assert code == 0
    assert_only_sources_changed(source, out, {7, 8})
    assert "Found 3 errors (3 fixed, 0 remaining)." in err


def test_notebooks_are_analysed_whatever_the_bytes_prefilter_says():
    from cachelint.run.triage import Triage, triage
    from cachelint.source import prefilter

    raw = (FIXTURES / "support_bot.ipynb").read_bytes()
    assert not prefilter.may_contain_requests(raw)  # the .py prefilter sees only JSON strings
    assert triage("support_bot.ipynb", raw) is Triage.ANALYSE
    assert triage("SUPPORT_BOT.IPYNB", raw).analysed
    assert not triage("support_bot.py", raw).analysed


# -- discovery and hooks ---------------------------------------------------------------------------


def test_notebooks_are_discovered_but_not_jupyter_checkpoints(workdir):
    checkpoints = workdir / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copy("support_bot.ipynb", checkpoints / "support_bot-checkpoint.ipynb")
    result = check(".")
    checked = sorted(f.path for f in result.files)
    assert checked == [
        "broken_cell.ipynb",
        "ipython_magics.ipynb",
        "not_json.ipynb",
        "r_kernel.ipynb",
        "support_bot.ipynb",
        "support_bot.py",
    ]


def test_pre_commit_hooks_run_on_notebooks():
    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    assert hooks and all("jupyter" in hook["types_or"] for hook in hooks)
    assert all("python" in hook["types_or"] for hook in hooks)
