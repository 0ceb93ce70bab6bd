"""Modal and future/intent cues: the words that present an event as possible, expected or planned
rather than done ("may close", "could spread", "would allow", "plans to build", "is set to reopen").

Shared by the claims' `hedged` flag (`attribution.py`) and the speculative uncertainties (`hedges.py`),
so that a claim and the uncertainty over the same words agree. What is not a cue: "could not agree" (a
past inability), "could have scored" and "would have won" (what did not happen), "would walk to school
every day" (a habit), "where visitors could wear a wig" (a relative clause), "so readers may learn" (a
purpose), "you could pick" (generic 'you'), "the plans were approved" (a noun).
"""

from __future__ import annotations

from spacy.tokens import Token

MODALS = frozenset({"may", "might", "could", "would"})

# Verbs and adjectives that announce an intended or expected event with a to-infinitive.
_INTENT = frozenset({"plan", "intend", "aim", "hope", "expect", "seek", "set", "schedule", "due", "poise"})

# Adverbs that make "would" a past habit: "he would walk to school every day".
_HABITUAL = frozenset({"always", "often", "usually", "sometimes", "every", "each", "never", "regularly"})

_GENERIC_SUBJECTS = frozenset({"you", "nobody", "none", "nothing"})


def modal_cue(modal: Token) -> bool:
    """'may', 'might', 'could' or 'would' presenting its verb's event as possible."""
    if modal.tag_ != "MD" or modal.lower_.removesuffix("n't") not in MODALS:
        return False
    verb = modal.head
    doc = modal.doc
    negated = any(c.dep_ == "neg" for c in verb.children) or modal.lower_.endswith("n't")
    if negated and modal.lower_ in ("could", "couldn't"):
        return False  # "could not agree": what failed, not what may happen
    after = [t.lower_ for t in doc[modal.i + 1 : modal.i + 3] if t.dep_ != "neg"]
    if after[:1] in (["have"], ["'ve"]) and modal.lower_ in ("could", "would"):
        return False  # "could have scored", "would not have been possible": what did not happen
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if any(
        s.lower_ in _GENERIC_SUBJECTS or any(d.lower_ in ("neither", "no") for d in s.children) for s in subjects
    ):
        return False
    if modal.lower_ == "would" and any(t.lower_ in _HABITUAL for t in verb.subtree if t.i != modal.i):
        return False
    before = doc[verb.left_edge.i - 1] if verb.left_edge.i > 0 else None
    purpose = any(
        c.dep_ == "mark" and (c.lower_ == "so" or (c.lower_ == "that" and c.i > 0 and doc[c.i - 1].lower_ == "so"))
        for c in verb.children
    ) or (before is not None and before.lower_ == "so")
    return verb.dep_ != "relcl" and not purpose


def intent_cue(tok: Token) -> bool:
    """'plans to build', 'aims to double', 'hope to finish', 'is set to reopen', 'is due to open'."""
    if tok.lemma_.lower() not in _INTENT or tok.pos_ not in ("VERB", "AUX", "ADJ"):
        return False
    if any(c.dep_ == "neg" for c in tok.children):
        return False
    return any(
        c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX") and any(a.lower_ == "to" for a in c.children)
        for c in tok.children
    )


def expected_cue(tok: Token) -> bool:
    """'more troops are expected soon': a passive 'expected', with or without an infinitive."""
    return tok.lemma_.lower() == "expect" and tok.tag_ == "VBN" and any(c.dep_ == "auxpass" for c in tok.children)


def future_cue(tok: Token) -> bool:
    """A modal, an intent or an expectation."""
    # Called on every token: the tag and the lemma decide cheaply which test applies.
    if tok.tag_ == "MD":
        return modal_cue(tok)
    lemma = tok.lemma_.lower()
    return lemma in _INTENT and (intent_cue(tok) or expected_cue(tok))
