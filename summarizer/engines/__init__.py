"""The engine contract: what every engine offers the pipeline and the batch, and what it returns.

An engine turns cleaned text into a Draft (`extract` / `aextract`); grounding, support checks and
verification happen afterwards, the same for every engine. Engines are found by name through
`summarizer.engines.registry`, which imports them only when asked, so no other module branches on an
engine's name. `BaseEngine` gives the defaults a new engine can keep (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager, asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from summarizer.schema import Draft, FoundBy, Usage

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.text import CleanText

# How a batch runs an engine's documents concurrently: one worker process per document at a time
# (CPU-bound work, e.g. spaCy), or many requests in flight on an event loop (HTTP-bound work).
BatchMode = Literal["processes", "event_loop"]


@dataclass
class EngineResult:
    """A draft and how it was made (the brief's provenance names the engine that ran)."""

    draft: Draft
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = field(default_factory=Usage)
    attempts: int = 1
    retries: int = 0
    chunks: int = 1


@dataclass(frozen=True)
class EngineIdentity:
    """What, besides a document's bytes, decides its brief: the nightly ledger keys briefs by it."""

    engine: str
    model: str
    prompt_version: str


@runtime_checkable
class Engine(Protocol):
    """What the API, the batch and the nightly job need of an engine."""

    name: str
    batch_mode: BatchMode
    # True when the extractive engine should cross-check this engine's briefs (what did it miss?).
    cross_checked: bool
    # Who finds the items it returns, as briefs record it in each item's `found_by`.
    found_by: FoundBy

    def auto_reason(self, settings: Settings) -> str | None:
        """Why `--engine auto` picks this engine for `settings`, or None if it does not."""
        ...

    def identity(self, settings: Settings) -> EngineIdentity:
        """The model and prompt (or rules) version a brief would carry, without running anything.
        Raises ConfigError when the engine cannot run with `settings`."""
        ...

    def writes_any_language(self, settings: Settings) -> bool:
        """True when its briefs' own words (statements, summary, roles) can be written in a language other
        than the source's (`settings.brief_language`); rules that copy the source's words cannot."""
        ...

    def default_concurrency(self) -> int:
        """Documents (processes) or requests (event loop) in flight when the caller does not say."""
        ...

    def loop_processes(self, width: int) -> int:
        """Event-loop engines: how many processes, each with a loop, share `width` requests in flight."""
        ...

    def prepare_worker(self) -> None:
        """Process engines: load what every document needs, once per worker process."""
        ...

    def batch_scope(self, settings: Settings) -> AbstractContextManager[Settings]:
        """Resources a whole batch shares (a model server, say); yields the settings documents run with."""
        ...

    def request_scope(self, max_requests: int | None) -> AbstractAsyncContextManager[None]:
        """Per event loop, around a batch's documents: shared HTTP clients bounded to `max_requests`."""
        ...

    def warm_up(self, settings: Settings) -> None:
        """Before a batch's documents start (and before worker processes fork): first-use costs."""
        ...

    def extract(self, clean: CleanText, settings: Settings) -> EngineResult: ...

    async def aextract(self, clean: CleanText, settings: Settings) -> EngineResult: ...


def cores() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class BaseEngine(ABC):
    """Defaults for an engine that runs in the caller's event loop with nothing shared per batch.

    A subclass sets `name` and defines `identity` and `extract` (abstract: a class missing one cannot be
    instantiated, so the registry fails at once); `aextract` defaults to running `extract` in a thread.
    """

    name: str = ""
    batch_mode: BatchMode = "event_loop"
    cross_checked: bool = False
    found_by: FoundBy = FoundBy.model
    concurrency: int = 1

    def auto_reason(self, settings: Settings) -> str | None:
        return None

    @abstractmethod
    def identity(self, settings: Settings) -> EngineIdentity:
        """The model and prompt (or rules) version a brief would carry."""

    def writes_any_language(self, settings: Settings) -> bool:
        return False

    def default_concurrency(self) -> int:
        return self.concurrency

    def loop_processes(self, width: int) -> int:
        return 1

    def prepare_worker(self) -> None:
        return None

    @contextmanager
    def batch_scope(self, settings: Settings) -> Iterator[Settings]:
        yield settings

    @asynccontextmanager
    async def request_scope(self, max_requests: int | None) -> AsyncIterator[None]:
        yield

    def warm_up(self, settings: Settings) -> None:
        return None

    @abstractmethod
    def extract(self, clean: CleanText, settings: Settings) -> EngineResult:
        """A draft of the cleaned text."""

    async def aextract(self, clean: CleanText, settings: Settings) -> EngineResult:
        import asyncio

        return await asyncio.to_thread(self.extract, clean, settings)
