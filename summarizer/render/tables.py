"""Briefs as flat tables for spreadsheets: one each for actors, claims, figures and uncertainties.

One row per item, naming its document, with the item's first quote and that quote's offsets into the
document's `source.text` (the text the engine saw), so a row can be traced back to the words. CSV is the
standard library's writer; XLSX is openpyxl's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from summarizer.schema import Brief

Cell = str | int | float | bool | None

TABLES = ("actors", "claims", "figures", "uncertainties")
_DOCUMENT = ("document", "document_path", "title")
_ITEM = {
    "actors": ("name", "kind", "role", "aliases"),
    "claims": ("speaker", "statement", "attribution", "hedged"),
    "figures": ("text", "value", "value_max", "unit", "measures", "qualifier", "date", "source"),
    "uncertainties": ("kind", "statement", "who"),
}
_EVIDENCE = ("quote", "start", "end", "alignment", "evidence_count", "found_by", "unsupported")
# A CSV cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_START = ("=", "+", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


@dataclass(frozen=True)
class NamedBrief:
    """A brief and the name its rows carry: the nightly brief id, or the document's path."""

    document: str
    brief: Brief


def _cell(value: object) -> Cell:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def build_tables(briefs: Sequence[NamedBrief]) -> list[Table]:
    """The four tables over every brief, in brief order then item order."""
    tables = []
    for name in TABLES:
        columns = _DOCUMENT + _ITEM[name] + _EVIDENCE
        rows: list[tuple[Cell, ...]] = []
        for named in briefs:
            brief = named.brief
            head: tuple[Cell, ...] = (named.document, brief.source.path, brief.title)
            for item in getattr(brief, name):
                fields = tuple(_cell(getattr(item, column)) for column in _ITEM[name])
                first = item.evidence[0] if item.evidence else None
                evidence: tuple[Cell, ...] = (
                    first.quote if first else None,
                    first.start if first else None,
                    first.end if first else None,
                    _cell(first.alignment) if first else None,
                    len(item.evidence),
                    _cell(item.found_by),
                    _cell(item.unsupported),
                )
                rows.append(head + fields + evidence)
        tables.append(Table(name=name, columns=columns, rows=rows))
    return tables


def combined(tables: Sequence[Table]) -> Table:
    """The four tables as one, with a `table` column: what a single CSV stream can carry."""
    items = [c for name in TABLES for c in _ITEM[name]]
    columns = ["table", *_DOCUMENT, *dict.fromkeys(items), *_EVIDENCE]
    rows: list[tuple[Cell, ...]] = []
    for table in tables:
        where = {c: i for i, c in enumerate(table.columns)}
        for row in table.rows:
            rows.append(tuple(table.name if c == "table" else (row[where[c]] if c in where else None) for c in columns))
    return Table(name="brief", columns=tuple(columns), rows=rows)


def _csv_safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(table: Table) -> str:
    """RFC 4180 CSV (header first, CRLF line ends) that spreadsheet programs open as text, never as formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    writer.writerows(tuple(_csv_safe(v) for v in row) for row in table.rows)
    return buffer.getvalue()


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """One workbook, one sheet per table: a bold frozen header, filters, readable column widths."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.name)
        sheet.append(list(table.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # article text starting with "=" stays text, never a formula
        sheet.freeze_panes = "A2"
        if table.rows:
            sheet.auto_filter.ref = sheet.dimensions
        for index, column in enumerate(table.columns, start=1):
            longest = max([len(column)] + [len(str(r[index - 1])) for r in table.rows[:200] if r[index - 1] is not None])
            sheet.column_dimensions[get_column_letter(index)].width = min(60, max(8, longest + 2))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
