"""Speakers: where the phrase naming who speaks is, and which actor it names.

The phrase is the reporting verb's subject, or the name after the verb ("..., said Mauer"), or the noun
phrase the parser left just before the verb. It is resolved to an actor where the text allows: the actor
the phrase names (a person before an organisation before a country); the last fitting actor for "he" or
"it"; the previous speaker for "the same source" or "this official"; the one organisation named with the
same word for "the agency" or "intelligence". An unnamed person ("a senior official") is an anonymous
source, credited to the institution the phrase names if any.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.actors import ActorIndex
from summarizer.engines.extractive.lexicon import BELIEF_VERBS, PERSON_NOUNS, SAY_VERBS
from summarizer.engines.extractive.quotes import QUOTE_CLOSE
from summarizer.schema import UNATTRIBUTED, ActorKind, Attribution

_ANONYMOUS = frozenset(
    """official officials source sources diplomat diplomats insider insiders person people spokesman
    spokeswoman spokesperson officer officers expert experts analyst analysts observer observers witness
    witnesses resident residents member members aide aides""".split()
)

_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})

_THING_PRONOUNS = frozenset({"it", "they", "them"})

_NON_PERSON = frozenset({ActorKind.organisation, ActorKind.country, ActorKind.media, ActorKind.group})

# A pronoun refers back to the previous speaker only within this many tokens.
_PRONOUN_REACH = 80


def inverted_speaker(verb: Token) -> Token | None:
    """'..., said Mauer, ...' and '"...," said the agency.': the speaker follows the verb."""
    doc = verb.doc
    if verb.i == 0 or verb.i + 1 >= len(doc) or doc[verb.i - 1].text not in (",",) + tuple(QUOTE_CLOSE):
        return None
    k = verb.i + 1
    while k < len(doc) and (doc[k].pos_ in ("DET", "ADJ") or doc[k].tag_ == "PRP$"):
        k += 1
    last = None
    while k < len(doc) and (
        doc[k].pos_ in ("PROPN", "NOUN") or (doc[k].text == "-" and last is not None and not doc[k].whitespace_)
    ):
        if doc[k].text != "-":
            last = doc[k]  # "UN Secretary-General António Guterres": the name at the end
        k += 1
    # Only a phrase that closes the clause is a speaker; "..., reiterated its hope for" is an object.
    if k < len(doc) and not (doc[k].is_punct or doc[k].is_space):
        return None
    return last


_SPEECH_VERBS = SAY_VERBS | BELIEF_VERBS


def subject_of(verb: Token) -> Token | None:
    for child in verb.children:
        if child.dep_ == "nsubj":
            return child
    if verb.dep_ == "conj" and verb.head.lemma_ in _SPEECH_VERBS:
        return subject_of(verb.head)
    return None


def subject_before(verb: Token, sent: Span) -> Token | None:
    """A subject the parser lost: the noun phrase that ends right before the verb."""
    i = verb.i - 1
    while i >= sent.start and verb.doc[i].pos_ in ("ADV", "AUX", "PART") and verb.doc[i].lower_ != "to":
        i -= 1
    # "Tom Molomby, SC, said": a name, then an apposition set off by commas.
    set_off = i >= sent.start and verb.doc[i].text == ","
    if set_off:
        i -= 1
    if i < sent.start:
        return None
    tok = verb.doc[i]
    if tok.pos_ not in ("NOUN", "PROPN", "PRON"):
        return None
    climb = ("pobj", "prep", "compound", "amod", "poss", "case") + (("appos",) if set_off else ())
    while tok.dep_ in climb and sent.start <= tok.head.i < verb.i:
        tok = tok.head
    return tok if tok.pos_ in ("NOUN", "PROPN", "PRON") else None


def subject_after(verb: Token) -> Token | None:
    """'..., added this official': the parser may read a speaker after the verb as its object."""
    for child in verb.children:
        if child.i > verb.i and child.dep_ in ("dobj", "attr", "npadvmod", "nsubjpass") and child.pos_ in (
            "NOUN",
            "PROPN",
        ):
            return child
    return None


def speaker_phrase(head: Token, limit: int) -> tuple[int, int]:
    """The speaker phrase: the head's subtree up to a comma, a relative clause or `limit`."""
    start, end = head.left_edge.i, min(head.right_edge.i + 1, limit)
    doc = head.doc
    for k in range(head.i + 1, end):
        if doc[k].text in (",", "(", ";") or doc[k].dep_ in ("relcl", "acl"):
            end = k
            break
    while start < head.i and (doc[start].is_punct or doc[start].is_space):
        start += 1
    # "the Prime Minister, Gabriel Attal, ...": the name set off after a title belongs to the speaker.
    if end < limit and doc[end].text == "," and head.lemma_.lower() in PERSON_NOUNS:
        k = end + 1
        while k < limit and doc[k].ent_type_ == "PERSON":
            k += 1
        if k > end + 1 and (k >= limit or doc[k].is_punct):
            end = k
    return start, end


def plain_name(phrase: Span) -> str:
    words = list(phrase)
    while words and (words[0].dep_ == "det" and words[0].lower_ in ("the", "a", "an") or words[0].is_punct):
        words.pop(0)
    if not words:
        return UNATTRIBUTED
    return phrase.doc[words[0].i : words[-1].i + 1].text



@dataclass
class _Heard:
    speaker: str
    attribution: Attribution
    cue: int
    head_lemma: str | None


@dataclass
class SpeakerResolver:
    """Resolves speaker phrases in one document, remembering who has spoken so far."""

    doc: Doc
    index: ActorIndex
    heard: list[_Heard] = field(default_factory=list)

    def remember(self, speaker: str, attribution: Attribution, cue: int, head: Token | None) -> None:
        self.heard.append(_Heard(speaker, attribution, cue, head.lemma_ if head is not None else None))

    def previous(self, before: int) -> _Heard | None:
        earlier = [h for h in self.heard if h.cue < before and h.speaker != UNATTRIBUTED]
        return earlier[-1] if earlier else None

    def resolve(self, head: Token, np: tuple[int, int]) -> tuple[str, Attribution]:
        """The speaker's name and whether the source is anonymous."""
        if head.pos_ == "PRON" and not (head.text.isupper() and len(head.text) > 1):
            return self._pronoun(head)
        phrase = self.doc[np[0] : np[1]]
        lemma = head.lemma_.lower()
        if lemma == "source" and "same" in {t.lower_ for t in phrase}:
            prev = self.previous(head.i)  # "according to the same source"
            if prev is not None:
                return prev.speaker, prev.attribution
        # An acronym the tagger read as a pronoun ("WHO say") is found by its alias.
        own = self.index.at(head.i) or (self.index.by_alias(head.text) if head.text.isupper() else None)
        if own is not None:
            return own.name, Attribution.reported
        if lemma in _ANONYMOUS or lemma in PERSON_NOUNS:
            return self._described_person(head, phrase)
        named = self.index.in_span(phrase) or self.index.by_word(head.lower_)
        if named is not None:
            return named.name, Attribution.reported
        return plain_name(phrase), Attribution.reported

    def _pronoun(self, head: Token) -> tuple[str, Attribution]:
        """'he' is the last person who spoke or was named; 'it' and 'they' the last body."""
        prev = self.previous(head.i)
        recent = prev if prev is not None and prev.cue > head.i - _PRONOUN_REACH else None
        word = head.lower_
        if word in _PERSON_PRONOUNS:
            if recent is not None and self._kind_of(recent.speaker) is ActorKind.person:
                return recent.speaker, recent.attribution
            actor = self.index.last_before(head.i, frozenset({ActorKind.person}))
        elif word in _THING_PRONOUNS:
            if recent is not None and self._kind_of(recent.speaker) is not ActorKind.person:
                return recent.speaker, recent.attribution
            actor = self.index.last_before(head.i, _NON_PERSON)
        else:
            actor = None
        return (actor.name if actor else UNATTRIBUTED), Attribution.reported

    def _described_person(self, head: Token, phrase: Span) -> tuple[str, Attribution]:
        """'this official' is the official heard before; 'a senior official from X' is an anonymous
        source of X; 'the Prime Minister, Gabriel Attal' is the person named."""
        determiners = {t.lower_ for t in phrase if t.dep_ == "det"}
        if determiners & {"this", "that", "the", "these", "those"}:
            prev = next((h for h in reversed(self.heard) if h.head_lemma == head.lemma_), None)
            if prev is not None:
                return prev.speaker, prev.attribution
        named = self.index.in_span(phrase)
        if head.lemma_.lower() in _ANONYMOUS and not any(t.ent_type_ == "PERSON" for t in phrase):
            return (named.name if named else plain_name(phrase)), Attribution.anonymous_source
        return (named.name if named else plain_name(phrase)), Attribution.reported

    def _kind_of(self, name: str) -> ActorKind | None:
        return next((a.kind for a in self.index.actors if a.name == name), None)
