"""Claims from reported speech: who says what, read off the dependency parse.

Patterns: a reporting verb with a subject and a clause ("X said (that) ...", "X told AFP that ...",
"'...,' X charged", "X reiterated its hope ..."), "according to X, ...", a sentence opening "For X, ..."
(the French "pour X"), and verbs of belief with a clause ("X believes ..."). The speaker is resolved to an
actor by `speakers.py`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.actors import ActorIndex
from summarizer.engines.extractive.lexicon import BELIEF_VERBS, PERSON_NOUNS, SAY_VERBS
from summarizer.engines.extractive.modality import future_cue
from summarizer.engines.extractive.quotes import (
    QUOTE_OPEN,
    inside_quote,
    is_quoted,
    quotations,
    quoted_share,
    trim_run,
)
from summarizer.engines.extractive.speakers import (
    SpeakerResolver,
    inverted_speaker,
    speaker_phrase,
    subject_after,
    subject_before,
    subject_of,
)
from summarizer.schema import UNATTRIBUTED, ActorKind, Attribution

# Verbs that report a finding only with a that-clause: "the study found that ...".
_FINDING_VERBS = frozenset({"find", "show", "rule", "learn", "reason", "conclude", "determine", "establish"})

# Verbs that introduce speech only when a colon, a quote or 'that' follows: "She continued: ...".
_SIGNAL_ONLY = frozenset({"continue", "read", "write", "post", "reason", "begin", "conclude"})

# Verbs whose object, with no clause, is what was said: "China reiterated its hope for ...".
_OBJECT_CONTENT = frozenset(
    """reiterate announce confirm deny reject dismiss report reveal disclose acknowledge admit claim stress
    repeat reaffirm allege condemn welcome praise criticise criticize denounce decry hail""".split()
)

# Verbs that ask someone to act: the content runs from the addressee to the end of the infinitive.
_DIRECTIVE = frozenset({"urge", "call", "ask", "demand", "appeal", "press", "encourage", "invite"})

# Hedging words beside the modal and future/intent cues of `modality.py`.
_HEDGE_LEMMAS = frozenset(
    """appear seem likely unlikely probably possibly perhaps allegedly reportedly alleged apparently should
    suggest unconfirmed presumably""".split()
)

# A claim made with these verbs is a belief, an allegation or a prediction, not a statement of fact.
_HEDGING_VERBS = frozenset(
    """claim allege suggest believe think estimate suspect speculate fear expect predict forecast
    anticipate""".split()
)

_CONTENT_DEPS = frozenset({"ccomp", "parataxis"})

_CUE_VERBS = SAY_VERBS | BELIEF_VERBS | _DIRECTIVE | _FINDING_VERBS | _SIGNAL_ONLY

_RESEARCH_NOUNS = frozenset(
    """study studies survey poll report research researcher scientist analysis data figure result finding
    investigation inquiry review audit census test""".split()
)

# "X is concerned that ...": adjectives that report a stance with a clause.
_STANCE_ADJECTIVES = frozenset(
    {"concerned", "convinced", "confident", "sure", "certain", "worried", "afraid", "adamant"}
)



@dataclass
class Reported:
    """One claim while the document is read: the spans in token indices and the resolved speaker."""

    speaker: str
    attribution: Attribution
    hedged: bool
    content: list[tuple[int, int]]  # token runs (start, end exclusive) that make up the statement
    span: tuple[int, int]  # token range of the whole attribution (speaker, cue and content)
    cue: int  # the reporting verb or "according"
    speaker_head: Token | None
    speaker_range: tuple[int, int]


def _subtree_range(token: Token) -> tuple[int, int]:
    return token.left_edge.i, token.right_edge.i + 1


def _within(rng: tuple[int, int], sent: Span) -> tuple[int, int]:
    return max(rng[0], sent.start), min(rng[1], sent.end)


def _is_verb(token: Token) -> bool:
    return token.pos_ == "VERB" or (token.pos_ == "AUX" and token.dep_ in ("ROOT", "ccomp", "conj"))


@dataclass
class _Reader:
    doc: Doc
    speakers: SpeakerResolver
    found: list[Reported]


    def add(
        self,
        cue: Token,
        speaker_head: Token | None,
        content: list[tuple[int, int]],
        sent: Span,
        np: tuple[int, int] | None = None,
    ) -> None:
        """Record a claim; `sent` bounds it (a sentence, or two when a colon introduces the next)."""
        doc = self.doc
        runs = [trim_run(doc, *_within(run, sent)) for run in content]
        runs = [r for r in runs if r[1] - r[0] >= 2 or (r[1] > r[0] and doc[r[0]].pos_ in ("VERB", "NOUN", "PROPN"))]
        if not runs:
            return
        runs.sort()
        if speaker_head is None:
            speaker, attribution, np = UNATTRIBUTED, Attribution.reported, (cue.i, cue.i + 1)
        else:
            np = np or speaker_phrase(speaker_head, limit=sent.end)
            speaker, attribution = self.speakers.resolve(speaker_head, np)
        span = (min(np[0], cue.i, runs[0][0]), max(np[1], cue.i + 1, runs[-1][1]))
        span = trim_run(doc, *span)
        span = (min(span[0], runs[0][0]), max(span[1], runs[-1][1]))
        if any(r.content == runs for r in self.found):
            return
        # Quotation marks just outside the run count: the parser often hangs them on the verb.
        quoted = quoted_share(doc, max(0, runs[0][0] - 1), min(len(doc), runs[-1][1] + 2))
        if attribution is not Attribution.anonymous_source and quoted >= 0.6:
            attribution = Attribution.direct_quote
        hedged = cue.lemma_ in _HEDGING_VERBS or _hedged(doc, runs)
        self.found.append(Reported(speaker, attribution, hedged, runs, span, cue.i, speaker_head, np))
        self.speakers.remember(speaker, attribution, cue.i, speaker_head, span)


def _hedged(doc: Doc, runs: list[tuple[int, int]]) -> bool:
    return any(
        doc[k].lemma_.lower() in _HEDGE_LEMMAS or doc[k].lower_ in _HEDGE_LEMMAS or future_cue(doc[k])
        for start, end in runs
        for k in range(start, end)
    )


def _verb_content(verb: Token, sent: Span) -> list[tuple[int, int]]:
    lemma = verb.lemma_.lower()
    clauses = [c for c in verb.children if c.dep_ in _CONTENT_DEPS and (c.dep_ == "ccomp" or is_quoted(c))]
    if clauses:
        return [_subtree_range(c) for c in clauses]
    if lemma in _DIRECTIVE:
        # "called on NATO countries to maintain ...": the request, with its verb, is what was said.
        goals = [c for c in verb.children if c.dep_ == "xcomp" and c.i > verb.i]
        return [(verb.i, goals[-1].right_edge.i + 1)] if goals else []
    if lemma in _OBJECT_CONTENT:
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.i > verb.i]
        return [_subtree_range(objects[0])] if objects else []
    head = verb.head
    if verb.dep_ == "parataxis" and head.i < verb.i and is_quoted(head):
        # The parser made the quote the main clause: the content is the quote before the verb.
        return [(max(head.left_edge.i, sent.start), verb.left_edge.i)]
    if verb.dep_ == "advcl" and head.i > verb.i and head.pos_ in ("VERB", "AUX"):
        # "If NATO said it was not able to confirm ...": the parser hung the clause said above the verb.
        parts = [head] + [c for c in head.children if c.i > verb.right_edge.i and c.dep_ not in ("conj", "cc")]
        return [(verb.right_edge.i + 1, max(p.right_edge.i for p in parts if p.i >= head.i) + 1)]
    return []


_CONTENT_VERBS = SAY_VERBS | BELIEF_VERBS | _DIRECTIVE
_SIGNALLED_VERBS = SAY_VERBS | _SIGNAL_ONLY


def _reporting_verbs(reader: _Reader, sent: Span, next_sent: Span | None) -> None:
    for tok in sent:
        lemma = tok.lemma_.lower()
        if not _is_verb(tok) or lemma not in _CUE_VERBS:
            continue
        if tok.text[:1].isupper() and not tok.is_sent_start:
            continue  # "Woman Who Sued Goldman Sachs Says She Was Fired": a headline, not a report
        if tok.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in tok.children):
            continue  # "is expected to", "was reported": no speaker
        infinitive = tok.tag_ == "VB" and any(c.lower_ == "to" and c.dep_ == "aux" for c in tok.children)
        if infinitive or any(c.dep_ == "neg" for c in tok.children):
            continue  # "have not said" says nothing; "time to say goodbye" is no report
        content = _verb_content(tok, sent) if lemma in _CONTENT_VERBS else []
        if not content and lemma in SAY_VERBS:
            content = _after_venue(tok)
        if lemma in _FINDING_VERBS and not content:
            # "the study found that ...", or "the scientists found ..." when research is the subject.
            research = any(c.dep_ == "nsubj" and c.lemma_.lower() in _RESEARCH_NOUNS for c in tok.children)
            content = [_subtree_range(c) for c in tok.children if c.dep_ == "ccomp" and (research or _has_mark(c))]
        if lemma in BELIEF_VERBS and not any(t.pos_ in ("VERB", "AUX") for s, e in content for t in tok.doc[s:e]):
            continue  # "believes in miracles" holds no clause
        speaker = inverted_speaker(tok) or subject_of(tok)
        if speaker is None and (not content or min(s for s, _ in content) < tok.i):
            speaker = subject_after(tok)
        if speaker is None:
            speaker = subject_before(tok, sent)
        if speaker is not None and speaker.tag_ in ("WP", "WDT") and speaker.dep_ == "nsubj" and tok.dep_ == "relcl":
            # "Residents, who asked ...": the relative pronoun stands for the noun, unless the parser
            # gave the verb a second subject ("boats which, ..., the UN has criticised").
            other = next((c for c in tok.children if c.dep_ == "nsubj" and c.i != speaker.i), None)
            speaker = other or tok.head
        if speaker is None or speaker.i < sent.start or speaker.i >= sent.end:
            continue
        if speaker.pos_ == "PRON" and speaker.lower_ in ("i", "we", "you") and inside_quote(tok):
            continue  # speech inside someone else's quote
        np = speaker_phrase(speaker, sent.end)
        bounds = sent
        if not content and lemma in _SIGNALLED_VERBS:
            content, bounds = _signalled_content(tok, np, sent, next_sent)
        if not content:
            continue
        # The subject and its phrase are never part of what is said.
        content = [_cut(run, np) for run in content]
        reader.add(tok, speaker, [run for run in content if run[1] > run[0]], bounds, np)


# Where something is said: "said in a statement (released on Sunday) that ...".
_VENUES = frozenset(
    """statement interview letter speech post email e-mail briefing release note message tweet video
    conference filing posting broadcast address communique""".split()
)


def _after_venue(verb: Token) -> list[tuple[int, int]]:
    """'X said in a written statement that ...': the parser hangs the that-clause on 'statement'."""
    for prep in verb.children:
        if prep.dep_ != "prep" or prep.i < verb.i or prep.lower_ not in ("in", "on", "during", "at"):
            continue
        venue = next((c for c in prep.children if c.dep_ == "pobj" and c.lemma_.lower() in _VENUES), None)
        if venue is None:
            continue
        for tok in venue.subtree:
            if tok.dep_ == "mark" and tok.lower_ == "that" and tok.head.pos_ in ("VERB", "AUX"):
                return [(tok.i + 1, tok.head.right_edge.i + 1)]
    return []


# Reporting verbs that are also nouns: the tagger may read "The central bank forecast that ..." as a noun.
_NOUN_LIKE_VERBS = frozenset({"forecast", "forecasts", "estimate", "estimates", "report", "reports", "warn", "warns"})
_NOUN_LIKE_THAT = re.compile(r"\b(?:forecasts?|estimates?|reports?|warns?)\s+that\b", re.IGNORECASE)


def _verb_read_as_noun(reader: _Reader, sent: Span) -> None:
    """'The central bank forecast that inflation would fall': the parser made 'forecast' a noun with a
    clause; with no other verb in the sentence, it is the reporting verb and the words before it the
    speaker."""
    doc = reader.doc
    if not _NOUN_LIKE_THAT.search(sent.text):
        return  # most sentences: no need to read them token by token
    for tok in sent:
        if tok.lower_ not in _NOUN_LIKE_VERBS or tok.pos_ != "NOUN" or tok.i == sent.start:
            continue
        clause = doc[tok.i + 1] if tok.i + 1 < sent.end else None
        if clause is None or clause.dep_ != "mark" or clause.lower_ != "that" or clause.head.pos_ not in ("VERB", "AUX"):
            continue
        verb = clause.head
        inside = set(range(verb.left_edge.i, verb.right_edge.i + 1))
        if any(t.pos_ in ("VERB", "AUX") and t.i not in inside for t in sent):
            continue  # "the report that he resigned was false": a noun with its clause
        # The speaker's head: the first noun whose head lies outside the words before the verb.
        subject = [
            t
            for t in doc[sent.start : tok.i]
            if t.pos_ in ("NOUN", "PROPN") and not (sent.start <= t.head.i < tok.i and t.head.i != t.i)
        ]
        if not subject:
            continue
        content = [(clause.i + 1, verb.right_edge.i + 1)]
        np = trim_run(doc, sent.start, tok.i)
        reader.add(tok, subject[0], content, sent, np)
        return


def _has_mark(clause: Token) -> bool:
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)


def _signalled_content(
    verb: Token, np: tuple[int, int], sent: Span, next_sent: Span | None
) -> tuple[list[tuple[int, int]], Span]:
    """What a speech verb introduces when the parse does not say: the words after 'that', a colon or an
    opening quote; the sentence before '..., X said.'; both sides of ', said X,'."""
    doc = verb.doc
    seg_start, seg_end = min(np[0], verb.i), max(np[1], verb.i + 1)
    words = [t for t in doc[seg_end : sent.end] if not t.is_space]
    if words and words[-1].text == ":" and next_sent is not None and next_sent[0].text in QUOTE_OPEN:
        return [(next_sent.start, next_sent.end)], doc[sent.start : next_sent.end]  # "X tweeted: <quote>"
    k = seg_end
    while k < sent.end and k - seg_end < 9:
        tok = doc[k]
        if tok.lower_ == "that" or tok.text in QUOTE_OPEN:
            return [(k + (tok.lower_ == "that"), sent.end)], sent
        if tok.text == ":":
            rest = [t for t in doc[k + 1 : sent.end] if not t.is_space]
            if rest:
                return [(k + 1, sent.end)], sent
            if next_sent is not None and next_sent[0].text in QUOTE_OPEN:
                return [(next_sent.start, next_sent.end)], doc[sent.start : next_sent.end]
            return [], sent
        if tok.pos_ in ("VERB", "AUX") or (tok.text == "," and k + 1 < sent.end and doc[k + 1].text not in QUOTE_OPEN):
            break
        k += 1
    after = [t for t in doc[seg_end : sent.end] if not (t.is_punct or t.is_space)]
    before = doc[sent.start : seg_start]
    right = doc[seg_end + 1 : sent.end]
    if (
        seg_start > sent.start
        and doc[seg_start - 1].text == ","
        and seg_end < sent.end
        and doc[seg_end].text == ","
        and any(t.pos_ in ("VERB", "AUX") for t in right)
    ):
        return [(sent.start, seg_start - 1), (seg_end + 1, sent.end)], sent  # "Recipients, said Mauer, are ..."
    if not after and len(before) >= 3 and any(t.pos_ in ("VERB", "AUX") for t in before):
        return [(sent.start, seg_start)], sent  # "..., Ms Bauchtman said."
    return [], sent


def _cut(run: tuple[int, int], hole: tuple[int, int]) -> tuple[int, int]:
    start, end = run
    if hole[0] <= start < hole[1]:
        start = hole[1]
    if hole[0] < end <= hole[1]:
        end = hole[0]
    return start, end


def _according_to(reader: _Reader, sent: Span) -> None:
    doc = reader.doc
    for tok in sent:
        if tok.lower_ != "according":
            continue
        to = next((c for c in tok.children if c.lower_ == "to"), None)
        if to is None and tok.i + 1 < sent.end and doc[tok.i + 1].lower_ == "to":
            to = doc[tok.i + 1]
        if to is None:
            continue
        obj = next((c for c in to.children if c.dep_ in ("pobj", "pcomp")), None)
        if obj is None:
            continue
        phrase = (min(tok.i, tok.left_edge.i), _source_end(obj))
        if doc[phrase[0] - 1].lower_ in ("also",) if phrase[0] > sent.start else False:
            phrase = (phrase[0] - 1, phrase[1])
        head = tok.head
        if head.dep_ == "acl" and head.head.pos_ in ("NOUN", "PROPN"):
            head = head.head  # "images showing, according to it, ...": the statement is about the images
        scope = (sent.start, sent.end) if head.dep_ == "ROOT" or head.i == tok.i else _subtree_range(head)
        runs = [(scope[0], phrase[0]), (phrase[1], scope[1])]
        np = (min(obj.left_edge.i, obj.i), phrase[1])
        reader.add(tok, obj, [r for r in runs if r[1] > r[0]], sent, np)


def _source_end(obj: Token) -> int:
    """Where 'according to X' ends: X's phrase, unless the parser hung the statement on X."""
    doc = obj.doc
    end = obj.right_edge.i + 1
    if not any(t.pos_ in ("VERB", "AUX") for t in doc[obj.i : end]):
        return end
    # "an Internet posting made 24 hours ago, ...": the source phrase runs to the comma.
    for k in range(obj.i + 1, min(end, obj.i + 12)):
        if doc[k].text == ",":
            after = doc[k + 1 : k + 4]
            # "the team's coach, Alireza Mehraban, ...": an apposition set off by commas is part of it.
            names = [t for t in after if t.pos_ == "PROPN"]
            if names and k + 1 + len(names) < len(doc) and doc[k + 1 + len(names)].text == ",":
                return k + 1 + len(names)
            return k
    # "a new report from the Ministry of the Interior published Sunday": keep the verbless modifiers.
    end = obj.i + 1
    for child in obj.children:
        if child.i < end:
            continue
        if child.i != end or any(t.pos_ in ("VERB", "AUX") for t in child.subtree):
            break
        end = child.right_edge.i + 1
    return end


def _in_the_words_of(reader: _Reader, sent: Span) -> None:
    """'..., in the words of the Crown prosecutor, Mark Tedeschi, ...' works like 'according to'."""
    doc = reader.doc
    for tok in sent:
        if tok.lower_ != "words" or tok.i < sent.start + 2 or doc[tok.i - 2].lower_ != "in":
            continue
        of = next((c for c in tok.children if c.lower_ == "of"), None)
        obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
        if obj is None:
            continue
        phrase = (tok.i - 2, _source_end(obj))
        runs = [(sent.start, phrase[0]), (phrase[1], sent.end)]
        reader.add(tok, obj, [r for r in runs if r[1] - r[0] > 2], sent, (obj.left_edge.i, phrase[1]))


def _stance(reader: _Reader, sent: Span) -> None:
    """'Italian secularist associations are concerned that ...': a stance held by the subject."""
    for tok in sent:
        if tok.lower_ not in _STANCE_ADJECTIVES or tok.dep_ not in ("acomp", "ROOT"):
            continue
        clause = next((c for c in tok.children if c.dep_ == "ccomp"), None)
        verb = tok.head if tok.dep_ == "acomp" else tok
        subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
        if clause is None or subject is None or subject.lower_ in ("i", "we", "you", "it"):
            continue
        reader.add(tok, subject, [_subtree_range(clause)], sent)


def _for_opening(reader: _Reader, sent: Span) -> None:
    """'For Hong Sung-pyo, a researcher at ..., the North probably views ...': the view of the person named."""
    doc = reader.doc
    first = next((t for t in sent if not (t.is_space or t.is_punct)), None)
    if first is None or first.lower_ != "for":
        return
    obj = next((c for c in first.children if c.dep_ == "pobj"), None)
    if obj is None:
        return
    actor = reader.speakers.index.at(obj.i)
    is_person = (actor is not None and actor.kind is ActorKind.person) or obj.lemma_.lower() in PERSON_NOUNS
    end = obj.right_edge.i + 1
    if not is_person or end >= sent.end or doc[end].text != ",":
        return
    reader.add(first, obj, [(end + 1, sent.end)], sent)


def _separate(doc: Doc, claims: list[Reported]) -> None:
    """Two speakers in one sentence: what one says never runs into the other's name and verb."""
    for claim in claims:
        for other in claims:
            if other is claim:
                continue
            boundary = min(other.speaker_range[0], other.cue)
            runs = []
            for start, end in claim.content:
                if start < boundary < end and boundary > claim.cue:
                    end = boundary
                runs.append((start, end))
            while runs and runs[-1][1] > boundary > claim.cue and runs[-1][0] >= boundary:
                runs.pop()
            runs = [r for r in (trim_run(doc, *r) for r in runs) if r[1] > r[0]]
            if runs and runs != claim.content:
                claim.content = runs
                claim.span = (claim.span[0], min(claim.span[1], max(runs[-1][1], claim.cue + 1)))


def _spread_over_quotes(doc: Doc, claims: list[Reported], quotes: list[tuple[int, int]]) -> None:
    """A claim whose statement is part of a longer quotation takes in the whole quotation: '"We tried
    everything. Nothing worked. We had to sell," said Lopez' is one claim, its evidence the three
    sentences."""
    # Quotations are disjoint and in text order, so each claim need only look at those its runs can
    # touch (a long text has thousands of each).
    opens, closes = [q[0] for q in quotes], [q[1] for q in quotes]
    for claim in claims:
        low, high = min(r[0] for r in claim.content), max(r[1] for r in claim.content)
        for open_mark, close_mark in quotes[bisect_right(closes, low) : bisect_left(opens, high - 1)]:
            inner = (open_mark + 1, close_mark)
            if open_mark < claim.cue < close_mark:
                continue  # the cue is inside the quotation: it is someone's quoted words, not the report
            touches = [r for r in claim.content if r[0] < inner[1] and inner[0] < r[1]]
            if not touches:
                continue
            quote = trim_run(doc, *inner)
            start, end = min(r[0] for r in touches), max(r[1] for r in touches)
            if start <= quote[0] and quote[1] <= end:
                continue  # the quotation lies inside the statement already
            runs = sorted([r for r in claim.content if r not in touches] + [(min(start, quote[0]), max(end, quote[1]))])
            claim.content = runs
            claim.span = (min(claim.span[0], open_mark), max(claim.span[1], close_mark + 1))
            claim.hedged = claim.hedged or _hedged(doc, runs)
            if claim.attribution is Attribution.reported:
                claim.attribution = Attribution.direct_quote


class _Intervals:
    """Half-open token ranges, asked whether any overlaps (start, end) in log time."""

    def __init__(self, ranges: list[tuple[int, int]]) -> None:
        ranges = sorted(ranges)
        self._starts = [r[0] for r in ranges]
        self._max_end: list[int] = []
        for _, end in ranges:
            self._max_end.append(max(end, self._max_end[-1]) if self._max_end else end)

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self._starts, end)  # ranges starting before `end`
        return k > 0 and self._max_end[k - 1] > start


def _continued_quotes(doc: Doc, claims: list[Reported], quotes: list[tuple[int, int]]) -> list[Reported]:
    """'"I am proud of the team," Garcia said. "They played with heart."': a quotation that opens the
    sentence (or paragraph) right after a claim, with no report of its own, goes on with that speaker."""
    added: list[Reported] = []
    contents = _Intervals([r for c in claims for r in c.content])
    spans = _Intervals([c.span for c in claims])
    by_end = sorted((c.span[1] - 1, n) for n, c in enumerate(claims) if c.speaker != UNATTRIBUTED)
    opens = [q[0] for q in quotes]
    for open_mark, close_mark in quotes:
        inner = trim_run(doc, open_mark + 1, close_mark)
        if len([t for t in doc[inner[0] : inner[1]] if t.is_alpha]) < 3:
            continue
        if contents.overlaps(open_mark, close_mark) or spans.overlaps(open_mark, close_mark):
            continue
        sent = doc[open_mark].sent
        if next(t.i for t in sent if not t.is_space) != open_mark or sent.start == 0:
            continue  # the quotation does not open its sentence
        tail = doc[close_mark + 1 : doc[close_mark].sent.end]
        if any(not (t.is_punct or t.is_space) for t in tail):
            continue  # '"Report found on street" — Toronto Star': a quoted title with its source
        before = doc[sent.start - 1].sent
        window = by_end[bisect_left(by_end, (before.start, -1)) : bisect_left(by_end, (before.end, -1))]
        if not window:
            continue
        last = claims[max(window, key=lambda e: (claims[e[1]].span[1], -e[1]))[1]]
        if bisect_left(opens, last.span[1]) < bisect_left(opens, open_mark):
            continue  # another quotation opens between that claim and this one
        added.append(
            Reported(
                last.speaker,
                Attribution.direct_quote if last.attribution is not Attribution.anonymous_source else last.attribution,
                _hedged(doc, [inner]),
                [inner],
                (open_mark, close_mark + 1),
                last.cue,
                last.speaker_head,
                last.speaker_range,
            )
        )
    return added


class Claims(list[Reported]):
    """`find_claims`' result: the claims, and for `speaker_of` the innermost one at each token, found once
    rather than by reading every claim for every figure and hedge (the square of a long text's length)."""

    _innermost: dict[int, tuple[int, str]] | None = None
    _starts: tuple[list[tuple[int, int]], list[tuple[int, int]]] | None = None

    def opening_or_naming_within(self, start: int, cue: int, end: int) -> list[Reported]:
        """In list order, the claims whose statement starts in (start, cue] or whose speaker (or cue,
        if earlier) starts in (cue, end): the only ones that can cut a clause [start, end) around `cue`."""
        if self._starts is None:
            content = sorted((c.content[0][0], n) for n, c in enumerate(self))
            speaker = sorted((min(c.speaker_range[0], c.cue), n) for n, c in enumerate(self))
            self._starts = (content, speaker)
        content, speaker = self._starts
        hits = {n for _, n in content[bisect_right(content, (start, len(self))) : bisect_right(content, (cue, len(self)))]}
        hits |= {n for _, n in speaker[bisect_right(speaker, (cue, len(self))) : bisect_left(speaker, (end, -1))]}
        return [self[n] for n in sorted(hits)]

    def innermost(self) -> dict[int, tuple[int, str]]:
        if self._innermost is None:
            best: dict[int, tuple[int, str]] = {}
            for claim in self:
                for start, end in claim.content:
                    for i in range(start, end):
                        if i not in best or end - start < best[i][0]:
                            best[i] = (end - start, claim.speaker)
            self._innermost = best
        return self._innermost


def speaker_of(claims: list[Reported], i: int) -> str | None:
    """The speaker of the innermost claim whose statement contains token i, if it has a speaker."""
    best: tuple[int, str] | None = None
    if isinstance(claims, Claims):
        best = claims.innermost().get(i)
    else:
        for claim in claims:
            for start, end in claim.content:
                if start <= i < end and (best is None or end - start < best[0]):
                    best = (end - start, claim.speaker)
    return best[1] if best is not None and best[1] != UNATTRIBUTED else None


def find_claims(doc: Doc, index: ActorIndex, body_start: int = 0) -> list[Reported]:
    """Every claim in the document after the title, in text order."""
    reader = _Reader(doc, SpeakerResolver(doc, index), [])
    sents = list(doc.sents)
    for n, sent in enumerate(sents):
        if sent.end <= body_start:
            continue
        before = len(reader.found)
        _reporting_verbs(reader, sent, sents[n + 1] if n + 1 < len(sents) else None)
        _verb_read_as_noun(reader, sent)
        _according_to(reader, sent)
        _in_the_words_of(reader, sent)
        _stance(reader, sent)
        _for_opening(reader, sent)
        _separate(doc, reader.found[before:])
    quotes = quotations(doc)
    _spread_over_quotes(doc, reader.found, quotes)
    reader.found.extend(_continued_quotes(doc, reader.found, quotes))
    reader.found.sort(key=lambda r: r.span)
    return Claims(reader.found)
