"""The extractive engine: spaCy and rules, no model server. The embedded default and the LLM's cross-check.

One parse of the cleaned text feeds every rule module: actors (`actors.py`), claims (`attribution.py`),
figures (`figures.py`), uncertainties (`hedges.py`). Every Evidence carries exact offsets into the
source, computed through the cleaned text's offset map, so grounding keeps them as exact.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence

from spacy.tokens import Doc, Token

from summarizer import progress
from summarizer.config import Settings
from summarizer.engines import EngineResult
from summarizer.engines.extractive.actors import MAX_EVIDENCE, ActorIndex, find_actors
from summarizer.engines.extractive.attribution import Reported, find_claims
from summarizer.engines.extractive.figures import FoundFigure, find_figures
from summarizer.engines.extractive.hedges import FoundUncertainty, find_uncertainties
from summarizer.engines.extractive.lang_select import lexicon_for, supported
from summarizer.engines.extractive.languages import ENGLISH, Lexicon
from summarizer.engines.extractive.lexical import items
from summarizer.engines.extractive.nlp import entity_at, model_id, parse, parse_many
from summarizer.language import is_unsure, language_of, likeliest
from summarizer.schema import Actor, Claim, Draft, Evidence, Figure, Uncertainty
from summarizer.text import CleanText

# Part of the nightly ledger key: a new version redoes the briefs the older rules wrote.
RULES_VERSION = "extractive-rules-2"
_SUMMARY_SENTENCES = 2
_SUMMARY_SHORT = 320  # a third lead sentence joins when the first two are shorter than this
_MIN_SUMMARY_WORDS = 6
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*$")
_FINITE = frozenset({"VBD", "VBZ", "VBP", "MD"})


def extract(clean: CleanText, settings: Settings | None = None) -> EngineResult:
    """A Draft for one cleaned document, read with the rules of its language (InputError for a language
    the rules do not read)."""
    lexicon = lexicon_for(rules_language(clean.text, settings))
    if lexicon is not None:
        doc = parse(clean.text.translate(_STRAIGHT), model=lexicon.model)
        doc.user_data["surface"] = clean.text
        progress.advance("finding actors, claims, figures and uncertainties")
        return EngineResult(draft=build_lexical_draft(doc, clean, lexicon), model=model_id(lexicon.model), prompt_version=RULES_VERSION)
    doc = parse(clean.text)
    progress.advance("finding actors, claims, figures and uncertainties")
    return _result(build_draft(doc, clean))


async def aextract(clean: CleanText, settings: Settings | None = None) -> EngineResult:
    """`extract` in a worker thread, so an event loop is not blocked by parsing."""
    return await asyncio.to_thread(extract, clean, settings)


def extract_many(
    cleans: Sequence[CleanText], settings: Settings | None = None, *, n_process: int = 1, batch_size: int = 8
) -> list[EngineResult]:
    """Drafts for many documents, in order, for batch runs such as nightly.

    n_process > 1 parses in that many forked worker processes (spaCy's nlp.pipe); the rules, about a
    tenth of the parse, run in this process. Forking costs about a second, so it pays off only for
    batches of many documents with the cores free (measured in benchmarks/extractive_speed.py)."""
    if any(rules_language(c.text, settings) != ENGLISH for c in cleans):
        return [extract(c, settings) for c in cleans]  # other languages: one model each, document by document
    docs = parse_many((c.text for c in cleans), n_process=n_process, batch_size=batch_size)
    return [_result(build_draft(doc, clean)) for doc, clean in zip(docs, cleans, strict=True)]


# Typographic apostrophes made straight for the parse only (one character for one: offsets are kept).
_STRAIGHT = str.maketrans({"’": "'", "ʼ": "'"})


def rules_language(text: str, settings: Settings | None) -> str:
    """The language whose rules read the text: the one given or detected, or, when the model is unsure
    (a short text), the likeliest of the languages the rules read."""
    found = language_of(text, settings.language if settings else None)
    if found.code not in supported() and is_unsure(text, found):
        return likeliest(text, supported())
    return found.code


def _result(draft: Draft) -> EngineResult:
    return EngineResult(draft=draft, model=model_id(), prompt_version=RULES_VERSION)


def build_draft(doc: Doc, clean: CleanText) -> Draft:
    """Every rule over one parsed document, turned into the Draft schema with exact evidence."""
    body_start = _body_start(doc, clean)
    index = find_actors(doc)
    claims = find_claims(doc, index, body_start)
    figures = find_figures(doc, claims, body_start)
    uncertainties = find_uncertainties(doc, index, claims, body_start)
    spans = _Spans(doc, clean)
    summary, summary_evidence = _summary(doc, body_start, spans)
    return Draft(
        title=_title(clean),
        summary=summary,
        summary_evidence=summary_evidence,
        actors=_actors(index, spans),
        claims=[_claim(c, spans) for c in claims],
        figures=[_figure(f, spans) for f in figures],
        uncertainties=[_uncertainty(u, spans) for u in uncertainties],
    )


def build_lexical_draft(doc: Doc, clean: CleanText, lexicon: Lexicon) -> Draft:
    """A language's Lexicon read by the lexicon-driven rules, with the title and lead as for English."""
    body_start = _body_start(doc, clean)
    spans = _Spans(doc, clean)
    found = items(doc, lexicon, body_start, spans.chars)
    summary, summary_evidence = _summary(doc, body_start, spans, finite=_finite_ud, reopen=True)
    return Draft(
        title=_title(clean),
        summary=summary,
        summary_evidence=summary_evidence,
        actors=found.actors,
        claims=found.claims,
        figures=found.figures,
        uncertainties=found.uncertainties,
    )


def _finite_ud(token: Token) -> bool:
    return token.pos_ in ("VERB", "AUX") and "Fin" in token.morph.get("VerbForm", []) or token.tag_ in _FINITE


class _Spans:
    """Token and character ranges of the cleaned text turned into Evidence with source offsets."""

    def __init__(self, doc: Doc, clean: CleanText):
        self.doc = doc
        self.clean = clean

    def tokens(self, start: int, end: int) -> Evidence:
        span = self.doc[start:end]
        return self.chars(span.start_char, span.end_char)

    def chars(self, start: int, end: int) -> Evidence:
        clean = self.clean
        quote = clean.text[start:end]
        s, e = clean.span_to_source(start, end)
        if clean.source[s:e] != quote:
            # The span crosses a removed line: let grounding place the cleaned words.
            return Evidence(quote=quote)
        return Evidence.exact(clean.source, s, e)

    def text(self, start: int, end: int) -> str:
        return " ".join(self.doc[start:end].text.split())


def _title(clean: CleanText) -> str | None:
    if clean.title:
        return clean.title
    first = next((line.strip() for line in clean.text.splitlines() if line.strip()), "")
    return first[:200] or None


def _body_start(doc: Doc, clean: CleanText) -> int:
    """The first token after the title line, when the text opens with its title."""
    text = clean.text
    lead = len(text) - len(text.lstrip())
    line_end = text.find("\n", lead)
    if line_end < 0 or clean.title is None or text[lead:line_end].strip() != clean.title:
        return 0
    for tok in doc:
        if tok.idx >= line_end and not tok.is_space:
            return tok.i
    return len(doc)


def _finite_en(token: Token) -> bool:
    return token.tag_ in _FINITE


def _summary(
    doc: Doc, body_start: int, spans: _Spans, finite: Callable[[Token], bool] = _finite_en, reopen: bool = False
) -> tuple[str, list[Evidence]]:
    """The lead: the first two full sentences of the body (three when they are short)."""
    chosen: list[tuple[int, int]] = []
    for start, end in _sentence_units(doc, body_start):
        start = _after_dateline(doc, start, end)
        if reopen and start > 0 and doc[start - 1].text in ("«", "“"):
            start -= 1  # a sentence the parser cut after its opening quotation mark
        words = doc[start:end]
        if (
            len([t for t in words if not t.is_punct]) < _MIN_SUMMARY_WORDS
            or not _SENTENCE_END.search(words.text.strip())
            or not words.text[:1].isupper() and words.text[:1] not in "\"“‘'"
            or not any(finite(t) for t in words)
        ):
            continue  # headings, datelines, captions, fragments
        chosen.append((start, end))
        length = sum(len(doc[s:e].text) for s, e in chosen)
        if len(chosen) >= _SUMMARY_SENTENCES + 1 or (len(chosen) >= _SUMMARY_SENTENCES and length >= _SUMMARY_SHORT):
            break
    return " ".join(spans.text(s, e) for s, e in chosen), [spans.tokens(s, e) for s, e in chosen]


def _sentence_units(doc: Doc, body_start: int) -> list[tuple[int, int]]:
    """Sentences of the body, a sentence the parser cut in two ('... war”. larger and ...') joined again."""
    units: list[tuple[int, int]] = []
    text = doc.text  # Doc.text joins every token on each call: once per document, not per sentence
    for sent in doc.sents:
        if sent.end <= body_start:
            continue
        words = [t for t in sent if not (t.is_space or t.is_punct)]
        if not words:
            continue
        start, end = next(t.i for t in sent if not t.is_space), sent.end
        while end > start and doc[end - 1].is_space:
            end -= 1
        same_paragraph = units and "\n" not in text[doc[units[-1][1] - 1].idx : doc[start].idx]
        if words[0].text[:1].islower() and same_paragraph:
            units[-1] = (units[-1][0], end)
            continue
        units.append((start, end))
    return units


def _after_dateline(doc: Doc, start: int, end: int) -> int:
    """'Thursday, May 7, 2015 On Tuesday, the government ...': the sentence starts after the dateline."""
    ent = entity_at(doc, start) if doc[start].ent_iob_ == "B" else None
    if ent is not None and ent.label_ == "DATE" and ent.end < end and ent[-1].like_num and len(ent[-1].text) == 4 and doc[ent.end].is_title:
        return ent.end
    return start


def _actors(index: ActorIndex, spans: _Spans) -> list[Actor]:
    ranked = sorted(index.actors, key=lambda a: (-len(a.mentions), a.first))
    out = []
    for actor in ranked:
        # The mention that gave the actor its name first, then the others in text order.
        named = [m for m in actor.mentions if m.text == actor.name][:1]
        chosen = named + [m for m in actor.mentions if m not in named][: MAX_EVIDENCE - len(named)]
        out.append(
            Actor(
                name=actor.name,
                kind=actor.kind,
                role=actor.role,
                aliases=[a for a in actor.aliases if a != actor.name],
                evidence=[spans.chars(m.char_start, m.char_end) for m in chosen],
            )
        )
    return out


def _claim(claim: Reported, spans: _Spans) -> Claim:
    statement = " ".join(spans.text(s, e) for s, e in claim.content)
    mention = spans.text(*claim.speaker_range) if claim.speaker_head is not None else None
    return Claim(
        statement=statement,
        speaker=claim.speaker,
        speaker_mention=mention or None,
        attribution=claim.attribution,
        hedged=claim.hedged,
        evidence=[spans.tokens(*claim.span)],
    )


def _figure(fig: FoundFigure, spans: _Spans) -> Figure:
    evidence = [spans.tokens(fig.start, fig.evidence_end)]
    evidence += [spans.tokens(s, e) for s, e in fig.extra_evidence]
    return Figure(
        text=spans.text(fig.start, fig.end),
        value=fig.value,
        value_max=fig.value_max,
        unit=fig.unit,
        currency=fig.currency,
        per=fig.per,
        scale=fig.scale,
        measures=fig.measures,
        qualifier=fig.qualifier,
        date=fig.date,
        source=fig.source,
        evidence=evidence,
    )


def _uncertainty(item: FoundUncertainty, spans: _Spans) -> Uncertainty:
    return Uncertainty(
        statement=" ".join(item.statement.split()),
        kind=item.kind,
        who=item.who,
        evidence=[spans.tokens(*item.span)],
    )
