"""Figures read through a Lexicon: numbers as the language writes them ('1 500', '1,5 million', '3,2 %'),
with a qualifier before ('quelque', 'jusqu'à', 'plus de'), a range ('entre 10 et 12', 'de 3 à 5'), a scale,
a currency, a percent sign or a unit after, and the noun they count ('12 000 personnes').

Years, dates ('12 mars'), clock times ('14 h 30'), ordinals and numbers in names or references
('France 24', 'article 49') are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from summarizer.engines.extractive.languages import Lexicon
from summarizer.engines.extractive.lexical_actors import doc_text
from summarizer.engines.extractive.lexical_claims import ClaimIndex
from summarizer.numbers import NUMBER, parse_localized, words_value
from summarizer.quantities import is_year
from summarizer.schema import Qualifier

_WS = "[ \u00a0\u202f\u2009]"
_APOS = "['’]"


@dataclass
class FoundFigure:
    start: int  # characters in doc.text: the figure as written
    end: int
    evidence_end: int  # through the counted noun
    value: float
    value_max: float | None
    unit: str | None
    currency: str | None
    scale: float | None
    measures: str | None
    qualifier: Qualifier
    source: str | None


def _word_after(text: str, pos: int) -> tuple[str, int, int] | None:
    m = re.compile(rf"{_WS}*([^\s\u00a0\u202f\u2009,.;:!?()«»\"“”]+)").match(text, pos)
    if not m:
        return None
    return m.group(1), m.start(1), m.end(1)


def _phrase_before(text: str, pos: int, phrases: dict[str, Qualifier]) -> tuple[Qualifier, int] | None:
    before = text[max(0, pos - 30) : pos].lower().replace("’", "'")
    for phrase in sorted(phrases, key=len, reverse=True):
        p = phrase.replace("’", "'")
        words = (_WS + "+").join(re.escape(w) for w in p.split(" "))
        m = re.search(rf"(?<!\w){words}{_WS}*$", before)
        if m:
            return phrases[phrase], pos - (len(before) - m.start())
    return None


def _unit_after(text: str, pos: int, lex: Lexicon) -> tuple[str | None, str | None, float | None, int]:
    """(unit, currency, scale, end) of the words right after a number ending at `pos`."""
    unit = currency = None
    scale = None
    end = pos
    word = _word_after(text, end)
    glued = word[0].lower()[:-1] if word and word[0][-1:] in "€$£" else None
    if word and glued in lex.scale_words and word[1] - end <= 2:
        # '3,2 Mds€', '5 M$': a scale with its currency sign glued on
        code = lex.currency_words[word[0][-1]]
        return code, code, lex.scale_words[glued], word[2]
    if word and word[0].lower() in lex.scale_words and word[1] - end <= 2:
        scale = lex.scale_words[word[0].lower()]
        end = word[2]
        word = _word_after(text, end)
        if word and word[0].lower() in ("de", "d") or word and re.fullmatch(rf"d{_APOS}.*", word[0].lower()):
            nxt = re.compile(rf"{_WS}*(?:de{_WS}+|d{_APOS})").match(text, end)
            if nxt:
                after = _word_after(text, nxt.end())
                if after and after[0].lower() in lex.currency_words:
                    return lex.currency_words[after[0].lower()], lex.currency_words[after[0].lower()], scale, after[2]
        word = _word_after(text, end)
    if word is None or word[1] - end > 2:
        return None, None, scale, end
    low = word[0].lower()
    if low in lex.currency_words:
        code = lex.currency_words[low]
        return code, code, scale, word[2]
    for p in lex.percent_words:
        if text[word[1] : word[1] + len(p)].lower() == p:
            return "%", None, scale, word[1] + len(p)
    if low in lex.unit_words:
        return lex.unit_words[low], None, scale, word[2]
    return unit, currency, scale, end


def _counted_noun(doc: Doc, pos: int, lex: Lexicon) -> tuple[str, int] | None:
    """The noun a number counts: '12 000 personnes', '1,5 million d'habitants'."""
    span = doc.char_span(pos, min(len(doc_text(doc)), pos + 40), alignment_mode="expand")
    if span is None:
        return None
    k = span.start
    while k < len(doc) and doc[k].is_space:
        k += 1
    if k < len(doc) and doc[k].lower_ in lex.joiners:
        k += 1
    if k < len(doc) and doc[k].idx >= pos and doc[k].is_alpha and doc[k].is_lower and doc[k].pos_ in ("NOUN", "ADJ", "VERB"):
        if doc[k].lower_ in lex.determiners or doc[k].lower_ in lex.months or doc[k].lower_ in lex.weekdays:
            return None
        if doc[k].lower_ in ("ans", "an", "heures", "jours", "mois", "semaines", "minutes", "années") and doc[k].pos_ == "NOUN":
            return doc[k].lower_, doc[k].idx + len(doc[k].text)
        return doc[k].lower_, doc[k].idx + len(doc[k].text)
    return None


def _is_skipped(text: str, start: int, end: int, raw: str, lex: Lexicon) -> bool:
    before = text[max(0, start - 20) : start].lower()
    after = text[end : end + 20].lower()
    prev = re.search(r"([\w°№]+)\W*$", before)
    if prev and prev.group(1) in lex.skip_before and re.search(rf"{re.escape(prev.group(1))}{_WS}*$", before):
        return True
    nxt = re.match(rf"{_WS}*(\w+)", after)
    if nxt and nxt.group(1) in lex.months:
        return True  # '12 mars'
    if prev and prev.group(1) in lex.months and re.search(rf"{prev.group(1)}{_WS}*$", before):
        return True  # 'mars 2024'
    if re.match(rf"{_WS}*h(?:eures?)?(?:{_WS}*\d|\b)", after) and re.fullmatch(r"\d{1,2}", raw):
        return True  # '14 h 30', '8 heures' (a clock time when it has at most two digits)
    if re.match(r"(?:e|er|ère|ème|es|eme)\b", after):
        return True
    if re.search(rf"\d{_WS}*h{_WS}*$", before) and re.fullmatch(r"\d{1,2}", raw):
        return True  # the minutes of '15 h 30'
    return False


def find_figures(doc: Doc, lex: Lexicon, claims: ClaimIndex, entity_chars: set[int], body_start_char: int = 0) -> list[FoundFigure]:
    text = doc.text
    out: list[FoundFigure] = []
    matches = [(m.start(), m.end(), m.group()) for m in NUMBER.finditer(text) if m.start() >= body_start_char]
    used_until = -1
    for idx, (start, end, raw) in enumerate(matches):
        if start < used_until:
            continue
        value = parse_localized(raw, lex.code)
        if value is None or start in entity_chars or _is_skipped(text, start, end, raw, lex):
            continue
        unit, currency, scale, unit_end = _unit_after(text, end, lex)
        if scale is None and unit is None and is_year(raw):
            noun = _counted_noun(doc, end, lex)
            if noun is None or noun[0] not in ("personnes", "morts", "habitants", "euros"):
                continue
        fig_start, qualifier = start, Qualifier.exact
        value_max = None
        fig_end = unit_end
        # Currency sign before: '€ 30', '$5'.
        sign = re.search(rf"([€$£]){_WS}*$", text[max(0, start - 3) : start])
        if sign and unit is None:
            currency = unit = lex.currency_words[sign.group(1)]
            fig_start = start - (len(text[max(0, start - 3) : start]) - sign.start())
        # A range: 'entre 10 et 12', 'de 3 à 5', '10 à 12'.
        if idx + 1 < len(matches):
            n_start, n_end, n_raw = matches[idx + 1]
            between = text[unit_end:n_start].strip(" \u00a0\u202f\u2009").lower()
            opener = _opener_before(text, start, lex)
            if between in ("à", "-", "–", "et") and (between != "et" or opener == "entre") and n_start - unit_end <= 5:
                second = parse_localized(n_raw, lex.code)
                if second is not None and second > value or (second is not None and scale is None):
                    u2, c2, s2, e2 = _unit_after(text, n_end, lex)
                    factor = s2 or scale or 1.0
                    low_value = value * (scale or s2 or 1.0)
                    high = second * factor
                    if high > low_value:
                        value, value_max = low_value / (scale or s2 or 1.0), high / factor
                        scale = scale or s2
                        unit, currency = unit or u2, currency or c2
                        fig_end = max(e2, n_end)
                        used_until = fig_end
                        if opener is not None:
                            fig_start = start - len(opener) - 1
        qual = _phrase_before(text, fig_start, lex.qualifiers)
        if qual is not None:
            qualifier, fig_start = qual
        noun = _counted_noun(doc, fig_end, lex)
        measures = None
        evidence_end = fig_end
        if noun is not None:
            measures, evidence_end = noun
            if unit is None:
                unit = measures
        total = value * (scale or 1.0)
        total_max = value_max * (scale or 1.0) if value_max is not None else None
        token = doc.char_span(start, end, alignment_mode="expand")
        claim = claims.at(token.start) if token is not None else None
        out.append(
            FoundFigure(
                start=fig_start,
                end=fig_end,
                evidence_end=evidence_end,
                value=total,
                value_max=total_max,
                unit=unit,
                currency=currency,
                scale=scale,
                measures=measures,
                qualifier=qualifier,
                source=claim.speaker if claim is not None and claim.speaker != "unattributed" else None,
            )
        )
    return out


_SINGULAR_ARTICLE = frozenset({"un", "une"})


def word_figures(doc: Doc, lex: Lexicon, claims: ClaimIndex, taken: set[int]) -> list[FoundFigure]:
    """Numbers written in words before what they count: 'trois morts', 'cinq ans', 'une quarantaine de témoins'."""
    out = []
    parsed = doc.text  # the parse's copy (straight apostrophes), as the qualifier patterns are written
    i = 0
    while i < len(doc):
        tok = doc[i]
        low = tok.lower_
        approx = lex.approximate_words.get(low)
        words = [w for w in low.split("-") if w]
        if approx is None and (not words or any(w not in lex.number_words for w in words) or low in _SINGULAR_ARTICLE):
            i += 1
            continue
        if tok.idx in taken or (low == "neuf" and i > 0 and doc[i - 1].pos_ == "NOUN"):
            i += 1
            continue
        start_i, end_i = i, i + 1
        if approx is None:
            # 'deux cents', 'trois mille', 'vingt et un'
            while end_i < len(doc) and (doc[end_i].lower_ in lex.number_words or doc[end_i].lower_ == "et"):
                end_i += 1
            parts = [w for t in doc[start_i:end_i] for w in t.lower_.split("-") if w]
            value = words_value(parts, lex.number_words)
            qualifier = Qualifier.exact
        else:
            if i == 0 or doc[i - 1].lower_ not in _SINGULAR_ARTICLE:
                i += 1
                continue  # 'des dizaines de': no number
            start_i = i - 1
            value, qualifier = approx, Qualifier.approximately
        noun = _counted_noun(doc, doc[end_i - 1].idx + len(doc[end_i - 1].text), lex)
        if value is None or noun is None or value < 2 and approx is None:
            i = end_i
            continue
        fig_start, fig_end = doc[start_i].idx, doc[end_i - 1].idx + len(doc[end_i - 1].text)
        qual = _phrase_before(parsed, fig_start, lex.qualifiers)
        if qual is not None and approx is None:
            qualifier, fig_start = qual
        claim = claims.at(i)
        out.append(
            FoundFigure(
                start=fig_start, end=fig_end, evidence_end=noun[1], value=value, value_max=None, unit=noun[0],
                currency=None, scale=None, measures=noun[0], qualifier=qualifier,
                source=claim.speaker if claim is not None and claim.speaker != "unattributed" else None,
            )
        )
        i = end_i
    return out


def _opener_before(text: str, start: int, lex: Lexicon) -> str | None:
    before = text[max(0, start - 8) : start].lower()
    for opener in ("entre", "de"):
        if re.search(rf"(?<!\w){opener}{_WS}$", before):
            return opener
    return None
