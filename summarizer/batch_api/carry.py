"""What a submit run read of a document, kept on disk for the run that collects its answers.

Submitting a document reads it (intake: HTML through trafilatura, Markdown through markdown-it) and
identifies its language; collecting its answers hours later needed both again, at a few milliseconds
a document. The submit run's workers leave one small JSON record per document in
`<out>/batch_api/read/<doc_id>.json`: the Document intake made (its text and what is known about it)
and the language found in its cleaned text. The collect run still reads the file's bytes and checks
their hash (`work.read_back`); the record then stands in for parsing them, and is used only when it
was made from the same content, path and character limit. The record is a cache, never the truth: one
that is missing, unreadable, malformed or made for other bytes is ignored, and the document is read
again, which gives the same Document (intake is a function of the bytes, the path and the limit).
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from pathlib import Path
from typing import Any

from summarizer.batch_api.store import doc_id
from summarizer.intake import Document
from summarizer.language import Identified
from summarizer.ledger import DocKey
from summarizer.markup import PageMeta

logger = logging.getLogger(__name__)

FOLDER = "read"  # under the Batch API's folder of the output
_FORMAT = 1
# Document fields a record holds; the others (where it lives, and a fetched page's URLs) are not kept,
# and a document that has them (a URL) is not carried.
_KEPT = ("text", "name", "title", "encoding", "media_type", "page_starts", "meta")


def record_path(folder: Path, key: DocKey) -> Path:
    return folder / f"{doc_id(key)}.json"


def keep(folder: Path, key: DocKey, doc: Document, max_chars: int, language: Identified | None) -> None:
    """Record what `doc` (read from bytes hashed to `key` with `max_chars`) is, and its language when it
    was identified (None when the user gave it). Not made durable: a record lost in a crash is read again."""
    if doc.path is None or doc.url is not None:
        return
    fields = {name: getattr(doc, name) for name in _KEPT}
    record = {
        "format": _FORMAT,
        "content_hash": key.content_hash,
        "path": str(doc.path),
        "max_chars": max_chars,
        "document": {**fields, "page_starts": list(doc.page_starts), "meta": asdict(doc.meta)},
        "language": None if language is None else {"code": language.code, "confidence": language.confidence},
    }
    target = record_path(folder, key)
    try:
        text = json.dumps(record, ensure_ascii=False)
        # Written in place, without a temporary and a rename (a third of a submit's file work): a record
        # cut short by a crash is not JSON, and is read as no record.
        try:
            target.write_text(text, encoding="utf-8")
        except FileNotFoundError:  # the first record: its folder is made then, not checked for each one
            folder.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    except (OSError, ValueError) as exc:  # ValueError: a text json cannot write (it has none: intake checks)
        logger.info("%s: not kept for the collect run (%s)", doc.name, exc)
        target.unlink(missing_ok=True)


def load(folder: Path, key: DocKey, path: Path, max_chars: int) -> tuple[Document, Identified | None] | None:
    """The Document and language recorded for the bytes hashed to `key` at `path` read with `max_chars`,
    or None when there is no such record (missing, unreadable, malformed, or made for something else)."""
    try:
        record = json.loads(record_path(folder, key).read_text(encoding="utf-8"))
        return _from_record(record, key, path, max_chars)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.info("%s: its record from the submit run is unusable (%s); reading it again", path, exc)
        return None


def _from_record(record: Any, key: DocKey, path: Path, max_chars: int) -> tuple[Document, Identified | None] | None:
    if (
        record.get("format") != _FORMAT
        or record.get("content_hash") != key.content_hash
        or record.get("path") != str(path)
        or record.get("max_chars") != max_chars
    ):
        return None
    fields = record["document"]
    if set(fields) != set(_KEPT):
        return None
    meta = PageMeta(**fields["meta"])
    starts = tuple(fields["page_starts"])
    if not isinstance(fields["text"], str) or not all(isinstance(s, int) for s in starts):
        return None
    doc = Document(**{**fields, "page_starts": starts, "meta": meta, "path": path})
    found = record["language"]
    if found is None:
        return doc, None
    code, confidence = found["code"], found["confidence"]
    if not isinstance(code, str) or not (confidence is None or isinstance(confidence, float | int)):
        return None
    return doc, Identified(code, confidence)


def forget(folder: Path, key: DocKey) -> None:
    """Remove the document's record: its brief is written, or its bytes are gone."""
    try:
        record_path(folder, key).unlink(missing_ok=True)
    except OSError:
        pass


def sweep(folder: Path, in_flight: set[str]) -> None:
    """Remove the records of documents no longer in flight (done, given up, or returned and sent again
    under a new record), and temporaries a killed worker left."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.stem not in in_flight:
            entry.unlink(missing_ok=True)
