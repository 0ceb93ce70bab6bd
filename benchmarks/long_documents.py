"""Time and peak memory of the extractive brief of one long document, at 100K, 300K and 1M characters.

Each long text joins distinct articles (the test articles, the seed and the development set in
../shared/data/gum-news), the same articles reshuffled for each round until the length is reached,
cut at a paragraph. Each size runs in a fresh process (`summarize(text, engine="extractive")`, the
whole pipeline: cleaning, spaCy, rules, grounding, support, verification), so its peak RSS is its own;
"model" is the RSS once spaCy's model is loaded, before the document; "CPU s" the process's CPU time for
the brief, which a busy shared machine inflates less than the wall-clock seconds. Targets: 1,000,000 characters
in under 60 s and 1 GB. The check column says every evidence quote slices the source at its offsets.

With --french the articles are the French test articles (tests/data/fr and the llm tests' French
article), read by the French rules.

    .venv/bin/python benchmarks/long_documents.py [--sizes 100000 300000 1000000] [--dev-set DIR] [--french]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEV_SET = ROOT.parent / "shared" / "data" / "gum-news"
TARGET_S = 60.0
TARGET_MB = 1024


def articles(dev_set: Path, french: bool = False) -> list[str]:
    """Distinct articles: the tests' own, the seed, and the development set's when it is there."""
    from tests.nightly import corpus

    if french:
        paths = [*sorted((ROOT / "tests" / "data" / "fr").glob("*.txt")), ROOT / "tests" / "llm" / "articles" / "coree_du_nord_fr.txt"]
        return [p.read_text(encoding="utf-8").strip() for p in paths]

    texts = [text for _, text in corpus.bundled_texts()]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "local" / "articles").glob("*.txt"))]
    corpus.DEV_SET = dev_set / "dep"
    texts += [text for _, text in corpus.dev_set_texts()]
    return [t.strip() for t in texts]


def long_text(length: int, dev_set: Path, french: bool = False) -> str:
    pool = articles(dev_set, french)
    rng = random.Random(length)
    parts: list[str] = []
    total = 0
    while total < length:
        rng.shuffle(pool)
        for text in pool:
            parts.append(text + "\n\n")
            total += len(parts[-1])
            if total >= length:
                break
    text = "".join(parts)[:length]
    cut = text.rfind("\n\n")
    return text[: cut + 1] if cut > length // 2 else text


def measure(length: int, dev_set: Path, french: bool = False) -> dict[str, object]:
    """One size, in this process: the figures as a dict."""
    from summarizer import summarize
    from summarizer.engines.extractive.lang_fr import FRENCH
    from summarizer.engines.extractive.nlp import MODEL, load_nlp

    text = long_text(length, dev_set, french)
    load_nlp(FRENCH.model if french else MODEL)
    model_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu = time.perf_counter(), time.process_time()
    brief = summarize(text, engine="extractive", max_chars=max(5_000_000, len(text)))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    items = [*brief.actors, *brief.claims, *brief.figures, *brief.uncertainties]
    exact = all(text[ev.start : ev.end] == ev.quote for item in items for ev in item.evidence if ev.start is not None)
    return {
        "chars": len(text),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "model_mb": round(model_mb),
        "items": [len(brief.actors), len(brief.claims), len(brief.figures), len(brief.uncertainties)],
        "exact": exact,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--dev-set", type=Path, default=DEV_SET, help="the gum-news folder (default: %(default)s)")
    parser.add_argument("--french", action="store_true", help="French articles, read by the French rules")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process measuring one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.dev_set, args.french)))
        return
    if not (args.dev_set / "dep").is_dir():
        print(f"development set not found at {args.dev_set}: test articles only", file=sys.stderr)
    print(f"{'chars':>10} {'seconds':>8} {'CPU s':>6} {'chars/s':>8} {'peak MB':>8} {'model MB':>9}  actors/claims/figures/uncertainties  exact")
    for size in args.sizes:
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--dev-set", str(args.dev_set), *(["--french"] if args.french else [])],
            capture_output=True, text=True, check=False,
        )
        if child.returncode != 0:
            print(f"{size:>10,} failed: {child.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(child.stdout.strip().splitlines()[-1])
        chars, seconds, peak = int(r["chars"]), float(r["seconds"]), int(r["peak_mb"])
        within = "" if size < 1_000_000 else ("  within target" if seconds < TARGET_S and peak < TARGET_MB else "  OVER TARGET")
        items = "/".join(str(n) for n in r["items"])
        print(
            f"{chars:>10,} {seconds:>8.1f} {float(r['cpu_seconds']):>6.1f} {chars / max(seconds, 1e-9):>8,.0f} {peak:>8,} {r['model_mb']:>9,}  "
            f"{items:>35}  {r['exact']}{within}",
            flush=True,
        )


if __name__ == "__main__":
    main()
