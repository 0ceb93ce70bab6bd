"""What a submit run read of a document, kept on disk for the run that collects its answers.

Submitting a document reads it (intake: HTML through trafilatura, Markdown through markdown-it) and
identifies its language; collecting its answers hours later needed both again, at a few milliseconds
a document. The submit run keeps, per document, a JSON record: the Document intake made (its text and
what is known about it) and the language found in its cleaned text. The collect run still reads the
file's bytes and checks their hash (`work.read_back`); the record then stands in for parsing them, and
is used only when it was made from the same content, path and character limit. The record is a cache,
never the truth: one that is missing, unreadable, malformed, cut short or made for other bytes is
ignored, and the document is read again, which gives the same Document (intake is a function of the
bytes, the path and the limit).

Records are packed, not a file each: every process that submits appends its records to a pack of its
own (`<out>/batch_api/read/<pack>.pack`) and, after each, a line `<doc_id> <offset> <length>` to the
pack's index (`<pack>.index`). A file a document cost a creation (0.2-0.4 ms of kernel time), a read
and an unlink; a pack costs two appends to files already open. At 10,000 documents, two forked writers
spent 1.9-3.1 s of kernel time keeping files, 0.1-0.2 s appending to packs (benchmarks/batch_api_carry.py);
SQLite, one database for all, took 4 times the packs' wall time, its writers waiting on each other's
commits, plus a quarter second to delete the rows. Only its writer appends to a pack, so a crash
(SIGKILL) at any point leaves at worst a record or an index line cut short: the line is ignored, the
record is shorter than its line says and read as none. Packs are removed whole, by the run's process
(`sweep`), once none of their documents is in flight; a collect's workers remove nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch_api.store import doc_id
from summarizer.intake import Document
from summarizer.language import Identified
from summarizer.ledger import DocKey
from summarizer.markup import PageMeta

logger = logging.getLogger(__name__)

FOLDER = "read"  # under the Batch API's folder of the output
PACK, INDEX = ".pack", ".index"
_FORMAT = 1
# Document fields a record holds; the others (where it lives, and a fetched page's URLs) are not kept,
# and a document that has them (a URL) is not carried.
_KEPT = ("text", "name", "title", "encoding", "media_type", "page_starts", "meta")


@dataclass
class _Writer:
    """This process's pack, open for appending (a forked worker opens its own: `pid`)."""

    pid: int
    folder: Path
    pack: int  # descriptors
    index: int
    size: int = 0  # the pack's length: where the next record starts


@dataclass
class _Reader:
    """Where each document's record is, as the packs' indexes said when read."""

    pid: int
    folder: Path
    where: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # doc_id -> (pack, offset, length)
    open: dict[str, int] = field(default_factory=dict)  # pack -> descriptor


_writer: _Writer | None = None
_reader: _Reader | None = None


def keep(folder: Path, key: DocKey, doc: Document, max_chars: int, language: Identified | None) -> None:
    """Record what `doc` (read from bytes hashed to `key` with `max_chars`) is, and its language when it
    was identified (None when the user gave it). Not made durable: a record lost in a crash is read again."""
    if doc.path is None or doc.url is not None:
        return
    fields = {name: getattr(doc, name) for name in _KEPT}
    record = {
        "format": _FORMAT,
        "content_hash": key.content_hash,
        "path": str(doc.path),
        "max_chars": max_chars,
        "document": {**fields, "page_starts": list(doc.page_starts), "meta": asdict(doc.meta)},
        "language": None if language is None else {"code": language.code, "confidence": language.confidence},
    }
    try:
        data = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    except ValueError as exc:  # a text json cannot write (it has none: intake checks)
        logger.info("%s: not kept for the collect run (%s)", doc.name, exc)
        return
    try:
        writer = _writing(folder)
        # Each in one write, the record before the line that points to it: a kill between the two
        # leaves a record that no line names.
        _write_all(writer.pack, data)
        _write_all(writer.index, f"{doc_id(key)} {writer.size} {len(data)}\n".encode("ascii"))
        writer.size += len(data)
    except OSError as exc:
        logger.info("%s: not kept for the collect run (%s)", doc.name, exc)
        _close_writer()  # where the next record starts is no longer known: the next goes to a new pack
    _forget_reader()  # this process's reader, if any, no longer sees every record


def load(folder: Path, key: DocKey, path: Path, max_chars: int) -> tuple[Document, Identified | None] | None:
    """The Document and language recorded for the bytes hashed to `key` at `path` read with `max_chars`,
    or None when there is no such record (missing, unreadable, malformed, or made for something else)."""
    try:
        reader = _reading(folder)
        found = reader.where.get(doc_id(key))
        if found is None:
            return None
        pack, offset, length = found
        if pack not in reader.open:
            reader.open[pack] = os.open(folder / (pack + PACK), os.O_RDONLY)
        data = os.pread(reader.open[pack], length, offset)
        if len(data) != length:  # its pack was cut short
            return None
        return _from_record(json.loads(data), key, path, max_chars)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        logger.info("%s: its record from the submit run is unusable (%s); reading it again", path, exc)
        return None


def _from_record(record: Any, key: DocKey, path: Path, max_chars: int) -> tuple[Document, Identified | None] | None:
    if (
        record.get("format") != _FORMAT
        or record.get("content_hash") != key.content_hash
        or record.get("path") != str(path)
        or record.get("max_chars") != max_chars
    ):
        return None
    fields = record["document"]
    if set(fields) != set(_KEPT):
        return None
    meta = PageMeta(**fields["meta"])
    starts = tuple(fields["page_starts"])
    if not isinstance(fields["text"], str) or not all(isinstance(s, int) for s in starts):
        return None
    doc = Document(**{**fields, "page_starts": starts, "meta": meta, "path": path})
    found = record["language"]
    if found is None:
        return doc, None
    code, confidence = found["code"], found["confidence"]
    if not isinstance(code, str) or not (confidence is None or isinstance(confidence, float | int)):
        return None
    return doc, Identified(code, confidence)


def close() -> None:
    """Close this process's pack (the next record goes to a new one) and forget what it read of the indexes
    (the next record wanted reads them again, with what other processes wrote since)."""
    _close_writer()
    _forget_reader()


def sweep(folder: Path, in_flight: set[str]) -> None:
    """Remove the packs none of whose documents is in flight any more (done, given up, or returned and sent
    again under a new record), and whatever else is in the folder (a pack whose index is gone, records of
    the one-file-a-document format). Run by the run's process between its workers' runs: the records it
    writes after this go to a new pack."""
    close()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return
    kept: set[str] = set()
    for entry in entries:
        if entry.name.endswith(INDEX) and not _names_none_of(Path(entry.path), in_flight):
            kept.add(entry.name.removesuffix(INDEX))
    for entry in entries:
        # An index goes before its pack (sorted names: ".index" < ".pack"): a crash between leaves a pack
        # without index, swept next time.
        stem, _ = os.path.splitext(entry.name)
        if stem not in kept or not entry.name.endswith((INDEX, PACK)):
            try:
                Path(entry.path).unlink(missing_ok=True)
            except OSError as exc:  # a folder someone made here: left alone
                logger.info("%s: not removed (%s)", entry.path, exc)


def locations(index: Path) -> dict[str, tuple[int, int]]:
    """doc_id -> (offset, length) of its record in the index's pack, as the index says (its whole lines;
    of two lines for one document, the later)."""
    where: dict[str, tuple[int, int]] = {}
    for line in index.read_bytes().split(b"\n")[:-1]:  # the last is empty, or a line cut short
        parts = line.split(b" ")
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            where[parts[0].decode("ascii", "replace")] = (int(parts[1]), int(parts[2]))
    return where


def _names_none_of(index: Path, in_flight: set[str]) -> bool:
    try:
        return in_flight.isdisjoint(locations(index))
    except OSError:
        return True


def _writing(folder: Path) -> _Writer:
    global _writer
    if _writer is not None and _writer.pid == os.getpid() and _writer.folder == folder:
        return _writer
    _close_writer()
    while True:
        name = f"{os.getpid()}-{os.urandom(4).hex()}"
        try:
            pack = _create(folder / (name + PACK))
        except FileExistsError:
            continue
        break
    try:
        index = _create(folder / (name + INDEX))
    except OSError:
        os.close(pack)
        raise
    _writer = _Writer(os.getpid(), folder, pack, index)
    return _writer


def _create(path: Path) -> int:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND
    try:
        return os.open(path, flags, 0o644)
    except FileNotFoundError:  # the first pack: its folder is made then, not checked for each record
        path.parent.mkdir(parents=True, exist_ok=True)
        return os.open(path, flags, 0o644)


def _write_all(fd: int, data: bytes) -> None:
    if os.write(fd, data) != len(data):  # a full disk: the rest is not tried, the pack is left
        raise OSError(f"short write to the pack of process {os.getpid()}")


def _close_writer() -> None:
    global _writer
    # Another process's (inherited through a fork) stays open: it is that process's to close.
    if _writer is not None and _writer.pid == os.getpid():
        _close_all((_writer.pack, _writer.index))
    _writer = None


def _reading(folder: Path) -> _Reader:
    """This process's reader of `folder`: the indexes read once, when a record is first wanted. A run changes
    the packs only in its own process (`keep`, `sweep`: each drops the reader) and in its submit's workers,
    which have ended before a collect's workers fork; a change from elsewhere is seen after `close`."""
    global _reader
    if _reader is not None and _reader.pid == os.getpid() and _reader.folder == folder:
        return _reader
    _forget_reader()
    reader = _Reader(os.getpid(), folder)
    for name in sorted(e.name for e in os.scandir(folder) if e.name.endswith(INDEX)):
        pack = name.removesuffix(INDEX)
        try:
            found = locations(folder / name)
        except OSError:
            continue
        for doc, (offset, length) in found.items():
            reader.where[doc] = (pack, offset, length)
    _reader = reader
    return reader


def _forget_reader() -> None:
    global _reader
    if _reader is None:
        return
    if _reader.pid == os.getpid():
        _close_all(_reader.open.values())
    _reader = None


def _close_all(fds: Iterable[int]) -> None:
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
