"""Support checks: an item stays only if its evidence supports it, whatever engine wrote it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from summarizer.schema import (
    Actor,
    Claim,
    Draft,
    DropCode,
    Evidence,
    Figure,
    Uncertainty,
    UncertaintyKind,
)
from summarizer.support import check_support, claim_support, sentence_around, unsupported_sentences
from summarizer.text import clean

SEED = (Path(__file__).resolve().parents[1] / "seeds" / "000_ee409ff46c783017.txt").read_text(encoding="utf-8")
CLEAN = clean(SEED)
INVENTED = "Emmanuel Macron"


def ev(quote: str) -> Evidence:
    start = SEED.index(quote)
    return Evidence.exact(SEED, start, start + len(quote))


TROOPS = ev("North Korea has decided to send up to 12,000 troops to help Russia")
SHIPS = ev("several Russian landing ships and frigates have already completed the transport")
YOON = ev("South Korean President Yoon Suk Yeol called an emergency meeting on the security situation on Friday")
NATO = ev("NATO said it was not able to confirm “at this stage” this alleged deployment")


def codes(draft: Draft, **options: bool) -> list[tuple[str, DropCode]]:
    return [(d.field, d.code) for d in check_support(draft, CLEAN, **options).dropped]


def test_a_claim_whose_evidence_is_another_sentence_is_dropped_with_its_reason() -> None:
    claim = Claim(statement="Several Russian landing ships completed the transport of North Korean troops",
                  speaker="NIS", evidence=[YOON])
    result = check_support(Draft(claims=[claim]), CLEAN)
    assert result.draft.claims == []
    assert [(d.field, d.code, d.reason) for d in result.dropped] == [
        ("claims", DropCode.claim_not_supported, "evidence does not support the statement")
    ]


def test_a_paraphrased_claim_with_its_own_sentence_as_evidence_stays() -> None:
    claim = Claim(statement="Russian ships and frigates have finished moving the first North Korean contingent",
                  speaker="NIS", evidence=[SHIPS])
    assert claim_support(claim, SEED) >= 0.5
    assert check_support(Draft(claims=[claim]), CLEAN).draft.claims == [claim]


def test_a_claim_stating_a_number_its_evidence_does_not_is_dropped() -> None:
    claim = Claim(statement="North Korea has decided to send up to 20,000 troops to help Russia", evidence=[TROOPS])
    assert codes(Draft(claims=[claim])) == [("claims", DropCode.claim_not_supported)]


def test_the_sentence_around_a_quote_counts_as_its_context() -> None:
    s, e = sentence_around(SEED, SHIPS.start or 0, SHIPS.end or 0)
    assert SEED[s:e].startswith("Also according to the NIS")
    assert SEED[s:e].rstrip().endswith("Russian Far East.")


@pytest.mark.parametrize(
    ("figure", "code"),
    [
        (Figure(text="North Korea is sending troops to Russia", evidence=[TROOPS]), DropCode.figure_without_number),
        (Figure(text="up to 15,000", value=15000, unit="troops", evidence=[TROOPS]), DropCode.figure_not_in_evidence),
        (Figure(text="large numbers of troops", value=12000, unit="troops", evidence=[TROOPS]),
         DropCode.figure_without_number),
        (Figure(text="between 1,500 and 12,000", value=1500, value_max=12000, evidence=[TROOPS]),
         DropCode.figure_not_in_evidence),
    ],
)
def test_a_figure_needs_its_number_in_its_text_and_in_its_evidence(figure: Figure, code: DropCode) -> None:
    assert codes(Draft(figures=[figure])) == [("figures", code)]


def test_a_figure_whose_number_is_stated_stays() -> None:
    fig = Figure(text="up to 12,000", value=12000, unit="troops", evidence=[TROOPS])
    assert check_support(Draft(figures=[fig]), CLEAN).draft.figures == [fig]


def test_an_actor_whose_evidence_does_not_name_it_moves_to_a_mention_of_its_name() -> None:
    actor = Actor(name="Yoon Suk Yeol", evidence=[TROOPS])
    kept = check_support(Draft(actors=[actor]), CLEAN).draft.actors
    assert len(kept) == 1
    [moved] = kept[0].evidence
    assert moved.quote == "Yoon Suk Yeol" and SEED[moved.start : moved.end] == "Yoon Suk Yeol"


def test_an_actor_named_by_a_surname_or_an_alias_keeps_its_evidence() -> None:
    actor = Actor(name="National Intelligence Service", aliases=["NIS"], evidence=[ev("the NIS added")])
    assert check_support(Draft(actors=[actor]), CLEAN).draft.actors == [actor]
    yoon = Actor(name="President Yoon", evidence=[YOON])
    assert check_support(Draft(actors=[yoon]), CLEAN).draft.actors == [yoon]


def test_an_actor_the_source_never_names_is_dropped() -> None:
    assert codes(Draft(actors=[Actor(name=INVENTED, evidence=[TROOPS])])) == [("actors", DropCode.actor_not_named)]


def test_an_uncertainty_needs_its_cue_in_its_evidence() -> None:
    hedged = Uncertainty(statement="NATO could not confirm the deployment", evidence=[NATO])
    plain = Uncertainty(statement="The deployment is unverified", evidence=[YOON])
    result = check_support(Draft(uncertainties=[hedged, plain]), CLEAN)
    assert result.draft.uncertainties == [hedged]
    assert [d.code for d in result.dropped] == [DropCode.uncertainty_without_cue]


def test_conflicting_figures_need_a_number_in_every_quote() -> None:
    conflict = Uncertainty(statement="12,000 or more", kind=UncertaintyKind.conflicting, evidence=[TROOPS, YOON])
    assert codes(Draft(uncertainties=[conflict])) == [("uncertainties", DropCode.uncertainty_without_cue)]


def test_a_summary_with_an_invented_number_or_name_is_replaced_by_the_lead() -> None:
    assert unsupported_sentences("North Korea sent 40,000 troops to Russia.", SEED)
    assert unsupported_sentences("Emmanuel Macron thanked Pyongyang.", SEED)
    assert not unsupported_sentences("North Korea is sending up to 12,000 troops to Russia, the NIS says.", SEED)
    draft = Draft(summary="North Korea sent 40,000 troops to Russia. The NIS says so.")
    result = check_support(draft, CLEAN)
    assert [(d.field, d.code) for d in result.dropped] == [("summary", DropCode.summary_not_supported)]
    assert result.draft.summary.startswith("North Korea has decided to send")
    assert all(SEED[e.start : e.end] == e.quote for e in result.draft.summary_evidence)


def test_a_summary_number_the_source_writes_only_in_words_is_found_there() -> None:
    """The source's digit runs are read first; a number they lack is looked for among everything the
    source states (words, scales, fractions) before its sentence is called unsupported."""
    source = "Officials said twelve soldiers crossed. A third of them came back. 7 people spoke."
    assert not unsupported_sentences("Officials said 12 soldiers crossed.", source)
    assert not unsupported_sentences("Officials said 7 people spoke.", source)
    assert unsupported_sentences("Officials said 13 soldiers crossed.", source)


def test_keep_unsupported_keeps_items_flagged_with_their_code() -> None:
    claim = Claim(statement="Putin visited Pyongyang in June", evidence=[YOON])
    result = check_support(Draft(claims=[claim], summary="Putin sent 40,000 troops."), CLEAN, keep_unsupported=True)
    assert [c.unsupported for c in result.draft.claims] == [DropCode.claim_not_supported]
    assert result.draft.summary == "Putin sent 40,000 troops."
    assert result.unsupported_summary == ["Putin sent 40,000 troops."]


def test_the_source_is_found_to_state_a_value_exactly_when_it_is_among_all_its_values() -> None:
    """The summary check reads a source's values in stages (digit runs, other languages' ways of writing
    numbers, then all): what it answers is what comparing with all of them answers."""
    from summarizer.quantities import same_value, values_in
    from summarizer.support import _SourceValues

    root = Path(__file__).resolve().parent
    sources = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.txt")) if p.stat().st_size < 100_000]
    assert len(sources) > 10
    asked = 0
    for source in sources:
        everything = values_in(source)
        staged = _SourceValues(source)
        for sentence in re.split(r"(?<=[.!?])\s+", source)[:40]:
            for value in values_in(sentence):
                for candidate in (value, value + 1, value * 10, -value):
                    asked += 1
                    assert staged.states(candidate) == any(same_value(candidate, s) for s in everything), candidate
    assert asked > 1000
