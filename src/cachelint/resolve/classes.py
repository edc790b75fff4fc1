"""What a class's methods assign to `self.<attr>`, for resolving `self.x` and recognising clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import libcst as cst

from cachelint.syntax.treewalk import find_all, walk


@dataclass(frozen=True)
class SelfAssignment:
    """`self.<attr> = value` (or `: T = value`, or `+= value`) inside a method of a class."""

    method: str
    target: cst.CSTNode = field(compare=False, hash=False, repr=False)
    value: Optional[cst.CSTNode] = field(compare=False, hash=False, repr=False)  # None for `+=`
    annotation: Optional[cst.Annotation] = field(default=None, compare=False, hash=False, repr=False)


def self_assignments(klass: cst.ClassDef) -> Dict[str, List[SelfAssignment]]:
    """Every `self.<attr>` assignment in the class's methods, by attribute name, in one walk
    (callers cache it per class: `Resolver.self_assignments`)."""
    found: Dict[str, List[SelfAssignment]] = {}

    def self_attribute(node: cst.CSTNode) -> Optional[str]:
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
            return node.attr.value
        return None

    for method in klass.body.body:
        if not isinstance(method, cst.FunctionDef):
            continue
        kinds = (cst.Assign, cst.AnnAssign, cst.AugAssign)
        for statement in find_all(method, lambda n: isinstance(n, kinds)):
            if isinstance(statement, cst.Assign):
                for target in statement.targets:
                    name = self_attribute(target.target)
                    if name is not None:
                        found.setdefault(name, []).append(SelfAssignment(method.name.value, target.target, statement.value))
            else:
                name = self_attribute(statement.target)
                if name is None:
                    continue
                if isinstance(statement, cst.AugAssign):
                    found.setdefault(name, []).append(SelfAssignment(method.name.value, statement.target, None))
                else:
                    found.setdefault(name, []).append(
                        SelfAssignment(method.name.value, statement.target, statement.value, statement.annotation)
                    )
    return found


def self_list_grows(klass: cst.ClassDef, name: str) -> bool:
    """`self.<name>` is appended to, extended or `+=`-ed somewhere in the class."""

    def is_self_attribute(node: cst.CSTNode) -> bool:
        return (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value == "self"
            and node.attr.value == name
        )

    for node in walk(klass):
        if isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in ("append", "extend", "insert"):
                if is_self_attribute(func.value):
                    return True
        elif isinstance(node, cst.AugAssign) and is_self_attribute(node.target):
            return True
    return False
