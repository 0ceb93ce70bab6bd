"""Long documents cost what their length costs: guards that need no clock.

spaCy is handed bounded pieces whose Docs join back into one with the source's offsets; the lookups
that used to scan the whole document (or every person, every span, every occurrence) per item are
indexed, and the indexes must answer exactly what the scans did.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from summarizer import progress, summarize
from summarizer.engines.extractive import nlp
from summarizer.engines.extractive.actors import ActorIndex, ActorRecord, Mention, _People
from summarizer.grounding import _nearest
from summarizer.quantities import same_value
from summarizer.schema import ActorKind
from summarizer.text import clean
from summarizer.verify import _Covered, _has_value
from tests.nightly.corpus import bundled_texts


def _long_text() -> str:
    """The bundled articles one after another: about 40,000 characters of distinct news."""
    return "\n\n".join(text.strip() for _, text in bundled_texts()) + "\n"


class _Recording:
    """The spaCy pipeline, noting the length of every text it is given."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.lengths: list[int] = []

    def __call__(self, text: str) -> Any:
        self.lengths.append(len(text))
        return self.inner(text)

    def pipe(self, texts: Iterable[str], **kwargs: Any) -> Any:
        def noted() -> Iterable[str]:
            for text in texts:
                self.lengths.append(len(text))
                yield text

        return self.inner.pipe(noted(), **kwargs)


def test_a_long_document_reaches_spacy_in_bounded_pieces_and_its_evidence_slices_the_source(monkeypatch) -> None:
    text = _long_text()
    recording = _Recording(nlp.load_nlp())
    monkeypatch.setattr(nlp, "load_nlp", lambda: recording)
    monkeypatch.setattr(nlp, "PIECE_CHARS", 8_000)
    monkeypatch.setattr(nlp, "LONG_PIECE_CHARS", 3_000)
    steps: list[tuple[str, int, int]] = []
    with progress.reporting(lambda step, done, total: steps.append((step, done, total))):
        brief = summarize(text, engine="extractive")
    assert len(text) > 10 * 3_000
    assert recording.lengths and max(recording.lengths) <= 3_000
    assert sum(recording.lengths) == len(clean(text).text)  # every character of the article parsed once
    parsing = [(done, total) for step, done, total in steps if step == "parsing"]
    assert parsing == [(k, len(recording.lengths)) for k in range(1, len(recording.lengths) + 1)]
    items = [*brief.actors, *brief.claims, *brief.figures, *brief.uncertainties]
    assert len(brief.actors) > 20 and len(brief.claims) > 20 and len(brief.figures) > 20
    # Items from the last articles too, so offsets past the first pieces were mapped back.
    assert max(ev.start or 0 for item in items for ev in item.evidence) > len(text) - 3_000
    for item in items:
        for ev in item.evidence:
            assert ev.start is not None and ev.end is not None
            assert text[ev.start : ev.end] == ev.quote


def test_pieces_parse_into_one_doc_with_the_text_and_token_offsets_of_the_whole() -> None:
    text = _long_text()
    doc = nlp.parse(text, piece_chars=2_500)
    assert doc.text == text
    for token in doc:
        assert text[token.idx : token.idx + len(token.text)] == token.text
    # Each piece's entities survive the join at their own place.
    assert all(text[e.start_char : e.end_char] == e.text for e in doc.ents)


def test_an_ordinary_article_is_parsed_whole(monkeypatch, seed_text: str) -> None:
    recording = _Recording(nlp.load_nlp())
    monkeypatch.setattr(nlp, "load_nlp", lambda: recording)
    nlp.parse(seed_text)
    assert recording.lengths == [len(seed_text)]


def test_entities_within_a_span_are_what_spacy_gives_for_every_sentence() -> None:
    doc = nlp.parse(_long_text()[:20_000])
    for sent in doc.sents:
        assert [(e.start, e.end, e.label_) for e in nlp.ents_within(sent)] == [
            (e.start, e.end, e.label_) for e in sent.ents
        ]


_NAMES = st.lists(st.sampled_from(["Ann", "Lee", "Smith", "van", "Dyke", "Jo"]), min_size=1, max_size=3).map(" ".join)


def _naive_part_of(short: str, full: str) -> bool:
    s, f = short.lower().split(), full.lower().split()
    return len(s) < len(f) and (f[-len(s) :] == s or f[: len(s)] == s)


@given(st.lists(_NAMES, max_size=12), _NAMES)
def test_people_containing_a_name_are_those_the_full_scan_finds_in_the_same_order(names: list[str], short: str) -> None:
    people = _People()
    actors = [ActorRecord(key=f"person:{i}", name=name, kind=ActorKind.person) for i, name in enumerate(names)]
    for actor in actors:
        people.add(actor)
    assert people.containing(short) == [a for a in actors if _naive_part_of(short, a.name)]
    assert people.named(short) == [a for a in actors if a.name.lower() == short.lower()]


@given(st.text(alphabet="ab ", max_size=60), st.text(alphabet="ab", min_size=1, max_size=3), st.integers(-3, 70))
def test_nearest_occurrence_is_the_closest_earlier_one_on_a_tie(text: str, needle: str, near: int) -> None:
    found = [i for i in range(len(text)) if text.startswith(needle, i)]
    expected = min(found, key=lambda i: (abs(i - near), i)) if found else -1
    assert _nearest(text, needle, near) == expected


@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(1, 10)), max_size=15),
    st.integers(0, 60),
    st.integers(1, 10),
)
def test_covered_spans_answer_as_the_scan_over_every_span(spans: list[tuple[int, int]], start: int, length: int) -> None:
    pairs = [(s, s + n) for s, n in spans]
    end = start + length
    assert _Covered(list(pairs)).overlaps(start, end) == any(s < end and start < e for s, e in pairs)


@given(st.lists(st.sampled_from([0.0, 1.0, 2.5, 1e6, 1e6 + 1e-4, -3.0, 12000.0]), max_size=10), st.sampled_from([0.0, 1.0, 2.5, 1e6, 7.0, -3.0]))
def test_a_value_is_found_among_sorted_values_as_by_the_scan(values: list[float], value: float) -> None:
    assert _has_value(sorted(values), value) == any(same_value(value, v) for v in values)


_ACTORS = st.lists(
    st.tuples(
        st.sampled_from(list(ActorKind)),
        st.lists(st.sampled_from(["Agency", "agency", "Space", "NASA", "Korea", "Intelligence"]), min_size=1, max_size=3),
        st.lists(st.integers(0, 40), max_size=4),
    ),
    max_size=8,
)


@given(_ACTORS, st.sampled_from(["agency", "space", "nasa", "korea"]), st.integers(0, 45), st.sampled_from(list(ActorKind)))
def test_actor_lookups_answer_as_the_scans_over_every_actor(actors: list[Any], word: str, i: int, kind: ActorKind) -> None:
    records = []
    for n, (actor_kind, words, starts) in enumerate(actors):
        record = ActorRecord(key=f"k{n}", name=" ".join(words), kind=actor_kind)
        for start in starts:
            record.add(Mention(start, start + 2, words[-1], 0, 0))
        records.append(record)
    index = ActorIndex(records, {})
    bodies = [a for a in records if a.kind in (ActorKind.organisation, ActorKind.media)
              and any(word in n.lower().split() for n in (a.name, *a.aliases))]
    assert index.by_word(word) == (bodies[0] if len(bodies) == 1 else None)
    for text in ("NASA", "Space Agency", word):
        assert index.by_alias(text) is next((a for a in records if text == a.name or text in a.aliases), None)
    kinds = frozenset({kind, ActorKind.person})
    best = None
    for actor in records:
        for m in actor.mentions:
            if actor.kind in kinds and m.end <= i and (best is None or m.end > best[0]):
                best = (m.end, actor)
    assert index.last_before(i, kinds) is (best[1] if best else None)


def test_the_speaker_at_a_token_is_the_one_the_scan_over_every_claim_finds() -> None:
    from summarizer.engines.extractive.actors import find_actors
    from summarizer.engines.extractive.attribution import Claims, find_claims, speaker_of

    doc = nlp.parse(clean(_long_text()[:30_000]).text)
    claims = find_claims(doc, find_actors(doc))
    assert isinstance(claims, Claims) and len(claims) > 20
    speakers = [speaker_of(claims, i) for i in range(len(doc))]
    assert speakers == [speaker_of(list(claims), i) for i in range(len(doc))]
    assert len(set(speakers)) > 5


def test_a_clause_is_cut_by_the_claims_near_it_as_by_every_claim() -> None:
    from summarizer.engines.extractive.actors import find_actors
    from summarizer.engines.extractive.attribution import find_claims
    from summarizer.engines.extractive.hedges import _without_attributions

    doc = nlp.parse(clean(_long_text()[:30_000]).text)
    claims = find_claims(doc, find_actors(doc))
    cut = 0
    for sent in doc.sents:
        for cue in range(sent.start, sent.end, 3):
            indexed = _without_attributions((sent.start, sent.end), cue, claims, doc)
            assert indexed == _without_attributions((sent.start, sent.end), cue, list(claims), doc)
            cut += indexed != _without_attributions((sent.start, sent.end), cue, [], doc)
    assert cut > 20  # claims did cut clauses, so the comparison means something
