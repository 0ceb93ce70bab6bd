"""CPU cost per document of the checks every engine and the Batch API's collect run on a whole source:
the number scans (values_in, number_mentions, readings) and language identification, each beside the
straightforward definition it replaced (tests/reference_quantities.py; py3langid's own feature walk and
a letter count over the whole sample), with a check that both give the same answer on every text.

Texts: the tests' articles (English and French) and the seed, as whole documents. Figures are the best
of several runs (the machine is shared: the minimum is the least disturbed), in milliseconds per document.

    .venv/bin/python benchmarks/per_document_cost.py
"""

from __future__ import annotations

import sys
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import reference_quantities as reference  # noqa: E402
from summarizer import language, numbers, quantities  # noqa: E402

TEXTS = [
    p.read_text(encoding="utf-8")
    for p in [*sorted((ROOT / "tests").rglob("*.txt")), ROOT / "seeds" / "000_ee409ff46c783017.txt"]
    if 500 < p.stat().st_size < 100_000
]


def per_document_ms(function: Callable[[str], object]) -> float:
    best = min(timeit.repeat(lambda: [function(t) for t in TEXTS], number=3, repeat=5)) / 3
    return best / len(TEXTS) * 1e3


def _values_in_unshared(text: str) -> set[float]:
    quantities._shared_mentions.cache_clear()  # as for a new document: its mentions are not read yet
    return quantities.values_in(text)


def _package_identify(text: str) -> tuple[str, float]:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    global _PACKAGE
    if _PACKAGE is None:
        _PACKAGE = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    sample = text[: language.SAMPLE_CHARS]
    sum(ch.isalpha() for ch in sample)  # the letter count identify() made before every classification
    code, probability = _PACKAGE.classify(sample)
    return str(code), float(probability)


def _walked_identify(text: str) -> tuple[str, float]:
    sample = text[: language.SAMPLE_CHARS]
    language.has_letters(sample, language.MIN_LETTERS)
    code, probability = language._identifier().classify(sample)
    return str(code), float(probability)


_PACKAGE = None

ROWS: list[tuple[str, Callable[[str], object], Callable[[str], object]]] = [
    ("values_in (whole source)", reference.values_in, _values_in_unshared),
    ("number_mentions", reference.number_mentions, lambda t: list(quantities._mentions(t, quantities._folded(t)))),
    ("readings", reference.readings, numbers.readings),
    ("language identification", _package_identify, _walked_identify),
]


def main() -> None:
    size = sum(map(len, TEXTS)) / len(TEXTS)
    print(f"{len(TEXTS)} documents, {size:,.0f} characters on average; ms per document (best of 5)")
    print(f"{'':28s} {'before':>8s} {'after':>8s} {'ratio':>6s}  same answers")
    for name, before, after in ROWS:
        same = all(before(t) == after(t) for t in TEXTS)
        b, a = per_document_ms(before), per_document_ms(after)
        print(f"{name:28s} {b:8.3f} {a:8.3f} {b / a:6.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
