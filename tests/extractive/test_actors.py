"""Actors: named entities merged into one actor each, with kind and role, and nothing from boilerplate."""

from __future__ import annotations

from summarizer.schema import ActorKind
from tests.extractive.conftest import actor_named


def test_surname_joins_the_full_name_and_role_comes_from_the_title(draft_of) -> None:
    draft = draft_of(
        "Ukrainian President Volodymyr Zelensky said on Thursday that the talks had failed. "
        "Zelensky added that he would travel to Paris."
    )
    zelensky = actor_named(draft, "Volodymyr Zelensky")
    assert zelensky.kind is ActorKind.person
    assert zelensky.role == "Ukrainian President"
    assert "Zelensky" in zelensky.aliases
    assert not any(a.name == "Zelensky" for a in draft.actors)


def test_acronym_defined_in_parentheses_is_one_actor(draft_of) -> None:
    draft = draft_of(
        "According to the National Intelligence Service (NIS), the tests will continue. "
        "The NIS released satellite images on Monday."
    )
    nis = actor_named(draft, "National Intelligence Service")
    assert nis.kind is ActorKind.organisation
    assert "NIS" in nis.aliases
    assert [a.name for a in draft.actors].count("NIS") == 0


def test_demonym_and_capital_join_a_country_the_text_names(draft_of) -> None:
    draft = draft_of(
        "North Korea fired two missiles on Sunday. Pyongyang said the launch was a routine test, "
        "and North Korean state media showed the launch."
    )
    north_korea = actor_named(draft, "North Korea")
    assert north_korea.kind is ActorKind.country
    assert "Pyongyang" in north_korea.aliases
    assert "North Korean" in north_korea.aliases or any(a.name == "North Korean state media" for a in draft.actors)


def test_capital_alone_is_not_merged_into_a_country_the_text_never_names(draft_of) -> None:
    draft = draft_of("Officials in Pyongyang said the launch was a routine test.")
    assert not any(a.name == "North Korea" for a in draft.actors)


def test_places_that_are_only_settings_are_not_actors(draft_of) -> None:
    draft = draft_of("The minister spoke in Berlin on Monday and later flew to Madrid.")
    names = {a.name for a in draft.actors}
    assert "Berlin" not in names and "Madrid" not in names


def test_demonym_with_an_institution_is_an_actor_of_its_own(draft_of) -> None:
    draft = draft_of("Russia denied the report. A senior official from the Ukrainian presidency told AFP that it was false.")
    presidency = actor_named(draft, "Ukrainian presidency")
    assert presidency.kind is ActorKind.organisation
    assert actor_named(draft, "AFP").kind is ActorKind.media


def test_apposition_gives_role_and_makes_the_name_a_person(draft_of) -> None:
    draft = draft_of(
        "Hong Sung-pyo, a researcher at the Korea Institute of Military Affairs, said the army lacked experience."
    )
    hong = actor_named(draft, "Hong Sung-pyo")
    assert hong.kind is ActorKind.person
    assert hong.role == "researcher at the Korea Institute of Military Affairs"
    assert actor_named(draft, "Korea Institute of Military Affairs").kind is ActorKind.organisation


def test_same_surname_goes_to_the_nearest_full_name(draft_of) -> None:
    draft = draft_of(
        "Kim Jong-un met officials in the capital. Defense Minister Kim Yong-hyun said the meeting was short. "
        "Kim added that more talks would follow."
    )
    minister = actor_named(draft, "Kim Yong-hyun")
    leader = actor_named(draft, "Kim Jong-un")
    assert "Kim" in minister.aliases and "Kim" not in leader.aliases
    assert minister.role == "Defense Minister"


def test_the_north_is_the_one_named_country_called_north(draft_of) -> None:
    draft = draft_of("South Korea and North Korea held talks. Officials said the North could send more troops.")
    assert "North" in actor_named(draft, "North Korea").aliases


def test_every_actor_evidence_is_an_exact_span_of_the_source(draft_of) -> None:
    body = "US President Joe Biden met NATO leaders in Brussels. Biden said NATO would stay united."
    draft = draft_of(body)
    source = "Test article\n\n" + body + "\n"
    for actor in draft.actors:
        assert actor.evidence
        for ev in actor.evidence:
            assert ev.alignment.value == "exact"
            assert source[ev.start : ev.end] == ev.quote


def test_boilerplate_lines_produce_no_actor() -> None:
    from summarizer.engines.extractive.engine import extract
    from summarizer.text import clean

    source = (
        "Storm hits coast\n\nThe storm hit the coast on Monday, officials said.\n\n"
        "To watch on video\n\nPREV Referendum: the reasons for Ndemezo's YES\n"
        "NEXT Their children after them by Nicolas Mathieu\n"
    )
    draft = extract(clean(source)).draft
    names = " ".join(a.name for a in draft.actors)
    assert "Ndemezo" not in names and "Nicolas Mathieu" not in names
    boilerplate_start = source.index("To watch")
    for item in (*draft.actors, *draft.claims, *draft.figures, *draft.uncertainties):
        for ev in item.evidence:
            assert ev.end is not None and ev.end <= boilerplate_start


def test_translated_acronym_in_another_word_order_and_capitals_in_acronyms(draft_of) -> None:
    draft = draft_of(
        "According to the US Geological Survey (USGS), the quake had a magnitude of 6.8. "
        "The Moroccan National Institute of Geophysics (ING) measured it at 7. The USGS said the epicentre was deep."
    )
    assert "USGS" in actor_named(draft, "US Geological Survey").aliases
    assert "ING" in actor_named(draft, "National Institute of Geophysics").aliases
    assert not any(a.name in ("USGS", "ING") for a in draft.actors)


def test_hyphenated_title_and_title_before_a_set_off_name(draft_of) -> None:
    draft = draft_of(
        "“This is a tragedy,” declared UN Secretary-General António Guterres. "
        "The toll could rise, warned the prefect of the Gard, Jérôme Bonet."
    )
    assert actor_named(draft, "António Guterres").role == "UN Secretary-General"
    assert actor_named(draft, "Jérôme Bonet").role == "prefect of the Gard"


def test_outlet_someone_talks_to_is_media(draft_of) -> None:
    draft = draft_of("France was ready to help, Foreign Minister Catherine Colonna told BFMTV.")
    assert actor_named(draft, "BFMTV").kind is ActorKind.media
