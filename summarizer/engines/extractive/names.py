"""Proper names in a parsed document that may be actors, with the small model's usual errors corrected.

spaCy's entities are the start. Corrections: a leading "the" and a trailing possessive are dropped; an
organisation label on a word that is part of a title ("Home" in "Home Secretary") or a common word the
text also writes in lower case is dropped; names tagged as buildings or events that carry an
organisation word ("the Saudi Gazette") become organisations; a person's given name the tagger left out
is taken in; capitalised names the tagger missed are added when they name an organisation or speak.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.lexicon import HONORIFICS, MEDIA_WORDS, ORG_WORDS, PERSON_NOUNS, SAY_VERBS, TITLE_WORDS

MAX_NAME_TOKENS = 8
# Lower-case words inside personal names: "Ursula von der Leyen", "Abu Bakr al-Baghdadi".
_NAME_PARTICLES = frozenset({"de", "van", "von", "der", "al", "bin", "da", "del", "la", "le", "di", "du"})
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC"})

_OTHER_NAME_LABELS = frozenset({"FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"})

DIRECTIONS = frozenset({"north", "south", "east", "west"})

POSSESSIVE = frozenset({"'s", "\u2019s", "'", "\u2019"})



def entity_spans(doc: Doc) -> list[Span]:
    """Named entities that may be actors, corrected where the small model is often wrong."""
    spans = []
    lowercase_words = {t.text for t in doc if t.is_lower}
    for ent in doc.ents:
        label = ent.label_
        if label in _OTHER_NAME_LABELS and _has_org_word(ent):
            label = "ORG"  # "the Saudi Gazette" tagged as a building, "the Sydney Morning Herald" as an event
        if label not in ACTOR_LABELS:
            continue
        trimmed = trim(_before_parenthesis(_before_clause(ent)))
        if trimmed is None or not plausible_name(trimmed):
            continue
        misread = _part_of_title(trimmed) or _common_word(trimmed, lowercase_words) or _after_number(trimmed)
        if label == "ORG" and misread:
            continue
        if label == "PERSON":
            trimmed = _extend_given_name(_cut_at_lowercase(trimmed))
        spans.append(Span(doc, trimmed.start, trimmed.end, label=label))
    taken = {i for span in spans for i in range(span.start, span.end)}
    spans.extend(_unlabelled_names(doc, taken))
    return sorted(spans, key=lambda sp: sp.start)


def trim(span: Span) -> Span | None:
    """The span without a leading 'the' or a trailing possessive or punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ == "the" or doc[start].is_punct):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if end <= start:
        return None
    return doc[start:end]


# Words that end a name when a capitalised headline runs on after it: "Goldman Sachs Said She Raised ...".
_CLAUSE_PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it", "you"})
_HEADLINE_VERBS = frozenset({"said", "says", "say", "tells", "told", "warns", "claims", "denies", "admits"})


def _before_clause(span: Span) -> Span:
    """The name before a personal pronoun inside it, and before the reporting verb ahead of that:
    the tagger reads a headline in title case as one long name."""
    doc = span.doc
    end = next((t.i for t in span[1:] if t.lower_ in _CLAUSE_PRONOUNS and t.pos_ == "PRON"), span.end)
    while end > span.start + 1 and end < span.end and doc[end - 1].lower_ in _HEADLINE_VERBS:
        end -= 1
    return doc[span.start : end]


def plausible_name(span: Span) -> bool:
    text = span.text
    return (
        len(span) <= MAX_NAME_TOKENS
        and "\n" not in text
        and any(ch.isupper() for ch in text)
        and any(ch.isalpha() for ch in text)
        and not any(t.like_url or t.like_email for t in span)
    )


def _before_parenthesis(span: Span) -> Span:
    """'National Institute of Geophysics (ING': the tagger sometimes runs into the acronym."""
    for tok in span:
        if tok.text == "(" and tok.i > span.start:
            return span.doc[span.start : tok.i]
    return span


_MEDIA_NAME_WORDS = MEDIA_WORDS - {"daily", "post", "channel"}


def _has_org_word(span: Span) -> bool:
    return any(t.lower_ in ORG_WORDS or t.lower_ in _MEDIA_NAME_WORDS for t in span) and any(
        t.is_title for t in span
    )


_PERSON_OR_TITLE = PERSON_NOUNS | TITLE_WORDS
_PERSON_TITLE_HONORIFIC = _PERSON_OR_TITLE | HONORIFICS


def _part_of_title(span: Span) -> bool:
    """'Home' in 'Home Secretary', 'Education' in 'Undersecretary for Education': part of a role."""
    doc = span.doc
    if span.text.isupper():
        return False
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.is_title and after.lower_ in PERSON_NOUNS:
        return True
    return (
        span.start >= 2
        and doc[span.start - 1].lower_ in ("for", "of")
        and doc[span.start - 2].is_title
        and doc[span.start - 2].lower_.split("-")[-1] in _PERSON_OR_TITLE
    )


def _common_word(span: Span, lowercase_words: set[str]) -> bool:
    """A one-word 'organisation' the text also writes in lower case ('Iodine' beside 'iodine')."""
    return len(span) == 1 and not span.text.isupper() and span.text.lower() in lowercase_words


def _after_number(span: Span) -> bool:
    """'10:00 GMT': a time zone after a time is not an organisation."""
    return span.start > 0 and span.doc[span.start - 1].like_num and len(span) == 1 and span.text.isupper()


def _cut_at_lowercase(span: Span) -> Span:
    """'Rathbun the Scientology': a name ends before a lower-case article or verb the tagger took in."""
    for tok in span[1:]:
        if tok.is_lower and tok.pos_ in ("DET", "VERB", "AUX", "ADP", "PRON") and tok.lower_ not in _NAME_PARTICLES:
            return span.doc[span.start : tok.i]
    return span


def _extend_given_name(span: Span) -> Span:
    """'singer-songwriter Carly Simon' tagged as 'Simon': take in the capitalised word before it."""
    doc = span.doc
    start = span.start
    while (
        start > 0
        and span.end - start < 4
        and doc[start - 1].pos_ == "PROPN"
        and doc[start - 1].is_title
        and not doc[start - 1].ent_type_
        and doc[start - 1].lower_.rstrip(".") not in _PERSON_TITLE_HONORIFIC
        and not doc[start - 1].is_sent_start
    ):
        start -= 1
    return doc[start : span.end]


def _unlabelled_names(doc: Doc, taken: set[int]) -> list[Span]:
    """Proper names the tagger left unlabelled: 'the Municipality of Livorno', 'The Deseret News observed'."""
    out = []
    i = 0
    n = len(doc)
    while i < n:
        tok = doc[i]
        if i in taken or tok.pos_ != "PROPN" or not tok.is_title:
            i += 1
            continue
        j = i + 1
        while j < n and j not in taken:
            if doc[j].pos_ == "PROPN" and (doc[j].is_title or doc[j].is_upper):
                j += 1
            elif doc[j].lower_ in ("of", "&", "for") and j + 1 < n and _capitalised_name(doc[j + 1]):
                j += 2
            else:
                break
        span = doc[i:j]
        root = span.root
        speaks = root.dep_ == "nsubj" and root.head.lemma_ in SAY_VERBS
        is_title = span[-1].lower_ in _PERSON_OR_TITLE  # "the Prime Minister" is a role, not a name
        if len(span) >= 2 and not is_title and (_has_org_word(span) or speaks):
            label = "ORG" if _has_org_word(span) or not _looks_like_person(span) else "PERSON"
            out.append(Span(doc, i, j, label=label))
        i = j
    return out


def _capitalised_name(tok: Token) -> bool:
    return tok.pos_ == "PROPN" and tok.is_title


def _looks_like_person(span: Span) -> bool:
    return 2 <= len(span) <= 3 and all(t.is_title and t.is_alpha for t in span)


def bare_directions(doc: Doc) -> Iterable[Span]:
    """'the North' when the tagger did not mark it as a place."""
    for tok in doc:
        if (
            tok.lower_ in DIRECTIONS
            and tok.text[0].isupper()
            and not tok.ent_type_
            and tok.i > 0
            and doc[tok.i - 1].lower_ == "the"
            and (tok.i + 1 >= len(doc) or doc[tok.i + 1].pos_ != "PROPN")
        ):
            yield doc[tok.i : tok.i + 1]
