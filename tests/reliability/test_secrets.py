"""The API key never reaches output, logs (even --debug), briefs, the ledger, run reports or cassettes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reliability.conftest import ROOT, SEED, run_cli, run_process
from tests.support.openai_server import FakeOpenAI, faults

# Anything shaped like a provider key, a bearer token or an Authorization header.
KEY_LIKE = re.compile(
    rb"(?:\bsk-(?:proj-|test-|live-)?[A-Za-z0-9_\-]{16,}|\bBearer\s+[A-Za-z0-9._\-]{8,}"
    rb"|\bauthorization\b\s*[:=]|\bapi[-_]key\b['\"]?\s*[:=]\s*['\"]?[A-Za-z0-9_\-]{12,})",
    re.IGNORECASE,
)


def _leaks(data: bytes, key: str) -> list[str]:
    found = [m.group(0).decode("utf-8", "replace") for m in KEY_LIKE.finditer(data)]
    if key.encode() in data:
        found.append("the key itself")
    # A key's tail alone still identifies it.
    if key[-12:].encode() in data:
        found.append("the key's last 12 characters")
    return found


def _scan_tree(folder: Path, key: str) -> dict[str, list[str]]:
    leaks = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        found = _leaks(path.read_bytes(), key)
        if found:
            leaks[str(path.relative_to(folder))] = found
    return leaks


def _assert_key_reached_the_server(server: FakeOpenAI, key: str) -> None:
    """The key was really used, so its absence everywhere else means something."""
    assert server.requests, "no request reached the server"
    assert all(r.headers.get("authorization") == f"Bearer {key}" for r in server.requests)


@pytest.mark.parametrize(
    ("behaviour", "via", "code"),
    [("ok", "env", 0), ("503", "flag", 1), ("schema-violation", "env", 1), ("echo-key", "flag", 1),
     (faults.echo_key(500), "env", 1)],
    ids=["ok-env", "503-flag", "schema-violation-env", "echo-key-401-flag", "echo-key-500-env"],
)
def test_brief_never_shows_the_key(
    tmp_path: Path, openai_server: FakeOpenAI, fake_key: str, behaviour, via: str, code: int
) -> None:
    openai_server.always(behaviour)
    out = tmp_path / "brief.json"
    args = ["brief", str(SEED), "--base-url", openai_server.base_url, "--max-retries", "1", "--timeout", "2",
            "-o", str(out)]
    env = {"OPENAI_API_KEY": fake_key} if via == "env" else {}
    if via == "flag":
        args += ["--api-key", fake_key]
    run = run_cli(*args, env=env)
    assert run.code == code, run.stderr[-2000:]
    _assert_key_reached_the_server(openai_server, fake_key)
    assert _leaks(run.stdout.encode(), fake_key) == []
    assert _leaks(run.stderr.encode(), fake_key) == []
    assert _scan_tree(tmp_path, fake_key) == {}
    if code == 0:
        assert out.is_file()


@pytest.mark.parametrize("behaviour", ["ok", "503", "echo-key"])
def test_debug_logs_and_tracebacks_never_show_the_key(
    tmp_path: Path, openai_server: FakeOpenAI, fake_key: str, behaviour: str
) -> None:
    """--debug prints every request and the traceback; a server that quotes the key back must not leak it."""
    openai_server.always(behaviour)
    run = run_process("brief", str(SEED), "--base-url", openai_server.base_url, "--max-retries", "0",
                      "--timeout", "2", "--debug", env={"OPENAI_API_KEY": fake_key})
    assert run.code == (0 if behaviour == "ok" else 1)
    _assert_key_reached_the_server(openai_server, fake_key)
    assert "DEBUG" in run.stderr  # the debug log really ran
    assert _leaks((run.stdout + run.stderr).encode(), fake_key) == []


def test_credentials_in_the_base_url_stay_out_of_output_and_briefs(tmp_path: Path, openai_server: FakeOpenAI) -> None:
    url = openai_server.base_url.replace("//", "//reader:hunter2-password@")
    out = tmp_path / "brief.json"
    run = run_cli("brief", str(SEED), "--base-url", url, "--timeout", "2", "-o", str(out))
    assert run.code == 0, run.stderr
    assert "hunter2" not in run.stdout + run.stderr
    assert "hunter2" not in out.read_text(encoding="utf-8")
    # The same through a failure message.
    openai_server.always("503")
    run = run_cli("brief", str(SEED), "--base-url", url, "--timeout", "2", "--max-retries", "0")
    assert run.code == 1 and "hunter2" not in run.stderr


def test_nightly_keeps_the_key_out_of_ledger_reports_digest_and_briefs(
    tmp_path: Path, openai_server: FakeOpenAI, fake_key: str
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "good.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (inbox / "bad.txt").write_text("POISON. The council said 40 homes flooded on Friday.\n", encoding="utf-8")
    # An error body that quotes the key back, as some proxies do: it must be redacted before storage.
    openai_server.when(lambda r: "POISON" in r.article, faults.echo_key(502))
    out = tmp_path / "out"
    run = run_cli("nightly", str(inbox), "--out", str(out), "--engine", "llm", "--base-url",
                      openai_server.base_url, "--max-retries", "0", "--timeout", "2",
                      env={"OPENAI_API_KEY": fake_key})
    assert run.code == 1, run.stderr[-2000:]
    _assert_key_reached_the_server(openai_server, fake_key)
    assert (out / "ledger.sqlite3").is_file() and list((out / "runs").glob("*.json"))
    assert _leaks((run.stdout + run.stderr).encode(), fake_key) == []
    assert _scan_tree(out, fake_key) == {}


def test_the_repository_cassettes_hold_no_key_or_authorization_header() -> None:
    cassettes = ROOT / "cassettes"
    assert cassettes.is_dir()
    files = [p for p in cassettes.rglob("*") if p.is_file()]
    assert files, "no cassettes to scan"
    leaks = {}
    for path in files:
        data = path.read_bytes()
        found = [m.group(0).decode("utf-8", "replace") for m in KEY_LIKE.finditer(data)]
        if found:
            leaks[str(path.relative_to(ROOT))] = found
    assert leaks == {}


def test_the_scanner_finds_what_it_looks_for(fake_key: str) -> None:
    """The scan above can fail: each shape of leak is caught."""
    assert _leaks(f"key={fake_key}".encode(), fake_key)
    assert _leaks(b"Authorization: Bearer abcdefghijklmnop", "sk-none")
    assert _leaks(b"  authorization:\n  - Bearer sk-proj-abcdefghijklmnopqrstu", "sk-none")
    assert _leaks(b'"api_key": "abcdefghijklmnopqrstuv"', "sk-none")
    assert _leaks(b"no secrets here, only sk-short", "sk-none") == []
