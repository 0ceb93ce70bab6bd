"""LLM engine tests replay the hand-written cassettes in cassettes/handwritten/ (see its README).

Request matching: the root conftest matches on the whole body, which suits recordings but not
hand-written cassettes: a body there would have to repeat the full prompt and schema, and every
prompt edit would break them. Here a request matches on method and URL plus `chat_request`: the
recorded body (a few chosen keys, e.g. the model and the forced tool) must be a subset of the
real one. A cassette recorded from a real server carries the full body and so must match it fully.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.schema import Brief

ROOT = Path(__file__).resolve().parents[2]
HANDWRITTEN = ROOT / "cassettes" / "handwritten"
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
BASE_URL = "http://llm.test/v1"
MODEL = "gpt-4o-mini"


def _subset(recorded: object, real: object) -> bool:
    if isinstance(recorded, dict) and isinstance(real, dict):
        return all(k in real and _subset(v, real[k]) for k, v in recorded.items())
    return recorded == real


def chat_request(r1, r2) -> None:
    """vcrpy matcher: the recorded request's JSON body is contained in the real one."""
    real, recorded = (json.loads(r.body or b"{}") for r in (r1, r2))
    assert _subset(recorded, real), f"request body lacks {recorded}"


def pytest_recording_configure(config, vcr) -> None:
    vcr.register_matcher("chat_request", chat_request)


@pytest.fixture
def vcr_config() -> dict:
    return {
        "filter_headers": ["authorization", "api-key", "openai-organization", "openai-project", "cookie"],
        "match_on": ["method", "scheme", "host", "port", "path", "chat_request"],
        "record_mode": "none",
        # With --block-network only loopback stays open: the fault tests run their own server there.
        "allowed_hosts": [r"127\.0\.0\.1"],
    }


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(HANDWRITTEN)


@pytest.fixture
def llm_settings() -> Settings:
    """The llm engine against the cassettes' endpoint, with retry waits kept tiny."""
    return Settings(
        engine="llm",
        base_url=BASE_URL,
        model=MODEL,
        max_retries=2,
        max_reasks=1,
        retry_wait_base=0.001,
        retry_wait_max=0.05,
        # The model's own answer, as the cassettes give it; tests/llm/test_cross_check.py turns the rules on.
        cross_check=False,
    )


def assert_spans_slice_source(brief: Brief, *, allow_unaligned: bool = False) -> None:
    """Every evidence span indexes the source text the user gave, exactly; unaligned evidence
    (kept only with keep_unaligned) has no span at all."""
    for field, index, ev in brief.evidence_items():
        if not ev.aligned:
            assert allow_unaligned and ev.start is None and ev.end is None, (field, index, ev)
            continue
        assert ev.start is not None and ev.end is not None, (field, index, ev)
        assert brief.source.text[ev.start : ev.end] == ev.quote, (field, index, ev)
