"""`summarizer export` over a nightly folder and `brief --format csv|xlsx`: the files open, with the columns
named in the README, one row per item, and every quote is the source text between its offsets."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.render.tables import Table, to_csv, to_xlsx
from summarizer.schema import Brief

ARTICLES = Path(__file__).parent / "articles"
SEED = "seeds/000_ee409ff46c783017.txt"
TABLES = ("actors", "claims", "figures", "uncertainties")
COMMON = ["document", "document_path", "title"]
EVIDENCE = ["quote", "start", "end", "alignment", "evidence_count", "found_by", "unsupported"]
runner = CliRunner()


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("night")
    inbox = root / "inbox"
    inbox.mkdir()
    for article in ARTICLES.glob("*.txt"):
        shutil.copy(article, inbox / article.name)
    result = runner.invoke(app, ["nightly", str(inbox), "--out", str(root / "out"), "--engine", "extractive", "-q"])
    assert result.exit_code == 0, result.output
    return root / "out"


def _briefs(out: Path) -> dict[str, Brief]:
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    return {
        link["id"]: Brief.model_validate_json((out / link["json_path"]).read_text(encoding="utf-8"))
        for link in digest["briefs"]
    }


def _check_rows(table: str, rows: list[dict[str, object]], briefs: dict[str, Brief]) -> None:
    expected = sum(len(getattr(b, table)) for b in briefs.values())
    assert len(rows) == expected > 0
    for row in rows:
        brief = briefs[str(row["document"])]
        start, end = int(str(row["start"])), int(str(row["end"]))
        assert brief.source.text[start:end] == row["quote"]
        assert row["title"] == brief.title and row["document_path"] == brief.source.path


def test_csv_export_writes_four_tables_with_document_quote_and_offsets(night: Path, tmp_path: Path) -> None:
    target = tmp_path / "tables"
    result = runner.invoke(app, ["export", str(night), "--format", "CSV", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "export: 8 documents (" in result.stderr
    briefs = _briefs(night)
    for table in TABLES:
        with (target / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames is not None
            assert reader.fieldnames[:3] == COMMON and reader.fieldnames[-len(EVIDENCE):] == EVIDENCE
            rows = list(reader)
        _check_rows(table, rows, briefs)
    with (target / "claims.csv").open(newline="", encoding="utf-8") as handle:
        assert {"speaker", "statement", "attribution", "hedged"} <= set(next(csv.reader(handle)))


def test_xlsx_export_has_one_sheet_per_table(night: Path) -> None:
    result = runner.invoke(app, ["export", str(night), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    book = load_workbook(night / "export.xlsx", read_only=True)
    assert book.sheetnames == list(TABLES)
    briefs = _briefs(night)
    for table in TABLES:
        values = list(book[table].iter_rows(values_only=True))
        header = [str(v) for v in values[0]]
        assert header[:3] == COMMON and header[-len(EVIDENCE):] == EVIDENCE
        _check_rows(table, [dict(zip(header, row)) for row in values[1:]], briefs)


def test_export_takes_the_briefs_the_digest_lists(night: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(night, copy)
    stray = next((copy / "briefs").glob("*.json"))
    shutil.copy(stray, copy / "briefs" / "old-00000000.json")  # a brief no longer current
    result = runner.invoke(app, ["export", str(copy), "-o", str(tmp_path / "t")])
    assert result.exit_code == 0, result.output
    with (tmp_path / "t" / "actors.csv").open(newline="", encoding="utf-8") as handle:
        assert "old-00000000" not in {row["document"] for row in csv.DictReader(handle)}


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["no/such/folder"], "is not a folder"), (["--format", "ods"], "csv or xlsx")],
)
def test_export_errors_are_one_line(night: Path, args: list[str], needle: str) -> None:
    full = ["export", *args] if args[0] != "--format" else ["export", str(night), *args]
    result = runner.invoke(app, full)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and needle in result.stderr


def test_an_empty_folder_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(tmp_path)])
    assert result.exit_code == 2 and "run summarizer nightly first" in result.stderr


def test_brief_format_csv_is_one_table_with_a_table_column() -> None:
    result = runner.invoke(app, ["brief", SEED, "--engine", "extractive", "--format", "csv", "-q"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    brief = Brief.model_validate_json(
        runner.invoke(app, ["brief", SEED, "--engine", "extractive", "--format", "json", "-q"]).stdout
    )
    for table in TABLES:
        mine = [r for r in rows if r["table"] == table]
        assert len(mine) == len(getattr(brief, table))
    for row in rows:
        assert brief.source.text[int(row["start"]) : int(row["end"])] == row["quote"]
        assert row["document"] == SEED


def test_brief_xlsx_file(tmp_path: Path) -> None:
    out = tmp_path / "brief.xlsx"
    result = runner.invoke(app, ["brief", SEED, "--engine", "extractive", "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert load_workbook(out).sheetnames == list(TABLES)


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    table = Table(name="claims", columns=("quote", "start"), rows=[('=HYPERLINK("http://x","y")', 3), ("+1", 4)])
    assert to_csv(table).splitlines()[1].startswith("\"'=HYPERLINK")
    path = tmp_path / "t.xlsx"
    path.write_bytes(to_xlsx([table]))
    cell = load_workbook(path)["claims"]["A2"]
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"
