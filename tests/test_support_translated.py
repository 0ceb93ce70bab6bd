"""Support checks of a translated brief (English statements, French evidence): numbers and names only,
names bridged to the source through the actors' aliases."""

from __future__ import annotations

from summarizer.grounding import ground
from summarizer.schema import Actor, ActorKind, Claim, Draft, DropCode, Evidence
from summarizer.support import check_support
from summarizer.text import clean

SOURCE = (
    "Le Caire, 3 mars.\n\n"
    "Les Émirats arabes unis ont envoyé 300 soldats au Soudan, a affirmé mardi le ministre égyptien des "
    "Affaires étrangères. Le gouvernement soudanais n’a pas réagi."
)
UAE = Actor(name="United Arab Emirates", kind=ActorKind.country, aliases=["Émirats arabes unis"],
            evidence=[Evidence(quote="Les Émirats arabes unis ont envoyé 300 soldats")])
SUDAN = Actor(name="Sudan", kind=ActorKind.country, aliases=["Soudan"], evidence=[Evidence(quote="300 soldats au Soudan")])


def _claim(statement: str, quote: str = "Les Émirats arabes unis ont envoyé 300 soldats au Soudan") -> Claim:
    return Claim(statement=statement, speaker="unattributed", evidence=[Evidence(quote=quote)])


def _check(draft: Draft, translated: bool = True):
    cleaned = clean(SOURCE)
    grounded, _ = ground(draft, cleaned)
    return check_support(grounded, cleaned, translated_to="en" if translated else None)


def test_a_faithful_translation_is_supported_through_the_aliases():
    draft = Draft(actors=[UAE, SUDAN], claims=[_claim("The United Arab Emirates sent 300 soldiers to Sudan.")])
    result = _check(draft)
    assert [c.statement for c in result.draft.claims] == ["The United Arab Emirates sent 300 soldiers to Sudan."]
    # Word by word, the same English statement shares nothing with its French evidence.
    untranslated = _check(draft, translated=False)
    assert untranslated.draft.claims == []


def test_a_wrong_number_is_not_supported():
    result = _check(Draft(actors=[UAE, SUDAN], claims=[_claim("The United Arab Emirates sent 3,000 soldiers to Sudan.")]))
    assert result.draft.claims == []
    assert result.dropped[0].code is DropCode.claim_not_supported and "numbers" in result.dropped[0].reason


def test_an_invented_name_is_not_supported():
    result = _check(Draft(actors=[UAE, SUDAN], claims=[_claim("Saudi Arabia sent 300 soldiers to Sudan, said Emmanuel Macron.")]))
    assert result.draft.claims == []
    assert "Saudi Arabia" in result.dropped[0].reason


def test_a_name_with_no_actor_alias_to_bridge_it_is_not_supported():
    # "Sudan" is only known through the Sudan actor's alias "Soudan": without that actor it is unknown.
    result = _check(Draft(actors=[UAE], claims=[_claim("The United Arab Emirates sent 300 soldiers to Sudan.")]))
    assert result.draft.claims == []


def test_translated_summary_names_are_bridged_and_invented_ones_caught():
    good = Draft(actors=[UAE, SUDAN], summary="The United Arab Emirates sent 300 soldiers to Sudan.",
                 summary_evidence=[Evidence(quote="Les Émirats arabes unis ont envoyé 300 soldats au Soudan")])
    assert _check(good).draft.summary == good.summary
    invented = good.model_copy(update={"summary": "Qatar sent 300 soldiers to Sudan, the White House said."})
    result = _check(invented)
    assert "Qatar" not in result.draft.summary and "Les Émirats arabes unis ont envoyé" in result.draft.summary  # the lead
    assert [d.code for d in result.dropped if d.field == "summary"] == [DropCode.summary_not_supported]


def test_a_number_translated_with_other_separators_is_the_same_number():
    source = "Paris, 2 mai.\n\nQuelque 1\u202f500 soldats et 2,5 millions d’euros ont été envoyés au Soudan."
    cleaned = clean(source)
    sudan = Actor(name="Sudan", kind=ActorKind.country, aliases=["Soudan"], evidence=[Evidence(quote="envoyés au Soudan")])
    quote = "Quelque 1\u202f500 soldats et 2,5 millions d’euros ont été envoyés au Soudan"
    good = _claim("Some 1,500 soldiers and 2.5 million euros were sent to Sudan.", quote)
    wrong = _claim("Some 1,600 soldiers and 2.5 million euros were sent to Sudan.", quote)
    grounded, _ = ground(Draft(actors=[sudan], claims=[good, wrong]), cleaned)
    kept = check_support(grounded, cleaned, translated_to="en").draft.claims
    assert [c.statement for c in kept] == [good.statement]


def test_a_number_is_read_as_the_brief_language_writes_it():
    # "12,000" in an English statement is twelve thousand, not the French reading 12: the source's "12 mars"
    # does not support it, its "15 000" does not either.
    source = "Paris, 12 mars.\n\nQuelque 15\u202f000 soldats ont été envoyés au Soudan."
    cleaned = clean(source)
    sudan = Actor(name="Sudan", kind=ActorKind.country, aliases=["Soudan"], evidence=[Evidence(quote="envoyés au Soudan")])
    quote = "Quelque 15\u202f000 soldats ont été envoyés au Soudan"
    claims = [_claim("Some 12,000 soldiers were sent to Sudan.", quote), _claim("Some 15,000 soldiers were sent to Sudan.", quote)]
    grounded, _ = ground(Draft(actors=[sudan], claims=claims), cleaned)
    kept = check_support(grounded, cleaned, translated_to="en").draft.claims
    assert [c.statement for c in kept] == ["Some 15,000 soldiers were sent to Sudan."]
