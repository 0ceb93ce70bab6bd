"""Nightly batch speed, printed in one run:

1. extractive engine over 200 documents: documents per second with 2 worker processes against 1
   (target: at least 1.6x on two cores);
2. llm engine against a loopback server answering every request after a fixed 200 ms, at
   concurrency 16: wall time / (documents x 0.2 s / 16) (target: at most 1.15), for `summarize_many`
   alone, for the summarizing phase of `summarizer nightly` (which also writes each brief's files and
   keeps the ledger), and for the whole nightly run (which also plans, builds the digest and reports);
3. a re-run over the same 200 documents with everything done: time and requests (target: under 2 s,
   zero requests), both in-process and as the `summarizer nightly` command.

Each figure is a whole `run_nightly` (discovery, ledger, brief files, digest, run report) over 200
variants of the development-set articles (../shared/data/gum-news) and the seed, or of the test
articles when the development set is absent, written into a temporary folder.

- extractive: best of two alternating rounds; "cores busy" is the worker processes' CPU time over the
  wall time, i.e. how much of the two cores the run actually got from a shared machine; a "machine
  check" before and after runs a plain CPU loop on 1 and 2 processes, the ceiling for any speed-up;
- llm: engine modules imported before timing. At concurrency 16 a batch runs on one event loop per
  core (worker processes); the CPU time of this process, of those workers and of the server, and the
  load average, are printed because on a shared two-core machine they decide the ratio more than the
  concurrency does. benchmarks/llm_server_floor.py prints the floor this server allows.

    .venv/bin/python benchmarks/nightly_speed.py [--docs 200] [--skip-extractive] [--skip-llm]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.api import make_settings  # noqa: E402
from summarizer.batch import FileSource, summarize_many  # noqa: E402
from summarizer.nightly import NightlyOptions, RunReport, run_nightly  # noqa: E402
from tests.nightly.corpus import bundled_texts, dev_set_texts, make_corpus  # noqa: E402

LATENCY = 0.2
EXTRACTIVE_ROUNDS = 2
LLM_CONCURRENCY = 16
# The loopback server runs in its own process so that it does not share this one's interpreter lock.
SERVER = """
import sys
from tests.support.openai_server import FakeOpenAI, faults
server = FakeOpenAI(faults.delay(float(sys.argv[1])), lifetime=3600).start()
print(server.base_url, flush=True)
for line in sys.stdin:
    print(server.count, flush=True)
server.stop()
"""


class LoopbackServer:
    """The test suite's fake OpenAI server in a child process; `count()` asks it how many chat requests it served."""

    def __init__(self, latency: float) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(latency)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()

    def count(self) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


def timed_run(inbox: Path, out: Path, concurrency: int, **settings: object) -> tuple[float, RunReport]:
    options = NightlyOptions(inputs=[str(inbox)], out=out, settings=make_settings(**settings), concurrency=concurrency)
    began = time.perf_counter()
    report = run_nightly(options)
    seconds = time.perf_counter() - began
    if not report.ok:
        raise SystemExit(f"benchmark run failed: {report.summary_line()} {report.failures[:3]}")
    return seconds, report


def _burn(loops: int) -> None:
    total = 0
    for i in range(loops):
        total += i * i


def machine_check() -> None:
    """The same pure-Python loop on 1 and on 2 processes: how much of two cores other processes leave us."""
    loops = 10_000_000
    began = time.perf_counter()
    _burn(loops)
    one = time.perf_counter() - began
    with multiprocessing.get_context("fork").Pool(2) as pool:
        began = time.perf_counter()
        pool.map(_burn, [loops, loops])
        two = time.perf_counter() - began
    print(f"machine check: a CPU loop on 2 processes does {2 * one / two:.2f}x the work of 1 process in the same time "
          f"(2.00 on two free cores); load average {os.getloadavg()[0]:.1f}")


def _cpu_of_finished_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def extractive_run(inbox: Path, out: Path, processes: int) -> tuple[float, float]:
    """Seconds for one full run, and the cores it kept busy (worker CPU / wall; workers end with the run)."""
    before = _cpu_of_finished_children()
    seconds, _ = timed_run(inbox, out, processes, engine="extractive")
    return seconds, (_cpu_of_finished_children() - before) / seconds


def extractive(inbox: Path, work: Path, docs: int) -> None:
    # Alternating rounds, best of each: other processes on a shared machine come and go.
    runs: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for round_ in range(EXTRACTIVE_ROUNDS):
        for processes in (1, 2):
            runs[processes].append(extractive_run(inbox, work / f"extractive-{processes}-{round_}", processes))
    (one, one_cores), (two, two_cores) = min(runs[1]), min(runs[2])
    speedup = one / two
    verdict = "ok" if speedup >= 1.6 else "BELOW TARGET"
    print(f"extractive, {docs} documents (best of {EXTRACTIVE_ROUNDS}): 1 process {docs / one:.1f} docs/s ({one:.1f} s, "
          f"{one_cores:.2f} cores busy), 2 processes {docs / two:.1f} docs/s ({two:.1f} s, {two_cores:.2f} cores busy): "
          f"speed-up {speedup:.2f}x (target >= 1.6) {verdict}; load average {os.getloadavg()[0]:.1f}")


def _verdict(ratio: float) -> str:
    return "ok" if ratio <= 1.15 else "ABOVE TARGET"


def llm(inbox: Path, work: Path, docs: int) -> None:
    # Imported before timing: the ratio measures the batch, not Python importing openai and instructor once.
    import summarizer.engines.llm.extraction  # noqa: F401

    server = LoopbackServer(LATENCY)
    try:
        out = work / "llm"
        common = {"engine": "llm", "base_url": server.base_url, "model": "fake-model", "api_key": "not-needed"}
        ideal = docs * LATENCY / LLM_CONCURRENCY

        # summarize_many alone (the Python API nightly runs on), over the same files.
        sources = [FileSource(path, path.read_bytes()) for path in sorted(inbox.rglob("*.txt"))]
        began = time.perf_counter()
        briefs = summarize_many(sources, concurrency=LLM_CONCURRENCY, settings=make_settings(**common))
        api_seconds = time.perf_counter() - began
        assert len(briefs) == docs
        served = server.count()

        server_cpu, client_cpu = server.cpu_seconds(), time.process_time()
        children_cpu = _cpu_of_finished_children()
        seconds, report = timed_run(inbox, out, LLM_CONCURRENCY, **common)
        requests = server.count() - served
        served += requests
        server_cpu, client_cpu = server.cpu_seconds() - server_cpu, time.process_time() - client_cpu
        children_cpu = _cpu_of_finished_children() - children_cpu
        api_ratio, batch_ratio, ratio = api_seconds / ideal, report.batch_seconds / ideal, seconds / ideal
        print(f"llm, {docs} documents, {LATENCY * 1000:.0f} ms per request, concurrency {LLM_CONCURRENCY}, ideal "
              f"{ideal:.2f} s (target: ratio <= 1.15):\n"
              f"  summarize_many: {api_seconds:.2f} s, ratio {api_ratio:.3f} {_verdict(api_ratio)}\n"
              f"  `nightly`, summarizing (briefs written, ledger kept): {report.batch_seconds:.2f} s, ratio "
              f"{batch_ratio:.3f} {_verdict(batch_ratio)}\n"
              f"  `nightly`, whole run (planning, digest and run report too): {seconds:.2f} s for {requests} requests, "
              f"ratio {ratio:.3f} {_verdict(ratio)}\n"
              f"  CPU of the nightly run: this process {client_cpu:.2f} s, its worker processes {children_cpu:.2f} s "
              f"({(client_cpu + children_cpu) / docs * 1000:.1f} ms per document), server {server_cpu:.2f} s; "
              f"load average {os.getloadavg()[0]:.1f}")

        rerun, report = timed_run(inbox, out, LLM_CONCURRENCY, **common)
        requests = server.count() - served
        verdict = "ok" if rerun < 2 and requests == 0 and report.counts.reused == docs else "MISSED TARGET"
        print(f"re-run with everything done, {docs} documents (in-process): {rerun:.2f} s, {requests} requests, "
              f"{report.counts.reused} reused (target < 2 s, 0 requests) {verdict}")

        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        began = time.perf_counter()
        command = [sys.executable, "-c", "from summarizer.cli import main; main()", "nightly", str(inbox),
                   "--out", str(out), "--engine", "llm", "--base-url", server.base_url, "--model", "fake-model", "-q"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - began
        requests = server.count() - served
        verdict = "ok" if wall < 2 and requests == 0 and done.returncode == 0 else "MISSED TARGET"
        print(f"re-run with everything done, {docs} documents (`summarizer nightly` command, process start "
              f"included): {wall:.2f} s, {requests} requests, exit {done.returncode} (target < 2 s, 0 requests) {verdict}")
    finally:
        server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--skip-extractive", action="store_true")
    parser.add_argument("--skip-llm", action="store_true")
    args = parser.parse_args()
    texts = dev_set_texts()
    origin = "development set + seed" if texts else "test articles + seed"
    texts = [*texts, *bundled_texts()[-1:]] if texts else bundled_texts()
    print(f"{args.docs} documents from {len(texts)} articles ({origin}); {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f} (other processes compete for them: read the figures with it)")
    with tempfile.TemporaryDirectory(prefix="nightly-bench-") as tmp:
        work = Path(tmp)
        inbox = work / "inbox"
        make_corpus(inbox, args.docs, texts, formats=False)
        if not args.skip_extractive:
            machine_check()
            extractive(inbox, work, args.docs)
            machine_check()
        if not args.skip_llm:
            llm(inbox, work, args.docs)


if __name__ == "__main__":
    main()
