"""The CLI with the llm engine: exit codes and one-line failures, against cassettes and a dead port."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import jsonschema
import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.schema import Brief
from tests.llm.conftest import BASE_URL, MODEL, ROOT, SEED, assert_spans_slice_source

runner = CliRunner()
LLM_ARGS = ["--engine", "llm", "--base-url", BASE_URL, "--model", MODEL]


@pytest.mark.vcr
@pytest.mark.default_cassette("good_seed.yaml")
def test_cli_writes_schema_valid_json():
    result = runner.invoke(app, ["brief", str(SEED), *LLM_ARGS, "--format", "json", "--quiet"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    schema = json.loads((ROOT / "schemas" / "brief.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, schema)
    brief = Brief.model_validate(data)
    assert_spans_slice_source(brief)
    assert brief.provenance.engine == "llm"
    # The model's 10 actors, then what the cross-check's rules found that it missed (on by default).
    found = [a.found_by.value for a in brief.actors if a.found_by]
    assert found[:10] == ["model"] * 10 and set(found[10:]) == {"rules"} and len(found) > 10


@pytest.mark.vcr
@pytest.mark.default_cassette("server_error_500.yaml")
def test_cli_500_until_retries_run_out_exits_1_with_one_line(vcr):
    result = runner.invoke(app, ["brief", str(SEED), *LLM_ARGS, "--max-retries", "2", "--quiet"])

    assert result.exit_code == 1
    assert vcr.play_count == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "summarizer: LLM endpoint http://llm.test/v1 kept answering HTTP 500 after 2 retries (The server had an "
        "error while processing your request. Sorry about that!); try again later or use --engine extractive"
    ]


def test_cli_unreachable_base_url_exits_1_within_the_retry_budget(tmp_path):
    dead = "http://127.0.0.1:9/v1"  # the discard port: nothing listens, the connection is refused
    cmd = [sys.executable, "-c", "from summarizer.cli import main; main()", "brief", str(SEED)]
    started = time.monotonic()
    proc = subprocess.run(
        [*cmd, "--engine", "llm", "--base-url", dead, "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    elapsed = time.monotonic() - started

    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"summarizer: LLM endpoint {dead} unreachable after 3 retries (connection refused); "
        "check --base-url or use --engine extractive"
    ]
    # Default budget: 3 retries waiting 0.25-0.5, 0.5-1 and 1-2 s (backoff with jitter); refusals are
    # instant. The rest is interpreter start-up, allowed generously for a loaded 2-core machine.
    assert 1.75 <= elapsed < 3.5 + 20
