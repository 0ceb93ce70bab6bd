"""The openai client that talks to the Batch API, and the one-line errors its failures become."""

from __future__ import annotations

import openai

from summarizer.config import Settings
from summarizer.errors import EngineError
from summarizer.redaction import redact_text, secrets_of, without_credentials

# The openai client insists on a key; self-hosted servers ignore it (as the llm engine does).
PLACEHOLDER_KEY = "not-needed"


def batch_client(settings: Settings) -> openai.OpenAI:
    """A synchronous client: a night's batch work is a few dozen calls, never worth an event loop.
    The SDK retries transport failures itself here, except where a retry could pay twice
    (batches.create: see `reconcile.create_batch`)."""
    key = settings.api_key.get_secret_value() if settings.api_key else PLACEHOLDER_KEY
    return openai.OpenAI(api_key=key, base_url=settings.base_url, timeout=settings.timeout, max_retries=settings.max_retries)


def api_error(exc: openai.OpenAIError, doing: str, settings: Settings) -> EngineError:
    where = without_credentials(settings.base_url) if settings.base_url else "api.openai.com"
    text = redact_text(" ".join(str(exc).split()), tuple(secrets_of(settings)))
    return EngineError(f"Batch API at {where}: {doing} failed ({type(exc).__name__}: {text}); the next run resumes")
