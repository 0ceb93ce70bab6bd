"""The llm engine: a chat model behind any OpenAI-compatible endpoint fills a compact brief.

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

The model answers in a deliberately small schema (short field names, enums as literals, few
descriptions) to keep the fixed part of the prompt compact; `to_draft` turns it into a `Draft`.
Long documents are split into chunks (summarizer.chunking), extracted one by one (sync) or
concurrently up to `settings.concurrency` (async), and merged.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import logging
import random
import re
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import Annotated, Any, Literal

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
from instructor.core.exceptions import IncompleteOutputException, InstructorError, InstructorRetryException
from instructor.v2.core import patch as _instructor_patch
from instructor.v2.validation import async_validators as _instructor_async_validators
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import GenerateJsonSchema
from tenacity import AsyncRetrying, RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from summarizer import chunking
from summarizer.config import DEFAULT_MODEL, Settings, require_endpoint, secrets_of, without_credentials
from summarizer.engines import EngineResult
from summarizer.errors import EngineError
from summarizer.prompting import brief_messages, prompt_version
from summarizer.schema import (
    UNATTRIBUTED,
    Actor,
    ActorKind,
    Alignment,
    Attribution,
    Claim,
    Draft,
    Evidence,
    Figure,
    Qualifier,
    Uncertainty,
    UncertaintyKind,
    Usage,
)
from summarizer.text import CleanText, one_line

ENGINE = "llm"
# The openai client insists on a key; local servers (llama.cpp, Ollama, vLLM) ignore it.
PLACEHOLDER_KEY = "not-needed"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
_MODES = {
    "tools": instructor.Mode.TOOLS,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "json_object": instructor.Mode.JSON,
}
_RETRY_STATUS = {408, 409, 429}
_MAX_DETAIL = 160

logger = logging.getLogger(__name__)
# instructor logs every failed attempt at ERROR level; with no logging configured Python would print
# those lines on stderr, breaking the CLI's one-line failure message. --debug still shows them.
logging.getLogger("instructor").addHandler(logging.NullHandler())


# --- the schema the model fills --------------------------------------------------------------


class _CompactSchema(GenerateJsonSchema):
    """The schema the model reads, trimmed to what constrains its answer: no field titles (they
    repeat the names), no defaults (optional fields are simply not required), optional numbers as
    plain numbers (the models accept null anyway), and nested objects inlined instead of $refs."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> dict[str, Any]:
        return self.generate_inner(schema["schema"])

    def nullable_schema(self, schema: Any) -> dict[str, Any]:
        return self.generate_inner(schema["schema"])

    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        out = super().generate(schema, mode)
        return _inline(out, out.pop("$defs", {}))


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = {k: v for k, v in defs[ref.removeprefix("#/$defs/")].items() if k != "title"}
        return _inline(target, defs)
    return {k: _inline(v, defs) for k, v in node.items()}


class _Wire(BaseModel):
    # Extra keys a model adds are ignored rather than re-asked; everything else must fit.
    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("schema_generator", _CompactSchema)
        # instructor's JSON modes ask for the schema on every request, and its ResponseSchema wrapper
        # (see _RESPONSE_MODEL) shares the model's name: build the schema once per name and hand out
        # copies, which callers may edit.
        key = (cls.__module__, cls.__qualname__, args, tuple(sorted(kwargs.items(), key=str)))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return copy.deepcopy(_SCHEMAS[key])


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _no_blank(quotes: list[str]) -> list[str]:
    if any(not q.strip() for q in quotes):
        raise ValueError("quotes must be non-empty text copied from the article")
    return quotes


# Every item needs at least one quote: an item without evidence cannot be grounded.
Quotes = Annotated[list[str], Field(min_length=1), AfterValidator(_no_blank)]


class WireActor(_Wire):
    model_config = ConfigDict(title="Actor")
    name: str
    kind: Literal["person", "org", "country", "group", "media", "other"] = "other"
    role: str = ""
    aka: list[str] = []
    q: Quotes


class WireClaim(_Wire):
    model_config = ConfigDict(title="Claim")
    text: str
    by: str = UNATTRIBUTED
    how: Literal["direct", "reported", "anonymous", "outlet"] = "reported"
    hedged: bool = False
    q: Quotes


class WireFigure(_Wire):
    model_config = ConfigDict(title="Figure")
    text: str
    value: float | None = None
    max: float | None = None
    unit: str = ""
    what: str = ""
    qual: Literal["exact", "approx", "up_to", "over", "at_least", "under"] = "exact"
    date: str = ""
    by: str = ""
    q: Quotes


class WireDoubt(_Wire):
    model_config = ConfigDict(title="Doubt")
    text: str
    kind: Literal["unverified", "disputed", "conflicting", "hedged", "speculative", "missing"] = "unverified"
    who: str = ""
    q: Quotes


class WireBrief(_Wire):
    """A grounded news brief."""

    model_config = ConfigDict(title="brief")
    title: str = ""
    summary: str
    sq: list[str] = []
    actors: list[WireActor] = []
    claims: list[WireClaim] = []
    figures: list[WireFigure] = []
    doubts: list[WireDoubt] = []


# instructor wraps a plain model in a ResponseSchema subclass (pydantic's create_model, about a
# millisecond) on every request, unless it is one already. Wrapping it once here, with instructor's own
# public `response_schema`, sends the very same request and lets instructor's per-class caches
# (generate_openai_schema is lru_cached by class) work instead of filling up with throwaway classes.
_RESPONSE_MODEL: type[WireBrief] = instructor.response_schema(WireBrief)


def _once_per_class(check: Callable[[Any], None]) -> Callable[[Any], None]:
    """`check(model)`, remembered for classes that passed it (weakly: a class that goes away is forgotten)."""
    passed: weakref.WeakSet[type] = weakref.WeakSet()

    @wraps(check)
    def once(model: Any) -> None:
        if not isinstance(model, type):
            check(model)
        elif model not in passed:
            check(model)
            passed.add(model)

    return once


# instructor 1.17 checks that the response model has no async validators six times per request, each time
# walking every class of the model and every attribute they inherit from pydantic: about 1.1 ms a request,
# a fifth of a batch worker's CPU. The answer depends only on the class, so it is computed once per class;
# a class that fails is not remembered and fails on every request, as before. (The pinned version's two
# bindings of the function: the module's own, read at each call by the modules that import it in their
# functions, and the one `patch` imported at load.)
_reject_async_validators = _once_per_class(_instructor_async_validators.reject_async_validators)
_instructor_async_validators.reject_async_validators = _reject_async_validators
_instructor_patch.reject_async_validators = _reject_async_validators


_KIND = {"org": ActorKind.organisation}
_HOW = {"direct": Attribution.direct_quote, "anonymous": Attribution.anonymous_source}
_QUAL = {"approx": Qualifier.approximately, "over": Qualifier.more_than, "under": Qualifier.less_than}
_DOUBT = {"missing": UncertaintyKind.missing_detail}


def to_draft(wire: WireBrief, clean: CleanText, chunk: chunking.Chunk | None = None) -> Draft:
    """The Draft for one answer. Quotes found verbatim in the chunk get exact source offsets."""
    chunk = chunk or chunking.Chunk(0, len(clean.text), clean.text)

    def evidence(quotes: list[str]) -> list[Evidence]:
        return [_evidence(q, clean, chunk) for q in quotes]

    return Draft(
        title=_title_in_source(wire.title, clean),
        summary=wire.summary.strip(),
        summary_evidence=evidence(wire.sq),
        actors=[
            Actor(
                name=a.name.strip(),
                kind=_KIND.get(a.kind) or ActorKind(a.kind),
                role=a.role.strip() or None,
                aliases=[x.strip() for x in a.aka if x.strip() and x.strip() != a.name.strip()],
                evidence=evidence(a.q),
            )
            for a in wire.actors
        ],
        claims=[
            Claim(
                statement=c.text.strip(),
                speaker=c.by.strip() or UNATTRIBUTED,
                attribution=_HOW.get(c.how) or Attribution(c.how),
                hedged=c.hedged,
                evidence=evidence(c.q),
            )
            for c in wire.claims
        ],
        figures=[
            Figure(
                text=f.text.strip(),
                value=f.value,
                value_max=f.max,
                unit=f.unit.strip() or None,
                measures=f.what.strip() or None,
                qualifier=_QUAL.get(f.qual) or Qualifier(f.qual),
                date=f.date.strip() or None,
                source=f.by.strip() or None,
                evidence=evidence(f.q),
            )
            for f in wire.figures
        ],
        uncertainties=[
            Uncertainty(
                statement=d.text.strip(),
                kind=_DOUBT.get(d.kind) or UncertaintyKind(d.kind),
                who=d.who.strip() or None,
                evidence=evidence(d.q),
            )
            for d in wire.doubts
        ],
    )


def _title_in_source(title: str, clean: CleanText) -> str | None:
    """The model's title only when the article contains it (spacing and case aside): the headline is
    copied, never invented, so an injected or imagined title falls back to the document's own."""
    squashed = " ".join(title.split())
    if squashed and squashed.casefold() in " ".join(clean.text.split()).casefold():
        return squashed
    return None


def _evidence(quote: str, clean: CleanText, chunk: chunking.Chunk) -> Evidence:
    """Exact offsets when the quote is verbatim in this chunk; otherwise only the quote, with the
    chunk's position as a hint so grounding prefers a match in the right part of a long text."""
    stripped = quote.strip()
    i = chunk.text.find(stripped)
    if i >= 0:
        start, end = clean.span_to_source(chunk.start + i, chunk.start + i + len(stripped))
        if clean.source[start:end] == stripped:
            return Evidence(quote=stripped, start=start, end=end, alignment=Alignment.exact)
    hint = clean.to_source(chunk.start) if chunk.start else None
    return Evidence(quote=stripped, start=hint)


# --- requests, retries and accounting --------------------------------------------------------


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


def endpoint(settings: Settings) -> str:
    """The base URL for messages, without any user:password it may carry."""
    return without_credentials(settings.base_url or DEFAULT_BASE_URL).rstrip("/")


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


def is_transient(exc: BaseException) -> bool:
    """Failures worth retrying: lost connections, timeouts, 408/409/429 and 5xx answers."""
    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRY_STATUS or exc.status_code >= 500
    return False


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
    """The JSON body a one-chunk request for `article` would carry (instructor's additions and
    `extra_body` merged as the SDK merges them), built without sending anything."""

    def capture(**kwargs: Any) -> Any:
        extra = kwargs.pop("extra_body", None) or {}
        raise _Captured({**kwargs, **extra})

    create = instructor.patch(create=capture, mode=_MODES[settings.structured_output])
    try:
        create(**request_kwargs(settings, brief_messages(article)))
    except InstructorRetryException as exc:
        if isinstance(exc.__cause__, _Captured):
            return exc.__cause__.body
        raise
    raise AssertionError("instructor sent no request")  # pragma: no cover - capture always raises


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "***")
        return value
    if isinstance(value, dict):
        return {k: _redact(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, secrets) for v in value]
    return value


def _redacted(exc: openai.APIError, settings: Settings) -> openai.APIError:
    """The same error with the API key blanked out of its message and body. A server may quote the
    key back ("Incorrect API key provided: sk-..."); this runs before instructor logs the error or
    a --debug traceback prints it."""
    secrets = secrets_of(settings)
    if secrets:
        exc.args = tuple(_redact(list(exc.args), secrets))
        exc.message = _redact(exc.message, secrets)
        exc.body = _redact(exc.body, secrets)
    return exc


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


# --- failures a user can act on --------------------------------------------------------------


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
    return EngineError(" ".join(_redact(message, secrets_of(settings)).split()))


# --- the engine ------------------------------------------------------------------------------


def _plan(clean: CleanText, settings: Settings) -> list[chunking.Chunk]:
    require_endpoint(settings)
    chunks = chunking.split(clean, settings.chunk_chars, settings.chunk_overlap)
    logger.debug(
        "llm engine: %d chunk(s), model %s at %s, %s",
        len(chunks),
        settings.model or DEFAULT_MODEL,
        endpoint(settings),
        settings.structured_output,
    )
    return chunks


def _messages(chunk: chunking.Chunk, i: int, n: int) -> list[dict[str, str]]:
    return brief_messages(chunk.text, part=i + 1, parts=n)


def _result(drafts: list[Draft], tally: _Tally, settings: Settings) -> EngineResult:
    return EngineResult(
        draft=chunking.merge(drafts),
        engine=ENGINE,
        model=settings.model or DEFAULT_MODEL,
        prompt_version=prompt_version(),
        usage=tally.usage,
        attempts=tally.attempts,
        # Every request after the first of each chunk: transport retries and re-asks alike.
        retries=tally.attempts - len(drafts),
        chunks=len(drafts),
    )


_FAILURES = (openai.OpenAIError, InstructorError)


def extract(clean: CleanText, settings: Settings) -> EngineResult:
    """Ask the model for a brief of the cleaned text (chunk by chunk when long)."""
    chunks = _plan(clean, settings)
    tally = _Tally()
    drafts = []
    http = openai.DefaultHttpxClient(verify=_ssl_context())
    with openai.OpenAI(**_client_options(settings), http_client=http) as client:
        create = _sync_create(client, settings, tally)
        for i, chunk in enumerate(chunks):
            try:
                wire = create(**request_kwargs(settings, _messages(chunk, i, len(chunks))))
            except _FAILURES as exc:
                raise failure(exc, settings) from exc
            drafts.append(to_draft(wire, clean, chunk))
    return _result(drafts, tally, settings)


def warm_up(settings: Settings) -> None:
    """Prepare what a process's first request would otherwise prepare while documents wait on it: the
    prompt templates and the schema (a request built, not sent) and the CA store. A batch calls this
    once, before it forks worker processes, so that they inherit all of it."""
    preview_request(settings, "")
    _ssl_context()


def _async_client(settings: Settings) -> openai.AsyncOpenAI:
    http = openai.DefaultAsyncHttpxClient(verify=_ssl_context())
    return openai.AsyncOpenAI(**_client_options(settings), http_client=http)


class _ClientPool:
    """Async clients shared by the documents of a batch (one per endpoint, key and timeout), and the
    batch's bound on requests in flight."""

    def __init__(self, max_requests: int | None) -> None:
        self._clients: dict[tuple[tuple[str, Any], ...], openai.AsyncOpenAI] = {}
        self.requests = asyncio.Semaphore(max_requests) if max_requests else None

    def client(self, settings: Settings) -> openai.AsyncOpenAI:
        key = tuple(sorted(_client_options(settings).items()))
        if key not in self._clients:
            self._clients[key] = _async_client(settings)
        return self._clients[key]

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()


_SHARED: ContextVar[_ClientPool | None] = ContextVar("summarizer_llm_clients", default=None)


@asynccontextmanager
async def shared_clients(max_requests: int | None = None) -> AsyncIterator[None]:
    """Within this block (and the tasks it starts), `aextract` calls with the same endpoint, key and
    timeout share one client and its keep-alive connections, closed when the block ends; with
    `max_requests`, at most that many requests are in flight across all of them.

    A client per call means a TCP (and TLS) handshake, a connection pool and its teardown for every
    document: about 5 ms of the event loop's CPU per document in a batch at concurrency 16. Bounding
    requests rather than documents lets a batch read, clean and ground documents while the endpoint is
    busy with others. Retries, re-asks and usage accounting stay per call: they live in `_async_create`.
    """
    pool = _ClientPool(max_requests)
    token = _SHARED.set(pool)
    try:
        yield
    finally:
        _SHARED.reset(token)
        await pool.aclose()


async def aextract(clean: CleanText, settings: Settings) -> EngineResult:
    """The async form of `extract`: chunks run concurrently, at most `settings.concurrency` at once.
    Inside `shared_clients()` the HTTP client (and the bound on requests) is the batch's; otherwise the
    client lives for this call only."""
    chunks = _plan(clean, settings)
    pool = _SHARED.get()
    if pool is not None:
        return await _aextract_with(pool.client(settings), clean, chunks, settings, pool.requests)
    async with _async_client(settings) as client:
        return await _aextract_with(client, clean, chunks, settings, None)


async def _aextract_with(
    client: openai.AsyncOpenAI,
    clean: CleanText,
    chunks: list[chunking.Chunk],
    settings: Settings,
    requests: asyncio.Semaphore | None,
) -> EngineResult:
    tally = _Tally()
    gate = asyncio.Semaphore(settings.concurrency)
    create = _async_create(client, settings, tally, requests)

    async def one(i: int, chunk: chunking.Chunk) -> Draft:
        async with gate:
            try:
                wire = await create(**request_kwargs(settings, _messages(chunk, i, len(chunks))))
            except _FAILURES as exc:
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
