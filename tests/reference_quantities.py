"""The straightforward definitions of `values_in`, `number_mentions` and `readings`, as they were before
their scans were made faster (one regular expression per kind of number, each run over the whole text,
case folded by the regex engine). tests/test_quantities_fast.py checks that the fast versions find the
same numbers on varied texts. Kept here, not in summarizer/, because nothing but the tests may use it."""

from __future__ import annotations

import re

from summarizer.numbers import APPROXIMATE_WORDS, WORD_NUMBERS, parse_localized, scale_after, words_value
from summarizer.quantities import FRACTIONS, NUMBER_WORDS, PLURAL_SCALES, NumberMention, is_year, parse_number

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMBER_WORD_ALT = "|".join(sorted((w for w in NUMBER_WORDS if w != "one"), key=len, reverse=True))
_SCALE_ALT = "million|billion|trillion|thousand|hundred"
_DIGIT_MENTION = re.compile(
    rf"(?<![\w.,\-/:])(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?"
    rf"(?:\s?({_SCALE_ALT})\b|(bn|mn|tn|m|k)\b)?"
    r"(?![\w/:]|[.,]\d)",
    re.IGNORECASE,
)
_WORD_MENTION = re.compile(
    rf"\b(?:{_NUMBER_WORD_ALT}|one(?=[\s-]+(?:{_NUMBER_WORD_ALT})\b))(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD_ALT}))*\b",
    re.IGNORECASE,
)
_PLURAL_OF_PLURAL = re.compile(
    r"\b(tens|dozens|hundreds|thousands|millions) of (hundreds|thousands|millions|billions)\b", re.IGNORECASE
)
_PLURAL_MENTION = re.compile(r"\b(?:dozens|hundreds|thousands|millions|billions)\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SIGNED = re.compile(r"(?:(?<![\w\d.,])[-−–]|\b(?:minus|negative)[\s-]+)(\d[\d,]*(?:\.\d+)?)", re.IGNORECASE)
_SCALE_APART = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s(M|B|K|bn|mn|mln|bln|tn|trn|BN|MN)\b")
_SHARED_SCALE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(?:to|and|or|-|–)\s*\D{0,3}?\d[\d,]*(?:\.\d+)?\s?"
    r"(million|billion|trillion|thousand|bn|mn|tn|m|b)\b",
    re.IGNORECASE,
)
_FRACTION_ALT = "|".join(sorted(FRACTIONS, key=len, reverse=True))
_FRACTION = re.compile(
    rf"\b(?:(a|an|one|two|three|four|five|seven|nine|\d+)[\s-]+)?({_FRACTION_ALT})\b", re.IGNORECASE
)
_ONE_OR_ARTICLE = re.compile(rf"\b(?:one|a|an)(?:[\s-]+(?:{_NUMBER_WORD_ALT}))*\b", re.IGNORECASE)
_DATE_BEFORE = re.compile(rf"(?:\b(?:{_MONTHS})\.?\s+(?:\d{{1,2}}\s*(?:to|-|–|and)\s*)?)$", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"^(?:\s*(?:to|-|–|and)\s*\d{{1,2}})?\s+(?:of\s+)?(?:{_MONTHS})\b", re.IGNORECASE)
_TIME_AFTER = re.compile(r"^\s*(?:a\.?m\.?|p\.?m\.?|GMT|UTC|hours?\s+(?:GMT|UTC|local))(?!\w)", re.IGNORECASE)

_SPACE_CLASS = "[ \u00a0\u202f\u2009]"
NUMBER = re.compile(
    rf"(?<![\w.,])\d{{1,3}}(?:(?:{_SPACE_CLASS}|['\u2019])\d{{3}})+(?:[.,]\d+)?(?![\w]|[.,]\d)"
    r"|(?<![\w.,])\d+(?:[.,]\d+)*(?![\w]|[.,]\d)"
)
MAX_NUMBER_WORDS = 8
_WORD = re.compile(r"[^\W\d_]+")
_WORD_RUN = re.compile(rf"[^\W\d_]+(?:[\s-]+(?:et[\s-]+)?[^\W\d_]+){{0,{MAX_NUMBER_WORDS - 1}}}")
_NUMBER_WORDS = {word for table in WORD_NUMBERS.values() for word in table}
_APPROXIMATE = {
    word: (re.compile(rf"(?<!\w){word}s?(?!\w)"), value)
    for table in APPROXIMATE_WORDS.values() for word, value in table.items()
}


def number_mentions(text: str) -> list[NumberMention]:
    found: list[NumberMention] = []
    for m in _DIGIT_MENTION.finditer(text):
        core = m.group(1) + (m.group(2) or "")
        scale = m.group(3) or m.group(4)
        if scale is None and is_year(core):
            continue
        before, after = text[max(0, m.start() - 24) : m.start()], text[m.end() : m.end() + 24]
        if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after) or _TIME_AFTER.match(after):
            continue
        value = parse_number(f"{core} {scale or ''}")
        if value is not None:
            found.append(NumberMention(m.start(), m.end(), m.group(), value))
    covered = {k for f in found for k in range(f.start, f.end)}
    for pattern in (_WORD_MENTION, _PLURAL_MENTION):
        for m in pattern.finditer(text):
            value = parse_number(m.group())
            if value is not None and m.start() not in covered:
                found.append(NumberMention(m.start(), m.end(), m.group(), value))
                covered.update(range(m.start(), m.end()))
    found.sort(key=lambda n: n.start)
    return found


def _word_readings(text: str) -> set[float]:
    values: set[float] = set()
    low = text.lower()
    for m in _WORD.finditer(low):
        if m.group() not in _NUMBER_WORDS:
            continue
        run = _WORD_RUN.match(low, m.start())
        words = re.split(r"[\s-]+", run.group()) if run else [m.group()]
        for table in WORD_NUMBERS.values():
            if m.group() not in table:
                continue
            candidate = words
            while candidate:
                value = words_value(candidate, table)
                if value is not None:
                    values.add(value)
                    break
                candidate = candidate[:-1]
    for word, (pattern, value) in _APPROXIMATE.items():
        if word in low and pattern.search(low):
            values.add(value)
    return values


def readings(text: str) -> set[float]:
    values: set[float] = set()
    for m in NUMBER.finditer(text):
        scale = scale_after(text, m.end())
        for convention in ("en", "fr"):
            value = parse_localized(m.group(), convention)
            if value is None:
                continue
            values.add(value)
            if scale is not None:
                values.add(value * scale[0])
    return values | _word_readings(text)


def values_in(text: str) -> set[float]:
    values: set[float] = set()
    for m in _DIGIT_RUN.finditer(text):
        v = parse_number(m.group().rstrip(",."))
        if v is not None:
            values.add(v)
    for n in number_mentions(text):
        values.add(n.value)
    for m in _PLURAL_OF_PLURAL.finditer(text):
        values.add({"tens": 10, **PLURAL_SCALES}[m.group(1).lower()] * PLURAL_SCALES[m.group(2).lower()])
    for m in _SIGNED.finditer(text):
        v = parse_number(m.group(1).rstrip(",."))
        if v is not None:
            values.add(-v)
    for m in _SCALE_APART.finditer(text):
        v = parse_number(m.group(1) + m.group(2))
        if v is not None:
            values.add(v)
            values.add(-v)
    for m in _SHARED_SCALE.finditer(text):
        v = parse_number(f"{m.group(1)} {m.group(2)}")
        if v is not None:
            values.add(v)
    for m in _FRACTION.finditer(text):
        numerator = parse_number(m.group(1)) if m.group(1) and m.group(1).lower() not in ("a", "an") else 1.0
        if m.group(1) is None and m.group(2).lower() != "half":
            continue
        values.add((numerator or 1.0) / FRACTIONS[m.group(2).lower()])
    values |= readings(text)
    for m in _ONE_OR_ARTICLE.finditer(text):
        v = parse_number(m.group())
        if v is not None:
            values.add(v)
    return values
