"""The cross-check: named entities the extractive engine finds that an LLM brief's actors miss."""

from __future__ import annotations

from summarizer.crosscheck import cross_check, rules_draft
from summarizer.schema import Actor, Draft
from summarizer.text import clean
from tests.test_verify import ev


def test_cross_check_names_entities_no_actor_covers() -> None:
    text = "T\n\nUS President Joe Biden met Chancellor Olaf Scholz in Berlin.\n"
    draft = Draft(actors=[Actor(name="Joe Biden", evidence=[ev("Joe Biden", text)])])
    cleaned = clean(text)
    missed = [a.name for a in cross_check(draft, rules_draft(cleaned), fill_gaps=False).missed_actors]
    assert "Olaf Scholz" in missed
    assert "Joe Biden" not in missed
