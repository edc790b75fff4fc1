"""What the analysis of one file needs to know from the configuration.

Kept apart from config loading so that worker processes and the result cache see one small,
hashable value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import FrozenSet, Optional, Tuple


@dataclass(frozen=True)
class ModelOverride:
    """A `[tool.cachelint.models."<id>"]` table: corrects the built-in model data without a release."""

    model: str
    min_cache_tokens: Optional[int] = None
    input_usd_per_mtok: Optional[float] = None
    cache_read_multiplier: Optional[float] = None


@dataclass(frozen=True)
class AnalysisOptions:
    enabled_codes: FrozenSet[str] = frozenset()  # empty means "all rules"
    default_model: Optional[str] = None  # used for size gates and costs when a call's model is unknown
    chars_per_token: float = 4.0
    target_sdk: Optional[Tuple[int, ...]] = None  # oldest anthropic version the code runs on; None = newest
    report_unknown_size: bool = False  # CL001: also report static prompts whose size cannot be estimated
    model_overrides: Tuple[ModelOverride, ...] = field(default_factory=tuple)

    def is_enabled(self, code: str) -> bool:
        return not self.enabled_codes or code in self.enabled_codes
