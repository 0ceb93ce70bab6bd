"""The model writes only the summary; the extractive rules find the items.

A small model on a few CPU cores writes a usable two-sentence summary in about half a minute, but a
whole brief takes minutes and comes back with few or no items (measured with Qwen2.5-Coder-1.5B on two
cores: see benchmarks/local_speed.py). So with `model_writes="summary"` one request asks for the bottom
line and a few supporting sentences (prompts/summary.*.j2), and the rest of the draft is the extractive
engine's: actors, claims, figures and uncertainties from spaCy and rules, in about a second.

The request goes through `transport` like a brief's (same client options, retries, re-asks and tally)
and fails with `failures`' messages; only the prompt and the schema the answer must fit differ.
"""

from __future__ import annotations

from typing import Any, cast

import instructor
import openai

from summarizer import chunking
from summarizer.config import DEFAULT_MODEL, Settings, require_endpoint
from summarizer.engines import EngineResult
from summarizer.engines.extractive import engine as rules
from summarizer.engines.llm.clients import client_for
from summarizer.engines.llm.failures import FAILURES, failure
from summarizer.engines.llm.transport import (
    _async_create,
    _client_options,
    _ssl_context,
    _sync_create,
    _Tally,
    request_kwargs,
)
from summarizer.engines.llm.wire import WireSummary, with_summary
from summarizer.brief_language import language_name
from summarizer.language import language_of
from summarizer.prompting import fence, prompt_version, render
from summarizer.schema import FoundBy
from summarizer.text import CleanText

SYSTEM_TEMPLATE = "summary.system.j2"
USER_TEMPLATE = "summary.user.j2"
# Wrapped once, as transport wraps WireBrief: instructor then reuses its per-class caches.
_RESPONSE_MODEL: type[WireSummary] = instructor.response_schema(WireSummary)


def summary_messages(article: str, source_language: str = "en", language: str | None = None) -> list[dict[str, str]]:
    """The system and user chat messages asking for the bottom line of `article`, fenced as a brief's, in
    `language` (the source's when None)."""
    names = {"source_language": language_name(source_language), "language": language_name(language or source_language)}
    return [
        {"role": "system", "content": render(SYSTEM_TEMPLATE, **names)},
        {"role": "user", "content": render(USER_TEMPLATE, article=fence(article))},
    ]


def summary_request(settings: Settings, clean: CleanText) -> dict[str, Any]:
    """instructor's create arguments for the summary of `clean`: a brief's request (model, re-asks,
    output cap, structured-output mode) with the summary prompt and WireSummary as the answer's schema.

    A long document's summary is asked of its first chunk only: a news article puts its bottom line in
    the lead, and one request keeps the cost of a summary independent of the article's length."""
    require_endpoint(settings)
    lead = chunking.split(clean, settings.chunk_chars, settings.chunk_overlap)[0]
    # The items are the rules' (the source's words), so the summary is in the source's language too; the
    # API refuses a --brief-language this engine cannot write (see Engine.writes_any_language).
    source_language = language_of(clean.text, settings.language).code
    kwargs = request_kwargs(settings, summary_messages(lead.text, source_language))
    kwargs["response_model"] = _RESPONSE_MODEL
    # json_object mode: the schema travels in response_format, where the server constrains decoding to it.
    response_format = kwargs.get("extra_body", {}).get("response_format")
    if response_format is not None:
        response_format["schema"] = WireSummary.model_json_schema()
    return kwargs


def hybrid_extract(clean: CleanText, settings: Settings) -> EngineResult:
    """The extractive engine's draft of `clean` with the model's summary (one request to the model)."""
    request = summary_request(settings, clean)
    tally = _Tally()
    http = openai.DefaultHttpxClient(verify=_ssl_context())
    with openai.OpenAI(**_client_options(settings), http_client=http) as client:
        create = _sync_create(client, settings, tally)
        try:
            answer = create(**request)
        except FAILURES as exc:
            raise failure(exc, settings) from exc
    return _result(rules.extract(clean, settings), cast(WireSummary, answer), tally, settings)


async def ahybrid_extract(clean: CleanText, settings: Settings) -> EngineResult:
    """The async form of `hybrid_extract`; the rules parse in a worker thread (see the extractive engine).
    Inside `shared_clients()` the HTTP client (and the bound on requests) is the batch's."""
    request = summary_request(settings, clean)
    tally = _Tally()
    async with client_for(settings) as (client, requests):
        create = _async_create(client, settings, tally, requests)
        try:
            answer = await create(**request)
        except FAILURES as exc:
            raise failure(exc, settings) from exc
    return _result(await rules.aextract(clean, settings), cast(WireSummary, answer), tally, settings)


def _result(found: EngineResult, answer: WireSummary, tally: _Tally, settings: Settings) -> EngineResult:
    # The rules cost no tokens and no requests: usage, attempts and the model are the summary request's.
    return EngineResult(
        draft=with_summary(found.draft.marked_found_by(FoundBy.rules), answer),
        model=settings.model or DEFAULT_MODEL,
        prompt_version=prompt_version(settings.brief_language),
        usage=tally.usage,
        attempts=tally.attempts,
        retries=tally.attempts - 1,
        chunks=1,
    )
