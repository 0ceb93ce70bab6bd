"""The digest's conflicts against their definition, figure pair by figure pair.

`_conflicts` compares one figure of each kind and joins partners in whole arrays (a story told thousands
of times has millions of figure pairs). Whatever the figures, its parts must be the connected groups of
the plain rule: two figures conflict when they are one quantity (`same_quantity`) with values that
differ (`values_differ`), and come from two documents, or from two named sources.
"""

from __future__ import annotations

import random

import pytest

from summarizer import digest
from summarizer.digest import ActorGist, BriefGist, BriefLink, FigureGist, Quote, actor_key, build_digest
from summarizer.grouping import UnionFind
from summarizer.quantities import same_quantity, same_value, values_differ
from summarizer.schema import ActorKind, Alignment, Qualifier

# Units whose spellings split into the same stems, so that the rule reads the same whichever comes first.
UNITS = ["troops", "Troops", "troop", "people", "%", None]
MEASURES = [None, "troops sent", "people killed", "people injured", "killed", "troops"]
DATES = [None, "", "Monday", "monday", "2024"]
VALUES = [None, 0.0, -5.0, 5.0, 10.0, 12.0, 12.000000000001, 30.0, 51.0, 100.0, 1e9]
SOURCES = [None, None, "John Smith", "Mr. John Smith", "Jane Doe"]
# Every brief names both: the night is one story, and all its figures are compared.
CAST = (
    ActorGist("Atlantis", (), ActorKind.country, None, 1, None),
    ActorGist("Red Cross", (), ActorKind.organisation, None, 1, None),
)


def gist(figures: list[FigureGist]) -> BriefGist:
    return BriefGist(title=None, summary="", language="en", engine="test", model=None, summary_evidence=(),
                     actors=CAST, figures=tuple(figures), claims=0, uncertainties=0)


def figure(text: str, unit: str | None, measures: str | None = None, date: str | None = None,
           value: float | None = None, source: str | None = None) -> FigureGist:
    return FigureGist(text=text, value=value, value_max=None, unit=unit, measures=measures,
                      qualifier=Qualifier.exact, date=date, source=source,
                      first=Quote(text, 0, len(text), Alignment.exact))


def night(briefs: list[list[FigureGist]]) -> list[tuple[BriefLink, BriefGist]]:
    return [(BriefLink(id=f"b{n}", title=f"b{n}", json_path=f"b{n}.json", md_path=f"b{n}.md", engine="test"),
             gist(figures)) for n, figures in enumerate(briefs)]


def by_definition(entries: list[tuple[BriefLink, BriefGist]]) -> list[tuple[list[str], list[tuple[str, int]]]]:
    """(values, figures as (brief, index)) of each conflict, comparing every pair of figures."""
    figures = [(link.id, i, fig) for link, brief in entries for i, fig in enumerate(brief.figures)]
    union, joined = UnionFind(len(figures)), set()
    for a, (brief_a, _, fa) in enumerate(figures):
        for b in range(a + 1, len(figures)):
            brief_b, _, fb = figures[b]
            x, y = fa.figure(), fb.figure()
            if not (same_quantity(x, y) and values_differ(x, y)):
                continue
            named = bool(fa.source and fb.source and actor_key(fa.source) != actor_key(fb.source))
            if named or brief_a != brief_b:
                union.union(a, b)
                joined.update((a, b))
    parts: dict[int, list[int]] = {}
    for i in sorted(joined):
        parts.setdefault(union.find(i), []).append(i)
    out = []
    for members in parts.values():
        values: list[float] = []
        texts: list[str] = []
        for i in members:
            fig = figures[i][2]
            if fig.value is not None and not any(same_value(fig.value, v) for v in values):
                values.append(fig.value)
                texts.append(fig.text)
        out.append((texts, [(figures[i][0], figures[i][1]) for i in members]))
    return out


def found(entries: list[tuple[BriefLink, BriefGist]]) -> list[tuple[list[str], list[tuple[str, int]]]]:
    conflicts = build_digest(entries).conflicts
    return [(c.values, [(f.brief, f.index) for f in c.figures]) for c in conflicts]


@pytest.mark.parametrize("compact_at", [digest._COMPACT_AT, 3])  # 3: the edges gathered are compacted often
@pytest.mark.parametrize("seed", range(4))
def test_conflicts_are_the_connected_pairs_of_the_rule(seed: int, compact_at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "_COMPACT_AT", compact_at)
    rng = random.Random(seed)
    for trial in range(80):
        # Half the nights draw from few values, so that kinds span several briefs (one value of one
        # source in two, three or more documents: the cases joined document by document).
        pools = (UNITS, MEASURES, DATES, VALUES, SOURCES) if trial % 2 else (["troops"], [None], [None], [10.0, 12.0, 100.0, 120.0], SOURCES)
        briefs = []
        for n in range(rng.randint(1, 8)):
            figures = [figure(f"{n}.{i}", *(rng.choice(pool) for pool in pools)) for i in range(rng.randint(0, 5))]
            if figures and rng.random() < 0.3:
                figures.append(figures[-1])  # a figure given twice in one brief
            briefs.append(figures)
        entries = night(briefs)
        assert sorted(found(entries), key=lambda c: c[1]) == by_definition(entries)


@pytest.mark.parametrize("compact_at", [digest._COMPACT_AT, 50])
def test_a_story_told_many_times_with_a_value_each(compact_at: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(digest, "_COMPACT_AT", compact_at)
    # Every edition gives its own count and repeats the shared one: the kinds are many, and most pairs of
    # them disagree.
    briefs = [[figure(f"{n + 1} troops", "troops", value=n + 1), figure("500 troops", "troops", value=500)]
              for n in range(120)]
    entries = night(briefs)
    expected = by_definition(entries)
    assert found(entries) == expected
    assert len(expected) == 1 and len(expected[0][0]) == 121  # 1..120 and 500, joined through their neighbours


def test_two_named_sources_disagree_within_one_document() -> None:
    entries = night([[figure("12,000 troops", "troops", value=12000, source="the ministry"),
                      figure("10,000 troops", "troops", value=10000, source="the rebels"),
                      figure("11,000 troops", "troops", value=11000)]])
    assert found(entries) == [(["12,000 troops", "10,000 troops"], [("b0", 0), ("b0", 1)])]


def test_two_values_each_given_by_the_same_two_documents_make_two_conflicts() -> None:
    # Each document gives both values: only figures of different documents disagree, so the pairs are
    # (10 of b0, 12 of b1) and (10 of b1, 12 of b0), two conflicts that share no figure.
    entries = night([[figure("10", "troops", value=10), figure("12", "troops", value=12)]] * 2)
    assert found(entries) == by_definition(entries) == [
        (["10", "12"], [("b0", 0), ("b1", 1)]),
        (["12", "10"], [("b0", 1), ("b1", 0)]),
    ]
