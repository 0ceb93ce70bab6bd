"""The cross-check on a model's answer (hand-written good_seed.yaml): the extractive rules run on the same
text; what they find and the model missed is reported and, by default, added, marked as found by rules."""

from __future__ import annotations

import pytest

from summarizer import api
from summarizer.crosscheck import _actor_covered, _figure_covered
from summarizer.schema import FoundBy
from tests.llm.conftest import SEED, assert_spans_slice_source

pytestmark = [pytest.mark.vcr, pytest.mark.default_cassette("good_seed.yaml")]


def test_what_the_model_missed_is_reported_and_added_as_rules_items(llm_settings) -> None:
    brief = api.summarize(SEED, settings=llm_settings.model_copy(update={"cross_check": True}))
    assert_spans_slice_source(brief)
    model = [a for a in brief.actors if a.found_by is FoundBy.model]
    rules = [a for a in brief.actors if a.found_by is FoundBy.rules]
    assert len(model) == 10 and rules
    assert [a.name for a in rules] == brief.verification.missed_entities
    assert "Vladimir Putin" in brief.verification.missed_entities
    assert all(f.found_by is FoundBy.model for f in brief.figures[:5])
    assert [f.text for f in brief.figures[5:]] == brief.verification.missed_figures
    assert all(f.found_by is FoundBy.rules for f in brief.figures[5:])
    # Nothing the cross-check adds is unsupported: it went through the same checks.
    assert not [d for d in brief.dropped if d.field in ("actors", "figures")]


def test_an_llm_brief_is_never_less_complete_than_the_extractive_one(llm_settings) -> None:
    llm = api.summarize(SEED, settings=llm_settings.model_copy(update={"cross_check": True}))
    rules = api.summarize(SEED, engine="extractive")
    assert all(_actor_covered(actor, llm.actors) for actor in rules.actors)
    assert all(_figure_covered(fig, llm.figures) for fig in rules.figures)


def test_without_filling_the_gaps_are_only_reported(llm_settings) -> None:
    brief = api.summarize(SEED, settings=llm_settings.model_copy(update={"cross_check": True, "fill_gaps": False}))
    assert {a.found_by for a in brief.actors} == {FoundBy.model} and len(brief.actors) == 10
    assert "Vladimir Putin" in brief.verification.missed_entities


def test_no_cross_check_runs_no_rules(llm_settings) -> None:
    brief = api.summarize(SEED, settings=llm_settings)
    assert len(brief.actors) == 10 and brief.verification.missed_entities == []
