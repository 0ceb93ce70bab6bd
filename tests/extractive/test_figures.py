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


def only_figure(draft) -> Figure:
    assert len(draft.figures) == 1, [(f.text, f.value) for f in draft.figures]
    return draft.figures[0]


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "scale"),
    [
        ("The startup raised $13.6M from investors.", 13.6e6, "USD", 1e6),
        ("The port handled 1.2m tons of grain.", 1.2e6, "ton", 1e6),
        ("The deal was valued at $8 B by analysts.", 8e9, "USD", 1e9),
        ("Officials counted 1.5 billion visits.", 1.5e9, "visits", 1e9),
        ("The ministry spent €40bn on subsidies.", 40e9, "EUR", 1e9),
    ],
)
def test_scale_suffixes_multiply_the_value(draft_of, sentence: str, value: float, unit: str, scale: float) -> None:
    fig = only_figure(draft_of(sentence))
    assert fig.value == pytest.approx(value)
    assert fig.unit == unit and fig.scale == scale


def test_a_glued_m_before_a_dimension_is_metres(draft_of) -> None:
    fig = only_figure(draft_of("Workers built a 35m-high wall."))
    assert fig.value == 35 and fig.unit == "m"


@pytest.mark.parametrize(
    ("sentence", "low", "high", "unit"),
    [
        ("The storm may travel 252 to 287 miles inland.", 252, 287, "mile"),
        ("Growth will be between 1 and 1.5 per cent.", 1, 1.5, "%"),
        ("His weight fell from 208 to 193 pounds.", 193, 208, "lb"),
        ("The bridge will cost between $5 and $7 million.", 5e6, 7e6, "USD"),
    ],
)
def test_a_range_is_one_figure(draft_of, sentence: str, low: float, high: float, unit: str) -> None:
    fig = only_figure(draft_of(sentence))
    assert (fig.value, fig.value_max, fig.unit) == (low, high, unit)


def test_two_amounts_in_different_currencies_are_not_a_range(draft_of) -> None:
    draft = draft_of("A ticket costs €4.50 or £4 at the door.")
    assert [(f.value, f.currency) for f in draft.figures] == [(4.5, "EUR"), (4, "GBP")]


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("The offence ended the drive at minus-5 yards.", -5, "yard"),
        ("Sales changed by -3% in March.", -3, "%"),
        ("It was minus 12 degrees overnight.", -12, "degree"),
    ],
)
def test_negative_values_keep_their_sign(draft_of, sentence: str, value: float, unit: str) -> None:
    fig = only_figure(draft_of(sentence))
    assert (fig.value, fig.unit) == (value, unit)


@pytest.mark.parametrize(
    "sentence",
    [
        "COVID-19 vaccines reached the region.",
        "The operator launched its 5G network.",
        "Protesters gathered outside 10 Downing Street.",
        "The MH-17 inquiry published its report.",
        "The Boeing 737 returned to service.",
        "The 2008 crisis still shapes policy.",
    ],
)
def test_numbers_inside_names_are_not_figures(draft_of, sentence: str) -> None:
    assert draft_of(sentence).figures == []


@pytest.mark.parametrize(
    ("sentence", "unit"),
    [
        ("The motor delivers 150 kW.", "kW"),
        ("The engine makes 600 hp.", "hp"),
        ("The grid runs at 50 Hz.", "Hz"),
        ("The phone has 128 GB of storage.", "GB"),
        ("Each bottle holds 500 ml of water.", "ml"),
        ("The bridge is 1.2 kilometres long.", "km"),
        ("Rates rose 0.5 percentage points.", "percentage point"),
    ],
)
def test_units_have_one_canonical_name(draft_of, sentence: str, unit: str) -> None:
    assert only_figure(draft_of(sentence)).unit == unit


def test_an_age_is_in_years(draft_of) -> None:
    fig = only_figure(draft_of("A 14-year-old boy was hurt."))
    assert (fig.value, fig.unit, fig.measures) == (14, "year", "age of boy")


@pytest.mark.parametrize(
    ("sentence", "value", "unit", "per"),
    [
        ("Brent crude traded at $80 a barrel.", 80, "USD", "barrel"),
        ("The field pumps 2 million barrels a day.", 2e6, "barrel", "day"),
        ("The train reaches 300 km per hour.", 300, "km", "hour"),
        ("Petrol costs €1.80 per litre.", 1.8, "EUR", "l"),
    ],
)
def test_rates_say_what_they_are_per(draft_of, sentence: str, value: float, unit: str, per: str) -> None:
    fig = only_figure(draft_of(sentence))
    assert (fig.value, fig.unit, fig.per) == (value, unit, per)


@pytest.mark.parametrize(
    ("sentence", "currency"),
    [
        ("The firm reported a profit of HK$13.6M.", "HKD"),
        ("The pipeline will cost C$5 billion.", "CAD"),
        ("The miner lost AU$40 million.", "AUD"),
        ("Tourism brought in A$3bn.", "AUD"),
        ("A bowl of noodles costs ¥800.", "JPY"),
        ("The budget is 3 billion euros.", "EUR"),
        ("The contract is worth 45 million Canadian dollars.", "CAD"),
        ("The loan of USD 300 million was approved.", "USD"),
        ("Investors paid 12 million pounds for it.", "GBP"),
    ],
)
def test_currencies_have_their_iso_code(draft_of, sentence: str, currency: str) -> None:
    fig = only_figure(draft_of(sentence))
    assert fig.currency == currency and fig.unit == currency


@pytest.mark.parametrize(
    ("sentence", "value", "unit"),
    [
        ("A third of the budget goes to defence.", 1 / 3, "budget"),
        ("Two-thirds of the members voted for it.", 2 / 3, "members"),
        ("Half of the workers joined the strike.", 0.5, "workers"),
        ("Police arrested a dozen people.", 12, "people"),
        ("Hundreds of families were evacuated.", 100, "families"),
    ],
)
def test_implicit_quantities(draft_of, sentence: str, value: float, unit: str) -> None:
    fig = only_figure(draft_of(sentence))
    assert fig.value == pytest.approx(value) and fig.unit == unit


def test_the_second_half_of_a_period_is_not_a_fraction(draft_of) -> None:
    assert draft_of("Sales recovered in the second half of the year.").figures == []


def test_a_figure_keeps_the_date_that_qualifies_it(draft_of) -> None:
    fig = only_figure(draft_of("The plant produced 4,500 cars in January 2023."))
    assert fig.value == 4500 and fig.date == "January 2023"


def test_a_year_like_number_counting_a_plural_noun_is_a_count(draft_of) -> None:
    draft = draft_of("A survey of 1709 schoolchildren was carried out. By 2020 sales had doubled.")
    fig = only_figure(draft)
    assert (fig.value, fig.unit) == (1709, "schoolchildren")


def test_a_range_written_as_one_token(draft_of) -> None:
    fig = only_figure(draft_of("The pupils were aged 8–10 years."))
    assert (fig.value, fig.value_max, fig.unit) == (8, 10, "year")


def test_tens_of_thousands_and_speeds(draft_of) -> None:
    assert only_figure(draft_of("Tens of thousands of people marched.")).value == 10_000
    fig = only_figure(draft_of("Gusts reached 100 km/h on the coast."))
    assert (fig.value, fig.unit) == (100, "km/h")
