"""Documents as JSONL chat-completion requests, and JSONL files cut at the provider's limits.

Each line is `{"custom_id": "<doc_id>-<chunk>", "method": "POST", "url": "/v1/chat/completions",
"body": ...}` with the body the llm engine would send for that chunk request by request. A document's
chunks stay in one file, so its answers come back together.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from summarizer.atomic import TEMP_SUFFIX
from summarizer.batch_api.store import DuplicateSubmission, custom_id, doc_id, split_custom_id
from summarizer.ledger import DocKey

ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
_CUSTOM_ID_FIRST = re.compile(rb'\{"custom_id":("[^"\\]*")[,}]')


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


def too_large(doc: DocumentLines, max_requests: int, max_bytes: int) -> str | None:
    """Why `doc` fits in no batch file, or None."""
    n, b = len(doc.lines), doc.size
    if n > max_requests or b > max_bytes:
        return f"{n} requests, {b:,} bytes: more than one batch file may hold"
    return None


class RequestFile:
    """A batch input file written document by document as their lines are built, so that a night's
    requests (200 MB a file at the provider's limit) are never all in memory. Made durable and put in
    place by `close` (temporary file, fsync, rename): a file that is there is whole."""

    def __init__(self, path: Path, max_requests: int, max_bytes: int) -> None:
        self.path = path
        self.max_requests = max_requests
        self.max_bytes = max_bytes
        self.documents: list[tuple[DocKey, int]] = []  # each document's key and number of lines
        self.requests = 0
        self.size = 0
        self._ids: set[str] = set()
        self._tmp = path.with_name(f".{path.name}{TEMP_SUFFIX}")
        self._handle = self._tmp.open("wb")

    def fits(self, doc: DocumentLines) -> bool:
        return self.requests + len(doc.lines) <= self.max_requests and self.size + doc.size <= self.max_bytes

    def add(self, doc: DocumentLines) -> None:
        """Append `doc`'s lines (DuplicateSubmission if one repeats a custom_id of this file)."""
        check_unique(doc.lines, self._ids)
        for line in doc.lines:
            self._handle.write(line)
        self.documents.append((doc.key, len(doc.lines)))
        self.requests += len(doc.lines)
        self.size += doc.size

    def close(self) -> None:
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        os.replace(self._tmp, self.path)


def check_unique(lines: Sequence[bytes], seen: set[str] | None = None) -> None:
    """DuplicateSubmission if two lines share a custom_id (also with those in `seen`, which it adds to):
    the provider would reject (or double-bill) it, and answers could no longer be told apart."""
    seen = set() if seen is None else seen
    for line in lines:
        # Read from the line as written; `document_lines` puts the custom_id first, so a whole 8 KB line
        # need not be parsed for it.
        head = _CUSTOM_ID_FIRST.match(line)
        value = json.loads(head.group(1)) if head else json.loads(line)["custom_id"]
        if value in seen or split_custom_id(value) is None:
            raise DuplicateSubmission(f"custom_id {value!r} repeated or malformed in one batch file")
        seen.add(value)
