"""Verification (runs for every engine): numbers against evidence, missed numbers, conflicting figures."""

from __future__ import annotations

import subprocess
import sys

from summarizer.schema import Actor, Alignment, Draft, Evidence, Figure, Qualifier, UncertaintyKind, Uncertainty
from summarizer.text import clean
from summarizer.verify import verify

SOURCE = (
    "Troops\n\nThe NIS said North Korea could send up to 12,000 troops. "
    "Zelensky said North Korea was training some 10,000 troops. Six soldiers died on October 3, 2024.\n"
)


def ev(quote: str, text: str = SOURCE) -> Evidence:
    start = text.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote), alignment=Alignment.exact)


def fig(
    text: str, value: float, source: str | None, quote: str, unit: str = "troops", within: str = SOURCE, **kw
) -> Figure:
    measures = kw.pop("measures", unit)
    return Figure(text=text, value=value, unit=unit, measures=measures, source=source, evidence=[ev(quote, within)], **kw)


def test_two_sources_disagreeing_on_one_quantity_make_one_conflicting_uncertainty() -> None:
    draft = Draft(
        figures=[
            fig("up to 12,000", 12000, "NIS", "up to 12,000 troops", qualifier=Qualifier.up_to),
            fig("some 10,000", 10000, "Volodymyr Zelensky", "some 10,000 troops"),
        ]
    )
    checked, report = verify(draft, clean(SOURCE))
    conflicts = [u for u in checked.uncertainties if u.kind is UncertaintyKind.conflicting]
    assert len(conflicts) == 1
    assert [e.quote for e in conflicts[0].evidence] == ["up to 12,000 troops", "some 10,000 troops"]
    assert conflicts[0].who == "NIS, Volodymyr Zelensky"
    assert "12,000" in conflicts[0].statement and "10,000" in conflicts[0].statement
    assert report.figures_checked == 2 and report.figure_mismatches == []


def test_no_conflict_for_one_source_other_units_or_other_events() -> None:
    text = "T\n\n12,000 troops; 10,000 troops; 5 people killed; 9 people injured; 7 tanks.\n"
    same_source = [
        fig("12,000", 12000, "NIS", "12,000 troops", within=text),
        fig("10,000", 10000, "NIS", "10,000 troops", within=text),
    ]
    other_events = [
        fig("5", 5, "police", "5 people killed", unit="people", measures="people killed", within=text),
        fig("9", 9, "hospital", "9 people injured", unit="people", measures="people injured", within=text),
    ]
    other_units = [
        fig("12,000", 12000, "NIS", "12,000 troops", within=text),
        fig("7", 7, "army", "7 tanks", unit="tanks", within=text),
    ]
    for figures in (same_source, other_events, other_units):
        checked, _ = verify(Draft(figures=figures), clean(text))
        assert not [u for u in checked.uncertainties if u.kind is UncertaintyKind.conflicting]


def test_a_conflict_the_engine_already_reported_is_not_added_again() -> None:
    figures = [
        fig("up to 12,000", 12000, "NIS", "up to 12,000 troops"),
        fig("some 10,000", 10000, "Zelensky", "some 10,000 troops"),
    ]
    existing = Uncertainty(
        statement="The NIS and Zelensky disagree",
        kind=UncertaintyKind.conflicting,
        evidence=[ev("up to 12,000 troops"), ev("some 10,000 troops")],
    )
    checked, _ = verify(Draft(figures=figures, uncertainties=[existing]), clean(SOURCE))
    assert len([u for u in checked.uncertainties if u.kind is UncertaintyKind.conflicting]) == 1


def test_figure_whose_number_is_not_in_its_evidence_is_a_mismatch() -> None:
    draft = Draft(figures=[fig("12,000", 12000, None, "some 10,000 troops"), fig("six", 6, None, "Six soldiers")])
    _, report = verify(draft, clean(SOURCE))
    assert report.figure_mismatches == ["12,000"]


def test_missed_numbers_leave_out_dates_and_covered_numbers() -> None:
    draft = Draft(figures=[fig("up to 12,000", 12000, "NIS", "up to 12,000 troops")])
    _, report = verify(draft, clean(SOURCE))
    assert report.missed_numbers == ["10,000", "Six"]


def test_verify_does_not_load_spacy() -> None:
    code = (
        "import sys\n"
        "from summarizer.text import clean\n"
        "from summarizer.schema import Draft\n"
        "from summarizer.verify import verify\n"
        "verify(Draft(), clean('T\\n\\nSome 12 people.\\n'))\n"
        "assert 'spacy' not in sys.modules, 'verify imported spaCy'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
