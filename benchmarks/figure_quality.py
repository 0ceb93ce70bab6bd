"""Quality of the extractive engine's figures, printed as precision, recall and F1.

Two sets:

(a) `benchmarks/data/figures.jsonl`: hand-written sentences, one line each, for every kind of figure
    news text writes (scales, ranges, negatives, numbers in names and dates, units, rates, currencies,
    implicit quantities, qualifiers), with gold value, value_max, unit, currency and per. The rules were
    written against it; `figures_heldout.jsonl` (a') was written afterwards and never used to tune them.
(b) the development set ../shared/data/gum-news, scored against silver gold read from its Universal
    Dependencies layer: every cardinal number (UPOS NUM) outside a date or clock time (a GUM time entity
    with a month, weekday, year, "ago" or a clock in it; durations stay) and not attached to a
    proper noun (a name), consecutive number words joined ("four thousand"); its unit is "%" or the
    currency of a sign next to it, else the noun it modifies (deprel nummod); "dozens/hundreds/thousands
    of" count too. GUM has no quantity layer, so other implicit quantities ("half", "one of the") are not
    in this gold (precision there is a floor), and a range is scored as its two ends.

A predicted figure matches a gold figure on value (and value_max when either has one); "value+unit"
also needs the same unit, compared by canonical name ('kilometres' = 'km', 'euros' = 'EUR', a plural s
set aside). Figures are read from the full pipeline (`summarize`, extractive engine), so what the
support checks drop is not counted.

    .venv/bin/python benchmarks/figure_quality.py [--engine-root PATH] [--show-misses]

--engine-root runs the engine of another checkout (e.g. the base commit, for "before") while the
scoring stays this file's.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "benchmarks" / "data" / "figures.jsonl"
# Written after the rules, never used to tune them: the table score to trust.
HELD_OUT = ROOT / "benchmarks" / "data" / "figures_heldout.jsonl"
# Beside the checkout (/work/main), or two levels up from a worktree (/work/wt/NAME).
DEV_SET = next(
    (p / "shared" / "data" / "gum-news" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared" / "data" / "gum-news").exists()),
    ROOT.parent / "shared" / "data" / "gum-news",
)
_TOLERANCE = 1e-3


def _load_units() -> ModuleType:
    # The scoring's unit names come from this checkout, whichever engine runs.
    spec = importlib.util.spec_from_file_location("figure_units", ROOT / "summarizer" / "units.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UNITS = _load_units()


@dataclass
class Gold:
    value: float
    value_max: float | None = None
    unit: str | None = None
    currency: str | None = None
    per: str | None = None
    span: tuple[int, int] | None = None


@dataclass
class Counts:
    gold: int = 0
    predicted: int = 0
    value_ok: int = 0
    unit_gold: int = 0  # gold figures that have a unit
    unit_predicted: int = 0  # predictions not matched to a gold figure without a unit
    unit_ok: int = 0
    currency_gold: int = 0
    currency_ok: int = 0
    per_gold: int = 0
    per_ok: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
            else:
                getattr(self, name).extend(value)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= _TOLERANCE * max(1.0, abs(a), abs(b))


def _same_unit(pred: str | None, gold: str | None) -> bool:
    if pred is None or gold is None:
        return pred is None and gold is None
    return bool(UNITS.unit_key(pred) == UNITS.unit_key(gold))


def _value_match(fig: Any, gold: Gold) -> bool:
    if not _close(fig.value, gold.value):
        return False
    return fig.value_max is None and gold.value_max is None or _close(fig.value_max, gold.value_max)


@dataclass
class _End:
    """One end of a predicted range, scored as a number of its own against gold that has no ranges."""

    text: str
    value: float | None
    value_max: None
    unit: str | None
    currency: str | None
    per: str | None
    evidence: list[Any]


def _ends(figures: list[Any]) -> list[Any]:
    out: list[Any] = []
    for f in figures:
        cur, per = getattr(f, "currency", None), getattr(f, "per", None)
        for v in [f.value] + ([f.value_max] if f.value_max is not None else []):
            out.append(_End(f.text, v, None, f.unit, cur, per, f.evidence))
    return out


def score(figures: list[Any], golds: list[Gold], label: str) -> Counts:
    if golds and golds[0].span is not None:
        figures = _ends(figures)  # silver gold has single numbers: each end of a range is one
    c = Counts(gold=len(golds), predicted=len(figures))
    free = list(range(len(figures)))
    matched_without_unit = 0
    for gold in golds:
        # Prefer a figure at the gold's place, then any with the value.
        candidates = [i for i in free if _value_match(figures[i], gold)]
        if gold.span is not None:
            placed = [i for i in candidates if _overlaps(figures[i], gold.span)]
            candidates = placed
        c.unit_gold += gold.unit is not None
        c.currency_gold += gold.currency is not None
        c.per_gold += gold.per is not None
        if not candidates:
            c.misses.append(f"{label}: missed {gold.value}{'-' + str(gold.value_max) if gold.value_max else ''} {gold.unit or ''}")
            continue
        i = next((i for i in candidates if _same_unit(figures[i].unit, gold.unit)), candidates[0])
        free.remove(i)
        fig = figures[i]
        c.value_ok += 1
        if gold.unit is None:
            matched_without_unit += 1
            continue
        if _same_unit(fig.unit, gold.unit):
            c.unit_ok += 1
        else:
            c.misses.append(f"{label}: unit {fig.unit!r} for {gold.unit!r} ({fig.text!r})")
        currency = getattr(fig, "currency", None) or (UNITS.currency_code(fig.unit) if fig.unit else None)
        c.currency_ok += gold.currency is not None and currency == gold.currency
        c.per_ok += gold.per is not None and _same_unit(getattr(fig, "per", None), gold.per)
    for i in free:
        c.misses.append(f"{label}: extra {figures[i].text!r} = {figures[i].value} {figures[i].unit or ''}")
    c.unit_predicted = len(figures) - matched_without_unit
    return c


def _overlaps(fig: Any, span: tuple[int, int]) -> bool:
    return any(ev.start is not None and ev.start < span[1] and span[0] < ev.end for ev in fig.evidence)


# --- (a) the hand-written table ----------------------------------------------------------------


def table_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_table(summarize: Any, path: Path) -> tuple[Counts, dict[str, Counts]]:
    total, by_kind = Counts(), defaultdict(Counts)
    for n, row in enumerate(table_rows(path), 1):
        brief = summarize("Figures\n\n" + row["text"] + "\n", engine="extractive")
        golds = [
            Gold(
                value=g["value"],
                value_max=g.get("value_max"),
                unit=g.get("unit"),
                currency=g.get("currency"),
                per=g.get("per"),
            )
            for g in row["figures"]
        ]
        c = score(brief.figures, golds, f"{path.stem} {n} {row['kind']}")
        total.add(c)
        by_kind[row["kind"]].add(c)
    return total, by_kind


# --- (b) the development set ---------------------------------------------------------------------

_DATE_WORDS = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b1[5-9]\d\d\b|\b20\d\d\b"
    r"|\d:\d|\b[ap]\.?m\b|\bago\b|\bGMT\b|\bUTC\b|\bo'clock\b",
    re.IGNORECASE,
)
_PLURAL = {"dozens": 12, "hundreds": 100, "thousands": 1e3, "millions": 1e6, "billions": 1e9}
_CURRENCY_SIGN = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}


def gum_articles() -> list[tuple[str, str, list[Gold]]]:
    """(name, text, silver gold figures) for every article of the development set."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from extractive_quality import _parse_conllu  # noqa: PLC0415 - the same text rebuild as the other benchmark

    out = []
    for path in sorted((DEV_SET / "dep").glob("GUM_news_*.conllu")):
        text, tokens, mentions = _parse_conllu(path)
        # GUM's time entities hold dates and clock times (not figures) but also durations ("four
        # hours"), which are quantities: only a time entity that reads as a date or a clock is left out.
        in_time = {
            i
            for m in mentions
            if m.etype == "time" and _DATE_WORDS.search(text[m.start : m.end])
            for i in range(m.start_token, m.end_token + 1)
        }
        by_index = {t.index: t for t in tokens}
        golds: list[Gold] = []
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            plural = _PLURAL.get(tok.form.lower())
            after = by_index.get(tok.index + 1)
            if plural and after is not None and after.form.lower() == "of" and tok.index not in in_time:
                # "hundreds of people": UD tags the word NOUN, but it states a quantity
                inner = by_index.get(tok.index + 2)
                if inner is not None and inner.form.lower() in _PLURAL:  # "hundreds of thousands of"
                    plural *= _PLURAL[inner.form.lower()]
                    i += 2
                obj = next((t for t in tokens[i + 2 : i + 5] if t.upos == "NOUN"), None)
                unit = obj.form.lower() if obj is not None and obj.upos == "NOUN" else None
                golds.append(Gold(value=plural, unit=unit, span=(tok.start, tok.end)))
                i += 1
                continue
            if tok.upos != "NUM" or tok.index in in_time:
                i += 1
                continue
            j = i + 1
            while j < len(tokens) and tokens[j].upos == "NUM" and tokens[j].index not in in_time:
                j += 1
            run = tokens[i:j]
            i = j
            head = by_index.get(run[-1].head)
            value = _number(" ".join(t.form for t in run))
            if value is None or (head is not None and head.upos == "PROPN"):
                continue
            unit = None
            before = by_index.get(run[0].index - 1)
            after = by_index.get(run[-1].index + 1)
            if before is not None and before.form in _CURRENCY_SIGN:
                unit = _CURRENCY_SIGN[before.form]
            elif after is not None and after.form.lower() in ("%", "percent"):
                unit = "%"
            elif head is not None and run[-1].deprel == "nummod" and head.upos == "NOUN":
                unit = head.form.lower()
            golds.append(Gold(value=value, unit=unit, span=(run[0].start, run[-1].end)))
        out.append((path.stem.removeprefix("GUM_news_"), text, golds))
    return out


_WORDS = {
    **{w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve thirteen "
                                   "fourteen fifteen sixteen seventeen eighteen nineteen".split())},
    **{w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())},
}
_SCALE = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def _number(text: str) -> float | None:
    """The value of a gold number (an independent reading, not the engine's parser)."""
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", text.lower()):
        if re.fullmatch(r"\d[\d,]*(\.\d+)?", word):
            current += float(word.replace(",", ""))
        elif word in _WORDS:
            current += _WORDS[word]
        elif word in _SCALE:
            current = (current or 1) * _SCALE[word]
            if _SCALE[word] >= 1e3:
                total, current = total + current, 0.0
        elif word == "and":
            continue
        else:
            return None
        seen = True
    return total + current if seen else None


def run_gum(summarize: Any) -> Counts:
    total = Counts()
    for name, text, golds in gum_articles():
        brief = summarize(text, engine="extractive")
        total.add(score(brief.figures, golds, f"gum {name}"))
    return total


# --- a library for comparison ---------------------------------------------------------------------


def quantulum3_summarize(text: str, engine: str | None = None) -> Any:
    """quantulum3's quantities in the shape `score` reads, so the same scoring compares it."""
    from types import SimpleNamespace  # noqa: PLC0415

    from quantulum3 import classifier, parser  # noqa: PLC0415 - an optional comparison, not a dependency

    # Its pickled unit classifier needs the scikit-learn it was saved with (1.8); the venv has 1.9, so
    # the comparison runs its rule-based disambiguation.
    classifier.USE_CLF = False

    figures = []
    for q in parser.parse(text):
        currency = getattr(q.unit, "currency_code", None) or None
        unit = q.unit.name
        unit = currency or {"dimensionless": None, "percentage": "%"}.get(unit, unit)
        evidence = [SimpleNamespace(start=q.span[0], end=q.span[1])]
        figures.append(
            SimpleNamespace(text=q.surface, value=q.value, value_max=None, unit=unit, currency=currency, per=None, evidence=evidence)
        )
    return SimpleNamespace(figures=figures)


# --- printing --------------------------------------------------------------------------------------


def _prf(ok: int, predicted: int, gold: int) -> str:
    p = ok / predicted if predicted else 0.0
    r = ok / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return f"P {p:.3f}  R {r:.3f}  F1 {f:.3f}"


def report(title: str, c: Counts) -> None:
    print(title)
    print(f"  value       {_prf(c.value_ok, c.predicted, c.gold)}   ({c.value_ok} of {c.gold} gold, {c.predicted} predicted)")
    print(f"  value+unit  {_prf(c.unit_ok, c.unit_predicted, c.unit_gold)}   ({c.unit_ok} of {c.unit_gold} gold with a unit)")
    if c.currency_gold or c.per_gold:
        print(f"  currency ISO code right  {c.currency_ok}/{c.currency_gold}   per right  {c.per_ok}/{c.per_gold}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-root", type=Path, default=ROOT, help="the checkout whose engine runs")
    parser.add_argument("--show-misses", action="store_true")
    parser.add_argument("--table-only", action="store_true")
    parser.add_argument(
        "--library", choices=["quantulum3"], help="score a quantity library instead of the engine (installed apart)"
    )
    parser.add_argument("--library-path", type=Path, help="where that library is installed (pip install --target)")
    args = parser.parse_args()
    sys.path.insert(0, str(args.engine_root.resolve()))
    if args.library_path:
        sys.path.append(str(args.library_path))
    if args.library == "quantulum3":
        summarize = quantulum3_summarize
        print("library: quantulum3")
    else:
        from summarizer import summarize  # noqa: PLC0415 - imported from the chosen checkout

        print(f"engine: {args.engine_root.resolve()}")
    misses = print_scores(summarize, table_only=args.table_only)
    if args.show_misses:
        for line in misses:
            print("  " + line)


def print_scores(summarize: Callable[..., Any], *, table_only: bool = False) -> list[str]:
    """Print value and value+unit P/R/F1 on both hand-written tables and the development set; the misses."""
    misses: list[str] = []
    for label, path in (("(a) hand-written table", TABLE), ("(a') held-out hand-written table", HELD_OUT)):
        total, by_kind = run_table(summarize, path)
        misses += total.misses
        report(f"{label}, {len(table_rows(path))} sentences ({path.relative_to(ROOT)})", total)
        _by_kind(by_kind)
    if not table_only and DEV_SET.exists():
        gum = run_gum(summarize)
        report(f"(b) development set {DEV_SET} (silver gold from UD number tags)", gum)
        misses += gum.misses
    return misses


def _by_kind(by_kind: dict[str, Counts]) -> None:
    for kind, c in sorted(by_kind.items()):
        if c.gold:
            print(f"    {kind:10} value {_prf(c.value_ok, c.predicted, c.gold)} | +unit {_prf(c.unit_ok, c.unit_predicted, c.unit_gold)}")
        else:
            print(f"    {kind:10} no figure in gold; figures given: {c.predicted}")


if __name__ == "__main__":
    main()
