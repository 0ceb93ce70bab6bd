"""Intake: bytes, files, streams and strings to a Document, and every way an input is refused."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.intake import from_bytes, from_file_bytes, from_text, looks_like_path, read_path, read_stream

LIMIT = 10_000
TEXT = "Ministers met in Brüssels on Monday — “a long day”, one said.\n"


def test_utf8_with_and_without_bom_decodes_to_the_same_text() -> None:
    plain = from_bytes(TEXT.encode("utf-8"), name="a", max_chars=LIMIT)
    bom = from_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"), name="a", max_chars=LIMIT)
    assert plain.text == bom.text == TEXT


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_is_detected_with_or_without_a_bom(encoding: str) -> None:
    assert from_bytes(TEXT.encode(encoding), name="a", max_chars=LIMIT).text == TEXT


def test_cp1252_falls_back_and_records_the_encoding() -> None:
    text = "Caf\u00e9 owners said prices rose \u201csharply\u201d.\n"
    doc = from_bytes(text.encode("cp1252"), name="a", max_chars=LIMIT)
    assert doc.text == text
    assert doc.encoding is not None and doc.encoding != "utf-8"


def test_windows_and_old_mac_newlines_become_unix_ones() -> None:
    assert from_text("a\r\nb\rc", max_chars=LIMIT).text == "a\nb\nc"


def test_sha256_is_of_the_decoded_text() -> None:
    import hashlib

    doc = from_text(TEXT, max_chars=LIMIT)
    assert doc.sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"   \n\t  \n", "has no text"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "binary"),
    ],
)
def test_unusable_bytes_are_refused_with_one_line_naming_the_input(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        from_bytes(data, name="inbox/x.txt", max_chars=LIMIT)
    assert str(info.value).startswith("inbox/x.txt: ")
    assert "\n" not in str(info.value)


def test_text_over_the_limit_names_both_sizes_in_characters() -> None:
    with pytest.raises(InputError, match=r"is 101 characters, over the limit of 100"):
        from_text("x" * 101, max_chars=100)


def test_html_bytes_become_the_page_main_text_with_its_title() -> None:
    page = (
        "<!doctype html><html><head><title>Storm hits coast</title></head><body><nav>Home | World</nav>"
        "<article><h1>Storm hits coast</h1><p>The storm reached the coast on Tuesday, officials said, "
        "and about 12,000 homes lost power across the region.</p><p>Repairs could take a week, the "
        "utility company warned in a statement.</p></article></body></html>"
    )
    doc = from_bytes(page.encode(), name="page.html", max_chars=LIMIT)
    assert doc.media_type == "text/html"
    assert "12,000 homes lost power" in doc.text
    assert "<p>" not in doc.text
    assert doc.title == "Storm hits coast"


def test_a_html_suffix_without_tags_is_plain_text(tmp_path: Path) -> None:
    doc = from_file_bytes(b"Just words, no markup.\n", tmp_path / "note.html", max_chars=LIMIT)
    assert doc.media_type == "text/plain"


def test_read_path_names_missing_files_and_folders(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_path(tmp_path / "missing.txt", max_chars=LIMIT)
    with pytest.raises(InputError, match="is a directory"):
        read_path(tmp_path, max_chars=LIMIT)


def test_read_path_refuses_a_file_too_large_before_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 2_000)
    with pytest.raises(InputError, match="is 2,000 characters, over the limit of 100"):
        read_path(big, max_chars=100)


def test_read_stream_stops_reading_past_the_limit() -> None:
    stream = io.BytesIO(b"x" * 10_000)
    with pytest.raises(InputError, match="is more than 1,601 characters, over the limit of 100"):
        read_stream(stream, max_chars=100)
    assert stream.tell() < 10_000


def test_looks_like_path_only_for_existing_single_line_names(tmp_path: Path) -> None:
    existing = tmp_path / "a.txt"
    existing.write_text("x", encoding="utf-8")
    assert looks_like_path(str(existing))
    assert not looks_like_path(str(tmp_path / "missing.txt"))
    assert not looks_like_path("two\nlines")
    assert not looks_like_path("bad\x00name")


@pytest.mark.parametrize(
    ("data", "chars"),
    [(b"x" * 4920, "4,920"), ("é".encode() * 2000, "2,000"), (codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") * 1000, "2,000")],
)
def test_input_refused_before_decoding_is_measured_in_characters_too(tmp_path: Path, data: bytes, chars: str) -> None:
    """Bytes over the limit are refused before decoding, with the same one-unit message as decoded text."""
    path = tmp_path / "long.txt"
    path.write_bytes(data)
    expected = f"is {chars} characters, over the limit of 100; split it or raise --max-chars"
    for refuse in (lambda: read_path(path, max_chars=100), lambda: from_bytes(data, name=str(path), max_chars=100)):
        with pytest.raises(InputError) as info:
            refuse()
        assert str(info.value) == f"{path}: {expected}"
    # A stream is read no further than the limit allows, so its size is a lower bound, still in characters.
    with pytest.raises(InputError, match=r"^<stdin>: is more than [\d,]+ characters, over the limit of 100;"):
        read_stream(io.BytesIO(data), max_chars=100)
