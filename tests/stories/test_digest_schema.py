"""schemas/digest.schema.json is what `summarizer schema --digest` prints, and a nightly digest.json follows it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.digest import Digest

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas" / "digest.schema.json"


def test_the_committed_digest_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == Digest.model_json_schema(), "schemas/digest.schema.json is stale: run `summarizer schema --digest`"
    printed = CliRunner().invoke(app, ["schema", "--digest"])
    assert printed.exit_code == 0 and json.loads(printed.stdout) == committed
