"""Reported speech read through a Lexicon: who says what.

Patterns, in the order a sentence is tried:
- an incise after what was said: '« ... », a déclaré X.' / '..., estime-t-il.' (content before the verb);
- a speaker before the verb and a clause or quotation after it: 'X a affirmé que ...', 'X a déclaré : « ... »';
- a source introduced by a preposition: 'Selon X, ...', '..., d'après X.';
- a reporting verb whose object is what was said: 'X a annoncé un plan de ...'.
Only surface order, quotation marks and the entities are relied on: a small model's parse of a sentence
with an incise or quotation marks is often wrong, the words around the verb are not.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.languages import Lexicon
from summarizer.engines.extractive.lexical_actors import ActorTable, adopt, surface
from summarizer.schema import UNATTRIBUTED, ActorKind, Attribution

_OPEN = ("«", "“", '"', "‹")
_CLOSE = ("»", "”", '"', "›")
_AUX = frozenset({"a", "ont", "avait", "avaient", "aura", "auront", "aurait", "auraient", "est", "sont", "était", "ai", "as", "avons", "avez"})
_CLAUSE_MARKS = frozenset({"que", "qu'", "qu’", ":", "«", "“", '"', "si", "combien", "pourquoi", "comment"})
_MAX_GAP = 8  # words between the verb and 'que' / ':' ('a déclaré mardi à la presse que')
_MAX_SPEAKER = 10


@dataclass
class FoundClaim:
    speaker: str
    attribution: Attribution
    hedged: bool
    content: tuple[int, int]  # token range of what was said
    span: tuple[int, int]  # token range of the whole attribution
    speaker_range: tuple[int, int] | None


def is_cue(tok: Token, lex: Lexicon) -> bool:
    low = tok.lower_
    if low in lex.say_forms:
        # "l'annonce", "une estime": a noun with the verb's spelling is not a report.
        prev = tok.doc[tok.i - 1] if tok.i > 0 else None
        if prev is not None and prev.lower_ in lex.determiners and prev.lower_ not in ("l'", "l’"):
            return False
        return tok.pos_ in ("VERB", "AUX", "ADJ", "NOUN", "PROPN") or prev is not None and prev.lower_ in _AUX
    return tok.pos_ == "VERB" and tok.lemma_.lower() in lex.say_lemmas


_INVERTED = frozenset({"-t-il", "-t-elle", "-il", "-elle", "t-il", "t-elle", "-t-ils", "-t-elles", "-ils", "-elles"})


def _verb_group_start(doc: Doc, i: int, floor: int) -> int:
    """The first word of the verb group: auxiliaries and clitics before the participle ('n'a pas déclaré',
    'a-t-il assuré')."""
    k = i
    while k - 1 >= floor and (
        doc[k - 1].lower_ in _AUX
        or doc[k - 1].lower_ in _INVERTED
        or doc[k - 1].lower_ in ("n'", "n’", "ne", "pas", "l'", "l’", "lui", "leur", "y", "en", "se", "s'", "s’", "aussi", "encore", "déjà", "d'ailleurs", "-t", "-")
    ):
        k -= 1
    return k


def _inverted_pronoun(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    for k in range(start, end):
        if doc[k].lower_ in _INVERTED:
            return (k, k + 1)
    return None


def _in_quotation(doc: Doc, i: int, floor: int) -> bool:
    """Token i is inside a quotation opened earlier in its paragraph."""
    depth = 0
    for k in range(floor, i):
        t = doc[k].text
        if t in ("«", "“"):
            depth += 1
        elif t in ("»", "”") and depth:
            depth -= 1
    return depth > 0


def _skip_space(doc: Doc, k: int, end: int) -> int:
    while k < end and doc[k].is_space:
        k += 1
    return k


def _quote_open_before(doc: Doc, k: int, reach: int = 400) -> int | None:
    """The opening quotation mark of the quotation that ends just before token k."""
    depth = 0
    for j in range(k - 1, max(-1, k - reach), -1):
        t = doc[j].text
        if t in ("»", "”"):
            depth += 1
        elif t in ("«", "“"):
            if depth <= 1:
                return j
            depth -= 1
    return None


def _quote_close_after(doc: Doc, k: int, reach: int = 400) -> int | None:
    for j in range(k + 1, min(len(doc), k + reach)):
        if doc[j].text in ("»", "”") or (doc[j].text == '"' and doc[k].text == '"'):
            return j
    return None


def _phrase_after(doc: Doc, k: int, end: int, lex: Lexicon) -> tuple[int, int] | None:
    """The noun phrase a verb is followed by (an inverted subject), up to punctuation or a verb."""
    k = _skip_space(doc, k, end)
    start = k
    while k < end and k - start < _MAX_SPEAKER:
        t = doc[k]
        if t.text == "," and k + 1 < end and doc[k + 1].ent_type_ == "PER" and doc[k + 1].ent_iob_ == "B":
            # 'la ministre de la Santé, Catherine Vautrin,': the name in apposition is the speaker.
            k += 1
            while k < end and doc[k].ent_type_ == "PER":
                k += 1
            break
        if t.is_punct and t.text not in ("-", "'", "’") or t.is_space and "\n" in t.text:
            break
        if t.pos_ in ("VERB", "AUX") and k > start:
            break
        if t.pos_ == "ADP" and k > start and t.lower_ not in ("de", "du", "des", "d'", "d’"):
            break  # 'devant les députés', 'lors de', 'à la presse'
        if t.lower_ in lex.time_words:
            if k == start:
                start += 1  # 'a annoncé jeudi Eurostat'
            else:
                break
        k += 1
    return (start, k) if k > start else None


def _phrase_before(doc: Doc, k: int, floor: int, lex: Lexicon) -> tuple[int, int] | None:
    """The subject before a verb group: back to the start of the clause (a comma closing an apposition is
    crossed when the phrase before it names someone: 'Le ministre, Gérald Darmanin, a déclaré')."""
    j = k
    while j - 1 >= floor and doc[j - 1].is_space:
        j -= 1
    end = j
    start = end
    commas = 0
    while start - 1 >= floor and end - start < 2 * _MAX_SPEAKER:
        t = doc[start - 1]
        if t.text in (".", "!", "?", ";", ":", "»", "«", "“", "”", '"') or t.is_space and "\n" in t.text:
            break
        if t.text == ",":
            commas += 1
            if commas > 2:
                break
        if t.pos_ in ("VERB",) and t.lower_ not in lex.say_forms and commas == 0 and start < end:
            break
        start -= 1
    while start < end and (doc[start].text in (",", "-") or doc[start].is_space):
        start += 1
    return (start, end) if end > start else None


def _clause_after(doc: Doc, i: int, end: int) -> int | None:
    """Where the clause or quotation after a reporting verb starts: after 'que', ':' or at a quotation mark."""
    for k in range(i + 1, min(end, i + 1 + _MAX_GAP)):
        t = doc[k]
        if t.lower_ in _CLAUSE_MARKS:
            return k + 1 if t.text not in _OPEN else k
        if t.text in (".", ";", "!", "?") or t.text == "," and k == i + 1 and False:
            return None
    return None


class _Speakers:
    def __init__(self, doc: Doc, table: ActorTable, lex: Lexicon):
        self.doc = doc
        self.table = table
        self.lex = lex

    def resolve(self, rng: tuple[int, int]) -> tuple[str, Attribution]:
        doc, lex = self.doc, self.lex
        span = doc[rng[0] : rng[1]]
        actor = self.table.within(span.start_char, span.end_char, prefer=ActorKind.person)
        if actor is not None:
            return actor.name, Attribution.outlet if actor.kind is ActorKind.media else Attribution.reported
        words = [t for t in span if not t.is_punct and not t.is_space]
        if words and words[0].lower_.lstrip("-").removeprefix("t-") in _PRONOUNS:
            person = self.table.last_person_before(span.start_char)
            return (person.name if person else UNATTRIBUTED), Attribution.reported
        k = 0
        while k < len(words) and words[k].lower_ in lex.determiners:
            k += 1
        if k == len(words):
            return UNATTRIBUTED, Attribution.reported
        head = words[k].lower_
        text = surface(doc, words[k].idx, words[-1].idx + len(words[-1].text))
        first = words[0].lower_
        if head in lex.anonymous_heads or (
            first in ("un", "une", "des", "plusieurs", "certains", "certaines") and head in lex.person_nouns
        ):
            return text, Attribution.anonymous_source
        if head in lex.person_nouns and first in ("le", "la", "l'", "l’", "cette", "ce") and len(words) - k <= 2:
            # "la syndicaliste a ajouté": the person named last, when one is near.
            person = self.table.last_person_before(span.start_char, reach=400)
            if person is not None:
                return person.name, Attribution.reported
        return text, Attribution.reported


_PRONOUNS = frozenset({"il", "elle", "lui", "eux", "elles", "ils"})


def _pronoun_speaker(doc: Doc, k: int, end: int) -> tuple[int, int] | None:
    """'a-t-il déclaré', 'estime-t-elle': the clitic pronoun after the verb."""
    k = _skip_space(doc, k, end)
    if k < end and doc[k].lower_ in ("-t-il", "-t-elle", "-il", "-elle", "t-il", "t-elle", "-t", "il", "elle"):
        last = k + 1
        if doc[k].lower_ in ("-t", "-"):
            last = min(end, k + 2)
        return (k, last)
    return None


def find_claims(doc: Doc, table: ActorTable, lex: Lexicon, hedged: object, body_start: int = 0) -> list[FoundClaim]:
    """Every reported statement of the document, in order."""
    speakers = _Speakers(doc, table, lex)
    found: list[FoundClaim] = []
    taken: set[int] = set()
    is_hedged = hedged if callable(hedged) else (lambda rng: False)
    for sent in sentence_units(doc):
        if sent.end <= body_start:
            continue
        s, e = sent.start, sent.end
        while e > s and doc[e - 1].is_space:
            e -= 1
        done_here = False
        paragraph = _paragraph_start(doc, s)
        for tok in sent:
            if tok.i in taken or not is_cue(tok, lex) or _in_quotation(doc, tok.i, paragraph):
                continue
            claim = _from_cue(doc, tok, s, e, lex, speakers, is_hedged)
            if claim is not None:
                found.append(claim)
                taken.update(range(*claim.span))
                done_here = True
        if not done_here:
            claim = _according_to(doc, s, e, lex, speakers, is_hedged) or _for_opening(doc, s, e, lex, speakers, table)
            if claim is not None:
                found.append(claim)
    return found


def _paragraph_start(doc: Doc, i: int) -> int:
    while i > 0 and not (doc[i - 1].is_space and "\n" in doc[i - 1].text):
        i -= 1
    return i


def _for_opening(doc: Doc, s: int, e: int, lex: Lexicon, speakers: _Speakers, table: ActorTable) -> FoundClaim | None:
    """'Pour l'économiste X, ...': a view, when the phrase names someone or a person's title."""
    k = _skip_space(doc, s, e)
    if k >= e or doc[k].lower_ != "pour":
        return None
    comma = next((j for j in range(k + 1, min(e, k + 12)) if doc[j].text == ","), None)
    if comma is None or comma + 3 >= e:
        return None
    phrase = doc[k + 1 : comma]
    named = table.within(phrase.start_char, phrase.end_char, prefer=ActorKind.person)
    if named is None and not any(t.lower_ in lex.person_nouns for t in phrase):
        return None
    content = _trimmed(doc, comma + 1, e)
    name, attribution = speakers.resolve((k + 1, comma))
    return FoundClaim(
        speaker=name, attribution=attribution, hedged=False, content=content, span=(k, content[1]),
        speaker_range=(k + 1, comma),
    )


def _attribution(doc: Doc, content: tuple[int, int], given: Attribution) -> Attribution:
    if given is not Attribution.reported:
        return given
    words = [t for t in doc[content[0] : content[1]] if not t.is_space]
    if words and (words[0].text in _OPEN or doc[max(0, content[0] - 1)].text in _OPEN) and any(t.text in _CLOSE for t in words[-3:] + [doc[min(len(doc) - 1, content[1])]]):
        return Attribution.direct_quote
    return given


def _trimmed(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and (doc[start].is_space or doc[start].text in (",", ":", "-", "—", "–")):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in (",", "-", "—", "–", ":")):
        end -= 1
    return start, end


def _from_cue(doc: Doc, cue: Token, s: int, e: int, lex: Lexicon, speakers: _Speakers, is_hedged: object) -> FoundClaim | None:
    vg = _verb_group_start(doc, cue.i, s)
    before = vg - 1
    while before >= s and doc[before].is_space:
        before -= 1
    hedge = is_hedged if callable(is_hedged) else (lambda rng: False)
    # 2. Speaker first, then a clause or a quotation.
    clause = _clause_after(doc, cue.i, e)
    subject = _subject(doc, cue, vg, s, lex)
    if clause is not None and subject is not None:
        end = e
        if doc[clause].text in _OPEN:
            closing = _quote_close_after(doc, clause)
            if closing is not None:
                end = max(e, closing + 1)
        content = _trimmed(doc, clause, end)
        if content[1] - content[0] >= 2:
            name, attribution = speakers.resolve(subject)
            return FoundClaim(
                speaker=name,
                attribution=_attribution(doc, content, attribution),
                hedged=hedge(content),
                content=content,
                span=(subject[0], content[1]),
                speaker_range=subject,
            )
    # 1. Incise: what was said comes first, then ', a déclaré X' or '», estime-t-il'.
    if before >= s and doc[before].text in (",",) + _CLOSE:
        end_content = before + 1 if doc[before].text in _CLOSE else before
        if doc[before].text == "," and before - 1 >= s and doc[before - 1].text in _CLOSE:
            end_content = before
        start_content = s
        if doc[end_content - 1].text in _CLOSE:
            opened = _quote_open_before(doc, end_content - 1)
            if opened is not None:
                start_content = min(opened, s)
        content = _trimmed(doc, start_content, end_content)
        speaker_rng = (
            _inverted_pronoun(doc, vg, cue.i) or _pronoun_speaker(doc, cue.i + 1, e) or _phrase_after(doc, cue.i + 1, e, lex)
        )
        if content[1] - content[0] >= 3 and speaker_rng is not None:
            name, attribution = speakers.resolve(speaker_rng)
            return FoundClaim(
                speaker=name,
                attribution=_attribution(doc, content, attribution),
                hedged=hedge(content),
                content=content,
                span=(content[0], max(speaker_rng[1], cue.i + 1)),
                speaker_range=speaker_rng,
            )
    # 3. 'X a annoncé un plan ...': the object is what was said.
    if subject is not None and (cue.lemma_.lower() in lex.object_content or cue.lower_ in lex.object_content) and e - cue.i > 3:
        content = _trimmed(doc, cue.i + 1, e)
        name, attribution = speakers.resolve(subject)
        return FoundClaim(
            speaker=name, attribution=attribution, hedged=hedge(content), content=content,
            span=(subject[0], content[1]), speaker_range=subject,
        )
    return None


def _subject(doc: Doc, cue: Token, vg: int, s: int, lex: Lexicon) -> tuple[int, int] | None:
    # The parser's subject, when it is before the verb and in the sentence.
    for child in cue.children:
        if child.dep_ in ("nsubj", "nsubj:pass") and s <= child.i < vg:
            start, end = child.left_edge.i, child.right_edge.i + 1
            if start >= s and end <= vg:
                if doc[start:end].text.strip().lower() in ("qui",):
                    break
                parsed = _trimmed(doc, start, end)
                wider = _phrase_before(doc, vg, s, lex)
                if wider is not None and wider[0] < parsed[0] or wider is not None and wider[1] > parsed[1]:
                    return wider  # 'Son adversaire, le député X, a dénoncé': the apposition names the speaker
                return parsed
    rng = _phrase_before(doc, vg, s, lex)
    if rng is None:
        return None
    span = doc[rng[0] : rng[1]]
    if any(t.text in _OPEN + _CLOSE for t in span):
        return None
    return rng


def _according_to(doc: Doc, s: int, e: int, lex: Lexicon, speakers: _Speakers, is_hedged: object) -> FoundClaim | None:
    hedge = is_hedged if callable(is_hedged) else (lambda rng: False)
    for k in range(s, e):
        low = doc[k].lower_
        two = low + (doc[k + 1].lower_ if k + 1 < e else "")
        if low in lex.according_to:
            src_start = k + 1
        elif two in ("d'après", "d’après"):
            src_start = k + 2
        else:
            continue
        src_end = src_start
        while src_end < e and doc[src_end].text not in (",", ".", ";", "!", "?", "»", "(") and src_end - src_start < 14:
            src_end += 1
        if src_end == src_start:
            continue
        speaker_rng = (src_start, src_end)
        if not _can_be_a_source(doc, speaker_rng, lex, speakers.table):
            continue
        if k == s or all(doc[j].is_space or doc[j].is_punct for j in range(s, k)):
            content = _trimmed(doc, src_end, e)
        else:
            content = _trimmed(doc, s, k)
            if src_end < e - 1:
                rest = _trimmed(doc, src_end, e)
                if rest[1] - rest[0] > content[1] - content[0]:
                    content = rest
        while content[1] > content[0] and doc[content[1] - 1].is_punct and doc[content[1] - 1].text not in _CLOSE:
            content = (content[0], content[1] - 1)
        if content[1] - content[0] < 3:
            continue
        name, attribution = speakers.resolve(speaker_rng)
        return FoundClaim(
            speaker=name,
            attribution=attribution,
            hedged=hedge(content),
            content=content,
            span=(min(k, content[0]), max(src_end, content[1])),
            speaker_range=speaker_rng,
        )
    return None


def _can_be_a_source(doc: Doc, rng: tuple[int, int], lex: Lexicon, table: ActorTable) -> bool:
    """'Selon la police', 'selon lui', 'selon un rapport', 'selon des sources': yes. 'Selon les régions'
    (depending on), 'selon les cas': no."""
    span = doc[rng[0] : rng[1]]
    if table.within(span.start_char, span.end_char) is not None:
        return True
    words = [t.lower_ for t in span if t.is_alpha or "-" in t.text]
    if not words:
        return False
    if words[0] in _PRONOUNS or any(t[:1].isupper() for t in span.text.split()):
        return True
    known = lex.person_nouns | lex.anonymous_heads | lex.org_words | lex.media_words | lex.source_nouns
    return any(w in known for w in words)


class ClaimIndex:
    """Which claim's span holds a token (the first such claim, in the claims' order), in constant time:
    asking the whole list for every number and cue cost the square of a long document's length."""

    def __init__(self, claims: list[FoundClaim]) -> None:
        self._at: dict[int, FoundClaim] = {}
        for claim in claims:
            for i in range(*claim.span):
                self._at.setdefault(i, claim)

    def at(self, i: int) -> FoundClaim | None:
        return self._at.get(i)


_ENDS = frozenset({".", "!", "?", "…", "»", "”", '"', ":"})


def sentence_units(doc: Doc) -> list[Span]:
    """The parser's sentences, joined where it cut one in the middle: a small model often ends a sentence
    before a capitalised name ('..., a raconté | Mohamed Aït Ali, un habitant'). A sentence that does not
    end with a full stop, a question or exclamation mark or a closing quotation mark runs on into the next
    one of the same paragraph."""
    units: list[Span] = []
    start: int | None = None
    sents = list(doc.sents)
    for k, sent in enumerate(sents):
        if start is None:
            start = sent.start
        words = [t for t in sent if not t.is_space]
        newline = any(t.is_space and "\n" in t.text for t in sent)
        last = k == len(sents) - 1
        if last or newline or not words or words[-1].text in _ENDS:
            units.append(doc[start : sent.end])
            start = None
    return units


def name_speakers(doc: Doc, table: ActorTable, claims: list[FoundClaim], lex: Lexicon) -> None:
    """Speakers the entities missed become actors: a capitalised name ('a raconté Mohamed Aït Ali') or an
    institution named by its common noun ('la préfecture de police', 'l'intersyndicale')."""
    for claim in claims:
        if claim.speaker_range is None or claim.attribution is Attribution.anonymous_source:
            continue
        span = doc[claim.speaker_range[0] : claim.speaker_range[1]]
        if table.within(span.start_char, span.end_char) is not None:
            continue
        words = [t for t in span if not t.is_space]
        run: list[Token] = []
        for t in words:
            if t.is_alpha and t.is_title and t.lower_ not in lex.determiners and not _opens_sentence(t):
                run.append(t)
            elif run and len(run) >= 2:
                break
            else:
                run = []
        while len(run) > 2 and run[0].ent_type_ in ("ORG", "LOC", "MISC"):
            run = run[1:]  # 'le député Renaissance Mounir Belhamiti': the party is not part of the name
        if len(run) >= 2:
            name_span = doc[run[0].i : run[-1].i + 1]
            actor = adopt(table, surface(doc, name_span.start_char, name_span.end_char), ActorKind.person, name_span.start_char, name_span.end_char)
            claim.speaker = actor.name
            continue
        if len(words) >= 2 and words[0].lower_ in ("le", "la", "l'", "l’", "les") and words[1].lower_ in lex.org_words:
            name_span = doc[words[1].i : words[-1].i + 1]
            actor = adopt(table, surface(doc, name_span.start_char, name_span.end_char), ActorKind.organisation, name_span.start_char, name_span.end_char)
            claim.speaker = actor.name
    # A pronoun that had no person to stand for may have one now ('..., a raconté X. Il a ajouté ...').
    speakers = _Speakers(doc, table, lex)
    for claim in claims:
        if claim.speaker == UNATTRIBUTED and claim.speaker_range is not None:
            claim.speaker = speakers.resolve(claim.speaker_range)[0]


def _opens_sentence(tok: Token) -> bool:
    """The token starts a sentence by its text (after a full stop or a line break), whatever the parser says."""
    k = tok.i - 1
    while k >= 0 and tok.doc[k].is_space and "\n" not in tok.doc[k].text:
        k -= 1
    return k < 0 or tok.doc[k].text in (".", "!", "?", "…", "«", "“") or "\n" in tok.doc[k].text
