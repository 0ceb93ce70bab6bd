"""The ledger schema step that adds story memory (ledger version 2).

`IF NOT EXISTS` everywhere: the step is safe to run again, so the lead may renumber it when other
migrations (batch tables, ...) are merged beside it without an old folder ever failing to upgrade.

- story_members: one row per indexed brief *version*; `current` is 0 once an edited document (same
  path, new content) has replaced it. `raw` holds the brief's hashed term counts (so the index can be
  rebuilt without the brief files) and `facts` the actors, claims and figures the changes compare.
- stories: one row per story; `centroid` is the sum of its current members' unit TF-IDF vectors.
- story_meta: the document frequencies of the hashed terms (one blob) and the member count.
"""

from __future__ import annotations

STORY_TABLES = """
CREATE TABLE IF NOT EXISTS stories (
    story_id    TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    first_night TEXT NOT NULL,
    last_night  TEXT NOT NULL,
    members     INTEGER NOT NULL DEFAULT 0,
    centroid    BLOB NOT NULL,
    seq         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_last_night ON stories (last_night);
CREATE TABLE IF NOT EXISTS story_members (
    content_hash TEXT NOT NULL,
    path         TEXT NOT NULL,
    story_id     TEXT NOT NULL,
    night        TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    current      INTEGER NOT NULL DEFAULT 1,
    replaces     TEXT,
    brief_id     TEXT NOT NULL,
    brief_json   TEXT NOT NULL,
    brief_md     TEXT NOT NULL,
    title        TEXT NOT NULL,
    raw          BLOB NOT NULL,
    facts        TEXT NOT NULL,
    PRIMARY KEY (content_hash, path)
);
CREATE INDEX IF NOT EXISTS story_members_story ON story_members (story_id);
CREATE INDEX IF NOT EXISTS story_members_path ON story_members (path, current);
CREATE INDEX IF NOT EXISTS story_members_run ON story_members (run_id);
CREATE TABLE IF NOT EXISTS story_meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"""
