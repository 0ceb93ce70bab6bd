"""A toy engine for tests: one module and one registry line are all an engine needs.

It quotes the article's last sentence as the summary and as one unattributed claim.
"""

from __future__ import annotations

from summarizer.config import Settings
from summarizer.engines import BaseEngine, EngineIdentity, EngineResult
from summarizer.schema import Claim, Draft, Evidence
from summarizer.text import CleanText


class ToyEngine(BaseEngine):
    name = "toy"

    def identity(self, settings: Settings) -> EngineIdentity:
        return EngineIdentity(self.name, "toy-model", "toy-1")

    def extract(self, clean: CleanText, settings: Settings) -> EngineResult:
        start, end = clean.span_to_source(*clean.sentences[-1])
        first = Evidence.exact(clean.source, start, end)
        draft = Draft(summary=first.quote, summary_evidence=[first], claims=[Claim(statement=first.quote, evidence=[first])])
        return EngineResult(draft=draft, model="toy-model", prompt_version="toy-1")
