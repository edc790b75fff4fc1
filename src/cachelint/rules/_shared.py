"""Wording and settings several rules share: the size gate and how token counts read."""

from __future__ import annotations

from typing import Optional, Tuple

from cachelint.core import modeldata

# CL302 still reads the marker's code here; its owner is cachelint.fix.markers.

# When the model is unknown the size gate must not shrink: use the largest known minimum.
UNKNOWN_MODEL_GATE = max(
    info.min_cache_tokens for info in modeldata.MODELS.values() if info.min_cache_tokens is not None
)


def size_gate(ctx, model: Optional[str]) -> Tuple[int, str]:
    """The minimum cacheable prefix in tokens for the call's model, and how it was chosen."""
    minimum = ctx.min_cache_tokens(model)
    if minimum is not None:
        return minimum, (model or ctx.options.default_model or "")
    return UNKNOWN_MODEL_GATE, "an unknown model (using the largest minimum)"


def tokens_phrase(tokens: int) -> str:
    return f"~{tokens:,} tokens"
