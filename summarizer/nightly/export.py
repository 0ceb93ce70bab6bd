"""`summarizer export`: a nightly output folder's briefs as spreadsheet tables (CSV files or one XLSX).

Which briefs: those the folder's `digest.json` lists, i.e. the ones the last run found current in the
ledger (an older brief of a changed document, or one from another engine, stays out). A folder without a
digest (a run interrupted before writing it) falls back to every brief JSON under `briefs/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from summarizer.atomic import write_atomically
from summarizer.digest import Digest
from summarizer.errors import ConfigError, InputError
from summarizer.nightly.plan import BRIEFS_DIR
from summarizer.nightly.run import DIGEST
from summarizer.render.tables import NamedBrief, Table, build_tables, to_csv, to_xlsx
from summarizer.schema import Brief

DIGEST_JSON = f"{DIGEST}.json"

FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Exported:
    written: list[Path]
    documents: int
    tables: list[Table]


def _load_brief(path: Path, folder: Path) -> Brief:
    try:
        return Brief.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"{path}: listed in {folder / DIGEST_JSON} but missing; rerun summarizer nightly") from None
    except (OSError, ValidationError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a brief JSON file"
        raise InputError(f"{path}: cannot be read ({reason}); rerun summarizer nightly") from None


def night_briefs(folder: Path) -> list[NamedBrief]:
    """The briefs of a nightly output folder, in digest order."""
    if not folder.is_dir():
        raise InputError(f"{folder}: is not a folder; give a nightly --out folder")
    digest_path = folder / DIGEST_JSON
    if digest_path.is_file():
        try:
            digest = Digest.model_validate_json(digest_path.read_bytes())
        except (OSError, ValidationError, ValueError):
            raise InputError(f"{digest_path}: is not a digest summarizer wrote; rerun summarizer nightly") from None
        return [NamedBrief(link.id, _load_brief(folder / link.json_path, folder)) for link in digest.briefs]
    paths = sorted((folder / BRIEFS_DIR).glob("*.json"))
    if not paths:
        raise InputError(f"{folder}: has no {DIGEST_JSON} and no {BRIEFS_DIR}/*.json; run summarizer nightly first")
    return [NamedBrief(path.stem, _load_brief(path, folder)) for path in paths]


def default_output(folder: Path, fmt: str) -> Path:
    return folder / ("export" if fmt == "csv" else "export.xlsx")


def export_night(folder: Path, fmt: str, output: Path | None = None) -> Exported:
    """Write the four tables: CSV files `actors.csv` ... into a folder, or one XLSX workbook."""
    if fmt not in FORMATS:
        raise ConfigError(f"--format {fmt}: export writes csv or xlsx")
    briefs = night_briefs(folder)
    tables = build_tables(briefs)
    target = output or default_output(folder, fmt)
    written: list[Path] = []
    try:
        if fmt == "xlsx":
            if target.is_dir():
                raise ConfigError(f"{target}: is a folder; give a .xlsx file name for -o")
            write_atomically(target, to_xlsx(tables))
            written.append(target)
        else:
            if target.exists() and not target.is_dir():
                raise ConfigError(f"{target}: is a file; CSV export writes a folder of four tables")
            for table in tables:
                path = target / f"{table.name}.csv"
                write_atomically(path, to_csv(table))
                written.append(path)
    except OSError as exc:
        raise ConfigError(f"{target}: cannot write ({exc.strerror or exc}); choose another -o path") from None
    return Exported(written=written, documents=len(briefs), tables=tables)
