"""The async HTTP clients a batch's documents share, and what a process prepares before its first request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import openai

from summarizer.config import Settings
from summarizer.engines.llm.transport import _client_options, _ssl_context, preview_request


def warm_up(settings: Settings) -> None:
    """Prepare what a process's first request would otherwise prepare while documents wait on it: the
    prompt templates and the schema (a request built, not sent) and the CA store. A batch calls this
    once, before it forks worker processes, so that they inherit all of it."""
    preview_request(settings, "")
    _ssl_context()


def _async_client(settings: Settings) -> openai.AsyncOpenAI:
    http = openai.DefaultAsyncHttpxClient(verify=_ssl_context())
    return openai.AsyncOpenAI(**_client_options(settings), http_client=http)


class _ClientPool:
    """Async clients shared by the documents of a batch (one per endpoint, key and timeout), and the
    batch's bound on requests in flight."""

    def __init__(self, max_requests: int | None) -> None:
        self._clients: dict[tuple[tuple[str, Any], ...], openai.AsyncOpenAI] = {}
        self.requests = asyncio.Semaphore(max_requests) if max_requests else None

    def client(self, settings: Settings) -> openai.AsyncOpenAI:
        key = tuple(sorted(_client_options(settings).items()))
        if key not in self._clients:
            self._clients[key] = _async_client(settings)
        return self._clients[key]

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.close()


_SHARED: ContextVar[_ClientPool | None] = ContextVar("summarizer_llm_clients", default=None)


@asynccontextmanager
async def shared_clients(max_requests: int | None = None) -> AsyncIterator[None]:
    """Within this block (and the tasks it starts), `aextract` calls with the same endpoint, key and
    timeout share one client and its keep-alive connections, closed when the block ends; with
    `max_requests`, at most that many requests are in flight across all of them.

    A client per call means a TCP (and TLS) handshake, a connection pool and its teardown for every
    document: about 5 ms of the event loop's CPU per document in a batch at concurrency 16. Bounding
    requests rather than documents lets a batch read, clean and ground documents while the endpoint is
    busy with others. Retries, re-asks and usage accounting stay per call: they live in `_async_create`.
    """
    pool = _ClientPool(max_requests)
    token = _SHARED.set(pool)
    try:
        yield
    finally:
        _SHARED.reset(token)
        await pool.aclose()


@asynccontextmanager
async def client_for(settings: Settings) -> AsyncIterator[tuple[openai.AsyncOpenAI, asyncio.Semaphore | None]]:
    """The client for one `aextract` call and the bound on requests in flight: inside `shared_clients()`
    the batch's (left open for the batch's other documents), otherwise a client closed after this call
    and no bound."""
    pool = _SHARED.get()
    if pool is not None:
        yield pool.client(settings), pool.requests
        return
    async with _async_client(settings) as client:
        yield client, None
