"""Support checks: every kept item must be supported by its evidence, not merely have a quote that
exists somewhere in the source. Runs after grounding, for every engine; deterministic, no model.

- a figure's evidence must state a number equal to its value (both ends of a range), and its text must
  contain that number;
- a claim's content words (names, numbers, nouns and verbs, lightly stemmed) must mostly occur in its
  evidence or the sentence around it;
- an actor's name or an alias must occur in its evidence; if not, the evidence moves to a mention of the
  name elsewhere in the source, and without one the actor is dropped;
- an uncertainty's evidence must carry its cue: a hedge, a denial, a verification or missing-detail word,
  or (for conflicting figures) a number in each quote;
- each sentence of the summary must share its names and numbers with the source, else the lead is used.

A translated brief (`--brief-language` other than the source's: English statements, French evidence)
cannot be checked word by word. There a claim's numbers must be stated in its evidence's sentences (each
number written with digits, read as the brief's language writes numbers and compared with every reading
of the evidence's: "1,500" in English is "1 500" in French; numbers in words are not compared), and
each name it writes (a run of capitalised words) must share a word with the names written there or with
an actor's names when the actor is named there under any of them (the brief's "North Korea" with the
alias "Corée du Nord" the article writes); the summary's names likewise against the whole source. One
shared word per name, because a translated name keeps only some of its words ("Russian Far East" for
"Extrême-Orient russe"). This is weaker than the untranslated check: it catches invented names and
numbers, not a mistranslated verb. The evidence itself is the source's own words, as in every brief.

An unsupported item is dropped and listed in `Brief.dropped` with a reason code (`DropCode`); with
`keep_unsupported` it stays, flagged with that code in its `unsupported` field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TypeVar

from summarizer.grounding import lead_summary
from summarizer.numbers import NUMBER, parse_localized, readings
from summarizer.quantities import digit_values, other_values, same_value, values_in
from summarizer.schema import (
    UNATTRIBUTED,
    Actor,
    ActorKind,
    Claim,
    Draft,
    DropCode,
    DroppedItem,
    Evidence,
    Figure,
    Uncertainty,
    UncertaintyKind,
)
from summarizer.text import CleanText, fold_words

# Share of a claim's content words that its evidence (or the evidence's sentence) must contain. A
# paraphrase keeps most names, numbers and nouns; evidence about another event shares almost none.
CLAIM_MIN_SUPPORT = 0.5
_STEM = 5
_NAME_STEM = 6
# Letters only: "al-Amr", "Russia's" and "U.N." are compared word by word.
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"[.!?…][\"”’')\]]*\s+|\n\s*\n|\n")
_SENTENCE_REACH = 600
# Words that carry no content of their own: function words, reporting verbs and pronouns. A claim's
# support is judged on what remains.
_FUNCTION_WORDS = frozenset(
    """a an the and or but nor so yet of to in on at by for with from into onto over under about after before
    since during until than as that this these those there here it its it's they them their theirs he him his she
    her hers we us our ours you your yours i me my mine who whom whose which what when where why how be is are
    was were been being am has have had having do does did done not no also just only very more most much many
    some any all each every both either neither such own other another same than then thus too again further
    can could may might must shall should will would said says say saying told tells tell according added adds
    stated states announced noted claimed claims reported reports reportedly believes believed thinks thought
    one ones if whether while because although though however therefore per via upon within without against
    between among through across around near""".split()
)
# Cue stems for an uncertainty: hedges, modals, verification, dispute and missing-detail words. They are
# general English (the extractive engine's hedge rules find a subset of them).
_CUE_STEMS = (
    "alleg", "apparen", "appear", "believ", "claim", "confirm", "contest", "contradict", "could", "declin",
    "deni", "deny", "disput", "doubt", "estimat", "expect", "guess", "likel", "may", "might", "perhap",
    "plan", "possib", "potential", "presum", "probabl", "purport", "question", "refus", "refut", "reject",
    "report", "rumo", "seem", "specul", "suggest", "suppos", "suspect", "think", "uncertain", "unclear",
    "unconfirm", "undisclos", "unexplain", "unknown", "unlikel", "unnamed", "unproven", "unspecif",
    "unsubstant", "unverif", "verif", "whether", "would", "if", "not", "no", "yet", "anonym", "sources",
    "said to", "thought to", "understood",
)
# The same for French (the conditional of report and guess, hedges, verification, denial, missing detail):
# stems no English word starts with, so English evidence is judged as before.
_CUE_STEMS_FR: tuple[str, ...] = (
    "aurai", "serai", "pourrai", "devrai", "peut-être", "sembl", "présum", "vérifi", "dément", "démenti", "nié",
    "nient", "incertain", "inconnu", "pas été précisé", "pas été communiqué", "sans doute", "vraisemblabl",
    "pas exclu", "déterminer", "selon des sources", "contesté", "contestent", "réfut",
)
_CUE = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in sorted(_CUE_STEMS + _CUE_STEMS_FR, key=len, reverse=True)) + r")",
                  re.IGNORECASE)
# A capitalised word that starts a sentence is not necessarily a name.
_NAME = re.compile(r"(?<![\w])([A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)*)")

Item = TypeVar("Item", Actor, Claim, Figure, Uncertainty)
_FIELD_ORDER = ("figures", "claims", "actors", "uncertainties")


@dataclass
class Support:
    """The checked draft, what was dropped (or flagged) and why."""

    draft: Draft
    dropped: list[DroppedItem] = field(default_factory=list)
    unsupported_summary: list[str] = field(default_factory=list)


def check_support(
    draft: Draft, clean: CleanText, *, keep_unsupported: bool = False, translated_to: str | None = None
) -> Support:
    """Drop (or flag) every item its evidence does not support; see the module docstring for the rules.
    `translated_to`: the language of the brief's own words, when it is not the source's."""
    checker = _Checker(clean.source, keep_unsupported)
    actors = checker.keep_actors(draft.actors)
    names: _Aliases | None
    if translated_to:
        names = _Aliases([a for a in actors if a.unsupported is None], translated_to)
        claim_problem = lambda c: _translated_claim_problem(c, clean.source, names)  # noqa: E731
    else:
        names = None
        claim_problem = lambda c: _claim_problem(c, clean.source)  # noqa: E731
    updates = {
        "figures": checker.keep("figures", draft.figures, _figure_problem, lambda f: f.text),
        "claims": checker.keep("claims", draft.claims, claim_problem, lambda c: c.statement),
        "actors": actors,
        "uncertainties": checker.keep("uncertainties", draft.uncertainties, _uncertainty_problem, lambda u: u.statement),
    }
    # Drops in the order items are reported (figures, claims, actors, uncertainties), as before.
    checker.dropped.sort(key=lambda d: _FIELD_ORDER.index(d.field))
    result = Support(draft=draft.model_copy(update=updates), dropped=checker.dropped)
    unsupported = unsupported_sentences(draft.summary, clean.source, aliases=names)
    if unsupported:
        if keep_unsupported:
            result.unsupported_summary = unsupported
        else:
            quotes = [ev.quote for ev in draft.summary_evidence]
            result.dropped.append(DroppedItem(field="summary", text=draft.summary, quotes=quotes,
                                              reason=f"names or numbers not in the source: {unsupported[0]}",
                                              code=DropCode.summary_not_supported))
            summary, evidence = lead_summary(clean)
            result.draft = result.draft.model_copy(update={"summary": summary, "summary_evidence": evidence})
    return result


class _Checker:
    def __init__(self, source: str, keep_unsupported: bool) -> None:
        self.source = source
        self.keep_unsupported = keep_unsupported
        self.dropped: list[DroppedItem] = []

    def _drop(self, field_name: str, text: str, evidence: list[Evidence], problem: tuple[DropCode, str]) -> None:
        code, reason = problem
        self.dropped.append(DroppedItem(field=field_name, text=text, quotes=[ev.quote for ev in evidence],
                                        reason=reason, code=code))

    def keep(self, field_name: str, items: list[Item], problem_of: object, text_of: object) -> list[Item]:
        kept: list[Item] = []
        for item in items:
            problem = problem_of(item)  # type: ignore[operator]
            if problem is None:
                kept.append(item)
                continue
            self._drop(field_name, text_of(item), item.evidence, problem)  # type: ignore[operator]
            if self.keep_unsupported:
                kept.append(item.model_copy(update={"unsupported": problem[0]}))
        return kept

    def keep_actors(self, actors: list[Actor]) -> list[Actor]:
        kept: list[Actor] = []
        for actor in actors:
            names = [n for n in (actor.name, *actor.aliases) if n.strip()]
            naming = [ev for ev in actor.evidence if _names(actor, names, ev.quote)]
            if naming:
                kept.append(actor if len(naming) == len(actor.evidence) else actor.model_copy(update={"evidence": naming}))
                continue
            mention = _mention(names, self.source)
            if mention is not None:
                # The actor is real, its quote is not about it: cite where the text names it instead.
                kept.append(actor.model_copy(update={"evidence": [mention]}))
                continue
            problem = (DropCode.actor_not_named, "its evidence does not name it, and the source never does")
            self._drop("actors", actor.name, actor.evidence, problem)
            if self.keep_unsupported:
                kept.append(actor.model_copy(update={"unsupported": problem[0]}))
        return kept


# --- figures ----------------------------------------------------------------------------------------


def _figure_problem(fig: Figure) -> tuple[DropCode, str] | None:
    in_text = values_in(fig.text)
    stated = set().union(*(values_in(ev.quote) for ev in fig.evidence)) if fig.evidence else set()
    if fig.value is None:
        # A number the engine did not normalise: its text's numbers must still be the evidence's.
        if not in_text:
            return DropCode.figure_without_number, "its text states no number"
        if not all(any(same_value(v, s) for s in stated) for v in in_text):
            return DropCode.figure_not_in_evidence, "its evidence does not state its number"
        return None
    ends = [v for v in (fig.value, fig.value_max) if v is not None]
    if not all(any(same_value(v, s) for s in stated) for v in ends):
        return DropCode.figure_not_in_evidence, "its evidence does not state its number"
    if not any(same_value(fig.value, s) for s in in_text):
        return DropCode.figure_without_number, "its text does not contain its number"
    return None


# --- claims ----------------------------------------------------------------------------------------


def _stems(text: str) -> set[str]:
    # Each distinct word folded once: a claim's context repeats many of its words.
    return {w[:_STEM] for w in fold_words(list(set(_WORD.findall(text)))) if len(w) > 1 and w not in _FUNCTION_WORDS}


def sentence_around(source: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence (or sentences) that contain source[start:end]."""
    lo = max(0, start - _SENTENCE_REACH)
    before = [m.end() for m in _SENTENCE_END.finditer(source, lo, start)]
    s = before[-1] if before else lo
    after = _SENTENCE_END.search(source, end, min(len(source), end + _SENTENCE_REACH))
    e = after.start() + 1 if after else min(len(source), end + _SENTENCE_REACH)
    return s, max(e, end)


def _context(evidence: list[Evidence], source: str) -> str:
    parts = []
    for ev in evidence:
        if ev.start is not None and ev.end is not None:
            s, e = sentence_around(source, ev.start, ev.end)
            parts.append(source[s:e])
        else:
            parts.append(ev.quote)
    return "\n".join(parts)


def claim_support(claim: Claim, source: str) -> float:
    """The share of the statement's content words (the speaker's name aside) found around its evidence."""
    context = _context(claim.evidence, source)
    speaker = _stems(claim.speaker) if claim.speaker != UNATTRIBUTED else set()
    words = _stems(claim.statement) - speaker
    numbers = values_in(claim.statement)
    if numbers:
        stated = values_in(context)
        if not all(any(same_value(n, s) for s in stated) for n in numbers):
            return 0.0
    if not words:
        return 1.0
    return len(words & _stems(context)) / len(words)


class _Aliases:
    """The words of every kept actor's names, and which of them a text names: the bridge between a
    translated brief's names and the source's ("North Korea" is named where "Corée du Nord" is written,
    when one actor carries both)."""

    def __init__(self, actors: list[Actor], language: str) -> None:
        self.actors = [(a, [n for n in (a.name, *a.aliases) if n.strip()]) for a in actors]
        self.language = language  # the brief's, in which its statements write numbers

    def named_in(self, text: str) -> set[str]:
        """Name words (stemmed as `_name_stems`) of the actors that `text` names under one of their names."""
        out: set[str] = set()
        for actor, names in self.actors:
            if _names(actor, names, text):
                out |= {w for n in names for w in _name_stems(n)}
        return out


def _name_stems(text: str) -> set[str]:
    """`_name_words` of the text, cut to _NAME_STEM letters, as a set: each distinct word is folded once
    (a source repeats most of its words)."""
    folded = fold_words(list(set(_WORD.findall(text))))
    return {w[:_NAME_STEM] for w in folded if len(w) > 1 and w not in _FUNCTION_WORDS}


def _name_runs(sentence: str) -> list[re.Match[str]]:
    """A sentence's capitalised runs, except a lone capital that opens it ("Officials said...")."""
    return [m for m in _NAME.finditer(sentence) if m.start() > 0 or " " in m.group()]


def _translated_claim_problem(claim: Claim, source: str, aliases: _Aliases) -> tuple[DropCode, str] | None:
    """A translated claim: its numbers in its evidence's sentences, its names there or an actor's alias is."""
    context = _context(claim.evidence, source)
    if _unstated_numbers(claim.statement, values_in(context), aliases.language):
        return DropCode.claim_not_supported, "its evidence does not state its numbers"
    missing = _unknown_names(claim.statement, _name_stems(context) | aliases.named_in(context))
    if missing:
        return DropCode.claim_not_supported, f"its evidence does not name {missing[0]!r}"
    return None


def _unknown_names(sentence: str, known: set[str]) -> list[str]:
    """The sentence's names (capitalised runs) none of whose words is known (stemmed as `_name_stems`)."""
    return [
        m.group()
        for m in _name_runs(sentence)
        if (words := _name_words(m.group())) and not any(w[:_NAME_STEM] in known for w in words)
    ]


def _claim_problem(claim: Claim, source: str) -> tuple[DropCode, str] | None:
    if claim_support(claim, source) >= CLAIM_MIN_SUPPORT:
        return None
    return DropCode.claim_not_supported, "evidence does not support the statement"


# --- actors ----------------------------------------------------------------------------------------


def _name_words(name: str) -> list[str]:
    """The words of a name that identify it: not function words or initials ('the', 'of', 'J.')."""
    return [w for w in fold_words(_WORD.findall(name)) if len(w) > 1 and w not in _FUNCTION_WORDS]


def _names(actor: Actor, names: list[str], quote: str) -> bool:
    """The quote names the actor: its name or an alias, word for word ('NIS'), or a person's surname
    ('Zelensky' for 'Volodymyr Zelensky'). A word shared by other names does not count: 'Korea' in a quote
    about North Korea does not name South Korea."""
    # Every word counts here, short ones too: "US", "U.S." and "UN" are names.
    words = fold_words(_WORD.findall(quote))
    text = f" {' '.join(words)} "
    spelled = [" ".join(fold_words(_WORD.findall(n))) for n in names]
    if any(f" {name} " in text for name in spelled if name):
        return True
    surname = _name_words(actor.name)[-1:] if actor.kind is ActorKind.person else []
    return bool(surname) and surname[0] in words


def _mention(names: list[str], source: str) -> Evidence | None:
    """The first place the source names the actor: its longest name, its words apart by spaces or
    punctuation ("Kim Jong Un" finds "Kim Jong-un", "UN" does not find "U.N." but "U N" would)."""
    for name in sorted(names, key=len, reverse=True):
        words = [m.group() for m in _WORD.finditer(name)]
        if not words:
            continue
        pattern = re.compile(r"(?<!\w)" + r"[\W_]{1,3}".join(re.escape(w) for w in words) + r"(?!\w)", re.IGNORECASE)
        match = pattern.search(source)
        if match:
            return Evidence.exact(source, match.start(), match.end())
    return None


# --- uncertainties ---------------------------------------------------------------------------------


def _uncertainty_problem(item: Uncertainty) -> tuple[DropCode, str] | None:
    quotes = [ev.quote for ev in item.evidence]
    if item.kind is UncertaintyKind.conflicting:
        if quotes and all(values_in(q) for q in quotes):
            return None
        return DropCode.uncertainty_without_cue, "conflicting figures, but a quote states no number"
    if any(_CUE.search(q) for q in quotes):
        return None
    return DropCode.uncertainty_without_cue, "its evidence carries no hedge, denial or verification word"


# --- summary ---------------------------------------------------------------------------------------


def unsupported_sentences(summary: str, source: str, *, aliases: _Aliases | None = None) -> list[str]:
    """The summary's sentences that state a number or a name the source does not contain (in a translated
    brief, `aliases`: or an actor's name whose alias it contains)."""
    if not summary.strip():
        return []
    # Compared on their first letters, so that "Hacker" finds "Hackers" and "Russia's" finds "Russia".
    if aliases is not None:
        source_words = _name_stems(source)
        all_values = values_in(source)
        source_words |= aliases.named_in(source)
        return [
            s for s in _sentences(summary)
            if _unstated_numbers(s, all_values, aliases.language) or _unknown_names(s, source_words)
        ]
    out = []
    source_stems = _SourceStems(source)
    source_values = _SourceValues(source)
    for sentence in _sentences(summary):
        stated = values_in(sentence)
        missing_number = any(not source_values.states(v) for v in stated)
        names = [w for m in _name_runs(sentence) for w in _name_words(m.group())]
        missing_name = any(w[:_NAME_STEM] not in source_stems for w in names)
        if missing_number or missing_name:
            out.append(sentence)
    return out


class _SourceStems:
    """Whether `_name_stems(source)` holds a stem, finding the stem's words in the source instead of
    folding all of its words (a summary asks about a dozen; a source has hundreds). Found with `str.find`
    in the source lower-cased when its letters (`_WORD`'s) are all ASCII: folded, a word is then its
    lower case, and the lower-cased text keeps every offset and every letter and non-letter as such
    (tests/test_support.py checks every code point). Other sources: all its stems, as `_name_stems`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lower = None if _NOT_ASCII_LETTER.search(source) else source.lower()
        self.stems: set[str] | None = None

    def __contains__(self, stem: str) -> bool:
        if self.lower is None:
            if self.stems is None:
                self.stems = _name_stems(self.source)
            return stem in self.stems
        if not _ASCII_LETTERS.issuperset(stem):  # every stem of such a source is of ASCII letters
            return False
        text, at = self.lower, self.lower.find(stem)
        while stem and at >= 0:
            if at == 0 or text[at - 1] not in _ASCII_LETTERS:  # a word starts here
                end = at + len(stem)
                while end < len(text) and text[end] in _ASCII_LETTERS:
                    end += 1
                word = text[at:end]
                if word[:_NAME_STEM] == stem and len(word) > 1 and word not in _FUNCTION_WORDS:
                    return True
            at = text.find(stem, at + 1)
        return False


# A letter as `_WORD` reads one that is not an ASCII letter, and the ASCII letters lower-cased.
_NOT_ASCII_LETTER = re.compile(r"[^\W\d_a-zA-Z]")
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


class _SourceValues:
    """Whether the source states a value, reading it as little as that needs: reading all its values
    (`values_in`) is most of the cost of the summary check on a long source, so its digit runs are read
    first, then its numbers as other languages write them, each a subset of all its values and a
    fraction of their cost, and the rest of them only for a value neither gives (the three together
    are `values_in`, none read twice)."""

    _STAGES = (digit_values, readings, other_values)

    def __init__(self, source: str) -> None:
        self.source = source
        self.read: list[set[float]] = []

    def states(self, value: float) -> bool:
        for i, stage in enumerate(self._STAGES):
            if i == len(self.read):
                self.read.append(stage(self.source))
            if any(same_value(value, s) for s in self.read[i]):
                return True
        return False


def _sentences(summary: str) -> list[str]:
    return [s for s in (s.strip() for s in re.split(r"(?<=[.!?])\s+", summary)) if s]


# A digit number and the word after it (a scale: "1.5 million", "2 milliards").
_NUMBER_AND_WORD = re.compile(rf"(?P<number>{NUMBER.pattern})(?:[ \u00a0\u202f]+[^\W\d_]+)?")
_SCALES = (1.0, 1e3, 1e6, 1e9, 1e12)


def _unstated_numbers(sentence: str, stated: set[float], language: str) -> list[str]:
    """The digit numbers of a translated sentence that the source does not state: each read as `language`
    writes numbers (with its scale word, if any), and found under any reading of the source's. A
    translation changes the separators ("12,000" for "12 000", "1.5" for "1,5"), not the number."""
    out = []
    for m in _NUMBER_AND_WORD.finditer(sentence):
        base = parse_localized(m.group("number"), language)
        if base is None:
            continue
        # values_in reads the number both ways and applies a scale word: keep the readings of `language`'s.
        meant = {v for v in values_in(m.group()) if any(same_value(v, base * k) for k in _SCALES)} or {base}
        if not any(same_value(v, s) for v in meant for s in stated):
            out.append(m.group())
    return out
