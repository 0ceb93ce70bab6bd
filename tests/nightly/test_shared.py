"""`Shared`: the DoneBriefs a run keeps hold one copy of each equal string, and equal what they were."""

from __future__ import annotations

import dataclasses
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.nightly.plan import DoneBrief, Shared, compact
from summarizer.schema import ActorKind, Qualifier
from tests import reference_shared as reference
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


def _identities(objs: list[object]) -> list[tuple[str, int]]:
    """Each part of `objs`, walked in order, as (type, the order in which its object was first met): equal
    lists say the same parts are one object."""
    first: dict[int, int] = {}
    out: list[tuple[str, int]] = []
    keep: list[object] = []  # alive, so that no id is reused meanwhile

    def walk(obj: object) -> None:
        keep.append(obj)
        out.append((type(obj).__name__, first.setdefault(id(obj), len(first))))
        if isinstance(obj, tuple):
            for part in obj:
                walk(part)
        elif dataclasses.is_dataclass(obj):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name))

    for obj in objs:
        walk(obj)
    return out


_NAMES = [("Maria Lopez", P, ["Lopez"]), ("Red Cross", O, []), ("Lopez", P, []), ("Cross", O, ["Red Cross"])]
_FIGURE = {ARTICLE: "120 people", OTHER: "3.0 tonnes"}  # a figure text each article writes
_VALUES = [120.0, 120, -0.0, 0.0, 3.0, None, 1e-9]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([ARTICLE, OTHER]), st.lists(st.sampled_from(_NAMES), max_size=3),
                          st.lists(st.tuples(st.sampled_from(_VALUES), st.sampled_from(["people", "tonnes", None])),
                                   max_size=3)),
                min_size=1, max_size=6))
def test_build_of_compact_is_the_old_share(briefs: list) -> None:
    dones = [
        DoneBrief.of(make_brief(text, actors, [{"text": _FIGURE[text], "value": v, "unit": u} for v, u in figures]))
        for text, actors, figures in briefs
    ]
    old, new, sent = reference.Shared(), Shared(), Shared()
    before = [old.share(pickle.loads(pickle.dumps(done))) for done in dones]
    after = [new.share(pickle.loads(pickle.dumps(done))) for done in dones]
    # As a run has them: compact in the worker, pickled, built in the run's process.
    received_ = [sent.build(pickle.loads(pickle.dumps(compact(done)))) for done in dones]
    assert before == after == received_ == dones
    assert _identities(before) == _identities(after) == _identities(received_)
    assert [repr(d) for d in before] == [repr(d) for d in received_]  # -0.0 and 120.0 as they were
