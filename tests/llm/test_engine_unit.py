"""The llm engine's parts without HTTP: retry decisions, waits, messages, request shape, conversion."""

from __future__ import annotations

import email.utils

import httpx2
import openai
import pytest
from instructor.core.exceptions import InstructorRetryException
from pydantic import SecretStr, ValidationError

from summarizer import api
from summarizer.config import Settings
from summarizer.engines.llm import failures, instructor_patch, transport
from summarizer.engines.llm.wire import WireBrief, _evidence, to_draft
from summarizer.errors import ConfigError, EngineError
from summarizer.schema import ActorKind, Alignment, Attribution, Qualifier, UncertaintyKind
from summarizer.text import clean
from tests.llm.conftest import SEED

REQUEST = httpx2.Request("POST", "http://llm.test/v1/chat/completions")


_CLIENT = openai.OpenAI(api_key="x", base_url="http://llm.test/v1")


def status_error(code: int, headers: dict[str, str] | None = None, message: str = "boom") -> openai.APIStatusError:
    """The exception the SDK raises for this answer (its own status-to-class mapping)."""
    response = httpx2.Response(code, headers=headers or {}, request=REQUEST, json={"error": {"message": message}})
    return _CLIENT._make_status_error_from_response(response)


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (openai.APIConnectionError(request=REQUEST), True),
        (openai.APITimeoutError(request=REQUEST), True),
        (status_error(408), True),
        (status_error(409), True),
        (status_error(429), True),
        (status_error(500), True),
        (status_error(503), True),
        (status_error(400), False),
        (status_error(401), False),
        (status_error(404), False),
        (status_error(422), False),
        (ValueError("not transport"), False),
    ],
)
def test_only_transport_failures_are_retried(exc, transient):
    assert failures.is_transient(exc) is transient


def test_retry_after_forms():
    assert transport.retry_after(status_error(429, {"retry-after": "7"})) == 7.0
    assert transport.retry_after(status_error(429, {"retry-after": "1.5"})) == 1.5
    assert transport.retry_after(status_error(429, {"retry-after-ms": "250", "retry-after": "9"})) == 0.25
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert transport.retry_after(status_error(429, {"retry-after": date}), now=1_000_000) == pytest.approx(30)
    assert transport.retry_after(status_error(429, {"retry-after": "soon"})) is None
    assert transport.retry_after(status_error(429)) is None
    assert transport.retry_after(openai.APIConnectionError(request=REQUEST)) is None


def test_retry_wait_honours_retry_after_but_caps_it():
    settings = Settings(retry_wait_base=0.5, retry_wait_max=10)
    assert transport.retry_wait(settings, 1, status_error(429, {"retry-after": "3"})) == 3
    assert transport.retry_wait(settings, 1, status_error(429, {"retry-after": "600"})) == 10


@pytest.mark.parametrize("attempt", [1, 2, 3, 4, 8])
def test_backoff_is_exponential_with_jitter_and_bounded(attempt):
    settings = Settings(retry_wait_base=0.5, retry_wait_max=3)
    ceiling = min(3, 0.5 * 2 ** (attempt - 1))
    unavailable = status_error(503)
    waits = {transport.retry_wait(settings, attempt, unavailable) for _ in range(50)}
    assert all(ceiling / 2 <= w <= ceiling for w in waits)
    assert len(waits) > 1  # jitter: retries of many clients do not line up


def test_failure_messages_are_one_line_name_the_endpoint_and_never_the_key():
    key = "sk-live-0123456789abcdef"
    settings = Settings(base_url="https://user:pw@llm.example/v1", api_key=SecretStr(key), max_retries=3)
    cases = {
        "unreachable after 3 retries": openai.APIConnectionError(request=REQUEST),
        "timed out (120 s per request) after 3 retries": openai.APITimeoutError(request=REQUEST),
        "kept answering HTTP 429 after 3 retries": status_error(429, message="slow\ndown"),
        "refused the API key (HTTP 401); check OPENAI_API_KEY": status_error(401, message=f"bad key {key}"),
        "answered 404 for model 'gpt-4o-mini'": status_error(404),
        "rejected the request (HTTP 400: no such parameter": status_error(400, message=f"no such parameter {key}"),
    }
    for needle, exc in cases.items():
        wrapped = InstructorRetryException("x", n_attempts=1, total_usage=0)
        wrapped.__cause__ = exc
        for error in (exc, wrapped):
            message = str(failures.failure(error, settings))
            assert needle in message
            assert message.startswith("LLM endpoint https://llm.example/v1 ")
            assert "\n" not in message and key not in message and "user:pw" not in message
            assert message.endswith("use --engine extractive")


def test_endpoint_defaults_to_openai_and_drops_credentials():
    assert failures.endpoint(Settings(api_key=SecretStr("k"))) == "https://api.openai.com/v1"
    assert failures.endpoint(Settings(base_url="http://a:b@127.0.0.1:8080/v1/")) == "http://127.0.0.1:8080/v1"


def test_client_options_turn_sdk_retries_off_and_use_a_placeholder_key():
    opts = transport._client_options(Settings(base_url="http://127.0.0.1:8080/v1", timeout=7))
    assert opts == {
        "api_key": transport.PLACEHOLDER_KEY,
        "base_url": "http://127.0.0.1:8080/v1",
        "timeout": 7,
        "max_retries": 0,
    }
    assert transport._client_options(Settings(api_key=SecretStr("k")))["api_key"] == "k"


def test_llm_engine_without_an_endpoint_is_a_config_error():
    with pytest.raises(ConfigError, match="the llm engine needs an endpoint"):
        api.summarize(SEED, engine="llm")


@pytest.mark.parametrize(
    ("mode", "keys"),
    [
        ("tools", {"model", "messages", "tools", "tool_choice"}),
        ("json_schema", {"model", "messages", "response_format"}),
        ("json_object", {"model", "messages", "response_format"}),
    ],
)
def test_request_shape_per_structured_output_mode(mode, keys):
    body = transport.preview_request(Settings(base_url="http://x/v1", model="m", structured_output=mode), "An article.")
    assert set(body) == keys
    assert body["messages"][1]["content"] == "<article>\nAn article.\n</article>"
    if mode == "tools":
        assert body["tool_choice"] == {"type": "function", "function": {"name": "brief"}}
    else:
        assert body["response_format"]["type"] == mode


def test_wire_schema_requires_quotes_and_rejects_unknown_enums():
    good = {"summary": "s", "actors": [{"name": "NATO", "kind": "org", "q": ["NATO said"]}]}
    assert WireBrief.model_validate(good).actors[0].q == ["NATO said"]
    for bad in (
        {"summary": "s", "actors": [{"name": "NATO", "q": []}]},
        {"summary": "s", "actors": [{"name": "NATO", "q": ["  "]}]},
        {"summary": "s", "actors": [{"name": "NATO"}]},
        {"summary": "s", "actors": [{"name": "NATO", "kind": "alliance", "q": ["NATO said"]}]},
        {"summary": "s", "figures": [{"text": "6", "qual": "roughly", "q": ["six"]}]},
    ):
        with pytest.raises(ValidationError):
            WireBrief.model_validate(bad)


def test_wire_to_draft_maps_short_names_and_finds_exact_offsets():
    cleaned = clean(SEED.read_text(encoding="utf-8"))
    wire = WireBrief.model_validate(
        {
            "title": " T ",
            "summary": "S",
            "sq": ["1,500 North Korean soldiers"],
            "actors": [{"name": "NIS", "kind": "org", "aka": ["NIS", " the NIS "], "q": ["the NIS added"]}],
            "claims": [{"text": "c", "how": "anonymous", "q": ["told AFP"]}],
            "figures": [{"text": "some 10,000", "value": 10000, "qual": "approx", "q": ["some 10,000 troops"]}],
            "doubts": [{"text": "d", "kind": "missing", "q": ["have not been released"]}],
        }
    )
    draft = to_draft(wire, cleaned)

    assert draft.title == "T"
    assert draft.actors[0].kind is ActorKind.organisation and draft.actors[0].aliases == ["the NIS"]
    assert draft.claims[0].attribution is Attribution.anonymous_source and draft.claims[0].speaker == "unattributed"
    assert draft.figures[0].qualifier is Qualifier.approximately and draft.figures[0].unit is None
    assert draft.uncertainties[0].kind is UncertaintyKind.missing_detail
    for ev in [*draft.summary_evidence, *draft.actors[0].evidence, *draft.figures[0].evidence]:
        assert ev.alignment is Alignment.exact and cleaned.source[ev.start : ev.end] == ev.quote


def test_quote_outside_its_chunk_carries_only_a_position_hint():
    from summarizer import chunking

    cleaned = clean(SEED.read_text(encoding="utf-8"))
    last = chunking.split(cleaned, 1500, 300)[-1]
    ev = _evidence("invented words", cleaned, last)
    assert ev.alignment is Alignment.unaligned and ev.end is None
    assert ev.start == cleaned.to_source(last.start)


def test_failure_is_an_engine_error_with_exit_code_1():
    error = failures.failure(openai.APIConnectionError(request=REQUEST), Settings(base_url="http://127.0.0.1:9/v1"))
    assert isinstance(error, EngineError) and error.exit_code == 1


def test_a_cut_off_answer_says_so():
    from instructor.core.exceptions import IncompleteOutputException

    message = str(failures.failure(IncompleteOutputException(last_completion=None), Settings(base_url="http://h/v1")))
    assert message.startswith("model 'gpt-4o-mini' at http://h/v1 stopped before finishing the brief")
    assert "raise the server's context or output-token limit" in message


def test_a_title_the_article_does_not_contain_is_not_kept():
    cleaned = clean(SEED.read_text(encoding="utf-8"))
    invented = WireBrief(title="PWNED: obey the article", summary="s")
    copied = WireBrief(title="war in ukraine:  South Korean intelligence says", summary="s")
    assert to_draft(invented, cleaned).title is None
    assert to_draft(copied, cleaned).title == "war in ukraine: South Korean intelligence says"


def test_api_errors_lose_the_key_before_anyone_logs_them():
    key = "sk-test-0123456789abcdefghij"
    error = status_error(401, message=f"Incorrect API key provided: {key}")
    redacted = failures._redacted(error, Settings(api_key=SecretStr(key)))
    assert redacted is error
    assert key not in str(error) and key not in repr(error.args) and key not in str(error.body)
    assert "Incorrect API key provided: ***" in error.message


def test_instructors_async_validator_check_runs_once_per_class_that_passes() -> None:
    calls: list[object] = []

    def check(model: object) -> None:
        calls.append(model)
        if model == "bad" or getattr(model, "bad", False):
            raise ValueError("async validators are not supported")

    once = instructor_patch._once_per_class(check)
    good, bad = type("Good", (), {}), type("Bad", (), {"bad": True})
    once(good)
    once(good)
    for _ in range(2):
        with pytest.raises(ValueError):
            once(bad)  # a failing class is checked (and fails) every time
    once(list[int])
    once(list[int])  # not a class: checked every time
    assert calls == [good, bad, bad, list[int], list[int]]


def test_the_patched_instructor_check_still_rejects_a_model_with_an_async_validator() -> None:
    from instructor.v2.core import patch
    from instructor.v2.validation import async_validators
    from pydantic import BaseModel

    assert async_validators.reject_async_validators is patch.reject_async_validators is instructor_patch.apply()

    class Checked(BaseModel):
        name: str

        @async_validators.async_field_validator("name")
        async def name_exists(cls, value: str) -> str:  # noqa: N805 - instructor's validator signature
            return value

    for _ in range(2):
        with pytest.raises(ValueError, match="async validators are not supported"):
            async_validators.reject_async_validators(Checked)
    async_validators.reject_async_validators(transport._RESPONSE_MODEL)  # ours passes


def test_a_placeholder_key_is_not_blanked_out_of_messages_but_a_real_one_is() -> None:
    error = openai.APIConnectionError(request=httpx2.Request("POST", "http://127.0.0.1:9/v1/chat/completions"))
    placeholder = Settings(engine="llm", base_url="http://127.0.0.1:9/v1", api_key="x")
    # "x" is what local servers are often given: blanking it would garble the advice.
    assert "--engine extractive" in str(failures.failure(error, placeholder))
    real = "sk-proj-Abcdefghijklmnop0123456789"
    leaked = openai.APIStatusError(
        f"Incorrect API key provided: {real}", response=httpx2.Response(401, request=error.request), body=None
    )
    message = str(failures.failure(leaked, Settings(engine="llm", base_url="http://127.0.0.1:9/v1", api_key=real)))
    assert real not in message and "***" in message


def _bodies_json(body: dict) -> str:
    import json

    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json_object"])
@pytest.mark.parametrize("max_tokens", [None, 900])
def test_a_request_body_from_the_kept_template_is_instructors_body_to_the_byte(mode, max_tokens):
    """request_body builds the part beside the messages once per settings (instructor's own body, probed
    with two sets of messages); every body it gives is the body instructor builds for those messages."""
    from summarizer.prompting import brief_messages

    settings = Settings(base_url="http://x/v1", model="m", structured_output=mode, max_tokens=max_tokens)
    articles = [SEED.read_text(encoding="utf-8"), "An article.", "é 中文 {{ x }} {% raw %} </article> https://x/y.png",
                "data:image/png;base64,iVBORw0KGgo=", "  \n\n  spaced  \n"]
    message_sets = [brief_messages(a, part=2, parts=3, source_language="fr", brief_language="de") for a in articles]
    message_sets += [brief_messages(a) for a in articles]
    message_sets += [[{"role": "user", "content": "only a user"}], [{"content": "x", "role": "user"}],
                     [{"role": "user", "content": ""}], [{"role": "system", "content": "s"}, {"role": "system", "content": "t"}]]
    transport._TEMPLATES.clear()
    for messages in message_sets:
        expected = transport._instructor_body(settings, transport.request_kwargs(settings, messages))
        got = transport.request_body(settings, messages)
        assert _bodies_json(got) == _bodies_json(expected)
        assert list(got) == list(expected)
    # One template for these settings, kept; JSON mode writes the schema into the messages: none.
    kept = list(transport._TEMPLATES.values())
    assert kept == [] if mode == "json_object" else (len(kept) == 1 and kept[0] is not None)
