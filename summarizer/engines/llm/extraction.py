"""A document through the llm engine: split into chunks (summarizer.chunking), one request per chunk
(one after another in `extract`, concurrently up to `settings.concurrency` in `aextract`), and the
answers merged into one `EngineResult` with every attempt and token counted."""

from __future__ import annotations

import asyncio
import logging

import openai

from summarizer import chunking
from summarizer.config import DEFAULT_MODEL, Settings, require_endpoint
from summarizer.engines import EngineResult
from summarizer.engines.llm.clients import client_for
from summarizer.engines.llm.failures import FAILURES, endpoint, failure
from summarizer.engines.llm.transport import (
    _async_create,
    _client_options,
    _ssl_context,
    _sync_create,
    _Tally,
    request_kwargs,
)
from summarizer.engines.llm.wire import to_draft
from summarizer.language import language_of
from summarizer.prompting import brief_messages, prompt_version
from summarizer.schema import Draft
from summarizer.text import CleanText

logger = logging.getLogger(__package__)  # the engine's one logger (see transport)


def _plan(clean: CleanText, settings: Settings) -> list[chunking.Chunk]:
    require_endpoint(settings)
    chunks = chunking.split(clean, settings.chunk_chars, settings.chunk_overlap)
    if logger.isEnabledFor(logging.DEBUG):  # the endpoint's URL is parsed only for a debug log
        logger.debug(
            "llm engine: %d chunk(s), model %s at %s, %s",
            len(chunks),
            settings.model or DEFAULT_MODEL,
            endpoint(settings),
            settings.structured_output,
        )
    return chunks


def _messages(chunk: chunking.Chunk, i: int, n: int, languages: tuple[str, str | None]) -> list[dict[str, str]]:
    source_language, brief_language = languages
    return brief_messages(
        chunk.text, part=i + 1, parts=n, source_language=source_language, brief_language=brief_language
    )


def _languages(clean: CleanText, settings: Settings) -> tuple[str, str | None]:
    """The source's language (detected, or as settings.language gives it) and the brief's, if requested."""
    return language_of(clean.text, settings.language).code, settings.brief_language


def _result(drafts: list[Draft], tally: _Tally, settings: Settings) -> EngineResult:
    return EngineResult(
        draft=chunking.merge(drafts),
        model=settings.model or DEFAULT_MODEL,
        prompt_version=prompt_version(settings.brief_language),
        usage=tally.usage,
        attempts=tally.attempts,
        # Every request after the first of each chunk: transport retries and re-asks alike.
        retries=tally.attempts - len(drafts),
        chunks=len(drafts),
    )


def extract(clean: CleanText, settings: Settings) -> EngineResult:
    """Ask the model for a brief of the cleaned text (chunk by chunk when long)."""
    chunks = _plan(clean, settings)
    tally = _Tally()
    drafts = []
    languages = _languages(clean, settings)
    http = openai.DefaultHttpxClient(verify=_ssl_context())
    with openai.OpenAI(**_client_options(settings), http_client=http) as client:
        create = _sync_create(client, settings, tally)
        for i, chunk in enumerate(chunks):
            try:
                wire = create(**request_kwargs(settings, _messages(chunk, i, len(chunks), languages)))
            except FAILURES as exc:
                raise failure(exc, settings) from exc
            drafts.append(to_draft(wire, clean, chunk))
    return _result(drafts, tally, settings)


async def aextract(clean: CleanText, settings: Settings) -> EngineResult:
    """The async form of `extract`: chunks run concurrently, at most `settings.concurrency` at once.
    Inside `shared_clients()` the HTTP client (and the bound on requests) is the batch's; otherwise the
    client lives for this call only."""
    chunks = _plan(clean, settings)
    async with client_for(settings) as (client, requests):
        return await _aextract_with(client, clean, chunks, settings, requests)


async def _aextract_with(
    client: openai.AsyncOpenAI,
    clean: CleanText,
    chunks: list[chunking.Chunk],
    settings: Settings,
    requests: asyncio.Semaphore | None,
) -> EngineResult:
    tally = _Tally()
    gate = asyncio.Semaphore(settings.concurrency)
    languages = _languages(clean, settings)
    create = _async_create(client, settings, tally, requests)

    async def one(i: int, chunk: chunking.Chunk) -> Draft:
        async with gate:
            try:
                wire = await create(**request_kwargs(settings, _messages(chunk, i, len(chunks), languages)))
            except FAILURES as exc:
                raise failure(exc, settings) from exc
        return to_draft(wire, clean, chunk)

    tasks = [asyncio.create_task(one(i, c)) for i, c in enumerate(chunks)]
    try:
        drafts = await asyncio.gather(*tasks)
    except BaseException:
        # One chunk failed: stop the others before the client closes under them.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    return _result(list(drafts), tally, settings)
