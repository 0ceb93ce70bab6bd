"""The file-system cost of the Batch API's carry records (summarizer.batch_api.carry) at a night's scale:
what the submit run's workers spend keeping a record per document, what the collect run's workers spend
reading them back (and, in versions that had it, forgetting each one: `carry.forget`), and what the run's
process spends sweeping them once collected. Two forked workers, as on the 2-core target machine, each
with half the documents; the documents are read (intake) before the clock starts, so only the records'
work is timed. Prints wall seconds and CPU seconds (user + kernel) of each phase, and per document.

Run it from each version's tree to compare them (the same script runs against a version whose
`carry.forget` removes one file a document):

    .venv/bin/python benchmarks/batch_api_carry.py [--docs 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import struct
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch_api import carry  # noqa: E402
from summarizer.intake import Document, from_file_bytes  # noqa: E402
from summarizer.ledger import DocKey  # noqa: E402
from summarizer.nightly.plan import content_hash  # noqa: E402
from tests.nightly.corpus import make_corpus  # noqa: E402

MAX_CHARS = 200_000
Docs = list[tuple[Path, DocKey, Document]]


def _cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def in_workers(parts: list[Docs], job: Callable[[Docs], None]) -> tuple[float, float, float]:
    """`job(part)` in a forked worker per part, at once: wall seconds, and the workers' user and kernel
    CPU seconds spent in `job` alone (each reports its own through a pipe)."""
    began = time.perf_counter()
    children = []
    for part in parts:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            user, system = _cpu()
            job(part)
            after = _cpu()
            os.write(write, struct.pack("dd", after[0] - user, after[1] - system))
            os._exit(0)
        os.close(write)
        children.append((pid, read))
    user = system = 0.0
    for pid, read in children:
        spent = struct.unpack("dd", os.read(read, 16))
        os.close(read)
        os.waitpid(pid, 0)
        user, system = user + spent[0], system + spent[1]
    return time.perf_counter() - began, user, system


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    forget = getattr(carry, "forget", None)  # one file a document: each removed by the collect's worker
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_corpus(Path(tmp) / "inbox", ns.docs)
        docs: Docs = []
        for path in paths:
            data = path.read_bytes()
            docs.append((path, DocKey(content_hash(data), "llm", "gpt-4o-mini", "brief-2"),
                         from_file_bytes(data, path, max_chars=MAX_CHARS)))
        parts = [docs[0::2], docs[1::2]]
        print(f"{ns.docs:,} documents, 2 workers; seconds: wall (user + kernel CPU of the workers)")
        for attempt in range(ns.repeat):
            folder = Path(tmp) / f"read-{attempt}"

            def keep(part: Docs) -> None:
                for _, key, doc in part:
                    carry.keep(folder, key, doc, MAX_CHARS, None)

            def load(part: Docs) -> None:
                for path, key, doc in part:
                    assert carry.load(folder, key, path, MAX_CHARS) == (doc, None)
                    if forget is not None:
                        forget(folder, key)

            kept = in_workers(parts, keep)
            loaded = in_workers(parts, load)
            user, system = _cpu()
            began = time.perf_counter()
            carry.sweep(folder, set())
            swept = time.perf_counter() - began, *(b - a for a, b in zip((user, system), _cpu(), strict=True))
            assert not any(folder.iterdir())
            total = kept[0] + loaded[0] + swept[0]
            print(f"  keep {kept[0]:5.2f} ({kept[1]:.2f} + {kept[2]:.2f})   "
                  f"load{' + forget' if forget else ''} {loaded[0]:5.2f} ({loaded[1]:.2f} + {loaded[2]:.2f})   "
                  f"sweep {swept[0]:5.2f} ({swept[1]:.2f} + {swept[2]:.2f})   "
                  f"all {total:5.2f} s wall, {1000 * total / ns.docs:.3f} ms a document")


if __name__ == "__main__":
    main()
