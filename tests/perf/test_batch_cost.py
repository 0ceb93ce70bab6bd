"""What makes a batch of LLM documents cheap per document, and that it changes nothing they produce.

- one HTTP client (one keep-alive connection pool) per batch, not one per document;
- the response model wrapped for instructor once, so no request builds a pydantic class;
- the number-word pattern rejects words that cannot start a number word before trying every word.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator

import instructor
import openai
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import summarize
from summarizer.batch import asummarize_many
from summarizer.api import asummarize
from summarizer.config import Settings
from summarizer import quantities as numbers
from summarizer.engines.llm import clients as llm_clients, transport, wire
from tests.nightly.corpus import bundled_texts

TEXTS = [text for _, text in bundled_texts()][:4]


def _settings(server, **extra: object) -> Settings:
    return Settings(engine="llm", base_url=server.base_url, model="fake-model", retry_wait_base=0.01, **extra)


@pytest.fixture
def clients(monkeypatch) -> Iterator[list[openai.AsyncOpenAI]]:
    """Every async client the engine creates, in order."""
    made: list[openai.AsyncOpenAI] = []
    create = llm_clients._async_client

    def counting(settings: Settings) -> openai.AsyncOpenAI:
        made.append(create(settings))
        return made[-1]

    monkeypatch.setattr(llm_clients, "_async_client", counting)
    yield made


async def test_a_batch_uses_one_client_for_all_its_documents_and_closes_it(openai_server, clients):
    briefs = await asummarize_many(TEXTS, concurrency=3, settings=_settings(openai_server))
    assert len(briefs) == len(TEXTS) and all(b.actors for b in briefs)
    assert openai_server.count == len(TEXTS)
    assert len(clients) == 1
    assert clients[0].is_closed()


async def test_outside_a_batch_each_document_has_its_own_client(openai_server, clients):
    for text in TEXTS[:2]:
        await asummarize(text, settings=_settings(openai_server))
    assert len(clients) == 2
    assert all(client.is_closed() for client in clients)


async def test_shared_clients_are_keyed_by_endpoint_key_and_timeout(openai_server, clients):
    base = _settings(openai_server)
    async with llm_clients.shared_clients():
        await asummarize(TEXTS[0], settings=base)
        await asummarize(TEXTS[1], settings=base)
        await asummarize(TEXTS[2], settings=base.model_copy(update={"timeout": base.timeout + 1}))
        assert len(clients) == 2
        assert not any(client.is_closed() for client in clients)
    assert all(client.is_closed() for client in clients)


async def test_retries_and_usage_are_counted_per_document_with_a_shared_client(openai_server):
    alone = [summarize(text, settings=_settings(openai_server)) for text in TEXTS[:2]]
    openai_server.reset_counts()
    openai_server.script("503")
    # One at a time, so the scripted failure is the first document's first request.
    shared = await asummarize_many(TEXTS[:2], concurrency=1, settings=_settings(openai_server))
    assert openai_server.count == 3
    assert (shared[0].provenance.attempts, shared[0].provenance.retries) == (2, 1)
    assert (shared[1].provenance.attempts, shared[1].provenance.retries) == (1, 0)
    for one, other in zip(alone, shared):
        # The 503 carries no usage: both documents' tokens are those of their one answer.
        assert other.provenance.usage == one.provenance.usage
        assert other.model_dump(exclude={"provenance"}) == one.model_dump(exclude={"provenance"})


def test_requests_build_no_response_model_class():
    cfg = Settings(engine="llm", base_url="http://127.0.0.1:9/v1")
    gc.collect()
    gc.disable()  # a class instructor built per request would stay listed until collected
    try:
        before = len(wire.WireBrief.__subclasses__())
        bodies = [transport.preview_request(cfg, text) for text in TEXTS]
        assert len(wire.WireBrief.__subclasses__()) == before
    finally:
        gc.enable()
    # ...and the request is the one instructor builds from the plain model.
    fresh = instructor.response_schema(wire.WireBrief)
    for body in bodies:
        assert body["tools"] == [{"type": "function", "function": fresh.openai_schema}]


def _number_words_without_prefilter() -> re.Pattern[str]:
    alt = numbers._NUMBER_WORD_ALT
    return re.compile(
        rf"\b(?:{alt}|one(?=[\s-]+(?:{alt})\b))(?:[\s-]+(?:and[\s-]+)?(?:{alt}))*\b", re.IGNORECASE
    )


_PIECES = [*numbers.NUMBER_WORDS, "One", "TWENTY", "and", "a", "an", "of", "dozens", "Thousands", "x", "ten4", "_six",
           "zebra", "seventy-", "5", "1,500", "ſix", " ", "  ", "-", "\n", ".", ","]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14).map("".join))
def test_the_number_word_prefilter_finds_the_same_mentions(text):
    plain = _number_words_without_prefilter()
    assert [m.span() for m in numbers._WORD_MENTION.finditer(text)] == [m.span() for m in plain.finditer(text)]
    plural = re.compile(r"\b(?:dozens|hundreds|thousands|millions|billions)\b", re.IGNORECASE)
    assert [m.span() for m in numbers._PLURAL_MENTION.finditer(text)] == [m.span() for m in plural.finditer(text)]


def test_the_number_word_prefilter_on_the_test_articles():
    plain = _number_words_without_prefilter()
    for _, text in bundled_texts():
        found = [m.span() for m in numbers._WORD_MENTION.finditer(text)]
        assert found == [m.span() for m in plain.finditer(text)]
    assert numbers.number_mentions("Some twenty-five people and thousands more")[0].value == 25
