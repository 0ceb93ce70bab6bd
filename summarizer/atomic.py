"""Files written so that a crash never leaves a half-written one: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

# Temporary files are `.<name>.<random>.tmp` beside their target; a process killed mid-write leaves one.
TEMP_SUFFIX = ".tmp"


# mkstemp creates files readable by their owner only; a brief should get the usual permissions. The umask
# can only be read by setting it, so read it once, at import, before any thread exists.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomically(path: Path, text: str | bytes | Iterable[str | bytes], *, durable: bool = True) -> None:
    """Write via a temporary file and rename, so a crash never leaves a half-written file (text as UTF-8).

    `text` may come in pieces (an iterable of them), written as they come: a large file need not be held
    whole. `durable=False` skips the fsync: for a caller that writes many files and then makes them all
    durable with one `sync_all()` before it records them (one flush instead of one per file)."""
    with _replacing(path, durable) as fh:
        for piece in _joined((text,) if isinstance(text, (str, bytes)) else text):
            fh.write(piece)


def write_copies_atomically(text: Iterable[str], mark: str, copies: Mapping[Path, str]) -> None:
    """Write `text` to each path of `copies`, with every `mark` in it replaced by that path's string, each
    file as `write_atomically` writes one: the text is made once for all. No mark may straddle two of
    `text`'s pieces. An error while the text is made or written leaves none of the copies."""
    with contextlib.ExitStack() as stack:
        files = [(stack.enter_context(_replacing(path)), value.encode("utf-8")) for path, value in copies.items()]
        # In UTF-8 no byte of a character beyond ASCII is an ASCII byte: the encoded mark is found exactly.
        encoded = mark.encode("utf-8")
        for block in _joined(text):
            for fh, value in files:
                fh.write(block.replace(encoded, value))


@contextlib.contextmanager
def _replacing(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """A temporary file beside `path`, put in its place when the block ends (removed if it raises)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _joined(pieces: Iterable[str | bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """The pieces as UTF-8, small ones joined up to `size` characters: a page made by a template comes in
    hundreds of thousands of pieces, each a write and an encoding of its own otherwise."""
    held: list[str] = []
    length = 0
    for piece in pieces:
        if isinstance(piece, bytes):
            if held:
                yield "".join(held).encode("utf-8")
                held, length = [], 0
            yield piece
            continue
        held.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(held).encode("utf-8")
            held, length = [], 0
    if held:
        yield "".join(held).encode("utf-8")


def sync_all() -> None:
    """Make every file written with `durable=False` durable: one sync(2) for the lot. Where there is no
    sync(2) (not POSIX) nothing is done: a power cut may then lose files that a kill would not."""
    sync = getattr(os, "sync", None)
    if sync is not None:
        sync()


def remove_stale_temporaries(folder: Path) -> int:
    """Delete temporary files a killed writer left in `folder`; only call while no writer runs there."""
    removed = 0
    if not folder.is_dir():
        return 0
    for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
        if leftover.is_file():
            leftover.unlink(missing_ok=True)
            removed += 1
    return removed
