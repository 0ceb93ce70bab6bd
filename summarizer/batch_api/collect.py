"""A finished batch's output and error files, read back into answers per document.

Lines are joined to documents by `custom_id`, never by position: the provider writes them in any order,
and splits them between the output file (answered, whatever the status code) and the error file.
A document gets its answers only when every one of its chunks was answered with 200; otherwise the
reason of the first chunk that was not.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import openai
from openai.types import Batch

from summarizer.batch_api.store import DocEntry, custom_id, split_custom_id

# Statuses after which a batch changes no more; the others are in flight.
ENDED = frozenset({"completed", "expired", "failed", "cancelled"})


@dataclass
class Results:
    """What a batch's files say, by custom_id: raw answered lines, and reasons for the others."""

    answers: dict[str, bytes] = field(default_factory=dict)  # each line zlib-compressed (see `read_results`)
    errors: dict[str, str] = field(default_factory=dict)
    unknown: int = 0  # lines whose custom_id is none of ours


def _lines(api: openai.OpenAI, file_id: str) -> Iterable[str]:
    # Streamed: a 200 MB output file need not be held whole.
    with api.files.with_streaming_response.content(file_id) as response:
        yield from response.iter_lines()


def _error_text(line: dict[str, Any]) -> str:
    error = line.get("error")
    if error:
        return f"{error.get('code') or 'error'}: {error.get('message') or 'no message'}"
    response = line.get("response") or {}
    body = response.get("body") or {}
    detail = body.get("error") if isinstance(body, dict) else None
    message = detail.get("message") if isinstance(detail, dict) else None
    return f"HTTP {response.get('status_code')}: {message or 'no message'}"


def read_results(api: openai.OpenAI, batch: Batch, wanted: set[str]) -> Results:
    """The lines of `batch`'s output and error files whose documents are in `wanted` (doc ids)."""
    results = Results()
    for file_id in (batch.output_file_id, batch.error_file_id):
        if not file_id:
            continue
        for raw in _lines(api, file_id):
            if not raw.strip():
                continue
            line = json.loads(raw)
            cid = str(line.get("custom_id", ""))
            parts = split_custom_id(cid)
            if parts is None or parts[0] not in wanted:
                results.unknown += 1
                continue
            response = line.get("response") or {}
            if response.get("status_code") == 200 and not line.get("error"):
                # Kept as compressed text until its document is settled: a dict per line would cost several
                # times more, and a batch's lines (~7 KB each) are held while the workers fork and run.
                results.answers[cid] = zlib.compress(raw.encode("utf-8"), 1)
            else:
                results.errors[cid] = _error_text(line)
    return results


def batch_reason(batch: Batch) -> str:
    """Why a request of `batch` has no line in either file."""
    if batch.status == "expired":
        return "the batch expired (24 h window) before this request ran"
    if batch.status == "cancelled":
        return "the batch was cancelled before this request ran"
    if batch.status == "failed":
        errors = batch.errors.data if batch.errors and batch.errors.data else []
        detail = "; ".join(f"{e.code}: {e.message}" for e in errors[:3]) or "no reason given"
        return f"the batch failed ({detail})"
    if not batch.output_file_id and not batch.error_file_id:
        return "the batch completed with neither an output nor an error file"
    return "the batch completed without a line for this request"


def answer_lines(entry: DocEntry, results: Results, batch: Batch) -> list[bytes] | str:
    """The lines (compressed, as `results` keeps them) answering `entry`'s chunks, in order, or the reason
    it has none. They are taken out of `results` (each document is read once): a batch's answers are let
    go as its documents are settled, not held until the last one. Worker processes read them (`bodies`):
    the run's process, which records every document, only passes them on."""
    lines = []
    for chunk in range(entry.chunks):
        cid = custom_id(entry.doc_id, chunk)
        raw = results.answers.pop(cid, None)
        if raw is None:
            reason = results.errors.get(cid) or batch_reason(batch)
            return reason if entry.chunks == 1 else f"chunk {chunk + 1} of {entry.chunks}: {reason}"
        lines.append(raw)
    return lines


def bodies(lines: list[bytes]) -> list[dict[str, Any]]:
    """The chat completions of answer lines kept compressed (`answer_lines`)."""
    return [json.loads(zlib.decompress(raw))["response"]["body"] for raw in lines]
