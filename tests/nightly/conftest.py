"""Fixtures for the nightly suites: a corpus on disk, the loopback OpenAI server, and the CLI two ways."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.schema import Brief
from tests.nightly.corpus import make_corpus
from tests.support.openai_server import openai_server  # noqa: F401 - re-exported as a fixture

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from summarizer.cli import main; main()"]


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def run_nightly_cli(*args: str) -> Result:
    """`summarizer nightly ...` in this process (stderr is not a terminal: plain logs)."""
    from summarizer.cli import app

    result = CliRunner().invoke(app, ["nightly", *args], catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}


def start_nightly_process(*args: str, **popen: object) -> subprocess.Popen[str]:
    """`summarizer nightly ...` as a real process, for signals (SIGINT, SIGTERM, SIGKILL)."""
    return subprocess.Popen(
        [*CLI, "nightly", *args], cwd=ROOT, env=clean_env(), text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, **popen,  # type: ignore[arg-type]
    )


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    make_corpus(folder, 30)
    return folder


def brief_files(out: Path, suffix: str) -> list[Path]:
    return sorted((out / "briefs").glob(f"*{suffix}"))


def ledger_rows(out: Path) -> list[dict[str, object]]:
    db = sqlite3.connect(out / "ledger.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM documents ORDER BY path")]
    finally:
        db.close()


def ledger_runs(out: Path) -> list[dict[str, object]]:
    db = sqlite3.connect(out / "ledger.sqlite3")
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute("SELECT * FROM runs ORDER BY started_at")]
    finally:
        db.close()


def latest_report(out: Path) -> dict:
    reports = sorted((out / "runs").glob("*.json"))
    assert reports, f"no run report in {out / 'runs'}"
    return json.loads(reports[-1].read_text(encoding="utf-8"))


def assert_complete_set(out: Path, count: int) -> None:
    """`count` briefs, each a valid Brief JSON with its Markdown twin, all done in the ledger, no leftovers."""
    jsons, mds = brief_files(out, ".json"), brief_files(out, ".md")
    assert len(jsons) == count and len(mds) == count
    for path in jsons:
        brief = Brief.model_validate_json(path.read_bytes())
        assert brief.source.text and path.with_suffix(".md").is_file()
    rows = ledger_rows(out)
    done = [row for row in rows if row["status"] == "done"]
    assert len(done) == count
    for row in done:
        assert (out / str(row["brief_json"])).is_file() and (out / str(row["brief_md"])).is_file()
    assert not [p for p in out.rglob(".*.tmp")], "a temporary file was left behind"
    assert (out / "digest.md").is_file()
