"""The schema the model fills, and how one answer in it becomes a `Draft`.

The schema is deliberately small (short field names, enums as literals, few descriptions) to keep the
fixed part of the prompt compact; `to_draft` maps it onto our own names and finds each quote's offsets.
"""

from __future__ import annotations

import copy
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema

from summarizer import chunking
from summarizer.schema import (
    UNATTRIBUTED,
    Actor,
    ActorKind,
    Attribution,
    Claim,
    Draft,
    Evidence,
    Figure,
    Qualifier,
    Uncertainty,
    UncertaintyKind,
)
from summarizer.text import CleanText
from summarizer.units import currency_code


class _CompactSchema(GenerateJsonSchema):
    """The schema the model reads, trimmed to what constrains its answer: no field titles (they
    repeat the names), no defaults (optional fields are simply not required), optional numbers as
    plain numbers (the models accept null anyway), and nested objects inlined instead of $refs."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def default_schema(self, schema: Any) -> dict[str, Any]:
        return self.generate_inner(schema["schema"])

    def nullable_schema(self, schema: Any) -> dict[str, Any]:
        return self.generate_inner(schema["schema"])

    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        out = super().generate(schema, mode)
        return _inline(out, out.pop("$defs", {}))


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = {k: v for k, v in defs[ref.removeprefix("#/$defs/")].items() if k != "title"}
        return _inline(target, defs)
    return {k: _inline(v, defs) for k, v in node.items()}


class _Wire(BaseModel):
    # Extra keys a model adds are ignored rather than re-asked; everything else must fit.
    model_config = ConfigDict(extra="ignore")

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault("schema_generator", _CompactSchema)
        # instructor's JSON modes ask for the schema on every request, and its ResponseSchema wrapper
        # (see transport._RESPONSE_MODEL) shares the model's name: build the schema once per name and
        # hand out copies, which callers may edit.
        key = (cls.__module__, cls.__qualname__, args, tuple(sorted(kwargs.items(), key=str)))
        if key not in _SCHEMAS:
            _SCHEMAS[key] = super().model_json_schema(*args, **kwargs)
        return copy.deepcopy(_SCHEMAS[key])


_SCHEMAS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _no_blank(quotes: list[str]) -> list[str]:
    if any(not q.strip() for q in quotes):
        raise ValueError("quotes must be non-empty text copied from the article")
    return quotes


# Every item needs at least one quote: an item without evidence cannot be grounded.
Quotes = Annotated[list[str], Field(min_length=1), AfterValidator(_no_blank)]


class WireActor(_Wire):
    model_config = ConfigDict(title="Actor")
    name: str
    kind: Literal["person", "org", "country", "group", "media", "other"] = "other"
    role: str = ""
    aka: list[str] = []
    q: Quotes


class WireClaim(_Wire):
    model_config = ConfigDict(title="Claim")
    text: str
    by: str = UNATTRIBUTED
    how: Literal["direct", "reported", "anonymous", "outlet"] = "reported"
    hedged: bool = False
    q: Quotes


class WireFigure(_Wire):
    model_config = ConfigDict(title="Figure")
    text: str
    value: float | None = None
    max: float | None = None
    unit: str = ""
    what: str = ""
    qual: Literal["exact", "approx", "up_to", "over", "at_least", "under"] = "exact"
    date: str = ""
    by: str = ""
    q: Quotes


class WireDoubt(_Wire):
    model_config = ConfigDict(title="Doubt")
    text: str
    kind: Literal["unverified", "disputed", "conflicting", "hedged", "speculative", "missing"] = "unverified"
    who: str = ""
    q: Quotes


class WireBrief(_Wire):
    """A grounded news brief."""

    model_config = ConfigDict(title="brief")
    title: str = ""
    summary: str
    sq: list[str] = []
    actors: list[WireActor] = []
    claims: list[WireClaim] = []
    figures: list[WireFigure] = []
    doubts: list[WireDoubt] = []


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("the summary must say something: two or three sentences")
    return text


class WireSummary(_Wire):
    """The bottom line of a news article, with the article's sentences that support it."""

    model_config = ConfigDict(title="summary")
    summary: Annotated[str, AfterValidator(_not_blank)]
    quotes: Quotes


_KIND = {"org": ActorKind.organisation}
_HOW = {"direct": Attribution.direct_quote, "anonymous": Attribution.anonymous_source}
_QUAL = {"approx": Qualifier.approximately, "over": Qualifier.more_than, "under": Qualifier.less_than}
_DOUBT = {"missing": UncertaintyKind.missing_detail}


def to_draft(wire: WireBrief, clean: CleanText, chunk: chunking.Chunk | None = None) -> Draft:
    """The Draft for one answer. Quotes found verbatim in the chunk get exact source offsets."""
    chunk = chunk or chunking.Chunk(0, len(clean.text), clean.text)

    def evidence(quotes: list[str]) -> list[Evidence]:
        return [_evidence(q, clean, chunk) for q in quotes]

    return Draft(
        title=_title_in_source(wire.title, clean),
        summary=wire.summary.strip(),
        summary_evidence=evidence(wire.sq),
        actors=[
            Actor(
                name=a.name.strip(),
                kind=_KIND.get(a.kind) or ActorKind(a.kind),
                role=a.role.strip() or None,
                aliases=[x.strip() for x in a.aka if x.strip() and x.strip() != a.name.strip()],
                evidence=evidence(a.q),
            )
            for a in wire.actors
        ],
        claims=[
            Claim(
                statement=c.text.strip(),
                speaker=c.by.strip() or UNATTRIBUTED,
                attribution=_HOW.get(c.how) or Attribution(c.how),
                hedged=c.hedged,
                evidence=evidence(c.q),
            )
            for c in wire.claims
        ],
        figures=[
            Figure(
                text=f.text.strip(),
                value=f.value,
                value_max=f.max,
                unit=f.unit.strip() or None,
                currency=currency_code(f.unit),
                measures=f.what.strip() or None,
                qualifier=_QUAL.get(f.qual) or Qualifier(f.qual),
                date=f.date.strip() or None,
                source=f.by.strip() or None,
                evidence=evidence(f.q),
            )
            for f in wire.figures
        ],
        uncertainties=[
            Uncertainty(
                statement=d.text.strip(),
                kind=_DOUBT.get(d.kind) or UncertaintyKind(d.kind),
                who=d.who.strip() or None,
                evidence=evidence(d.q),
            )
            for d in wire.doubts
        ],
    )


def _title_in_source(title: str, clean: CleanText) -> str | None:
    """The model's title only when the article contains it (spacing and case aside): the headline is
    copied, never invented, so an injected or imagined title falls back to the document's own."""
    squashed = " ".join(title.split())
    if squashed and squashed.casefold() in " ".join(clean.text.split()).casefold():
        return squashed
    return None


def _evidence(quote: str, clean: CleanText, chunk: chunking.Chunk) -> Evidence:
    """Exact offsets when the quote is verbatim in this chunk; otherwise only the quote, with the
    chunk's position as a hint so grounding prefers a match in the right part of a long text."""
    stripped = quote.strip()
    i = chunk.text.find(stripped)
    if i >= 0:
        start, end = clean.span_to_source(chunk.start + i, chunk.start + i + len(stripped))
        if clean.source[start:end] == stripped:
            return Evidence.exact(clean.source, start, end)
    hint = clean.to_source(chunk.start) if chunk.start else None
    return Evidence(quote=stripped, start=hint)


def with_summary(draft: Draft, wire: WireSummary) -> Draft:
    """`draft` with the model's summary in place of its own. The quotes carry no offsets: grounding
    locates them in the source like any other evidence (and replaces a summary none of them supports)."""
    return draft.model_copy(
        update={"summary": wire.summary.strip(), "summary_evidence": [Evidence(quote=q.strip()) for q in wire.quotes]}
    )
