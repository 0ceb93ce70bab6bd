"""Three nightly runs over the multi-night corpus (tests/stories/corpus.py) with the extractive engine.

Grouping is scored pairwise against the corpus's answer key (which article each document retells);
the third night's digest must name the new stories, the changed figures with both values and nights,
and the quiet ones; a failed document leaves the index alone; `summarizer stories` reads it back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from summarizer.cli import app
from summarizer.stories.store import StoryStore
from tests.stories.conftest import night
from tests.stories.corpus import Doc, pairwise_scores, story_texts, write_nights

SCHEDULE = [
    [("afghan", 0), ("crane", 0), ("election", 0), ("hackers", 0), ("seed", 0), ("crane", 1)],
    [("crane", 2), ("seed", 1), ("hackers", 2), ("stampede", 0), ("taxes", 0), ("warming", 0)],
    [("crane", 3), ("seed", 2), ("stampede", 1), ("taxes", 2), ("nasa", 0), ("warhol", 0), ("flag", 0)],
]
NIGHTS = ["2026-11-01", "2026-11-02", "2026-11-03"]


@dataclass
class Corpus:
    out: Path
    docs: list[Doc]
    digests: list[dict]
    # SCHEDULE without the development-set stories when that set is absent (a clone outside this machine).
    schedule: list[list[tuple[str, int]]]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    texts = story_texts()
    schedule = [[(s, v) for s, v in n if s in texts] for n in SCHEDULE]
    root = tmp_path_factory.mktemp("nights")
    docs = write_nights(root / "in", schedule, texts)
    (root / "in" / "night-2" / "empty.txt").write_text("", encoding="utf-8")  # fails: an empty document
    out = root / "out"
    digests = []
    for k, day in enumerate(NIGHTS, start=1):
        result = night(root / "in" / f"night-{k}", out, day)
        assert result.code == (1 if k == 2 else 0), result.stderr
        digests.append(json.loads((out / "digest.json").read_text(encoding="utf-8")))
    return Corpus(out, docs, digests, schedule)


def _stories_by_path(out: Path) -> dict[str, str]:
    with StoryStore(out / "ledger.sqlite3") as store:
        return {m.path: m.story_id for m in store.all_members() if m.current}


def test_documents_retelling_one_event_are_one_story_and_others_are_not(corpus: Corpus) -> None:
    found = _stories_by_path(corpus.out)
    truth = {str(d.path): d.story for d in corpus.docs}
    assert set(found) == set(truth)  # the failed document is not in the index
    precision, recall, f1 = pairwise_scores(truth, found)
    print(f"pairwise same-story precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f} over {len(truth)} documents")
    assert precision >= 0.9 and recall >= 0.9


def test_the_third_digest_names_the_new_stories(corpus: Corpus) -> None:
    memory = corpus.digests[2]["memory"]
    assert memory["night"] == NIGHTS[2]
    # A brief id is <slug>-<hash8>-<engine>-<id6>: the slug names the corpus document.
    new_paths = {b["id"].rsplit("-", 3)[0] for e in memory["new"] for b in e["briefs"]}
    assert new_paths == {f"{s}-v0" for s, v in corpus.schedule[2] if v == 0}
    first = corpus.digests[0]["memory"]
    assert len(first["new"]) == 5 and first["developing"] == [] == first["quiet"]  # crane told twice: one story


def _entry(memory: dict, brief_prefix: str) -> dict:
    for part in ("new", "developing", "quiet"):
        for entry in memory[part]:
            if any(b["id"].startswith(brief_prefix) for b in entry["briefs"]):
                return entry | {"part": part}
    raise AssertionError(f"no story with a brief {brief_prefix}")


def test_changed_figures_are_reported_with_both_values_sources_and_nights(corpus: Corpus) -> None:
    seed = _entry(corpus.digests[2]["memory"], "seed-v2")
    assert seed["part"] == "developing"
    # The retellings scale every number by 1.1 (night 2) and 1.2 (night 3): 1,500 soldiers became 1,650, then 1,800.
    soldiers = [c for c in seed["changed_figures"] if c["unit"] == "soldiers"]
    assert [(c["before"]["value"], c["before"]["night"], c["after"]["value"], c["after"]["night"]) for c in soldiers] \
        == [(1650, NIGHTS[1], 1800, NIGHTS[2])]
    for change in seed["changed_figures"]:
        before, after = change["before"], change["after"]
        assert before["value"] != after["value"] and before["night"] < after["night"] == NIGHTS[2]
        assert change["conflict"] == bool(before["source"] and after["source"] and before["source"] != after["source"])
        brief = json.loads((corpus.out / after["json_path"]).read_text(encoding="utf-8"))
        assert brief["source"]["text"][after["start"] : after["end"]] == after["quote"]
    assert seed["conflicts"] == [c for c in seed["changed_figures"] if c["conflict"]]


def test_a_story_retold_with_the_same_figures_adds_no_changed_figure(corpus: Corpus) -> None:
    # hackers v2 on night 2 after v0 on night 1: its numbers are scaled, so any reported change must say so.
    hackers = _entry(corpus.digests[1]["memory"], "hackers-v2")
    assert hackers["part"] in ("developing", "quiet")
    assert all(c["before"]["night"] == NIGHTS[0] for c in hackers["changed_figures"])


def test_a_failed_document_is_listed_and_not_indexed(corpus: Corpus) -> None:
    failed = corpus.digests[1]["failed"]
    assert [Path(f["path"]).name for f in failed] == ["empty.txt"]
    assert not any(p.endswith("empty.txt") for p in _stories_by_path(corpus.out))


def test_every_digest_json_follows_the_committed_schema(corpus: Corpus) -> None:
    schema = json.loads((Path(__file__).resolve().parents[2] / "schemas" / "digest.schema.json").read_text())
    for digest in corpus.digests:
        jsonschema.validate(digest, schema)


def test_the_digest_files_show_the_three_parts(corpus: Corpus) -> None:
    markdown = (corpus.out / "digest.md").read_text(encoding="utf-8")
    new = len({s for s, v in corpus.schedule[2] if v == 0})
    for heading in (f"## New stories ({new})", "## Developing stories", "## Quiet stories"):
        assert heading in markdown
    assert "→ **1,800**" in markdown
    html = (corpus.out / "digest.html").read_text(encoding="utf-8")
    assert 'id="developing-stories"' in html and "1,650" in html


def test_summarizer_stories_lists_timelines_and_one_story(corpus: Corpus) -> None:
    runner = CliRunner()
    listing = runner.invoke(app, ["stories", "--out", str(corpus.out), "--json"])
    assert listing.exit_code == 0, listing.stderr
    timelines = json.loads(listing.stdout)
    assert len(timelines) == len({d.story for d in corpus.docs})
    seed_id = _stories_by_path(corpus.out)[str(next(d.path for d in corpus.docs if d.story == "seed"))]
    one = runner.invoke(app, ["stories", "--out", str(corpus.out), seed_id])
    assert one.exit_code == 0
    for day in NIGHTS:
        assert f"- {day}: " in one.stdout
    assert "1,500 (2026-11-01" in one.stdout and "1,800 (2026-11-03" in one.stdout
    missing = runner.invoke(app, ["stories", "--out", str(corpus.out), "s-nothing"])
    assert missing.exit_code == 2 and "no story" in missing.stderr


def test_a_rerun_of_the_night_finds_everything_quiet(corpus: Corpus) -> None:
    inbox = corpus.docs[-1].path.parent
    before = _stories_by_path(corpus.out)
    result = night(inbox, corpus.out, NIGHTS[2])
    assert result.code == 0
    memory = json.loads((corpus.out / "digest.json").read_text(encoding="utf-8"))["memory"]
    assert memory["new"] == [] and memory["developing"] == []
    assert len(memory["quiet"]) == len({s for s, _ in corpus.schedule[2]})
    assert all(e["briefs"] and {b["status"] for b in e["briefs"]} == {"known"} for e in memory["quiet"])
    assert _stories_by_path(corpus.out) == before


def test_force_rebuilds_the_index_into_the_same_stories(corpus: Corpus) -> None:
    inbox = corpus.docs[-1].path.parent
    before = _stories_by_path(corpus.out)
    with StoryStore(corpus.out / "ledger.sqlite3") as store:
        store_rows = [(s.story_id, s.first_night, s.last_night, s.members) for s in store.stories()]
    result = night(inbox, corpus.out, NIGHTS[2], "--force")
    assert result.code == 0, result.stderr
    assert _stories_by_path(corpus.out) == before
    with StoryStore(corpus.out / "ledger.sqlite3") as store:
        assert [(s.story_id, s.first_night, s.last_night, s.members) for s in store.stories()] == store_rows
