"""Per-model cache minimums and prices: the one place these numbers live.

Source: Anthropic's prompt-caching and pricing docs and anthropic==2.12.0, as recorded in the
project's shared docs. Every number can change; users can override them in
`[tool.cachelint.models."<id>"]` without waiting for a release.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Optional

from cachelint.core.options import ModelOverride

CHECKED_ON = "2026-11-23"

WRITE_5M_MULTIPLIER = 1.25
WRITE_1H_MULTIPLIER = 2.0
DEFAULT_READ_MULTIPLIER = 0.1


@dataclass(frozen=True)
class ModelInfo:
    model: str
    min_cache_tokens: Optional[int]  # None: unknown, never guess small
    input_usd_per_mtok: Optional[float]
    cache_read_multiplier: float = DEFAULT_READ_MULTIPLIER


def _table() -> Dict[str, ModelInfo]:
    minimums = {
        512: "claude-fable-5-1 claude-mythos-5-1 claude-opus-5-5 claude-opus-5 claude-fable-5 "
        "claude-mythos-5 claude-sonnet-5-5",
        1024: "claude-opus-4-8 claude-sonnet-5 claude-sonnet-4-5 claude-opus-4-1 claude-opus-4 "
        "claude-sonnet-4",
        # claude-sonnet-4-6: the docs said 1024 and 2048 at different dates; users saw 2048.
        2048: "claude-mythos-preview claude-opus-4-7 claude-3-5-haiku claude-sonnet-4-6",
        4096: "claude-opus-4-6 claude-opus-4-5 claude-haiku-4-5",
    }
    prices = {
        10.0: "claude-fable-5 claude-fable-5-1 claude-mythos-5 claude-mythos-5-1",
        4.0: "claude-opus-5-5",
        5.0: "claude-opus-5 claude-opus-4-8 claude-opus-4-7 claude-opus-4-6 claude-opus-4-5",
        15.0: "claude-opus-4-1 claude-opus-4",
        2.0: "claude-sonnet-5-5 claude-sonnet-5",
        3.0: "claude-sonnet-4-6 claude-sonnet-4-5 claude-sonnet-4",
        1.0: "claude-haiku-4-5",
        0.80: "claude-3-5-haiku",
    }
    read_multipliers = {
        "claude-fable-5-1": 0.025,
        "claude-mythos-5-1": 0.025,
        "claude-opus-5-5": 0.05,
    }
    min_by_model = {m: n for n, ids in minimums.items() for m in ids.split()}
    price_by_model = {m: p for p, ids in prices.items() for m in ids.split()}
    return {
        model: ModelInfo(
            model=model,
            min_cache_tokens=min_by_model.get(model),
            input_usd_per_mtok=price_by_model.get(model),
            cache_read_multiplier=read_multipliers.get(model, DEFAULT_READ_MULTIPLIER),
        )
        for model in sorted(set(min_by_model) | set(price_by_model))
    }


MODELS: Dict[str, ModelInfo] = _table()


def _base_id(model: str) -> str:
    """Strip a dated snapshot suffix or `-latest`: claude-sonnet-4-5-20250929 -> claude-sonnet-4-5.

    Platform ids (`anthropic.claude-...-v1:0`, `claude-...@20250929`) are reduced the same way so
    Bedrock and Vertex calls find their model.
    """
    name = model.strip()
    if name.startswith("anthropic."):
        name = name[len("anthropic.") :]
    for sep in ("@", ":"):
        name = name.split(sep, 1)[0]
    if name.endswith("-v1") or name.endswith("-v2"):
        name = name[:-3]
    if name.endswith("-latest"):
        name = name[: -len("-latest")]
    parts = name.split("-")
    if parts and len(parts[-1]) == 8 and parts[-1].isdigit():
        parts = parts[:-1]
    return "-".join(parts)


def lookup(model: Optional[str], overrides: Iterable[ModelOverride] = ()) -> Optional[ModelInfo]:
    """The model's data, or None when the id is not known (sizes then stay unknown)."""
    if not model:
        return None
    base = _base_id(model)
    info = MODELS.get(model) or MODELS.get(base)
    for override in overrides:
        if override.model in (model, base):
            info = ModelInfo(
                model=override.model,
                min_cache_tokens=override.min_cache_tokens
                if override.min_cache_tokens is not None
                else (info.min_cache_tokens if info else None),
                input_usd_per_mtok=override.input_usd_per_mtok
                if override.input_usd_per_mtok is not None
                else (info.input_usd_per_mtok if info else None),
                cache_read_multiplier=override.cache_read_multiplier
                if override.cache_read_multiplier is not None
                else (info.cache_read_multiplier if info else DEFAULT_READ_MULTIPLIER),
            )
    return info
