"""PDF and Word files made for the tests and the benchmark (fpdf2 and python-docx), never stored in the repository."""

from __future__ import annotations

import io
import zlib

PAGE_ONE = [
    "Engineers found three cracks in the Kariba dam wall on Friday, the Zambezi River Authority said in a "
    "statement. The authority said repairs could cost up to 300 million dollars and take five years.",
    "\u201cWe are not able to confirm when the work will begin,\u201d said Munyaradzi Munodawafa, the "
    "authority\u2019s chief executive, adding that an independent investi\u00adgation had been ordered "
    "by the ministry of energy.",
]
PAGE_TWO = [
    "Residents downstream said they had not been told about the inspection. About 3,500 families live in "
    "the valley below the wall, according to the district council.",
    "The World Bank, which lent 294 million dollars for earlier repairs, said it was reviewing the "
    "engineers\u2019 report and could not comment further.",
]
HEADER = "Zambezi River Authority - Quarterly Bulletin"
TITLE = "Dam inspection ordered after cracks found"


def make_pdf(
    pages: list[list[str]] | None = None,
    *,
    header: str | None = HEADER,
    footer: bool = True,
    columns: int = 1,
    title: str | None = TITLE,
    password: str | None = None,
    align: str = "J",
    right_column_first: bool = False,
) -> bytes:
    """A text PDF: each page's paragraphs wrapped by fpdf2 (a soft hyphen is a word broken at a line end),
    a running header and a 'Page N of M' footer on every page, in one or two columns, justified ("J") or
    ragged right ("L"). `right_column_first` writes the columns into the file in reverse, as layout programs
    that store frames in the order they were made do: reading order then differs from the file's order."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    header_text, with_footer = header, footer

    class _Doc(FPDF):
        def header(self) -> None:
            if header_text:
                self.set_font("Helvetica", size=9)
                self.cell(0, 8, header_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
                self.ln(6)

        def footer(self) -> None:
            if with_footer:
                self.set_y(-15)
                self.set_font("Helvetica", size=9)
                self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = _Doc()
    if title:
        pdf.set_title(title)
    if password:
        pdf.set_encryption(owner_password="owner-" + password, user_password=password)
    for paragraphs in pages if pages is not None else [PAGE_ONE, PAGE_TWO]:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        width = (pdf.w - pdf.l_margin - pdf.r_margin - 10 * (columns - 1)) / columns
        top = pdf.get_y()
        per_column = -(-len(paragraphs) // columns)
        for column in reversed(range(columns)) if right_column_first else range(columns):
            pdf.set_y(top)
            for paragraph in paragraphs[column * per_column : (column + 1) * per_column]:
                pdf.set_x(pdf.l_margin + column * (width + 10))
                pdf.multi_cell(width, 5, _latin1(paragraph), new_x=XPos.LEFT, new_y=YPos.NEXT, align=align)
                pdf.ln(4)
    return bytes(pdf.output())


def _latin1(text: str) -> str:
    # The core fonts cover latin-1 only; typographic quotes become their ASCII forms. A soft hyphen marks
    # where the word is broken across two lines, with a hyphen, as a typesetter would.
    return text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u00ad": "-\n"}))


def make_scanned_pdf() -> bytes:
    """A page holding only an image, as a scanner writes it: no text layer."""
    from fpdf import FPDF
    from PIL import Image

    image = Image.new("RGB", (200, 100), "white")
    for x in range(20, 180):
        image.putpixel((x, 50), (0, 0, 0))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(image, x=10, y=10, w=180)
    return bytes(pdf.output())


def make_pdf_bomb(pages: int = 400) -> bytes:
    """A small file with a great deal of text: many pages of the same paragraph (compresses well)."""
    return make_pdf([PAGE_ONE + PAGE_TWO] * pages, title=None)


def corrupt_pdf() -> bytes:
    """A PDF cut off halfway: the header is there, the objects and the cross-reference table are not."""
    whole = make_pdf()
    return whole[: len(whole) // 3]


def make_docx(paragraphs: list[str] | None = None, *, table: list[list[str]] | None = None, title: str = TITLE) -> bytes:
    """A Word file: a title heading, paragraphs, then a table."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.add_heading(title, level=1)
    for paragraph in paragraphs if paragraphs is not None else PAGE_ONE + PAGE_TWO:
        document.add_paragraph(paragraph)
    rows = table if table is not None else [["Site", "Cracks"], ["Kariba north wall", "3"], ["Spillway", "0"]]
    grid = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    document.add_paragraph("The ministry said a second inspection would follow in March.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_bomb(size: int = 200_000_000) -> bytes:
    """A zip whose word/document.xml inflates to `size` bytes from a few hundred kilobytes."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b" " * 1_000_000
            for _ in range(size // len(block)):
                member.write(block)
    return out.getvalue()


def encrypted_office_file() -> bytes:
    """The start of an OLE compound file, which is what a password-protected .docx (or a legacy .doc) is."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + zlib.compress(b"\x00" * 4096)
