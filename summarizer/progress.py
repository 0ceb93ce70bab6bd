"""Progress of one long document through the pipeline, for whoever shows it (the CLI, on a terminal).

Stages call `advance(step, done, total)`; it does nothing unless a caller installed a reporter with
`reporting(...)`. The reporter lives in a context variable, so concurrent documents (threads, event
loops) each report to their own, and a library user who installs none sees nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Reporter = Callable[[str, int, int], None]
"""Called with the step's name ("parsing"), how many of its parts are done, and how many there are
(0 of 0 for a step that is not counted in parts)."""

_reporter: ContextVar[Reporter | None] = ContextVar("summarizer_progress", default=None)


@contextmanager
def reporting(reporter: Reporter) -> Iterator[None]:
    """Send the progress of what runs inside the block to `reporter`."""
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)


def describe(step: str, done: int, total: int) -> str:
    """The step as one short line: 'parsing 12/50 (24%)', or the step's name alone."""
    return f"{step} {done}/{total} ({100 * done // total}%)" if total else step


def advance(step: str, done: int = 0, total: int = 0) -> None:
    """Tell the reporter, if there is one, that `done` of `total` parts of `step` are finished."""
    reporter = _reporter.get()
    if reporter is not None:
        reporter(step, done, total)
