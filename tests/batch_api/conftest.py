"""Fixtures for the Batch API suites: the loopback Batch API (tests/support/batch_server.py, hand-written)
and helpers that run `summarizer nightly --batch-api` in this process or as a real process."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarizer.batch_api.options import BatchApiOptions
from summarizer.config import Settings
from summarizer.nightly import NightlyOptions, RunReport, run_nightly
from tests.nightly.corpus import make_corpus
from tests.support.batch_server import FakeBatchAPI

MODEL = "gpt-4o-mini"


@pytest.fixture
def batch_api() -> Iterator[FakeBatchAPI]:
    with FakeBatchAPI() as server:
        yield server


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    make_corpus(folder, 12)
    return folder


def settings_for(server: FakeBatchAPI, **extra: object) -> Settings:
    return Settings(engine="llm", base_url=server.base_url, model=MODEL, max_retries=1, **extra)  # type: ignore[arg-type]


def night(server: FakeBatchAPI, inbox: Path, out: Path, *, settings: Settings | None = None, **batch: object) -> RunReport:
    """One cron-style run, in this process."""
    options = NightlyOptions(
        inputs=[str(inbox)], out=out, settings=settings or settings_for(server),
        batch_api=BatchApiOptions(poll_first=0.01, poll_max=0.05, **batch),  # type: ignore[arg-type]
    )
    return run_nightly(options)


def cli_args(server: FakeBatchAPI, inbox: Path, out: Path, *extra: str) -> list[str]:
    return [str(inbox), "--out", str(out), "--engine", "llm", "--base-url", server.base_url, "--model", MODEL,
            "--batch-api", *extra]


def briefs(out: Path) -> list[Path]:
    return sorted((out / "briefs").glob("*.json"))


def rows(out: Path, query: str) -> list[dict[str, object]]:
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute(query)]


def doc_ids_of_briefs(out: Path) -> set[str]:
    return {json.loads(p.read_text())["source"]["sha256"] for p in briefs(out)}
