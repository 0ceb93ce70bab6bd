"""The lexicon-driven rules over one parsed document: actors, claims, figures and uncertainties as Brief items.

`engine.py` calls `items` for a language that has a Lexicon (every language but English) and adds the
title and summary as for English. Evidence is made by the `evidence` callable it passes (character
ranges of the cleaned text to source offsets), so these rules never see the offset map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc

from summarizer.engines.extractive.languages import Lexicon
from summarizer.engines.extractive.lexical_actors import ActorTable, find_actors, surface
from summarizer.engines.extractive.lexical_claims import ClaimIndex, FoundClaim, find_claims, name_speakers
from summarizer.engines.extractive.lexical_figures import FoundFigure, find_figures, word_figures
from summarizer.engines.extractive.lexical_hedges import FoundUncertainty, cues, find_uncertainties
from summarizer.schema import Actor, Claim, Evidence, Figure, Uncertainty, UncertaintyKind

MAX_EVIDENCE = 5
Chars = Callable[[int, int], Evidence]


@dataclass
class Items:
    actors: list[Actor]
    claims: list[Claim]
    figures: list[Figure]
    uncertainties: list[Uncertainty]


def items(doc: Doc, lex: Lexicon, body_start: int, evidence: Chars) -> Items:
    table = find_actors(doc, lex)
    claims = find_claims(doc, table, lex, None, body_start)
    name_speakers(doc, table, claims, lex)
    index = ClaimIndex(claims)
    for claim in claims:
        # Once every claim is known, a conditional after a past reporting verb is told from a hedge.
        claim.hedged = any(k is not UncertaintyKind.missing_detail for _, k in cues(doc, *claim.content, lex, index))
    body_char = 0  # figures in the headline count too ('le bilan dépasse les 2 900 morts')
    entity_chars = {
        k for ent in doc.ents if ent.label_ in ("PER", "ORG", "MISC") for k in range(ent.start_char, ent.end_char)
    }
    figures = find_figures(doc, lex, index, entity_chars, body_char)
    figures += word_figures(doc, lex, index, entity_chars)
    figures.sort(key=lambda f: f.start)
    uncertainties = find_uncertainties(doc, lex, index, body_start)
    return Items(
        actors=_actors(table, evidence),
        claims=[_claim(doc, c, evidence) for c in claims],
        figures=[_figure(doc, f, evidence) for f in figures],
        uncertainties=[_uncertainty(doc, u, evidence) for u in uncertainties],
    )


def _tokens(doc: Doc, start: int, end: int, evidence: Chars) -> Evidence:
    span = doc[start:end]
    return evidence(span.start_char, span.end_char)


def _text(doc: Doc, start: int, end: int) -> str:
    span = doc[start:end]
    return surface(doc, span.start_char, span.end_char)


def _actors(table: ActorTable, evidence: Chars) -> list[Actor]:
    ranked = sorted(table.actors, key=lambda a: (-len(a.mentions), a.mentions[0][0]))
    return [
        Actor(
            name=a.name,
            kind=a.kind,
            role=a.role,
            aliases=[x for x in a.aliases if x != a.name],
            evidence=[evidence(s, e) for s, e in a.mentions[:MAX_EVIDENCE]],
        )
        for a in ranked
    ]


def _claim(doc: Doc, claim: FoundClaim, evidence: Chars) -> Claim:
    mention = _text(doc, *claim.speaker_range) if claim.speaker_range else None
    return Claim(
        statement=_text(doc, *claim.content),
        speaker=claim.speaker,
        speaker_mention=mention or None,
        attribution=claim.attribution,
        hedged=claim.hedged,
        evidence=[_tokens(doc, *claim.span, evidence)],
    )


def _figure(doc: Doc, fig: FoundFigure, evidence: Chars) -> Figure:
    return Figure(
        text=surface(doc, fig.start, fig.end),
        value=fig.value,
        value_max=fig.value_max,
        unit=fig.unit,
        currency=fig.currency,
        scale=fig.scale,
        measures=fig.measures,
        qualifier=fig.qualifier,
        source=fig.source,
        evidence=[evidence(fig.start, fig.evidence_end)],
    )


def _uncertainty(doc: Doc, item: FoundUncertainty, evidence: Chars) -> Uncertainty:
    return Uncertainty(
        statement=_text(doc, *item.statement),
        kind=item.kind,
        who=item.who,
        evidence=[_tokens(doc, *item.statement, evidence)],
    )
