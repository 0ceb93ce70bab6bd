"""Reading the story index of an output folder for `summarizer stories`: every story, or one, as timelines."""

from __future__ import annotations

from pathlib import Path

from summarizer.errors import InputError
from summarizer.ledger import LEDGER_NAME
from summarizer.stories.changes import timeline
from summarizer.stories.models import StoryTimeline
from summarizer.stories.store import StoryStore


def _store(out: Path) -> StoryStore:
    ledger = out / LEDGER_NAME
    if not ledger.is_file():
        raise InputError(f"{out}: no nightly ledger ({LEDGER_NAME}) here; run `summarizer nightly INPUT --out {out}` first")
    return StoryStore(ledger)


def story_timelines(out: Path) -> list[StoryTimeline]:
    """Every story of the folder's index, the most recently seen first."""
    with _store(out) as store:
        rows = sorted(store.stories(), key=lambda row: (row.last_night, row.members, -row.seq), reverse=True)
        return [timeline(store, row) for row in rows]


def story_timeline(out: Path, story: str) -> StoryTimeline:
    """One story by id (`s-...`, or an unambiguous start of it)."""
    with _store(out) as store:
        row = store.story(story)
        if row is None:
            matches = [r for r in store.stories() if r.story_id.startswith(story) or r.story_id.startswith("s-" + story)]
            if len(matches) != 1:
                reason = "no story" if not matches else f"{len(matches)} stories match"
                raise InputError(f"{story}: {reason} with that id in {out}; `summarizer stories --out {out}` lists them")
            row = matches[0]
        return timeline(store, row)
