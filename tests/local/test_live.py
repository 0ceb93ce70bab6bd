"""The real llama.cpp server on SmolLM2-135M-Instruct, end to end (`make test-local`, marker local_llm).

SmolLM2-135M writes poor briefs; what is checked is the pipeline around it: the command either
prints a schema-valid Brief whose every kept item is grounded, or exits 1 with one line, in
bounded time, and leaves no server behind.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from summarizer.api import asummarize
from summarizer.engines import local
from summarizer.errors import EngineError
from summarizer.schema import Brief, json_schema
from tests.conftest import SEED
from tests.llm.conftest import assert_spans_slice_source

# SmolLM2-135M on 2 shared cores: ~2,300 prompt tokens and a short answer take 20 s to 2 min.
REQUEST_TIMEOUT = 240
RUN_LIMIT = 420
SHORT_ARTICLE = Path(__file__).parent / "articles" / "hajj_stampede.txt"

pytestmark = [pytest.mark.local_llm, pytest.mark.timeout(RUN_LIMIT + 120)]


@pytest.fixture
def private_gguf(tmp_path: Path) -> Path:
    """A copy of the SmolLM2 file at a path no other server uses, so leftovers can be found."""
    copy = tmp_path.resolve() / local.smollm2_gguf().name
    shutil.copyfile(local.smollm2_gguf(), copy)
    return copy


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


def _grounded(brief: Brief) -> None:
    jsonschema.validate(json.loads(brief.model_dump_json()), json_schema())
    for field in ("actors", "claims", "figures", "uncertainties"):
        for item in getattr(brief, field):
            assert item.evidence and all(ev.aligned for ev in item.evidence), (field, item)
    assert_spans_slice_source(brief)


def _report(label: str, brief: Brief, seconds: float) -> str:
    kept = sum(len(getattr(brief, f)) for f in ("actors", "claims", "figures", "uncertainties"))
    fields = ", ".join(sorted(d.field for d in brief.dropped)) or "none"
    usage = brief.provenance.usage
    return (
        f"\n[{label}] brief in {seconds:.0f} s: {kept} items kept, {len(brief.dropped)} dropped by grounding "
        f"({fields}); {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens, "
        f"{brief.provenance.attempts} request(s)"
    )


def test_cli_brief_of_the_seed_on_the_real_server(private_gguf, capsys):
    summarizer = Path(sys.executable).with_name("summarizer")
    command = [
        str(summarizer), "brief", str(SEED), "--engine", "local", "--gguf", str(private_gguf),
        "--format", "json", "--timeout", str(REQUEST_TIMEOUT), "--max-retries", "0",
    ]
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=RUN_LIMIT)
    seconds = time.monotonic() - started

    assert _servers_on(private_gguf) == [], "the llama.cpp server outlived the command"
    if run.returncode == 0:
        brief = Brief.model_validate_json(run.stdout)
        _grounded(brief)
        assert brief.provenance.engine == "local" and brief.provenance.model == private_gguf.name
        assert brief.provenance.usage.prompt_tokens > 0 and brief.provenance.usage.completion_tokens > 0
        line = _report("cli seed", brief, seconds)
    else:
        assert run.returncode == 1, run.stderr
        lines = run.stderr.strip().splitlines()
        assert lines[-1].startswith("summarizer: ") and "Traceback" not in run.stderr, run.stderr
        assert len([x for x in lines if not x.startswith("summarizer: engine local")]) == 1, run.stderr
        line = f"\n[cli seed] exit 1 in {seconds:.0f} s: {lines[-1]}"
    with capsys.disabled():
        print(line)


async def test_async_api_on_a_short_article_on_the_real_server(private_gguf, capsys):
    started = time.monotonic()
    try:
        brief = await asummarize(
            SHORT_ARTICLE, engine="local", gguf=private_gguf, timeout=REQUEST_TIMEOUT, max_retries=0
        )
    except EngineError as exc:
        message = str(exc)
        assert "\n" not in message and ("127.0.0.1" in message or private_gguf.name in message), message
        line = f"\n[async hajj_stampede] EngineError in {time.monotonic() - started:.0f} s: {message}"
    else:
        _grounded(brief)
        assert brief.provenance.engine == "local" and brief.provenance.model == private_gguf.name
        line = _report("async hajj_stampede", brief, time.monotonic() - started)
    assert time.monotonic() - started < RUN_LIMIT
    assert _servers_on(private_gguf) == [], "the llama.cpp server outlived the call"
    with capsys.disabled():
        print(line)
