"""The support checks on a hostile model answer (hand-written cassette unsupported_items.yaml): every
quote is verbatim, so grounding keeps every item, and the support checks drop what the quotes do not say."""

from __future__ import annotations

import pytest

from summarizer import api
from summarizer.schema import DropCode
from tests.llm.conftest import SEED, assert_spans_slice_source

pytestmark = [pytest.mark.vcr, pytest.mark.default_cassette("unsupported_items.yaml")]


def test_each_unsupported_item_is_dropped_with_its_reason(llm_settings) -> None:
    brief = api.summarize(SEED, settings=llm_settings)
    assert_spans_slice_source(brief)
    dropped = {(d.field, d.text): d.code for d in brief.dropped}
    assert dropped == {
        ("claims", "Several Russian landing ships and frigates completed the transport of the first North Korean troops"):
            DropCode.claim_not_supported,
        ("figures", "North Korea is sending large numbers of troops to Russia"): DropCode.figure_without_number,
        ("actors", "Emmanuel Macron"): DropCode.actor_not_named,
        ("uncertainties", "The deployment is unverified"): DropCode.uncertainty_without_cue,
        ("summary", "North Korea has sent 40,000 troops to Russia, South Korean intelligence says. NATO could not "
                    "confirm the deployment."): DropCode.summary_not_supported,
    }
    assert [c.statement for c in brief.claims] == ["North Korea has decided to send up to 12,000 troops to help Russia"]
    assert [f.text for f in brief.figures] == ["up to 12,000"]
    assert [u.statement for u in brief.uncertainties] == ["NATO could not confirm the deployment"]
    # The summary falls back to the article's lead, which is the source's own words.
    assert brief.summary.startswith("North Korea has decided to send “large numbers of troops”")


def test_an_actor_quoted_beside_its_name_moves_to_where_the_source_names_it(llm_settings) -> None:
    brief = api.summarize(SEED, settings=llm_settings)
    moved = {a.name: [ev.quote for ev in a.evidence] for a in brief.actors if a.name != "North Korea"}
    assert moved == {"Yoon Suk Yeol": ["Yoon Suk Yeol"], "Kim Jong Un": ["Kim Jong-un"]}
    assert_spans_slice_source(brief)


def test_keep_unsupported_keeps_them_flagged(llm_settings) -> None:
    brief = api.summarize(SEED, settings=llm_settings.model_copy(update={"keep_unsupported": True}))
    flagged = {c.statement: c.unsupported for c in brief.claims}
    assert flagged[
        "Several Russian landing ships and frigates completed the transport of the first North Korean troops"
    ] is DropCode.claim_not_supported
    assert brief.summary.startswith("North Korea has sent 40,000 troops")
    assert brief.verification.unsupported_summary == [
        "North Korea has sent 40,000 troops to Russia, South Korean intelligence says."
    ]
