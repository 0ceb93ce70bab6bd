"""Units and currencies: one canonical name for each writing."""

from __future__ import annotations

import pytest

from summarizer.quantities import values_in
from summarizer.units import currency_code, scale_suffix, two_word_unit, unit_key, unit_symbol


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("kilometres", "km"), ("km", "km"), ("kW", "kW"), ("horsepower", "hp"), ("GB", "GB"), ("litres", "l"), ("pounds", "lb")],
)
def test_unit_symbol(written: str, canonical: str) -> None:
    assert unit_symbol(written) == canonical


def test_short_symbols_keep_their_case() -> None:
    assert unit_symbol("G") is None  # "5G" is a name, not grams
    assert unit_symbol("g") == "g"


@pytest.mark.parametrize(
    ("written", "code"),
    [("HK$", "HKD"), ("C$", "CAD"), ("A$", "AUD"), ("AU$", "AUD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"),
     ("US$", "USD"), ("euros", "EUR"), ("yen", "JPY"), ("CHF", "CHF"), ("usd", None), ("hello", None)],
)
def test_currency_code(written: str, code: str | None) -> None:
    assert currency_code(written) == code


def test_scale_written_apart_is_only_a_capital_or_an_abbreviation() -> None:
    assert scale_suffix("B", glued=False) == 1e9
    assert scale_suffix("bn", glued=False) == 1e9
    assert scale_suffix("m", glued=False) is None  # "35 m" is metres
    assert scale_suffix("m", glued=True) == 1e6


def test_two_word_units_and_keys() -> None:
    assert two_word_unit("square", "kilometres") == "sq km"
    assert two_word_unit("percentage", "points") == "percentage point"
    assert unit_key("Kilometres") == unit_key("km")
    assert unit_key("euros") == unit_key("EUR")


@pytest.mark.parametrize(
    ("text", "value"),
    [("-3%", -3), ("minus-5 yards", -5), ("$8 B", 8e9), ("a third of", 1 / 3), ("two-thirds", 2 / 3),
     ("between $5 and $7 million", 5e6), ("HK$13.6M", 13.6e6)],
)
def test_values_in_reads_signs_scales_and_fractions(text: str, value: float) -> None:
    assert any(abs(v - value) < 1e-9 * max(1, abs(value)) for v in values_in(text))
