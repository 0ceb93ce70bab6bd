"""The price table and the usage errors of --batch-api."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.batch_api.costs import cost, load_prices
from summarizer.errors import ConfigError
from summarizer.schema import Usage
from tests.nightly.conftest import run_nightly_cli

USAGE = Usage(prompt_tokens=2_000_000, completion_tokens=500_000, total_tokens=2_500_000)


def test_a_known_model_is_priced_with_the_batch_discount() -> None:
    priced = cost(USAGE, "gpt-4o-mini-2024-07-18", load_prices(None))  # a dated snapshot is its model
    assert priced.list_usd == pytest.approx(2 * 0.15 + 0.5 * 0.60)
    assert priced.batch_usd == pytest.approx(priced.list_usd / 2) and priced.saved_usd == pytest.approx(0.3)
    assert "$0.3000 at the batch price ($0.6000 at list price, $0.3000 saved)" in priced.line()


def test_an_unknown_model_shows_tokens_only() -> None:
    priced = cost(USAGE, "my-finetune", load_prices(None))
    assert priced.list_usd is None and priced.batch_usd is None
    assert priced.line() == "2,500,000 tokens (2,000,000 in, 500,000 out); no price known for my-finetune"


def test_the_table_can_be_overridden_and_a_bad_one_is_one_line(tmp_path: Path) -> None:
    table = tmp_path / "prices.json"
    table.write_text(json.dumps({"my-finetune": {"input": 1.0, "output": 2.0}, "gpt-4o-mini": {"input": 0, "output": 0}}))
    prices = load_prices(table)
    assert cost(USAGE, "my-finetune", prices).batch_usd == pytest.approx((2 + 1) / 2)
    assert cost(USAGE, "gpt-4o-mini", prices).batch_usd == 0
    table.write_text('{"m": {"input": "cheap"}}')
    with pytest.raises(ConfigError, match="not a price table"):
        load_prices(table)


def test_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARIZER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Officials said on Friday that 1,500 troops had arrived.\n")
    out = str(tmp_path / "out")
    wait_alone = run_nightly_cli(str(inbox), "--out", out, "--engine", "extractive", "--wait")
    assert wait_alone.code == 2 and "go with --batch-api" in wait_alone.stderr
    extractive = run_nightly_cli(str(inbox), "--out", out, "--engine", "extractive", "--batch-api")
    assert extractive.code == 2 and "--batch-api needs an engine that sends chat requests" in extractive.stderr
    budget = run_nightly_cli(str(inbox), "--out", out, "--engine", "llm", "--base-url", "http://127.0.0.1:9/v1",
                             "--batch-api", "--token-budget", "10")
    assert budget.code == 2 and "--token-budget cannot bound --batch-api" in budget.stderr
    assert "Traceback" not in wait_alone.stderr + extractive.stderr + budget.stderr
    summary = run_nightly_cli(str(inbox), "--out", out, "--engine", "llm", "--base-url", "http://127.0.0.1:9/v1",
                              "--batch-api", "--model-writes", "summary")
    assert summary.code == 2 and "--model-writes brief" in summary.stderr
    no_key = run_nightly_cli(str(inbox), "--out", out, "--engine", "llm", "--batch-api")
    assert no_key.code == 2 and "needs an endpoint" in no_key.stderr
    assert "Traceback" not in summary.stderr + no_key.stderr
    assert not (tmp_path / "out" / "ledger.sqlite3").exists()  # refused before the ledger was touched


def test_an_unreachable_provider_exits_1_and_loses_nothing(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Officials said on Friday that 1,500 troops had arrived.\n")
    out = str(tmp_path / "out")
    # Port 9 (discard) is closed on loopback: every call fails to connect.
    down = run_nightly_cli(str(inbox), "--out", out, "--engine", "llm", "--base-url", "http://127.0.0.1:9/v1",
                           "--batch-api")
    assert down.code == 1 and "Traceback" not in down.stderr
    assert "Batch API at http://127.0.0.1:9/v1: submitting pending documents failed" in down.stderr
    assert "the next run resumes" in down.stderr and "1 pending" in down.stderr
