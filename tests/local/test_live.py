"""The real llama.cpp server on the local engine's default model, Qwen2.5-Coder-1.5B-Instruct, end to end
(`make test-local`, marker local_llm).

The local engine's default is checked as a user meets it: the model writes only the summary, the
extractive rules find the items. The command prints a schema-valid Brief whose summary is the model's own
(abstractive: not the article's lead, not a sentence copied from it) and whose items are the rules', in
bounded time, and leaves no server behind. The wall time is printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from summarizer.api import asummarize, summarize
from summarizer.engines import local
from summarizer.engines.local_model import default_gguf
from summarizer.grounding import lead_summary
from summarizer.schema import Brief, json_schema
from summarizer.support import check_support
from summarizer.text import clean
from tests.conftest import SEED
from tests.llm.conftest import assert_spans_slice_source

# Qwen2.5-Coder-1.5B on 2 shared cores: ~1,200 prompt and ~120 completion tokens for the seed's summary,
# with the server's start and the rules, take about a minute (twice that when the cores are busy).
RUN_LIMIT = 420
SHORT_ARTICLE = Path(__file__).parent / "articles" / "hajj_stampede.txt"
FIELDS = ("actors", "claims", "figures", "uncertainties")

pytestmark = [pytest.mark.local_llm, pytest.mark.timeout(RUN_LIMIT + 120)]


@pytest.fixture
def private_gguf(tmp_path: Path) -> Path:
    """The default model's file at a path no other server uses, so leftovers can be found: a hard link
    (a copy where the temporary folder is on another file system), under the file's own name."""
    default = default_gguf()
    private = tmp_path.resolve() / default.name
    try:
        os.link(default, private)
    except OSError:
        shutil.copyfile(default, private)
    return private


def _servers_on(gguf: Path) -> list[int]:
    """Pids of llama.cpp servers still serving this exact file."""
    pids = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if b"llama_cpp.server" in args and str(gguf).encode() in args:
            pids.append(int(cmdline.parent.name))
    return pids


def _assert_default_brief(brief: Brief, article: Path, model: str) -> None:
    """Schema-valid and grounded; the model's own summary; the extractive rules' items."""
    jsonschema.validate(json.loads(brief.model_dump_json()), json_schema())
    assert_spans_slice_source(brief)
    assert brief.provenance.engine == "local" and brief.provenance.model == model
    assert brief.provenance.usage.prompt_tokens > 0 and brief.provenance.usage.completion_tokens > 0
    text = article.read_text(encoding="utf-8")
    lead, _ = lead_summary(clean(text))
    assert "summary" not in {d.field for d in brief.dropped}, brief.dropped
    assert brief.summary and brief.summary != lead and brief.summary not in text, brief.summary
    assert brief.summary_evidence and all(ev.aligned for ev in brief.summary_evidence)
    # Every kept item, and the model's summary, pass the support checks (run again here, on the final brief).
    assert check_support(brief, clean(text)).dropped == []
    rules = summarize(article, engine="extractive")
    for field in FIELDS:
        assert [i.model_dump() for i in getattr(brief, field)] == [i.model_dump() for i in getattr(rules, field)]


def _report(label: str, brief: Brief, seconds: float) -> str:
    usage = brief.provenance.usage
    items = ", ".join(f"{len(getattr(brief, f))} {f}" for f in FIELDS)
    return (
        f"\n[{label}] brief in {seconds:.1f} s wall: {usage.prompt_tokens} prompt + {usage.completion_tokens} "
        f"completion tokens, {brief.provenance.attempts} request(s); summary: {brief.summary!r}; rules: {items}"
    )


def test_cli_brief_of_the_seed_with_the_default_model_writing_the_summary(private_gguf, capsys):
    summarizer = Path(sys.executable).with_name("summarizer")
    # No --timeout and no --model-writes: the local engine's defaults (600 s per request, the summary only).
    command = [
        str(summarizer), "brief", str(SEED), "--engine", "local", "--gguf", str(private_gguf),
        "--format", "json", "--max-retries", "0",
    ]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=RUN_LIMIT)
    seconds = time.monotonic() - started

    assert _servers_on(private_gguf) == [], "the llama.cpp server outlived the command"
    assert run.returncode == 0, run.stderr
    brief = Brief.model_validate_json(run.stdout)
    _assert_default_brief(brief, SEED, private_gguf.name)
    assert seconds < RUN_LIMIT
    with capsys.disabled():
        print(_report("cli seed, model writes the summary", brief, seconds))


async def test_async_api_on_a_short_article_with_the_default_model(private_gguf, capsys):
    started = time.monotonic()
    brief = await asummarize(SHORT_ARTICLE, engine="local", gguf=private_gguf, max_retries=0)
    seconds = time.monotonic() - started

    _assert_default_brief(brief, SHORT_ARTICLE, private_gguf.name)
    assert seconds < RUN_LIMIT
    assert _servers_on(private_gguf) == [], "the llama.cpp server outlived the call"
    with capsys.disabled():
        print(_report("async hajj_stampede, model writes the summary", brief, seconds))
