"""Speakers: where the phrase naming who speaks is, and which actor it names.

The phrase is the reporting verb's subject, or the name after the verb ("..., said Mauer"), or the noun
phrase the parser left just before the verb. It is resolved to an actor where the text allows: the actor
the phrase names (a person before an organisation before a country); for "he" or "it" the nearest
fitting actor before it, the subject of that sentence before an object; the previous speaker for "the
same source" or "this official"; the one organisation named with the same word for "the agency"; for
"the company" or "the influential US daily" the organisation named last before it; for "the president"
the person the text gave that role. An unnamed person ("a senior official") is an anonymous source,
credited to the institution the phrase names if any. A document is no speaker: "the statement said" is
its issuer's ("X issued a statement ... The statement said"), else unattributed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.actors import ActorIndex, ActorRecord
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

# A pronoun or a description refers back to an actor named at most this many tokens before it.
_PRONOUN_REACH = 120

# A previous speaker is who "he" or "it" is within this many tokens.
_FLOOR_REACH = 80

# Nouns naming what is said rather than who says it: "the statement said", "a new study found".
_DOCUMENT_NOUNS = frozenset(
    """statement report study review survey poll analysis document letter message posting post website
    site estimate result finding figure data record broadcast memo email e-mail tweet article communique
    release filing transcript footage video image photo picture chart research assessment audit inquiry
    investigation census test trial evaluation file files""".split()
)

# Nouns naming an organisation by its trade: "the company said" speaks of one named before.
_BODY_NOUNS = frozenset(
    """company firm group carmaker automaker maker giant bank lender insurer airline carrier retailer chain
    manufacturer producer operator developer startup start-up conglomerate business corporation
    organisation organization agency ministry department body institution charity club team union
    newspaper daily paper broadcaster network channel outlet publication magazine tabloid broadsheet
    regulator watchdog council university hospital museum foundation fund exchange utility supplier
    distributor publisher studio brand chipmaker drugmaker miner""".split()
)
_MEDIA_BODIES = frozenset(
    """newspaper daily paper broadcaster network channel outlet publication magazine tabloid
    broadsheet""".split()
)
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
# Verbs whose object is who is spoken to.
_ADDRESSING = frozenset({"tell", "inform", "brief", "notify", "assure", "warn", "remind", "advise"})


def inverted_speaker(verb: Token) -> Token | None:
    """'..., said Mauer, ...' and '"...," said the agency.': the speaker follows the verb."""
    doc = verb.doc
    if verb.i == 0 or verb.i + 1 >= len(doc) or doc[verb.i - 1].text not in (",",) + tuple(QUOTE_CLOSE):
        return None
    if verb.lemma_.lower() in _ADDRESSING and any(c.dep_ == "nsubj" and c.i < verb.i for c in verb.children):
        return None  # "The coach, Sam Allardyce, told the BBC": the phrase after the verb is the addressee
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


def _is_subject(mention: Span) -> bool:
    """A name that is, or is set beside, its clause's subject ('Oxfam and ...', 'Ms Santos, a nurse')."""
    token = mention.root
    while token.dep_ in ("compound", "flat", "conj", "appos") and token.head.i != token.i:
        token = token.head
    return token.dep_ in ("nsubj", "nsubjpass")


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
    span: tuple[int, int]  # token range of the claim, speaker and statement


@dataclass
class SpeakerResolver:
    """Resolves speaker phrases in one document, remembering who has spoken so far."""

    doc: Doc
    index: ActorIndex
    heard: list[_Heard] = field(default_factory=list)

    def remember(
        self, speaker: str, attribution: Attribution, cue: int, head: Token | None, span: tuple[int, int]
    ) -> None:
        self.heard.append(_Heard(speaker, attribution, cue, head.lemma_ if head is not None else None, span))

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
        if own is None and head.pos_ == "PROPN":
            own = self._person_by_surname(head)
        if own is not None:
            return own.name, Attribution.reported
        if lemma in _ANONYMOUS or lemma in PERSON_NOUNS:
            return self._described_person(head, phrase)
        # The tagger reads some of these nouns as adverbs or adjectives ("the influential US daily").
        if lemma in _DOCUMENT_NOUNS and head.pos_ != "PROPN":
            return self._issuer(head, phrase)
        if lemma in _BODY_NOUNS and head.pos_ != "PROPN" and not self._unknown_name_in(phrase):
            inside = self.index.in_span(phrase)
            if inside is not None and inside.kind is not ActorKind.country:
                return inside.name, Attribution.reported  # "the Internet security firm Secunia"
            body = self.index.by_word(head.lower_) or self._body_named_before(head, phrase)
            if body is not None:
                return body.name, Attribution.reported
            return plain_name(phrase), Attribution.reported
        named = self.index.in_span(phrase) or self.index.by_word(head.lower_)
        if named is not None:
            return named.name, Attribution.reported
        return plain_name(phrase), Attribution.reported

    def _person_by_surname(self, head: Token) -> ActorRecord | None:
        """'Fischer said' after 'Lena Fischer': the one person whose full name ends with the word."""
        people = [
            a for a in self.index.actors if a.kind is ActorKind.person and a.name.split()[-1] == head.text
        ]
        return people[0] if len(people) == 1 else None

    def _issuer(self, head: Token, phrase: Span) -> tuple[str, Attribution]:
        """'Cornyn's statement', 'a study by researchers at Stanford': the actor the phrase names; 'the
        statement' after 'the ministry issued a statement': the ministry; else no one."""
        named = self.index.in_span(phrase)
        if named is not None:
            return named.name, Attribution.reported
        owner = next((c for c in head.children if c.dep_ == "poss" and c.pos_ == "PROPN"), None)
        if owner is not None:  # "Cornyn's statement", a name the actor rules did not take
            return plain_name(self.doc[owner.left_edge.i : owner.i + 1]), Attribution.reported
        if not {t.lower_ for t in phrase if t.dep_ == "det"} & _DEFINITE:
            return UNATTRIBUTED, Attribution.reported
        lemma = head.lemma_.lower()
        for k in range(head.i - 1, max(-1, head.i - _PRONOUN_REACH), -1):
            tok = self.doc[k]
            if tok.lemma_.lower() != lemma or tok.dep_ not in ("dobj", "nsubjpass"):
                continue
            subject = next((c for c in tok.head.children if c.dep_ in ("nsubj", "agent")), None)
            if subject is not None and subject.dep_ == "agent":
                subject = next((c for c in subject.children if c.dep_ == "pobj"), None)
            if subject is not None:
                actor = self.index.in_span(self.doc[subject.left_edge.i : subject.right_edge.i + 1])
                if actor is not None:
                    return actor.name, Attribution.reported
            break
        return UNATTRIBUTED, Attribution.reported

    def _body_named_before(self, head: Token, phrase: Span) -> ActorRecord | None:
        """'Shares of Nordvik Energy fell. The company said ...': the organisation named last before a
        definite description of one; a newspaper or an organisation for 'the daily'."""
        if not {t.lower_ for t in phrase if t.dep_ == "det"} & _DEFINITE:
            return None
        kinds = (
            frozenset({ActorKind.media, ActorKind.organisation})
            if head.lemma_.lower() in _MEDIA_BODIES
            else frozenset({ActorKind.organisation, ActorKind.group, ActorKind.media})
        )
        return self._nearest(phrase.start, kinds)

    def _unknown_name_in(self, phrase: Span) -> bool:
        """'the Internet security firm Secunia.com': a description carrying a name of its own."""
        return any(t.pos_ == "PROPN" and self.index.at(t.i) is None for t in phrase)

    def _nearest(self, before: int, kinds: frozenset[ActorKind]) -> ActorRecord | None:
        actor, _ = self._nearest_named(before, kinds)
        return actor

    def _nearest_named(self, before: int, kinds: frozenset[ActorKind]) -> tuple[ActorRecord | None, int]:
        """The actor of these kinds a reader links a pronoun or a description to, and where: in the
        nearest sentence that names one, its subject if one is, else the last named."""
        named: list[tuple[int, ActorRecord]] = []
        for actor in self.index.actors:
            if actor.kind in kinds:
                named.extend(
                    (m.start, actor) for m in actor.mentions if m.end <= before and m.start > before - _PRONOUN_REACH
                )
        if not named:
            return None, -1
        named.sort(key=lambda pair: pair[0])
        sentence = self.doc[named[-1][0]].sent
        same = [(i, a) for i, a in named if sentence.start <= i < sentence.end]
        subjects = [(i, a) for i, a in same if _is_subject(self.doc[i : self._mention_end(i, a)])]
        if subjects:
            return subjects[0][1], subjects[0][0]
        return same[-1][1], -1

    @staticmethod
    def _mention_end(start: int, actor: ActorRecord) -> int:
        return next(m.end for m in actor.mentions if m.start == start)

    def _pronoun(self, head: Token) -> tuple[str, Attribution]:
        """'he' is the nearest person named before it, 'it' and 'they' the nearest body; the subject
        of that sentence before an object ('Anna Berg spoke after Peter Novak. She said')."""
        word = head.lower_
        if word in _PERSON_PRONOUNS:
            kinds = frozenset({ActorKind.person})
        elif word in _THING_PRONOUNS:
            kinds = _NON_PERSON
        else:
            return UNATTRIBUTED, Attribution.reported
        actor, subject_at = self._nearest_named(head.i, kinds)
        # A speaker heard just before keeps the floor ('"...," Smith said. He added ...') unless a later
        # sentence makes someone else of the same kind its subject (outside what the speaker said).
        prev = self.previous(head.i)
        if (
            prev is not None
            and prev.cue > head.i - _FLOOR_REACH
            and self._kind_of(prev.speaker) in kinds
            and (subject_at < prev.cue or prev.span[0] <= subject_at < prev.span[1])
        ):
            return prev.speaker, prev.attribution
        return (actor.name if actor else UNATTRIBUTED), Attribution.reported

    def _kind_of(self, name: str) -> ActorKind | None:
        return next((a.kind for a in self.index.actors if a.name == name), None)

    def _described_person(self, head: Token, phrase: Span) -> tuple[str, Attribution]:
        """'this official' is the official heard before; 'a senior official from X' is an anonymous
        source of X; 'the Prime Minister, Gabriel Attal' is the person named."""
        determiners = {t.lower_ for t in phrase if t.dep_ == "det"}
        if determiners & _DEFINITE or any(t.dep_ == "poss" for t in head.children):
            prev = next((h for h in reversed(self.heard) if h.head_lemma == head.lemma_), None)
            if prev is not None:
                return prev.speaker, prev.attribution
            titled = self._person_titled(head)
            if titled is not None:
                return titled.name, Attribution.reported
        named = self.index.in_span(phrase)
        # "a senior official", and people named only as a group: "all workers", "local residents".
        unnamed = head.lemma_.lower() in _ANONYMOUS or head.tag_ == "NNS"
        if unnamed and not any(t.ent_type_ == "PERSON" for t in phrase):
            return (named.name if named else plain_name(phrase)), Attribution.anonymous_source
        return (named.name if named else plain_name(phrase)), Attribution.reported

    def _person_titled(self, head: Token) -> ActorRecord | None:
        """'The president said', after "Brazil's president, Lula, ...": the person named last before it
        whose role the text gave with this word."""
        lemma = head.lemma_.lower()
        people = []
        for actor in self.index.actors:
            before = [m.end for m in actor.mentions if m.end <= head.i and m.end > head.i - _PRONOUN_REACH]
            role = {w.lower() for w in (actor.role or "").replace("-", " ").split()}
            if actor.kind is ActorKind.person and before and lemma in role:
                people.append((max(before), actor))
        return max(people, key=lambda pair: pair[0])[1] if people else None
