"""Uncertainties: hedges and verification cues, each with the clause it qualifies and who is uncertain.

Kinds: unverified ("not able to confirm", "alleged", "unconfirmed"), disputed ("denied", "rejected"),
missing_detail ("details have not been released", "declined to comment", "unclear"), hedged ("appears
to", "very likely", "probably"), speculative ("speculation", and the modal and future/intent cues of
`modality.py`: "could", "would", "is expected to", "plans to"). Conflicting
figures are found by `summarizer.verify`, which runs for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.actors import ActorIndex
from summarizer.engines.extractive.attribution import Claims, Reported, speaker_of
from summarizer.engines.extractive.modality import future_cue
from summarizer.schema import UncertaintyKind

_VERIFY_VERBS = frozenset({"confirm", "verify", "corroborate", "substantiate", "authenticate"})
_UNVERIFIED_WORDS = frozenset(
    """unconfirmed unverified unsubstantiated uncorroborated alleged allegedly purported purportedly reportedly
    unproven""".split()
)
_DETAIL_VERBS = frozenset(
    """release disclose reveal specify publish give provide elaborate comment say identify explain detail
    name announce""".split()
)
_DETAIL_WORDS = frozenset({"unclear", "unknown", "undisclosed", "unspecified", "unexplained"})
_DECLINE_VERBS = frozenset({"decline", "refuse"})
_DISPUTE_VERBS = frozenset({"deny", "dispute", "reject", "refute", "contest", "contradict", "rebut"})
_SPECULATIVE_WORDS = frozenset(
    {"speculation", "speculate", "rumour", "rumours", "rumor", "rumors", "possibly", "potentially"}
)
_INFORMATION_NOUNS = frozenset(
    """detail details information figure figures number numbers reason reasons explanation name names identity
    identities breakdown estimate timeline date cause circumstance circumstances content contents term terms
    toll result results location""".split()
)
_WH_WORDS = frozenset({"why", "how", "whether", "what", "when", "where", "who", "which"})
# What a denial or a rejection is about when it disputes something said.
_SAID_NOUNS = frozenset(
    """claim allegation accusation report charge account assertion suggestion statement figure number story
    version finding conclusion characterisation characterization""".split()
)
_HEDGE_WORDS = frozenset({"likely", "probably", "apparently", "presumably", "perhaps", "seemingly", "unlikely"})
_HEDGE_VERBS = frozenset({"appear", "seem"})
_PASSIVE_HEDGES = frozenset({"believe", "think", "say", "estimate", "understand", "suspect"})
_CLAUSE_DEPS = frozenset({"ROOT", "ccomp", "advcl", "relcl", "conj", "xcomp", "parataxis", "acl", "pcomp", "csubj"})
_PRIORITY = {
    UncertaintyKind.unverified: 0,
    UncertaintyKind.disputed: 1,
    UncertaintyKind.missing_detail: 2,
    UncertaintyKind.hedged: 3,
    UncertaintyKind.speculative: 4,
}


@dataclass
class FoundUncertainty:
    kind: UncertaintyKind
    span: tuple[int, int]  # token range of the clause
    statement: str
    who: str | None
    cue: int


def _negated(tok: Token) -> bool:
    """'not confirm', 'could not confirm', 'not able to confirm', 'unable to confirm', 'has yet to confirm'."""
    node = tok
    for _ in range(3):
        if any(c.dep_ == "neg" or c.lower_ in ("never", "cannot", "yet") for c in node.children):
            return True
        if node.lemma_.lower() in ("unable", "impossible", "fail"):
            return True
        if node.head.i == node.i or node.dep_ not in ("xcomp", "acomp"):
            return False
        node = node.head
    return False


def _cue_kind(tok: Token) -> UncertaintyKind | None:
    lemma, lower = tok.lemma_.lower(), tok.lower_
    if lemma in _VERIFY_VERBS and _negated(tok):
        return UncertaintyKind.unverified
    if lower in _UNVERIFIED_WORDS or lemma in _UNVERIFIED_WORDS:
        return UncertaintyKind.unverified
    if lemma in _DISPUTE_VERBS and tok.pos_ == "VERB" and _disputes_something_said(tok):
        return UncertaintyKind.disputed
    if lemma in _DETAIL_VERBS and tok.pos_ == "VERB" and _negated(tok) and _withholds(tok):
        return UncertaintyKind.missing_detail
    declined = {c.lemma_ for c in tok.children if c.dep_ == "xcomp"}
    if lemma in _DECLINE_VERBS and declined & (_DETAIL_VERBS | _VERIFY_VERBS):
        return UncertaintyKind.missing_detail
    if lower in _DETAIL_WORDS and tok.dep_ != "amod":
        return UncertaintyKind.missing_detail  # "it is unclear", not "an unknown author"
    complemented = any(c.dep_ in ("xcomp", "ccomp", "acomp") for c in tok.children)
    if lemma in _HEDGE_VERBS and tok.pos_ == "VERB" and complemented:
        return UncertaintyKind.hedged  # "appears to be", not "appeared on the Internet"
    if lower in _HEDGE_WORDS:
        return UncertaintyKind.hedged
    if lemma in _PASSIVE_HEDGES and tok.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in tok.children) and any(
        c.dep_ == "xcomp" for c in tok.children
    ):
        return UncertaintyKind.hedged  # "is believed to", "is said to"
    if lower in _SPECULATIVE_WORDS or lemma in _SPECULATIVE_WORDS:
        return UncertaintyKind.speculative
    if future_cue(tok):
        return UncertaintyKind.speculative
    if lemma == "expect" and tok.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in tok.children):
        return UncertaintyKind.speculative  # "is expected to"
    return None


def _disputes_something_said(tok: Token) -> bool:
    """'denied that ...', 'rejected the claims': a dispute; 'were denied visas' is not."""
    if any(c.dep_ == "auxpass" for c in tok.children):
        return False
    return any(
        c.dep_ == "ccomp" or (c.dep_ == "dobj" and c.lemma_.lower() in _SAID_NOUNS) for c in tok.children
    )


def _withholds(verb: Token) -> bool:
    """'have not said why', 'did not give details', 'details have not been released': information held back
    (not 'will not give in')."""
    for child in verb.children:
        if child.dep_ in ("dobj", "nsubjpass") and child.lemma_.lower() in _INFORMATION_NOUNS:
            return True
        if child.dep_ in ("ccomp", "xcomp") and any(t.lower_ in _WH_WORDS for t in child.subtree):
            return True
        if child.dep_ == "relcl":
            return True
    # "a treaty whose details have not been released": the information is the relative clause's subject.
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is not None and subj.lemma_.lower() in _INFORMATION_NOUNS:
        return True
    return verb.lemma_.lower() in ("comment", "elaborate", "specify", "disclose") and not any(
        c.dep_ == "prt" for c in verb.children
    )


def _clause_head(tok: Token) -> Token:
    node = tok
    while node.head.i != node.i:
        if node.pos_ in ("VERB", "AUX") and node.dep_ in _CLAUSE_DEPS:
            break
        node = node.head
    return node


def _clause_range(head: Token, sent: Span) -> tuple[int, int]:
    """The clause a cue qualifies: the head's subtree without clauses coordinated to it."""
    doc = head.doc
    parts = [head] + [c for c in head.children if c.dep_ not in ("conj", "cc", "punct")]
    start = min(p.left_edge.i for p in parts)
    end = max(p.right_edge.i for p in parts) + 1
    if head.dep_ == "relcl" and head.head.pos_ in ("NOUN", "PROPN"):
        start = head.head.left_edge.i  # "a treaty whose details have not been released"
    start, end = max(start, sent.start), min(end, sent.end)
    while start < end and (
        (doc[start].is_punct and doc[start].text not in ("\u201c", '"'))
        or doc[start].is_space
        or doc[start].lower_ in ("that", "and", "but", "if", "while", "as")
    ):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in (",", ".", ";", ":")):
        end -= 1
    return start, end


def _without_attributions(span: tuple[int, int], cue: int, claims: list[Reported], doc: Doc) -> tuple[int, int]:
    """The clause without who said it: drop an opening 'According to X,' or 'For X,' and end before a
    later speaker's name (the parser sometimes hangs one inside the clause)."""
    start, end = span
    # Of a long document's claims, only those starting inside the clause can cut it: an index finds them.
    near = claims.opening_or_naming_within(start, cue, end) if isinstance(claims, Claims) else claims
    for claim in near:
        content_start = claim.content[0][0]
        opening = doc[claim.cue].lower_ in ("according", "for")
        if opening and claim.span[0] <= start < content_start <= cue:
            start = content_start
        s = min(claim.speaker_range[0], claim.cue)
        if cue < s < end and start < s:
            end = s
    while start < end and (doc[start].is_space or doc[start].text in (",", ";", ":")):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in (",", ".", ";", ":")):
        end -= 1
    return start, end


def _who(tok: Token, claims: list[Reported], index: ActorIndex, kind: UncertaintyKind) -> str | None:
    """The speaker of the claim the cue is in; else, for doubts and denials, the clause's subject."""
    speaker = speaker_of(claims, tok.i)
    if speaker is not None:
        return speaker
    if kind in (UncertaintyKind.unverified, UncertaintyKind.disputed, UncertaintyKind.missing_detail):
        head = _clause_head(tok)
        subj = next((c for c in head.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            actor = index.at(subj.i)
            if actor is not None:
                return actor.name
    return None


def find_uncertainties(
    doc: Doc, index: ActorIndex, claims: list[Reported], body_start: int = 0
) -> list[FoundUncertainty]:
    """One uncertainty per clause and kind, strongest kind first when a clause has several cues."""
    found: list[FoundUncertainty] = []
    for sent in doc.sents:
        if sent.end <= body_start:
            continue
        by_clause: dict[int, tuple[UncertaintyKind, Token]] = {}
        for tok in sent:
            kind = _cue_kind(tok)
            if kind is None:
                continue
            head = _clause_head(tok)
            if kind is UncertaintyKind.unverified and tok.lemma_.lower() in _VERIFY_VERBS:
                head = _clause_head(head.head) if head.dep_ == "xcomp" else head
            current = by_clause.get(head.i)
            if current is None or _PRIORITY[kind] < _PRIORITY[current[0]]:
                by_clause[head.i] = (kind, tok)
        per_kind: dict[UncertaintyKind, FoundUncertainty] = {}
        for head_i, (kind, tok) in sorted(by_clause.items()):
            span = _without_attributions(_clause_range(doc[head_i], sent), tok.i, claims, doc)
            if span[1] <= span[0]:
                continue
            existing = per_kind.get(kind)
            if existing is not None and (existing.span[0] <= span[0] and span[1] <= existing.span[1]):
                continue  # a clause inside one already reported with the same kind
            if existing is not None and span[0] <= existing.span[0] and existing.span[1] <= span[1]:
                found.remove(existing)
            item = FoundUncertainty(kind, span, doc[span[0] : span[1]].text, _who(tok, claims, index, kind), tok.i)
            per_kind[kind] = item
            found.append(item)
    return found
