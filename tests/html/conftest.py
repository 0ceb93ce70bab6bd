"""Briefs built by hand from real article text, so the review page can be tested before any engine runs.

Every quote below is copied from the article it is grounded in; grounding locates it and sets the spans.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from summarizer.digest import BriefLink, Digest, FailedDocument, build_digest
from summarizer.grounding import ground
from summarizer.schema import (
    Actor,
    ActorKind,
    Attribution,
    Brief,
    Claim,
    Draft,
    Evidence,
    Figure,
    Provenance,
    Qualifier,
    Source,
    Uncertainty,
    UncertaintyKind,
    Verification,
)
from summarizer.text import clean
from tests.conftest import ROOT, SEED

ARTIFACTS = ROOT / "test-artifacts" / "html"


def ev(*quotes: str) -> list[Evidence]:
    return [Evidence(quote=q) for q in quotes]


def make_brief(
    text: str, draft: Draft, *, keep_unaligned: bool = False, path: str | None = None, verification: Verification | None = None
) -> Brief:
    grounded, dropped = ground(draft, clean(text), keep_unaligned=keep_unaligned)
    return Brief(
        title=draft.title or "",
        source=Source(
            sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            title=clean(text).title,
            path=path,
            length=len(text),
            text=text,
            removed=clean(text).removed(),
        ),
        provenance=Provenance(engine="hand-written test fixture", prompt_version="none"),
        dropped=dropped,
        verification=verification or Verification(),
        **grounded.model_dump(exclude={"title"}),
    )


def seed_draft() -> Draft:
    """A draft of the seed article, as a careful reader would write it, with a few deliberate overlaps."""
    return Draft(
        title="South Korean intelligence says North Korea is sending troops to Russia",
        summary=(
            "South Korea's intelligence service says North Korea has begun sending troops to help Russia fight "
            "Ukraine, up to 12,000 in all; NATO could not confirm it."
        ),
        summary_evidence=ev(
            "North Korea has decided to send up to 12,000 troops to help Russia",
            "NATO said it was not able to confirm “at this stage” this alleged deployment",
        ),
        actors=[
            Actor(name="North Korea", kind=ActorKind.country, role="sending troops to Russia", aliases=["Pyongyang"],
                  evidence=ev("North Korea has decided to send “large numbers of troops”", "Pyongyang’s growing support")),
            Actor(name="National Intelligence Service (NIS)", kind=ActorKind.organisation,
                  role="South Korean intelligence agency", aliases=["NIS"],
                  evidence=ev("South Korean National Intelligence Service (NIS)")),
            Actor(name="NATO", kind=ActorKind.organisation, role="could not confirm the deployment",
                  evidence=ev("NATO said it was not able to confirm")),
            Actor(name="Yoon Suk Yeol", kind=ActorKind.person, role="South Korean President",
                  evidence=ev("South Korean President Yoon Suk Yeol")),
            Actor(name="Volodymyr Zelensky", kind=ActorKind.person, role="Ukrainian President",
                  evidence=ev("Ukrainian President Volodymyr Zelensky")),
            Actor(name="Joe Biden", kind=ActorKind.person, role="US President",
                  evidence=ev("US President Joe Biden")),
            Actor(name="Hong Sung-pyo", kind=ActorKind.person, role="researcher, Korea Institute of Military Affairs",
                  evidence=ev("Hong Sung-pyo, a researcher at the Korea Institute of Military Affairs")),
        ],
        claims=[
            Claim(statement="North Korea has decided to send up to 12,000 troops to help Russia.",
                  speaker="National Intelligence Service (NIS)", attribution=Attribution.reported,
                  evidence=ev("According to the South Korean National Intelligence Service (NIS), North Korea has "
                              "decided to send up to 12,000 troops to help Russia.")),
            Claim(statement="North Korea transported special forces to Russia on a Russian naval ship from October 8 to 13.",
                  speaker="National Intelligence Service (NIS)", attribution=Attribution.direct_quote,
                  evidence=ev("detected from October 8 to 13 that North Korea transported its special forces to Russia "
                              "in a Russian naval transport ship")),
            Claim(statement="The soldiers should be deployed to the front once their acclimatization training ends.",
                  speaker="National Intelligence Service (NIS)", attribution=Attribution.direct_quote, hedged=True,
                  evidence=ev("should be deployed to the front lines (of the Ukrainian conflict) as soon as they have "
                              "completed their acclimatization training")),
            Claim(statement="North Korea has given Russia more than 13,000 containers of weapons since August.",
                  speaker="National Intelligence Service (NIS)", attribution=Attribution.direct_quote,
                  evidence=ev("provided Russia with the equivalent of more than 13,000 containers of artillery ammunition")),
            Claim(statement="North Korea is training some 10,000 troops to support Russia.",
                  speaker="Volodymyr Zelensky", attribution=Attribution.reported,
                  evidence=ev("he had information that North Korea was training some 10,000 troops to support Russia")),
            Claim(statement="NATO countries should maintain their support until a just and lasting peace.",
                  speaker="Joe Biden", attribution=Attribution.direct_quote,
                  evidence=ev("called on NATO countries to “maintain their support”")),
        ],
        figures=[
            Figure(text="1,500", value=1500, unit="soldiers", measures="North Korean soldiers training in the Russian Far East",
                   source="South Korean intelligence", evidence=ev("1,500 North Korean soldiers are already training")),
            Figure(text="up to 12,000", value=12000, unit="troops", measures="North Korean troops to be sent to Russia",
                   qualifier=Qualifier.up_to, source="National Intelligence Service (NIS)",
                   evidence=ev("up to 12,000 troops", "could send a total of 12,000 troops")),
            Figure(text="some 10,000", value=10000, unit="troops", measures="North Korean troops being trained",
                   qualifier=Qualifier.approximately, source="Volodymyr Zelensky", evidence=ev("some 10,000 troops")),
            Figure(text="more than 13,000", value=13000, unit="containers", measures="containers of weapons sent to Russia",
                   qualifier=Qualifier.more_than, date="since August", source="National Intelligence Service (NIS)",
                   evidence=ev("more than 13,000 containers")),
            Figure(text="six", value=6, unit="servicemen", measures="North Korean servicemen killed near Donetsk",
                   date="October 3", source="Ukrainian media", evidence=ev("six North Korean servicemen were killed")),
        ],
        uncertainties=[
            Uncertainty(statement="NATO could not confirm the deployment at this stage.", kind=UncertaintyKind.unverified,
                        who="NATO", evidence=ev("NATO said it was not able to confirm “at this stage” this alleged deployment")),
            Uncertainty(statement="Estimates of the North Korean troops differ: up to 12,000 (NIS) against some 10,000 (Zelensky).",
                        kind=UncertaintyKind.conflicting, who="NIS, Volodymyr Zelensky",
                        evidence=ev("up to 12,000 troops", "some 10,000 troops")),
            Uncertainty(statement="The report of six soldiers killed was judged only very likely accurate.",
                        kind=UncertaintyKind.hedged, who="Kim Yong-hyun", evidence=ev("the information was “very likely” accurate")),
        ],
    )


def seed_brief(*, keep_unaligned: bool = False) -> Brief:
    draft = seed_draft()
    # One invented actor (its quote is not in the article): grounding must drop it, the page must list it apart.
    draft.actors.append(Actor(name="Kim Jong-un's sister", kind=ActorKind.person, evidence=ev("Kim Yo-jong said on state TV")))
    verification = Verification(figures_checked=5, missed_entities=["Kim Yong-hyun", "Donald Trump"],
                                missed_numbers=["8", "13"])
    return make_brief(SEED.read_text(encoding="utf-8"), draft, keep_unaligned=keep_unaligned,
                      path="seeds/000_ee409ff46c783017.txt", verification=verification)


HOSTILE_TEXT = """Breaking: <script>window.__pwned = "script"; alert("pwned")</script> in the newsroom

The mayor said the <img src=x onerror="window.__pwned='img'; console.log('pwned-img')"> budget was 5,000 dollars.
A critic wrote </script><script>window.__pwned='json'</script> and <b onmouseover="window.__pwned='hover'">bold</b> words.
Ampersands & "quotes" & 'apostrophes' & <!-- comments --> stay text, as does <style>body{display:none}</style>.
Officials said the figure could rise to 7,000 dollars, according to <a href="http://127.0.0.1:9/leak">a link</a>.
"""


def hostile_brief() -> Brief:
    """An article made of markup; items, labels and quotes carry it too."""
    draft = Draft(
        title="<script>window.__pwned='title'</script> Hostile",
        summary="The <img src=x onerror=\"window.__pwned='summary'\"> budget was 5,000 dollars.",
        summary_evidence=ev("the <img src=x onerror=\"window.__pwned='img'; console.log('pwned-img')\"> budget was 5,000 dollars."),
        actors=[
            Actor(name="The mayor <script>window.__pwned='actor'</script>", kind=ActorKind.person,
                  role="</script><script>window.__pwned='role'</script>", evidence=ev("The mayor")),
            Actor(name="<b onmouseover=\"window.__pwned='hover'\">bold</b>", evidence=ev("<b onmouseover=\"window.__pwned='hover'\">bold</b>")),
        ],
        claims=[
            Claim(statement="A critic wrote </script><script>window.__pwned='json'</script>", speaker="A critic",
                  evidence=ev("A critic wrote </script><script>window.__pwned='json'</script>")),
        ],
        figures=[
            Figure(text="5,000 dollars", value=5000, unit="USD", evidence=ev("5,000 dollars")),
            Figure(text="7,000 dollars", value=7000, unit="USD", qualifier=Qualifier.up_to, evidence=ev("7,000 dollars")),
        ],
        uncertainties=[
            Uncertainty(statement="<style>body{display:none}</style> could rise", kind=UncertaintyKind.speculative,
                        evidence=ev("the figure could rise to 7,000 dollars, according to <a href=\"http://127.0.0.1:9/leak\">a link</a>")),
        ],
    )
    return make_brief(HOSTILE_TEXT, draft)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


ELECTION = ROOT / "tests" / "nightly" / "articles" / "election.txt"


def election_brief() -> Brief:
    draft = Draft(
        title="New faces emerge as veteran politicians step down in Hong Kong legislative election",
        summary="Hong Kong's legislative election drew a record turnout of about 2 million voters (58%).",
        summary_evidence=ev("with a record-breaking turnout of around 2 million voters and turnout rate of 58%"),
        actors=[
            Actor(name="Eddie Chu", kind=ActorKind.person, role="nonpartisan pan-democrat",
                  evidence=ev("nonpartisan pan-democrat Eddie Chu")),
            Actor(name="Junius Ho", kind=ActorKind.person, role="pro-establishment nonpartisan",
                  evidence=ev("pro-establishment nonpartisan Junius Ho")),
            Actor(name="Lee Cheuk-yan", kind=ActorKind.person, role="Labour Party veteran",
                  evidence=ev("Lee Cheuk-yan of the Labour Party")),
        ],
        claims=[
            Claim(statement="The anti-establishment camp kept a majority of the geographical constituencies' seats.",
                  speaker="unattributed", attribution=Attribution.outlet,
                  evidence=ev("the anti-establishment camp successfully maintained a majority in the geographical "
                              "constituencies' seats")),
        ],
        figures=[
            Figure(text="around 2 million", value=2_000_000, unit="voters", measures="turnout",
                   qualifier=Qualifier.approximately, evidence=ev("around 2 million voters")),
            Figure(text="58%", value=58, unit="%", measures="turnout rate", evidence=ev("turnout rate of 58%")),
            Figure(text="84,121", value=84121, unit="votes", measures="votes for Eddie Chu",
                   evidence=ev("Eddie Chu was elected with 84,121 votes")),
        ],
    )
    return make_brief(ELECTION.read_text(encoding="utf-8"), draft, path="tests/nightly/articles/election.txt")


def digest_entries() -> list[tuple[BriefLink, Brief]]:
    """Two briefs as nightly links them; the seed's two troop estimates are given as the same quantity."""
    seed = seed_brief()
    same = "North Korean troops for Russia"
    seed.figures[1] = seed.figures[1].model_copy(update={"measures": same})
    seed.figures[2] = seed.figures[2].model_copy(update={"measures": same})
    election = election_brief()
    return [
        (BriefLink(id="north-korea-troops-7e1384c0", title=seed.title, json_path="north-korea-troops-7e1384c0.json",
                   md_path="north-korea-troops-7e1384c0.md", source_path=seed.source.path, engine="fixture"), seed),
        (BriefLink(id="hk-election-4d2a9f10", title=election.title, json_path="hk-election-4d2a9f10.json",
                   md_path="hk-election-4d2a9f10.md", source_path=election.source.path, engine="fixture"), election),
    ]


def seed_digest() -> Digest:
    return build_digest(
        digest_entries(),
        run_id="20261124T0300Z",
        failed=[FailedDocument(path="inbox/scan.pdf", error="not a text document: binary content (PDF)")],
    )
