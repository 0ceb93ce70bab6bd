"""Intake: turn a path, stdin bytes or a string into a Document, refusing what is not text."""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from summarizer.errors import InputError

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


@dataclass(frozen=True)
class Document:
    """Decoded text (newlines normalised to \\n) and what is known about where it came from."""

    text: str
    name: str
    path: Path | None = None
    title: str | None = None
    encoding: str | None = None
    media_type: str = "text/plain"

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def looks_like_path(value: str) -> bool:
    """A short single-line string naming an existing file or directory is a path; anything else is text."""
    if "\n" in value or len(value) > 4096 or not value.strip():
        return False
    try:
        return Path(value).expanduser().exists()
    except OSError:
        return False


def read_path(path: Path, *, max_chars: int) -> Document:
    """Read a file, with messages that name it when it is missing, a folder or unreadable."""
    name = str(path)
    if not path.exists():
        raise InputError(f"{name}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{name}: is a directory; give a file (nightly takes folders)")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise InputError(f"{name}: permission denied; make the file readable") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror or exc})") from None
    is_html = path.suffix.lower() in _HTML_SUFFIXES
    return from_bytes(data, name=name, path=path, max_chars=max_chars, html=is_html or None)


def from_text(text: str, *, name: str = "<text>", max_chars: int) -> Document:
    """Wrap a string the caller already holds."""
    return _finish(text, name=name, path=None, encoding=None, max_chars=max_chars, html=None)


def from_bytes(
    data: bytes, *, name: str, path: Path | None = None, max_chars: int, html: bool | None = None
) -> Document:
    """Decode bytes: BOM first, then UTF-8, then charset detection; refuse binary data."""
    if not data.strip():
        raise InputError(f"{name}: is empty; give a document with text in it")
    text, encoding = _decode(data, name)
    return _finish(text, name=name, path=path, encoding=encoding, max_chars=max_chars, html=html)


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                raise InputError(f"{name}: has a {encoding} byte-order mark but does not decode as {encoding}") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: looks binary (NUL bytes); give a text, Markdown or HTML file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes as detect

    best = detect(data).best()
    if best is None or best.encoding is None:
        raise InputError(f"{name}: is not text in any encoding we recognise; convert it to UTF-8")
    return str(best), best.encoding


def _finish(
    text: str, *, name: str, path: Path | None, encoding: str | None, max_chars: int, html: bool | None
) -> Document:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _CONTROL.search(text) and len(_CONTROL.findall(text)) > max(2, _MAX_CONTROL_RATIO * len(text)):
        raise InputError(f"{name}: looks binary (control characters); give a text, Markdown or HTML file")
    title = None
    media_type = "text/plain"
    if html or (html is None and _HTML_START.match(text[:2048].encode("utf-8", "replace"))):
        text, title = _html_to_text(text, name)
        media_type = "text/html"
    if not text.strip():
        raise InputError(f"{name}: has no text (only whitespace); give a document with text in it")
    if len(text) > max_chars:
        raise InputError(
            f"{name}: is {len(text):,} characters, over the limit of {max_chars:,}; "
            "split it or raise --max-chars"
        )
    return Document(text=text, name=name, path=path, title=title, encoding=encoding, media_type=media_type)


def _html_to_text(html: str, name: str) -> tuple[str, str | None]:
    """Main text of an HTML page. Spans then index this extracted text, which the Brief carries."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text or not text.strip():
        raise InputError(f"{name}: is an HTML page with no article text we could find")
    meta = trafilatura.extract_metadata(html)
    return text, (meta.title if meta is not None else None)
