"""Grounding on French and accented text: guillemets with (narrow) no-break spaces, curly apostrophes,
composed and decomposed accents. Matching forgives the form; the span still slices the original."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from summarizer.grounding import Locator
from summarizer.schema import Alignment, Evidence
from summarizer.text import clean

NBSP, NNBSP = "\u00a0", "\u202f"
SOURCE = (
    "Séoul, 18 octobre.\n\n"
    f"Le ministre de la Défense a déclaré{NBSP}: «{NNBSP}La Corée du Nord aurait envoyé jusqu’à 12{NNBSP}000 soldats{NNBSP}»."
    f" Selon l’agence, «{NBSP}l’information n’a pas été confirmée{NBSP}», a-t-il ajouté{NNBSP}!"
)


def _locate(source: str, quote: str) -> Evidence:
    return Locator(clean(source)).locate(quote)


def _slices(source: str, ev: Evidence) -> bool:
    return ev.start is not None and ev.end is not None and source[ev.start : ev.end] == ev.quote


def test_guillemets_with_plain_spaces_where_the_source_has_no_break_spaces() -> None:
    # The model typed ordinary spaces inside the guillemets and before the colon.
    ev = _locate(SOURCE, "a déclaré : « La Corée du Nord aurait envoyé jusqu'à 12 000 soldats »")
    assert ev.alignment is Alignment.normalised
    assert _slices(SOURCE, ev)
    assert ev.quote == f"a déclaré{NBSP}: «{NNBSP}La Corée du Nord aurait envoyé jusqu’à 12{NNBSP}000 soldats{NNBSP}»"


def test_guillemets_copied_as_straight_quotes_without_spaces() -> None:
    ev = _locate(SOURCE, "Selon l'agence, \"l'information n'a pas été confirmée\", a-t-il ajouté!")
    assert ev.alignment is Alignment.normalised and _slices(SOURCE, ev)
    assert ev.quote.startswith("Selon l’agence") and ev.quote.endswith(f"ajouté{NNBSP}!")


def test_exact_copy_of_french_text_is_exact() -> None:
    quote = f"«{NBSP}l’information n’a pas été confirmée{NBSP}»"
    ev = _locate(SOURCE, quote)
    assert ev.alignment is Alignment.exact and ev.quote == quote and _slices(SOURCE, ev)


def test_nfd_quote_found_in_nfc_source_and_the_span_is_the_source_form() -> None:
    quote = unicodedata.normalize("NFD", "Le ministre de la Défense a déclaré")
    assert quote != unicodedata.normalize("NFC", quote)
    ev = _locate(SOURCE, quote)
    assert ev.alignment is Alignment.normalised and _slices(SOURCE, ev)
    assert ev.quote == "Le ministre de la Défense a déclaré"  # the source's own (composed) characters


def test_nfc_quote_found_in_nfd_source() -> None:
    source = unicodedata.normalize("NFD", SOURCE)
    ev = _locate(source, "La Corée du Nord aurait envoyé")
    assert ev.alignment is Alignment.normalised and _slices(source, ev)
    assert ev.quote == unicodedata.normalize("NFD", "La Corée du Nord aurait envoyé")


def test_a_normalised_match_never_stops_inside_a_letters_accents() -> None:
    source = "Il a été arrêté hier au café de la gare."
    # Normalised, "café" is "cafe" + U+0301: "cafe" is its prefix, not the same word.
    ev = _locate(source, "hier au cafe")
    assert ev.alignment is not Alignment.exact and ev.alignment is not Alignment.normalised
    assert _locate(source, unicodedata.normalize("NFD", "hier au café")).alignment is Alignment.normalised
    # In a decomposed source, a whole-letter occurrence is preferred to one that cuts an accent off.
    decomposed = unicodedata.normalize("NFD", "Il est passé au café de la gare, puis au cafe du port.")
    ev = _locate(decomposed, "au cafe")
    assert ev.alignment is Alignment.exact and decomposed[ev.end] == " "


def test_accents_still_count() -> None:
    ev = _locate(SOURCE, "Coree")
    assert ev.alignment is Alignment.unaligned


def test_invisible_characters_in_the_source_do_not_hide_a_quote() -> None:
    source = "Le gouverne\u00adment a con\u200bfirmé la nouvelle mardi soir."
    ev = _locate(source, "Le gouvernement a confirmé la nouvelle")
    assert ev.alignment is Alignment.normalised and _slices(source, ev)


def test_english_quote_of_a_french_source_is_not_grounded() -> None:
    # A translation is not evidence: nothing in the French text matches it, even fuzzily.
    ev = _locate(SOURCE, "North Korea reportedly sent up to 12,000 soldiers")
    assert ev.alignment is Alignment.unaligned and ev.start is None


_SPACES = st.sampled_from([" ", NBSP, NNBSP, "\u2009", "  ", "\n"])
_WORDS = st.lists(st.sampled_from(["Corée", "été", "déclaré", "l’armée", "Noël", "ça", "œuvre", "naïf", "Ødegaard"]),
                  min_size=3, max_size=8)


@given(_WORDS, st.lists(_SPACES, min_size=8, max_size=8), st.booleans(), st.booleans())
def test_any_spacing_and_normal_form_slices_the_source(words: list[str], spaces: list[str], nfd_source: bool,
                                                        nfd_quote: bool) -> None:
    body = "".join(w + spaces[i] for i, w in enumerate(words)).strip()
    source = f"Titre\n\nAvant le texte. {body} Après le texte."
    if nfd_source:
        source = unicodedata.normalize("NFD", source)
    quote = " ".join(words)
    quote = unicodedata.normalize("NFD" if nfd_quote else "NFC", quote)
    ev = _locate(source, quote)
    assert ev.alignment in (Alignment.exact, Alignment.normalised)
    assert _slices(source, ev)
    assert unicodedata.normalize("NFC", " ".join(ev.quote.split())) == unicodedata.normalize("NFC", " ".join(body.split()))
