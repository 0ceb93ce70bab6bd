"""The nightly command's contract: help with examples, exit 2 for bad usage, one run per folder, a TTY bar."""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path

import pytest

from summarizer.nightly.run import LOCK_NAME
from tests.nightly.conftest import CLI, ROOT, clean_env, run_nightly_cli


def test_help_shows_examples_options_and_exit_codes() -> None:
    result = run_nightly_cli("--help")
    assert result.code == 0
    text = " ".join(result.stdout.split())
    for needle in ("summarizer nightly inbox/ --out nightly/", "@more.txt", "--since 24h", "--concurrency",
                   "--max-docs", "--token-budget", "--force", "--since", "--doc-timeout", "--engine", "--model",
                   "--base-url", "--quarantine-after", "--retry-failed", "OUT/digests/DATE.md",
                   "Exit codes: 0 every document done (or quarantined); 1 some failed", "2 bad usage"):
        assert needle in text, needle


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["no/such/folder"], "no/such/folder: no such file or directory"),
        (["@no-such-list.txt"], "@no-such-list.txt: no such manifest file"),
        (["IN", "--since", "last tuesday"], "--since 'last tuesday': not a date"),
        (["IN", "--engine", "llm"], "the llm engine needs an endpoint"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(args: list[str], needle: str, tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Some news.", encoding="utf-8")
    args = [str(inbox) if a == "IN" else a for a in args]
    result = run_nightly_cli(*args, "--out", str(tmp_path / "out"))
    assert result.code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "option", [["--concurrency", "0"], ["--max-docs", "0"], ["--token-budget", "-5"], ["--quarantine-after", "0"]]
)
def test_out_of_range_numbers_are_usage_errors(option: list[str], tmp_path: Path) -> None:
    assert run_nightly_cli(str(tmp_path), "--out", str(tmp_path / "out"), *option).code == 2


def test_out_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder", encoding="utf-8")
    result = run_nightly_cli(str(tmp_path), "--out", str(tmp_path / "out"))
    assert result.code == 2 and "is a file; give a folder" in result.stderr


def test_a_second_run_on_the_same_folder_is_refused_while_one_runs(tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with (out / LOCK_NAME).open("a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242")
        held.flush()
        result = run_nightly_cli(str(tmp_path), "--out", str(out), "--engine", "extractive")
    assert result.code == 2
    assert "another summarizer nightly run is in progress (pid 4242)" in result.stderr


def test_a_worker_forked_during_a_run_does_not_hold_its_lock(tmp_path: Path) -> None:
    """A run killed with SIGKILL leaves its forked workers alive for up to a second: the next run must not be
    refused meanwhile. A child forked under the lock keeps no share of it."""
    import fcntl
    import os
    import signal
    import subprocess
    import sys

    out = tmp_path / "out"
    # A run that forks a worker and is then killed outright, as by the OOM killer: its lock is never released.
    killed_run = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from summarizer.nightly.run import run_lock\n"
        "with run_lock(Path(sys.argv[1])):\n"
        "    child = os.fork()\n"
        "    if child == 0:\n"
        "        os.closerange(0, 3)  # nothing of the test's pipes: it reads them to their end\n"
        "        signal.pause()\n"
        "    print(child, flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run([sys.executable, "-c", killed_run, str(out)], capture_output=True, text=True, check=False)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    child = int(proc.stdout)
    try:
        os.kill(child, 0)  # the worker outlived its run
        with (out / LOCK_NAME).open("a+") as other:  # the next run's open file
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # BlockingIOError if the worker held it
    finally:
        os.kill(child, signal.SIGKILL)


def test_an_empty_inbox_is_a_quiet_success(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = run_nightly_cli(str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--engine", "extractive")
    assert result.code == 0, result.stderr
    assert "nightly finished: 0 documents" in result.stderr
    assert "## All briefs (0)" in (tmp_path / "out" / "digest.md").read_text(encoding="utf-8")


def test_a_terminal_gets_a_progress_bar_and_the_summary(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(3):
        (inbox / f"story-{i}.txt").write_text(f"Story {i}. The mayor said {i + 10} buses were late.\n", encoding="utf-8")
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "nightly", str(inbox), "--out", str(tmp_path / "out"), "--engine", "extractive", "--concurrency", "1"],
        cwd=ROOT, env={**clean_env(), "COLUMNS": "100", "TERM": "xterm"}, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=follower,
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=30)
    os.close(leader)
    text = output.decode("utf-8", "replace")
    assert process.returncode == 0, text
    assert "summarizing" in text and "━" in text  # Rich's bar, redrawn in place
    assert "] done " not in text  # no per-document lines on a terminal
    assert "nightly finished: 3 documents, 3 done (3 new, 0 already done)" in text
