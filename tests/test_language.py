"""Language identification: the code and confidence in source, and the override that replaces detection."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.api import make_settings
from summarizer.cli import app
from summarizer.errors import ConfigError
from summarizer.language import identify, language_of, normalize_code
from summarizer.schema import Brief, json_schema

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_ee409ff46c783017.txt"

SAMPLES = {
    "en": "The minister said on Tuesday that the pension reform would be passed before the end of the year.",
    "fr": "Le ministre a déclaré mardi que la réforme des retraites serait adoptée avant la fin de l'année.",
    "de": "Der Minister sagte am Dienstag, die Rentenreform werde noch vor Ende des Jahres verabschiedet.",
    "es": "El ministro dijo el martes que la reforma de las pensiones se aprobará antes de fin de año.",
    "it": "Il ministro ha detto martedì che la riforma delle pensioni sarà approvata entro la fine dell'anno.",
}


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_one_sentence_is_enough_to_tell_the_language(code: str) -> None:
    found = identify(SAMPLES[code])
    assert found.code == code
    assert found.confidence is not None and 0.5 < found.confidence <= 1.0


def test_too_little_text_keeps_the_default_with_no_confidence() -> None:
    assert identify("OK 42").confidence == 0.0


def test_a_headline_the_model_calls_another_language_is_read_by_the_rules_it_likely_fits() -> None:
    from summarizer.engines.extractive.engine import rules_language

    headline = "said said said said October"
    assert identify(headline).code not in ("en", "fr")  # the model's guess on so few letters
    assert rules_language(headline, None) == "en"
    assert rules_language(SAMPLES["de"], None) == "de"  # a sentence is enough to refuse German


def test_an_override_is_taken_as_given_with_no_measured_confidence() -> None:
    assert language_of(SAMPLES["en"], "FR") == language_of("", "fr-CA")
    assert language_of(SAMPLES["en"], "fr").confidence is None
    assert language_of(SAMPLES["de"], None).code == "de"


@pytest.mark.parametrize("bad", ["french", "f", "12", "e n"])
def test_a_code_that_is_not_iso_639_1_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalize_code(bad)
    with pytest.raises(ConfigError, match="language"):
        make_settings(language=bad)


def test_the_brief_records_the_detected_language_and_its_confidence() -> None:
    brief = summarize(SEED, engine="extractive")
    assert brief.source.language == "en"
    assert brief.source.language_confidence is not None and brief.source.language_confidence > 0.9
    jsonschema.validate(json.loads(brief.model_dump_json()), json_schema())


def test_the_language_option_overrides_detection() -> None:
    brief = summarize(text=SAMPLES["en"] + " " + SAMPLES["en"], engine="extractive", language="en-GB")
    assert (brief.source.language, brief.source.language_confidence) == ("en", None)


def test_the_cli_takes_language_and_refuses_a_bad_code_in_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "b.json"
    ok = runner.invoke(app, ["brief", str(SEED), "--engine", "extractive", "--language", "en", "-q", "-o", str(out)])
    assert ok.exit_code == 0, ok.output
    assert json.loads(out.read_text(encoding="utf-8"))["source"]["language_confidence"] is None
    bad = runner.invoke(app, ["brief", str(SEED), "--engine", "extractive", "--language", "english"])
    assert bad.exit_code == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "--language" in lines[0] and "Traceback" not in bad.output


def test_a_schema_1_2_brief_still_loads_without_a_confidence() -> None:
    data = {
        "schema_version": "1.2",
        "title": "T",
        "source": {"sha256": "0" * 64, "length": 1, "text": "x", "language": "en", "author": "A"},
        "provenance": {"engine": "extractive"},
    }
    brief = Brief.model_validate(data)
    assert brief.schema_version == "1.2" and brief.source.language_confidence is None


def test_the_cached_model_gives_the_packages_answers_and_a_bad_cache_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from summarizer import language

    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    language._identifier.cache_clear()
    try:
        cached = language._identifier()
        assert language._cache_path().is_file() and str(tmp_path) in str(language._cache_path())
        for text in SAMPLES.values():
            assert cached.classify(text) == packaged.classify(text)
        language._cache_path().write_bytes(b"not a model")
        language._identifier.cache_clear()
        assert language._identifier().classify(SAMPLES["fr"]) == packaged.classify(SAMPLES["fr"])
    finally:
        language._identifier.cache_clear()


def _texts_to_identify() -> list[str]:
    """Every article of the tests (English and French) and the seed, whole and cut into paragraphs, and
    random strings of their characters: the samples the feature walk must count exactly."""
    import random

    root = Path(__file__).resolve().parent
    articles = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.txt")) if p.stat().st_size < 400_000]
    articles.append(SEED.read_text(encoding="utf-8"))
    texts = [t[:5_000] for t in articles] + [p for t in articles for p in t.split("\n\n")[:6]]
    letters = sorted(set("".join(articles)) | set("ßøæœ€中文日本語Ελληνικάрусский "))
    rng = random.Random(15)
    texts += ["".join(rng.choice(letters) for _ in range(rng.randint(0, 400))) for _ in range(200)]
    return [*texts, *SAMPLES.values(), "", "a", "OK 42"]


def test_the_feature_walk_counts_what_the_package_counts_and_gives_its_answers() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

    from summarizer import language

    packaged = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    walked = language._identifier()
    assert type(walked).__name__ == "Walked"
    for text in _texts_to_identify():
        data = packaged._encode(text)
        expected = visit_counts(packaged.tk_nextmove, packaged._rowbase, packaged.tk_output, data)
        got = language._feature_counts(walked._next, walked._row, walked._feature, walked._pair, data)
        assert (list(got.items()) if got else None) == (list(expected.items()) if expected else None), text[:80]
        assert walked.classify(text) == packaged.classify(text)
        assert walked.rank(text) == packaged.rank(text)


def test_no_state_of_the_model_is_deeper_than_the_walk_reads() -> None:
    """Breadth-first from the start state over every byte: the deepest state is WALK_DEPTH bytes away, so
    the last WALK_DEPTH bytes decide each state (the automaton keeps the longest suffix it knows)."""
    import numpy

    from summarizer import language

    model = language._identifier()
    seen = numpy.zeros(len(model._row), dtype=bool)
    seen[0] = True
    frontier, depth = numpy.array([0]), 0
    while len(frontier):
        reached = numpy.unique(model._next[(model._row[frontier][:, None] + numpy.arange(256)).ravel()])
        frontier = reached[~seen[reached]]
        seen[frontier] = True
        depth += 1 if len(frontier) else 0
    assert seen.all() and depth <= language.WALK_DEPTH


def test_has_letters_is_a_count_of_letters_against_a_threshold() -> None:
    from summarizer.language import has_letters

    for text in ["", "OK 42", "a", "²³ ½ 1234 ___", "Ünïcødé ß ſ İ 中文", *SAMPLES.values(), SEED.read_text()[:500]]:
        letters = sum(ch.isalpha() for ch in text)
        for count in range(0, letters + 3):
            assert has_letters(text, count) == (letters >= count), (text, count)
