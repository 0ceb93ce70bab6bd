"""The llm engine through the Python API against hand-written cassettes (well-behaved model paths;
they test our plumbing, not any model's quality)."""

from __future__ import annotations

import logging

import pytest

from summarizer import api
from summarizer.engines.llm import transport, wire
from summarizer.errors import EngineError
from summarizer.prompting import prompt_version
from summarizer.schema import ActorKind, Alignment, Attribution, Qualifier, UncertaintyKind
from tests.llm.conftest import SEED, assert_spans_slice_source

pytestmark = pytest.mark.vcr


@pytest.mark.default_cassette("good_seed.yaml")
def test_good_answer_becomes_a_grounded_brief(llm_settings, vcr):
    brief = api.summarize(SEED, settings=llm_settings)

    assert vcr.all_played
    assert_spans_slice_source(brief)
    assert brief.dropped == []
    assert all(ev.alignment is Alignment.exact for _, _, ev in brief.evidence_items())
    assert brief.title.startswith("War in Ukraine")
    assert len(brief.actors) == 10 and len(brief.claims) == 5
    # verify() may add uncertainties of its own (conflicting figures) after the model's four.
    assert len(brief.figures) == 5 and len(brief.uncertainties) >= 4
    nis = brief.actors[0]
    assert nis.kind is ActorKind.organisation and nis.aliases == ["NIS", "South Korean intelligence"]
    anonymous = brief.claims[1]
    assert anonymous.attribution is Attribution.anonymous_source and anonymous.speaker == "unattributed"
    assert brief.claims[3].hedged is True
    up_to = brief.figures[0]
    assert (up_to.text, up_to.value, up_to.qualifier) == ("up to 12,000", 12000, Qualifier.up_to)
    assert brief.figures[2].qualifier is Qualifier.more_than and brief.figures[2].date == "since August"
    assert brief.figures[3].qualifier is Qualifier.approximately
    assert [u.kind for u in brief.uncertainties[:4]] == [
        UncertaintyKind.unverified,
        UncertaintyKind.conflicting,
        UncertaintyKind.missing_detail,
        UncertaintyKind.hedged,
    ]
    p = brief.provenance
    assert (p.engine, p.model, p.prompt_version) == ("llm", "gpt-4o-mini", prompt_version())
    assert (p.attempts, p.retries, p.chunks) == (1, 0, 1)
    assert (p.usage.prompt_tokens, p.usage.completion_tokens, p.usage.total_tokens) == (1850, 1124, 2974)


@pytest.mark.default_cassette("good_seed.yaml")
async def test_async_api_gives_the_same_brief(llm_settings, vcr):
    brief = await api.asummarize(SEED, settings=llm_settings)

    assert vcr.all_played
    assert_spans_slice_source(brief)
    assert [a.name for a in brief.actors][:3] == ["South Korean National Intelligence Service", "North Korea", "Russia"]
    assert brief.provenance.usage.total_tokens == 2974


@pytest.mark.default_cassette("quote_not_in_source.yaml")
def test_quotes_not_in_the_source_are_dropped_and_reported(llm_settings):
    brief = api.summarize(SEED, settings=llm_settings)

    assert_spans_slice_source(brief)
    assert "Sergei Shoigu" not in [a.name for a in brief.actors]
    assert all("Kim Jong-un" not in c.statement for c in brief.claims)
    dropped = {(d.field, d.text): d for d in brief.dropped}
    assert set(dropped) == {("actors", "Sergei Shoigu"), ("claims", "Kim Jong-un inspected the departing troops.")}
    shoigu = dropped[("actors", "Sergei Shoigu")]
    assert shoigu.quotes == ["Sergei Shoigu welcomed the North Korean contingent in Vladivostok"]
    assert shoigu.reason == "evidence not found in the source"
    assert len(brief.actors) == 10 and len(brief.claims) == 5


@pytest.mark.default_cassette("quote_not_in_source.yaml")
def test_keep_unaligned_keeps_invented_items_flagged(llm_settings):
    brief = api.summarize(SEED, settings=llm_settings, keep_unaligned=True)

    assert_spans_slice_source(brief, allow_unaligned=True)
    shoigu = next(a for a in brief.actors if a.name == "Sergei Shoigu")
    assert [ev.alignment for ev in shoigu.evidence] == [Alignment.unaligned]
    assert len(brief.dropped) == 2


@pytest.mark.default_cassette("reask_invalid_then_valid.yaml")
def test_schema_invalid_answer_is_reasked_and_usage_summed(llm_settings, vcr):
    brief = api.summarize(SEED, settings=llm_settings)

    assert vcr.all_played and vcr.play_count == 2
    assert_spans_slice_source(brief)
    p = brief.provenance
    assert (p.usage.prompt_tokens, p.usage.completion_tokens, p.usage.total_tokens) == (4000, 930, 4930)
    assert (p.attempts, p.retries) == (2, 1)
    assert [a.kind for a in brief.actors] == [ActorKind.organisation, ActorKind.country, ActorKind.organisation]
    assert [f.text for f in brief.figures] == ["up to 12,000", "1,500"]


@pytest.mark.default_cassette("reask_invalid_then_valid.yaml")
def test_no_reasks_left_is_an_engine_error(llm_settings):
    settings = llm_settings.model_copy(update={"max_reasks": 0})

    with pytest.raises(EngineError) as err:
        api.summarize(SEED, settings=settings)

    assert str(err.value) == (
        "model 'gpt-4o-mini' at http://llm.test/v1 gave no schema-valid brief in 1 answer (2 schema errors, "
        "first at actors.0.kind: Input should be 'person', 'org', 'country', 'group', 'media' or 'other'); "
        "try a more capable --model or use --engine extractive"
    )


@pytest.mark.default_cassette("rate_limited_then_ok.yaml")
def test_429_waits_for_retry_after_then_succeeds(llm_settings, vcr, caplog):
    with caplog.at_level(logging.INFO, logger="summarizer.engines.llm"):
        brief = api.summarize(SEED, settings=llm_settings)

    assert vcr.all_played
    assert_spans_slice_source(brief)
    assert (brief.provenance.attempts, brief.provenance.retries) == (2, 1)
    assert brief.provenance.usage.total_tokens == 1650 + 480
    [retry] = [r.getMessage() for r in caplog.records if "retry" in r.getMessage()]
    # Retry-After: 1 capped by retry_wait_max=0.05; backoff alone would have waited about 0.001 s.
    assert "failed (HTTP 429); retry 1 of 2 in 0.050 s" in retry


@pytest.mark.default_cassette("server_error_500.yaml")
async def test_500_until_retries_run_out_async(llm_settings, vcr):
    with pytest.raises(EngineError) as err:
        await api.asummarize(SEED, settings=llm_settings)

    assert vcr.all_played and vcr.play_count == 3
    assert str(err.value) == (
        "LLM endpoint http://llm.test/v1 kept answering HTTP 500 after 2 retries (The server had an error "
        "while processing your request. Sorry about that!); try again later or use --engine extractive"
    )


@pytest.mark.default_cassette("chunked_seed.yaml")
def test_long_document_is_chunked_and_merged(llm_settings, vcr):
    settings = llm_settings.model_copy(update={"chunk_chars": 1500, "chunk_overlap": 300})

    brief = api.summarize(SEED, settings=settings)

    assert vcr.all_played
    assert_spans_slice_source(brief)
    p = brief.provenance
    assert (p.chunks, p.attempts, p.retries) == (4, 4, 0)
    assert (p.usage.prompt_tokens, p.usage.completion_tokens) == (3600, 1200)
    names = [a.name for a in brief.actors]
    assert names == [
        "South Korean National Intelligence Service",
        "North Korea",
        "NATO",
        "Joe Biden",
        "Kim Jong-un",
        "Vladimir Putin",
        "Volodymyr Zelensky",
        "Kim Yong-hyun",
        "Hong Sung-pyo",
    ]
    nis, north_korea = brief.actors[0], brief.actors[1]
    assert nis.aliases == ["NIS"] and len(nis.evidence) == 3
    assert north_korea.aliases == ["Pyongyang"] and len(north_korea.evidence) == 3
    # The claim that sits in the overlap of chunks 1 and 2 is kept once.
    threats = [c for c in brief.claims if "significant threat" in c.statement]
    assert len(threats) == 1
    figures = ["up to 12,000", "1,500", "a total of 12,000", "some 10,000", "more than 13,000"]
    assert [f.text for f in brief.figures] == figures
    # Evidence from the last chunk points into the last part of the source.
    putin = brief.actors[5]
    assert putin.evidence[0].start > brief.source.text.index("Russian President Vladimir Putin") - 1


@pytest.mark.default_cassette("chunked_seed.yaml")
async def test_async_chunks_run_concurrently_and_merge_the_same(llm_settings, vcr):
    settings = llm_settings.model_copy(update={"chunk_chars": 1500, "chunk_overlap": 300, "concurrency": 4})

    brief = await api.asummarize(SEED, settings=settings)

    assert vcr.all_played
    assert_spans_slice_source(brief)
    assert brief.provenance.chunks == 4 and brief.provenance.attempts == 4
    # Concurrent requests may take the cassette's answers in any order, so compare as sets.
    names = {a.name for a in brief.actors}
    assert names >= {"South Korean National Intelligence Service", "North Korea", "Kim Jong-un"}
    assert len(brief.actors) == 9
    assert len([c for c in brief.claims if "significant threat" in c.statement]) == 1


@pytest.mark.default_cassette("json_object_seed.yaml")
def test_json_object_mode_for_llama_cpp(llm_settings, vcr):
    settings = llm_settings.model_copy(update={"structured_output": "json_object"})

    brief = api.summarize(SEED, settings=settings)

    assert vcr.all_played
    assert_spans_slice_source(brief)
    assert [a.name for a in brief.actors] == ["South Korean National Intelligence Service", "North Korea", "NATO"]
    assert brief.provenance.usage.total_tokens == 2900


def test_json_object_request_carries_the_schema_for_constrained_decoding(llm_settings):
    body = transport.preview_request(llm_settings.model_copy(update={"structured_output": "json_object"}), "text")

    assert body["response_format"] == {"type": "json_object", "schema": wire.WireBrief.model_json_schema()}
    assert "tools" not in body
    assert body["response_format"]["schema"]["properties"]["actors"]["items"]["required"] == ["name", "q"]
