"""The role the text gives a named actor: a title before the name or a phrase set beside it.

"South Korean President Yoon Suk Yeol" -> "South Korean President"; "Hong Sung-pyo, a researcher at the
Korea Institute of Military Affairs" -> "researcher at the Korea Institute of Military Affairs"; "the
prefect of the Gard, Jérôme Bonet" -> "prefect of the Gard".
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.lexicon import HONORIFICS, PERSON_NOUNS
from summarizer.engines.extractive.names import POSSESSIVE

MAX_ROLE_TOKENS = 12



def role_of(span: Span) -> str | None:
    """The role the text gives a named person: a title before the name or an apposition."""
    return _title_role(span) or apposition_role(span)


def _title_role(span: Span) -> str | None:
    """'South Korean President Yoon Suk Yeol' -> 'South Korean President'."""
    return _title_before(span.doc, span.start)


def _title_before(doc: Doc, end: int) -> str | None:
    """The title that ends right before token `end`, read leftwards over nouns, adjectives and 'of'."""
    i = end - 1
    tokens: list[Token] = []
    while i >= 0 and len(tokens) < MAX_ROLE_TOKENS:
        tok = doc[i]
        if tok.ent_type_ in ("PERSON", "DATE", "TIME", "CARDINAL", "ORDINAL"):
            break
        if tok.pos_ in ("PROPN", "NOUN", "ADJ") or tok.text in POSSESSIVE:
            tokens.append(tok)
        elif tok.lower_ in ("of", "to", "for", "the", "and") and tokens:
            tokens.append(tok)
        elif tok.text == "-" and tokens and i > 0 and doc[i - 1].pos_ in ("PROPN", "NOUN") and not tok.whitespace_:
            tokens.append(tok)  # "Secretary-General"
        else:
            break
        if tok.is_sent_start:
            break
        i -= 1
    tokens.reverse()
    while tokens and (
        tokens[0].lower_ in ("of", "to", "for", "the", "and")
        or tokens[0].text in POSSESSIVE
        or tokens[0].lower_.rstrip(".") in HONORIFICS
    ):
        tokens.pop(0)
    if not tokens or tokens[-1].ent_type_ or tokens[-1].pos_ not in ("NOUN", "PROPN") or tokens[-1].i != end - 1:
        return None
    return doc[tokens[0].i : tokens[-1].i + 1].text


def apposition_role(span: Span) -> str | None:
    """'Hong Sung-pyo, a researcher at the institute' or 'the prefect of the Gard, Jérôme Bonet'."""
    doc = span.doc
    root = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.i > span.end and child.pos_ == "NOUN":
            return _phrase(child, stop_after=child.i + MAX_ROLE_TOKENS)
    # A title phrase, a comma, then the name: read the title back from the comma.
    if span.start >= 2 and doc[span.start - 1].text == ",":
        head = doc[span.start - 2]
        while head.dep_ in ("pobj", "prep", "compound") and head.head.i < head.i:
            head = head.head
        if head.lemma_.lower() in PERSON_NOUNS and not head.ent_type_:
            start = head.left_edge.i
            return strip_determiner(doc[start : span.start - 1].text) or None
    return None


def _phrase(head: Token, stop_after: int) -> str | None:
    doc = head.doc
    end = min(head.right_edge.i, stop_after)
    for j in range(head.i, end + 1):
        if doc[j].text in (",", ";", "(", ")") or doc[j].dep_ == "relcl":
            end = j - 1
            break
    text = doc[head.left_edge.i : end + 1].text
    return strip_determiner(text) or None


def strip_determiner(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
