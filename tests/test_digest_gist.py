"""A nightly run keeps `BriefGist`s (and writes the digest piece by piece), not Briefs: the same digest."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from summarizer.atomic import TEMP_SUFFIX, write_atomically
import summarizer.digest as digest_module
from summarizer.digest import BriefGist, Digest, FailedDocument, build_digest
from summarizer.schema import ActorKind
from tests.html.conftest import digest_entries, seed_digest

GOLDEN = Path(__file__).resolve().parent / "data" / "digest"


def test_the_digest_of_gists_is_the_digest_the_briefs_gave_before_gists() -> None:
    # seed_and_election.json was written by build_digest over whole Briefs, before gists existed
    # (the same entries, run id, failure and time).
    when = datetime(2026, 11, 24, 3, 0, tzinfo=timezone.utc)
    failed = [FailedDocument(path="inbox/scan.pdf", error="binary")]
    gists = [(link, BriefGist.of(brief)) for link, brief in digest_entries()]
    digest = build_digest(gists, run_id="golden", failed=failed, generated_at=when)
    assert digest.conflicts and digest.stories and digest.actors  # the fixture exercises every part
    assert digest.model_dump_json(indent=2) + "\n" == (GOLDEN / "seed_and_election.json").read_text(encoding="utf-8")


def test_a_gist_keeps_no_source_text_or_claims() -> None:
    _, brief = digest_entries()[0]
    gist = BriefGist.of(brief)
    assert brief.source.text not in repr(gist) and all(c.statement not in repr(gist) for c in brief.claims)
    assert (gist.claims, len(gist.figures), gist.uncertainties) == (
        len(brief.claims), len(brief.figures), len(brief.uncertainties))
    assert [a.mentions for a in gist.actors] == [len(a.evidence) for a in brief.actors]


@pytest.mark.parametrize("digest", [seed_digest(), Digest(), build_digest(digest_entries()[:1])],
                         ids=["two briefs", "empty", "one brief"])
def test_the_json_in_pieces_is_the_json(digest: Digest) -> None:
    assert "".join(digest.json_chunks()) == digest.model_dump_json(indent=2)


def test_a_file_written_in_pieces_is_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "digest.json"
    write_atomically(target, iter(["{", "\"é\": 1", b"}\n"]))
    assert target.read_text(encoding="utf-8") == "{\"é\": 1}\n"

    def broken():
        yield "half of a new file"
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        write_atomically(target, broken())
    assert target.read_text(encoding="utf-8") == "{\"é\": 1}\n"
    assert not list(tmp_path.glob(f"*{TEMP_SUFFIX}"))


def test_many_small_pieces_are_written_in_order(tmp_path: Path) -> None:
    # Small text pieces are joined before they are written; bytes among them keep their place.
    pieces: list[str | bytes] = [f"é{i}," if i % 1000 else f"<{i}>".encode() for i in range(60_000)]
    write_atomically(tmp_path / "page.html", iter(pieces))
    expected = "".join(p if isinstance(p, str) else p.decode() for p in pieces)
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("block", [1, 2, 3])
def test_stories_do_not_depend_on_how_many_briefs_are_counted_at_once(
    monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    # Three briefs of one earthquake (linked through different pairs), an election, and a football story
    # sharing one actor: blocks of 1, 2 or 3 briefs cut the quake's links apart in every way.
    from tests.test_digest import ELECTION, FOOTBALL, QUAKE_A, QUAKE_B, QUAKE_C, link, make_brief

    P, C, O = ActorKind.person, ActorKind.country, ActorKind.organisation
    entries = [
        (link("football"), make_brief(FOOTBALL, [("Red Cross", O, [])])),
        (link("quake-a"), make_brief(QUAKE_A, [("President Maria Lopez", P, []), ("Atlantis", C, []),
                                               ("Red Cross", O, [])])),
        (link("election"), make_brief(ELECTION, [("Borduria", C, []), ("Electoral Board", O, [])])),
        (link("quake-b"), make_brief(QUAKE_B, [("Lopez", P, []), ("Atlantis", C, [])])),
        (link("quake-c"), make_brief(QUAKE_C, [("Atlantis", C, []), ("Red Cross", O, [])])),
    ]
    whole = build_digest(entries, generated_at=datetime(2026, 11, 24, tzinfo=timezone.utc))
    quake = next(story for story in whole.stories if story.brief.startswith("quake"))
    assert sorted([quake.brief, *quake.coverage]) == ["quake-a", "quake-b", "quake-c"]
    monkeypatch.setattr(digest_module, "_GROUP_CELLS", block * len(entries))  # `block` briefs at once
    assert build_digest(entries, generated_at=whole.generated_at) == whole


def test_story_features_give_back_the_texts_the_index_stores() -> None:
    from summarizer.stories.features import StoryFeatures, facts_of, feature_text

    for _, brief in digest_entries():
        brief = brief.model_copy(update={"title": f"{brief.title} — “Pyongyang” à Séoul"})  # not Latin-1
        features = StoryFeatures.of(brief)
        assert (features.title, features.text, features.facts) == (
            brief.title, feature_text(brief), facts_of(brief).model_dump_json())
        assert len(features.packed_facts) < len(features.facts)
