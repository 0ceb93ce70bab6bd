"""What went wrong with a request, in words a user can act on: which failures are worth a retry, the
one-line `EngineError` naming the endpoint and what to do, and the API key kept out of both."""

from __future__ import annotations

import re

import openai
from instructor.core.exceptions import IncompleteOutputException, InstructorError, InstructorRetryException
from pydantic import ValidationError

from summarizer.config import DEFAULT_MODEL, Settings
from summarizer.errors import EngineError
from summarizer.redaction import redact, redact_text, secrets_of, without_credentials
from summarizer.text import one_line

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_RETRY_STATUS = {408, 409, 429}
_MAX_DETAIL = 160
# Failures of the endpoint or the model, which `failure` words for the user; anything else propagates as is.
FAILURES = (openai.OpenAIError, InstructorError)


def endpoint(settings: Settings) -> str:
    """The base URL for messages, without any user:password it may carry."""
    return without_credentials(settings.base_url or DEFAULT_BASE_URL).rstrip("/")


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying: lost connections, timeouts, 408/409/429 and 5xx answers."""
    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRY_STATUS or exc.status_code >= 500
    return False


def _describe(exc: BaseException | None) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "timed out"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        reason = str(cause) if cause is not None and str(cause) else "connection failed"
        reason = _one_line(re.sub(r"^\[Errno -?\d+\]\s*", "", reason))
        return reason[:1].lower() + reason[1:]
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return type(exc).__name__ if exc is not None else "unknown error"


def _detail(exc: BaseException) -> str:
    """A short, single-line reason from an error (the server's message when it gave one)."""
    text = str(exc)
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        message = err.get("message") if isinstance(err, dict) else err
        if message:
            text = str(message)
    return _one_line(text)


def _one_line(text: str) -> str:
    return one_line(text, _MAX_DETAIL)


def _invalid_answer(exc: InstructorRetryException) -> str:
    """What was wrong with the last answer: the first schema error and how many there were."""
    cause = exc.__cause__
    if isinstance(cause, ValidationError) and cause.errors():
        errors = cause.errors()
        first = errors[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        return _one_line(f"{len(errors)} schema error{'s' * (len(errors) > 1)}, first at {where}: {first['msg']}")
    return _detail(cause or exc)


def failure(exc: BaseException, settings: Settings) -> EngineError:
    """One line naming the endpoint, what went wrong and what to do. Never carries the key."""
    where = endpoint(settings)
    model = settings.model or DEFAULT_MODEL
    root = exc
    if isinstance(exc, InstructorRetryException) and isinstance(exc.__cause__, openai.OpenAIError):
        root = exc.__cause__
    n = f"{settings.max_retries} retr{'y' if settings.max_retries == 1 else 'ies'}"
    escape = "or use --engine extractive"
    if isinstance(root, openai.APITimeoutError):
        message = (
            f"LLM endpoint {where} timed out ({settings.timeout:g} s per request) after {n}; "
            f"raise --timeout, check the server {escape}"
        )
    elif isinstance(root, openai.APIConnectionError):
        message = f"LLM endpoint {where} unreachable after {n} ({_describe(root)}); check --base-url {escape}"
    elif isinstance(root, openai.APIStatusError) and is_transient(root):
        message = (
            f"LLM endpoint {where} kept answering HTTP {root.status_code} after {n} "
            f"({_detail(root)}); try again later {escape}"
        )
    elif isinstance(root, (openai.AuthenticationError, openai.PermissionDeniedError)):
        message = f"LLM endpoint {where} refused the API key (HTTP {root.status_code}); check OPENAI_API_KEY {escape}"
    elif isinstance(root, openai.NotFoundError):
        message = (
            f"LLM endpoint {where} answered 404 for model {model!r} ({_detail(root)}); "
            f"check --model and --base-url {escape}"
        )
    elif isinstance(root, openai.APIStatusError):
        message = (
            f"LLM endpoint {where} rejected the request (HTTP {root.status_code}: {_detail(root)}); "
            f"check --model, try another --structured-output (json_object for llama.cpp) {escape}"
        )
    elif isinstance(root, IncompleteOutputException):
        message = (
            f"model {model!r} at {where} stopped before finishing the brief (output or context limit); "
            f"raise the server's context or output-token limit, use a larger model {escape}"
        )
    elif isinstance(root, InstructorRetryException):
        # instructor stops early on some answers (a refusal, no choices): count what it really got.
        answers = getattr(root, "n_attempts", None) or settings.max_reasks + 1
        message = (
            f"model {model!r} at {where} gave no schema-valid brief in {answers} answer{'s' * (answers > 1)} "
            f"({_invalid_answer(root)}); try a more capable --model {escape}"
        )
    else:
        message = f"LLM endpoint {where} failed ({type(root).__name__}: {_detail(root)}) {escape}"
    return EngineError(" ".join(redact_text(message, secrets_of(settings)).split()))


def _redacted(exc: openai.APIError, settings: Settings) -> openai.APIError:
    """The same error with the API key blanked out of its message and body. A server may quote the
    key back ("Incorrect API key provided: sk-..."); this runs before instructor logs the error or
    a --debug traceback prints it."""
    secrets = secrets_of(settings)
    exc.args = tuple(redact(list(exc.args), secrets))
    exc.message = redact(exc.message, secrets)
    exc.body = redact(exc.body, secrets)
    return exc
