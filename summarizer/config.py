"""Settings for one run, from keyword arguments, CLI flags and the standard environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from summarizer.brief_language import check_code
from summarizer.errors import ConfigError
from summarizer.language import normalize_code

# How the schema reaches the server: tool calling (OpenAI, vLLM, Ollama), OpenAI's json_schema
# response_format, or {"type": "json_object", "schema": ...} (llama.cpp's server).
StructuredOutput = Literal["tools", "json_schema", "json_object"]
# What an LLM writes: the whole brief, or only the summary (the extractive rules then find the items).
ModelWrites = Literal["brief", "summary"]
DEFAULT_MODEL = "gpt-4o-mini"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: str = Field(default="auto", description="auto, or an engine's name (see summarizer.engines.registry).")
    model: str | None = None
    base_url: str | None = None
    api_key: SecretStr | None = Field(default=None, repr=False)
    max_retries: int = Field(default=3, ge=0, le=20, description="Transport retries per request.")
    max_reasks: int = Field(default=2, ge=0, le=10, description="Re-asks after a schema-invalid answer.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds per HTTP request.")
    keep_unaligned: bool = False
    max_chars: int = Field(default=5_000_000, gt=0, description="Refuse documents longer than this.")
    chunk_chars: int = Field(default=12_000, ge=500, description="Characters per LLM chunk.")
    chunk_overlap: int = Field(default=600, ge=0, description="Characters shared by adjacent chunks.")
    structured_output: StructuredOutput = "tools"
    max_tokens: int | None = Field(
        default=None, ge=1, description="Cap on the tokens the model writes per request (the server's default if unset)."
    )
    retry_wait_base: float = Field(default=0.5, ge=0, description="First transport-retry wait in seconds; doubles.")
    retry_wait_max: float = Field(default=30.0, ge=0, description="Cap on any retry wait, Retry-After included.")
    concurrency: int = Field(default=4, ge=1, le=64, description="Chunks extracted at once by the async engine.")
    gguf: Path | None = Field(default=None, description="GGUF model file for --engine local.")
    model_writes: ModelWrites | None = Field(
        default=None,
        description="brief: the model writes every item; summary: only the summary, rules find the items "
        "(default: brief for llm, summary for local).",
    )
    cross_check: bool = Field(
        default=True, description="For LLM engines, report the actors and figures the extractive rules find and it missed."
    )
    fill_gaps: bool = Field(
        default=True, description="With cross_check, add what the LLM missed to the brief, marked found_by 'rules'."
    )
    keep_unsupported: bool = Field(
        default=False, description="Keep items the support checks would drop, flagged with the reason code."
    )
    allow_private_urls: bool = Field(
        default=False, description="Fetch URLs on private, loopback and link-local addresses too (refused by default)."
    )
    fetch_timeout: float = Field(default=30.0, gt=0, description="Seconds for fetching one URL, redirects included.")
    language: str | None = Field(
        default=None,
        description="The document's language as an ISO 639-1 code (en, fr, ...), instead of detecting it "
        "(source.language_confidence is then null).",
    )

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        return normalize_code(value) if value else None

    brief_language: str | None = Field(
        default=None,
        description="Language code the brief's own words are written in (evidence stays in the source's); "
        "the source's language if unset. Only engines whose model writes the brief can translate.",
    )

    @field_validator("brief_language")
    @classmethod
    def _known_language(cls, code: str | None) -> str | None:
        return None if code is None else check_code(code)

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Environment first (OPENAI_API_KEY, OPENAI_BASE_URL, SUMMARIZER_MODEL), then non-None overrides."""
        values: dict[str, Any] = {}
        env = {
            "api_key": os.environ.get("OPENAI_API_KEY"),
            "base_url": os.environ.get("OPENAI_BASE_URL"),
            "model": os.environ.get("SUMMARIZER_MODEL"),
        }
        values.update({k: v for k, v in env.items() if v})
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def endpoint_configured(self) -> bool:
        """True when an LLM endpoint is set: an API key (OpenAI itself) or an explicit base URL."""
        return bool(self.base_url or self.api_key)


def require_endpoint(settings: Settings) -> None:
    """ConfigError unless an LLM endpoint is configured (checked before any request or ledger row)."""
    if not settings.endpoint_configured:
        raise ConfigError(
            "the llm engine needs an endpoint: set OPENAI_API_KEY (OpenAI) or --base-url / OPENAI_BASE_URL "
            "(a local server), or use --engine extractive"
        )
