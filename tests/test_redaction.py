"""One redaction policy for messages, logs, the ledger and run reports."""

from __future__ import annotations

from pydantic import SecretStr

from summarizer.config import Settings
from summarizer.ledger import error_line
from summarizer.redaction import redact, redact_text, secrets_of, without_credentials


def test_known_secrets_and_credential_shapes_are_masked() -> None:
    assert redact_text("key=topsecretvalue here", ["topsecretvalue"]) == "key=*** here"
    assert redact_text("http://user:pw@host/v1 failed") == "http://***@host/v1 failed"
    assert redact_text('api_key="abcdefgh"') == 'api_key="***"'
    assert redact_text("Incorrect API key provided: sk-abcdefghijkl") == "Incorrect API key provided: ***"
    assert redact_text("Authorization: Bearer abcdef123456") == "Authorization: Bearer ***"


def test_ordinary_words_survive() -> None:
    assert redact_text("token budget of 1,000 spent") == "token budget of 1,000 spent"


def test_nested_error_bodies_are_redacted_throughout() -> None:
    body = {"error": {"message": "bad key sk-live-1234567890", "codes": ["sk-live-1234567890", 3]}}
    assert redact(body, ["sk-live-1234567890"]) == {"error": {"message": "bad key ***", "codes": ["***", 3]}}


def test_placeholder_keys_are_not_secrets() -> None:
    assert secrets_of(Settings(api_key=SecretStr("x"))) == []
    assert secrets_of(Settings(api_key=SecretStr("sk-real-key-123"))) == ["sk-real-key-123"]


def test_the_ledger_keeps_one_bounded_redacted_line() -> None:
    line = error_line("failed:\nsk-abcdefghijkl " + "x" * 5000, ["nothing"])
    assert "\n" not in line and "sk-" not in line and len(line) == 500


def test_urls_lose_their_credentials() -> None:
    assert without_credentials("https://user:pw@api.example/v1") == "https://api.example/v1"
