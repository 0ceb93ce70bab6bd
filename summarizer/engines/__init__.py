"""Engines turn cleaned text into a Draft. Each module exposes `extract(clean, settings)`
and `aextract(clean, settings)` returning an EngineResult; grounding happens afterwards."""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.schema import Draft, Usage


@dataclass
class EngineResult:
    draft: Draft
    engine: str
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1
    retries: int = 0
    chunks: int = 1
