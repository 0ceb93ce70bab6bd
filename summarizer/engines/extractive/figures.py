"""Figures: every quantity the text states, normalised, with what it counts, when, and who states it.

A figure is a run of number tokens (digits, number words, scale words, a range "8 to 13") with the
words around it: a qualifier before it ("up to", "some", "more than"), a sign ("minus", "-3%"), a
currency ("HK$", "€", "USD", "euros"), a scale ("$13.6M", "8 B"), a unit or the noun it counts after it,
and a rate ("$80 a barrel": per barrel). Fractions and implicit counts ("a third of", "half the",
"one of the", "a dozen", "hundreds of") are figures too. Dates, clock times, years, ordinals and numbers
inside names ("COVID-19", "5G", "10 Downing Street") are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.attribution import Reported, speaker_of
from summarizer.engines.extractive.nlp import ents_within, entity_at
from summarizer.quantities import FRACTIONS, NUMBER_WORDS, PLURAL_SCALES, is_year, parse_number
from summarizer.schema import Qualifier
from summarizer.units import (
    CURRENCY_HUNDREDTHS,
    CURRENCY_SIGNS,
    CURRENCY_WORDS,
    DOLLAR_COUNTRIES,
    GLUED_NUMBER,
    ISO_CODES,
    POUNDS,
    currency_code,
    scale_suffix,
    two_word_unit,
    unit_symbol,
)

# Longest phrases first; matched against the words right before the number.
_QUALIFIERS: list[tuple[tuple[str, ...], Qualifier]] = sorted(
    [
        (("up", "to"), Qualifier.up_to),
        (("as", "many", "as"), Qualifier.up_to),
        (("as", "much", "as"), Qualifier.up_to),
        (("a", "maximum", "of"), Qualifier.up_to),
        (("at", "most"), Qualifier.up_to),
        (("no", "more", "than"), Qualifier.up_to),
        (("not", "more", "than"), Qualifier.up_to),
        (("just", "over"), Qualifier.more_than),
        (("well", "over"), Qualifier.more_than),
        (("just", "under"), Qualifier.less_than),
        (("well", "under"), Qualifier.less_than),
        (("well", "below"), Qualifier.less_than),
        (("upward", "of"), Qualifier.more_than),
        (("more", "or", "less"), Qualifier.approximately),
        (("just", "about"), Qualifier.approximately),
        (("approx",), Qualifier.approximately),
        (("c.",), Qualifier.approximately),
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
_MONTHS = frozenset(
    """january february march april may june july august september october november december jan feb mar apr
    jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday""".split()
)
_NAME_LABELS = frozenset(
    {"ORG", "PRODUCT", "WORK_OF_ART", "LAW", "FAC", "EVENT", "PERSON", "GPE", "NORP", "LOC", "LANGUAGE"}
)
# Words after a glued "m" that make it metres, not millions: "a 35m-high tower", "the 100m sprint".
_METRE_CONTEXT = frozenset(
    "- high tall long wide deep sprint race dash hurdles freestyle butterfly backstroke breaststroke medley relay".split()
)
# Nouns a rate is written per: "$80 a barrel", "2 million barrels a day", "$5 a share".
_RATE_NOUNS = frozenset(
    """second minute hour day night week month year decade head person capita share barrel gallon litre liter
    kilo kilogram kg pound ton tonne unit ticket piece dose bottle pack seat vote household family mile
    kilometre kilometer hectare acre square foot""".split()
)
_RATE_WORDS = frozenset({"a", "an", "per", "each", "every", "/"})
_STREET_WORDS = frozenset(
    "street st st. avenue ave ave. road rd rd. boulevard blvd lane drive way place square court terrace".split()
)
_NEGATIVE_WORDS = frozenset({"minus", "negative"})
# A range written as one token: "8–10", "20-25".
_RANGE_TOKEN = re.compile(r"^(\d[\d,]*(?:\.\d+)?)[-–](\d[\d,]*(?:\.\d+)?)$")
# Words before a year-like number that make it a year: "the 2015 elections", "in 1999", "its 2020 plan".
_YEAR_BEFORE = frozenset("the in since by until from before after during of this that its their his her our 's".split())
_DASHES = frozenset({"-", "−", "–"})
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
    currency: str | None = None
    per: str | None = None
    scale: float | None = None
    extra_evidence: list[tuple[int, int]] = field(default_factory=list)


def _is_number_token(tok: Token) -> bool:
    lower = tok.lower_
    if lower in _NEGATIVE_WORDS:
        return False
    if tok.like_num or GLUED_NUMBER.match(tok.text) or _RANGE_TOKEN.match(tok.text):
        return any(ch.isdigit() for ch in tok.text) or lower in NUMBER_WORDS
    return lower in NUMBER_WORDS or lower in PLURAL_SCALES


@dataclass
class _Reading:
    """A run of number tokens read with what is glued to it or written right around it."""

    value: float
    end: int  # after a scale abbreviation written after the number ("8 B")
    currency: str | None  # ISO code of a sign before the number
    currency_start: int | None  # the token holding that sign, when it is not the number's own
    negative: bool
    scale: float | None  # the multiplier written ("million", "M", "bn"), already in value
    unit: str | None = None  # "35m-high": the glued m is metres
    value_max: float | None = None  # "8–10" written as one token


def _joined_range(joined: re.Match[str], start: int, end: int) -> _Reading | None:
    low, high = parse_number(joined.group(1)), parse_number(joined.group(2))
    if low is None or high is None or low == high:
        return None
    low, high = sorted((low, high))
    return _Reading(low, end, None, None, False, None, None, high)


def _read_number(doc: Doc, start: int, end: int, limit: int) -> _Reading | None:
    """The value of doc[start:end] with its sign, currency sign and scale, glued or around it."""
    words = [t.text for t in doc[start:end]]
    glued = GLUED_NUMBER.match(words[0])
    negative, currency, scale = False, None, None
    if glued:
        negative = glued.group("sign") is not None and glued.group("sign") != "+"
        currency = currency_code(glued.group("currency"))
        words[0] = glued.group("number") + (glued.group("scale") or "")
        if glued.group("scale") == "m" and end < limit and doc[end].lower_ in _METRE_CONTEXT:
            metres = parse_number(glued.group("number"))
            if metres is None:
                return None
            return _Reading(-metres if negative else metres, end, currency, None, negative, None, "m")
        if glued.group("scale") and glued.group("scale") in "MB" and currency is None and _name_follows(doc, end, limit):
            return None  # "221B Baker Street"
    value = parse_number(" ".join(words))
    if value is None:
        return None
    scale = _written_scale(words)
    # A scale abbreviation after the number: "35m", "1.2m tons", "8 B", "5 bn".
    if end < limit and scale is None:
        nxt = doc[end]
        multiplier = scale_suffix(nxt.text, glued=not doc[end - 1].whitespace_)
        metres = nxt.text == "m" and (end + 1 < limit and doc[end + 1].lower_ in _METRE_CONTEXT)
        if multiplier is not None and not metres and not (nxt.text in "MB" and _name_follows(doc, end + 1, limit)):
            value, scale, end = value * multiplier, multiplier, end + 1
    currency_start = None
    prev = start - 1
    if currency is None and prev >= 0:
        code = _currency_before(doc, prev)
        if code is not None:
            currency, currency_start = code, prev
            prev -= 1
    if not negative and prev >= 0:
        before = doc[prev]
        negative = before.lower_ in _NEGATIVE_WORDS or (
            before.text in _DASHES
            and not before.whitespace_
            and (prev == 0 or (bool(doc[prev - 1].whitespace_) and not _is_number_token(doc[prev - 1])))
        )
    return _Reading(-value if negative else value, end, currency, currency_start, negative, scale)


def _written_scale(words: list[str]) -> float | None:
    scales = {"hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
    found = [scales[w.lower()] for w in words if w.lower() in scales]
    glued = GLUED_NUMBER.match(words[-1])
    if glued and glued.group("scale"):
        found.append(scale_suffix(glued.group("scale"), glued=True) or 1.0)
    return max(found) if found else None


def _name_follows(doc: Doc, i: int, limit: int) -> bool:
    return i < limit and doc[i].pos_ == "PROPN"


def _currency_before(doc: Doc, i: int) -> str | None:
    """A currency sign or ISO code right before a number: "$", "C$", "US $", "USD", "Rs"."""
    tok = doc[i]
    if tok.text == "$" and i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].text + "$" in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[doc[i - 1].text + "$"]
    if tok.text in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[tok.text]
    if tok.text in ISO_CODES:
        return currency_code(tok.text)
    return None



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
    joined = _RANGE_TOKEN.match(text) if end - start == 1 else None
    if joined and is_year(joined.group(1)) and is_year(joined.group(2)):
        return True  # "2010-2015"
    if end - start == 1 and is_year(text):
        prev = doc[start - 1] if start > 0 else None
        nxt = doc[end] if end < len(doc) else None
        # "a survey of 1709 schoolchildren", "1500 troops": a count of things, not a year
        counts = nxt is not None and nxt.tag_ == "NNS" and (prev is None or prev.lower_ not in _YEAR_BEFORE - {"of"})
        if counts:
            return False
        if not (prev is not None and (prev.text in CURRENCY_SIGNS or prev.text in ISO_CODES)):
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
    """'Internet Explorer 9', 'G20', 'the Second World War', 'first': part of a name or an ordinal.
    A number written with its sign or currency ('HK$13.6M', 'minus-5') is a quantity whatever its tag."""
    glued = GLUED_NUMBER.match(doc[start].text)
    if glued and (glued.group("currency") or glued.group("sign") or glued.group("scale")):
        return False
    if start > 0 and _currency_before(doc, start - 1) is not None:
        return False
    return any(t.ent_type_ in _NAME_LABELS or t.ent_type_ == "ORDINAL" for t in doc[start:end])


def _is_pronoun_one(doc: Doc, start: int, end: int) -> bool:
    """'no one', 'one another', 'the one who': 'one' that counts nothing ('one of the victims' counts one)."""
    if end - start != 1 or doc[start].lower_ != "one":
        return False
    tok = doc[start]
    nxt = doc[end] if end < len(doc) else None
    if nxt is not None and nxt.lower_ in ("or", "to") and end + 1 < len(doc) and _is_number_token(doc[end + 1]):
        return False
    if start > 0 and doc[start - 1].lower_ in ("no", "the", "every", "any", "this", "that", "which"):
        return True
    if nxt is not None and nxt.lower_ == "of":
        return False
    return tok.dep_ != "nummod"


def _qualifier(doc: Doc, start: int, floor: int) -> tuple[Qualifier, int]:
    words = [t.lower_ for t in doc[max(floor, start - 3) : start]]
    for phrase, qualifier in _QUALIFIERS:
        n = len(phrase)
        if n <= len(words) and tuple(words[-n:]) == phrase:
            return qualifier, start - n
    return Qualifier.exact, start


def _range_end(doc: Doc, start: int, end: int, sent_end: int) -> tuple[int, int] | None:
    """'8 to 13', '8-13', 'one or two', 'between 8 and 13', '$5 to $10': the second number's run, if any."""
    begin = start - 1 if start > 0 and doc[start - 1].text in CURRENCY_SIGNS else start
    joiners = _RANGE_WORDS | ({"and"} if begin > 0 and doc[begin - 1].lower_ == "between" else set())
    if end + 1 >= sent_end or doc[end].text.lower() not in joiners:
        return None
    first = end + 1
    if doc[first].text in CURRENCY_SIGNS and first + 1 < sent_end:
        first += 1  # "$5 to $10": the sign is read with the number
    if not _is_number_token(doc[first]):
        return None
    j = first + 1
    while j < sent_end and _is_number_token(doc[j]) and doc[j].lower_ in NUMBER_WORDS:
        j += 1
    return first, j


def _counted_noun(doc: Doc, core: tuple[int, int], after: int) -> Token | None:
    """The noun a number counts: its head ('12,000 troops'), or the object of 'of' ('two of the victims')."""
    nxt = doc[after] if after < len(doc) and after == core[1] else None
    if nxt is not None and nxt.tag_ == "NNS" and nxt.pos_ == "NOUN" and nxt.dep_ != "compound":
        return nxt  # the plural noun right after the number, whatever the parse made its head ("weapons containers" aside)
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
    joined = _RANGE_TOKEN.match(doc[start].text) if end - start == 1 else None
    reading = _read_number(doc, start, end, sent.end) if joined is None else _joined_range(joined, start, end)
    if reading is None:
        return None
    value, end, currency, scale = reading.value, reading.end, reading.currency, reading.scale
    value, end = _plural_of_plural(doc, start, end, value, sent.end)
    if start - 2 >= sent.start and doc[start].lower_ in PLURAL_SCALES and doc[start - 2 : start].text.lower() == "tens of":
        value, start = value * 10, start - 2  # "tens of thousands": at least 10,000
    value_max = reading.value_max
    second = _range_end(doc, start, end, sent.end) if value_max is None else None
    if second is not None and not _is_date_like(doc, *second):
        high = _read_number(doc, second[0], second[1], sent.end)
        other_currency = high is not None and None not in (high.currency, currency) and high.currency != currency
        if high is not None and high.value != value and not other_currency:
            if high.scale and not scale and abs(value) < abs(high.value) / high.scale:
                value *= high.scale  # "between 5 and 10 million": the scale is written once
                scale = high.scale
            value, value_max = sorted((value, high.value))
            currency = currency or high.currency
            end = high.end
    first = start if reading.currency_start is None else min(start, reading.currency_start)
    if reading.negative and first > sent.start and doc[first - 1].lower_ in _NEGATIVE_WORDS | _DASHES:
        first -= 1
    if first > sent.start and doc[first - 1].lower_ == "between" and value_max is not None:
        first -= 1
    qualifier, first = _qualifier(doc, first, sent.start)
    if doc[start].lower_ in PLURAL_SCALES and qualifier is Qualifier.exact:
        qualifier = Qualifier.at_least
    measures: str | None
    unit: str | None = currency or reading.unit
    per: tuple[str, int] | None = None
    age = _age(doc, sent, start, end)
    if age is not None:
        unit, measures, quantity_end, evidence_end = age
        noun = None
    else:
        unit, quantity_end, scale = _unit_after(doc, sent, end, unit, scale)
        if unit is not None and currency is None:
            currency = currency_code(unit) if unit.isupper() and len(unit) == 3 else None
        per = _per_after(doc, quantity_end, sent.end)
        noun, measures, evidence_end, unit, quantity_end = _what_is_counted(
            doc, start, end, unit, quantity_end, per[1] - 1 if per else None
        )
        if per is None and noun is not None and noun.i >= quantity_end:
            per = _per_after(doc, noun.i + 1, sent.end)  # "2 million barrels a day"
        if per is not None:
            evidence_end = max(evidence_end, per[1])
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
        currency=currency,
        per=per[0] if per else None,
        scale=scale,
    )


def _is_unit_word(tok: Token) -> bool:
    return bool(unit_symbol(tok.text) or currency_code(tok.text) or tok.lower_ in PLURAL_SCALES)


def _same_line_before(doc: Doc, i: int) -> Token | None:
    """The token before i on the same line: the parser sometimes cuts a sentence inside a name ("Windows | 10")."""
    return doc[i - 1] if i > 0 and not doc[i - 1].is_space else None


def _not_a_quantity(doc: Doc, sent: Span, start: int, end: int) -> bool:
    if _in_name(doc, start, end) or _is_date_like(doc, start, end) or _is_pronoun_one(doc, start, end):
        return True
    prev = _same_line_before(doc, start)
    nxt = doc[end] if end < sent.end else None
    if (
        prev is not None
        and prev.lower_ in ("the", "these", "those", "both")
        and not _digits(doc[start])
        and nxt is not None
        and nxt.tag_ in ("NNS", "NNPS")
    ):
        return True  # "the two countries" refers back to things already named; it states no quantity
    if _glued_to_a_name(doc, sent, start, end) or _street_number(doc, end, sent.end):
        return True
    if prev is not None and prev.lower_ in ("age", "aged"):
        return False
    if prev is not None and prev.pos_ == "PROPN" and prev.is_title and doc[start].is_digit and not _is_unit_word(prev):
        return True  # "Boeing 737", "Windows 10", "Apollo 11": a model or a series, not a count
    # "posts 542 and 543", "Explorer 9", "page 12": a number naming one thing, not counting things.
    return (
        prev is not None
        and prev.pos_ in ("NOUN", "PROPN")
        and not _is_unit_word(prev)
        and not any(doc[k].dep_ == "nummod" and doc[k].head.i >= end for k in range(start, end))
        and not (end < sent.end and doc[end].lower_ in ("%", "percent", "per"))
    )


def _glued_to_a_name(doc: Doc, sent: Span, start: int, end: int) -> bool:
    """'5G', '3D', 'MH-17': digits written against letters that are neither a unit nor a scale."""
    last = doc[end - 1]
    if end < sent.end and not last.whitespace_ and _digits(last):
        nxt = doc[end]
        if nxt.is_alpha and not (
            unit_symbol(nxt.text) or scale_suffix(nxt.text, glued=True) or nxt.lower_ in ("percent", "pct", "s")
        ):
            return True
    if start - 2 >= sent.start and doc[start - 1].text in _DASHES and not doc[start - 1].whitespace_:
        before = doc[start - 2]
        return not before.whitespace_ and before.is_alpha and before.lower_ not in _NEGATIVE_WORDS
    return False


def _street_number(doc: Doc, end: int, limit: int) -> bool:
    """'10 Downing Street', '1600 Pennsylvania Avenue': an address, not a quantity."""
    j = end
    while j < limit and j < end + 4 and doc[j].pos_ == "PROPN":
        if doc[j].lower_ in _STREET_WORDS and j > end:
            return True
        j += 1
    return False


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


def _unit_after(
    doc: Doc, sent: Span, end: int, unit: str | None, scale: float | None
) -> tuple[str | None, int, float | None]:
    """A percent sign, a currency or a unit of measurement right after the number; returns the unit,
    where the quantity as written ends, and the scale."""
    if end >= sent.end:
        return unit, end, scale
    nxt = doc[end]
    lower = nxt.lower_
    after = doc[end + 1] if end + 1 < sent.end else None
    if after is not None and (pair := two_word_unit(nxt.text, after.text)):
        return pair, end + 2, scale
    if lower in ("%", "percent", "pct") or (lower == "per" and after is not None and after.lower_ == "cent"):
        return "%", end + (2 if lower == "per" else 1), scale
    if unit is not None:
        return unit, end, scale
    if lower in POUNDS:
        money = scale is not None or (after is not None and after.lower_ == "sterling") or "£" in sent.text
        return ("GBP", end + 1 + (after is not None and after.lower_ == "sterling"), scale) if money else ("lb", end + 1, scale)
    if lower in CURRENCY_WORDS and lower not in ("cent", "cents", "pence"):
        return CURRENCY_WORDS[lower], end + 1, scale
    if nxt.text in ISO_CODES:
        return currency_code(nxt.text), end + 1, scale
    dollar = _country_dollar(doc, end, sent.end)
    if dollar is not None:
        return dollar
    symbol = unit_symbol(nxt.text) or (unit_symbol(nxt.text[:-1]) if nxt.text.endswith(".") else None)
    if symbol in ("km", "m", "mile") and end + 2 < sent.end and after is not None and after.text == "/":
        per_time = doc[end + 2].lower_
        if per_time in ("h", "hr", "s", "sec"):
            return f"{symbol}/{per_time[0]}" if symbol != "mile" else "mph", end + 3, scale  # "km/h", "m/s"
    if symbol is not None and nxt.pos_ != "VERB" and nxt.lower_ not in CURRENCY_HUNDREDTHS:
        return symbol, end + 1, scale
    return unit, end, scale


def _country_dollar(doc: Doc, end: int, limit: int) -> tuple[str, int, None] | None:
    """'3 million Hong Kong dollars', '50 Canadian dollars'."""
    for width in (1, 2):
        j = end + width
        if j < limit and doc[j].lower_ in ("dollar", "dollars"):
            country = doc[end:j].text.lower()
            if country in DOLLAR_COUNTRIES:
                return DOLLAR_COUNTRIES[country], j + 1, None
    return None


def _per_after(doc: Doc, i: int, limit: int) -> tuple[str, int] | None:
    """'a barrel', 'per hour', 'each year', '/gallon' right at i: what a rate is per, and its end."""
    if i + 1 >= limit or doc[i].lower_ not in _RATE_WORDS:
        return None
    noun = doc[i + 1]
    lemma = noun.lemma_.lower()
    if doc[i].lower_ in ("per", "/"):
        if lemma == "cent" or not (noun.pos_ in ("NOUN", "PROPN") or unit_symbol(noun.text)):
            return None
    elif lemma not in _RATE_NOUNS or (i + 2 < limit and doc[i + 2].lower_ == "of"):
        return None
    return unit_symbol(noun.text) or lemma, i + 2


def _age(doc: Doc, sent: Span, start: int, end: int) -> tuple[str, str, int, int] | None:
    """'a 14-year-old boy', 'Thomas Sam, 42,': an age. Returns unit, measures, quantity end, evidence end."""
    words = [t.lower_ for t in doc[end : min(end + 4, sent.end)]]
    for pattern, length in ((["-", "year", "-", "old"], 4), (["year", "old"], 2), (["years", "old"], 2)):
        if words[: len(pattern)] == pattern:
            old = doc[end + length - 1]
            whose = old.head if old.head.pos_ in ("NOUN", "PROPN") and old.head.i > old.i else None
            measures = f"age of {whose.text}" if whose is not None else "age"
            evidence_end = whose.i + 1 if whose is not None else end + length
            return "year", measures, end + length, evidence_end
    if words[:3] in (["-", "year", "-"],) and len(words) > 3 and words[3].startswith("old"):
        return "year", "age", end + 4, end + 4  # "14-year-olds"
    prev = doc[start - 1] if start - 1 >= sent.start else None
    nxt = doc[end] if end < sent.end else None
    if prev is not None and prev.lower_ in ("age", "aged"):
        return "year", "age", end, end
    if prev is not None and prev.text == "," and (nxt is None or nxt.text in (",", ")")) and start >= 2:
        name = doc[start - 2]
        if name.ent_type_ == "PERSON":
            ent = entity_at(doc, name.i)
            assert ent is not None
            return "year", f"age of {ent.text}", end, end
    return None


def _what_is_counted(
    doc: Doc, start: int, end: int, unit: str | None, quantity_end: int, per_noun: int | None = None
) -> tuple[Token | None, str | None, int, str | None, int]:
    """The counted noun and its phrase; returns noun, measures, evidence end, unit, quantity end."""
    noun = _counted_noun(doc, (start, end), quantity_end)
    if noun is not None and noun.i == per_noun:
        noun = None  # "$80 a barrel": the barrel is what the rate is per, not what is counted
    measures, evidence_end = None, quantity_end
    names_unit = noun is not None and unit in (noun.lower_, unit_symbol(noun.text))
    if noun is not None and noun.i >= quantity_end and (unit is None or names_unit):
        unit = unit or noun.lower_
        measures, evidence_end = _np_text(doc, noun, quantity_end)
        if names_unit and noun.i == quantity_end - 1:
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


_HALF_BEFORE = frozenset("of the a an its their his her our my your this that these those".split())
_NOT_A_FRACTION_BEFORE = frozenset(
    "the first second third fourth last latter former other top bottom upper lower back front".split()
)


def _read_fraction(doc: Doc, sent: Span, i: int, claims: list[Reported], cues: set[int]) -> FoundFigure | None:
    """'a third of', 'two-thirds of', 'half the', 'nearly half of': a fraction of what follows."""
    tok = doc[i]
    denominator = FRACTIONS.get(tok.lower_)
    nxt = doc[i + 1] if i + 1 < sent.end else None
    if denominator is None or nxt is None:
        return None
    start, numerator = i, 1.0
    prev = _same_line_before(doc, i)
    if prev is not None and prev.text in _DASHES and not prev.whitespace_ and _same_line_before(doc, i - 1):
        start, prev = i - 1, doc[i - 2]  # "two-thirds"
    if prev is not None and (prev.lower_ in ("a", "an", "one") or (_is_number_token(prev) and prev.i == start - 1)):
        value = parse_number(prev.text) if prev.lower_ not in ("a", "an") else 1.0
        numerator, start = value or 1.0, prev.i
    elif tok.lower_ != "half" or (prev is not None and prev.lower_ in _NOT_A_FRACTION_BEFORE):
        return None
    if nxt.lower_ != "of" and not (tok.lower_ == "half" and nxt.lower_ in _HALF_BEFORE):
        return None
    before = _same_line_before(doc, start)
    if before is not None and before.lower_ in _NOT_A_FRACTION_BEFORE:
        return None
    qualifier, first = _qualifier(doc, start, min(start, sent.start))
    noun = next((t for t in doc[i + 1 : min(i + 5, sent.end)] if t.pos_ in ("NOUN", "PROPN", "PRON")), None)
    measures, evidence_end = (_np_text(doc, noun, i + 1) if noun is not None else (None, i + 1))
    return FoundFigure(
        start=first,
        core=(start, i + 1),
        end=i + 1,
        evidence_end=evidence_end,
        value=numerator / denominator,
        value_max=None,
        unit=noun.lower_ if noun is not None and noun.pos_ != "PRON" else None,
        measures=measures,
        qualifier=qualifier,
        date=_date_for(doc, sent, noun or tok, (start, i + 1), cues),
        source=speaker_of(claims, start),
    )


def find_figures(doc: Doc, claims: list[Reported], body_start: int = 0) -> list[FoundFigure]:
    """Every stated quantity in the document, merged where the same source repeats the same figure."""
    cues = {c.cue for c in claims}
    found: list[FoundFigure] = []
    sents = list(doc.sents)
    # Fractions first, over the whole document: a numerator may sit across a sentence cut ("Two | -thirds").
    fractions = [f for sent in sents for i in range(sent.start, sent.end) if (f := _read_fraction(doc, sent, i, claims, cues))]
    found.extend(fractions)
    for sent in sents:
        consumed = sent.start
        for run in _number_runs(sent):
            if run[0] < consumed or any(f.core[0] <= run[0] < f.core[1] for f in fractions):
                continue  # the second number of a range already read, or a fraction's numerator
            fig = _read_figure(doc, sent, run, claims, cues)
            if fig is not None:
                found.append(fig)
                consumed = fig.core[1]
    # Figures in the body come first so a headline repeat joins them rather than the other way round.
    found.sort(key=lambda f: (f.start < body_start, f.start))
    merged = _merge(found, body_start)
    merged.sort(key=lambda f: f.start)
    return merged
