"""The cross-check: what the extractive engine finds in the source that an LLM's brief missed.

The extractive rules (spaCy, no model server) run over the same cleaned text, a fraction of a second
beside a model's answer. Their named actors that no actor of the brief covers are listed in
`Verification.missed_entities`: on by default for the engines that declare `cross_checked` (llm, local),
off with `--no-cross-check`.
"""

from __future__ import annotations

from summarizer.schema import Actor, Draft, Evidence
from summarizer.text import CleanText, fold


def rules_draft(clean: CleanText) -> Draft:
    """The extractive engine's draft of the same text (imported here: only LLM briefs need it)."""
    from summarizer.engines.extractive.engine import extract

    return extract(clean).draft


def missed_entities(draft: Draft, clean: CleanText) -> list[str]:
    """The names of the actors the rules find in the source that the draft neither names nor cites."""
    return [a.name for a in rules_draft(clean).actors if not _actor_covered(a, draft.actors)]


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
