"""Actors from named entities, read through a Lexicon: kinds from the model's labels and the word lists,
mentions of one actor merged (a surname with the full name, an acronym with the name it abbreviates)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from summarizer.engines.extractive.languages import Lexicon
from summarizer.schema import ActorKind

_ACRONYM = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý0-9&\-]{1,9}$")
_EDGE = " \t\n,;:.!?()[]«»\"“”'’-–—"


def surface(doc: Doc, start: int, end: int) -> str:
    """The text between two character offsets as the document wrote it, spaces collapsed. The parse may be
    of a copy with typographic apostrophes made straight (the model splits "l'" but not "l’"); the copy
    has the same length, so its offsets are the original's."""
    return " ".join(doc_text(doc)[start:end].split())


def doc_text(doc: Doc) -> str:
    """The document's text as written, computed once: spaCy's Doc.text joins every token on each call,
    which made a rule asking for it per mention cost the square of the document's length."""
    if "surface" not in doc.user_data:
        doc.user_data["surface"] = doc.text
    text: str = doc.user_data["surface"]
    return text


@dataclass
class FoundActor:
    name: str
    kind: ActorKind
    aliases: list[str] = field(default_factory=list)
    mentions: list[tuple[int, int]] = field(default_factory=list)  # character ranges in doc.text
    role: str | None = None
    must_act: bool = False  # a country or a place: an actor only where a mention acts


@dataclass
class ActorTable:
    """The actors of one document, and which actor a stretch of text names."""

    actors: list[FoundActor]
    # (start, end, actor) of every mention, by start.
    spans: list[tuple[int, int, FoundActor]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.spans = sorted((s, e, a) for a in self.actors for s, e in a.mentions)
        self._starts = [s for s, _, _ in self.spans]

    def add_span(self, start: int, end: int, actor: FoundActor) -> None:
        """A mention added to the index in place: rebuilding it for every adopted speaker cost the square
        of a long document's length."""
        k = bisect_right(self.spans, (start, end), key=lambda span: (span[0], span[1]))
        self.spans.insert(k, (start, end, actor))
        self._starts.insert(k, start)

    def within(self, start: int, end: int, prefer: ActorKind | None = None) -> FoundActor | None:
        """The first actor named inside the character range ('le président du Sénat, Gérard Larcher':
        the first of the preferred kind, when one is there)."""
        k = bisect_right(self._starts, start - 1)
        inside = []
        for s, e, actor in self.spans[k:]:
            if s >= end:
                break
            if e <= end:
                inside.append(actor)
        preferred = [a for a in inside if a.kind is prefer]
        chosen = preferred or inside
        return chosen[0] if chosen else None

    def last_person_before(self, char: int, reach: int = 600) -> FoundActor | None:
        k = bisect_right(self._starts, char) - 1
        while k >= 0:
            s, _, actor = self.spans[k]
            if char - s > reach:
                return None
            if actor.kind is ActorKind.person:
                return actor
            k -= 1
        return None


def _extend(span: Span) -> Span:
    """A name the model cut short: 'Caroline' + 'Holt', 'Croix' + '-Rouge'."""
    doc = span.doc
    end = span.end
    while end + 1 < len(doc) and doc[end].text in ("-", "‑") and doc[end + 1].text[:1].isupper() and not doc[end].whitespace_:
        end += 2
    if span.label_ == "PER":
        while end < len(doc) and end - span.start < 5 and doc[end].is_alpha and doc[end].is_title and not doc[end].ent_type_ and doc[end - 1].whitespace_:
            end += 1
    return doc[span.start : end] if end != span.end else span


def _trim(span: Span, lex: Lexicon) -> Span | None:
    """The name without a leading article, honorific or title and without edge punctuation."""
    span = _extend(span)
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].lower_ in lex.determiners
        or doc[start].text in _EDGE
        or doc[start].is_space
        or doc[start].lower_ in lex.honorifics and end - start > 1
    ):
        start += 1
    while end > start and (doc[end - 1].text in _EDGE or doc[end - 1].is_space or doc[end - 1].lower_ in lex.determiners):
        end -= 1
    # An apostrophe glued to a name ("l'OMS" tokenised as one word): the article is cut off too.
    if start >= end:
        return None
    trimmed = doc[start:end]
    if not any(any(c.isalpha() for c in t.text) and t.lower_ not in lex.person_nouns and t.lower_ not in lex.determiners for t in trimmed):
        return None  # 'Premier ministre', 'Président': a title, not a name
    if sum(c.isalpha() for c in trimmed.text) < 2:
        return None
    first = trimmed[0].text
    if not (first[:1].isupper() or _ACRONYM.match(first) or first.lower() in _INSTITUTION_WORDS and span.label_ == "ORG"):
        return None  # "ministre de l'Intérieur": a title the model took for a name
    return trimmed


def _name(span: Span) -> str:
    text = surface(span.doc, span.start_char, span.end_char)
    for prefix in ("l'", "l’", "d'", "d’", "L'", "L’", "D'", "D’"):
        if text.startswith(prefix) and len(text) > 2 and text[2].isupper():
            text = text[2:]
    return text


def _kind(label: str, name: str, lex: Lexicon) -> ActorKind | None:
    low = name.lower().replace("’", "'")
    if low in lex.known_media:
        return ActorKind.media
    if low in lex.organisations or low in lex.institutions:
        return ActorKind.organisation
    if low in lex.countries:
        return ActorKind.country
    words = low.split()
    if label == "ORG" and words and words[0] in lex.media_words:
        return ActorKind.media
    kind = lex.entity_kinds.get(label)
    if kind is None and label == "MISC" and words and words[0] in lex.org_words:
        return ActorKind.organisation
    if kind is ActorKind.person and words and words[0] in lex.org_words:
        return ActorKind.organisation
    return kind


def _initials(name: str, lex: Lexicon) -> str:
    words = [w for w in re.split(r"[\s\-'’]+", name) if w and w.lower() not in lex.name_particles]
    return "".join(w[0] for w in words).upper()


def find_actors(doc: Doc, lex: Lexicon) -> ActorTable:
    by_key: dict[str, FoundActor] = {}
    order: list[FoundActor] = []

    def add(name: str, kind: ActorKind, start: int, end: int) -> FoundActor:
        key = name.lower()
        actor = by_key.get(key)
        if actor is None:
            actor = FoundActor(name=name, kind=kind)
            by_key[key] = actor
            order.append(actor)
        actor.mentions.append((start, end))
        return actor

    pending_acronyms: list[tuple[str, int, int]] = []
    for ent in doc.ents:
        span = _trim(ent, lex)
        if span is None:
            continue
        name = _name(span)
        if len(name) < 2 or not any(c.isalpha() for c in name):
            continue
        if _ACRONYM.match(name) and name.lower() not in lex.countries and name.lower() not in lex.organisations:
            pending_acronyms.append((name, span.start_char, span.end_char))
            continue
        kind = _kind(ent.label_, name, lex)
        must_act = kind is ActorKind.country
        if kind is None and ent.label_ == "LOC":
            # A place is an actor only where it acts ('Santé publique France a annoncé', 'a précisé Bercy').
            kind, must_act = ActorKind.organisation, True
        if kind is None:
            continue
        actor = add(name, kind, span.start_char, span.end_char)
        if len(actor.mentions) == 1 or not must_act:
            actor.must_act = must_act
        # "Organisation mondiale de la santé (OMS)": the acronym in brackets is the same actor.
        after = doc[span.end : span.end + 3]
        if len(after) == 3 and after[0].text == "(" and after[2].text == ")" and _ACRONYM.match(after[1].text):
            if after[1].text not in actor.aliases:
                actor.aliases.append(after[1].text)
            by_key.setdefault(after[1].text.lower(), actor)

    for name, start, end in pending_acronyms:
        found = by_key.get(name.lower())
        if found is None:
            matches = [a for a in order if a.kind is not ActorKind.person and _initials(a.name, lex) == name.upper()]
            found = matches[0] if len(matches) == 1 else None
            if found is not None:
                found.aliases.append(name)
                by_key[name.lower()] = found
        if found is None:
            add(name, ActorKind.media if name.lower() in lex.known_media else ActorKind.organisation, start, end)
        else:
            found.mentions.append((start, end))

    for name, start, end in _institutions(doc, lex):
        inside = [a for a in order if any(start <= s and e <= end for s, e in a.mentions)]
        if len(inside) == 1 and inside[0].name.lower() in _INSTITUTION_WORDS and by_key.get(name.lower()) is None:
            # 'Cour' labelled alone in 'la Cour des comptes': the institution's whole name.
            inside[0].name = name
            inside[0].mentions = [(start, end) if start <= s and e <= end else (s, e) for s, e in inside[0].mentions]
            by_key[name.lower()] = inside[0]
        elif not any(s < end and start < e for a in order for s, e in a.mentions):
            add(name, ActorKind.organisation, start, end)
    _merge_surnames(order)
    for actor in order:
        if actor.must_act and not any(_acts(doc, s, e, lex) for s, e in actor.mentions):
            actor.mentions = []  # 'dans toute la France': a place here, not an actor
    actors = [a for a in order if a.mentions]
    for a in actors:
        a.mentions.sort()
    return ActorTable(actors)


def _merge_surnames(order: list[FoundActor]) -> None:
    """'Macron' with 'Emmanuel Macron' when one full name ends so; the full name is the actor's name."""
    people = [a for a in order if a.kind is ActorKind.person]
    full = [a for a in people if len(a.name.split()) >= 2]
    for short in [a for a in people if len(a.name.split()) == 1]:
        word = short.name.lower()
        owners = [f for f in full if f.name.lower().split()[-1] == word or f.name.lower().split()[1:] == [word]]
        if len(owners) == 1:
            owner = owners[0]
            owner.mentions.extend(short.mentions)
            if short.name not in owner.aliases:
                owner.aliases.append(short.name)
            short.mentions = []


# Heads whose country complement makes the country an actor: 'le gouvernement de la France'.
_STATE_HEADS = frozenset(
    """gouvernement président présidente ministre ministère armée ambassade diplomatie autorités régime
    chef dirigeants représentant représentante porte-parole parlement premier""".split()
)
_ACTING_DEPS = frozenset({"nsubj", "nsubj:pass", "appos", "obl:agent", "conj"})


def _acts(doc: Doc, start: int, end: int, lex: Lexicon) -> bool:
    """A country acts when it is a subject, an agent or the complement of a state's institution."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    root = span.root
    if root.dep_ in _ACTING_DEPS:
        return True
    # 'a précisé Bercy': the subject after a reporting verb, often parsed as its object.
    if root.dep_ in ("obj", "nmod", "obl:mod") and root.head.pos_ == "VERB" and (
        root.head.lower_ in lex.say_forms or root.head.lemma_ in lex.say_lemmas
    ) and root.i > root.head.i:
        return True
    head = root.head
    if root.dep_ in ("nmod", "obl:arg", "obl:mod") and head.lower_ in _STATE_HEADS:
        return True
    # 'selon la Russie', 'pour la France, ...': a source.
    return any(t.lower_ in ("selon", "pour", "après") for t in doc[max(0, span.start - 3) : span.start])


_INSTITUTION_WORDS = frozenset(
    """sénat assemblée parlement conseil cour commission gouvernement ministère préfecture parquet tribunal
    élysée matignon banque fédération ligue parti union agence office""".split()
)


def _institutions(doc: Doc, lex: Lexicon) -> list[tuple[str, int, int]]:
    """Institutions the model did not label: a capitalised institution word with its complement
    ('Sénat', 'Assemblée nationale', 'Cour de cassation') or a lowercase one with a capitalised one
    ('ministère de l'Intérieur', 'parquet de Paris')."""
    out = []
    i = 0
    while i < len(doc):
        tok = doc[i]
        single = tok.ent_iob_ == "B" and (i + 1 >= len(doc) or doc[i + 1].ent_iob_ != "I")
        if tok.lower_ not in _INSTITUTION_WORDS or tok.ent_type_ in ("ORG", "PER") and not single:
            i += 1
            continue
        end = i + 1
        # A capitalised institution word inside a sentence ('le Sénat'); at a sentence start it may be any noun.
        capital = tok.text[:1].isupper() and tok.i > 0 and not doc[tok.i - 1].is_punct and not doc[tok.i - 1].is_space
        # a lowercase adjective right after a capitalised head: 'Assemblée nationale'
        if capital and end < len(doc) and doc[end].pos_ == "ADJ" and doc[end].is_lower:
            end += 1
        # 'de l'Intérieur', 'de cassation', 'du Travail'
        k = end
        if k < len(doc) and doc[k].lower_ in ("de", "du", "des", "d'", "d’"):
            k += 1
            if k < len(doc) and doc[k].lower_ in ("l'", "l’", "la", "le"):
                k += 1
            if k < len(doc) and doc[k].is_alpha and (doc[k].text[:1].isupper() or capital and doc[k].pos_ == "NOUN"):
                upper = doc[k].text[:1].isupper()
                k += 1
                if upper:
                    while k < len(doc) and doc[k].text[:1].isupper() and doc[k].is_alpha:
                        k += 1
                end = k
                capital = capital or upper
        if capital and end > i:
            span = doc[i:end]
            out.append((surface(doc, span.start_char, span.end_char), span.start_char, span.end_char))
            i = end
        else:
            i += 1
    return out


def adopt(table: ActorTable, name: str, kind: ActorKind, start: int, end: int) -> FoundActor:
    """An actor the rules found outside the entities (a speaker the model did not label)."""
    low = name.lower()
    for actor in table.actors:
        # 'la préfecture' after 'la préfecture de police': the institution named by its head noun again.
        shortened = kind is ActorKind.organisation and actor.kind is kind and actor.name.lower().startswith(low + " ")
        if actor.name.lower() == low or low in (a.lower() for a in actor.aliases) or shortened:
            actor.mentions.append((start, end))
            if shortened and name not in actor.aliases:
                actor.aliases.append(name)
            break
    else:
        actor = FoundActor(name=name, kind=kind, mentions=[(start, end)])
        table.actors.append(actor)
    table.add_span(start, end, actor)
    return actor
