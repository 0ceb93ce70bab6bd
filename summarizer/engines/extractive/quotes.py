"""Quotation marks in a parsed sentence: how much of a phrase is quoted, and phrase edges without stray marks."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

QUOTE_OPEN = "\"\u201c\u2018\u00ab'"
QUOTE_CLOSE = "\"\u201d\u2019\u00bb'"


def _after_mark(text: str, depth: int) -> int | None:
    """The quotation depth after a token that opens or closes a quotation; None for any other token.
    A straight '"' opens when outside and closes when inside."""
    if text in ("\u201c", "\u00ab") or (text == '"' and depth == 0):
        return 1
    if text in ("\u201d", "\u00bb") or (text == '"' and depth == 1):
        return 0
    return None


def quoted_share(doc: Doc, start: int, end: int) -> float:
    """How much of a token run lies between quotation marks."""
    inside, depth, total = 0, 0, 0
    for k in range(start, end):
        text = doc[k].text
        after = _after_mark(text, depth)
        if after is not None:
            depth = after
            continue
        if doc[k].is_space:
            continue
        total += len(text)
        if depth:
            inside += len(text)
    return inside / total if total else 0.0


def is_quoted(token: Token) -> bool:
    doc = token.doc
    start, end = token.left_edge.i, token.right_edge.i + 1
    return any(doc[k].text in QUOTE_OPEN for k in range(max(0, start - 1), min(end, start + 2))) or quoted_share(
        doc, start, end
    ) > 0.5


def inside_quote(token: Token) -> bool:
    depth = 0
    for k in range(token.sent.start, token.i):
        after = _after_mark(token.doc[k].text, depth)
        if after is not None:
            depth = after
    return depth == 1


def trim_run(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop edge punctuation, spaces and a leading 'that', keeping a quote mark whose partner is inside."""
    while start < end and (doc[start].is_space or doc[start].lower_ in ("that", ",", ";", ":", "-", "—")):
        start += 1
    while end > start and (doc[end - 1].is_space or doc[end - 1].text in (",", ";", ":", ".", "-", "\u2014")):
        end -= 1
    if start < end and doc[start].text in QUOTE_OPEN and not any(t.text in QUOTE_CLOSE for t in doc[start + 1 : end]):
        start += 1
    if start < end and doc[end - 1].text in QUOTE_CLOSE and not any(
        doc[k].text in QUOTE_OPEN for k in range(start, end - 1)
    ):
        end -= 1
    while end > start and doc[end - 1].text in (",", ";", ":", "."):
        end -= 1
    return start, end


# A quotation longer than this is taken for a stray mark, not a quote.
MAX_QUOTE_TOKENS = 300


_QUOTE_EVENT = re.compile('[\u201c\u201d\u00ab\u00bb"]|\n\\s*')
_RUNS_ON = ("\u201c", "\u00ab", '"')


def quotations(doc: Doc) -> list[tuple[int, int]]:
    """Every quotation as (opening mark, closing mark) token indices, over sentences and paragraphs.

    News style leaves a quote open at the end of a paragraph and opens the next paragraph with a
    quotation mark when the same person goes on speaking: the quotation then runs on. A paragraph
    that ends inside a quotation with no such continuation drops it (an unmatched mark)."""
    # The marks are found in the text, not token by token: this runs on every document.
    found: list[tuple[int, int]] = []
    opened: int | None = None
    skip_at = -1
    text = doc.text
    for m in _QUOTE_EVENT.finditer(text):
        mark = m.group()
        if mark[0] == "\n":
            if opened is not None:
                if text[m.end() : m.end() + 1] in _RUNS_ON and m.end() < len(text):
                    skip_at = m.end()  # the quotation runs on into this paragraph
                else:
                    opened = None
            continue
        if m.start() == skip_at:
            continue
        span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
        if span is None or span.text != mark:
            continue  # a mark inside a token ("5'11\"") is no quotation
        after = _after_mark(mark, 0 if opened is None else 1)
        if after == 1 and opened is None:
            opened = span.start
        elif after == 0 and opened is not None:
            if span.start - opened <= MAX_QUOTE_TOKENS:
                found.append((opened, span.start))
            opened = None
    return found
