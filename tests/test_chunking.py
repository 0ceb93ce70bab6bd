"""Splitting long texts on sentence boundaries with overlap, and merging per-chunk drafts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer import chunking
from summarizer.schema import Actor, ActorKind, Claim, Draft, Evidence, Figure
from summarizer.text import clean
from tests.llm.conftest import SEED

WORDS = st.text(alphabet="abcdefghij", min_size=1, max_size=12)
SENTENCE = st.lists(WORDS, min_size=1, max_size=60).map(lambda ws: ws[0].capitalize() + " " + " ".join(ws[1:]) + ".")
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
DOCUMENT = st.lists(PARAGRAPH, min_size=1, max_size=12).map("\n\n".join)


@settings(max_examples=80, deadline=None)
@given(DOCUMENT, st.integers(500, 3000), st.integers(0, 800))
def test_chunks_are_bounded_cover_the_text_and_overlap(text, chunk_chars, overlap):
    cleaned = clean(text)
    chunks = chunking.split(cleaned, chunk_chars, overlap)

    for chunk in chunks:
        assert cleaned.text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= chunk_chars
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))  # always moving forward
    # Every sentence lies inside some chunk (sentences longer than a chunk are cut into pieces).
    for s, e in cleaned.sentences:
        if e - s <= chunk_chars:
            assert any(c.start <= s and e <= c.end for c in chunks), (s, e)
        else:
            assert any(c.start <= s < c.end for c in chunks)
    # Nothing but the whitespace between paragraphs falls between neighbours, and they share text
    # whenever the last sentence of the first fits in half a chunk.
    for a, b in zip(chunks, chunks[1:]):
        assert not cleaned.text[a.end : b.start].strip(), cleaned.text[a.end : b.start]
        if overlap and len(chunks) > 1:
            last_sentence = max((s for s, e in cleaned.sentences if e <= a.end), default=a.start)
            if a.end - last_sentence <= chunk_chars // 2 and last_sentence > a.start:
                assert b.start < a.end


def test_a_short_text_is_one_chunk_of_everything():
    cleaned = clean(SEED.read_text(encoding="utf-8"))
    [only] = chunking.split(cleaned, 12_000, 600)
    assert (only.start, only.end, only.text) == (0, len(cleaned.text), cleaned.text)


def test_seed_chunks_start_and_end_on_sentence_boundaries():
    cleaned = clean(SEED.read_text(encoding="utf-8"))
    chunks = chunking.split(cleaned, 1500, 300)
    starts = {s for s, _ in cleaned.sentences}
    ends = {e for _, e in cleaned.sentences}
    assert len(chunks) == 4
    assert all(c.start in starts and c.end in ends for c in chunks)
    assert all(b.start < a.end and a.end - b.start >= 300 for a, b in zip(chunks, chunks[1:]))


def test_an_overlong_sentence_is_cut_at_whitespace():
    text = "Word " * 400 + "end."
    chunks = chunking.split(clean(text), 600, 100)
    assert len(chunks) > 3 and all(len(c.text) <= 600 for c in chunks)
    assert all(not c.text.startswith(" ") for c in chunks)


def ev(quote: str) -> Evidence:
    return Evidence(quote=quote)


def test_merge_joins_actors_by_normalised_name_or_alias():
    first = Draft(
        title="T",
        summary="First summary.",
        actors=[
            Actor(
                name="South Korean National Intelligence Service",
                kind=ActorKind.organisation,
                aliases=["NIS"],
                evidence=[ev("a")],
            ),
            Actor(name="Kim", kind=ActorKind.other, evidence=[ev("b")]),
        ],
    )
    second = Draft(
        summary="Second summary.",
        actors=[
            Actor(name="the N.I.S.", kind=ActorKind.organisation, role="spy agency", evidence=[ev("c"), ev("a")]),
            Actor(name="KIM", kind=ActorKind.person, aliases=["Kim Yong-hyun"], evidence=[ev("d")]),
            Actor(name="Zelensky", kind=ActorKind.person, evidence=[ev("e")]),
        ],
    )
    merged = chunking.merge([first, second])

    assert (merged.title, merged.summary) == ("T", "First summary.")
    assert [a.name for a in merged.actors] == ["South Korean National Intelligence Service", "Kim", "Zelensky"]
    nis, kim, _ = merged.actors
    assert nis.aliases == ["NIS"] and nis.role == "spy agency"
    assert [e.quote for e in nis.evidence] == ["a", "c"]
    # Case variants of a name count once; a specific kind beats "other".
    assert kim.kind is ActorKind.person and kim.aliases == ["Kim Yong-hyun"]


def test_merge_drops_only_true_repeats_from_the_overlap():
    same = Claim(statement="Troops are on the way.", speaker="NIS", evidence=[ev("troops are on the way")])
    reworded = Claim(statement="Troops are on their way.", speaker="NIS", evidence=[ev("troops are on the way")])
    other_quote = Claim(statement="Troops are on the way.", speaker="NIS", evidence=[ev("a second transport")])
    figure = Figure(text="up to 12,000", value=12000, evidence=[ev("up to 12,000 troops")])
    merged = chunking.merge(
        [
            Draft(claims=[same], figures=[figure]),
            Draft(claims=[same.model_copy(), reworded, other_quote], figures=[figure]),
        ]
    )
    assert merged.claims == [same, reworded, other_quote]
    assert merged.figures == [figure]


def test_normalise_name():
    assert chunking.normalise_name("The  U.N.") == "un"
    assert chunking.normalise_name("Zelenskyy") != chunking.normalise_name("Zelensky")
    assert chunking.normalise_name("Ségolène Royal") == chunking.normalise_name("SEGOLENE ROYAL")
    assert chunking.normalise_name("Пхеньян") == "пхеньян"
