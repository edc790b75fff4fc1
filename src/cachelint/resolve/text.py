"""Text as the resolver sees it: a string as pieces, each with how it behaves across calls.

`Staticness` says whether a piece's bytes stay the same from one call to the next, `Origin`
where a value came from, and `Cause` why a piece that varies does vary (the clock, a set's
iteration order, `json.dumps` of data whose key order the code does not fix...). The request
model (`cachelint.model.request`) is built from these; the rules read them there.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Tuple

import libcst as cst


class Staticness(enum.IntEnum):
    """How a value behaves across calls. Ordered so that combining parts takes the max."""

    STATIC = 0  # same bytes every call
    UNKNOWN = 1  # cannot tell (value from outside the project, an argument splat...)
    PER_CALL = 2  # depends on the call's inputs (parameters, request data)
    VOLATILE = 3  # changes even for the same inputs (now(), uuid4(), random, set order...)

    @property
    def varies(self) -> bool:
        return self in (Staticness.PER_CALL, Staticness.VOLATILE)


class Origin(str, enum.Enum):
    """Where a value came from. A `str` enum whose text is its value, so it prints as before."""

    LITERAL = "literal"  # written out at the use
    CONSTANT = "constant"  # a module-level name
    LOCAL = "local"  # a name assigned in the enclosing function
    PARAMETER = "parameter"  # a parameter of the enclosing function
    ATTRIBUTE = "attribute"  # `self.x`, or an attribute that could not be followed
    CALL = "call"  # the result of a call that could not be followed
    FUNCTION = "function"  # the return value of a same-project function
    FILE = "file"  # a file read from disk
    IMPORT = "import"  # a name imported from another module
    MODULE = "module"  # a project module bound to a name
    DEFINITION = "definition"  # a function or a class
    SPLAT = "splat"  # may come from a `**` splat
    JSON = "json"  # `json.dumps(...)`
    SET = "set"  # a set literal or `set(...)`
    SORTED = "sorted"  # `sorted(...)`
    SLICE = "slice"  # `items[a:b]`
    COMPREHENSION = "comprehension"  # a list / generator / set comprehension
    AUGMENTED = "augmented"  # `x += ...`
    ALTERNATIVES = "alternatives"  # one of several assignments
    CONTAINER = "container"  # a list or dict viewed as text
    VOLATILE = "volatile"  # a call whose result changes on every call
    LOOP = "loop"  # a loop variable
    UNKNOWN = "unknown"

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


class Cause(str, enum.Enum):
    """Why a piece's bytes may differ between calls (or runs) of the same code."""

    CLOCK = "clock"  # datetime.now(), time.time(), date.today()...
    UUID = "uuid"  # uuid1(), uuid4()
    RANDOM = "random"  # random.*, secrets.*, os.urandom()
    PROCESS = "process"  # os.getpid(): another value in every worker
    UNSORTED_JSON = "unsorted-json"  # json.dumps of data whose key order the code does not fix
    SET_ORDER = "set-order"  # iteration over a set: string hashing is randomised per process
    PARAMETER = "parameter"  # a parameter of the enclosing function
    LOOP_VARIABLE = "loop-variable"  # a loop variable

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)


def _node_field():
    return field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class Piece:
    """One run of a text value: a literal run, an interpolated value, a concatenated operand."""

    staticness: Staticness
    text: Optional[str] = None  # known when STATIC and resolvable
    chars: Optional[int] = None  # known size (text length, or a file's size on disk)
    description: str = ""  # how a user would name it: "`user_name`", "datetime.now()"
    node: Optional[cst.CSTNode] = _node_field()
    cause: Optional[Cause] = None  # why it varies (or may), when the resolver can tell
    # what a fix of the cause rewrites: the `json.dumps` Call, the set expression iterated
    cause_node: Optional[cst.CSTNode] = _node_field()


@dataclass(frozen=True)
class TextValue:
    """A string as a sequence of pieces (an f-string, a `+` chain, a constant...)."""

    pieces: Tuple[Piece, ...]
    node: Optional[cst.CSTNode] = _node_field()  # the expression as written where it is used
    origin: Origin = Origin.LITERAL

    @property
    def staticness(self) -> Staticness:
        return max((p.staticness for p in self.pieces), default=Staticness.STATIC)

    @property
    def is_static(self) -> bool:
        return self.staticness is Staticness.STATIC

    @property
    def text(self) -> Optional[str]:
        if not self.is_static or any(p.text is None for p in self.pieces):
            return None
        return "".join(p.text or "" for p in self.pieces)

    @property
    def known_chars(self) -> int:
        """Characters known for sure (a lower bound of the size)."""
        return sum(p.chars or 0 for p in self.pieces)

    @property
    def size_is_exact(self) -> bool:
        return all(p.chars is not None for p in self.pieces)

    @property
    def static_prefix_chars(self) -> int:
        total = 0
        for piece in self.pieces:
            if piece.staticness is not Staticness.STATIC:
                break
            total += piece.chars or 0
        return total

    @property
    def varying_pieces(self) -> Tuple[Piece, ...]:
        return tuple(p for p in self.pieces if p.staticness.varies)

    @property
    def first_varying_index(self) -> Optional[int]:
        for index, piece in enumerate(self.pieces):
            if piece.staticness.varies:
                return index
        return None
