"""One function over many documents, spread over forked worker processes, the results back in order.

A Batch API night hands thousands of documents to this process at once (a finished batch's answers,
or the pending documents to submit), and each costs a few milliseconds of CPU: one core would set the
pace. Workers are forked, so they start in milliseconds with every module imported and inherit the
run's context (settings, engine, the function that writes a brief) without pickling it; only the
documents' payloads and results cross the pipe, a few documents to a task. At most `window` documents
are in flight, so neither side holds a whole night's results.

The caller records results in input order as they come. A worker that dies (the OOM killer) breaks
the pool: the documents not yet returned then run in this process, so none is lost or recorded twice.
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import os
import traceback
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from summarizer.async_pool import start_as_worker
from summarizer.engines import cores
from summarizer.heap import give_back, left_out_of_collections

P = TypeVar("P")
R = TypeVar("R")
logger = logging.getLogger(__name__)

# Fewer documents than this are not worth forking for (a fork and its first pages cost ~50 ms).
MIN_PARALLEL = 64
_WINDOW_PER_WORKER = 32
# Documents sent to a worker as one task. The pool's cost per task is paid in this process, beside the
# workers (three threads, a pipe each way, a future): ~0.15 ms of CPU a document sent alone, ~0.04 ms
# in eights. A few milliseconds of work each, eight make no worker wait.
_CHUNK = 8

_work: Callable[[Any], Any] | None = None  # a worker's function, set by `_start` from the parent's
_ran = 0  # documents a worker has done
_GIVE_BACK_EVERY = 256


def _start(parent: int, work: Callable[[Any], Any]) -> None:
    global _work
    start_as_worker(parent)
    _work = work


def _run(payload: Any) -> Any:
    global _ran
    assert _work is not None
    result = _work(payload)
    _ran += 1
    if _ran % _GIVE_BACK_EVERY == 0:
        # What the last documents' work freed, returned instead of kept by the allocator: a worker's own
        # pages are what it adds to the machine's count.
        give_back()
        # What survived is the worker's own long-lived state (caches, a few hundred objects): frozen with
        # the parent's, so that the next collections, this one's and the automatic ones, walk only what
        # the documents since made (each walked it all again: ~7 ms a collection, ~1 s a worker a night).
        gc.freeze()
    return result


def _run_chunk(payloads: list[Any]) -> tuple[list[Any], Exception | None]:
    """`_run` of each payload, in order, up to the first that raises: the results before it, and its error."""
    results = []
    for payload in payloads:
        try:
            results.append(_run(payload))
        except Exception as exc:  # noqa: BLE001 - raised in the caller after the results before it
            exc.add_note(f"in worker process {os.getpid()}:\n{traceback.format_exc()}")  # pickled with it
            return results, exc
    return results, None


def processes_for(documents: int, wanted: int | None = None) -> int:
    """Worker processes for `documents`: one per core (at most `wanted`), or 1 (no pool) for a few."""
    if documents < MIN_PARALLEL:
        return 1
    available = cores()
    return max(1, min(available, wanted or available))


def _chunks(payloads: Iterable[P], size: int) -> Iterator[list[P]]:
    it = iter(payloads)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def ordered_map(work: Callable[[P], R], payloads: Iterable[P], processes: int) -> Generator[R, None, None]:
    """`work(payload)` for each payload, in order: in `processes` forked workers, or here when 1.
    Stop iterating at any time; what is in flight is dropped (`work` must leave nothing half done)."""
    if processes <= 1:
        yield from map(work, payloads)
        return
    pending = _chunks(payloads, _CHUNK)
    window = processes * _WINDOW_PER_WORKER // _CHUNK
    flying: deque[tuple[list[P], Future[tuple[list[R], Exception | None]]]] = deque()
    executor = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"), initializer=_start,
                                   initargs=(os.getpid(), work))
    # The workers fork on the first submit. Frozen, this process's objects are left out of the garbage
    # collections on both sides, which would otherwise touch, and so copy, every page they share: the
    # workers' collections in them, and this one's in itself (its copy then leaves the workers alone
    # with the old pages). They stay frozen while the workers live; what is unreachable among them
    # is collected once the workers are gone (`heap.left_out_of_collections`).
    with left_out_of_collections():
        try:
            for chunk in pending:
                flying.append((chunk, executor.submit(_run_chunk, chunk)))
                if len(flying) >= window:
                    break
            while flying:
                chunk, future = flying.popleft()
                try:
                    results, error = future.result()
                except BrokenProcessPool:
                    # Of the chunk the dead worker held, those it did are done again here: `work` leaves
                    # nothing half done, and only this process records a result.
                    logger.warning("a worker process died; the remaining documents run in this process")
                    executor.shutdown(wait=False, cancel_futures=True)
                    held = [chunk, *(left for left, _ in flying)]
                    flying.clear()
                    for left in itertools.chain(held, pending):
                        yield from map(work, left)
                    return
                for more in pending:
                    flying.append((more, executor.submit(_run_chunk, more)))
                    break
                yield from results
                if error is not None:
                    raise error
        finally:
            # With every result taken (the caller usually stops at the last one, closing this), the workers
            # are let finish before this process collects its garbage again (unfrozen) and grows on: each
            # page it touched meanwhile would be copied while a worker still held the old one. Stopped
            # early, what is in flight is dropped and no one waits.
            executor.shutdown(wait=not flying, cancel_futures=True)
