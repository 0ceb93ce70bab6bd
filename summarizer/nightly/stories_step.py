"""The nightly run's story step: after the briefs are written and before the digest, index them as stories.

The step runs after every brief of the run is on disk and marked done, in one transaction, so a run
killed before or during it leaves the index as it was and the next run (finding those briefs done)
indexes them; see summarizer.stories.index. `--force` first rebuilds every story from the index.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from summarizer.heap import give_back
from summarizer.ledger import LEDGER_NAME, Status
from summarizer.nightly.plan import Plan
from summarizer.stories.changes import story_memory
from summarizer.stories.index import NightBrief, index_night, rebuild
from summarizer.stories.models import StoryMemory
from summarizer.stories.store import StoryStore


def index_run(out: Path, plan: Plan, run_id: str, night: date, force: bool) -> StoryMemory:
    """Index the run's done and reused briefs (in input order) and tell what each touched story gained."""
    briefs = [
        NightBrief(item.key.content_hash, str(item.path), item.id, item.json_path, item.md_path, item.done_brief.story)
        for item in plan.items
        if item.status in (Status.reused, Status.done) and item.done_brief is not None
    ]
    with StoryStore(out / LEDGER_NAME) as store:
        if force:
            rebuild(store)
        placements = index_night(store, briefs, night.isoformat(), run_id)
        memory = story_memory(store, placements, night.isoformat(), run_id)
    give_back()  # what the index and the stories' facts freed, before the digest grows
    return memory
