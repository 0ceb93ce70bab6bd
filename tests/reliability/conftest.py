"""Helpers for the reliability suites: the loopback OpenAI server, the CLI in-process and as a process."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.support.openai_server import openai_server  # noqa: F401 - re-exported as a fixture

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class Run:
    """One CLI run: exit code, both streams and how long it took."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def run_cli(*args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> Run:
    """The `summarizer` app in this process (fast: the heavy imports are paid once per session)."""
    from summarizer.cli import app

    runner = CliRunner()
    started = time.monotonic()
    result = runner.invoke(app, list(args), env=env, input=input, catch_exceptions=True)
    seconds = time.monotonic() - started
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # An exception that escaped the CLI is exactly what these suites exist to catch.
        raise AssertionError(f"the CLI raised {result.exception!r}") from result.exception
    return Run(result.exit_code, result.stdout, result.stderr, seconds)


def run_process(*args: str, env: dict[str, str] | None = None, input: bytes | None = None,
                timeout: float = 60.0) -> Run:
    """The `summarizer` command as a real process, with a clean environment plus `env`."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", "from summarizer.cli import main; main()", *args],
            input=input, capture_output=True, env={**base, **(env or {})}, timeout=timeout, cwd=ROOT,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the process
        raise AssertionError(f"summarizer {' '.join(args)} still running after {timeout:g} s; killed") from None
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
               time.monotonic() - started)


def assert_one_line_failure(run: Run, code: int, *, names: str | None = None) -> str:
    """Exit `code`, nothing on stdout, exactly one 'summarizer: ...' line on stderr, no traceback."""
    assert run.code == code, f"exit {run.code}, wanted {code}; stderr: {run.stderr!r}"
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stdout == ""
    assert len(run.stderr_lines) == 1, f"wanted one line on stderr, got: {run.stderr!r}"
    line = run.stderr_lines[0]
    assert line.startswith("summarizer: "), line
    if names is not None:
        assert names in line, f"{names!r} not named in {line!r}"
    return line


@pytest.fixture
def fake_key() -> str:
    """A fresh API key that looks real, so a leak of it anywhere is unmistakable."""
    return "sk-test-" + secrets.token_urlsafe(24)
