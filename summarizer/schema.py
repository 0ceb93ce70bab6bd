"""The Brief and its parts: the data every stage passes along and the JSON users read.

Every item carries `evidence`: verbatim quotes from the source with character offsets into the
source text (`source.text[start:end] == quote`) and how the quote was found (`alignment`).
Engines fill in quotes (and offsets when they know them); grounding sets offsets and alignment.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1.3"
UNATTRIBUTED = "unattributed"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Alignment(str, Enum):
    exact = "exact"
    normalised = "normalised"
    fuzzy = "fuzzy"
    unaligned = "unaligned"


class Evidence(_Model):
    quote: str = Field(description="Verbatim words from the source.")
    start: int | None = Field(default=None, ge=0, description="Offset of the first character in source.text.")
    end: int | None = Field(default=None, ge=0, description="Offset after the last character in source.text.")
    alignment: Alignment = Field(default=Alignment.unaligned, description="How the quote was located.")
    page: int | None = Field(default=None, ge=1, description="The PDF page the quote starts on (1 is the first).")

    @property
    def aligned(self) -> bool:
        return self.alignment is not Alignment.unaligned and self.start is not None

    @classmethod
    def exact(cls, source: str, start: int, end: int) -> Evidence:
        """The source's own words between two offsets: evidence that needs no locating."""
        return cls(quote=source[start:end], start=start, end=end, alignment=Alignment.exact)


class DropCode(str, Enum):
    """Why an item left the brief, for programs: grounding's two codes, then the support checks'."""

    no_evidence = "no_evidence"
    evidence_not_found = "evidence_not_found"
    figure_not_in_evidence = "figure_not_in_evidence"
    figure_without_number = "figure_without_number"
    claim_not_supported = "claim_not_supported"
    actor_not_named = "actor_not_named"
    uncertainty_without_cue = "uncertainty_without_cue"
    summary_not_supported = "summary_not_supported"


class FoundBy(str, Enum):
    """Who found an item: the model, or the extractive rules (in an LLM brief, the cross-check's additions)."""

    model = "model"
    rules = "rules"


# Every item's last two fields.
FoundByField = Annotated[FoundBy | None, Field(description="model or rules: who found the item.")]
UnsupportedField = Annotated[
    DropCode | None, Field(description="Only with keep_unsupported: why the support checks would drop the item.")
]


class ActorKind(str, Enum):
    person = "person"
    organisation = "organisation"
    country = "country"
    group = "group"
    media = "media"
    other = "other"


class Actor(_Model):
    name: str
    kind: ActorKind = ActorKind.other
    role: str | None = Field(default=None, description="The actor's role in this story, as the text states it.")
    aliases: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    found_by: FoundByField = None
    unsupported: UnsupportedField = None


class Attribution(str, Enum):
    direct_quote = "direct_quote"
    reported = "reported"
    anonymous_source = "anonymous_source"
    outlet = "outlet"


class Claim(_Model):
    statement: str = Field(description="What is claimed, as reported.")
    speaker: str = Field(default=UNATTRIBUTED, description="An actor's name, or 'unattributed'.")
    # Added in 1.2 (optional, so 1.0/1.1 briefs still load): shows when the speaker was resolved from
    # a pronoun or a description ("he", "the company").
    speaker_mention: str | None = Field(
        default=None, description="The words in the text that name the speaker ('he', 'the company'), if any."
    )
    attribution: Attribution = Attribution.reported
    hedged: bool = False
    evidence: list[Evidence] = Field(default_factory=list)
    found_by: FoundByField = None
    unsupported: UnsupportedField = None


class Qualifier(str, Enum):
    exact = "exact"
    approximately = "approximately"
    up_to = "up_to"
    more_than = "more_than"
    at_least = "at_least"
    less_than = "less_than"


class Figure(_Model):
    text: str = Field(description="The quantity as written, e.g. 'up to 12,000'.")
    value: float | None = Field(default=None, description="Normalised number; the low end of a range.")
    value_max: float | None = Field(default=None, description="High end of a range, when the text gives one.")
    unit: str | None = Field(default=None, description="Unit or counted noun, e.g. 'troops', '%', 'km', 'USD'.")
    currency: str | None = Field(default=None, description="ISO 4217 code when the figure is money, e.g. 'HKD'.")
    per: str | None = Field(default=None, description="What a rate is per: 'barrel' in '$80 a barrel'.")
    scale: float | None = Field(
        default=None, description="The multiplier written with the number (1e6 for '13.6M'); value includes it."
    )
    measures: str | None = Field(default=None, description="What is counted or measured.")
    qualifier: Qualifier = Qualifier.exact
    date: str | None = Field(default=None, description="The date attached to the figure, as written.")
    source: str | None = Field(default=None, description="The actor who states the figure.")
    evidence: list[Evidence] = Field(default_factory=list)
    found_by: FoundByField = None
    unsupported: UnsupportedField = None


class UncertaintyKind(str, Enum):
    unverified = "unverified"
    disputed = "disputed"
    conflicting = "conflicting"
    hedged = "hedged"
    speculative = "speculative"
    missing_detail = "missing_detail"


class Uncertainty(_Model):
    statement: str
    kind: UncertaintyKind = UncertaintyKind.unverified
    who: str | None = Field(default=None, description="Who is uncertain, or who disputes.")
    evidence: list[Evidence] = Field(default_factory=list)
    found_by: FoundByField = None
    unsupported: UnsupportedField = None


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            total_tokens=self.total_tokens + other.total_tokens,
        )


class Source(_Model):
    sha256: str = Field(description="SHA-256 of source.text encoded as UTF-8.")
    title: str | None = None
    path: str | None = Field(default=None, description="Where the document was read from, if a file.")
    length: int = Field(description="Length of source.text in characters.")
    language: str = Field(default="en", description="ISO 639-1 code of the text's language (detected unless given).")
    language_confidence: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The language model's probability for `language`; null when the user gave the language "
        "or the brief predates schema 1.3.",
    )
    encoding: str | None = Field(default=None, description="The encoding the input was decoded from.")
    text: str = Field(description="The text every evidence span indexes.")
    removed: list[tuple[int, int]] = Field(
        default_factory=list, description="Ranges of text cleaning set aside as page boilerplate (no engine read them)."
    )
    media_type: str | None = Field(default=None, description="What the input was: text/plain, text/html, application/pdf, ...")
    page_starts: list[int] = Field(
        default_factory=list, description="A PDF's: the offset in source.text where each page starts (page 1 first)."
    )
    url: str | None = Field(default=None, description="The URL the document was fetched from, as given.")
    final_url: str | None = Field(default=None, description="The URL that answered, after redirects.")
    fetched_at: datetime | None = Field(default=None, description="When the document was fetched (UTC).")
    author: str | None = Field(default=None, description="The byline an HTML page's metadata gives (schema 1.2).")
    published: str | None = Field(
        default=None, description="The publish date an HTML page's metadata gives, YYYY-MM-DD (schema 1.2)."
    )
    canonical_url: str | None = Field(
        default=None, description="The page's canonical URL, from its metadata (schema 1.2)."
    )


class Provenance(_Model):
    engine: str
    model: str | None = None
    prompt_version: str | None = None
    created_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    usage: Usage = Field(default_factory=Usage)
    attempts: int = Field(default=1, description="Requests sent, counting transport retries and re-asks.")
    retries: int = Field(default=0, description="Attempts beyond the first for each request, summed.")
    chunks: int = 1
    engine_reason: str | None = Field(default=None, description="Why this engine ran (for --engine auto).")


class DroppedItem(_Model):
    field: str = Field(description="actors, claims, figures, uncertainties or summary.")
    text: str = Field(description="The item's main text (name, statement, figure text).")
    quotes: list[str] = Field(default_factory=list, description="The evidence the engine gave.")
    reason: str = Field(description="Why, in words.")
    code: DropCode = Field(description="Why, for programs.")

    @model_validator(mode="before")
    @classmethod
    def _code_of_a_1_0_brief(cls, data: Any) -> Any:
        # Schema 1.0 had only grounding's two reasons, and no code: a brief written then still loads.
        if isinstance(data, dict) and "code" not in data:
            grounded = data.get("reason") == "no evidence given"
            data = {**data, "code": DropCode.no_evidence if grounded else DropCode.evidence_not_found}
        return data


class Verification(_Model):
    figures_checked: int = 0
    figure_mismatches: list[str] = Field(
        default_factory=list, description="Figures whose number does not appear in their evidence."
    )
    missed_entities: list[str] = Field(
        default_factory=list, description="Named entities in the source that no actor covers."
    )
    missed_numbers: list[str] = Field(
        default_factory=list, description="Numbers in the source that no figure covers."
    )
    missed_figures: list[str] = Field(
        default_factory=list, description="Figures the extractive rules find that an LLM brief did not give."
    )
    unsupported_summary: list[str] = Field(
        default_factory=list, description="With keep_unsupported: summary sentences whose names or numbers are not in the source."
    )


class Draft(_Model):
    """What an engine returns before grounding: the Brief's content without source or provenance."""

    title: str | None = None
    summary: str = ""
    summary_evidence: list[Evidence] = Field(default_factory=list)
    actors: list[Actor] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    uncertainties: list[Uncertainty] = Field(default_factory=list)

    def marked_found_by(self, who: FoundBy) -> Draft:
        """The draft with every item marked as found by `who`, unless marked already."""
        updates = {
            name: [i if i.found_by else i.model_copy(update={"found_by": who}) for i in getattr(self, name)]
            for name in ("actors", "claims", "figures", "uncertainties")
        }
        return self.model_copy(update=updates)


class Brief(Draft):
    schema_version: str = SCHEMA_VERSION
    title: str = ""
    source: Source
    provenance: Provenance
    dropped: list[DroppedItem] = Field(
        default_factory=list, description="Items removed: evidence not in the source, or not supporting the item."
    )
    verification: Verification = Field(default_factory=Verification)

    def evidence_items(self) -> list[tuple[str, int, Evidence]]:
        """Every (field, index, evidence) in the brief, in field order."""
        out: list[tuple[str, int, Evidence]] = [("summary", 0, ev) for ev in self.summary_evidence]
        for field in ("actors", "claims", "figures", "uncertainties"):
            for i, item in enumerate(getattr(self, field)):
                out.extend((field, i, ev) for ev in item.evidence)
        return out


def json_schema() -> dict:
    """The Brief's JSON Schema, as committed in schemas/brief.schema.json."""
    schema = Brief.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://summarizer.invalid/schemas/brief-{SCHEMA_VERSION}.json"
    return schema
