"""PDF text extraction: pypdf against pdfminer.six, and summarizer.pdf (pdfminer.six plus reading order,
unwrapping, hyphen repair and page furniture removal), on PDFs generated here with fpdf2.

For each document it prints, per extractor:
  words   similarity of the extracted word sequence to the text the PDF was made from (difflib ratio, 1.0 = same)
  order   share of the source's paragraphs found whole and in the right order
  furn.   header/footer lines left in the text (each page's 'Page N of M' and running header)
  broken  words left broken at a line end ('investi- gation')
  ms/page median time over 5 runs

Run: PYTHONPATH=. python benchmarks/pdf_extraction.py
"""

from __future__ import annotations

import io
import re
import statistics
import sys
import time
from collections.abc import Callable
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.documents import HEADER, PAGE_ONE, PAGE_TWO, make_pdf  # noqa: E402

PARAGRAPHS = PAGE_ONE + PAGE_TWO
EXTRA = [
    "Officials in the capital said the decision, announced late on Thursday, would be reviewed by parliament "
    "within a month. Opposition leaders called the plan rushed and said they had not seen the full text.",
    "According to the finance ministry, the programme will cost about 1.2 billion dollars over four years, "
    "a figure independent economists said was likely to rise once maintenance was counted.",
]


def _plain(text: str) -> str:
    return text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u00ad": ""}))


def pypdf_text(data: bytes) -> str:
    import pypdf

    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def pdfminer_text(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def summarizer_text(data: bytes) -> str:
    from summarizer.pdf import extract

    return extract(data, name="bench.pdf", max_chars=10_000_000).text


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "pypdf 7.1.0": pypdf_text,
    "pdfminer.six": pdfminer_text,
    "summarizer.pdf": summarizer_text,
}


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'\".,-]+", text)


def _order(text: str, paragraphs: list[str]) -> float:
    flat = " ".join(text.split())
    found, pos = 0, 0
    for paragraph in paragraphs:
        at = flat.find(" ".join(_plain(paragraph).split()), pos)
        if at >= 0:
            found, pos = found + 1, at
    return found / len(paragraphs)


def _furniture(text: str) -> int:
    return len(re.findall(r"Page \d+ of \d+", text)) + text.count(HEADER)


def _broken(text: str) -> int:
    return len(re.findall(r"[a-z]-\s+[a-z]", text)) + text.count("\u00ad")


def documents() -> list[tuple[str, bytes, list[str], int]]:
    long = [PARAGRAPHS + EXTRA] * 10
    return [
        ("2 pages, justified, header+footer", make_pdf(), PARAGRAPHS, 2),
        ("1 page, 2 columns, ragged", make_pdf([PARAGRAPHS], columns=2, align="L"), PARAGRAPHS, 1),
        ("1 page, 2 columns, justified", make_pdf([PARAGRAPHS], columns=2), PARAGRAPHS, 1),
        ("1 page, 2 columns, right one first", make_pdf([PARAGRAPHS], columns=2, align="L", right_column_first=True),
         PARAGRAPHS, 1),
        ("10 pages, 2 columns, ragged", make_pdf(long, columns=2, align="L"), (PARAGRAPHS + EXTRA) * 10, 10),
    ]


def main() -> None:
    print(f"{'document':36} {'extractor':15} {'words':>6} {'order':>6} {'furn.':>6} {'broken':>6} {'ms/page':>8}")
    for label, data, paragraphs, pages in documents():
        truth = _words(_plain(" ".join(paragraphs)))
        for name, extract in EXTRACTORS.items():
            times = []
            for _ in range(5):
                began = time.perf_counter()
                text = extract(data)
                times.append(time.perf_counter() - began)
            similarity = SequenceMatcher(None, truth, _words(text), autojunk=False).ratio()
            print(
                f"{label:36} {name:15} {similarity:6.3f} {_order(text, paragraphs):6.2f} {_furniture(text):6d} "
                f"{_broken(text):6d} {1000 * statistics.median(times) / pages:8.1f}"
            )


if __name__ == "__main__":
    main()
