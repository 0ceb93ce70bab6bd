"""Numbers written the way a language writes them: '1 500', '12.000', '1,5', '1.234,56', '3.5', '1,500'.

A separator is read from the shape of the number and the document's language:
- spaces (ordinary, no-break U+00A0, narrow no-break U+202F, thin U+2009) and apostrophes between groups of
  three digits always group thousands ('1 500', "1'500");
- with both '.' and ',' the last one is the decimal mark ('1.234,56', '1,234.56');
- a lone mark followed by other than exactly three digits is a decimal mark ('1,5', '3.5', '0,25');
- a lone mark, or repeated marks, before groups of exactly three digits ('1,500', '12.000', '1.234.567')
  group thousands, unless the language writes its decimals with that mark ('1,500' in French is 1.5,
  '12.000' in English is 12): the language decides what the shape leaves open.
"""

from __future__ import annotations

import re

# Languages that write decimals with a comma and group thousands with '.' or a space (CLDR).
DECIMAL_COMMA = frozenset(
    """fr de es it pt nl ru pl cs sk sl hr sr bs bg ro hu da sv nb nn no fi tr el uk be lt lv et ca gl eu
    id vi az kk ka hy is lb mk sq af""".split()
)
SPACES = " \u00a0\u202f\u2009"
_SPACE_CLASS = "[ \u00a0\u202f\u2009]"
_APOSTROPHES = "'\u2019"

# A number as a language may write it: digit groups joined by a space, a no-break space or an apostrophe,
# or by '.' / ',', with an optional decimal part. Not glued to letters, other digits or a further separator.
# The test of the character before comes after the first digit: a pattern that opens with a digit lets the
# regex engine skip to the next digit in C instead of trying the pattern at every position.
NUMBER = re.compile(
    rf"\d(?<![\w.,]\d)(?:\d{{0,2}}(?:(?:{_SPACE_CLASS}|['\u2019])\d{{3}})+(?:[.,]\d+)?(?![\w]|[.,]\d)"
    r"|\d*(?:[.,]\d+)*(?![\w]|[.,]\d))"
)


def decimal_comma(language: str | None) -> bool:
    return (language or "en") in DECIMAL_COMMA


# parse_localized's patterns, compiled once (it reads every number of every text, some several times).
_GROUPED = re.compile(rf"(\d{{1,3}}(?:(?:{_SPACE_CLASS}|[{_APOSTROPHES}])\d{{3}})+)([.,]\d+)?")
_GROUP_MARK = re.compile(rf"{_SPACE_CLASS}|[{_APOSTROPHES}]")
_MARKED = re.compile(r"\d+(?:[.,]\d+)*")
_THOUSANDS_WHOLE = re.compile(r"\d{1,3}(?:[.,]\d{3})*")
_THOUSANDS = {mark: re.compile(rf"\d{{1,3}}(?:{re.escape(mark)}\d{{3}})+") for mark in ".,"}


def parse_localized(text: str, language: str | None = "en") -> float | None:
    """The value of one number written with digits, read as the language writes numbers; None if not one."""
    s = text.strip()
    if not s or not s[0].isdigit():
        return None
    # Groups joined by spaces or apostrophes: always thousands.
    grouped = _GROUPED.fullmatch(s)
    if grouped:
        digits = _GROUP_MARK.sub("", grouped.group(1))
        return float(digits + ("." + grouped.group(2)[1:] if grouped.group(2) else ""))
    if not _MARKED.fullmatch(s):
        return None
    marks = [c for c in s if c in ".,"]
    if not marks:
        return float(s)
    if "." in marks and "," in marks:
        decimal = s.rfind(".") if s.rfind(".") > s.rfind(",") else s.rfind(",")
        whole, frac = s[:decimal], s[decimal + 1 :]
        if s[decimal] in whole:  # '1.234.5,6' style mixes: not a number
            return None
        if not _THOUSANDS_WHOLE.fullmatch(whole):
            return None
        return float(whole.replace(".", "").replace(",", "") + "." + frac)
    mark = marks[0]
    parts = s.split(mark)
    thousands_shape = _THOUSANDS[mark].fullmatch(s) is not None
    if len(parts) > 2:
        return float("".join(parts)) if thousands_shape else None
    if not thousands_shape:
        return float(parts[0] + "." + parts[1])
    # One mark before exactly three digits: the language decides.
    comma_decimals = decimal_comma(language)
    is_decimal = (mark == ",") == comma_decimals
    return float(parts[0] + "." + parts[1]) if is_decimal else float(parts[0] + parts[1])


def numbers_in(text: str, language: str | None = "en") -> list[tuple[int, int, float]]:
    """(start, end, value) of every digit number in `text`, read as `language` writes numbers."""
    found = []
    for m in NUMBER.finditer(text):
        value = parse_localized(m.group(), language)
        if value is not None:
            found.append((m.start(), m.end(), value))
    return found


# Scale words after a number, in the languages the rules read ('1,5 million', '2 milliards', '3 mille').
# 'billion' is not here: it is 10^9 in English and 10^12 in French; English scales are quantities.py's.
SCALE_WORDS = {
    "mille": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "milliard": 1e9,
    "milliards": 1e9,
    "md": 1e9,
    "mds": 1e9,
    "mrd": 1e9,
    "mio": 1e6,
}
_SCALE_AFTER = re.compile(r"^[ \u00a0\u202f\u2009]*(?:de[ \u00a0\u202f\u2009]+)?([A-Za-z]+)\b")


def scale_after(text: str, end: int) -> tuple[float, int] | None:
    """The scale word that follows a number ending at `end`, and where it ends."""
    m = _SCALE_AFTER.match(text[end : end + 20])
    if m and m.group(1).lower() in SCALE_WORDS:
        return SCALE_WORDS[m.group(1).lower()], end + m.end()
    return None


# Numbers written in words, per language (English's are quantities.py's). 'un'/'une' count only inside a
# compound ('vingt et un'), never alone: they are articles first.
WORD_NUMBERS: dict[str, dict[str, float]] = {
    "fr": {
        "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
        "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15, "seize": 16,
        "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100,
        "cents": 100, "mille": 1000,
    },
}
# 'une quarantaine de témoins': about 40.
APPROXIMATE_WORDS: dict[str, dict[str, float]] = {
    "fr": {
        "dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
        "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000,
    },
}


def words_value(words: list[str], table: dict[str, float]) -> float | None:
    """The value of a written number ('vingt-cinq', 'quatre-vingt-dix', 'deux cents', 'trois mille')."""
    total, current = 0.0, 0.0
    for word in words:
        if word == "et":
            continue
        value = table.get(word)
        if value is None:
            return None
        if value == 100:
            current = (current or 1) * 100
        elif value == 1000:
            total += (current or 1) * 1000
            current = 0
        elif value == 20 and current == 4:
            current = 80  # 'quatre-vingt'
        else:
            current += value
    return total + current




# A run of words that may be one written number ('quatre-vingt-dix', 'deux cents et un'): a number is a few
# words long, so the run stops at MAX_NUMBER_WORDS instead of running on to the end of the sentence.
MAX_NUMBER_WORDS = 8
_WORD_RUN = re.compile(rf"[^\W\d_]+(?:[\s-]+(?:et[\s-]+)?[^\W\d_]+){{0,{MAX_NUMBER_WORDS - 1}}}")
_NUMBER_WORDS = {word for table in WORD_NUMBERS.values() for word in table}
_NUMBER_WORD_ENDING_RUN = re.compile(
    "(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")(?![^\W\d_])"
)
_LETTER = re.compile(r"[^\W\d_]")
_WORDS_APART = re.compile(r"[\s-]+")
_APPROXIMATE = {
    word: (re.compile(rf"(?<!\w){word}s?(?!\w)"), value)
    for table in APPROXIMATE_WORDS.values() for word, value in table.items()
}


def _word_readings(text: str) -> set[float]:
    values: set[float] = set()
    low = text.lower()
    # Only the runs of letters ([^\W\d_]+) that are number words are visited. The scan ends each
    # candidate at the end of its run and is told here whether it starts one: the pattern then opens with
    # the words' first letters, which the regex engine skips to in C.
    for m in _NUMBER_WORD_ENDING_RUN.finditer(low):
        if m.start() and _LETTER.match(low, m.start() - 1):
            continue
        run = _WORD_RUN.match(low, m.start())
        words = _WORDS_APART.split(run.group()) if run else [m.group()]
        for table in WORD_NUMBERS.values():
            if m.group() not in table:
                continue
            # The longest run of number words from here.
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
    """Every value the digit numbers of `text` may state, in either convention and with a scale word after
    them: what a support check needs when it does not know how the evidence's language writes numbers."""
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
