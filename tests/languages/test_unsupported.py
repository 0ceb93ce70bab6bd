"""A language the extractive rules do not read is refused in one line, never read with English rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.cli import app
from summarizer.crosscheck import rules_draft
from summarizer.errors import InputError
from summarizer.text import clean
from tests.nightly.conftest import latest_report, ledger_rows, run_nightly_cli

GERMAN = (
    "Bundesregierung beschließt Entlastungspaket\n\n"
    "Die Bundesregierung hat am Mittwoch ein Entlastungspaket in Höhe von 12.000 Millionen Euro beschlossen. "
    '"Wir lassen niemanden allein", sagte Bundeskanzler Olaf Scholz in Berlin. Nach Angaben des '
    "Finanzministeriums sollen rund 1,5 Millionen Haushalte profitieren.\n"
)
SPANISH = (
    "El Gobierno aprueba un plan de ayudas\n\n"
    "El Gobierno aprobó el martes un plan de ayudas de 3.000 millones de euros, según anunció la ministra de "
    "Hacienda, que aseguró que beneficiará a unos 2 millones de hogares.\n"
)
SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_ee409ff46c783017.txt"


@pytest.mark.parametrize(("text", "code"), [(GERMAN, "de"), (SPANISH, "es")])
def test_the_api_refuses_with_an_input_error_naming_the_languages(text: str, code: str) -> None:
    with pytest.raises(InputError) as refused:
        summarize(text=text, engine="extractive")
    message = str(refused.value)
    assert "\n" not in message
    assert f"'{code}'" in message and "en and fr" in message and "--engine llm" in message


def test_the_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    doc = tmp_path / "bericht.txt"
    doc.write_text(GERMAN, encoding="utf-8")
    result = CliRunner().invoke(app, ["brief", str(doc), "--engine", "extractive"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "en and fr" in lines[0] and "--engine llm" in lines[0]
    assert result.stdout == "" and "Traceback" not in result.output


def test_the_language_option_is_what_the_user_says(tmp_path: Path) -> None:
    brief = summarize(text=GERMAN, engine="extractive", language="en")
    assert (brief.source.language, brief.source.language_confidence) == ("en", None)


def test_the_llm_cross_check_has_no_rules_draft_to_compare_in_such_a_language() -> None:
    draft = rules_draft(clean(GERMAN))
    assert not (draft.actors or draft.claims or draft.figures)


def test_nightly_records_the_german_document_as_failed_and_does_the_others(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "bericht.txt").write_text(GERMAN, encoding="utf-8")
    (inbox / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_nightly_cli(str(inbox), "--out", str(out), "--engine", "extractive", "--concurrency", "1")
    assert result.code == 1, result.stderr  # a night with a failed document
    rows = {Path(str(r["path"])).name: r for r in ledger_rows(out)}
    assert rows["seed.txt"]["status"] == "done"
    assert rows["bericht.txt"]["status"] == "failed"
    assert "en and fr" in str(rows["bericht.txt"]["last_error"])
    report = latest_report(out)
    assert report["counts"]["done"] == 1 and report["counts"]["failed"] == 1
