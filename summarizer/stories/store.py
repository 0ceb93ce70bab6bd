"""The story tables in the output folder's SQLite file (created by the ledger's migration, version 2)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from summarizer.ledger import immediate_transaction, open_tables
from summarizer.stories.features import unpack
from summarizer.stories.similarity import N_FEATURES

_IN_CHUNK = 500  # host parameters per IN (...) query, well under SQLite's limit


@dataclass
class Member:
    content_hash: str
    path: str
    story_id: str
    night: str
    run_id: str
    seq: int
    current: bool
    replaces: str | None
    brief_id: str
    brief_json: str
    brief_md: str
    title: str
    raw: bytes
    facts: str
    # A member made tonight: its facts as StoryFeatures keeps them (`facts` is then ""), unpacked one at
    # a time as the rows are written, not a night's worth at once (~5,000 characters a brief).
    packed_facts: bytes | None = None

    def facts_json(self) -> str:
        return self.facts if self.packed_facts is None else unpack(self.packed_facts)


_MEMBER_COLUMNS = (
    "content_hash, path, story_id, night, run_id, seq, current, replaces, brief_id, brief_json, brief_md, title, "
    "raw, facts"
)


def _member(row: sqlite3.Row) -> Member:
    return Member(
        row["content_hash"], row["path"], row["story_id"], row["night"], row["run_id"], row["seq"],
        bool(row["current"]), row["replaces"], row["brief_id"], row["brief_json"], row["brief_md"], row["title"],
        row["raw"], row["facts"],
    )


@dataclass
class StoryRow:
    story_id: str
    title: str
    first_night: str
    last_night: str
    members: int
    centroid: bytes
    seq: int


class StoryStore:
    """The story tables of one ledger file. Opening it migrates the ledger (an old folder is upgraded in place)."""

    def __init__(self, path: Path) -> None:
        self._db = open_tables(path, "the story tables")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One all-or-nothing change: a process killed inside it leaves the index as it was before."""
        return immediate_transaction(self._db)

    # --- reading ---------------------------------------------------------------------------------

    def finished_runs(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT run_id FROM runs WHERE status = 'finished'")}

    def document_frequencies(self) -> tuple[np.ndarray, int]:
        rows = dict(self._db.execute("SELECT key, value FROM story_meta WHERE key IN ('df', 'documents')").fetchall())
        if "df" not in rows:
            return np.zeros(N_FEATURES, dtype=np.int32), 0
        return np.frombuffer(rows["df"], dtype="<i4").copy(), int(rows["documents"])

    def members_by_hash(self, hashes: Sequence[str]) -> dict[str, Member]:
        return {m.content_hash: m for m in self._members_where("content_hash", hashes)}

    def current_by_path(self, paths: Sequence[str]) -> dict[str, Member]:
        return {m.path: m for m in self._members_where("path", paths) if m.current}

    def _members_where(self, column: str, values: Sequence[str], *, facts: bool = True) -> list[Member]:
        out: list[Member] = []
        columns = _MEMBER_COLUMNS if facts else _MEMBER_COLUMNS.replace(", facts", ", '' AS facts")
        unique = sorted(set(values))
        for begin in range(0, len(unique), _IN_CHUNK):
            part = unique[begin : begin + _IN_CHUNK]
            marks = ", ".join("?" * len(part))
            cursor = self._db.execute(f"SELECT {columns} FROM story_members WHERE {column} IN ({marks})", part)
            out.extend(_member(row) for row in cursor)
        return out

    def members_of(self, story_ids: Sequence[str], *, facts: bool = True) -> list[Member]:
        """Every member (edited-away versions too) of these stories, in index order; without `facts`,
        their `facts` left "" (read them story by story with `facts_of`: a night's are ~10 KB each)."""
        found = self._members_where("story_id", story_ids, facts=facts)
        return sorted(found, key=lambda m: (m.night, m.seq))

    def facts_of(self, hashes: Sequence[str]) -> dict[str, str]:
        """Content hash -> the facts JSON of those members."""
        out: dict[str, str] = {}
        unique = sorted(set(hashes))
        for begin in range(0, len(unique), _IN_CHUNK):
            part = unique[begin : begin + _IN_CHUNK]
            marks = ", ".join("?" * len(part))
            out.update(self._db.execute(f"SELECT content_hash, facts FROM story_members WHERE content_hash IN ({marks})",
                                        part).fetchall())
        return out

    def all_members(self) -> list[Member]:
        cursor = self._db.execute(f"SELECT {_MEMBER_COLUMNS} FROM story_members ORDER BY night, seq")
        return [_member(row) for row in cursor]

    def stories(self, since_night: str | None = None) -> list[StoryRow]:
        query = "SELECT story_id, title, first_night, last_night, members, centroid, seq FROM stories"
        args: tuple[str, ...] = ()
        if since_night is not None:
            query += " WHERE last_night >= ?"
            args = (since_night,)
        return [StoryRow(*row) for row in self._db.execute(query + " ORDER BY seq", args)]

    def story(self, story_id: str) -> StoryRow | None:
        row = self._db.execute(
            "SELECT story_id, title, first_night, last_night, members, centroid, seq FROM stories WHERE story_id = ?",
            (story_id,),
        ).fetchone()
        return StoryRow(*row) if row else None

    def next_seq(self, table: str) -> int:
        assert table in ("stories", "story_members")
        return int(self._db.execute(f"SELECT COALESCE(MAX(seq), -1) + 1 FROM {table}").fetchone()[0])

    # --- writing (inside `transaction`) ----------------------------------------------------------

    def set_document_frequencies(self, df: np.ndarray, documents: int) -> None:
        self._db.executemany(
            "INSERT INTO story_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [("df", df.astype("<i4").tobytes()), ("documents", documents)],
        )

    def put_members(self, members: Sequence[Member]) -> None:
        self._db.executemany(
            f"INSERT OR REPLACE INTO story_members ({_MEMBER_COLUMNS}) VALUES ({', '.join('?' * 14)})",
            (
                (m.content_hash, m.path, m.story_id, m.night, m.run_id, m.seq, int(m.current), m.replaces,
                 m.brief_id, m.brief_json, m.brief_md, m.title, m.raw, m.facts_json())
                for m in members
            ),
        )

    def put_stories(self, stories: Sequence[StoryRow]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO stories (story_id, title, first_night, last_night, members, centroid, seq) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(s.story_id, s.title, s.first_night, s.last_night, s.members, s.centroid, s.seq) for s in stories],
        )

    def clear_stories(self) -> None:
        self._db.execute("DELETE FROM stories")
        self._db.execute("DELETE FROM story_meta")

    def count_stories(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM stories").fetchone()[0])
