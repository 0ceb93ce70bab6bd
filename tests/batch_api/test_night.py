"""`summarizer nightly --batch-api` against the loopback Batch API (tests/support/batch_server.py, hand-written),
driven by the real openai SDK: a night over several cron-style runs, failures of every kind, limits."""

from __future__ import annotations

import json
from pathlib import Path

import openai
import pytest

from summarizer.batch_api.store import split_custom_id
from summarizer.ledger import Status
from summarizer.nightly import NightlyOptions, run_nightly
from summarizer.schema import Brief
from tests.batch_api.conftest import briefs, night, rows, settings_for
from tests.nightly.corpus import make_corpus
from tests.support.batch_server import FakeBatchAPI
from tests.support.openai_server import FakeOpenAI


def first_ids(api: FakeBatchAPI, count: int) -> list[str]:
    batch = next(iter(api.batches.values()))
    return [line["custom_id"] for line in api.input_lines(batch)][:count]


def test_a_night_over_two_runs_then_nothing_left_to_do(batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = night(batch_api, inbox, out)
    assert first.status == "finished" and first.ok  # cron: exit 0 with everything in flight
    assert (first.counts.documents, first.counts.done, first.counts.pending) == (12, 0, 12)
    assert first.batch_api is not None and first.batch_api.submitted_documents == 12
    assert [(f.status, f.documents) for f in first.batch_api.in_flight] == [("validating", 12)]
    assert batch_api.calls["files.create"] == batch_api.calls["batches.create"] == 1
    assert {r["status"] for r in rows(out, "SELECT status FROM documents")} == {"pending"}
    assert list((out / "batch_api").glob("*.jsonl")) == []  # the provider holds the requests now

    # Before the batch ends, a run submits nothing again: the in-flight documents are not pending work.
    second = night(batch_api, inbox, out)
    assert batch_api.calls["batches.create"] == 1 and second.counts.pending == 12 and briefs(out) == []

    batch_api.finish_all()
    third = night(batch_api, inbox, out)
    assert (third.counts.done, third.counts.pending, third.counts.failed) == (12, 0, 0)
    assert len(briefs(out)) == 12
    for path in briefs(out):
        brief = Brief.model_validate_json(path.read_text())
        assert brief.provenance.engine == "llm" and brief.provenance.usage.total_tokens > 0
        assert brief.source.text[brief.actors[0].evidence[0].start:brief.actors[0].evidence[0].end] == \
            brief.actors[0].evidence[0].quote
    assert set(batch_api.submitted_custom_ids().values()) == {1}
    assert sum(batch_api.answered.values()) == 12  # billed once each

    # Tokens and cost, per document and per run, at half the list price.
    report = third.batch_api
    assert report is not None and len(report.documents) == 12
    assert report.cost.total_tokens == third.usage.total_tokens == sum(d.cost.total_tokens for d in report.documents)
    assert report.cost.list_usd and report.cost.batch_usd == pytest.approx(report.cost.list_usd / 2, abs=1e-6)
    saved = json.loads(sorted((out / "runs").glob("*.json"))[-1].read_text())
    assert saved["batch_api"]["cost"]["batch_usd"] == report.cost.batch_usd
    digest = (out / "digest.md").read_text()
    assert "Batch API: 0 documents submitted" in digest and f"{report.cost.total_tokens:,} tokens" in digest
    kept = [p.read_text() for p in (out / "digests").glob("*.md")]  # the night's own copy says it too
    assert len(kept) == 1 and f"{report.cost.total_tokens:,} tokens" in kept[0]

    fourth = night(batch_api, inbox, out)
    assert (fourth.counts.reused, fourth.counts.done) == (12, 0)
    assert batch_api.calls["batches.create"] == 1 and batch_api.calls["files.content"] == 1


@pytest.mark.parametrize("mode", ["tools", "json_schema", "json_object"])
def test_requests_and_briefs_are_those_of_the_per_request_path(
    batch_api: FakeBatchAPI, tmp_path: Path, mode: str
) -> None:
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 4)
    with FakeOpenAI() as chat:
        direct = run_nightly(NightlyOptions(inputs=[str(inbox)], out=tmp_path / "direct",
                                            settings=settings_for(chat, structured_output=mode)))
        per_request = sorted(json.dumps(r.body, sort_keys=True) for r in chat.requests if r.path.endswith("/completions"))
    assert direct.counts.done == 4
    settings = settings_for(batch_api, structured_output=mode)
    night(batch_api, inbox, tmp_path / "batch", settings=settings)
    batched = sorted(json.dumps(line["body"], sort_keys=True)
                     for batch in batch_api.batches.values() for line in batch_api.input_lines(batch))
    assert batched == per_request

    batch_api.finish_all()
    assert night(batch_api, inbox, tmp_path / "batch", settings=settings).counts.done == 4

    def comparable(path: Path) -> dict:
        data = json.loads(path.read_text())
        for volatile in ("created_at", "engine_reason"):
            data["provenance"].pop(volatile)
        return data

    assert [comparable(p) for p in briefs(tmp_path / "batch")] == [comparable(p) for p in briefs(tmp_path / "direct")]


def test_failed_lines_go_back_to_pending_with_their_reason_and_are_retried(
    batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    night(batch_api, inbox, out)
    broken, invalid = first_ids(batch_api, 2)
    batch_api.line = lambda cid, body: "error" if cid == broken else "schema" if cid == invalid else "ok"
    batch_api.finish_all()
    batch_api.line = lambda cid, body: "ok"

    second = night(batch_api, inbox, out)
    assert second.counts.done == 10 and second.counts.pending == 2 and second.ok
    assert second.batch_api is not None
    reasons = sorted(r.reason for r in second.batch_api.returned)
    assert "HTTP 500" in reasons[0] and "does not fit the schema" in reasons[1]
    pending = rows(out, "SELECT status, last_error FROM documents WHERE status = 'pending'")
    assert len(pending) == 2 and all(r["last_error"] for r in pending)
    # Sent again at once, in a new batch of their own.
    assert batch_api.calls["batches.create"] == 2 and second.batch_api.submitted_documents == 2

    batch_api.finish_all()
    third = night(batch_api, inbox, out)
    assert third.counts.done == 2 and len(briefs(out)) == 12
    submitted = batch_api.submitted_custom_ids()
    assert submitted[broken] == submitted[invalid] == 2 and sum(submitted.values()) == 14


def test_after_the_attempt_limit_a_document_fails_or_goes_request_by_request(
    batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    night(batch_api, inbox, out, max_attempts=2)
    (doomed,) = first_ids(batch_api, 1)
    batch_api.line = lambda cid, body: "error" if cid == doomed else "ok"
    for _ in range(2):
        batch_api.finish_all()
        report = night(batch_api, inbox, out, max_attempts=2)
    assert report.counts.done == 0 and report.counts.failed == 1 and not report.ok
    assert "--batch-fallback" in (report.failures[0].error or "")
    assert report.batch_api is not None and report.batch_api.gave_up == 1
    assert rows(out, "SELECT status FROM documents WHERE status = 'failed'") == [{"status": "failed"}]
    assert batch_api.submitted_custom_ids()[doomed] == 2  # never a third batch

    fallback = night(batch_api, inbox, out, max_attempts=2, fallback=True)
    assert fallback.counts.done == 1 and fallback.ok and batch_api.calls["chat.completions"] == 1
    assert fallback.batch_api is not None and fallback.batch_api.fallback == 1
    assert fallback.batch_api.fallback_cost is not None and fallback.batch_api.fallback_cost.discount == 0
    assert len(briefs(out)) == 12


def test_an_expired_batch_keeps_the_work_it_finished(batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    night(batch_api, inbox, out)
    batch_api.fate, batch_api.expire_after = (lambda batch: "expire"), 5
    batch_api.finish_all()
    expired = next(iter(batch_api.batches.values()))
    assert expired.status == "expired" and expired.output_file_id and expired.error_file_id
    batch_api.fate = lambda batch: "complete"

    second = night(batch_api, inbox, out)
    assert second.counts.done == 5 and second.counts.pending == 7
    assert second.batch_api is not None
    assert {r.reason for r in second.batch_api.returned} == {
        "batch_expired: This request could not be executed before the completion window expired."
    }
    batch_api.finish_all()
    assert night(batch_api, inbox, out).counts.done == 7 and len(briefs(out)) == 12


def test_a_batch_whose_every_line_failed_has_no_output_file(batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    night(batch_api, inbox, out)
    batch_api.line = lambda cid, body: "invalid"
    batch_api.finish_all()
    batch = next(iter(batch_api.batches.values()))
    assert batch.status == "completed" and batch.output_file_id is None and batch.error_file_id
    batch_api.line = lambda cid, body: "ok"
    second = night(batch_api, inbox, out)
    assert second.counts.done == 0 and second.counts.pending == 12
    assert second.batch_api is not None
    assert {r.reason for r in second.batch_api.returned} == {"invalid_request: The request is invalid."}


@pytest.mark.parametrize("how", ["fail", "cancel"])
def test_failed_and_cancelled_batches_return_every_document(
    batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path, how: str
) -> None:
    out = tmp_path / "out"
    night(batch_api, inbox, out)
    if how == "cancel":
        batch_id = next(iter(batch_api.batches))
        openai.OpenAI(api_key="x", base_url=batch_api.base_url).batches.cancel(batch_id)
    else:
        batch_api.fate = lambda batch: "fail"
    batch_api.finish_all()
    batch_api.fate = lambda batch: "complete"
    second = night(batch_api, inbox, out)
    assert second.counts.done == 0 and second.batch_api is not None and len(second.batch_api.returned) == 12
    expected = "cancelled" if how == "cancel" else "failed (server_error"
    assert all(expected in r.reason for r in second.batch_api.returned)
    batch_api.finish_all()
    assert night(batch_api, inbox, out).counts.done == 12


def test_wait_polls_with_backoff_until_every_batch_has_ended(batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path) -> None:
    batch_api.advance = "auto"
    report = night(batch_api, inbox, tmp_path / "out", wait=True)
    assert report.counts.done == 12 and len(briefs(tmp_path / "out")) == 12
    assert report.batch_api is not None and report.batch_api.in_flight == []
    assert batch_api.calls["batches.retrieve"] == 3  # validating -> in_progress -> finalizing -> completed


def test_files_are_split_at_the_limits(batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    night(batch_api, inbox, out, max_requests_per_file=5)
    sizes = [batch.counts["total"] or len(batch_api.input_lines(batch)) for batch in batch_api.batches.values()]
    assert sizes == [5, 5, 2]
    biggest_line = max(len(json.dumps(line)) for b in batch_api.batches.values() for line in batch_api.input_lines(b))
    night(batch_api, inbox, tmp_path / "other", max_bytes_per_file=max(1024, biggest_line * 3))
    by_bytes = [len(batch_api.files[b.input_file_id].data) for b in list(batch_api.batches.values())[3:]]
    assert len(by_bytes) >= 2 and max(by_bytes) <= max(1024, biggest_line * 3)
    assert sum(len(batch_api.input_lines(b)) for b in list(batch_api.batches.values())[3:]) == 12
    for batch in batch_api.batches.values():
        assert all(split_custom_id(line["custom_id"]) for line in batch_api.input_lines(batch))
    batch_api.finish_all()
    assert night(batch_api, inbox, out).counts.done == 12


def test_a_document_already_done_by_the_per_request_path_is_not_submitted(
    batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    with FakeOpenAI() as chat:
        run_nightly(NightlyOptions(inputs=[str(inbox)], out=out, settings=settings_for(chat), max_docs=5))
    report = night(batch_api, inbox, out)
    assert report.counts.reused == 5 and report.batch_api is not None and report.batch_api.submitted_documents == 7
    assert report.counts.documents - report.counts.reused == 7
    assert all(r["status"] in (Status.done, Status.pending) for r in rows(out, "SELECT status FROM documents"))
