"""Uncertainties: hedges and verification cues, one per clause, with a kind and who is uncertain."""

from __future__ import annotations

import pytest

from summarizer.schema import UncertaintyKind


def kinds(draft) -> dict[UncertaintyKind, list[str]]:
    out: dict[UncertaintyKind, list[str]] = {}
    for u in draft.uncertainties:
        out.setdefault(u.kind, []).append(u.statement)
    return out


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("NATO said it was not able to confirm the deployment.", UncertaintyKind.unverified),
        ("The army could not confirm the report.", UncertaintyKind.unverified),
        ("The alleged deployment began in October.", UncertaintyKind.unverified),
        ("The claims remain unconfirmed.", UncertaintyKind.unverified),
        ("Moscow denied that its troops crossed the border.", UncertaintyKind.disputed),
        ("The two countries signed a treaty whose details have not been released.", UncertaintyKind.missing_detail),
        ("The ministry declined to comment on the report.", UncertaintyKind.missing_detail),
        ("It is unclear how many people were hurt.", UncertaintyKind.missing_detail),
        ("This appears to be an attempt to hide the soldiers.", UncertaintyKind.hedged),
        ("The minister said the report was very likely accurate.", UncertaintyKind.hedged),
        ("The North probably sees the war as a lesson.", UncertaintyKind.hedged),
        ("The visit fueled speculation about arms transfers.", UncertaintyKind.speculative),
        ("The United States could review its policy.", UncertaintyKind.speculative),
        ("A second convoy is expected to leave shortly.", UncertaintyKind.speculative),
    ],
)
def test_cue_kind(draft_of, sentence: str, kind: UncertaintyKind) -> None:
    found = kinds(draft_of(sentence))
    assert kind in found, f"{kind} not in {found}"


def test_plain_statement_has_no_uncertainty(draft_of) -> None:
    assert draft_of("The storm hit the coast on Monday and closed two roads.").uncertainties == []


def test_who_is_the_speaker_of_the_hedged_claim(draft_of) -> None:
    draft = draft_of("Defense Minister Kim Yong-hyun said the information was very likely accurate.")
    hedged = [u for u in draft.uncertainties if u.kind is UncertaintyKind.hedged]
    assert hedged and hedged[0].who == "Kim Yong-hyun"
    assert "very likely accurate" in hedged[0].statement


def test_strongest_cue_wins_in_one_clause(draft_of) -> None:
    draft = draft_of("NATO said it was not able to confirm this alleged deployment.")
    items = [u for u in draft.uncertainties]
    assert [u.kind for u in items] == [UncertaintyKind.unverified]
    assert items[0].who == "NATO"


def test_month_may_is_not_a_modal(draft_of) -> None:
    assert draft_of("The law took effect in May after a long debate.").uncertainties == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Neither side could open the scoring in the first half.",
        "We could have scored two goals.",
        "Visitors went to the room where they could wear a wig.",
        "Her parents moved so they could be closer to the church.",
        "The army did not give in.",
        "The team was denied visas twice.",
        "The video appeared on the Internet on Monday.",
        "The post was written by an unknown author.",
    ],
)
def test_look_alikes_are_not_uncertainties(draft_of, sentence: str) -> None:
    assert draft_of(sentence).uncertainties == []


def test_could_in_a_that_clause_still_speculates(draft_of) -> None:
    draft = draft_of("Analysts warn that the United States could radically review its policy.")
    assert UncertaintyKind.speculative in kinds(draft)
