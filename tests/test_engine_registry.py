"""The engine registry: engines by name, imported lazily, and a new engine in one module plus one line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer import summarize, summarize_many
from summarizer.api import choose_engine
from summarizer.config import Settings
from summarizer.engines import Engine, registry
from summarizer.errors import ConfigError
from summarizer.nightly import NightlyOptions, run_nightly

ROOT = Path(__file__).resolve().parents[1]
TEXT = "Storm hits coast\n\nThe storm reached the coast on Tuesday, officials said. Power failed in 12,000 homes.\n"


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    # The one registry line a new engine needs (tests/support/toy_engine.py is the one module).
    monkeypatch.setitem(registry.ENGINES, "toy", "tests.support.toy_engine:ToyEngine")


def test_every_registered_engine_follows_the_contract() -> None:
    for name in registry.names():
        engine = registry.get(name)
        assert isinstance(engine, Engine)
        assert engine.name == name
        assert engine.batch_mode in ("processes", "event_loop")


def test_auto_says_which_engine_runs_and_why() -> None:
    engine, reason = choose_engine(Settings())
    assert (engine.name, reason) == (
        "extractive", "no LLM endpoint is configured (set OPENAI_BASE_URL or OPENAI_API_KEY to use one)"
    )
    engine, reason = choose_engine(Settings(base_url="http://user:pw@127.0.0.1:8080/v1"))
    assert (engine.name, reason) == ("llm", "an LLM endpoint is configured (http://127.0.0.1:8080/v1)")
    assert choose_engine(Settings(api_key="k"))[0].name == "llm"
    assert choose_engine(Settings(gguf=Path("model.gguf"), base_url="http://x/v1"))[0].name == "local"
    assert choose_engine(Settings(engine="extractive", api_key="k"))[0].name == "extractive"


def test_an_unknown_engine_is_a_config_error_that_lists_the_registry() -> None:
    with pytest.raises(ConfigError, match=r"unknown engine 'gpt'; choose one of: auto, extractive, llm, local"):
        summarize(TEXT, engine="gpt")


def test_a_toy_engine_runs_through_the_api_a_batch_and_nightly(toy: None, tmp_path: Path) -> None:
    brief = summarize(TEXT, engine="toy")
    assert brief.provenance.engine == "toy"
    assert brief.summary == "Power failed in 12,000 homes."
    assert [c.evidence[0].alignment.value for c in brief.claims] == ["exact"]

    briefs = summarize_many([TEXT, TEXT.replace("Tuesday", "Monday")], engine="toy")
    assert [b.provenance.model for b in briefs] == ["toy-model", "toy-model"]

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "storm.txt").write_text(TEXT, encoding="utf-8")
    report = run_nightly(NightlyOptions(inputs=[str(inbox)], out=tmp_path / "out", settings=Settings(engine="toy")))
    assert (report.status, report.engine, report.model, report.prompt_version) == ("finished", "toy", "toy-model", "toy-1")
    assert report.counts.done == 1
    again = run_nightly(NightlyOptions(inputs=[str(inbox)], out=tmp_path / "out", settings=Settings(engine="toy")))
    assert again.counts.reused == 1


def test_importing_summarizer_loads_no_engine_library() -> None:
    code = (
        "import sys, json, summarizer\n"
        "heavy = ('openai', 'instructor', 'spacy', 'httpx2', 'tenacity')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []


def test_choosing_an_engine_automatically_loads_no_engine_library() -> None:
    code = (
        "import sys, json\n"
        "from summarizer.config import Settings\n"
        "from summarizer.engines import registry\n"
        "registry.choose(Settings()); registry.choose(Settings(api_key='k'))\n"
        "print(json.dumps([m for m in ('openai', 'instructor', 'spacy') if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == []


def test_keywords_over_settings_keep_which_fields_the_user_set() -> None:
    from summarizer.api import make_settings

    merged = make_settings(Settings(engine="local", api_key="sk-long-enough-key"), model_writes="brief")
    assert merged.model_fields_set == {"engine", "api_key", "model_writes"}
    assert merged.api_key is not None and merged.api_key.get_secret_value() == "sk-long-enough-key"
