"""The fast scans of summarizer.quantities and summarizer.numbers find what their straightforward
definitions (tests/reference_quantities.py) find: the same values, the same mentions, the same numbers."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import numbers, quantities
from tests import reference_quantities as reference

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted(p for p in (ROOT / "tests").rglob("*.txt") if p.stat().st_size < 400_000) + [
    ROOT / "seeds" / "000_ee409ff46c783017.txt"
]

# Pieces news text is made of, and the edge cases of every scan: number words and fractions in any case,
# signs and dashes, separators, dates and times, the characters case-insensitive matching reads as ASCII.
PIECES = [
    "one", "One", "ONE", "a", "an", "A", "half", "Half", "a third", "two-thirds", "three quarters", "behalf",
    "fifths", "9 tenths", "eighth", "ſix", "İn", "ınto", "K", "tens of thousands", "Dozens of", "hundreds of millions",
    "thousands", "millions", "billions", "minus", "Negative", "minus 5", "negative-3", "-3", "−4.5", "–12", "x-7",
    "1,500", "1.5 million", "3bn", "$5m", "10k", "8 B", "5 bn", "between $5 and $7 million", "12.000", "1 500",
    "1\u00a0500", "1'500", "1’500", "1,5", "0,25", "1.234,56", "2 milliards", "3 mille", "vingt-cinq",
    "quatre-vingt-dix", "deux cents", "une quarantaine", "centaines", "milliers", "un", "une", "et", "de",
    "March 3", "3 March", "10 a.m.", "14:00", "GMT", "2024", "1999", "G7", "COVID-19", "3rd", "twenty-one",
    "a hundred", "one hundred and five", "seventy", "Seven", "ninety-nine", "and", "of", "to", "or", " ", " ",
    "  ", "\n", "\n\n", ",", ".", ":", "/", "(", ")", "'", "said", "troops", "per cent", "%", "_", "5_000", "x2",
    "ten", "often", "tension", "six", "sixth", "Sixths", "quarter", "fifty-fifty", "—", "-", "--",
]


def _same(text: str) -> None:
    assert quantities.values_in(text) == reference.values_in(text), text
    # The summary check reads a source's digit runs first, and everything only for a number they lack.
    assert quantities.digit_values(text) <= reference.values_in(text), text
    # ...then its numbers as other languages write them, then the rest: together, all of them.
    parts = quantities.digit_values(text) | numbers.readings(text) | quantities.other_values(text)
    assert parts == reference.values_in(text), text
    assert quantities.number_mentions(text) == reference.number_mentions(text), text
    assert numbers.readings(text) == reference.readings(text), text
    assert [m.span() for m in numbers.NUMBER.finditer(text)] == [m.span() for m in reference.NUMBER.finditer(text)]


def test_same_on_every_article_and_its_paragraphs() -> None:
    for path in TEXTS:
        text = path.read_text(encoding="utf-8")
        _same(text)
        for paragraph in text.split("\n\n"):
            _same(paragraph)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_same_on_pieces_joined(pieces: list[str]) -> None:
    _same(" ".join(pieces))
    _same("".join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789 ,.-−–'’\u00a0\u202fabcdefhilmnoqrstuvwxABMKſİ\n:/"), max_size=80))
def test_same_on_arbitrary_characters(text: str) -> None:
    _same(text)


def test_case_twins_are_every_character_read_as_an_ascii_letter() -> None:
    """_folded maps to ASCII every character that a case-insensitive pattern matches to an ASCII letter, so
    a word such a pattern finds is a substring of the folded text (the condition the scans are skipped on)."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    for code in range(0x110000):
        char = chr(code)
        if letter.fullmatch(char):
            folded = quantities._folded(char)
            assert len(folded) == 1 and folded.isascii() and re.fullmatch(folded, char, re.IGNORECASE), hex(code)


def test_a_kept_texts_values_are_a_copy_that_callers_may_change() -> None:
    """values_in keeps the values of short texts (quotes read by the support check and by verification):
    what it returns is the caller's own set, so changing it changes no later answer."""
    quote = "about 1,500 troops, a third of them"
    first = quantities.values_in(quote)
    first.add(42.0)
    first.discard(1500.0)
    assert quantities.values_in(quote) == reference.values_in(quote)


_SCANS = [
    (quantities._WORD_MENTION, quantities._WORD_MENTION_START),
    (quantities._PLURAL_MENTION, quantities._PLURAL_START),
    (quantities._PLURAL_OF_PLURAL, quantities._PLURAL_OF_PLURAL_START),
]


def _same_matches(text: str) -> None:
    folded = quantities._folded(text)
    for pattern, starts in _SCANS:
        found = [(m.span(), m.groups()) for m in quantities._scan(pattern, text, folded, starts)]
        assert found == [(m.span(), m.groups()) for m in pattern.finditer(text)], (pattern.pattern[:40], text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.sampled_from([" ", "", "-", "_"]))
def test_scans_tried_where_their_words_start_find_every_match(pieces: list[str], joint: str) -> None:
    """`_scan` tries a scan only where its words start in the folded text: the same matches as everywhere."""
    _same_matches(joint.join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_scans_find_every_match_in_any_text(text: str) -> None:
    _same_matches(text + " one hundred and tens of thousands " + text)


def test_scans_find_every_match_in_every_article() -> None:
    for path in TEXTS:
        _same_matches(path.read_text(encoding="utf-8"))


def _same_fractions(text: str) -> None:
    folded = quantities._folded(text)
    found = quantities._matches_at(quantities._FRACTION, text, quantities._fraction_places(text, folded))
    assert [(m.span(), m.groups()) for m in found] == [(m.span(), m.groups()) for m in quantities._FRACTION.finditer(text)], text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["12 ", "x3 ", "3_", "٣", "²", " -\u00a0 ", "\t-", "a\u2028"]), max_size=30),
       st.sampled_from([" ", "", "-", "_", "\u00a0", "--"]))
def test_fractions_tried_where_they_may_start_find_every_match(pieces: list[str], joint: str) -> None:
    _same_fractions(joint.join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.text(max_size=20))
def test_fractions_found_in_any_text(before: str, between: str) -> None:
    _same_fractions(f"{before} {between}half {before}-third {between} quarters")
    for path in TEXTS[:5]:
        _same_fractions(path.read_text(encoding="utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=400))
def test_digits_alone_parse_as_words_do(digits: str) -> None:
    """parse_number reads a run of digits (any script's) straight away: the value its reading of words
    gives them (which a space around them leads to)."""
    assert quantities.parse_number(digits) == quantities.parse_number(f" {digits} ")
    assert quantities.parse_number("12") == 12.0 and quantities.parse_number("٣") == 3.0
