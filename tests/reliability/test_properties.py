"""Property tests over intake, cleaning, offset maps and grounding, with arbitrary bytes and Unicode.

The lead's tests/test_grounding.py checks located quotes on small texts; these go wider: raw bytes
through intake, every Unicode category (surrogates, line separators, control and combining
characters), engine-supplied offsets, perturbed quotes, and whole drafts through `ground`.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from summarizer.errors import InputError
from summarizer.grounding import Locator, ground
from summarizer.intake import Document, from_bytes, from_text, looks_like_path
from summarizer.schema import Actor, Alignment, Claim, Draft, Evidence, Figure, Uncertainty
from summarizer.text import clean

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAX_CHARS = 10_000

# Every code point, lone surrogates included: a str built by a caller may hold anything.
ANY_TEXT = st.text(st.characters(), max_size=400)
# Text that looks like an article: words, punctuation, quotes, dashes and every kind of line break.
PIECES = st.sampled_from(
    ["The", "minister", "said", "12,000", "troops", "“may”", "‘be’", "—", "–", "...", "…", "\u00a0", " ", "  ",
     "\n", "\n\n", "\r\n", "\r", "\u2028", "\x0c", "\x85", "PREV", "NEXT:", "Advertisement", "Video", "---",
     "e\u0301", "İ", "ß", "ﬁ", "Σ", "🙂", "\u200b", "\t", ".", "!", "?", '"', "'", "(", ")", "NIS", "Pyongyang"]
)
ARTICLE = st.lists(PIECES | st.text(st.characters(blacklist_categories=("Cs",)), max_size=6), max_size=120).map(
    "".join
)


def _doc_ok(doc: Document) -> None:
    assert doc.text.strip()
    assert "\r" not in doc.text
    assert len(doc.text) <= MAX_CHARS
    doc.text.encode("utf-8")  # never a lone surrogate
    assert len(doc.sha256) == 64


@FAST
@given(st.binary(max_size=2000))
@example(b"\xff\xfe\x00")  # a UTF-16 BOM and an odd byte
@example(b"\x00\x00\xfe\xff\x00\x00\x00")  # a UTF-32 BOM and a truncated code unit
@example("Привет, мир. Это новости.".encode("cp1251"))
@example(b"\x81\x8d\x8f\x90\x9d" * 10)  # bytes cp1252 leaves undefined
@example(b"<html><body><p>" + b"x" * 50 + b"</p></body></html>")
def test_intake_of_any_bytes_gives_a_document_or_input_error(data: bytes) -> None:
    for html in (None, True):
        try:
            doc = from_bytes(data, name="<fuzz>", max_chars=MAX_CHARS, html=html)
        except InputError as exc:
            message = str(exc)
            assert message.startswith("<fuzz>: ") and "\n" not in message
        else:
            _doc_ok(doc)


@FAST
@given(ANY_TEXT)
@example("a\ud800b")  # a lone surrogate
@example("\ufeffBOM first")
@example("~0")  # expanduser() raises RuntimeError for a user that does not exist
@example("~no-such-user-here/article.txt")
def test_intake_of_any_string_gives_a_document_or_input_error(text: str) -> None:
    try:
        doc = from_text(text, max_chars=MAX_CHARS)
    except InputError as exc:
        assert str(exc).startswith("<text>: ")
    else:
        _doc_ok(doc)
    assert looks_like_path(text) in (True, False)


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300))
def test_utf8_text_round_trips_through_intake(text: str) -> None:
    """Valid UTF-8 decodes to exactly its text (newlines normalised), or is refused as binary or blank."""
    try:
        doc = from_bytes(text.encode("utf-8"), name="<utf8>", max_chars=MAX_CHARS)
    except InputError as exc:
        assert "binary" in str(exc) or "whitespace" in str(exc) or "HTML" in str(exc), exc
        return
    expected = text.replace("\r\n", "\n").replace("\r", "\n").removeprefix("\ufeff")
    if doc.media_type == "text/plain":
        assert doc.text == expected


@FAST
@given(ARTICLE)
def test_cleaning_maps_every_cleaned_character_back_to_the_same_character(source: str) -> None:
    cleaned = clean(source)
    assert len(cleaned.text) == sum(seg.length for seg in cleaned.segments)
    for seg in cleaned.segments:
        piece = cleaned.text[seg.clean_start : seg.clean_start + seg.length]
        assert piece == source[seg.source_start : seg.source_start + seg.length]
    for i, ch in enumerate(cleaned.text):
        assert source[cleaned.to_source(i)] == ch
    for start, end in cleaned.sentences:
        assert 0 <= start < end <= len(cleaned.text)
        assert cleaned.text[start:end].strip() == cleaned.text[start:end]
        s, e = cleaned.span_to_source(start, end)
        assert 0 <= s < e <= len(source)
        assert source[s] == cleaned.text[start] and source[e - 1] == cleaned.text[end - 1]


def _perturb(quote: str, how: str) -> str:
    if how == "upper":
        return quote.upper()
    if how == "spaces":
        return "  ".join(quote.split())
    if how == "quotes":
        return quote.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    if how == "dashes":
        return quote.replace("—", "-").replace("–", "-")
    return quote


@FAST
@given(ARTICLE, st.data(), st.sampled_from(["none", "upper", "spaces", "quotes", "dashes"]))
def test_located_quotes_slice_the_source_exactly(source: str, data: st.DataObject, how: str) -> None:
    cleaned = clean(source)
    assume(cleaned.text.strip())
    start = data.draw(st.integers(0, len(cleaned.text) - 1))
    end = data.draw(st.integers(start + 1, min(len(cleaned.text), start + 120)))
    quote = _perturb(cleaned.text[start:end], how)
    assume(quote.strip())
    ev = Locator(cleaned).locate(quote)
    if ev.aligned:
        assert 0 <= ev.start < ev.end <= len(source)
        assert source[ev.start : ev.end] == ev.quote
        assert ev.quote.strip()
    if ev.alignment is Alignment.exact:
        assert ev.quote == quote.strip()
    if how == "none" and "\n" not in quote:
        # A verbatim single-line piece of the cleaned text is always found.
        assert ev.aligned, quote


EVIDENCE = st.builds(
    Evidence,
    quote=ANY_TEXT,
    start=st.none() | st.integers(0, 600),
    end=st.none() | st.integers(0, 600),
    alignment=st.sampled_from(list(Alignment)),
)
DRAFT = st.builds(
    Draft,
    summary=ANY_TEXT,
    summary_evidence=st.lists(EVIDENCE, max_size=3),
    actors=st.lists(st.builds(Actor, name=ANY_TEXT, evidence=st.lists(EVIDENCE, max_size=3)), max_size=3),
    claims=st.lists(st.builds(Claim, statement=ANY_TEXT, evidence=st.lists(EVIDENCE, max_size=3)), max_size=3),
    figures=st.lists(st.builds(Figure, text=ANY_TEXT, evidence=st.lists(EVIDENCE, max_size=3)), max_size=3),
    uncertainties=st.lists(st.builds(Uncertainty, statement=ANY_TEXT, evidence=st.lists(EVIDENCE, max_size=2)),
                           max_size=2),
)


@FAST
@given(ARTICLE, DRAFT, st.booleans())
@example("Some text here.", Draft(claims=[Claim(statement="x", evidence=[Evidence(quote="", start=40, end=40)])]),
         False)
@example("Some text here.", Draft(claims=[Claim(statement="x", evidence=[Evidence(quote="text", start=9, end=3)])]),
         False)
def test_ground_never_raises_and_every_kept_span_slices_the_source(source: str, draft: Draft, keep: bool) -> None:
    cleaned = clean(source)
    grounded, dropped = ground(draft, cleaned, keep_unaligned=keep)
    items = [*grounded.actors, *grounded.claims, *grounded.figures, *grounded.uncertainties]
    evidence = [ev for item in items for ev in item.evidence] + list(grounded.summary_evidence)
    for ev in evidence:
        if ev.aligned:
            assert 0 <= ev.start < ev.end <= len(source), ev
            assert source[ev.start : ev.end] == ev.quote
            assert ev.quote.strip()
    if not keep:
        assert all(any(ev.aligned for ev in item.evidence) for item in items)
    total = len(draft.actors) + len(draft.claims) + len(draft.figures) + len(draft.uncertainties)
    item_drops = [d for d in dropped if d.field != "summary"]
    assert len(items) + (0 if keep else len(item_drops)) == total
    # An ungrounded summary is dropped (and replaced by the lead), never kept silently.
    summary_dropped = any(d.field == "summary" for d in dropped)
    if draft.summary.strip() and not keep and not summary_dropped:
        assert grounded.summary_evidence


@FAST
@given(ARTICLE)
def test_a_quote_from_anywhere_in_the_source_is_found_with_a_true_span(source: str) -> None:
    """Every sentence the cleaner finds, quoted back in NFC form, grounds to a span slicing the source."""
    cleaned = clean(source)
    locator = Locator(cleaned)
    for start, end in cleaned.sentences[:5]:
        quote = unicodedata.normalize("NFC", cleaned.text[start:end])
        ev = locator.locate(quote)
        if ev.aligned:
            assert source[ev.start : ev.end] == ev.quote
        elif quote == cleaned.text[start:end]:
            raise AssertionError(f"verbatim sentence not found: {quote!r}")
