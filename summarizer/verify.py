"""Verification: check the grounded draft against the source without any model."""

from __future__ import annotations

import re

from summarizer.schema import Draft, Verification
from summarizer.text import CleanText

_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def _numbers(text: str) -> set[float]:
    out = set()
    for m in _NUMBER.finditer(text):
        try:
            out.add(float(m.group().replace(",", "")))
        except ValueError:
            continue
    return out


def verify(draft: Draft, clean: CleanText) -> tuple[Draft, Verification]:
    """Figures whose number is not in their evidence, and source numbers no figure covers."""
    mismatches = []
    covered: set[float] = set()
    for fig in draft.figures:
        quoted = set().union(*(_numbers(ev.quote) for ev in fig.evidence)) if fig.evidence else set()
        covered |= quoted
        if fig.value is not None and fig.value not in quoted and any(ch.isdigit() for ch in fig.text):
            mismatches.append(fig.text)
    missed = sorted({m.group() for m in _NUMBER.finditer(clean.text) if not _numbers(m.group()) <= covered})
    return draft, Verification(figures_checked=len(draft.figures), figure_mismatches=mismatches, missed_numbers=missed)
