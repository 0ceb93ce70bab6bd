"""The language a brief is written in, and the names prompts give languages.

By default a brief is written in its source's language (a French article gets a French brief). With
`brief_language` set (`--brief-language en`), an engine whose model writes the brief writes its title,
summary, roles, statements and descriptions in that language, while every evidence quote stays verbatim
in the source language: quotes are the source's words, so grounding still slices the source exactly.
Codes are ISO 639-1 codes ("en", "fr", "de"), as `source.language` records them, checked against the
CLDR data Babel ships.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError

from summarizer.language import normalize_code


def check_code(code: str) -> str:
    """`code` as the two-letter code source languages are recorded with, or ValueError naming it (a region
    such as "pt-BR" is kept as its language, "pt": a brief's wording is not regional)."""
    head = normalize_code(code)
    try:
        Locale.parse(head)
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"{code!r} is not a known language code; give one such as en, fr, de") from None
    return head


@lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """The English name of a language code ("fr" -> "French"), for prompts; the code itself if unknown."""
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code


def translates(requested: str | None, source_language: str) -> bool:
    """True when the brief is asked in a language other than its source's."""
    return bool(requested) and requested != source_language
