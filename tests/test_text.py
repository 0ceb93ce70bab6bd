"""Cleaning removes page boilerplate and keeps a map back to the source."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.text import clean, fold, fold_words, split_sentences


def test_seed_boilerplate_is_removed_and_offsets_map_back(seed_text: str) -> None:
    c = clean(seed_text)
    assert c.title and c.title.startswith("War in Ukraine")
    assert "PREV" not in c.text and "NEXT [Trailer]" not in c.text
    assert "To watch on video" not in c.text
    assert c.text.count(c.title) == 1, "repeated title lines are boilerplate"
    assert "1,500 North Korean soldiers" in c.text
    for s, e in c.sentences:
        a, b = c.span_to_source(s, e)
        assert seed_text[a:b] == c.text[s:e]


def test_sentences_split_on_end_punctuation_and_paragraphs() -> None:
    text = "He left. “It is done,” she said.\nNew paragraph here\n\nAnother one? Yes."
    spans = [text[s:e] for s, e in split_sentences(text)]
    assert spans == ["He left.", "“It is done,” she said.", "New paragraph here", "Another one?", "Yes."]


def test_article_lines_that_merely_mention_next_are_kept() -> None:
    text = "Title line\n\nNext year the plan changes, officials said.\nPREV Some other story\n"
    c = clean(text)
    assert "Next year the plan changes" in c.text
    assert "PREV Some other story" not in c.text


@given(st.lists(st.sampled_from(["a b.", "PREV x", "NEXT y", "-", "", "Title", "To watch on video", "Ünï ©"]), max_size=30))
def test_cleaned_text_is_a_verbatim_subsequence_of_the_source(lines: list[str]) -> None:
    source = "\n".join(lines)
    c = clean(source)
    for i in range(len(c.text)):
        assert source[c.to_source(i)] == c.text[i]
    for s, e in c.sentences:
        a, b = c.span_to_source(s, e)
        assert source[a:b] == c.text[s:e]


# Letters whose folding is not one lower-case letter: accents, ligatures, compatibility forms (a
# superscript two becomes a digit), the Turkish I, the sharp s; and spaces inside a "word".
_FOLD_PIECES = ["Zelenskyy", "ZÉLENSKYY", "Zélenskyy", "ﬁnance", "x²", "İstanbul", "ısı", "Straße", "ǅemal", "ﷺ",
                "Corée", "UN", "U", "a", "", " ", "two words", "ΣΊΣΥΦΟΣ", "Ꮳ", "ǰ", "Ⅻ"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FOLD_PIECES), st.text(max_size=8)), max_size=20))
def test_fold_words_is_fold_of_each_word(words: list[str]) -> None:
    assert fold_words(words) == [fold(w) for w in words]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FOLD_PIECES), st.text(max_size=8)), max_size=20))
def test_fold_words_of_the_words_of_a_text(pieces: list[str]) -> None:
    # As the support check calls it: the runs of letters of a text.
    words = re.findall(r"[^\W\d_]+", " ".join(pieces))
    assert fold_words(words) == [fold(w) for w in words]
