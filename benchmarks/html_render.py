"""Review page rendering: time and size for the seed brief and for a long document with many spans.

    .venv/bin/python benchmarks/html_render.py

The long document is the seed article repeated 40 times (about 190,000 characters) and its brief cites
every quote of the seed brief in every copy, so the page carries 40 times the spans.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from summarizer.schema import Draft, Evidence  # noqa: E402
from summarizer.render import to_html  # noqa: E402
from tests.conftest import SEED  # noqa: E402
from tests.html.conftest import make_brief, seed_draft  # noqa: E402

COPIES = 40


def repeated_draft(seed: str, copies: int) -> Draft:
    """The seed draft with every quote cited once per copy, at exact offsets (grounding keeps those)."""
    draft = seed_draft()
    for field in ("actors", "claims", "figures", "uncertainties"):
        for item in getattr(draft, field):
            starts = [(ev.quote, seed.index(ev.quote)) for ev in item.evidence]
            item.evidence = [
                Evidence(quote=quote, start=at + k * len(seed), end=at + k * len(seed) + len(quote))
                for quote, at in starts
                for k in range(copies)
            ]
    return draft


def main() -> None:
    seed = SEED.read_text(encoding="utf-8")
    cases = [("seed", seed, seed_draft()), (f"seed x{COPIES}", seed * COPIES, repeated_draft(seed, COPIES))]
    for name, text, draft in cases:
        brief = make_brief(text, draft)
        spans = len(brief.evidence_items())
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            html = to_html(brief)
            best = min(best, time.perf_counter() - started)
        size = len(html.encode("utf-8"))
        print(f"{name}: {len(text):,} chars, {spans:,} spans -> {size:,} bytes of HTML, best of 3 {best * 1000:.0f} ms")


if __name__ == "__main__":
    main()
