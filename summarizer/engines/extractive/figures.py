"""Figures: every quantity the text states, normalised, with what it counts, when, and who states it.

A figure is a run of number tokens (digits, number words, scale words, a range "8 to 13") with the
words around it: a qualifier before it ("up to", "some", "more than"), a currency sign, a unit or the
noun it counts after it. Dates, clock times, years, ordinals and numbers inside names are not figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.attribution import Reported, speaker_of
from summarizer.engines.extractive.nlp import ents_within, entity_at
from summarizer.quantities import NUMBER_WORDS, PLURAL_SCALES, is_year, parse_number
from summarizer.schema import Qualifier

# Longest phrases first; matched against the words right before the number.
_QUALIFIERS: list[tuple[tuple[str, ...], Qualifier]] = sorted(
    [
        (("up", "to"), Qualifier.up_to),
        (("as", "many", "as"), Qualifier.up_to),
        (("as", "much", "as"), Qualifier.up_to),
        (("a", "maximum", "of"), Qualifier.up_to),
        (("more", "than"), Qualifier.more_than),
        (("over",), Qualifier.more_than),
        (("above",), Qualifier.more_than),
        (("in", "excess", "of"), Qualifier.more_than),
        (("upwards", "of"), Qualifier.more_than),
        (("exceeding",), Qualifier.more_than),
        (("at", "least"), Qualifier.at_least),
        (("no", "fewer", "than"), Qualifier.at_least),
        (("no", "less", "than"), Qualifier.at_least),
        (("a", "minimum", "of"), Qualifier.at_least),
        (("less", "than"), Qualifier.less_than),
        (("fewer", "than"), Qualifier.less_than),
        (("under",), Qualifier.less_than),
        (("below",), Qualifier.less_than),
        (("some",), Qualifier.approximately),
        (("about",), Qualifier.approximately),
        (("around",), Qualifier.approximately),
        (("approximately",), Qualifier.approximately),
        (("roughly",), Qualifier.approximately),
        (("nearly",), Qualifier.approximately),
        (("almost",), Qualifier.approximately),
        (("close", "to"), Qualifier.approximately),
        (("an", "estimated"), Qualifier.approximately),
        (("estimated",), Qualifier.approximately),
        (("circa",), Qualifier.approximately),
        (("approx.",), Qualifier.approximately),
        (("~",), Qualifier.approximately),
    ],
    key=lambda q: -len(q[0]),
)
_CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR", "₽": "RUB"}
_CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY", "yuan": "CNY",
    "won": "KRW", "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB", "rupee": "INR",
    "rupees": "INR", "hryvnia": "UAH", "hryvnias": "UAH", "sterling": "GBP", "francs": "CHF", "pesos": "MXN",
}
_MEASURE_UNITS = frozenset(
    """km kilometre kilometres kilometer kilometers mile miles metre metres meter meters m cm mm ft foot feet
    inch inches kg kilogram kilograms kilo kilos gram grams g tonne tonnes ton tons lb lbs litre litres liter
    liters gallon gallons barrel barrels hectare hectares acre acres degree degrees °c °f mph kph km/h knot
    knots mw gw kw kwh mwh watt watts megawatt megawatts gigawatt gigawatts volt volts second seconds minute
    minutes hour hours day days week weeks month months year years decade decades century centuries point
    points""".split()
)
_MONTHS = frozenset(
    """january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday""".split()
)
_NAME_LABELS = frozenset(
    {"ORG", "PRODUCT", "WORK_OF_ART", "LAW", "FAC", "EVENT", "PERSON", "GPE", "NORP", "LOC", "LANGUAGE"}
)
_SHORT_SCALE_TOKEN = re.compile(r"^\d[\d,.]*(?:bn|mn|tn|m|k)$", re.IGNORECASE)
_RANGE_WORDS = frozenset({"to", "-", "–", "—", "or"})
_DATE_PREPOSITIONS = frozenset({"since", "until", "till", "by", "before", "after", "from", "through", "between"})
_MAX_MEASURES_TOKENS = 18
_BIG_SCALES = frozenset({"hundred", "thousand", "million", "billion"})
# Words after a bare number that say what it counts: "45 dead", "12 injured".
_OUTCOMES = frozenset(
    "dead killed injured wounded hurt missing displaced evacuated arrested detained homeless infected".split()
)


@dataclass
class FoundFigure:
    """One figure while the document is read: token spans and the normalised reading."""

    start: int  # first token (qualifier or currency sign)
    core: tuple[int, int]  # the number tokens
    end: int  # last token of the quantity as written (with its unit), exclusive
    evidence_end: int  # the end of the counted phrase, for the evidence quote
    value: float
    value_max: float | None
    unit: str | None
    measures: str | None
    qualifier: Qualifier
    date: str | None
    source: str | None
    extra_evidence: list[tuple[int, int]] = field(default_factory=list)


def _is_number_token(tok: Token) -> bool:
    lower = tok.lower_
    if tok.like_num or _SHORT_SCALE_TOKEN.match(tok.text):
        return any(ch.isdigit() for ch in tok.text) or lower in NUMBER_WORDS
    return lower in NUMBER_WORDS or lower in PLURAL_SCALES



def _number_runs(sent: Span) -> list[tuple[int, int]]:
    """Maximal runs of number tokens, joining 'twenty - five' and 'one hundred and five'."""
    doc = sent.doc
    runs: list[tuple[int, int]] = []
    i = sent.start
    while i < sent.end:
        if not _is_number_token(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < sent.end:
            two_digit_numbers = _digits(doc[j - 1]) and _digits(doc[j])  # "1,500 2,000" are two numbers
            if _is_number_token(doc[j]) and not two_digit_numbers:
                j += 1
            elif (
                doc[j].text in ("-", "and")
                and j + 1 < sent.end
                and doc[j + 1].lower_ in NUMBER_WORDS
                and doc[j - 1].lower_ in NUMBER_WORDS
                and not (doc[j].text == "and" and doc[j - 1].lower_ not in _BIG_SCALES)
            ):
                j += 2
            else:
                break
        runs.append((i, j))
        i = j
    return runs


def _digits(tok: Token) -> bool:
    return any(ch.isdigit() for ch in tok.text)


def _is_date_like(doc: Doc, start: int, end: int) -> bool:
    """A number that is part of a date or a clock time, or is a year."""
    text = doc[start:end].text
    if end - start == 1 and is_year(text):
        prev = doc[start - 1] if start > 0 else None
        if not (prev is not None and prev.text in _CURRENCY_SIGNS):
            return True

    def month(i: int) -> bool:
        return 0 <= i < len(doc) and doc[i].lower_.rstrip(".") in _MONTHS

    # "October 3", "3 October", "3 of October", "October 8 to 13"
    if month(start - 1) or month(end) or (end < len(doc) and doc[end].lower_ == "of" and month(end + 1)):
        return True
    if start >= 3 and doc[start - 1].lower_ in _RANGE_WORDS | {"and"} and doc[start - 2].like_num and month(start - 3):
        return True
    tok = doc[start]
    if tok.ent_type_ in ("DATE", "TIME"):
        ent = entity_at(doc, start)
        if ent is not None:
            words = {t.lower_.rstrip(".") for t in ent}
            if words & _MONTHS or "ago" in words or any(is_year(t.text) for t in ent):
                return True
            if words & {"a.m.", "p.m.", "am", "pm", "o'clock", "gmt", "utc"} or ":" in ent.text:
                return True
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None and nxt.lower_ in ("a.m.", "p.m.", "am", "pm", "o'clock", "gmt", "utc"):
        return True
    return False


def _in_name(doc: Doc, start: int, end: int) -> bool:
    """'Internet Explorer 9', 'G20', 'the Second World War', 'first': part of a name or an ordinal."""
    return any(t.ent_type_ in _NAME_LABELS or t.ent_type_ == "ORDINAL" for t in doc[start:end])


def _is_pronoun_one(doc: Doc, start: int, end: int) -> bool:
    """'one of the', 'no one', 'one another': 'one' that counts nothing."""
    if end - start != 1 or doc[start].lower_ != "one":
        return False
    tok = doc[start]
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None and nxt.lower_ in ("or", "to") and end + 1 < len(doc) and _is_number_token(doc[end + 1]):
        return False
    return tok.dep_ != "nummod" or (start > 0 and doc[start - 1].lower_ in ("no", "the", "every", "any"))


def _qualifier(doc: Doc, start: int, floor: int) -> tuple[Qualifier, int]:
    words = [t.lower_ for t in doc[max(floor, start - 3) : start]]
    for phrase, qualifier in _QUALIFIERS:
        n = len(phrase)
        if n <= len(words) and tuple(words[-n:]) == phrase:
            return qualifier, start - n
    return Qualifier.exact, start


def _range_end(doc: Doc, start: int, end: int, sent_end: int) -> int | None:
    """'8 to 13', '8-13', 'one or two', 'between 8 and 13': the end of the second number, if any."""
    joiners = _RANGE_WORDS | ({"and"} if start > 0 and doc[start - 1].lower_ == "between" else set())
    if end + 1 < sent_end and doc[end].text.lower() in joiners and _is_number_token(doc[end + 1]):
        j = end + 2
        while j < sent_end and _is_number_token(doc[j]) and doc[j].lower_ in NUMBER_WORDS:
            j += 1
        return j
    return None


def _counted_noun(doc: Doc, core: tuple[int, int], after: int) -> Token | None:
    """The noun a number counts: its head ('12,000 troops'), or the object of 'of' ('two of the victims')."""
    for tok in reversed(doc[core[0] : core[1]]):
        head = tok.head
        counts = head.pos_ == "NOUN" or (head.pos_ == "PROPN" and head.tag_ == "NNPS")
        if head.i >= after and counts and tok.dep_ in ("nummod", "compound", "quantmod", "amod"):
            return head
    for tok in doc[core[0] : core[1]]:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None and obj.pos_ in ("NOUN", "PROPN", "PRON"):
                    return obj
    return None


def _np_text(doc: Doc, noun: Token, floor: int) -> tuple[str, int]:
    """The counted phrase: the noun with its modifiers after `floor` and its 'of' phrase; and its end."""
    start = max(floor, noun.left_edge.i)
    while start < noun.i and (
        doc[start].is_punct or doc[start].dep_ in ("det", "nummod", "quantmod") or doc[start].like_num
    ):
        start += 1
    end = noun.i + 1
    for child in noun.children:
        if child.i > noun.i and (
            (child.dep_ == "prep" and child.lower_ == "of") or (child.dep_ == "acl" and child.tag_ == "VBN")
        ):
            end = max(end, child.right_edge.i + 1)
    end = min(end, start + _MAX_MEASURES_TOKENS)
    while end > noun.i + 1 and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return doc[start:end].text, end


def _measured_by_context(tok: Token) -> str | None:
    """What a bare number measures: 'a turnout rate of 58%' -> 'turnout rate';
    'The death toll rose to 45' -> 'death toll'. A number that is an object ('saved 200') says nothing."""
    if tok.dep_ == "pobj" and tok.head.lower_ == "of" and tok.head.head.pos_ == "NOUN":
        noun = tok.head.head
        return _phrase_before(noun)
    head = tok
    for _ in range(4):
        if head.dep_ in ("pobj", "prep", "attr", "nummod", "quantmod", "npadvmod") and head.head.i != head.i:
            head = head.head
        else:
            return None
        if head.pos_ in ("VERB", "AUX"):
            subj = next((c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
            if subj is not None and subj.pos_ in ("NOUN", "PROPN"):
                return _phrase_before(subj)
            return None
    return None


def _phrase_before(noun: Token) -> str:
    """A noun with the modifiers before it, without determiners: 'the death toll' -> 'death toll'."""
    doc = noun.doc
    start = noun.left_edge.i
    while start < noun.i and (doc[start].dep_ in ("det", "poss", "case") or doc[start].is_punct):
        start += 1
    words = doc[start : noun.i + 1]
    return words.text if len(words) <= 6 else noun.text


def _verb_ancestors(tok: Token) -> list[Token]:
    out = []
    while tok.head.i != tok.i:
        tok = tok.head
        if tok.pos_ in ("VERB", "AUX"):
            out.append(tok)
    return out


def _date_for(doc: Doc, sent: Span, anchor: Token, core: tuple[int, int], cues: set[int]) -> str | None:
    """A date in the same clause as the figure, not the date a speaker spoke on."""
    verbs = {v.i for v in _verb_ancestors(anchor)} - cues
    if anchor.pos_ in ("VERB", "AUX"):
        verbs.add(anchor.i)
    best: tuple[int, str] | None = None
    for ent in ents_within(sent):
        if ent.label_ != "DATE" or (ent.start <= core[0] < ent.end):
            continue
        words = {t.lower_.rstrip(".") for t in ent}
        if not (words & _MONTHS or any(is_year(t.text) for t in ent) or words & {"today", "yesterday", "tomorrow"}):
            continue
        attach = ent.root
        prep = attach.head if attach.dep_ == "pobj" else None
        verb = next((v for v in _verb_ancestors(attach)), None)
        if verb is None or verb.i not in verbs:
            continue
        text = ent.text
        if prep is not None and prep.lower_ in _DATE_PREPOSITIONS and prep.i == ent.start - 1:
            text = f"{prep.text} {text}"
        distance = abs(ent.start - core[0])
        if best is None or distance < best[0]:
            best = (distance, text)
    return best[1] if best else None


def _read_figure(
    doc: Doc, sent: Span, run: tuple[int, int], claims: list[Reported], cues: set[int]
) -> FoundFigure | None:
    start, end = run
    if _not_a_quantity(doc, sent, start, end):
        return None
    value = parse_number(doc[start:end].text)
    if value is None:
        return None
    value, end = _plural_of_plural(doc, start, end, value, sent.end)
    value_max = None
    range_end = _range_end(doc, start, end, sent.end)
    if range_end is not None and not _is_date_like(doc, end + 1, range_end):
        high = parse_number(doc[end + 1 : range_end].text)
        if high is not None and high > value:
            value_max, end = high, range_end
    first = start
    if first > sent.start and doc[first - 1].lower_ == "between" and value_max is not None:
        first -= 1
    unit: str | None = None
    if first > sent.start and doc[first - 1].text in _CURRENCY_SIGNS:
        first -= 1
        unit = _CURRENCY_SIGNS[doc[first].text]
    qualifier, first = _qualifier(doc, first, sent.start)
    if doc[start].lower_ in PLURAL_SCALES and qualifier is Qualifier.exact:
        qualifier = Qualifier.at_least
    measures: str | None
    age = _age(doc, sent, start, end)
    if age is not None:
        unit, measures, quantity_end, evidence_end = age
        noun = None
    else:
        unit, quantity_end = _unit_after(doc, sent, end, unit)
        noun, measures, evidence_end, unit, quantity_end = _what_is_counted(doc, start, end, unit, quantity_end)
    anchor = noun if noun is not None else doc[end - 1]
    return FoundFigure(
        start=first,
        core=(start, end),
        end=max(quantity_end, end),
        evidence_end=max(evidence_end, quantity_end, end),
        value=value,
        value_max=value_max,
        unit=unit,
        measures=measures,
        qualifier=qualifier,
        date=_date_for(doc, sent, anchor, (start, end), cues),
        source=speaker_of(claims, start),
    )


_UNIT_WORDS = _MEASURE_UNITS | set(_CURRENCY_WORDS) | set(PLURAL_SCALES)


def _not_a_quantity(doc: Doc, sent: Span, start: int, end: int) -> bool:
    if _in_name(doc, start, end) or _is_date_like(doc, start, end) or _is_pronoun_one(doc, start, end):
        return True
    prev = doc[start - 1] if start > sent.start else None
    nxt = doc[end] if end < sent.end else None
    if (
        prev is not None
        and prev.lower_ in ("the", "these", "those", "both")
        and not _digits(doc[start])
        and nxt is not None
        and nxt.tag_ in ("NNS", "NNPS")
    ):
        return True  # "the two countries" refers back to things already named; it states no quantity
    if prev is not None and prev.lower_ in ("age", "aged"):
        return False
    # "posts 542 and 543", "Explorer 9", "page 12": a number naming one thing, not counting things.
    return (
        prev is not None
        and prev.pos_ in ("NOUN", "PROPN")
        and prev.lower_ not in _UNIT_WORDS
        and not any(doc[k].dep_ == "nummod" and doc[k].head.i >= end for k in range(start, end))
        and not (end < sent.end and doc[end].lower_ in ("%", "percent", "per"))
    )


def _plural_of_plural(doc: Doc, start: int, end: int, value: float, limit: int) -> tuple[float, int]:
    """'hundreds of thousands': one quantity, at least 100,000."""
    if (
        doc[end - 1].lower_ in PLURAL_SCALES
        and end + 1 < limit
        and doc[end].lower_ == "of"
        and doc[end + 1].lower_ in PLURAL_SCALES
    ):
        return value * PLURAL_SCALES[doc[end + 1].lower_], end + 2
    return value, end


def _unit_after(doc: Doc, sent: Span, end: int, unit: str | None) -> tuple[str | None, int]:
    """A percent sign, a currency or a unit of measurement right after the number."""
    if end >= sent.end:
        return unit, end
    nxt = doc[end]
    lower = nxt.lower_
    if lower in ("%", "percent", "pct") or (lower == "per" and end + 1 < sent.end and doc[end + 1].lower_ == "cent"):
        return "%", end + (2 if lower == "per" else 1)
    if lower in _CURRENCY_WORDS and unit is None:
        return _CURRENCY_WORDS[lower], end + 1
    if lower in ("square", "cubic") and end + 1 < sent.end and doc[end + 1].lower_ in _MEASURE_UNITS:
        return f"{lower} {doc[end + 1].lower_}", end + 2
    if lower in _MEASURE_UNITS and nxt.pos_ in ("NOUN", "PROPN", "X", "SYM"):
        return lower, end + 1
    return unit, end


def _age(doc: Doc, sent: Span, start: int, end: int) -> tuple[str, str, int, int] | None:
    """'a 14-year-old boy', 'Thomas Sam, 42,': an age. Returns unit, measures, quantity end, evidence end."""
    words = [t.lower_ for t in doc[end : min(end + 4, sent.end)]]
    for pattern, length in ((["-", "year", "-", "old"], 4), (["year", "old"], 2), (["years", "old"], 2)):
        if words[: len(pattern)] == pattern:
            old = doc[end + length - 1]
            whose = old.head if old.head.pos_ in ("NOUN", "PROPN") and old.head.i > old.i else None
            measures = f"age of {whose.text}" if whose is not None else "age"
            evidence_end = whose.i + 1 if whose is not None else end + length
            return "years", measures, end + length, evidence_end
    prev = doc[start - 1] if start - 1 >= sent.start else None
    nxt = doc[end] if end < sent.end else None
    if prev is not None and prev.lower_ in ("age", "aged"):
        return "years", "age", end, end
    if prev is not None and prev.text == "," and (nxt is None or nxt.text in (",", ")")) and start >= 2:
        name = doc[start - 2]
        if name.ent_type_ == "PERSON":
            ent = entity_at(doc, name.i)
            assert ent is not None
            return "years", f"age of {ent.text}", end, end
    return None


def _what_is_counted(
    doc: Doc, start: int, end: int, unit: str | None, quantity_end: int
) -> tuple[Token | None, str | None, int, str | None, int]:
    """The counted noun and its phrase; returns noun, measures, evidence end, unit, quantity end."""
    noun = _counted_noun(doc, (start, end), quantity_end)
    measures, evidence_end = None, quantity_end
    if noun is not None and noun.i >= quantity_end and (unit is None or unit == noun.lower_):
        unit = unit or noun.lower_
        measures, evidence_end = _np_text(doc, noun, quantity_end)
        if unit == noun.lower_ and noun.i == quantity_end - 1:
            quantity_end -= 1  # a counted noun is not part of the quantity as written
    elif noun is not None and noun.i >= quantity_end:
        measures, evidence_end = _np_text(doc, noun, quantity_end)
    elif noun is not None and noun.i < start:
        measures = noun.text
    if measures is None and noun is None and quantity_end < len(doc) and doc[quantity_end].lower_ in _OUTCOMES:
        measures, evidence_end = doc[quantity_end].lower_, quantity_end + 1  # "45 dead", "12 injured"
    if measures is None:
        measures = _measured_by_context(doc[quantity_end - 1])
    return noun, measures, evidence_end, unit, quantity_end


def _merge(figures: list[FoundFigure], body_start: int) -> list[FoundFigure]:
    """One figure per quantity and source: a repeat adds evidence; a headline repeat joins its sourced twin."""
    out: list[FoundFigure] = []
    for fig in figures:
        in_title = fig.start < body_start
        twin = next(
            (
                o
                for o in out
                if o.value == fig.value
                and o.value_max == fig.value_max
                and (
                    (o.unit or "").rstrip("s") == (fig.unit or "").rstrip("s")
                    or (in_title and fig.unit is None)  # "at least 45 dead" in the headline
                )
                and (o.source == fig.source or o.source is None or fig.source is None)
            ),
            None,
        )
        if twin is None:
            out.append(fig)
            continue
        # Each figure keeps its own reading (text and qualifier agree); a repeat only adds evidence.
        if twin.source is None and fig.source is not None:
            idx = out.index(twin)  # the sourced reading wins, the earlier mention becomes evidence
            fig.extra_evidence = [(twin.start, twin.evidence_end), *twin.extra_evidence]
            out[idx] = fig
        else:
            twin.extra_evidence.append((fig.start, fig.evidence_end))
    return out


def find_figures(doc: Doc, claims: list[Reported], body_start: int = 0) -> list[FoundFigure]:
    """Every stated quantity in the document, merged where the same source repeats the same figure."""
    cues = {c.cue for c in claims}
    found: list[FoundFigure] = []
    for sent in doc.sents:
        consumed = sent.start
        for run in _number_runs(sent):
            if run[0] < consumed:
                continue  # the second number of a range already read
            fig = _read_figure(doc, sent, run, claims, cues)
            if fig is not None:
                found.append(fig)
                consumed = fig.core[1]
    # Figures in the body come first so a headline repeat joins them rather than the other way round.
    found.sort(key=lambda f: (f.start < body_start, f.start))
    merged = _merge(found, body_start)
    merged.sort(key=lambda f: f.start)
    return merged
