"""The cross-check: named entities the extractive engine finds that an LLM brief's actors miss."""

from __future__ import annotations

from summarizer.crosscheck import missed_entities
from summarizer.schema import Actor, Draft
from summarizer.text import clean
from tests.test_verify import ev


def test_cross_check_names_entities_no_actor_covers() -> None:
    text = "T\n\nUS President Joe Biden met Chancellor Olaf Scholz in Berlin.\n"
    draft = Draft(actors=[Actor(name="Joe Biden", evidence=[ev("Joe Biden", text)])])
    missed = missed_entities(draft, clean(text))
    assert "Olaf Scholz" in missed
    assert "Joe Biden" not in missed
