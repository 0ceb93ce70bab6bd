"""Ctrl-C and SIGTERM end a nightly run within seconds, under CPU load, whenever they come.

SUMMARIZER_INTERRUPT_RUNS sets how many runs (10 by default, to keep the suite fast);
benchmarks/nightly_interrupts.py --runs 50 does the same at length and prints the figures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.nightly.conftest import assert_complete_set, run_nightly_cli
from tests.nightly.corpus import make_corpus
from tests.nightly.interrupts import EXIT_LIMIT, cpu_load, interrupt_runs

RUNS = int(os.environ.get("SUMMARIZER_INTERRUPT_RUNS", "10"))
# After the run's first line: worker start-up and model loading, then the first documents.
WINDOW = 6.0


@pytest.mark.slow
def test_interrupted_runs_under_load_exit_within_5_s_with_a_consistent_ledger(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    make_corpus(inbox, 30)
    with cpu_load():
        results = interrupt_runs(inbox, tmp_path, RUNS, seed=18, window=WINDOW)
    failures = [f"{r.way} after {r.delay:.1f} s: {'; '.join(r.problems)}" for r in results if not r.ok]
    assert not failures, "\n".join(failures)
    assert all(r.exit_seconds is not None and r.exit_seconds < EXIT_LIMIT for r in results)
    # What an interrupted run left pending, the next run does.
    last = tmp_path / f"out-{RUNS - 1}"
    finish = run_nightly_cli(str(inbox), "--out", str(last), "--engine", "extractive")
    assert finish.code == 0, finish.stderr
    assert_complete_set(last, 30)
