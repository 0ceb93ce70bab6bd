"""The llm engine: a chat model behind any OpenAI-compatible endpoint fills a compact brief.

This module is only the engine's face (`LLMEngine`, what the registry and the batch ask of it) and stays
light: the registry imports it to read the class, and `import summarizer` must not load openai. The work
lives in the modules beside it, imported on first use:
- `extraction`: a document split into chunks, one request each, the answers merged;
- `summary`: the model writes only the summary, the extractive rules the items (`model_writes="summary"`);
- `transport`: one request's body, client options, retries and accounting (instructor drives openai);
- `wire`: the small schema the model fills and its mapping onto a `Draft`;
- `failures`: which failures are retried and the one-line error a user reads;
- `clients`: the HTTP clients a batch shares, and a process's warm-up;
- `batch_lines`: the same requests and answers as the provider's Batch API carries them;
- `instructor_patch`: a speed-up of the pinned instructor version, applied by `transport`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from summarizer.config import DEFAULT_MODEL, ModelWrites, require_endpoint
from summarizer.engines import BaseEngine, BatchMode, EngineIdentity, EngineResult, cores
from summarizer.redaction import without_credentials

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.text import CleanText

ENGINE = "llm"
# Requests in flight one event loop serves before a batch spreads over more processes: one loop keeps up
# with about 8 against a fast server (each document costs it ~7 ms of CPU); beyond that another core helps
# (see summarizer.async_pool).
REQUESTS_PER_LOOP = 8
DEFAULT_CONCURRENCY = 8


class LLMEngine(BaseEngine):
    """HTTP-bound: a batch keeps many requests in flight on event loops, sharing their clients."""

    name = ENGINE
    batch_mode: BatchMode = "event_loop"
    cross_checked = True
    concurrency = DEFAULT_CONCURRENCY
    # What the model writes when settings.model_writes does not say: a capable hosted model, the whole brief.
    default_model_writes: ModelWrites = "brief"

    def auto_reason(self, settings: Settings) -> str | None:
        if not settings.endpoint_configured:
            return None
        # Without any user:password in the URL: this reason is printed and stored in every brief.
        where = without_credentials(settings.base_url) if settings.base_url else "api.openai.com"
        return f"an LLM endpoint is configured ({where})"

    def identity(self, settings: Settings) -> EngineIdentity:
        from summarizer.prompting import prompt_version

        require_endpoint(settings)
        return EngineIdentity(ENGINE, settings.model or DEFAULT_MODEL, prompt_version(settings.brief_language))

    def writes_any_language(self, settings: Settings) -> bool:
        # Only a model that writes the whole brief translates it; with model_writes="summary" the rules'
        # items are the source's own words.
        return (settings.model_writes or self.default_model_writes) == "brief"

    def loop_processes(self, width: int) -> int:
        return max(1, min(cores(), -(-width // REQUESTS_PER_LOOP)))

    @asynccontextmanager
    async def request_scope(self, max_requests: int | None) -> AsyncIterator[None]:
        from summarizer.engines.llm.clients import shared_clients

        async with shared_clients(max_requests):
            yield

    def warm_up(self, settings: Settings) -> None:
        from summarizer.engines.llm.clients import warm_up

        warm_up(settings)

    def extract(self, clean: CleanText, settings: Settings) -> EngineResult:
        return extract(clean, settings, default=self.default_model_writes)

    async def aextract(self, clean: CleanText, settings: Settings) -> EngineResult:
        return await aextract(clean, settings, default=self.default_model_writes)

    # The provider's Batch API (summarizer.batch_api): the same requests, sent and answered in files.
    def batch_bodies(self, clean: CleanText, settings: Settings) -> list[dict[str, Any]]:
        from summarizer.engines.llm import batch_lines

        return batch_lines.bodies(clean, settings, default=self.default_model_writes)

    def batch_result(self, clean: CleanText, answers: Sequence[dict[str, Any]], settings: Settings) -> EngineResult:
        from summarizer.engines.llm import batch_lines

        return batch_lines.result(clean, answers, settings)


# Functions as well as methods: the local engine runs these against its own llama.cpp server (its
# settings then say what the model writes, so the default here is never the local engine's).
def extract(
    clean: CleanText, settings: Settings, *, default: ModelWrites = LLMEngine.default_model_writes
) -> EngineResult:
    """Ask the model for a brief of the cleaned text (chunk by chunk when long), or only for its summary
    beside the extractive rules' items: as `settings.model_writes` says, else as `default`."""
    if (settings.model_writes or default) == "summary":
        from summarizer.engines.llm import summary

        return summary.hybrid_extract(clean, settings)
    from summarizer.engines.llm import extraction

    return extraction.extract(clean, settings)


async def aextract(
    clean: CleanText, settings: Settings, *, default: ModelWrites = LLMEngine.default_model_writes
) -> EngineResult:
    """The async form of `extract`: a long text's chunks run concurrently."""
    if (settings.model_writes or default) == "summary":
        from summarizer.engines.llm import summary

        return await summary.ahybrid_extract(clean, settings)
    from summarizer.engines.llm import extraction

    return await extraction.aextract(clean, settings)
