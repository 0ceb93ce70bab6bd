"""Documents as JSONL chat-completion requests, and JSONL files cut at the provider's limits.

Each line is `{"custom_id": "<doc_id>-<chunk>", "method": "POST", "url": "/v1/chat/completions",
"body": ...}` with the body the llm engine would send for that chunk request by request. A document's
chunks stay in one file, so its answers come back together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from summarizer.batch_api.store import DuplicateSubmission, custom_id, doc_id, split_custom_id
from summarizer.ledger import DocKey

ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"


@dataclass(frozen=True)
class DocumentLines:
    """One document's requests, serialised."""

    key: DocKey
    lines: tuple[bytes, ...]

    @property
    def size(self) -> int:
        return sum(len(line) for line in self.lines)


def document_lines(key: DocKey, bodies: Sequence[dict[str, Any]]) -> DocumentLines:
    document = doc_id(key)
    return DocumentLines(
        key,
        tuple(
            json.dumps(
                {"custom_id": custom_id(document, i), "method": "POST", "url": ENDPOINT, "body": body},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode("utf-8")
            + b"\n"
            for i, body in enumerate(bodies)
        ),
    )


def split_files(
    documents: Sequence[DocumentLines], max_requests: int, max_bytes: int
) -> tuple[list[list[DocumentLines]], list[tuple[DocumentLines, str]]]:
    """Documents grouped into files of at most `max_requests` lines and `max_bytes` bytes, in order,
    and the documents too large for any file (with the reason)."""
    files: list[list[DocumentLines]] = []
    too_large: list[tuple[DocumentLines, str]] = []
    current: list[DocumentLines] = []
    requests = size = 0
    for doc in documents:
        n, b = len(doc.lines), doc.size
        if n > max_requests or b > max_bytes:
            too_large.append((doc, f"{n} requests, {b:,} bytes: more than one batch file may hold"))
            continue
        if current and (requests + n > max_requests or size + b > max_bytes):
            files.append(current)
            current, requests, size = [], 0, 0
        current.append(doc)
        requests, size = requests + n, size + b
    if current:
        files.append(current)
    return files, too_large


def check_unique(lines: Sequence[bytes]) -> None:
    """DuplicateSubmission if two lines share a custom_id: the provider would reject (or double-bill) it,
    and answers could no longer be told apart."""
    seen: set[str] = set()
    for line in lines:
        value = json.loads(line)["custom_id"]
        if value in seen or split_custom_id(value) is None:
            raise DuplicateSubmission(f"custom_id {value!r} repeated or malformed in one batch file")
        seen.add(value)
