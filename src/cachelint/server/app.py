"""The pygls language server: LSP messages in, lints scheduled, payloads out.

Started by `cachelint server` (stdio). Only protocol messages reach stdout: `sys.stdout` is
pointed at stderr before serving, so a stray print cannot corrupt the stream.
"""

from __future__ import annotations

import os
import sys
from typing import Dict, List, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer

import cachelint
from cachelint.server.actions import (
    FIX_ALL_KIND,
    fix_all_action,
    has_applicable_fix,
    quick_fixes,
    wants,
)
from cachelint.server.config import ClientOptions, SECTION, is_config_file
from cachelint.server.diagnostics import publishable
from cachelint.server.documents import (
    PYTHON_LANGUAGE_IDS,
    CellSnapshot,
    NotebookSnapshot,
    TextSnapshot,
    path_of_uri,
)
from cachelint.server.hover import hover_at
from cachelint.server.linting import AnySnapshot, LintOutcome
from cachelint.server.positions import UTF8, UTF16, UTF32
from cachelint.server.scheduling import LintScheduler, reported_once

SERVER_NAME = "cachelint"
WATCHERS_ID = "cachelint-watched-files"
WATCHED_GLOBS = ("**/pyproject.toml", "**/*.py")
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(
            notebook="*", cells=[types.NotebookCellLanguage(language="python")]
        )
    ],
    save=True,
)


class CachelintServer(LanguageServer):
    """The server's state: what is open, and the scheduler that lints it."""

    def __init__(self) -> None:
        super().__init__(
            SERVER_NAME,
            cachelint.__version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            notebook_document_sync=NOTEBOOK_SYNC,
        )
        self.shown_problems: set = set()
        self.scheduler = LintScheduler(
            snapshot_of=self.snapshot_of,
            buffers=self.python_buffers,
            publish=self.publish,
            log_error=self.log_error,
            default_root=self.workspace_root_for,
        )

    # -- what is open -----------------------------------------------------------------------
    @property
    def encoding(self) -> str:
        chosen = self.workspace.position_encoding
        value = getattr(chosen, "value", chosen) or UTF16
        return value if value in (UTF8, UTF16, UTF32) else UTF16

    def workspace_root_for(self, path: str) -> str:
        """The workspace folder holding `path` (the deepest one), else the root, else cwd:
        where `cachelint check` would run from."""
        best = ""
        for folder in self.workspace.folders.values():
            root = path_of_uri(folder.uri)
            if (path == root or path.startswith(root.rstrip(os.sep) + os.sep)) and len(root) > len(best):
                best = root
        return best or self.workspace.root_path or os.getcwd()

    def _fallback_directory(self) -> str:
        return self.workspace.root_path or os.getcwd()

    def python_buffers(self) -> Dict[str, TextSnapshot]:
        buffers = {}
        for key, document in self.workspace.text_documents.items():
            if self.workspace.get_notebook_document(cell_uri=key) is not None:
                continue
            if (document.language_id or "python").lower() in PYTHON_LANGUAGE_IDS:
                buffers[document.uri] = self._text_snapshot(document)
        return buffers

    def _text_snapshot(self, document) -> TextSnapshot:
        return TextSnapshot(
            uri=document.uri,
            path=path_of_uri(document.uri, self._fallback_directory()),
            version=document.version,
            text=document.source,
        )

    def snapshot_of(self, uri: str) -> Optional[AnySnapshot]:
        notebook = self.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            return self._notebook_snapshot(notebook)
        document = self.workspace.text_documents.get(_unquoted(uri))
        if document is None:
            return None
        return self._text_snapshot(document)

    def _notebook_snapshot(self, notebook: types.NotebookDocument) -> NotebookSnapshot:
        cells = []
        for number, cell in enumerate(notebook.cells, start=1):
            document = self.workspace.text_documents.get(_unquoted(cell.document))
            cells.append(
                CellSnapshot(
                    uri=cell.document,
                    number=number,
                    is_code=cell.kind == types.NotebookCellKind.Code,
                    language_id=(document.language_id if document else None) or "python",
                    text=document.source if document is not None else "",
                    version=document.version if document is not None else None,
                )
            )
        return NotebookSnapshot(
            uri=notebook.uri,
            path=path_of_uri(notebook.uri, self._fallback_directory()),
            version=notebook.version,
            cells=tuple(cells),
        )

    def owner_of(self, uri: str) -> str:
        """The document a lint is keyed by: a cell's notebook, else the document itself."""
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        return notebook.uri if notebook is not None else uri

    # -- output -----------------------------------------------------------------------------
    def publish(self, outcome: LintOutcome, previous: Optional[LintOutcome]) -> None:
        if reported_once(self.shown_problems, outcome.settings_problem):
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning,
                    message=f"cachelint: {outcome.settings_problem} (using the defaults)",
                )
            )
        published = publishable(outcome.snapshot, outcome.diagnostics, self.encoding)
        if previous is not None:
            for uri in publishable(previous.snapshot, (), self.encoding):
                published.setdefault(uri, [])  # a cell that is gone: clear what it showed
        versions = _versions(outcome.snapshot)
        for uri, diagnostics in published.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=versions.get(uri))
            )

    def clear(self, uris: List[str]) -> None:
        for uri in uris:
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
            )

    def log_error(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=message))

    def log_info(self, message: str) -> None:
        self.window_log_message(types.LogMessageParams(type=types.MessageType.Info, message=message))


def _versions(snapshot: AnySnapshot) -> Dict[str, Optional[int]]:
    """The document version each published list belongs to (a cell's own version)."""
    if isinstance(snapshot, NotebookSnapshot):
        return {cell.uri: cell.version for cell in snapshot.cells}
    return {snapshot.uri: snapshot.version}


def _unquoted(uri: str) -> str:
    from urllib.parse import unquote

    return unquote(uri)




def build_server() -> CachelintServer:
    ls = CachelintServer()
    _register_features(ls)
    return ls


def _register_features(ls: CachelintServer) -> None:
    scheduler = ls.scheduler

    @ls.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        scheduler.options = ClientOptions.parse(params.initialization_options)

    @ls.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        ls.log_info(f"cachelint {cachelint.__version__} language server ready")
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if watched is not None and watched.dynamic_registration:
            options = types.DidChangeWatchedFilesRegistrationOptions(
                watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED_GLOBS]
            )
            registration = types.Registration(
                id=WATCHERS_ID,
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
            try:
                await ls.client_register_capability_async(types.RegistrationParams([registration]))
            except Exception as error:  # noqa: BLE001 - the client may refuse; lint on anyway
                ls.log_info(f"file watching not registered: {error}")

    # -- text documents ---------------------------------------------------------------------
    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        if params.text_document.language_id.lower() in PYTHON_LANGUAGE_IDS:
            scheduler.schedule(params.text_document.uri, delay=0.0)
            scheduler.schedule_dependents([path_of_uri(params.text_document.uri)], exclude=params.text_document.uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.workspace.get_notebook_document(cell_uri=uri) is not None:
            scheduler.schedule(ls.owner_of(uri))
            return
        if uri in scheduler.outcomes or uri in ls.python_buffers():
            scheduler.schedule(uri)
            scheduler.schedule_dependents([path_of_uri(uri)], exclude=uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.python_buffers():
            scheduler.schedule(uri, delay=0.0)
            scheduler.schedule_dependents([path_of_uri(uri)], exclude=uri)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if scheduler.forget(uri) is not None:
            ls.clear([uri])
        scheduler.schedule_dependents([path_of_uri(uri)])  # the file on disk counts again

    # -- notebooks --------------------------------------------------------------------------
    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(params: types.DidOpenNotebookDocumentParams) -> None:
        scheduler.schedule(params.notebook_document.uri, delay=0.0)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(params: types.DidChangeNotebookDocumentParams) -> None:
        scheduler.schedule(params.notebook_document.uri)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(params: types.DidSaveNotebookDocumentParams) -> None:
        scheduler.schedule(params.notebook_document.uri, delay=0.0)

    @ls.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(params: types.DidCloseNotebookDocumentParams) -> None:
        previous = scheduler.forget(params.notebook_document.uri)
        if previous is not None:
            ls.clear(list(publishable(previous.snapshot, ())))

    # -- workspace --------------------------------------------------------------------------
    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if not settings:  # a pull-model client: ask for our section
            try:
                answer = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
                )
                settings = answer[0] if answer else None
            except Exception as error:  # noqa: BLE001
                ls.log_info(f"workspace/configuration failed: {error}")
                settings = None
        scheduler.set_options(ClientOptions.parse(settings, scheduler.options))

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        paths = [path_of_uri(change.uri) for change in params.changes]
        if any(is_config_file(path) for path in paths):
            scheduler.settings_changed()
            return
        open_buffers = ls.python_buffers()
        on_disk = [p for p, c in zip(paths, params.changes) if c.uri not in open_buffers]
        created_or_deleted = any(c.type != types.FileChangeType.Changed for c in params.changes)
        if created_or_deleted:
            scheduler.schedule_all()  # a module that appeared or went away can change imports
        elif on_disk:
            scheduler.schedule_dependents(on_disk)

    # -- requests ---------------------------------------------------------------------------
    @ls.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND],
            resolve_provider=False,
        ),
    )
    async def code_action(params: types.CodeActionParams) -> Optional[List[types.CodeAction]]:
        uri = params.text_document.uri
        outcome = await scheduler.current(ls.owner_of(uri))
        if outcome is None:
            return None
        only = params.context.only
        actions: List[types.CodeAction] = []
        if wants(types.CodeActionKind.QuickFix, only):
            actions.extend(quick_fixes(outcome, uri, params.range, ls.encoding))
        unsafe = scheduler.options.unsafe_fixes
        if wants(FIX_ALL_KIND, only) and has_applicable_fix(outcome, unsafe):
            fixed = await scheduler.fixed_texts(outcome.snapshot)
            action = fix_all_action(outcome.snapshot, fixed, unsafe, ls.encoding)
            if action is not None:
                actions.append(action)
        return actions

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(params: types.HoverParams) -> Optional[types.Hover]:
        uri = params.text_document.uri
        outcome = await scheduler.current(ls.owner_of(uri))
        if outcome is None:
            return None
        return hover_at(outcome, uri, params.position, ls.encoding)

    @ls.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        scheduler.close()


def serve_stdio() -> None:
    """Serve one editor over stdin/stdout until it sends `exit` (or closes the pipe)."""
    protocol_out = sys.stdout.buffer
    protocol_in = sys.stdin.buffer
    sys.stdout = sys.stderr  # anything printed by accident goes to stderr, not into the protocol
    build_server().start_io(protocol_in, protocol_out)
