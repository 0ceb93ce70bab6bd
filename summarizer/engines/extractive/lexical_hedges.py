"""Uncertainties read through a Lexicon: the journalistic conditional ('aurait fait', 'serait mort'),
modal guesses ('pourrait', 'devrait'), hedging words and phrases, and denials.

A conditional inside what someone said after a past reporting verb ('a déclaré que la loi serait
adoptée') is the future in the past, not a hedge: only modal verbs count there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span

from summarizer.engines.extractive.languages import Lexicon
from summarizer.engines.extractive.lexical_claims import ClaimIndex, sentence_units
from summarizer.schema import UncertaintyKind

_PRIORITY = {
    UncertaintyKind.disputed: 0,
    UncertaintyKind.conflicting: 1,
    UncertaintyKind.unverified: 2,
    UncertaintyKind.speculative: 3,
    UncertaintyKind.hedged: 4,
    UncertaintyKind.missing_detail: 5,
}
_PAST_AUX = frozenset({"a", "ont", "avait", "avaient"})


@dataclass
class FoundUncertainty:
    statement: tuple[int, int]  # token range
    kind: UncertaintyKind
    who: str | None


@lru_cache(maxsize=8)
def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p).replace("'", "['’]").replace(r"\ ", r"\s+") for p in sorted(phrases, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def cues(doc: Doc, start: int, end: int, lex: Lexicon, claims: ClaimIndex | None = None) -> list[tuple[int, UncertaintyKind]]:
    """(token, kind) of every uncertainty cue in a token range."""
    found: list[tuple[int, UncertaintyKind]] = []
    for tok in doc[start:end]:
        low = tok.lower_
        kind = lex.conditional_kinds.get(low)
        if kind is None and "Cnd" in tok.morph.get("Mood", []) and tok.pos_ in ("VERB", "AUX"):
            kind = UncertaintyKind.speculative if tok.lemma_ in ("pouvoir", "devoir") else UncertaintyKind.unverified
        if kind is UncertaintyKind.unverified and claims is not None and _future_in_the_past(doc, tok.i, claims):
            kind = None
        if kind is not None:
            found.append((tok.i, kind))
        elif tok.pos_ == "VERB" and tok.lemma_.lower() in lex.dispute_lemmas:
            found.append((tok.i, UncertaintyKind.disputed))
    span = doc[start:end]
    text = span.text
    for m in _phrase_pattern(tuple(lex.hedge_phrases)).finditer(text):
        where = span.char_span(m.start(), m.end(), alignment_mode="expand")
        phrase = " ".join(m.group().lower().replace("’", "'").split())
        found.append((where.start if where is not None else start, lex.hedge_phrases.get(phrase, UncertaintyKind.hedged)))
    return found


def _future_in_the_past(doc: Doc, i: int, claims: ClaimIndex) -> bool:
    claim = claims.at(i)
    if claim is None or not claim.content[0] <= i < claim.content[1]:
        return False
    # The reporting verb group sits just before the content: a past auxiliary there makes it past.
    lo = max(claim.span[0], claim.content[0] - 8)
    return any(doc[k].lower_ in _PAST_AUX for k in range(lo, claim.content[0]))


def find_uncertainties(doc: Doc, lex: Lexicon, claims: ClaimIndex, body_start: int = 0) -> list[FoundUncertainty]:
    """One uncertainty per sentence that carries a cue: the strongest kind, said by the claim's speaker."""
    out: list[FoundUncertainty] = []
    for sent in sentence_units(doc):
        if sent.end <= body_start:
            continue
        found = cues(doc, sent.start, sent.end, lex, claims)
        if not found:
            continue
        i, kind = min(found, key=lambda c: _PRIORITY[c[1]])
        claim = claims.at(i)
        who = claim.speaker if claim is not None else None
        out.append(FoundUncertainty(statement=_sentence_range(sent), kind=kind, who=who))
    return out


def _sentence_range(sent: Span) -> tuple[int, int]:
    start, end = sent.start, sent.end
    doc = sent.doc
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    return start, end
