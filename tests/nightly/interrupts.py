"""Interrupting `summarizer nightly` at random moments under CPU load, and what must hold afterwards.

Shared by tests/nightly/test_interrupts.py (a few runs) and benchmarks/nightly_interrupts.py (as many as
asked). A run is interrupted the three ways it is in practice: Ctrl-C on a terminal (SIGINT to the whole
process group), systemd stopping a unit (SIGTERM to every process of its control group) and `kill PID` or
timeout(1) (SIGTERM to the run's own process only).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.engines import cores
from summarizer.schema import Brief
from tests.nightly.conftest import CLI, ROOT, clean_env

# (name, signal, to the whole process group)
WAYS = (("ctrl-c", signal.SIGINT, True), ("systemd stop", signal.SIGTERM, True), ("kill PID", signal.SIGTERM, False))
EXIT_LIMIT = 5.0
BEGIN_LINE = "summarizer: nightly:"


@contextlib.contextmanager
def cpu_load(processes: int | None = None) -> Iterator[list[int]]:
    """Busy processes, one per core by default, for as long as the block runs; their pids."""
    busy = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdin=subprocess.DEVNULL)
        for _ in range(processes or cores())
    ]
    try:
        yield [process.pid for process in busy]
    finally:
        for process in busy:
            process.kill()
        for process in busy:
            process.wait()


@dataclass
class Interruption:
    way: str
    delay: float  # seconds after the run said what it would do
    exit_seconds: float | None  # from the signal to the exit; None: still running after the limit
    returncode: int | None
    stderr: str
    done: int = 0  # documents the ledger has done: how far the run got
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _workers_left(out: Path) -> list[int]:
    """Processes still running with `out` in their command line: the run's forked workers."""
    left = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):  # the process ended meanwhile
            if str(out).encode() in cmdline.read_bytes():
                left.append(int(cmdline.parent.name))
    return left


def done_count(out: Path) -> int:
    if not (out / "ledger.sqlite3").exists():
        return 0
    db = sqlite3.connect(out / "ledger.sqlite3")
    try:
        return int(db.execute("SELECT count(*) FROM documents WHERE status = 'done'").fetchone()[0])
    finally:
        db.close()


def ledger_problems(out: Path) -> list[str]:
    """What is inconsistent between the ledger and the files of an interrupted run (nothing, if all is well).

    A done row has both brief files, whole and of its own document and engine; nothing failed because
    of the interruption (in-flight documents go back to pending); no run is left "running"; no
    temporary file is left behind.
    """
    problems: list[str] = []
    ledger = out / "ledger.sqlite3"
    if not ledger.exists():
        return problems  # interrupted before the run opened its ledger
    db = sqlite3.connect(ledger)
    db.row_factory = sqlite3.Row
    try:
        rows = [dict(row) for row in db.execute("SELECT * FROM documents")]
        runs = [dict(row) for row in db.execute("SELECT * FROM runs")]
    finally:
        db.close()
    for row in rows:
        if row["status"] == "failed":
            problems.append(f"{row['path']}: failed ({row['last_error']})")
        if row["status"] != "done":
            continue
        try:
            brief = Brief.model_validate_json((out / row["brief_json"]).read_bytes())
        except (OSError, ValueError) as exc:
            problems.append(f"{row['path']}: done, but its brief {row['brief_json']} is not readable: {exc}")
            continue
        if not (out / row["brief_md"]).is_file():
            problems.append(f"{row['path']}: done, but {row['brief_md']} is missing")
        if (brief.provenance.engine, brief.provenance.prompt_version) != (row["engine"], row["prompt_version"]):
            problems.append(f"{row['path']}: done, but {row['brief_json']} is another engine's brief")
    problems += [f"run {run['run_id']} left as {run['status']}" for run in runs if run["status"] == "running"]
    problems += [f"temporary file left: {path}" for path in out.rglob(".*.tmp")]
    return problems


def interrupt_run(inbox: Path, out: Path, way: str, delay: float, *, extra: tuple[str, ...] = ()) -> Interruption:
    """Start a nightly run over `inbox`, signal it `delay` seconds after its first line, check what it left."""
    name, sig, to_group = next(w for w in WAYS if w[0] == way)
    process = subprocess.Popen(
        [*CLI, "nightly", str(inbox), "--out", str(out), "--engine", "extractive", *extra],
        cwd=ROOT, env=clean_env(), text=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True,
    )
    assert process.stderr is not None
    lines: list[str] = []
    began = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            if line.startswith(BEGIN_LINE):
                began.set()
        began.set()  # the run ended (or failed) before saying what it would do

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    began.wait(120)
    time.sleep(delay)
    signalled = time.monotonic()
    with contextlib.suppress(ProcessLookupError):  # it finished meanwhile
        (os.killpg if to_group else os.kill)(process.pid, sig)
    try:
        process.wait(EXIT_LIMIT)
        exit_seconds: float | None = time.monotonic() - signalled
    except subprocess.TimeoutExpired:
        exit_seconds = None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    reader.join(10)
    stderr = "".join(lines)
    result = Interruption(name, delay, exit_seconds, process.returncode, stderr)
    if exit_seconds is None:
        result.problems.append(f"still running {EXIT_LIMIT:g} s after the signal")
    finished = "nightly finished:" in stderr  # the signal came after the run's end
    if process.returncode != (0 if finished else 130):
        result.problems.append(f"exit code {process.returncode}")
    if "Traceback" in stderr or "Exception ignored" in stderr:
        result.problems.append("a traceback on stderr")
    deadline = time.monotonic() + 2
    while _workers_left(out) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _workers_left(out):
        result.problems.append(f"worker processes outlived the run: {_workers_left(out)}")
    result.problems += ledger_problems(out)
    result.done = done_count(out)
    if "nightly interrupted:" in stderr:
        reports = sorted((out / "runs").glob("*.json"))
        if not reports or json.loads(reports[-1].read_text(encoding="utf-8"))["status"] != "interrupted":
            result.problems.append("no run report saying interrupted")
    return result


def interrupt_runs(inbox: Path, folder: Path, count: int, *, seed: int, window: float) -> list[Interruption]:
    """`count` runs, each into a fresh folder, interrupted a random way at a random moment in `window` seconds."""
    rng = random.Random(seed)
    return [
        interrupt_run(inbox, folder / f"out-{number}", rng.choice(WAYS)[0], rng.uniform(0, window))
        for number in range(count)
    ]
