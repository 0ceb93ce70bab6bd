"""`counted_row` (one brief's term counts, counted without the vectoriser's per-call cost) gives the bytes
the vectoriser's own counts pack to, on random texts (any characters, non-ASCII among them, and texts
made of words with stop words and accents) and on real articles and brief texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.stories.similarity import counted_row, pack_rows, raw_counts, unpack_rows
from tests.nightly.corpus import bundled_texts


def _by_vectoriser(text: str) -> bytes:
    return pack_rows(raw_counts([text]))[0]


# Words as news text writes them, stop words ("the", "of", "were") and non-ASCII ones among them.
_WORDS = st.sampled_from(
    ["the", "of", "were", "Biden", "biden's", "Zelensky", "Zelenskyy", "Kyiv", "Corée", "du", "Nord", "Москва",
     "北京", "İstanbul", "ǅemal", "Straße", "STRASSE", "café", "naïve", "ﬁnance", "3rd", "G7", "COVID-19",
     "actor_joe_biden", "e\u0301", "Ⅻ", "µ", "ß", "I", "a", "x1", "_x", "Ǆ", "ǆ", "ΣΑΣ", "ς"]
)
_SEPARATORS = st.sampled_from([" ", "\n", ", ", ". ", "-", "’", "'", " — ", "\u00a0", "\t", "/"])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=200))
def test_any_text_counts_as_the_vectoriser_does(text: str) -> None:
    assert counted_row(text) == _by_vectoriser(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_WORDS, _SEPARATORS), max_size=60))
def test_word_texts_count_as_the_vectoriser_does(parts: list[tuple[str, str]]) -> None:
    text = "".join(word + sep for word, sep in parts)
    assert counted_row(text) == _by_vectoriser(text)


def test_real_texts_count_as_the_vectoriser_does() -> None:
    texts = [text for _, text in bundled_texts()]
    assert texts
    for text in texts:
        # Whole articles, and each paragraph (a brief's compared text is a few lines of this kind).
        for part in [text, *text.split("\n\n")]:
            assert counted_row(part) == _by_vectoriser(part)


def test_repeated_words_are_counted() -> None:
    row = unpack_rows([counted_row("Kyiv kyiv KYIV shelling shelling of the city")])
    assert sorted(row.data.tolist()) == [1.0, 2.0, 3.0]  # city, shelling, kyiv ("of", "the": stop words)
    assert counted_row("") == b"" == _by_vectoriser("")
