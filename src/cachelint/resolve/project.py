"""Project-wide resolution: follow names imported from other modules of the same project.

`from .prompts import SYSTEM`, `from prompts import SYSTEM`, `import pkg.prompts as p; p.SYSTEM`
and functions imported from sibling modules are followed to their definitions. Each module is
read and parsed at most once per process (the cache is keyed by path, size and mtime); the depth
of the chains followed is bounded and cycles are cut.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Dict, Iterator, List, Mapping, Optional, Tuple

import libcst as cst
from libcst.metadata import MetadataWrapper

from cachelint.resolve.resolver import Resolver
from cachelint.resolve.text import Origin, Staticness, TextValue
from cachelint.resolve.value import Unknown, Value
from cachelint.resolve.modules import ModuleResolver
from cachelint.syntax.scopes import Assignment, ImportAssignment

MAX_MODULE_BYTES = 2_000_000
MAX_CHAIN = 4  # modules followed from one use


class ModuleRef:
    """A value that is a project module (`from pkg import prompts`)."""

    def __init__(self, path: Path):
        self.path = path


class Project:
    """Finds and parses the project's modules on demand.

    `overlay` maps resolved module paths to text that stands in for the file on disk (an
    editor's unsaved buffers, for the language server); every module read and existence check
    goes through it first, so it also sees which modules a resolution looked at.
    """

    def __init__(self, roots: Optional[List[Path]] = None, overlay: Optional[Mapping[Path, str]] = None):
        self.roots = [Path(r).resolve() for r in (roots or [])]
        # Not a snapshot: the project outlives a run, and its files may change between runs.
        self._module_resolver = ModuleResolver([str(root) for root in self.roots], snapshot=False)
        self.overlay: Mapping[Path, str] = overlay if overlay is not None else {}
        self._modules: Dict[Path, Tuple[Tuple[int, int], Optional["ParsedModule"]]] = {}
        self._active: set = set()
        self._request_files: Dict[Path, bool] = {}
        self._request_functions: Dict[Path, Optional[frozenset]] = {}

    # -- finding modules ------------------------------------------------------------------
    def module_file(self, importer: Path, module: str, level: int) -> Optional[Path]:
        """The file `from <level dots><module> import ...` in `importer` (a resolved path) names."""
        found = self._module_resolver.module_file(str(importer.parent), (level, module))
        if found is not None:
            return Path(found)
        return self._unsaved_module_file(importer, module, level) if self.overlay else None

    def _unsaved_module_file(self, importer: Path, module: str, level: int) -> Optional[Path]:
        """A module that exists only as an editor's unsaved buffer (the overlay), found where
        the module resolver would look on disk: the importer's folder or package, the roots."""
        parts = [p for p in module.split(".") if p] if module else []
        if level:
            base = importer.parent
            for _ in range(level - 1):
                base = base.parent
            bases = [base]
        else:
            top = importer.parent
            while (top / "__init__.py").exists() and top.parent != top:
                top = top.parent
            bases = [top, importer.parent] + [p for root in self.roots for p in (root, root / "src")]
        for base in bases:
            target = base.joinpath(*parts) if parts else base
            for candidate in ((target.with_suffix(".py"),) if parts else ()) + (target / "__init__.py",):
                if candidate in self.overlay:
                    return candidate
        return None

    def read_source(self, path: Path) -> bytes:
        """A module's source: its text in the overlay, else the file's bytes (raises OSError)."""
        text = self.overlay.get(path)
        if text is not None:
            return text.encode("utf-8")
        return path.read_bytes()

    def parsed(self, path: Path) -> Optional["ParsedModule"]:
        path = path.resolve()
        unsaved = self.overlay.get(path)
        try:
            stat = path.stat() if unsaved is None else None
        except OSError:
            return None
        # an overlay's text does not change while it is in use: one signature is enough for it
        signature = (stat.st_size, stat.st_mtime_ns) if stat is not None else (-1, -1)
        cached = self._modules.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        module = None
        try:
            size = stat.st_size if stat is not None else len(unsaved.encode("utf-8"))
            if size <= MAX_MODULE_BYTES:
                source = self.read_source(path)
                tree = cst.parse_module(source)
                wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
                module = ParsedModule(path, wrapper, Resolver(wrapper, str(path), self), source)
        except (OSError, cst.ParserSyntaxError, UnicodeDecodeError, RecursionError, ValueError):
            module = None
        self._modules[path] = (signature, module)
        return module

    def may_contain_requests(self, path: Path) -> bool:
        from cachelint.source.prefilter import may_contain_requests

        key = path.resolve()
        if key not in self._request_files:
            try:
                self._request_files[key] = may_contain_requests(self.read_source(key))
            except OSError:
                self._request_files[key] = False
        return self._request_files[key]

    # -- hooks the resolver calls ---------------------------------------------------------
    def resolve_import(self, resolver: Resolver, use: cst.Name, referent: ImportAssignment, depth: int) -> Optional[Value]:
        found = self._imported_definition(resolver, use.value, referent)
        if found is None:
            return None
        kind, target, name = found
        if kind == "module":
            return Unknown(Staticness.STATIC, f"module `{use.value}`", "a module", origin=Origin.MODULE)
        return self.lookup(target, name, depth + 1)

    def resolve_module_attribute(self, resolver: Resolver, node: cst.Attribute, depth: int) -> Optional[Value]:
        """`prompts.SYSTEM` where `prompts` is a module of this project."""
        if not isinstance(node.value, cst.Name):
            return None
        for referent in resolver.referents(node.value) or ():
            if not isinstance(referent, ImportAssignment):
                continue
            found = self._imported_definition(resolver, node.value.value, referent)
            if found is not None and found[0] == "module":
                return self.lookup(found[1], node.attr.value, depth + 1)
        return None

    def resolve_imported_call(self, resolver: Resolver, call: cst.Call, func: cst.Name, referent: ImportAssignment, depth: int) -> Optional[Value]:
        definition = self.imported_function(resolver, func, referent)
        if definition is None:
            return None
        module, function = definition
        bindings = resolver.call_bindings(call, function)
        return module.resolver.function_result(function, func.value, depth + 1, bindings)

    def imported_function(self, resolver: Resolver, func: cst.Name, referent: ImportAssignment, require_requests: bool = False):
        """(module, FunctionDef) for a function imported from the project. With
        `require_requests`, only modules whose bytes show an SDK request are parsed."""
        found = self._imported_definition(resolver, func.value, referent)
        if found is None or found[0] != "name":
            return None
        if require_requests and not (
            self.may_contain_requests(found[1]) and self.function_may_hold_requests(found[1], found[2])
        ):
            return None
        module = self.parsed(found[1])
        if module is None:
            return None
        function = module.function(found[2])
        if function is None:
            return None
        return module, function

    def function_may_hold_requests(self, path: Path, name: str) -> bool:
        """Can the module's top-level function `name` make a request? Decided on the function's
        own source lines, found with Python's `ast` (a tenth of a libcst parse), by the byte
        prefilter: a module full of helpers is parsed by libcst only when the helper the
        caller uses is itself a possible wrapper. Unsure (no `ast` parse): yes."""
        key = path.resolve()
        if key not in self._request_functions:
            self._request_functions[key] = _request_function_names(key, self.read_source)
        names = self._request_functions[key]
        return names is None or name in names

    # -- lookups --------------------------------------------------------------------------
    def lookup(self, path: Path, name: str, depth: int) -> Optional[Value]:
        key = (path, name)
        if key in self._active or depth > 12:
            return None
        module = self.parsed(path)
        if module is None:
            return None
        self._active.add(key)
        try:
            return module.value_of(name, depth)
        finally:
            self._active.discard(key)

    def _imported_definition(self, resolver: Resolver, local_name: str, referent: ImportAssignment) -> Optional[Tuple[str, Path, str]]:
        """("name", module file, attribute) or ("module", module file, "") for an imported name.
        Asked for every use of the name: answered once per import and name."""
        known = resolver.imported_definitions
        key = (referent, local_name)
        if key not in known:
            known[key] = self._find_imported_definition(resolver, local_name, referent)
        return known[key]

    def _find_imported_definition(self, resolver: Resolver, local_name: str, referent: ImportAssignment) -> Optional[Tuple[str, Path, str]]:
        statement = referent.node
        importer = Path(resolver.path).resolve()
        if isinstance(statement, cst.ImportFrom):
            if isinstance(statement.names, cst.ImportStar):
                return None
            module_name = resolver.code(statement.module) if statement.module is not None else ""
            level = len(statement.relative)
            for alias in statement.names:
                bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else resolver.code(alias.name)
                if bound != local_name:
                    continue
                imported = resolver.code(alias.name)
                # a submodule first (`from pkg import prompts`), else a name defined in the module
                submodule = self.module_file(importer, f"{module_name}.{imported}" if module_name else imported, level)
                if submodule is not None:
                    return ("module", submodule, "")
                module_file = self.module_file(importer, module_name, level)
                if module_file is not None:
                    return ("name", module_file, imported)
                return None
        if isinstance(statement, cst.Import):
            for alias in statement.names:
                dotted = resolver.code(alias.name)
                bound = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else dotted.split(".")[0]
                if bound != local_name:
                    continue
                target = dotted if alias.asname else dotted.split(".")[0]
                module_file = self.module_file(importer, target, 0)
                if module_file is not None:
                    return ("module", module_file, "")
        return None


def _request_function_names(path: Path, read_source) -> Optional[frozenset]:
    """Names of the module's top-level functions whose source may hold an SDK request; None
    when the module cannot be read or parsed by `ast` (then every name is a candidate)."""
    import ast

    from cachelint.source.prefilter import may_contain_requests

    try:
        source = read_source(path)
        tree = ast.parse(source)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = source.splitlines(keepends=True)
    if any(b"coding" in line for line in lines[:2]):
        return None  # slices of a file in a declared encoding are not read the same way alone
    names = set()
    seen = set()
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name in seen:
            continue
        seen.add(node.name)  # the first definition, as ParsedModule.function finds it
        end = getattr(node, "end_lineno", None) or len(lines)
        if may_contain_requests(b"".join(lines[node.lineno - 1 : end])):
            names.add(node.name)
    return frozenset(names)


class ParsedModule:
    def __init__(self, path: Path, wrapper: MetadataWrapper, resolver: Resolver, source: bytes = b""):
        self.path = path
        self.source = source
        self._functions: Optional[Dict[str, cst.FunctionDef]] = None
        self.wrapper = wrapper
        self.resolver = resolver
        self._globals = None

    def _global_scope(self):
        if self._globals is None:
            self._globals = self.resolver.scopes.get(self.wrapper.module)
        return self._globals

    def function(self, name: str) -> Optional[cst.FunctionDef]:
        if self._functions is None:
            self._functions = {}
            for statement in self.wrapper.module.body:
                if isinstance(statement, cst.FunctionDef):
                    self._functions.setdefault(statement.name.value, statement)
        return self._functions.get(name)

    def value_of(self, name: str, depth: int) -> Optional[Value]:
        scope = self._global_scope()
        if scope is None:
            return None
        try:
            assignments = list(scope.assignments[name])
        except Exception:
            return None
        if not assignments:
            return None
        values: List[Value] = []
        for assignment in assignments:
            node = assignment.node
            if isinstance(assignment, ImportAssignment):
                use = cst.Name(name)
                resolved = self.resolver.project.resolve_import(self.resolver, use, assignment, depth) if self.resolver.project else None
                if resolved is None:
                    return None
                values.append(resolved)
            elif isinstance(assignment, Assignment) and isinstance(node, cst.Name):
                values.append(self.resolver.target_value(node, node, depth))
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                values.append(Unknown(Staticness.STATIC, f"`{name}`", "a function or class", origin=Origin.DEFINITION))
            else:
                return None
        values = [v for v in values if v is not None]
        if not values:
            return None
        if len(values) == 1:
            value = values[0]
        else:
            value = self.resolver.combine_alternatives(values, cst.Name(name))
        if isinstance(value, TextValue):
            return TextValue(value.pieces, value.node, origin=Origin.IMPORT)
        return value


_PROJECTS: Dict[Tuple[str, ...], Project] = {}
_SCOPED_PROJECT: ContextVar[Optional[Project]] = ContextVar("cachelint_scoped_project", default=None)


@contextmanager
def resolving_through(project: Project) -> Iterator[Project]:
    """Within the block, files analysed in this thread resolve their imports through `project`
    instead of the per-process one: the language server lints each buffer against a project
    whose overlay holds the workspace's unsaved buffers."""
    token = _SCOPED_PROJECT.set(project)
    try:
        yield project
    finally:
        _SCOPED_PROJECT.reset(token)


def project_for(path: str, roots: Optional[List[str]] = None) -> Optional[Project]:
    """The per-process project for a file, shared by every file of the same roots (or the one
    `resolving_through` put in place)."""
    if not path or path == "-":
        return None
    scoped = _SCOPED_PROJECT.get()
    if scoped is not None:
        return scoped
    if not os.path.exists(path):
        return None
    key = tuple(sorted(str(Path(r).resolve()) for r in roots)) if roots else ("",)
    project = _PROJECTS.get(key)
    if project is None:
        project = Project([Path(r) for r in roots] if roots else [])
        _PROJECTS[key] = project
    return project
