"""`summarizer nightly --batch-api` at scale: 10,000 documents submitted, then collected, against the
loopback Batch API of tests/support/batch_server.py (hand-written; its "model" is the tests' fake one).

Prints, for each of the two cron-style runs (submit; collect), the client's wall time and peak memory,
plus how the work split into batch files. The client (`summarizer nightly`) runs as a child so that the
server's work and memory are not counted. Its memory is sampled every 50 ms: the peak of the whole
process tree's proportional set size (PSS: pages the forked workers share with the run are counted
once, split between them), which is what the machine has to find; and the run's own peak RSS. The
server answers the batches between the two runs (not timed). The time the client waits for the
server's answers (taking the uploaded file, sending the output file: this server shares the machine,
a provider's would not) is measured by the server and printed apart; the client's own work is the
wall time without it.
Targets (issue 15): under 60 s of client work, under 500 MB.

The documents are the tests' corpus variants (full news articles, 1-6 KB). The cross-check (spaCy rules
beside the model, on by default) costs far more per document than everything else together, so the run
is timed with --no-cross-check and the cost of the cross-check per document is printed apart.

    .venv/bin/python benchmarks/batch_api_scale.py [--docs 10000] [--cross-check] [--processes N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.nightly.corpus import make_corpus  # noqa: E402
from tests.support.batch_server import FakeBatchAPI  # noqa: E402


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, as /proc lists them now."""
    pids, i = [pid], 0
    while i < len(pids):
        for task in Path(f"/proc/{pids[i]}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(child) for child in task.read_text().split()]
        i += 1
    return pids


def _kib(pid: int, file: str, field: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def run_client(args: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, peak PSS of the process tree (MB), peak RSS of the run's own process (MB), last line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "SUMMARIZER_"))}
    env["PYTHONPATH"] = str(ROOT)
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from summarizer.cli import main; main()", "nightly", *args, "--quiet"],
                            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tree_peak = own_peak = 0
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(proc.stderr or ()), daemon=True)
    reader.start()
    while proc.poll() is None:
        tree_peak = max(tree_peak, sum(_kib(pid, "smaps_rollup", "Pss:") for pid in _tree(proc.pid)))
        own_peak = max(own_peak, _kib(proc.pid, "status", "VmHWM:"))
        time.sleep(0.05)
    seconds = time.perf_counter() - began
    reader.join()
    if proc.returncode != 0:
        sys.exit(f"client failed ({proc.returncode}): {''.join(stderr)[-2000:]}")
    return seconds, tree_peak / 1024, own_peak / 1024, stderr[-1].strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--cross-check", action="store_true", help="time the run with the cross-check on")
    parser.add_argument("--processes", type=int, help="worker processes (--concurrency); one per core if unset")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, FakeBatchAPI(lifetime=3600) as api:
        inbox, out = Path(tmp) / "inbox", Path(tmp) / "out"
        made = time.perf_counter()
        make_corpus(inbox, ns.docs)
        size = sum(p.stat().st_size for p in inbox.rglob("*") if p.is_file())
        print(f"{ns.docs:,} documents, {size / 1e6:.1f} MB, written in {time.perf_counter() - made:.1f} s")
        args = [str(inbox), "--out", str(out), "--engine", "llm", "--base-url", api.base_url, "--model",
                "gpt-4o-mini", "--batch-api", "--cross-check" if ns.cross_check else "--no-cross-check"]
        if ns.processes:
            args += ["--concurrency", str(ns.processes)]
        submit_s, submit_mb, submit_own, line = run_client(args)
        submit_served, api.serving_seconds = api.serving_seconds, 0.0
        files = {f.filename: len(f.data) for f in api.files.values() if f.purpose == "batch"}
        print(f"run 1 (submit):  {submit_s:6.1f} s, of which {submit_served:.1f} s waiting on the server · "
              f"peak {submit_mb:6.0f} MB (the run alone {submit_own:.0f} MB) · {len(api.batches)} batch(es), "
              f"{sum(files.values()) / 1e6:.1f} MB of JSONL")
        print(f"    {line}")
        served = time.perf_counter()
        api.finish_all()
        print(f"server answered {sum(b.counts['total'] for b in api.batches.values()):,} requests in "
              f"{time.perf_counter() - served:.1f} s (not client work)")
        collect_s, collect_mb, collect_own, line = run_client(args)
        collect_served = api.serving_seconds
        print(f"run 2 (collect): {collect_s:6.1f} s, of which {collect_served:.1f} s waiting on the server · "
              f"peak {collect_mb:6.0f} MB (the run alone {collect_own:.0f} MB)")
        print(f"    {line}")
        briefs = len(list((out / "briefs").glob("*.json")))
        report = json.loads(sorted((out / "runs").glob("*.json"))[-1].read_text())
        own = submit_s + collect_s - submit_served - collect_served
        print(f"client work: {own:.1f} s for {briefs:,} briefs (target < 60 s), {submit_s + collect_s:.1f} s of wall "
              f"time with the server's answers; peak {max(submit_mb, collect_mb):.0f} MB (target < 500 MB)")
        print(f"cost line: {report['batch_api']['cost']['total_tokens']:,} tokens, "
              f"${report['batch_api']['cost']['batch_usd']} at the batch price")


if __name__ == "__main__":
    main()
