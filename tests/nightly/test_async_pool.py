"""AsyncProcessPool: jobs on the event loops of worker processes, errors as data, deaths, cleanup."""

from __future__ import annotations

import asyncio
import contextvars
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from summarizer.async_pool import AsyncProcessPool
from summarizer.errors import EngineError, InputError

SLOT: contextvars.ContextVar[int] = contextvars.ContextVar("slot", default=-1)


@asynccontextmanager
async def _mark_slot(slot: int) -> AsyncIterator[None]:
    token = SLOT.set(slot)
    try:
        yield
    finally:
        SLOT.reset(token)


async def _where(payload: int) -> tuple[int, int, int]:
    await asyncio.sleep(0.05)
    return payload, os.getpid(), SLOT.get()


async def _fail(kind: str) -> object:
    if kind == "input":
        raise InputError("page.html: has no article text")
    if kind == "other":
        raise ValueError("bad value")
    if kind == "die":
        os._exit(3)
    if kind == "unpicklable":
        return lambda: None


async def _slow(seconds: float) -> float:
    await asyncio.sleep(seconds)
    return seconds


def test_jobs_run_concurrently_in_the_workers_within_their_slot_context() -> None:
    async def main() -> tuple[list[tuple[int, int, int]], float]:
        async with AsyncProcessPool(2, _where, around=_mark_slot) as pool:
            began = asyncio.get_running_loop().time()
            results = await asyncio.gather(*(pool.submit(i) for i in range(20)))
            return results, asyncio.get_running_loop().time() - began

    results, seconds = asyncio.run(main())
    assert [payload for payload, _, _ in results] == list(range(20))
    pids = {pid for _, pid, _ in results}
    assert len(pids) == 2 and os.getpid() not in pids
    # Each worker ran its jobs inside what `around(slot)` set up, for its own slot.
    assert {slot for _, _, slot in results} == {0, 1}
    # Twenty 50 ms jobs at once on two event loops: nowhere near 20 x 50 ms one after another.
    assert seconds < 0.6


def test_a_jobs_error_comes_back_as_the_same_error_or_an_engine_error_naming_it() -> None:
    async def main() -> list[BaseException]:
        async with AsyncProcessPool(1, _fail) as pool:
            outcomes = await asyncio.gather(
                pool.submit("input"), pool.submit("other"), pool.submit("unpicklable"), return_exceptions=True
            )
            assert await pool.submit("fine") is None  # the worker goes on after its jobs' errors
            return outcomes  # type: ignore[return-value]

    given, other, unpicklable = asyncio.run(asyncio.wait_for(main(), 20))
    assert type(given) is InputError and str(given) == "page.html: has no article text"
    assert type(other) is EngineError and str(other) == "ValueError: bad value"
    # A result that cannot cross to the parent is an error there, not a wait that never ends.
    assert type(unpicklable) is EngineError and "pickle" in str(unpicklable).lower()


def test_a_worker_that_dies_fails_its_jobs_and_is_replaced() -> None:
    async def main() -> tuple[BaseException, object]:
        async with AsyncProcessPool(1, _fail) as pool:
            with pytest.raises(EngineError) as died:
                await pool.submit("die")
            return died.value, await pool.submit("fine")

    error, after = asyncio.run(main())
    assert "worker process died (exit code 3)" in str(error) and "retried on the next run" in str(error)
    assert after is None


def test_leaving_on_an_error_kills_the_workers_at_once() -> None:
    async def main() -> list[int]:
        pool = AsyncProcessPool(2, _slow)
        with pytest.raises(RuntimeError):
            async with pool:
                running = asyncio.ensure_future(pool.submit(30.0))
                await asyncio.sleep(0.2)
                raise RuntimeError("the batch stops")
        running.cancel()
        return [w.process.exitcode for w in pool._workers]

    exit_codes = asyncio.run(asyncio.wait_for(main(), 10))
    assert all(code is not None and code != 0 for code in exit_codes), "a worker outlived its pool"


def test_leaving_normally_lets_running_jobs_finish() -> None:
    async def main() -> float:
        async with AsyncProcessPool(1, _slow) as pool:
            return await pool.submit(0.1)

    assert asyncio.run(main()) == 0.1


@asynccontextmanager
async def _slow_start(slot: int) -> AsyncIterator[None]:
    time.sleep(1.5)  # what a worker does once before its first job: loading a model, say
    yield


def test_a_jobs_timeout_counts_from_when_its_worker_is_ready_and_kills_only_that_worker() -> None:
    async def main() -> tuple[float, BaseException, float, set[int]]:
        async with AsyncProcessPool(2, _slow, around=_slow_start) as pool:
            before = {w.process.pid for w in pool._workers}
            quick = await pool.submit(0.1, timeout=1.0)  # 1.5 s of start-up, then 0.1 s of job
            with pytest.raises(TimeoutError) as overdue:
                await pool.submit(30.0, timeout=1.0)
            after = await pool.submit(0.2, timeout=5.0)  # a replacement worker took the slot
            return quick, overdue.value, after, before - {w.process.pid for w in pool._workers}

    quick, overdue, after, gone = asyncio.run(asyncio.wait_for(main(), 30))
    assert quick == 0.1 and isinstance(overdue, TimeoutError) and after == 0.2
    assert len(gone) == 1, "only the overdue job's worker is killed"
