"""Speakers, attribution patterns and hedges: who says what, in which words, and how sure it is."""

from __future__ import annotations

import pytest

from summarizer.schema import UNATTRIBUTED, Attribution, Claim, UncertaintyKind
from tests.extractive.test_claims import claim_with


def _only_claim(draft) -> Claim:  # type: ignore[no-untyped-def]
    assert len(draft.claims) == 1, [(c.speaker, c.statement) for c in draft.claims]
    return draft.claims[0]


# --- attribution patterns -------------------------------------------------------------------------


def test_speaker_after_the_quote_with_a_title(draft_of) -> None:
    claim = claim_with(
        draft_of('"The rouble will weaken further before the end of the year," said Uralsib analyst Chris Weafer.'),
        "rouble will weaken",
    )
    assert claim.speaker == "Chris Weafer"
    assert claim.speaker_mention == "Uralsib analyst Chris Weafer"
    assert claim.attribution is Attribution.direct_quote


@pytest.mark.parametrize(
    "text",
    [
        "Toyota said in a statement released late on Sunday that production would resume next week.",
        "Toyota said in a written statement that production would resume next week.",
        "Toyota said in a statement that production would resume next week.",
    ],
)
def test_said_in_a_statement_that(draft_of, text: str) -> None:
    claim = _only_claim(draft_of(text))
    assert claim.speaker == "Toyota"
    assert claim.statement == "production would resume next week"


def test_colon_introduces_the_quote(draft_of) -> None:
    claim = _only_claim(draft_of('Parker wrote: "We have no plans to leave the city."'))
    assert claim.speaker == "Parker"
    assert claim.statement == "We have no plans to leave the city"
    assert claim.attribution is Attribution.direct_quote


def test_quote_over_several_sentences_is_one_claim(draft_of) -> None:
    text = '"We tried everything. Nothing worked. In the end we had to sell the house," said Maria Lopez, a farmer.'
    draft = draft_of(text)
    claim = _only_claim(draft)
    assert claim.speaker == "Maria Lopez"
    assert claim.statement.startswith("We tried everything. Nothing worked.")
    assert claim.statement.endswith("we had to sell the house")
    assert claim.evidence[0].quote.startswith('"We tried everything')


def test_quote_over_paragraphs_runs_on_when_the_next_paragraph_opens_a_quote(draft_of) -> None:
    body = (
        'Kim said: "The talks were useful. We agreed on a timetable.\n\n'
        '"The next round is in Seoul. Both sides will bring experts."\n\n'
        "The talks ended on Friday."
    )
    claim = _only_claim(draft_of(body))
    assert claim.speaker == "Kim"
    assert "timetable" in claim.statement and "bring experts" in claim.statement
    assert "ended on Friday" not in claim.statement


def test_quotation_after_a_claim_goes_on_with_its_speaker(draft_of) -> None:
    draft = draft_of('"I am proud of the team," Coach Ana Garcia said. "They played with heart. Nobody gave up."')
    second = claim_with(draft, "played with heart")
    assert second.speaker == "Ana Garcia"
    assert second.attribution is Attribution.direct_quote
    assert "Nobody gave up" in second.statement


def test_quotation_after_narration_is_not_given_a_speaker(draft_of) -> None:
    draft = draft_of('Maria Lopez walked down to the river. "The water is rising fast."')
    assert all(c.speaker != "Maria Lopez" for c in draft.claims)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Microsoft announced that it would buy the startup for $2 billion.", "buy the startup"),
        ("The World Bank warned that growth could slow sharply in Asia.", "growth could slow"),
        ("Netflix denied that it had shared user data with advertisers.", "shared user data"),
        ("The Pentagon confirmed that two soldiers were wounded.", "two soldiers were wounded"),
    ],
)
def test_announced_warned_denied_confirmed_that(draft_of, text: str, words: str) -> None:
    claim = claim_with(draft_of(text), words)
    assert claim.speaker in text
    assert not claim.statement.startswith("that")


def test_headline_in_title_case_is_no_report_and_no_name(draft_of) -> None:
    draft = draft_of(
        "A banker at Goldman Sachs Said She Raised Money For Charity after the scandal. "
        "Woman Who Sued Goldman Sachs Says She Was Fired, the Daily News reported."
    )
    assert "Goldman Sachs" in [a.name for a in draft.actors]
    assert all(" Said " not in a.name and " Says " not in a.name for a in draft.actors)
    assert all(c.speaker != "Goldman Sachs" for c in draft.claims)


# --- speakers ---------------------------------------------------------------------------------------


def test_pronoun_is_the_subject_of_the_sentence_before(draft_of) -> None:
    claim = claim_with(draft_of("Anna Berg spoke after Peter Novak. She said the plan was too expensive."), "plan was")
    assert claim.speaker == "Anna Berg"
    assert claim.speaker_mention == "She"


def test_pronoun_keeps_the_previous_speaker_over_a_name_in_the_quote(draft_of) -> None:
    draft = draft_of(
        'Lena Fischer, a teacher, spoke first. "I met Tom Baker there," Fischer said. '
        "She added that she would appeal."
    )
    claim = claim_with(draft, "she would appeal")
    assert claim.speaker == "Lena Fischer"
    assert claim.speaker_mention == "She"


def test_pronoun_with_no_one_before_is_unattributed(draft_of) -> None:
    claim = _only_claim(draft_of("She said the decision was unfair."))
    assert claim.speaker == UNATTRIBUTED
    assert claim.speaker_mention == "She"


def test_it_is_the_organisation_named_before(draft_of) -> None:
    claim = claim_with(
        draft_of("The United Nations released its report on Monday. It said that hunger had risen again."), "hunger"
    )
    assert claim.speaker == "United Nations"
    assert claim.speaker_mention == "It"


def test_the_company_is_the_organisation_named_before(draft_of) -> None:
    draft = draft_of("Shares of Nordvik Energy fell 8 percent on Monday. The company said the drop was due to oil prices.")
    claim = claim_with(draft, "drop was due")
    assert claim.speaker == "Nordvik Energy"
    assert claim.speaker_mention == "The company"


def test_the_company_with_no_company_named_stays_a_description(draft_of) -> None:
    claim = _only_claim(draft_of("The company said the drop was due to lower oil prices."))
    assert claim.speaker == "company"
    assert claim.speaker_mention == "The company"


def test_a_description_with_its_own_name_is_not_linked_to_another(draft_of) -> None:
    draft = draft_of(
        "Microsoft released a new browser. The Internet security firm Secunia said that old versions were unsafe."
    )
    claim = claim_with(draft, "old versions")
    assert claim.speaker != "Microsoft"


def test_the_daily_is_the_newspaper_named_before(draft_of) -> None:
    draft = draft_of(
        "The New York Times published the letter on Friday. The influential US daily said the letter was authentic."
    )
    assert claim_with(draft, "letter was authentic").speaker == "New York Times"


def test_the_president_is_the_person_given_that_role(draft_of) -> None:
    draft = draft_of(
        "Kenya's president, William Ruto, visited the flooded city. The president said aid would arrive within days."
    )
    assert claim_with(draft, "aid would arrive").speaker == "William Ruto"


@pytest.mark.parametrize(
    "text",
    [
        "A new review found that the hospital had ignored warnings.",
        "The statement said the government would not negotiate.",
        "The report found that air pollution had fallen by a third.",
    ],
)
def test_a_document_is_not_a_speaker(draft_of, text: str) -> None:
    claim = _only_claim(draft_of(text))
    assert claim.speaker == UNATTRIBUTED
    assert claim.speaker_mention is not None and claim.speaker_mention in text


def test_a_statement_is_its_issuers(draft_of) -> None:
    draft = draft_of(
        "The Ministry of Health issued a statement on Monday. The statement said that all schools would reopen."
    )
    claim = claim_with(draft, "schools would reopen")
    assert claim.speaker == "Ministry of Health"
    assert claim.speaker_mention == "The statement"


def test_the_addressee_of_told_is_not_the_speaker(draft_of) -> None:
    claim = _only_claim(draft_of('The coach, Sam Allardyce, told the BBC: "We deserved to win."'))
    assert claim.speaker == "Sam Allardyce"


# --- hedges -----------------------------------------------------------------------------------------


def _hedged(draft) -> bool:  # type: ignore[no-untyped-def]
    kinds = {UncertaintyKind.hedged, UncertaintyKind.speculative}
    return any(c.hedged for c in draft.claims) or any(u.kind in kinds for u in draft.uncertainties)


@pytest.mark.parametrize(
    "text",
    [
        "The strike may last several weeks.",
        "The new line could open as early as 2027.",
        "A ceasefire would allow aid to reach the north.",
        "The city plans to build 10,000 new homes by 2030.",
        "The company aims to double its sales within five years.",
        "The bridge is set to reopen next month.",
        "The two leaders are due to meet in Geneva next month.",
        "Investigators might never find the cause of the crash.",
        "Officials hope to finish the tunnel by 2026.",
    ],
)
def test_modal_and_future_cues_are_hedges(draft_of, text: str) -> None:
    assert _hedged(draft_of(text))


@pytest.mark.parametrize(
    "text",
    [
        "The council could not agree on a budget last year.",
        "The team would have won without the red card.",
        "Every summer the family would drive to the coast.",
        "In May, the factory hired 200 workers.",
        "The plans for the new stadium were approved in 2019.",
        "The ship will arrive in Rotterdam on Friday.",
        "He aimed the rifle at the target.",
    ],
)
def test_no_hedge_without_a_cue(draft_of, text: str) -> None:
    assert not _hedged(draft_of(text))


def test_a_claim_with_would_is_hedged(draft_of) -> None:
    claim = _only_claim(draft_of("Police chief John Smith said that the road would reopen on Monday."))
    assert claim.hedged


def test_people_named_only_as_a_group_are_an_anonymous_description(draft_of) -> None:
    claim = _only_claim(draft_of("All workers said the new shifts were too long."))
    assert claim.speaker == "All workers"
    assert claim.attribution is Attribution.anonymous_source


def test_a_relative_pronoun_speaker_is_its_noun(draft_of) -> None:
    draft = draft_of("Residents of the town, who asked not to be named, said the soldiers had left.")
    claim = claim_with(draft, "soldiers had left")
    assert claim.speaker == "Residents of the town"
    assert all(c.speaker != "unattributed" for c in draft.claims)
