"""The Batch API's tables, in the nightly ledger's SQLite file.

The tables are created by the ledger's migration (version 4, in `summarizer.ledger`): opening a Store
migrates the ledger file first, as the story store does.

- `batch_jobs`: one row per intent to send one JSONL file as one batch. Its `state` is written *before*
  each call that creates something at the provider:
      prepared   the JSONL file is on disk and its documents are reserved; nothing sent yet
      uploaded   files.create answered: `file_id` known; no batch created yet (as far as we know)
      submitted  batches.create answered: `batch_id` known
      collected  the batch ended and every document in it was settled
  The intent id is in the uploaded file's name and in the batch's metadata: after a crash between a
  call and the row that records its answer, `reconcile` finds the object by that id.
- `batch_documents`: which documents an intent carries (its `custom_id`s are `<doc_id>-<chunk>`) and
  how each ended: in_flight, done, returned (back to pending, with the reason) or failed (given up).
  A partial unique index allows a document in at most one in-flight intent: the guard against paying
  twice for one document, enforced by the database itself.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from summarizer.ledger import DocKey, error_line, now, open_tables



class DuplicateSubmission(RuntimeError):
    """A document is already in an in-flight batch: submitting it again would pay for it twice."""


def doc_id(key: DocKey) -> str:
    """A document's id in the provider's files: from its ledger key, so the same on every run."""
    raw = "\0".join((key.content_hash, key.engine, key.model, key.prompt_version))
    return "d" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


def custom_id(document: str, chunk: int) -> str:
    return f"{document}-{chunk}"


def split_custom_id(value: str) -> tuple[str, int] | None:
    document, _, chunk = value.rpartition("-")
    return (document, int(chunk)) if document and chunk.isdigit() else None


@dataclass(frozen=True)
class Job:
    intent_id: str
    run_id: str
    state: str
    jsonl_path: str
    requests: int
    bytes: int
    file_id: str | None
    batch_id: str | None
    batch_status: str | None
    created_epoch: float
    note: str | None

    @property
    def file_name(self) -> str:
        """The name the uploaded file carries: how `reconcile` recognises it in files.list."""
        return file_name(self.intent_id)


def file_name(intent_id: str) -> str:
    return f"summarizer-{intent_id}.jsonl"


@dataclass(frozen=True)
class DocEntry:
    doc_id: str
    intent_id: str
    key: DocKey
    chunks: int
    state: str
    reason: str | None


class Store:
    """The Batch API's tables, opened (and migrated) beside a `Ledger` on the same file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_tables(path, "the Batch API's tables")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- intents -----------------------------------------------------------------------------------

    def prepare(
        self,
        intent_id: str,
        run_id: str,
        jsonl_path: str,
        requests: int,
        size: int,
        documents: Sequence[tuple[DocKey, int]],
    ) -> None:
        """Record the intent to send a JSONL file and reserve its documents, in one transaction.

        Raises DuplicateSubmission (and records nothing) if any document is in flight already."""
        stamp = now()
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO batch_jobs (intent_id, run_id, state, jsonl_path, requests, bytes, created_epoch, "
                    "created_at, updated_at) VALUES (?, ?, 'prepared', ?, ?, ?, ?, ?, ?)",
                    (intent_id, run_id, jsonl_path, requests, size, time.time(), stamp, stamp),
                )
                db.executemany(
                    "INSERT INTO batch_documents (doc_id, intent_id, content_hash, engine, model, prompt_version, "
                    "chunks, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'in_flight', ?)",
                    [
                        (doc_id(k), intent_id, k.content_hash, k.engine, k.model, k.prompt_version, chunks, stamp)
                        for k, chunks in documents
                    ],
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateSubmission(f"a document of intent {intent_id} is already in flight ({exc})") from None

    def set_uploaded(self, intent_id: str, file_id: str) -> None:
        self._update(intent_id, "state = 'uploaded', file_id = ?", (file_id,))

    def set_submitted(self, intent_id: str, batch_id: str, status: str) -> None:
        self._update(intent_id, "state = 'submitted', batch_id = ?, batch_status = ?", (batch_id, status))

    def set_status(self, intent_id: str, status: str) -> None:
        self._update(intent_id, "batch_status = ?", (status,))

    def set_collected(self, intent_id: str, note: str | None) -> None:
        self._update(intent_id, "state = 'collected', note = ?", (note,))

    def _update(self, intent_id: str, assignments: str, values: tuple[object, ...]) -> None:
        with self._transaction() as db:
            db.execute(
                f"UPDATE batch_jobs SET {assignments}, updated_at = ? WHERE intent_id = ?",
                (*values, now(), intent_id),
            )

    def jobs(self, states: Iterable[str]) -> list[Job]:
        wanted = tuple(states)
        marks = ", ".join("?" for _ in wanted)
        rows = self._db.execute(
            "SELECT intent_id, run_id, state, jsonl_path, requests, bytes, file_id, batch_id, batch_status, "
            f"created_epoch, note FROM batch_jobs WHERE state IN ({marks}) ORDER BY created_epoch, intent_id",
            wanted,
        )
        return [Job(**dict(row)) for row in rows]

    def job(self, intent_id: str) -> Job:
        row = self._db.execute(
            "SELECT intent_id, run_id, state, jsonl_path, requests, bytes, file_id, batch_id, batch_status, "
            "created_epoch, note FROM batch_jobs WHERE intent_id = ?",
            (intent_id,),
        ).fetchone()
        return Job(**dict(row))

    def intent_count(self, run_id: str) -> int:
        return int(self._db.execute("SELECT count(*) FROM batch_jobs WHERE run_id = ?", (run_id,)).fetchone()[0])

    # --- documents ---------------------------------------------------------------------------------

    def documents(self, intent_id: str, state: str | None = None) -> list[DocEntry]:
        query = (
            "SELECT doc_id, intent_id, content_hash, engine, model, prompt_version, chunks, state, reason "
            "FROM batch_documents WHERE intent_id = ?"
        )
        args: tuple[str, ...] = (intent_id,)
        if state is not None:
            query, args = query + " AND state = ?", (intent_id, state)
        return [
            DocEntry(
                row["doc_id"], row["intent_id"],
                DocKey(row["content_hash"], row["engine"], row["model"], row["prompt_version"]),
                row["chunks"], row["state"], row["reason"],
            )
            for row in self._db.execute(query + " ORDER BY doc_id", args)
        ]

    def in_flight(self) -> dict[str, str]:
        """doc_id -> the intent carrying it, for every document in flight."""
        rows = self._db.execute("SELECT doc_id, intent_id FROM batch_documents WHERE state = 'in_flight'")
        return {row[0]: row[1] for row in rows}

    def returned(self) -> dict[str, tuple[int, str | None]]:
        """doc_id -> (batches it came back from, the latest reason), for documents that ever came back."""
        rows = self._db.execute(
            "SELECT doc_id, count(*), max(updated_at || char(0) || coalesce(reason, '')) FROM batch_documents "
            "WHERE state = 'returned' GROUP BY doc_id"
        )
        return {row[0]: (int(row[1]), row[2].split("\0", 1)[1] or None) for row in rows}

    def abandon(self, intent_id: str, reason: str) -> None:
        """The intent can never be sent (its file is gone): its documents go back to pending."""
        stamp = now()
        with self._transaction() as db:
            db.execute(
                "UPDATE batch_documents SET state = 'returned', reason = ?, updated_at = ? "
                "WHERE intent_id = ? AND state = 'in_flight'",
                (error_line(reason), stamp, intent_id),
            )
            db.execute(
                "UPDATE batch_jobs SET state = 'collected', note = ?, updated_at = ? WHERE intent_id = ?",
                (error_line(reason), stamp, intent_id),
            )

    def returned_count(self, document: str) -> int:
        """Batches `document` came back from (one indexed lookup, not the whole table)."""
        row = self._db.execute(
            "SELECT count(*) FROM batch_documents WHERE doc_id = ? AND state = 'returned'", (document,)
        ).fetchone()
        return int(row[0])

    def settle_done(self, documents: Sequence[tuple[str, str]]) -> None:
        """(doc_id, intent_id) pairs done, in one transaction."""
        stamp = now()
        with self._transaction() as db:
            db.executemany(
                "UPDATE batch_documents SET state = 'done', reason = NULL, updated_at = ? "
                "WHERE doc_id = ? AND intent_id = ?",
                [(stamp, document, intent_id) for document, intent_id in documents],
            )

    def settle(self, document: str, intent_id: str, state: str, reason: str | None = None) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE batch_documents SET state = ?, reason = ?, updated_at = ? WHERE doc_id = ? AND intent_id = ?",
                (state, error_line(reason) if reason else None, now(), document, intent_id),
            )
