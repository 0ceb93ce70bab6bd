"""Token usage priced: the provider's list price per million tokens, and the Batch API's discount on it.

The built-in table is small on purpose (OpenAI's published list prices for the models this tool is
usually pointed at) and any entry can be replaced or added with a JSON file:
    {"gpt-4o-mini": {"input": 0.15, "output": 0.60}, "my-model": {"input": 1.0, "output": 2.0}}
A model the table does not know gets no price at all: tokens only, never a guessed figure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import BaseModel, Field

from summarizer.errors import ConfigError
from summarizer.schema import Usage

# USD per million tokens (input, output), OpenAI's standard tier; the Batch API bills half of it.
LIST_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}
BATCH_DISCOUNT = 0.5
# A dated snapshot ("gpt-4o-mini-2024-07-18") is priced as its model.
_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")

Prices = dict[str, tuple[float, float]]


class Cost(BaseModel):
    """Tokens and, when the model's price is known, what they cost at list and at batch price."""

    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    list_usd: float | None = Field(default=None, description="At the per-request (list) price; None: model not priced.")
    batch_usd: float | None = Field(default=None, description="What the Batch API bills: the list price less its discount.")
    saved_usd: float | None = None
    discount: float = Field(BATCH_DISCOUNT, description="The share of the list price the provider takes off.")

    def line(self) -> str:
        tokens = f"{self.total_tokens:,} tokens ({self.prompt_tokens:,} in, {self.completion_tokens:,} out)"
        if self.batch_usd is None:
            return f"{tokens}; no price known for {self.model}"
        if not self.discount:
            return f"{tokens}; ${self.list_usd:.4f} at list price"
        return (
            f"{tokens}; ${self.batch_usd:.4f} at the batch price "
            f"(${self.list_usd:.4f} at list price, ${self.saved_usd:.4f} saved)"
        )


def load_prices(path: Path | None) -> Prices:
    """The built-in table with `path`'s entries over it. A bad file is a one-line ConfigError."""
    prices = dict(LIST_PRICES)
    if path is None:
        return prices
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        for model, entry in data.items():
            prices[str(model)] = (float(entry["input"]), float(entry["output"]))
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ConfigError(
            f"--batch-prices {path}: not a price table ({type(exc).__name__}: {exc}); give JSON like "
            '{"gpt-4o-mini": {"input": 0.15, "output": 0.60}} in USD per million tokens'
        ) from None
    return prices


def price_of(model: str, prices: Prices) -> tuple[float, float] | None:
    return prices.get(model) or prices.get(_SNAPSHOT.sub("", model))


def cost(usage: Usage, model: str, prices: Prices, *, discount: float = BATCH_DISCOUNT) -> Cost:
    found = price_of(model, prices)
    base = Cost(
        model=model,
        discount=discount,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )
    if found is None:
        return base
    listed = (usage.prompt_tokens * found[0] + usage.completion_tokens * found[1]) / 1_000_000
    billed = listed * (1 - discount)
    return base.model_copy(
        update={"list_usd": round(listed, 6), "batch_usd": round(billed, 6), "saved_usd": round(listed - billed, 6)}
    )
