"""`summarizer brief` against a real loopback server that fails in every way an API can.

Each fault: bounded requests (--max-retries, re-asks), bounded time, one line on stderr, exit code 1.
"""

from __future__ import annotations

import json

import pytest

from summarizer.config import Settings
from summarizer.errors import EngineError
from tests.reliability.conftest import SEED, assert_one_line_failure, run_cli
from tests.support.openai_server import FakeOpenAI, faults

MAX_RETRIES = 2
TIMEOUT = 0.5
MAX_REASKS = Settings().max_reasks
# Transport retries wait at most retry_wait_base * (1 + 2 + ...) with the default settings.
_BACKOFF = sum(min(Settings().retry_wait_max, Settings().retry_wait_base * 2**k) for k in range(MAX_RETRIES))


def _brief(server: FakeOpenAI, *extra: str):
    return run_cli(
        "brief", str(SEED), "--engine", "llm", "--base-url", server.base_url, "--api-key", "sk-test-faults",
        "--max-retries", str(MAX_RETRIES), "--timeout", str(TIMEOUT), "--format", "json", "--quiet", *extra,
    )


# fault, requests expected (exact int, or a (low, high) range), words the message must contain
TRANSPORT = MAX_RETRIES + 1
REASKS = MAX_REASKS + 1
CASES = [
    ("429", TRANSPORT, "HTTP 429"),
    ("429-retry-after", TRANSPORT, "HTTP 429"),
    ("500", TRANSPORT, "HTTP 500"),
    ("502", TRANSPORT, "HTTP 502"),
    ("503", TRANSPORT, "HTTP 503"),
    ("slow", TRANSPORT, "timed out"),
    ("reset", TRANSPORT, "unreachable"),
    ("truncated", TRANSPORT, "unreachable"),
    ("invalid-json", REASKS, "no schema-valid brief"),
    ("schema-violation", REASKS, "no schema-valid brief"),
    ("wrong-content-type", REASKS, "no schema-valid brief"),
    ("length", (1, REASKS), "stopped before finishing"),
    ("refusal", (1, REASKS), "no schema-valid brief"),
    ("empty-choices", (1, REASKS), "no schema-valid brief"),
]


@pytest.mark.parametrize(("fault", "requests", "words"), CASES, ids=[c[0] for c in CASES])
def test_brief_fails_fast_in_one_line(openai_server: FakeOpenAI, fault: str, requests, words: str) -> None:
    openai_server.always(fault)
    run = _brief(openai_server)
    line = assert_one_line_failure(run, 1, names=openai_server.base_url)
    assert words in line
    assert len(line) < 400
    low, high = requests if isinstance(requests, tuple) else (requests, requests)
    assert low <= openai_server.count <= high, f"{openai_server.count} requests for {fault}"
    # Every request may take the whole timeout; add the backoff and a second for the CLI itself.
    assert run.seconds < openai_server.count * TIMEOUT + _BACKOFF + 1.5, f"{fault} took {run.seconds:.1f}s"


def test_no_retries_means_one_request(openai_server: FakeOpenAI) -> None:
    openai_server.always("503")
    run = _brief(openai_server, "--max-retries", "0")
    assert_one_line_failure(run, 1)
    assert openai_server.count == 1


def test_transient_faults_then_success_give_a_brief_that_counts_them(openai_server: FakeOpenAI) -> None:
    openai_server.script("429-retry-after", "reset")
    run = _brief(openai_server)
    assert run.code == 0, run.stderr
    brief = json.loads(run.stdout)
    assert openai_server.count == 3
    assert brief["provenance"]["attempts"] == 3
    assert brief["provenance"]["retries"] == 2
    assert brief["claims"] and not brief["dropped"]


def test_retry_after_is_honoured(openai_server: FakeOpenAI) -> None:
    openai_server.script(faults.rate_limited(retry_after=1))
    run = _brief(openai_server)
    assert run.code == 0, run.stderr
    gap = openai_server.requests[1].received_at - openai_server.requests[0].received_at
    assert 1.0 <= gap < 1.0 + 1.0


def test_schema_violation_once_is_repaired_by_a_reask(openai_server: FakeOpenAI) -> None:
    openai_server.script("schema-violation")
    run = _brief(openai_server)
    assert run.code == 0, run.stderr
    assert openai_server.count == 2
    # The re-ask carries the validation error back to the model.
    assert "summary" in json.dumps(openai_server.chat_requests[1].body["messages"][-1])


def test_delay_under_the_timeout_is_not_a_failure(openai_server: FakeOpenAI) -> None:
    openai_server.always(faults.delay(0.2))
    run = _brief(openai_server, "--timeout", "2")
    assert run.code == 0, run.stderr
    assert openai_server.count == 1


def test_nothing_listening_is_one_line_and_bounded() -> None:
    server = FakeOpenAI().start()
    url = server.base_url
    server.stop()  # the port is now closed: connection refused
    run = run_cli("brief", str(SEED), "--engine", "llm", "--base-url", url, "--max-retries", "1",
                  "--timeout", str(TIMEOUT), "--quiet")
    line = assert_one_line_failure(run, 1, names=url)
    assert "unreachable" in line
    assert run.seconds < 2 * TIMEOUT + _BACKOFF + 1.5


async def test_async_api_is_bounded_the_same_way(openai_server: FakeOpenAI) -> None:
    from summarizer.api import asummarize

    openai_server.always("502")
    with pytest.raises(EngineError, match="HTTP 502"):
        await asummarize(SEED, engine="llm", base_url=openai_server.base_url, api_key="sk-test-async",
                         max_retries=1, timeout=TIMEOUT)
    assert openai_server.count == 2
