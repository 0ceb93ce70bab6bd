"""Grounding: find every evidence quote in the source and record its span and how it was found.

Search order: exact, then normalised, then fuzzy. Normalised matching forgives what a model's copy of
any language's text tends to change without changing a word: whitespace (non-breaking and narrow
no-break spaces included), curly quotes, guillemets and apostrophes, dashes, case, invisible characters
(soft hyphens, zero-width spaces), the spaces French typography puts inside « » and before : ; ! ?, and
Unicode composed versus decomposed accents (NFC "é" and NFD "e" + U+0301 are the same letter). Accents
themselves still count: "Coree" is not "Corée". A normalised match never ends or starts inside a letter's
accents (an exact one does only when the quote is that very piece of the text).
A located quote is replaced by the source's own words, so `source[start:end] == quote` always holds.
Items with no located evidence are dropped and reported, or kept flagged with `keep_unaligned`.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from rapidfuzz import fuzz

from summarizer.schema import Alignment, Draft, DropCode, DroppedItem, Evidence
from summarizer.text import CleanText

FUZZY_MIN_SCORE = 90.0
_MIN_FUZZY_LEN = 12
_FUZZY_WINDOW = 20_000
_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
        "\u2039": "'", "\u203a": "'", "\u02bc": "'", "\u2026": "...",
    }
)
# Invisible in print, so a model's copy never has them: soft hyphen, zero-width space and joiners, BOM.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
# Marks a space before or after is optional in print (French « guillemets » and : ; ! ? take one, often
# non-breaking, that a copy drops or keeps): both texts lose the spaces beside them when normalised.
_TIGHT = frozenset("\"':;!?")
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.|…|\[\.\.\.\]|\(\.\.\.\))\s*")


@dataclass
class _Normalised:
    """A normalised copy of a text and, for each of its characters, the index it came from."""

    text: str
    origin: list[int]


def _normalise(text: str) -> _Normalised:
    chars: list[str] = []
    origin: list[int] = []
    space_at = -1  # the index of the pending run of whitespace, if any
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        if ch.isspace():
            if space_at < 0:
                space_at = i
            continue
        out = unicodedata.normalize("NFD", ch.translate(_CHAR_MAP).lower())
        if space_at >= 0 and chars and chars[-1] not in _TIGHT and out[0] not in _TIGHT:
            chars.append(" ")
            origin.append(space_at)
        space_at = -1
        for c in out:
            chars.append(c)
            origin.append(i)
    return _Normalised("".join(chars), origin)


def _whole(text: str, start: int, end: int) -> bool:
    """text[start:end] neither starts nor ends inside a letter's accents ("cafe" is not found in "café")."""
    return not (
        (start < len(text) and unicodedata.combining(text[start]))
        or (end < len(text) and unicodedata.combining(text[end]))
    )


def _normalise_quote(quote: str) -> str:
    return _normalise(quote).text


class Locator:
    """Finds quotes in one cleaned text; the normalised copy is built once, on first need."""

    def __init__(self, clean: CleanText):
        self.clean = clean

    @cached_property
    def _norm(self) -> _Normalised:
        return _normalise(self.clean.text)

    def locate(self, quote: str, near: int | None = None) -> Evidence:
        """Evidence for `quote` with source offsets, or an unaligned Evidence when it is not there."""
        found = self._find(quote, near)
        if found is None:
            parts = [p for p in _ELLIPSIS.split(quote) if p.strip()]
            if len(parts) > 1:
                found = self._find_elided(parts, near)
        if found is None:
            return Evidence(quote=quote, alignment=Alignment.unaligned)
        start, end, alignment = found
        s, e = self.clean.span_to_source(start, end)
        located = self.clean.source[s:e]
        if alignment is Alignment.exact and located != quote.strip():
            # The match runs across a removed boilerplate line: the source's words differ from the quote.
            alignment = Alignment.normalised
        return Evidence(quote=located, start=s, end=e, alignment=alignment)

    def _find(self, quote: str, near: int | None) -> tuple[int, int, Alignment] | None:
        text = self.clean.text
        stripped = quote.strip()
        if not stripped:
            return None
        # A whole-letter occurrence first; a verbatim piece of the text is still found if it is the only one.
        i = _nearest_whole(text, stripped, near)
        if i < 0:
            i = _nearest(text, stripped, near)
        if i >= 0:
            return i, i + len(stripped), Alignment.exact
        nq = _normalise_quote(stripped)
        if not nq:
            return None
        norm = self._norm
        j = _nearest_whole(norm.text, nq, None if near is None else _normalised_index(norm, near))
        if j >= 0:
            return norm.origin[j], norm.origin[j + len(nq) - 1] + 1, Alignment.normalised
        return self._fuzzy(nq)

    def _find_elided(self, parts: list[str], near: int | None) -> tuple[int, int, Alignment] | None:
        """A quote with '...' in it: find its first and last parts, in order, close together."""
        first = self._find(parts[0], near)
        if first is None:
            return None
        last = self._find(parts[-1], first[1])
        if last is None or last[0] < first[1] or last[0] - first[1] > 4 * sum(len(p) for p in parts):
            return None
        return first[0], last[1], Alignment.fuzzy

    def _fuzzy(self, nq: str) -> tuple[int, int, Alignment] | None:
        if len(nq) < _MIN_FUZZY_LEN:
            return None
        norm = self._norm
        best: tuple[float, int, int] | None = None
        step = _FUZZY_WINDOW - 2 * len(nq)
        for offset in range(0, max(1, len(norm.text)), max(step, len(nq) + 1)):
            window = norm.text[offset : offset + _FUZZY_WINDOW]
            res = fuzz.partial_ratio_alignment(nq, window, score_cutoff=FUZZY_MIN_SCORE)
            if res is not None and (best is None or res.score > best[0]):
                best = (res.score, offset + res.dest_start, offset + res.dest_end)
            if offset + _FUZZY_WINDOW >= len(norm.text):
                break
        if best is None:
            return None
        start, end = best[1], best[2]
        while start < end and norm.text[start] == " ":
            start += 1
        while end > start and norm.text[end - 1] == " ":
            end -= 1
        # partial_ratio may cut a word in half: widen to word boundaries in the normalised text.
        while start > 0 and norm.text[start - 1].isalnum() and norm.text[start].isalnum():
            start -= 1
        while end < len(norm.text) and norm.text[end - 1].isalnum() and norm.text[end].isalnum():
            end += 1
        while end < len(norm.text) and unicodedata.combining(norm.text[end]):
            end += 1
        if end <= start:
            return None
        return norm.origin[start], norm.origin[end - 1] + 1, Alignment.fuzzy


def _normalised_index(norm: _Normalised, index: int) -> int:
    """The position in the normalised text of the original text's `index` (or the next kept character)."""
    return bisect_left(norm.origin, index)


def _nearest_whole(text: str, needle: str, near: int | None) -> int:
    """`_nearest`, skipping occurrences that cut a letter from its accents."""
    i = _nearest(text, needle, near)
    if i < 0 or _whole(text, i, i + len(needle)):
        return i
    # Rare (a quote that is a prefix of an accented word): look at every occurrence.
    found = [j for j in _occurrences(text, needle) if _whole(text, j, j + len(needle))]
    if not found:
        return -1
    return found[0] if near is None else min(found, key=lambda j: (abs(j - near), j))


def _occurrences(text: str, needle: str) -> list[int]:
    out = []
    i = text.find(needle)
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def _nearest(text: str, needle: str, near: int | None) -> int:
    """Index of the occurrence of needle closest to `near` (the first when near is None), or -1."""
    if near is None:
        return text.find(needle)
    # The last occurrence at or before `near` and the first after it; the earlier wins a tie. Two searches
    # that stop at `near`, rather than a walk over every occurrence before it.
    before = text.rfind(needle, 0, max(0, near) + len(needle))
    after = text.find(needle, max(0, near + 1))
    if before < 0 or after < 0:
        return max(before, after)
    return after if after - near < near - before else before


_ITEM_TEXT = {"actors": "name", "claims": "statement", "figures": "text", "uncertainties": "statement"}


def ground(draft: Draft, clean: CleanText, *, keep_unaligned: bool = False) -> tuple[Draft, list[DroppedItem]]:
    """Locate every quote; drop (or flag) items with nothing located. Returns the new draft and the drops."""
    locator = Locator(clean)
    dropped: list[DroppedItem] = []
    updates: dict[str, object] = {}
    for field, text_attr in _ITEM_TEXT.items():
        kept = []
        for item in getattr(draft, field):
            evidence = _ground_evidence(locator, item.evidence)
            aligned = [ev for ev in evidence if ev.aligned]
            if aligned:
                kept.append(item.model_copy(update={"evidence": _dedupe(aligned)}))
                continue
            dropped.append(
                DroppedItem(
                    field=field,
                    text=str(getattr(item, text_attr)),
                    quotes=[ev.quote for ev in item.evidence],
                    **_why_unaligned(item.evidence),
                )
            )
            if keep_unaligned:
                kept.append(item.model_copy(update={"evidence": evidence}))
        updates[field] = kept
    summary_evidence = [ev for ev in _ground_evidence(locator, draft.summary_evidence) if ev.aligned]
    updates["summary_evidence"] = _dedupe(summary_evidence)
    if draft.summary.strip() and not summary_evidence and not keep_unaligned:
        # An ungrounded summary could say anything (an obeyed prompt injection, an invented event):
        # replace it with the article's lead, which is the source's own words.
        quotes = [ev.quote for ev in draft.summary_evidence]
        dropped.append(
            DroppedItem(field="summary", text=draft.summary, quotes=quotes, **_why_unaligned(draft.summary_evidence))
        )
        updates["summary"], updates["summary_evidence"] = lead_summary(clean)
    return draft.model_copy(update=updates), dropped


def _why_unaligned(evidence: list[Evidence]) -> dict[str, Any]:
    """DroppedItem's reason and code for an item none of whose quotes is in the source."""
    if not evidence:
        return {"reason": "no evidence given", "code": DropCode.no_evidence}
    return {"reason": "evidence not found in the source", "code": DropCode.evidence_not_found}


def lead_summary(clean: CleanText, sentences: int = 2) -> tuple[str, list[Evidence]]:
    """The first sentences after the title, as a summary made only of the source's words."""
    lead = [(s, e) for s, e in clean.sentences if clean.text[s:e].strip() != (clean.title or "")][:sentences]
    evidence = []
    for s, e in lead:
        a, b = clean.span_to_source(s, e)
        evidence.append(Evidence.exact(clean.source, a, b))
    return " ".join(ev.quote for ev in evidence), evidence


def _ground_evidence(locator: Locator, evidence: list[Evidence]) -> list[Evidence]:
    out = []
    for ev in evidence:
        if _slices(locator.clean.source, ev):
            out.append(ev if ev.aligned else ev.model_copy(update={"alignment": Alignment.exact}))
            continue
        out.append(locator.locate(ev.quote, near=ev.start))
    return out


def _slices(source: str, ev: Evidence) -> bool:
    """True when the engine's own offsets are in range and cut exactly its (non-blank) quote."""
    if ev.start is None or ev.end is None or not ev.quote.strip():
        return False
    return 0 <= ev.start < ev.end <= len(source) and source[ev.start : ev.end] == ev.quote


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int | None, int | None]] = set()
    out = []
    for ev in evidence:
        key = (ev.start, ev.end)
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out
