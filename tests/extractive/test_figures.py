"""Figures: stated quantities normalised, with unit, what they count, qualifier, date and source."""

from __future__ import annotations

import pytest

from summarizer.schema import Figure, Qualifier


def figure_for(draft, value: float) -> Figure:
    matches = [f for f in draft.figures if f.value == value]
    assert matches, f"no figure with value {value} in {[(f.text, f.value) for f in draft.figures]}"
    return matches[0]


@pytest.mark.parametrize(
    ("sentence", "value", "qualifier", "text"),
    [
        ("Officials said 1,500 soldiers are training in the east.", 1500, Qualifier.exact, "1,500"),
        ("Officials said six soldiers were killed in the strike.", 6, Qualifier.exact, "six"),
        ("The agency said it could send up to 12,000 troops.", 12000, Qualifier.up_to, "up to 12,000"),
        ("The agency said it was training some 10,000 troops.", 10000, Qualifier.approximately, "some 10,000"),
        ("The army has sent more than 13,000 containers.", 13000, Qualifier.more_than, "more than 13,000"),
        ("Police said at least 45 people died.", 45, Qualifier.at_least, "at least 45"),
        ("Fewer than 20 people attended the rally.", 20, Qualifier.less_than, "Fewer than 20"),
        ("About 300 people attended the rally.", 300, Qualifier.approximately, "About 300"),
    ],
)
def test_value_and_qualifier(draft_of, sentence: str, value: float, qualifier: Qualifier, text: str) -> None:
    fig = figure_for(draft_of(sentence), value)
    assert fig.qualifier is qualifier
    assert fig.text == text


def test_counted_noun_is_the_unit_and_its_phrase_is_what_is_measured(draft_of) -> None:
    fig = figure_for(draft_of("Media reported that six North Korean servicemen were killed."), 6)
    assert fig.unit == "servicemen"
    assert fig.measures == "North Korean servicemen"


def test_of_phrase_belongs_to_what_is_measured(draft_of) -> None:
    fig = figure_for(draft_of("The country provided more than 13,000 containers of artillery ammunition."), 13000)
    assert fig.unit == "containers"
    assert fig.measures == "containers of artillery ammunition"
    assert fig.evidence[0].quote == "more than 13,000 containers of artillery ammunition"


def test_scale_words_percent_and_money(draft_of) -> None:
    draft = draft_of("The fund paid $3.5 billion in aid, and unemployment fell to 4.2 percent.")
    money = figure_for(draft, 3.5e9)
    assert money.unit == "USD" and money.text == "$3.5 billion"
    share = figure_for(draft, 4.2)
    assert share.unit == "%"
    assert share.measures == "unemployment"


def test_ranges_keep_both_ends(draft_of) -> None:
    fig = figure_for(draft_of("Between 8 and 13 people were injured in the crash."), 8)
    assert fig.value_max == 13
    assert fig.unit == "people"


def test_dates_years_times_and_ordinals_are_not_figures(draft_of) -> None:
    draft = draft_of(
        "The first convoy left on October 3, 2024 at 10:30 and returned from October 8 to 13. "
        "In 2017 the second test was held on Friday."
    )
    assert draft.figures == []


def test_durations_are_quantities(draft_of) -> None:
    fig = figure_for(draft_of("The conflict has lasted nearly two decades."), 2)
    assert fig.unit == "decade"  # units are canonical: 'decades', 'decade' are one unit
    assert fig.qualifier is Qualifier.approximately


def test_date_attached_to_the_figure_not_to_the_speech(draft_of) -> None:
    draft = draft_of(
        "Media reported on Friday that six soldiers were killed on October 3. "
        "The NIS said Thursday that North Korea had sent 1,500 soldiers since August."
    )
    assert figure_for(draft, 6).date == "October 3"
    assert figure_for(draft, 1500).date == "since August"


def test_source_is_the_speaker_of_the_claim_that_states_it(draft_of) -> None:
    draft = draft_of(
        "Ukrainian President Volodymyr Zelensky said North Korea was training some 10,000 troops. "
        "According to the National Intelligence Service (NIS), North Korea could send up to 12,000 troops."
    )
    assert figure_for(draft, 10000).source == "Volodymyr Zelensky"
    assert figure_for(draft, 12000).source == "National Intelligence Service"


def test_pronoun_one_and_referring_counts_are_not_figures(draft_of) -> None:
    draft = draft_of("No one said the two countries had signed the treaty with one another.")
    assert draft.figures == []


def test_one_of_the_counts_one(draft_of) -> None:
    fig = figure_for(draft_of("One of the officials said the treaty was signed."), 1)
    assert fig.unit == "officials"


def test_a_repeated_figure_from_the_same_source_is_one_figure_with_two_quotes(draft_of) -> None:
    draft = draft_of(
        "The NIS said North Korea could send up to 12,000 troops. "
        "The NIS added that the North could send a total of 12,000 troops."
    )
    twelve = [f for f in draft.figures if f.value == 12000]
    assert len(twelve) == 1
    assert len(twelve[0].evidence) == 2
    assert twelve[0].qualifier is Qualifier.up_to
