"""The parts of the review page built in Python (html.source_html, html.list_item) give the bytes the
template gave when it built them itself: review_before_python_parts.html.j2 is review.html.j2 as it was
then, rendered here with the same context, on briefs that take every branch of those parts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import FileSystemLoader

from summarizer.render import to_html
from summarizer.render.html import environment, review_context
from summarizer.schema import Alignment, Brief, Draft, DropCode, FoundBy
from tests.html.conftest import election_brief, hostile_brief, make_brief, seed_brief
from tests.nightly.corpus import bundled_texts
from tests.support.openai_server import draft_from_article

HERE = Path(__file__).resolve().parent


def page_before(brief: Brief) -> str:
    env = environment().overlay(loader=FileSystemLoader(HERE))
    return env.get_template("review_before_python_parts.html.j2").render(**review_context(brief))


def varied(brief: Brief) -> Brief:
    """The brief with what the plain fixtures lack: PDF pages, inexact and unfound quotes, both finders,
    unsupported items, markup in labels and quotes."""
    actors = []
    for i, actor in enumerate(brief.actors):
        evidence = [
            ev.model_copy(update={"page": (j + i) % 3 or None,
                                  "alignment": [Alignment.exact, Alignment.fuzzy, Alignment.normalised][(i + j) % 3]})
            for j, ev in enumerate(actor.evidence)
        ]
        if i == 1:
            evidence.append(evidence[0].model_copy(update={"quote": "<b>not</b> & \"in\" the 'text'", "start": None,
                                                           "end": None, "alignment": Alignment.unaligned}))
        actors.append(actor.model_copy(update={
            "evidence": evidence,
            "name": actor.name + (" <i>&</i> 'co'" if i == 2 else ""),
            "found_by": FoundBy.rules if i % 2 else FoundBy.model,
            "unsupported": DropCode.actor_not_named if i == 3 else None,
        }))
    return brief.model_copy(update={"actors": actors})


def briefs() -> list[Brief]:
    found = [seed_brief(), seed_brief(keep_unaligned=True), hostile_brief(), election_brief()]
    found += [varied(found[0]), varied(found[1]), varied(found[2])]
    found += [make_brief(text, Draft.model_validate(draft_from_article(text)), path=f"inbox/{name}.txt")
              for name, text in bundled_texts()]
    return found


@pytest.mark.parametrize("brief", briefs(), ids=lambda brief: brief.title[:40])
def test_the_page_is_the_page_the_template_made(brief: Brief) -> None:
    assert to_html(brief) == page_before(brief)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_pages_with_random_spans_are_the_pages_the_template_made(data: st.DataObject) -> None:
    # Evidence spans anywhere in the seed's text, overlapping each other and the removed lines at random.
    brief = seed_brief()
    length = len(brief.source.text)
    actors = []
    for actor in brief.actors:
        starts = data.draw(st.lists(st.integers(0, length - 1), min_size=1, max_size=3))
        evidence = []
        for start in starts:
            end = min(length, start + data.draw(st.integers(1, 400)))
            alignment = data.draw(st.sampled_from(list(Alignment)))
            aligned = alignment is not Alignment.unaligned
            evidence.append(actor.evidence[0].model_copy(update={
                "quote": brief.source.text[start:end], "start": start if aligned else None,
                "end": end if aligned else None, "alignment": alignment,
                "page": data.draw(st.none() | st.integers(1, 9)),
            }))
        actors.append(actor.model_copy(update={"evidence": evidence}))
    brief = brief.model_copy(update={"actors": actors})
    assert to_html(brief) == page_before(brief)
