"""The fault server itself: each behaviour is what it claims on the wire, and the valid answer grounds."""

from __future__ import annotations

import http.client
import json
import socket
import time

import pytest

from summarizer.engines.llm.wire import WireBrief
from tests.reliability.conftest import SEED
from tests.support.openai_server import FakeOpenAI, faults, serve


def _post(server: FakeOpenAI, body: dict, timeout: float = 5.0) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    conn.request("POST", "/v1/chat/completions", json.dumps(body), {"Content-Type": "application/json"})
    return conn.getresponse()


def _body(article: str = "Alice Smith said the bridge cost 12 million dollars. Officials could not confirm it.") -> dict:
    return {"model": "m", "messages": [{"role": "system", "content": "be brief"},
                                       {"role": "user", "content": f"Brief this.\n<article>\n{article}\n</article>"}]}


def test_valid_answer_fits_the_tool_schema_and_quotes_the_article() -> None:
    article = SEED.read_text(encoding="utf-8")
    schema = WireBrief.model_json_schema()
    body = {**_body(article), "tools": [{"type": "function", "function": {"name": "brief", "parameters": schema}}],
            "tool_choice": {"type": "function", "function": {"name": "brief"}}}
    with serve() as server:
        reply = json.loads(_post(server, body).read())
    call = reply["choices"][0]["message"]["tool_calls"][0]["function"]
    assert call["name"] == "brief"
    wire = WireBrief.model_validate_json(call["arguments"])
    quotes = [q for item in [*wire.actors, *wire.claims, *wire.figures, *wire.doubts] for q in item.q] + wire.sq
    assert wire.actors and wire.claims and wire.figures
    assert all(q in article for q in quotes)


def test_counts_records_and_follows_script_then_default() -> None:
    with serve() as server:
        server.script("500", faults.rate_limited(retry_after=7))
        statuses = [_post(server, _body()) for _ in range(3)]
        assert [r.status for r in statuses] == [500, 429, 200]
        assert statuses[1].getheader("Retry-After") == "7"
        assert statuses[0].getheader("Retry-After") is None
        assert server.count == 3
        assert [r.behaviour.kind for r in server.chat_requests] == ["error", "error", "ok"]
        assert "Alice Smith" in server.requests[0].article


def test_rules_pick_requests_by_article() -> None:
    with serve() as server:
        server.when(lambda req: "POISON" in req.article, "503")
        assert _post(server, _body("POISON pill. The rest is fine.")).status == 503
        assert _post(server, _body()).status == 200


@pytest.mark.parametrize(
    ("behaviour", "check"),
    [
        ("invalid-json", lambda r, raw: r.status == 200 and _not_json(raw)),
        ("wrong-content-type", lambda r, raw: r.getheader("Content-Type") == "text/html" and raw.startswith(b"<!doctype")),
        ("empty-choices", lambda r, raw: json.loads(raw)["choices"] == []),
        ("refusal", lambda r, raw: json.loads(raw)["choices"][0]["message"]["refusal"]),
        ("length", lambda r, raw: json.loads(raw)["choices"][0]["finish_reason"] == "length"),
        ("schema-violation", lambda r, raw: json.loads(json.loads(raw)["choices"][0]["message"]["content"])["summary"] == 42),
    ],
)
def test_malformed_answers_are_malformed_as_named(behaviour: str, check) -> None:
    with serve(behaviour) as server:
        response = _post(server, _body())
        raw = response.read()
    assert check(response, raw)


def _not_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except ValueError:
        return True
    return False


def test_reset_truncated_and_slow_break_the_connection_as_named() -> None:
    with serve("reset") as server:
        with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
            _post(server, _body()).read()
    with serve("truncated") as server:
        with pytest.raises(http.client.IncompleteRead):
            _post(server, _body()).read()
    with serve(faults.slow(10)) as server:
        started = time.monotonic()
        with pytest.raises(socket.timeout):
            _post(server, _body(), timeout=0.3)
        assert time.monotonic() - started < 2


def test_delay_answers_after_the_delay() -> None:
    with serve(faults.delay(0.3)) as server:
        started = time.monotonic()
        assert _post(server, _body()).status == 200
        assert time.monotonic() - started >= 0.3


def test_stop_is_prompt_even_with_a_request_hanging_and_the_lifetime_is_bounded() -> None:
    server = FakeOpenAI(faults.slow(30), lifetime=0.5).start()
    port = server.port
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
    time.sleep(1.0)  # past the lifetime: the server stopped itself
    sock.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    started = time.monotonic()
    server.stop()  # stopping twice is harmless
    assert time.monotonic() - started < 1


def test_unknown_behaviour_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown behaviour"):
        FakeOpenAI("teapot")
