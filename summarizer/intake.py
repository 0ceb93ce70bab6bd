"""Intake: turn a path, stdin bytes or a string into a Document, refusing what is not text."""

from __future__ import annotations

import codecs
import dataclasses
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from summarizer.errors import InputError
from summarizer.markup import MARKDOWN_SUFFIXES, PageMeta, markdown_parser, markdown_to_text, page_meta

if TYPE_CHECKING:
    from summarizer.fetch import Fetched

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
# Control characters other than tab, newline, carriage return and form feed: text almost never has them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MAX_CONTROL_RATIO = 0.01
# Bytes per character allowed before reading: 4 covers any UTF-8 or UTF-32 text, the rest is HTML markup.
MAX_BYTES_PER_CHAR = 16
# Western text in cp1252 is mostly ASCII letters; Cyrillic or Greek bytes read as cp1252 are mostly not.
_MIN_ASCII_LETTER_RATIO = 0.7
_TAG = re.compile(r"<[A-Za-z!/][^<>]*>")
_PDF_MAGIC = b"%PDF-"
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_BINARY_SUFFIXES = frozenset({".pdf", ".docx"})
# An input refused before decoding is still measured in characters, reading at most this much of it.
_COUNT_BLOCK = 1 << 20
_COUNT_MAX_BYTES = 1 << 28


@dataclass(frozen=True)
class Document:
    """Decoded text (newlines normalised to \\n) and what is known about where it came from."""

    text: str
    name: str
    path: Path | None = None
    title: str | None = None
    encoding: str | None = None
    media_type: str = "text/plain"
    page_starts: tuple[int, ...] = ()  # a PDF's: where each page starts in `text` (page 1 at index 0)
    url: str | None = None  # a fetched document's: the URL asked for, the one answered, and when
    final_url: str | None = None
    fetched_at: datetime | None = None
    meta: PageMeta = PageMeta()  # an HTML page's author, publish date and canonical URL

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def looks_like_path(value: str) -> bool:
    """A short single-line string naming an existing file or directory is a path; anything else is text."""
    if "\n" in value or len(value) > 4096 or not value.strip():
        return False
    try:
        return Path(value).expanduser().exists()
    except (OSError, ValueError, RuntimeError):  # a NUL byte; "~user" for a user that does not exist
        return False


# A string that reads as a URL or a file name rather than as prose: refused when no such file exists, so a
# typo in a path is an error instead of a one-line "document". A single word with a suffix ("notes.txt",
# "example.com") counts; sentences do not.
_PATH_LIKE = re.compile(
    r"^(?:[^\s]*[/\\][^\s]*|[^\s]+\.[A-Za-z][A-Za-z0-9]{0,5}|(?:~|\.{1,2})?/.*\.[A-Za-z][A-Za-z0-9]{0,5})$"
)


def looks_like_missing_path(value: str) -> bool:
    """A short single-line string shaped like a file name or path that names nothing on disk."""
    candidate = value.strip()
    if not candidate or "\n" in candidate or len(candidate) > 1024 or looks_like_path(candidate):
        return False
    return bool(_PATH_LIKE.match(candidate))


def read_path(path: Path, *, max_chars: int) -> Document:
    """Read a file, with messages that name it when it is missing, a folder or unreadable."""
    name = str(path)
    try:
        if not path.exists():
            raise InputError(f"{name}: no such file; check the path")
        if path.is_dir():
            raise InputError(f"{name}: is a directory; give a file (nightly takes folders)")
        if not path.is_file():
            # A FIFO or a device (/dev/zero) could block or never end.
            raise InputError(f"{name}: is not a regular file; give a text, Markdown, HTML, PDF or Word file")
        size = path.stat().st_size
        if size > MAX_BYTES_PER_CHAR * max_chars:
            if path.suffix.lower() in _BINARY_SUFFIXES:
                raise InputError(_too_big_file(name, size, max_chars))
            with path.open("rb") as stream:
                raise InputError(_too_long(name, *_count_chars(_blocks(stream)), max_chars))
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{name}: permission denied; make the file readable") from None
    except (OSError, ValueError) as exc:  # ValueError: a path with a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(f"{name}: cannot be read ({reason})") from None
    return from_file_bytes(data, path, max_chars=max_chars)


def from_file_bytes(data: bytes, path: Path, *, max_chars: int) -> Document:
    """Decode bytes already read from `path`: a .pdf or .docx name means that, an .html/.htm name means
    HTML, an .md name Markdown, otherwise the content decides (PDF, Word, HTML or text)."""
    suffix = path.suffix.lower()
    if data and suffix == ".pdf":
        return from_pdf(data, name=str(path), path=path, max_chars=max_chars)
    if data and suffix == ".docx":
        return from_docx(data, name=str(path), path=path, max_chars=max_chars)
    html = suffix in _HTML_SUFFIXES or None
    markdown = suffix in MARKDOWN_SUFFIXES
    return from_bytes(data, name=str(path), path=path, max_chars=max_chars, html=html, markdown=markdown)


def from_pdf(data: bytes, *, name: str, path: Path | None = None, max_chars: int) -> Document:
    """A PDF's text layer (see summarizer.pdf); spans index the extracted text, pages are recorded."""
    from summarizer import pdf

    _check_size(data, name, max_chars)
    got = pdf.extract(data, name=name, max_chars=max_chars)
    doc = _finish(got.text, name=name, path=path, encoding=None, max_chars=max_chars, html=False)
    return dataclasses.replace(doc, title=got.title, media_type="application/pdf", page_starts=got.page_starts)


def from_docx(data: bytes, *, name: str, path: Path | None = None, max_chars: int) -> Document:
    """A Word file's paragraphs and tables (see summarizer.word)."""
    from summarizer import word

    _check_size(data, name, max_chars)
    got = word.extract(data, name=name, max_chars=max_chars)
    doc = _finish(got.text, name=name, path=path, encoding=None, max_chars=max_chars, html=False)
    return dataclasses.replace(doc, title=got.title, media_type=_DOCX_TYPE)


def from_fetched(fetched: Fetched, *, max_chars: int) -> Document:
    """A fetched body read as its Content-Type says: HTML, PDF, Word or plain text."""
    name, data, kind = fetched.url, fetched.data, fetched.media_type
    if kind == "application/pdf":
        doc = from_pdf(data, name=name, max_chars=max_chars)
    elif kind == _DOCX_TYPE:
        doc = from_docx(data, name=name, max_chars=max_chars)
    else:
        html = kind in ("text/html", "application/xhtml+xml")
        declared = _declared_charset(data, fetched.charset)
        if declared is None:
            doc = from_bytes(data, name=name, max_chars=max_chars, html=html)
        else:
            doc = _finish(data.decode(declared), name=name, path=None, encoding=declared, max_chars=max_chars, html=html)
    return dataclasses.replace(doc, url=fetched.url, final_url=fetched.final_url, fetched_at=fetched.fetched_at)


def _declared_charset(data: bytes, charset: str | None) -> str | None:
    """The charset the server declared, when the body decodes with it (a wrong declaration is common)."""
    if not charset or not data:
        return None
    try:
        data.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return None
    return charset.lower()


def _sniffed(data: bytes) -> str | None:
    """'pdf' or 'docx' when the bytes are one (a .docx is a zip holding word/document.xml), else None."""
    if data[:64].lstrip().startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        import io
        import zipfile

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else None
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def _check_size(data: bytes, name: str, max_chars: int) -> None:
    """A PDF's or Word file's bytes, bounded before they are parsed (their characters are not known yet)."""
    if not data:
        raise InputError(f"{name}: is empty; give a document with text in it")
    if len(data) > MAX_BYTES_PER_CHAR * max_chars:
        raise InputError(_too_big_file(name, len(data), max_chars))


def _too_big_file(name: str, size: int, max_chars: int) -> str:
    """A compressed format counts in bytes: its limit is the byte budget --max-chars allows."""
    limit = MAX_BYTES_PER_CHAR * max_chars
    return f"{name}: is {size:,} bytes, over the limit of {limit:,} bytes for a file; split it or raise --max-chars"


def read_stream(stream: BinaryIO, *, name: str = "<stdin>", max_chars: int) -> Document:
    """Read a byte stream (stdin), never holding more than the size limit allows."""
    limit = MAX_BYTES_PER_CHAR * max_chars
    try:
        data = stream.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:
        # A stream may never end (/dev/zero): what was read is all that is measured.
        raise InputError(_too_long(name, _count_chars([data])[0], True, max_chars))
    return from_bytes(data, name=name, max_chars=max_chars)


def _too_long(name: str, chars: int, more: bool, max_chars: int) -> str:
    """The one message for a document over the limit, in characters whatever was measured first."""
    size = f"more than {chars:,}" if more else f"{chars:,}"
    return f"{name}: is {size} characters, over the limit of {max_chars:,}; split it or raise --max-chars"


def _blocks(stream: BinaryIO) -> Iterator[bytes]:
    while block := stream.read(_COUNT_BLOCK):
        yield block


def _count_chars(blocks: Iterable[bytes]) -> tuple[int, bool]:
    """How many characters the bytes decode to (UTF-8 unless a BOM says otherwise), read block by block
    so that a huge input costs no memory; stops after _COUNT_MAX_BYTES, saying there were more."""
    decoder: codecs.IncrementalDecoder | None = None
    chars = read = 0
    for block in blocks:
        if decoder is None:
            encoding = next((enc for bom, enc in _BOMS if block.startswith(bom)), "utf-8")
            decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        for start in range(0, len(block), _COUNT_BLOCK):
            chars += len(decoder.decode(block[start : start + _COUNT_BLOCK]))
        read += len(block)
        if read > _COUNT_MAX_BYTES:
            return chars, True
    if decoder is not None:
        chars += len(decoder.decode(b"", final=True))
    return chars, False


def from_text(text: str, *, name: str = "<text>", max_chars: int) -> Document:
    """Wrap a string the caller already holds."""
    return _finish(text, name=name, path=None, encoding=None, max_chars=max_chars, html=None)


def from_bytes(
    data: bytes,
    *,
    name: str,
    path: Path | None = None,
    max_chars: int,
    html: bool | None = None,
    markdown: bool = False,
) -> Document:
    """Decode bytes: BOM first, then UTF-8, then charset detection; refuse binary data. When nothing says
    what the bytes are (`html` None: stdin, API bytes), a PDF or a Word file is recognised by its content."""
    if not data:
        raise InputError(f"{name}: is empty; give a document with text in it")
    kind = _sniffed(data) if html is None else None
    if kind == "pdf":
        return from_pdf(data, name=name, path=path, max_chars=max_chars)
    if kind == "docx":
        return from_docx(data, name=name, path=path, max_chars=max_chars)
    if len(data) > MAX_BYTES_PER_CHAR * max_chars:
        raise InputError(_too_long(name, *_count_chars([data]), max_chars))
    text, encoding = _decode(data, name)
    return _finish(text, name=name, path=path, encoding=encoding, max_chars=max_chars, html=html, markdown=markdown)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(f"{name}: has a {encoding} byte-order mark but does not decode as {encoding}") from None
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks binary (NUL bytes); give a text, Markdown or HTML file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    western = _western(data)
    if western is not None:
        return western, "cp1252"
    from charset_normalizer import from_bytes as detect

    try:
        best = detect(data).best()
        decoded = None if best is None or best.encoding is None else (str(best), best.encoding)
    except Exception:  # noqa: BLE001 - a detector failure means the same to the user as no match
        decoded = None
    if decoded is None:
        raise InputError(f"{name}: is not text in any encoding we recognise; convert it to UTF-8")
    return decoded


def _bomless_utf16(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes sit in every other position, as in mostly-ASCII UTF-16."""
    sample = data[:4096]
    if len(sample) < 8 or len(data) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _western(data: bytes) -> str | None:
    """The text as cp1252 (a superset of printable latin-1) when that reads as Western European text.

    Statistical detectors often call short French or Spanish text cp1250 or cp775; cp1252 is far more
    common for such files, so it wins whenever the bytes fit it and the letters are mostly ASCII.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return None
    ascii_letters = sum(1 for ch in letters if ch.isascii())
    return text if ascii_letters >= _MIN_ASCII_LETTER_RATIO * len(letters) else None


def _finish(
    text: str,
    *,
    name: str,
    path: Path | None,
    encoding: str | None,
    max_chars: int,
    html: bool | None,
    markdown: bool = False,
) -> Document:
    text = _without_lone_surrogates(text).replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]  # a BOM left by a caller that decoded the bytes itself
    if _CONTROL.search(text) and len(_CONTROL.findall(text)) > max(2, _MAX_CONTROL_RATIO * len(text)):
        raise InputError(f"{name}: looks binary (control characters); give a text, Markdown or HTML file")
    title = None
    media_type = "text/plain"
    meta = PageMeta()
    # A .html file with no tag in it is plain text whatever its name says.
    if (html and _TAG.search(text)) or (html is None and _HTML_START.match(text[:2048].encode("utf-8", "replace"))):
        text, meta = _html_to_text(text, name)
        title = meta.title
        media_type = "text/html"
    elif markdown:
        # The engines read the words, not the syntax: spans index this plain text, which the Brief carries.
        text, title = markdown_to_text(text)
        media_type = "text/markdown"
    if not text.strip():
        raise InputError(f"{name}: has no text (only whitespace); give a document with text in it")
    if len(text) > max_chars:
        raise InputError(_too_long(name, len(text), False, max_chars))
    return Document(
        text=text, name=name, path=path, title=title, encoding=encoding, media_type=media_type, meta=meta
    )


def warm_up(paths: Iterable[Path | str]) -> None:
    """Load now what reading these inputs loads on its first document: for HTML pages (a URL, a .html
    file) trafilatura and the month names its date finder reads from every dateparser locale, for
    Markdown the parser. A batch calls this before it forks worker processes, which then share all of it
    instead of each loading its own (~0.3 s and ~20 MB for HTML)."""
    html = markdown = False
    for path in paths:
        suffix = path.suffix.lower() if isinstance(path, Path) else None
        html = html or suffix is None or suffix in _HTML_SUFFIXES
        markdown = markdown or suffix in MARKDOWN_SUFFIXES
        if html and markdown:
            break
    if markdown:
        markdown_parser()
    if html:
        import trafilatura  # noqa: F401

        try:  # htmldate's own cache, filled on the first page without a plain date (its internals: optional)
            from htmldate.extractors import month_words
        except ImportError:  # pragma: no cover - another htmldate version
            return
        month_words()


def _html_to_text(html: str, name: str) -> tuple[str, PageMeta]:
    """Main text of an HTML page and what its head says. Spans then index this extracted text."""
    import trafilatura

    try:
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
        meta = page_meta(html) if text and text.strip() else PageMeta()
    except Exception as exc:  # noqa: BLE001 - a parser crash on a malformed page is an input problem
        raise InputError(f"{name}: is an HTML page we could not parse ({type(exc).__name__}); save it as text") from None
    if not text or not text.strip():
        raise InputError(f"{name}: is an HTML page with no article text we could find")
    return text, meta


def _without_lone_surrogates(text: str) -> str:
    """The text with unpaired surrogates (from a str built by hand) as U+FFFD, so it encodes as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text
