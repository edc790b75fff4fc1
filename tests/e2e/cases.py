"""Which example program proves which rule's fix, and what the proof compares.

Each `ProofCase` names a program of tests/fixtures/e2e/, the rule whose fix is applied (alone,
with `cachelint fix --select CODE`), the level it is applied at, and:

- `same_text`: what must be identical between the requests sent before and after the fix:
  "blocks"   every request minus caching metadata, block for block (SAFE fixes);
  "joined"   the same, with adjacent text blocks joined (UNSAFE splits: same characters);
  "reordered" the same system blocks in another order (CL203 moves per-call blocks last);
  "sorted-topics" block for block once the topic list built from a set is sorted (CL202
             makes the order canonical; before the fix it depended on the process);
  "blocks-but-max-tokens" block for block; only `max_tokens` may differ (CL303);
  "after-only" the unfixed program crashes before sending anything: the fixed program's
             requests are checked against the program's own constants instead.
- `claim`: what the rule's docs promise about the bill over the scripted session:
  "static-prefix-read"  the first call writes the static prefix, every later call reads it;
  "history-read"        every turn reads everything the previous turn sent;
  "crash-removed"       the unfixed program fails (documented exception / 400), the fixed runs;
  "no-output-tokens"    a warm-up generates no output; the input bill is unchanged;
  "same-bill"           dead configuration removed: the bill is unchanged.
- `before_error`: the exception class the unfixed program dies with, if any.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

SAFE = "safe"
UNSAFE = "unsafe"

SINGLE_TURN = "single-turn"
CONVERSATION = "multi-turn conversation"
AGENT_LOOP = "agent tool loop"
BATCH = "batch"

DEFAULT_CALLS = 10
AGENT_CALLS = 12  # three tasks of three tool lookups and one answer each
# Worker processes (PYTHONHASHSEED values) for programs whose prefix depends on the process.
TEST_HASH_SEEDS = (1, 2)
TABLE_HASH_SEEDS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ProofCase:
    program: str  # file name in tests/fixtures/e2e/
    rule: str
    level: str  # SAFE or UNSAFE: the fix level applied
    shape: str
    same_text: str
    claim: str
    before_error: Optional[str] = None
    calls: int = DEFAULT_CALLS
    responder: Optional[str] = None  # a key of harness.RESPONDERS
    per_process: bool = False  # run in worker processes with different hash seeds

    @property
    def id(self) -> str:
        return "%s-%s-%s" % (self.rule, self.level, self.program[:-3])

    @property
    def select(self) -> Tuple[str, ...]:
        return (self.rule,)


CASES: Tuple[ProofCase, ...] = (
    ProofCase("support_bot.py", "CL001", SAFE, SINGLE_TURN, "blocks", "static-prefix-read"),
    ProofCase("helpdesk_chat.py", "CL001", SAFE, CONVERSATION, "blocks", "static-prefix-read"),
    ProofCase("grading_batch.py", "CL001", SAFE, BATCH, "blocks", "static-prefix-read"),
    ProofCase("personalised_bot.py", "CL001", UNSAFE, SINGLE_TURN, "joined", "static-prefix-read"),
    ProofCase("dated_concierge.py", "CL002", UNSAFE, SINGLE_TURN, "joined", "static-prefix-read"),
    ProofCase(
        "contract_agent.py", "CL003", SAFE, AGENT_LOOP, "blocks", "static-prefix-read", calls=AGENT_CALLS, responder="agent"
    ),
    ProofCase("bad_marker.py", "CL103", SAFE, SINGLE_TURN, "blocks", "crash-removed", before_error="BadRequestError"),
    ProofCase(
        "legacy_beta_flag.py", "CL104", SAFE, SINGLE_TURN, "after-only", "crash-removed", before_error="TypeError"
    ),
    ProofCase(
        "beta_features.py", "CL104", UNSAFE, SINGLE_TURN, "after-only", "crash-removed", before_error="TypeError"
    ),
    ProofCase(
        "legacy_namespace.py", "CL105", SAFE, SINGLE_TURN, "after-only", "crash-removed", before_error="AttributeError"
    ),
    ProofCase("beta_header.py", "CL105", SAFE, SINGLE_TURN, "blocks", "same-bill"),
    ProofCase("faq_auto_cache.py", "CL201", SAFE, SINGLE_TURN, "blocks", "static-prefix-read"),
    ProofCase(
        "tagged_catalog.py", "CL202", SAFE, SINGLE_TURN, "sorted-topics", "static-prefix-read", per_process=True
    ),
    ProofCase("daily_briefing.py", "CL203", UNSAFE, SINGLE_TURN, "reordered", "static-prefix-read"),
    ProofCase("helpdesk_chat.py", "CL302", SAFE, CONVERSATION, "blocks", "history-read"),
    ProofCase(
        "contract_agent.py", "CL302", SAFE, AGENT_LOOP, "blocks", "history-read", calls=AGENT_CALLS, responder="agent"
    ),
    ProofCase("cache_warmup.py", "CL303", UNSAFE, SINGLE_TURN, "blocks-but-max-tokens", "no-output-tokens"),
)

# Every program, with every rule's fix applied at once (`cachelint fix --unsafe-fixes`).
PROGRAMS: Tuple[str, ...] = tuple(sorted({case.program for case in CASES}))


def case_for_program(program: str) -> ProofCase:
    """The first case of `program`: how to drive it (responder, processes)."""
    return next(case for case in CASES if case.program == program)
