"""Chunking for long documents: split cleaned text on sentence boundaries with overlap, then merge
the per-chunk drafts back into one.

Chunks are spans of the cleaned text, so evidence found inside a chunk maps back to the source.
Merging de-duplicates actors by normalised name (or alias) and drops an item only when another
item already has the same text and the same quotes, which is what the overlap produces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from summarizer.schema import Actor, ActorKind, Claim, Draft, Evidence, Figure, Uncertainty
from summarizer.text import CleanText, fold

Item = TypeVar("Item", Claim, Figure, Uncertainty)


@dataclass(frozen=True)
class Chunk:
    """One piece of a long document: clean.text[start:end]."""

    start: int
    end: int
    text: str


def split(clean: CleanText, chunk_chars: int, overlap: int) -> list[Chunk]:
    """Chunks of at most `chunk_chars` characters that start and end on sentence boundaries; each
    repeats whole sentences from the end of the previous one, at least `overlap` characters of them
    when they fit in half a chunk. A short text is a single chunk."""
    text = clean.text
    if len(text) <= chunk_chars:
        return [Chunk(0, len(text), text)]
    units = _units(clean, chunk_chars)
    chunks: list[Chunk] = []
    first = 0
    while first < len(units):
        last = first
        while last + 1 < len(units) and units[last + 1][1] - units[first][0] <= chunk_chars:
            last += 1
        start, end = units[first][0], units[last][1]
        chunks.append(Chunk(start, end, text[start:end]))
        if last == len(units) - 1:
            break
        # Step back over whole sentences until the overlap reaches `overlap` characters, but never
        # past half a chunk (a huge sentence would stall progress) and never back to `first`.
        nxt = last + 1
        while (
            nxt - 1 > first
            and (nxt > last or end - units[nxt][0] < overlap)
            and end - units[nxt - 1][0] <= chunk_chars // 2
        ):
            nxt -= 1
        first = nxt
    return chunks


def _units(clean: CleanText, chunk_chars: int) -> list[tuple[int, int]]:
    """Sentence spans, with any sentence longer than a chunk cut at whitespace into chunk-sized pieces."""
    units: list[tuple[int, int]] = []
    for start, end in clean.sentences or [(0, len(clean.text))]:
        while end - start > chunk_chars:
            cut = clean.text.rfind(" ", start + 1, start + chunk_chars)
            cut = cut if cut > start else start + chunk_chars
            units.append((start, cut))
            start = cut
            while start < end and clean.text[start].isspace():
                start += 1
        if end > start:
            units.append((start, end))
    return units


def merge(drafts: list[Draft]) -> Draft:
    """One draft from per-chunk drafts in document order: actors merged by name, repeats removed."""
    if len(drafts) == 1:
        return drafts[0]
    head = next((d for d in drafts if d.summary), drafts[0])
    return Draft(
        title=next((d.title for d in drafts if d.title), None),
        # News puts the bottom line first: the first chunk's summary is the article's.
        summary=head.summary,
        summary_evidence=head.summary_evidence,
        actors=_merge_actors([a for d in drafts for a in d.actors]),
        claims=_unique([c for d in drafts for c in d.claims], "statement"),
        figures=_unique([f for d in drafts for f in d.figures], "text"),
        uncertainties=_unique([u for d in drafts for u in d.uncertainties], "statement"),
    )


_NON_WORD = re.compile(r"[\W_]+")
_LEADING_THE = re.compile(r"^the ")


def normalise_name(name: str) -> str:
    """Case, accents, punctuation, spacing and a leading 'the' removed: 'The  U.N.' -> 'un'."""
    spaced = _NON_WORD.sub(" ", fold(name)).strip()
    return _LEADING_THE.sub("", spaced).replace(" ", "")


def _merge_actors(actors: list[Actor]) -> list[Actor]:
    merged: list[Actor] = []
    index: dict[str, int] = {}
    for actor in actors:
        keys = {normalise_name(n) for n in [actor.name, *actor.aliases]} - {""}
        hit = next((index[k] for k in keys if k in index), None)
        if hit is None:
            merged.append(actor)
            hit = len(merged) - 1
        else:
            merged[hit] = _combine(merged[hit], actor)
        for key in keys:
            index.setdefault(key, hit)
    return merged


def _combine(kept: Actor, other: Actor) -> Actor:
    # The longer form of a name is usually the fuller one ("Kim Yong-hyun" over "Kim").
    name = max((kept.name, other.name), key=len)
    seen = {normalise_name(name)}
    aliases = []
    for alias in [kept.name, *kept.aliases, other.name, *other.aliases]:
        key = normalise_name(alias)
        if key and key not in seen:
            seen.add(key)
            aliases.append(alias)
    return kept.model_copy(
        update={
            "name": name,
            "kind": kept.kind if kept.kind is not ActorKind.other else other.kind,
            "role": kept.role or other.role,
            "aliases": aliases,
            "evidence": _dedupe_evidence([*kept.evidence, *other.evidence]),
        }
    )


def _dedupe_evidence(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[str] = set()
    out = []
    for ev in evidence:
        key = _squash(ev.quote)
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out


def _squash(text: str) -> str:
    return " ".join(text.casefold().split())


def _unique(items: list[Item], text_field: str) -> list[Item]:
    """Items in order, without those whose text and quotes repeat an earlier item's."""
    seen: set[tuple[str, frozenset[str]]] = set()
    out = []
    for item in items:
        key = (_squash(getattr(item, text_field)), frozenset(_squash(ev.quote) for ev in item.evidence))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
