"""The support checks' false-drop rate on the extractive engine's own output (its evidence is its sentence,
so every drop would be a false one): the development set (../shared/data/gum-news), the test articles and
the seed. Target: 0 items dropped.

    .venv/bin/python benchmarks/support_checks.py [--show]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from extractive_quality import load_articles  # noqa: E402
from summarizer.engines.extractive.engine import extract  # noqa: E402
from summarizer.grounding import ground  # noqa: E402
from summarizer.support import check_support  # noqa: E402
from summarizer.text import clean  # noqa: E402

FIELDS = ("actors", "claims", "figures", "uncertainties")


def texts() -> list[tuple[str, str]]:
    out = [(f"dev/{a.name}", a.text) for a in load_articles()]
    articles = sorted((ROOT / "tests" / "nightly" / "articles").glob("*.txt"))
    out += [(f"articles/{p.stem}", p.read_text(encoding="utf-8")) for p in articles]
    out.append(("seed", (ROOT / "seeds" / "000_ee409ff46c783017.txt").read_text(encoding="utf-8")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print every dropped item")
    args = parser.parse_args()
    kept: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    seconds = 0.0
    documents = texts()
    for name, text in documents:
        cleaned = clean(text)
        grounded, _ = ground(extract(cleaned).draft, cleaned)
        began = time.perf_counter()
        result = check_support(grounded, cleaned)
        seconds += time.perf_counter() - began
        for field in FIELDS:
            kept[field] += len(getattr(result.draft, field))
        kept["summary"] += bool(grounded.summary) and not any(d.field == "summary" for d in result.dropped)
        for item in result.dropped:
            dropped[item.field] += 1
            if args.show:
                print(f"{name}: {item.field} {item.code.value}: {item.text[:100]!r}")
    print(f"{len(documents)} documents; support checks {1000 * seconds / len(documents):.1f} ms per document")
    for field in (*FIELDS, "summary"):
        total = kept[field] + dropped[field]
        rate = f"{dropped[field] / total:.1%}" if total else "-"
        print(f"  {field:14} {dropped[field]:4} dropped of {total:5}  false-drop rate {rate}")


if __name__ == "__main__":
    main()
