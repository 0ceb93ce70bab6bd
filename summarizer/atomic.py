"""Files written so that a crash never leaves a half-written one: each is put in place whole, once written."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import TypeVar

# Temporary files are `.<name>.<pid>.<n>.tmp` beside their target; a process killed mid-write leaves one.
TEMP_SUFFIX = ".tmp"


# A temporary file's name: unique in this process by the counter, across processes by the pid (a forked
# worker has its own); a name left by a killed process of the same pid is skipped (O_EXCL).
_COUNTER = itertools.count()
# Created as open(2) creates any file (mode 0o666 less the umask, as the kernel applies it): the usual
# permissions without a chmod. O_NOFOLLOW: a symlink planted at the temporary name is not followed.
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def write_atomically(path: Path, text: str | bytes | Iterable[str | bytes], *, durable: bool = True) -> None:
    """Write to a new file put in place once whole, so a crash never leaves a half-written file (text as
    UTF-8).

    `text` may come in pieces (an iterable of them), written as they come: a large file need not be held
    whole. `durable=False` skips the fsync: for a caller that writes many files and then makes them all
    durable with one `sync_all()` before it records them (one flush instead of one per file)."""
    with _replacing(path, durable) as write:
        if isinstance(text, (str, bytes)):
            write(text.encode("utf-8") if isinstance(text, str) else text)
        else:
            for piece in _joined(text):
                write(piece)


class MarksMiscounted(ValueError):
    """The text given to `write_copies_atomically` did not hold the number of marks it was to hold."""


def write_copies_atomically(text: Iterable[str], mark: str, copies: Mapping[Path, str], *,
                            marks: int | None = None) -> None:
    """Write `text` to each path of `copies`, with every `mark` in it replaced by that path's string, each
    file as `write_atomically` writes one: the text is made once for all. No mark may straddle two of
    `text`'s pieces. An error while the text is made or written leaves none of the copies.

    `marks`: how many marks the text holds where the caller put them. Any other count (the mark also
    came from the text's own words) raises MarksMiscounted, and none of the copies is written."""
    with contextlib.ExitStack() as stack:
        files = [(stack.enter_context(_replacing(path)), value.encode("utf-8")) for path, value in copies.items()]
        # In UTF-8 no byte of a character beyond ASCII is an ASCII byte: the encoded mark is found exactly.
        encoded = mark.encode("utf-8")
        found = 0
        for block in _joined(text):
            found += block.count(encoded)
            for write, value in files:
                write(block.replace(encoded, value))
        if marks is not None and found != marks:
            raise MarksMiscounted(f"{found} marks where {marks} were put")


@contextlib.contextmanager
def _replacing(path: Path, durable: bool = True) -> Iterator[Callable[[bytes], None]]:
    """A new file for `path`'s content, put in its place whole when the block ends (removed if it
    raises); the block writes to it with the function it is given.

    Plain os calls (open, write, close, link or rename): a nightly run writes three files per brief, and
    the tempfile/io layers cost more than the writing (mkstemp's random names, fdopen's fstat, ioctl and
    lseek, a chmod, a mkdir of the folder every time)."""
    fd, tmp = _create_temporary(path)
    try:
        try:
            yield partial(_write_all, fd)
            if durable:
                os.fsync(fd)
            if tmp is None:
                tmp = _place(fd, path)
        finally:
            os.close(fd)
        if tmp is not None:
            os.replace(tmp, path)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise


# On Linux the file is made unnamed in its folder (O_TMPFILE) and linked at its path once whole: one change
# to the folder where a temporary name costs two more (made, then renamed over the target). Two workers
# writing a night's briefs into one folder wait on it in the kernel: 30,000 files from two processes took
# about half the system time this way (benchmarks/file_writes.py). An unnamed file is never left behind.
# The link goes through /proc/self/fd; without /proc, or where the file system has no unnamed files,
# every file gets a temporary name.
_UNNAMED = os.O_TMPFILE | os.O_RDWR | os.O_CLOEXEC if hasattr(os, "O_TMPFILE") and os.path.isdir("/proc/self/fd") else 0
_NAMED_ONLY: set[str] = set()  # folders where an unnamed file could not be made


def _create_temporary(path: Path) -> tuple[int, str | None]:
    """A new, empty file for `path`'s content (its folder made if missing): its descriptor, and its
    temporary name beside `path`, or None for an unnamed file (`_place` links it)."""
    folder = os.fspath(path.parent)
    try:
        return _create_in(folder, path.name)
    except FileNotFoundError:
        # The folder is missing, or was until another thread or process made it just now: make sure of it
        # and try again, once.
        os.makedirs(folder, exist_ok=True)
        return _create_in(folder, path.name)


def _create_in(folder: str, name: str) -> tuple[int, str | None]:
    if _UNNAMED and folder not in _NAMED_ONLY:
        try:
            return os.open(folder, _UNNAMED, 0o666), None
        except FileNotFoundError:
            raise
        except OSError:  # no unnamed files here (EOPNOTSUPP), or a kernel without them (EISDIR, EINVAL)
            _NAMED_ONLY.add(folder)
    return _create_named(f"{folder}{os.sep}.{name}.{os.getpid()}.")


def _create_named(prefix: str) -> tuple[int, str]:
    return _at_free_name(prefix, lambda tmp: (os.open(tmp, _FLAGS, 0o666), tmp))


T = TypeVar("T")


def _at_free_name(prefix: str, make: Callable[[str], T]) -> T:
    """`make(name)` for the first temporary name `prefix` + n that it does not find taken (FileExistsError)."""
    for _ in range(10_000):
        try:
            return make(f"{prefix}{next(_COUNTER)}{TEMP_SUFFIX}")
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name {prefix}*")


def _place(fd: int, path: Path) -> str | None:
    """Link the unnamed file `fd` at `path`: None once done. Where a file is there already, it is linked
    at a temporary name instead, which is returned for the caller to rename over it; where it cannot be
    linked at all, its content is copied to a file of that name."""
    source = f"/proc/self/fd/{fd}"
    prefix = f"{path.parent}{os.sep}.{path.name}.{os.getpid()}."
    try:
        _link(source, os.fspath(path), fd)
        return None
    except FileExistsError:
        pass
    except OSError:
        return _copied(fd, prefix)

    def linked(tmp: str) -> str:
        _link(source, tmp, fd)
        return tmp

    return _at_free_name(prefix, linked)


def _link(source: str, target: str, fd: int) -> None:
    # os.link calls link(2), which does not follow /proc/self/fd/N to the open file, unless a descriptor
    # is given for the source's folder: then it calls linkat(2) with AT_SYMLINK_FOLLOW. The source path is
    # absolute, so that descriptor is never read as a folder.
    os.link(source, target, src_dir_fd=fd, follow_symlinks=True)


def _copied(fd: int, prefix: str) -> str:
    """The content of `fd` copied to a new file with a temporary name, which is returned."""
    out, tmp = _create_named(prefix)
    try:
        offset = 0
        while block := os.pread(fd, 1 << 20, offset):
            _write_all(out, block)
            offset += len(block)
        os.fsync(out)
    except BaseException:
        os.close(out)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(out)
    return tmp


def _write_all(fd: int, data: bytes) -> None:
    # os.write may write less than it was given (a signal, a pipe); the rest follows.
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


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
