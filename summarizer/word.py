"""Word (.docx) to text with python-docx: paragraphs and tables in document order, one paragraph per block."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from summarizer.errors import InputError

# What a password-protected .docx (and a legacy .doc) starts with: an OLE compound file, not a zip.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Inflated XML per character of text allowed before parsing: markup is verbose, a zip bomb far more so.
_XML_BYTES_PER_CHAR = 64


@dataclass(frozen=True)
class WordText:
    text: str
    title: str | None


def extract(data: bytes, *, name: str, max_chars: int) -> WordText:
    """Text of a .docx, or InputError with one line: encrypted, legacy .doc, corrupt, too large."""
    if data.startswith(_OLE_MAGIC):
        raise InputError(
            f"{name}: is a password-protected Word file or an old .doc; save an unprotected .docx copy"
        )
    _check_archive(data, name, max_chars)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for block in document.iter_inner_content():
            blocks.extend(_table_rows(block) if isinstance(block, Table) else [block.text])
        title = document.core_properties.title
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure on these bytes is an input problem
        raise InputError(f"{name}: is not a readable Word file ({type(exc).__name__}); it may be corrupt") from None
    # Soft hyphens only say where Word may break a word: the word is whole without them.
    text = "\n\n".join(b.strip() for b in blocks if b.strip()).replace("\u00ad", "")
    if not text:
        raise InputError(f"{name}: is a Word file with no text in it")
    return WordText(text, title.strip() if title and title.strip() else None)


def _check_archive(data: bytes, name: str, max_chars: int) -> None:
    """Refuse what is not a zip, or what would inflate past the limit, before any XML is parsed."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"{name}: is not a Word .docx file (not a valid zip archive); it may be corrupt") from None
    if inflated > _XML_BYTES_PER_CHAR * max_chars:
        raise InputError(
            f"{name}: unpacks to {inflated:,} bytes, too large for the limit of {max_chars:,} characters; "
            "split it or raise --max-chars"
        )


def _table_rows(table: object) -> list[str]:
    """One line per row, cells separated by ' | '; a merged cell (python-docx repeats it) written once."""
    from docx.table import Table

    assert isinstance(table, Table)
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is previous:  # noqa: SLF001 - the XML element is the only identity of a merged cell
                continue
            previous = cell._tc  # noqa: SLF001
            cells.append(" ".join(cell.text.split()))
        if any(cells):
            rows.append(" | ".join(cells))
    return ["\n".join(rows)] if rows else []
