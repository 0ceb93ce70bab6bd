"""The languages the extractive engine reads, and what a language is to it: word lists, patterns and a model.

English keeps the tuned rules of `actors`, `attribution`, `figures` and `hedges` over its own model.
Every other language is a `Lexicon` read by the lexicon-driven rules (`lexical_*.py`) over a spaCy model
that writes Universal Dependencies labels and PER/ORG/LOC/MISC entities: adding one is adding a Lexicon
(and its model package), not new rules. A language with no Lexicon is refused, never read with
English rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.schema import ActorKind, Qualifier, UncertaintyKind

ENGLISH = "en"


@dataclass(frozen=True)
class Lexicon:
    """Everything about one language that the lexicon-driven rules need."""

    code: str
    name: str
    model: str  # the spaCy pipeline's package name, loaded on first use
    pip: str  # what to install when it is missing
    # Reporting: verb lemmas, and inflected forms the lemmatizer may miss ("estime" for estimer).
    say_lemmas: frozenset[str]
    say_forms: frozenset[str]
    # Prepositions that introduce a source: "selon X, ...", "d'après X".
    according_to: tuple[str, ...]
    # Nouns that can be a source after such a preposition besides people and institutions ('selon un
    # rapport', 'd'après le bilan'); 'selon les régions' ('depending on') has none and is no report.
    source_nouns: frozenset[str]
    # Pronouns that stand for the last person named ("il a déclaré", "a-t-elle ajouté").
    person_pronouns: frozenset[str]
    # Heads of a speaker phrase that is an unnamed source ("des sources", "un proche du dossier").
    anonymous_heads: frozenset[str]
    # Nouns naming a person by what they do; a speaker headed by one of them with no name is anonymous.
    person_nouns: frozenset[str]
    # Hedges: a word or phrase (lowercase, as written) and the kind of uncertainty it marks.
    hedge_phrases: dict[str, UncertaintyKind]
    # Verb lemmas that dispute what someone else said.
    dispute_lemmas: frozenset[str]
    # Auxiliaries in the conditional mood and the kind they mark ("aurait fait": unverified report).
    conditional_kinds: dict[str, UncertaintyKind]
    # Figures.
    qualifiers: dict[str, Qualifier]  # phrase written before a number
    range_words: tuple[tuple[str, str], ...]  # ("entre", "et"), ("de", "à")
    currency_words: dict[str, str]  # word or sign -> ISO code
    percent_words: tuple[str, ...]
    unit_words: dict[str, str]  # measurement words -> unit symbol
    scale_words: dict[str, float]
    number_words: dict[str, float]  # written numbers ('trois', 'vingt'), 'un' included for compounds only
    approximate_words: dict[str, float]  # 'une quarantaine de témoins': about 40
    months: frozenset[str]
    weekdays: frozenset[str]
    skip_before: frozenset[str]  # words before a number that make it a name or a reference ("n°", "article")
    joiners: frozenset[str]  # words between a number and its counted noun ("de", "d'")
    # Actors.
    entity_kinds: dict[str, ActorKind | None]  # NER label -> kind (None: not an actor by itself)
    countries: frozenset[str]  # lowercase names of countries and unions that act as states
    media_words: frozenset[str]
    known_media: frozenset[str]
    org_words: frozenset[str]
    organisations: frozenset[str]  # lowercase names of international organisations ('onu', 'otan')
    institutions: frozenset[str]  # places that stand for an institution ('élysée', 'maison blanche')
    honorifics: frozenset[str]  # stripped from the start of a person's name ('Me', 'M.', 'Mme')
    object_content: frozenset[str]  # reporting verbs (lemmas and forms) whose object is what was said
    time_words: frozenset[str]  # words between a verb and its inverted subject ('a déclaré mardi X')
    determiners: frozenset[str]  # stripped from the start of a name
    name_particles: frozenset[str]
    extra: dict[str, frozenset[str]] = field(default_factory=dict)
