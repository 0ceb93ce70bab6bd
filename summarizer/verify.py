"""Verification: check the grounded draft against the source without any model. Runs for every engine.

- every figure's number must appear in its evidence (else it is listed in `figure_mismatches`);
- numbers the source states that no figure covers are listed in `missed_numbers`;
- two sources giving different numbers for the same quantity become one Uncertainty of kind
  "conflicting" that cites both.

All of it is regular expressions over the text: a few milliseconds. (What the extractive engine finds
and an LLM missed is the cross-check's job: summarizer.crosscheck.)
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate, combinations

from summarizer.grouping import UnionFind
from summarizer.quantities import number_mentions, same_quantity, same_value, unit_key, values_differ, values_in
from summarizer.schema import Draft, Evidence, Figure, FoundBy, Uncertainty, UncertaintyKind, Verification
from summarizer.text import CleanText



def verify(draft: Draft, clean: CleanText) -> tuple[Draft, Verification]:
    """Check figures against their evidence and the source; add one uncertainty per conflicting quantity."""
    mismatches = [fig.text for fig in draft.figures if not _number_in_evidence(fig)]
    conflicts = [c for c in _conflicts(draft.figures) if not _already_reported(c, draft.uncertainties)]
    if conflicts:
        draft = draft.model_copy(update={"uncertainties": [*draft.uncertainties, *conflicts]})
    verification = Verification(
        figures_checked=len(draft.figures),
        figure_mismatches=mismatches,
        missed_numbers=_missed_numbers(draft.figures, clean),
    )
    return draft, verification


def _number_in_evidence(fig: Figure) -> bool:
    if fig.value is None:
        return True
    stated = set().union(*(values_in(ev.quote) for ev in fig.evidence)) if fig.evidence else set()
    return any(same_value(fig.value, v) for v in stated)


def _missed_numbers(figures: list[Figure], clean: CleanText) -> list[str]:
    """Numbers in the cleaned text whose words no figure's evidence covers and whose value no figure has."""
    covered = _Covered([(ev.start, ev.end) for fig in figures for ev in fig.evidence if ev.start is not None and ev.end is not None])
    values = sorted(v for fig in figures for v in (fig.value, fig.value_max) if v is not None)
    missed: dict[str, None] = {}
    for n in number_mentions(clean.text):
        start, end = clean.span_to_source(n.start, n.end)
        if covered.overlaps(start, end) or _has_value(values, n.value):
            continue
        missed.setdefault(n.text)
    return list(missed)


class _Covered:
    """Spans, asked whether any overlaps a range in O(log n): a long document has thousands of each."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.max_end = list(accumulate((e for _, e in spans), max))

    def overlaps(self, start: int, end: int) -> bool:
        # The spans that start before `end`: one of them overlaps if the furthest end among them is past `start`.
        k = bisect_left(self.starts, end)
        return k > 0 and self.max_end[k - 1] > start


def _has_value(values: list[float], value: float) -> bool:
    """`same_value(value, v)` for some v of the sorted list: only its nearest neighbours can be that close."""
    k = bisect_left(values, value)
    return any(same_value(value, v) for v in values[max(0, k - 2) : k + 2])


def _conflicts(figures: list[Figure]) -> list[Uncertainty]:
    """One 'conflicting' uncertainty per group of figures where sources disagree on one quantity."""
    sourced = [f for f in figures if f.source and f.evidence]
    groups_of = UnionFind(len(sourced))
    # Only figures with the same unit can count one quantity: pairs are formed within a unit, so a long
    # document's thousands of figures are not all compared with each other.
    by_unit: dict[str, list[int]] = {}
    for i, fig in enumerate(sourced):
        if fig.unit:
            by_unit.setdefault(unit_key(fig.unit), []).append(i)
    for i, j in (pair for members in by_unit.values() for pair in combinations(members, 2)):
        a, b = sourced[i], sourced[j]
        if (a.source or "").lower() != (b.source or "").lower() and same_quantity(a, b) and values_differ(a, b):
            groups_of.union(i, j)
    groups: dict[int, list[Figure]] = {}
    for i, fig in enumerate(sourced):
        groups.setdefault(groups_of.find(i), []).append(fig)
    out = []
    for members in groups.values():
        # One figure per source: the first one it gives.
        by_source: dict[str, Figure] = {}
        for fig in members:
            by_source.setdefault((fig.source or "").lower(), fig)
        chosen = list(by_source.values())
        if len(chosen) < 2:
            continue
        what = chosen[0].measures or chosen[0].unit
        parts = "; ".join(f"{fig.source}: {fig.text} {fig.unit}" for fig in chosen)
        out.append(
            Uncertainty(
                statement=f"Sources give different figures for {what}: {parts}",
                kind=UncertaintyKind.conflicting,
                who=", ".join(fig.source or "" for fig in chosen),
                evidence=[fig.evidence[0] for fig in chosen],
                found_by=FoundBy.rules,
            )
        )
    return out


def _overlaps(a: Evidence, b: Evidence) -> bool:
    if a.start is None or b.start is None or a.end is None or b.end is None:
        return a.quote in b.quote or b.quote in a.quote
    return a.start < b.end and b.start < a.end


def _already_reported(conflict: Uncertainty, existing: list[Uncertainty]) -> bool:
    """An engine (the LLM) may have reported the conflict itself: do not add it twice."""
    for item in existing:
        if item.kind is not UncertaintyKind.conflicting:
            continue
        if all(any(_overlaps(ev, mine) for ev in item.evidence) for mine in conflict.evidence):
            return True
    return False
