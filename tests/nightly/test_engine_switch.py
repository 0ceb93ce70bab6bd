"""Runs with different engines in one output folder keep their briefs apart; the digest shows the current ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from summarizer.schema import Brief
from tests.nightly.conftest import brief_files, latest_report, ledger_rows, run_nightly_cli
from tests.nightly.corpus import make_corpus
from tests.support.openai_server import FakeOpenAI

DOCUMENTS = 5


def _engines_of_files(out: Path) -> dict[str, str]:
    return {p.name: Brief.model_validate_json(p.read_bytes()).provenance.engine for p in brief_files(out, ".json")}


def _digest_engines(out: Path) -> set[str]:
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert len(digest["briefs"]) == DOCUMENTS
    for link in digest["briefs"]:
        # Each entry's file is the brief of the engine the entry names.
        assert Brief.model_validate_json((out / link["json_path"]).read_bytes()).provenance.engine == link["engine"]
    return {link["engine"] for link in digest["briefs"]}


def _assert_rows_match_their_files(out: Path) -> None:
    for row in ledger_rows(out):
        assert row["status"] == "done"
        brief = Brief.model_validate_json((out / str(row["brief_json"])).read_bytes())
        assert (brief.provenance.engine, brief.provenance.prompt_version) == (row["engine"], row["prompt_version"])


def test_an_engine_switch_keeps_both_sets_of_briefs_and_the_digest_follows_the_run(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    make_corpus(inbox, DOCUMENTS)
    extractive = [str(inbox), "--out", str(out), "--engine", "extractive"]
    llm = [str(inbox), "--out", str(out), "--engine", "llm", "--base-url", openai_server.base_url, "--model",
           "fake-model", "--max-retries", "0"]

    assert run_nightly_cli(*extractive).code == 0
    first = {p.name: p.read_bytes() for p in brief_files(out, ".json")}
    assert set(_engines_of_files(out).values()) == {"extractive"} and len(first) == DOCUMENTS
    assert _digest_engines(out) == {"extractive"}

    # A night with the LLM engine (the API key is back): its own briefs, beside the extractive ones.
    assert run_nightly_cli(*llm).code == 0
    engines = _engines_of_files(out)
    assert sorted(engines.values()) == ["extractive"] * DOCUMENTS + ["llm"] * DOCUMENTS
    assert all(name.split("-")[-2] == engine for name, engine in engines.items())  # the name says which engine
    assert {name: (out / "briefs" / name).read_bytes() for name in first} == first  # untouched
    assert _digest_engines(out) == {"llm"}
    assert len(brief_files(out, ".html")) == len(brief_files(out, ".md")) == 2 * DOCUMENTS

    # A night without it again: the extractive briefs are still there and current, so nothing is redone.
    assert run_nightly_cli(*extractive).code == 0
    report = latest_report(out)
    assert report["counts"]["reused"] == DOCUMENTS and report["counts"]["done"] == 0
    assert _digest_engines(out) == {"extractive"}
    assert openai_server.count == DOCUMENTS
    _assert_rows_match_their_files(out)


def test_a_brief_file_another_engine_wrote_over_is_redone_not_reused(
    openai_server: FakeOpenAI, tmp_path: Path
) -> None:
    # What a folder from before brief names carried the engine can hold: a done row whose file another
    # engine's run overwrote. That file is not the row's brief.
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    make_corpus(inbox, DOCUMENTS)
    extractive = [str(inbox), "--out", str(out), "--engine", "extractive"]
    assert run_nightly_cli(*extractive).code == 0
    assert run_nightly_cli(str(inbox), "--out", str(out), "--engine", "llm", "--base-url", openai_server.base_url,
                           "--model", "fake-model").code == 0
    rows = {row["engine"]: row for row in sorted(ledger_rows(out), key=lambda r: str(r["path"]), reverse=True)}
    shutil.copyfile(out / str(rows["llm"]["brief_json"]), out / str(rows["extractive"]["brief_json"]))

    assert run_nightly_cli(*extractive).code == 0
    report = latest_report(out)
    assert report["counts"]["done"] == 1 and report["counts"]["reused"] == DOCUMENTS - 1
    assert _digest_engines(out) == {"extractive"}
    _assert_rows_match_their_files(out)
