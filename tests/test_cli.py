"""The CLI's contract: help with examples, one-line errors, exit codes 0 / 1 / 2."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.config import Settings

runner = CliRunner()


def test_brief_help_shows_examples_and_exit_codes() -> None:
    result = runner.invoke(app, ["brief", "--help"], terminal_width=120)
    assert result.exit_code == 0
    assert "summarizer brief seeds/000_ee409ff46c783017.txt" in result.stdout
    assert "Exit codes" in result.stdout


@pytest.mark.parametrize(
    ("args", "stdin", "needle"),
    [
        (["brief", "no/such/file.txt"], None, "no/such/file.txt: no such file"),
        (["brief", "seeds"], None, "seeds: is a directory"),
        (["brief", "-"], b"", "<stdin>: is empty"),
        (["brief", "-"], b"   \n\t\n", "<stdin>: has no text"),
        (["brief", "-"], b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "<stdin>: looks binary"),
    ],
)
def test_unusable_input_is_one_line_and_exit_2(args: list[str], stdin: bytes | None, needle: str) -> None:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in result.output


def test_bad_option_value_is_usage_error() -> None:
    result = runner.invoke(app, ["brief", "seeds/000_ee409ff46c783017.txt", "--engine", "magic"])
    assert result.exit_code == 2


def test_max_chars_refuses_long_input(tmp_path: Path) -> None:
    doc = tmp_path / "long.txt"
    doc.write_text("word " * 100, encoding="utf-8")
    result = runner.invoke(app, ["brief", str(doc), "--max-chars", "50"])
    assert result.exit_code == 2
    assert "over the limit of 50" in result.stderr


def test_a_file_far_over_the_limit_is_refused_in_characters_not_bytes(tmp_path: Path) -> None:
    doc = tmp_path / "long.txt"
    doc.write_text("word " * 984, encoding="utf-8")  # 4,920 bytes: refused before it is read
    result = runner.invoke(app, ["brief", str(doc), "--max-chars", "100"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"summarizer: {doc}: is 4,920 characters, over the limit of 100; split it or raise --max-chars"
    ]


def test_output_file_is_written_whole_with_the_usual_permissions(tmp_path: Path) -> None:
    out = tmp_path / "brief.json"
    result = runner.invoke(app, ["brief", "seeds/000_ee409ff46c783017.txt", "--engine", "extractive", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").rstrip().endswith("}")
    old = os.umask(0o022)
    os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~old
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_long_documents_progress_shows_in_the_terminal_spinner_line_only() -> None:
    import io

    from rich.console import Console

    from summarizer import progress
    from summarizer.cli import _progress_on

    status = Console(file=io.StringIO(), force_terminal=True).status("doc.txt: engine extractive")
    with _progress_on(status, "doc.txt: engine extractive"):
        progress.advance("parsing", 3, 12)
        assert status.status == "doc.txt: engine extractive: parsing 3/12 (25%)"
        progress.advance("checking evidence")
        assert status.status == "doc.txt: engine extractive: checking evidence"
    progress.advance("parsing", 4, 12)  # outside the block: nobody listens any more
    assert status.status == "doc.txt: engine extractive: checking evidence"
    with _progress_on(None, "no terminal"):  # stderr not a terminal, or --quiet: no spinner, no reporter
        progress.advance("parsing", 1, 2)
