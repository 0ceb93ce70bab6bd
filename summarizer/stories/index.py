"""A night's briefs placed in the story index: each joins a story or starts one, in one transaction.

Which briefs a run indexes: every brief of its plan that is done (this run) or reused (an earlier run),
in plan order. A brief already in the index is left where it is, except that one indexed by a run that
did not finish (killed after the index was written, before its report) is stamped as this run's: so a
run killed anywhere between writing briefs and finishing is repaired by the next run over the same
inputs, and the index ends as an uninterrupted run would have left it.

A document whose path is in the index with other content is an edit (a correction): the new version
joins the old one's story and replaces it there; the old version's facts stay, so the changes compare
with them. Failed or pending documents have no brief and are not indexed; a document missing from a
later night's inbox stays in its stories (memory is what the index is for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from summarizer.heap import give_back
from summarizer.stories.features import StoryFeatures, counted_rows
from summarizer.stories.similarity import (
    MAX_AGE_DAYS,
    Candidates,
    N_FEATURES,
    THRESHOLD,
    assign,
    decay,
    idf,
    pack_rows,
    tfidf,
    unpack_rows,
)
from summarizer.stories.store import Member, StoryRow, StoryStore


@dataclass(frozen=True)
class NightBrief:
    """One brief of a run, as the index needs it (paths relative to the output folder)."""

    content_hash: str
    path: str
    brief_id: str
    brief_json: str
    brief_md: str
    story: StoryFeatures  # StoryFeatures.of(brief)


@dataclass(frozen=True)
class Placement:
    story_id: str
    status: str  # "added" (new tonight), "edited" (replaces an earlier version) or "known" (indexed before)


def story_id_for(content_hash: str) -> str:
    """A story is named after the first brief that started it: the same inputs give the same ids."""
    return f"s-{content_hash[:12]}"


def index_night(
    store: StoryStore, briefs: Sequence[NightBrief], night: str, run_id: str, *, threshold: float = THRESHOLD
) -> dict[str, Placement]:
    """Place the briefs (in their order) into the index; brief id -> placement. One transaction.

    `threshold` is the similarity at which a brief joins a story (benchmarks/story_grouping.py varies it)."""
    with store.transaction():
        finished = store.finished_runs() - {run_id}
        known = store.members_by_hash([b.content_hash for b in briefs])
        by_path = store.current_by_path([b.path for b in briefs])
        out: dict[str, Placement] = {}
        restamp: list[Member] = []
        fresh: list[tuple[NightBrief, Member | None]] = []  # (brief, the version it replaces)
        for brief in briefs:
            member = known.get(brief.content_hash)
            if member is not None:
                if member.run_id not in finished and (member.run_id != run_id or member.night != night):
                    member.run_id, member.night = run_id, night
                    restamp.append(member)
                out[brief.brief_id] = Placement(member.story_id, "known")
                continue
            previous = by_path.get(brief.path)
            fresh.append((brief, previous))
        store.put_members(restamp)
        if fresh:
            rows = counted_rows([b.story for b, _ in fresh])
            raw = unpack_rows(rows)
            # Each facts JSON is unpacked only as its row is written (`Member.packed_facts`).
            members = [
                Member(b.content_hash, b.path, "", night, run_id, 0, True, previous.content_hash if previous else None,
                       b.brief_id, b.brief_json, b.brief_md, b.story.title or b.brief_id, blob, "",
                       b.story.packed_facts)
                for (b, previous), blob in zip(fresh, rows)
            ]
            _place(store, members, raw, [previous for _, previous in fresh], night, threshold=threshold)
            for (b, previous), member in zip(fresh, members):
                out[b.brief_id] = Placement(member.story_id, "edited" if previous else "added")
        if restamp:
            _touch(store, {m.story_id for m in restamp}, night)
    give_back()  # the night's count matrices and rows, before the digest grows
    return out


def rebuild(store: StoryStore) -> int:
    """Recompute every story from the members kept in the index, night by night (`--force`); stories made."""
    with store.transaction():
        members = store.all_members()
        store.clear_stories()
        by_path: dict[str, Member] = {}
        for night in sorted({m.night for m in members}):
            tonight = [m for m in members if m.night == night]
            previous = [by_path.get(m.path) if m.replaces else None for m in tonight]
            raw = unpack_rows([m.raw for m in tonight])
            for m in tonight:
                m.current = True  # an edit below marks the version it replaces
            _place(store, tonight, raw, previous, night, renumber=False)
            for m in tonight:
                by_path[m.path] = m
        return len(store.stories())


def _days(a: str, b: str) -> float:
    return float((date.fromisoformat(a) - date.fromisoformat(b)).days)


def _place(
    store: StoryStore,
    members: list[Member],
    raw: sparse.csr_matrix,
    previous: Sequence[Member | None],
    night: str,
    *,
    renumber: bool = True,
    threshold: float = THRESHOLD,
) -> None:
    """Assign `members` (rows of `raw`, in order) to stories and write members, stories and frequencies."""
    df, documents = store.document_frequencies()
    present = raw.copy()
    present.data[:] = 1
    df = df + np.asarray(present.sum(axis=0), dtype=np.int64).ravel().astype(np.int32)
    documents += len(members)
    weights = idf(df, documents)
    vectors = tfidf(raw, weights)

    oldest = date.fromisoformat(night).toordinal() - MAX_AGE_DAYS
    candidates = store.stories(date.fromordinal(oldest).isoformat())
    ages = np.array([_days(night, s.last_night) for s in candidates], dtype=np.float64)

    # Edits keep their story; the rest are assigned by similarity.
    edits = [i for i, prev in enumerate(previous) if prev is not None]
    others = [i for i, prev in enumerate(previous) if prev is None]
    matrix = unpack_rows([s.centroid for s in candidates]) if candidates else sparse.csr_matrix((0, N_FEATURES))
    chosen = assign(vectors[others], Candidates(matrix, decay(ages)), threshold)

    new_rows: dict[int, list[int]] = {}  # m-th new story -> member positions
    joined: dict[str, list[int]] = {}  # existing story id -> member positions
    for pos, choice in zip(others, chosen):
        if choice < len(candidates):
            joined.setdefault(candidates[choice].story_id, []).append(pos)
        else:
            new_rows.setdefault(choice - len(candidates), []).append(pos)
    removed: dict[str, list[Member]] = {}
    for pos in edits:
        prev = previous[pos]
        assert prev is not None
        joined.setdefault(prev.story_id, []).append(pos)
        removed.setdefault(prev.story_id, []).append(prev)

    if renumber:
        member_seq = store.next_seq("story_members")
        for offset, member in enumerate(members):
            member.seq = member_seq + offset

    # Story rows touched tonight: the existing ones that grew (or had a version replaced), then the new ones.
    rows_by_id = {s.story_id: s for s in candidates}
    old_rows: list[StoryRow] = []
    for story_id in joined:
        row = rows_by_id.get(story_id) or store.story(story_id)  # an edit may revive a story past MAX_AGE_DAYS
        assert row is not None
        old_rows.append(row)
    new_ids = [story_id_for(members[new_rows[m][0]].content_hash) for m in sorted(new_rows)]
    groups = [joined[row.story_id] for row in old_rows] + [new_rows[m] for m in sorted(new_rows)]
    for story_id, positions in zip([row.story_id for row in old_rows] + new_ids, groups):
        for pos in positions:
            members[pos].story_id = story_id

    # New centroids in three sparse operations: stored centroid + tonight's vectors - replaced versions.
    count = len(groups)
    membership = _membership([(g, pos) for g, positions in enumerate(groups) for pos in positions], count, len(members))
    centroids = membership @ vectors
    if old_rows:
        stored = unpack_rows([row.centroid for row in old_rows])
        centroids = centroids + sparse.vstack([stored, sparse.csr_matrix((count - len(old_rows), N_FEATURES))])
    gone = [(g, m) for g, row in enumerate(old_rows) for m in removed.get(row.story_id, [])]
    if gone:
        gone_vectors = tfidf(unpack_rows([m.raw for _, m in gone]), weights)
        centroids = centroids - _membership([(g, i) for i, (g, _) in enumerate(gone)], count, len(gone)) @ gone_vectors
        for _, m in gone:
            m.current = False
        store.put_members([m for _, m in gone])
    centroids = sparse.csr_matrix(centroids)
    centroids.data[np.abs(centroids.data) < 1e-6] = 0  # what a subtraction leaves of a removed term
    centroids.eliminate_zeros()
    blobs = pack_rows(centroids)

    updated: list[StoryRow] = []
    story_seq = store.next_seq("stories")
    for g, row in enumerate(old_rows):
        removed_here = len(removed.get(row.story_id, []))
        updated.append(StoryRow(row.story_id, row.title, min(row.first_night, night), max(row.last_night, night),
                                row.members + len(groups[g]) - removed_here, blobs[g], row.seq))
    for offset, story_id in enumerate(new_ids):
        g = len(old_rows) + offset
        first = members[groups[g][0]]
        updated.append(StoryRow(story_id, first.title, night, night, len(groups[g]), blobs[g], story_seq + offset))
    store.put_members(members)
    store.put_stories(updated)
    store.set_document_frequencies(df, documents)


def _membership(pairs: list[tuple[int, int]], rows: int, columns: int) -> sparse.csr_matrix:
    """A 0/1 matrix with a 1 at each (row, column) pair: rows are stories, columns members."""
    data = np.ones(len(pairs), dtype=np.float32)
    r = np.fromiter((p[0] for p in pairs), dtype=np.int64, count=len(pairs))
    c = np.fromiter((p[1] for p in pairs), dtype=np.int64, count=len(pairs))
    return sparse.csr_matrix((data, (r, c)), shape=(rows, columns))


def _touch(store: StoryStore, story_ids: set[str], night: str) -> None:
    rows = [store.story(story_id) for story_id in sorted(story_ids)]
    store.put_stories([
        StoryRow(r.story_id, r.title, min(r.first_night, night), max(r.last_night, night), r.members, r.centroid, r.seq)
        for r in rows
        if r is not None
    ])
