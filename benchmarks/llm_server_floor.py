"""The floor under nightly_speed.py's LLM figure: the loopback server alone, with a minimal client.

200 chat requests (the request bodies the llm engine sends for the development-set articles) at
concurrency 16, from plain httpx with keep-alive connections and no pipeline around it, against the
same server in a child process answering after 200 ms. Whatever ratio of wall time to the ideal
(200 x 0.2 s / 16) this prints, `summarizer nightly` cannot do better against that server: read
the nightly figure against it. The warm-up line shows the first 16 connections opened at once.

    .venv/bin/python benchmarks/llm_server_floor.py [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx2  # noqa: E402

from benchmarks.nightly_speed import LATENCY, LLM_CONCURRENCY, LoopbackServer  # noqa: E402
from summarizer.config import Settings  # noqa: E402
from summarizer.engines.llm.transport import preview_request  # noqa: E402
from tests.nightly.corpus import bundled_texts, dev_set_texts  # noqa: E402


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def _run(url: str, bodies: list[bytes], requests: int) -> None:
    gate = asyncio.Semaphore(LLM_CONCURRENCY)
    latencies: list[float] = []

    async def one(client: httpx2.AsyncClient, i: int) -> None:
        async with gate:
            began = time.perf_counter()
            response = await client.post(
                f"{url}/chat/completions", content=bodies[i % len(bodies)], headers={"content-type": "application/json"}
            )
            response.raise_for_status()
            latencies.append(time.perf_counter() - began)

    async with httpx2.AsyncClient(timeout=60) as client:
        await asyncio.gather(*(one(client, i) for i in range(LLM_CONCURRENCY)))
        print(f"warm-up, {LLM_CONCURRENCY} connections opened at once: slowest answer {_ms(max(latencies))}")
        latencies.clear()
        began, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(client, i) for i in range(requests)))
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    ideal = requests * LATENCY / LLM_CONCURRENCY
    latencies.sort()
    n = len(latencies)
    print(f"server alone, {requests} requests at concurrency {LLM_CONCURRENCY}, {_ms(LATENCY)} per request: "
          f"{wall:.2f} s, ideal {ideal:.2f} s: ratio {wall / ideal:.3f}; answer latency median {_ms(latencies[n // 2])}, "
          f"p90 {_ms(latencies[int(n * 0.9)])}, max {_ms(latencies[-1])}; client CPU {cpu / requests * 1000:.1f} ms "
          f"per request; load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    server = LoopbackServer(LATENCY)
    try:
        settings = Settings(engine="llm", base_url=server.base_url, model="fake-model")
        texts = [text for _, text in dev_set_texts() or bundled_texts()]
        bodies = [json.dumps(preview_request(settings, text)).encode("utf-8") for text in texts]
        asyncio.run(_run(server.base_url, bodies, args.requests))
    finally:
        server.close()


if __name__ == "__main__":
    main()
