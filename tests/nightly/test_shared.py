"""`Shared`: the DoneBriefs a run keeps hold one copy of each equal string, and equal what they were."""

from __future__ import annotations

import pickle

from summarizer.nightly.plan import DoneBrief, Shared
from summarizer.schema import ActorKind, Qualifier
from tests.test_digest import make_brief

P, O = ActorKind.person, ActorKind.organisation
ARTICLE = "Maria Lopez said 120 people died. The Red Cross said 120 people died near the coast."
OTHER = "The Red Cross counted 3.0 tonnes of aid. Maria Lopez thanked the Red Cross."


def received(text: str, figures: list[dict]) -> DoneBrief:
    """A DoneBrief as a worker process sends it: pickled, so made of objects of its own."""
    brief = make_brief(text, [("Maria Lopez", P, ["Lopez"]), ("Red Cross", O, [])], figures)
    return pickle.loads(pickle.dumps(DoneBrief.of(brief)))


def test_equal_strings_of_received_briefs_are_one_object_after_sharing() -> None:
    one = received(ARTICLE, [{"text": "120 people", "value": 120.0, "unit": "people", "measures": "people died"}])
    two = received(ARTICLE, [{"text": "120 people", "value": 120.0, "unit": "people", "measures": "people died"}])
    assert one.digest.actors[0].name == two.digest.actors[0].name
    assert one.digest.actors[0].name is not two.digest.actors[0].name  # unpickled apart

    shared = Shared()
    a, b = shared.share(one), shared.share(two)
    assert (a, b) == (one, two)  # equal to what arrived, field by field
    assert a.digest.actors[0].name is b.digest.actors[0].name
    assert a.digest.summary is b.digest.summary
    assert a.digest.figures[0].measures is b.digest.figures[0].measures
    assert a.digest.actors[0] is b.digest.actors[0]  # a part without a float is shared whole
    assert a.story.title is b.story.title
    # Another article's equal strings too.
    c = shared.share(received(OTHER, [{"text": "3.0 tonnes", "value": 3.0, "unit": "tonnes"}]))
    assert c.digest.actors[1].name is a.digest.actors[1].name


def test_sharing_keeps_floats_and_enum_members_as_they_are() -> None:
    shared = Shared()
    whole = shared.share(received(ARTICLE, [{"text": "120 people", "value": 120, "unit": "people"}]))
    zero = shared.share(received(ARTICLE, [{"text": "0 people", "value": -0.0, "unit": "people"}]))
    # -0.0 == 0.0 and 120 == 120.0: a part holding a float is never swapped for an equal one.
    assert repr(zero.digest.figures[0].value) == "-0.0"
    assert type(whole.digest.figures[0].value) is float
    assert zero.digest.figures[0] is not whole.digest.figures[0]
    # A str enum equals its value, but stays the member.
    assert isinstance(zero.digest.figures[0].qualifier, Qualifier)
    assert isinstance(zero.digest.actors[0].kind, ActorKind)
    assert isinstance(zero.digest.summary_evidence[0].alignment, type(whole.digest.summary_evidence[0].alignment))
