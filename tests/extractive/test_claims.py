"""Claims: reported speech with its speaker resolved to an actor, the statement and how it is attributed."""

from __future__ import annotations

from summarizer.schema import Attribution, Claim


def claim_with(draft, words: str) -> Claim:
    matches = [c for c in draft.claims if words in c.statement]
    assert matches, f"no claim containing {words!r} in {[(c.speaker, c.statement) for c in draft.claims]}"
    return matches[0]


def test_said_with_that_clause(draft_of) -> None:
    # A plain past-tense report is not hedged ("would reopen" is: see test_speech.py).
    claim = claim_with(draft_of("Police chief John Smith said that the road reopened on Monday."), "road reopened")
    assert claim.speaker == "John Smith"
    assert claim.attribution is Attribution.reported
    assert claim.statement == "the road reopened on Monday"
    assert not claim.hedged


def test_according_to(draft_of) -> None:
    draft = draft_of("According to the World Health Organization, the outbreak has slowed.")
    claim = claim_with(draft, "outbreak has slowed")
    assert claim.speaker == "World Health Organization"
    assert claim.statement == "the outbreak has slowed"


def test_told_outlet_that(draft_of) -> None:
    claim = claim_with(draft_of("Minister Anna Berg told Reuters that the deal was dead."), "deal was dead")
    assert claim.speaker == "Anna Berg"


def test_quote_then_inverted_verb_is_a_direct_quote(draft_of) -> None:
    draft = draft_of(
        "The National Intelligence Service (NIS) watched the border. "
        "“This appears to be an attempt to hide the soldiers,” the NIS charged."
    )
    claim = claim_with(draft, "attempt to hide")
    assert claim.speaker == "National Intelligence Service"
    assert claim.attribution is Attribution.direct_quote
    assert claim.hedged, "'appears to' hedges the claim"


def test_said_after_the_name(draft_of) -> None:
    draft = draft_of("Local recipients, said curator Jane Mauer, must show the photographs every year.")
    claim = claim_with(draft, "must show the photographs")
    assert claim.speaker == "Jane Mauer"


def test_unnamed_official_is_an_anonymous_source_and_this_official_is_the_same_one(draft_of) -> None:
    draft = draft_of(
        "A senior official from the Ukrainian presidency told AFP that the move showed Moscow's weakness. "
        "“This can complicate the situation,” added this official."
    )
    first = claim_with(draft, "showed Moscow")
    second = claim_with(draft, "complicate the situation")
    assert first.attribution is Attribution.anonymous_source
    assert first.speaker == "Ukrainian presidency"
    assert second.speaker == first.speaker
    assert second.attribution is Attribution.anonymous_source


def test_anonymous_source_without_an_institution_keeps_its_description(draft_of) -> None:
    claim = claim_with(draft_of("A senior diplomat said the talks had stalled."), "talks had stalled")
    assert claim.attribution is Attribution.anonymous_source
    assert claim.speaker == "senior diplomat"


def test_pronoun_speaker_resolves_to_the_last_person(draft_of) -> None:
    draft = draft_of("Ukrainian President Volodymyr Zelensky met reporters. He said Thursday he had new information.")
    claim = claim_with(draft, "new information")
    assert claim.speaker == "Volodymyr Zelensky"


def test_same_source_is_the_previous_speaker(draft_of) -> None:
    draft = draft_of(
        "According to the National Intelligence Service (NIS), troops left on Monday. "
        "According to the same source, more troops are expected soon."
    )
    claim = claim_with(draft, "more troops are expected")
    assert claim.speaker == "National Intelligence Service"
    assert claim.hedged


def test_french_style_for_x_opening_is_that_persons_view(draft_of) -> None:
    draft = draft_of(
        "For Hong Sung-pyo, a researcher at the Korea Institute of Military Affairs, the North probably "
        "views the war as a source of intelligence."
    )
    claim = claim_with(draft, "views the war")
    assert claim.speaker == "Hong Sung-pyo"
    assert claim.hedged


def test_two_speakers_in_one_sentence_are_two_claims(draft_of) -> None:
    draft = draft_of(
        "If NATO said it was not able to confirm the deployment, a senior official from the Ukrainian presidency "
        "told AFP that it showed Moscow's desire for a longer war."
    )
    nato = claim_with(draft, "not able to confirm")
    official = claim_with(draft, "Moscow")
    assert nato.speaker == "NATO"
    assert "official" not in nato.statement, "the second speaker is not part of what NATO said"
    assert official.speaker == "Ukrainian presidency"


def test_claim_evidence_covers_speaker_and_statement_exactly(draft_of) -> None:
    body = "Police chief John Smith said that the road would reopen on Monday."
    claim = claim_with(draft_of(body), "road would reopen")
    source = "Test article\n\n" + body + "\n"
    ev = claim.evidence[0]
    assert source[ev.start : ev.end] == ev.quote
    assert "John Smith said" in ev.quote and "reopen on Monday" in ev.quote


def test_plain_narration_is_not_a_claim(draft_of) -> None:
    draft = draft_of("The storm hit the coast on Monday. Thousands of homes lost power.")
    assert draft.claims == []


def test_speaker_set_off_after_a_title_is_the_named_person(draft_of) -> None:
    draft = draft_of("“We will not give in,” declared the Prime Minister, Gabriel Attal, during a press conference.")
    assert claim_with(draft, "will not give in").speaker == "Gabriel Attal"


def test_report_from_an_organisation_is_that_organisation_speaking(draft_of) -> None:
    draft = draft_of(
        "The toll rose to 2,012 dead, according to a new report from the Ministry of the Interior published Sunday."
    )
    claim = claim_with(draft, "toll rose")
    assert claim.speaker == "Ministry of the Interior"


def test_negated_speech_is_not_a_claim(draft_of) -> None:
    draft = draft_of("Officials have not said why the team was denied visas.")
    assert draft.claims == []
