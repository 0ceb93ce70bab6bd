"""A finished batch's answers are let go as its documents are read, not held until its last one."""

from __future__ import annotations

import json
import zlib

from openai.types import Batch

from summarizer.batch_api import collect
from summarizer.batch_api.store import DocEntry, custom_id, doc_id
from summarizer.ledger import DocKey


def entry(n: int, chunks: int) -> DocEntry:
    return DocEntry(doc_id(DocKey(f"{n:064x}", "llm", "m", "p")), "i-001", DocKey(f"{n:064x}", "llm", "m", "p"),
                    chunks, "in_flight", None)


def answer(cid: str) -> bytes:
    line = json.dumps({"custom_id": cid, "response": {"status_code": 200, "body": {"id": cid}}})
    return zlib.compress(line.encode("utf-8"))


def test_a_documents_answers_are_taken_out_of_the_results() -> None:
    batch = Batch(id="b", completion_window="24h", created_at=0, endpoint="/v1/chat/completions",
                  input_file_id="f", object="batch", status="completed", output_file_id="o")
    one, two = entry(1, 2), entry(2, 1)
    results = collect.Results(answers={custom_id(e.doc_id, c): answer(custom_id(e.doc_id, c))
                                       for e in (one, two) for c in range(e.chunks)})
    lines = collect.answer_lines(one, results, batch)
    assert isinstance(lines, list)
    assert collect.bodies(lines) == [{"id": custom_id(one.doc_id, 0)}, {"id": custom_id(one.doc_id, 1)}]
    assert list(results.answers) == [custom_id(two.doc_id, 0)]  # the other document's line is still there
    lines = collect.answer_lines(two, results, batch)
    assert isinstance(lines, list) and collect.bodies(lines) == [{"id": custom_id(two.doc_id, 0)}]
    assert results.answers == {}


def test_answer_lines_are_passed_on_compressed_and_read_by_bodies() -> None:
    # The run's process takes a document's lines out as they are kept; a worker reads them (`_settle`).
    batch = Batch(id="b", completion_window="24h", created_at=0, endpoint="/v1/chat/completions",
                  input_file_id="f", object="batch", status="completed", output_file_id="o")
    one, two = entry(1, 2), entry(2, 1)
    kept = {custom_id(e.doc_id, c): answer(custom_id(e.doc_id, c)) for e in (one, two) for c in range(e.chunks)}
    results = collect.Results(answers=dict(kept), errors={})
    lines = collect.answer_lines(one, results, batch)
    assert lines == [kept[custom_id(one.doc_id, 0)], kept[custom_id(one.doc_id, 1)]]
    assert collect.bodies(lines) == [{"id": custom_id(one.doc_id, 0)}, {"id": custom_id(one.doc_id, 1)}]
    assert list(results.answers) == [custom_id(two.doc_id, 0)]
    # A document without its line: the reason instead.
    assert collect.answer_lines(one, results, batch) == "chunk 1 of 2: the batch completed without a line for this request"
