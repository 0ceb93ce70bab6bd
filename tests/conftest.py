"""Shared test set-up: cassettes live in the top-level cassettes/ folder, and nothing secret is recorded."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed sequence of examples, so that its verdict cannot change between
# two runs of the same commit; elsewhere they explore new examples every run (and replay any failure).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
CASSETTES = ROOT / "cassettes"

_SECRET_HEADERS = ["authorization", "api-key", "openai-organization", "openai-project", "set-cookie", "cookie"]
_PATH = re.compile(r"(/[\w.+-]+){2,}")


def _scrub_request(request):
    # x-stainless-* headers fingerprint the recording machine (OS, Python, SDK versions).
    for name in list(request.headers):
        if name.lower().startswith("x-stainless-"):
            del request.headers[name]
    return request


def _scrub_response(response):
    for name in list(response.get("headers", {})):
        if name.lower() in _SECRET_HEADERS:
            del response["headers"][name]
    body = response.get("body", {}).get("string")
    # llama.cpp's error bodies carry its install path.
    if isinstance(body, bytes):
        response["body"]["string"] = _PATH.sub("/…", body.decode("utf-8", "replace")).encode("utf-8")
    elif isinstance(body, str):
        response["body"]["string"] = _PATH.sub("/…", body)
    return response


@pytest.fixture(scope="session")
def vcr_config() -> dict:
    return {
        "filter_headers": _SECRET_HEADERS,
        "before_record_request": _scrub_request,
        "before_record_response": _scrub_response,
        "decode_compressed_response": True,
        "match_on": ["method", "scheme", "host", "port", "path", "body"],
    }


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_ambient_llm_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never pick up a developer's real endpoint or key from the environment."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_MODEL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        monkeypatch.delenv(name, raising=False)
