"""SIGKILL at any point of a `--batch-api` run, then re-runs: no document is submitted (billed) twice and
none is lost. The client is a real `summarizer nightly` process; the loopback Batch API
(tests/support/batch_server.py, hand-written) kills it in the middle of a call, after acting on the call
and before answering: the worst moment, when the provider has the object and the client has no id for it."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import pytest

from summarizer.batch_api.requests import check_unique, document_lines
from summarizer.batch_api.store import DuplicateSubmission, Store
from summarizer.ledger import DocKey, Ledger
from tests.batch_api.conftest import briefs, cli_args, night, rows
from tests.nightly.corpus import make_corpus
from tests.nightly.conftest import start_nightly_process
from tests.support.batch_server import FakeBatchAPI


def killed_run(api: FakeBatchAPI, inbox: Path, out: Path, call: str) -> None:
    proc = start_nightly_process(*cli_args(api, inbox, out))
    api.kill_on(call, proc.pid)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize("call", ["files.create", "batches.create"])
def test_a_crash_inside_a_call_is_resumed_without_a_second_upload_or_batch(
    batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path, call: str
) -> None:
    out = tmp_path / "out"
    killed_run(batch_api, inbox, out, call)
    state = "prepared" if call == "files.create" else "uploaded"
    assert [r["state"] for r in rows(out, "SELECT state FROM batch_jobs")] == [state]
    assert batch_api.calls[call] == 1

    resumed = night(batch_api, inbox, out)
    assert resumed.batch_api is not None and resumed.batch_api.resumed_intents == 1
    assert batch_api.calls["files.create"] == 1 and batch_api.calls["batches.create"] == 1
    assert len(batch_api.batches) == 1 and resumed.batch_api.submitted_documents == 0
    batch_api.finish_all()
    final = night(batch_api, inbox, out)
    assert final.counts.done == 12 and len(briefs(out)) == 12
    assert set(batch_api.submitted_custom_ids().values()) == {1}


def test_sigkill_at_random_points_gives_every_brief_exactly_once(
    batch_api: FakeBatchAPI, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    batch_api.line = lambda cid, body: "error" if cid.startswith(("d0", "d1")) and random.random() < 0.5 else "ok"
    rng = random.Random(15)
    for _ in range(6):
        proc = start_nightly_process(*cli_args(batch_api, inbox, out, "--batch-max-attempts", "10"))
        time.sleep(rng.uniform(0.5, 6.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        batch_api.step_all()
    batch_api.line = lambda cid, body: "ok"
    for _ in range(4):
        batch_api.finish_all()
        report = night(batch_api, inbox, out, max_attempts=10)
    assert report.counts.done + report.counts.reused == 12 and report.batch_api is not None
    assert report.batch_api.in_flight == []
    assert len(briefs(out)) == 12 and len({p.name for p in briefs(out)}) == 12
    # A document is in a second batch only after its first answer was a failure.
    returned = rows(out, "SELECT doc_id, count(*) AS n FROM batch_documents WHERE state = 'returned' GROUP BY doc_id")
    again = {r["doc_id"]: r["n"] for r in returned}
    for custom_id, batches in batch_api.submitted_custom_ids().items():
        assert batches == 1 + again.get(custom_id.rpartition("-")[0], 0), custom_id


def test_sigkill_while_worker_processes_collect_gives_every_brief_exactly_once(
    batch_api: FakeBatchAPI, tmp_path: Path
) -> None:
    """Enough documents for the run to ground and write them in forked workers (workers.MIN_PARALLEL): killed
    mid-collect, the workers end with it, nothing they wrote is recorded twice and nothing is lost."""
    inbox = tmp_path / "many"
    make_corpus(inbox, 150)
    out = tmp_path / "out"
    submitted = night(batch_api, inbox, out)
    assert submitted.counts.pending == 150
    batch_api.finish_all()
    for _ in range(3):
        # Killed once the workers have written 20 more briefs than there were: in the middle of the collect.
        before = len(briefs(out))
        proc = start_nightly_process(*cli_args(batch_api, inbox, out))
        deadline = time.monotonic() + 60
        while len(briefs(out)) < before + 20 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL, "the run ended before it could be killed mid-collect"
    report = night(batch_api, inbox, out)
    assert report.counts.done + report.counts.reused == 150 and report.counts.failed == 0
    assert report.batch_api is not None and report.batch_api.in_flight == []
    assert len(briefs(out)) == 150
    assert set(batch_api.submitted_custom_ids().values()) == {1}  # never submitted twice
    done = rows(out, "SELECT count(*) AS n FROM batch_documents WHERE state = 'done'")
    assert done[0]["n"] == 150


def test_the_duplicate_custom_id_guard(tmp_path: Path) -> None:
    key = DocKey("a" * 64, "llm", "m", "p1")
    with Ledger(tmp_path / "ledger.sqlite3") as ledger, Store(ledger.path) as store:
        store.prepare("run-001", "run", "x.jsonl", 1, 10, [(key, 1)])
        with pytest.raises(DuplicateSubmission):
            store.prepare("run-002", "run", "y.jsonl", 1, 10, [(key, 1)])
        assert [job.intent_id for job in store.jobs(["prepared"])] == ["run-001"]  # nothing of the second kept
        store.settle(store.documents("run-001")[0].doc_id, "run-001", "returned", "HTTP 500")
        store.prepare("run-003", "run", "z.jsonl", 1, 10, [(key, 1)])  # once back, it may go again
    lines = document_lines(key, [{"model": "m"}])
    check_unique(lines.lines)
    with pytest.raises(DuplicateSubmission):
        check_unique(lines.lines * 2)
