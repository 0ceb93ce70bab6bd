"""Helpers for the extractive engine's tests: a Draft from a few handwritten sentences."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from summarizer.engines.extractive.engine import extract
from summarizer.schema import Actor, Draft
from summarizer.text import clean


@pytest.fixture(scope="session")
def draft_of() -> Callable[[str], Draft]:
    """The engine's Draft for a text given as an article body (a title line is added in front)."""
    cache: dict[str, Draft] = {}

    def run(body: str) -> Draft:
        if body not in cache:
            cache[body] = extract(clean("Test article\n\n" + body.strip() + "\n")).draft
        return cache[body]

    return run


def actor_named(draft: Draft, name: str) -> Actor:
    matches = [a for a in draft.actors if a.name == name]
    assert matches, f"no actor {name!r} in {[a.name for a in draft.actors]}"
    return matches[0]
