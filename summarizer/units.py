"""Units and currencies as news text writes them, each with one canonical name.

Pure data and lookups (no spaCy), shared by the extractive figure rules, the LLM wire mapping and the
benchmarks: "kilometres", "km" and "kilometers" are one unit, "€", "EUR" and "euros" one currency.
Short symbols are matched with their case ("kW" is power, "KW" is nothing, "G" in "5G" is not grams);
words without it.
"""

from __future__ import annotations

import re

# Currency signs written before the amount, glued or not: "HK$13.6M", "C$ 5", "€4.50".
CURRENCY_SIGNS: dict[str, str] = {
    "$": "USD", "US$": "USD", "U.S.$": "USD", "HK$": "HKD", "C$": "CAD", "CA$": "CAD", "CAN$": "CAD",
    "A$": "AUD", "AU$": "AUD", "AUD$": "AUD", "NZ$": "NZD", "S$": "SGD", "R$": "BRL", "NT$": "TWD",
    "MX$": "MXN", "€": "EUR", "£": "GBP", "¥": "JPY", "₩": "KRW", "₹": "INR", "₽": "RUB", "₺": "TRY",
    "₪": "ILS", "₦": "NGN", "₱": "PHP", "₴": "UAH", "Rs": "INR", "Rs.": "INR", "Fr.": "CHF",
}
# ISO 4217 codes a news text writes before or after an amount: "USD 5 million", "5bn EUR".
ISO_CODES = frozenset(
    """USD EUR GBP JPY CNY RMB HKD CAD AUD NZD CHF SEK NOK DKK INR RUB KRW BRL MXN ZAR SGD TRY ILS NGN KES
    EGP PLN CZK HUF UAH AED SAR QAR THB IDR MYR PHP VND PKR BDT ARS CLP COP PEN TWD""".split()
)
# Currency words written after the amount ("euros", "yen"); a country adjective before "dollar(s)"
# names the dollar ("Hong Kong dollars").
CURRENCY_WORDS: dict[str, str] = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "yen": "JPY", "yuan": "CNY",
    "renminbi": "CNY", "won": "KRW", "rouble": "RUB", "roubles": "RUB", "ruble": "RUB", "rubles": "RUB",
    "rupee": "INR", "rupees": "INR", "hryvnia": "UAH", "hryvnias": "UAH", "sterling": "GBP", "franc": "CHF",
    "francs": "CHF", "peso": "MXN", "pesos": "MXN", "rand": "ZAR", "naira": "NGN", "shekel": "ILS",
    "shekels": "ILS", "lira": "TRY", "liras": "TRY", "real": "BRL", "reais": "BRL", "ringgit": "MYR",
    "baht": "THB", "rupiah": "IDR", "dong": "VND", "zloty": "PLN", "zlotys": "PLN", "krona": "SEK",
    "kronor": "SEK", "krone": "NOK", "kroner": "NOK", "dirham": "AED", "dirhams": "AED", "riyal": "SAR",
    "riyals": "SAR", "shilling": "KES", "shillings": "KES", "pence": "GBP", "cents": "USD", "cent": "USD",
    "bitcoin": "BTC", "bitcoins": "BTC",
}
# Sub-units: the amount is a hundredth of the currency's unit.
CURRENCY_HUNDREDTHS = frozenset({"pence", "cents", "cent", "p"})
DOLLAR_COUNTRIES: dict[str, str] = {
    "us": "USD", "u.s.": "USD", "american": "USD", "hong kong": "HKD", "canadian": "CAD", "australian": "AUD",
    "new zealand": "NZD", "singapore": "SGD", "taiwan": "TWD", "taiwanese": "TWD", "zimbabwean": "ZWL",
}
# Pounds are money after a scale word or with "sterling"; otherwise weight ("208 pounds").
POUNDS = frozenset({"pound", "pounds"})

# Units of measurement. Case-sensitive symbols first, then words matched in lower case.
_SYMBOLS: dict[str, str] = {
    "km": "km", "m": "m", "cm": "cm", "mm": "mm", "mi": "mile", "ft": "ft", "kg": "kg",
    "g": "g", "mg": "mg", "lb": "lb", "lbs": "lb", "oz": "oz", "l": "l", "L": "l", "ml": "ml",
    "mL": "ml", "cl": "cl", "kW": "kW", "KW": "kW", "MW": "MW", "GW": "GW", "W": "W", "kWh": "kWh",
    "MWh": "MWh", "GWh": "GWh", "TWh": "TWh", "hp": "hp", "bhp": "hp", "Hz": "Hz", "kHz": "kHz", "MHz": "MHz",
    "GHz": "GHz", "KB": "KB", "kB": "KB", "MB": "MB", "GB": "GB", "TB": "TB", "PB": "PB", "Gb": "Gb",
    "Mbps": "Mbps", "Gbps": "Gbps", "kbps": "kbps", "mph": "mph", "kph": "km/h", "km/h": "km/h",
    "kmh": "km/h", "V": "V", "kV": "kV", "mAh": "mAh", "°C": "°C", "°F": "°F", "ha": "ha",
    "sq": "sq", "bbl": "barrel", "mpg": "mpg", "dB": "dB", "nm": "nm", "µm": "µm", "mcg": "mcg", "cc": "cc",
    "kcal": "kcal", "psi": "psi", "ppm": "ppm", "yd": "yard", "yds": "yard", "sec": "second", "secs": "second",
    "min": "minute", "mins": "minute", "hr": "hour", "hrs": "hour", "bps": "bps",
}
_WORDS: dict[str, str] = {}
for _canon, _forms in {
    "km": "kilometre kilometres kilometer kilometers", "m": "metre metres meter meters",
    "cm": "centimetre centimetres centimeter centimeters", "mm": "millimetre millimetres millimeter millimeters",
    "mile": "mile miles", "ft": "foot feet", "inch": "inch inches", "yard": "yard yards",
    "kg": "kilogram kilograms kilogramme kilogrammes kilo kilos", "g": "gram grams gramme grammes",
    "mg": "milligram milligrams", "tonne": "tonne tonnes metric-ton", "ton": "ton tons", "lb": "pound pounds",
    "oz": "ounce ounces", "l": "litre litres liter liters", "ml": "millilitre millilitres milliliter milliliters",
    "gallon": "gallon gallons", "barrel": "barrel barrels", "ha": "hectare hectares", "acre": "acre acres",
    "degree": "degree degrees", "kW": "kilowatt kilowatts", "MW": "megawatt megawatts", "GW": "gigawatt gigawatts",
    "W": "watt watts", "kWh": "kilowatt-hour kilowatt-hours", "hp": "horsepower", "Hz": "hertz",
    "MHz": "megahertz", "GHz": "gigahertz", "GB": "gigabyte gigabytes", "MB": "megabyte megabytes",
    "TB": "terabyte terabytes", "V": "volt volts", "knot": "knot knots", "calorie": "calorie calories",
    "second": "second seconds", "minute": "minute minutes", "hour": "hour hours", "day": "day days",
    "week": "week weeks", "month": "month months", "year": "year years", "decade": "decade decades",
    "century": "century centuries", "point": "point points", "percentage point": "percentage-point",
    "basis point": "basis-point", "bushel": "bushel bushels", "carat": "carat carats",
}.items():
    for _form in _forms.split():
        _WORDS[_form.replace("-", " ")] = _canon
_WORDS.update({"mph": "mph", "kph": "km/h", "km/h": "km/h", "bpd": "barrel/day"})
# Two-word units: "square kilometres", "cubic metres", "percentage points", "basis points".
_PREFIXED = {"square": "sq ", "sq": "sq ", "cubic": "cu ", "cu": "cu "}
_TWO_WORD = {"percentage point": "percentage point", "percentage points": "percentage point",
             "basis point": "basis point", "basis points": "basis point", "light year": "light year",
             "light years": "light year", "metric ton": "tonne", "metric tons": "tonne"}

PERCENT_WORDS = frozenset({"%", "percent", "pct", "per cent", "percentage"})
_SCALE_SUFFIX = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "mln": 1e6, "MN": 1e6, "bn": 1e9, "BN": 1e9,
                 "b": 1e9, "B": 1e9, "bln": 1e9, "tn": 1e12, "trn": 1e12, "T": 1e12}
# Written apart from the number ("8 B", "5 bn"), lower-case "m" and "b" are metres and nothing.
_SCALE_APART = frozenset({"M", "B", "bn", "BN", "mn", "MN", "mln", "bln", "tn", "trn", "K"})


def unit_symbol(text: str) -> str | None:
    """The canonical unit a symbol or unit word names ('kilometres' -> 'km', 'kW' -> 'kW'), or None."""
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    return _WORDS.get(text.lower())


def two_word_unit(first: str, second: str) -> str | None:
    """'square kilometres' -> 'sq km', 'percentage points' -> 'percentage point'."""
    pair = f"{first.lower()} {second.lower()}"
    if pair in _TWO_WORD:
        return _TWO_WORD[pair]
    prefix = _PREFIXED.get(first.lower())
    unit = unit_symbol(second)
    if prefix and unit in ("km", "m", "cm", "mm", "mile", "ft", "inch", "yard"):
        return prefix + unit
    return None


def scale_suffix(text: str, glued: bool) -> float | None:
    """The multiplier of a scale abbreviation after a number: glued ('35m', '3bn') or apart ('8 B')."""
    text = text.rstrip(".") if text.endswith(".") and len(text) > 1 else text
    if glued:
        return _SCALE_SUFFIX.get(text)
    return _SCALE_SUFFIX[text] if text in _SCALE_APART else None


def currency_code(text: str | None) -> str | None:
    """The ISO 4217 code a currency sign, code or word stands for ('HK$' -> 'HKD', 'euros' -> 'EUR')."""
    if not text:
        return None
    text = text.strip()
    if text in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[text]
    if text.upper() in ISO_CODES and (text.isupper() or len(text) > 3):
        return "CNY" if text.upper() == "RMB" else text.upper()
    return CURRENCY_WORDS.get(text.lower())


# A token that glues a sign, a currency or a scale to its digits: "HK$13.6", "-3", "minus-5", "3bn", "€4.50".
GLUED_NUMBER = re.compile(
    r"^(?P<sign>minus-|[-−–](?=\d)|\+(?=\d))?"
    r"(?P<currency>(?:[A-Z]{1,3}|U\.S\.)?\$|[€£¥₩₹₽₺₪₦₱₴])?"
    r"(?P<number>\d[\d,]*(?:\.\d+)?|\.\d+)"
    r"(?P<scale>k|K|m|M|mn|mln|bn|BN|b|B|bln|tn|trn)?\.?$"  # a sentence's full stop may stay glued
)


def unit_key(unit: str) -> str:
    """A unit as compared across writings: its canonical name, else case and a plural s set aside."""
    canonical = unit_symbol(unit) or currency_code(unit)
    return (canonical or unit).lower().rstrip("s")
