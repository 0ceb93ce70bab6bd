"""A llama.cpp server that dies mid-request is reported as what happened to it, not as "unreachable".

A small loopback process stands in for the server, started through the local engine's own code path: it
answers GET /v1/models like llama.cpp's server, logs a line, and dies on its first POST (killed by a signal
or exiting). These run in `make test` without llama-cpp-python.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.api import asummarize, summarize
from summarizer.batch import summarize_many
from summarizer.cli import app
from summarizer.engines import local
from summarizer.errors import EngineError

# argv: port, then how to die on the first POST: a signal's name (SIGILL, SIGKILL), "exit" (code 3), or
# "answer" (stay alive and answer 500, for a failure that is not a death).
_DYING_SERVER = r"""
import json, os, signal, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
port, how = int(sys.argv[1]), sys.argv[2]
print("llama_model_load: loaded tiny.gguf", flush=True)
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "tiny.gguf", "object": "model"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        print("ggml_compute_forward_mul_mat: tilezero", flush=True)
        if how == "answer":
            body = json.dumps({"error": {"message": "stand-in failure"}}).encode()
            self.send_response(500)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if how == "exit":
            os._exit(3)
        os.kill(os.getpid(), getattr(signal, how))
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""

ARTICLE = (
    "The city council approved a budget of 12 million dollars on Monday, the mayor said. "
    "Critics said the plan could raise taxes."
)
# Fast retries: the death must still be what is reported after every retry found the port closed.
FAST = {"retry_wait_base": 0.01, "retry_wait_max": 0.05}


@pytest.fixture
def tiny_gguf(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + b"\x00" * 60)
    return path


@pytest.fixture
def dying_server(monkeypatch: pytest.MonkeyPatch):
    """Make the local engine start the stand-in, dying the given way; returns the ports it was started on."""

    def install(how: str) -> list[int]:
        ports: list[int] = []

        def command(gguf: Path, port: int, **_: object) -> list[str]:
            ports.append(port)
            return [sys.executable, "-c", _DYING_SERVER, str(port), how]

        monkeypatch.setattr(local, "server_command", command)
        return ports

    return install


def _one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message
    return message


def test_sigill_mid_request_names_the_signal_the_log_and_the_portable_build(dying_server, tiny_gguf):
    dying_server("SIGILL")
    with pytest.raises(EngineError) as info:
        summarize(ARTICLE, engine="local", gguf=tiny_gguf, **FAST)
    message = _one_line(info.value)
    assert "llama.cpp server (model tiny.gguf) was killed by SIGILL (illegal instruction)" in message
    assert "ggml_compute_forward_mul_mat: tilezero" in message
    assert "-DGGML_NATIVE=OFF" in message and "make test-local" in message
    assert "unreachable" not in message


async def test_sigkill_in_the_async_engine_suggests_memory(dying_server, tiny_gguf):
    dying_server("SIGKILL")
    with pytest.raises(EngineError) as info:
        await asummarize(ARTICLE, engine="local", gguf=tiny_gguf, **FAST)
    message = _one_line(info.value)
    assert "was killed by SIGKILL" in message
    assert "ggml_compute_forward_mul_mat: tilezero" in message
    assert "out of memory" in message
    assert "GGML_NATIVE" not in message


def test_exit_mid_request_gives_the_exit_code(dying_server, tiny_gguf):
    dying_server("exit")
    with pytest.raises(EngineError) as info:
        summarize(ARTICLE, engine="local", gguf=tiny_gguf, max_retries=0)
    message = _one_line(info.value)
    assert "llama.cpp server (model tiny.gguf) exited with code 3" in message
    assert "tilezero" in message


def test_a_failure_of_a_living_server_is_not_called_a_death(dying_server, tiny_gguf):
    dying_server("answer")
    with pytest.raises(EngineError) as info:
        summarize(ARTICLE, engine="local", gguf=tiny_gguf, max_retries=0)
    assert "HTTP 500" in str(info.value)
    assert "llama.cpp server" not in str(info.value)


def test_a_batch_names_the_death_for_every_document(dying_server, tiny_gguf):
    ports = dying_server("SIGILL")
    results = summarize_many(
        [ARTICLE, ARTICLE.replace("Monday", "Tuesday"), ARTICLE.replace("Monday", "Friday")],
        engine="local", gguf=tiny_gguf, return_exceptions=True, **FAST,
    )
    assert len(ports) == 1, "one server for the whole batch"
    assert all(isinstance(result, EngineError) for result in results), results
    for result in results:
        assert "was killed by SIGILL (illegal instruction)" in _one_line(result)
        assert "tilezero" in str(result)


def test_a_document_sent_to_a_dead_server_fails_before_any_request(dying_server, tiny_gguf, monkeypatch):
    dying_server("SIGILL")

    def no_request(*_: object) -> None:
        raise AssertionError("a request was sent to a server known to be dead")

    with local.running_server(tiny_gguf, ready_timeout=20) as server:
        assert server.process is not None
        server.process.kill()
        server.process.wait()
        monkeypatch.setattr(local.llm, "extract", no_request)
        # How a batch's documents reach its server: by URL and model name, without a GGUF file.
        with pytest.raises(EngineError, match=r"\(model tiny\.gguf\) was killed by SIGKILL") as info:
            summarize(ARTICLE, engine="local", base_url=server.base_url, model=server.model)
    assert "llama_model_load: loaded tiny.gguf" in str(info.value)


def test_cli_prints_one_line_and_exits_1(dying_server, tiny_gguf, tmp_path):
    dying_server("SIGILL")
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["brief", str(article), "--engine", "local", "--gguf", str(tiny_gguf), "--max-retries", "0"]
    )
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("summarizer: ")
    assert "llama.cpp server (model tiny.gguf) was killed by SIGILL (illegal instruction)" in lines[0]
    assert "tilezero" in lines[0]
    assert "Traceback" not in result.output


def test_a_server_killed_while_loading_names_the_signal(monkeypatch, tiny_gguf):
    def command(gguf: Path, port: int, **_: object) -> list[str]:
        script = "import os, signal; print('loading tiny.gguf', flush=True); os.kill(os.getpid(), signal.SIGILL)"
        return [sys.executable, "-c", script]

    monkeypatch.setattr(local, "server_command", command)
    with pytest.raises(EngineError, match=r"was killed by SIGILL \(illegal instruction\) while loading tiny\.gguf"):
        with local.running_server(tiny_gguf, ready_timeout=20):
            pass
