"""A real loopback HTTP server that speaks the OpenAI chat.completions wire format, with faults on demand.

Tests point the real openai client (or the `summarizer` CLI, via `--base-url`) at it; nothing in the SDK is
mocked. It listens on 127.0.0.1 on an ephemeral port, serves each connection in its own daemon thread,
and shuts itself down after `lifetime` seconds even if a test forgets to.

Usage (in a conftest.py, `from tests.support.openai_server import openai_server` makes the fixture
available; it yields a fresh running server per test)::

    from tests.support.openai_server import FakeOpenAI, faults, serve

    with FakeOpenAI() as server:                     # or the `openai_server` pytest fixture below
        server.script(faults.rate_limited(retry_after=0), faults.server_error(503))  # first two requests
        server.default = faults.ok()                 # every request after the script (the default)
        server.when(lambda req: "MARKER" in req.article, faults.invalid_json())  # rules win over both
        run_cli("--base-url", server.base_url, ...)
        assert server.count == 3                     # chat requests served (GET /models not counted)
        server.requests[0].body / .headers["authorization"] / .article / .path / .behaviour / .received_at
        server.always("503")                          # every request from now on (clears script and rules)
        server.reset_counts()                         # forget what was recorded so far

Behaviours (`faults.*`; each also has a string alias accepted anywhere a behaviour is):

| function                         | alias                  | what the client gets                                   |
| -------------------------------- | ---------------------- | ------------------------------------------------------ |
| ok()                             | "ok"                   | a valid answer built from the request (see below)      |
| delay(seconds)                   | -                      | the valid answer, after `seconds`                      |
| rate_limited(retry_after=None)   | "429", "429-retry-after" (Retry-After: 0) | 429 with an OpenAI error body, with or without Retry-After |
| server_error(status)             | "500", "502", "503"    | that status with an OpenAI error body                  |
| slow(seconds=30)                 | "slow"                 | nothing until `seconds` (longer than any test timeout) |
| reset()                          | "reset"                | the TCP connection reset (RST) before any response     |
| truncated()                      | "truncated"            | 200 whose body stops half-way (Content-Length too big) |
| invalid_json()                   | "invalid-json"         | 200 application/json whose body is not JSON            |
| schema_violation()               | "schema-violation"     | a well-formed completion whose JSON breaks the schema  |
| length()                         | "length"               | finish_reason "length" with the JSON cut off           |
| refusal()                        | "refusal"              | message.refusal set, no content, no tool call          |
| empty_choices()                  | "empty-choices"        | a completion with `choices: []`                        |
| wrong_content_type()             | "wrong-content-type"   | 200 text/html with an HTML page                        |
| injected(text)                   | -                      | a "compromised model": summary/items say `text`, quoting nothing real |
| echo_key(status=401)             | "echo-key"             | that status, the error message quoting the request's key back |

The valid answer follows the request's shape: with `tools` it answers with one tool call named as
asked (instructor's TOOLS mode), otherwise the JSON goes in `message.content` (JSON_SCHEMA / JSON
modes). Its values come from the article in the last user message (inside <article>/<document>/<text>
tags or a fenced block when present, else the whole message): real sentences as evidence quotes, so
grounding keeps them. The values are then fitted to the JSON Schema the request carries (tool
parameters or response_format), so the answer validates against whatever response model the engine uses.

`GET /v1/models` lists one model, so code that asks a server for its model name works too.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "fake-model"
DEFAULT_LIFETIME = 300.0  # as long as pytest-timeout lets any test run


@dataclass(frozen=True)
class Behaviour:
    """What the server does with one chat request."""

    kind: str
    status: int = 200
    retry_after: str | None = None
    seconds: float = 0.0
    text: str = ""


class faults:  # noqa: N801 - a namespace read as `faults.reset()`
    """Constructors for every behaviour (see the module docstring)."""

    @staticmethod
    def ok() -> Behaviour:
        return Behaviour("ok")

    @staticmethod
    def delay(seconds: float) -> Behaviour:
        return Behaviour("ok", seconds=seconds)

    @staticmethod
    def rate_limited(retry_after: float | str | None = None) -> Behaviour:
        return Behaviour("error", status=429, retry_after=None if retry_after is None else str(retry_after))

    @staticmethod
    def server_error(status: int = 500) -> Behaviour:
        return Behaviour("error", status=status)

    @staticmethod
    def slow(seconds: float = 30.0) -> Behaviour:
        return Behaviour("slow", seconds=seconds)

    @staticmethod
    def reset() -> Behaviour:
        return Behaviour("reset")

    @staticmethod
    def truncated() -> Behaviour:
        return Behaviour("truncated")

    @staticmethod
    def invalid_json() -> Behaviour:
        return Behaviour("invalid_json")

    @staticmethod
    def schema_violation() -> Behaviour:
        return Behaviour("schema_violation")

    @staticmethod
    def length() -> Behaviour:
        return Behaviour("length")

    @staticmethod
    def refusal() -> Behaviour:
        return Behaviour("refusal")

    @staticmethod
    def empty_choices() -> Behaviour:
        return Behaviour("empty_choices")

    @staticmethod
    def wrong_content_type() -> Behaviour:
        return Behaviour("wrong_content_type")

    @staticmethod
    def injected(text: str) -> Behaviour:
        return Behaviour("injected", text=text)

    @staticmethod
    def echo_key(status: int = 401) -> Behaviour:
        return Behaviour("echo_key", status=status)


ALIASES: dict[str, Behaviour] = {
    "ok": faults.ok(),
    "429": faults.rate_limited(),
    "429-retry-after": faults.rate_limited(retry_after=0),
    "500": faults.server_error(500),
    "502": faults.server_error(502),
    "503": faults.server_error(503),
    "slow": faults.slow(),
    "reset": faults.reset(),
    "truncated": faults.truncated(),
    "invalid-json": faults.invalid_json(),
    "schema-violation": faults.schema_violation(),
    "length": faults.length(),
    "refusal": faults.refusal(),
    "empty-choices": faults.empty_choices(),
    "wrong-content-type": faults.wrong_content_type(),
    "echo-key": faults.echo_key(),
}

BehaviourLike = Behaviour | str


def as_behaviour(value: BehaviourLike) -> Behaviour:
    if isinstance(value, Behaviour):
        return value
    try:
        return ALIASES[value]
    except KeyError:
        raise ValueError(f"unknown behaviour {value!r}; choose one of {', '.join(ALIASES)}") from None


@dataclass
class RecordedRequest:
    """One request as the server saw it (`headers` with lower-case names, `body` parsed JSON)."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    behaviour: Behaviour | None = None
    received_at: float = field(default_factory=time.monotonic)

    @property
    def article(self) -> str:
        return article_text(self.body) if isinstance(self.body, dict) else ""


# --- the valid answer -------------------------------------------------------------------------

_WRAPPERS = [
    re.compile(r"<(article|document|text|source)>\s*(.*?)\s*</\1>", re.DOTALL | re.IGNORECASE),
    re.compile(r"```[a-z]*\n(.*?)\n```", re.DOTALL),
    re.compile(r'"""\n?(.*?)\n?"""', re.DOTALL),
]
# A run of text up to its end mark, starting only where a run starts: linear time (the obvious
# `[^.!?\n]*[A-Za-z][^.!?\n]*[.!?]` backtracks over every start and every letter, milliseconds an answer).
_SENTENCE = re.compile(r"(?<![^.!?\n])[^.!?\n]++[.!?]")
_LETTER = re.compile(r"[A-Za-z]")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s[A-Z][a-z]+)+\b")
_NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
_HEDGE = re.compile(r"\b(?:may|might|could|alleged(?:ly)?|reportedly|unclear|not able to confirm|appears?)\b", re.I)
_SAID = re.compile(r"\b(?:said|says|told|according to|stated)\b", re.I)


def _message_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def article_text(body: dict) -> str:
    """The article inside the last user message (the innermost known wrapper, else the whole message)."""
    users = [m for m in body.get("messages") or [] if isinstance(m, dict) and m.get("role") == "user"]
    if not users:
        return ""
    text = _message_text(users[-1].get("content"))
    for pattern in _WRAPPERS:
        match = pattern.search(text)
        if match:
            return match.group(match.lastindex or 1)
    return text


def _sentences(article: str) -> list[str]:
    found = [m.group(0).strip() for m in _SENTENCE.finditer(article) if _LETTER.search(m.group(0))]
    good = [s for s in found if 20 <= len(s) <= 400]
    return good or [s for s in found if s] or ([article.strip()[:200]] if article.strip() else [])


def draft_from_article(article: str) -> dict[str, Any]:
    """A Draft-shaped answer whose every quote is a verbatim sentence of the article."""
    sentences = _sentences(article)
    if not sentences:
        return {"summary": "", "summary_evidence": [], "actors": [], "claims": [], "figures": [], "uncertainties": []}
    actors, seen = [], set()
    for s in sentences:
        for name in _NAME.findall(s):
            if name not in seen and len(actors) < 4:
                seen.add(name)
                actors.append({"name": name, "kind": "other", "role": None, "aliases": [], "evidence": [{"quote": s}]})
    claims = [
        {"statement": s, "speaker": "unattributed", "attribution": "reported", "hedged": bool(_HEDGE.search(s)),
         "evidence": [{"quote": s}]}
        for s in sentences if _SAID.search(s)
    ][:4] or [{"statement": sentences[0], "speaker": "unattributed", "attribution": "outlet", "hedged": False,
               "evidence": [{"quote": sentences[0]}]}]
    figures = []
    for s in sentences:
        m = _NUMBER.search(s)
        if m and len(figures) < 4:
            value = float(m.group(0).replace(",", ""))
            figures.append({"text": m.group(0), "value": value, "unit": None, "measures": None, "qualifier": "exact",
                            "evidence": [{"quote": s}]})
    uncertainties = [
        {"statement": s, "kind": "hedged", "who": None, "evidence": [{"quote": s}]}
        for s in sentences if _HEDGE.search(s)
    ][:3]
    return {
        "title": None,
        "summary": " ".join(sentences[:2]),
        "summary_evidence": [{"quote": s} for s in sentences[:2]],
        "actors": actors,
        "claims": claims,
        "figures": figures,
        "uncertainties": uncertainties,
    }


def injected_draft(text: str) -> dict[str, Any]:
    """What a model that obeyed an injected instruction might say: nothing in it is quoted from the source."""
    ev = [{"quote": text}]
    return {
        "title": text,
        "summary": text,
        "summary_evidence": ev,
        "actors": [{"name": text, "kind": "other", "role": None, "aliases": [], "evidence": ev}],
        "claims": [{"statement": text, "speaker": "unattributed", "attribution": "outlet", "hedged": False, "evidence": ev}],
        "figures": [],
        "uncertainties": [],
    }


def _resolve(schema: dict, root: dict) -> dict:
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        node: Any = root
        for part in ref.lstrip("#/").split("/"):
            node = node.get(part, {}) if isinstance(node, dict) else {}
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _first_string(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("quote", "statement", "text", "name"):
            if isinstance(value.get(key), str):
                return value[key]
        for v in value.values():
            if isinstance(v, str):
                return v
    return None


# Compact response models rename the Draft's keys; the hint is written with the Draft's names.
_KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "q": ("evidence",), "quotes": ("evidence",), "sq": ("summary_evidence",), "aka": ("aliases",),
    "by": ("speaker", "source"), "how": ("attribution",), "qual": ("qualifier",), "what": ("measures",),
    "max": ("value_max",), "doubts": ("uncertainties",), "people": ("actors",),
}


def _closest_enum(hint: Any, options: list[Any]) -> Any:
    """The option equal to the hint, else one that starts like it (approximately -> approx), else the first."""
    if hint in options:
        return hint
    if isinstance(hint, str):
        for option in options:
            if isinstance(option, str) and option and (hint.startswith(option) or option.startswith(hint[:4])):
                return option
    return options[0]


def fit(hint: Any, schema: dict, root: dict, filler: str, name: str = "") -> Any:
    """`hint` reshaped to validate against `schema`: unknown keys dropped, missing required ones made up."""
    schema = _resolve(schema, root)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(o, root) for o in schema[key]]
            if hint is None and any(o.get("type") == "null" for o in options):
                return None
            non_null = [o for o in options if o.get("type") != "null"] or options
            return fit(hint, non_null[0], root, filler, name)
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, root))
        return fit(hint, merged, root, filler, name)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return _closest_enum(hint, schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        if hint is None and "null" in kind:
            return None
        kind = next((k for k in kind if k != "null"), "string")
    if kind is None:
        kind = "object" if "properties" in schema else ("array" if "items" in schema else None)
    if kind == "object":
        props = schema.get("properties", {})
        required = set(schema.get("required", []))
        source = hint if isinstance(hint, dict) else ({"quote": hint} if isinstance(hint, str) else {})
        out = {}
        for key, sub in props.items():
            known = next((k for k in (key, *_KEY_ALIASES.get(key, ())) if k in source), None)
            if known is not None:
                out[key] = fit(source[known], sub, root, filler, key)
            elif key in required:
                value = _first_string(source) if isinstance(source, dict) and source else None
                out[key] = fit(value if value is not None else None, sub, root, filler, key)
        return out
    if kind == "array":
        items = schema.get("items", {})
        values = hint if isinstance(hint, list) else ([] if hint is None else [hint])
        out_list = [fit(v, items, root, filler, name) for v in values]
        while len(out_list) < schema.get("minItems", 0):
            out_list.append(fit(None, items, root, filler, name))
        return out_list
    if kind == "string":
        value = _first_string(hint)
        return value if value is not None else filler
    if kind == "integer":
        return int(hint) if isinstance(hint, (int, float)) and not isinstance(hint, bool) else 0
    if kind == "number":
        return float(hint) if isinstance(hint, (int, float)) and not isinstance(hint, bool) else 0.0
    if kind == "boolean":
        return hint if isinstance(hint, bool) else False
    if kind == "null":
        return None
    return hint


def request_schema(body: dict) -> tuple[dict | None, str | None]:
    """The JSON Schema the request asks the answer to follow, and the tool name when tools are used."""
    tools = body.get("tools") or []
    if tools:
        wanted = None
        choice = body.get("tool_choice")
        if isinstance(choice, dict):
            wanted = (choice.get("function") or {}).get("name")
        for tool in tools:
            fn = tool.get("function") or {}
            if wanted is None or fn.get("name") == wanted:
                return fn.get("parameters") or {}, fn.get("name")
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema"), None
    if fmt.get("type") == "json_object" and isinstance(fmt.get("schema"), dict):
        return fmt["schema"], None
    return None, None


def answer_json(body: dict, draft: dict[str, Any]) -> tuple[str, str | None]:
    """The answer's JSON text (fitted to the request's schema) and the tool name, if any."""
    schema, tool = request_schema(body)
    sentences = _sentences(article_text(body))
    filler = sentences[0] if sentences else "unknown"
    data = fit(draft, schema, schema, filler) if schema else draft
    return json.dumps(data, ensure_ascii=False), tool


# Breaks any plausible response model: wrong types everywhere and an unknown key.
SCHEMA_VIOLATION = {"summary": 42, "actors": "nobody", "claims": {"not": "a list"}, "figures": 7, "unexpected": True}


def completion(body: dict, *, content: str | None, tool: str | None, finish_reason: str = "stop",
               refusal: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": refusal}
    if tool is not None and content is not None:
        message["content"] = None
        message["tool_calls"] = [
            {"id": "call_fake_1", "type": "function", "function": {"name": tool, "arguments": content}}
        ]
        if finish_reason == "stop":
            finish_reason = "tool_calls"
    prompt_tokens = sum(len(_message_text(m.get("content")).split()) for m in body.get("messages") or [])
    completion_tokens = len((content or refusal or "").split())
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model") or MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "system_fingerprint": None,
    }


def _error_body(status: int) -> dict[str, Any]:
    kinds = {429: ("rate_limit_exceeded", "Rate limit reached, slow down.")}
    code, message = kinds.get(status, ("server_error", f"The server had an error ({status})."))
    return {"error": {"message": message, "type": code, "param": None, "code": code}}


# --- the server -------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without TCP_NODELAY a kept-alive connection's body
    # waits for the client's delayed ACK (~40 ms), which would be the test server's latency, not ours.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the test output stays clean; requests are recorded instead

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "tests"}]})
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        owner = self.server.owner
        # Header names lower-cased: clients differ ("Authorization" vs "authorization").
        headers = {name.lower(): value for name, value in self.headers.items()}
        recorded = RecordedRequest("POST", self.path, headers, body)
        if not self.path.rstrip("/").endswith("/chat/completions") or not isinstance(body, dict):
            owner._record(recorded)
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "invalid_request_error"}})
            return
        behaviour = owner._next_behaviour(recorded)
        recorded.behaviour = behaviour
        owner._record(recorded)
        owner._answering(+1)
        try:
            self._serve(behaviour, body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout): nothing left to answer
        finally:
            owner._answering(-1)

    def _serve(self, behaviour: Behaviour, body: dict) -> None:
        stop = self.server.owner._stopped
        kind = behaviour.kind
        if kind == "ok":
            # Build the answer first, then wait out the rest of the delay: a fixed latency per request,
            # not the delay plus a queue of answers being built after it.
            received = time.monotonic()
            text, tool = answer_json(body, draft_from_article(article_text(body)))
            payload = completion(body, content=text, tool=tool)
            if behaviour.seconds:
                stop.wait(max(0.0, behaviour.seconds - (time.monotonic() - received)))
            self._json(200, payload)
        elif kind == "injected":
            text, tool = answer_json(body, injected_draft(behaviour.text))
            self._json(200, completion(body, content=text, tool=tool))
        elif kind == "error":
            headers = {"Retry-After": behaviour.retry_after} if behaviour.retry_after is not None else {}
            self._json(behaviour.status, _error_body(behaviour.status), headers)
        elif kind == "echo_key":
            key = self.headers.get("Authorization", "").removeprefix("Bearer ")
            # As some servers and proxies do: the rejected credential, quoted back in full.
            error = {"message": f"Incorrect API key provided: {key}. api_key={key}", "type": "invalid_request_error",
                     "param": None, "code": "invalid_api_key"}
            self._json(behaviour.status, {"error": error})
        elif kind == "slow":
            stop.wait(behaviour.seconds)
            self._json(200, completion(body, content=None, tool=None))
        elif kind == "reset":
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif kind == "truncated":
            payload = json.dumps(completion(body, content=json.dumps(draft_from_article("")), tool=None)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "invalid_json":
            self._raw(200, b'{"id": "chatcmpl-fake", "choices": [{"message": {"content": "{not json', "application/json")
        elif kind == "schema_violation":
            _, tool = request_schema(body)
            self._json(200, completion(body, content=json.dumps(SCHEMA_VIOLATION), tool=tool))
        elif kind == "length":
            text, tool = answer_json(body, draft_from_article(article_text(body)))
            self._json(200, completion(body, content=text[: max(1, len(text) // 3)], tool=tool, finish_reason="length"))
        elif kind == "refusal":
            self._json(200, completion(body, content=None, tool=None, refusal="I'm sorry, I can't help with that."))
        elif kind == "empty_choices":
            payload = completion(body, content=None, tool=None)
            payload["choices"] = []
            self._json(200, payload)
        elif kind == "wrong_content_type":
            self._raw(200, b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>", "text/html")
        else:
            raise ValueError(f"unknown behaviour kind {kind!r}")

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._raw(status, json.dumps(payload).encode("utf-8"), "application/json", headers)

    def _raw(self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A batch opens many connections at once; the default backlog of 5 would make some wait a second.
    request_queue_size = 128
    # Handlers stuck in a "slow" reply are woken by the stop event; never wait for them on close.
    block_on_close = False
    owner: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hangs up mid-reply is part of the faults under test, not a server error


class FakeOpenAI:
    """The loopback server. Use as a context manager, or call start() and stop()."""

    def __init__(self, default: BehaviourLike = "ok", *, lifetime: float = DEFAULT_LIFETIME):
        self.default: Behaviour = as_behaviour(default)
        self.lifetime = lifetime
        self.requests: list[RecordedRequest] = []
        self._queue: list[Behaviour] = []
        self._rules: list[tuple[Callable[[RecordedRequest], bool], Behaviour]] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self.in_flight = 0
        self.max_in_flight = 0  # the most chat requests being answered at once

    # programming
    def script(self, *behaviours: BehaviourLike) -> FakeOpenAI:
        """Behaviours for the next chat requests, in order; afterwards `default` applies."""
        with self._lock:
            self._queue.extend(as_behaviour(b) for b in behaviours)
        return self

    def when(self, predicate: Callable[[RecordedRequest], bool], behaviour: BehaviourLike) -> FakeOpenAI:
        """Every chat request matching `predicate` gets `behaviour` (checked before the script)."""
        with self._lock:
            self._rules.append((predicate, as_behaviour(behaviour)))
        return self

    def always(self, behaviour: BehaviourLike) -> FakeOpenAI:
        """Every chat request from now on gets `behaviour` (clears the script and the rules)."""
        with self._lock:
            self._queue.clear()
            self._rules.clear()
            self.default = as_behaviour(behaviour)
        return self

    def reset_counts(self) -> None:
        with self._lock:
            self.requests.clear()
            self.max_in_flight = self.in_flight

    # observing
    @property
    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.behaviour is not None]

    @property
    def count(self) -> int:
        """Chat requests served so far."""
        return len(self.chat_requests)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return self._httpd.server_address[1]

    # lifecycle
    def start(self) -> FakeOpenAI:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-openai", daemon=True)
        self._thread.start()
        # A bounded lifetime: a test that never stops the server cannot leave it running.
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._timer is not None:
            self._timer.cancel()
        httpd, self._httpd = self._httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # internals
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _answering(self, change: int) -> None:
        with self._lock:
            self.in_flight += change
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _next_behaviour(self, request: RecordedRequest) -> Behaviour:
        with self._lock:
            for predicate, behaviour in self._rules:
                if predicate(request):
                    return behaviour
            if self._queue:
                return self._queue.pop(0)
            return self.default


@contextmanager
def serve(default: BehaviourLike = "ok", *, lifetime: float = DEFAULT_LIFETIME) -> Iterator[FakeOpenAI]:
    """A running FakeOpenAI for the length of a with-block."""
    with FakeOpenAI(default, lifetime=lifetime) as server:
        yield server


try:
    import pytest
except ImportError:  # pragma: no cover - the module also works as a plain library
    pass
else:

    @pytest.fixture
    def openai_server() -> Iterator[FakeOpenAI]:
        """A fresh loopback server per test; import this name into a conftest.py to use it."""
        with serve() as server:
            yield server
