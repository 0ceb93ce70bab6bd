"""The story part of the digest (`Digest.memory`) and story timelines (`summarizer stories`).

A contract like the digest's: add fields, do not rename or remove them. Paths (`json_path`, `md_path`)
are relative to the output folder, where digest.md, digest.html and digest.json are written; briefs of
earlier nights are linked the same way, so every value can be traced to its quote.

    StoryMemory
      night, run_id
      new:        [StoryEntry]  stories first seen in this run
      developing: [StoryEntry]  stories seen before that this run adds something to (the changes)
      quiet:      [StoryEntry]  stories seen before that this run touched without anything new
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

MEMORY_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoryBrief(_Model):
    id: str = Field(description="The brief's file stem (a BriefLink id when the brief is in this digest).")
    title: str
    json_path: str
    md_path: str
    night: str = Field(description="The night (YYYY-MM-DD) the brief entered the story.")
    status: str = Field(description="added (new in this run), edited (replaces an earlier version of the same "
                                    "document), known (indexed by an earlier run) or replaced (an older version).")
    replaces: str | None = Field(default=None, description="For an edit: the brief id of the version it replaces.")


class FigureValue(_Model):
    text: str = Field(description="The figure as written.")
    value: float | None = None
    unit: str | None = None
    measures: str | None = None
    source: str | None = Field(default=None, description="Who gives the figure, when the brief says.")
    date: str | None = Field(default=None, description="The date the text attaches to the figure, as written.")
    night: str = Field(description="The night the brief carrying it entered the index.")
    brief: str = Field(description="Brief id.")
    json_path: str
    md_path: str
    quote: str | None = Field(default=None, description="The evidence: brief.source.text[start:end].")
    start: int | None = None
    end: int | None = None
    context: list[str] = Field(
        default_factory=list, description="For a figure without a unit: the words around it, which identify it."
    )


class FigureChange(_Model):
    quantity: str = Field(description="What is measured, as the newer figure words it.")
    unit: str | None = None
    before: FigureValue = Field(description="The latest earlier value of this quantity.")
    after: FigureValue = Field(description="The value given in this run.")
    conflict: bool = Field(description="True when two different named sources give the two values.")


class ClaimNote(_Model):
    speaker: str
    statement: str
    brief: str
    json_path: str
    md_path: str
    quote: str | None = None
    start: int | None = None
    end: int | None = None


class StoryEntry(_Model):
    story_id: str
    title: str
    first_seen: str = Field(description="First night (YYYY-MM-DD).")
    last_seen: str
    documents: int = Field(description="Documents in the story (current versions), all nights.")
    briefs: list[StoryBrief] = Field(
        default_factory=list,
        description="This run's briefs in the story; for a story touched only by briefs indexed before, those.",
    )
    earlier: int = Field(default=0, description="Briefs of earlier runs in the story.")
    actors: list[str] = Field(default_factory=list, description="For a new story: its actors, most briefs first.")
    new_actors: list[str] = Field(default_factory=list, description="Actors no earlier brief of the story named.")
    new_claims: list[ClaimNote] = Field(default_factory=list, description="Claims no earlier brief made, by speaker.")
    new_figures: list[FigureValue] = Field(default_factory=list, description="Quantities not given before.")
    changed_figures: list[FigureChange] = Field(
        default_factory=list, description="Quantities given before with another value: both values, sources, nights."
    )
    conflicts: list[FigureChange] = Field(
        default_factory=list, description="The changed figures whose two values come from different named sources."
    )
    note: str = Field(default="", description="One line: what the run adds, or that it only repeats what was known.")


class StoryMemory(_Model):
    memory_version: str = MEMORY_VERSION
    night: str
    run_id: str | None = None
    stories_known: int = Field(default=0, description="Stories in the index after this run.")
    new: list[StoryEntry] = Field(default_factory=list)
    developing: list[StoryEntry] = Field(default_factory=list)
    quiet: list[StoryEntry] = Field(default_factory=list)


class TimelineNight(_Model):
    night: str
    briefs: list[StoryBrief] = Field(default_factory=list)
    figures: list[FigureValue] = Field(
        default_factory=list, description="Every figure with a unit, or with words around it, that night."
    )


class StoryTimeline(_Model):
    story_id: str
    title: str
    first_seen: str
    last_seen: str
    documents: int
    nights: list[TimelineNight] = Field(default_factory=list)
