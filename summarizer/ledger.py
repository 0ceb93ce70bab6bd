"""The nightly ledger: a SQLite file in the output folder that remembers what each document became.

One row per document *version*, keyed by (content hash, engine, model, prompt version): a changed
document or a new prompt version is a new key, so it is redone; an unchanged one is found `done` and
skipped. Rows move pending -> done | failed; a run that dies leaves rows pending, and pending or failed
rows are simply redone by the next run, so the ledger never needs repairing after a crash.

WAL mode with synchronous=NORMAL: each status change is one short transaction that survives the
process being killed (only a power cut may lose the last few), and readers never block the writer.
Nothing secret is stored: no API key, no base URL (it may carry credentials), and error messages pass
through `error_line` first (summarizer.redaction's policy).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path

from summarizer.errors import ConfigError
from summarizer.redaction import redact_text
from summarizer.schema import Usage
from summarizer.stories.migration import STORY_TABLES
from summarizer.text import one_line

LEDGER_NAME = "ledger.sqlite3"
_BUSY_TIMEOUT_MS = 10_000
_ERROR_MAX = 500

# Each entry moves the schema one version up; PRAGMA user_version records how many have run.
# Append new migrations; never edit one that has shipped. Version 1: documents and runs.
# Version 2: story memory (summarizer.stories.migration; idempotent, so it may be renumbered at a merge).
# Version 3: failures in a row. Version 4: the Batch API's tables (idempotent too).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE documents (
        content_hash      TEXT NOT NULL,
        engine            TEXT NOT NULL,
        model             TEXT NOT NULL,
        prompt_version    TEXT NOT NULL,
        path              TEXT NOT NULL,
        status            TEXT NOT NULL CHECK (status IN ('pending', 'done', 'failed')),
        brief_json        TEXT NOT NULL,
        brief_md          TEXT NOT NULL,
        prompt_tokens     INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        total_tokens      INTEGER NOT NULL DEFAULT 0,
        requests          INTEGER NOT NULL DEFAULT 0,
        attempts          INTEGER NOT NULL DEFAULT 0,
        last_error        TEXT,
        run_id            TEXT,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        started_at        TEXT,
        finished_at       TEXT,
        PRIMARY KEY (content_hash, engine, model, prompt_version)
    );
    CREATE INDEX documents_status ON documents (status);
    CREATE TABLE runs (
        run_id         TEXT PRIMARY KEY,
        started_at     TEXT NOT NULL,
        finished_at    TEXT,
        status         TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted', 'crashed')),
        engine         TEXT NOT NULL,
        model          TEXT NOT NULL,
        prompt_version TEXT NOT NULL,
        documents      INTEGER NOT NULL DEFAULT 0,
        done           INTEGER NOT NULL DEFAULT 0,
        failed         INTEGER NOT NULL DEFAULT 0,
        pending        INTEGER NOT NULL DEFAULT 0,
        total_tokens   INTEGER NOT NULL DEFAULT 0,
        report_path    TEXT
    );
    """,
    STORY_TABLES,
    # failures: failed attempts in a row (a done brief resets it); a document with enough of them is
    # quarantined by nightly: reported, not retried until --retry-failed. A failed row from before
    # this column existed has failed at least once.
    """
    ALTER TABLE documents ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
    UPDATE documents SET failures = 1 WHERE status = 'failed';
    """,
    # Version 4: the Batch API's intents and the documents each carries (summarizer.batch_api.store says
    # what the states mean). The SQL lives here because nothing below the nightly may import batch_api.
    """
    CREATE TABLE IF NOT EXISTS batch_jobs (
        intent_id      TEXT PRIMARY KEY,
        run_id         TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('prepared', 'uploaded', 'submitted', 'collected')),
        jsonl_path     TEXT NOT NULL,
        requests       INTEGER NOT NULL,
        bytes          INTEGER NOT NULL,
        file_id        TEXT,
        batch_id       TEXT,
        batch_status   TEXT,
        created_epoch  REAL NOT NULL,
        created_at     TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        note           TEXT
    );
    CREATE INDEX IF NOT EXISTS batch_jobs_state ON batch_jobs (state);
    CREATE TABLE IF NOT EXISTS batch_documents (
        doc_id          TEXT NOT NULL,
        intent_id       TEXT NOT NULL REFERENCES batch_jobs (intent_id),
        content_hash    TEXT NOT NULL,
        engine          TEXT NOT NULL,
        model           TEXT NOT NULL,
        prompt_version  TEXT NOT NULL,
        chunks          INTEGER NOT NULL,
        state           TEXT NOT NULL CHECK (state IN ('in_flight', 'done', 'returned', 'failed')),
        reason          TEXT,
        updated_at      TEXT NOT NULL,
        PRIMARY KEY (doc_id, intent_id)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS batch_documents_one_in_flight ON batch_documents (doc_id)
        WHERE state = 'in_flight';
    CREATE INDEX IF NOT EXISTS batch_documents_intent ON batch_documents (intent_id, state);
    """,
)


class Status(StrEnum):
    """A document's state, in the ledger and in a nightly run; the values are what rows and run reports hold.

    The ledger stores only pending, done and failed. `todo` (queued by this run and not ended yet: it
    ends done, failed, or pending if the run stops before starting it), `reused` (done by an earlier
    run) and `quarantined` (failed too many times in a row to be retried) exist only within a run.
    """

    todo = "todo"
    reused = "reused"
    pending = "pending"
    done = "done"
    failed = "failed"
    quarantined = "quarantined"


@dataclass(frozen=True)
class DocKey:
    """What makes a brief reusable: the same bytes through the same engine, model and prompt."""

    content_hash: str
    engine: str
    model: str
    prompt_version: str


@dataclass(frozen=True)
class Row:
    key: DocKey
    path: str
    status: Status
    brief_json: str
    brief_md: str
    usage: Usage
    requests: int
    attempts: int
    failures: int
    last_error: str | None
    run_id: str | None
    created_at: str
    updated_at: str
    started_at: str | None
    finished_at: str | None


_COLUMNS = (
    "content_hash, engine, model, prompt_version, path, status, brief_json, brief_md, prompt_tokens, "
    "completion_tokens, total_tokens, requests, attempts, failures, last_error, run_id, created_at, updated_at, "
    "started_at, finished_at"
)


def now() -> str:
    """UTC now as ISO 8601, the ledger's one timestamp format."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def error_line(text: str, secrets: Sequence[str] = ()) -> str:
    """An error as the ledger and run reports keep it: one bounded line, secrets redacted."""
    return one_line(redact_text(text, tuple(secrets)), _ERROR_MAX)


def _row(values: sqlite3.Row) -> Row:
    return Row(
        key=DocKey(values["content_hash"], values["engine"], values["model"], values["prompt_version"]),
        path=values["path"],
        status=Status(values["status"]),
        brief_json=values["brief_json"],
        brief_md=values["brief_md"],
        usage=Usage(
            prompt_tokens=values["prompt_tokens"],
            completion_tokens=values["completion_tokens"],
            total_tokens=values["total_tokens"],
        ),
        requests=values["requests"],
        attempts=values["attempts"],
        failures=values["failures"],
        last_error=values["last_error"],
        run_id=values["run_id"],
        created_at=values["created_at"],
        updated_at=values["updated_at"],
        started_at=values["started_at"],
        finished_at=values["finished_at"],
    )


@contextmanager
def immediate_transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One all-or-nothing change. BEGIN IMMEDIATE takes the write lock up front, so a second writer waits
    instead of failing mid-way; a process killed inside leaves the database as it was before."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the ledger file as every table kept in it wants one (raises sqlite3.DatabaseError)."""
    # isolation_level=None: we issue BEGIN ourselves, so each change is exactly one transaction.
    db = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


def open_tables(path: Path, what: str) -> sqlite3.Connection:
    """A connection for tables kept beside the ledger's own (`what` names them in the error): opening the
    ledger first runs any pending migration, theirs included."""
    Ledger(path).close()
    try:
        return connect(path)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"{path}: cannot hold {what} ({exc}); move it aside") from None


class Ledger:
    """The ledger file, opened (and migrated) for one process. Not shared across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = connect(path)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigError(
                f"{path}: cannot be used as the nightly ledger ({exc}); move it aside or pick another --out"
            ) from None

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise ConfigError(
                f"{self.path}: ledger schema version {current} is newer than this summarizer knows "
                f"({len(MIGRATIONS)}); upgrade summarizer"
            )
        for version in range(current, len(MIGRATIONS)):
            with self._transaction():
                for statement in _statements(MIGRATIONS[version]):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {version + 1}")

    def _transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        return immediate_transaction(self._db)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- documents -------------------------------------------------------------------------------

    def get(self, key: DocKey) -> Row | None:
        found = self._db.execute(
            f"SELECT {_COLUMNS} FROM documents WHERE content_hash = ? AND engine = ? AND model = ? "
            "AND prompt_version = ?",
            (key.content_hash, key.engine, key.model, key.prompt_version),
        ).fetchone()
        return _row(found) if found else None

    def rows_for(self, engine: str, model: str, prompt_version: str) -> dict[str, Row]:
        """Every row for one engine identity, by content hash: one query however many documents."""
        cursor = self._db.execute(
            f"SELECT {_COLUMNS} FROM documents WHERE engine = ? AND model = ? AND prompt_version = ?",
            (engine, model, prompt_version),
        )
        return {values["content_hash"]: _row(values) for values in cursor}

    def all_rows(self) -> list[Row]:
        cursor = self._db.execute(f"SELECT {_COLUMNS} FROM documents ORDER BY created_at, path")
        return [_row(values) for values in cursor]

    def enqueue(self, items: Sequence[tuple[DocKey, str, str, str]], run_id: str) -> None:
        """Record documents this run will do as pending: (key, path, brief_json, brief_md) each.

        A done row being redone (--force, or its files went missing) goes back to pending; a failed row
        stays failed until it starts again (a run may stop before it); attempts, token usage and creation
        time are kept.
        """
        stamp = now()
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO documents (content_hash, engine, model, prompt_version, path, status, brief_json, "
                "brief_md, run_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (content_hash, engine, model, prompt_version) DO UPDATE SET path = excluded.path, "
                "status = CASE status WHEN ? THEN ? ELSE status END, "
                "brief_json = excluded.brief_json, brief_md = excluded.brief_md, "
                "run_id = excluded.run_id, updated_at = excluded.updated_at",
                [
                    (
                        k.content_hash, k.engine, k.model, k.prompt_version, path, Status.pending, js, md, run_id,
                        stamp, stamp, Status.done, Status.pending,
                    )
                    for k, path, js, md in items
                ],
            )

    def start(self, key: DocKey, run_id: str) -> None:
        """The document is being worked on: count the attempt; it is pending until it ends."""
        stamp = now()
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET status = ?, attempts = attempts + 1, started_at = ?, updated_at = ?, "
                "run_id = ? "
                "WHERE content_hash = ? AND engine = ? AND model = ? AND prompt_version = ?",
                (Status.pending, stamp, stamp, run_id, *_key(key)),
            )

    def finish_done(self, key: DocKey, usage: Usage, requests: int) -> None:
        """The brief files are in place: record it as done (call only after both files are renamed in)."""
        stamp = now()
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET status = ?, prompt_tokens = ?, completion_tokens = ?, "
                "total_tokens = ?, requests = ?, failures = 0, last_error = NULL, finished_at = ?, updated_at = ? "
                "WHERE content_hash = ? AND engine = ? AND model = ? AND prompt_version = ?",
                (
                    Status.done, usage.prompt_tokens, usage.completion_tokens, usage.total_tokens, requests, stamp,
                    stamp, *_key(key),
                ),
            )

    def start_many(self, keys: Sequence[DocKey], run_id: str) -> None:
        """`start` for many documents in one transaction (the Batch API submits thousands at once)."""
        stamp = now()
        with self._transaction() as db:
            db.executemany(
                "UPDATE documents SET status = ?, attempts = attempts + 1, started_at = ?, updated_at = ?, "
                "run_id = ? WHERE content_hash = ? AND engine = ? AND model = ? AND prompt_version = ?",
                [(Status.pending, stamp, stamp, run_id, *_key(key)) for key in keys],
            )

    def finish_done_many(self, done: Sequence[tuple[DocKey, Usage, int]]) -> None:
        """`finish_done` for many documents (key, usage, requests) in one transaction; the same rule holds:
        call only once every one of their files is in place."""
        stamp = now()
        with self._transaction() as db:
            db.executemany(
                "UPDATE documents SET status = ?, prompt_tokens = ?, completion_tokens = ?, "
                "total_tokens = ?, requests = ?, failures = 0, last_error = NULL, finished_at = ?, updated_at = ? "
                "WHERE content_hash = ? AND engine = ? AND model = ? AND prompt_version = ?",
                [
                    (Status.done, u.prompt_tokens, u.completion_tokens, u.total_tokens, requests, stamp, stamp,
                     *_key(key))
                    for key, u, requests in done
                ],
            )

    def finish_failed(self, key: DocKey, error: str) -> None:
        stamp = now()
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET status = ?, failures = failures + 1, last_error = ?, finished_at = ?, "
                "updated_at = ? "
                "WHERE content_hash = ? AND engine = ? AND model = ? AND prompt_version = ?",
                (Status.failed, error_line(error), stamp, stamp, *_key(key)),
            )

    def back_to_pending(self, key: DocKey, reason: str) -> None:
        """Pending again, with the reason it is not done (a Batch API answer that was missing or unusable):
        the next run submits it again."""
        stamp = now()
        with self._transaction() as db:
            db.execute(
                "UPDATE documents SET status = ?, last_error = ?, updated_at = ? "
                "WHERE content_hash = ? AND engine = ? AND model = ? AND prompt_version = ?",
                (Status.pending, error_line(reason), stamp, *_key(key)),
            )

    # --- runs ------------------------------------------------------------------------------------

    def begin_run(self, run_id: str, engine: str, model: str, prompt_version: str) -> None:
        with self._transaction() as db:
            # A run still 'running' belongs to a process that died (the run lock guarantees it is not alive).
            db.execute("UPDATE runs SET status = 'crashed' WHERE status = 'running'")
            db.execute(
                "INSERT INTO runs (run_id, started_at, status, engine, model, prompt_version) "
                "VALUES (?, ?, 'running', ?, ?, ?)",
                (run_id, now(), engine, model, prompt_version),
            )

    def end_run(
        self,
        run_id: str,
        *,
        interrupted: bool,
        documents: int,
        done: int,
        failed: int,
        pending: int,
        total_tokens: int,
        report_path: str | None,
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, documents = ?, done = ?, failed = ?, pending = ?, "
                "total_tokens = ?, report_path = ? WHERE run_id = ?",
                (
                    now(),
                    "interrupted" if interrupted else "finished",
                    documents,
                    done,
                    failed,
                    pending,
                    total_tokens,
                    report_path,
                    run_id,
                ),
            )

    def runs(self) -> list[dict[str, object]]:
        return [dict(values) for values in self._db.execute("SELECT * FROM runs ORDER BY started_at")]


def _key(key: DocKey) -> tuple[str, str, str, str]:
    return key.content_hash, key.engine, key.model, key.prompt_version


def _statements(script: str) -> list[str]:
    # executescript would COMMIT our transaction; run the statements one by one inside it instead.
    return [part.strip() for part in script.split(";") if part.strip()]
