"""A digest of briefs in two languages: actors merge across languages only through the names and aliases
the briefs carry, and the digest says how many documents of each language it holds. The briefs come from
the hand-written cassettes (cassettes/README.md): the English seed, and the French article briefed in
French (the default) and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer import api
from summarizer.digest import BriefLink, Digest, build_digest
from summarizer.render.digest_markdown import render_digest_markdown
from summarizer.schema import Brief
from tests.llm.conftest import SEED

ARTICLE = Path(__file__).parent / "articles" / "coree_du_nord_fr.txt"


def _link(brief_id: str) -> BriefLink:
    return BriefLink(id=brief_id, title=brief_id, json_path=f"briefs/{brief_id}.json",
                     md_path=f"briefs/{brief_id}.md", engine="llm")


def _actor(digest: Digest, name: str):
    matches = [a for a in digest.actors if a.name == name or name in a.aliases]
    assert len(matches) == 1, (name, [a.name for a in digest.actors])
    return matches[0]


def _seed(settings) -> Brief:
    return api.summarize(SEED, settings=settings)


def _french(settings) -> Brief:
    return api.summarize(path=ARTICLE, settings=settings)


def _english_of_french(settings) -> Brief:
    return api.summarize(path=ARTICLE, settings=settings, brief_language="en")


# Several cassettes per test: their answers are played in the order listed, one request each, which is
# the order the briefs are made in below.
@pytest.mark.vcr("good_seed.yaml", "fr_brief_in_french.yaml")
def test_names_in_two_languages_stay_apart_unless_a_brief_links_them(llm_settings):
    seed_brief, french_brief = _seed(llm_settings), _french(llm_settings)
    digest = build_digest([(_link("seed-en"), seed_brief), (_link("article-fr"), french_brief)])

    assert digest.languages == {"en": 1, "fr": 1}
    # Both briefs list "Pyongyang" as an alias: that links North Korea and Corée du Nord.
    korea = _actor(digest, "North Korea")
    assert "Corée du Nord" in {korea.name, *korea.aliases} and korea.documents == 2
    assert korea.languages == ["en", "fr"]
    # Nothing links NATO and OTAN, or Russia ("Moscow") and Russie ("Moscou"): separate actors, said so.
    assert _actor(digest, "NATO") is not _actor(digest, "OTAN")
    assert _actor(digest, "NATO").languages == ["en"] and _actor(digest, "OTAN").languages == ["fr"]
    assert _actor(digest, "Russia").documents == 1 and _actor(digest, "Russie").documents == 1
    markdown = render_digest_markdown(digest)
    assert "Documents in 2 languages (English 1, French 1)" in markdown
    assert "differently spelled names that no brief links stay separate actors" in markdown


@pytest.mark.vcr("good_seed.yaml", "fr_brief_in_french.yaml", "fr_brief_in_english.yaml")
def test_an_english_brief_of_the_french_article_links_the_names_through_its_aliases(llm_settings):
    seed_brief, french_brief = _seed(llm_settings), _french(llm_settings)
    english_brief_of_french = _english_of_french(llm_settings)
    entries = [(_link("seed-en"), seed_brief), (_link("article-fr"), french_brief),
               (_link("article-fr-in-en"), english_brief_of_french)]
    digest = build_digest(entries)

    assert digest.languages == {"fr": 2, "en": 1}
    # Its "NATO" (aka "OTAN") and "Russia" (aka "Russie", "Moscou") join the English and the French names.
    nato = _actor(digest, "NATO")
    assert nato is _actor(digest, "OTAN") and nato.documents == 3 and nato.languages == ["en", "fr"]
    russia = _actor(digest, "Russia")
    assert russia is _actor(digest, "Russie") and russia.documents == 3
    assert _actor(digest, "North Korea").documents == 3
    # Their evidence stays each brief's own source text.
    for ref in nato.evidence:
        brief = dict((link.id, b) for link, b in entries)[ref.brief]
        assert brief.source.text[ref.start : ref.end] == ref.quote


@pytest.mark.vcr("good_seed.yaml")
def test_a_one_language_digest_says_nothing_about_languages(llm_settings):
    digest = build_digest([(_link("seed-en"), _seed(llm_settings))])
    assert digest.languages == {"en": 1}
    assert "languages" not in render_digest_markdown(digest).split("## Top stories")[0]
