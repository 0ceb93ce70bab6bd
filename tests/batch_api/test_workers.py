"""The worker processes of a Batch API run: results in order, the work really forked, nothing lost or done
twice when a worker dies, and an early stop that leaves no process behind."""

from __future__ import annotations

import contextlib
import gc
import os
import time

import pytest

from summarizer.batch_api import workers
from summarizer.batch_api.workers import ordered_map, processes_for

PARENT = os.getpid()


def _square_where(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_results_come_back_in_order_from_forked_workers() -> None:
    results = list(ordered_map(_square_where, range(300), 2))
    assert [square for square, _ in results] == [n * n for n in range(300)]
    assert {pid for _, pid in results} - {PARENT}, "no document ran in a worker process"
    assert PARENT not in {pid for _, pid in results}


def test_one_process_runs_here_without_forking() -> None:
    assert {pid for _, pid in ordered_map(_square_where, range(10), 1)} == {PARENT}


def _dies_in_a_worker_at_seven(n: int) -> tuple[int, int]:
    if n == 7 and os.getpid() != PARENT:
        os._exit(1)  # as the OOM killer would end it: no exception, no goodbye
    return n, os.getpid()


def test_a_dead_worker_leaves_the_rest_to_this_process(caplog: pytest.LogCaptureFixture) -> None:
    results = list(ordered_map(_dies_in_a_worker_at_seven, range(200), 2))
    assert [n for n, _ in results] == list(range(200))  # each exactly once, in order
    assert dict(results)[7] == PARENT
    assert "worker process died" in caplog.text


def _slow(n: int) -> int:
    time.sleep(0.01)
    return n


def test_stopping_early_stops_the_workers() -> None:
    mapped = ordered_map(_slow, range(10_000), 2)
    assert [next(mapped) for _ in range(5)] == [0, 1, 2, 3, 4]
    children = _children()
    assert children, "the workers were not forked"
    mapped.close()
    deadline = time.monotonic() + 10
    while _children() & children and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _children() & children


def _children() -> set[int]:
    found: set[int] = set()
    for task in os.listdir(f"/proc/{PARENT}/task"):
        with open(f"/proc/{PARENT}/task/{task}/children") as handle:
            found.update(int(pid) for pid in handle.read().split())
    return found


def test_few_documents_are_not_worth_a_pool() -> None:
    assert processes_for(workers.MIN_PARALLEL - 1) == 1
    assert processes_for(10_000, 1) == 1
    assert 1 <= processes_for(10_000) <= (os.cpu_count() or 1)
    assert processes_for(10_000, 64) == processes_for(10_000)  # never more than the cores


def test_the_run_warms_the_engine_up_once_before_its_workers_fork() -> None:
    """What each worker would otherwise pay on its first document (the engine's client libraries, its
    prompt templates and schema) is prepared in the parent, once, and inherited."""
    from summarizer.batch_api.work import Context
    from summarizer.config import Settings
    from summarizer.engines.llm import LLMEngine

    warmed: list[Settings] = []

    class Recording(LLMEngine):
        def warm_up(self, settings: Settings) -> None:
            warmed.append(settings)
            super().warm_up(settings)

    settings = Settings(engine="llm", base_url="http://127.0.0.1:9/v1", model="gpt-4o-mini", language="en")
    Context(settings, Recording(), "test", lambda item, brief: None).share()
    assert warmed == [settings]


def test_the_language_model_is_shared_to_submit_but_not_to_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settling reads each document's language from what the submit run recorded: loading the model
    (~70 MB, inherited by every worker) would be for nothing."""
    from summarizer import language
    from summarizer.batch_api.work import Context
    from summarizer.config import Settings
    from summarizer.engines.llm import LLMEngine

    loaded: list[bool] = []
    monkeypatch.setattr(language, "load", lambda: loaded.append(True))
    settings = Settings(engine="llm", base_url="http://127.0.0.1:9/v1", model="gpt-4o-mini")
    context = Context(settings, LLMEngine(), "test", lambda item, brief: None)
    context.share(settling=True)
    assert loaded == []
    context.share()
    assert loaded == [True]


def test_workers_are_gone_when_the_caller_stops_at_the_last_result() -> None:
    """A caller zips its items with the results and so closes the map at the last one, never asking for
    more: the workers have exited by then (the run's next garbage collection would otherwise copy the
    pages they still share), and this process's objects are no longer frozen."""
    items = list(range(200))
    with contextlib.closing(ordered_map(_square_where, items, 2)) as results:
        pids = {pid for _, (_, pid) in zip(items, results)}
    assert pids - {PARENT}
    for pid in pids - {PARENT}:
        with pytest.raises(ProcessLookupError):  # exited and reaped, not merely told to stop
            os.kill(pid, 0)
    assert gc.get_freeze_count() == 0


def _fails_at_thirteen(n: int) -> int:
    if n == 13:
        raise ValueError(f"no good: {n}")
    return n


def test_an_error_in_a_worker_comes_after_every_result_before_it() -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match="no good: 13") as raised:
        got.extend(ordered_map(_fails_at_thirteen, range(100), 2))
    assert got == list(range(13))
    assert any("in worker process" in note for note in raised.value.__notes__)
