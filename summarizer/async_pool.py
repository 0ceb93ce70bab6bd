"""Worker processes that each run an event loop, for batches whose documents wait on HTTP.

An LLM batch spends about 7 ms of one core on each document (the openai SDK and instructor building
and parsing the request, then grounding and verification), whatever the server's latency. Against a
fast server at high concurrency that single core, not the server, sets the pace: 16 requests in
flight at 200 ms each ask for 80 documents a second. `AsyncProcessPool` spreads documents over one
event loop per worker process, so every core takes its share.

The parent keeps the batch's own bound on documents (its workers decide what starts and when), and
each document goes to the process with the fewest in flight. Each side blocks on its queue in a thread
of its own and hands what arrives to its event loop, so a result reaches the parent as soon as it is
ready. (aiomultiprocess polls its queues every 5 ms on both sides, which adds up to 10 ms to every
document.)

A worker that dies (a crash, the OOM killer) fails the documents it held and is replaced. Leaving
the pool on an error or a cancellation (Ctrl-C) kills the workers: documents in flight then simply
never end, which is what a batch records as "not done".
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from typing import Any

from summarizer.errors import EngineError, PortableError, from_portable, to_portable
from summarizer.heap import left_out_of_collections

Job = Callable[[Any], Awaitable[Any]]
Around = Callable[[int], AbstractAsyncContextManager[Any]]

# Fork, not spawn: a worker starts in milliseconds with every module already imported, instead of
# spending a second importing openai and instructor again.
_CONTEXT = multiprocessing.get_context("fork")
_ALIVE_CHECK_SECONDS = 0.5
_PARENT_WATCH_SECONDS = 1.0
_STOP = None
_READY = "ready"  # a worker's first message: what every job needs is set up (`around` entered)


def _watch_parent(parent: int) -> None:
    # A worker whose parent was killed (kill -9) would otherwise wait on its task queue forever.
    while os.getppid() == parent:
        time.sleep(_PARENT_WATCH_SECONDS)
    os._exit(1)


def start_as_worker(parent: int) -> None:
    """Set up a forked worker process of `parent` (from its main thread): Ctrl-C, which reaches the whole
    process group, is left to the parent to act on, and the worker ends once the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's event loop left its wake-up pipe registered for signals; it is not this process's.
    signal.set_wakeup_fd(-1)
    threading.Thread(target=_watch_parent, args=(parent,), name="parent-watch", daemon=True).start()


def _worker_main(tasks: Any, results: Any, job: Job, around: Around | None, slot: int, parent: int) -> None:
    start_as_worker(parent)
    asyncio.run(_serve(tasks, results, job, around(slot) if around is not None else nullcontext()))


async def _serve(tasks: Any, results: Any, job: Job, around: AbstractAsyncContextManager[Any]) -> None:
    loop = asyncio.get_running_loop()
    stopped = loop.create_future()
    running: set[asyncio.Task[None]] = set()

    async def one(task_id: int, payload: Any) -> None:
        try:
            # Pickled here rather than by the queue's feeder thread, which would drop a result it
            # cannot pickle and leave the parent waiting for it.
            result = pickle.dumps(await job(payload), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent as data
            results.put((task_id, None, to_portable(exc)))
        else:
            results.put((task_id, result, None))

    async with around:
        results.put(_READY)
        # Jobs run in this context (what `around` set, e.g. shared HTTP clients), not in that of
        # the thread that received them.
        context = contextvars.copy_context()

        def start(message: tuple[int, Any]) -> None:
            task = loop.create_task(one(*message), context=context)
            running.add(task)
            task.add_done_callback(running.discard)

        def receive() -> None:
            while (message := tasks.get()) is not _STOP:
                loop.call_soon_threadsafe(start, message)
            loop.call_soon_threadsafe(stopped.set_result, None)

        threading.Thread(target=receive, name="tasks", daemon=True).start()
        await stopped
        while running:
            await asyncio.gather(*running)
    results.put(_STOP)
    # Let the queue's feeder thread hand over every result before the process ends.
    results.close()
    results.join_thread()


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    tasks: Any
    results: Any
    held: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    dead: bool = False
    ready: asyncio.Event = field(default_factory=asyncio.Event)


class AsyncProcessPool:
    """`processes` worker processes, each running `job(payload)` coroutines on its own event loop.

    `around(slot)` (optional) is entered once per worker around all its jobs, `slot` being the worker's
    number from 0 (a replacement gets the number of the worker it replaces): e.g. HTTP clients shared
    by the jobs, and their share of a bound on requests. Use as
    `async with AsyncProcessPool(...) as pool: result = await pool.submit(payload)`. A job's exception
    comes back as the same SummarizerError (others as an EngineError naming them).
    """

    def __init__(self, processes: int, job: Job, around: Around | None = None) -> None:
        self._size = processes
        self._job = job
        self._around = around
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> AsyncProcessPool:
        self._loop = asyncio.get_running_loop()
        self._workers = [self._start(slot) for slot in range(self._size)]
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            await asyncio.to_thread(self._stop)
        else:
            self._kill()

    def _start(self, slot: int) -> _Worker:
        tasks, results = _CONTEXT.Queue(), _CONTEXT.Queue()
        process = _CONTEXT.Process(
            target=_worker_main,
            args=(tasks, results, self._job, self._around, slot, os.getpid()),
            name="summarizer-worker",
            daemon=True,
        )
        # The worker's garbage collector would otherwise walk every object inherited from this process,
        # copying the memory it shares with it page by page while its first documents wait.
        with left_out_of_collections():
            process.start()
        worker = _Worker(process, tasks, results)
        threading.Thread(target=self._receive, args=(worker,), name="worker-results", daemon=True).start()
        return worker

    async def submit(self, payload: Any, timeout: float | None = None) -> Any:
        """Run `job(payload)` in the worker with the fewest jobs in flight; its result or its error.

        After `timeout` seconds the job's worker is killed (a running job cannot be stopped otherwise),
        whatever else it held fails as in any death, its slot gets a new worker, and TimeoutError is raised.
        """
        assert self._loop is not None, "use the pool inside `async with`"
        alive = [w for w in self._workers if not w.dead]
        if not alive:
            raise EngineError("no worker process could be started (out of memory or processes?)")
        worker = min(alive, key=lambda w: len(w.held))
        task_id = next(self._ids)
        future = self._loop.create_future()
        worker.held[task_id] = future
        worker.tasks.put((task_id, payload))
        try:
            # A job's time starts once its worker is set up (a model loaded, say), or a short timeout
            # would fail the first jobs of every worker and of each replacement.
            await worker.ready.wait()
            result, error = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._kill_one(worker)
            raise
        finally:
            worker.held.pop(task_id, None)
        if error is not None:
            raise from_portable(error)
        return result

    # --- the parent's side of each worker, in its own thread -----------------------------------

    def _receive(self, worker: _Worker) -> None:
        assert self._loop is not None
        while True:
            try:
                message = worker.results.get(timeout=_ALIVE_CHECK_SECONDS)
            except queue.Empty:
                if worker.process.is_alive():
                    continue
                self._call(self._died, worker)
                return
            except (EOFError, OSError):  # the queue was closed under us: the pool is being killed
                return
            if message is _STOP:
                return
            if message == _READY:
                self._call(worker.ready.set)
                continue
            task_id, data, error = message
            result = None
            if data is not None:
                try:
                    result = pickle.loads(data)
                except Exception as exc:  # noqa: BLE001 - e.g. a class this process cannot import
                    error = to_portable(exc)
            self._call(self._deliver, worker, task_id, result, error)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        assert self._loop is not None
        try:
            self._loop.call_soon_threadsafe(callback, *args)
        except RuntimeError:  # the loop has closed: nobody waits for this any more
            pass

    @staticmethod
    def _deliver(worker: _Worker, task_id: int, result: Any, error: PortableError | None) -> None:
        future = worker.held.get(task_id)
        if future is not None and not future.done():
            future.set_result((result, error))

    def _kill_one(self, worker: _Worker) -> None:
        # Reaped at once (SIGKILL ends a process within milliseconds) and replaced now, not when its
        # receiving thread next looks: no further job may be sent to the dying worker meanwhile.
        worker.process.kill()
        worker.process.join(_ALIVE_CHECK_SECONDS)
        self._died(worker)

    def _died(self, worker: _Worker) -> None:
        if worker.dead or worker not in self._workers:
            return
        worker.dead = True
        # Nobody reads its task pipe any more: a payload stuck in it must not hold up this process's exit.
        worker.tasks.cancel_join_thread()
        error = EngineError(
            f"the worker process died (exit code {worker.process.exitcode}) while this document was in flight; "
            "it is retried on the next run"
        )
        for future in worker.held.values():
            if not future.done():
                future.set_exception(error)
        worker.ready.set()  # no wait for a worker that will never be ready: its jobs have failed
        slot = self._workers.index(worker)
        try:
            self._workers[slot] = self._start(slot)
        except OSError:  # no process to be had: the others carry on, `submit` fails once none is left
            pass

    # --- the end ---------------------------------------------------------------------------------

    def _stop(self) -> None:
        for worker in self._workers:
            worker.tasks.put(_STOP)
        for worker in self._workers:
            worker.process.join()

    def _kill(self) -> None:
        for worker in self._workers:
            worker.dead = True
            if worker.process.is_alive():
                worker.process.kill()
        for worker in self._workers:
            worker.process.join()
            worker.tasks.cancel_join_thread()
