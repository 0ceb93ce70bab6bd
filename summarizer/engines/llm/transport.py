"""One request for a brief: its body, the client options it is sent with, its retries, and the count of
attempts and tokens it cost.

instructor drives the `openai` SDK. Who retries what:
- tenacity retries transport failures (429 honouring Retry-After, 408, 409, 5xx, timeouts, lost
  connections) with capped exponential backoff and jitter, `settings.max_retries` times per request;
  the SDK's own retries are off (`max_retries=0`) so the two never multiply;
- instructor re-asks with the validation error when an answer does not fit the schema,
  `settings.max_reasks` times.
Every HTTP attempt is counted and the usage of every answer (re-asks included) is summed.

`settings.structured_output` picks how the schema reaches the server:
- "tools" (default): a forced tool call (OpenAI, Azure, vLLM, Ollama, LM Studio);
- "json_schema": OpenAI's `response_format: {"type": "json_schema", ...}`;
- "json_object": instructor's JSON mode plus `response_format: {"type": "json_object", "schema": ...}`
  sent through `extra_body`. llama.cpp's server (llama-cpp-python 0.3.x) answers 500 to json_schema
  but constrains decoding to the schema given this way; the local engine uses this mode:
  `extract(clean, settings.model_copy(update={"base_url": "http://127.0.0.1:PORT/v1",
  "structured_output": "json_object"}))`. Without an API key a placeholder key is sent.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx2
import instructor
import openai

# Modules the first request would import: the SDK's resource modules (a third of a second) on a client's
# first `.chat`, instructor's OpenAI handlers on its first call, httpx's transport on the first connection.
# Importing them with the engine keeps those pauses out of a batch's first documents, where every document
# in flight waits on them, and lets a batch's worker processes inherit them (see summarizer.async_pool).
import anyio._backends._asyncio  # noqa: F401
import h11  # noqa: F401
import httpcore2  # noqa: F401
import instructor.v2.providers.openai.handlers  # noqa: F401
import openai.resources.chat  # noqa: F401
from instructor.core.exceptions import InstructorRetryException
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from summarizer.config import DEFAULT_MODEL, Settings
from summarizer.engines.llm import instructor_patch
from summarizer.engines.llm.failures import _describe, _redacted, endpoint, is_transient
from summarizer.engines.llm.wire import WireBrief
from summarizer.prompting import brief_messages
from summarizer.schema import Usage

# The openai client insists on a key; local servers (llama.cpp, Ollama, vLLM) ignore it.
PLACEHOLDER_KEY = "not-needed"
_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json_object": instructor.Mode.JSON,
}

# Named after the package, not this module: the engine's log lines keep the name they always had
# (`--debug` prints it), whichever of its modules writes them.
logger = logging.getLogger(__package__)
# instructor logs every failed attempt at ERROR level; with no logging configured Python would print
# those lines on stderr, breaking the CLI's one-line failure message. --debug still shows them.
logging.getLogger("instructor").addHandler(logging.NullHandler())

# Before any request is built: see instructor_patch for why, and for which instructor version.
instructor_patch.apply()

# instructor wraps a plain model in a ResponseSchema subclass (pydantic's create_model, about a
# millisecond) on every request, unless it is one already. Wrapping it once here, with instructor's own
# public `response_schema`, sends the very same request and lets instructor's per-class caches
# (generate_openai_schema is lru_cached by class) work instead of filling up with throwaway classes.
_RESPONSE_MODEL: type[WireBrief] = instructor.response_schema(WireBrief)


@dataclass
class _Tally:
    """Every HTTP attempt and the usage of every answer, across chunks, retries and re-asks."""

    attempts: int = 0
    usage: Usage = field(default_factory=Usage)

    def add(self, response: Any) -> None:
        u = getattr(response, "usage", None)
        if u is None:
            return
        prompt = u.prompt_tokens or 0
        completion = u.completion_tokens or 0
        total = u.total_tokens or prompt + completion
        self.usage = self.usage + Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)


def _client_options(settings: Settings) -> dict[str, Any]:
    key = settings.api_key.get_secret_value() if settings.api_key else PLACEHOLDER_KEY
    # max_retries=0: tenacity owns transport retries, so the SDK must not retry underneath it.
    return {"api_key": key, "base_url": settings.base_url, "timeout": settings.timeout, "max_retries": 0}


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA store costs tens of milliseconds: do it once per process, not once per client.
    return httpx2.create_ssl_context()


def request_kwargs(settings: Settings, messages: list[dict[str, str]]) -> dict[str, Any]:
    """What instructor's create receives besides the response model (shared by sync and async)."""
    kwargs: dict[str, Any] = {
        "response_model": _RESPONSE_MODEL,
        "max_retries": settings.max_reasks,
        "model": settings.model or DEFAULT_MODEL,
        "messages": messages,
    }
    if settings.max_tokens is not None:
        kwargs["max_tokens"] = settings.max_tokens
    if settings.structured_output == "json_object":
        schema = WireBrief.model_json_schema()
        kwargs["extra_body"] = {"response_format": {"type": "json_object", "schema": schema}}
    # No `context=`: instructor would render messages as Jinja templates, and the article is data.
    return kwargs


def retry_after(exc: BaseException | None, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, retry-after seconds or HTTP date)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def retry_wait(settings: Settings, attempt: int, exc: BaseException | None) -> float:
    """Retry-After when given, else base * 2^(attempt-1) with equal jitter; never above the cap."""
    hinted = retry_after(exc)
    if hinted is not None:
        return min(hinted, settings.retry_wait_max)
    ceiling = min(settings.retry_wait_max, settings.retry_wait_base * 2 ** (attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _retry_policy(settings: Settings) -> dict[str, Any]:
    """tenacity arguments shared by Retrying and AsyncRetrying."""

    def wait(state: RetryCallState) -> float:
        return retry_wait(settings, state.attempt_number, state.outcome.exception() if state.outcome else None)

    def log(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.info(
            "LLM request to %s failed (%s); retry %d of %d in %.3f s",
            endpoint(settings),
            _describe(exc),
            state.attempt_number,
            settings.max_retries,
            state.next_action.sleep if state.next_action else 0.0,
        )

    return {
        "retry": retry_if_exception(is_transient),
        "stop": stop_after_attempt(settings.max_retries + 1),
        "wait": wait,
        "before_sleep": log,
        "reraise": True,
    }


class _Captured(Exception):
    def __init__(self, body: dict[str, Any]):
        super().__init__("request captured, not sent")
        self.body = body


def preview_request(settings: Settings, article: str) -> dict[str, Any]:
    """The JSON body a one-chunk request for `article` would carry, built without sending anything."""
    return request_body(settings, brief_messages(article))


def request_body(settings: Settings, messages: list[dict[str, str]]) -> dict[str, Any]:
    """The JSON body of the chat-completion request the engine sends for `messages` (instructor's
    additions and `extra_body` merged as the SDK merges them), built without sending anything: what a
    preview shows and what the Batch API's JSONL lines carry, so both are the per-request path's body.

    The values beside the messages (the schema among them) may be shared between the bodies returned:
    read them, do not change them."""
    kwargs = request_kwargs(settings, messages)
    template = _template_for(settings, kwargs) if _plain(messages) else None
    if template is None:
        return _instructor_body(settings, kwargs)
    body = dict(template)
    body["messages"] = [{"role": m["role"], "content": m["content"]} for m in messages]
    return body


# Modes in which instructor sends the messages as given, and puts the schema beside them (JSON mode
# writes it into the system message instead).
_MESSAGES_AS_GIVEN = frozenset({"tools", "json_schema"})
_PROBES = (
    [{"role": "system", "content": "Probe system A."}, {"role": "user", "content": "Probe article A."}],
    [{"role": "system", "content": "Probe B, longer: é, 中文, {{ x }}."}, {"role": "user", "content": "B\n\nhttps://x/y.png"}],
)


def _plain(messages: list[dict[str, str]]) -> bool:
    """Messages of the shape instructor passes through untouched: a role and some text, nothing else."""
    return all(
        type(m) is dict and len(m) == 2 and tuple(m) == ("role", "content")
        and type(m["role"]) is str and type(m["content"]) is str and m["content"]
        for m in messages
    )


def _template_for(settings: Settings, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The body instructor builds for these request kwargs, whatever the messages (the caller puts them in
    their place), or None when it cannot be known apart from them.

    Building the body through instructor costs about half a millisecond a request (a patched create, its
    retry loop, an exception to stop it), and a Batch API night builds one for every document; the part
    beside the messages depends only on the request kwargs, so it is built once for each of them."""
    if settings.structured_output not in _MESSAGES_AS_GIVEN:
        return None
    try:
        key = (settings.structured_output, tuple((k, v) for k, v in kwargs.items() if k != "messages"))
        hash(key)
    except TypeError:  # a value that cannot be a key: instructor builds every body
        return None
    if key not in _TEMPLATES:
        if len(_TEMPLATES) >= 8:
            _TEMPLATES.clear()
        _TEMPLATES[key] = _probed_template(settings, kwargs)
    return _TEMPLATES[key]


_TEMPLATES: dict[tuple[Any, ...], dict[str, Any] | None] = {}


def _probed_template(settings: Settings, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """The body for `kwargs` with two different sets of messages: the template if the messages come out as
    given and nothing else differs between the two, else None."""
    bodies = []
    for probe in _PROBES:
        body = _instructor_body(settings, {k: probe if k == "messages" else v for k, v in kwargs.items()})
        if body.get("messages") != probe or [list(m) for m in body["messages"]] != [list(m) for m in probe]:
            return None  # the mode changed the messages after all
        bodies.append(body)
    first, second = bodies
    if list(first) != list(second) or {**first, "messages": None} != {**second, "messages": None}:
        return None  # something beside the messages depends on them
    return first


def _instructor_body(settings: Settings, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The body as instructor builds it for `kwargs` (request_kwargs), captured instead of sent."""

    def capture(**kwargs: Any) -> Any:
        extra = kwargs.pop("extra_body", None) or {}
        raise _Captured({**kwargs, **extra})

    create = instructor.patch(create=capture, mode=_MODES[settings.structured_output])
    try:
        create(**kwargs)
    except InstructorRetryException as exc:
        if isinstance(exc.__cause__, _Captured):
            return exc.__cause__.body
        raise
    raise AssertionError("instructor sent no request")  # pragma: no cover - capture always raises


def parse_answer(settings: Settings, completion: openai.types.chat.ChatCompletion) -> WireBrief:
    """One chat completion's answer read as the per-request path reads it (instructor, same mode and
    schema). Raises pydantic's ValidationError (or instructor's errors) when it does not fit."""
    parsed: WireBrief = _RESPONSE_MODEL.from_response(  # type: ignore[attr-defined]
        completion, mode=_MODES[settings.structured_output]
    )
    return parsed


def _sync_create(client: openai.OpenAI, settings: Settings, tally: _Tally) -> Callable[..., WireBrief]:
    def send(**kwargs: Any) -> Any:
        tally.attempts += 1
        try:
            response = client.chat.completions.create(**kwargs)
        except openai.APIError as exc:
            raise _redacted(exc, settings) from exc.__cause__
        tally.add(response)
        return response

    def create(**kwargs: Any) -> Any:
        return Retrying(**_retry_policy(settings))(send, **kwargs)

    return instructor.patch(create=create, mode=_MODES[settings.structured_output])


def _async_create(
    client: openai.AsyncOpenAI, settings: Settings, tally: _Tally, requests: asyncio.Semaphore | None = None
) -> Callable[..., Awaitable[WireBrief]]:
    async def send(**kwargs: Any) -> Any:
        tally.attempts += 1
        try:
            # The batch's bound covers the HTTP exchange alone: not instructor building the request or
            # validating the answer, nor a retry's wait.
            async with requests or nullcontext():
                response = await client.chat.completions.create(**kwargs)
        except openai.APIError as exc:
            raise _redacted(exc, settings) from exc.__cause__
        tally.add(response)
        return response

    async def create(**kwargs: Any) -> Any:
        return await AsyncRetrying(**_retry_policy(settings))(send, **kwargs)

    return instructor.patch(create=create, mode=_MODES[settings.structured_output])
