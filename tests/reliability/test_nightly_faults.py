"""`summarizer nightly` when the server fails for some documents or the input is hostile: failures are
recorded in the ledger, the other documents finish, and the next run retries only the failed ones."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.reliability.conftest import IS_ROOT, SEED, run_cli, run_process
from tests.reliability.inputs import CASES, check_brief
from tests.support.openai_server import FakeOpenAI

POISON = "POISON"
GOOD = {
    "seed.txt": SEED.read_text(encoding="utf-8"),
    "flood.txt": "The council said 40 homes were flooded in Leeds on Friday. Residents could return next week.\n",
    "strike.md": "Dock workers in Antwerp went on strike on Monday, the union said. About 2,000 people walked out.\n",
}
BAD_TEXT = f"{POISON}. The mayor of Lyon said 12 roads were closed on Tuesday after the storm.\n"


def ledger_rows(out: Path) -> dict[str, tuple[str, str | None, int]]:
    """path -> (status, last_error, attempts)."""
    with sqlite3.connect(out / "ledger.sqlite3") as db:
        rows = db.execute("SELECT path, status, last_error, attempts FROM documents").fetchall()
    return {Path(p).name: (s, e, a) for p, s, e, a in rows}


def nightly(inbox: Path, out: Path, server: FakeOpenAI, *extra: str):
    return run_cli("nightly", str(inbox), "--out", str(out), "--engine", "llm", "--base-url", server.base_url,
                   "--max-retries", "1", "--timeout", "0.5", "--concurrency", "2", "--quiet", *extra)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "bad.txt").write_text(BAD_TEXT, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("fault", "words"),
    [("503", "HTTP 503"), ("slow", "timed out"), ("reset", "unreachable"),
     ("schema-violation", "no schema-valid brief"), ("refusal", "no schema-valid brief")],
)
def test_a_failing_document_is_recorded_and_retried_alone(
    tmp_path: Path, inbox: Path, openai_server: FakeOpenAI, fault: str, words: str
) -> None:
    out = tmp_path / "out"
    openai_server.when(lambda r: POISON in r.article, fault)
    first = nightly(inbox, out, openai_server)
    assert first.code == 1, first.stderr
    assert "Traceback" not in first.stderr
    rows = ledger_rows(out)
    assert rows["bad.txt"][0] == "failed" and words in rows["bad.txt"][1]
    assert all(rows[name][0] == "done" for name in GOOD)
    assert f"bad.txt: " in first.stderr and words in first.stderr
    # The next night the server behaves: only the failed document is sent.
    openai_server.always("ok")
    openai_server.reset_counts()
    second = nightly(inbox, out, openai_server)
    assert second.code == 0, second.stderr
    assert openai_server.count == 1 and POISON in openai_server.chat_requests[0].article
    rows = ledger_rows(out)
    assert all(status == "done" for status, _, _ in rows.values())
    assert rows["bad.txt"][2] == 2  # attempted once per run
    report = json.loads(sorted((out / "runs").glob("*.json"))[-1].read_text())
    assert report["counts"]["done"] == 1 and report["counts"]["reused"] == len(GOOD)
    for brief_file in (out / "briefs").glob("*.json"):
        check_brief(json.loads(brief_file.read_text(encoding="utf-8")))


@pytest.mark.parametrize("engine", ["llm", "extractive"])
def test_bad_inputs_in_a_batch_are_failed_by_name_and_the_batch_keeps_going(
    tmp_path: Path, openai_server: FakeOpenAI, engine: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    made: dict[str, bool] = {}
    seen: set[bytes] = set()
    for case in CASES:
        if case.name in ("missing", "fifo", "boilerplate-only") or (case.name == "unreadable" and IS_ROOT):
            # missing is not in a folder; fifo has its own test; boilerplate-only is tested once, in
            # test_bad_input; root reads chmod 000 files.
            continue
        path = case.make(inbox)
        if path.is_file() and path.suffix in (".txt", ".md", ".html"):
            data = path.read_bytes()
            if data in seen:
                path.unlink()  # nightly runs identical bytes once; keep each input distinct
                continue
            seen.add(data)
            made[path.name] = case.usable
    (inbox / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    made["seed.txt"] = True
    out = tmp_path / "out"
    engine_args = ["--base-url", openai_server.base_url, "--timeout", "5", "--max-retries", "0"]
    if engine == "extractive":
        engine_args = ["--concurrency", "1"]  # one worker process: the errors come back from it
    run = run_cli("nightly", str(inbox), "--out", str(out), "--engine", engine, *engine_args, "--quiet")
    assert run.code == 1, run.stderr
    assert "Traceback" not in run.stderr
    rows = ledger_rows(out)
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    failed = {Path(f["path"]).name: f["error"] for f in report["failures"]}
    for name, usable in made.items():
        if usable:
            assert rows[name][0] == "done", (name, rows.get(name))
        else:
            assert name in failed, name
            # One line naming the file, in the report and on stderr.
            assert "\n" not in failed[name]
            assert any(name in line and "failed" in line.lower() for line in run.stderr.splitlines()), name
    assert (out / "digest.md").is_file()


def test_a_fifo_in_the_inbox_does_not_hang_the_run(tmp_path: Path, openai_server: FakeOpenAI) -> None:
    """A named pipe called *.txt (or a device) must be skipped or failed, never read until it ends."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    os.mkfifo(inbox / "pipe.txt")
    run = run_process("nightly", str(inbox), "--out", str(tmp_path / "out"), "--engine", "llm", "--base-url",
                      openai_server.base_url, "--timeout", "5", "--quiet", timeout=20)
    assert "Traceback" not in run.stderr
    assert list((tmp_path / "out" / "briefs").glob("seed-*.json"))
