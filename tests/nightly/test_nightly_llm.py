"""`summarizer nightly` with the LLM engine against a loopback OpenAI-compatible server (tests/support)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from summarizer.schema import Brief
from tests.nightly.conftest import (
    assert_complete_set,
    brief_files,
    latest_report,
    ledger_rows,
    ledger_runs,
    run_nightly_cli,
    start_nightly_process,
)
from tests.support.openai_server import FakeOpenAI, faults

SECRET = "sk-test-NightlySecret0123456789"


def llm_args(server: FakeOpenAI, inbox: Path, out: Path, *extra: str) -> list[str]:
    return [str(inbox), "--out", str(out), "--engine", "llm", "--base-url", server.base_url, "--model", "fake-model",
            "--max-retries", "0", *extra]


def test_thirty_documents_then_a_second_run_that_does_no_work(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # Concurrency 16: two worker processes with an event loop each share the documents (on two cores).
    first = run_nightly_cli(*llm_args(openai_server, inbox, out, "--concurrency", "16"))
    assert first.code == 0, first.stderr
    assert openai_server.count == 30 and openai_server.max_in_flight <= 16
    assert_complete_set(out, 30)
    # Plain logs when stderr is not a terminal: one line per document, then the summary line.
    lines = first.stderr.strip().splitlines()
    assert sum("] done " in line for line in lines) == 30
    assert lines[-1].startswith("summarizer: nightly finished: 30 documents, 30 done (30 new, 0 already done), 0 failed")
    report = latest_report(out)
    assert report["counts"] == {"inputs": 30, "documents": 30, "reused": 0, "done": 30, "failed": 0, "quarantined": 0,
                                "pending": 0, "duplicates": 0, "skipped": {}}
    assert report["usage"]["total_tokens"] > 0 and report["requests"] == 30
    assert report["usage"]["total_tokens"] == sum(row["total_tokens"] for row in ledger_rows(out))
    digest = (out / "digest.md").read_text(encoding="utf-8")
    assert "## Top stories" in digest and "## All briefs (30)" in digest
    assert json.loads((out / "digest.json").read_text(encoding="utf-8"))["documents"] == 30
    assert "<html" in (out / "digest.html").read_text(encoding="utf-8").lower()
    stamps = {p: p.stat().st_mtime_ns for p in brief_files(out, ".json")}

    second = run_nightly_cli(*llm_args(openai_server, inbox, out, "--concurrency", "8"))
    assert second.code == 0, second.stderr
    assert openai_server.count == 30, "the second run sent requests"
    assert {p: p.stat().st_mtime_ns for p in brief_files(out, ".json")} == stamps
    assert latest_report(out)["counts"]["reused"] == 30
    assert "30 documents, 30 already done, 0 to do" in second.stderr
    assert [run["status"] for run in ledger_runs(out)] == ["finished", "finished"]


def test_a_changed_document_is_redone_and_the_digest_follows_it(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    changed = sorted(inbox.rglob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nA late correction was added.\n", encoding="utf-8")
    again = run_nightly_cli(*llm_args(openai_server, inbox, out))
    assert again.code == 0 and openai_server.count == 31
    rows = ledger_rows(out)
    assert len(rows) == 31 and all(row["status"] == "done" for row in rows)  # the old version's row stays
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert len(digest["briefs"]) == 30
    newest = max(brief_files(out, ".json"), key=lambda p: p.stat().st_mtime_ns)
    assert "A late correction was added." in Brief.model_validate_json(newest.read_bytes()).source.text
    assert newest.stem in {link["id"] for link in digest["briefs"]}


def test_a_new_prompt_version_redoes_everything(
    openai_server: FakeOpenAI, inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    import summarizer.prompting

    monkeypatch.setattr(summarizer.prompting, "prompt_version", lambda brief_language=None: "brief-v999+00000000")
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    assert openai_server.count == 60
    assert {row["prompt_version"] for row in ledger_rows(out)} >= {"brief-v999+00000000"}
    assert len(ledger_rows(out)) == 60


def test_failures_are_named_exit_1_and_only_they_are_retried(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    openai_server.when(lambda request: "stampede" in request.article.lower(), faults.server_error(503))
    result = run_nightly_cli(*llm_args(openai_server, inbox, out))
    assert result.code == 1
    failed_lines = [line for line in result.stderr.splitlines() if line.startswith("summarizer: failed: ")]
    assert len(failed_lines) == 3 and all("stampede" in line and "HTTP 503" in line for line in failed_lines)
    assert "27 done (27 new, 0 already done), 3 failed" in result.stderr
    rows = ledger_rows(out)
    failed = [row for row in rows if row["status"] == "failed"]
    assert len(failed) == 3 and all("503" in row["last_error"] and row["attempts"] == 1 for row in failed)
    assert len(brief_files(out, ".json")) == 27
    assert "## Not summarized (3)" in (out / "digest.md").read_text(encoding="utf-8")
    assert [Path(f["path"]).stem.split("-")[0] for f in latest_report(out)["failures"]] == ["stampede"] * 3

    openai_server.always(faults.ok())
    before = openai_server.count
    retry = run_nightly_cli(*llm_args(openai_server, inbox, out))
    assert retry.code == 0, retry.stderr
    assert openai_server.count - before == 3
    assert_complete_set(out, 30)
    assert {row["attempts"] for row in ledger_rows(out) if "stampede" in str(row["path"])} == {2}


def test_token_budget_stops_starting_documents_and_the_rest_stay_pending(
    openai_server: FakeOpenAI, inbox: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = run_nightly_cli(*llm_args(openai_server, inbox, out, "--concurrency", "1", "--token-budget", "3000"))
    assert result.code == 0, result.stderr
    spent_per_doc = latest_report(out)["usage"]["total_tokens"] / max(1, openai_server.count)
    # One at a time: documents start until 3,000 tokens are spent, then none.
    assert 1 <= openai_server.count <= 3000 / spent_per_doc + 1 < 30
    report = latest_report(out)
    assert report["counts"]["pending"] == 30 - openai_server.count
    assert report["stopped"].startswith("token budget of 3,000 spent")
    statuses = [row["status"] for row in ledger_rows(out)]
    assert statuses.count("pending") == 30 - openai_server.count and statuses.count("done") == openai_server.count

    finish = run_nightly_cli(*llm_args(openai_server, inbox, out))
    assert finish.code == 0 and openai_server.count == 30
    assert_complete_set(out, 30)


def test_max_docs_and_force(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out, "--max-docs", "5")).code == 0
    assert openai_server.count == 5 and len(brief_files(out, ".json")) == 5
    assert latest_report(out)["stopped"] == "--max-docs 5 reached"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    assert openai_server.count == 30
    assert run_nightly_cli(*llm_args(openai_server, inbox, out, "--force")).code == 0
    assert openai_server.count == 60
    assert_complete_set(out, 30)


def test_missing_brief_file_is_redone(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    brief_files(out, ".md")[0].unlink()
    brief_files(out, ".json")[-1].write_text('{"truncated": ', encoding="utf-8")
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    assert openai_server.count == 32
    assert_complete_set(out, 30)


def test_nothing_secret_is_written(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    # Some documents fail with an error body that quotes the key back, as some servers do.
    openai_server.when(lambda request: "crane" in request.article.lower(), faults.echo_key())
    result = run_nightly_cli(*llm_args(openai_server, inbox, out))
    assert result.code == 1
    assert openai_server.requests[0].headers.get("authorization", "").endswith(SECRET)  # the key was used...
    assert SECRET not in result.stderr + result.stdout
    for path in out.rglob("*"):  # ...and never written: ledger (and its WAL), briefs, reports, digest
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path


def _done_at_least(out: Path, count: int) -> bool:
    if not (out / "ledger.sqlite3").exists():
        return False
    try:
        return sum(row["status"] == "done" for row in ledger_rows(out)) >= count
    except sqlite3.OperationalError:  # the run is still creating its tables
        return False


def _workers_left(out: Path) -> list[int]:
    """Processes still running with `out` in their command line: forked workers of a nightly run there."""
    left = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(out).encode() in cmdline.read_bytes():
                left.append(int(cmdline.parent.name))
        except OSError:  # the process ended meanwhile
            continue
    return left


def _no_workers_left(out: Path, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while _workers_left(out) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _workers_left(out)


def test_ctrl_c_and_sigterm_stop_cleanly_and_a_rerun_completes(inbox: Path, tmp_path: Path) -> None:
    with FakeOpenAI(faults.delay(0.3)) as server:
        # Ctrl-C at concurrency 16 stops a run whose documents are in two worker processes.
        for number, (sig, concurrency) in enumerate(((signal.SIGINT, "16"), (signal.SIGTERM, "2"))):
            out = tmp_path / f"out-{number}"
            # In a process group of its own, which gets the signal as a terminal's Ctrl-C would send it.
            process = start_nightly_process(
                *llm_args(server, inbox, out, "--concurrency", concurrency), start_new_session=True
            )
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not _done_at_least(out, 3):
                time.sleep(0.05)
            os.killpg(process.pid, sig)
            _, stderr = process.communicate(timeout=30)
            assert process.returncode == 130, stderr
            assert "Traceback" not in stderr
            assert "summarizer: nightly interrupted:" in stderr
            assert _no_workers_left(out), "a worker process outlived the interrupted run"
            done = [row for row in ledger_rows(out) if row["status"] == "done"]
            # A brief whose files were being written when the signal came is not done: it is redone.
            assert 3 <= len(done) <= len(brief_files(out, ".json")) < 30
            for row in done:
                Brief.model_validate_json((out / str(row["brief_json"])).read_bytes())
            assert ledger_runs(out)[-1]["status"] == "interrupted"
            assert latest_report(out)["status"] == "interrupted"
            server.reset_counts()
            finish = run_nightly_cli(*llm_args(server, inbox, out, "--concurrency", "8"))
            assert finish.code == 0, finish.stderr
            assert server.count == 30 - len(done)
            assert_complete_set(out, 30)


@pytest.mark.parametrize("concurrency", ["4", "16"])
def test_sigkill_mid_run_then_a_rerun_gives_the_full_set(inbox: Path, tmp_path: Path, concurrency: str) -> None:
    out = tmp_path / "out"
    with FakeOpenAI(faults.delay(0.2)) as server:
        process = start_nightly_process(*llm_args(server, inbox, out, "--concurrency", concurrency))
        deadline = time.monotonic() + 60
        while len(brief_files(out, ".json")) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
        process.kill()
        process.wait(timeout=10)
        assert process.returncode == -signal.SIGKILL
        assert 6 <= len(brief_files(out, ".json")) < 30
        # Worker processes notice their parent is gone and end (they check every second).
        assert _no_workers_left(out), "a worker process outlived its killed parent"
        finish = run_nightly_cli(*llm_args(server, inbox, out))
        assert finish.code == 0, finish.stderr
        assert_complete_set(out, 30)
        assert [run["status"] for run in ledger_runs(out)] == ["crashed", "finished"]


def test_the_same_bytes_under_two_names_are_one_document(openai_server: FakeOpenAI, inbox: Path, tmp_path: Path) -> None:
    original = sorted(inbox.rglob("*.txt"))[0]
    copy = inbox / "copies" / "same-story.txt"
    copy.parent.mkdir()
    copy.write_bytes(original.read_bytes())
    out = tmp_path / "out"
    assert run_nightly_cli(*llm_args(openai_server, inbox, out)).code == 0
    assert openai_server.count == 30
    report = latest_report(out)
    assert report["counts"]["inputs"] == 31 and report["counts"]["documents"] == 30
    assert report["duplicates"] == {str(original): str(copy)}  # "copies/" sorts before "desk-0/"
