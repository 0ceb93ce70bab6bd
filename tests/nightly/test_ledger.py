"""The ledger: schema and migrations, WAL mode, status transitions, and no secrets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from summarizer.errors import ConfigError
from summarizer.ledger import MIGRATIONS, DocKey, Ledger, Status
from summarizer.schema import Usage

KEY = DocKey("a" * 64, "llm", "gpt-4o-mini", "v1+abcd1234")


def test_new_ledger_is_migrated_and_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with Ledger(path) as ledger:
        assert ledger.schema_version == len(MIGRATIONS)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"documents", "runs"} <= tables
    # Re-opening runs no migration twice.
    with Ledger(path) as ledger:
        assert ledger.schema_version == len(MIGRATIONS)


def test_a_ledger_from_a_newer_summarizer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    Ledger(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(ConfigError, match="newer than this summarizer knows"):
        Ledger(path)


def test_a_file_that_is_not_sqlite_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ConfigError, match="cannot be used as the nightly ledger.*move it aside"):
        Ledger(path)


def test_document_lifecycle(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.enqueue([(KEY, "in/a.txt", "briefs/a.json", "briefs/a.md")], "run-1")
        row = ledger.get(KEY)
        assert row is not None and row.status is Status.pending and row.attempts == 0
        ledger.start(KEY, "run-1")
        ledger.finish_failed(KEY, "LLM endpoint kept answering HTTP 503")
        row = ledger.get(KEY)
        assert row.status is Status.failed and row.attempts == 1 and row.failures == 1 and "503" in row.last_error
        # Queued again by a later run: a failed row keeps its status until it actually starts.
        ledger.enqueue([(KEY, "in/a.txt", "briefs/a.json", "briefs/a.md")], "run-2")
        assert ledger.get(KEY).status is Status.failed
        ledger.start(KEY, "run-2")
        assert ledger.get(KEY).status is Status.pending
        ledger.finish_done(KEY, Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15), requests=2)
        row = ledger.get(KEY)
        assert row.status is Status.done and row.attempts == 2 and row.failures == 0 and row.last_error is None
        assert row.usage.total_tokens == 15 and row.requests == 2 and row.finished_at and row.started_at
        # --force: a done row goes back to pending, its history kept.
        ledger.enqueue([(KEY, "in/a.txt", "briefs/a.json", "briefs/a.md")], "run-3")
        row = ledger.get(KEY)
        assert row.status is Status.pending and row.attempts == 2 and row.usage.total_tokens == 15
        assert set(ledger.rows_for("llm", "gpt-4o-mini", "v1+abcd1234")) == {KEY.content_hash}
        assert ledger.rows_for("llm", "gpt-4o-mini", "v2+00000000") == {}


def test_key_parts_make_distinct_rows(tmp_path: Path) -> None:
    keys = [KEY, DocKey(KEY.content_hash, "llm", "gpt-4o", KEY.prompt_version),
            DocKey(KEY.content_hash, "llm", KEY.model, "v2+00000000"), DocKey("b" * 64, "llm", KEY.model, KEY.prompt_version)]
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.enqueue([(k, "a.txt", "a.json", "a.md") for k in keys], "run-1")
        assert len(ledger.all_rows()) == 4


def test_runs_left_running_by_a_dead_process_are_marked_crashed(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.begin_run("run-1", "llm", "m", "v")
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.begin_run("run-2", "llm", "m", "v")
        ledger.end_run("run-2", interrupted=False, documents=3, done=3, failed=0, pending=0, total_tokens=9,
                       report_path="runs/run-2.json")
        assert [(r["run_id"], r["status"]) for r in ledger.runs()] == [("run-1", "crashed"), ("run-2", "finished")]


def test_errors_are_redacted_before_they_are_stored(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.enqueue([(KEY, "a.txt", "a.json", "a.md")], "run-1")
        ledger.finish_failed(KEY, "Incorrect API key provided: sk-proj-ABCDEF123456789.\nAuthorization: Bearer abcdef123456")
        stored = ledger.get(KEY).last_error
    assert "ABCDEF123456789" not in stored and "abcdef123456" not in stored and "\n" not in stored
    assert (tmp_path / "l.sqlite3").read_bytes().find(b"ABCDEF123456789") == -1


def test_failed_rows_of_a_ledger_from_before_failures_were_counted_have_failed_once(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    for status, digest in (("failed", "a"), ("done", "b")):
        db.execute("INSERT INTO documents (content_hash, engine, model, prompt_version, path, status, brief_json, "
                   "brief_md, attempts, created_at, updated_at) VALUES (?, 'llm', 'm', 'v', 'p', ?, 'j', 'md', 4, "
                   "'t', 't')", (digest * 64, status))
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.schema_version == len(MIGRATIONS)
        assert {row.status: row.failures for row in ledger.all_rows()} == {Status.failed: 1, Status.done: 0}
