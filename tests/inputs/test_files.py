"""PDF and Word files as input, made by the tests: text, pages, and the hostile variants (one line, exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import InputError, summarize, to_html, to_markdown
from summarizer.cli import app
from summarizer.intake import read_path
from summarizer.pdf import _unwrap, page_of
from tests.support import documents
from tests.support.documents import HEADER, PAGE_ONE, PAGE_TWO

runner = CliRunner()
LIMIT = 5_000_000


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- PDF --------------------------------------------------------------------------------------------------


def test_a_two_page_pdf_reads_as_paragraphs_with_pages(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "report.pdf", documents.make_pdf()), max_chars=LIMIT)
    assert doc.media_type == "application/pdf" and doc.title == documents.TITLE
    assert len(doc.page_starts) == 2 and doc.page_starts[0] == 0
    page_one, page_two = doc.text[: doc.page_starts[1]], doc.text[doc.page_starts[1] :]
    assert page_one.startswith("Engineers found three cracks") and page_two.startswith("Residents downstream")
    # Running header and 'Page N of 2' footer are page furniture, on every page: left out.
    assert HEADER not in doc.text and "Page 1 of 2" not in doc.text and "of 2" not in doc.text
    # Lines unwrapped into the paragraphs they were set from; the soft-hyphenated word joined again.
    assert doc.text.split("\n\n")[0] == PAGE_ONE[0]
    assert "independent investigation had been ordered" in doc.text and "investi-" not in doc.text
    assert "\n\n" in page_one.strip() and "  " not in doc.text


@pytest.mark.parametrize("right_column_first", [False, True])
def test_two_columns_read_one_after_the_other(tmp_path: Path, right_column_first: bool) -> None:
    # Reading order comes from where the text stands on the page, not from the order the file stores it in.
    pdf = documents.make_pdf([PAGE_ONE + PAGE_TWO], columns=2, align="L", header=None, footer=False,
                             right_column_first=right_column_first)
    doc = read_path(_write(tmp_path, "columns.pdf", pdf), max_chars=LIMIT)
    paragraphs = doc.text.split("\n\n")
    expected = [p.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'"})).replace("\u00ad", "")
                for p in PAGE_ONE + PAGE_TWO]
    assert paragraphs == expected


def test_a_header_on_one_page_only_is_text(tmp_path: Path) -> None:
    # One page: nothing repeats, so nothing is furniture (the footer 'Page 1 of 1' stays as written).
    doc = read_path(_write(tmp_path, "one.pdf", documents.make_pdf([PAGE_ONE])), max_chars=LIMIT)
    assert HEADER in doc.text and doc.page_starts == (0,)


def test_a_sentence_running_on_to_the_next_page_is_joined() -> None:
    from summarizer.pdf import _join_pages

    text, starts = _join_pages([["The minister said the"], ["report was late."], ["New paragraph."]])
    assert text == "The minister said the report was late.\n\nNew paragraph."
    assert starts == [0, 22, 40]
    text, _ = _join_pages([["an investi-"], ["gation began."]])
    assert text == "an investigation began."


def test_line_end_hyphens_are_repaired_unless_the_document_writes_the_compound() -> None:
    assert _unwrap(["the investi-", "gation began"], set()) == "the investigation began"
    assert _unwrap(["a well-", "known figure"], {"well-known"}) == "a well-known figure"
    assert _unwrap(["in 2019-", "2020 it rose"], set()) == "in 2019- 2020 it rose"  # numbers are not words
    assert _unwrap(["the U.S.-", "Mexico border"], set()) == "the U.S.- Mexico border"  # next line is capitalised


def test_page_of() -> None:
    assert [page_of((0, 10, 25), n) for n in (0, 9, 10, 24, 25, 99)] == [1, 1, 2, 2, 3, 3]
    assert page_of((), 5) is None


def test_every_evidence_span_has_its_page_in_json_markdown_and_the_review_page(tmp_path: Path) -> None:
    path = _write(tmp_path, "report.pdf", documents.make_pdf())
    brief = summarize(path, engine="extractive")
    starts = brief.source.page_starts
    pages = set()
    for _, _, ev in brief.evidence_items():
        assert ev.start is not None and ev.end is not None
        assert brief.source.text[ev.start : ev.end] == ev.quote
        assert ev.page == (2 if ev.start >= starts[1] else 1)
        pages.add(ev.page)
    assert pages == {1, 2}
    data = json.loads(brief.model_dump_json())
    assert data["source"]["media_type"] == "application/pdf" and data["source"]["page_starts"] == starts
    assert {ev["page"] for c in data["claims"] for ev in c["evidence"]} == {1, 2}
    html, markdown = to_html(brief), to_markdown(brief)
    assert '<span class="align">p. 2</span>' in html and "on 2 PDF pages" in html
    assert "_[p. 2, " in markdown and "2 PDF pages" in markdown


def test_a_text_document_has_no_pages() -> None:
    brief = summarize("The mayor said on Monday that 300 homes were flooded.", engine="extractive")
    assert brief.source.page_starts == [] and all(ev.page is None for _, _, ev in brief.evidence_items())


# --- Word ----------------------------------------------------------------------------------------------------


def test_a_docx_reads_as_paragraphs_and_table_rows_in_order(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "statement.docx", documents.make_docx()), max_chars=LIMIT)
    blocks = doc.text.split("\n\n")
    assert blocks[0] == documents.TITLE and doc.title == documents.TITLE
    assert blocks[1:5] == [p.replace("\u00ad", "") for p in PAGE_ONE + PAGE_TWO]
    assert blocks[5] == "Site | Cracks\nKariba north wall | 3\nSpillway | 0"
    assert blocks[6].startswith("The ministry said a second inspection")
    assert doc.media_type.endswith("wordprocessingml.document") and doc.page_starts == ()


def test_a_merged_table_cell_is_written_once(tmp_path: Path) -> None:
    import io

    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Casualties by region"
    for c, value in enumerate(["North", "12", "South"]):
        table.cell(1, c).text = value
    out = io.BytesIO()
    document.save(out)
    doc = read_path(_write(tmp_path, "merged.docx", out.getvalue()), max_chars=LIMIT)
    assert doc.text == "Casualties by region\nNorth | 12 | South"


def test_a_docx_brief_slices_its_text(tmp_path: Path) -> None:
    brief = summarize(_write(tmp_path, "statement.docx", documents.make_docx()), engine="extractive")
    assert brief.claims and brief.figures
    for _, _, ev in brief.evidence_items():
        assert ev.start is not None and ev.end is not None and brief.source.text[ev.start : ev.end] == ev.quote


# --- hostile files: one line, exit 2, nothing written ---------------------------------------------------------


HOSTILE = {
    "scanned.pdf": (documents.make_scanned_pdf, "no text layer (a scanned image?); run OCR on it first"),
    "locked.pdf": (lambda: documents.make_pdf(password="s3cret"), "is an encrypted PDF that needs a password"),
    "truncated.pdf": (documents.corrupt_pdf, "is not a readable PDF (PSEOF); it may be corrupt or truncated"),
    "garbage.pdf": (lambda: b"%PDF-1.7\n" + bytes(range(256)) * 40, "is not a readable PDF"),
    "empty.pdf": (lambda: b"", "is empty"),
    "empty.docx": (lambda: b"", "is empty"),
    "locked.docx": (documents.encrypted_office_file, "is a password-protected Word file or an old .doc"),
    "truncated.docx": (lambda: documents.make_docx()[:5000], "not a valid zip archive"),
    "notaword.docx": (lambda: documents.make_docx().replace(b"word/document.xml", b"word/documenX.xml"),
                      "is not a readable Word file"),
    "bomb.docx": (lambda: documents.docx_bomb(20_000_000), "bytes, too large for the limit of 20,000 characters"),
    "huge.pdf": (lambda: documents.make_pdf_bomb(40), "has over 20,000 characters of text, over the limit"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_files_are_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    make, expected = HOSTILE[name]
    path = _write(tmp_path, name, make())
    target = tmp_path / "out" / "brief.json"
    result = runner.invoke(app, ["brief", str(path), "--engine", "extractive", "--max-chars", "20000",
                                 "-o", str(target)])
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"summarizer: {path}: ") and expected in result.stderr, result.stderr
    assert not target.parent.exists()


def test_a_pdf_larger_than_the_byte_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.pdf", documents.make_pdf())
    with pytest.raises(InputError, match=r"bytes, over the limit of 1,600 bytes for a file"):
        read_path(path, max_chars=100)


def test_pdf_bytes_with_another_name_are_read_as_pdf(tmp_path: Path) -> None:
    doc = read_path(_write(tmp_path, "download", documents.make_pdf()), max_chars=LIMIT)
    assert doc.media_type == "application/pdf" and len(doc.page_starts) == 2


def test_pdf_and_word_bytes_through_the_api_and_stdin() -> None:
    pdf_brief = summarize(documents.make_pdf(), engine="extractive")
    assert pdf_brief.source.media_type == "application/pdf" and len(pdf_brief.source.page_starts) == 2
    docx_brief = summarize(documents.make_docx(), engine="extractive")
    assert "Kariba north wall | 3" in docx_brief.source.text
    result = runner.invoke(app, ["brief", "-", "--engine", "extractive", "-f", "json", "-q"],
                           input=documents.make_pdf())
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source"]["page_starts"][0] == 0


def test_a_text_that_mentions_the_pdf_header_is_still_text() -> None:
    text = "Archivists said files starting with %PDF-1.7 were the most common format they received this year."
    assert summarize(text.encode("utf-8"), engine="extractive").source.media_type == "text/plain"
