"""Interrupted nightly runs under CPU load: how long each takes to exit, and what it leaves behind.

Each run is `summarizer nightly` with the extractive engine over 30 documents (two worker processes)
while one busy process per core loads the CPU, stopped a random way (Ctrl-C to the process group,
SIGTERM to the group as systemd does, SIGTERM to the run alone as `kill PID` does) at a random moment
within --window seconds after its first line. A run passes when it exits within 5 s with exit code 130
(0 if it had finished), no traceback, no worker left, and a consistent ledger: every done row's brief
files whole, nothing failed by the interruption, no run left "running", no temporary file (see
tests/nightly/interrupts.py). Then one more run over the last folder must finish the set.

    .venv/bin/python benchmarks/nightly_interrupts.py [--runs 50] [--window 6] [--seed 18]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.engines import cores  # noqa: E402
from tests.nightly.conftest import run_nightly_cli  # noqa: E402
from tests.nightly.corpus import make_corpus  # noqa: E402
from tests.nightly.interrupts import EXIT_LIMIT, cpu_load, interrupt_runs  # noqa: E402

DOCUMENTS = 30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--window", type=float, default=6.0, help="seconds after the run's first line")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nightly-interrupts-") as tmp:
        folder = Path(tmp)
        inbox = folder / "inbox"
        make_corpus(inbox, DOCUMENTS)
        began = time.monotonic()
        with cpu_load():
            results = interrupt_runs(inbox, folder, args.runs, seed=args.seed, window=args.window)
        elapsed = time.monotonic() - began
        for number, r in enumerate(results):
            exit_text = f"{r.exit_seconds:.2f} s" if r.exit_seconds is not None else "HUNG"
            print(f"{number:3d} {r.way:13s} at +{r.delay:4.1f} s  exit {exit_text:>7s}  code {r.returncode}  {r.done:2d} done  "
                  f"{'ok' if r.ok else '; '.join(r.problems)}")
        finish = run_nightly_cli(str(inbox), "--out", str(folder / f"out-{args.runs - 1}"), "--engine", "extractive")
    exits = [r.exit_seconds for r in results if r.exit_seconds is not None]
    print()
    print(f"runs: {len(results)} under load from {cores()} busy processes, {elapsed:.0f} s in all")
    print(f"exited within {EXIT_LIMIT:g} s: {sum(e < EXIT_LIMIT for e in exits)}/{len(results)}")
    if exits:
        print(f"exit after the signal: median {statistics.median(exits):.2f} s, max {max(exits):.2f} s")
    print(f"documents done when stopped: {sum(r.done == 0 for r in results)} runs none (worker start-up), "
          f"{sum(0 < r.done < DOCUMENTS for r in results)} runs some, {sum(r.done == DOCUMENTS for r in results)} all")
    print("by way: " + ", ".join(f"{way} {n}" for way, n in sorted(Counter(r.way for r in results).items())))
    print(f"runs with a problem: {sum(not r.ok for r in results)}")
    print(f"the next run finished the last folder: {'yes' if finish.code == 0 else 'NO: ' + finish.stderr}")
    return 0 if all(r.ok for r in results) and finish.code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
