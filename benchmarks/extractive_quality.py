"""Quality of the extractive engine on the development set (../shared/data/gum-news), printed as figures.

Input: the plain text rebuilt from each article's CoNLL-U tokens (paragraphs from `# newpar`, spaces
from `SpaceAfter=No`). Gold data from the same files:

- actors: GUM entities (`Entity=` column) of type person or organization whose mention is headed by a
  proper noun (named). GUM types countries acting as polities as organization and as settings as
  place; places are scored separately.
- attributions: EDUs of the discourse layer (`rst/*.rsd`) related by `attribution-positive`: the
  "X said" part of reported speech. Token numbering is shared with the CoNLL-U file.

Scores:
- actor recall: named person/organization entities with at least one mention matched by an actor
  mention (the spans overlap and the actor mention covers the gold mention's head word);
- actor precision: actors with a mention matching a gold person/organization/place mention (named or
  not: "the Ukrainian presidency" is a correct actor even though it has no name);
- attribution recall: gold attribution EDUs overlapped by a claim's evidence; "with speaker" also
  requires the claim's speaker (its aliases, or its speaker_mention) to share a word with the gold source or, when the source
  is a pronoun, with a name GUM's coreference gives it; "without image credits" leaves out the EDUs
  under image captions ("Image: Nick Moreau."), which are credits rather than reported speech;
- attribution precision: claims whose evidence overlaps a gold attribution EDU or the text it attributes;
- figure coverage: share of the numbers in the text (verify's own number finder) that a figure covers;
- speakers that are actors: claims whose speaker is an actor of the brief, "unattributed", or (for an
  anonymous source) a description of a person; the rest are common noun phrases read as names.

Then the same engine on a table of hand-written passages (benchmarks/data/speech.jsonl, one JSON object a
line: `text`, gold `claims` with `speaker`, `mention` (the words naming the speaker), `span` (words the
claim's evidence must cover: the whole quote when it runs over several sentences) and `hedged` (the
passage presents an event as uncertain: a modal or future/intent cue (may, could, would, expected to,
plans to, likely ...) or a verb of belief, allegation or prediction ("believe", "alleged", "forecast");
"will" alone is not a hedge)):
- claim recall / precision: gold claims matched one-to-one by a claim whose evidence overlaps the span;
- speaker accuracy: matched claims whose speaker equals the gold one (case, a leading article and a
  possessive aside; a kept description may be longer than the gold words: "two diplomats familiar with
  the talks" for "two diplomats");
- speaker_mention accuracy: the same for the mention; span coverage: evidence covers the whole span;
- hedge recall / precision: passages with a hedged claim or a hedged/speculative uncertainty.

    .venv/bin/python benchmarks/extractive_quality.py [--per-doc] [--show-misses] [--table FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.engines.extractive.actors import find_actors  # noqa: E402
from summarizer.engines.extractive.engine import build_draft  # noqa: E402
from summarizer.engines.extractive.nlp import parse  # noqa: E402
from summarizer.engines.extractive.lexicon import PERSON_NOUNS  # noqa: E402
from summarizer.quantities import number_mentions  # noqa: E402
from summarizer.schema import UNATTRIBUTED, Attribution  # noqa: E402
from summarizer.text import clean  # noqa: E402

TABLE = ROOT / "benchmarks" / "data" / "speech.jsonl"
# The set lives beside the repository; a git worktree sits deeper, so look upwards (or name it in
# SUMMARIZER_DEV_SET, for a checkout elsewhere).
DEV_SET = Path(os.environ["SUMMARIZER_DEV_SET"]) if os.environ.get("SUMMARIZER_DEV_SET") else next(
    (p / "shared" / "data" / "gum-news" for p in ROOT.parents if (p / "shared" / "data" / "gum-news").exists()),
    ROOT.parent / "shared" / "data" / "gum-news",
)
_ENTITY = re.compile(r"\((\d+)-([^()]+?)(\))?(?=\(|\d+\)|$)|(\d+)\)")
ACTOR_TYPES = frozenset({"person", "organization"})
ACCEPTED_TYPES = frozenset({"person", "organization", "place"})


@dataclass
class Token:
    index: int  # 1-based across the document, as in the rsd files
    form: str
    upos: str
    head: int  # document index of the syntactic head, 0 for the root
    deprel: str
    start: int
    end: int


@dataclass
class GoldMention:
    entity: str
    etype: str
    start_token: int
    end_token: int  # inclusive
    start: int = 0
    end: int = 0
    head: int = 0  # the token whose head lies outside the mention
    names: list[int] = field(default_factory=list)  # the proper-noun words naming it
    named: bool = False


@dataclass
class GoldAttribution:
    start: int  # the attribution EDU ("X said"), in characters
    end: int
    source_start: int  # the words naming the source
    source_end: int
    source: str
    caption: bool  # an image credit under a caption ("Image: Nick Moreau.")


@dataclass
class Article:
    name: str
    text: str
    tokens: list[Token]
    mentions: list[GoldMention]
    attributions: list[GoldAttribution] = field(default_factory=list)


def _parse_conllu(path: Path) -> tuple[str, list[Token], list[GoldMention]]:
    tokens: list[Token] = []
    mentions: list[GoldMention] = []
    open_mentions: dict[str, list[GoldMention]] = defaultdict(list)
    sentence_offset = 0
    pieces: list[str] = []
    pos = 0
    mwt_end = 0
    mwt_space = True
    first_in_paragraph = True
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# newpar") and not line.startswith("# newpar_block"):
            if pieces:
                if pieces[-1] == " ":
                    pieces.pop()
                    pos -= 1
                pieces.append("\n\n")
                pos += 2
            first_in_paragraph = True
            continue
        if line.startswith("# sent_id"):
            sentence_offset = len(tokens)
            if not first_in_paragraph and pieces and not pieces[-1].endswith((" ", "\n")):
                pieces.append(" ")
                pos += 1
            first_in_paragraph = False
            continue
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if "-" in cols[0]:
            a, b = (int(x) for x in cols[0].split("-"))
            mwt_end = sentence_offset + b
            pieces.append(cols[1])
            start = pos
            pos += len(cols[1])
            mwt_space = "SpaceAfter=No" not in cols[9]
            mwt_start = start
            continue
        if "." in cols[0]:
            continue
        index = sentence_offset + int(cols[0])
        head = sentence_offset + int(cols[6]) if cols[6] != "0" else 0
        if index <= mwt_end:
            # A word inside a multi-word token ("Trump's"): it shares the surface form's span.
            tok = Token(index, cols[1], cols[3], head, cols[7], mwt_start, pos)
            if index == mwt_end and mwt_space:
                pieces.append(" ")
                pos += 1
        else:
            pieces.append(cols[1])
            tok = Token(index, cols[1], cols[3], head, cols[7], pos, pos + len(cols[1]))
            pos += len(cols[1])
            if "SpaceAfter=No" not in cols[9]:
                pieces.append(" ")
                pos += 1
        tokens.append(tok)
        for misc in cols[9].split("|"):
            if not misc.startswith("Entity="):
                continue
            for m in _ENTITY.finditer(misc[len("Entity=") :]):
                if m.group(4):
                    stack = open_mentions.get(m.group(4))
                    if stack:
                        gm = stack.pop()
                        gm.end_token = index
                        mentions.append(gm)
                    continue
                entity, fields = m.group(1), m.group(2)
                etype = fields.split("-", 1)[0]
                gm = GoldMention(entity, etype, index, index)
                if m.group(3):
                    mentions.append(gm)
                else:
                    open_mentions[entity].append(gm)
    if pieces and pieces[-1] == " ":
        pieces.pop()
    text = "".join(pieces) + "\n"
    by_index = {t.index: t for t in tokens}
    for gm in mentions:
        span = [by_index[i] for i in range(gm.start_token, gm.end_token + 1) if i in by_index]
        gm.start, gm.end = span[0].start, span[-1].end
        heads = [t for t in span if not (gm.start_token <= t.head <= gm.end_token)]
        head = heads[0] if heads else span[-1]
        gm.head = head.index
        # GUM heads "team member Rodaba Noori" on "member": the name hangs on the head (appos, flat).
        gm.names = [head.index] if head.upos == "PROPN" else [
            t.index for t in span if t.upos == "PROPN" and t.head == head.index and t.deprel.split(":")[0] in ("appos", "flat")
        ]
        gm.named = bool(gm.names)
    return text, tokens, mentions


def _parse_rsd(path: Path, tokens: list[Token]) -> list[GoldAttribution]:
    """The attribution EDUs of one article."""
    by_index = {t.index: t for t in tokens}
    out = []
    next_token = 1
    for line in path.read_text(encoding="utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 8:
            continue
        count = len(cols[1].split(" "))
        first, last = next_token, next_token + count - 1
        next_token += count
        if not cols[7].startswith("attribution-positive"):
            continue
        src = re.search(r"semantic-attribution_source-(\d+)(?:-(\d+))?", cols[-1])
        s_first, s_last = (int(src.group(1)), int(src.group(2) or src.group(1))) if src else (first, last)
        edu = [by_index[i] for i in range(first, last + 1) if i in by_index]
        source = [by_index[i] for i in range(s_first, s_last + 1) if i in by_index]
        if not edu:
            continue
        source = source or edu
        caption = "caption=caption" in cols[5]
        out.append(
            GoldAttribution(
                edu[0].start, edu[-1].end, source[0].start, source[-1].end, " ".join(t.form for t in source), caption
            )
        )
    return out


def load_articles() -> list[Article]:
    """The development set's articles with their gold entities and attributions."""
    articles = []
    for path in sorted((DEV_SET / "dep").glob("GUM_news_*.conllu")):
        text, tokens, mentions = _parse_conllu(path)
        article = Article(path.stem.removeprefix("GUM_news_"), text, tokens, mentions)
        rsd = DEV_SET / "rst" / (path.stem + ".rsd")
        if rsd.exists():
            article.attributions = _parse_rsd(rsd, tokens)
        articles.append(article)
    return articles


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


@dataclass
class Scores:
    gold_actors: int = 0
    found_actors: int = 0
    gold_places: int = 0
    found_places: int = 0
    predicted: int = 0
    correct: int = 0
    gold_attr: int = 0
    found_attr: int = 0
    gold_attr_text: int = 0
    found_attr_text: int = 0
    found_attr_speaker: int = 0
    claims: int = 0
    claims_correct: int = 0
    numbers: int = 0
    numbers_covered: int = 0
    figures: int = 0
    actor_speakers: int = 0
    misses: list[str] = field(default_factory=list)
    false_actors: list[str] = field(default_factory=list)
    missed_attr: list[str] = field(default_factory=list)
    odd_speakers: list[str] = field(default_factory=list)

    def add(self, other: Scores) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
            else:
                getattr(self, name).extend(value)


def score(article: Article) -> Scores:
    cleaned = clean(article.text)
    doc = parse(cleaned.text)
    index = find_actors(doc)
    draft = build_draft(doc, cleaned)
    s = Scores()
    head_char = {t.index: (t.start, t.end) for t in article.tokens}

    predicted = []
    for actor in index.actors:
        spans = [cleaned.span_to_source(m.char_start, m.char_end) for m in actor.mentions]
        predicted.append((actor.name, spans))

    def matches(spans: list[tuple[int, int]], gm: GoldMention) -> bool:
        words = [head_char[i] for i in (gm.names or [gm.head])]
        return any(_overlap(a, b, gm.start, gm.end) and any(a < h1 and h0 < b for h0, h1 in words) for a, b in spans)

    entities: dict[str, list[GoldMention]] = defaultdict(list)
    for gm in article.mentions:
        entities[gm.entity].append(gm)
    for ms in entities.values():
        named = [m for m in ms if m.named]
        if not named:
            continue
        etype = named[0].etype
        hit = any(matches(spans, m) for _, spans in predicted for m in ms)
        if etype in ACTOR_TYPES:
            s.gold_actors += 1
            s.found_actors += hit
            if not hit:
                s.misses.append(f"{article.name}: {etype} {article.text[named[0].start:named[0].end]!r}")
        elif etype == "place":
            s.gold_places += 1
            s.found_places += hit
    accepted = [m for m in article.mentions if m.etype in ACCEPTED_TYPES]
    for name, spans in predicted:
        s.predicted += 1
        ok = any(matches(spans, m) for m in accepted)
        s.correct += ok
        if not ok:
            s.false_actors.append(f"{article.name}: {name!r}")

    claim_spans = [[(ev.start, ev.end) for ev in c.evidence if ev.start is not None] for c in draft.claims]
    for gold in article.attributions:
        s.gold_attr += 1
        s.gold_attr_text += not gold.caption
        hits = [i for i, spans in enumerate(claim_spans) if any(_overlap(x, y, gold.start, gold.end) for x, y in spans)]
        s.found_attr += bool(hits)
        s.found_attr_text += bool(hits) and not gold.caption
        words = {w.lower() for w in re.findall(r"\w+", gold.source)}
        words |= _coreferent_names(article, gold.source_start, gold.source_end)
        if any(_speaker_words(draft, i) & words for i in hits):
            s.found_attr_speaker += 1
        if not hits:
            s.missed_attr.append(f"{article.name}: {article.text[gold.start:gold.end]!r}")
    # A claim is right when it overlaps an attribution EDU or the sentence around one.
    for spans in claim_spans:
        s.claims += 1
        s.claims_correct += any(
            _overlap(x, y, *_sentence_around(article.text, g.start, g.end)) for x, y in spans for g in article.attributions
        )

    names = {a.name for a in draft.actors} | {UNATTRIBUTED}
    for claim in draft.claims:
        ok = claim.speaker in names or _described_person(claim.speaker, claim.attribution)
        s.actor_speakers += ok
        if not ok:
            s.odd_speakers.append(f"{article.name}: {claim.speaker!r}")

    numbers = number_mentions(cleaned.text)
    fig_spans = [(ev.start, ev.end) for f in draft.figures for ev in f.evidence if ev.start is not None]
    s.figures += len(draft.figures)
    for n in numbers:
        s.numbers += 1
        a, b = cleaned.span_to_source(n.start, n.end)
        s.numbers_covered += any(_overlap(a, b, x, y) for x, y in fig_spans)
    return s


def _described_person(speaker: str, attribution: Attribution) -> bool:
    """An anonymous source kept as its description ("a senior official", "analysts at Barclays")."""
    words = [w.lower() for w in re.findall(r"[\w-]+", speaker)]
    return attribution is Attribution.anonymous_source or any(w in PERSON_NOUNS or w.rstrip("s") in PERSON_NOUNS for w in words)


def _coreferent_names(article: Article, start: int, end: int) -> set[str]:
    """Words of the names GUM's coreference gives a source ("she" -> the named person)."""
    entities = {m.entity for m in article.mentions if m.start == start and m.end == end}
    return {
        w.lower()
        for m in article.mentions
        if m.entity in entities and m.named
        for w in re.findall(r"\w+", article.text[m.start : m.end])
    } - _STOP


_STOP = frozenset({"the", "a", "an", "of", "and", "s"})


def _speaker_words(draft, i: int) -> set[str]:  # type: ignore[no-untyped-def]
    claim = draft.claims[i]
    # A speaker left unattributed still names its source in the mention ("The report says ...").
    names = {claim.speaker, getattr(claim, "speaker_mention", None) or ""}
    for actor in draft.actors:
        if actor.name == claim.speaker:
            names.update(actor.aliases)
    return {w.lower() for n in names for w in re.findall(r"\w+", n)} - _STOP


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right_candidates = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    return (left + 1 if left >= 0 else 0), (min(right_candidates) + 1 if right_candidates else len(text))


_HEDGE_KINDS = frozenset({"hedged", "speculative"})


def _norm(text: str) -> str:
    text = re.sub(r"[’']s\b", "", text.lower())
    return re.sub(r"^(?:the|a|an)\s+", "", " ".join(re.findall(r"[\w-]+", text)))


def _same_speaker(found: str, gold: str) -> bool:
    f, g = _norm(found), _norm(gold)
    return f == g or (gold != UNATTRIBUTED and f.startswith(g + " "))


@dataclass
class TableScores:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    speaker: int = 0
    mention: int = 0
    span: int = 0
    gold_hedged: int = 0
    found_hedged: int = 0
    right_hedged: int = 0
    notes: list[str] = field(default_factory=list)


def score_table(path: Path) -> TableScores:
    t = TableScores()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        item = json.loads(line)
        text = item["text"]
        cleaned = clean(text)
        draft = build_draft(parse(cleaned.text), cleaned)
        claims = [
            (c, [(e.start, e.end) for e in c.evidence if e.start is not None]) for c in draft.claims
        ]
        t.predicted += len(claims)
        free = list(range(len(claims)))
        for gold in item["claims"]:
            t.gold += 1
            g0 = text.index(gold["span"])
            g1 = g0 + len(gold["span"])
            overlaps = [
                (sum(max(0, min(b, g1) - max(a, g0)) for a, b in claims[i][1]), i) for i in free
            ]
            best = max((o for o in overlaps if o[0] > 0), default=None)
            if best is None:
                t.notes.append(f"{n}: missed claim {gold['span']!r}")
                continue
            free.remove(best[1])
            claim, spans = claims[best[1]]
            t.matched += 1
            if _same_speaker(claim.speaker, gold["speaker"]):
                t.speaker += 1
            else:
                t.notes.append(f"{n}: speaker {claim.speaker!r}, gold {gold['speaker']!r}")
            mention = getattr(claim, "speaker_mention", None) or claim.speaker
            if _norm(mention) == _norm(gold["mention"]):
                t.mention += 1
            else:
                t.notes.append(f"{n}: mention {mention!r}, gold {gold['mention']!r}")
            if any(a <= g0 and g1 <= b for a, b in spans):
                t.span += 1
            else:
                t.notes.append(f"{n}: span {[text[a:b] for a, b in spans]!r}, gold {gold['span']!r}")
        for i in free:
            t.notes.append(f"{n}: extra claim {claims[i][0].speaker!r}: {claims[i][0].statement!r}")
        hedged = any(c.hedged for c in draft.claims) or any(u.kind.value in _HEDGE_KINDS for u in draft.uncertainties)
        t.gold_hedged += item["hedged"]
        t.found_hedged += hedged
        t.right_hedged += hedged and item["hedged"]
        if hedged != item["hedged"]:
            t.notes.append(f"{n}: hedge {hedged}, gold {item['hedged']}: {text[:70]!r}")
    return t


def table_report(path: Path, show_misses: bool) -> None:
    t = score_table(path)
    passages = sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    print(f"\nextractive engine on {passages} hand-written passages ({path.relative_to(ROOT)})")
    print(f"  claim recall                               {_pct(t.matched, t.gold)}")
    print(f"  claim precision                            {_pct(t.matched, t.predicted)}")
    print(f"  speaker accuracy (of found claims)         {_pct(t.speaker, t.matched)}")
    print(f"  speaker_mention accuracy (of found claims) {_pct(t.mention, t.matched)}")
    print(f"  reporting span covered (of found claims)   {_pct(t.span, t.matched)}")
    print(f"  hedge recall                               {_pct(t.right_hedged, t.gold_hedged)}")
    print(f"  hedge precision                            {_pct(t.right_hedged, t.found_hedged)}")
    if show_misses:
        print("\ntable misses:")
        for note in t.notes:
            print("  " + note)


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-doc", action="store_true", help="print the scores of each article")
    parser.add_argument("--show-misses", action="store_true", help="list missed and false actors, missed attributions")
    parser.add_argument("--table", type=Path, default=TABLE, help="hand-written passages with gold speech and hedges")
    parser.add_argument("--no-figures", action="store_true", help="leave out the figure scores (figure_quality.py)")
    args = parser.parse_args()
    if not DEV_SET.exists():
        sys.exit(f"development set not found at {DEV_SET}")
    total = Scores()
    articles = load_articles()
    for article in articles:
        s = score(article)
        total.add(s)
        if args.per_doc:
            print(
                f"{article.name:14} actors R {_pct(s.found_actors, s.gold_actors)} P {_pct(s.correct, s.predicted)}"
                f"  attribution R {_pct(s.found_attr, s.gold_attr)}"
            )
    print(f"extractive engine on {len(articles)} development articles ({DEV_SET})")
    print(f"  actor recall (named person/organisation)  {_pct(total.found_actors, total.gold_actors)}")
    print(f"  actor precision                            {_pct(total.correct, total.predicted)}")
    print(f"  place recall (named places, not scored)    {_pct(total.found_places, total.gold_places)}")
    print(f"  attribution recall                         {_pct(total.found_attr, total.gold_attr)}")
    print(f"  attribution recall with speaker            {_pct(total.found_attr_speaker, total.gold_attr)}")
    print(f"  attribution recall without image credits   {_pct(total.found_attr_text, total.gold_attr_text)}")
    print(f"  claim precision (near a gold attribution)  {_pct(total.claims_correct, total.claims)}")
    print(f"  figure coverage of stated numbers          {_pct(total.numbers_covered, total.numbers)}  figures: {total.figures}")
    print(f"  speakers that are actors or descriptions   {_pct(total.actor_speakers, total.claims)}")
    if args.show_misses:
        for title, items in (
            ("missed actors", total.misses),
            ("false actors", total.false_actors),
            ("missed attributions", total.missed_attr),
            ("speakers that are neither actors nor descriptions", total.odd_speakers),
        ):
            print(f"\n{title}:")
            for item in items:
                print("  " + item)

    if args.table.exists():
        table_report(args.table, args.show_misses)
    if not args.no_figures:
        # Figures have their own tables and scoring (benchmarks/figure_quality.py); printed here too so that
        # one command gives every field.
        from figure_quality import print_scores  # noqa: PLC0415 - the sibling script

        from summarizer import summarize  # noqa: PLC0415

        print("\nfigures (benchmarks/figure_quality.py)")
        print_scores(summarize)


if __name__ == "__main__":
    main()
