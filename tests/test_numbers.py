"""Numbers as languages write them: the shape decides, the document's language settles what it leaves open."""

from __future__ import annotations

import pytest

from summarizer.numbers import numbers_in, parse_localized, readings
from summarizer.quantities import values_in

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("1 500", "fr", 1500),
        (f"1{NBSP}500", "fr", 1500),
        (f"12{NNBSP}000", "fr", 12000),
        (f"1{THIN}234{THIN}567", "fr", 1234567),
        ("12 000", "en", 12000),  # a space between groups of three digits groups them in any language
        ("1,5", "fr", 1.5),
        ("3,2", "fr", 3.2),
        ("0,25", "it", 0.25),
        ("1 500,75", "fr", 1500.75),
        ("12.000", "de", 12000),
        ("1.234.567", "es", 1234567),
        ("1.234,56", "de", 1234.56),
        ("1.234,56", "en", 1234.56),  # both marks: the last one is the decimal mark, whatever the language
        ("1,234.56", "fr", 1234.56),
        ("1'500", "de", 1500),
        ("1,5", "en", 1.5),  # not three digits after the mark: a decimal in any language
        ("3.5", "fr", 3.5),
        ("2026", "fr", 2026),
    ],
)
def test_a_number_is_read_from_its_shape_and_language(text: str, language: str, value: float) -> None:
    assert parse_localized(text, language) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "english", "french"),
    [
        ("1,500", 1500, 1.5),  # English groups thousands with a comma, French writes decimals with it
        ("12.000", 12, 12000),  # and the other way round for a point
        ("3.5", 3.5, 3.5),
        ("1,234,567", 1234567, 1234567),
    ],
)
def test_the_language_settles_a_mark_before_three_digits(text: str, english: float, french: float) -> None:
    assert parse_localized(text, "en") == pytest.approx(english)
    assert parse_localized(text, "fr") == pytest.approx(french)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3,4,5", "1,2,3"])
def test_what_is_not_one_number_is_none(text: str) -> None:
    assert parse_localized(text, "fr") is None


def test_numbers_in_a_french_sentence() -> None:
    text = f"Quelque 12{NNBSP}000 personnes, soit 3,2 % ; 1{NBSP}500 morts et 1,5 million d'euros en 2024."
    assert [v for _, _, v in numbers_in(text, "fr")] == [12000, 3.2, 1500, 1.5, 2024]
    start, end, _ = numbers_in(text, "fr")[0]
    assert text[start:end] == f"12{NNBSP}000"


def test_numbers_glued_to_letters_are_not_numbers() -> None:
    assert numbers_in("le G7 en 3e position, article L121", "fr") == []


def test_readings_give_both_conventions_and_a_following_scale() -> None:
    assert {1.5, 1_500_000} <= readings("1,5 million d'euros")
    assert {2.3e9} <= readings("2,3 milliards")
    assert 12000 in readings(f"12{NNBSP}000 manifestants")


def test_english_values_are_unchanged_and_european_ones_added() -> None:
    assert {1500.0, 3.5} <= values_in("1,500 people and 3.5%")
    assert 1_500_000 in values_in("1.5 million")
    assert 1_500_000 in values_in("1,5 million d'euros")
    assert 12000 in values_in("quelque 12 000 personnes")
