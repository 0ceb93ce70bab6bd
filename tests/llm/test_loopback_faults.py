"""Faults cassettes cannot play: real timeouts, what a re-ask sends, cancelling sibling chunks.
A scripted HTTP server on 127.0.0.1 answers each request with the next step of its script."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from summarizer.config import Settings
from summarizer.engines.llm import extraction
from summarizer.errors import EngineError
from summarizer.text import clean
from tests.llm.conftest import SEED

VALID = {"summary": "S", "actors": [{"name": "NATO", "kind": "org", "q": ["NATO said it was not able to confirm"]}]}


def completion(answer: dict) -> dict:
    call = {"id": "call_1", "type": "function", "function": {"name": "brief", "arguments": json.dumps(answer)}}
    return {
        "id": "chatcmpl-loopback",
        "object": "chat.completion",
        "created": 1,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class Script:
    """Steps: ("answer", dict), ("status", code), ("sleep", seconds, then-answer dict)."""

    def __init__(self) -> None:
        self.steps: list[tuple] = []
        self.bodies: list[dict] = []
        self.lock = threading.Lock()

    def next(self, body: dict) -> tuple:
        with self.lock:
            self.bodies.append(body)
            return self.steps.pop(0)


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            step = script.next(body)
            if step[0] == "sleep":
                time.sleep(step[1])
                step = ("answer", step[2])
            if step[0] == "status":
                code, data = step[1], json.dumps({"error": {"message": f"scripted {step[1]}"}}).encode()
            else:
                code, data = 200, json.dumps(completion(step[1])).encode()
            try:
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout or cancellation): that is the point of the test

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", script
    httpd.shutdown()
    httpd.server_close()


def settings_for(base_url: str, **extra: object) -> Settings:
    return Settings(engine="llm", base_url=base_url, model="m", retry_wait_base=0.001, retry_wait_max=0.01, **extra)


def test_timeouts_are_retried_then_reported(server):
    base_url, script = server
    script.steps = [("sleep", 5.0, VALID), ("sleep", 5.0, VALID)]

    started = time.monotonic()
    with pytest.raises(EngineError) as err:
        extraction.extract(clean(SEED.read_text(encoding="utf-8")), settings_for(base_url, timeout=0.2, max_retries=1))

    assert time.monotonic() - started < 4  # two 0.2 s timeouts, not two 5 s answers
    assert len(script.bodies) == 2
    assert str(err.value) == (
        f"LLM endpoint {base_url} timed out (0.2 s per request) after 1 retry; "
        "raise --timeout, check the server or use --engine extractive"
    )


def test_a_timeout_then_an_answer_succeeds(server):
    base_url, script = server
    script.steps = [("sleep", 1.0, VALID), ("answer", VALID)]

    result = extraction.extract(
        clean(SEED.read_text(encoding="utf-8")), settings_for(base_url, timeout=0.2, max_retries=1)
    )

    assert (result.attempts, result.retries) == (2, 1)
    assert result.usage.total_tokens == 15  # the timed-out attempt reported no usage


def test_client_errors_are_not_retried(server):
    base_url, script = server
    script.steps = [("status", 400)]

    with pytest.raises(EngineError, match=r"rejected the request \(HTTP 400: scripted 400\)"):
        extraction.extract(clean(SEED.read_text(encoding="utf-8")), settings_for(base_url, max_retries=3))

    assert len(script.bodies) == 1


def test_reask_sends_the_validation_error_back(server):
    base_url, script = server
    invalid = {"summary": "S", "actors": [{"name": "NATO", "kind": "alliance", "q": ["NATO said"]}]}
    script.steps = [("answer", invalid), ("answer", VALID)]

    result = extraction.extract(clean(SEED.read_text(encoding="utf-8")), settings_for(base_url, max_reasks=1))

    assert (result.attempts, result.retries, result.usage.total_tokens) == (2, 1, 30)
    first, second = script.bodies
    assert len(second["messages"]) == len(first["messages"]) + 2
    assistant, feedback = second["messages"][-2:]
    assert assistant["role"] == "assistant" and "alliance" in assistant["tool_calls"][0]["function"]["arguments"]
    assert feedback["role"] == "tool" and "Validation Error" in feedback["content"] and "kind" in feedback["content"]


async def test_a_failing_chunk_cancels_its_siblings(server):
    base_url, script = server
    script.steps = [("status", 401)] + [("sleep", 3.0, VALID)] * 3
    settings = settings_for(base_url, chunk_chars=1500, chunk_overlap=300, concurrency=4)

    started = time.monotonic()
    with pytest.raises(EngineError, match=r"refused the API key \(HTTP 401\)"):
        await extraction.aextract(clean(SEED.read_text(encoding="utf-8")), settings)

    assert time.monotonic() - started < 2.0  # did not wait for the slow sibling chunks
    await asyncio.sleep(0)
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
