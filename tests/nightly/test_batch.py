"""`summarize_many`: order, bounded concurrency, failures as data or as the raised error, worker deaths."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import summarizer
from summarizer import batch
from summarizer.batch import FileSource, summarize_many
from summarizer.engines import cores, registry
from summarizer.errors import EngineError, InputError
from summarizer.schema import Brief
from tests.nightly.corpus import bundled_texts
from tests.support.openai_server import FakeOpenAI, faults

TEXTS = [text for _, text in bundled_texts()[:6]]


def test_summarize_many_is_public_and_keeps_the_order_of_sources() -> None:
    assert summarizer.summarize_many is summarize_many
    briefs = summarize_many(TEXTS[:3], engine="extractive", concurrency=1)
    assert [b.source.text for b in briefs] == TEXTS[:3]
    assert all(isinstance(b, Brief) and b.provenance.engine == "extractive" for b in briefs)


def test_llm_documents_run_concurrently_but_never_more_than_asked() -> None:
    with FakeOpenAI(faults.delay(0.5)) as server:
        summarize_many(TEXTS[:1], engine="llm", base_url=server.base_url, model="fake-model")  # imports, warm-up
        server.reset_counts()
        briefs = summarize_many(TEXTS[:4] * 2, engine="llm", base_url=server.base_url, model="fake-model", concurrency=4)
    assert len(briefs) == 8 and server.count == 8
    arrivals = sorted(request.received_at for request in server.chat_requests)
    # Each answer takes 0.5 s: four requests in flight together, and a fifth only once one has ended.
    assert arrivals[3] - arrivals[0] < 0.5, "the first four documents did not run concurrently"
    assert arrivals[4] - arrivals[0] >= 0.45, "a fifth request started before any of the first four ended"


def test_failures_as_exceptions_in_place_or_raised() -> None:
    sources = [TEXTS[0], "   \n  ", TEXTS[1]]
    results = summarize_many(sources, engine="extractive", concurrency=1, return_exceptions=True)
    assert isinstance(results[0], Brief) and isinstance(results[2], Brief)
    assert isinstance(results[1], InputError) and "has no text" in str(results[1])
    with pytest.raises(InputError, match="has no text"):
        summarize_many(sources, engine="extractive", concurrency=1)


def test_a_file_source_is_decoded_where_it_runs(tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    page.write_text(f"<html><body><article><p>{TEXTS[0][:1500]}</p></article></body></html>", encoding="utf-8")
    (brief,) = summarize_many([FileSource(page, page.read_bytes())], engine="extractive", concurrency=1)
    assert brief.source.path == str(page) and "<p>" not in brief.source.text


def _dies_on_marker(source, settings):  # runs inside the forked worker processes
    text = source if isinstance(source, str) else ""
    if "KILL-THIS-WORKER" in text:
        os._exit(1)
    if "HANG-THIS-WORKER" in text:
        time.sleep(600)
    return _REAL(source, settings)


_REAL = batch._summarize_here


def test_a_worker_process_dying_fails_only_its_document(monkeypatch: pytest.MonkeyPatch) -> None:
    # Workers are forked after this patch, so they carry it: the marked document kills its worker.
    monkeypatch.setattr(batch, "_summarize_here", _dies_on_marker)
    sources = [TEXTS[0], "KILL-THIS-WORKER " + TEXTS[1], TEXTS[2], TEXTS[3], TEXTS[4]]
    results = summarize_many(sources, engine="extractive", concurrency=2, return_exceptions=True)
    assert isinstance(results[1], EngineError) and "worker process died" in str(results[1])
    assert [type(r).__name__ for i, r in enumerate(results) if i != 1] == ["Brief"] * 4


def test_an_overdue_document_is_stopped_and_the_others_finish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "_summarize_here", _dies_on_marker)
    sources = ["HANG-THIS-WORKER " + TEXTS[1], TEXTS[0], TEXTS[2]]
    began = time.monotonic()
    results = summarize_many(sources, engine="extractive", concurrency=2, timeout=8, return_exceptions=True)
    assert time.monotonic() - began < 60
    assert isinstance(results[0], EngineError) and "took longer than 8 s" in str(results[0])
    assert [type(r).__name__ for r in results[1:]] == ["Brief", "Brief"]


def test_an_overdue_llm_document_is_stopped() -> None:
    with FakeOpenAI() as server:
        server.when(lambda request: "HANG" in request.article, faults.slow(30))
        results = summarize_many(["HANG " + TEXTS[0], TEXTS[1]], engine="llm", base_url=server.base_url,
                                 model="fake-model", timeout=2, return_exceptions=True)
    assert isinstance(results[0], EngineError) and "took longer than 2 s" in str(results[0])
    assert isinstance(results[1], Brief)


def test_an_llm_batch_spreads_over_one_event_loop_per_core_above_eight_requests() -> None:
    llm, local, extractive = (registry.get(name) for name in ("llm", "local", "extractive"))
    assert llm.loop_processes(8) == 1
    assert llm.loop_processes(16) == min(2, cores())
    assert llm.loop_processes(64) == cores()
    assert local.loop_processes(16) == extractive.loop_processes(16) == 1
    assert batch.request_shares(16, 2) == [8, 8] and batch.request_shares(17, 3) == [6, 6, 5]


@pytest.mark.skipif(cores() < 2, reason="worker event loops need a second core")
def test_at_concurrency_16_requests_never_exceed_16_across_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    workers: list[int] = []
    real_start = batch.AsyncProcessPool._start

    def start(self: batch.AsyncProcessPool, slot: int) -> object:
        worker = real_start(self, slot)
        workers.append(worker.process.pid)
        return worker

    monkeypatch.setattr(batch.AsyncProcessPool, "_start", start)
    texts = [f"{text}\n\nEdition {i}." for i, text in enumerate(TEXTS * 7)]
    with FakeOpenAI(faults.delay(0.3)) as server:
        alone = summarize_many(texts[:6], engine="llm", base_url=server.base_url, model="fake-model", concurrency=1)
        assert workers == []
        server.reset_counts()
        spread = summarize_many(texts, engine="llm", base_url=server.base_url, model="fake-model", concurrency=16)
    assert len(workers) == 2 and os.getpid() not in workers
    assert server.count == len(texts) == 42
    # The endpoint saw the bound exactly: 16 at once, never more, with documents read ahead of their turn.
    assert server.max_in_flight == 16
    # In the order of the sources, and the same briefs as one at a time in this process.
    assert [b.source.text for b in spread] == texts
    assert [_content(b) for b in spread[:6]] == [_content(b) for b in alone]


def _content(brief: Brief) -> str:
    return brief.model_dump_json(exclude={"provenance"})


def test_a_retry_waiting_out_a_429_does_not_hold_one_of_the_requests_in_flight() -> None:
    with FakeOpenAI() as server:
        server.script(faults.rate_limited(retry_after=1))
        briefs = summarize_many(TEXTS[:2], engine="llm", base_url=server.base_url, model="fake-model", concurrency=1)
    assert len(briefs) == 2
    first, second, third = sorted(server.chat_requests, key=lambda request: request.received_at)
    # One request at a time, yet the second document's request went while the first waited its second.
    assert second.article != first.article and third.article == first.article
    assert second.received_at - first.received_at < 0.8 <= third.received_at - first.received_at
