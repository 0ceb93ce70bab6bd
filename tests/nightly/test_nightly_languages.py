"""A night mixing English and French documents: the prompt names each document's language, a requested
brief language is part of the version the ledger keys briefs on, and the digest counts the languages.
The LLM answers come from the loopback server of tests/support (it quotes the article it is sent)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.nightly.conftest import latest_report, ledger_rows, run_nightly_cli
from tests.support.openai_server import FakeOpenAI

ROOT = Path(__file__).resolve().parents[2]
FRENCH = ROOT / "tests" / "llm" / "articles" / "coree_du_nord_fr.txt"
SEED = ROOT / "seeds" / "000_ee409ff46c783017.txt"
# A second French document, written for this test.
SECOND_FRENCH = (
    "Grève dans les transports parisiens\n\n"
    "La RATP a annoncé mardi que la moitié des lignes de métro seraient fermées jeudi en raison d’une grève. "
    "Selon les syndicats, près de 8 000 agents devraient cesser le travail. "
    "«\u00a0Nous demandons une hausse des salaires\u00a0», a déclaré un représentant de la CGT.\n"
)


def _mixed_inbox(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SEED, inbox / "seed-en.txt")
    shutil.copy(FRENCH, inbox / "coree-fr.txt")
    (inbox / "greve-fr.txt").write_text(SECOND_FRENCH, encoding="utf-8")
    return inbox


def _llm(server: FakeOpenAI, inbox: Path, out: Path, *extra: str) -> list[str]:
    return [str(inbox), "--out", str(out), "--engine", "llm", "--base-url", server.base_url, "--model", "fake-model",
            "--max-retries", "0", "--no-cross-check", *extra]


def _system_prompt(request) -> str:
    return next(m["content"] for m in request.body["messages"] if m["role"] == "system")


def test_a_mixed_night_in_english_then_in_each_documents_language(openai_server: FakeOpenAI, tmp_path: Path) -> None:
    inbox, out = _mixed_inbox(tmp_path), tmp_path / "out"

    first = run_nightly_cli(*_llm(openai_server, inbox, out, "--brief-language", "en"))

    assert first.code == 0, first.stderr
    prompts = {_system_prompt(r).split("\n")[4] for r in openai_server.requests}
    assert any(p.startswith("The article is in French.") and 'every "q" and "sq" stays in French' in p for p in prompts)
    assert any(p.startswith("The article is in English.") and "never translated" not in p for p in prompts)
    rows = ledger_rows(out)
    assert len(rows) == 3 and {row["status"] for row in rows} == {"done"}
    assert all(row["prompt_version"].endswith("+brief-en") for row in rows)
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert digest["languages"] == {"fr": 2, "en": 1}
    assert "Documents in 2 languages (French 2, English 1)" in (out / "digest.md").read_text(encoding="utf-8")

    # Without --brief-language the prompt version differs: every brief is redone, each in its own language.
    second = run_nightly_cli(*_llm(openai_server, inbox, out))
    assert second.code == 0, second.stderr
    assert openai_server.count == 6
    latest = [r for r in ledger_rows(out) if not r["prompt_version"].endswith("+brief-en")]
    assert len(latest) == 3 and {row["status"] for row in latest} == {"done"}
    assert not any("never translated" in _system_prompt(r) for r in openai_server.requests[3:])


def test_extractive_night_with_another_brief_language_fails_only_the_documents_it_cannot_write(tmp_path: Path) -> None:
    inbox, out = _mixed_inbox(tmp_path), tmp_path / "out"

    result = run_nightly_cli(str(inbox), "--out", str(out), "--engine", "extractive", "--brief-language", "en")

    report = latest_report(out)
    assert report["counts"]["done"] == 1 and report["counts"]["failed"] == 2
    failed = {Path(row["path"]).name: row["last_error"] for row in ledger_rows(out) if row["status"] != "done"}
    assert set(failed) == {"coree-fr.txt", "greve-fr.txt"}
    assert all("is in French (fr)" in error and "cannot write one in English" in error for error in failed.values())
    assert "Traceback" not in result.stderr
