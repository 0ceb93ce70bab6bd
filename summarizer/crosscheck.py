"""The cross-check: what the extractive engine finds in the source that an LLM's brief missed.

The extractive rules (spaCy, no model server) run over the same cleaned text, a fraction of a second
beside a model's answer. Their named actors and their figures that the brief does not cover are listed
in `Verification.missed_entities` / `missed_figures`; with `fill_gaps` (the default) they are also added
to the brief, marked `found_by: rules`, so an LLM brief is never less complete than the extractive one.
Filling is on by default because what it adds cannot be invented: every rules item quotes the source
exactly, and the support checks found nothing to drop in the rules' own output on the development set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from summarizer.errors import InputError
from summarizer.quantities import same_value
from summarizer.schema import Actor, Draft, Evidence, Figure, FoundBy
from summarizer.text import CleanText, fold

Item = TypeVar("Item", Actor, Figure)


@dataclass
class CrossCheck:
    """What the rules found that the brief did not, and the brief with it added when filling gaps."""

    draft: Draft
    missed_actors: list[Actor] = field(default_factory=list)
    missed_figures: list[Figure] = field(default_factory=list)


def rules_draft(clean: CleanText) -> Draft:
    """The extractive engine's draft of the same text, grounded (imported here: only LLM briefs need it)."""
    from summarizer.engines.extractive.engine import extract
    from summarizer.grounding import ground

    try:
        result = extract(clean)
    except InputError:
        return Draft()  # a language the rules do not read: nothing to compare the model's items with
    return ground(result.draft, clean)[0]


def cross_check(draft: Draft, rules: Draft, *, fill_gaps: bool) -> CrossCheck:
    """Compare an LLM draft with the rules' draft of the same text; add what it missed if `fill_gaps`."""
    actors = [a for a in rules.actors if not _actor_covered(a, draft.actors)]
    figures = [f for f in rules.figures if not _figure_covered(f, draft.figures)]
    result = CrossCheck(draft=draft, missed_actors=actors, missed_figures=figures)
    if fill_gaps and (actors or figures):
        result.draft = draft.model_copy(
            update={
                "actors": [*draft.actors, *(_as_rules(a) for a in actors)],
                "figures": [*draft.figures, *(_as_rules(f) for f in figures)],
            }
        )
    return result


def _as_rules(item: Item) -> Item:
    return item.model_copy(update={"found_by": FoundBy.rules})


def _overlap(a: list[Evidence], b: list[Evidence]) -> bool:
    return any(
        x.start is not None and x.end is not None and y.start is not None and y.end is not None
        and x.start < y.end and y.start < x.end
        for x in a
        for y in b
    )


def _names(actor: Actor) -> set[str]:
    return {fold(n) for n in (actor.name, *actor.aliases) if n.strip()}


def _actor_covered(actor: Actor, actors: list[Actor]) -> bool:
    """Covered when a brief actor shares a name or an alias with it, or cites one of its mentions."""
    names = _names(actor)
    return any(names & _names(other) or _overlap(actor.evidence, other.evidence) for other in actors)


def _figure_covered(fig: Figure, figures: list[Figure]) -> bool:
    """Covered when a brief figure states the same number, or cites the same words."""
    for other in figures:
        if fig.value is not None and other.value is not None and same_value(fig.value, other.value):
            return True
        if _overlap(fig.evidence, other.evidence):
            return True
    return False
