"""The committed JSON Schema matches the models, and Briefs validate against it."""

from __future__ import annotations

import json

import jsonschema
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.grounding import ground
from summarizer.schema import SCHEMA_VERSION, Actor, Brief, Draft, Evidence, Provenance, Source, json_schema
from summarizer.text import clean
from tests.conftest import ROOT

SCHEMA_FILE = ROOT / "schemas" / "brief.schema.json"


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema(), "schemas/brief.schema.json is stale: run `make schema` and commit it"


def test_schema_command_prints_the_committed_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def _brief(text: str, draft: Draft) -> Brief:
    grounded, dropped = ground(draft, clean(text))
    return Brief(
        title="t",
        source=Source(sha256="0" * 64, length=len(text), text=text),
        provenance=Provenance(engine="test"),
        dropped=dropped,
        **grounded.model_dump(exclude={"title"}),
    )


def test_brief_json_validates_and_carries_version() -> None:
    text = "Ms Smith said the bridge will open in May."
    brief = _brief(text, Draft(actors=[Actor(name="Smith", kind="person", evidence=[Evidence(quote="Ms Smith")])]))
    data = json.loads(brief.model_dump_json())
    jsonschema.validate(data, json_schema())
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["actors"][0]["evidence"][0] == {
        "quote": "Ms Smith", "start": 0, "end": 8, "alignment": "exact", "page": None
    }


def test_schema_rejects_unknown_fields_and_bad_enums() -> None:
    text = "Ms Smith spoke."
    data = json.loads(_brief(text, Draft()).model_dump_json())
    data["surprise"] = 1
    try:
        jsonschema.validate(data, json_schema())
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("extra field accepted")
    data.pop("surprise")
    data["actors"] = [{"name": "X", "kind": "alien", "evidence": []}]
    try:
        jsonschema.validate(data, json_schema())
    except jsonschema.ValidationError:
        pass
    else:
        raise AssertionError("unknown actor kind accepted")


def test_a_schema_1_0_brief_still_loads() -> None:
    """1.0 had no found_by, unsupported, dropped[].code, source.removed or the new verification lists."""
    from summarizer.schema import DropCode

    data = {
        "schema_version": "1.0",
        "title": "T",
        "source": {"sha256": "0" * 64, "length": 1, "text": "x"},
        "provenance": {"engine": "llm"},
        "actors": [{"name": "NATO", "evidence": [{"quote": "x", "start": 0, "end": 1, "alignment": "exact"}]}],
        "dropped": [
            {"field": "claims", "text": "c", "quotes": [], "reason": "no evidence given"},
            {"field": "summary", "text": "s", "quotes": ["q"], "reason": "evidence not found in the source"},
        ],
        "verification": {"figures_checked": 0, "figure_mismatches": [], "missed_entities": [], "missed_numbers": []},
    }
    brief = Brief.model_validate(data)
    assert [d.code for d in brief.dropped] == [DropCode.no_evidence, DropCode.evidence_not_found]
    assert brief.actors[0].found_by is None and brief.source.removed == []


def test_a_schema_1_1_claim_without_speaker_mention_still_loads() -> None:
    """1.2 added claims[].speaker_mention; a 1.1 brief's claims load with None."""
    data = {
        "schema_version": "1.1",
        "title": "T",
        "source": {"sha256": "0" * 64, "length": 1, "text": "x"},
        "provenance": {"engine": "extractive"},
        "claims": [{"statement": "x", "speaker": "NATO", "attribution": "reported", "hedged": False}],
    }
    brief = Brief.model_validate(data)
    assert brief.claims[0].speaker_mention is None
    assert Brief.model_validate_json(brief.model_dump_json()).claims[0].speaker == "NATO"
