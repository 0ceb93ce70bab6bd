"""Many documents at once, with bounded concurrency; one document's failure never stops the others.

How documents run concurrently depends on the engine:
- llm / local: asyncio, at most `concurrency` documents in flight (a semaphore of workers); the time
  goes into waiting on HTTP, so one thread suffices. The local engine's llama.cpp server is started
  once for the whole batch, not once per document.
- extractive: spaCy is CPU-bound, so `concurrency` worker processes (default and maximum: one per
  core), each loading the model once when it starts and running one document at a time. Worker
  processes, even just one, also make a document stoppable (`timeout`: its worker is killed and
  replaced) and keep a crash in one document (a segfault, the OOM killer) from costing any other.
  Leaving the batch early (an error, Ctrl-C, SIGTERM) kills the workers at once: their documents were
  not done and never will be, so waiting for them would only delay the stop.

`summarize_many` is the public call. `run_batch` is the machinery under it, with hooks that `nightly`
uses to keep its ledger: `may_start` (checked before each document starts; False stops starting
new ones), `on_start`, and `on_outcome` (called as each document ends, in completion order; what it
returns to await runs alongside the next documents, and the batch ends when it has).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing_extensions import Unpack

from summarizer.api import BatchOptions, SourceLike, asummarize, choose_engine, make_settings, summarize
from summarizer.async_pool import AsyncProcessPool
from summarizer.config import Settings
from summarizer.engines import Engine, cores, registry
from summarizer.errors import EngineError
from summarizer.fetch import Fetched
from summarizer.intake import Document, from_fetched, from_file_bytes
from summarizer.schema import Brief

# Documents each event loop holds beyond its requests: read and cleaned before, grounded after.
DOCUMENTS_AHEAD = 2


@dataclass(frozen=True)
class FileSource:
    """A file's bytes, read once by the caller (who may hash them), decoded where the document runs.

    Decoding in the worker keeps HTML extraction off the caller's process, and the brief describes
    exactly the bytes the caller hashed even if the file changes meanwhile.
    """

    path: Path
    data: bytes

    def document(self, max_chars: int) -> Document:
        return from_file_bytes(self.data, self.path, max_chars=max_chars)


BatchSource = SourceLike | FileSource | Fetched


@dataclass(frozen=True)
class Outcome:
    """How one document ended: a brief, or the error that stopped it."""

    index: int
    brief: Brief | None
    error: BaseException | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.brief is not None


def effective_concurrency(engine: Engine, concurrency: int | None) -> int:
    """What `concurrency` bounds for `engine` when it is asked for: documents at once for an engine that runs
    in worker processes (one process each, a core at most), requests in flight for an event-loop engine."""
    width = concurrency or engine.default_concurrency()
    return min(width, cores()) if engine.batch_mode == "processes" else width


# --- one document, wherever it runs -----------------------------------------------------------


def _as_source(source: BatchSource, settings: Settings) -> SourceLike:
    if isinstance(source, Fetched):
        return from_fetched(source, max_chars=settings.max_chars)
    return source.document(settings.max_chars) if isinstance(source, FileSource) else source


def _summarize_here(source: BatchSource, settings: Settings) -> Brief:
    return summarize(_as_source(source, settings), settings=settings)


async def _summarize_job(settings: Settings, source: BatchSource) -> Brief:
    # Runs in a worker process, one document at a time: blocking its event loop is blocking nobody.
    return _summarize_here(source, settings)


@asynccontextmanager
async def _prepared_worker(engine: str, slot: int) -> AsyncIterator[None]:
    # Once per worker process, before its first document: e.g. the extractive engine loads spaCy.
    registry.get(engine).prepare_worker()
    yield


def _overdue(timeout: float) -> EngineError:
    return EngineError(f"took longer than {timeout:g} s and was stopped; it is retried on the next run")


# --- the batch --------------------------------------------------------------------------------


Runner = Callable[[BatchSource], Awaitable[Brief]]


async def run_batch(
    sources: Sequence[BatchSource],
    settings: Settings,
    *,
    concurrency: int | None = None,
    may_start: Callable[[int], bool] | None = None,
    on_start: Callable[[int], None] | None = None,
    on_outcome: Callable[[Outcome], Awaitable[None] | None] | None = None,
    timeout: float | None = None,
    read_ahead: bool = True,
) -> list[Outcome]:
    """Summarize `sources` with at most `concurrency` at once; an Outcome for each document started.

    For the extractive engine `concurrency` counts documents (one per worker process); for the llm and
    local engines it counts requests in flight, and with `read_ahead` a few more documents are started
    so that they are read and cleaned before their request and grounded after it, while the endpoint
    answers others. `timeout` bounds each document's seconds: an overdue document fails (its worker
    process is killed for the extractive engine) and the others go on.

    Documents start in order. Before each one, `may_start(index)` may return False to stop starting
    any more (the rest get no Outcome). A document's failure is its Outcome's `error`; only errors of
    the hooks themselves, cancellation and configuration errors (no engine, no model server) escape.
    """
    engine, _ = choose_engine(settings)
    width = max(1, min(effective_concurrency(engine, concurrency), len(sources)))
    if not sources:
        return []
    if engine.batch_mode == "processes":
        # As many workers as documents at once, so each runs one document at a time. Forked before this
        # batch starts threads of its own: a fork copies no thread, so a lock one held would stay locked.
        pool = AsyncProcessPool(width, partial(_summarize_job, settings), around=partial(_prepared_worker, engine.name))
        async with pool:
            return await _run(sources, width, _process_runner(pool, timeout), may_start, on_start, on_outcome)
    return await _run_on_event_loops(engine, sources, settings, width, timeout, read_ahead, may_start, on_start,
                                     on_outcome)


async def _run_on_event_loops(
    engine: Engine,
    sources: Sequence[BatchSource],
    settings: Settings,
    width: int,
    timeout: float | None,
    read_ahead: bool,
    may_start: Callable[[int], bool] | None,
    on_start: Callable[[int], None] | None,
    on_outcome: Callable[[Outcome], Awaitable[None] | None] | None,
) -> list[Outcome]:
    # What the whole batch shares (the local engine's one llama.cpp server) is set up once, off the loop.
    scope = engine.batch_scope(settings)
    prepared = await asyncio.to_thread(scope.__enter__)
    try:
        runner = _async_runner(prepared, timeout)
        processes = engine.loop_processes(width)
        # `width` bounds the requests in flight (see Engine.request_scope), not the documents: a few more
        # per event loop are read and cleaned before their request, and grounded after it, meanwhile.
        documents = min(len(sources), width + DOCUMENTS_AHEAD * processes * read_ahead)
        # Before any document starts (and before workers fork, so that each inherits it).
        engine.warm_up(prepared)
        if processes > 1:
            shares = request_shares(width, processes)
            # Started before this process opens any connection: a worker must not inherit one.
            loops = AsyncProcessPool(processes, runner, around=lambda slot: engine.request_scope(shares[slot]))
            async with loops:
                return await _run(sources, documents, loops.submit, may_start, on_start, on_outcome)
        async with engine.request_scope(width):
            return await _run(sources, documents, runner, may_start, on_start, on_outcome)
    finally:
        await asyncio.to_thread(scope.__exit__, None, None, None)


def request_shares(width: int, processes: int) -> list[int]:
    """`width` requests split as evenly as possible over `processes` event loops."""
    return [width // processes + (slot < width % processes) for slot in range(processes)]


def _async_runner(settings: Settings, timeout: float | None) -> Runner:
    async def run(source: BatchSource) -> Brief:
        try:
            async with asyncio.timeout(timeout):
                return await asummarize(_as_source(source, settings), settings=settings)
        except TimeoutError:
            raise _overdue(timeout or 0) from None

    return run


def _process_runner(pool: AsyncProcessPool, timeout: float | None) -> Runner:
    async def run(source: BatchSource) -> Brief:
        try:
            brief: Brief = await pool.submit(source, timeout)
        except TimeoutError:
            raise _overdue(timeout or 0) from None
        return brief

    return run


async def _run(
    sources: Sequence[BatchSource],
    width: int,
    runner: Runner,
    may_start: Callable[[int], bool] | None,
    on_start: Callable[[int], None] | None,
    on_outcome: Callable[[Outcome], Awaitable[None] | None] | None,
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    queue = iter(range(len(sources)))
    stopped = False

    async def worker() -> None:
        nonlocal stopped
        while not stopped:
            index = next(queue, None)
            if index is None:
                return
            if may_start is not None and not may_start(index):
                stopped = True
                return
            if on_start is not None:
                on_start(index)
            began = time.perf_counter()
            try:
                outcome = Outcome(index, await runner(sources[index]), None, time.perf_counter() - began)
            except Exception as exc:  # noqa: BLE001 - a document's failure is data, not the batch's end
                outcome = Outcome(index, None, exc, time.perf_counter() - began)
            outcomes.append(outcome)
            if on_outcome is not None:
                result = on_outcome(outcome)
                if inspect.isawaitable(result):
                    # The hook's awaited part (writing files, say) goes on while the next document starts.
                    group.create_task(_awaited(result))

    async with asyncio.TaskGroup() as group:
        for _ in range(width):
            group.create_task(worker())
    return outcomes


async def _awaited(result: Awaitable[None]) -> None:
    await result


# --- the public call --------------------------------------------------------------------------


async def asummarize_many(
    sources: Iterable[BatchSource],
    *,
    concurrency: int | None = None,
    timeout: float | None = None,
    return_exceptions: bool = False,
    settings: Settings | None = None,
    **options: Unpack[BatchOptions],
) -> list[Brief] | list[Brief | BaseException]:
    """The async form of `summarize_many`, with the same parameters."""
    cfg = make_settings(settings, **options)
    items = list(sources)
    failed = False

    def keep_going(_: int) -> bool:
        return return_exceptions or not failed

    def note(outcome: Outcome) -> None:
        nonlocal failed
        failed = failed or not outcome.ok

    outcomes = sorted(
        await run_batch(items, cfg, concurrency=concurrency, may_start=keep_going, on_outcome=note, timeout=timeout),
        key=lambda o: o.index,
    )
    results: list[Brief | BaseException] = []
    for outcome in outcomes:
        if outcome.brief is not None:
            results.append(outcome.brief)
        else:
            assert outcome.error is not None
            if not return_exceptions:
                raise outcome.error
            results.append(outcome.error)
    return results


def summarize_many(
    sources: Iterable[BatchSource],
    *,
    concurrency: int | None = None,
    timeout: float | None = None,
    return_exceptions: bool = False,
    settings: Settings | None = None,
    **options: Unpack[BatchOptions],
) -> list[Brief] | list[Brief | BaseException]:
    """Summarize many documents (paths, texts, bytes or Documents), at most `concurrency` at once.

    Returns the Briefs in the order of `sources`. Every document is attempted; with
    `return_exceptions=False` (the default) no new document starts after one fails and the first
    failure (in source order) is raised once those in flight have ended; with `return_exceptions=True`
    a failed document's place in the list holds its exception instead, like `asyncio.gather`.
    Options are `summarize`'s (engine, model, base_url, api_key, ...).

    Concurrency defaults to every core for the extractive engine (one process each, the spaCy model
    loaded once per process), 8 requests in flight for an LLM endpoint (above 8, the documents spread
    over one event loop per core) and 1 for the local llama.cpp engine. `timeout` (seconds) stops and
    fails any document that takes longer.
    Call `asummarize_many` from async code.
    """
    coroutine = asummarize_many(
        sources, concurrency=concurrency, timeout=timeout, return_exceptions=return_exceptions, settings=settings,
        **options,
    )
    return asyncio.run(coroutine)
