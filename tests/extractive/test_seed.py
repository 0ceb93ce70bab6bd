"""The seed article end to end through the extractive engine, grounding and verification."""

from __future__ import annotations

import pytest

from summarizer.api import summarize
from summarizer.schema import Alignment, Attribution, Brief, Qualifier, UncertaintyKind
from tests.conftest import SEED


@pytest.fixture(scope="module")
def brief() -> Brief:
    return summarize(SEED, engine="extractive")


def test_every_span_slices_the_source_exactly(brief: Brief) -> None:
    text = brief.source.text
    items = brief.evidence_items()
    assert len(items) > 60
    for field, i, ev in items:
        assert ev.alignment is Alignment.exact, (field, i, ev)
        assert text[ev.start : ev.end] == ev.quote
    assert brief.dropped == []


def test_boilerplate_yields_nothing(brief: Brief) -> None:
    tail = brief.source.text.index("To watch on video")
    assert all(ev.end <= tail for _, _, ev in brief.evidence_items())
    names = " ".join(a.name for a in brief.actors)
    assert "Ndemezo" not in names and "Mathieu" not in names and "Boukherma" not in names


def test_title_and_lead_summary(brief: Brief) -> None:
    assert brief.title == "War in Ukraine: South Korean intelligence says North Korea is sending troops to Russia"
    assert brief.summary.startswith("North Korea has decided to send")
    assert 2 <= len(brief.summary_evidence) <= 3


def test_key_actors_with_kinds_roles_and_aliases(brief: Brief) -> None:
    actors = {a.name: a for a in brief.actors}
    for name in ("North Korea", "Russia", "Ukraine", "South Korea", "NATO", "China", "AFP"):
        assert name in actors
    assert {"NIS", "South Korean intelligence"} <= set(actors["National Intelligence Service"].aliases)
    assert "Pyongyang" in actors["North Korea"].aliases
    assert actors["Yoon Suk Yeol"].role == "South Korean President"
    assert actors["Volodymyr Zelensky"].role == "Ukrainian President"
    assert actors["Kim Yong-hyun"].role == "South Korean Defense Minister"
    assert actors["Hong Sung-pyo"].kind.value == "person"
    assert actors["AFP"].kind.value == "media"


def test_key_figures(brief: Brief) -> None:
    by_value = {f.value: f for f in brief.figures}
    assert by_value[1500].unit == "soldiers"
    assert by_value[12000].qualifier is Qualifier.up_to and by_value[12000].source == "National Intelligence Service"
    assert by_value[10000].qualifier is Qualifier.approximately and by_value[10000].source == "Volodymyr Zelensky"
    assert by_value[13000].qualifier is Qualifier.more_than and by_value[13000].date == "since August"
    assert by_value[6].date == "October 3" and by_value[6].source == "Ukrainian media"
    assert brief.verification.figure_mismatches == []


def test_claims_and_uncertainties(brief: Brief) -> None:
    speakers = {c.speaker for c in brief.claims}
    assert {"National Intelligence Service", "NATO", "Volodymyr Zelensky", "Kim Yong-hyun", "China"} <= speakers
    anonymous = [c for c in brief.claims if c.attribution is Attribution.anonymous_source]
    assert anonymous and anonymous[0].speaker == "Ukrainian presidency"
    kinds = {u.kind for u in brief.uncertainties}
    assert {
        UncertaintyKind.unverified,
        UncertaintyKind.hedged,
        UncertaintyKind.speculative,
        UncertaintyKind.missing_detail,
        UncertaintyKind.conflicting,
    } <= kinds
    conflicting = [u for u in brief.uncertainties if u.kind is UncertaintyKind.conflicting]
    assert len(conflicting) == 1
    quotes = [e.quote for e in conflicting[0].evidence]
    assert "up to 12,000 troops" in quotes and "some 10,000 troops" in quotes
