"""Verification: check the grounded draft against the source without any model. Runs for every engine.

- every figure's number must appear in its evidence (else it is listed in `figure_mismatches`);
- numbers the source states that no figure covers are listed in `missed_numbers`;
- two sources giving different numbers for the same quantity become one Uncertainty of kind
  "conflicting" that cites both;
- on request (`cross_check=True`), named entities the extractive engine finds that no actor covers are
  listed in `missed_entities`. That loads spaCy, so it is never done unless asked for.

Everything except the cross-check is regular expressions over the text: a few milliseconds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

from summarizer.engines.numbers import number_mentions, same_value, values_in
from summarizer.schema import Draft, Evidence, Figure, Uncertainty, UncertaintyKind, Verification
from summarizer.text import CleanText

# Two figures for one quantity from different sources are a conflict only if they are of a size
# (12,000 against 10,000 troops); 6 dead against 1,500 soldiers is two different quantities.
_MAX_CONFLICT_RATIO = 5.0
_STEM = 5
_WORD = re.compile(r"[a-z]+")
_MEASURE_STOPWORDS = frozenset({"the", "a", "an", "of", "to", "in", "on", "for", "and", "by", "with", "at", "from"})


def verify(draft: Draft, clean: CleanText, *, cross_check: bool = False) -> tuple[Draft, Verification]:
    """Check figures against their evidence and the source; add one uncertainty per conflicting quantity."""
    mismatches = [fig.text for fig in draft.figures if not _number_in_evidence(fig)]
    conflicts = [c for c in _conflicts(draft.figures) if not _already_reported(c, draft.uncertainties)]
    if conflicts:
        draft = draft.model_copy(update={"uncertainties": [*draft.uncertainties, *conflicts]})
    verification = Verification(
        figures_checked=len(draft.figures),
        figure_mismatches=mismatches,
        missed_numbers=_missed_numbers(draft.figures, clean),
        missed_entities=missed_entities(draft, clean) if cross_check else [],
    )
    return draft, verification


def _number_in_evidence(fig: Figure) -> bool:
    if fig.value is None:
        return True
    stated = set().union(*(values_in(ev.quote) for ev in fig.evidence)) if fig.evidence else set()
    return any(same_value(fig.value, v) for v in stated)


def _missed_numbers(figures: list[Figure], clean: CleanText) -> list[str]:
    """Numbers in the cleaned text whose words no figure's evidence covers and whose value no figure has."""
    spans = [(ev.start, ev.end) for fig in figures for ev in fig.evidence if ev.start is not None]
    values = [v for fig in figures for v in (fig.value, fig.value_max) if v is not None]
    missed: list[str] = []
    for n in number_mentions(clean.text):
        start, end = clean.span_to_source(n.start, n.end)
        if any(s < end and start < e for s, e in spans) or any(same_value(n.value, v) for v in values):
            continue
        if n.text not in missed:
            missed.append(n.text)
    return missed


@lru_cache(maxsize=4096)
def _stems(text: str | None) -> frozenset[str]:
    # Cached: conflicts (here and across a night's documents in the digest) compare figures pairwise,
    # so the same few units and measures are split into words thousands of times.
    return frozenset(w[:_STEM] for w in _WORD.findall((text or "").lower()) if w not in _MEASURE_STOPWORDS)


def unit_key(unit: str) -> str:
    """A unit as compared: case and a plural s set aside."""
    return unit.lower().rstrip("s")


def same_quantity(a: Figure, b: Figure) -> bool:
    """Same unit, compatible dates and what they measure overlapping beyond the unit itself."""
    if not a.unit or not b.unit or unit_key(a.unit) != unit_key(b.unit):
        return False
    if a.date and b.date and a.date.lower() != b.date.lower():
        return False
    unit = _stems(a.unit)
    wa, wb = _stems(a.measures) - unit, _stems(b.measures) - unit
    # "people killed" against "people injured" are two quantities; "troops" against "troops sent" one.
    return not wa or not wb or len(wa & wb) / min(len(wa), len(wb)) >= 0.5


def values_differ(a: Figure, b: Figure) -> bool:
    if a.value is None or b.value is None or same_value(a.value, b.value):
        return False
    low, high = sorted((abs(a.value), abs(b.value)))
    return low > 0 and high / low <= _MAX_CONFLICT_RATIO


class UnionFind:
    """Groups of indices joined pairwise (figures that conflict here; actors and stories in the digest)."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _conflicts(figures: list[Figure]) -> list[Uncertainty]:
    """One 'conflicting' uncertainty per group of figures where sources disagree on one quantity."""
    sourced = [f for f in figures if f.source and f.evidence]
    groups_of = UnionFind(len(sourced))
    for i, j in combinations(range(len(sourced)), 2):
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


def missed_entities(draft: Draft, clean: CleanText) -> list[str]:
    """Actors the extractive engine finds in the source that the draft does not name (loads spaCy)."""
    from summarizer.engines.actors import find_actors
    from summarizer.engines.nlp import parse

    known = {n.lower() for actor in draft.actors for n in (actor.name, *actor.aliases)}
    spans = [(ev.start, ev.end) for actor in draft.actors for ev in actor.evidence if ev.start is not None]
    missed = []
    for actor in find_actors(parse(clean.text)).actors:
        names = {n.lower() for n in (actor.name, *actor.aliases)}
        if names & known:
            continue
        mentions = [clean.span_to_source(m.char_start, m.char_end) for m in actor.mentions]
        if any(s < e2 and s2 < e for s, e in mentions for s2, e2 in spans if e2 is not None):
            continue
        missed.append(actor.name)
    return missed
