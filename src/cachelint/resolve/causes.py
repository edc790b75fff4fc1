"""Calls whose result changes even for the same inputs, and why (the one table of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional

from cachelint.resolve.text import Cause


@dataclass(frozen=True)
class VolatileCall:
    description: str  # how a user would name it: "datetime.now()"
    cause: Cause
    reason: str = "changes on every call"  # for --explain-unknown


# By qualified name.
VOLATILE_CALLS: Dict[str, VolatileCall] = {
    "datetime.datetime.now": VolatileCall("datetime.now()", Cause.CLOCK),
    "datetime.datetime.utcnow": VolatileCall("datetime.utcnow()", Cause.CLOCK),
    "datetime.datetime.today": VolatileCall("datetime.today()", Cause.CLOCK),
    "datetime.date.today": VolatileCall("date.today()", Cause.CLOCK),
    "time.time": VolatileCall("time.time()", Cause.CLOCK),
    "time.time_ns": VolatileCall("time.time_ns()", Cause.CLOCK),
    "time.monotonic": VolatileCall("time.monotonic()", Cause.CLOCK),
    "time.perf_counter": VolatileCall("time.perf_counter()", Cause.CLOCK),
    "time.ctime": VolatileCall("time.ctime()", Cause.CLOCK),
    "time.localtime": VolatileCall("time.localtime()", Cause.CLOCK),
    "time.gmtime": VolatileCall("time.gmtime()", Cause.CLOCK),
    "time.asctime": VolatileCall("time.asctime()", Cause.CLOCK),
    "time.strftime": VolatileCall("time.strftime()", Cause.CLOCK),
    "uuid.uuid1": VolatileCall("uuid1()", Cause.UUID),
    "uuid.uuid4": VolatileCall("uuid4()", Cause.UUID),
    "os.getpid": VolatileCall("os.getpid()", Cause.PROCESS),
    "os.urandom": VolatileCall("os.urandom()", Cause.RANDOM),
}
# Every function and attribute of these modules is random.
VOLATILE_MODULES = ("random.", "secrets.")


def volatile_call(qualified_name: str) -> Optional[VolatileCall]:
    """The call's entry when its result changes on every call, else None."""
    found = VOLATILE_CALLS.get(qualified_name)
    if found is not None:
        return found
    if qualified_name.startswith(VOLATILE_MODULES):
        return VolatileCall(f"{qualified_name}()", Cause.RANDOM, "random value")
    return None


def is_random_module_name(qualified_name: str) -> bool:
    """`random.x` / `secrets.x`: an attribute of a module whose values are random."""
    return qualified_name.startswith(VOLATILE_MODULES)
