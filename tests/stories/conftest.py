"""Shared helpers of the story-memory suites: nightly runs over the multi-night corpus, and the index read back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.nightly.conftest import Result, run_nightly_cli


def night(inbox: Path, out: Path, day: str, *more: str) -> Result:
    result = run_nightly_cli(str(inbox), "--out", str(out), "--engine", "extractive", "--night", day, "-q", *more)
    return result


def index_state(out: Path) -> dict[str, list[tuple[object, ...]]]:
    """Everything the story index holds, except which run wrote each member (run ids are timestamps)."""
    db = sqlite3.connect(out / "ledger.sqlite3")
    try:
        return {
            "stories": db.execute("SELECT * FROM stories ORDER BY story_id").fetchall(),
            "members": db.execute(
                "SELECT content_hash, path, story_id, night, seq, current, replaces, brief_id, title, raw, facts "
                "FROM story_members ORDER BY content_hash"
            ).fetchall(),
            "meta": db.execute("SELECT * FROM story_meta ORDER BY key").fetchall(),
        }
    finally:
        db.close()
