"""The CLI's edges: --version, bad option values, dead stdout, -o -, output suffixes, help width, completion,
plurals. Every error is one line on stderr with exit code 2 (bad usage) or 1 (the output could not be written)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import __version__
from summarizer.cli import app
from summarizer.words import plural

runner = CliRunner()
SEED = "seeds/000_ee409ff46c783017.txt"
ROOT = Path(__file__).resolve().parents[1]


def _one_error_line(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in result.output and "validation error" not in stderr  # type: ignore[attr-defined]
    return lines[0]


def _run(*args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "summarizer", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"summarizer {__version__}"


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--timeout", "0"], "--timeout"),
        (["--max-retries", "-1"], "--max-retries"),
        (["--max-chars", "0"], "--max-chars"),
        (["--timeout", "soon"], "--timeout"),
        (["--engine", "magic"], "--engine"),
        (["--no-such-option"], "--no-such-option"),
    ],
)
def test_bad_option_values_are_one_line_and_exit_2(args: list[str], flag: str) -> None:
    result = runner.invoke(app, ["brief", SEED, *args])
    assert result.exit_code == 2, result.output
    line = _one_error_line(result)
    assert line.startswith("summarizer: ") and flag in line


def test_a_missing_argument_is_one_line_too() -> None:
    result = runner.invoke(app, ["brief"])
    assert result.exit_code == 2
    assert "Missing argument" in _one_error_line(result)


def test_schema_to_a_full_disk_is_one_line() -> None:
    with open("/dev/full", "wb") as full:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-m", "summarizer", "schema"], cwd=ROOT, env=env, stdout=full, stderr=subprocess.PIPE
        )
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.strip().splitlines() == ["summarizer: cannot write the output (No space left on device)"]


def test_a_closed_pipe_is_one_line() -> None:
    process = _run("schema")
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader goes away before the first write, as `| head` may
    err = process.stderr.read().decode()
    assert process.wait() == 1
    assert err.strip().splitlines() == ["summarizer: cannot write the output (the reader closed the pipe)"]


def test_dash_output_writes_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where a file named "-" would land
    seed = str(ROOT / SEED)
    result = runner.invoke(app, ["brief", seed, "--engine", "extractive", "-o", "-", "--format", "json", "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source"]["path"] == seed
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("name", ["brief.txt", "brief", "brief.pdf"])
def test_an_output_suffix_that_names_no_format_is_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = runner.invoke(app, ["brief", SEED, "--engine", "extractive", "-o", str(out)])
    assert result.exit_code == 2
    assert "--format" in _one_error_line(result)
    assert not out.exists()


def test_any_suffix_is_fine_with_format(tmp_path: Path) -> None:
    out = tmp_path / "brief.txt"
    result = runner.invoke(app, ["brief", SEED, "--engine", "extractive", "-o", str(out), "--format", "md", "-q"])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# War in Ukraine")


@pytest.mark.parametrize("spelling", ["JSON", "Json", "json"])
def test_format_is_case_insensitive(spelling: str) -> None:
    result = runner.invoke(app, ["brief", SEED, "--engine", "extractive", "--format", spelling, "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"].startswith("War in Ukraine")


@pytest.mark.parametrize("command", [[], ["brief"], ["nightly"], ["export"]])
def test_help_is_whole_at_80_columns(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], terminal_width=80)
    assert result.exit_code == 0
    assert "…" not in result.stdout
    described = [line for line in result.stdout.splitlines() if not line.lstrip().startswith("Usage:")]
    assert not [line for line in described if line.rstrip().endswith("...")]  # click's cut short help
    if command == ["brief"]:
        for whole in ("--no-keep-unaligned", "SUMMARIZER_MODEL", "--structured-output", "OPENAI_BASE_URL"):
            assert whole in result.stdout


@pytest.mark.parametrize(("shell", "marker"), [("zsh", "#compdef summarizer"), ("bash", "complete -o")])
def test_show_completion_prints_the_named_shell(shell: str, marker: str) -> None:
    result = runner.invoke(app, ["--show-completion", shell], prog_name="summarizer")
    assert result.exit_code == 0, result.output
    assert marker in result.stdout
    if shell == "zsh":
        assert "COMPREPLY" not in result.stdout  # not bash's script


def test_plural() -> None:
    assert [plural(n, "document") for n in (0, 1, 2, 1500)] == ["0 documents", "1 document", "2 documents", "1,500 documents"]
    assert plural(1, "uncertainty") == "1 uncertainty" and plural(3, "uncertainty") == "3 uncertainties"
    assert plural(2, "day") == "2 days"


def test_nightly_of_one_document_says_document(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "one.txt").write_text("The mayor, Ana Ruiz, said the bridge would reopen in May.\n", encoding="utf-8")
    result = runner.invoke(app, ["nightly", str(inbox), "--out", str(tmp_path / "out"), "--engine", "extractive"])
    assert result.exit_code == 0, result.output
    assert "nightly: 1 document, " in result.stderr
    assert "nightly finished: 1 document, " in result.stderr
    assert "1 documents" not in result.stderr
