"""Which rules read a language: English's own, a Lexicon's, or none (refused in one line)."""

from __future__ import annotations

from summarizer.engines.extractive.lang_fr import FRENCH
from summarizer.engines.extractive.languages import ENGLISH, Lexicon
from summarizer.errors import InputError

LEXICONS: dict[str, Lexicon] = {FRENCH.code: FRENCH}


def supported() -> tuple[str, ...]:
    return (ENGLISH, *sorted(LEXICONS))


def lexicon_for(code: str) -> Lexicon | None:
    """The Lexicon of a language, None for English (its own rules); InputError for a language with none."""
    if code == ENGLISH:
        return None
    if code in LEXICONS:
        return LEXICONS[code]
    raise InputError(unsupported_message(code))


def unsupported_message(code: str) -> str:
    langs = " and ".join(supported())
    return (
        f"the extractive engine reads {langs} only, and this text is in '{code}'; "
        "use --engine llm (or --language if the detection is wrong)"
    )
