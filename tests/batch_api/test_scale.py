"""10,000 documents through the Batch API: submitted in files cut at the limits, each exactly once, and every
answer of the 10,000-line output joined back to its document by custom_id. Writing 10,000 briefs is the
per-request path's own work and is timed by benchmarks/batch_api_scale.py instead of here.

It used to take over 20 minutes: the join looked up each document's request by scanning its batch's whole
input file (10,000 x 4,000 lines parsed). Read once per batch, it takes seconds."""

from __future__ import annotations

import random
from pathlib import Path

import openai
import pytest

from summarizer.batch_api import collect
from summarizer.batch_api.store import Store, custom_id, split_custom_id
from tests.batch_api.conftest import night, rows
from tests.support.batch_server import FakeBatchAPI
from tests.support.openai_server import answer_json, article_text, draft_from_article

DOCS = 10_000


@pytest.mark.slow
def test_ten_thousand_documents(batch_api: FakeBatchAPI, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    for i in range(DOCS):
        folder = inbox / f"d{i % 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"n{i}.txt").write_text(
            f"Report {i}\n\nThe council approved {i + 3} new homes on Monday, the mayor said. "
            f"Critics said the plan could cost {i % 97 + 2} million dollars.\n"
        )
    out = tmp_path / "out"
    first = night(batch_api, inbox, out, max_requests_per_file=4_000)
    assert first.counts.documents == DOCS and first.counts.pending == DOCS and first.ok
    assert [b.counts["total"] or len(batch_api.input_lines(b)) for b in batch_api.batches.values()] == [4_000, 4_000, 2_000]
    submitted = batch_api.submitted_custom_ids()
    assert len(submitted) == DOCS and set(submitted.values()) == {1}
    assert rows(out, "SELECT count(*) AS n FROM batch_documents WHERE state = 'in_flight'") == [{"n": DOCS}]

    # A second run while they are in flight submits nothing.
    night(batch_api, inbox, out, max_requests_per_file=4_000)
    assert batch_api.calls["batches.create"] == 3

    # The provider answers in its own order: shuffle the output files, then join by custom_id.
    batch_api.finish_all()
    for batch in batch_api.batches.values():
        stored = batch_api.files[batch.output_file_id]  # type: ignore[index]
        lines = stored.data.splitlines()
        random.Random(1).shuffle(lines)
        stored.data = b"\n".join(lines) + b"\n"
    api = openai.OpenAI(api_key="x", base_url=batch_api.base_url)
    joined = 0
    with Store(out / "ledger.sqlite3") as store:
        for job in store.jobs(["submitted"]):
            batch = api.batches.retrieve(job.batch_id or "")
            entries = store.documents(job.intent_id, "in_flight")
            results = collect.read_results(api, batch, {e.doc_id for e in entries})
            # The server's own record of what each custom_id asked, read once per batch (a scan per
            # document would make the test quadratic: 10,000 x 4,000 lines).
            requests = {line["custom_id"]: line for line in batch_api.input_lines(batch_api.batches[batch.id])}
            for entry in entries:
                lines = collect.answer_lines(entry, results, batch)
                assert isinstance(lines, list) and len(lines) == entry.chunks == 1
                answers = collect.bodies(lines)
                request = requests[custom_id(entry.doc_id, 0)]
                assert split_custom_id(request["custom_id"]) == (entry.doc_id, 0)
                # The answer is the one to this document's own request, not a neighbour's.
                expected, _ = answer_json(request["body"], draft_from_article(article_text(request["body"])))
                message = answers[0]["choices"][0]["message"]
                assert (message["content"] or message["tool_calls"][0]["function"]["arguments"]) == expected
                joined += 1
    assert joined == DOCS
