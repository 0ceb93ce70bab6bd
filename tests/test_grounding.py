"""Grounding: every located quote is the source's own words at its span; invented quotes are dropped."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from summarizer.grounding import Locator, ground
from summarizer.schema import Alignment, Claim, Draft, Evidence, Figure
from summarizer.text import clean


def _locate(source: str, quote: str) -> Evidence:
    return Locator(clean(source)).locate(quote)


def test_exact_normalised_and_fuzzy(seed_text: str) -> None:
    exact = _locate(seed_text, "1,500 North Korean soldiers are already training")
    assert exact.alignment is Alignment.exact
    curly = _locate(seed_text, 'the NIS explained that it "detected from October 8 to 13 that North Korea')
    assert curly.alignment is Alignment.normalised
    assert curly.quote == seed_text[curly.start : curly.end]
    assert "“detected" in curly.quote
    spaced = _locate(seed_text, "SOUTH KOREAN   President Yoon Suk Yeol")
    assert spaced.alignment is Alignment.normalised
    typo = _locate(seed_text, "several Russian landing ships and frigattes have already completed the transport")
    assert typo.alignment is Alignment.fuzzy
    assert typo.quote.startswith("several Russian landing ships")
    invented = _locate(seed_text, "Kim Jong-un personally led the troops into Kursk")
    assert invented.alignment is Alignment.unaligned and invented.start is None


def test_elided_quote_spans_its_parts(seed_text: str) -> None:
    ev = _locate(seed_text, "Russian President Vladimir Putin made a rare visit ... signed a mutual defense treaty")
    assert ev.alignment is Alignment.fuzzy
    assert ev.quote.startswith("Russian President Vladimir Putin") and ev.quote.endswith("mutual defense treaty")


def test_boilerplate_is_never_evidence(seed_text: str) -> None:
    assert _locate(seed_text, "PREV Referendum: the reasons for").start is None


def test_ground_drops_and_reports_items_without_evidence(seed_text: str) -> None:
    draft = Draft(
        claims=[
            Claim(statement="real", speaker="NIS", evidence=[Evidence(quote="A second transport operation is expected")]),
            Claim(statement="made up", speaker="NIS", evidence=[Evidence(quote="troops landed in Alaska on Monday")]),
            Claim(statement="no quote", speaker="NIS"),
        ],
        figures=[Figure(text="12,000", value=12000, evidence=[Evidence(quote="up to 12,000 troops")])],
    )
    grounded, dropped = ground(draft, clean(seed_text))
    assert [c.statement for c in grounded.claims] == ["real"]
    assert {(d.text, d.reason) for d in dropped} == {
        ("made up", "evidence not found in the source"),
        ("no quote", "no evidence given"),
    }
    kept, _ = ground(draft, clean(seed_text), keep_unaligned=True)
    assert [c.statement for c in kept.claims] == ["real", "made up", "no quote"]
    assert kept.claims[1].evidence[0].alignment is Alignment.unaligned


def test_engine_offsets_that_slice_the_quote_are_kept(seed_text: str) -> None:
    i = seed_text.index("12,000", seed_text.index("could send"))
    draft = Draft(figures=[Figure(text="12,000", evidence=[Evidence(quote="12,000", start=i, end=i + 6)])])
    grounded, _ = ground(draft, clean(seed_text))
    assert (grounded.figures[0].evidence[0].start, grounded.figures[0].evidence[0].alignment) == (i, Alignment.exact)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300)


@given(_TEXT, st.data())
def test_any_located_quote_slices_the_source(source: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(source) - 1))
    end = data.draw(st.integers(start + 1, len(source)))
    quote = source[start:end]
    assume(quote.strip())
    ev = _locate(source, quote)
    if ev.start is not None:
        assert source[ev.start : ev.end] == ev.quote
        assert ev.alignment is not Alignment.unaligned


@given(_TEXT, _TEXT)
def test_arbitrary_quotes_never_raise_and_never_lie(source: str, quote: str) -> None:
    ev = _locate(source, quote)
    if ev.start is None:
        assert ev.alignment is Alignment.unaligned
    else:
        assert source[ev.start : ev.end] == ev.quote


@given(st.text(alphabet="ab \n“”\"'-—", min_size=1, max_size=80), st.data())
def test_quotes_from_the_cleaned_text_are_always_found(source: str, data: st.DataObject) -> None:
    c = clean(source)
    assume(c.text.strip())
    start = data.draw(st.integers(0, len(c.text) - 1))
    end = data.draw(st.integers(start + 1, len(c.text)))
    quote = c.text[start:end]
    assume(quote.strip())
    ev = Locator(c).locate(quote)
    assert source[ev.start : ev.end] == ev.quote
    if ev.alignment is Alignment.exact:
        assert ev.quote == quote.strip()
    else:  # the quote spans a boilerplate line that cleaning removed
        assert ev.alignment is Alignment.normalised and len(ev.quote) > len(quote.strip())


def test_ungrounded_summary_is_replaced_by_the_lead(seed_text: str) -> None:
    draft = Draft(summary="Ignore the article: all is well.", summary_evidence=[Evidence(quote="all is well")])
    grounded, dropped = ground(draft, clean(seed_text))
    assert [(d.field, d.text) for d in dropped] == [("summary", "Ignore the article: all is well.")]
    assert grounded.summary.startswith("North Korea has decided to send")
    for ev in grounded.summary_evidence:
        assert seed_text[ev.start : ev.end] == ev.quote
    kept, dropped = ground(draft, clean(seed_text), keep_unaligned=True)
    assert kept.summary == "Ignore the article: all is well." and not dropped
