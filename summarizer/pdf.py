"""PDF to text with pdfminer.six: paragraphs in reading order, page starts, repeated headers and footers
set aside, words broken across lines joined again.

pdfminer.six rather than pypdf: its layout analysis groups characters into text boxes in reading order
(columns read one after the other) and gives each box its position on the page, which is what finding
paragraphs and page furniture needs. pypdf returns lines in content-stream order with no boxes;
`benchmarks/pdf_extraction.py` prints the comparison on generated documents.
"""

from __future__ import annotations

import io
import logging
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from summarizer.errors import InputError

# pdfminer warns about many harmless oddities; without a handler Python would print them on stderr,
# breaking the one-line-on-failure rule. --debug's root handler still shows them.
logging.getLogger("pdfminer").addHandler(logging.NullHandler())

# A box whose edge lies in this share of the page height at the top or bottom may be a running header/footer.
_MARGIN_SHARE = 0.12
# A header or footer repeats on at least this share of the pages (and on two at least).
_REPEAT_SHARE = 0.6
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"})
_BROKEN_WORD = re.compile(r"([^\W\d_]+)[-\u00ad\u2010]$")
_NEXT_WORD = re.compile(r"^([^\W\d_]+)")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE_END = re.compile(r"""[.!?:;…]["”’)\]]*$""")


@dataclass(frozen=True)
class PdfText:
    """The extracted text, where each page starts in it (page 1 at index 0), and the document's title."""

    text: str
    page_starts: tuple[int, ...]
    title: str | None
    furniture: tuple[str, ...]  # the repeated headers and footers left out, as first seen


@dataclass(frozen=True)
class _Box:
    text: str
    top: float  # share of the page height from the top edge to the box's top
    bottom: float  # share from the top edge to the box's bottom
    left: float = 0.0  # points from the page's left edge
    right: float = 0.0
    height: float = 1.0  # the page's height in points, to compare vertical gaps with horizontal ones


def extract(data: bytes, *, name: str, max_chars: int) -> PdfText:
    """Text of a PDF, or InputError with one line: encrypted, corrupt, no text layer, too long."""
    pages = _boxes_per_page(data, name, max_chars)
    if not any(box.text.strip() for page in pages for box in page):
        raise InputError(
            f"{name}: is a PDF with no text layer (a scanned image?); run OCR on it first, summarizer does no OCR"
        )
    furniture = _repeated_furniture(pages)
    kept = [[box for box in page if _key(box.text) not in furniture] for page in pages]
    paragraphs = [[_lines(box.text) for box in page] for page in kept]
    known = _known_words(line for page in paragraphs for para in page for line in para)
    text, starts = _join_pages([[_unwrap(lines, known) for lines in page] for page in paragraphs])
    if not text.strip():
        raise InputError(f"{name}: is a PDF whose only text is repeated page headers and footers")
    seen = [box.text.strip() for page in pages for box in page if _key(box.text) in furniture]
    return PdfText(text, tuple(starts), _title(data), tuple(dict.fromkeys(seen)))


def page_of(page_starts: tuple[int, ...] | list[int], offset: int) -> int | None:
    """The 1-based page an offset into the extracted text falls on; None for a document without pages."""
    if not page_starts:
        return None
    return max(1, bisect_right(list(page_starts), offset))


def _boxes_per_page(data: bytes, name: str, max_chars: int) -> list[list[_Box]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    pages: list[list[_Box]] = []
    total = 0
    try:
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            height = (page.y1 - page.y0) or 1.0
            boxes = [
                _Box(el.get_text(), (page.y1 - el.y1) / height, (page.y1 - el.y0) / height, el.x0, el.x1, height)
                for el in page
                if isinstance(el, LTTextContainer)
            ]
            pages.append(_reading_order(boxes))
            total += sum(len(b.text) for b in boxes)
            if total > max_chars:
                raise InputError(
                    f"{name}: has over {max_chars:,} characters of text, over the limit; split it or raise --max-chars"
                )
    except InputError:
        raise
    except PDFPasswordIncorrect:
        raise InputError(f"{name}: is an encrypted PDF that needs a password; save an unprotected copy") from None
    except PDFEncryptionError as exc:
        raise InputError(f"{name}: is an encrypted PDF we cannot open ({exc}); save an unprotected copy") from None
    except RecursionError:
        raise InputError(f"{name}: is a PDF nested too deeply to read (corrupt or hostile)") from None
    except Exception as exc:  # noqa: BLE001 - any parser failure on these bytes is an input problem
        raise InputError(f"{name}: is not a readable PDF ({type(exc).__name__}); it may be corrupt or truncated") from None
    if not pages:
        raise InputError(f"{name}: is a PDF with no pages")
    return pages


def _reading_order(boxes: list[_Box]) -> list[_Box]:
    """Boxes in reading order by recursive XY-cut: split at the widest band of white space crossing the
    whole region, across (rows, read top first) or down (columns, read left first), and again in each part.

    pdfminer's own order weighs position on both axes at once, and reads two columns with several
    paragraphs each by alternating between them."""
    if len(boxes) <= 1:
        return boxes
    across = _widest_gap([(b.top * b.height, b.bottom * b.height) for b in boxes])
    down = _widest_gap([(b.left, b.right) for b in boxes])
    if across is None and down is None:
        return sorted(boxes, key=lambda b: (b.top, b.left))
    if down is None or (across is not None and across[0] >= down[0]):
        assert across is not None
        cut = across[1]
        first = [b for b in boxes if b.bottom * b.height <= cut]
    else:
        cut = down[1]
        first = [b for b in boxes if b.right <= cut]
    rest = [b for b in boxes if b not in first]
    return _reading_order(first) + _reading_order(rest)


def _widest_gap(spans: list[tuple[float, float]]) -> tuple[float, float] | None:
    """(width, position) of the widest stretch no span covers, between the first span and the last."""
    best = None
    spans = sorted(spans)
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach and (best is None or start - reach > best[0]):
            best = (start - reach, reach)
        reach = max(reach, end)
    return best


def _key(text: str) -> str:
    """What two pages' headers share: the text with numbers (page numbers, dates) and case set aside."""
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


def _repeated_furniture(pages: list[list[_Box]]) -> set[str]:
    """Keys of boxes in the top or bottom margin that recur on most pages: running headers and footers."""
    if len(pages) < 2:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        keys = {_key(b.text) for b in page if b.bottom <= _MARGIN_SHARE or b.top >= 1 - _MARGIN_SHARE}
        counts.update(k for k in keys if k)
    need = max(2, math.ceil(_REPEAT_SHARE * len(pages)))
    return {key for key, n in counts.items() if n >= need}


def _lines(text: str) -> list[str]:
    text = text.translate(_LIGATURES)
    # Justified lines come out with a space per stretched gap: one is the word break, the rest layout.
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines() if line.strip()]
    # A soft hyphen is drawn only where a line breaks; anywhere else it is an invisible leftover.
    return [line[:-1].replace("\u00ad", "") + line[-1].replace("\u00ad", "-") for line in lines]


def _known_words(lines: Iterable[str]) -> set[str]:
    """Every word written whole somewhere in the document, hyphenated compounds included, lower-cased."""
    words: set[str] = set()
    for line in lines:
        # A line's last word may be cut in two: it says nothing about how the word is spelt.
        body = _BROKEN_WORD.sub("", line)
        words.update(w.lower() for w in _WORD.findall(body))
    return words


def _unwrap(lines: list[str], known: set[str]) -> str:
    """A text box's lines as one paragraph, words broken at a line end joined again."""
    out = ""
    for line in lines:
        if not out:
            out = line
            continue
        broken, following = _BROKEN_WORD.search(out), _NEXT_WORD.match(line)
        if broken and following and following.group(1)[0].islower():
            left, right = broken.group(1), following.group(1)
            # A compound written with its hyphen elsewhere in the document keeps it ("well-known").
            keep = out.endswith("-") and f"{left}-{right}".lower() in known and f"{left}{right}".lower() not in known
            out = (out if keep else out[:-1]) + line
        else:
            out = f"{out} {line}"
    return out


def _join_pages(pages: list[list[str]]) -> tuple[str, list[int]]:
    """Paragraphs separated by blank lines; a sentence that runs on to the next page joined with a space."""
    text, starts = "", []
    for paragraphs in pages:
        paragraphs = [p for p in paragraphs if p]
        body = "\n\n".join(paragraphs)
        if text and body and _BROKEN_WORD.search(text) and body[0].islower():
            text = text[:-1]  # a word broken across the page break
        elif text and body and not _SENTENCE_END.search(text) and body[0].islower():
            text += " "
        elif text and body:
            text += "\n\n"
        starts.append(len(text))
        text += body
    return text, starts


def _title(data: bytes) -> str | None:
    """The title in the document's metadata, when it has a usable one."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    try:
        info = PDFDocument(PDFParser(io.BytesIO(data))).info
        raw = info[0].get("Title") if info else None
        if isinstance(raw, PSLiteral):
            raw = raw.name
        title = decode_text(raw) if isinstance(raw, bytes) else raw
    except Exception:  # noqa: BLE001 - metadata is optional: the text was read already
        return None
    return title.strip() if isinstance(title, str) and title.strip() else None
