"""Whatever the text, the engine does not fail and every span it gives slices the source to its quote."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.config import Settings
from summarizer.engines.extractive.engine import extract
from summarizer.grounding import ground
from summarizer.text import clean
from summarizer.verify import verify

# News-like pieces that exercise every rule, in any order, with any punctuation between them.
WORDS = (
    "said told according to the NIS North Korea up to 12,000 troops some 10,000 , . “ ” could not confirm "
    "alleged For Hong Sung-pyo a researcher at ( ) President Joe Biden 1,500 October 3 six more than hundreds "
    "of thousands between and 8 13 % $ 3bn PREV NEXT To watch on video \n \n\n"
).split(" ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=60).map(" ".join))
def test_engine_never_fails_and_spans_slice_the_source(text: str) -> None:
    cleaned = clean(text)
    # The English rules on English word salad: which language such salad "is" is not what this tests.
    draft, dropped = ground(extract(cleaned, Settings(language="en")).draft, cleaned)
    draft, _ = verify(draft, cleaned)
    assert dropped == [], "the engine only quotes the source"
    for item in (*draft.actors, *draft.claims, *draft.figures, *draft.uncertainties):
        for ev in item.evidence:
            assert ev.start is not None and text[ev.start : ev.end] == ev.quote
