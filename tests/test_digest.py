"""The digest over hand-built briefs: merging actors, ranking, story grouping, conflicts and links."""

from __future__ import annotations

import hashlib

import pytest

from summarizer.digest import BriefLink, Digest, FailedDocument, actor_key, build_digest
from summarizer.schema import Actor, ActorKind, Alignment, Brief, Claim, Evidence, Figure, Provenance, Source
from summarizer.render import to_markdown


def _ev(text: str, quote: str) -> Evidence:
    start = text.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote), alignment=Alignment.exact)


def make_brief(
    text: str,
    actors: list[tuple[str, ActorKind, list[str]]],
    figures: list[dict] = (),
    *,
    title: str = "",
    claims: int = 0,
) -> Brief:
    """A brief whose every quote is the actor's name or figure text as it appears in `text`."""
    return Brief(
        title=title or text.split(".")[0],
        summary=text.split(".")[0] + ".",
        summary_evidence=[_ev(text, text.split(".")[0])],
        actors=[Actor(name=n, kind=k, aliases=a, evidence=[_ev(text, n)]) for n, k, a in actors],
        claims=[Claim(statement=f"claim {i}", evidence=[_ev(text, text.split(".")[0])]) for i in range(claims)],
        figures=[Figure(evidence=[_ev(text, f["text"])], **f) for f in figures],
        source=Source(sha256=hashlib.sha256(text.encode()).hexdigest(), length=len(text), text=text),
        provenance=Provenance(engine="test"),
    )


def link(brief_id: str, title: str = "") -> BriefLink:
    return BriefLink(
        id=brief_id, title=title or brief_id, json_path=f"briefs/{brief_id}.json", md_path=f"briefs/{brief_id}.md",
        engine="test",
    )


P, O, C = ActorKind.person, ActorKind.organisation, ActorKind.country

QUAKE_A = (
    "An earthquake hit Atlantis on Monday. President Maria Lopez said 120 people died. "
    "The Red Cross said it was sending help."
)
QUAKE_B = "Lopez visited the coast of Atlantis. The Red Cross counted 95 people dead in the earthquake."
QUAKE_C = "Rescuers in Atlantis worked through the night, the Red Cross said. Maria Lopez thanked them."
ELECTION = "Voters in Borduria chose a new parliament. Turnout was 61 percent, said the Electoral Board."
FOOTBALL = "The Red Cross football team won 3 games. Coach Ann Lopez praised the players."


@pytest.fixture
def digest() -> Digest:
    entries = [
        (
            link("quake-a", "Earthquake in Atlantis"),
            make_brief(
                QUAKE_A,
                [("President Maria Lopez", P, []), ("Atlantis", C, []), ("Red Cross", O, [])],
                [{"text": "120 people", "value": 120, "unit": "people", "measures": "deaths"}],
                claims=2,
            ),
        ),
        (
            link("quake-b"),
            make_brief(
                QUAKE_B,
                [("Lopez", P, []), ("Atlantis", C, []), ("The Red Cross", O, [])],
                [{"text": "95 people", "value": 95, "unit": "people", "measures": "the deaths"}],
            ),
        ),
        (
            link("quake-c"),
            make_brief(QUAKE_C, [("Atlantis", C, []), ("Red Cross", O, []), ("Maria Lopez", P, [])]),
        ),
        (
            link("election"),
            make_brief(
                ELECTION,
                [("Borduria", C, []), ("Electoral Board", O, [])],
                [{"text": "61 percent", "value": 61, "unit": "%", "measures": "turnout"}],
            ),
        ),
    ]
    return build_digest(entries, run_id="run-1", failed=[FailedDocument(path="bad.txt", error="is empty")])


def test_actors_merge_across_documents_and_rank_by_document_count(digest: Digest) -> None:
    by_name = {actor.name: actor for actor in digest.actors}
    lopez = by_name["Maria Lopez"]
    # "President Maria Lopez", "Maria Lopez" and the lone surname "Lopez" are one person.
    assert lopez.documents == 3
    assert set(lopez.aliases) == {"President Maria Lopez", "Lopez"}
    assert lopez.briefs == ["quake-a", "quake-b", "quake-c"]
    assert by_name["Red Cross"].documents == 3 and "The Red Cross" in by_name["Red Cross"].aliases
    assert by_name["Red Cross"].kind is O
    ranks = [actor.documents for actor in digest.actors]
    assert ranks == sorted(ranks, reverse=True)
    assert digest.actors[-1].documents == 1


def test_every_evidence_reference_slices_its_brief_source(digest: Digest) -> None:
    sources = {"quake-a": QUAKE_A, "quake-b": QUAKE_B, "quake-c": QUAKE_C, "election": ELECTION}
    refs = [ref for actor in digest.actors for ref in actor.evidence]
    refs += [fig.evidence for fig in digest.figures if fig.evidence]
    refs += [ref for story in digest.stories for ref in story.evidence]
    assert len(refs) > 10
    for ref in refs:
        assert sources[ref.brief][ref.start : ref.end] == ref.quote
        assert digest.brief(ref.brief).md_path == f"briefs/{ref.brief}.md"


def test_one_story_told_by_three_documents_is_listed_once_and_ranked_first(digest: Digest) -> None:
    assert [story.brief for story in digest.stories] == ["quake-a", "election"]
    top = digest.stories[0]
    # quake-a says the most (two claims, a figure), so it leads; the other two are coverage.
    assert top.coverage == ["quake-b", "quake-c"]
    assert top.score > digest.stories[1].score
    assert {"Maria Lopez", "Red Cross", "Atlantis"} <= set(top.shared_actors)


def test_conflicting_death_tolls_across_documents_of_one_story(digest: Digest) -> None:
    assert len(digest.conflicts) == 1
    conflict = digest.conflicts[0]
    assert conflict.values == ["120 people", "95 people"]
    assert conflict.briefs == ["quake-a", "quake-b"]
    assert [fig.evidence.quote for fig in conflict.figures if fig.evidence] == ["120 people", "95 people"]


def test_same_measure_in_unrelated_stories_is_not_a_conflict() -> None:
    deaths = {"unit": "people", "measures": "deaths"}
    entries = [
        (link("quake"), make_brief(QUAKE_A, [("Atlantis", C, [])], [{"text": "120 people", "value": 120, **deaths}])),
        (link("sport"), make_brief(FOOTBALL, [("Red Cross", O, [])], [{"text": "3 games", "value": 3, **deaths}])),
    ]
    assert build_digest(entries).conflicts == []


def test_figures_with_different_dates_do_not_conflict() -> None:
    figs_a = [{"text": "120 people", "value": 120, "unit": "people", "measures": "deaths", "date": "Monday"}]
    figs_b = [{"text": "95 people", "value": 95, "unit": "people", "measures": "deaths", "date": "Sunday"}]
    entries = [
        (link("a"), make_brief(QUAKE_A, [("Atlantis", C, []), ("Red Cross", O, [])], figs_a)),
        (link("b"), make_brief(QUAKE_B, [("Atlantis", C, []), ("Red Cross", O, [])], figs_b)),
    ]
    assert build_digest(entries).conflicts == []


def test_two_sources_in_one_document_disagreeing_is_a_conflict() -> None:
    text = "Police said 40 people marched. Organisers said 150 people marched."
    figures = [
        {"text": "40 people", "value": 40, "unit": "people", "measures": "marchers", "source": "Police"},
        {"text": "150 people", "value": 150, "unit": "people", "measures": "marchers", "source": "Organisers"},
    ]
    digest = build_digest([(link("march"), make_brief(text, [("Police", O, [])], figures))])
    assert [c.values for c in digest.conflicts] == [["40 people", "150 people"]]
    same_source = [dict(f, source="Police") for f in figures]
    assert build_digest([(link("march"), make_brief(text, [("Police", O, [])], same_source))]).conflicts == []


def test_ambiguous_surname_is_not_merged() -> None:
    text = "Ann Lopez met Maria Lopez. Lopez spoke."
    entries = [
        (link("a"), make_brief(text, [("Ann Lopez", P, [])])),
        (link("b"), make_brief(text, [("Maria Lopez", P, [])])),
        (link("c"), make_brief(text, [("Lopez", P, [])])),
    ]
    names = sorted((actor.name, actor.documents) for actor in build_digest(entries).actors)
    assert names == [("Ann Lopez", 1), ("Lopez", 1), ("Maria Lopez", 1)]


def test_actor_key_normalises_names() -> None:
    assert actor_key("President Donald Trump's") == "donald trump"
    assert actor_key("Dr. José Ramos-Horta") == "jose ramos horta"
    assert actor_key("The") == "the"  # a lone title word stays a name


def test_ids_must_be_unique() -> None:
    brief = make_brief(ELECTION, [])
    with pytest.raises(ValueError, match="repeated: x"):
        build_digest([(link("x"), brief), (link("x"), brief)])


def test_top_limits_the_stories_not_the_briefs() -> None:
    entries = [(link(f"d{i}"), make_brief(f"Story number {i} happened.", [])) for i in range(5)]
    digest = build_digest(entries, top=2)
    assert len(digest.stories) == 2 and len(digest.briefs) == 5


def test_markdown_links_every_section_to_the_briefs(digest: Digest) -> None:
    md = to_markdown(digest)
    assert md.startswith("# Nightly digest, ")
    for heading in ("## Top stories", "## Actors across documents", "## Figures (3)", "## Conflicts across documents (1)",
                    "## Not summarized (1)", "## All briefs (4)"):
        assert heading in md
    assert "[Earthquake in Atlantis](briefs/quake-a.md)" in md
    assert "| **Maria Lopez** (also: Lopez, President Maria Lopez) | person | 3 |" in md
    assert "“120 people” ([quake-a chars" in md
    assert "- `bad.txt`: is empty" in md
    assert "[json](briefs/election.json)" in md


def test_markdown_escapes_article_text() -> None:
    text = "A | pipe and <b>tags</b> in [brackets]. More."
    digest = build_digest([(link("odd", "Title [with] | pipe"), make_brief(text, [("A | pipe", O, [])]))])
    md = to_markdown(digest)
    assert "[Title \\[with\\] \\| pipe](briefs/odd.md)" in md
    assert "<b>" not in md


def test_digest_round_trips_through_json(digest: Digest) -> None:
    assert Digest.model_validate_json(digest.model_dump_json()) == digest


@pytest.mark.parametrize(
    ("first", "second", "conflict"),
    [
        # The rules verify applies within a brief: one unit, overlapping measures, values of a similar size.
        ({"text": "up to 120 people", "value": 120, "qualifier": "up_to"}, {"text": "95 people", "value": 95}, True),
        ({"text": "6 people", "value": 6}, {"text": "1,500 people", "value": 1500}, False),
        ({"text": "120 people", "value": 120, "measures": "people injured"}, {"text": "95 people", "value": 95}, False),
        ({"text": "120 people", "value": 120, "unit": "homes"}, {"text": "95 people", "value": 95}, False),
        ({"text": "120 people", "value": 120}, {"text": "120 people", "value": 120}, False),
    ],
)
def test_what_counts_as_two_documents_disagreeing(first: dict, second: dict, conflict: bool) -> None:
    common = {"unit": "people", "measures": "people killed"}
    actors = [("Atlantis", C, []), ("Red Cross", O, [])]
    text_a = f"The quake in Atlantis killed {first['text']}, the Red Cross said."
    text_b = f"The Red Cross in Atlantis counted {second['text']} dead."
    entries = [
        (link("a"), make_brief(text_a, actors, [{**common, **first}])),
        (link("b"), make_brief(text_b, actors, [{**common, **second}])),
    ]
    assert bool(build_digest(entries).conflicts) is conflict


def test_documents_sharing_one_actor_do_not_tell_the_same_story() -> None:
    deaths = {"unit": "pilgrims", "measures": "pilgrims"}
    crane = "A crane fell in Mecca, Saudi Arabia, where millions of pilgrims gathered."
    stampede = "In Saudi Arabia, 1,426 pilgrims died in a tunnel stampede."
    entries = [
        (link("crane"), make_brief(crane, [("Saudi Arabia", C, []), ("Mecca", ActorKind.other, [])],
                                   [{"text": "millions of pilgrims", "value": 1_000_000, **deaths}])),
        (link("stampede"), make_brief(stampede, [("Saudi Arabia", C, [])], [{"text": "1,426 pilgrims", "value": 1426, **deaths}])),
    ]
    digest = build_digest(entries)
    assert digest.conflicts == []
    assert [s.brief for s in digest.stories] == ["crane", "stampede"] and digest.stories[0].related == ["stampede"]
