"""`summarizer nightly` with the extractive engine: both cores, resumable after SIGKILL, no stray workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from summarizer.engines.extractive.engine import RULES_VERSION
from tests.nightly.conftest import (
    assert_complete_set,
    brief_files,
    latest_report,
    ledger_rows,
    ledger_runs,
    run_nightly_cli,
    start_nightly_process,
)


def _processes_mentioning(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_thirty_documents_on_two_processes_then_nothing_to_do(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = run_nightly_cli(str(inbox), "--out", str(out), "--engine", "extractive", "--concurrency", "2")
    assert first.code == 0, first.stderr
    assert_complete_set(out, 30)
    report = latest_report(out)
    assert report["engine"] == "extractive" and report["concurrency"] == 2 and report["counts"]["done"] == 30
    rows = ledger_rows(out)
    assert {row["prompt_version"] for row in rows} == {RULES_VERSION}
    assert all(row["total_tokens"] == 0 and row["attempts"] == 1 for row in rows)
    digest = (out / "digest.md").read_text(encoding="utf-8")
    assert "## Actors across documents" in digest and "## All briefs (30)" in digest
    # Each brief has its review page, and the digest page's quotes open it.
    pages = brief_files(out, ".html")
    assert len(pages) == 30
    digest_html = (out / "digest.html").read_text(encoding="utf-8")
    assert all(f'href="briefs/{page.name}' in digest_html for page in pages)

    began = time.monotonic()
    second = run_nightly_cli(str(inbox), "--out", str(out), "--engine", "extractive", "--concurrency", "2")
    assert second.code == 0, second.stderr
    assert time.monotonic() - began < 10
    assert latest_report(out)["counts"]["reused"] == 30


def test_sigkill_mid_run_then_rerun_completes_and_no_worker_outlives_its_parent(inbox: Path, tmp_path: Path) -> None:
    out = tmp_path / "killed-out"
    args = [str(inbox), "--out", str(out), "--engine", "extractive", "--concurrency", "2"]
    process = start_nightly_process(*args)
    deadline = time.monotonic() + 120
    while len(brief_files(out, ".json")) < 3 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    workers = [pid for pid in _processes_mentioning(str(out)) if pid != process.pid]
    assert len(workers) >= 2, "expected two worker processes"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    # Orphaned workers notice their parent is gone within a second or two and exit.
    deadline = time.monotonic() + 15
    while [p for p in workers if p in _processes_mentioning(str(out))] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in workers if p in _processes_mentioning(str(out))], "worker processes outlived their parent"
    assert len(brief_files(out, ".json")) < 30

    rerun = run_nightly_cli(*args)
    assert rerun.code == 0, rerun.stderr
    assert_complete_set(out, 30)
    assert [run["status"] for run in ledger_runs(out)] == ["crashed", "finished"]
