"""Names: what the assignments that reach a use of a name evaluate to.

Local and module assignments (with in-place dict updates and list mutations), parameters
(bound to a caller's arguments in wrapper analysis), loop variables, `+=` chains, and names
imported from the project (through `Project`).
"""

from __future__ import annotations

import dataclasses
from typing import List, Optional

import libcst as cst

from cachelint.resolve.text import Cause, Origin, Piece, Staticness, TextValue
from cachelint.resolve.value import (
    Const,
    DictEntry,
    DictVal,
    ListVal,
    Unknown,
    Value,
    as_text,
    concat,
    static_text,
    staticness_of,
)
from cachelint.syntax.scopes import Assignment, ImportAssignment


class NameResolution:
    """The part of `Resolver` that follows names (a mixin: it uses the resolver's `resolve`,
    `index`, `scopes`, `bindings`, `parent`, `enclosing`, `short`, `path` and `project`)."""

    def referents(self, node: cst.Name):
        """The assignments a name can refer to (None for a node of another module)."""
        return self.index.referents(node)

    def resolve_name(self, node: cst.Name, depth: int) -> Value:
        if node.value in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[node.value], node)
        referents = self.referents(node)
        if not referents:
            if node.value == "__file__":
                return static_text(self.path, node, "__file__")
            return Unknown(description=f"`{node.value}`", reason=f"`{node.value}` is not defined in this file", node=node)
        values = []
        for referent in sorted(referents, key=lambda r: r.index):
            values.append(self._assignment_value(node, referent, depth))
        values = [v for v in values if v is not None]
        if not values:
            return Unknown(description=f"`{node.value}`", reason=f"`{node.value}` could not be resolved", node=node)
        if len(values) == 1:
            return self._named(values[0], node)
        return self._named(self.combine_alternatives(values, node), node)

    def _named(self, value: Value, node: cst.Name) -> Value:
        """Give pieces of a resolved name the name as their description."""
        if isinstance(value, TextValue):
            pieces = tuple(dataclasses.replace(p, description=p.description or f"`{node.value}`") for p in value.pieces)
            return TextValue(pieces, node, value.origin)
        if isinstance(value, ListVal) and value.name is None:
            return ListVal(
                value.items, value.complete, value.grows, value.rewritten, value.origin, node.value,
                value.unordered, value.node,
            )
        return value

    def combine_alternatives(self, values: List[Value], node: cst.CSTNode) -> Value:
        """Several assignments reach the use: `+=` chains concatenate, others are alternatives."""
        if all(isinstance(v, TextValue) for v in values):
            texts = [v for v in values if isinstance(v, TextValue)]
            if any(v.origin is Origin.AUGMENTED for v in texts[1:]):
                return concat(texts, node, origin=texts[0].origin)
            worst = max(v.staticness for v in texts)
            smallest = min(v.known_chars for v in texts)
            return TextValue(
                (Piece(worst, None, smallest if worst is Staticness.STATIC else None, f"`{self.short(node)}`", node),),
                node,
                origin=Origin.ALTERNATIVES,
            )
        if all(isinstance(v, ListVal) for v in values):
            first = values[0]
            assert isinstance(first, ListVal)
            return ListVal(
                first.items,
                complete=False,
                grows=any(isinstance(v, ListVal) and v.grows for v in values),
                rewritten=True,
                origin=first.origin,
                name=first.name,
                node=first.node,
            )
        worst = max(staticness_of(v) for v in values)
        return Unknown(worst, f"`{self.short(node)}`", "assigned more than once", node=node)

    def _assignment_value(self, use: cst.Name, referent, depth: int) -> Optional[Value]:
        if isinstance(referent, ImportAssignment):
            return self._imported(use, referent, depth)
        if not isinstance(referent, Assignment):
            return Unknown(description=f"`{use.value}`", reason="builtin or unresolvable name", node=use)
        defining = referent.node
        if isinstance(defining, cst.Param) and defining in self.bindings:
            return self.bindings[defining]
        if isinstance(defining, cst.Param):
            return Unknown(
                Staticness.PER_CALL,
                f"parameter `{use.value}`",
                f"`{use.value}` is a parameter of the enclosing function",
                origin=Origin.PARAMETER,
                node=use,
                cause=Cause.PARAMETER,
            )
        if isinstance(defining, (cst.FunctionDef, cst.ClassDef)):
            return Unknown(Staticness.STATIC, f"`{use.value}`", "a function or class", origin=Origin.DEFINITION, node=use)
        if isinstance(defining, cst.Name):
            return self.target_value(use, defining, depth)
        return Unknown(description=f"`{use.value}`", reason="unsupported binding", node=use)

    def target_value(self, use: cst.Name, target: cst.Name, depth: int) -> Value:
        """The value bound to `target` (a Name in an assignment) as seen from `use`."""
        parent = self.parent(target)
        holder = parent
        # unpacking `a, b = ...` or starred targets: give up on the value, keep the staticness
        while isinstance(holder, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            holder = self.parent(holder)
        if isinstance(holder, cst.AssignTarget):
            assign = self.parent(holder)
            if isinstance(assign, cst.Assign):
                if holder.target is target:
                    return self._bound_value(assign.value, target, depth)
                value = self.resolve(assign.value, depth)
                return Unknown(staticness_of(value), f"`{use.value}`", "unpacked assignment", node=use)
        if isinstance(holder, cst.AnnAssign):
            if holder.value is None:
                return None
            return self._bound_value(holder.value, target, depth)
        if isinstance(holder, cst.AugAssign):
            added = self.resolve(holder.value, depth)
            if isinstance(holder.operator, cst.AddAssign):
                if isinstance(added, (TextValue, Unknown, Const)) and not isinstance(added, ListVal):
                    text = as_text(added, holder.value)
                    return TextValue(text.pieces, holder.value, origin=Origin.AUGMENTED)
                if isinstance(added, ListVal):
                    return ListVal(added.items, complete=False, grows=True, origin=Origin.AUGMENTED, node=holder.value)
            return Unknown(staticness_of(added), f"`{use.value}`", "augmented assignment", node=use)
        if isinstance(holder, (cst.For, cst.CompFor)):
            return Unknown(Staticness.PER_CALL, f"loop variable `{use.value}`", "loop variable", origin=Origin.LOOP, node=use,
                           cause=Cause.LOOP_VARIABLE)
        if isinstance(holder, cst.WithItem) or isinstance(holder, cst.AsName):
            return Unknown(description=f"`{use.value}`", reason="bound by `with`/`except`", node=use)
        if isinstance(holder, cst.NamedExpr):
            return self.resolve(holder.value, depth)
        return Unknown(description=f"`{use.value}`", reason="unsupported assignment", node=use)

    def _bound_value(self, value_node: cst.BaseExpression, target: cst.Name, depth: int) -> Value:
        value = self.resolve(value_node, depth)
        origin = Origin.CONSTANT if self._is_module_level(target) else Origin.LOCAL
        if isinstance(value, TextValue):
            return TextValue(value.pieces, value.node, origin=origin if value.origin is Origin.LITERAL else value.origin)
        if isinstance(value, DictVal):
            return self._with_dict_updates(value, target, depth)
        if isinstance(value, ListVal):
            return self._with_list_mutations(value, target)
        return value

    def _is_module_level(self, node: cst.CSTNode) -> bool:
        return self.enclosing(node, (cst.FunctionDef, cst.Lambda)) is None

    def _name_uses(self, target: cst.Name) -> List[cst.Name]:
        """Every later use of the name bound at `target` (its references in scope)."""
        scope = self.scopes.get(target)
        if scope is None:
            return []
        uses = []
        try:
            assignments = scope.assignments[target.value]
        except Exception:
            return []
        for assignment in assignments:
            if getattr(assignment, "node", None) is target:
                for access in assignment.references:
                    if isinstance(access.node, cst.Name):
                        uses.append(access.node)
        return uses

    def _with_dict_updates(self, value: DictVal, target: cst.Name, depth: int) -> DictVal:
        entries = list(value.entries)
        complete = value.complete
        for use in self._name_uses(target):
            parent = self.parent(use)
            # params["system"] = X
            if isinstance(parent, cst.Subscript) and parent.value is use:
                holder = self.parent(parent)
                if isinstance(holder, cst.AssignTarget):
                    assign = self.parent(holder)
                    key = self.subscript_key(parent)
                    if key is not None and isinstance(assign, cst.Assign):
                        entries.append(DictEntry(key, self.resolve(assign.value, depth), assign.value))
                    else:
                        complete = False
            # params.update({...}) / params.update(k=v) / params.setdefault(...)
            if isinstance(parent, cst.Attribute) and parent.value is use:
                call = self.parent(parent)
                if isinstance(call, cst.Call) and call.func is parent and parent.attr.value in ("update", "setdefault"):
                    added = self.call_dict_args(call, depth) if parent.attr.value == "update" else None
                    if added is None:
                        complete = False
                    else:
                        entries.extend(added.entries)
                        complete = complete and added.complete
        return DictVal(tuple(entries), complete, value.origin, value.node)

    def call_dict_args(self, call: cst.Call, depth: int) -> Optional[DictVal]:
        """The dict `dict(...)` / `d.update(...)` builds from its arguments."""
        entries: List[DictEntry] = []
        complete = True
        for arg in call.args:
            if arg.keyword is not None:
                entries.append(DictEntry(arg.keyword.value, self.resolve(arg.value, depth), arg))
            elif arg.star == "**" or arg.star == "":
                inner = self.resolve(arg.value, depth)
                if isinstance(inner, DictVal):
                    entries.extend(inner.entries)
                    complete = complete and inner.complete
                else:
                    complete = False
            else:
                complete = False
        return DictVal(tuple(entries), complete, Origin.CALL, call)

    def _with_list_mutations(self, value: ListVal, target: cst.Name) -> ListVal:
        grows = value.grows
        rewritten = value.rewritten
        for use in self._name_uses(target):
            parent = self.parent(use)
            if isinstance(parent, cst.Attribute) and parent.value is use:
                if parent.attr.value in ("append", "extend", "insert"):
                    grows = True
                elif parent.attr.value in ("pop", "clear", "remove"):
                    rewritten = True
            elif isinstance(parent, cst.AugAssign) and parent.target is use:
                grows = True
            elif isinstance(parent, cst.Del) or isinstance(self.parent(parent) if parent else None, cst.Del):
                rewritten = True
        return ListVal(
            value.items, complete=value.complete and not grows, grows=grows, rewritten=rewritten,
            origin=value.origin, name=target.value, unordered=value.unordered, node=value.node,
        )

    def _imported(self, use: cst.Name, referent: ImportAssignment, depth: int) -> Value:
        if self.project is not None:
            resolved = self.project.resolve_import(self, use, referent, depth)
            if resolved is not None:
                return resolved
        names = self.qualified_names(use)
        origin_name = next(iter(sorted(names)), use.value)
        return Unknown(
            description=f"`{use.value}`",
            reason=f"`{use.value}` is imported from `{origin_name.rsplit('.', 1)[0] if '.' in origin_name else origin_name}` (outside the analysed project)",
            origin=Origin.IMPORT,
            node=use,
        )
