"""What a brief brings to the story index: the words compared, and the facts later nights are compared with.

The compared text is the title (twice: it names the event), the summary (the lead), every actor name as
one token (`actor_key` of the digest, so "President Joe Biden" and "Biden's" meet the way the digest
merges them) and what each figure measures. Numbers and dates are left out on purpose: a story retold
the next day carries other figures and other dates, and those are what the changes report, not what
decides the story.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from summarizer.digest import actor_key
from summarizer.schema import Brief, Figure, UNATTRIBUTED
from summarizer.stories.similarity import counted_row, pack_rows, raw_counts

_TOKEN_JOIN = re.compile(r"\W+")
_CONTEXT_WORD = re.compile(r"[^\W\d_]+")
_CONTEXT_BEFORE, _CONTEXT_AFTER = 4, 3
_CONTEXT_STOPWORDS = frozenset(
    "a an the of to in on for and or by with at from as is was were are be been more than less about some over "
    "under nearly almost least most up it its this that".split()
)


def _context(text: str, start: int, end: int) -> list[str]:
    """The words just before and after a number in the source ("killing 107 or more and wounding"): what a
    figure without a unit counts, as far as the text says. Lower case, stop words out, ordered."""
    before = _CONTEXT_WORD.findall(text[max(0, start - 80) : start].lower())[-_CONTEXT_BEFORE:]
    after = _CONTEXT_WORD.findall(text[end : end + 60].lower())[:_CONTEXT_AFTER]
    return [w for w in (*before, *after) if len(w) > 1 and w not in _CONTEXT_STOPWORDS]


class FactFigure(BaseModel):
    index: int
    text: str
    value: float | None = None
    value_max: float | None = None
    unit: str | None = None
    measures: str | None = None
    qualifier: str = "exact"
    date: str | None = None
    source: str | None = None
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    context: list[str] = []  # for a figure without a unit: the words around it (see `_context`)

    def figure(self) -> Figure:
        """The figure as `quantities` compares it, without its date: across nights the date words differ
        ("Friday", "Saturday") for what is still one quantity."""
        return Figure(text=self.text, value=self.value, value_max=self.value_max, unit=self.unit,
                      measures=self.measures, qualifier=self.qualifier, source=self.source)  # type: ignore[arg-type]


class FactClaim(BaseModel):
    index: int
    speaker: str
    statement: str
    quote: str | None = None
    start: int | None = None
    end: int | None = None


class FactActor(BaseModel):
    key: str
    name: str


class Facts(BaseModel):
    """The items of one brief that story changes are computed from (kept in the index, not re-read from files)."""

    actors: list[FactActor] = []
    claims: list[FactClaim] = []
    figures: list[FactFigure] = []


def same_context(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two figures without a unit count one quantity when the words around them share two words and half of
    the shorter list ("killing 107 or more" / "killing 118 or more")."""
    wa, wb = set(a), set(b)
    shared = len(wa & wb)
    return shared >= 2 and shared * 2 >= min(len(wa), len(wb))


def actor_token(name: str) -> str:
    key = actor_key(name)
    return "actor_" + _TOKEN_JOIN.sub("_", key).strip("_") if key else ""


def feature_text(brief: Brief) -> str:
    """The text hashed into the brief's TF-IDF vector (see the module docstring)."""
    parts = [brief.title or "", brief.title or "", brief.summary]
    for actor in brief.actors:
        names = {actor_token(name) for name in (actor.name, *actor.aliases)} - {""}
        parts.extend(sorted(names))
        parts.append(actor.name)
    parts.extend(fig.measures or fig.unit or "" for fig in brief.figures)
    return "\n".join(part for part in parts if part)


def facts_of(brief: Brief) -> Facts:
    actors: dict[str, FactActor] = {}
    for actor in brief.actors:
        key = actor_key(actor.name)
        if key and key not in actors:
            actors[key] = FactActor(key=key, name=actor.name)
    claims = []
    for i, claim in enumerate(brief.claims):
        ev = claim.evidence[0] if claim.evidence else None
        claims.append(FactClaim(index=i, speaker=claim.speaker or UNATTRIBUTED, statement=claim.statement,
                                quote=ev.quote if ev else None, start=ev.start if ev else None,
                                end=ev.end if ev else None))
    figures = []
    for i, fig in enumerate(brief.figures):
        ev = fig.evidence[0] if fig.evidence else None
        context = []
        if not fig.unit and ev is not None and ev.start is not None and ev.end is not None:
            context = _context(brief.source.text, ev.start, ev.end)
        figures.append(FactFigure(index=i, text=fig.text, value=fig.value, value_max=fig.value_max, unit=fig.unit,
                                  measures=fig.measures, qualifier=fig.qualifier.value, date=fig.date,
                                  source=fig.source, quote=ev.quote if ev else None,
                                  start=ev.start if ev else None, end=ev.end if ev else None, context=context))
    return Facts(actors=list(actors.values()), claims=claims, figures=figures)


@dataclass(frozen=True, slots=True)
class StoryFeatures:
    """All the story index reads of a brief, made when the brief is written: a night keeps these until its
    story step, not the Briefs themselves (the source text alone is larger).

    The two texts are kept compressed: a night of 10,000 briefs would otherwise hold ~100 MB of them (the
    facts' JSON is ~5,000 characters a brief, stored two bytes a character once one is not Latin-1).
    Made `counted`, they hold the compared text's term counts instead of the text (see `of`)."""

    title: str | None
    packed_text: bytes | None  # feature_text(brief), UTF-8, zlib; None when counted
    packed_facts: bytes  # facts_of(brief) as the JSON the index stores, UTF-8, zlib
    counts: bytes | None = None  # feature_text(brief)'s hashed term counts as the index stores them (`pack`)

    @classmethod
    def of(cls, brief: Brief, *, counted: bool = False) -> StoryFeatures:
        """`counted`: count the compared text's terms now (where many briefs are written in parallel, the
        work leaves the run's serial end), not when the night is indexed. The counts are the same."""
        facts = _pack(facts_of(brief).model_dump_json())
        if counted:
            return cls(brief.title, None, facts, counted_row(feature_text(brief)))
        return cls(brief.title, _pack(feature_text(brief)), facts)

    @property
    def text(self) -> str:
        assert self.packed_text is not None, "counted features keep no text"
        return unpack(self.packed_text)

    @property
    def facts(self) -> str:
        return unpack(self.packed_facts)


def counted_rows(features: Sequence[StoryFeatures]) -> list[bytes]:
    """Each brief's term counts, packed: those counted when the brief was written, the others counted here
    (together: one vectoriser call for them all)."""
    uncounted = [f.text for f in features if f.counts is None]
    counted = iter(pack_rows(raw_counts(uncounted)) if uncounted else ())
    return [f.counts if f.counts is not None else next(counted) for f in features]


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 1)  # the fastest level: a few times smaller already


def unpack(packed: bytes) -> str:
    """A text as StoryFeatures keeps it (`packed_text`, `packed_facts`)."""
    return zlib.decompress(packed).decode("utf-8")
