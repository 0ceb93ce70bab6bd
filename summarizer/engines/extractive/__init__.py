"""The extractive engine: spaCy plus rules, no model server and no key.

`engine.py` turns cleaned text into a Draft; the rule modules beside it each find one kind of item
(`actors`, `attribution` with `speakers` and `quotes`, `figures`, `hedges`), over the word lists in
`lexicon` and `geo` and the spaCy pipeline that `nlp` loads once per process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from summarizer.engines import BaseEngine, BatchMode, EngineIdentity, EngineResult, cores
from summarizer.schema import FoundBy

if TYPE_CHECKING:
    from summarizer.config import Settings
    from summarizer.text import CleanText


class ExtractiveEngine(BaseEngine):
    """spaCy is CPU-bound: a batch runs one worker process per core, each loading the model once."""

    name = "extractive"
    batch_mode: BatchMode = "processes"
    found_by = FoundBy.rules

    def auto_reason(self, settings: Settings) -> str | None:
        return "no LLM endpoint is configured (set OPENAI_BASE_URL or OPENAI_API_KEY to use one)"

    def identity(self, settings: Settings) -> EngineIdentity:
        from summarizer.engines.extractive.engine import RULES_VERSION
        from summarizer.engines.extractive.nlp import model_id

        return EngineIdentity(self.name, model_id(), RULES_VERSION)

    def default_concurrency(self) -> int:
        return cores()

    def prepare_worker(self) -> None:
        from summarizer.engines.extractive.nlp import load_nlp

        load_nlp()

    def extract(self, clean: CleanText, settings: Settings) -> EngineResult:
        from summarizer.engines.extractive.engine import extract

        return extract(clean, settings)

    async def aextract(self, clean: CleanText, settings: Settings) -> EngineResult:
        from summarizer.engines.extractive.engine import aextract

        return await aextract(clean, settings)
