"""Actors from spaCy's named entities: mentions merged into one actor each, with a kind and a role.

Mentions of one actor are merged when the text links them: a surname with the full name, an acronym
defined in parentheses, a demonym or capital with its country when the country is named, "the North"
with the one named country called "North ...", and "<demonym> intelligence" with the named
intelligence service of that country. Places that are only settings (cities, regions) are not actors
unless they act in a sentence (subject, possessor).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from spacy.tokens import Doc, Span, Token

from summarizer.engines.extractive.geo import Country, gazetteer
from summarizer.engines.extractive.lexicon import (
    GROUP_WORDS,
    HONORIFICS,
    INSTITUTION_NOUNS,
    KNOWN_MEDIA,
    MEDIA_NOUNS,
    MEDIA_WORDS,
    PERSON_NOUNS,
    STATE_NOUNS,
)
from summarizer.engines.extractive.names import DIRECTIONS, bare_directions, entity_spans
from summarizer.engines.extractive.roles import apposition_role, role_of
from summarizer.schema import ActorKind

MAX_EVIDENCE = 5

_ACRONYM = re.compile(r"^[A-Z][A-Za-z&.\-]*[A-Z]\.?$")

_ACRONYM_STOPWORDS = frozenset({"of", "the", "and", "for", "in", "on", "de", "du", "des", "la", "le", "&", "to"})

# Grammatical functions in which a place acts instead of being a setting.
_ACTING_DEPS = frozenset({"nsubj", "poss", "agent"})



@dataclass
class Mention:
    start: int  # token index
    end: int  # token index, exclusive
    text: str
    char_start: int  # offsets in the cleaned text
    char_end: int


@dataclass
class ActorRecord:
    """One actor while the document is read: its mentions in order, and what is known about it."""

    key: str
    name: str
    kind: ActorKind
    mentions: list[Mention] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    role: str | None = None

    def add(self, mention: Mention) -> None:
        self.mentions.append(mention)
        if mention.text != self.name and mention.text not in self.aliases:
            self.aliases.append(mention.text)

    @property
    def first(self) -> int:
        return min(m.start for m in self.mentions)


_PREFERENCE = (
    frozenset({ActorKind.person}),
    frozenset({ActorKind.organisation, ActorKind.media, ActorKind.group}),
)


@dataclass
class ActorIndex:
    """The document's actors and which tokens mention which actor."""

    actors: list[ActorRecord]
    by_token: dict[int, ActorRecord]
    _ends: dict[frozenset[ActorKind], tuple[list[int], list[int]]] = field(default_factory=dict, repr=False, compare=False)

    def at(self, i: int) -> ActorRecord | None:
        return self.by_token.get(i)

    def in_span(self, span: Span | Iterable[Token]) -> ActorRecord | None:
        """The actor a phrase names: the one at its head, else a person in it ('Afghan Ambassador ...
        Hamdullah Mohib'), else an organisation, else any actor in it."""
        tokens = list(span)
        if not tokens:
            return None
        root = span.root if isinstance(span, Span) else tokens[0]
        found = self.by_token.get(root.i)
        if found is not None:
            return found
        inside = [a for a in (self.by_token.get(t.i) for t in tokens) if a is not None]
        for kinds in _PREFERENCE:
            for actor in inside:
                if actor.kind in kinds:
                    return actor
        return inside[0] if inside else None

    # The lookups below run once per claim: each reads an index built on first use (the actors are final
    # once the index exists), not every actor or mention, so a long document's cost stays linear.

    def by_word(self, word: str) -> ActorRecord | None:
        """The one organisation whose name or alias has this word ("the agency", "intelligence")."""
        hits = self._bodies_by_word.get(word.lower(), [])
        return hits[0] if len(hits) == 1 else None

    def by_alias(self, text: str) -> ActorRecord | None:
        """The actor with this exact name or alias ("WHO", which the tagger may read as a pronoun)."""
        return self._by_alias.get(text)

    def last_before(self, i: int, kinds: frozenset[ActorKind]) -> ActorRecord | None:
        """The actor of one of these kinds mentioned last before token i (the first listed on a tie)."""
        ends, positions = self._mention_ends(kinds)
        k = bisect_right(ends, i)
        if k == 0:
            return None
        return self.actors[positions[bisect_left(ends, ends[k - 1])]]

    @cached_property
    def _bodies_by_word(self) -> dict[str, list[ActorRecord]]:
        out: dict[str, list[ActorRecord]] = {}
        for actor in self.actors:
            if actor.kind in (ActorKind.organisation, ActorKind.media):
                for word in dict.fromkeys(w for n in (actor.name, *actor.aliases) for w in n.lower().split()):
                    out.setdefault(word, []).append(actor)
        return out

    @cached_property
    def _by_alias(self) -> dict[str, ActorRecord]:
        out: dict[str, ActorRecord] = {}
        for actor in self.actors:
            for text in (actor.name, *actor.aliases):
                out.setdefault(text, actor)
        return out

    def _mention_ends(self, kinds: frozenset[ActorKind]) -> tuple[list[int], list[int]]:
        """Mention ends of actors of these kinds, sorted, each with its actor's position in the list."""
        if kinds not in self._ends:
            pairs = sorted((m.end, n) for n, a in enumerate(self.actors) if a.kind in kinds for m in a.mentions)
            self._ends[kinds] = ([e for e, _ in pairs], [n for _, n in pairs])
        return self._ends[kinds]


def _mention(span: Span) -> Mention:
    text = span.text
    if text.endswith(("\u2019s", "'s")):
        text = text[:-2]
    return Mention(span.start, span.end, text, span.start_char, span.start_char + len(text))


def _is_person_by_apposition(span: Span) -> bool:
    """'Hong Sung-pyo, a researcher at ...' names a person whatever label the tagger gave it."""
    root = span.root
    if any(c.dep_ == "appos" and c.lemma_.lower() in PERSON_NOUNS for c in root.children):
        return True
    return root.dep_ == "appos" and root.head.lemma_.lower() in PERSON_NOUNS and root.head.ent_type_ == ""


_MEDIA_NOT_AGENCY = MEDIA_WORDS - {"agency"}


def _media(name: str) -> bool:
    words = name.lower().replace(".", "").split()
    if " ".join(words) in KNOWN_MEDIA or (words and words[0] in KNOWN_MEDIA and len(words) <= 2):
        return True
    # "agency" alone is as often a government body; a news agency says so.
    return bool(set(words) & _MEDIA_NOT_AGENCY) or {"news", "agency"} <= set(words)


def _strip_titles(span: Span) -> Span:
    start = span.start
    while start < span.end - 1 and span.doc[start].lower_.rstrip(".") in HONORIFICS:
        start += 1
    return span.doc[start : span.end]


def _acts(token: Token) -> bool:
    while token.dep_ == "conj" and token.head.i != token.i:
        token = token.head
    return token.dep_ in _ACTING_DEPS


def _initials(words: list[str]) -> str:
    """Initials of the significant words; a word in capitals gives all its letters ('US Geological ...')."""
    out = []
    for w in words:
        if w.lower() in _ACRONYM_STOPWORDS or not w[:1].isalpha():
            continue
        out.append(w.replace(".", "") if w.isupper() and len(w) <= 4 else w[0])
    return "".join(out).upper()


def _acronym_after(doc: Doc, span: Span) -> Span | None:
    """'National Intelligence Service (NIS)': the acronym in parentheses right after a name."""
    i = span.end
    if i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")" and _ACRONYM.match(doc[i + 1].text):
        return doc[i + 1 : i + 2]
    return None


def _acronym_key(text: str) -> str:
    """An acronym as compared: 'U.N.' and 'UN' alike."""
    return text.replace(".", "").upper()


def _matches_acronym(name: str, acronym: str) -> str | None:
    """The tail of `name` whose initials spell the acronym ('South Korean National ...' -> 'National ...')."""
    words = name.split()
    target = _acronym_key(acronym)
    for k in range(len(words)):
        if _initials(words[k:]) == target:
            return " ".join(words[k:])
    # A translated name keeps the original's acronym in another word order:
    # "National Institute of Geophysics (ING)" from "Institut national de géophysique".
    for k in range(len(words)):
        if len(target) >= 3 and sorted(_initials(words[k:])) == sorted(target):
            return " ".join(words[k:])
    return None


@dataclass
class _Builder:
    doc: Doc
    actors: dict[str, ActorRecord] = field(default_factory=dict)
    by_token: dict[int, ActorRecord] = field(default_factory=dict)
    attached: set[tuple[str, int, int]] = field(default_factory=set)  # (actor key, start, end) of every mention

    @cached_property
    def text(self) -> str:
        # Doc.text joins every token on each call: read it once per document.
        return self.doc.text

    def record(self, key: str, name: str, kind: ActorKind) -> ActorRecord:
        actor = self.actors.get(key)
        if actor is None:
            actor = self.actors[key] = ActorRecord(key=key, name=name, kind=kind)
        return actor

    def attach(self, actor: ActorRecord, mention: Mention) -> None:
        span = (actor.key, mention.start, mention.end)
        if span in self.attached:
            return
        self.attached.add(span)
        actor.add(mention)
        for i in range(mention.start, mention.end):
            self.by_token.setdefault(i, actor)


def _classify(spans: list[Span]) -> dict[str, list[tuple[Span, object]]]:
    """Sort entity spans by what they may refer to."""
    geo = gazetteer()
    out: dict[str, list[tuple[Span, object]]] = {
        k: [] for k in ("person", "org", "country", "demonym", "capital", "direction", "place", "group")
    }
    for ent in spans:
        label = ent.label_
        if label == "PERSON" and len(ent) == 1 and (geo.country(ent.text) or geo.capital(ent.text)):
            label = "GPE"  # "Rabat" tagged as a person
        if label == "PERSON" or (label in ("GPE", "ORG", "LOC", "NORP") and _is_person_by_apposition(ent)):
            out["person"].append((ent, None))
        elif (country := geo.demonym(ent.text)) is not None:
            out["demonym"].append((ent, country))
        elif label != "ORG" and (country := geo.country(ent.text)) is not None:
            out["country"].append((ent, country))
        elif label in ("GPE", "LOC") and (country := geo.capital(ent.text)) is not None:
            out["capital"].append((ent, country))
        elif label in ("GPE", "LOC") and ent.text.lower() in DIRECTIONS:
            out["direction"].append((ent, None))
        elif label == "ORG":
            if (country := geo.country(ent.text)) is not None:
                out["country"].append((ent, country))
            else:
                out["org"].append((ent, None))
        elif label == "NORP":
            if ent.root.pos_ in ("NOUN", "PROPN") and ent.root.tag_ in ("NNPS", "NNS"):
                out["group"].append((ent, None))
        elif label in ("GPE", "LOC"):
            out["place"].append((ent, None))
    return out


def _people(b: _Builder, spans: list[Span]) -> None:
    """Full names first; a shorter name joins the full name it is part of (the nearest one if several)."""
    named = [(_strip_titles(s), s) for s in spans]
    full = [s for s, _ in named if len(s) >= 2]
    people = _People()
    for span in sorted(full, key=lambda s: (-len(s), s.start)):
        key = "person:" + span.text.lower()
        if key not in b.actors and not people.containing(span.text):
            people.add(b.record(key, span.text, ActorKind.person))
    for span, original in sorted(named, key=lambda p: p[0].start):
        candidates = people.named(span.text) or people.containing(span.text)
        if not candidates:
            actor = b.record("person:" + span.text.lower(), span.text, ActorKind.person)
            people.add(actor)
        else:
            actor = min(candidates, key=lambda a: people.distance(a, span.start))
        b.attach(actor, _mention(span))
        if actor.role is None:
            actor.role = role_of(original)


class _People:
    """The people found so far, indexed so that a name's lookups cost the same however long the text.

    `containing` gives what `_is_part_of` over every person would, in the order they were added;
    `distance` what `_distance` would, for mentions attached in text order (as `_people` does)."""

    def __init__(self) -> None:
        self.order: dict[int, int] = {}  # id(actor) -> when it was added
        self.by_name: dict[str, list[ActorRecord]] = {}
        self.by_part: dict[tuple[str, ...], list[ActorRecord]] = {}
        self.seen: dict[int, int] = {}  # id(actor) -> how many of its mentions `distance` has read
        self.last_end: dict[int, int] = {}  # id(actor) -> the latest mention end read that lies before
        self.pending: dict[int, list[Mention]] = {}  # mentions read that end after the last query

    def add(self, actor: ActorRecord) -> None:
        self.order[id(actor)] = len(self.order)
        self.by_name.setdefault(actor.name.lower(), []).append(actor)
        words = tuple(actor.name.lower().split())
        parts = {words[:k] for k in range(1, len(words))} | {words[-k:] for k in range(1, len(words))}
        for part in parts:
            self.by_part.setdefault(part, []).append(actor)

    def named(self, text: str) -> list[ActorRecord]:
        return list(self.by_name.get(text.lower(), ()))

    def containing(self, text: str) -> list[ActorRecord]:
        """The people whose name has `text` as its first or last words (and more words besides)."""
        return list(self.by_part.get(tuple(text.lower().split()), ()))

    def distance(self, actor: ActorRecord, i: int) -> int:
        key = id(actor)
        pending = self.pending.setdefault(key, [])
        pending.extend(actor.mentions[self.seen.get(key, 0) :])
        self.seen[key] = len(actor.mentions)
        # Queries come in text order: a mention that ends before i ends before every later i too.
        for m in [m for m in pending if m.end <= i]:
            self.last_end[key] = max(self.last_end.get(key, m.end), m.end)
            pending.remove(m)
        if key in self.last_end:
            return i - self.last_end[key]
        after = [m.start - i for m in pending if m.start >= i]
        # A mention earlier in the text is what a reader links a short name to.
        return 10_000 + min(after) if after else 20_000


def _organisations(b: _Builder, spans: list[Span]) -> None:
    doc = b.doc
    acronyms: dict[str, ActorRecord] = {}
    actor: ActorRecord | None
    for span in spans:
        acronym = _acronym_after(doc, span)
        if acronym is None:
            continue
        long_name = _matches_acronym(span.text, acronym.text)
        if long_name is None:
            continue
        actor = b.record("org:" + long_name.lower(), long_name, _org_kind(long_name))
        acronyms[_acronym_key(acronym.text)] = actor
    for span in spans:
        text = span.text
        compact = _acronym_key(text)
        actor = acronyms.get(compact) if _ACRONYM.match(text) else None
        if actor is None:
            tail = next(
                (a for a in acronyms.values() if text.lower().endswith(a.name.lower())), None
            )  # "the South Korean National Intelligence Service" is the "National Intelligence Service"
            actor = tail
        if actor is None:
            key = "org:" + text.lower()
            # Only an acronym looks among the actors: a long document has thousands of other names.
            by_initials = next(
                (a for a in b.actors.values() if a.kind is not ActorKind.person
                 and _initials(a.name.split()) == compact),
                None,
            ) if _ACRONYM.match(text) and len(compact) >= 2 else None
            actor = by_initials or b.record(key, text, _org_kind(text))
        b.attach(actor, _mention(span))
        acr = _acronym_after(doc, span)
        if acr is not None and (spelled := acronyms.get(_acronym_key(acr.text))) is not None:
            b.attach(spelled, _mention(acr))
        if actor.role is None:
            actor.role = apposition_role(span)


def _org_kind(name: str) -> ActorKind:
    if _media(name):
        return ActorKind.media
    if set(name.lower().split()) & GROUP_WORDS:
        return ActorKind.group
    return ActorKind.organisation


def _countries(b: _Builder, classes: dict[str, list[tuple[Span, object]]]) -> dict[str, ActorRecord]:
    """Countries named in the text; their demonyms and capitals join them."""
    named: dict[str, ActorRecord] = {}
    for span, country in classes["country"]:
        assert isinstance(country, Country)
        actor = b.record("country:" + country.name, country.name, ActorKind.country)
        named[country.name] = actor
        b.attach(actor, _mention(span))
    for span, country in classes["capital"]:
        assert isinstance(country, Country)
        if country.name in named:
            b.attach(named[country.name], _mention(span))
        elif _acts(span.root):
            b.attach(b.record("place:" + span.text.lower(), span.text, ActorKind.country), _mention(span))
    return named


def _directions(b: _Builder, spans: Iterable[Span], named: dict[str, ActorRecord]) -> None:
    """'the North' is the one named country whose name starts with North, if there is exactly one."""
    for span in spans:
        word = span.text.lower()
        hits = [a for name, a in named.items() if name.lower().split()[0] == word]
        if len(hits) == 1:
            b.attach(hits[0], _mention(span))


def _institutions(b: _Builder, demonyms: list[tuple[Span, object]], named: dict[str, ActorRecord]) -> set[int]:
    """'<demonym> presidency / intelligence / media': an actor of its own, or the named body it is."""
    used: set[int] = set()
    for span, country in demonyms:
        assert isinstance(country, Country)
        noun = _institution_head(span)
        if noun is None or noun.i in b.by_token:
            continue
        phrase = b.doc[span.start : noun.i + 1]
        word = noun.lower_
        actor = None
        if word in STATE_NOUNS and country.name in named:
            actor = named[country.name]
        if actor is None:
            actor = _named_body(b, word, span.text)
        if actor is None:
            kind = ActorKind.media if word in MEDIA_NOUNS else ActorKind.organisation
            actor = b.record("institution:" + phrase.text.lower(), phrase.text, kind)
        b.attach(actor, _mention(phrase))
        used.add(span.start)
    return used


def _institution_head(span: Span) -> Token | None:
    """The institution noun a demonym modifies, if the words between are only modifiers."""
    head = span.root.head
    while head.dep_ == "compound" and head.head.i > head.i:
        head = head.head
    if head.i < span.end or head.lower_ not in INSTITUTION_NOUNS or head.i - span.end > 3:
        return None
    return head


def _body_named_with(actor: ActorRecord, word: str) -> bool:
    """An organisation or outlet with the (lower-case) word in its name or an alias."""
    return actor.kind in (ActorKind.organisation, ActorKind.media) and any(
        word in n.lower().split() for n in (actor.name, *actor.aliases)
    )


def _named_body(b: _Builder, word: str, demonym: str) -> ActorRecord | None:
    """The organisation named with this word whose mentions carry the same demonym."""
    hits = []
    text = b.text
    for actor in b.actors.values():
        if not _body_named_with(actor, word):
            continue
        contexts = [text[max(0, m.char_start - 20) : m.char_end] for m in actor.mentions]
        if any(demonym.lower() in c.lower() for c in contexts):
            hits.append(actor)
    return hits[0] if len(hits) == 1 else None


def _demonyms(b: _Builder, demonyms: list[tuple[Span, object]], named: dict[str, ActorRecord], used: set[int]) -> None:
    for span, country in demonyms:
        assert isinstance(country, Country)
        if span.start in used or span.start in b.by_token:
            continue
        if country.name in named:
            b.attach(named[country.name], _mention(span))


def _places_and_groups(b: _Builder, classes: dict[str, list[tuple[Span, object]]]) -> None:
    for span, _ in classes["place"]:
        if _acts(span.root):
            b.attach(b.record("place:" + span.text.lower(), span.text, ActorKind.other), _mention(span))
    for span, _ in classes["group"]:
        key = "group:" + span.text.lower().rstrip("s")
        b.attach(b.record(key, span.text, ActorKind.group), _mention(span))


def find_actors(doc: Doc) -> ActorIndex:
    """Every actor in a parsed document, in order of first mention, with each mention's tokens."""
    b = _Builder(doc)
    classes = _classify(entity_spans(doc))
    _people(b, [s for s, _ in classes["person"]])
    _organisations(b, [s for s, _ in classes["org"]])
    named = _countries(b, classes)
    _directions(b, [s for s, _ in classes["direction"]] + list(bare_directions(doc)), named)
    used = _institutions(b, classes["demonym"], named)
    _demonyms(b, classes["demonym"], named, used)
    _places_and_groups(b, classes)
    actors = sorted((a for a in b.actors.values() if a.mentions), key=lambda a: a.first)
    for actor in actors:
        actor.mentions.sort(key=lambda m: m.start)
        if actor.kind is ActorKind.organisation and any(_told_to(doc, m) for m in actor.mentions):
            actor.kind = ActorKind.media  # "told BFMTV", "in an interview with Le Monde"
    return ActorIndex(actors, b.by_token)


def _told_to(doc: Doc, mention: Mention) -> bool:
    root = doc[mention.start : mention.end].root
    if root.dep_ == "dobj" and root.head.lemma_ == "tell":
        return True
    return root.dep_ == "pobj" and root.head.lower_ == "with" and root.head.head.lemma_ == "interview"
