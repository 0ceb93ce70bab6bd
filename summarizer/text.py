"""Cleaning and sentence spans, with a map from cleaned offsets back to the source text.

Cleaning only ever removes whole lines (page boilerplate), so the cleaned text is the source with
some line ranges cut out and the map is a short list of segments.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

# Lines that belong to the page around an article, not to the article.
_BOILERPLATE_LINE = re.compile(
    r"""^\s*(?:
        (?:PREV|NEXT|PREVIOUS)\b.*                        # neighbouring-story links
      | (?:Previous|Next)\ (?:article|story|post|page)\b.*
      | (?:To\ watch\ on\ video|Watch\ the\ video|Watch\ video|Video)\s*:?\s*
      | (?:Read\ (?:also|more)|See\ also|Related(?:\ articles?)?)\b.{0,120}
      | (?:Share\ (?:this|on)|Follow\ us|Subscribe|Sign\ up|Advertisement|ADVERTISEMENT)\b.{0,80}
      | [-–—_*•·|=~\s]+                                   # separators and bullets alone
    )\s*$""",
    re.VERBOSE,
)
_SENTENCE_END = re.compile(r"""[.!?…]["”’)\]]*\s+(?=["“‘(\[]?[A-Z0-9])""")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n(?=\S)")


@dataclass(frozen=True)
class Segment:
    """A run of cleaned text that is a verbatim copy of source[source_start:source_start+length]."""

    clean_start: int
    source_start: int
    length: int


@dataclass
class CleanText:
    """The source, its cleaned text, the offset map between them, the title and sentence spans."""

    source: str
    text: str
    segments: list[Segment]
    title: str | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)

    def to_source(self, offset: int) -> int:
        """Map an offset in the cleaned text to the source. End offsets map to just after the char."""
        if not self.segments:
            return 0
        i = max(0, bisect_right(self._starts, offset) - 1)
        seg = self.segments[i]
        return seg.source_start + min(offset - seg.clean_start, seg.length)

    @cached_property
    def _starts(self) -> list[int]:
        # Built once: a long document maps tens of thousands of offsets through many segments.
        return [s.clean_start for s in self.segments]

    def removed(self) -> list[tuple[int, int]]:
        """Source ranges cleaning set aside as page boilerplate (whitespace-only gaps aside)."""
        out, pos = [], 0
        for seg in self.segments:
            if seg.source_start > pos:
                out.append((pos, seg.source_start))
            pos = seg.source_start + seg.length
        if pos < len(self.source):
            out.append((pos, len(self.source)))
        return [(s, e) for s, e in out if self.source[s:e].strip()]

    def span_to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a cleaned span to the source; an empty span stays empty."""
        if end <= start:
            s = self.to_source(start)
            return s, s
        return self.to_source(start), self.to_source(end - 1) + 1


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, end including its newline."""
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line)))
        pos += len(line)
    return spans


def _guess_title(source: str, lines: list[tuple[int, int]]) -> str | None:
    for start, end in lines:
        line = source[start:end].strip()
        if not line:
            continue
        if len(line) <= 200 and not line.endswith((".", ":", ";", ",")):
            return line
        return None
    return None


def _is_boilerplate(line: str, title: str | None, seen_title: bool) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if title is not None and seen_title and stripped == title:
        return True
    return bool(_BOILERPLATE_LINE.match(stripped))


def clean(source: str) -> CleanText:
    """Remove page boilerplate lines and split the rest into sentences, keeping offsets."""
    lines = _lines(source)
    title = _guess_title(source, lines)
    segments: list[Segment] = []
    parts: list[str] = []
    clean_len = 0
    seen_title = False
    for start, end in lines:
        line = source[start:end]
        if _is_boilerplate(line, title, seen_title):
            continue
        if title is not None and line.strip() == title:
            seen_title = True
        last = segments[-1] if segments else None
        if last and last.source_start + last.length == start:
            segments[-1] = Segment(last.clean_start, last.source_start, last.length + len(line))
        else:
            segments.append(Segment(clean_len, start, len(line)))
        parts.append(line)
        clean_len += len(line)
    text = "".join(parts)
    return CleanText(source=source, text=text, segments=segments, title=title, sentences=split_sentences(text))


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: paragraph breaks always end a sentence; so does end punctuation before a capital."""
    spans: list[tuple[int, int]] = []
    for para_start, para_end in _paragraphs(text):
        start = para_start
        for m in _SENTENCE_END.finditer(text, para_start, para_end):
            cut = m.end()
            _append_trimmed(spans, text, start, cut)
            start = cut
        _append_trimmed(spans, text, start, para_end)
    return spans


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def one_line(text: str, limit: int) -> str:
    """`text` with every run of whitespace made one space, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def fold(text: str) -> str:
    """`text` without case or accents, for matching names: 'Zelenskyy', 'ZELENSKYY' and 'Zélenskyy' meet."""
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold_words(words: list[str]) -> list[str]:
    """`[fold(w) for w in words]`, the ASCII ones folded in one call: a support check folds every
    distinct word of a document, and a call per word cost more than the folding."""
    if not words:
        return []
    joined = " ".join(words)
    if joined.isascii():
        folded = joined.casefold().split(" ")
        if len(folded) == len(words):  # else a word held a space: split apart, it would not be one
            return folded
    return [w.casefold() if w.isascii() else fold(w) for w in words]
