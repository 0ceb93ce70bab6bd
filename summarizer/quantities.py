"""Numbers and quantities as written in news text: digits, number words and scale words normalised to
floats, and the rules that say when two figures count the same thing.

Pure Python and regular expressions (no spaCy), so verification, the digest and every engine can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from summarizer.numbers import readings

if TYPE_CHECKING:
    from summarizer.schema import Figure

UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1e12}
# Abbreviated scales written straight after digits: "3bn", "$5m", "10k".
_SHORT_SCALES = {
    "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "mln": 1_000_000, "bn": 1_000_000_000, "b": 1_000_000_000,
    "bln": 1_000_000_000, "tn": 1e12, "trn": 1e12,
}
# Plural scale words count at least one of the scale: "thousands of people".
PLURAL_SCALES = {"dozens": 12, "hundreds": 100, "thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000}
NUMBER_WORDS = {**UNITS, **TENS, **SCALES, "dozen": 12}
# Fraction words and their denominators: "a third of", "two-thirds", "half the".
FRACTIONS = {
    "half": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4, "fifth": 5, "fifths": 5, "sixth": 6,
    "sixths": 6, "eighth": 8, "eighths": 8, "tenth": 10, "tenths": 10,
}

_DIGITS = re.compile(r"^(\d{1,3}(?:,\d{3})+|\d+)?(\.\d+)?(k|m|mn|mln|bn|bln|b|tn|trn)?$", re.IGNORECASE)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_NUMBER_WORD_ALT = "|".join(sorted((w for w in NUMBER_WORDS if w != "one"), key=len, reverse=True))
# Python's regex engine tries every alternative at every word start; a lookahead on the letters the
# number words begin with rejects most words at once (same matches, about 2.5x faster on news text).
_NUMBER_WORD_START = rf"(?=[{''.join(sorted({w[0] for w in NUMBER_WORDS}))}])"
_SCALE_ALT = "million|billion|trillion|thousand|hundred"
# A digit number not glued to letters or hyphens ("G7", "COVID-19", "3rd" are not quantities).
# The test of the character before a number comes after its first digit: a pattern that opens with a digit
# lets the regex engine skip to the next digit in C instead of trying the pattern at every position.
_DIGIT_MENTION = re.compile(
    rf"(\d(?<![\w.,\-/:]\d)(?:\d{{0,2}}(?:,\d{{3}})+|\d*))(\.\d+)?"  # 1,500 or 1500, with decimals
    rf"(?:\s?({_SCALE_ALT})\b|(bn|mn|tn|m|k)\b)?"  # 1.5 million, 3bn
    r"(?![\w/:]|[.,]\d)",
    re.IGNORECASE,
)
_WORD_MENTION = re.compile(
    rf"\b{_NUMBER_WORD_START}(?:{_NUMBER_WORD_ALT}|one(?=[\s-]+(?:{_NUMBER_WORD_ALT})\b))(?:[\s-]+(?:and[\s-]+)?(?:{_NUMBER_WORD_ALT}))*\b",
    re.IGNORECASE,
)
_PLURAL_OF_PLURAL = re.compile(
    r"\b(tens|dozens|hundreds|thousands|millions) of (hundreds|thousands|millions|billions)\b", re.IGNORECASE
)
_PLURAL_MENTION = re.compile(r"\b(?=[bdhmt])(?:dozens|hundreds|thousands|millions|billions)\b", re.IGNORECASE)
_PLURAL_WORDS = ("dozens", "hundreds", "thousands", "millions", "billions")
# Where the scans above may start, in a text as `_folded` writes it: each match opens with a word of theirs
# after a character that is not a letter (a word boundary; `_folded` makes no other character an ASCII
# letter), or at the text's start. These patterns open with that character, which the regex engine skips
# to in C, then the words' letters (`_starts`); the scans open with a word boundary, tried at every word.


def _trie(words: list[str]) -> str:
    """A pattern that matches where one of `words` starts, its alternatives nested by letter ("t(?:en|h...")
    so that the engine compares a letter or two at each place instead of trying every word."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for letter in word:
            node = node.setdefault(letter, {})
        node[""] = {}

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(letter) + render(child) for letter, child in sorted(node.items()) if letter]
        if not branches:
            return ""
        inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # A word ends here: what follows is optional (where a word starts is what matters, not its length).
        return f"(?:{inner})?" if "" in node else inner

    return "|".join(re.escape(letter) + render(child) for letter, child in sorted(tree.items()))


def _starts(words: list[str]) -> re.Pattern[str]:
    return re.compile(f"[^a-z]({_trie(words)})")


_WORD_MENTION_START = _starts(sorted(NUMBER_WORDS))
_PLURAL_START = _starts(list(_PLURAL_WORDS))
_PLURAL_OF_PLURAL_START = _starts(["tens", *_PLURAL_WORDS[:-1]])
_DIGIT_RUN = re.compile(r"\d[\d,]*(?:\.\d+)?")
# What a figure's value may carry beyond its digits: a sign ("-3%", "minus 5") and a scale written
# apart ("8 B", "5 bn"); and fractions ("a third", "two-thirds", "half").
# Two scans, one per way of writing the sign: the values are a set, and a number both would read ("minus -5")
# is read the same by either. The dash's scan opens with the dash, so the engine skips to the next one in C.
_SIGNED_DASH = re.compile(r"[-−–](?<![\w.,][-−–])(\d[\d,]*(?:\.\d+)?)")
_SIGNED_WORD = re.compile(r"\b(?:minus|negative)[\s-]+(\d[\d,]*(?:\.\d+)?)", re.IGNORECASE)
_SCALE_APART = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s(M|B|K|bn|mn|mln|bln|tn|trn|BN|MN)\b")
# "between $5 and $7 million": the scale is written once for both ends.
_SHARED_SCALE = re.compile(
    r"(\d[\d,]*(?:\.\d+)?)\s*(?:to|and|or|-|–)\s*\D{0,3}?\d[\d,]*(?:\.\d+)?\s?"
    r"(million|billion|trillion|thousand|bn|mn|tn|m|b)\b",
    re.IGNORECASE,
)
_FRACTION_ALT = "|".join(sorted(FRACTIONS, key=len, reverse=True))
_FRACTION = re.compile(
    rf"\b(?:(a|an|one|two|three|four|five|seven|nine|\d+)[\s-]+)?({_FRACTION_ALT})\b", re.IGNORECASE
)
# Every word the fraction scan needs one of: a text without any (as folded by `_folded`) is not scanned.
_FRACTION_STEMS = ("half", "third", "quarter", "fifth", "sixth", "eighth", "tenth")
# "one", or "a"/"an" before number words ("a hundred"): an article alone states no value, and matching each
# of a text's hundred articles only to read nothing in it cost more than the scan.
_ONE_OR_ARTICLE = re.compile(
    rf"\b(?=[oa])(?:one(?:[\s-]+(?:{_NUMBER_WORD_ALT}))*|an?(?:[\s-]+(?:{_NUMBER_WORD_ALT}))+)\b", re.IGNORECASE
)
_DATE_BEFORE = re.compile(rf"(?:\b(?:{_MONTHS})\.?\s+(?:\d{{1,2}}\s*(?:to|-|–|and)\s*)?)$", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"^(?:\s*(?:to|-|–|and)\s*\d{{1,2}})?\s+(?:of\s+)?(?:{_MONTHS})\b", re.IGNORECASE)
_TIME_AFTER = re.compile(r"^\s*(?:a\.?m\.?|p\.?m\.?|GMT|UTC|hours?\s+(?:GMT|UTC|local))(?!\w)", re.IGNORECASE)


# Characters other than A-Z that a case-insensitive pattern matches to an ASCII letter: the Turkish dotted
# and dotless i, the long s and the Kelvin sign (tests/test_quantities_fast.py checks every code point).
_CASE_TWINS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_TWINS = ("\u0130", "\u0131", "\u017f", "\u212a")


def _folded(text: str) -> str:
    """The text lower-cased, with every character a case-insensitive pattern reads as an ASCII letter
    written as that letter: a word such a pattern finds in `text` is a substring of it. Used only to skip
    the scans whose words a text does not contain (most texts have no fraction, sign word or plural scale)."""
    # Four substring searches are much cheaper than translating every character of a text that has none.
    if any(twin in text for twin in _TWINS):
        text = text.translate(_CASE_TWINS)
    return text.lower()


@dataclass(frozen=True)
class NumberMention:
    """A number in a text: its span, the words as written and the value they state."""

    start: int
    end: int
    text: str
    value: float


# Compiled once: parse_number and is_year run for every number of every text, and `re`'s own cache of
# patterns given as strings costs a lookup per call.
_WORD_SPLIT = re.compile(r"[\s\-]+")
_YEAR = re.compile(r"1[5-9]\d\d|20\d\d|2100")


def parse_number(text: str) -> float | None:
    """The value of a number written with digits, words or both: '1,500', 'six', '1.5 million', '3bn'."""
    if text.isdecimal():  # digits alone (most numbers of a text): what the reading below gives them
        return float(text)
    words = [w for w in _WORD_SPLIT.split(text.strip().lower()) if w and w not in ("and", "a", "an")]
    if not words:
        return None
    total, current, seen = 0.0, 0.0, False
    for word in words:
        m = _DIGITS.match(word)
        if m and (m.group(1) or m.group(2)):
            current += float((m.group(1) or "0").replace(",", "") + (m.group(2) or ""))
            if m.group(3):
                current *= _SHORT_SCALES[m.group(3).lower()]
            seen = True
        elif word in UNITS or word in TENS:
            current += UNITS.get(word, 0) + TENS.get(word, 0)
            seen = True
        elif word == "dozen":
            current = (current or 1) * 12
            seen = True
        elif word in SCALES:
            scale = SCALES[word]
            current = (current or 1) * scale
            if scale >= 1_000:
                total, current = total + current, 0.0
            seen = True
        elif word in _SHORT_SCALES and seen:
            current *= _SHORT_SCALES[word]
        elif word in PLURAL_SCALES:
            current = (current or 1) * PLURAL_SCALES[word]
            seen = True
        else:
            return None
    return total + current if seen else None


def is_year(text: str) -> bool:
    """A bare four-digit number a news text would use as a year."""
    return bool(_YEAR.fullmatch(text.strip()))


def number_mentions(text: str) -> list[NumberMention]:
    """Stated quantities in a text: digits and number words, leaving out years, dates, clock times and 'one'."""
    if len(text) < _SHARED_LENGTH:
        return list(_mentions(text, _folded(text)))
    return list(_shared_mentions(text))


# A document's text is read by the support check (values_in) and by verification (number_mentions):
# texts this long are scanned once per process. Quotes and sentences are short and cheap, and are not
# kept (they would only be found again in another document with the same words).
_SHARED_LENGTH = 1_000


@lru_cache(maxsize=4)
def _shared_mentions(text: str) -> tuple[NumberMention, ...]:
    return _mentions(text, _folded(text))


def _scan(pattern: re.Pattern[str], text: str, folded: str, starts: re.Pattern[str]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, where every match of `pattern` opens with a word that `starts` finds in
    `folded` (the text as `_folded` writes it) at the same place, as its group 1, or at the text's start:
    `pattern` is tried only there. A place `starts` passes over (inside a word it found) follows a
    letter, where a word boundary is not."""
    if len(folded) != len(text):  # `_folded` keeps every offset; were it not to, scan it all
        return pattern.finditer(text)
    return _matches_at(pattern, text, chain((0,), (m.start(1) for m in starts.finditer(folded))))


def _matches_at(pattern: re.Pattern[str], text: str, places: Iterable[int]) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)` when every match starts at one of `places` (ascending): the same matches,
    as `finditer` takes each at the first place from the end of the last where the pattern matches."""
    end = 0
    for at in places:
        if at < end:
            continue
        m = pattern.match(text, at)
        if m is not None:
            yield m
            end = m.end()


def _fraction_places(text: str, folded: str) -> list[int]:
    """Where a `_FRACTION` match may start: at each fraction word (each opens with one of _FRACTION_STEMS),
    and at the word before it when only spaces and hyphens come between (a numerator is a whole word: a
    word boundary before it, a space or hyphen after it; the pattern's word and space characters are
    those `isalnum` (or "_") and `isspace` say are)."""
    places = set()
    for stem in _FRACTION_STEMS:
        at = folded.find(stem)
        while at >= 0:
            places.add(at)
            gap = at
            while gap > 0 and (text[gap - 1].isspace() or text[gap - 1] == "-"):
                gap -= 1
            word = gap
            while word > 0 and (text[word - 1].isalnum() or text[word - 1] == "_"):
                word -= 1
            if gap < at and word < gap:
                places.add(word)
            at = folded.find(stem, at + 1)
    return sorted(places)


def _mentions(text: str, folded: str) -> tuple[NumberMention, ...]:
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
    # The characters already in a mention, as a set: scanning every mention for each word made a long
    # text's cost grow with the square of its numbers.
    covered = {k for f in found for k in range(f.start, f.end)}
    patterns = [(_WORD_MENTION, _WORD_MENTION_START)]
    if any(w in folded for w in _PLURAL_WORDS):
        patterns.append((_PLURAL_MENTION, _PLURAL_START))
    for pattern, starts in patterns:
        for m in _scan(pattern, text, folded, starts):
            value = parse_number(m.group())
            if value is not None and m.start() not in covered:
                found.append(NumberMention(m.start(), m.end(), m.group(), value))
                covered.update(range(m.start(), m.end()))
    found.sort(key=lambda n: n.start)
    return tuple(found)


# A brief's quotes are read by the support check and again by verification (a figure's evidence), some
# several times over: their values are kept per process. Longer texts (a source, a claim's sentences) are
# read once or have their own cache (`_shared_mentions`), and would only fill this one.
_KEPT_LENGTH = 1_000


def values_in(text: str) -> set[float]:
    """Every value a text states, with and without its scale word ('1.5 million' gives 1.5 and 1500000)."""
    return set(_kept_values(text)) if len(text) < _KEPT_LENGTH else _values_in(text)


@lru_cache(maxsize=512)
def _kept_values(text: str) -> frozenset[float]:
    return frozenset(_values_in(text))


def digit_values(text: str) -> set[float]:
    """The values of the text's digit runs ('12,000', '3.5'): the part of `values_in` that is cheap on a
    long text, and a subset of it (a value found here is one `values_in` finds)."""
    values: set[float] = set()
    for m in _DIGIT_RUN.finditer(text):
        v = parse_number(m.group().rstrip(",."))
        if v is not None:
            values.add(v)
    return values


def _values_in(text: str) -> set[float]:
    # Numbers as other languages write them ('1 500', '1,5 million', '12.000'), read both ways.
    return digit_values(text) | other_values(text) | readings(text)


def other_values(text: str) -> set[float]:
    """The values of `values_in` beyond `digit_values` and `readings` (number words, signs, scales
    written apart, fractions): with those two, all of them, so that a caller that has read those
    already reads only the rest."""
    folded = _folded(text)
    values: set[float] = set()
    mentions = _shared_mentions(text) if len(text) >= _SHARED_LENGTH else _mentions(text, folded)
    for n in mentions:
        values.add(n.value)
    # Each scan below runs only when the text contains a word it needs (else it cannot match).
    if "s of " in folded and any(w in folded for w in _PLURAL_WORDS[1:]):
        for m in _scan(_PLURAL_OF_PLURAL, text, folded, _PLURAL_OF_PLURAL_START):
            values.add({"tens": 10, **PLURAL_SCALES}[m.group(1).lower()] * PLURAL_SCALES[m.group(2).lower()])
    signed = [_SIGNED_DASH, _SIGNED_WORD] if "minus" in folded or "negative" in folded else [_SIGNED_DASH]
    for pattern in signed:
        for m in pattern.finditer(text):
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
    if any(w in folded for w in _FRACTION_STEMS):
        fractions = (_FRACTION.finditer(text) if len(folded) != len(text)
                     else _matches_at(_FRACTION, text, _fraction_places(text, folded)))
        for m in fractions:
            numerator = parse_number(m.group(1)) if m.group(1) and m.group(1).lower() not in ("a", "an") else 1.0
            if m.group(1) is None and m.group(2).lower() != "half":
                continue
            values.add((numerator or 1.0) / FRACTIONS[m.group(2).lower()])
    # Evidence may state "one" ('one or two points'), which number_mentions leaves out as a pronoun.
    for m in _ONE_OR_ARTICLE.finditer(text):
        v = parse_number(m.group())
        if v is not None:
            values.add(v)
    return values


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


# Two figures for one quantity from different sources are a conflict only if they are of a size
# (12,000 against 10,000 troops); 6 dead against 1,500 soldiers is two different quantities.
_MAX_CONFLICT_RATIO = 5.0
_STEM = 5
_WORD = re.compile(r"[a-z]+")
_MEASURE_STOPWORDS = frozenset({"the", "a", "an", "of", "to", "in", "on", "for", "and", "by", "with", "at", "from"})


@lru_cache(maxsize=4096)
def _stems(text: str | None) -> frozenset[str]:
    # Cached: conflicts (here and across a night's documents in the digest) compare figures pairwise,
    # so the same few units and measures are split into words thousands of times.
    return frozenset(w[:_STEM] for w in _WORD.findall((text or "").lower()) if w not in _MEASURE_STOPWORDS)


def unit_key(unit: str) -> str:
    """A unit as compared: case and a plural s set aside."""
    return unit.lower().rstrip("s")


def same_quantity(a: Figure, b: Figure) -> bool:
    """Same unit, compatible dates and what they measure overlapping beyond the unit itself."""
    if not a.unit or not b.unit or unit_key(a.unit) != unit_key(b.unit):
        return False
    if a.date and b.date and a.date.lower() != b.date.lower():
        return False
    unit = _stems(a.unit)
    wa, wb = _stems(a.measures) - unit, _stems(b.measures) - unit
    # "people killed" against "people injured" are two quantities; "troops" against "troops sent" one.
    return not wa or not wb or len(wa & wb) / min(len(wa), len(wb)) >= 0.5


def values_differ(a: Figure, b: Figure) -> bool:
    if a.value is None or b.value is None or same_value(a.value, b.value):
        return False
    low, high = sorted((abs(a.value), abs(b.value)))
    return low > 0 and high / low <= _MAX_CONFLICT_RATIO


def values_differing(value: float, others: np.ndarray) -> np.ndarray:
    """`values_differ` of a figure worth `value` against many at once (`others`: float64, NaN for none)."""
    a, b = abs(value), np.abs(others)
    low, high = np.minimum(a, b), np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN (no value) and 0 compare as False below
        same = np.abs(value - others) <= 1e-9 * np.maximum(1.0, np.maximum(a, b))
        return ~np.isnan(others) & ~same & (low > 0) & (high / low <= _MAX_CONFLICT_RATIO)
