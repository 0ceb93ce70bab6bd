"""The story index over hand-built briefs: grouping across nights, changes, edits, repair, rebuild, migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from summarizer.ledger import LEDGER_NAME, MIGRATIONS, Ledger
from summarizer.schema import ActorKind, Brief
from summarizer.stories.changes import story_memory
from summarizer.stories.index import NightBrief, index_night, rebuild
from summarizer.stories.features import StoryFeatures
from summarizer.stories.store import StoryStore
from tests.test_digest import make_brief

P, O, C = ActorKind.person, ActorKind.organisation, ActorKind.country

QUAKE_1 = ("An earthquake hit Atlantis on Monday. President Maria Lopez said 120 people died in the earthquake. "
           "The Red Cross said it was sending help to the coast of Atlantis.")
QUAKE_2 = ("Earthquake in Atlantis: rescuers reach the coast. The Red Cross said 150 people died in the earthquake. "
           "Maria Lopez visited the ruins with the Red Cross.")
QUAKE_3 = ("Atlantis earthquake: the coast mourns. President Maria Lopez said 120 people died in the earthquake. "
           "The Red Cross is still helping in Atlantis.")
ELECTION = "Voters in Borduria chose a new parliament. Turnout was 61 percent, said the Electoral Board."


def quake(text: str, value: float, source: str) -> Brief:
    written = f"{value:g} people"
    return make_brief(
        text,
        [("Maria Lopez", P, []), ("Red Cross", O, []), ("Atlantis", C, [])],
        [{"text": written, "value": value, "unit": "people", "measures": "people died", "source": source}],
        title=text.split(".")[0],
    )


def election() -> Brief:
    return make_brief(ELECTION, [("Borduria", C, []), ("Electoral Board", O, [])],
                      [{"text": "61 percent", "value": 61, "unit": "%", "measures": "turnout"}])


def night_brief(path: str, brief: Brief) -> NightBrief:
    stem = Path(path).stem + "-" + brief.source.sha256[:8]
    return NightBrief(brief.source.sha256, path, stem, f"briefs/{stem}.json", f"briefs/{stem}.md", StoryFeatures.of(brief))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    return tmp_path


def run(out: Path, run_id: str, night: str, briefs: list[NightBrief], *, finish: bool = True):
    with Ledger(out / LEDGER_NAME) as ledger:
        ledger.begin_run(run_id, "test", "m", "p")
    with StoryStore(out / LEDGER_NAME) as store:
        placements = index_night(store, briefs, night, run_id)
        memory = story_memory(store, placements, night, run_id)
    if finish:
        with Ledger(out / LEDGER_NAME) as ledger:
            ledger.end_run(run_id, interrupted=False, documents=len(briefs), done=len(briefs), failed=0, pending=0,
                           total_tokens=0, report_path=None)
    return placements, memory


def test_a_story_retold_joins_it_and_its_changed_figure_is_reported_with_both_values(out: Path) -> None:
    first, memory1 = run(out, "r1", "2026-11-01", [night_brief("in/a.txt", quake(QUAKE_1, 120, "Maria Lopez"))])
    assert [e.title for e in memory1.new] == ["An earthquake hit Atlantis on Monday"]
    second, memory2 = run(out, "r2", "2026-11-02", [night_brief("in/b.txt", quake(QUAKE_2, 150, "Red Cross")),
                                                    night_brief("in/c.txt", election())])
    quake_story = next(iter(first.values())).story_id
    assert {p.story_id for p in second.values()} == {quake_story, second["c-" + election().source.sha256[:8]].story_id}
    assert [e.story_id for e in memory2.developing] == [quake_story]
    assert [e.title for e in memory2.new] == [election().title]
    entry = memory2.developing[0]
    [change] = entry.changed_figures
    assert (change.before.value, change.before.source, change.before.night) == (120, "Maria Lopez", "2026-11-01")
    assert (change.after.value, change.after.source, change.after.night) == (150, "Red Cross", "2026-11-02")
    assert change.conflict and entry.conflicts == [change]
    assert change.after.quote == "150 people" and change.before.quote == "120 people"
    assert entry.new_actors == [] and entry.earlier == 1


def test_a_story_that_only_repeats_is_quiet_in_one_line(out: Path) -> None:
    run(out, "r1", "2026-11-01", [night_brief("in/a.txt", quake(QUAKE_1, 120, "Maria Lopez"))])
    _, memory = run(out, "r2", "2026-11-02", [night_brief("in/b.txt", quake(QUAKE_3, 120, "Maria Lopez"))])
    assert memory.new == [] and memory.developing == []
    [entry] = memory.quiet
    assert entry.note == "nothing new: repeats what was known"


def test_an_edited_document_updates_its_story_instead_of_adding_one(out: Path) -> None:
    first, _ = run(out, "r1", "2026-11-01", [night_brief("in/a.txt", quake(QUAKE_1, 120, "Maria Lopez"))])
    corrected = quake(QUAKE_1.replace("120", "125"), 125, "Maria Lopez")
    placements, memory = run(out, "r2", "2026-11-02", [night_brief("in/a.txt", corrected)])
    [placement] = placements.values()
    assert placement.status == "edited" and placement.story_id == next(iter(first.values())).story_id
    with StoryStore(out / LEDGER_NAME) as store:
        [row] = store.stories()
        assert row.members == 1  # the new version replaced the old one
        members = store.all_members()
    assert [(m.current, m.replaces) for m in members] == [(False, None), (True, members[0].content_hash)]
    [entry] = memory.developing
    assert entry.briefs[0].status == "edited"
    assert [(c.before.value, c.after.value) for c in entry.changed_figures] == [(120, 125)]


def test_a_run_that_did_not_finish_is_repaired_by_the_next(out: Path) -> None:
    run(out, "r1", "2026-11-01", [night_brief("in/a.txt", quake(QUAKE_1, 120, "Maria Lopez"))])
    tonight = [night_brief("in/b.txt", quake(QUAKE_2, 150, "Red Cross")), night_brief("in/c.txt", election())]
    run(out, "r2", "2026-11-02", tonight, finish=False)  # killed after indexing, before its report
    placements, memory = run(out, "r3", "2026-11-02", tonight)
    assert {p.status for p in placements.values()} == {"known"}
    # The re-run tells the night as the killed run would have: the quake developing, the election new.
    assert len(memory.developing) == 1 and len(memory.new) == 1 and memory.quiet == []
    with StoryStore(out / LEDGER_NAME) as store:
        assert {m.run_id for m in store.all_members() if m.night == "2026-11-02"} == {"r3"}


def test_rebuild_gives_the_stories_the_nights_gave(out: Path) -> None:
    run(out, "r1", "2026-11-01", [night_brief("in/a.txt", quake(QUAKE_1, 120, "Maria Lopez"))])
    run(out, "r2", "2026-11-02", [night_brief("in/b.txt", quake(QUAKE_2, 150, "Red Cross")),
                                  night_brief("in/c.txt", election())])
    run(out, "r3", "2026-11-03", [night_brief("in/a.txt", quake(QUAKE_3.replace("120", "130"), 130, "Maria Lopez"))])
    with StoryStore(out / LEDGER_NAME) as store:
        before = {m.content_hash: (m.story_id, m.current) for m in store.all_members()}
        stories = [(s.story_id, s.first_night, s.last_night, s.members) for s in store.stories()]
        assert rebuild(store) == 2
        assert {m.content_hash: (m.story_id, m.current) for m in store.all_members()} == before
        assert [(s.story_id, s.first_night, s.last_night, s.members) for s in store.stories()] == stories


def test_an_old_ledger_is_upgraded_in_place(out: Path) -> None:
    path = out / LEDGER_NAME
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0].split(";"):
        if statement.strip():
            db.execute(statement)
    db.execute("INSERT INTO runs (run_id, started_at, status, engine, model, prompt_version) "
               "VALUES ('old', '2026-01-01', 'finished', 'e', 'm', 'p')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with StoryStore(path) as store:
        assert store.finished_runs() == {"old"}
        assert store.stories() == []
    with Ledger(path) as ledger:
        assert ledger.schema_version == len(MIGRATIONS) >= 2
        assert [r["run_id"] for r in ledger.runs()] == ["old"]


def test_index_night_writes_each_new_members_facts_as_story_features_made_them(out: Path) -> None:
    """The facts JSON is unpacked row by row as the members are written: the rows hold each brief's facts
    exactly, whatever order the briefs came in."""
    briefs = [night_brief("a.txt", quake(QUAKE_1, 120, "Maria Lopez")), night_brief("b.txt", election()),
              night_brief("c.txt", quake(QUAKE_2, 150, "Red Cross"))]
    run(out, "r1", "2026-01-01", briefs)
    with sqlite3.connect(out / LEDGER_NAME) as db:
        stored = dict(db.execute("SELECT content_hash, facts FROM story_members").fetchall())
    assert stored == {b.content_hash: b.story.facts for b in briefs}
    assert all(facts.startswith('{"actors":[') for facts in stored.values())


def test_members_can_be_read_without_their_facts_and_the_facts_by_story(out: Path) -> None:
    briefs = [night_brief("a.txt", quake(QUAKE_1, 120, "Maria Lopez")), night_brief("b.txt", election())]
    placements, _ = run(out, "r1", "2026-01-01", briefs)
    story = placements[briefs[0].brief_id].story_id
    with StoryStore(out / LEDGER_NAME) as store:
        light = store.members_of([story], facts=False)
        whole = store.members_of([story])
        assert [m.content_hash for m in light] == [m.content_hash for m in whole] == [briefs[0].content_hash]
        assert light[0].facts == "" and whole[0].facts == briefs[0].story.facts
        assert store.facts_of([briefs[0].content_hash, briefs[1].content_hash]) == {
            b.content_hash: b.story.facts for b in briefs}


def test_briefs_counted_when_written_are_indexed_as_briefs_counted_at_the_index(tmp_path: Path) -> None:
    # A Batch API worker counts each brief's words as it writes it; a night may mix such briefs with others.
    briefs = [("in/a.txt", quake(QUAKE_1, 120, "Maria Lopez")), ("in/b.txt", quake(QUAKE_2, 150, "Red Cross")),
              ("in/c.txt", election()), ("in/d.txt", quake(QUAKE_3, 120, "Maria Lopez"))]
    tables = []
    for counted in ([], [0, 1, 2, 3], [1, 3]):
        out = tmp_path / f"counted-{len(counted)}"
        out.mkdir()
        night = [NightBrief(b.source.sha256, path, Path(path).stem, f"{path}.json", f"{path}.md",
                            StoryFeatures.of(b, counted=i in counted)) for i, (path, b) in enumerate(briefs)]
        placements, _ = run(out, "r1", "2026-11-01", night)
        with sqlite3.connect(out / LEDGER_NAME) as db:
            tables.append((placements, db.execute("SELECT * FROM story_members ORDER BY path").fetchall(),
                           db.execute("SELECT * FROM stories ORDER BY story_id").fetchall()))
    assert tables[0] == tables[1] == tables[2]
    assert StoryFeatures.of(briefs[0][1], counted=True).packed_text is None  # the text is not kept besides
