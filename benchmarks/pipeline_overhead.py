"""The pipeline's own time per brief, outside the model: target under 20 ms for the seed article.

A loopback HTTP server answers every chat request at once with the hand-written good answer for
the seed (cassettes/handwritten/good_seed.yaml), so nearly all of a `summarize()` call is our own
work: intake, cleaning, prompt rendering, instructor's request building and parsing, the openai
client, grounding, verification and assembling the Brief. Nothing is subtracted; the raw HTTP
round trip to the same server (openai client, no instructor) is printed beside it for scale.

Run: .venv/bin/python benchmarks/pipeline_overhead.py [runs]
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openai  # noqa: E402
import yaml  # noqa: E402

from summarizer import api  # noqa: E402
from summarizer.config import Settings  # noqa: E402

SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
CASSETTE = ROOT / "cassettes" / "handwritten" / "good_seed.yaml"
TARGET_MS = 20.0


def _answer() -> bytes:
    cassette = yaml.safe_load(CASSETTE.read_text(encoding="utf-8"))
    return cassette["interactions"][0]["response"]["body"]["string"].encode("utf-8")


class _Instant(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server would allow
    # Headers and body go out in two writes: with Nagle on, delayed ACKs add ~40 ms per request.
    disable_nagle_algorithm = True
    answer = b""

    def do_POST(self) -> None:  # noqa: N802 - the http.server naming
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, *args: object) -> None:
        pass


def _median_ms(action, runs: int) -> tuple[float, float, float]:
    """Median and p90 wall time, and median CPU time of this thread (the server runs in another
    thread, so this is our own work even when other processes load the machine)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.thread_time()
        action()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.quantiles(wall, n=10)[-1], statistics.median(cpu)


def main(runs: int = 200) -> None:
    _Instant.answer = _answer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Instant)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings = Settings(engine="llm", base_url=base_url, model="gpt-4o-mini")
    text = SEED.read_text(encoding="utf-8")
    try:
        brief = api.summarize(text, settings=settings)  # warm-up: imports, caches, first connection
        assert len(brief.actors) == 10 and not brief.dropped, "unexpected brief from the canned answer"
        total, total_p90, total_cpu = _median_ms(lambda: api.summarize(text, settings=settings), runs)

        with openai.OpenAI(api_key="x", base_url=base_url, max_retries=0) as client:
            messages = [{"role": "user", "content": "hi"}]
            ping = lambda: client.chat.completions.create(model="m", messages=messages)  # noqa: E731
            ping()
            http, http_p90, http_cpu = _median_ms(ping, runs)
    finally:
        server.shutdown()

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"seed article: {len(text)} chars; {runs} runs after one warm-up; loopback server answering at once")
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (wall times grow with load; CPU times less so)")
    print(
        f"summarize() per brief, HTTP to loopback included: median {total:.2f} ms wall "
        f"(p90 {total_p90:.2f} ms), {total_cpu:.2f} ms CPU"
    )
    print(
        f"raw HTTP round trip alone (openai client):        median {http:.2f} ms wall "
        f"(p90 {http_p90:.2f} ms), {http_cpu:.2f} ms CPU"
    )
    verdict = "under" if total < TARGET_MS else "OVER"
    print(
        f"pipeline's own time per brief: {total:.2f} ms wall "
        f"({verdict} the {TARGET_MS:.0f} ms target; nothing subtracted)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
