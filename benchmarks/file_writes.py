"""What `write_atomically` costs when two worker processes write a night's files into one folder, as a
Batch API collect does (three files per brief): unnamed files linked in place (O_TMPFILE, Linux) against
temporary names renamed over their targets, run alternately on the shared machine.

Prints, for each way and round, the wall time and the two processes' user and system CPU. A file system
that has just deleted many files (the rounds before, a test run) makes new files dearer for a while: the
ratio between the two ways in one round is the figure to read, not the seconds.

    .venv/bin/python benchmarks/file_writes.py [--files 15000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import atomic  # noqa: E402

PAYLOAD = b"x" * 12_000  # about a brief's JSON


def _write(folder: str, worker: int, files: int, unnamed: bool) -> tuple[float, float]:
    if not unnamed:
        atomic._UNNAMED = 0
    began = os.times()
    for i in range(files):
        atomic.write_atomically(Path(folder) / f"brief-{worker}-{i}.json", PAYLOAD, durable=False)
    ended = os.times()
    return ended.user - began.user, ended.system - began.system


def _round(files: int, unnamed: bool) -> tuple[float, float, float]:
    folder = tempfile.mkdtemp(prefix="file-writes-")
    try:
        began = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(2) as pool:
            cpu = pool.starmap(_write, [(folder, worker, files, unnamed) for worker in range(2)])
        wall = time.perf_counter() - began
        assert len(os.listdir(folder)) == 2 * files
    finally:
        shutil.rmtree(folder)
    return wall, sum(user for user, _ in cpu), sum(system for _, system in cpu)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=15_000, help="files each of the two processes writes")
    parser.add_argument("--rounds", type=int, default=2)
    ns = parser.parse_args()
    if not atomic._UNNAMED:
        sys.exit("no unnamed files on this system (O_TMPFILE and /proc): every file takes a temporary name")
    print(f"2 processes x {ns.files:,} files of {len(PAYLOAD):,} bytes into one folder")
    for n in range(ns.rounds):
        ways = [("unnamed, linked", True), ("named, renamed", False)]
        for label, unnamed in ways if n % 2 == 0 else ways[::-1]:
            wall, user, system = _round(ns.files, unnamed)
            print(f"round {n + 1}  {label:16s} {wall:6.2f} s wall   user {user:5.2f} s   system {system:6.2f} s")


if __name__ == "__main__":
    main()
