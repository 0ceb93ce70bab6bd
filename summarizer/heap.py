"""Memory a phase of a run freed, handed back to the operating system.

CPython frees large objects (long strings, list and dict tables) to the C allocator, and glibc's malloc
keeps what it was given in its heap for reuse instead of returning it: after a phase that built and
dropped a night's worth of objects (the Batch API's collect, the story index), the process would stay
as large as at that phase's peak while the next one grows on top. `malloc_trim` returns the heap's free
pages. Where the C library has no such call (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def give_back() -> None:
    """Collect garbage cycles, then return the C heap's free pages to the system (glibc only)."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def left_out_of_collections() -> Iterator[None]:
    """Objects alive now are left out of the garbage collector's passes until the block ends.

    At a night's end the run holds every brief's digest entry and story features (millions of objects at
    10,000 documents), and none of them becomes garbage before the run is over: each full collection of
    the story index and the digest (`give_back`'s, and the collector's own as the digest grows) walked
    them all, about half a second each. Garbage already there stays until the block ends, when the
    objects are handed back to the collector."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
