"""The summary check asks the source for a name's stem (`_SourceStems`) instead of folding all its words
(`_name_stems`): the same answers, on random texts and stems and on real articles."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.support import _NAME_STEM, _WORD, _name_stems, _SourceStems
from tests.nightly.corpus import bundled_texts

WORDS = ["Russia", "russia's", "Russian", "RUSSIANS", "Hackers", "hacker", "because", "Because", "announced",
         "announcement", "the", "The", "of", "US", "U.S.", "UN", "a", "I", "Kim", "Jong-un", "Zelensky",
         "Zelenskyy", "al-Amr", "Kyiv", "kyivan", "Ministry", "minister", "x", "xy", "x1", "_abc", "abc_", "3rd",
         "G7", "Corée", "Ⅻ", "ſaid", "İstanbul", "straße", "’", "—", "½", "²", "٣", "\u00a0", "\n", " ", ",", "."]


def _same(text: str, stems: list[str]) -> None:
    every = _name_stems(text)
    asked = _SourceStems(text)
    for stem in stems:
        assert (stem in asked) == (stem in every), (stem, text)


def _stems_to_ask(text: str) -> list[str]:
    words = [w.casefold() for w in _WORD.findall(text)]
    return sorted({w[:n] for w in words for n in range(1, _NAME_STEM + 2)} | {"", "zz", "aaaaaa", "é", "e\u0301"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=40), st.sampled_from([" ", "", "-", "'", "_", "1"]))
def test_same_answers_on_words_joined(words: list[str], joint: str) -> None:
    text = joint.join(words)
    _same(text, _stems_to_ask(text + " " + " ".join(WORDS)))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.lists(st.text(max_size=7), max_size=10))
def test_same_answers_on_any_text(text: str, stems: list[str]) -> None:
    _same(text, stems + _stems_to_ask(text))


def test_same_answers_on_real_articles() -> None:
    texts = [text for _, text in bundled_texts()]
    stems = sorted({s for text in texts for s in _stems_to_ask(text)})
    for text in texts:
        _same(text, stems)


def test_lower_case_keeps_every_non_letter_a_non_letter_of_one_character() -> None:
    """What `_SourceStems` relies on when a source's letters are ASCII: lower-casing it changes no offset and
    makes no other character an ASCII letter."""
    letter = re.compile(r"[^\W\d_]")
    ascii_letter = re.compile("[a-z]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF or letter.match(char):
            continue
        low = char.lower()
        assert len(low) == 1 and not ascii_letter.match(low), hex(code)
