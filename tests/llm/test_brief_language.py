"""--brief-language through the llm engine, replaying hand-written cassettes (cassettes/README.md): a French
article briefed in English (English statements, French evidence whose spans slice the source), the same
article briefed by default in French, and a hostile answer whose evidence was translated into English.
They test our plumbing (prompt, grounding, support checks), not any model's quality."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import api
from summarizer.cli import app
from summarizer.engines.llm import extraction
from summarizer.schema import Alignment, Brief, DropCode
from tests.llm.conftest import BASE_URL, MODEL, SEED, assert_spans_slice_source

ARTICLE = Path(__file__).parent / "articles" / "coree_du_nord_fr.txt"
SOURCE = ARTICLE.read_text(encoding="utf-8")
runner = CliRunner()


@pytest.fixture
def sent_prompts(monkeypatch) -> list[str]:
    """The system prompts the engine sends, as it sends them."""
    sent: list[str] = []
    original = extraction.brief_messages

    def spy(*args, **kwargs):
        messages = original(*args, **kwargs)
        sent.append(messages[0]["content"])
        return messages

    monkeypatch.setattr(extraction, "brief_messages", spy)
    return sent


def _by_name(brief: Brief) -> dict:
    return {a.name: a for a in brief.actors}


@pytest.mark.vcr("fr_brief_in_english.yaml")
def test_english_brief_of_a_french_article_keeps_french_evidence(llm_settings, vcr, sent_prompts):
    brief = api.summarize(path=ARTICLE, settings=llm_settings, brief_language="en")

    assert vcr.all_played
    assert "The article is in French" in sent_prompts[0] and "in English." in sent_prompts[0]
    assert 'every "q" and "sq" stays in French' in sent_prompts[0]
    assert brief.source.language == "fr"
    assert brief.provenance.prompt_version.endswith("+brief-en")
    # The title is the article's own headline: a model's title that is not in the article is never used.
    assert brief.title == "Guerre en Ukraine : Séoul affirme que la Corée du Nord envoie des troupes en Russie"
    assert_spans_slice_source(brief)
    # Every quote is the article's French, found although some were copied with straight apostrophes,
    # plain spaces for no-break ones, or guillemets without their spaces; and every English item is
    # supported by its French evidence (numbers under both separators, names through the aliases).
    assert brief.dropped == []
    assert brief.summary.startswith("South Korea's National Intelligence Service (NIS) says North Korea has decided")
    assert [ev.alignment for ev in brief.summary_evidence] == [Alignment.normalised, Alignment.normalised, Alignment.exact]
    assert brief.summary_evidence[0].quote == "La Corée du Nord a décidé d’envoyer jusqu’à 12\u202f000 soldats pour aider la Russie"
    figures = [(f.text, f.value, f.measures) for f in brief.figures]
    assert figures == [
        ("jusqu’à 12\u202f000", 12000, "North Korean soldiers to be sent to Russia"),
        ("quelque 1\u202f500", 1500, "North Korean soldiers said to be training in the Russian Far East"),
        ("environ 10\u202f000", 10000, "soldiers Pyongyang is training"),
    ]
    assert len(brief.claims) == 4 and len(brief.uncertainties) >= 3
    actors = _by_name(brief)
    assert {"North Korea", "Russia", "NATO", "Volodymyr Zelensky", "South Korean presidency"} <= set(actors)
    assert "Corée du Nord" in actors["North Korea"].aliases and "OTAN" in actors["NATO"].aliases
    claims = {c.statement: c for c in brief.claims}
    threat = claims["The deployment is a serious threat to the security of South Korea and of the international community."]
    assert threat.evidence[0].alignment is Alignment.normalised
    assert threat.evidence[0].quote.startswith("«\u00a0Il s’agit d’une menace sérieuse")
    war = claims["Russia wants a longer and wider war."]
    assert war.speaker == "Volodymyr Zelensky"
    assert war.evidence[0].quote == "«\u00a0La Russie veut une guerre plus longue et plus large\u00a0»"
    assert SOURCE[war.evidence[0].start : war.evidence[0].end] == war.evidence[0].quote


@pytest.mark.vcr("fr_brief_in_french.yaml")
def test_a_french_article_gets_a_french_brief_by_default(llm_settings, vcr, sent_prompts):
    brief = api.summarize(path=ARTICLE, settings=llm_settings)

    assert vcr.all_played
    assert "The article is in French" in sent_prompts[0] and "never translated" not in sent_prompts[0]
    assert "+brief-" not in brief.provenance.prompt_version
    assert brief.source.language == "fr"
    assert_spans_slice_source(brief)
    assert {"Corée du Nord", "Russie", "OTAN", "Volodymyr Zelensky"} <= set(_by_name(brief))
    statements = [c.statement for c in brief.claims]
    assert "La Russie veut une guerre plus longue et plus large." in statements
    assert brief.dropped == []
    assert brief.summary.startswith("Selon le renseignement sud-coréen (NIS), la Corée du Nord a décidé")
    assert [(f.text, f.value) for f in brief.figures] == [("jusqu’à 12\u202f000", 12000)]
    assert [u.statement for u in brief.uncertainties][:1] == ["L’OTAN ne peut pas confirmer le déploiement."]


@pytest.mark.vcr("fr_translated_evidence.yaml")
def test_evidence_translated_into_english_is_not_grounded(llm_settings, vcr):
    brief = api.summarize(path=ARTICLE, settings=llm_settings, brief_language="en")

    assert vcr.all_played
    assert_spans_slice_source(brief)
    # The one item quoting the French article stays; every translated quote is not in the source.
    assert [a.name for a in brief.actors] == ["North Korea"]
    assert brief.claims == [] and brief.figures == []
    assert not [u for u in brief.uncertainties if u.found_by and u.found_by.value == "model"]
    not_found = {(d.field, d.text) for d in brief.dropped if d.code is DropCode.evidence_not_found}
    assert ("claims", "Russia wants a longer and wider war.") in not_found
    assert ("actors", "NATO") in not_found and ("figures", "up to 12,000") in not_found
    assert ("summary", "North Korea has decided to send up to 12,000 soldiers to help Russia, South Korean intelligence says.") in not_found
    # The invented-looking English summary is replaced by the article's own French lead.
    assert brief.summary.startswith("Séoul, 18 octobre (Dépêche). La Corée du Nord a décidé")


@pytest.mark.vcr("fr_translated_evidence.yaml")
def test_translated_evidence_kept_with_keep_unaligned_is_flagged_and_has_no_span(llm_settings, vcr):
    brief = api.summarize(path=ARTICLE, settings=llm_settings, brief_language="en", keep_unaligned=True)

    assert_spans_slice_source(brief, allow_unaligned=True)
    war = next(c for c in brief.claims if c.statement == "Russia wants a longer and wider war.")
    assert war.evidence[0].alignment is Alignment.unaligned and war.evidence[0].start is None


@pytest.mark.vcr("fr_brief_in_english.yaml")
def test_cli_brief_language_en_prints_english_statements_with_french_evidence():
    args = ["brief", str(ARTICLE), "--engine", "llm", "--base-url", BASE_URL, "--model", MODEL,
            "--brief-language", "en", "--no-cross-check", "--format", "json", "--quiet"]
    result = runner.invoke(app, args)

    assert result.exit_code == 0, result.output
    brief = Brief.model_validate(json.loads(result.stdout))
    assert_spans_slice_source(brief)
    assert "Russia wants a longer and wider war." in [c.statement for c in brief.claims]


def test_extractive_engine_refuses_another_brief_language_in_one_line(tmp_path):
    result = runner.invoke(app, ["brief", str(ARTICLE), "--engine", "extractive", "--brief-language", "en"])

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert "is in French (fr)" in lines[0] and "cannot write one in English" in lines[0]
    assert "--engine llm" in lines[0]


def test_extractive_engine_takes_the_source_language_as_brief_language():
    # An English article asked for an English brief: nothing to translate, the rules run as usual.
    result = runner.invoke(app, ["brief", str(SEED), "--engine", "extractive", "--brief-language", "EN", "--quiet"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("code", ["xx", "english", "1"])
def test_unknown_brief_language_is_a_usage_error(code):
    result = runner.invoke(app, ["brief", str(SEED), "--engine", "extractive", "--brief-language", code])

    assert result.exit_code == 2
    assert result.stderr.strip().startswith("summarizer: --brief-language:") and len(result.stderr.strip().splitlines()) == 1


def test_which_engines_can_write_another_language():
    from summarizer.config import Settings
    from summarizer.engines.extractive import ExtractiveEngine
    from summarizer.engines.llm import LLMEngine
    from summarizer.engines.local import LocalEngine

    settings = Settings(brief_language="en")
    assert LLMEngine().writes_any_language(settings)
    assert not LLMEngine().writes_any_language(settings.model_copy(update={"model_writes": "summary"}))
    # The local engine's model writes only the summary by default: the rules' items are the source's words.
    assert not LocalEngine().writes_any_language(settings)
    assert LocalEngine().writes_any_language(settings.model_copy(update={"model_writes": "brief"}))
    assert not ExtractiveEngine().writes_any_language(settings)
