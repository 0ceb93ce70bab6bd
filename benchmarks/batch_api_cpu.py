"""CPU per document of a Batch API night's own work: the submit run (reading each document and building
its requests) and the collect run (reading it back, parsing the answer, grounding, checking, verifying,
writing the brief's files), against the loopback Batch API of the tests, in this process with one worker
so that every millisecond is counted here (no forked workers, whose time this process would not see).

Prints, in milliseconds of CPU per document: each run as a whole (with what is not per document: the
digest, the story index, imports), and the per-document part alone (`request_lines` at submit,
`settle_answers` at collect). A shared machine slows every figure alike: compare two versions by running
this for each in turn, or better, alternately.

    .venv/bin/python benchmarks/batch_api_cpu.py [--docs 600]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.batch_api import run as batch_run  # noqa: E402
from summarizer.batch_api import work  # noqa: E402
from summarizer.cli import main as cli  # noqa: E402
from tests.nightly.corpus import make_corpus  # noqa: E402
from tests.support.batch_server import FakeBatchAPI  # noqa: E402


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process so far: in user mode, and in the kernel (file system calls)."""
    times = os.times()
    return times.user, times.system


def _counted(function: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        user, system = _cpu()
        try:
            return function(*args, **kwargs)
        finally:
            now = _cpu()
            spent[0] += now[0] - user
            spent[1] += now[1] - system

    return timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=600)
    docs = parser.parse_args().docs
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "SUMMARIZER_")):
            del os.environ[name]
    submit_part, collect_part = [0.0, 0.0], [0.0, 0.0]
    work.request_lines = _counted(work.request_lines, submit_part)  # type: ignore[assignment]
    batch_run.request_lines = work.request_lines  # type: ignore[attr-defined]
    batch_run.settle_answers = _counted(work.settle_answers, collect_part)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp, FakeBatchAPI(lifetime=3600) as api:
        inbox, out = Path(tmp) / "inbox", Path(tmp) / "out"
        make_corpus(inbox, docs)
        args = ["summarizer", "nightly", str(inbox), "--out", str(out), "--engine", "llm", "--base-url", api.base_url,
                "--model", "gpt-4o-mini", "--batch-api", "--no-cross-check", "--quiet", "--concurrency", "1"]

        def one_run() -> tuple[float, float]:
            sys.argv = args
            user, system = _cpu()
            try:
                cli()
            except SystemExit as exit_:
                if exit_.code:
                    raise
            now = _cpu()
            return now[0] - user, now[1] - system

        submit = one_run()
        api.finish_all()
        collect = one_run()
        done = len(list((out / "briefs").glob("*.json")))
    assert done == docs, f"{done} briefs for {docs} documents"
    per = 1e3 / docs
    print(f"{docs} documents, CPU ms per document (this process, one worker): user + system")
    for name, whole, part, what in (("submit", submit, submit_part, "request_lines"),
                                    ("collect", collect, collect_part, "settle_answers")):
        print(f"  {name:7s} run {whole[0] * per:6.2f} + {whole[1] * per:5.2f}   "
              f"of which {what:14s} {part[0] * per:6.2f} + {part[1] * per:5.2f}")


if __name__ == "__main__":
    main()
